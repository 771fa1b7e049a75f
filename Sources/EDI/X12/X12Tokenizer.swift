#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming X12 tokenizer with one reusable buffer: feed it chunks, take segments as views.
///
/// Memory stays bounded by the longest segment plus one chunk, whatever the input size: consumed bytes are
/// dropped from the front of the buffer as segments are taken. Segments are handed out as
/// ``X12SegmentView``s over the buffer (valid inside the closure only); call ``X12SegmentView/copy()`` to keep one.
///
/// ```swift
/// var tokenizer = X12Tokenizer()
/// tokenizer.append(chunk)
/// while let id = try tokenizer.nextSegment({ $0.id }) { … }   // nil: feed more (or finished)
/// ```
public struct X12Tokenizer: Sendable {
    private var storage: [UInt8] = []
    private var readIndex = 0
    /// Absolute input offset of `storage[0]`.
    private var storageBase = 0
    private var framer: X12SegmentFramer
    /// Whether ``finish()`` was called (no more input will be appended).
    public private(set) var isFinished = false

    /// A tokenizer. `maximumSegmentLength` bounds the buffer. Default: 1 MiB.
    /// `allowsUnterminatedFinalSegment`: see ``X12SegmentFramer/allowsUnterminatedFinalSegment``. Default: false.
    public init(maximumSegmentLength: Int = 1 << 20, allowsUnterminatedFinalSegment: Bool = false) {
        framer = X12SegmentFramer(
            maximumSegmentLength: maximumSegmentLength, allowsUnterminatedFinalSegment: allowsUnterminatedFinalSegment)
    }

    /// The delimiters of the current interchange, once its `ISA` has been read.
    public var delimiters: X12Delimiters? { framer.delimiters }

    /// Bytes held and not yet consumed.
    public var bufferedByteCount: Int { storage.count - readIndex }

    /// Appends input bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfWorthwhile()
        storage.append(contentsOf: bytes)
    }

    /// Appends input bytes.
    public mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        compactIfWorthwhile()
        storage.append(contentsOf: bytes)
    }

    /// Says that no more input follows: a segment without a terminator is then an error, not "need more".
    public mutating func finish() { isFinished = true }

    /// Takes the next segment and calls `body` with it.
    ///
    /// - Returns: `body`'s result, or `nil` when more input is needed (or, after ``finish()``, at the end).
    public mutating func nextSegment<R>(
        _ body: (X12SegmentView) throws(X12Error) -> R
    ) throws(X12Error) -> R? {
        var result: R?
        guard try withNextSegment({ (view) throws(X12Error) in result = try body(view) }) else { return nil }
        return result
    }

    /// Calls `body` with every complete segment buffered so far (all of them after ``finish()``).
    /// Non-generic: the streaming hot path.
    public mutating func forEachAvailableSegment(_ body: (X12SegmentView) throws(X12Error) -> Void) throws(X12Error) {
        while try withNextSegment(body) {}
    }

    /// Frames the next segment and calls `body` with it; false when more input is needed or at the end.
    /// The segment is consumed even when `body` throws, so the tokenizer stays consistent.
    private mutating func withNextSegment(_ body: (X12SegmentView) throws(X12Error) -> Void) throws(X12Error) -> Bool {
        while true {
            var bodyError: X12Error?
            // The framer is passed in place (a copy in and out per segment stalled on store forwarding).
            let outcome = Self.frameNext(
                &framer, in: storage, from: readIndex, windowBase: storageBase + readIndex, isFinal: isFinished,
                body, &bodyError)
            switch try outcome.get() {
            case .end:
                self.readIndex = storage.count
                return false
            case let .needMore(skip):
                self.readIndex += skip
                if skip == 0 || self.readIndex == storage.count { return false }
            case let .segment(_, _, next):
                self.readIndex += next
                if let bodyError { throw bodyError }
                return true
            }
        }
    }

    /// Frames the segment at `readIndex` of `storage` and calls `body` with it (its error kept in `bodyError`).
    private static func frameNext(
        _ framer: inout X12SegmentFramer, in storage: [UInt8], from readIndex: Int, windowBase base: Int, isFinal: Bool,
        _ body: (X12SegmentView) throws(X12Error) -> Void, _ bodyError: inout X12Error?
    ) -> Result<X12SegmentFramer.Frame, X12Error> {
        storage.withUnsafeBytes { raw in
            let window = UnsafeRawBufferPointer(rebasing: raw[readIndex...])
            do throws(X12Error) {
                let frame = try framer.frame(window, windowBase: base, isFinal: isFinal)
                if case let .segment(start, end, _) = frame, let delimiters = framer.delimiters {
                    do throws(X12Error) {
                        try body(X12SegmentView(
                            bytes: UnsafeRawBufferPointer(rebasing: window[start..<end]), delimiters: delimiters,
                            position: framer.position, byteOffset: base + start,
                            isTerminated: !framer.lastSegmentWasUnterminated))
                    } catch {
                        bodyError = error
                    }
                }
                return .success(frame)
            } catch {
                return .failure(error)
            }
        }
    }

    private mutating func compactIfWorthwhile() {
        guard readIndex > 0, readIndex >= 64 * 1024 || readIndex * 2 >= storage.count else { return }
        storage.removeSubrange(0..<readIndex)
        storageBase += readIndex
        readIndex = 0
    }

    /// Calls `body` with each segment read from a file descriptor (a file, a pipe, stdin) in chunks of
    /// `chunkSize` bytes, with constant memory.
    public static func forEachSegment(
        readingFrom fileDescriptor: Int32, chunkSize: Int = 256 * 1024, maximumSegmentLength: Int = 1 << 20,
        _ body: (X12SegmentView) throws(X12Error) -> Void
    ) throws(X12Error) {
        var tokenizer = X12Tokenizer(maximumSegmentLength: maximumSegmentLength)
        var chunk = [UInt8](repeating: 0, count: max(chunkSize, 1))
        while true {
            try tokenizer.forEachAvailableSegment(body)
            if tokenizer.isFinished { return }
            let count = chunk.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .readFailed(errno: errno)
            }
            if count == 0 {
                tokenizer.finish()
            } else {
                chunk.withUnsafeBytes { tokenizer.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
        }
    }
}
