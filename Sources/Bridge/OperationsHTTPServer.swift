#if canImport(Glibc)
import Glibc
private let streamSocketType = Int32(SOCK_STREAM.rawValue)
private let sendFlags = Int32(MSG_NOSIGNAL)
#elseif canImport(Darwin)
import Darwin
private let streamSocketType = SOCK_STREAM
private let sendFlags: Int32 = 0
#endif
import Foundation
import Synchronization

/// One HTTP response of the operations endpoint.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code (200, 404, 503 …).
    public var status: Int
    /// The `Content-Type`.
    public var contentType: String
    /// The body.
    public var body: [UInt8]

    /// A response with a UTF-8 text body.
    public init(status: Int, contentType: String = "text/plain; charset=utf-8", text: String) {
        self.status = status
        self.contentType = contentType
        self.body = Array(text.utf8)
    }
}

/// Why the operations endpoint could not start.
public struct OperationsHTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The socket call that failed.
    public var call: String
    /// The address it was for.
    public var address: String
    /// The `errno` text.
    public var reason: String

    public var description: String { "cannot listen on \(address): \(call) failed: \(reason)" }
}

/// A minimal HTTP/1.1 server for the operations endpoint (RFC 9112): one listening POSIX socket, one thread that
/// accepts and answers connections one at a time (a scrape every few seconds needs no more), `GET` and `HEAD`
/// only, request heads of at most 8 KiB read within 2 s, `Connection: close` on every response.
public final class OperationsHTTPServer: Sendable {
    /// What answers a request: method and path (query string removed) → response.
    public typealias Handler = @Sendable (_ method: String, _ path: String) -> HTTPResponse

    /// The bound address.
    public let host: String
    /// The bound port (the one the kernel chose when 0 was asked for).
    public let port: Int
    private let descriptor: Int32
    private let handler: Handler
    private let state = Mutex(State())

    private struct State {
        var isStopped = false
        var finished = false
    }

    /// Binds `host:port` (IPv4) and starts answering with `handler` on a thread of its own.
    public init(host: String, port: Int, handler: @escaping Handler) throws(OperationsHTTPServerError) {
        let address = "\(host):\(port)"
        func failure(_ call: String) -> OperationsHTTPServerError {
            OperationsHTTPServerError(call: call, address: address, reason: String(cString: strerror(errno)))
        }
        let socketDescriptor = socket(AF_INET, streamSocketType, 0)
        guard socketDescriptor >= 0 else { throw failure("socket") }
        var yes: Int32 = 1
        _ = setsockopt(socketDescriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &socketAddress.sin_addr) == 1 else {
            close(socketDescriptor)
            throw OperationsHTTPServerError(call: "inet_pton", address: address, reason: "not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let error = failure("bind")
            close(socketDescriptor)
            throw error
        }
        guard listen(socketDescriptor, 16) == 0 else {
            let error = failure("listen")
            close(socketDescriptor)
            throw error
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketDescriptor, $0, &length) }
        }
        self.host = host
        self.port = Int(UInt16(bigEndian: socketAddress.sin_port))
        self.descriptor = socketDescriptor
        self.handler = handler
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "ferry-operations-http"
        thread.start()
    }

    /// Stops accepting and closes the listening socket; waits (up to 2 s) for the connection being answered.
    public func stop() {
        let wasStopped = state.withLock { state -> Bool in
            defer { state.isStopped = true }
            return state.isStopped
        }
        guard !wasStopped else { return }
        _ = shutdown(descriptor, Int32(SHUT_RDWR))
        for _ in 0..<200 where !state.withLock({ $0.finished }) { usleep(10_000) }
        close(descriptor)
    }

    private func acceptLoop() {
        defer { state.withLock { $0.finished = true } }
        while !state.withLock({ $0.isStopped }) {
            let connection = accept(descriptor, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // the listening socket was shut down
            }
            answer(connection)
            close(connection)
        }
    }

    /// Reads one request head and writes the response.
    private func answer(_ connection: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        while head.count <= 8192 {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            head += chunk[0..<count]
            if Self.endOfHead(in: head) != nil { break }
        }
        guard Self.endOfHead(in: head) != nil else {
            write(HTTPResponse(status: 431, text: "request head too large\n"), to: connection, includeBody: true)
            return
        }
        let requestLine = head.prefix { $0 != 0x0D && $0 != 0x0A }
        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2].starts(with: Array("HTTP/1.".utf8)) else {
            write(HTTPResponse(status: 400, text: "malformed request line\n"), to: connection, includeBody: true)
            return
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        var path = String(decoding: parts[1], as: UTF8.self)
        if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
        guard method == "GET" || method == "HEAD" else {
            write(HTTPResponse(status: 405, text: "only GET and HEAD\n"), to: connection, includeBody: true)
            return
        }
        write(handler(method, path), to: connection, includeBody: method == "GET")
    }

    static func endOfHead(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D && bytes[index + 3] == 0x0A {
            return index + 4
        }
        return nil
    }

    private func write(_ response: HTTPResponse, to connection: Int32, includeBody: Bool) {
        let reason = Self.reasonPhrases[response.status] ?? "Status"
        var bytes = Array(
            """
            HTTP/1.1 \(response.status) \(reason)\r
            Content-Type: \(response.contentType)\r
            Content-Length: \(response.body.count)\r
            Connection: close\r
            \r

            """.utf8)
        if includeBody { bytes += response.body }
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, sendFlags) }
            guard count > 0 else { return }
            sent += count
        }
    }

    static let reasonPhrases: [Int: String] = [
        200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 431: "Request Header Fields Too Large",
        503: "Service Unavailable",
    ]
}
