import StreamLog

/// `ferry log append <topic> [FILE|-]`: one record per input line.
struct LogAppendCommand: Command {
    static let topic = Argument<String>("topic", help: "The topic to append to; it must exist.")
    static let file = Argument<String>(
        "file", isOptional: true, help: "Input file, one record value per line; '-' or absent reads standard input.")
    static let partition = Option<NonNegative>(
        "partition", short: "p", valueName: "P", help: "Append to this partition (0 when neither this nor --key).")
    static let key = Option<String>(
        "key", short: "k", valueName: "K",
        help: "Give every record key K; the partition follows from it as in Kafka's default partitioner.")
    static let fsync = Option<FsyncPolicy>(
        "fsync", valueName: "POLICY", default: .interval(.seconds(1)),
        help: "When appended records are forced to disk: always, interval[:<n>ms|s] or never.")
    static let batchSize = Option<Positive>(
        "batch-size", valueName: "N", default: Positive(1000), help: "Records per append, at most.")
    static let acks = Flag(
        "acks", help: #"Print {"partition":P,"offset":O} per record once its batch append has returned."#)

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "append",
            abstract: "Append one record per input line to a topic.",
            discussion: """
                Each line (without its newline) becomes a record value, stamped with the current time. Lines \
                are appended in batches of at most --batch-size, and a batch is also appended as soon as no \
                further whole line is waiting, so slow input is not held back. With --acks, a record's \
                acknowledgement is printed and flushed only after the append of its batch returned, i.e. once \
                the record is durable as --fsync promises.
                """,
            parameters: [topic, file, partition, key, fsync, batchSize, acks])
    }

    let directory: String
    let topicName: String
    let inputPath: String
    let fixedPartition: Int?
    let recordKey: [UInt8]?
    let fsyncPolicy: FsyncPolicy
    let batchLimit: Int
    let printsAcks: Bool

    init(parsing values: ParsedValues) throws(UsageError) {
        if values.isGiven(Self.partition), values.isGiven(Self.key) {
            throw .invalid("options '--partition' and '--key' cannot be used together")
        }
        directory = try values.value(of: LogCommand.directory)
        try LogCommand.requireDirectory(directory, command: "append", instead: "'ferry produce --to URL'")
        topicName = try values.value(of: Self.topic)
        inputPath = try values.valueIfPresent(of: Self.file) ?? "-"
        fixedPartition = try values.valueIfPresent(of: Self.partition)?.value
        recordKey = try values.valueIfPresent(of: Self.key).map { Array($0.utf8) }
        fsyncPolicy = try values.value(of: Self.fsync)
        batchLimit = try values.value(of: Self.batchSize).value
        printsAcks = values.isSet(Self.acks)
    }

    func run(_ context: CommandContext) async throws {
        let log = try LogCommand.open(directory, access: .readWrite, fsync: fsyncPolicy, context: context)
        let partitionCount = try LogCommand.partitionCount(of: topicName, in: log)
        let partition =
            recordKey.map { KafkaPartitioner.partition(forKey: $0, partitionCount: partitionCount) }
            ?? fixedPartition ?? 0
        guard partition < partitionCount else {
            throw StreamLogError.unknownPartition(
                topic: topicName, partition: partition, partitionCount: partitionCount)
        }
        let reader = try LineReader(path: inputPath, maxLineBytes: log.configuration.maxRecordBytes)
        var batch: [StreamRecord] = []
        batch.reserveCapacity(min(batchLimit, 10_000))

        func appendBatch() throws {
            guard !batch.isEmpty else { return }
            let result = try log.append(batch, topic: topicName, partition: partition)
            batch.removeAll(keepingCapacity: true)
            guard printsAcks else { return }
            for offset in result.baseOffset...result.lastOffset {
                context.output.write(#"{"partition":\#(result.partition),"offset":\#(offset)}"# + "\n")
            }
            context.output.flush()
        }

        do {
            while let line = try reader.nextLine() {
                batch.append(StreamRecord(key: recordKey, value: line, timestamp: POSIX.currentTimeMilliseconds()))
                if batch.count >= batchLimit || !reader.hasBufferedLine { try appendBatch() }
            }
            try appendBatch()
        } catch let error as CommandError {
            try appendBatch()  // the lines before a rejected one are kept
            try log.close()
            throw error
        }
        try log.close()
    }
}
