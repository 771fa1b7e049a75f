import LegacyQueue
import STOMP
import Testing

@Suite("STOMP configuration, URL and ActiveMQ header mapping")
struct STOMPConfigurationTests {
    @Test func parsesURLsWithCredentialsPortAndDestination() throws {
        let (configuration, destination) = try STOMPConfiguration.parse(url: "stomp://admin:p%40ss@broker.example:61614/queue/REQ.IN")
        #expect(configuration.host == "broker.example")
        #expect(configuration.port == 61614)
        #expect(configuration.login == "admin")
        #expect(configuration.passcode == "p@ss")
        #expect(destination == "/queue/REQ.IN")
        let (plain, none) = try STOMPConfiguration.parse(url: "stomp://127.0.0.1")
        #expect(plain.port == 61613)
        #expect(plain.login == nil)
        #expect(none == nil)
        #expect(throws: STOMPError.self) { try STOMPConfiguration.parse(url: "http://x") }
        #expect(throws: STOMPError.self) { try STOMPConfiguration.parse(url: "stomp://host:99999/queue/a") }
    }

    @Test func backoffGrowsExponentiallyUpToTheCapWithJitterBelowTheBase() {
        let policy = STOMPReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1), multiplier: 2, jitter: 0.5)
        #expect(policy.delay(attempt: 0, random: 0) == .milliseconds(100))
        #expect(policy.delay(attempt: 2, random: 0) == .milliseconds(400))
        #expect(policy.delay(attempt: 10, random: 0) == .seconds(1))
        #expect(policy.delay(attempt: 2, random: 1) == .milliseconds(200))
    }

    @Test func mapsCanonicalAttributesToActiveMQHeaders() {
        let message = QueueMessage(
            body: [1, 2, 3], bodyKind: .bytes, contentType: "application/octet-stream", correlationID: "c-1",
            replyTo: "/queue/replies", priority: 7, groupID: "g-1", timeToLive: .seconds(60),
            properties: ["x-trace": "a:b", "persistent": "ignored"])
        let headers = ActiveMQMapping.sendHeaders(for: message, destination: "/queue/a", nowMilliseconds: 1_000_000)
        let names = headers.map(\.name)
        #expect(names == [
            "destination", "persistent", "amq-msg-type", "expires", "content-type", "correlation-id", "reply-to",
            "priority", "JMSXGroupID", "x-trace", "content-length",
        ])
        let value = { (name: String) in headers.first { $0.name == name }?.value }
        #expect(value("persistent") == "true")
        #expect(value("amq-msg-type") == "bytes")
        #expect(value("expires") == "1060000")
        #expect(value("content-length") == "3")

        let frame = STOMPFrame(
            command: "MESSAGE",
            headers: headers + [("message-id", "ID:9"), ("subscription", "s"), ("ack", "A-1"), ("redelivered", "true"),
                                ("ferry-retry-count", "2")],
            body: [1, 2, 3])
        let received = ActiveMQMapping.receivedMessage(from: frame, destination: "/queue/a", session: 4)
        #expect(received.message.correlationID == "c-1")
        #expect(received.message.replyTo == "/queue/replies")
        #expect(received.message.priority == 7)
        #expect(received.message.groupID == "g-1")
        #expect(received.message.bodyKind == .bytes)
        #expect(received.message.isPersistent)
        #expect(received.message.properties == ["x-trace": "a:b"])
        #expect(received.expiresAtMilliseconds == 1_060_000)
        #expect(received.isRedelivered)
        #expect(received.retryCount == 2)
        #expect(received.deliveryToken == DeliveryToken(value: "A-1", session: 4))
    }
}
