/// The process exit status of a `ferry` command, typed so every path names its meaning.
///
/// Throwing an `ExitCode` from ``Command/run(_:)`` ends the command with that status without printing anything
/// more (the command has already explained itself).
public enum ExitCode: Int32, Error, Sendable, CaseIterable {
    /// The command did what was asked.
    case success = 0
    /// The command failed at run time (I/O, the log, a broker); the message says why.
    case failure = 1
    /// The command line was malformed; the usage line and a pointer to `--help` follow the message.
    case usageError = 2
    /// The input was read but rejected (for example an invalid CloudEvent); the message names the line.
    case inputRejected = 3
}
