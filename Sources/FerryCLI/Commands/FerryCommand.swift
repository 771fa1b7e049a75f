/// The `ferry` root command: the entry point of the command line.
///
/// Top-level commands are registered in one place, the `subcommands` list of ``configuration``. Later issues
/// add theirs there, next to `log` and `produce`:
/// - `convert`: turn legacy bytes (MQ frames, copybook records, EDI interchanges) into CloudEvents;
/// - `bridge`: run the configured pipelines between legacy queues and the stream log;
/// - `test`: run mapping test cases (data files) and report differences.
/// Each is one `Command` type in `Sources/FerryCLI/Commands/` plus one entry in that list; help, usage lines
/// and errors come from its declaration.
public struct FerryCommand: Command {
    /// The version `ferry --version` prints.
    public static let version = "0.1.0"

    static let versionFlag = Flag("version", help: "Print the version and exit.")

    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "ferry",
            abstract: "Ferry moves records between legacy integration estates and event streams.",
            discussion: """
                Ferry reads MQ frames, mainframe files and EDI interchanges, turns them into CloudEvents and \
                appends them to a stream log: an embedded log in a directory (the default) or Kafka.

                Exit status: 0 success, 1 runtime failure, 2 usage error, 3 input rejected.
                """,
            parameters: [versionFlag],
            // The one list of top-level commands (see the type's documentation for what joins it).
            subcommands: [
                LogCommand.self, ProduceCommand.self, ConsumeCommand.self, ConvertCommand.self, CopybookCommand.self,
                EDICommand.self, MQCommand.self, QueueCommand.self, TestCommand.self, SchemaCommand.self, BridgeCommand.self,
            ])
    }

    let printsVersion: Bool

    public init(parsing values: ParsedValues) throws(UsageError) {
        printsVersion = values.isSet(Self.versionFlag)
    }

    public func run(_ context: CommandContext) async throws {
        context.output.write(printsVersion ? "ferry \(Self.version)\n" : context.help)
    }

    /// Runs the command line with `arguments` (without the program name) and the process environment and
    /// standard streams; returns the exit status.
    public static func main(arguments: [String]) async -> Int32 {
        await CommandRunner.run(
            FerryCommand.self, arguments: arguments, environment: POSIX.environment(),
            output: .standardOutput, errorOutput: .standardError
        ).rawValue
    }
}
