/// The commands from the root to the one a command line selected, and what that command accepts.
public struct CommandPath: Sendable {
    /// Root first.
    public let commands: [any Command.Type]

    init(_ commands: [any Command.Type]) { self.commands = commands }

    /// The selected command.
    public var leaf: any Command.Type { commands[commands.count - 1] }
    /// The command words, e.g. `["ferry", "log", "dump"]`.
    public var names: [String] { commands.map { $0.configuration.name } }
    /// The words joined with spaces, e.g. `ferry log dump`.
    public var displayName: String { names.joined(separator: " ") }

    /// Options and flags accepted here: the shared ones of every command on the path (root first), then the
    /// selected command's own.
    public var options: [ParameterSpec] {
        var result: [ParameterSpec] = []
        for command in commands {
            result += command.configuration.sharedParameters.map(\.spec).filter { $0.kind != .argument }
        }
        result += leaf.configuration.parameters.map(\.spec).filter { $0.kind != .argument }
        return result
    }

    /// The selected command's positional arguments, in order.
    public var arguments: [ParameterSpec] {
        leaf.configuration.parameters.map(\.spec).filter { $0.kind == .argument }
    }

    /// The selected command's subcommands.
    public var subcommands: [any Command.Type] { leaf.configuration.subcommands }

    func appending(_ command: any Command.Type) -> CommandPath { CommandPath(commands + [command]) }
}
