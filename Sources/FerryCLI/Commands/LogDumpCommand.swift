import StreamLog

/// `ferry log dump <topic>`: every record (or a range) as JSON Lines.
struct LogDumpCommand: Command {
    static let topic = Argument<String>("topic", help: "The topic to read.")
    static let partition = Option<NonNegative>(
        "partition", short: "p", valueName: "P", help: "Only this partition (all partitions when absent).")
    static let fromOffset = Option<NonNegative>(
        "from-offset", valueName: "N",
        help: "Start at offset N in each partition read (the earliest stored when absent or older).")
    static let maxRecords = Option<NonNegative>(
        "max-records", valueName: "N", help: "Stop after N records in total.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "dump",
            abstract: "Print the records of a topic as JSON Lines.",
            discussion: """
                One line per record, partitions in order:
                  {"topic":"t","partition":0,"offset":0,"timestamp":1700000000000,"key":"k",
                   "headers":[["ce_type","x"]],"value":"..."}
                'timestamp' is in milliseconds since the Unix epoch. 'headers' keeps order and duplicates; \
                a header value that is not UTF-8 prints as {"base64":"..."}. A key or value that is not UTF-8 \
                prints as 'key_base64' or 'value_base64'; a missing one as null.
                """,
            parameters: [topic, partition, fromOffset, maxRecords])
    }

    let directory: String
    let topicName: String
    let onlyPartition: Int?
    let startOffset: Int64
    let limit: Int?

    init(parsing values: ParsedValues) throws(UsageError) {
        directory = try values.value(of: LogCommand.directory)
        topicName = try values.value(of: Self.topic)
        onlyPartition = try values.valueIfPresent(of: Self.partition)?.value
        startOffset = Int64(try values.valueIfPresent(of: Self.fromOffset)?.value ?? 0)
        limit = try values.valueIfPresent(of: Self.maxRecords)?.value
    }

    func run(_ context: CommandContext) async throws {
        let (log, close) = try LogCommand.openStreamLog(directory, access: .readOnly, context: context)
        defer { try? close() }
        let count = try await log.partitionCount(of: topicName)
        let partitions = onlyPartition.map { [$0] } ?? Array(0..<count)
        var remaining = limit ?? .max
        for partition in partitions where remaining > 0 {
            let bounds = try await log.offsets(topic: topicName, partition: partition)
            var offset = max(startOffset, bounds.earliest)
            while remaining > 0, offset < bounds.next {
                let records = try await log.read(
                    topic: topicName, partition: partition, from: offset, maxRecords: min(remaining, 1000),
                    maxBytes: 4 << 20)
                guard let last = records.last else { break }
                for record in records { context.output.write(bytes: RecordLine.encode(record)) }
                remaining -= records.count
                offset = last.offset + 1
            }
        }
    }
}
