#if canImport(Glibc)
import Glibc
private let streamSocketType = Int32(SOCK_STREAM.rawValue)
private let sendFlags = Int32(MSG_NOSIGNAL)
#elseif canImport(Darwin)
import Darwin
private let streamSocketType = SOCK_STREAM
private let sendFlags: Int32 = 0  // SO_NOSIGPIPE is set on the socket instead
#endif

/// Why a `TCPProbe` could not connect, write or read.
///
/// Every case names the address, so a failing test says which broker did not answer.
enum TCPProbeError: Error, CustomStringConvertible {
    /// `getaddrinfo` could not turn the host into an address.
    case resolutionFailed(address: String, reason: String)
    /// The connection was refused or failed (the `errno` text says why).
    case connectFailed(address: String, reason: String)
    /// Nothing arrived (or could be sent) before the deadline.
    case timedOut(address: String, waitingFor: String, after: Duration, receivedBytes: Int)
    /// The peer closed the connection before the expected bytes arrived.
    case closedByPeer(address: String, waitingFor: String, receivedBytes: Int)
    /// More bytes arrived than the caller allowed without the expected terminator.
    case tooLarge(address: String, waitingFor: String, maximum: Int)
    /// A socket call failed.
    case systemCallFailed(address: String, call: String, reason: String)

    var description: String {
        switch self {
        case let .resolutionFailed(address, reason):
            "cannot resolve \(address): \(reason)"
        case let .connectFailed(address, reason):
            "cannot connect to \(address): \(reason)"
        case let .timedOut(address, waitingFor, after, receivedBytes):
            "\(address) did not send \(waitingFor) within \(after) (\(receivedBytes) bytes received)"
        case let .closedByPeer(address, waitingFor, receivedBytes):
            "\(address) closed the connection before sending \(waitingFor) (\(receivedBytes) bytes received)"
        case let .tooLarge(address, waitingFor, maximum):
            "\(address) sent more than \(maximum) bytes without completing \(waitingFor)"
        case let .systemCallFailed(address, call, reason):
            "\(call) failed for \(address): \(reason)"
        }
    }
}

/// A short-lived blocking TCP client for checking that a server really answers.
///
/// Every operation has a deadline (non-blocking socket plus `poll`), so a probe of a dead, hung or
/// missing server fails in bounded time instead of hanging the test run. Bytes read past what a
/// caller asked for are kept for the next read.
final class TCPProbe {
    /// `host:port`, or what the caller named the peer, for messages.
    let address: String
    private let descriptor: Int32
    private var pending: [UInt8] = []

    private init(address: String, descriptor: Int32) {
        self.address = address
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Connects to `host:port`, trying each resolved address, within `timeout` overall.
    /// `peerName`, when given, replaces `host:port` in error messages (e.g. "ActiveMQ (STOMP) at 127.0.0.1:61613").
    static func connect(host: String, port: UInt16, timeout: Duration, peerName: String? = nil)
        throws(TCPProbeError) -> TCPProbe
    {
        let address = peerName ?? (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        let deadline = ContinuousClock.now + timeout
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamSocketType
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .resolutionFailed(address: address, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }

        var lastError = TCPProbeError.connectFailed(address: address, reason: "no address to try")
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let descriptor = socket(info.pointee.ai_family, streamSocketType, 0)
            guard descriptor >= 0 else {
                lastError = .systemCallFailed(address: address, call: "socket", reason: errnoText())
                continue
            }
            do throws(TCPProbeError) {
                try makeNonBlocking(descriptor, address: address)
                if connectSocket(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
                    guard errno == EINPROGRESS else {
                        throw .connectFailed(address: address, reason: errnoText())
                    }
                    guard try waitFor(Int16(POLLOUT), on: descriptor, until: deadline, address: address) else {
                        throw .timedOut(
                            address: address, waitingFor: "TCP connection", after: timeout, receivedBytes: 0)
                    }
                    var socketError: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length) == 0 else {
                        throw .systemCallFailed(address: address, call: "getsockopt", reason: errnoText())
                    }
                    guard socketError == 0 else {
                        throw .connectFailed(address: address, reason: String(cString: strerror(socketError)))
                    }
                }
                return TCPProbe(address: address, descriptor: descriptor)
            } catch {
                close(descriptor)
                lastError = error
            }
        }
        throw lastError
    }

    /// Sends all of `bytes` within `timeout`.
    func write(_ bytes: [UInt8], timeout: Duration = .seconds(5)) throws(TCPProbeError) {
        let deadline = ContinuousClock.now + timeout
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                send(descriptor, raw.baseAddress! + sent, raw.count - sent, sendFlags)
            }
            if result >= 0 {
                sent += result
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                guard try Self.waitFor(Int16(POLLOUT), on: descriptor, until: deadline, address: address) else {
                    throw .timedOut(
                        address: address, waitingFor: "room to send", after: timeout, receivedBytes: 0)
                }
            default:
                throw .systemCallFailed(address: address, call: "send", reason: errnoText())
            }
        }
    }

    /// Reads up to and including the first `terminator` byte (e.g. a STOMP frame's NUL).
    func read(through terminator: UInt8, maximum: Int, timeout: Duration, waitingFor: String)
        throws(TCPProbeError) -> [UInt8]
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let end = pending.firstIndex(of: terminator) {
                let result = Array(pending[...end])
                pending.removeFirst(end + 1)
                return result
            }
            guard pending.count <= maximum else {
                throw .tooLarge(address: address, waitingFor: waitingFor, maximum: maximum)
            }
            try receiveMore(until: deadline, timeout: timeout, waitingFor: waitingFor)
        }
    }

    /// Reads exactly `count` bytes (e.g. a length-prefixed Kafka response).
    func read(exactly count: Int, timeout: Duration, waitingFor: String) throws(TCPProbeError) -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        while pending.count < count {
            try receiveMore(until: deadline, timeout: timeout, waitingFor: waitingFor)
        }
        let result = Array(pending[..<count])
        pending.removeFirst(count)
        return result
    }

    /// Waits until the peer closes the connection, returning what it sent before closing.
    func readUntilClosed(maximum: Int, timeout: Duration) throws(TCPProbeError) -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        while true {
            do throws(TCPProbeError) {
                try receiveMore(until: deadline, timeout: timeout, waitingFor: "end of stream")
            } catch {
                guard case .closedByPeer = error else { throw error }
                defer { pending.removeAll() }
                return pending
            }
            guard pending.count <= maximum else {
                throw .tooLarge(address: address, waitingFor: "end of stream", maximum: maximum)
            }
        }
    }

    private func receiveMore(until deadline: ContinuousClock.Instant, timeout: Duration, waitingFor: String)
        throws(TCPProbeError)
    {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            guard try Self.waitFor(Int16(POLLIN), on: descriptor, until: deadline, address: address) else {
                throw .timedOut(address: address, waitingFor: waitingFor, after: timeout, receivedBytes: pending.count)
            }
            let received = chunk.withUnsafeMutableBytes { raw in recv(descriptor, raw.baseAddress!, raw.count, 0) }
            if received > 0 {
                pending.append(contentsOf: chunk[..<received])
                return
            }
            if received == 0 {
                throw .closedByPeer(address: address, waitingFor: waitingFor, receivedBytes: pending.count)
            }
            switch errno {
            case EINTR, EAGAIN, EWOULDBLOCK: continue
            default: throw .systemCallFailed(address: address, call: "recv", reason: errnoText())
            }
        }
    }

    /// Polls `descriptor` for `events` until `deadline`; false when the deadline passed first.
    private static func waitFor(
        _ events: Int16, on descriptor: Int32, until deadline: ContinuousClock.Instant, address: String
    ) throws(TCPProbeError) -> Bool {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return false }
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return true }  // readable, writable, or an error/hang-up the next call reports
            if ready == 0 { continue }
            guard errno == EINTR else {
                throw .systemCallFailed(address: address, call: "poll", reason: errnoText())
            }
        }
    }

    private static func makeNonBlocking(_ descriptor: Int32, address: String) throws(TCPProbeError) {
        let flags = fcntl(descriptor, F_GETFL, 0)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw .systemCallFailed(address: address, call: "fcntl", reason: errnoText())
        }
        #if canImport(Darwin)
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }
}

/// The C `connect`, under a name `TCPProbe.connect(host:port:timeout:)` does not shadow.
private func connectSocket(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
    connect(descriptor, address, length)
}

private func errnoText() -> String {
    let code = errno
    return "\(String(cString: strerror(code))) (errno \(code))"
}
