#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A blocking POSIX TCP socket to one broker, with a bounded connect, bounded sends and polled receives.
///
/// Only ``KafkaConnection`` uses it: one thread receives, writers are serialised by the connection.
final class KafkaSocket: @unchecked Sendable {
    // @unchecked: `descriptor` is immutable after init; the kernel serialises concurrent send/recv on it.
    let descriptor: Int32
    let address: String

    private init(descriptor: Int32, address: String) {
        self.descriptor = descriptor
        self.address = address
    }

    deinit { close(descriptor) }

    /// Connects to `host:port`, trying each resolved address, within `timeout` overall.
    static func connect(host: String, port: Int, timeout: Duration) throws(KafkaError) -> KafkaSocket {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let deadline = ContinuousClock.now + timeout
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .connection(broker: address, reason: "cannot resolve: \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = KafkaError.connection(broker: address, reason: "no address to try")
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, 0)
            guard fd >= 0 else {
                lastError = .connection(broker: address, reason: "socket: \(errnoText())")
                continue
            }
            do throws(KafkaError) {
                try connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen, deadline: deadline, address: address, timeout: timeout)
                var one: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                #if canImport(Darwin)
                _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
                #endif
                return KafkaSocket(descriptor: fd, address: address)
            } catch {
                close(fd)
                lastError = error
            }
        }
        throw lastError
    }

    private static func connect(
        _ fd: Int32, _ addr: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t, deadline: ContinuousClock.Instant,
        address: String, timeout: Duration
    ) throws(KafkaError) {
        let flags = fcntl(fd, F_GETFL, 0)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw .connection(broker: address, reason: "fcntl: \(errnoText())")
        }
        if connectSocket(fd, addr, length) != 0 {
            guard errno == EINPROGRESS else { throw .connection(broker: address, reason: errnoText()) }
            guard poll(fd, events: Int16(POLLOUT), until: deadline) else {
                throw .timedOut(operation: "TCP connect to \(address)", after: timeout)
            }
            var socketError: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &size) == 0, socketError == 0 else {
                throw .connection(broker: address, reason: String(cString: strerror(socketError)))
            }
        }
        // Back to blocking: receives are polled by the reader, sends are bounded by SO_SNDTIMEO.
        _ = fcntl(fd, F_SETFL, flags)
    }

    /// Sets the longest a blocked send may wait.
    func setSendTimeout(_ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval()
        value.tv_sec = .init(seconds)
        value.tv_usec = .init(attoseconds / 1_000_000_000_000)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends all of `bytes`; throws on error or when a send blocks past the send timeout.
    func sendAll(_ bytes: UnsafeRawBufferPointer) throws(KafkaError) {
        guard let base = bytes.baseAddress else { return }
        var sent = 0
        while sent < bytes.count {
            let result = send(descriptor, base + sent, bytes.count - sent, sendFlags)
            if result > 0 {
                sent += result
            } else if result < 0 && errno == EINTR {
                continue
            } else if result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw .timedOut(operation: "send to \(address)", after: .zero)
            } else {
                throw .connection(broker: address, reason: "send: \(errnoText())")
            }
        }
    }

    /// Waits up to `milliseconds` for bytes, then reads what is there into `buffer`. 0 means nothing arrived in
    /// time; the peer closing the connection throws.
    func receive(into buffer: UnsafeMutableRawBufferPointer, waitingMilliseconds: Int32) throws(KafkaError) -> Int {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = Glibc.poll(&entry, 1, waitingMilliseconds)
        if ready == 0 || (ready < 0 && errno == EINTR) { return 0 }
        guard ready > 0 else { throw .connection(broker: address, reason: "poll: \(errnoText())") }
        let received = recv(descriptor, buffer.baseAddress, buffer.count, 0)
        if received > 0 { return received }
        if received == 0 { throw .connection(broker: address, reason: "closed by the broker") }
        if errno == EINTR || errno == EAGAIN { return 0 }
        throw .connection(broker: address, reason: "recv: \(errnoText())")
    }

    /// Stops both directions; a blocked receive returns at once.
    func shutdownBoth() { _ = shutdown(descriptor, Int32(SHUT_RDWR)) }

    private static func poll(_ fd: Int32, events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return false }
            let (seconds, attoseconds) = left.components
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = Glibc.poll(&entry, 1, Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }  // let the caller's next call report it
        }
    }
}

#if canImport(Glibc)
private let sendFlags = Int32(MSG_NOSIGNAL)
#else
private let sendFlags: Int32 = 0
#endif

private func connectSocket(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

func errnoText() -> String {
    let code = errno
    return "\(String(cString: strerror(code))) (errno \(code))"
}
