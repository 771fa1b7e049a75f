#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The incremental core of the X12 tokenizer: finds the next segment in a window of bytes.
///
/// It holds what carries over between windows (encoding checked, current delimiters, segments seen) and
/// never copies bytes. Before the first segment it strips a UTF-8 BOM and rejects UTF-16. Between segments
/// it skips spaces, tabs, CR, LF, VT and FF (so CR/LF after a `~` and indentation are not data, and when the
/// terminator is itself CR or LF the following LF or blank lines are skipped). Each `ISA` at the start of a
/// segment re-detects the delimiters.
public struct X12SegmentFramer: Sendable {
    /// What ``frame(_:windowBase:isFinal:)`` found.
    public enum Frame: Sendable, Hashable {
        /// No complete segment yet: consume `skip` bytes (whitespace, BOM) and call again with more input.
        case needMore(skip: Int)
        /// Input is final and nothing but whitespace remains.
        case end
        /// A segment occupies `start..<end` of the window (terminator excluded); the next starts at `next`.
        case segment(start: Int, end: Int, next: Int)
    }

    /// The delimiters of the current interchange, once an `ISA` has been read.
    public private(set) var delimiters: X12Delimiters?
    /// Segments framed so far (the position of the last one).
    public private(set) var position = 0
    /// The longest segment accepted before ``X12Error/segmentTooLong(offset:position:maximum:)``.
    public let maximumSegmentLength: Int
    /// Lenient, opt-in: accept a last segment that ends the input without its terminator (seen in files whose
    /// final `~` was stripped). The segment is then framed with ``lastSegmentWasUnterminated`` set so the
    /// forgiveness can be reported. Default: false (``X12Error/missingSegmentTerminator(offset:position:)``).
    public let allowsUnterminatedFinalSegment: Bool
    /// Whether the segment just framed had no terminator (only with ``allowsUnterminatedFinalSegment``).
    public private(set) var lastSegmentWasUnterminated = false
    private var encodingChecked = false

    /// A framer. `maximumSegmentLength` bounds the memory a streaming reader needs. Default: 1 MiB.
    public init(maximumSegmentLength: Int = 1 << 20, allowsUnterminatedFinalSegment: Bool = false) {
        self.maximumSegmentLength = max(maximumSegmentLength, X12Delimiters.maximumISALength)
        self.allowsUnterminatedFinalSegment = allowsUnterminatedFinalSegment
    }

    /// Finds the next segment in `window`, whose first byte is at absolute offset `windowBase` of the input.
    /// `isFinal` says no more bytes will follow `window`.
    public mutating func frame(
        _ window: UnsafeRawBufferPointer, windowBase: Int, isFinal: Bool
    ) throws(X12Error) -> Frame {
        let count = window.count
        if !encodingChecked {
            if count < 4 && !isFinal { return .needMore(skip: 0) }
            if count >= 2 && ((window[0] == 0xFF && window[1] == 0xFE) || (window[0] == 0xFE && window[1] == 0xFF)) {
                throw .unsupportedEncoding(encoding: window[0] == 0xFF ? "UTF-16LE" : "UTF-16BE", offset: windowBase)
            }
            if count >= 4 && window[0] != 0 && window[1] == 0 && window[2] != 0 && window[3] == 0 {
                throw .unsupportedEncoding(encoding: "UTF-16LE", offset: windowBase)
            }
            if count >= 4 && window[0] == 0 && window[1] != 0 && window[2] == 0 && window[3] != 0 {
                throw .unsupportedEncoding(encoding: "UTF-16BE", offset: windowBase)
            }
            encodingChecked = true
            if count >= 3 && window[0] == 0xEF && window[1] == 0xBB && window[2] == 0xBF {
                return .needMore(skip: 3)
            }
        }
        var start = 0
        while start < count, X12SegmentFramer.isWhitespace(window[start]) { start += 1 }
        if start == count { return isFinal ? .end : .needMore(skip: start) }

        // An ISA starts a new interchange and re-detects the delimiters.
        let available = count - start
        if available < 4 && !isFinal && window[start] == UInt8(ascii: "I") {
            return .needMore(skip: start)
        }
        if available >= 4, window[start] == UInt8(ascii: "I"), window[start + 1] == UInt8(ascii: "S"),
            window[start + 2] == UInt8(ascii: "A"), X12ISAScan.isUsableDelimiter(window[start + 3])
        {
            guard
                let scan = try X12ISAScan.scan(
                    UnsafeRawBufferPointer(rebasing: window[start...]), baseOffset: windowBase + start,
                    isFinal: isFinal)
            else { return .needMore(skip: start) }
            delimiters = scan.delimiters
            position += 1
            let end = start + scan.width
            return .segment(start: start, end: end, next: end + Int(scan.delimiters.terminatorCount))
        }
        guard let delimiters else {
            let found = window[start..<min(count, start + 3)].map { X12SegmentFramer.isPrintable($0) ? $0 : UInt8(ascii: "?") }
            throw .missingISA(offset: windowBase + start, found: String(decoding: found, as: UTF8.self))
        }

        // Find the terminator.
        let terminatorCount = Int(delimiters.terminatorCount)
        let first = delimiters.terminatorFirstByte
        var end = start
        var found = false
        while end < count, let base = window.baseAddress {
            // memchr: the terminator search is the tokenizer's hot loop.
            guard let hit = memchr(base + end, Int32(first), count - end) else { end = count; break }
            end = base.distance(to: UnsafeRawPointer(hit))
            if terminatorCount == 1 { found = true; break }
            if end + terminatorCount > count { end = count; break }
            var matches = true
            for k in 1..<terminatorCount where window[end + k] != delimiters.terminatorByte(k) { matches = false; break }
            if matches { found = true; break }
            end += 1
        }
        var next = end + terminatorCount
        lastSegmentWasUnterminated = false
        if !found {
            if count - start > maximumSegmentLength {
                throw .segmentTooLong(offset: windowBase + start, position: position + 1, maximum: maximumSegmentLength)
            }
            guard isFinal else { return .needMore(skip: start) }
            guard allowsUnterminatedFinalSegment else {
                throw .missingSegmentTerminator(offset: windowBase + start, position: position + 1)
            }
            end = count
            while end > start, X12SegmentFramer.isWhitespace(window[end - 1]) { end -= 1 }
            next = count
            lastSegmentWasUnterminated = true
        }
        if end - start > maximumSegmentLength {
            throw .segmentTooLong(offset: windowBase + start, position: position + 1, maximum: maximumSegmentLength)
        }
        if end == start { throw .emptySegment(offset: windowBase + start, position: position + 1) }

        // Segment id: an uppercase letter, then one or two uppercase letters or digits.
        var idEnd = start
        while idEnd < end, idEnd - start < 4, window[idEnd] != delimiters.element { idEnd += 1 }
        let idLength = idEnd - start
        var validID = (2...3).contains(idLength) && (idEnd == end || window[idEnd] == delimiters.element)
        if validID {
            for i in start..<idEnd {
                let byte = window[i]
                let isUpper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
                let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
                if !(isUpper || (i > start && isDigit)) { validID = false; break }
            }
        }
        guard validID else {
            throw .invalidSegmentID(
                offset: windowBase + start, position: position + 1, found: Array(window[start..<min(end, start + 3)]))
        }
        position += 1
        return .segment(start: start, end: end, next: next)
    }

    /// Calls `body` with each segment of an in-memory input, without copying.
    public static func forEachSegment(
        in bytes: UnsafeRawBufferPointer, maximumSegmentLength: Int = 1 << 20,
        allowsUnterminatedFinalSegment: Bool = false,
        _ body: (X12SegmentView) throws(X12Error) -> Void
    ) throws(X12Error) {
        var framer = X12SegmentFramer(
            maximumSegmentLength: maximumSegmentLength, allowsUnterminatedFinalSegment: allowsUnterminatedFinalSegment)
        var offset = 0
        while true {
            let window = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch try framer.frame(window, windowBase: offset, isFinal: true) {
            case .end:
                return
            case let .needMore(skip):
                guard skip > 0 else { return }
                offset += skip
            case let .segment(start, end, next):
                guard let delimiters = framer.delimiters else { return }
                try body(X12SegmentView(
                    bytes: UnsafeRawBufferPointer(rebasing: window[start..<end]), delimiters: delimiters,
                    position: framer.position, byteOffset: offset + start,
                    isTerminated: !framer.lastSegmentWasUnterminated))
                offset += next
            }
        }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    static func isPrintable(_ byte: UInt8) -> Bool { byte >= 0x20 && byte < 0x7F }
}
