import Events

/// The elements of one segment, split once: element `n` (1-based) and its components read without re-scanning.
/// Used by the claim extractor's hot path; values come out as small `String`s (no intermediate copies).
struct X12SegmentFields {
    /// Start and end byte offsets of each element (index 0 = the segment id): the first ``boundCount`` entries of
    /// a buffer that only grows, so splitting stores without a capacity check per element.
    private var bounds: [Int] = []
    private var boundCount = 0
    private(set) var bytes = UnsafeRawBufferPointer(start: nil, count: 0)
    private(set) var component: UInt8 = 0
    private(set) var repetition: UInt8?
    /// The segment id packed into an integer (see ``code(_:)``).
    private(set) var id: UInt32 = 0
    private(set) var position = 0
    /// Whether the whole segment is printable ASCII without `"` or `\` (checked once per segment): then every
    /// value in it is written as a JSON string without escaping.
    private(set) var isPlain = true

    init() { bounds = [Int](repeating: 0, count: 2 * Self.shortSegment + 2) }

    /// Segments up to this many bytes are split without counting their elements first.
    private static let shortSegment = 1024

    /// Splits `view`.
    mutating func load(_ view: X12SegmentView) {
        bytes = view.bytes
        component = view.delimiters.component
        repetition = view.delimiters.repetition
        position = view.position
        let separator = view.delimiters.element
        let repetitionByte = repetition ?? separator
        let length = bytes.count
        // Room for every element: a short segment has at most `length` separators; a long one is counted.
        var needed = 2 * length + 2
        if length > Self.shortSegment {
            var separators = 0
            for byte in bytes where byte == separator { separators += 1 }
            needed = 2 * separators + 2
        }
        if bounds.count < needed { bounds = [Int](repeating: 0, count: needed) }
        var stored = 0
        bounds.withUnsafeMutableBufferPointer { out in
            var start = 0
            if length > 0, let base = bytes.baseAddress {
                let raw = base.assumingMemoryBound(to: UInt8.self)
                for i in 0..<length where raw[i] == separator {
                    out[stored] = start
                    out[stored + 1] = i
                    stored += 2
                    start = i + 1
                }
            }
            out[stored] = start
            out[stored + 1] = length
            stored += 2
        }
        boundCount = stored
        let flags = Self.scan(bytes, repetition: repetitionByte == separator ? nil : repetitionByte)
        isPlain = flags.isPlain
        var code: UInt32 = 0
        for i in bounds[0]..<min(bounds[1], 3) { code = code << 8 | UInt32(bytes[i]) }
        id = code
        // ISA11 is the separator itself; a segment without the repetition byte needs no repetition cut later.
        if code == Self.code("ISA") || !flags.hasRepetition { repetition = nil }
    }

    /// One pass over the segment, eight bytes at a time: whether it is plain (``ClaimJSONBuffer/classify(_:)``) and
    /// whether it holds the `repetition` byte.
    @inline(__always)
    private static func scan(_ bytes: UnsafeRawBufferPointer, repetition: UInt8?) -> (isPlain: Bool, hasRepetition: Bool) {
        let count = bytes.count
        guard count > 0, let start = bytes.baseAddress else { return (true, false) }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let repetitionWord = ones &* UInt64(repetition ?? 0)
        var flagged: UInt64 = 0
        var repeated: UInt64 = 0
        var index = 0
        while index + 8 <= count {
            let word = start.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let control = (word &- ones &* 0x20) & ~word
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let other = word ^ repetitionWord
            flagged |= word | control | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
            // Exact for "some byte equals": a borrow only ever follows a true zero byte.
            repeated |= (other &- ones) & ~other
            index += 8
        }
        var isPlain = flagged & highs == 0
        var hasRepetition = repeated & highs != 0
        while index < count {
            let byte = bytes[index]
            if byte < 0x20 || byte >= 0x80 || byte == 0x22 || byte == 0x5C { isPlain = false }
            if byte == repetition { hasRepetition = true }
            index += 1
        }
        if !isPlain { isPlain = ClaimJSONBuffer.classify(bytes) == .plain }
        if repetition == nil { hasRepetition = false }
        return (isPlain, hasRepetition)
    }

    /// Packs a segment id of up to 3 ASCII characters, as ``id`` holds it.
    static func code(_ text: StaticString) -> UInt32 {
        var code: UInt32 = 0
        let pointer = text.utf8Start
        for i in 0..<min(text.utf8CodeUnitCount, 3) { code = code << 8 | UInt32(pointer[i]) }
        return code
    }

    /// The segment id as text.
    var idText: String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[bounds[0]..<bounds[1]]), as: UTF8.self) }

    /// Number of elements after the id.
    var count: Int { boundCount / 2 - 1 }

    /// The bytes of element `index`, or `nil` when absent. For a repeated element, the first repetition.
    @inline(__always)
    func raw(_ index: Int) -> UnsafeRawBufferPointer? {
        guard index >= 1, index <= count else { return nil }
        var slice = UnsafeRawBufferPointer(rebasing: bytes[bounds[2 * index]..<bounds[2 * index + 1]])
        if let repetition, let cut = slice.firstIndex(of: repetition) {
            slice = UnsafeRawBufferPointer(rebasing: slice[..<cut])
        }
        return slice
    }

    /// Component `component` (1-based) of element `index`, or `nil` when absent.
    func raw(_ index: Int, _ component: Int) -> UnsafeRawBufferPointer? {
        guard let element = raw(index) else { return nil }
        var current = 1
        var start = 0
        for i in 0..<element.count where element[i] == self.component {
            if current == component { return UnsafeRawBufferPointer(rebasing: element[start..<i]) }
            current += 1
            start = i + 1
        }
        return current == component ? UnsafeRawBufferPointer(rebasing: element[start...]) : nil
    }

    /// Element `index` as text, `nil` when absent or empty.
    func text(_ index: Int) -> String? {
        guard let raw = raw(index), !raw.isEmpty else { return nil }
        return Self.string(raw)
    }

    /// UTF-8 bytes to a `String` through a typed buffer (the raw-buffer overload takes a slower generic path).
    @inline(__always)
    static func string(_ raw: UnsafeRawBufferPointer) -> String {
        String(decoding: raw.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
    }

    /// Component `component` of element `index` as text, `nil` when absent or empty.
    func text(_ index: Int, _ component: Int) -> String? {
        guard let raw = raw(index, component), !raw.isEmpty else { return nil }
        return Self.string(raw)
    }

    /// The non-empty components of element `index` from `first` to `last`.
    func texts(_ index: Int, from first: Int, through last: Int) -> [String] {
        var out: [String] = []
        for c in first...last { if let value = text(index, c) { out.append(value) } }
        return out
    }

    /// Whether element `index` equals `expected`.
    func has(_ index: Int, _ expected: StaticString) -> Bool {
        guard let raw = raw(index) else { return false }
        return raw.elementsEqual(UnsafeRawBufferPointer(start: expected.utf8Start, count: expected.utf8CodeUnitCount))
    }

    /// Element `index` (or its component) as an exact decimal: `nil` when absent or empty, throws when not a number.
    func decimal(_ index: Int, _ component: Int? = nil) throws(ExactDecimalError) -> ExactDecimal? {
        let slice = component.map { raw(index, $0) } ?? raw(index)
        guard let slice, !slice.isEmpty else { return nil }
        return try ExactDecimal(parsing: slice)
    }
}

/// The components of one element, front to back, each found by one scan from where the last ended: the same values
/// as ``X12SegmentFields/raw(_:_:)`` for components 1, 2, 3, … without rescanning the element for each.
struct X12ComponentCursor {
    private let element: UnsafeRawBufferPointer
    private let separator: UInt8
    private var start = 0
    private var isAtEnd: Bool

    /// A cursor over element `index` of `fields` (no components when the element is absent).
    init(_ fields: X12SegmentFields, _ index: Int) {
        element = fields.raw(index) ?? UnsafeRawBufferPointer(start: nil, count: 0)
        separator = fields.component
        isAtEnd = fields.raw(index) == nil
    }

    /// The next component (first call: component 1), or `nil` past the last.
    mutating func next() -> UnsafeRawBufferPointer? {
        guard !isAtEnd else { return nil }
        var end = start
        while end < element.count, element[end] != separator { end += 1 }
        let component = UnsafeRawBufferPointer(rebasing: element[start..<end])
        if end == element.count { isAtEnd = true } else { start = end + 1 }
        return component
    }
}
