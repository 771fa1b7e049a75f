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
        /// CPU seconds (user + system) this process used while sending and while receiving.
        var ferrySendCPU: Double
        var ferryReceiveCPU: Double
    }

    /// User plus system CPU seconds of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF_WHO, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Sends and receives `count` messages on `queue`; wall and CPU seconds of each half.
    static func ferryRound(_ client: STOMPClient, queue: String, count: Int, batch: Int, body: [UInt8]) async throws
        -> (send: Double, sendCPU: Double, receive: Double, receiveCPU: Double)
    {
        var cpu = cpuSeconds()
        var start = ContinuousClock.now
        for first in stride(from: 0, to: count, by: batch) {
            let messages = (first..<min(first + batch, count)).map { _ in QueueMessage(body: body) }
            try await client.send(messages, to: queue)
        }
        let send = seconds(ContinuousClock.now - start)
        let sendCPU = cpuSeconds() - cpu
        cpu = cpuSeconds()
        start = ContinuousClock.now
        var received = 0
        while received < count {
            guard let message = try await client.receive(from: queue, timeout: .seconds(30)) else {
                throw STOMPError.connectionLost(reason: "benchmark: only \(received) of \(count) messages came back")
            }
            try await client.acknowledge(message)
            received += 1
        }
        return (send, sendCPU, seconds(ContinuousClock.now - start), cpuSeconds() - cpu)
    }

    static func run(url: String, python: String, count: Int, batch: Int, size: Int) async throws -> Figures {
        var (configuration, _) = try STOMPConfiguration.parse(url: url)
        configuration.prefetch = 500
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: size)

        let client = try await STOMPClient.connect(configuration)
        // Warm-up (not measured): the broker's JIT and KahaDB journal, so neither client runs on a cold broker.
        _ = try await ferryRound(client, queue: "/queue/ferry.bench.\(getpid()).warmup", count: max(batch, count / 5), batch: batch, body: body)
        let ferry = try await ferryRound(client, queue: "/queue/ferry.bench.\(getpid()).ferry", count: count, batch: batch, body: body)
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
        return Figures(
            ferrySend: ferry.send, ferryReceive: ferry.receive, pythonSend: pythonSend, pythonReceive: pythonReceive,
            ferrySendCPU: ferry.sendCPU, ferryReceiveCPU: ferry.receiveCPU)
    }
}

#if canImport(Glibc)
private let RUSAGE_SELF_WHO = Int32(RUSAGE_SELF.rawValue)
#else
private let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif
