#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A buffered byte sink: a file descriptor (standard output or error) or memory (for tests).
///
/// Writes collect in a buffer that goes out when it passes 64 KiB or on ``flush()``. Commands that promise
/// something to a reader (acknowledgements) flush explicitly. A closed pipe ends writing quietly.
public final class OutputChannel: Sendable {
    private enum Sink { case descriptor(Int32), memory }
    private struct State {
        var buffer: [UInt8] = []
        var captured: [UInt8] = []
        var broken = false
    }

    private let sink: Sink
    private let state = Mutex(State())
    private static let threshold = 64 * 1024

    /// Standard output.
    public static let standardOutput = OutputChannel(descriptor: 1)
    /// Standard error.
    public static let standardError = OutputChannel(descriptor: 2)

    /// A channel writing to an open file descriptor (not closed by the channel).
    public init(descriptor: Int32) { sink = .descriptor(descriptor) }

    /// A channel that keeps everything written, readable through ``captured``.
    public static func capturing() -> OutputChannel { OutputChannel(memory: ()) }
    private init(memory: Void) { sink = .memory }

    /// Everything written to a capturing channel (flushed or not), as text.
    public var captured: String {
        state.withLock { String(decoding: $0.captured + $0.buffer, as: UTF8.self) }
    }

    /// Appends text.
    public func write(_ text: String) { write(bytes: Array(text.utf8)) }

    /// Appends bytes.
    public func write(bytes: [UInt8]) {
        state.withLock { state in
            state.buffer += bytes
            if state.buffer.count >= Self.threshold { emit(&state) }
        }
    }

    /// Writes out everything buffered.
    public func flush() { state.withLock { emit(&$0) } }

    /// Hands the buffer to the sink; called with the lock held so concurrent writers never interleave.
    private func emit(_ state: inout State) {
        defer { state.buffer.removeAll(keepingCapacity: true) }
        switch sink {
        case .memory:
            state.captured += state.buffer
        case let .descriptor(descriptor):
            guard !state.broken else { return }
            let broken = state.buffer.withUnsafeBytes { raw -> Bool in
                var offset = 0
                while offset < raw.count {
                    let written = POSIX.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if POSIX.lastError == EINTR { continue }
                        return true
                    }
                    offset += written
                }
                return false
            }
            if broken { state.broken = true }
        }
    }
}
