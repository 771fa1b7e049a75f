#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Incremental EDIFACT tokenizer: feed bytes in any chunks, take segments out (ISO 9735 syntax level).
///
/// Finds the delimiters per interchange (`UNA`, or the defaults of the syntax level with repetition `*` from
/// syntax version 4 announced in `UNB`), honours the release character, skips CR/LF/space/tab between segments
/// (data before a terminator is kept), and decodes nothing until asked. Memory is bounded by the longest segment
/// plus one chunk. `nextSegment(endOfInput:)` returns `nil` when it needs more bytes (and consumes nothing
/// of an incomplete segment). `UNA` is yielded as a segment with tag `UNA` and its six characters as one component.
public struct EDIFACTTokenizer: Sendable {
    /// Limits and leniency.
    public struct Configuration: Sendable, Hashable {
        /// Longest segment accepted; longer ones are skipped with ``EDIFACTError/segmentTooLong``. Default: 1 MiB.
        public var maximumSegmentBytes: Int
        /// Creates a configuration. Default: 1 MiB segments.
        public init(maximumSegmentBytes: Int = 1 << 20) { self.maximumSegmentBytes = maximumSegmentBytes }
    }

    /// The configuration in force.
    public let configuration: Configuration
    private var buffer: [UInt8] = []
    private var head = 0
    private var baseOffset = 0
    private var scan = 0
    private var scanReleased = false
    private var discarding = false
    private var discardOffset = 0
    private var segmentPosition = 0
    /// Delimiters of the current interchange; `nil` between interchanges.
    public private(set) var delimiters: EDIFACTDelimiters?
    /// Whether the current interchange began with `UNA`.
    public private(set) var hasServiceStringAdvice = false
    /// Repertoire from the current `UNB` syntax identifier.
    public private(set) var characterSet: EDIFACTCharacterSet = .unknown(identifier: "")
    /// Syntax version number from the current `UNB` (S001 0002); 0 before UNB.
    public private(set) var syntaxVersion = 0
    /// What was forgiven or noticed so far (repertoire violations, skipped junk).
    public private(set) var warnings: [EDIFACTWarning] = []

    /// Creates a tokenizer.
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Appends input bytes.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        if head > 65_536 && head * 2 > buffer.count {
            buffer.removeFirst(head)
            baseOffset += head
            scan -= head
            head = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Bytes consumed so far from the start of the input (the offset of the next unread byte).
    public var consumedByteCount: Int { baseOffset + head }

    /// Bytes held but not yet consumed.
    public var bufferedByteCount: Int { buffer.count - head }

    private static let whitespace: [UInt8] = [0x20, 0x09, 0x0D, 0x0A]
    private static let serviceStringAdviceTag: [UInt8] = Array("UNA".utf8)

    private func isSkippableWhitespace(_ byte: UInt8) -> Bool {
        guard EDIFACTTokenizer.whitespace.contains(byte) else { return false }
        if let delimiters { return !delimiters.isSeparator(byte) && byte != delimiters.release }
        return true
    }

    /// The next segment, or `nil` when more bytes are needed (or, with `endOfInput`, when the input is exhausted).
    ///
    /// Throws a located ``EDIFACTError``; the offending bytes are consumed, so the caller may call again.
    public mutating func nextSegment(endOfInput: Bool = false) throws(EDIFACTError) -> EDIFACTSegment? {
        while true {
            if delimiters == nil {
                switch try detectInterchangeStart(endOfInput: endOfInput) {
                case .needMore: return nil
                case .segment(let una): return una
                case .ready: break
                }
            }
            guard let delimiters else { return nil }
            while head < buffer.count, !discarding, isSkippableWhitespace(buffer[head]) { head += 1 }
            if !discarding {
                if buffer.count - head < 3 && !endOfInput { return nil }
                if starts(with: EDIFACTTokenizer.serviceStringAdviceTag, at: head) {
                    // A new interchange begins without the previous UNZ: detect its delimiters afresh.
                    self.delimiters = nil
                    hasServiceStringAdvice = false
                    continue
                }
            }
            if scan < head { scan = head; scanReleased = false }
            var terminatorIndex: Int?
            var released = scanReleased
            let release = delimiters.release.map(Int.init) ?? -1
            let terminator = delimiters.segmentTerminator
            buffer.withUnsafeBufferPointer { bytes in
                var index = scan
                while index < bytes.count {
                    let byte = bytes[index]
                    if released {
                        released = false
                    } else if Int(byte) == release {
                        released = true
                    } else if byte == terminator {
                        terminatorIndex = index
                        return
                    }
                    index += 1
                }
            }
            guard let end = terminatorIndex else {
                scan = buffer.count
                scanReleased = released
                if discarding {
                    head = buffer.count
                    if endOfInput { discarding = false }
                    return nil
                }
                if buffer.count - head > configuration.maximumSegmentBytes {
                    segmentPosition += 1
                    let offset = baseOffset + head
                    discarding = true
                    head = buffer.count
                    throw .segmentTooLong(
                        segmentPosition: segmentPosition, byteOffset: offset, limit: configuration.maximumSegmentBytes)
                }
                guard endOfInput, head < buffer.count else { return nil }
                let offset = baseOffset + head
                let tag = EDIFACTTokenizer.validTag(buffer[head..<min(head + 3, buffer.count)]) ?? "?"
                let dangling = released
                head = buffer.count
                scan = head
                scanReleased = false
                segmentPosition += 1
                if dangling { throw .danglingRelease(byteOffset: baseOffset + buffer.count - 1) }
                throw .unterminatedSegment(segmentPosition: segmentPosition, byteOffset: offset, tag: tag)
            }
            let start = head
            head = end + 1
            scan = head
            scanReleased = false
            if discarding {
                discarding = false
                continue
            }
            segmentPosition += 1
            return try makeSegment(start: start, end: end, delimiters: delimiters)
        }
    }

    private enum Detection { case needMore, segment(EDIFACTSegment), ready }

    private mutating func detectInterchangeStart(endOfInput: Bool) throws(EDIFACTError) -> Detection {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        if baseOffset + head == 0, buffer.count >= 3, Array(buffer[0..<3]) == bom { head = 3 }
        while head < buffer.count, EDIFACTTokenizer.whitespace.contains(buffer[head]) { head += 1 }
        let remaining = buffer.count - head
        if remaining < 4 && !endOfInput { return .needMore }
        if remaining == 0 { return .needMore }
        let una: [UInt8] = Array("UNA".utf8), unb: [UInt8] = Array("UNB".utf8)
        if starts(with: una, at: head) {
            guard remaining >= 9 else {
                if !endOfInput { return .needMore }
                let offset = baseOffset + head
                head = buffer.count
                throw .invalidServiceStringAdvice(byteOffset: offset, reason: "input ends inside UNA")
            }
            let offset = baseOffset + head
            let six = buffer[(head + 3)..<(head + 9)]
            head += 9
            scan = head
            segmentPosition += 1
            let parsed = try EDIFACTDelimiters(serviceStringAdvice: six, byteOffset: offset + 3)
            delimiters = parsed
            hasServiceStringAdvice = true
            let segment = EDIFACTSegment(
                tag: "UNA", tagQualifiers: [], elements: [EDIFACTElement(repetitions: [[Array(six)]])],
                position: segmentPosition, byteOffset: offset, decimalMark: parsed.decimalMark,
                characterSet: characterSet)
            return .segment(segment)
        }
        if starts(with: unb, at: head), remaining >= 4 {
            delimiters = buffer[head + 3] == 0x1D ? .levelB : .defaults(syntaxVersion: 3)
            hasServiceStringAdvice = false
            scan = head
            return .ready
        }
        // Junk before the interchange: find the next UNA/UNB.
        var index = head + 1
        while index + 3 <= buffer.count {
            if starts(with: una, at: index) || starts(with: unb, at: index) { break }
            index += 1
        }
        if index + 3 <= buffer.count {
            warnings.append(
                EDIFACTWarning(
                    kind: .skippedBytesBeforeInterchange(count: index - head), segmentPosition: segmentPosition,
                    byteOffset: baseOffset + head))
            head = index
            return try detectInterchangeStart(endOfInput: endOfInput)
        }
        if endOfInput || remaining > configuration.maximumSegmentBytes {
            let offset = baseOffset + head
            let shown = buffer[head..<min(buffer.count, head + 8)].map { EDIFACTTokenizer.hex($0) }.joined(separator: " ")
            head = buffer.count
            throw .missingInterchangeHeader(byteOffset: offset, found: shown)
        }
        return .needMore
    }

    private func starts(with prefix: [UInt8], at index: Int) -> Bool {
        guard index + prefix.count <= buffer.count else { return false }
        for (offset, byte) in prefix.enumerated() where buffer[index + offset] != byte { return false }
        return true
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    static func validTag(_ bytes: some Collection<UInt8>) -> String? {
        guard !bytes.isEmpty, bytes.count <= 3 else { return nil }
        for byte in bytes where !((0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte)) { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func makeSegment(start: Int, end: Int, delimiters: EDIFACTDelimiters) throws(EDIFACTError)
        -> EDIFACTSegment
    {
        var data: [UInt8] = []
        data.reserveCapacity(end - start)
        var slots: [EDIFACTComponentSlot] = []
        slots.reserveCapacity(8)
        var element = 0, repetition = 0, component = 0
        var released = false
        let release = delimiters.release.map(Int.init) ?? -1
        let repetitionSeparator = delimiters.repetition.map(Int.init) ?? -1
        let componentSeparator = delimiters.component, elementSeparator = delimiters.element
        buffer.withUnsafeBufferPointer { bytes in
            for index in start..<end {
                let byte = bytes[index]
                if released {
                    data.append(byte)
                    released = false
                } else if Int(byte) == release {
                    released = true
                } else if byte == componentSeparator {
                    slots.append(EDIFACTComponentSlot(end: data.count, element: element, repetition: repetition, component: component))
                    component += 1
                } else if byte == elementSeparator {
                    slots.append(EDIFACTComponentSlot(end: data.count, element: element, repetition: repetition, component: component))
                    element += 1
                    repetition = 0
                    component = 0
                } else if Int(byte) == repetitionSeparator {
                    slots.append(EDIFACTComponentSlot(end: data.count, element: element, repetition: repetition, component: component))
                    repetition += 1
                    component = 0
                } else {
                    data.append(byte)
                }
            }
        }
        slots.append(EDIFACTComponentSlot(end: data.count, element: element, repetition: repetition, component: component))
        let offset = baseOffset + start
        let tagValid = slots.allSatisfy { $0.element > 0 || $0.repetition == 0 }
        guard tagValid, let tag = EDIFACTTokenizer.validTag(data[0..<slots[0].end]) else {
            let shown = buffer[start..<min(end, start + 8)].map { EDIFACTTokenizer.hex($0) }.joined(separator: " ")
            throw .invalidSegmentTag(segmentPosition: segmentPosition, byteOffset: offset, found: shown)
        }
        var segment = EDIFACTSegment(
            tag: tag, data: data, slots: slots, position: segmentPosition, byteOffset: offset,
            decimalMark: delimiters.decimalMark, characterSet: characterSet)
        if tag == "UNB" {
            adoptSyntaxIdentifier(segment, offset: offset)
            segment.characterSet = characterSet
        }
        checkRepertoire(segment)
        if tag == "UNZ" {
            self.delimiters = nil
            hasServiceStringAdvice = false
        }
        return segment
    }

    private mutating func adoptSyntaxIdentifier(_ segment: EDIFACTSegment, offset: Int) {
        let identifier = String(decoding: segment.bytes(1) ?? [], as: UTF8.self)
        syntaxVersion = Int(String(decoding: segment.bytes(1, 2) ?? [], as: UTF8.self)) ?? 0
        characterSet = EDIFACTCharacterSet(syntaxIdentifier: identifier)
        if case .unknown = characterSet {
            warnings.append(
                EDIFACTWarning(
                    kind: .unknownSyntaxIdentifier(identifier), segmentPosition: segmentPosition, byteOffset: offset))
        }
        if !hasServiceStringAdvice, delimiters != .levelB, syntaxVersion >= 4 {
            delimiters?.repetition = UInt8(ascii: "*")
        }
    }

    private mutating func checkRepertoire(_ segment: EDIFACTSegment) {
        let identifier: String
        switch characterSet {
        case .levelA: identifier = "UNOA"
        case .levelB: identifier = "UNOB"
        default: return
        }
        let characterSet = self.characterSet
        var found: [EDIFACTWarning] = []
        segment.forEachComponent { element, _, component, bytes in
            if !bytes.allSatisfy(characterSet.contains) {
                found.append(
                    EDIFACTWarning(
                        kind: .characterOutsideRepertoire(
                            syntaxIdentifier: identifier, elementIndex: element, componentIndex: component),
                        segmentPosition: segment.position, byteOffset: segment.byteOffset))
            }
        }
        warnings += found
    }
}

/// Reads segments from a file descriptor or in-memory bytes in fixed-size chunks (constant memory).
public struct EDIFACTSegmentReader: Sendable {
    private enum Source: Sendable { case fileDescriptor(Int32), bytes([UInt8], Int) }
    private var source: Source
    private let chunkSize: Int
    private var exhausted = false
    /// The tokenizer (delimiters, warnings).
    public private(set) var tokenizer: EDIFACTTokenizer

    /// Reads from an open file descriptor (not closed by the reader). Default chunk: 64 KiB.
    public init(
        fileDescriptor: Int32, chunkSize: Int = 65_536, configuration: EDIFACTTokenizer.Configuration = .init()
    ) {
        source = .fileDescriptor(fileDescriptor)
        self.chunkSize = max(1, chunkSize)
        tokenizer = EDIFACTTokenizer(configuration: configuration)
    }

    /// Reads from bytes in memory, fed in `chunkSize` pieces (to exercise chunk boundaries). Default: 64 KiB.
    public init(bytes: [UInt8], chunkSize: Int = 65_536, configuration: EDIFACTTokenizer.Configuration = .init()) {
        source = .bytes(bytes, 0)
        self.chunkSize = max(1, chunkSize)
        tokenizer = EDIFACTTokenizer(configuration: configuration)
    }

    /// The next segment, `nil` at the end of input. Errors are located; reading may continue after one.
    public mutating func next() throws(EDIFACTReadError) -> EDIFACTSegment? {
        while true {
            do {
                if let segment = try tokenizer.nextSegment(endOfInput: exhausted) { return segment }
            } catch { throw .syntax(error) }
            if exhausted { return nil }
            try fill()
        }
    }

    private mutating func fill() throws(EDIFACTReadError) {
        switch source {
        case .bytes(let bytes, let offset):
            let end = min(bytes.count, offset + chunkSize)
            tokenizer.append(bytes[offset..<end])
            source = .bytes(bytes, end)
            if end == bytes.count { exhausted = true }
        case .fileDescriptor(let descriptor):
            var chunk = [UInt8](repeating: 0, count: chunkSize)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { return }
                throw .readFailed(errno: errno)
            }
            if count == 0 { exhausted = true } else { tokenizer.append(chunk[0..<count]) }
        }
    }
}

/// Errors from ``EDIFACTSegmentReader``.
public enum EDIFACTReadError: Error, Sendable, Hashable {
    /// A syntax error in the input (located).
    case syntax(EDIFACTError)
    /// `read(2)` failed with this errno.
    case readFailed(errno: Int32)
}
