import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A TCP server on 127.0.0.1 that answers each request frame with whatever `respond` returns (given the
/// request's correlation id, api key and whole frame), for testing the client against misbehaving brokers.
/// Serves `connections` connections, one after the other.
final class FakeBroker: Sendable {
    let port: Int
    private let listener: Int32

    /// What to do with one request: bytes to send back, and whether to close afterwards.
    struct Reply: Sendable {
        var bytes: [UInt8]
        var close = false
    }

    convenience init(respond: @escaping @Sendable (_ correlationID: Int32, _ apiKey: Int16) -> Reply?) throws {
        try self.init(connections: 1) { id, key, _ in respond(id, key) }
    }

    init(connections: Int, respond: @escaping @Sendable (_ correlationID: Int32, _ apiKey: Int16, _ frame: [UInt8]) -> Reply?) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let thread = Thread {
            for _ in 0..<connections {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                Thread { Self.serve(client, respond: respond) }.start()
            }
        }
        thread.start()
    }

    private static func serve(_ client: Int32, respond: @Sendable (_ correlationID: Int32, _ apiKey: Int16, _ frame: [UInt8]) -> Reply?) {
            defer { close(client) }
            var buffer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return }
                buffer += chunk[..<n]
                while buffer.count >= 4 {
                    let size = Int(UInt32(buffer[0]) << 24 | UInt32(buffer[1]) << 16 | UInt32(buffer[2]) << 8 | UInt32(buffer[3]))
                    guard buffer.count >= 4 + size else { break }
                    let apiKey = Int16(bitPattern: UInt16(buffer[4]) << 8 | UInt16(buffer[5]))
                    let id = Int32(bitPattern: UInt32(buffer[8]) << 24 | UInt32(buffer[9]) << 16 | UInt32(buffer[10]) << 8 | UInt32(buffer[11]))
                    let frame = Array(buffer[..<(4 + size)])
                    buffer.removeFirst(4 + size)
                    guard let reply = respond(id, apiKey, frame) else { continue }
                    _ = reply.bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if reply.close { return }
                }
            }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// A size-prefixed frame: correlation id then `body`.
    static func frame(_ id: Int32, _ body: [UInt8]) -> [UInt8] {
        let payload = withUnsafeBytes(of: id.bigEndian) { Array($0) } + body
        return withUnsafeBytes(of: Int32(payload.count).bigEndian) { Array($0) } + payload
    }

    /// A valid ApiVersions v3 answer offering Metadata v9 and ApiVersions 0...3.
    static func apiVersions(_ id: Int32, errorCode: Int16 = 0) -> [UInt8] {
        frame(id, withUnsafeBytes(of: errorCode.bigEndian) { Array($0) } + [3, 0, 3, 0, 9, 0, 9, 0, 0, 18, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0])
    }
}
