import Foundation
import Testing

/// Help and usage errors are interface: the built binary's exact output is compared with files in
/// `Golden/`. After an intended change, regenerate them with `FERRY_UPDATE_GOLDEN=1 swift test --filter
/// HelpGoldenTests` and review the diff.
@Suite struct HelpGoldenTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var golden: String
        var arguments: [String]
        var status: Int32
        /// Whether the golden text is standard error (usage errors) rather than standard output (help).
        var onStandardError: Bool
        var testDescription: String { "ferry " + arguments.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(golden: "ferry-help.txt", arguments: ["--help"], status: 0, onStandardError: false),
        Case(golden: "log-help.txt", arguments: ["log", "--help"], status: 0, onStandardError: false),
        Case(golden: "log-append-help.txt", arguments: ["log", "append", "-h"], status: 0, onStandardError: false),
        Case(golden: "produce-help.txt", arguments: ["help", "produce"], status: 0, onStandardError: false),
        Case(golden: "convert-x12-help.txt", arguments: ["convert", "x12", "--help"], status: 0, onStandardError: false),
        Case(golden: "queue-help.txt", arguments: ["queue", "--help"], status: 0, onStandardError: false),
        Case(golden: "queue-send-help.txt", arguments: ["queue", "send", "--help"], status: 0, onStandardError: false),
        Case(golden: "convert-help.txt", arguments: ["convert", "--help"], status: 0, onStandardError: false),
        Case(golden: "test-help.txt", arguments: ["test", "--help"], status: 0, onStandardError: false),
        Case(golden: "usage-unknown-option.txt", arguments: ["log", "dump", "claims", "--partiton", "1"], status: 2,
            onStandardError: true),
        Case(golden: "usage-unknown-subcommand.txt", arguments: ["log", "dmup"], status: 2, onStandardError: true),
    ]

    static let goldenDirectory = FerryProcess.repositoryRoot.appendingPathComponent("Tests/FerryCLITests/Golden")

    @Test(arguments: cases)
    func matchesGolden(_ testCase: Case) throws {
        let result = try FerryProcess.run(testCase.arguments)
        #expect(result.status == testCase.status, "\(result)")
        let actual = testCase.onStandardError ? result.errorOutput : result.output
        let quiet = testCase.onStandardError ? result.output : result.errorOutput
        #expect(quiet.isEmpty, "the other stream should stay empty: \(result)")
        let file = Self.goldenDirectory.appendingPathComponent(testCase.golden)
        if ProcessInfo.processInfo.environment["FERRY_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(actual == expected, "differs from \(file.path); regenerate with FERRY_UPDATE_GOLDEN=1")
    }

    @Test(arguments: [["help"], ["help", "log"], ["help", "log", "append"]])
    func helpSubcommandMatchesHelpFlag(_ words: [String]) throws {
        let viaWord = try FerryProcess.run(words)
        let viaFlag = try FerryProcess.run(Array(words.dropFirst()) + ["--help"])
        #expect(viaWord.status == 0)
        #expect(viaWord.output == viaFlag.output)
        #expect(!viaWord.output.isEmpty)
    }

    @Test func versionPrintsTheVersion() throws {
        let result = try FerryProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.output == "ferry 0.1.0\n")
    }
}
