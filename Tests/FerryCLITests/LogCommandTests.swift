import Foundation
import StreamLog
import Testing

/// `ferry log …` end to end: the built binary against a LocalLog in a temporary directory.
@Suite struct LogCommandTests {
    let directory: TemporaryDirectory
    var log: String { directory.path + "/log" }

    init() throws { directory = try TemporaryDirectory() }

    /// Runs `ferry log <arguments…> --log <temp>`.
    func ferryLog(_ arguments: [String], input: String = "", bytes: [UInt8]? = nil) throws -> FerryProcess.Result {
        try FerryProcess.run(["log"] + arguments + ["--log", log], input: Data(bytes ?? Array(input.utf8)))
    }

    /// Decodes JSON Lines output.
    func objects(_ result: FerryProcess.Result) throws -> [[String: Any]] {
        try result.outputLines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    @Test func createAppendDumpRoundTrip() throws {
        #expect(try ferryLog(["create", "claims", "--partitions", "2"]).status == 0)
        let appended = try ferryLog(["append", "claims"], input: "first\nsecond\nthird\n")
        #expect(appended.status == 0, "\(appended)")
        #expect(appended.output.isEmpty)

        let dump = try ferryLog(["dump", "claims"])
        #expect(dump.status == 0, "\(dump)")
        let records = try objects(dump)
        #expect(records.map { $0["value"] as? String } == ["first", "second", "third"])
        #expect(records.map { $0["offset"] as? Int } == [0, 1, 2])
        #expect(records.allSatisfy { $0["topic"] as? String == "claims" && $0["partition"] as? Int == 0 })
        #expect(records.allSatisfy { $0["key"] is NSNull && ($0["headers"] as? [Any])?.isEmpty == true })
        let now = Int(Date().timeIntervalSince1970 * 1000)
        for record in records {
            let timestamp = try #require(record["timestamp"] as? Int)
            #expect(abs(timestamp - now) < 60_000, "timestamp \(timestamp) is not about now (\(now))")
        }
        // The field order is part of the format.
        #expect(dump.outputLines[0].hasPrefix(#"{"topic":"claims","partition":0,"offset":0,"timestamp":"#))
        #expect(dump.outputLines[0].hasSuffix(#","key":null,"headers":[],"value":"first"}"#))

        let topics = try objects(try ferryLog(["topics"]))
        #expect(topics.count == 1)
        #expect(topics[0]["name"] as? String == "claims")
        #expect(topics[0]["partitions"] as? Int == 2)
        let offsets = try #require(topics[0]["offsets"] as? [[String: Int]])
        #expect(offsets == [["partition": 0, "earliest": 0, "next": 3], ["partition": 1, "earliest": 0, "next": 0]])
    }

    @Test func dumpSelectsPartitionOffsetAndCount() throws {
        #expect(try ferryLog(["create", "t", "-p", "2"]).status == 0)
        #expect(try ferryLog(["append", "t", "--partition", "1"], input: "a\nb\nc\nd\n").status == 0)
        #expect(try ferryLog(["append", "t", "-p", "0"], input: "z\n").status == 0)
        let all = try objects(try ferryLog(["dump", "t"]))
        #expect(all.map { "\($0["partition"]!)/\($0["value"]!)" } == ["0/z", "1/a", "1/b", "1/c", "1/d"])
        let some = try objects(try ferryLog(["dump", "t", "--partition", "1", "--from-offset", "1", "--max-records", "2"]))
        #expect(some.map { $0["value"] as? String } == ["b", "c"])
        #expect(some.map { $0["offset"] as? Int } == [1, 2])
        let capped = try objects(try ferryLog(["dump", "t", "--max-records", "3"]))
        #expect(capped.map { $0["value"] as? String } == ["z", "a", "b"])
    }

    @Test(arguments: ["user-1", "member:42", "claim-9000", "", "ключ"])
    func keysChoosePartitionsLikeKafka(_ key: String) throws {
        #expect(try ferryLog(["create", "keyed", "--partitions", "7"]).status == 0)
        let result = try ferryLog(["append", "keyed", "--key", key, "--acks"], input: "one\ntwo\n")
        #expect(result.status == 0, "\(result)")
        let expected = KafkaPartitioner.partition(forKey: Array(key.utf8), partitionCount: 7)
        #expect(result.outputLines == [
            #"{"partition":\#(expected),"offset":0}"#, #"{"partition":\#(expected),"offset":1}"#,
        ])
        let dumped = try objects(try ferryLog(["dump", "keyed", "--partition", String(expected)]))
        #expect(dumped.map { $0["key"] as? String } == [key, key])
        #expect(dumped.map { $0["value"] as? String } == ["one", "two"])
    }

    @Test(arguments: [[], ["-"]])
    func standardInputIsTheDefaultAndDash(_ fileArgument: [String]) throws {
        #expect(try ferryLog(["create", "in"]).status == 0)
        #expect(try ferryLog(["append", "in"] + fileArgument, input: "from stdin").status == 0)
        #expect(try objects(try ferryLog(["dump", "in"])).map { $0["value"] as? String } == ["from stdin"])
    }

    @Test func appendReadsAFile() throws {
        #expect(try ferryLog(["create", "file"]).status == 0)
        let path = directory.path + "/lines.txt"
        try Data("x\ny\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try ferryLog(["append", "file", path], input: "ignored\n").status == 0)
        #expect(try objects(try ferryLog(["dump", "file"])).map { $0["value"] as? String } == ["x", "y"])
        let missing = try ferryLog(["append", "file", directory.path + "/absent.txt"])
        #expect(missing.status == 1)
        #expect(missing.errorOutput.hasPrefix("error: cannot open \(directory.path)/absent.txt: "))
    }

    @Test func oddBytesAreEscapedOrBase64() throws {
        #expect(try ferryLog(["create", "odd"]).status == 0)
        let lines: [[UInt8]] = [
            Array(#"quote " and backslash \ and tab"#.utf8) + [0x09] + Array("end".utf8),
            [0x00, 0x01, 0x1F, 0x7F, 0x41],  // control bytes, still valid UTF-8
            Array("naïve – ✓ 🚢".utf8),
            [0xFF, 0xFE, 0x41],  // not UTF-8
            [0x0D],  // a carriage return is kept: values are bytes
            [],
        ]
        let input = Array(lines.map { $0 + [0x0A] }.joined())
        #expect(try ferryLog(["append", "odd"], bytes: input).status == 0)
        let dump = try ferryLog(["dump", "odd"])
        let values = dump.outputLines.map { line in String(line[line.range(of: #""headers":[],"#)!.upperBound...]) }
        #expect(values == [
            #""value":"quote \" and backslash \\ and tab\tend"}"#,
            #""value":"\u0000\u0001\u001f\u007fA"}"#,
            #""value":"naïve – ✓ 🚢"}"#,
            #""value_base64":"//5B"}"#,
            #""value":"\r"}"#,
            #""value":""}"#,
        ])
        // Every line is valid JSON that decodes back to the original text.
        let decoded = try objects(dump)
        #expect(decoded[1]["value"] as? String == "\u{0}\u{1}\u{1F}\u{7F}A")
        #expect(decoded[3]["value_base64"] as? String == Data([0xFF, 0xFE, 0x41]).base64EncodedString())
    }

    @Test func acksFollowTheAppendsInBatches() throws {
        #expect(try ferryLog(["create", "acked", "-p", "3"]).status == 0)
        let input = (1...25).map { "line \($0)\n" }.joined()
        let result = try ferryLog(
            ["append", "acked", "-p", "2", "--acks", "--fsync", "always", "--batch-size", "4"], input: input)
        #expect(result.status == 0, "\(result)")
        #expect(result.outputLines == (0..<25).map { #"{"partition":2,"offset":\#($0)}"# })
        let dumped = try objects(try ferryLog(["dump", "acked"]))
        #expect(dumped.map { $0["value"] as? String } == (1...25).map { "line \($0)" })
    }

    @Test func tailPrintsTheLastRecordsOfEachPartition() throws {
        #expect(try ferryLog(["create", "tailed", "-p", "2"]).status == 0)
        #expect(try ferryLog(["append", "tailed", "-p", "0"], input: "a\nb\nc\n").status == 0)
        #expect(try ferryLog(["append", "tailed", "-p", "1"], input: "x\n").status == 0)
        let tail = try objects(try ferryLog(["tail", "tailed", "-n", "2"]))
        #expect(tail.map { "\($0["partition"]!)/\($0["value"]!)" } == ["0/b", "0/c", "1/x"])
        let defaults = try objects(try ferryLog(["tail", "tailed"]))
        #expect(defaults.count == 4)
    }

    @Test func tailFollowPrintsNewRecordsAndExitsZeroOnInterrupt() throws {
        #expect(try ferryLog(["create", "live"]).status == 0)
        #expect(try ferryLog(["append", "live"], input: "old\n").status == 0)
        let process = try FerryProcess.start(["log", "tail", "live", "--follow", "--log", log])
        let stdout = process.standardOutput as! Pipe
        let collected = LockedData()
        stdout.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        defer { if process.isRunning { process.terminate() } }

        try waitUntil("the existing record is printed") { collected.text.contains(#""value":"old""#) }
        #expect(try ferryLog(["append", "live"], input: "new\n").status == 0)
        try waitUntil("the appended record is printed") { collected.text.contains(#""value":"new""#) }
        process.interrupt()
        try waitUntil("ferry exits after SIGINT") { !process.isRunning }
        #expect(process.terminationStatus == 0)
        stdout.fileHandleForReading.readabilityHandler = nil
        let values = collected.text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["value"] as? String
        }
        #expect(values == ["old", "new"])
    }

    @Test func errorsNameTheirContext() throws {
        #expect(try ferryLog(["create", "exists", "-p", "2"]).status == 0)
        let mismatch = try ferryLog(["create", "exists", "-p", "3"])
        #expect(mismatch.status == 1)
        #expect(mismatch.errorOutput == "error: topic 'exists' exists with 2 partitions, not 3\n")
        let unknown = try ferryLog(["dump", "nope"])
        #expect(unknown.status == 1)
        #expect(unknown.errorOutput == "error: unknown topic 'nope'\n")
        let partition = try ferryLog(["append", "exists", "-p", "5"], input: "x\n")
        #expect(partition.status == 1)
        #expect(partition.errorOutput == "error: topic 'exists' has no partition 5 (it has 2)\n")
        let both = try ferryLog(["append", "exists", "-p", "1", "--key", "k"], input: "x\n")
        #expect(both.status == 2)
        #expect(both.errorOutput.hasPrefix("error: options '--partition' and '--key' cannot be used together\n"))
        let fsync = try ferryLog(["append", "exists", "--fsync", "sometimes"])
        #expect(fsync.status == 2)
        #expect(fsync.errorOutput.hasPrefix(
            "error: invalid value 'sometimes' for --fsync: expected always, never, interval or interval:<n>ms|s\n"))
    }

    @Test func logDirectoryComesFromTheEnvironment() throws {
        let created = try FerryProcess.run(["log", "create", "envtopic"], environment: ["FERRY_LOG_DIR": log])
        #expect(created.status == 0, "\(created)")
        let topics = try objects(try ferryLog(["topics"]))
        #expect(topics.map { $0["name"] as? String } == ["envtopic"])
    }

    private func waitUntil(_ what: String, timeout: Duration = .seconds(10), _ condition: () -> Bool) throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !condition() {
            guard clock.now < deadline else { throw Timeout(what: what) }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting until \(what)" }
    }
}

/// Bytes appended from a pipe's readability handler, read from the test.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) {
        lock.lock()
        data.append(more)
        lock.unlock()
    }
    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
