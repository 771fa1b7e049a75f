import ByteCoding
import StreamLog
import Synchronization
import Testing

@testable import Kafka

/// KIP-360: after UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE_NUMBER the idempotent producer asks the broker
/// to bump its epoch (InitProducerId v3+ with its producer id and epoch) and restarts its sequences at 0 under
/// the same producer id; against a broker offering only InitProducerId v0–v2, or one that refuses the bump, it
/// takes a new producer id instead. The fake broker bumps epochs as Kafka does and records every request.
@Suite struct EpochBumpTests {
    final class ProducerStateBroker: Sendable {
        struct State {
            var port = 0
            var nextProducerID: Int64 = 1
            /// Every InitProducerId: (request version, producer id and epoch sent; -1 below v3).
            var initRequests: [(version: Int16, producerID: Int64, epoch: Int16)] = []
            /// Every Produce: (producer id, epoch, base sequence, error code answered).
            var produces: [(producerID: Int64, epoch: Int16, sequence: Int32, answer: Int16)] = []
            var logEnd: Int64 = 0
        }
        let state = Mutex(State())
        let highestInitProducerIdVersion: Int16
        let refuseFirstProduceWith: Int16
        let refuseBump: Bool

        init(highestInitProducerIdVersion: Int16, refuseFirstProduceWith: Int16, refuseBump: Bool = false) {
            self.highestInitProducerIdVersion = highestInitProducerIdVersion
            self.refuseFirstProduceWith = refuseFirstProduceWith
            self.refuseBump = refuseBump
        }

        func apiVersions(_ id: Int32) -> [UInt8] {
            var w = ByteWriter()
            w.writeInt16(0)
            let apis: [(Int16, Int16)] = [(0, 9), (3, 9), (18, 3), (22, highestInitProducerIdVersion)]
            w.writeArrayCount(apis.count, flexible: true)
            for (key, version) in apis { w.writeInt16(key); w.writeInt16(0); w.writeInt16(version); w.writeByte(0) }
            w.writeInt32(0); w.writeByte(0)
            return FakeBroker.frame(id, w.bytes)
        }

        /// The version, producer id and epoch of an InitProducerId request frame.
        static func initProducerIdFields(_ frame: [UInt8]) throws -> (version: Int16, producerID: Int64, epoch: Int16) {
            try frame.withUnsafeBytes { raw in
                var r = ByteReader(raw)
                _ = try r.readInt32(); _ = try r.readInt16()
                let version = try r.readInt16()
                _ = try r.readInt32(); _ = try r.readNullableString(flexible: false)
                guard version >= 2 else { return (version, -1, -1) }
                try r.skipTaggedFields()
                _ = try r.readNullableString(flexible: true); _ = try r.readInt32()
                guard version >= 3 else { return (version, -1, -1) }
                return (version, try r.readInt64(), try r.readInt16())
            }
        }

        func respond(_ id: Int32, _ key: Int16, _ frame: [UInt8]) -> FakeBroker.Reply? {
            switch key {
            case 18: return .init(bytes: apiVersions(id))
            case 3: return .init(bytes: IdempotentRetryTests.metadata(id, port: state.withLock { $0.port }))
            case 22:
                guard let fields = try? Self.initProducerIdFields(frame) else { return .init(bytes: [], close: true) }
                let (code, producerID, epoch): (Int16, Int64, Int16) = state.withLock { state in
                    state.initRequests.append(fields)
                    if fields.producerID >= 0 {
                        if refuseBump { return (47, -1, -1) }  // INVALID_PRODUCER_EPOCH
                        return (0, fields.producerID, fields.epoch + 1)
                    }
                    defer { state.nextProducerID += 1 }
                    return (0, state.nextProducerID, 0)
                }
                var w = ByteWriter()
                w.writeByte(0); w.writeInt32(0); w.writeInt16(code); w.writeInt64(producerID); w.writeInt16(epoch); w.writeByte(0)
                return .init(bytes: FakeBroker.frame(id, w.bytes))
            case 0:
                guard let fields = try? IdempotentRetryTests.batchFields(frame) else { return .init(bytes: [], close: true) }
                let (producerID, epoch, sequence, count) = fields
                let (code, base): (Int16, Int64) = state.withLock { state in
                    let code: Int16 = state.produces.isEmpty ? refuseFirstProduceWith : 0
                    state.produces.append((producerID, epoch, sequence, code))
                    guard code == 0 else { return (code, -1) }
                    defer { state.logEnd += Int64(count) }
                    return (0, state.logEnd)
                }
                return .init(bytes: IdempotentRetryTests.produced(id, baseOffset: base, errorCode: code))
            default:
                return .init(bytes: [], close: true)
            }
        }
    }

    /// Two single-record appends: the first is refused with the broker's code, the second must get through.
    static func appendTwice(to broker: ProducerStateBroker) async throws -> (first: KafkaError?, second: AppendResult) {
        let server = try FakeBroker(connections: 6) { id, key, frame in broker.respond(id, key, frame) }
        broker.state.withLock { $0.port = server.port }
        var configuration = KafkaClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: server.port)])
        configuration.retryBackoff = .milliseconds(10)
        let client = try KafkaClient(configuration: configuration)
        defer { client.close() }
        let producer = try KafkaProducer(client: client)
        var first: KafkaError?
        do {
            _ = try await producer.send(batch: [StreamRecord(key: nil, value: [1], timestamp: 1)], topic: "t", partition: 0)
        } catch {
            first = error
        }
        let second = try await producer.send(batch: [StreamRecord(key: nil, value: [2], timestamp: 1)], topic: "t", partition: 0)
        return (first, second)
    }

    @Test(arguments: [Int16(59), 45])  // UNKNOWN_PRODUCER_ID, OUT_OF_ORDER_SEQUENCE_NUMBER
    func theEpochIsBumpedForTheSameProducerID(code: Int16) async throws {
        let broker = ProducerStateBroker(highestInitProducerIdVersion: 4, refuseFirstProduceWith: code)
        let (first, second) = try await Self.appendTwice(to: broker)
        #expect(first?.brokerCode == KafkaErrorCode(rawValue: code), "the refused batch fails with the broker's error")
        #expect(second == AppendResult(partition: 0, baseOffset: 0, count: 1))
        let state = broker.state.withLock { $0 }
        #expect(state.initRequests.map { [Int64($0.version), $0.producerID, Int64($0.epoch)] } == [[4, -1, -1], [4, 1, 0]],
                "a new producer id first, then the bump of producer 1 at epoch 0")
        #expect(state.produces.map { [$0.producerID, Int64($0.epoch), Int64($0.sequence)] } == [[1, 0, 0], [1, 1, 0]],
                "the next batch: same producer id, epoch 1, sequence 0")
    }

    @Test func aBrokerWithoutInitProducerIdV3GivesANewProducerID() async throws {
        let broker = ProducerStateBroker(highestInitProducerIdVersion: 2, refuseFirstProduceWith: 59)
        let (first, second) = try await Self.appendTwice(to: broker)
        #expect(first?.brokerCode == .unknownProducerId)
        #expect(second.baseOffset == 0)
        let state = broker.state.withLock { $0 }
        #expect(state.initRequests.map { [Int64($0.version), $0.producerID] } == [[2, -1], [2, -1]], "v2 carries no producer id")
        #expect(state.produces.map { [$0.producerID, Int64($0.epoch), Int64($0.sequence)] } == [[1, 0, 0], [2, 0, 0]])
    }

    @Test func aRefusedBumpFallsBackToANewProducerID() async throws {
        let broker = ProducerStateBroker(highestInitProducerIdVersion: 4, refuseFirstProduceWith: 45, refuseBump: true)
        let (first, second) = try await Self.appendTwice(to: broker)
        #expect(first?.brokerCode == .outOfOrderSequenceNumber)
        #expect(second.baseOffset == 0)
        let state = broker.state.withLock { $0 }
        #expect(state.initRequests.map { [$0.producerID, Int64($0.epoch)] } == [[-1, -1], [1, 0], [-1, -1]],
                "the bump is refused, then a new producer id is asked for")
        #expect(state.produces.map { [$0.producerID, Int64($0.epoch), Int64($0.sequence)] } == [[1, 0, 0], [2, 0, 0]])
    }

    @Test func otherFailuresStillTakeANewProducerID() async throws {
        let broker = ProducerStateBroker(highestInitProducerIdVersion: 4, refuseFirstProduceWith: 10)  // MESSAGE_TOO_LARGE
        let (first, second) = try await Self.appendTwice(to: broker)
        #expect(first?.brokerCode == .messageTooLarge)
        #expect(second.baseOffset == 0)
        let state = broker.state.withLock { $0 }
        #expect(state.initRequests.map(\.producerID) == [-1, -1])
        #expect(state.produces.map(\.producerID) == [1, 2])
    }

    @Test func initProducerIdVersions() throws {
        var v4 = ByteWriter()
        InitProducerIdRequest(transactionTimeoutMilliseconds: 1000, producerID: 7, producerEpoch: 3).write(to: &v4, version: 4)
        #expect(v4.bytes == [0, 0, 0, 3, 0xE8, 0, 0, 0, 0, 0, 0, 0, 7, 0, 3, 0], "null compact id, timeout, id 7, epoch 3, no tags")
        var v2 = ByteWriter()
        InitProducerIdRequest(transactionTimeoutMilliseconds: 1000, producerID: 7, producerEpoch: 3).write(to: &v2, version: 2)
        #expect(v2.bytes == [0, 0, 0, 3, 0xE8, 0], "no producer id or epoch before v3")
        var v1 = ByteWriter()
        InitProducerIdRequest(transactionTimeoutMilliseconds: 1000).write(to: &v1, version: 1)
        #expect(v1.bytes == [0xFF, 0xFF, 0, 0, 3, 0xE8], "classic null string, timeout, no tagged fields")
    }
}
