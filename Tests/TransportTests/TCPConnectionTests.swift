import Transport
import Testing

@Suite("POSIX TCP transport")
struct TCPConnectionTests {
    @Test func exchangesBytesAndReportsTimeoutsAndTheEndOfStream() throws {
        let listener = try TCPListener()
        let client = try TCPConnection.connect(host: "127.0.0.1", port: listener.port, timeout: .seconds(2))
        let server = try listener.accept(timeout: .seconds(2))
        try client.write(Array("hello".utf8), timeout: .seconds(1))
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = try buffer.withUnsafeMutableBytes { try server.read(into: $0, timeout: .seconds(1)) }
        #expect(Array(buffer[..<count]) == Array("hello".utf8))
        let none = try buffer.withUnsafeMutableBytes { try client.read(into: $0, timeout: .milliseconds(20)) }
        #expect(none == 0)
        server.shutdown()
        #expect(throws: TransportError.closedByPeer(peer: "127.0.0.1:\(listener.port)")) {
            _ = try buffer.withUnsafeMutableBytes { try client.read(into: $0, timeout: .seconds(1)) }
        }
    }

    @Test func aRefusedConnectionNamesThePeer() throws {
        let port: UInt16
        do {
            let listener = try TCPListener()
            port = listener.port
        }  // closed again: nothing listens there now
        #expect {
            _ = try TCPConnection.connect(host: "127.0.0.1", port: port, timeout: .seconds(1))
        } throws: { error in
            guard case .connectFailed(let peer, _) = error as? TransportError else { return false }
            return peer == "127.0.0.1:\(port)"
        }
    }
}
