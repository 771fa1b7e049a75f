import Foundation
import Testing

/// `ferry log apply FILE` (topics as code) on the embedded log: the built binary, a temporary directory.
@Suite struct LogApplyCommandTests {
    let directory: TemporaryDirectory
    var log: String { directory.path + "/log" }

    init() throws { directory = try TemporaryDirectory() }

    func apply(_ declarations: String) throws -> FerryProcess.Result {
        let file = directory.path + "/topics-\(UUID().uuidString).json"
        try Data(declarations.utf8).write(to: URL(fileURLWithPath: file))
        return try FerryProcess.run(["log", "apply", file, "--log", log])
    }

    func objects(_ result: FerryProcess.Result) throws -> [[String: Any]] {
        try result.outputLines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    @Test func createsWhatIsMissingThenChangesNothingAndReportsDrift() throws {
        let first = try apply(#"{"topics":[{"name":"claims","partitions":3},{"name":"members","partitions":1}]}"#)
        #expect(first.status == 0, "\(first)")
        let created = try objects(first)
        #expect(created.map { $0["topic"] as? String } == ["claims", "members"])
        #expect(created.allSatisfy { $0["created"] as? Bool == true && $0["matches"] as? Bool == true })
        #expect(created.map { $0["partitions"] as? Int } == [3, 1])

        let again = try apply(#"{"topics":[{"name":"claims","partitions":3},{"name":"members","partitions":1}]}"#)
        #expect(again.status == 0, "\(again)")
        #expect(try objects(again).allSatisfy { $0["created"] as? Bool == false && $0["matches"] as? Bool == true })

        // The existing topic keeps its 3 partitions; the difference is reported and the exit status says so.
        let drift = try apply(#"{"topics":[{"name":"claims","partitions":5}]}"#)
        #expect(drift.status == 1, "\(drift)")
        let reported = try objects(drift)
        #expect(reported.first?["partitions"] as? Int == 3)
        #expect(reported.first?["declaredPartitions"] as? Int == 5)
        #expect(reported.first?["matches"] as? Bool == false)
        #expect(drift.errorOutput.contains("1 existing topic differs from the declaration (not changed)"))
        let topics = try FerryProcess.run(["log", "topics", "--log", log])
        #expect(topics.output.contains(#""name":"claims","partitions":3"#), "\(topics)")
    }

    @Test(arguments: [
        (#"{"topic":[]}"#, "$.topics"),
        (#"{"topics":[{"name":"a"}]}"#, "$.topics[0].partitions"),
        (#"{"topics":[{"name":"a","partitions":0}]}"#, "$.topics[0].partitions"),
        (#"{"topics":[{"name":"a","partitions":1},{"name":"a","partitions":1}]}"#, "declared twice"),
        (#"{"topics":[{"name":"a","partitions":1,"replicas":3}]}"#, "$.topics[0].replicas"),
        (#"{"topics":[{"name":"a","partitions":1,"configs":{"retention.ms":5}}]}"#, "$.topics[0].configs.retention.ms"),
        (#"{"topics":[{"name":"a","partitions":1,"configs":{"retention.ms":"5"}}]}"#, "configs are for Kafka"),
        ("not json", "not valid JSON"),
    ])
    func malformedDeclarationsAreRejectedWithTheirPlace(_ declarations: String, _ expected: String) throws {
        let result = try apply(declarations)
        #expect(result.status == 1, "\(result)")
        #expect(result.errorOutput.contains(expected), "\(result)")
        #expect(result.output.isEmpty)
    }
}
