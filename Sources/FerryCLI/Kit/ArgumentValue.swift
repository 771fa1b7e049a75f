/// A type a command-line value converts to.
public protocol ArgumentValue: Sendable {
    /// Converts the text of one argument; nil when it is not a valid value.
    init?(argument: String)
    /// What a valid value looks like, for error messages ("an integer").
    static var expectation: String { get }
    /// The value as a user would type it, for `(default: …)` in help.
    var argumentText: String { get }
}

extension String: ArgumentValue {
    public init?(argument: String) { self = argument }
    public static var expectation: String { "text" }
    public var argumentText: String { self }
}

extension Int: ArgumentValue {
    public init?(argument: String) { self.init(argument, radix: 10) }
    public static var expectation: String { "an integer" }
    public var argumentText: String { String(self) }
}

extension Int64: ArgumentValue {
    public init?(argument: String) { self.init(argument, radix: 10) }
    public static var expectation: String { "an integer" }
    public var argumentText: String { String(self) }
}

/// An integer that must lie in a range, declared once so parsing and help agree.
///
/// Use it as an option's value type when zero or negative values make no sense, e.g.
/// `Option<Positive>`. Reading it gives the plain `Int` back through ``value``.
public struct Positive: ArgumentValue, Hashable {
    /// The integer, at least 1.
    public let value: Int
    public init(_ value: Int) {
        precondition(value > 0, "Positive requires a value above zero")
        self.value = value
    }
    public init?(argument: String) {
        guard let value = Int(argument, radix: 10), value > 0 else { return nil }
        self.value = value
    }
    public static var expectation: String { "a positive integer" }
    public var argumentText: String { String(value) }
}

/// An integer at or above zero (offsets, partition numbers, counts that may be zero).
public struct NonNegative: ArgumentValue, Hashable {
    /// The integer, at least 0.
    public let value: Int
    public init(_ value: Int) {
        precondition(value >= 0, "NonNegative requires a value of zero or more")
        self.value = value
    }
    public init?(argument: String) {
        guard let value = Int(argument, radix: 10), value >= 0 else { return nil }
        self.value = value
    }
    public static var expectation: String { "an integer of 0 or more" }
    public var argumentText: String { String(value) }
}
