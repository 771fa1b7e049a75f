import ByteCoding
import StreamLog
import Synchronization
import Testing

@testable import Kafka

/// `KafkaConsumerConfiguration.prefetchBytes`: the consumer sends the next Fetch as soon as an answer is parsed,
/// before the caller has iterated it, one at most ahead; offsets neither skip nor repeat. Against a fake broker
/// that answers each Fetch with the batch holding the requested offset (three batches of 100, then empty).
@Suite struct ConsumerPrefetchTests {
    /// The fetch offset of the one partition of topic "t" in a Fetch v12 request frame.
    static func fetchOffset(_ frame: [UInt8]) -> Int64? {
        // topics count 1, "t", partitions count 1, partition 0, then current_leader_epoch, then fetch_offset.
        let pattern: [UInt8] = [2, 2, 0x74, 2, 0, 0, 0, 0]
        guard frame.count >= pattern.count + 12,
            let start = (0...(frame.count - pattern.count - 12)).last(where: { Array(frame[$0..<($0 + pattern.count)]) == pattern })
        else { return nil }
        return frame[(start + pattern.count + 4)..<(start + pattern.count + 12)].reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    /// Runs a consumer of "t"/0 from offset 0 with `prefetchBytes`; returns the Fetch offsets seen when the
    /// caller has taken one record and paused, and the offsets of the 300 records it then reads.
    func consume(prefetchBytes: Int) async throws -> (fetchesWhilePaused: [Int64], offsets: [Int64]) {
        var raw: [[UInt8]] = []
        for (index, batch) in LargeFetchFrameTests.batches.enumerated() {
            var encoded = try RecordBatch.encode(batch)
            withUnsafeBytes(of: Int64(index * 100).bigEndian) { encoded.replaceSubrange(0..<8, with: $0) }
            raw.append(encoded)
        }
        let batches = raw
        let seen = Mutex<[Int64]>([])
        let port = SharedPort()
        let broker = try FakeBroker(connections: 4) { id, key, frame in
            switch key {
            case 18: return .init(bytes: LargeFetchFrameTests.apiVersions(id))
            case 3: return .init(bytes: IdempotentRetryTests.metadata(id, port: port.value))
            case 1:
                guard let offset = Self.fetchOffset(frame) else { return .init(bytes: [], close: true) }
                seen.withLock { $0.append(offset) }
                let index = Int(offset / 100)
                return .init(bytes: LargeFetchFrameTests.fetched(id, records: index < batches.count ? batches[index] : [], highWatermark: 300))
            default: return .init(bytes: [], close: true)
            }
        }
        port.set(broker.port)
        let client = try KafkaClient(configuration: KafkaClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: broker.port)]))
        defer { client.close() }
        var configuration = KafkaConsumerConfiguration()
        configuration.prefetchBytes = prefetchBytes
        configuration.maximumWait = .milliseconds(10)
        let consumer = KafkaConsumer(client: client, assignment: [(topic: "t", partition: 0, start: .offset(0))], configuration: configuration)
        var iterator = consumer.makeAsyncIterator()
        var offsets: [Int64] = []
        offsets.append(try #require(try await iterator.next()).offset)
        // The caller pauses: wait (up to 5 s) for a second Fetch to arrive at the broker.
        let deadline = ContinuousClock.now + .seconds(5)
        while seen.withLock({ $0.count }) < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(200))  // and for any further one (there must be none)
        let whilePaused = seen.withLock { $0 }
        while offsets.count < 300 { offsets.append(try #require(try await iterator.next()).offset) }
        return (whilePaused, offsets)
    }

    @Test func theNextFetchIsSentBeforeTheCallerHasIteratedTheAnswer() async throws {
        let (fetches, offsets) = try await consume(prefetchBytes: 4 << 20)
        #expect(fetches == [0, 100], "one Fetch ahead of the caller, from the offset after the first answer")
        #expect(offsets == (0..<300).map { Int64($0) }, "no offset skipped or repeated")
    }

    @Test func withoutPrefetchTheNextFetchWaitsForTheCaller() async throws {
        let (fetches, offsets) = try await consume(prefetchBytes: 0)
        #expect(fetches == [0])
        #expect(offsets == (0..<300).map { Int64($0) })
    }
}
