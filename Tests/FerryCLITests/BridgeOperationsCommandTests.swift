import Foundation
import Testing

/// `ferry bridge` with the operations endpoint, JSON logs, a watched directory and secrets from files.
@Suite struct BridgeOperationsCommandTests {
    @Test func checkAcceptsTheFilesAndOperationsSample() throws {
        let result = try FerryProcess.run(
            ["bridge", "--check", "--config", "samples/bridge/files-and-operations.json"],
            directory: FerryProcess.repositoryRoot)
        #expect(result.status == 0, "\(result)")
        #expect(
            result.output
                == "samples/bridge/files-and-operations.json: valid (2 pipelines: member-elig-files, member-events)\n")
    }

    @Test func checkAcceptsTheKafkaSTOMPSampleWithSecretFiles() throws {
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ferry-bridge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("ferry-data/secrets"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let sample = FerryProcess.repositoryRoot.appendingPathComponent("samples/bridge/kafka-stomp.json").path
        let environment = ["FERRY_STOMP_HOST": "broker:61613", "FERRY_KAFKA_BOOTSTRAP": "kafka:9092"]
        let missing = try FerryProcess.run(["bridge", "--check", "--config", sample], environment: environment, directory: scratch)
        #expect(missing.status == 1)
        #expect(
            missing.errorOutput
                == "error: \(sample): $.pipelines[0].source.queue: cannot read the secret file 'ferry-data/secrets/stomp-user'\n")

        try Data("ferry\n".utf8).write(to: scratch.appendingPathComponent("ferry-data/secrets/stomp-user"))
        try Data("pa55\n".utf8).write(to: scratch.appendingPathComponent("ferry-data/secrets/stomp-password"))
        let result = try FerryProcess.run(["bridge", "--check", "--config", sample], environment: environment, directory: scratch)
        #expect(result.status == 0, "\(result)")
        #expect(result.output == "\(sample): valid (2 pipelines: claims-in, claim-status-out)\n")
        #expect(!result.output.contains("pa55"))
    }

    /// A port that was free a moment ago.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `curl -s -w '\n%{http_code}' URL`: body and status.
    static func curl(_ url: String) throws -> (body: String, status: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--max-time", "5", "-w", "\n%{http_code}", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.lastIndex(of: "\n") else { return (text, 0) }
        return (String(text[..<split]), Int(text[text.index(after: split)...]) ?? 0)
    }

    @Test func servesMetricsAndWritesJSONLogsWhileRunning() async throws {
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ferry-bridge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("ferry-data/inbox"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let port = try Self.freePort()
        let config = scratch.appendingPathComponent("bridge.json")
        try Data(
            #"""
            {"http": {"listen": "127.0.0.1:\#(port)"}, "logFormat": "json", "drainTimeoutSeconds": 5, "pipelines": [
              {"name": "drop", "source": {"directory": "ferry-data/inbox"}, "sink": {"log": "ferry-data/log", "topic": "dropped"}, "pollIntervalMilliseconds": 20},
              {"name": "queue", "source": {"queue": "spool:ferry-data/spool/IN"}, "sink": {"log": "ferry-data/log", "topic": "queued"},
               "deadLetter": {"topic": "queued.dlq"}, "maxAttempts": 1}
            ]}
            """#.utf8
        ).write(to: config)
        let lines = (0..<6).map { #"{"specversion":"1.0","id":"op-\#($0)","source":"/t","type":"t","partitionkey":"m\#($0 % 2)","data":{"secret":"SSN-\#($0)"}}"# }
        let sent = try FerryProcess.run(
            ["queue", "send", "spool:ferry-data/spool/IN"], input: Data((lines + ["SSN-garbage"]).joined(separator: "\n").utf8 + [0x0A]),
            directory: scratch)
        #expect(sent.status == 0, "\(sent)")
        try Data(lines.joined(separator: "\n").utf8).write(to: scratch.appendingPathComponent("ferry-data/inbox/batch-1.jsonl"))

        let bridge = try FerryProcess.start(["bridge", "--config", config.path], directory: scratch)
        let labels = #"{pipeline="queue",kind="queue-to-stream"}"#
        var metrics = ""
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            metrics = (try? Self.curl("http://127.0.0.1:\(port)/metrics").body) ?? ""
            if metrics.contains("ferry_bridge_acknowledged_total\(labels) 7\n")
                && metrics.contains(#"ferry_bridge_acknowledged_total{pipeline="drop",kind="directory-to-stream"} 1"#)
            {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(metrics.contains("ferry_bridge_appended_total\(labels) 6\n"), "\(metrics)")
        #expect(metrics.contains("ferry_bridge_dead_lettered_total\(labels) 1\n"), "\(metrics)")
        #expect(metrics.contains(#"ferry_bridge_appended_total{pipeline="drop",kind="directory-to-stream"} 6"#), "\(metrics)")
        let ready = try Self.curl("http://127.0.0.1:\(port)/readyz")
        #expect(ready.status == 200 && ready.body == "ready\n")
        #expect(try Self.curl("http://127.0.0.1:\(port)/healthz").status == 200)
        #expect(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("ferry-data/inbox/done/batch-1.jsonl").path))

        bridge.terminate()  // SIGTERM
        let errorOutput = (bridge.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        bridge.waitUntilExit()
        let stderr = String(decoding: errorOutput, as: UTF8.self)
        #expect(bridge.terminationStatus == 0, "\(stderr)")
        #expect(!stderr.contains("SSN"), "never logs a payload or a field value")
        let logLines = stderr.split(separator: "\n")
        #expect(logLines.count >= 4)
        var messages: [String] = []
        for line in logLines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["time"] is String && object["level"] is String)
            messages.append(object["message"] as? String ?? "?")
        }
        #expect(messages.first == "bridge running")
        #expect(messages.contains("operations endpoint listening"))
        #expect(messages.last == "bridge stopped, in-flight messages drained")
    }
}
