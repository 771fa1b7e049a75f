import Synchronization
import Testing

@testable import Kafka

/// The client against a fake broker that answers garbage, truncates, oversizes, stalls or invents correlation
/// ids: every case ends in a typed error within the configured timeout, never a crash or a hang.
@Suite struct MisbehavingBrokerTests {
    static func connect(_ broker: FakeBroker, timeout: Duration = .seconds(2)) async throws(KafkaError) -> KafkaConnection {
        try await KafkaConnection.connect(
            host: "127.0.0.1", port: broker.port, clientID: "test", connectTimeout: .seconds(2), requestTimeout: timeout,
            maximumResponseSize: 1 << 20)
    }

    @Test func negotiatesWithAWellBehavedBroker() async throws {
        let broker = try FakeBroker { id, _ in .init(bytes: FakeBroker.apiVersions(id)) }
        let connection = try await Self.connect(broker)
        defer { connection.close() }
        #expect(try connection.version(for: MetadataRequest.self) == 9)
        #expect(throws: KafkaError.unsupportedVersion(api: "Produce", client: 9...9, broker: nil)) {
            _ = try connection.version(for: ProduceRequest.self)
        }
    }

    @Test func garbageIsAMalformedResponse() async throws {
        let broker = try FakeBroker { id, _ in .init(bytes: FakeBroker.frame(id, [0xDE, 0xAD, 0xBE, 0xEF, 0x01])) }
        await #expect {
            _ = try await Self.connect(broker)
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.isMalformed && !error.isRetriable
        }
    }

    @Test func oversizedFrameIsRejectedWithoutAllocating() async throws {
        let broker = try FakeBroker { _, _ in .init(bytes: [0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1]) }
        await #expect(throws: KafkaError.tooLarge(what: "response frame", size: Int(Int32.max), maximum: 1 << 20)) {
            _ = try await Self.connect(broker)
        }
    }

    @Test func truncatedResponseThenCloseIsAConnectionError() async throws {
        let broker = try FakeBroker { id, _ in .init(bytes: Array(FakeBroker.apiVersions(id).prefix(9)), close: true) }
        await #expect {
            _ = try await Self.connect(broker)
        } throws: { error in
            guard case .connection(_, let reason) = error as? KafkaError else { return false }
            return reason.contains("closed") && (error as? KafkaError)?.isRetriable == true
        }
    }

    @Test func silentBrokerTimesOut() async throws {
        // The deadline is enforced by the connection's receiver thread, so it fires on time even when the
        // cooperative pool is busy; wall time is not asserted here because a loaded 2-core test run can delay
        // this task's resumption by many seconds (other suites are CPU-bound).
        let broker = try FakeBroker { _, _ in nil }
        await #expect {
            _ = try await Self.connect(broker, timeout: .milliseconds(300))
        } throws: { error in
            guard case let .timedOut(operation, after) = error as? KafkaError else { return false }
            return after == .milliseconds(300) && operation.contains("ApiVersions")
        }
    }

    @Test func unknownCorrelationIDEndsTheConnection() async throws {
        let broker = try FakeBroker { id, _ in .init(bytes: FakeBroker.apiVersions(id &+ 1000)) }
        await #expect(throws: KafkaError.self) { _ = try await Self.connect(broker) }
    }

    @Test func unknownErrorCodeIsNamedAndFatal() async throws {
        let broker = try FakeBroker { id, _ in .init(bytes: FakeBroker.apiVersions(id, errorCode: 4242)) }
        await #expect {
            _ = try await Self.connect(broker)
        } throws: { error in
            guard let error = error as? KafkaError, let code = error.brokerCode else { return false }
            return code.name == "UNKNOWN_CODE_4242" && !error.isRetriable
        }
    }

    @Test func pipelinedRequestsAreMatchedByCorrelationIDEvenOutOfOrder() async throws {
        // Answers ApiVersions at once; holds Metadata requests and answers them in reverse order.
        let held = HeldReplies()
        let broker = try FakeBroker { id, key in
            if key == 18 { return .init(bytes: FakeBroker.apiVersions(id)) }
            let metadata: (Int32) -> [UInt8] = { id in
                // header v1 (tagged fields), throttle, 0 brokers, null cluster, controller, 0 topics, cluster ops, tags
                FakeBroker.frame(id, [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, UInt8(id), 1, 0, 0, 0, 0, 0])
            }
            let ready = held.add(id, metadata(id))
            return ready.isEmpty ? nil : .init(bytes: ready.reversed().flatMap { $0 })
        }
        let connection = try await Self.connect(broker)
        defer { connection.close() }
        async let a = connection.send(MetadataRequest(topics: []), timeout: .seconds(2))
        async let b = connection.send(MetadataRequest(topics: []), timeout: .seconds(2))
        async let c = connection.send(MetadataRequest(topics: []), timeout: .seconds(2))
        let controllers = try await [a.controllerID, b.controllerID, c.controllerID]
        #expect(Set(controllers).count == 3, "each caller got its own response: \(controllers)")
    }
}

/// Collects three replies, then releases them together.
final class HeldReplies: Sendable {
    private let replies = Mutex<[[UInt8]]>([])
    func add(_ id: Int32, _ reply: [UInt8]) -> [[UInt8]] {
        replies.withLock { replies in
            replies.append(reply)
            guard replies.count == 3 else { return [] }
            defer { replies.removeAll() }
            return replies
        }
    }
}

extension MisbehavingBrokerTests {
    @Test func cancellingTheWaitingTaskEndsTheRequestAtOnce() async throws {
        // Answers ApiVersions only; Metadata requests get no answer.
        let broker = try FakeBroker { id, key in key == 18 ? .init(bytes: FakeBroker.apiVersions(id)) : nil }
        let connection = try await Self.connect(broker, timeout: .seconds(60))
        defer { connection.close() }
        let task = Task { try await connection.send(MetadataRequest(topics: []), timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect {
            _ = try await task.value
        } throws: { error in
            guard case .cancelled = error as? KafkaError else { return false }
            return true
        }
        #expect(!connection.isClosed, "only that request ended")
    }
}
