/// The separators of one X12 interchange, read from its `ISA` segment.
///
/// X12.5 / X12.6: the element separator is the byte after `ISA`; the component separator is ISA16; the
/// segment terminator is what follows ISA16; ISA11 is the repetition separator from version 00402 on.
public struct X12Delimiters: Sendable, Hashable {
    /// The element separator (the 4th byte of the `ISA`), e.g. `*`.
    public var element: UInt8
    /// The component (sub-element) separator, ISA16, e.g. `:`.
    public var component: UInt8
    /// The repetition separator, ISA11, when ISA12 ≥ 00402 and ISA11 is not alphanumeric; `nil` otherwise
    /// (ISA11 is then the standards identifier, usually `U`).
    public var repetition: UInt8?
    /// The segment terminator: one byte (e.g. `~`, CR, LF, 0x1D) or the bytes of one UTF-8 scalar (e.g. U+2026);
    /// at most 8 bytes. Stored inline (``terminatorFirstByte``, ``terminatorCount``): delimiters are copied into
    /// every segment view, and an array here cost a retain and a release per segment.
    public var segmentTerminator: [UInt8] {
        get { (0..<Int(terminatorCount)).map { terminatorByte($0) } }
        set {
            let bytes = newValue.isEmpty ? [UInt8(ascii: "~")] : newValue
            precondition(bytes.count <= 8, "an X12 segment terminator is one byte or one UTF-8 scalar")
            var packed: UInt64 = 0
            for (index, byte) in bytes.enumerated() { packed |= UInt64(byte) << (8 * UInt64(index)) }
            terminatorBytes = packed
            terminatorCount = UInt8(bytes.count)
        }
    }
    /// The terminator's bytes, the first in the lowest byte.
    private var terminatorBytes: UInt64 = 0
    /// How many bytes the segment terminator has (1 for `~`, 3 for U+2026).
    public private(set) var terminatorCount: UInt8 = 0

    /// The terminator's first (usually only) byte.
    public var terminatorFirstByte: UInt8 { UInt8(truncatingIfNeeded: terminatorBytes) }

    /// Byte `index` (0-based, below ``terminatorCount``) of the segment terminator.
    public func terminatorByte(_ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: terminatorBytes >> (8 * UInt64(index))) }

    /// Calls `body` with the segment terminator's bytes (no allocation).
    public func withSegmentTerminator<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var packed = terminatorBytes.littleEndian
        let count = Int(terminatorCount)
        return try withUnsafeBytes(of: &packed) { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    /// Delimiters given explicitly. `segmentTerminator` must not be empty (`~` is used then) and has at most 8 bytes.
    public init(element: UInt8, component: UInt8, repetition: UInt8?, segmentTerminator: [UInt8]) {
        self.element = element
        self.component = component
        self.repetition = repetition
        self.segmentTerminator = segmentTerminator
    }

    /// `*`, `:`, `^`, `~` — the delimiters of the HIPAA implementation guides' examples.
    public static let standard = X12Delimiters(
        element: UInt8(ascii: "*"), component: UInt8(ascii: ":"), repetition: UInt8(ascii: "^"),
        segmentTerminator: [UInt8(ascii: "~")])

    /// Whether the terminator is CR or LF (then line breaks are not inter-segment whitespace).
    public var terminatorIsLineBreak: Bool {
        terminatorCount == 1 && (terminatorFirstByte == 0x0A || terminatorFirstByte == 0x0D)
    }

    /// The longest `ISA` accepted while counting its 16 element separators.
    public static let maximumISALength = 512
}

/// What reading an `ISA` found: its delimiters and where its terminator is.
public struct X12ISAScan: Sendable, Hashable {
    /// The delimiters the interchange declares.
    public var delimiters: X12Delimiters
    /// Bytes from the `I` of `ISA` to the segment terminator (106 for a fixed-width ISA).
    public var width: Int
    /// ISA12, the interchange control version number, e.g. `00501`.
    public var version: String

    /// Reads the delimiters from an `ISA` at the start of `bytes` the robust way: the element separator is
    /// byte 3; the 16th element separator is located by counting (not assumed at offset 103); ISA16 is the
    /// byte after it and the terminator the byte (or UTF-8 scalar) after ISA16.
    ///
    /// - Returns: `nil` when `bytes` ends before the terminator and `isFinal` is false (feed more).
    /// - Throws: ``X12Error`` with `baseOffset + ` the local offset.
    public static func scan(
        _ bytes: UnsafeRawBufferPointer, baseOffset: Int, isFinal: Bool
    ) throws(X12Error) -> X12ISAScan? {
        func needMore() throws(X12Error) -> X12ISAScan? {
            if isFinal { throw .truncatedISA(offset: baseOffset) }
            return nil
        }
        guard bytes.count >= 4 else { return try needMore() }
        let element = bytes[3]
        guard isUsableDelimiter(element) else {
            throw .invalidDelimiter(role: "element", offset: baseOffset + 3, byte: element)
        }
        // separators[k] is the index of the separator before ISA(k+1).
        var separators: [Int] = [3]
        separators.reserveCapacity(16)
        var index = 4
        while separators.count < 16 {
            guard index < bytes.count else { return try needMore() }
            guard index < X12Delimiters.maximumISALength else {
                throw .malformedISA(offset: baseOffset, maximum: X12Delimiters.maximumISALength)
            }
            if bytes[index] == element { separators.append(index) }
            index += 1
        }
        // `index` is ISA16.
        guard index < bytes.count else { return try needMore() }
        let component = bytes[index]
        guard isUsableDelimiter(component), component != element else {
            throw .invalidDelimiter(role: "component", offset: baseOffset + index, byte: component)
        }
        let terminatorIndex = index + 1
        guard terminatorIndex < bytes.count else {
            if isFinal { throw .missingSegmentTerminator(offset: baseOffset, position: 1) }
            return nil
        }
        let lead = bytes[terminatorIndex]
        var terminatorLength = 1
        switch lead {
        case 0xC2...0xDF: terminatorLength = 2
        case 0xE0...0xEF: terminatorLength = 3
        case 0xF0...0xF4: terminatorLength = 4
        default: break
        }
        guard terminatorIndex + terminatorLength <= bytes.count else { return try needMore() }
        if terminatorLength > 1 {
            for i in terminatorIndex + 1..<terminatorIndex + terminatorLength where bytes[i] & 0xC0 != 0x80 {
                throw .invalidDelimiter(role: "segment", offset: baseOffset + terminatorIndex, byte: lead)
            }
        } else if !isUsableDelimiter(lead) && lead != 0x0D && lead != 0x0A || lead == element || lead == component {
            throw .invalidDelimiter(role: "segment", offset: baseOffset + terminatorIndex, byte: lead)
        }
        let terminator = Array(bytes[terminatorIndex..<terminatorIndex + terminatorLength])

        let isa11 = bytes[(separators[10] + 1)..<separators[11]]
        let isa12 = bytes[(separators[11] + 1)..<separators[12]]
        let version = String(decoding: isa12, as: UTF8.self)
        var repetition: UInt8?
        if isa11.count == 1, let number = Int(version), number >= 402 {
            let candidate = isa11[isa11.startIndex]
            if isUsableDelimiter(candidate) {
                guard candidate != element, candidate != component, terminator != [candidate] else {
                    throw .invalidDelimiter(role: "repetition", offset: baseOffset + separators[10] + 1, byte: candidate)
                }
                repetition = candidate
            }
        }
        return X12ISAScan(
            delimiters: X12Delimiters(
                element: element, component: component, repetition: repetition, segmentTerminator: terminator),
            width: terminatorIndex, version: version)
    }

    /// Not alphanumeric and not a space (those occur in data).
    static func isUsableDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: " "):
            false
        default: true
        }
    }
}
