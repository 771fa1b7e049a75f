import Events
import StreamLog

/// `ferry produce --topic T [FILE|-]`: CloudEvents (JSON event format, one per line) into the embedded log,
/// as Kafka records in binary (default) or structured content mode, keyed by `partitionkey`.
struct ProduceCommand: Command {
    static let topic = Option<String>(
        "topic", short: "t", valueName: "T", isRequired: true, help: "The topic to append to; it must exist.")
    static let structured = Flag(
        "structured", help: "Carry each event whole as the record value (structured mode) instead of ce_ headers.")
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

                An invalid event stops the command with exit status 3 and names its line; the events \
                before it are appended.
                """,
            parameters: [topic, LogCommand.directory, structured, LogAppendCommand.fsync, file])
    }

    /// Events decoded and appended per round.
    static let batchSize = 1000

    let directory: String
    let topicName: String
    let mode: CloudEventKafkaBinding.ContentMode
    let fsyncPolicy: FsyncPolicy
    let inputPath: String

    init(parsing values: ParsedValues) throws(UsageError) {
        directory = try values.value(of: LogCommand.directory)
        topicName = try values.value(of: Self.topic)
        mode = values.isSet(Self.structured) ? .structured : .binary
        fsyncPolicy = try values.value(of: LogAppendCommand.fsync)
        inputPath = try values.valueIfPresent(of: Self.file) ?? "-"
    }

    func run(_ context: CommandContext) async throws {
        let log = try LogCommand.open(directory, access: .readWrite, fsync: fsyncPolicy, context: context)
        let partitionCount = try LogCommand.partitionCount(of: topicName, in: log)
        let reader = try LineReader(path: inputPath, maxLineBytes: log.configuration.maxRecordBytes)
        var pending: [Int: [StreamRecord]] = [:]
        var pendingCount = 0
        var appended = 0
        var perPartition: [Int: (first: Int64, last: Int64)] = [:]

        func appendPending() throws {
            for partition in pending.keys.sorted() {
                let result = try log.append(pending[partition]!, topic: topicName, partition: partition)
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
                if pendingCount >= Self.batchSize || !reader.hasBufferedLine { try appendPending() }
            }
            try appendPending()
        } catch let CommandError.inputRejected(source, line, reason) {
            try appendPending()  // the events before a rejected line are kept
            try log.close()
            let kept =
                switch appended {
                case 0: ""
                case 1: " (the 1 event before it was appended)"
                default: " (the \(appended) events before it were appended)"
                }
            throw CommandError.inputRejected(source: source, line: line, reason: reason + kept)
        }
        try log.close()
        // A summary for the person at the terminal; stdout stays free for data.
        let ranges = perPartition.keys.sorted().map { p in
            "partition \(p) offsets \(perPartition[p]!.first)-\(perPartition[p]!.last)"
        }
        let noun = appended == 1 ? "event" : "events"
        context.errorOutput.write(
            "produced \(appended) \(noun) to \(topicName) (\(mode == .binary ? "binary" : "structured") mode)"
                + (ranges.isEmpty ? "" : ": " + ranges.joined(separator: ", ")) + "\n")
    }
}
