import Foundation
import StreamLog
import Testing

/// `ferry produce` end to end: CloudEvents JSON Lines in, Kafka-binding records in the log out.
@Suite struct ProduceCommandTests {
    let directory: TemporaryDirectory
    var log: String { directory.path + "/log" }

    init() throws { directory = try TemporaryDirectory() }

    func ferry(_ arguments: [String], input: String = "") throws -> FerryProcess.Result {
        try FerryProcess.run(arguments, input: Data(input.utf8), environment: ["FERRY_LOG_DIR": log])
    }

    func dump(_ topic: String) throws -> [[String: Any]] {
        let result = try ferry(["log", "dump", topic])
        #expect(result.status == 0, "\(result)")
        return try result.outputLines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    static func event(id: String, key: String?, data: String = #"{"n":1}"#) -> String {
        let partitionKey = key.map { #","partitionkey":"\#($0)""# } ?? ""
        return #"{"specversion":"1.0","id":"\#(id)","source":"/test","type":"org.example.t","#
            + #""time":"2026-11-20T14:00:10.250Z","datacontenttype":"application/json"\#(partitionKey),"data":\#(data)}"#
    }

    @Test func binaryModeKeysHeadersAndPartitions() throws {
        #expect(try ferry(["log", "create", "events", "-p", "5"]).status == 0)
        let keys = ["M00001042", "M00002077", "M00003310", "M00004405"]
        let input = keys.enumerated().map { Self.event(id: "e\($0.offset)", key: $0.element) + "\n" }.joined()
        let result = try ferry(["produce", "--topic", "events"], input: input)
        #expect(result.status == 0, "\(result)")
        #expect(result.output.isEmpty)

        let records = try dump("events")
        #expect(records.count == keys.count)
        // The summary on stderr names every partition written and its offset range.
        var ranges: [Int: [Int]] = [:]
        for record in records { ranges[record["partition"] as! Int, default: []].append(record["offset"] as! Int) }
        let expected = ranges.keys.sorted().map { "partition \($0) offsets \(ranges[$0]!.min()!)-\(ranges[$0]!.max()!)" }
        #expect(result.errorOutput == "produced 4 events to events (binary mode): " + expected.joined(separator: ", ") + "\n")
        for record in records {
            let key = try #require(record["key"] as? String)
            #expect(record["partition"] as? Int == KafkaPartitioner.partition(forKey: Array(key.utf8), partitionCount: 5))
            #expect(record["timestamp"] as? Int == 1_795_183_210_250)
            #expect(record["value"] as? String == #"{"n":1}"#)
            let headers = try #require(record["headers"] as? [[String]])
            #expect(headers.first == ["ce_specversion", "1.0"])
            #expect(headers.contains(["ce_source", "/test"]))
            #expect(headers.contains(["ce_type", "org.example.t"]))
            #expect(headers.contains(["ce_partitionkey", key]))
            #expect(headers.contains(["content-type", "application/json"]))
        }
        let ids = records.compactMap { ($0["headers"] as? [[String]])?.first { $0[0] == "ce_id" }?[1] }
        #expect(Set(ids) == ["e0", "e1", "e2", "e3"])
    }

    @Test func structuredModeCarriesTheWholeEvent() throws {
        #expect(try ferry(["log", "create", "s"]).status == 0)
        let result = try ferry(["produce", "-t", "s", "--structured", "-"], input: Self.event(id: "s1", key: "k") + "\n")
        #expect(result.status == 0, "\(result)")
        let records = try dump("s")
        #expect(records.count == 1)
        #expect(records[0]["key"] as? String == "k")
        #expect(records[0]["headers"] as? [[String]] == [["content-type", "application/cloudevents+json; charset=UTF-8"]])
        let value = try #require((records[0]["value"] as? String).map { Data($0.utf8) })
        let event = try #require(try JSONSerialization.jsonObject(with: value) as? [String: Any])
        #expect(event["id"] as? String == "s1")
        #expect(event["partitionkey"] as? String == "k")
        #expect((event["data"] as? [String: Int]) == ["n": 1])
    }

    @Test func unkeyedEventsGoToPartitionZeroAndBlankLinesAreSkipped() throws {
        #expect(try ferry(["log", "create", "u", "-p", "3"]).status == 0)
        let input = Self.event(id: "a", key: nil) + "\n\n   \n" + Self.event(id: "b", key: nil) + "\n"
        #expect(try ferry(["produce", "--topic", "u"], input: input).status == 0)
        let records = try dump("u")
        #expect(records.map { $0["partition"] as? Int } == [0, 0])
        #expect(records.allSatisfy { $0["key"] is NSNull })
    }

    @Test(arguments: [
        (#"{"specversion":"1.0","id":"x","type":"t"}"#, "CloudEvent attribute 'source' is required but absent"),
        ("{not json", "malformed CloudEvent JSON"),
        (#"{"specversion":"0.3","id":"x","source":"/s","type":"t"}"#, "specversion '0.3' is not supported"),
    ])
    func invalidEventIsRejectedWithItsLineNumber(_ bad: String, _ reason: String) throws {
        #expect(try ferry(["log", "create", "r"]).status == 0)
        let input = Self.event(id: "ok1", key: "k") + "\n" + Self.event(id: "ok2", key: "k") + "\n" + bad + "\n"
            + Self.event(id: "never", key: "k") + "\n"
        let result = try ferry(["produce", "--topic", "r"], input: input)
        #expect(result.status == 3, "\(result)")
        #expect(result.errorOutput.hasPrefix("error: <stdin>:3: "), "\(result)")
        #expect(result.errorOutput.contains(reason), "\(result)")
        #expect(result.errorOutput.hasSuffix("(the 2 events before it were appended)\n"), "\(result)")
        let ids = try dump("r").compactMap { ($0["headers"] as? [[String]])?.first { $0[0] == "ce_id" }?[1] }
        #expect(ids == ["ok1", "ok2"])
    }

    @Test func topicIsRequired() throws {
        let result = try ferry(["produce"])
        #expect(result.status == 2)
        #expect(result.errorOutput.hasPrefix("error: missing option '--topic'\nUsage: ferry produce --topic T "))
    }
}
