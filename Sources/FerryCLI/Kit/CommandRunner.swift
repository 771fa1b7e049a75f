/// Parses, validates and runs a command tree, turning every outcome into an ``ExitCode``.
///
/// - help: printed on standard output, exit 0;
/// - usage errors (from parsing or validation): `error: <message>`, the usage line and
///   `See '<command> --help'.` on standard error, exit 2;
/// - ``CommandError``: `error: <message>` on standard error, with its exit code (1, or 3 for rejected input);
/// - any other error: `error: <description>` on standard error, exit 1.
public enum CommandRunner {
    /// Runs `arguments` (without the program name) against `root`.
    public static func run(
        _ root: any Command.Type, arguments: [String], environment: [String: String],
        output: OutputChannel, errorOutput: OutputChannel
    ) async -> ExitCode {
        defer {
            output.flush()
            errorOutput.flush()
        }
        let outcome: ParseOutcome
        do {
            outcome = try CommandParser.parse(arguments, root: root, environment: environment)
        } catch {
            reportUsage(error.error, path: error.path, to: errorOutput)
            return .usageError
        }
        switch outcome {
        case let .help(path):
            output.write(HelpFormatter.help(for: path))
            return .success
        case let .run(path, values):
            let command: any Command
            do {
                command = try path.leaf.init(parsing: values)
            } catch {
                reportUsage(error, path: path, to: errorOutput)
                return .usageError
            }
            let context = CommandContext(
                output: output, errorOutput: errorOutput, environment: environment, commandPath: path.names,
                help: HelpFormatter.help(for: path))
            do {
                try await command.run(context)
                return .success
            } catch let exit as ExitCode {
                return exit
            } catch let usage as UsageError {
                output.flush()
                reportUsage(usage, path: path, to: errorOutput)
                return .usageError
            } catch let failure as CommandError {
                output.flush()
                errorOutput.write("error: \(failure)\n")
                return failure.exitCode
            } catch {
                output.flush()
                errorOutput.write("error: \(error)\n")
                return .failure
            }
        }
    }

    static func reportUsage(_ error: UsageError, path: CommandPath, to errorOutput: OutputChannel) {
        errorOutput.write(
            "error: \(error)\n" + HelpFormatter.usage(for: path) + HelpFormatter.helpPointer(for: path))
    }
}
