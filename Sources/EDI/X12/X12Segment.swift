/// An owned X12 segment: its id and elements, each element a list of repetitions of components.
///
/// Values are kept as the bytes read (`7.00` stays `7.00`, leading zeros and trailing spaces stay), so
/// writing a parsed segment back reproduces it.
public struct X12Segment: Sendable, Hashable {
    /// The segment id, e.g. `"CLM"`.
    public var id: String
    /// The elements after the id, in order; element 1 is `elements[0]`.
    public var elements: [X12Element]

    /// A segment with elements.
    public init(id: String, elements: [X12Element]) {
        self.id = id
        self.elements = elements
    }

    /// A segment of simple elements given as text, e.g. `X12Segment("SE", "4", "0001")`.
    public init(_ id: String, _ values: String...) {
        self.init(id: id, elements: values.map { X12Element($0) })
    }

    /// Element `index` (1-based) or `nil` when absent.
    public func element(_ index: Int) -> X12Element? {
        index >= 1 && index <= elements.count ? elements[index - 1] : nil
    }
}

/// One element of an owned segment: one or more repetitions, each one or more components.
public struct X12Element: Sendable, Hashable {
    /// Repetitions (at least one), each a list of components (at least one) as bytes.
    public var repetitions: [[[UInt8]]]

    /// An element from repetitions of components.
    public init(repetitions: [[[UInt8]]]) {
        self.repetitions = repetitions.isEmpty ? [[[]]] : repetitions.map { $0.isEmpty ? [[]] : $0 }
    }

    /// A simple element holding `text` as UTF-8.
    public init(_ text: String) {
        self.init(repetitions: [[Array(text.utf8)]])
    }

    /// A composite element of the given components.
    public init(components: [String]) {
        self.init(repetitions: [components.map { Array($0.utf8) }])
    }

    /// The first component of the first repetition as text.
    public var text: String { String(decoding: repetitions.first?.first ?? [], as: UTF8.self) }

    /// Whether the element holds nothing.
    public var isEmpty: Bool { repetitions.allSatisfy { $0.allSatisfy(\.isEmpty) } }
}
