/// One declared parameter of a command, without its value type: what the parser and the help generator see.
///
/// Commands do not build these directly; they declare typed ``Option``, ``Flag`` and ``Argument`` values and
/// list them in their ``CommandConfiguration``.
public struct ParameterSpec: Sendable {
    /// What kind of parameter this is.
    public enum Kind: Sendable, Equatable {
        /// `--name VALUE`, `--name=VALUE`, `-s VALUE`, `-sVALUE`.
        case option
        /// `--name` or `-s`, no value.
        case flag
        /// A positional argument.
        case argument
    }

    public let kind: Kind
    /// The long name without dashes (options and flags), or the argument's name (shown as `<name>`).
    public let name: String
    /// The one-letter short name, if any (`-n`).
    public let shortName: Character?
    /// The placeholder for the value in help (`N`, `DIR`); empty for flags.
    public let valueName: String
    /// One or two sentences for the help listing.
    public let help: String
    /// The default as the user would type it, shown in help.
    public let defaultText: String?
    /// An environment variable consulted when the option is not on the command line.
    public let environment: String?
    /// Whether parsing fails without it (options and arguments only).
    public let isRequired: Bool
    /// Checks one value; returns what was expected when the text does not convert.
    let check: @Sendable (String) -> String?

    /// Whether the argument takes every remaining word (its name ends with `...`, as in `path...`).
    public var isVariadic: Bool { kind == .argument && name.hasSuffix("...") }

    /// The key values are stored under: `--name` for options and flags, `<name>` for arguments.
    public var key: String { kind == .argument ? "<\(name)>" : "--\(name)" }

    /// How the parameter appears in a usage line, e.g. `[--partition P]`, `--topic T`, `<topic>`, `[<file>]`.
    public var usageToken: String {
        let bare: String
        switch kind {
        case .option: bare = "--\(name) \(valueName)"
        case .flag: bare = "--\(name)"
        case .argument: bare = "<\(name)>"
        }
        return isRequired ? bare : "[\(bare)]"
    }

    /// How the parameter is labelled in the help listing, e.g. `-n, --lines N` or `<topic>`.
    public var helpLabel: String {
        switch kind {
        case .argument: return "<\(name)>"
        case .option, .flag:
            let long = kind == .option ? "--\(name) \(valueName)" : "--\(name)"
            return shortName.map { "-\($0), \(long)" } ?? long
        }
    }
}

/// A declared option that takes a value: `--name VALUE`, `--name=VALUE`, or `-s VALUE` with a short name.
///
/// Given more than once, ``ParsedValues/value(of:)`` takes the last occurrence and
/// ``ParsedValues/values(of:)`` returns all of them in order.
public struct Option<Value: ArgumentValue>: Sendable {
    /// The untyped declaration.
    public let spec: ParameterSpec
    /// The value used when neither the command line nor the environment gives one.
    public let defaultValue: Value?

    /// Declares an option.
    /// - Parameters:
    ///   - name: The long name without dashes.
    ///   - short: A one-letter short name.
    ///   - valueName: The placeholder in help (`N`, `DIR`).
    ///   - default: The value when the option is absent; shown in help.
    ///   - environment: An environment variable that supplies the value when the option is absent.
    ///   - isRequired: Whether the command line must give it (only meaningful without a default).
    ///   - help: What the option does.
    public init(
        _ name: String, short: Character? = nil, valueName: String, default defaultValue: Value? = nil,
        environment: String? = nil, isRequired: Bool = false, help: String
    ) {
        self.defaultValue = defaultValue
        self.spec = ParameterSpec(
            kind: .option, name: name, shortName: short, valueName: valueName, help: help,
            defaultText: defaultValue?.argumentText, environment: environment,
            isRequired: isRequired && defaultValue == nil,
            check: { Value(argument: $0) == nil ? Value.expectation : nil })
    }
}

/// A declared flag: `--name` or `-s`; present or absent.
public struct Flag: Sendable {
    /// The untyped declaration.
    public let spec: ParameterSpec

    /// Declares a flag.
    public init(_ name: String, short: Character? = nil, help: String) {
        self.spec = ParameterSpec(
            kind: .flag, name: name, shortName: short, valueName: "", help: help, defaultText: nil,
            environment: nil, isRequired: false, check: { _ in nil })
    }
}

/// A declared positional argument. Arguments are matched in the order the configuration lists them.
public struct Argument<Value: ArgumentValue>: Sendable {
    /// The untyped declaration.
    public let spec: ParameterSpec
    /// The value when an optional argument is absent.
    public let defaultValue: Value?

    /// Declares a positional argument.
    /// - Parameters:
    ///   - name: Shown as `<name>` in usage and help.
    ///   - isOptional: Whether it may be left out.
    ///   - default: The value when left out; shown in help.
    ///   - help: What the argument is.
    public init(_ name: String, isOptional: Bool = false, default defaultValue: Value? = nil, help: String) {
        self.defaultValue = defaultValue
        self.spec = ParameterSpec(
            kind: .argument, name: name, shortName: nil, valueName: name, help: help,
            defaultText: defaultValue?.argumentText, environment: nil,
            isRequired: !isOptional && defaultValue == nil,
            check: { Value(argument: $0) == nil ? Value.expectation : nil })
    }
}
