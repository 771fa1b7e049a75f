import Foundation
import StreamLog
import Testing

/// `ferry bridge` through the built binary.
@Suite struct BridgeCommandTests {
    static let sample = FerryProcess.repositoryRoot.appendingPathComponent("samples/bridge/embedded.json").path

    @Test func checkAcceptsTheShippedConfiguration() throws {
        let result = try FerryProcess.run(
            ["bridge", "--check", "--config", "samples/bridge/embedded.json"], directory: FerryProcess.repositoryRoot)
        #expect(result.status == 0, "\(result)")
        #expect(result.output == "samples/bridge/embedded.json: valid (1 pipeline: member-events)\n")
    }

    @Test func checkNamesTheOffendingPath() throws {
        let file = NSTemporaryDirectory() + "ferry-bridge-\(UUID().uuidString).json"
        try Data(
            #"{"pipelines": [{"name": "p", "source": {"queue": "spool:/tmp/s/IN"}, "sink": {"log": "/tmp/l", "topic": "t"}, "deadLetter": {"queue": "spool:/tmp/s/DLQ"}, "maxInFlight": -1}]}"#
                .utf8
        ).write(to: URL(fileURLWithPath: file))
        let result = try FerryProcess.run(["bridge", "--check", "--config", file])
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.errorOutput == "error: \(file): $.pipelines[0].maxInFlight: expected an integer from 1 to 1000000\n")
    }

    @Test func runsTheShippedConfigurationUntilSIGTERM() async throws {
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ferry-bridge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("ferry-data/spool"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let lines = (0..<25).map {
            #"{"specversion":"1.0","id":"cli-\#($0)","source":"/t","type":"t","partitionkey":"m\#($0 % 4)","data":{"n":\#($0)}}"#
        }
        let sent = try FerryProcess.run(
            ["queue", "send", "spool:ferry-data/spool/MEMBER.EVENTS"],
            input: Data((lines + ["garbage"]).joined(separator: "\n").utf8 + [0x0A]), directory: scratch)
        #expect(sent.status == 0, "\(sent)")

        let bridge = try FerryProcess.start(["bridge", "--config", Self.sample], directory: scratch)
        let queue = scratch.appendingPathComponent("ferry-data/spool/MEMBER.EVENTS")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let waiting = (try? FileManager.default.contentsOfDirectory(atPath: queue.appendingPathComponent("new").path)) ?? ["?"]
            let claimed = (try? FileManager.default.contentsOfDirectory(atPath: queue.appendingPathComponent("cur").path)) ?? ["?"]
            if waiting.isEmpty && claimed.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        bridge.terminate()  // SIGTERM
        let errorOutput = (bridge.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        bridge.waitUntilExit()
        let stderr = String(decoding: errorOutput, as: UTF8.self)
        #expect(bridge.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("bridge: stopped, in-flight messages drained"))
        #expect(stderr.contains(#""received":28,"appended":25,"acknowledged":26,"rejected":2,"dead_lettered":1"#), "\(stderr)")
        #expect(!stderr.contains("garbage"), "never logs a payload")

        let log = try LocalLog(
            LocalLogConfiguration(directory: scratch.appendingPathComponent("ferry-data/log").path, access: .readOnly))
        var ids: Set<String> = []
        for partition in 0..<3 {
            for stored in try log.read(topic: "member-events-bridged", partition: partition, from: 0, maxRecords: 100, maxBytes: 1 << 20) {
                ids.insert(stored.record.headers.first { $0.name == "ce_id" }?.textValue ?? "?")
            }
        }
        #expect(ids == Set((0..<25).map { "cli-\($0)" }))
        let dead = try FileManager.default.contentsOfDirectory(
            atPath: scratch.appendingPathComponent("ferry-data/spool/MEMBER.EVENTS.DLQ/new").path)
        #expect(dead.count == 1)
    }
}
