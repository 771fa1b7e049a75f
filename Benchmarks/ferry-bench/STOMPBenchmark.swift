import Foundation
import LegacyQueue
import STOMP

/// `ferry-bench stomp`: 1 KiB persistent messages through ActiveMQ with Ferry's client and with stomp.py,
/// the same workload in the same run: send in transactions of `batch` (COMMIT with a receipt, awaited),
/// then receive with `ack:client-individual` (prefetch 500), acknowledging each.
enum STOMPBenchmark {
    struct Figures {
        var ferrySend: Double
        var ferryReceive: Double
        var pythonSend: Double
        var pythonReceive: Double
    }

    static func run(url: String, python: String, count: Int, batch: Int, size: Int) async throws -> Figures {
        var (configuration, _) = try STOMPConfiguration.parse(url: url)
        configuration.prefetch = 500
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: size)

        let ferryQueue = "/queue/ferry.bench.\(getpid()).ferry"
        let client = try await STOMPClient.connect(configuration)
        var start = ContinuousClock.now
        for first in stride(from: 0, to: count, by: batch) {
            let messages = (first..<min(first + batch, count)).map { _ in QueueMessage(body: body) }
            try await client.send(messages, to: ferryQueue)
        }
        let ferrySend = seconds(ContinuousClock.now - start)
        start = ContinuousClock.now
        var received = 0
        while received < count {
            guard let message = try await client.receive(from: ferryQueue, timeout: .seconds(30)) else {
                throw STOMPError.connectionLost(reason: "benchmark: only \(received) of \(count) messages came back")
            }
            try await client.acknowledge(message)
            received += 1
        }
        let ferryReceive = seconds(ContinuousClock.now - start)
        try await client.close()

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("stomp_bench.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            script, configuration.host, String(configuration.port), "/queue/ferry.bench.\(getpid()).python", String(count),
            String(batch), String(size),
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var figures: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { figures[String(parts[0])] = value }
        }
        guard process.terminationStatus == 0, let pythonSend = figures["send"], let pythonReceive = figures["receive"] else {
            throw STOMPError.connectionLost(reason: "stomp_bench.py failed (exit \(process.terminationStatus)): \(text)")
        }
        return Figures(ferrySend: ferrySend, ferryReceive: ferryReceive, pythonSend: pythonSend, pythonReceive: pythonReceive)
    }
}
