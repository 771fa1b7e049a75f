#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads newline-terminated lines from a file or standard input (`-`), without decoding them.
///
/// A line is the bytes before `\n` (a `\r` before it is kept: values are bytes). A last line without a
/// newline still counts; a trailing newline does not start an empty line. Lines longer than the configured
/// maximum are rejected before they are buffered whole.
final class LineReader {
    /// How input names appear in messages: the path, or `<stdin>`.
    let source: String
    /// The number of the line last returned, from 1.
    private(set) var lineNumber = 0

    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private static let chunk = 64 * 1024

    /// Opens `path`, or standard input when it is `-`.
    init(path: String, maxLineBytes: Int) throws(CommandError) {
        self.maxLineBytes = maxLineBytes
        if path == "-" {
            source = "<stdin>"
            descriptor = 0
            ownsDescriptor = false
        } else {
            source = path
            let opened = POSIX.open(path)
            guard opened >= 0 else {
                throw .io(operation: "open", path: path, reason: POSIX.message(POSIX.lastError))
            }
            descriptor = opened
            ownsDescriptor = true
        }
    }

    deinit {
        if ownsDescriptor { POSIX.close(descriptor) }
    }

    /// True when a whole line is already buffered, so ``nextLine()`` will not block.
    var hasBufferedLine: Bool { buffer[start...].contains(UInt8(ascii: "\n")) || (atEnd && start < buffer.count) }

    /// The next line, or nil at the end of input.
    func nextLine() throws(CommandError) -> [UInt8]? {
        var scanned = 0  // bytes after `start` known to hold no newline (indices shift when `fill` compacts)
        while true {
            if let newline = buffer[(start + scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                return try take(upTo: newline, skipping: 1)
            }
            scanned = buffer.count - start
            if buffer.count - start > maxLineBytes { throw tooLong() }
            if atEnd {
                return start < buffer.count ? try take(upTo: buffer.count, skipping: 0) : nil
            }
            try fill()
        }
    }

    private func take(upTo end: Int, skipping separator: Int) throws(CommandError) -> [UInt8] {
        if end - start > maxLineBytes { throw tooLong() }
        let line = Array(buffer[start..<end])
        start = end + separator
        lineNumber += 1
        return line
    }

    private func tooLong() -> CommandError {
        .inputRejected(source: source, line: lineNumber + 1, reason: "line longer than \(maxLineBytes) bytes")
    }

    /// Reads one chunk, compacting consumed bytes first.
    private func fill() throws(CommandError) {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let oldCount = buffer.count
        buffer += repeatElement(0, count: Self.chunk)
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in
                POSIX.read(descriptor, raw.baseAddress! + oldCount, Self.chunk)
            }
            if count < 0 {
                if POSIX.lastError == EINTR { continue }
                let reason = POSIX.message(POSIX.lastError)
                buffer.removeLast(Self.chunk)
                throw .io(operation: "read", path: source, reason: reason)
            }
            buffer.removeLast(Self.chunk - count)
            if count == 0 { atEnd = true }
            return
        }
    }
}
