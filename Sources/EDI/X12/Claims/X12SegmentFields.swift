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
        var seesRepetition = false
        var stored = 0
        bounds.withUnsafeMutableBufferPointer { out in
            var start = 0
            if length > 0, let base = bytes.baseAddress {
                let raw = base.assumingMemoryBound(to: UInt8.self)
                for i in 0..<length {
                    let byte = raw[i]
                    if byte == separator {
                        out[stored] = start
                        out[stored + 1] = i
                        stored += 2
                        start = i + 1
                    } else if byte == repetitionByte {
                        seesRepetition = true
                    }
                }
            }
            out[stored] = start
            out[stored + 1] = length
            stored += 2
        }
        boundCount = stored
        var code: UInt32 = 0
        for i in bounds[0]..<min(bounds[1], 3) { code = code << 8 | UInt32(bytes[i]) }
        id = code
        // ISA11 is the separator itself; a segment without the repetition byte needs no repetition cut later.
        if code == Self.code("ISA") || !seesRepetition { repetition = nil }
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
