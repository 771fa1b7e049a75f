import Events
import Kafka
import StreamLog

/// `ferry produce --topic T [--to kafka://…] [FILE|-]`: CloudEvents (JSON event format, one per line) into the
/// embedded log or a Kafka cluster, as Kafka records in binary (default) or structured content mode, keyed by
/// `partitionkey`.
struct ProduceCommand: Command {
    static let topic = Option<String>(
        "topic", short: "t", valueName: "T", isRequired: true, help: "The topic to append to; it must exist.")
    static let structured = Flag(
        "structured", help: "Carry each event whole as the record value (structured mode) instead of ce_ headers.")
    static let destination = Option<String>(
        "to", valueName: "URL",
        help: "A Kafka cluster, kafka://host:port[,host:port…], instead of the embedded log (--log).")
    static let file = Argument<String>(
        "file", isOptional: true,
        help: "CloudEvents in JSON format, one per line; '-' or absent reads standard input.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "produce",
            abstract: "Append CloudEvents (JSON Lines) to a topic of the log.",
            discussion: """
                Each non-blank line is one CloudEvent in the JSON event format. Events become Kafka records \
                as in the CloudEvents Kafka protocol binding: in binary mode (the default) the attributes \
                become ce_ headers and the data the value; with --structured the whole event is the value. \
                The record key is the 'partitionkey' extension, which picks the partition as Kafka's default \
                partitioner does; events without one go to partition 0. The timestamp is the event's 'time', \
                else the current time.

                With --to kafka://… the events go to that Kafka cluster instead, through Ferry's idempotent \
                producer (acks=all); the topic must exist there.

                An invalid event stops the command with exit status 3 and names its line; the events \
                before it are appended.
                """,
            parameters: [topic, LogCommand.directory, destination, structured, LogAppendCommand.fsync, file])
    }

    /// Events decoded and appended per round.
    static let batchSize = 1000

    let directory: String
    let topicName: String
    let mode: CloudEventKafkaBinding.ContentMode
    let fsyncPolicy: FsyncPolicy
    let inputPath: String
    let kafkaURL: String?

    init(parsing values: ParsedValues) throws(UsageError) {
        directory = try values.value(of: LogCommand.directory)
        // `--log kafka://…` means the same as `--to kafka://…` (never a directory named "kafka:").
        kafkaURL = try values.valueIfPresent(of: Self.destination)
            ?? (LogCommand.isKafkaURL(directory) ? directory : nil)
        topicName = try values.value(of: Self.topic)
        mode = values.isSet(Self.structured) ? .structured : .binary
        fsyncPolicy = try values.value(of: LogAppendCommand.fsync)
        inputPath = try values.valueIfPresent(of: Self.file) ?? "-"
    }

    func run(_ context: CommandContext) async throws {
        if let kafkaURL {
            let log = try KafkaStreamLog(url: kafkaURL)
            defer { log.close() }
            let partitionCount = try await log.partitionCount(of: topicName)
            try await produce(context, partitionCount: partitionCount, maxLineBytes: 16 << 20, close: {}) {
                records, partition in try await log.append(records, topic: topicName, partition: partition)
            }
            return
        }
        let log = try LogCommand.open(directory, access: .readWrite, fsync: fsyncPolicy, context: context)
        let partitionCount = try LogCommand.partitionCount(of: topicName, in: log)
        try await produce(
            context, partitionCount: partitionCount, maxLineBytes: log.configuration.maxRecordBytes,
            close: { try log.close() }
        ) { records, partition in try log.append(records, topic: topicName, partition: partition) }
    }

    /// Reads, converts and appends the events through `append`, then calls `close`.
    private func produce(
        _ context: CommandContext, partitionCount: Int, maxLineBytes: Int, close: () throws -> Void,
        append: ([StreamRecord], Int) async throws -> AppendResult
    ) async throws {
        let reader = try LineReader(path: inputPath, maxLineBytes: maxLineBytes)
        var pending: [Int: [StreamRecord]] = [:]
        var pendingCount = 0
        var appended = 0
        var perPartition: [Int: (first: Int64, last: Int64)] = [:]

        func appendPending() async throws {
            for partition in pending.keys.sorted() {
                let result = try await append(pending[partition] ?? [], partition)
                guard result.count > 0 else { continue }
                let first = perPartition[partition]?.first ?? result.baseOffset
                perPartition[partition] = (first, result.lastOffset)
            }
            appended += pendingCount
            pending.removeAll(keepingCapacity: true)
            pendingCount = 0
        }

        do {
            while let line = try reader.nextLine() {
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                let record: StreamRecord
                do throws(CloudEventError) {
                    let event = try CloudEventJSONFormat.decode(line)
                    record = try CloudEventKafkaBinding.encode(
                        event, mode: mode, fallbackTimestamp: POSIX.currentTimeMilliseconds())
                } catch {
                    throw CommandError.inputRejected(
                        source: reader.source, line: reader.lineNumber, reason: error.description)
                }
                let partition = record.key.map {
                    KafkaPartitioner.partition(forKey: $0, partitionCount: partitionCount)
                } ?? 0
                pending[partition, default: []].append(record)
                pendingCount += 1
                if pendingCount >= Self.batchSize || !reader.hasBufferedLine { try await appendPending() }
            }
            try await appendPending()
        } catch let CommandError.inputRejected(source, line, reason) {
            try await appendPending()  // the events before a rejected line are kept
            try close()
            let kept =
                switch appended {
                case 0: ""
                case 1: " (the 1 event before it was appended)"
                default: " (the \(appended) events before it were appended)"
                }
            throw CommandError.inputRejected(source: source, line: line, reason: reason + kept)
        }
        try close()
        // A summary for the person at the terminal; stdout stays free for data.
        let ranges = perPartition.keys.sorted().map { p in
            "partition \(p) offsets \(perPartition[p]?.first ?? -1)-\(perPartition[p]?.last ?? -1)"
        }
        let noun = appended == 1 ? "event" : "events"
        context.errorOutput.write(
            "produced \(appended) \(noun) to \(topicName) (\(mode == .binary ? "binary" : "structured") mode)"
                + (ranges.isEmpty ? "" : ": " + ranges.joined(separator: ", ")) + "\n")
    }
}
