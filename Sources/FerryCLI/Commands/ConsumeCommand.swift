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
        "from-beginning", help: "Start at the earliest offset (default: the group's committed offset, else the end).")
    static let group = Option<String>(
        "group", short: "g", valueName: "G",
        help: "A consumer group: start at its committed offsets and commit what was printed on exit.")
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
                With --group the offsets after the printed records are committed for that group on exit \
                (the group's members are not coordinated: partitions are assigned manually).
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
        let partitions = try await client.topicMetadata(topicName).partitionCount
        var positions: [Int64] = []
        for partition in 0..<partitions {
            if !startsAtBeginning, let groupName,
                let committed = try await client.committedOffset(group: groupName, topic: topicName, partition: partition)
            {
                positions.append(committed)
            } else {
                let start = startsAtBeginning ? ListOffsetsRequest.earliest : ListOffsetsRequest.latest
                positions.append(try await client.listOffset(topic: topicName, partition: partition, timestamp: start))
            }
        }
        let started = positions
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
        if let groupName {
            for partition in 0..<partitions where positions[partition] != started[partition] {
                try await client.commit(group: groupName, topic: topicName, partition: partition, offset: positions[partition])
            }
        }
    }
}
