import StreamLog

/// `ferry log tail <topic> [-n N] [--follow]`: the newest records of each partition, then (optionally) new
/// ones as they arrive.
struct LogTailCommand: Command {
    static let topic = Argument<String>("topic", help: "The topic to read.")
    static let lines = Option<NonNegative>(
        "lines", short: "n", valueName: "N", default: NonNegative(10), help: "How many records per partition.")
    static let follow = Flag(
        "follow", short: "f", help: "Keep printing new records until interrupted (SIGINT or SIGTERM), then exit 0.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "tail",
            abstract: "Print the newest records; optionally follow new ones.",
            discussion: """
                Prints the last N records of each partition in partition order, in the format of \
                'ferry log dump'. With --follow it then polls the log about every 200 ms and prints records \
                as writers make them visible.
                """,
            parameters: [topic, lines, follow])
    }

    /// How long --follow waits between polls.
    static let pollInterval = Duration.milliseconds(200)

    let directory: String
    let topicName: String
    let count: Int
    let follows: Bool

    init(parsing values: ParsedValues) throws(UsageError) {
        directory = try values.value(of: LogCommand.directory)
        try LogCommand.requireDirectory(directory, command: "tail", instead: "'ferry consume --from URL'")
        topicName = try values.value(of: Self.topic)
        count = try values.value(of: Self.lines).value
        follows = values.isSet(Self.follow)
    }

    func run(_ context: CommandContext) async throws {
        if follows { StopSignal.install() }
        let log = try LogCommand.open(directory, access: .readOnly, context: context)
        defer { try? log.close() }
        let partitionCount = try LogCommand.partitionCount(of: topicName, in: log)
        var positions: [Int64] = []
        for partition in 0..<partitionCount {
            let bounds = try log.offsets(topic: topicName, partition: partition)
            let start = max(bounds.earliest, bounds.next - Int64(count))
            positions.append(try printRecords(of: partition, from: start, to: bounds.next, log: log, context))
        }
        context.output.flush()
        guard follows else { return }
        while !StopSignal.isRequested {
            try? await Task.sleep(for: Self.pollInterval)
            for partition in 0..<partitionCount where !StopSignal.isRequested {
                let next = try log.offsets(topic: topicName, partition: partition).next
                positions[partition] = try printRecords(
                    of: partition, from: positions[partition], to: next, log: log, context)
            }
            context.output.flush()
        }
    }

    /// Prints the records of one partition in `from..<to`; returns the offset after the last printed.
    private func printRecords(
        of partition: Int, from start: Int64, to end: Int64, log: LocalLog, _ context: CommandContext
    ) throws -> Int64 {
        var offset = start
        while offset < end {
            let records = try log.read(
                topic: topicName, partition: partition, from: offset, maxRecords: Int(min(end - offset, 1000)),
                maxBytes: 4 << 20)
            guard let last = records.last else { break }
            for record in records where record.offset < end { context.output.write(bytes: RecordLine.encode(record)) }
            offset = min(last.offset + 1, end)
        }
        return offset
    }
}
