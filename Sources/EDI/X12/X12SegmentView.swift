/// One segment as a view over the tokenizer's buffer: valid only inside the closure that received it.
///
/// Nothing is copied; ``copy()`` makes an owned ``X12Segment`` on demand. Element, repetition and component
/// indices are 1-based as in the X12 reference designators (`NM109` is element 9, `SV101-2` component 2).
/// The `ISA` is never split by the repetition or component separator (ISA11 and ISA16 hold those characters).
public struct X12SegmentView {
    /// The segment's bytes, from its id up to (not including) the terminator.
    public let bytes: UnsafeRawBufferPointer
    /// The delimiters of the interchange the segment belongs to.
    public let delimiters: X12Delimiters
    /// 1-based position of the segment in the input (all interchanges counted).
    public let position: Int
    /// Byte offset of the segment's first byte from the start of the input (a BOM included).
    public let byteOffset: Int

    /// False only for a last segment accepted without its terminator (lenient, opt-in).
    public let isTerminated: Bool

    /// A view; `bytes` must start with the segment id.
    public init(
        bytes: UnsafeRawBufferPointer, delimiters: X12Delimiters, position: Int, byteOffset: Int, isTerminated: Bool = true
    ) {
        self.bytes = bytes
        self.delimiters = delimiters
        self.position = position
        self.byteOffset = byteOffset
        self.isTerminated = isTerminated
    }

    /// The segment id's bytes (e.g. `NM1`).
    public var idBytes: UnsafeRawBufferPointer {
        var end = 0
        while end < bytes.count, bytes[end] != delimiters.element { end += 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[0..<end])
    }

    /// The segment id as a string, e.g. `"CLM"`.
    public var id: String { String(decoding: idBytes, as: UTF8.self) }

    /// Whether the segment id is `id`, without allocating.
    public func hasID(_ id: StaticString) -> Bool {
        // `idBytes == id`, byte by byte without the generic sequence comparison: the id's bytes, none of them the
        // element separator, then the end or the separator.
        let count = id.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        let expected = id.utf8Start
        for index in 0..<count where bytes[index] != expected[index] || bytes[index] == delimiters.element {
            return false
        }
        return bytes.count == count || bytes[count] == delimiters.element
    }

    /// Whether this is an `ISA` (its elements are not split into repetitions or components).
    public var isISA: Bool { hasID("ISA") }

    /// Number of elements after the id (trailing empty elements included: `SE**` has 2).
    public var elementCount: Int {
        var count = 0
        for byte in bytes where byte == delimiters.element { count += 1 }
        return count
    }

    /// Element `index` (1-based), or `nil` when the segment has fewer elements.
    public func element(_ index: Int) -> X12ElementView? {
        guard index >= 1 else { return nil }
        guard let slice = X12SegmentView.field(index, of: bytes, separatedBy: delimiters.element) else { return nil }
        let isa = isISA
        return X12ElementView(
            bytes: slice, repetitionSeparator: isa ? nil : delimiters.repetition,
            componentSeparator: isa ? nil : delimiters.component)
    }

    /// Calls `body` with each element in order (1-based index, view).
    public func forEachElement(_ body: (Int, X12ElementView) throws(X12Error) -> Void) throws(X12Error) {
        let isa = isISA
        var index = 0
        var start = -1
        for i in 0...bytes.count where i == bytes.count || bytes[i] == delimiters.element {
            if index > 0 {
                try body(index, X12ElementView(
                    bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<i]),
                    repetitionSeparator: isa ? nil : delimiters.repetition,
                    componentSeparator: isa ? nil : delimiters.component))
            }
            index += 1
            start = i + 1
        }
    }

    /// An owned copy of the segment.
    public func copy() -> X12Segment {
        var elements: [X12Element] = []
        elements.reserveCapacity(elementCount)
        // forEachElement's body cannot throw here.
        try? forEachElement { _, element in elements.append(element.copy()) }
        return X12Segment(id: id, elements: elements)
    }

    /// The `index`-th field (field 0 is what precedes the first separator), or `nil` when absent.
    static func field(
        _ index: Int, of bytes: UnsafeRawBufferPointer, separatedBy separator: UInt8
    ) -> UnsafeRawBufferPointer? {
        var current = 0
        var start = 0
        for i in 0..<bytes.count where bytes[i] == separator {
            if current == index { return UnsafeRawBufferPointer(rebasing: bytes[start..<i]) }
            current += 1
            start = i + 1
        }
        return current == index ? UnsafeRawBufferPointer(rebasing: bytes[start..<bytes.count]) : nil
    }
}

/// One element (or one repetition of it, or one component) as a view over the tokenizer's buffer.
public struct X12ElementView {
    /// The element's bytes, separators of its repetitions and components included.
    public let bytes: UnsafeRawBufferPointer
    /// The repetition separator in force, or `nil` (none declared, or already split, or inside `ISA`).
    public let repetitionSeparator: UInt8?
    /// The component separator in force, or `nil` (already split, or inside `ISA`).
    public let componentSeparator: UInt8?

    /// A view over `bytes`.
    public init(bytes: UnsafeRawBufferPointer, repetitionSeparator: UInt8?, componentSeparator: UInt8?) {
        self.bytes = bytes
        self.repetitionSeparator = repetitionSeparator
        self.componentSeparator = componentSeparator
    }

    /// Whether the element is empty.
    public var isEmpty: Bool { bytes.isEmpty }

    /// The bytes decoded as UTF-8 (invalid sequences replaced), separators included.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether the bytes equal `text`, without allocating.
    public func hasText(_ text: StaticString) -> Bool {
        bytes.elementsEqual(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Number of repetitions (1 when no repetition separator is in force).
    public var repetitionCount: Int {
        guard let separator = repetitionSeparator else { return 1 }
        return bytes.reduce(1) { $0 + ($1 == separator ? 1 : 0) }
    }

    /// Repetition `index` (1-based), or `nil` when absent.
    public func repetition(_ index: Int) -> X12ElementView? {
        guard index >= 1 else { return nil }
        guard let separator = repetitionSeparator else {
            return index == 1 ? X12ElementView(bytes: bytes, repetitionSeparator: nil, componentSeparator: componentSeparator) : nil
        }
        guard let slice = X12SegmentView.field(index - 1, of: bytes, separatedBy: separator) else { return nil }
        return X12ElementView(bytes: slice, repetitionSeparator: nil, componentSeparator: componentSeparator)
    }

    /// Number of components of the first repetition (1 for a simple element).
    public var componentCount: Int {
        guard let first = repetition(1), let separator = componentSeparator else { return 1 }
        return first.bytes.reduce(1) { $0 + ($1 == separator ? 1 : 0) }
    }

    /// Component `index` (1-based) of the first repetition, or `nil` when absent.
    public func component(_ index: Int) -> X12ElementView? {
        guard index >= 1, let first = repetition(1) else { return nil }
        guard let separator = componentSeparator else {
            return index == 1 ? X12ElementView(bytes: first.bytes, repetitionSeparator: nil, componentSeparator: nil) : nil
        }
        guard let slice = X12SegmentView.field(index - 1, of: first.bytes, separatedBy: separator) else { return nil }
        return X12ElementView(bytes: slice, repetitionSeparator: nil, componentSeparator: nil)
    }

    /// An owned copy: repetitions, each a list of components, as bytes.
    public func copy() -> X12Element {
        var repetitions: [[[UInt8]]] = []
        for r in 1...repetitionCount {
            guard let rep = repetition(r) else { break }
            guard let separator = componentSeparator else {
                repetitions.append([Array(rep.bytes)])
                continue
            }
            var components: [[UInt8]] = []
            var start = 0
            for i in 0...rep.bytes.count where i == rep.bytes.count || rep.bytes[i] == separator {
                components.append(Array(rep.bytes[start..<i]))
                start = i + 1
            }
            repetitions.append(components)
        }
        return X12Element(repetitions: repetitions)
    }
}
