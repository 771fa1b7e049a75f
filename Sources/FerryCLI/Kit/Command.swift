/// A `ferry` command: a declaration (name, help, parameters, subcommands), a validating initializer, and `run`.
///
/// The three steps are apart on purpose, as in swift-argument-parser: the kit parses the command line against
/// ``configuration``; ``init(parsing:)`` converts and validates the values (throwing ``UsageError`` for
/// combinations the parser cannot see); only then does ``run(_:)`` touch files, logs or the network.
///
/// To add a command: write a type conforming to `Command`, declare its parameters as static ``Option``,
/// ``Flag`` and ``Argument`` values listed in its configuration, and add the type to its parent's
/// `subcommands`. Help, usage lines and usage errors follow from the declaration.
public protocol Command: Sendable {
    /// What the command is called and accepts; help is generated from it.
    static var configuration: CommandConfiguration { get }
    /// Reads and validates the parsed values. Throws ``UsageError`` to reject a combination.
    init(parsing values: ParsedValues) throws(UsageError)
    /// Does the work. Throw ``CommandError``, ``ExitCode`` or any error with a useful description.
    func run(_ context: CommandContext) async throws
}

/// A command that only groups subcommands. Invoked without one, it prints its help.
public protocol CommandGroup: Command {
    init()
}

extension CommandGroup {
    public init(parsing values: ParsedValues) throws(UsageError) { self.init() }
    public func run(_ context: CommandContext) async throws { context.output.write(context.help) }
}

/// Anything that declares a parameter: ``Option``, ``Flag``, ``Argument``.
public protocol ParameterDeclaration: Sendable {
    /// The untyped declaration the parser and help generator read.
    var spec: ParameterSpec { get }
}

extension Option: ParameterDeclaration {}
extension Flag: ParameterDeclaration {}
extension Argument: ParameterDeclaration {}

/// The declaration of one command.
public struct CommandConfiguration: Sendable {
    /// The word that selects the command on the command line.
    public var name: String
    /// One line: what the command does. Shown first in its help and in its parent's subcommand list.
    public var abstract: String
    /// Longer help: paragraphs separated by blank lines; lines starting with two spaces are kept as written.
    public var discussion: String
    /// Options, flags and positional arguments of this command alone.
    public var parameters: [any ParameterDeclaration]
    /// Options and flags this command and every command below it accept (like an option group).
    public var sharedParameters: [any ParameterDeclaration]
    /// The commands below this one, in help order.
    public var subcommands: [any Command.Type]

    public init(
        name: String, abstract: String, discussion: String = "",
        parameters: [any ParameterDeclaration] = [], sharedParameters: [any ParameterDeclaration] = [],
        subcommands: [any Command.Type] = []
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.parameters = parameters
        self.sharedParameters = sharedParameters
        self.subcommands = subcommands
    }
}

/// What a running command can reach: its standard streams, environment and its own help.
public struct CommandContext: Sendable {
    /// Standard output.
    public let output: OutputChannel
    /// Standard error.
    public let errorOutput: OutputChannel
    /// The process environment.
    public let environment: [String: String]
    /// The words that led to this command, e.g. `["ferry", "log", "dump"]`.
    public let commandPath: [String]
    /// The generated help of this command.
    public let help: String

    public init(
        output: OutputChannel, errorOutput: OutputChannel, environment: [String: String], commandPath: [String],
        help: String
    ) {
        self.output = output
        self.errorOutput = errorOutput
        self.environment = environment
        self.commandPath = commandPath
        self.help = help
    }
}
