import Foundation
import Kafka
import Testing

/// `ferry produce --to kafka://…` and `ferry consume --from kafka://…` against tansu, run as the built binary.
@Suite("ferry produce/consume with a Kafka URL (real broker from scripts/test)", .serialized)
struct KafkaCLITests {
    /// The built `ferry` next to the test bundle (`.build/<triple>/debug/ferry`).
    static func ferry() throws -> URL {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("ferry")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            if directory.lastPathComponent == ".build" { break }
            directory = directory.deletingLastPathComponent()
        }
        throw TestEnvironmentError.toolMissing(variable: "-", what: "the ferry executable", path: directory.path)
    }

    /// Runs ferry with `input` on standard input; output through files so no pipe can fill up.
    static func run(_ arguments: [String], input: String = "", timeout: Duration = .seconds(60)) throws
        -> (status: Int32, output: String, error: String)
    {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let paths = ["in", "out", "err"].map { scratch.appendingPathComponent($0) }
        try Data(input.utf8).write(to: paths[0])
        for path in paths[1...] { _ = FileManager.default.createFile(atPath: path.path, contents: nil) }
        let process = Process()
        process.executableURL = try ferry()
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: paths[0])
        process.standardOutput = try FileHandle(forWritingTo: paths[1])
        process.standardError = try FileHandle(forWritingTo: paths[2])
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("ferry \(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        process.waitUntilExit()
        return (
            process.terminationStatus, try String(contentsOf: paths[1], encoding: .utf8),
            try String(contentsOf: paths[2], encoding: .utf8)
        )
    }

    @Test func produceThenConsumeThroughTheCLI() async throws {
        let broker = try TestEnvironment.current.kafkaBroker()
        let url = "kafka://\(broker.host):\(broker.port)"
        let client = try KafkaClientTests.client()
        defer { client.close() }
        let topic = KafkaClientTests.uniqueTopic("cli")
        try await client.createTopic(topic, partitions: 3)
        let events = (0..<20).map { i in
            #"{"specversion":"1.0","id":"e-\#(i)","source":"/cli","type":"org.ferry.test","partitionkey":"member-\#(i % 4)","time":"2024-03-01T12:00:00.\#(100 + i)Z","data":{"n":\#(i)}}"#
        }
        let produced = try Self.run(["produce", "--to", url, "--topic", topic], input: events.joined(separator: "\n") + "\n")
        #expect(produced.status == 0, "\(produced.error)")
        #expect(produced.error.hasPrefix("produced 20 events to \(topic) (binary mode)"))

        let consumed = try Self.run(["consume", "--from", url, "--topic", topic, "--from-beginning", "--max", "20", "--group", "cli-\(topic)"])
        #expect(consumed.status == 0, "\(consumed.error)")
        let lines = consumed.output.split(separator: "\n")
        #expect(lines.count == 20)
        for i in 0..<20 {
            let matching = lines.filter { $0.contains(#"["ce_id","e-\#(i)"]"#) }
            #expect(matching.count == 1, "event e-\(i)")
            #expect(matching.first?.contains(#""key":"member-\#(i % 4)""#) == true)
            #expect(matching.first?.contains(#""timestamp":\#(1_709_294_400_100 + Int64(i))"#) == true)
            #expect(matching.first?.contains(#""value":"{\"n\":\#(i)}""#) == true)
        }
        // The group committed the end of every partition it read.
        var committed: Int64 = 0
        for partition in 0..<3 {
            committed += try await client.committedOffset(group: "cli-\(topic)", topic: topic, partition: partition) ?? 0
        }
        #expect(committed == 20)

        // `ferry log` reads the same topic through the StreamLog interface.
        let topics = try Self.run(["log", "topics", "--log", url])
        #expect(topics.status == 0, "\(topics.error)")
        let line = topics.output.split(separator: "\n").first { $0.contains(#""name":"\#(topic)""#) }
        #expect(line?.contains(#""partitions":3"#) == true)
        let dumped = try Self.run(["log", "dump", topic, "--log", url])
        #expect(dumped.status == 0, "\(dumped.error)")
        #expect(Set(dumped.output.split(separator: "\n")) == Set(lines))
        let tail = try Self.run(["log", "tail", topic, "--log", url])
        #expect(tail.status == 2)
        #expect(tail.error.contains("ferry consume --from URL"))

        let missing = try Self.run(["consume", "--from", url, "--topic", "no-such-\(topic)", "--max", "1"])
        #expect(missing.status != 0)
        #expect(missing.error.contains("UNKNOWN_TOPIC_OR_PARTITION"))
    }

    /// A `ferry` started in the background; `stop()` sends SIGTERM and returns what it printed.
    struct BackgroundFerry {
        let process: Process
        let scratch: URL

        static func start(_ arguments: [String]) throws -> BackgroundFerry {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            for name in ["out", "err"] { _ = FileManager.default.createFile(atPath: scratch.appendingPathComponent(name).path, contents: nil) }
            let process = Process()
            process.executableURL = try KafkaCLITests.ferry()
            process.arguments = arguments
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = try FileHandle(forWritingTo: scratch.appendingPathComponent("out"))
            process.standardError = try FileHandle(forWritingTo: scratch.appendingPathComponent("err"))
            try process.run()
            return BackgroundFerry(process: process, scratch: scratch)
        }

        func stop(timeout: Duration = .seconds(30)) throws -> (status: Int32, output: String, error: String) {
            defer { try? FileManager.default.removeItem(at: scratch) }
            process.terminate()
            let deadline = ContinuousClock.now + timeout
            while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                Issue.record("ferry did not exit within \(timeout) of SIGTERM")
            }
            process.waitUntilExit()
            return (
                process.terminationStatus,
                try String(contentsOf: scratch.appendingPathComponent("out"), encoding: .utf8),
                try String(contentsOf: scratch.appendingPathComponent("err"), encoding: .utf8)
            )
        }
    }

    @Test func twoConsumersOfOneGroupShareThePartitionsAndPrintEachRecordOnce() async throws {
        let url = "kafka://\(try TestEnvironment.current.kafkaBroker().host):\(try TestEnvironment.current.kafkaBroker().port)"
        let client = try KafkaClientTests.client()
        defer { client.close() }
        let topic = KafkaClientTests.uniqueTopic("cli-group")
        try await client.createTopic(topic, partitions: 4)
        let group = "cli-group-\(topic)"
        let arguments = ["consume", "--from", url, "--topic", topic, "--group", group, "--from-beginning"]
        let first = try BackgroundFerry.start(arguments)
        let second = try BackgroundFerry.start(arguments)
        // Events arrive over ten seconds, while the two members join and the group rebalances.
        let rounds = 5
        let perRound = 8
        for round in 0..<rounds {
            let events = (0..<perRound).map { i in
                let n = round * perRound + i
                return #"{"specversion":"1.0","id":"g-\#(n)","source":"/cli","type":"org.ferry.test","partitionkey":"member-\#(n)","data":{"n":\#(n)}}"#
            }
            let produced = try Self.run(["produce", "--to", url, "--topic", topic], input: events.joined(separator: "\n") + "\n")
            #expect(produced.status == 0, "\(produced.error)")
            try await Task.sleep(for: .seconds(2))
        }
        try await Task.sleep(for: .seconds(3))
        let outcomes = [try first.stop(), try second.stop()]
        var printed: [String: Int] = [:]
        var partitionsByMember: [Set<Int>] = []
        for outcome in outcomes {
            #expect(outcome.status == 0, "\(outcome.error)")
            var partitions = Set<Int>()
            for line in outcome.output.split(separator: "\n") {
                guard let id = line.firstRange(of: #"["ce_id","g-"#).map({ line[$0.upperBound...].prefix { $0.isNumber } }) else {
                    Issue.record("unexpected line \(line)")
                    continue
                }
                printed["g-\(id)", default: 0] += 1
                if let p = line.firstRange(of: #""partition":"#).map({ line[$0.upperBound...].prefix { $0.isNumber } }), let partition = Int(p) {
                    partitions.insert(partition)
                }
            }
            partitionsByMember.append(partitions)
        }
        #expect(Set(printed.keys) == Set((0..<rounds * perRound).map { "g-\($0)" }), "every event printed")
        #expect(printed.values.allSatisfy { $0 == 1 }, "no event printed twice: \(printed.filter { $0.value > 1 })")
        #expect(partitionsByMember.allSatisfy { !$0.isEmpty }, "both members were given partitions: \(partitionsByMember)")
        var committed: Int64 = 0
        for partition in 0..<4 {
            committed += try await client.committedOffset(group: group, topic: topic, partition: partition) ?? 0
        }
        #expect(committed == Int64(rounds * perRound), "the members committed what they printed before leaving")
    }

    @Test func logApplyCreatesDeclaredTopicsWithConfigsAndReportsDrift() async throws {
        let broker = try TestEnvironment.current.kafkaBroker()
        let url = "kafka://\(broker.host):\(broker.port)"
        let client = try KafkaClientTests.client()
        defer { client.close() }
        let topic = KafkaClientTests.uniqueTopic("apply")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-topics-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        func apply(partitions: Int, retention: String) throws -> (status: Int32, output: String, error: String) {
            try Data(#"{"topics":[{"name":"\#(topic)","partitions":\#(partitions),"configs":{"retention.ms":"\#(retention)"}}]}"#.utf8).write(to: file)
            return try Self.run(["log", "apply", file.path, "--log", url])
        }
        let first = try apply(partitions: 3, retention: "3600000")
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains(#""created":true,"partitions":3,"declaredPartitions":3,"configDifferences":{},"matches":true"#), "\(first.output)")
        #expect(try await client.topicMetadata(topic).partitionCount == 3)
        #expect(try await client.describeTopicConfigs(topic, keys: ["retention.ms"])["retention.ms"] == "3600000")

        let again = try apply(partitions: 3, retention: "3600000")
        #expect(again.status == 0, "\(again.error)")
        #expect(again.output.contains(#""created":false,"partitions":3"#), "\(again.output)")

        let drift = try apply(partitions: 4, retention: "60000")
        #expect(drift.status == 1)
        #expect(drift.output.contains(#""partitions":3,"declaredPartitions":4,"configDifferences":{"retention.ms":{"declared":"60000","actual":"3600000"}},"matches":false"#), "\(drift.output)")
        #expect(try await client.topicMetadata(topic, refresh: true).partitionCount == 3, "an existing topic is never changed")
    }
}
