import Kafka
public import StreamLog

/// `ferry log`: inspect and write the embedded LocalLog directly.
struct LogCommand: CommandGroup {
    /// `--log DIR`, accepted by every `log` subcommand.
    static let directory = Option<String>(
        "log", valueName: "DIR", default: "ferry-data/log", environment: "FERRY_LOG_DIR",
        help: "The log directory, or a Kafka cluster kafka://host:port[,host:port…] (topics, create, dump).")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "log",
            abstract: "Inspect and write the embedded stream log.",
            discussion: """
                Works on the LocalLog in a directory. Reading commands open it read-only, beside a running \
                writer; writing commands take the directory's lock. Records print as JSON Lines: bytes that are \
                valid UTF-8 print as a string, other bytes as base64 in a field with a '_base64' suffix.
                """,
            sharedParameters: [directory],
            subcommands: [
                LogTopicsCommand.self, LogCreateCommand.self, LogDumpCommand.self, LogTailCommand.self,
                LogAppendCommand.self, LogApplyCommand.self,
            ])
    }

    /// Opens the log, reporting anything recovery repaired on standard error.
    static func open(
        _ directory: String, access: LocalLogConfiguration.Access, fsync: FsyncPolicy = .interval(.seconds(1)),
        context: CommandContext
    ) throws(StreamLogError) -> LocalLog {
        let log = try LocalLog(LocalLogConfiguration(directory: directory, access: access, fsync: fsync))
        for note in log.recoveryNotes { context.errorOutput.write("warning: \(note)\n") }
        return log
    }

    /// A log named by `--log`: the LocalLog in a directory, or the Kafka cluster of a `kafka://` URL, with the
    /// way to close it.
    static func openStreamLog(
        _ location: String, access: LocalLogConfiguration.Access, context: CommandContext
    ) throws -> (log: any StreamLog, close: () throws -> Void) {
        if isKafkaURL(location) {
            let log = try KafkaStreamLog(url: location)
            return (log, { log.close() })
        }
        let log = try open(location, access: access, context: context)
        return (log, { try log.close() })
    }

    /// Whether `--log` names a Kafka cluster rather than a directory.
    static func isKafkaURL(_ location: String) -> Bool { location.hasPrefix("kafka://") }

    /// Refuses a Kafka URL for a subcommand that works on the embedded log only.
    static func requireDirectory(_ location: String, command: String, instead: String) throws(UsageError) {
        guard !isKafkaURL(location) else {
            throw .invalid("'ferry log \(command)' works on the embedded log only; for Kafka use \(instead)")
        }
    }

    /// The partition count of `topic`, or ``StreamLogError/unknownTopic(_:)``.
    static func partitionCount(of topic: String, in log: LocalLog) throws(StreamLogError) -> Int {
        guard let found = try log.topics().first(where: { $0.name == topic }) else { throw .unknownTopic(topic) }
        return found.partitionCount
    }
}

extension FsyncPolicy: ArgumentValue {
    public init?(argument: String) { self.init(parsing: argument) }
    public static var expectation: String { "always, never, interval or interval:<n>ms|s" }
    public var argumentText: String { self == .interval(.seconds(1)) ? "interval" : description }
}
