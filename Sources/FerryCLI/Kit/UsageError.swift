/// Why a command line could not be turned into a command to run. Printed as `error: <description>`, then the
/// command's usage line, then a pointer to its help; the process exits with ``ExitCode/usageError``.
public enum UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option the command does not declare, with the closest declared one when there is a near match.
    case unknownOption(String, suggestion: String?)
    /// An option that takes a value came last or was followed by another option.
    case missingValue(option: String)
    /// A flag was given a value with `--flag=value`.
    case unexpectedValue(flag: String, value: String)
    /// A required positional argument was not given.
    case missingArgument(String)
    /// A required option was not given.
    case missingOption(String)
    /// More positional arguments than the command declares.
    case unexpectedArgument(String)
    /// A value did not convert: the offending text, where it came from (option, argument or environment
    /// variable), and what was expected.
    case invalidValue(String, for: String, expected: String)
    /// A word where a subcommand was expected, with the closest subcommand when there is a near match.
    case unknownSubcommand(String, suggestion: String?)
    /// A command's own validation rejected the combination of values.
    case invalid(String)

    public var description: String {
        switch self {
        case let .unknownOption(option, suggestion):
            "unknown option '\(option)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case let .missingValue(option): "missing value for option '\(option)'"
        case let .unexpectedValue(flag, value): "flag '\(flag)' takes no value (got '\(value)')"
        case let .missingArgument(name): "missing argument '\(name)'"
        case let .missingOption(name): "missing option '\(name)'"
        case let .unexpectedArgument(argument): "unexpected argument '\(argument)'"
        case let .invalidValue(value, source, expected):
            "invalid value '\(value)' for \(source): expected \(expected)"
        case let .unknownSubcommand(word, suggestion):
            "unknown subcommand '\(word)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case let .invalid(message): message
        }
    }
}

/// Why a command failed at run time in the CLI layer itself (files, standard streams, input lines).
/// Errors from the log or the events layer are reported with their own descriptions.
public enum CommandError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call on a file or stream failed.
    case io(operation: String, path: String, reason: String)
    /// One input line was rejected; the command stops at it. `source` is the file name or `<stdin>`,
    /// `line` counts from 1.
    case inputRejected(source: String, line: Int, reason: String)

    /// The exit status this error ends the process with.
    public var exitCode: ExitCode {
        switch self {
        case .io: .failure
        case .inputRejected: .inputRejected
        }
    }

    public var description: String {
        switch self {
        case let .io(operation, path, reason): "cannot \(operation) \(path): \(reason)"
        case let .inputRejected(source, line, reason): "\(source):\(line): \(reason)"
        }
    }
}
