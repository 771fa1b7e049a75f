import Foundation

/// One pipeline as the operations endpoint sees it: its kind, counters and endpoint health.
public struct PipelineSnapshot: Sendable, Equatable {
    /// `queue-to-stream`, `stream-to-queue` or `directory-to-stream`.
    public var kind: String
    /// The pipeline's name.
    public var name: String
    /// Messages, records or files read from the source.
    public var received: Int
    /// Events appended to a stream sink, or messages a queue sink confirmed.
    public var delivered: Int
    /// Source positions given up: queue acknowledgements, committed records, files moved to done/ or error/.
    public var acknowledged: Int
    /// Items sent to the dead-letter destination (error/ for files).
    public var deadLettered: Int
    /// Operations retried after an error, sink and source together.
    public var retries: Int
    /// Items read and not yet acknowledged.
    public var inFlight: Int
    /// Whether the source and sink answer.
    public var health: EndpointHealth
    /// The source's connection is up (always true for endpoints without one: spool, embedded log).
    public var isSourceConnected = true
    /// The sink's and dead-letter destination's connections are up.
    public var isSinkConnected = true

    /// Ready: both sides connected and their last operations succeeded.
    public var isReady: Bool { health.isReady && isSourceConnected && isSinkConnected }
}

extension BridgeDaemon {
    /// Every pipeline's counters and health, in configuration order by kind.
    public func snapshots() -> [PipelineSnapshot] {
        var result: [PipelineSnapshot] = []
        for pipeline in pipelines {
            let s = pipeline.statistics
            result.append(
                PipelineSnapshot(
                    kind: "queue-to-stream", name: pipeline.configuration.name, received: s.received, delivered: s.appended,
                    acknowledged: s.acknowledged, deadLettered: s.deadLettered, retries: s.sinkRetries + s.sourceRetries,
                    inFlight: max(0, s.received - s.acknowledged - s.rejected - s.failedAcknowledgements), health: s.health,
                    isSourceConnected: allConnected(pipeline.endpoints.source),
                    isSinkConnected: allConnected(pipeline.endpoints.sink)))
        }
        for pipeline in streamPipelines {
            let s = pipeline.statistics
            result.append(
                PipelineSnapshot(
                    kind: "stream-to-queue", name: pipeline.configuration.name, received: s.received, delivered: s.sent,
                    acknowledged: s.committed, deadLettered: s.deadLettered, retries: s.sinkRetries + s.sourceRetries,
                    inFlight: max(0, s.received - s.committed), health: s.health,
                    isSourceConnected: allConnected(pipeline.endpoints.source),
                    isSinkConnected: allConnected(pipeline.endpoints.sink)))
        }
        for pipeline in directoryPipelines {
            let s = pipeline.statistics
            let finished = s.filesDone + s.filesFailed
            result.append(
                PipelineSnapshot(
                    kind: "directory-to-stream", name: pipeline.configuration.name, received: finished,
                    delivered: s.appended, acknowledged: finished, deadLettered: s.filesFailed,
                    retries: s.sinkRetries + s.sourceRetries, inFlight: 0, health: s.health))
        }
        result += outboundRouteSnapshots()
        return result
    }

    /// The counters in the Prometheus text exposition format (version 0.0.4), one series per pipeline, labelled
    /// `pipeline` and `kind`.
    public func prometheusMetrics() -> String {
        Self.prometheusText(snapshots()) + outboundRouteMetrics() + requestReplyMetrics() + consumerLagMetrics()
    }

    /// `ferry_consumer_lag{pipeline,topic,partition}` of every stream-sourced pipeline, of every inbound request-reply
    /// endpoint's reply partition and of every outbound route's request topic (`pipeline` is the endpoint's or
    /// route's name), as last read.
    public func consumerLagMetrics() -> String {
        var text = "# HELP ferry_consumer_lag Records in the log after the group's committed offset (log end - committed).\n"
        text += "# TYPE ferry_consumer_lag gauge\n"
        let readings = streamPipelines.map { ($0.configuration.name, $0.consumerLag) }
            + requestReplyRouters.map { ($0.configuration.name, $0.consumerLag) }
            + outboundRoutes.map { ($0.configuration.name, $0.consumerLag) }
        for (pipeline, lag) in readings {
            let name = Self.escapeLabel(pipeline)
            for partition in lag {
                text += "ferry_consumer_lag{pipeline=\"\(name)\",topic=\"\(Self.escapeLabel(partition.topic))\","
                text += "partition=\"\(partition.partition)\"} \(partition.lag)\n"
            }
        }
        return text
    }

    /// `snapshots` in the Prometheus text format.
    public static func prometheusText(_ snapshots: [PipelineSnapshot]) -> String {
        let families: [(name: String, type: String, help: String, value: (PipelineSnapshot) -> String?)] = [
            ("ferry_bridge_received_total", "counter", "Messages, records or files read from the source (redeliveries included).", { String($0.received) }),
            ("ferry_bridge_appended_total", "counter", "Events appended to the stream sink, or messages the queue sink confirmed.", { String($0.delivered) }),
            ("ferry_bridge_acknowledged_total", "counter", "Source positions given up after the sink confirmed (acks, committed records, finished files).", { String($0.acknowledged) }),
            ("ferry_bridge_dead_lettered_total", "counter", "Items sent to the dead-letter destination.", { String($0.deadLettered) }),
            ("ferry_bridge_retries_total", "counter", "Source and sink operations retried after an error.", { String($0.retries) }),
            ("ferry_bridge_in_flight", "gauge", "Items read and not yet acknowledged.", { String($0.inFlight) }),
            ("ferry_bridge_ready", "gauge", "1 when the pipeline's source and sink answer, else 0.", { $0.isReady ? "1" : "0" }),
            ("ferry_bridge_last_error_timestamp_seconds", "gauge", "When the pipeline last saw an error (Unix seconds); absent before the first.", {
                $0.health.lastErrorMilliseconds.map { String(format: "%.3f", Double($0) / 1000) }
            }),
        ]
        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            for snapshot in snapshots {
                guard let value = family.value(snapshot) else { continue }
                text += "\(family.name){pipeline=\"\(escapeLabel(snapshot.name))\",kind=\"\(snapshot.kind)\"} \(value)\n"
            }
        }
        return text
    }

    /// A label value with `\`, `"` and newlines escaped (exposition format).
    static func escapeLabel(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// What the operations endpoint answers: `/metrics`, `/healthz` (the process answers), `/readyz` (200 when
    /// every pipeline's source and sink answer, else 503 naming the failing ones), 404 otherwise.
    public func operationsResponse(method: String, path: String) -> HTTPResponse {
        switch path {
        case "/metrics":
            return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", text: prometheusMetrics())
        case "/healthz":
            return HTTPResponse(status: 200, text: "ok\n")
        case "/readyz":
            let failing = snapshots().filter { !$0.isReady }
            if failing.isEmpty { return HTTPResponse(status: 200, text: "ready\n") }
            let lines = failing.map { snapshot in
                let parts = [
                    snapshot.isSourceConnected ? nil : "source disconnected",
                    snapshot.health.isSourceFailing ? "source failing" : nil,
                    snapshot.isSinkConnected ? nil : "sink disconnected",
                    snapshot.health.isSinkFailing ? "sink failing" : nil,
                ]
                return "\(snapshot.name): \(parts.compactMap { $0 }.joined(separator: ", "))"
            }
            return HTTPResponse(status: 503, text: lines.joined(separator: "\n") + "\n")
        default:
            return HTTPResponse(status: 404, text: "not found: try /metrics, /healthz or /readyz\n")
        }
    }

    /// Starts the operations endpoint of ``BridgeConfiguration/http`` (nil when none is configured).
    public func startOperationsEndpoint() throws -> OperationsHTTPServer? {
        guard let http = configuration.http else { return nil }
        return try OperationsHTTPServer(host: http.host, port: http.port) { [self] method, path in
            operationsResponse(method: method, path: path)
        }
    }
}
