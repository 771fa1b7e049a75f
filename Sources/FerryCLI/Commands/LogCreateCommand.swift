import StreamLog

/// `ferry log create <topic> [--partitions N]`.
struct LogCreateCommand: Command {
    static let topic = Argument<String>("topic", help: "The topic to create: 1-249 of [a-zA-Z0-9._-].")
    static let partitions = Option<Positive>(
        "partitions", short: "p", valueName: "N", default: Positive(1), help: "How many partitions it has.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "create",
            abstract: "Create a topic.",
            discussion: """
                Succeeds without change when the topic already exists with the same partition count, and \
                fails when it exists with another.
                """,
            parameters: [topic, partitions])
    }

    let directory: String
    let topicName: String
    let partitionCount: Int

    init(parsing values: ParsedValues) throws(UsageError) {
        directory = try values.value(of: LogCommand.directory)
        topicName = try values.value(of: Self.topic)
        partitionCount = try values.value(of: Self.partitions).value
    }

    func run(_ context: CommandContext) async throws {
        let (log, close) = try LogCommand.openStreamLog(directory, access: .readWrite, context: context)
        do {
            try await log.createTopic(topicName, partitions: partitionCount)
        } catch {
            try? close()
            throw error
        }
        try close()
    }
}
