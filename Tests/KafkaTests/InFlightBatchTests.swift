import ByteCoding
import StreamLog
import Synchronization
import Testing

@testable import Kafka

/// The idempotent producer's pipelining: up to five batches of one partition on the wire at once, against a
/// fake broker that checks sequences as Kafka does (per producer id: the expected sequence is written, a
/// lower one is a duplicate, a higher one is OUT_OF_ORDER_SEQUENCE_NUMBER) and answers nothing until it holds
/// the first five Produce requests, so a producer with fewer in flight would show it in the sequences seen.
@Suite struct InFlightBatchTests {
    /// The fake broker's partition log and what it saw.
    final class SequencedPartition: Sendable {
        struct State {
            var port = 0
            var nextProducerID: Int64 = 1
            var expected: [Int64: Int32] = [:]
            var logEnd: Int64 = 0
            var held: [UInt8] = []
            /// Every Produce: (producer id, base sequence, record count, error code answered).
            var produces: [(producerID: Int64, sequence: Int32, count: Int32, answer: Int16)] = []
        }
        let state = Mutex(State())
        /// Produces answered together once this many arrived.
        let holdFirst: Int
        /// The error code the very first Produce gets (nil: handled normally).
        let refuseFirstWith: Int16?

        init(holdFirst: Int, refuseFirstWith: Int16?) {
            self.holdFirst = holdFirst
            self.refuseFirstWith = refuseFirstWith
        }

        func respond(_ id: Int32, _ key: Int16, _ frame: [UInt8]) -> FakeBroker.Reply? {
            switch key {
            case 18: return .init(bytes: IdempotentRetryTests.apiVersions(id))
            case 3: return .init(bytes: IdempotentRetryTests.metadata(id, port: state.withLock { $0.port }))
            case 22:
                let producerID = state.withLock { state in
                    defer { state.nextProducerID += 1 }
                    return state.nextProducerID
                }
                var w = ByteWriter()
                w.writeByte(0); w.writeInt32(0); w.writeInt16(0); w.writeInt64(producerID); w.writeInt16(0); w.writeByte(0)
                return .init(bytes: FakeBroker.frame(id, w.bytes))
            case 0:
                guard let fields = try? IdempotentRetryTests.batchFields(frame) else { return .init(bytes: [], close: true) }
                let (producerID, _, sequence, count) = fields
                return state.withLock { state -> FakeBroker.Reply? in
                    let expected = state.expected[producerID, default: 0]
                    var code: Int16 = 0
                    var base: Int64 = -1
                    if state.produces.isEmpty, let refusal = refuseFirstWith {
                        code = refusal
                    } else if sequence == expected {
                        base = state.logEnd
                        state.logEnd += Int64(count)
                        state.expected[producerID] = expected + count
                    } else if sequence < expected {
                        code = 46  // DUPLICATE_SEQUENCE_NUMBER
                    } else {
                        code = 45  // OUT_OF_ORDER_SEQUENCE_NUMBER
                    }
                    state.produces.append((producerID, sequence, count, code))
                    let reply = IdempotentRetryTests.produced(id, baseOffset: base, errorCode: code)
                    guard state.produces.count <= holdFirst else { return .init(bytes: reply) }
                    state.held += reply
                    guard state.produces.count == holdFirst else { return nil }
                    defer { state.held = [] }
                    return .init(bytes: state.held)
                }
            default:
                return .init(bytes: [], close: true)
            }
        }
    }

    /// Twenty 50-byte records to partition 0 of "t", two per batch, fire-and-forget; their outcomes in order.
    static func produceTwenty(to partition: SequencedPartition) async throws -> [Result<DeliveryReport, KafkaError>] {
        let broker = try FakeBroker(connections: 10) { id, key, frame in partition.respond(id, key, frame) }
        partition.state.withLock { $0.port = broker.port }
        var configuration = KafkaClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: broker.port)])
        configuration.retryBackoff = .milliseconds(10)
        configuration.requestTimeout = .seconds(5)
        let client = try KafkaClient(configuration: configuration)
        defer { client.close() }
        var producerConfiguration = KafkaProducerConfiguration()
        producerConfiguration.batchSize = 2 * KafkaProducer.size(of: StreamRecord(key: nil, value: [UInt8](repeating: 0, count: 50), timestamp: 1))
        producerConfiguration.bufferMemory = 1 << 20
        producerConfiguration.linger = .milliseconds(500)  // all twenty are queued before the first batch is taken
        producerConfiguration.deliveryTimeout = .seconds(1)
        let producer = try KafkaProducer(client: client, configuration: producerConfiguration)
        for index in 0..<20 {
            try await producer.enqueue(StreamRecord(key: nil, value: [UInt8](repeating: UInt8(index), count: 50), timestamp: 1), topic: "t", partition: 0)
        }
        await producer.close()
        var outcomes: [Result<DeliveryReport, KafkaError>] = []
        for await outcome in producer.deliveryReports { outcomes.append(outcome) }
        return outcomes
    }

    @Test func fiveBatchesOfAPartitionAreOnTheWireAtOnceWithConsecutiveSequences() async throws {
        let partition = SequencedPartition(holdFirst: 5, refuseFirstWith: nil)
        let outcomes = try await Self.produceTwenty(to: partition)
        let offsets = outcomes.map { try? $0.get().offset }
        #expect(offsets == (0..<20).map { Int64($0) }, "every record acknowledged, in order")
        let produces = partition.state.withLock { $0.produces }
        #expect(produces.prefix(5).map(\.sequence) == [0, 2, 4, 6, 8], "five batches sent before any answer")
        #expect(produces.map(\.sequence) == Array(stride(from: 0, to: 20, by: 2)), "no batch sent twice")
        #expect(produces.allSatisfy { $0.producerID == 1 && $0.count == 2 && $0.answer == 0 })
    }

    @Test func aRetriableRefusalResendsThatBatchAndTheOnesBehindItInOrder() async throws {
        let partition = SequencedPartition(holdFirst: 5, refuseFirstWith: 6)  // NOT_LEADER_OR_FOLLOWER
        let outcomes = try await Self.produceTwenty(to: partition)
        let offsets = outcomes.map { try? $0.get().offset }
        #expect(offsets == (0..<20).map { Int64($0) }, "every record acknowledged once, in order")
        let produces = partition.state.withLock { $0.produces }
        #expect(produces.prefix(5).map(\.answer) == [6, 45, 45, 45, 45], "the broker refused the four behind the first as out of order")
        #expect(produces.dropFirst(5).prefix(5).map(\.sequence) == [0, 2, 4, 6, 8], "all five sent again, in order, same sequences")
        #expect(produces.dropFirst(5).allSatisfy { $0.answer == 0 && $0.producerID == 1 })
        #expect(produces.count == 15)
    }

    @Test func aBatchRefusedForGoodFailsAloneAndTheRefusedOnesBehindItGoAgainUnderANewProducerID() async throws {
        let partition = SequencedPartition(holdFirst: 5, refuseFirstWith: 10)  // MESSAGE_TOO_LARGE
        let outcomes = try await Self.produceTwenty(to: partition)
        #expect(outcomes.count == 20)
        for outcome in outcomes.prefix(2) {
            guard case let .failure(error) = outcome else {
                Issue.record("the first batch should fail")
                continue
            }
            #expect(error.brokerCode == .messageTooLarge)
        }
        let offsets = outcomes.dropFirst(2).map { try? $0.get().offset }
        #expect(offsets == (0..<18).map { Int64($0) }, "the other eighteen acknowledged, in order")
        let produces = partition.state.withLock { $0.produces }
        #expect(produces.prefix(5).map(\.answer) == [10, 45, 45, 45, 45])
        #expect(produces.dropFirst(5).prefix(4).map { [$0.producerID, Int64($0.sequence)] } == [[2, 0], [2, 2], [2, 4], [2, 6]],
                "the four refused batches re-encoded under producer id 2 from sequence 0")
        #expect(produces.dropFirst(5).allSatisfy { $0.answer == 0 })
    }

    /// Twenty 50-byte records appended to partition 0 of "t" in one `KafkaStreamLog.append` (the bridge's path,
    /// `send(batch:)`), two records per batch: ten batches.
    static func appendTwenty(to partition: SequencedPartition) async throws -> AppendResult {
        let broker = try FakeBroker(connections: 10) { id, key, frame in partition.respond(id, key, frame) }
        partition.state.withLock { $0.port = broker.port }
        var configuration = KafkaClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: broker.port)])
        configuration.retryBackoff = .milliseconds(10)
        configuration.requestTimeout = .seconds(5)
        let client = try KafkaClient(configuration: configuration)
        defer { client.close() }
        var producerConfiguration = KafkaProducerConfiguration()
        producerConfiguration.batchSize = 2 * KafkaProducer.size(of: StreamRecord(key: nil, value: [UInt8](repeating: 0, count: 50), timestamp: 1))
        producerConfiguration.deliveryTimeout = .seconds(1)
        let log = try KafkaStreamLog(client: client, producer: producerConfiguration)
        let records = (0..<20).map { StreamRecord(key: nil, value: [UInt8](repeating: UInt8($0), count: 50), timestamp: 1) }
        return try await log.append(records, topic: "t", partition: 0)
    }

    @Test func theStreamLogAppendPathPutsFiveBatchesOnTheWireAtOnce() async throws {
        let partition = SequencedPartition(holdFirst: 5, refuseFirstWith: nil)
        let result = try await Self.appendTwenty(to: partition)
        #expect(result == AppendResult(partition: 0, baseOffset: 0, count: 20))
        let produces = partition.state.withLock { $0.produces }
        #expect(produces.prefix(5).map(\.sequence) == [0, 2, 4, 6, 8], "five batches sent before any answer")
        #expect(produces.map(\.sequence) == Array(stride(from: 0, to: 20, by: 2)), "ten batches, in order, none sent twice")
        #expect(produces.allSatisfy { $0.producerID == 1 && $0.count == 2 && $0.answer == 0 })
    }

    @Test func theStreamLogAppendPathResendsInOrderAfterARetriableRefusal() async throws {
        let partition = SequencedPartition(holdFirst: 5, refuseFirstWith: 6)  // NOT_LEADER_OR_FOLLOWER
        let result = try await Self.appendTwenty(to: partition)
        #expect(result == AppendResult(partition: 0, baseOffset: 0, count: 20), "acknowledged once every batch is")
        let produces = partition.state.withLock { $0.produces }
        #expect(produces.prefix(5).map(\.answer) == [6, 45, 45, 45, 45])
        #expect(produces.dropFirst(5).map(\.sequence) == Array(stride(from: 0, to: 20, by: 2)), "resent from the refused batch, in order")
        #expect(produces.dropFirst(5).allSatisfy { $0.answer == 0 && $0.producerID == 1 })
    }

    @Test func theStreamLogAppendFailsWhenOneOfItsBatchesFailsForGood() async throws {
        let partition = SequencedPartition(holdFirst: 5, refuseFirstWith: 10)  // MESSAGE_TOO_LARGE
        await #expect {
            _ = try await Self.appendTwenty(to: partition)
        } throws: { error in
            (error as? KafkaError)?.brokerCode == .messageTooLarge
        }
    }

    @Test func inFlightLimitIsValidated() {
        var configuration = KafkaProducerConfiguration()
        configuration.maximumInFlightBatches = 6
        #expect(throws: KafkaError.self) { try configuration.validate() }
        configuration.maximumInFlightBatches = 0
        #expect(throws: KafkaError.self) { try configuration.validate() }
        configuration.maximumInFlightBatches = 1
        #expect(throws: Never.self) { try configuration.validate() }
    }
}
