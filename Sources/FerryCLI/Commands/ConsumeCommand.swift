import Kafka
import StreamLog

/// `ferry consume --from kafka://… --topic T [--from-beginning] [--group G] [--max N]`: records of every
/// partition of a Kafka topic as JSON Lines, in the format of `ferry log dump`.
struct ConsumeCommand: Command {
    static let source = Option<String>(
        "from", valueName: "URL", environment: "FERRY_KAFKA_URL", isRequired: true,
        help: "The Kafka cluster, kafka://host:port[,host:port…].")
    static let topic = Option<String>("topic", short: "t", valueName: "T", isRequired: true, help: "The topic to read.")
    static let fromBeginning = Flag(
        "from-beginning",
        help: "Start at the earliest offset (with --group: where the group has committed nothing; default: the end).")
    static let group = Option<String>(
        "group", short: "g", valueName: "G",
        help: "Join consumer group G: read the partitions it assigns, from its commits; commit what was printed.")
    static let maximum = Option<NonNegative>(
        "max", valueName: "N", help: "Stop after N records (default: run until SIGINT or SIGTERM).")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "consume",
            abstract: "Print the records of a Kafka topic as JSON Lines.",
            discussion: """
                Reads every partition of the topic, in turn, and prints each record as one JSON line \
                (topic, partition, offset, timestamp, key, headers, value; bytes that are not UTF-8 as base64). \
                Runs until --max records were printed or until interrupted (SIGINT or SIGTERM), then exits 0. \
                With --group the command joins that consumer group as one member (JoinGroup/SyncGroup, range \
                assignment, heartbeats, rebalances when members come and go): it reads only the partitions the \
                group gives it, each from the group's committed offset, and on exit commits the offsets after \
                the printed records and leaves the group.
                """,
            parameters: [source, topic, fromBeginning, group, maximum])
    }

    let url: String
    let topicName: String
    let startsAtBeginning: Bool
    let groupName: String?
    let limit: Int?

    init(parsing values: ParsedValues) throws(UsageError) {
        url = try values.value(of: Self.source)
        topicName = try values.value(of: Self.topic)
        startsAtBeginning = values.isSet(Self.fromBeginning)
        groupName = try values.valueIfPresent(of: Self.group)
        limit = try values.valueIfPresent(of: Self.maximum)?.value
    }

    func run(_ context: CommandContext) async throws {
        StopSignal.install()
        let client = try KafkaClient(configuration: KafkaClientConfiguration(url: url))
        defer { client.close() }
        if let groupName {
            try await consumeAsGroupMember(of: groupName, client: client, context: context)
            return
        }
        let partitions = try await client.topicMetadata(topicName).partitionCount
        var positions: [Int64] = []
        for partition in 0..<partitions {
            let start = startsAtBeginning ? ListOffsetsRequest.earliest : ListOffsetsRequest.latest
            positions.append(try await client.listOffset(topic: topicName, partition: partition, timestamp: start))
        }
        var printed = 0
        reading: while !StopSignal.isRequested {
            for partition in 0..<partitions where !StopSignal.isRequested {
                let fetched = try await client.fetch(
                    topic: topicName, partition: partition, offset: positions[partition], maximumBytes: 1 << 20,
                    maximumWait: .milliseconds(200))
                for record in fetched.records {
                    if let limit, printed >= limit { break reading }
                    context.output.write(
                        bytes: RecordLine.encode(
                            StoredRecord(topic: topicName, partition: partition, offset: record.offset, record: record.record)))
                    positions[partition] = record.offset + 1
                    printed += 1
                }
                context.output.flush()
            }
            if let limit, printed >= limit { break }
        }
        context.output.flush()
    }

    /// `--group`: one member of the consumer group (``KafkaGroupConsumer``). Each printed record is marked
    /// processed; on SIGINT/SIGTERM or after `--max` records the reader stops, then `close()` commits the marks
    /// and leaves the group, so the other members take its partitions at once.
    private func consumeAsGroupMember(of groupName: String, client: KafkaClient, context: CommandContext) async throws {
        _ = try await client.topicMetadata(topicName)  // an unknown topic fails here, as without --group
        var configuration = KafkaGroupConsumerConfiguration(group: groupName, topics: [topicName])
        configuration.startWithoutCommit = startsAtBeginning ? .earliest : .latest
        let consumer = try KafkaGroupConsumer(client: client, configuration: configuration)
        let limit = self.limit
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var printed = 0
                if let limit, limit == 0 { return }
                do {
                    for try await record in consumer {
                        context.output.write(bytes: RecordLine.encode(record))
                        context.output.flush()
                        consumer.markProcessed(record)
                        printed += 1
                        if let limit, printed >= limit { return }
                    }
                } catch let error where Task.isCancelled {
                    _ = error  // the stop interrupted a request: not a failure
                }
            }
            group.addTask {
                while !StopSignal.isRequested && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(100)) }
            }
            // Whichever ends first (the reader at --max or on an error, or the stop request) ends the other.
            defer { group.cancelAll() }
            try await group.next()
            group.cancelAll()
            try await group.waitForAll()
        }
        await consumer.close()
    }
}
