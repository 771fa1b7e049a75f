import Foundation
import Testing

/// `ferry bridge` with samples/bridge/round-trip.json: spool queue → embedded log → spool queue.
@Suite struct BridgeRoundTripCommandTests {
    static let sample = FerryProcess.repositoryRoot.appendingPathComponent("samples/bridge/round-trip.json").path

    @Test func checkAcceptsTheRoundTripSample() throws {
        let result = try FerryProcess.run(
            ["bridge", "--check", "--config", "samples/bridge/round-trip.json"], directory: FerryProcess.repositoryRoot)
        #expect(result.status == 0, "\(result)")
        #expect(
            result.output == "samples/bridge/round-trip.json: valid (2 pipelines: member-events-in, member-events-out)\n")
    }

    @Test func checkRejectsANonReversibleMappingOnAStreamPipeline() throws {
        let file = NSTemporaryDirectory() + "ferry-bridge-\(UUID().uuidString).json"
        let mapping = FerryProcess.repositoryRoot.appendingPathComponent("mappings/member-eligibility-cdc/mapping.json").path
        try Data(
            #"{"pipelines": [{"name": "o", "source": {"log": "/tmp/l", "topic": "t"}, "mapping": "\#(mapping)", "sink": {"queue": "spool:/tmp/s/OUT"}, "deadLetter": {"queue": "spool:/tmp/s/DLQ"}}]}"#
                .utf8
        ).write(to: URL(fileURLWithPath: file))
        let result = try FerryProcess.run(["bridge", "--check", "--config", file])
        #expect(result.status == 1)
        #expect(
            result.errorOutput
                == "error: \(file): $.pipelines[0].mapping: the mapping is not reversible, so it cannot encode events for a queue\n")
    }

    @Test func runsTheRoundTripUntilSIGTERM() async throws {
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ferry-bridge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("ferry-data/spool"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let lines = (0..<12).map {
            #"{"specversion":"1.0","id":"rt-\#($0)","source":"/t","type":"t","partitionkey":"m\#($0 % 4)","data":{"n":\#($0)}}"#
        }
        let sent = try FerryProcess.run(
            ["queue", "send", "spool:ferry-data/spool/MEMBER.EVENTS"],
            input: Data(lines.joined(separator: "\n").utf8 + [0x0A]), directory: scratch)
        #expect(sent.status == 0, "\(sent)")

        let bridge = try FerryProcess.start(["bridge", "--config", Self.sample], directory: scratch)
        let out = scratch.appendingPathComponent("ferry-data/spool/MEMBER.EVENTS.OUT/new").path
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).count >= 12 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(300))  // the commit after the confirmed send
        bridge.terminate()  // SIGTERM
        let errorOutput = (bridge.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        bridge.waitUntilExit()
        let stderr = String(decoding: errorOutput, as: UTF8.self)
        #expect(bridge.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains(#"{"pipeline":"member-events-out","received":12,"sent":12,"committed":12,"dead_lettered":0"#), "\(stderr)")

        let received = try FerryProcess.run(
            ["queue", "receive", "spool:ferry-data/spool/MEMBER.EVENTS.OUT", "--count", "0", "--timeout", "1s"],
            directory: scratch)
        #expect(received.status == 0, "\(received)")
        let outputLines = received.output.split(separator: "\n")
        #expect(outputLines.count == 12)
        for index in 0..<12 {
            #expect(received.output.contains(#""ce_id":"rt-\#(index)""#), "\(received)")
        }
    }
}
