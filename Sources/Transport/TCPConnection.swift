#if canImport(Glibc)
import Glibc
private let streamSocketType = Int32(SOCK_STREAM.rawValue)
private let sendFlags = Int32(MSG_NOSIGNAL)
#elseif canImport(Darwin)
import Darwin
private let streamSocketType = SOCK_STREAM
private let sendFlags: Int32 = 0  // SO_NOSIGPIPE is set on the socket instead
#endif
import Synchronization

/// Why a TCP connection could not be opened, written or read. Every case names the peer.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `getaddrinfo` could not turn the host into an address.
    case resolutionFailed(peer: String, reason: String)
    /// The connection was refused or failed (the `errno` text says why).
    case connectFailed(peer: String, reason: String)
    /// Nothing could be sent, or no connection made, before the deadline.
    case timedOut(peer: String, operation: String, after: Duration)
    /// The peer closed the connection (or reset it).
    case closedByPeer(peer: String)
    /// This side shut the connection down.
    case closed(peer: String)
    /// A socket call failed.
    case systemCallFailed(peer: String, call: String, reason: String)

    public var description: String {
        switch self {
        case let .resolutionFailed(peer, reason): "cannot resolve \(peer): \(reason)"
        case let .connectFailed(peer, reason): "cannot connect to \(peer): \(reason)"
        case let .timedOut(peer, operation, after): "\(operation) with \(peer) did not complete within \(after)"
        case let .closedByPeer(peer): "\(peer) closed the connection"
        case let .closed(peer): "the connection to \(peer) was closed by this side"
        case let .systemCallFailed(peer, call, reason): "\(call) failed for \(peer): \(reason)"
        }
    }
}

/// A POSIX TCP stream socket with deadlines on every operation (non-blocking socket plus `poll`).
///
/// One reader and any number of writers may use a connection at once: writes are serialised by a lock
/// (so frames from different tasks never interleave; the lock guards only the socket's byte stream),
/// reads are expected from a single thread. ``shutdown()`` wakes a blocked reader; the descriptor is
/// closed when the connection is released.
public final class TCPConnection: Sendable {
    /// `host:port`, for messages.
    public let peer: String
    private let descriptor: Int32
    private let writeLock = Mutex(())
    private let isShutDown = Atomic<Bool>(false)

    init(peer: String, descriptor: Int32) {
        self.peer = peer
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Connects to `host:port`, trying each resolved address, within `timeout` overall. Sets `TCP_NODELAY`.
    public static func connect(host: String, port: UInt16, timeout: Duration) throws(TransportError) -> TCPConnection {
        let peer = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let deadline = ContinuousClock.now + timeout
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamSocketType
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .resolutionFailed(peer: peer, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var lastError = TransportError.connectFailed(peer: peer, reason: "no address to try")
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let descriptor = socket(info.pointee.ai_family, streamSocketType, 0)
            guard descriptor >= 0 else {
                lastError = .systemCallFailed(peer: peer, call: "socket", reason: errnoText())
                continue
            }
            do throws(TransportError) {
                try configure(descriptor, peer: peer)
                if connectSocket(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
                    guard errno == EINPROGRESS else { throw .connectFailed(peer: peer, reason: errnoText()) }
                    guard try waitFor(Int16(POLLOUT), on: descriptor, until: deadline, peer: peer) else {
                        throw .timedOut(peer: peer, operation: "TCP connect", after: timeout)
                    }
                    var socketError: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length) == 0 else {
                        throw .systemCallFailed(peer: peer, call: "getsockopt", reason: errnoText())
                    }
                    guard socketError == 0 else {
                        throw .connectFailed(peer: peer, reason: String(cString: strerror(socketError)))
                    }
                }
                return TCPConnection(peer: peer, descriptor: descriptor)
            } catch {
                close(descriptor)
                lastError = error
            }
        }
        throw lastError
    }

    /// Sends all of `bytes` within `timeout`. Concurrent callers are serialised.
    public func write(_ bytes: [UInt8], timeout: Duration) throws(TransportError) {
        let failure: TransportError? = bytes.withUnsafeBytes { raw in
            do throws(TransportError) {
                try write(raw, timeout: timeout)
                return nil
            } catch { return error }
        }
        if let failure { throw failure }
    }

    /// Sends all of `raw` within `timeout`. Concurrent callers are serialised.
    public func write(_ raw: UnsafeRawBufferPointer, timeout: Duration) throws(TransportError) {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        let deadline = ContinuousClock.now + timeout
        let failure: TransportError? = writeLock.withLock { _ -> TransportError? in
          do throws(TransportError) {
            var sent = 0
            while sent < raw.count {
                guard !isShutDown.load(ordering: .relaxed) else { throw .closed(peer: peer) }
                let result = send(descriptor, base + sent, raw.count - sent, sendFlags)
                if result >= 0 {
                    sent += result
                    continue
                }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK:
                    guard try Self.waitFor(Int16(POLLOUT), on: descriptor, until: deadline, peer: peer) else {
                        throw .timedOut(peer: peer, operation: "send", after: timeout)
                    }
                case EPIPE, ECONNRESET: throw .closedByPeer(peer: peer)
                default: throw .systemCallFailed(peer: peer, call: "send", reason: errnoText())
                }
            }
            return nil
          } catch { return error }
        }
        if let failure { throw failure }
    }

    /// Waits up to `timeout` for bytes and copies what arrived (at most `raw.count`) into `raw`.
    ///
    /// Returns the number of bytes read: 0 means the timeout passed with nothing to read.
    /// Throws ``TransportError/closedByPeer(peer:)`` at end of stream and ``TransportError/closed(peer:)``
    /// after ``shutdown()``.
    public func read(into raw: UnsafeMutableRawBufferPointer, timeout: Duration) throws(TransportError) -> Int {
        guard let base = raw.baseAddress, raw.count > 0 else { return 0 }
        let deadline = ContinuousClock.now + timeout
        while true {
            guard !isShutDown.load(ordering: .relaxed) else { throw .closed(peer: peer) }
            guard try Self.waitFor(Int16(POLLIN), on: descriptor, until: deadline, peer: peer) else { return 0 }
            guard !isShutDown.load(ordering: .relaxed) else { throw .closed(peer: peer) }
            let received = recv(descriptor, base, raw.count, 0)
            if received > 0 { return received }
            if received == 0 { throw .closedByPeer(peer: peer) }
            let code = errno
            switch code {
            case EINTR, EAGAIN, EWOULDBLOCK: continue
            case ECONNRESET: throw .closedByPeer(peer: peer)
            default: throw .systemCallFailed(peer: peer, call: "recv", reason: String(cString: strerror(code)))
            }
        }
    }

    /// Shuts both directions down: a blocked reader wakes with ``TransportError/closed(peer:)``, the peer sees
    /// end of stream. Idempotent.
    public func shutdown() {
        guard !isShutDown.exchange(true, ordering: .relaxed) else { return }
        _ = Self.shutdownSocket(descriptor)
    }

    private static func shutdownSocket(_ descriptor: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
        #else
        Darwin.shutdown(descriptor, SHUT_RDWR)
        #endif
    }

    /// Polls `descriptor` for `events` until `deadline`; false when the deadline passed first.
    /// A shutdown socket reports POLLHUP, which counts as ready (the next call reports it). Waits in
    /// slices of at most 100 ms so a shutdown is noticed promptly on every platform.
    static func waitFor(_ events: Int16, on descriptor: Int32, until deadline: ContinuousClock.Instant, peer: String)
        throws(TransportError) -> Bool
    {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return false }
            let (seconds, attoseconds) = left.components
            let milliseconds = min(Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1), 100)
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return true }
            if ready == 0 { continue }
            guard errno == EINTR else { throw .systemCallFailed(peer: peer, call: "poll", reason: errnoText()) }
        }
    }

    static func configure(_ descriptor: Int32, peer: String) throws(TransportError) {
        let flags = fcntl(descriptor, F_GETFL, 0)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw .systemCallFailed(peer: peer, call: "fcntl", reason: errnoText())
        }
        var one: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }
}

/// A listening TCP socket on 127.0.0.1, for tests that need a scripted peer (a server that misbehaves).
public final class TCPListener: Sendable {
    /// The port the system assigned.
    public let port: UInt16
    private let descriptor: Int32

    /// Listens on 127.0.0.1 on a free port.
    public init() throws(TransportError) {
        let peer = "127.0.0.1:0"
        let descriptor = socket(AF_INET, streamSocketType, 0)
        guard descriptor >= 0 else { throw .systemCallFailed(peer: peer, call: "socket", reason: errnoText()) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else {
            let reason = errnoText()
            close(descriptor)
            throw .systemCallFailed(peer: peer, call: "bind/listen", reason: reason)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.port = UInt16(bigEndian: address.sin_port)
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Accepts one connection within `timeout`.
    public func accept(timeout: Duration) throws(TransportError) -> TCPConnection {
        let peer = "127.0.0.1:\(port)"
        guard try TCPConnection.waitFor(Int16(POLLIN), on: descriptor, until: .now + timeout, peer: peer) else {
            throw .timedOut(peer: peer, operation: "accept", after: timeout)
        }
        let accepted = acceptSocket(descriptor)
        guard accepted >= 0 else { throw .systemCallFailed(peer: peer, call: "accept", reason: errnoText()) }
        try TCPConnection.configure(accepted, peer: peer)
        return TCPConnection(peer: "client of \(peer)", descriptor: accepted)
    }
}

private func acceptSocket(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.accept(descriptor, nil, nil)
    #else
    Darwin.accept(descriptor, nil, nil)
    #endif
}

/// The C `connect`, under a name `TCPConnection.connect` does not shadow.
private func connectSocket(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
    connect(descriptor, address, length)
}

private func errnoText() -> String {
    let code = errno
    return "\(String(cString: strerror(code))) (errno \(code))"
}
