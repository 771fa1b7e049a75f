import Bridge
import Foundation
import Synchronization

/// Log lines of `ferry bridge` on standard error: `bridge: message key=value …` (text) or one JSON object per line
/// (`time`, `level`, `message`, then dotted metadata). Messages are constant; metadata names pipelines, endpoints
/// and counts, never a payload or a field value (they are PHI).
struct BridgeLogWriter: Sendable {
    let format: BridgeLogFormat
    let output: OutputChannel

    func write(_ level: String, _ message: String, _ metadata: [String: String] = [:], counts: [(String, Int)] = []) {
        switch format {
        case .json:
            var line = JSONLine()
            line.field("time", ISO8601DateFormatter().string(from: Date()))
            line.field("level", level)
            line.field("message", message)
            for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { line.field(key, value) }
            for (key, value) in counts { line.field(key, value) }
            output.write(bytes: line.finish())
        case .text:
            let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + counts.map { "\($0.0)=\($0.1)" }
            output.write((level == "info" ? "bridge: " : "\(level): bridge: ") + ([message] + fields).joined(separator: " ") + "\n")
        }
        output.flush()
    }
}

/// The operations endpoint and the task that logs health changes, stopped together.
struct BridgeOperationsHandle {
    let server: OperationsHTTPServer?
    let watcher: Task<Void, Never>

    func stop() {
        watcher.cancel()
        server?.stop()
    }
}

extension BridgeCommand {
    /// Starts the HTTP endpoint (when configured) and a task that logs each pipeline's source or sink starting and
    /// stopping to fail.
    func startOperations(_ daemon: BridgeDaemon, log: BridgeLogWriter) throws -> BridgeOperationsHandle {
        let server = try daemon.startOperationsEndpoint()
        if let server {
            log.write("info", "operations endpoint listening", ["http.address": "\(server.host):\(server.port)"])
        }
        let watcher = Task.detached {
            var known: [String: (source: Bool, sink: Bool)] = [:]
            while !Task.isCancelled {
                for snapshot in daemon.snapshots() {
                    let before = known[snapshot.name] ?? (false, false)
                    let now = (
                        source: snapshot.health.isSourceFailing || !snapshot.isSourceConnected,
                        sink: snapshot.health.isSinkFailing || !snapshot.isSinkConnected)
                    for (side, was, isFailing) in [("source", before.source, now.source), ("sink", before.sink, now.sink)]
                    where was != isFailing {
                        log.write(
                            isFailing ? "warning" : "info", isFailing ? "endpoint failing, retrying" : "endpoint recovered",
                            ["bridge.pipeline": snapshot.name, "bridge.endpoint": side])
                    }
                    known[snapshot.name] = now
                }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        return BridgeOperationsHandle(server: server, watcher: watcher)
    }

    /// The exit lines in JSON: one per pipeline with its counters, then how the run ended.
    func writeStatisticsJSONLog(_ daemon: BridgeDaemon, log: BridgeLogWriter, outcome: BridgeOutcome) {
        for snapshot in daemon.snapshots() {
            log.write(
                "info", "pipeline counters", ["bridge.pipeline": snapshot.name, "bridge.kind": snapshot.kind],
                counts: [
                    ("received", snapshot.received), ("appended", snapshot.delivered), ("acknowledged", snapshot.acknowledged),
                    ("dead_lettered", snapshot.deadLettered), ("retries", snapshot.retries),
                ])
        }
        switch outcome {
        case .drained: log.write("info", "bridge stopped, in-flight messages drained")
        case .drainTimedOut:
            log.write("warning", "bridge drain deadline passed; messages still in flight are redelivered by their queues")
        }
    }
}
