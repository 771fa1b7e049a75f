@testable import FerryCLI
import Testing

/// A small command tree that exercises every parameter form.
private struct Tool: CommandGroup {
    static let verbose = Flag("verbose", short: "v", help: "Say more.")
    static let configuration = CommandConfiguration(
        name: "tool", abstract: "A tool.", sharedParameters: [verbose], subcommands: [Fetch.self, Build.self])
}

private struct Fetch: Command {
    static let count = Option<Int>(
        "count", short: "n", valueName: "N", default: 10, environment: "TOOL_COUNT", help: "How many.")
    static let tag = Option<String>("tag", short: "t", valueName: "T", help: "A tag; repeatable.")
    static let home = Option<String>("home", valueName: "DIR", default: "here", environment: "TOOL_HOME", help: "Home.")
    static let dry = Flag("dry-run", short: "d", help: "Do nothing.")
    static let source = Argument<String>("source", help: "Where from.")
    static let target = Argument<String>("target", isOptional: true, help: "Where to.")
    static let configuration = CommandConfiguration(
        name: "fetch", abstract: "Fetch things.", parameters: [source, target, count, tag, home, dry])

    let values: ParsedValues
    init(parsing values: ParsedValues) throws(UsageError) {
        if try values.value(of: Self.count) == 13 { throw .invalid("13 is unlucky") }
        self.values = values
    }
    func run(_ context: CommandContext) async throws {
        context.output.write("fetched \(try values.value(of: Self.source))\n")
    }
}

private struct Build: Command {
    static let mode = Option<String>("mode", valueName: "M", isRequired: true, help: "Required mode.")
    static let configuration = CommandConfiguration(name: "build", abstract: "Build things.", parameters: [mode])
    init(parsing values: ParsedValues) throws(UsageError) {}
    func run(_ context: CommandContext) async throws { throw CommandError.inputRejected(source: "x", line: 4, reason: "bad") }
}

@Suite struct CommandParserTests {
    func parse(_ words: [String], environment: [String: String] = [:]) throws -> (CommandPath, ParsedValues) {
        switch try CommandParser.parse(words, root: Tool.self, environment: environment) {
        case let .run(path, values): return (path, values)
        case let .help(path): Issue.record("unexpected help for \(path.displayName)"); return (path, ParsedValues())
        }
    }

    func usageError(_ words: [String]) -> UsageError? {
        do {
            _ = try CommandParser.parse(words, root: Tool.self)
            return nil
        } catch { return error.error }
    }

    @Test(arguments: [
        ["fetch", "--count", "5", "a"], ["fetch", "--count=5", "a"], ["fetch", "-n", "5", "a"], ["fetch", "-n5", "a"],
        ["fetch", "a", "-n", "5"],
    ])
    func optionForms(_ words: [String]) throws {
        let (path, values) = try parse(words)
        #expect(path.names == ["tool", "fetch"])
        #expect(try values.value(of: Fetch.count) == 5)
        #expect(try values.value(of: Fetch.source) == "a")
        #expect(try values.valueIfPresent(of: Fetch.target) == nil)
    }

    @Test func defaultsApplyWhenAbsent() throws {
        let (_, values) = try parse(["fetch", "a"])
        #expect(try values.value(of: Fetch.count) == 10)
        #expect(try values.value(of: Fetch.home) == "here")
        #expect(try values.valueIfPresent(of: Fetch.tag) == nil)
        #expect(!values.isSet(Fetch.dry))
        #expect(!values.isGiven(Fetch.count))
    }

    @Test func flagsLongShortBundledAndShared() throws {
        let (_, values) = try parse(["-v", "fetch", "a", "-dv", "--dry-run"])
        #expect(values.count(of: Tool.verbose) == 2)
        #expect(values.count(of: Fetch.dry) == 2)
    }

    @Test func repeatedOptionsKeepEveryValueAndTheLastWins() throws {
        let (_, values) = try parse(["fetch", "a", "--tag", "x", "-t", "y", "--tag=z", "-n", "1", "-n", "2"])
        #expect(try values.values(of: Fetch.tag) == ["x", "y", "z"])
        #expect(try values.value(of: Fetch.tag) == "z")
        #expect(try values.value(of: Fetch.count) == 2)
    }

    @Test func doubleDashEndsOptionsAndDashIsAnArgument() throws {
        let (_, values) = try parse(["fetch", "-", "--", "--count"])
        #expect(try values.value(of: Fetch.source) == "-")
        #expect(try values.value(of: Fetch.target) == "--count")
        #expect(try values.value(of: Fetch.count) == 10)
    }

    @Test func environmentFillsInButTheCommandLineWins() throws {
        let fromEnvironment = try parse(["fetch", "a"], environment: ["TOOL_HOME": "/env"]).1
        #expect(try fromEnvironment.value(of: Fetch.home) == "/env")
        let fromLine = try parse(["fetch", "a", "--home", "/line"], environment: ["TOOL_HOME": "/env"]).1
        #expect(try fromLine.value(of: Fetch.home) == "/line")
    }

    @Test func optionValueMayStartWithADashOnlyInline() throws {
        #expect(usageError(["fetch", "a", "--tag", "-x"]) == .missingValue(option: "--tag"))
        #expect(try parse(["fetch", "a", "--tag=-x"]).1.value(of: Fetch.tag) == "-x")
    }

    @Test(arguments: [
        (["fetch", "a", "--cuont", "1"], UsageError.unknownOption("--cuont", suggestion: "--count")),
        (["fetch", "a", "--zzz"], .unknownOption("--zzz", suggestion: nil)),
        (["fetch", "a", "-q"], .unknownOption("-q", suggestion: nil)),
        (["fetch", "a", "--count"], .missingValue(option: "--count")),
        (["fetch", "a", "-n"], .missingValue(option: "-n")),
        (["fetch", "a", "--count", "ten"], .invalidValue("ten", for: "--count", expected: "an integer")),
        (["fetch", "a", "-n", "1x"], .invalidValue("1x", for: "-n", expected: "an integer")),
        (["fetch", "a", "--dry-run=yes"], .unexpectedValue(flag: "--dry-run", value: "yes")),
        (["fetch"], .missingArgument("<source>")),
        (["fetch", "a", "b", "c"], .unexpectedArgument("c")),
        (["fecth"], .unknownSubcommand("fecth", suggestion: "fetch")),
        (["deploy"], .unknownSubcommand("deploy", suggestion: nil)),
        (["build"], .missingOption("--mode")),
        (["help", "fecth"], .unknownSubcommand("fecth", suggestion: "fetch")),
        (["fetch", "a", "--count", "1", "--verbose", "--count"], .missingValue(option: "--count")),
    ])
    func usageErrors(_ words: [String], _ expected: UsageError) {
        #expect(usageError(words) == expected)
    }

    @Test func environmentValuesAreCheckedAndEmptyOnesIgnored() throws {
        do {
            _ = try CommandParser.parse(["fetch", "a"], root: Tool.self, environment: ["TOOL_COUNT": "ten"])
            Issue.record("expected a usage error")
        } catch {
            #expect(error.error == .invalidValue("ten", for: "environment variable TOOL_COUNT", expected: "an integer"))
        }
        let values = try parse(["fetch", "a"], environment: ["TOOL_COUNT": "", "TOOL_HOME": ""]).1
        #expect(try values.value(of: Fetch.count) == 10)
        #expect(try values.value(of: Fetch.home) == "here")
    }

    @Test(arguments: [
        (["--help"], ["tool"]), (["-h", "fetch"], ["tool"]), (["fetch", "-h"], ["tool", "fetch"]),
        (["fetch", "--count", "x", "--help"], ["tool", "fetch"]), (["help"], ["tool"]),
        (["help", "build"], ["tool", "build"]), (["fetch", "--cuont", "--help"], ["tool", "fetch"]),
        (["fecth", "--help"], ["tool"]),
    ])
    func helpRequests(_ words: [String], _ expectedPath: [String]) throws {
        guard case let .help(path) = try CommandParser.parse(words, root: Tool.self) else {
            Issue.record("expected help")
            return
        }
        #expect(path.names == expectedPath)
    }

    @Test func helpAfterDoubleDashIsAnArgument() throws {
        let (_, values) = try parse(["fetch", "--", "--help"])
        #expect(try values.value(of: Fetch.source) == "--help")
    }

    @Test(arguments: [
        ("dump", ["topics", "create", "dump"], "dump"), ("dmup", ["topics", "dump"], "dump"),
        ("tpoics", ["topics", "dump"], "topics"), ("x", ["topics", "dump"], nil), ("apend", ["append"], "append"),
        ("xyzzy", ["dump"], nil),
    ])
    func suggestions(_ word: String, _ candidates: [String], _ expected: String?) {
        #expect(CommandParser.closest(to: word, in: candidates) == expected)
    }
}

@Suite struct CommandRunnerTests {
    func run(_ words: [String]) async -> (ExitCode, String, String) {
        let output = OutputChannel.capturing()
        let errors = OutputChannel.capturing()
        let code = await CommandRunner.run(
            Tool.self, arguments: words, environment: [:], output: output, errorOutput: errors)
        return (code, output.captured, errors.captured)
    }

    @Test func runsTheSelectedCommand() async {
        let (code, output, errors) = await run(["fetch", "thing"])
        #expect(code == .success)
        #expect(output == "fetched thing\n")
        #expect(errors.isEmpty)
    }

    @Test func usageErrorsPrintMessageUsageAndPointer() async {
        let (code, output, errors) = await run(["fetch", "a", "--cuont", "2"])
        #expect(code == .usageError)
        #expect(output.isEmpty)
        #expect(errors == """
            error: unknown option '--cuont'; did you mean '--count'?
            Usage: tool fetch [--verbose] [--count N] [--tag T] [--home DIR] [--dry-run]
                              <source> [<target>]
            See 'tool fetch --help'.

            """)
    }

    @Test func validationErrorsAreUsageErrors() async {
        let (code, _, errors) = await run(["fetch", "a", "-n", "13"])
        #expect(code == .usageError)
        #expect(errors.hasPrefix("error: 13 is unlucky\nUsage: tool fetch "))
    }

    @Test func rejectedInputExitsThree() async {
        let (code, _, errors) = await run(["build", "--mode", "m"])
        #expect(code == .inputRejected)
        #expect(errors == "error: x:4: bad\n")
    }

    @Test func aGroupWithoutSubcommandPrintsItsHelp() async {
        let (code, output, _) = await run([])
        #expect(code == .success)
        #expect(output == HelpFormatter.help(for: CommandPath([Tool.self])))
    }
}

@Suite struct HelpFormatterTests {
    /// Every command of the real `ferry` tree, depth first.
    static func allPaths(_ path: CommandPath = CommandPath([FerryCommand.self])) -> [CommandPath] {
        [path] + path.subcommands.flatMap { allPaths(path.appending($0)) }
    }

    @Test func everyHelpLineFitsEightyColumns() {
        for path in Self.allPaths() {
            for line in HelpFormatter.help(for: path).split(separator: "\n") {
                #expect(line.count <= 80, "\(path.displayName): \(line)")
            }
        }
    }

    @Test func everyDeclaredParameterAppearsInHelpAndUsage() {
        for path in Self.allPaths() {
            let help = HelpFormatter.help(for: path)
            let usage = HelpFormatter.usage(for: path).split(separator: "\n").joined(separator: " ")
            for spec in path.options + path.arguments {
                #expect(help.contains(spec.helpLabel), "\(path.displayName) help lacks \(spec.helpLabel)")
                #expect(usage.contains(spec.usageToken), "\(path.displayName) usage lacks \(spec.usageToken)")
            }
        }
    }

    @Test func wrapKeepsWordsAndWidth() {
        let text = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
        let lines = HelpFormatter.wrapLines(text, width: 16)
        #expect(lines == ["alpha beta gamma", "delta epsilon", "zeta eta theta", "iota kappa"])
        #expect(HelpFormatter.wrapLines("averyveryverylongword x", width: 5) == ["averyveryverylongword", "x"])
    }

    @Test func listingPutsLongLabelsOnTheirOwnLine() {
        let entry = HelpFormatter.listing(label: String(repeating: "x", count: 30), text: "help")
        #expect(entry == "  " + String(repeating: "x", count: 30) + "\n" + String(repeating: " ", count: 26) + "help\n")
    }
}
