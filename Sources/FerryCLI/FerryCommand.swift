// Placeholder until the CLI kit lands (issue 2).
/// The `ferry` command line.
public enum FerryCommand {
    /// Runs the command line with the process arguments and returns the exit code.
    public static func main(arguments: [String]) async -> Int32 { 0 }
}
