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
            // A write of at least the threshold (a transaction set's events) goes out as it is, after what is
            // buffered: not copied into the buffer first.
            if bytes.count >= Self.threshold {
                emit(&state)
                send(bytes, captured: &state.captured, broken: &state.broken)
                return
            }
            state.buffer += bytes
            if state.buffer.count >= Self.threshold { emit(&state) }
        }
    }

    /// Writes out everything buffered.
    public func flush() { state.withLock { emit(&$0) } }

    /// Hands the buffer to the sink; called with the lock held so concurrent writers never interleave.
    private func emit(_ state: inout State) {
        guard !state.buffer.isEmpty else { return }
        send(state.buffer, captured: &state.captured, broken: &state.broken)
        state.buffer.removeAll(keepingCapacity: true)
    }

    /// Hands `bytes` to the sink (the lock held): to `captured` in memory, else to the descriptor unless `broken`.
    private func send(_ bytes: [UInt8], captured: inout [UInt8], broken: inout Bool) {
        switch sink {
        case .memory:
            captured += bytes
        case let .descriptor(descriptor):
            guard !broken else { return }
            let failed = bytes.withUnsafeBytes { raw -> Bool in
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
            if failed { broken = true }
        }
    }
}
