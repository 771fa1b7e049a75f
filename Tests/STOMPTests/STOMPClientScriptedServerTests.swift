import Foundation
import LegacyQueue
import STOMP
import Synchronization
import Testing
import Transport

/// A STOMP server on 127.0.0.1 that plays a script per accepted connection, for failure cases a real broker
/// does not produce on demand.
final class ScriptedSTOMPServer: Sendable {
    let listener: TCPListener
    let accepted = Atomic<Int>(0)
    let stopped = Atomic<Bool>(false)

    /// One accepted connection, with a decoder for what the client sends.
    final class Peer {
        let connection: TCPConnection
        var decoder = STOMPFrameDecoder()
        init(connection: TCPConnection) { self.connection = connection }

        /// The next frame from the client. The default wait is long: beside hundreds of other tests on two
        /// cores, the test task itself may not run for seconds.
        func nextFrame(timeout: Duration = .seconds(60)) throws -> STOMPFrame {
            let deadline = ContinuousClock.now + timeout
            var scratch = [UInt8](repeating: 0, count: 4096)
            while true {
                if let frame = try decoder.nextFrame() { return frame }
                guard ContinuousClock.now < deadline else { throw TransportError.timedOut(peer: "test", operation: "frame", after: timeout) }
                let count = try scratch.withUnsafeMutableBytes { try connection.read(into: $0, timeout: .milliseconds(50)) }
                decoder.append(scratch[..<count])
            }
        }

        func send(_ text: String) throws { try connection.write(Array(text.utf8), timeout: .seconds(2)) }
    }

    init(script: @escaping @Sendable (Int, Peer) throws -> Void) throws {
        listener = try TCPListener()
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                guard let connection = try? listener.accept(timeout: .milliseconds(100)) else { continue }
                let index = accepted.add(1, ordering: .relaxed).newValue
                let worker = Thread {
                    let peer = Peer(connection: connection)
                    try? script(index, peer)
                }
                worker.start()
            }
        }
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    var configuration: STOMPConfiguration {
        STOMPConfiguration(
            // Generous timeouts: these tests run beside hundreds of others on two cores.
            port: listener.port, heartBeatSend: .zero, heartBeatReceive: .zero, connectTimeout: .seconds(10),
            receiptTimeout: .seconds(10),
            reconnect: STOMPReconnectPolicy(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(100)))
    }
}

@Suite("STOMP client against a scripted server")
struct STOMPClientScriptedServerTests {
    @Test func aServerClosingMidFrameIsAClearErrorThenTheClientReconnectsAndResends() async throws {
        let server = try ScriptedSTOMPServer { index, peer in
            let connect = try peer.nextFrame()
            guard connect.command == "CONNECT" else { return }
            try peer.send("CONNECTED\nversion:1.2\nserver:scripted\n\n\0")
            let send = try peer.nextFrame()
            if index == 1 {
                // Half a RECEIPT, then close: the client must not take it as an answer.
                try peer.send("RECEIPT\nreceipt-id:\(send["receipt"] ?? "")")
                peer.connection.shutdown()
                return
            }
            try peer.send("RECEIPT\nreceipt-id:\(send["receipt"] ?? "")\n\n\0")
            _ = try? peer.nextFrame(timeout: .seconds(2))  // DISCONNECT
        }
        defer { server.stop() }
        let client = try await STOMPClient.connect(server.configuration)
        #expect(client.serverName == "scripted")
        try await client.send(QueueMessage(text: "payload"), to: "/queue/a")
        #expect(client.connectionCount >= 2)
        #expect(server.accepted.load(ordering: .relaxed) >= 2)
        let reason = try #require(client.disconnectReasons.first)
        #expect("\(reason)".contains("closed the connection"), "\(reason)")
        try await client.close()
    }

    @Test func aSilentServerIsDetectedByHeartBeatAndReplaced() async throws {
        let server = try ScriptedSTOMPServer { index, peer in
            let connect = try peer.nextFrame()
            #expect(connect["heart-beat"] == "0,100")
            try peer.send("CONNECTED\nversion:1.2\nheart-beat:100,0\n\n\0")
            Thread.sleep(forTimeInterval: 2.0)  // says nothing at all
        }
        defer { server.stop() }
        var configuration = server.configuration
        configuration.heartBeatReceive = .milliseconds(100)
        let client = try await STOMPClient.connect(configuration)
        let start = ContinuousClock.now
        while client.connectionCount < 2 && ContinuousClock.now - start < .seconds(30) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(client.connectionCount >= 2)
        guard case .heartBeatTimeout(let silence)? = client.disconnectReasons.first else {
            Issue.record("expected a heart-beat timeout, got \(client.disconnectReasons)")
            return
        }
        #expect(silence > .milliseconds(200))
        try? await client.close()
    }

    @Test func anIdleClientSendsHeartBeatEOLsAtTheNegotiatedInterval() async throws {
        let beats = Mutex<Int>(-1)
        let server = try ScriptedSTOMPServer { _, peer in
            let connect = try peer.nextFrame()
            #expect(connect["heart-beat"] == "100,0")
            try peer.send("CONNECTED\nversion:1.2\nheart-beat:0,100\n\n\0")
            // Read for 700 ms; only EOLs should come.
            _ = try? peer.nextFrame(timeout: .milliseconds(700))
            beats.withLock { $0 = peer.decoder.heartBeats }
        }
        defer { server.stop() }
        var configuration = server.configuration
        configuration.heartBeatSend = .milliseconds(100)
        let client = try await STOMPClient.connect(configuration)
        let start = ContinuousClock.now
        while beats.withLock({ $0 }) < 0 && ContinuousClock.now - start < .seconds(30) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let count = beats.withLock { $0 }
        #expect(count >= 2 && count <= 8, "\(count) heart-beats in 700 ms at 100 ms")
        try? await client.close()
    }

    @Test func aMissingReceiptIsAReceiptTimeout() async throws {
        let server = try ScriptedSTOMPServer { _, peer in
            _ = try peer.nextFrame()
            try peer.send("CONNECTED\nversion:1.2\n\n\0")
            _ = try? peer.nextFrame()  // the SEND, never answered
            Thread.sleep(forTimeInterval: 2)
        }
        defer { server.stop() }
        var configuration = server.configuration
        configuration.receiptTimeout = .milliseconds(300)
        let client = try await STOMPClient.connect(configuration)
        let start = ContinuousClock.now
        await #expect {
            try await client.send(QueueMessage(text: "x"), to: "/queue/a")
        } throws: { error in
            guard case .receiptTimeout(_, let after)? = error as? STOMPError else { return false }
            return after == .milliseconds(300)
        }
        #expect(ContinuousClock.now - start < .seconds(30))
        try? await client.close()
    }

    @Test func anErrorFrameOnConnectIsATypedErrorWithTheServersMessage() async throws {
        let server = try ScriptedSTOMPServer { _, peer in
            _ = try peer.nextFrame()
            try peer.send("ERROR\nmessage:User name [bob] or password is invalid.\ncontent-length:5\n\ncause\0")
        }
        defer { server.stop() }
        var configuration = server.configuration
        configuration.login = "bob"
        configuration.passcode = "wrong"
        await #expect {
            _ = try await STOMPClient.connect(configuration)
        } throws: { error in
            guard case .server(let message, let details, _) = error as? STOMPError else { return false }
            return message == "User name [bob] or password is invalid." && details == "cause"
        }
    }

    @Test func anOversizedFrameFromTheServerEndsTheConnectionWithAWireError() async throws {
        let received = Mutex<[String]>([])
        let server = try ScriptedSTOMPServer { index, peer in
            _ = try peer.nextFrame()
            try peer.send("CONNECTED\nversion:1.2\n\n\0")
            let subscribe = try peer.nextFrame()
            received.withLock { $0.append(subscribe.command) }
            let id = subscribe["id"] ?? ""
            if index == 1 {
                try peer.send("MESSAGE\nsubscription:\(id)\nmessage-id:1\nack:1\ncontent-length:100000\n\n")
            } else {
                try peer.send("MESSAGE\nsubscription:\(id)\nmessage-id:2\nack:2\n\nsmall\0")
            }
            // Hold the connection open until the client drops it (it must, on the oversized frame): closing here
            // first would race the client's decoding on a loaded machine and end in "closed the connection". The
            // wait ends as soon as the client drops the connection; its length only matters when the test pass
            // keeps the cooperative pool busy for minutes (a CI run saw 94 s), so it is long.
            _ = try? peer.nextFrame(timeout: .seconds(600))
        }
        defer { server.stop() }
        var configuration = server.configuration
        configuration.maximumFrameBytes = 1024
        let client = try await STOMPClient.connect(configuration)
        let message = try #require(try await client.receive(from: "/queue/a", timeout: .seconds(600)))
        #expect(message.messageID == "2")
        #expect(message.message.body == Array("small".utf8))
        #expect(client.connectionCount >= 2)
        guard case .wire(.frameTooLarge(_, _, 1024))? = client.disconnectReasons.first else {
            Issue.record("expected frameTooLarge, got \(client.disconnectReasons)")
            return
        }
        #expect(received.withLock { $0.prefix(2) } == ["SUBSCRIBE", "SUBSCRIBE"])  // resubscribed after the reconnect
        try? await client.close()
    }
}
