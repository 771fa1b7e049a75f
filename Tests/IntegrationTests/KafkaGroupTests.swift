import Kafka
import StreamLog
import Testing

/// Two Ferry group members against tansu: they split the partitions (range assignor) and one takes over
/// when the other leaves, resuming from what the other committed.
@Suite("Ferry consumer group against tansu (real broker from scripts/test)", .serialized)
struct KafkaGroupTests {
    static func configuration(group: String, topic: String) -> KafkaGroupConsumerConfiguration {
        var configuration = KafkaGroupConsumerConfiguration(group: group, topics: [topic])
        configuration.sessionTimeout = .seconds(2)  // tansu completes a join after about half of it
        configuration.heartbeatInterval = .milliseconds(500)
        configuration.rebalanceTimeout = .seconds(4)
        return configuration
    }

    /// Heartbeats `member` until the coordinator says a rebalance started, then rejoins.
    static func rejoinAfterRebalance(_ member: KafkaGroupConsumer) async throws -> [String: [Int32]] {
        let deadline = ContinuousClock.now + .seconds(20)
        while try await member.heartbeat() {
            try #require(ContinuousClock.now < deadline, "no rebalance was signalled")
            try await Task.sleep(for: .milliseconds(200))
        }
        return try await member.join()
    }

    @Test func twoMembersSplitPartitionsAndOneTakesOverWhenTheOtherLeaves() async throws {
        let client = try KafkaClientTests.client()
        defer { client.close() }
        let topic = KafkaClientTests.uniqueTopic("group")
        let group = "ferry-group-\(topic)"
        try await client.createTopic(topic, partitions: 4)
        let producer = try KafkaProducer(client: client)
        for partition in 0..<4 {
            let records = (0..<10).map { StreamRecord(key: nil, value: Array("p\(partition)-\($0)".utf8), timestamp: Int64($0)) }
            _ = try await producer.send(batch: records, topic: topic, partition: partition)
        }

        let first = try KafkaGroupConsumer(client: client, configuration: Self.configuration(group: group, topic: topic))
        let alone = try await first.join()
        #expect(alone == [topic: [0, 1, 2, 3]])

        let secondClient = try KafkaClientTests.client()
        defer { secondClient.close() }
        let second = try KafkaGroupConsumer(client: secondClient, configuration: Self.configuration(group: group, topic: topic))
        async let secondJoined = second.join()
        let firstAgain = try await Self.rejoinAfterRebalance(first)
        let secondAssignment = try await secondJoined
        let firstPartitions = Set(firstAgain[topic] ?? [])
        let secondPartitions = Set(secondAssignment[topic] ?? [])
        #expect(firstPartitions.count == 2 && secondPartitions.count == 2, "\(firstAgain) / \(secondAssignment)")
        #expect(firstPartitions.isDisjoint(with: secondPartitions))
        #expect(firstPartitions.union(secondPartitions) == [0, 1, 2, 3])
        #expect(first.generation.generationID == second.generation.generationID)

        // The second member processes 3 records of each of its partitions, commits and leaves.
        var processed: [Int: Int] = [:]
        for try await record in second {
            guard processed[record.partition, default: 0] < 3 else {
                if processed.values.reduce(0, +) == 6 { break }
                continue
            }
            processed[record.partition, default: 0] += 1
            second.markProcessed(record)
            if processed.values.reduce(0, +) == 6 { break }
        }
        await second.close()
        for partition in secondPartitions {
            #expect(try await client.committedOffset(group: group, topic: topic, partition: Int(partition)) == 3)
        }

        // The first member takes over everything and resumes the second's partitions after its commits.
        let takeover = try await Self.rejoinAfterRebalance(first)
        #expect(takeover == [topic: [0, 1, 2, 3]])
        var seen: [String: Int64] = [:]
        for try await record in first {
            seen[String(decoding: record.record.value ?? [], as: UTF8.self)] = record.offset
            first.markProcessed(record)
            if seen.count == 2 * 10 + 2 * 7 { break }
        }
        for partition in 0..<4 {
            let start = secondPartitions.contains(Int32(partition)) ? 3 : 0
            for index in 0..<10 {
                #expect((seen["p\(partition)-\(index)"] != nil) == (index >= start), "p\(partition)-\(index)")
            }
        }
        await first.close()
    }
}
