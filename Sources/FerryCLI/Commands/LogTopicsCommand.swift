import StreamLog

/// `ferry log topics`: one JSON line per topic with its partitions' offsets.
struct LogTopicsCommand: Command {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "topics",
            abstract: "List topics and their partition offsets as JSON Lines.",
            discussion: """
                One line per topic, sorted by name:
                  {"name":"claims","partitions":2,
                   "offsets":[{"partition":0,"earliest":0,"next":5},...]}
                'earliest' is the first offset still stored; 'next' is the offset the next record gets.
                """)
    }

    let directory: String

    init(parsing values: ParsedValues) throws(UsageError) {
        directory = try values.value(of: LogCommand.directory)
    }

    func run(_ context: CommandContext) async throws {
        let (log, close) = try LogCommand.openStreamLog(directory, access: .readOnly, context: context)
        defer { try? close() }
        for topic in try await log.topics() {
            var offsets: [UInt8] = [UInt8(ascii: "[")]
            for partition in 0..<topic.partitionCount {
                let bounds = try await log.offsets(topic: topic.name, partition: partition)
                var entry = JSONLine()
                entry.field("partition", partition)
                entry.field("earliest", bounds.earliest)
                entry.field("next", bounds.next)
                if partition > 0 { offsets.append(UInt8(ascii: ",")) }
                offsets += entry.finish().dropLast()
            }
            offsets.append(UInt8(ascii: "]"))
            var line = JSONLine()
            line.field("name", topic.name)
            line.field("partitions", topic.partitionCount)
            line.field("offsets", json: offsets)
            context.output.write(bytes: line.finish())
        }
    }
}
