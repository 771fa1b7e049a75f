#if canImport(Glibc)
import Glibc
private let proxySocketType = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
import Darwin
private let proxySocketType = SOCK_STREAM
#endif
import Foundation
import Synchronization

/// A loopback TCP proxy to a real broker that a test can cut (every connection closed, new ones refused) and
/// restore on the same port: a broker outage for one client, without stopping the broker other suites use.
final class CuttableTCPProxy: Sendable {
    let port: Int
    private let target: (host: String, port: Int)
    private let state = Mutex(State())

    private struct State {
        var listener: Int32 = -1
        var connections: [Int32] = []
    }

    init(to host: String, port targetPort: Int) throws {
        target = (host, targetPort)
        let listener = try Self.listen(port: 0)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        state.withLock { $0.listener = listener }
        startAccepting(listener)
    }

    private static func listen(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, proxySocketType, 0)
        var yes: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return descriptor
    }

    private func startAccepting(_ listener: Int32) {
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }  // cut
                guard let upstream = connectUpstream() else {
                    close(client)
                    continue
                }
                state.withLock { $0.connections += [client, upstream] }
                Thread.detachNewThread { Self.pump(from: client, to: upstream) }
                Thread.detachNewThread { Self.pump(from: upstream, to: client) }
            }
        }
    }

    private func connectUpstream() -> Int32? {
        let descriptor = socket(AF_INET, proxySocketType, 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(target.port).bigEndian)
        address.sin_addr.s_addr = inet_addr(target.host == "localhost" ? "127.0.0.1" : target.host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    private static func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            var sent = 0
            while sent < count {
                let written = buffer[sent..<count].withUnsafeBytes { send(destination, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if written <= 0 { break }
                sent += written
            }
            if sent < count { break }
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(destination, Int32(SHUT_RDWR))
    }

    /// Closes every connection and refuses new ones.
    func cut() {
        let (listener, connections) = state.withLock { state in
            defer {
                state.listener = -1
                state.connections = []
            }
            return (state.listener, state.connections)
        }
        if listener >= 0 {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
        for connection in connections { shutdown(connection, Int32(SHUT_RDWR)) }
    }

    /// Accepts connections on the same port again.
    func restore() throws {
        let listener = try Self.listen(port: port)
        state.withLock { $0.listener = listener }
        startAccepting(listener)
    }
}
