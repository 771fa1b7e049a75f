/// Serialises EDIFACT segments and interchanges with a given delimiter set, applying the release character.
///
/// A data byte equal to a separator, the segment terminator or the release character is preceded by the release
/// character. Without a release character (level B) such bytes cannot be represented and are written as is.
/// Decimal marks are never released, so redundant input releases such as `?.` are not reproduced.
public struct EDIFACTWriter: Sendable {
    /// Delimiters used for output.
    public var delimiters: EDIFACTDelimiters
    /// Bytes written after every segment terminator (e.g. `[0x0A]`). Default: none.
    public var segmentSeparator: [UInt8]

    /// Creates a writer. Default: no bytes between segments.
    public init(delimiters: EDIFACTDelimiters, segmentSeparator: [UInt8] = []) {
        self.delimiters = delimiters
        self.segmentSeparator = segmentSeparator
    }

    /// Appends `UNA` and the six service characters.
    public func writeServiceStringAdvice(to output: inout [UInt8]) {
        output.append(contentsOf: "UNA".utf8)
        output.append(contentsOf: delimiters.serviceStringAdvice)
        output.append(contentsOf: segmentSeparator)
    }

    private func writeData(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        for byte in bytes {
            if let release = delimiters.release, delimiters.isSeparator(byte) || byte == release {
                output.append(release)
            }
            output.append(byte)
        }
    }

    /// Appends one segment and its terminator. A segment tagged `UNA` is written as service string advice.
    public func write(_ segment: EDIFACTSegment, to output: inout [UInt8]) {
        if segment.tag == "UNA" {
            writeServiceStringAdvice(to: &output)
            return
        }
        output.append(contentsOf: segment.tag.utf8)
        var previous = segment.slots[0]
        for index in 1..<segment.slots.count {
            let slot = segment.slots[index]
            if slot.element != previous.element {
                output.append(delimiters.element)
            } else if slot.repetition != previous.repetition {
                output.append(delimiters.repetition ?? delimiters.element)
            } else {
                output.append(delimiters.component)
            }
            writeData(segment.data[segment.range(ofSlot: index)], to: &output)
            previous = slot
        }
        output.append(delimiters.segmentTerminator)
        output.append(contentsOf: segmentSeparator)
    }

    /// Appends a message: UNH, body, UNT (when present).
    public func write(_ message: EDIFACTMessage, to output: inout [UInt8]) {
        write(message.header, to: &output)
        for segment in message.body { write(segment, to: &output) }
        if let trailer = message.trailer { write(trailer, to: &output) }
    }

    /// Appends a whole interchange with its own delimiters; `UNA` is written when the input had one.
    public static func serialise(_ interchange: EDIFACTInterchange, segmentSeparator: [UInt8] = []) -> [UInt8] {
        let writer = EDIFACTWriter(delimiters: interchange.delimiters, segmentSeparator: segmentSeparator)
        var output: [UInt8] = []
        if interchange.serviceStringAdvice != nil { writer.writeServiceStringAdvice(to: &output) }
        writer.write(interchange.header, to: &output)
        for group in interchange.groups {
            writer.write(group.header, to: &output)
            for message in group.messages { writer.write(message, to: &output) }
            if let trailer = group.trailer { writer.write(trailer, to: &output) }
        }
        for message in interchange.messages { writer.write(message, to: &output) }
        if let trailer = interchange.trailer { writer.write(trailer, to: &output) }
        return output
    }
}
