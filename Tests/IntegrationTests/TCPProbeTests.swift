#if canImport(Glibc)
import Glibc
private let streamSocketType = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
import Darwin
private let streamSocketType = SOCK_STREAM
#endif
import Testing

/// A listening socket on 127.0.0.1 that accepts nothing and sends nothing: a server that "hangs".
private final class SilentListener {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, streamSocketType, 0)
        try #require(descriptor >= 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        try #require(bound)
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(descriptor) }
}

/// The probe must fail in bounded time, never hang: that is what keeps a broken environment from stalling CI.
@Suite struct TCPProbeTests {
    @Test func connectingToAClosedPortFailsAtOnce() throws {
        let port: UInt16
        do {
            let listener = try SilentListener()
            port = listener.port
        }  // closed again: nothing listens on `port` now
        let started = ContinuousClock.now
        #expect {
            _ = try TCPProbe.connect(host: "127.0.0.1", port: port, timeout: .seconds(3))
        } throws: { error in
            guard case TCPProbeError.connectFailed(let address, _) = error else { return false }
            return address == "127.0.0.1:\(port)"
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func readingFromASilentServerTimesOut() throws {
        let listener = try SilentListener()
        let probe = try TCPProbe.connect(host: "127.0.0.1", port: listener.port, timeout: .seconds(3))
        try probe.write(Array("CONNECT\n\n\0".utf8))
        let started = ContinuousClock.now
        #expect {
            _ = try probe.read(through: 0, maximum: 1024, timeout: .milliseconds(300), waitingFor: "a STOMP frame")
        } throws: { error in
            guard case TCPProbeError.timedOut(_, "a STOMP frame", .milliseconds(300), 0) = error else { return false }
            return true
        }
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(300) && waited < .seconds(2))
    }

    @Test func unreachableBrokerErrorNamesTheBrokerAndTheRemedy() throws {
        let port: UInt16
        do { port = try SilentListener().port }
        let endpoint = BrokerEndpoint(name: "ActiveMQ (STOMP)", variable: "FERRY_STOMP_URL", host: "127.0.0.1", port: port)
        #expect {
            _ = try endpoint.connect(timeout: .seconds(2))
        } throws: { error in
            let text = "\(error)"
            return text.contains("ActiveMQ (STOMP) at 127.0.0.1:\(port)") && text.contains("run scripts/test")
        }
    }
}
