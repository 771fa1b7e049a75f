public import CodePages

/// PIC X / PIC A text through a code page: decode with a trimming policy straight into UTF-8 or JSON string
/// content, encode with space padding (JUSTIFIED RIGHT pads on the left).
public struct AlphanumericCodec: Sendable, Hashable {
    /// Which spaces (the code page's space byte) decode drops. Default: `.right` (COBOL's trailing pad).
    public enum Trimming: Sendable, Hashable { case none, left, right, both }
    /// What decode does with LOW-VALUES (0x00). Default: `.keep` (they decode as U+0000, `\u0000` in JSON).
    public enum LowValues: Sendable, Hashable {
        /// Decode 0x00 like any byte.
        case keep
        /// Trim 0x00 like spaces at the trimmed ends (the AWS VB name field ends in two LOW-VALUES).
        case trim
        /// A field made only of 0x00 is `.lowValues` (null for the record decoder); otherwise like `.trim`.
        case nullWhenAll
    }

    public let byteCount: Int
    public let codePage: CodePage
    public let trimming: Trimming
    public let lowValues: LowValues
    /// `JUSTIFIED RIGHT`: encode pads on the left.
    public let isJustifiedRight: Bool

    public init(
        byteCount: Int, codePage: CodePage, trimming: Trimming = .right, lowValues: LowValues = .keep,
        isJustifiedRight: Bool = false
    ) {
        self.byteCount = byteCount
        self.codePage = codePage
        self.trimming = trimming
        self.lowValues = lowValues
        self.isJustifiedRight = isJustifiedRight
    }

    /// The bytes left after trimming; nil when the field is all LOW-VALUES under `.nullWhenAll`.
    @inline(__always)
    public func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        if lowValues == .nullWhenAll && allBytes(bytes, equal: 0) { return nil }
        let space = codePage.spaceByte
        let dropsLow = lowValues != .keep
        var start = 0
        var end = bytes.count
        if trimming == .right || trimming == .both {
            while end > start && (bytes[end - 1] == space || (dropsLow && bytes[end - 1] == 0)) { end -= 1 }
        }
        if trimming == .left || trimming == .both {
            while start < end && (bytes[start] == space || (dropsLow && bytes[start] == 0)) { start += 1 }
        }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// Appends the field as a quoted JSON string. Returns `.lowValues` (nothing written) for an all-0x00 field under
    /// `.nullWhenAll`, else `.written`; `unmapped` counts bytes the code page does not define (written as U+FFFD).
    public func appendJSON(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) throws(FieldCodecError)
        -> (outcome: FieldJSONOutcome, unmapped: Int)
    {
        guard bytes.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: bytes.count) }
        guard let text = trimmed(bytes) else { return (.lowValues, 0) }
        output.append(0x22)
        let unmapped = codePage.appendJSONEscaped(decoding: text, to: &output)
        output.append(0x22)
        return (.written([]), unmapped)
    }

    /// The field as a `String` (nil for all LOW-VALUES under `.nullWhenAll`).
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(FieldCodecError) -> String? {
        guard bytes.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: bytes.count) }
        return trimmed(bytes).map { codePage.decode($0) }
    }

    /// Decodes a byte array.
    public func decode(_ bytes: [UInt8]) throws(FieldCodecError) -> String? {
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(FieldCodecError) in try decode(buffer) } }
        return try result.get()
    }

    /// Encodes `text` padded with spaces to the field size (on the left when JUSTIFIED RIGHT). Text longer than the
    /// field throws rather than being cut (COBOL MOVE would truncate; a bridge must not lose data silently).
    public func encode(_ text: String, into buffer: UnsafeMutableRawBufferPointer) throws(FieldCodecError) {
        guard buffer.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: buffer.count) }
        var encoded: [UInt8] = []
        do {
            try codePage.encode(text, appendingTo: &encoded)
        } catch {
            guard case .unmappableCharacter(let scalar, let position, let page) = error else {
                throw .unsupportedLayout("\(error)")
            }
            let hex = String(scalar.value, radix: 16, uppercase: true)
            let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            throw .unmappableCharacter(character: code, position: position, codePage: page)
        }
        guard encoded.count <= byteCount else {
            throw .valueDoesNotFit(value: "text of \(encoded.count) bytes", capacity: "PIC X(\(byteCount))")
        }
        let padding = byteCount - encoded.count
        let start = isJustifiedRight ? padding : 0
        for index in 0..<byteCount { buffer[index] = codePage.spaceByte }
        for (offset, byte) in encoded.enumerated() { buffer[start + offset] = byte }
    }

    /// Encodes into a new byte array.
    public func encode(_ text: String) throws(FieldCodecError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        let result = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(FieldCodecError) in try encode(text, into: buffer) }
        }
        try result.get()
        return bytes
    }
}

