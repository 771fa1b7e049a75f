public import ByteCoding

/// Serialises X12 segments with given delimiters (X12.5 syntax).
///
/// Writing what ``X12Tokenizer`` read, with the interchange's own delimiters, reproduces the input apart
/// from whitespace between segments. An `ISA` written with other delimiters gets ISA11 (when a repetition
/// separator is set) and ISA16 rewritten to match.
public struct X12Writer: Sendable {
    /// The delimiters written.
    public var delimiters: X12Delimiters
    /// Bytes written after each segment terminator, e.g. `[0x0A]` for one segment per line. Default: none.
    public var segmentSuffix: [UInt8]

    /// A writer. `segmentSuffix` Default: `[]`.
    public init(delimiters: X12Delimiters, segmentSuffix: [UInt8] = []) {
        self.delimiters = delimiters
        self.segmentSuffix = segmentSuffix
    }

    /// Appends `segment`, its terminator and the suffix.
    ///
    /// - Throws: ``X12Error/delimiterInValue(segmentID:element:byte:)`` when a value contains a delimiter.
    public func write(_ segment: X12Segment, to writer: inout ByteWriter) throws(X12Error) {
        let isISA = segment.id == "ISA"
        writer.writeBytes(Array(segment.id.utf8))
        for (offset, element) in segment.elements.enumerated() {
            let index = offset + 1
            writer.writeByte(delimiters.element)
            if isISA {
                var value = element.repetitions.first?.first ?? []
                if index == 16 { value = [delimiters.component] }
                if index == 11, let repetition = delimiters.repetition { value = [repetition] }
                try check(value, segmentID: segment.id, element: index, inISA: true)
                writer.writeBytes(value)
                continue
            }
            for (r, repetition) in element.repetitions.enumerated() {
                if r > 0 {
                    guard let separator = delimiters.repetition else {
                        throw .repetitionWithoutSeparator(segmentID: segment.id, element: index)
                    }
                    writer.writeByte(separator)
                }
                for (c, component) in repetition.enumerated() {
                    if c > 0 { writer.writeByte(delimiters.component) }
                    try check(component, segmentID: segment.id, element: index, inISA: false)
                    writer.writeBytes(component)
                }
            }
        }
        delimiters.withSegmentTerminator { writer.writeBytes($0) }
        writer.writeBytes(segmentSuffix)
    }

    /// Appends a segment view: its bytes unchanged when it has this writer's delimiters, else re-delimited.
    public func write(_ segment: X12SegmentView, to writer: inout ByteWriter) throws(X12Error) {
        if segment.delimiters == delimiters {
            writer.writeBytes(segment.bytes)
            delimiters.withSegmentTerminator { writer.writeBytes($0) }
            writer.writeBytes(segmentSuffix)
        } else {
            try write(segment.copy(), to: &writer)
        }
    }

    /// The bytes of `segments`, each terminated.
    public func write(_ segments: [X12Segment]) throws(X12Error) -> [UInt8] {
        var writer = ByteWriter(capacity: segments.count * 64)
        for segment in segments { try write(segment, to: &writer) }
        return writer.bytes
    }

    private func check(_ value: [UInt8], segmentID: String, element: Int, inISA: Bool) throws(X12Error) {
        let terminator = delimiters.terminatorFirstByte
        for byte in value {
            var clash = byte == delimiters.element || byte == terminator
            if !inISA {
                clash = clash || byte == delimiters.component || byte == delimiters.repetition
            }
            if clash { throw .delimiterInValue(segmentID: segmentID, element: element, byte: byte) }
        }
    }
}

extension ByteWriter {
    mutating func writeBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { writeBytes($0) }
    }
}
