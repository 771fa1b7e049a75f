import Bridge
import Mapping

/// `ferry bridge --config FILE [--check]`: runs the bridge's queue → stream pipelines until SIGTERM or SIGINT,
/// or only validates the configuration.
struct BridgeCommand: Command {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "bridge",
            abstract: "Run the bridge daemon's queue → stream pipelines.",
            discussion: """
                Each pipeline reads a queue (spool:/dir/NAME or stomp://host:port/queue/NAME), turns every message \
                into CloudEvents (through "mapping", or reading the body as one CloudEvent in JSON format), appends \
                them to "sink" (an embedded log directory or kafka://host:port, and a topic), and acknowledges the \
                message only once the append is durable. Messages that cannot be converted go to "deadLetter" after \
                "maxAttempts" deliveries, with ferry.error.* headers. A pipeline whose source has "log" runs the other \
                way (topic → queue, through the mapping's reverse); one whose source has "directory" turns dropped \
                files into events. "http": {"listen": "127.0.0.1:9464"} serves /metrics, /healthz and /readyz; \
                "logFormat": "json" writes JSON log lines. See Sources/Bridge/README.md for every field.
                SIGTERM or SIGINT stops reading, drains what is in flight within drainTimeoutSeconds, and exits 0.
                "requestReply" endpoints route legacy requests to the old service, to Kafka, or both; SIGHUP \
                re-reads the file and applies their routes without dropping requests in flight.
                With --check the configuration (and every mapping it names) is validated and nothing runs; an error \
                names the file and the JSON path of the offending field.
                """,
            parameters: [config, check])
    }

    static let config = Option<String>("config", valueName: "FILE", help: "The bridge configuration (JSON).")
    static let check = Flag("check", help: "Validate the configuration and its mappings, then exit.")

    let configFile: String
    let checksOnly: Bool

    init(parsing values: ParsedValues) throws(UsageError) {
        configFile = try values.value(of: Self.config)
        checksOnly = values.isSet(Self.check)
    }

    func run(_ context: CommandContext) async throws {
        let configuration = try BridgeConfiguration(contentsOf: configFile, environment: context.environment)
        for (index, pipeline) in configuration.pipelines.enumerated() {
            guard let file = pipeline.mappingFile else { continue }
            do { _ = try MappingDefinition(contentsOf: file) } catch {
                throw BridgeError.invalidConfiguration(
                    file: configFile, path: "$.pipelines[\(index)].mapping", reason: error.description)
            }
        }
        try checkStreamPipelineMappings(configuration)
        try checkOutboundRouteMappings(configuration)
        for (index, endpoint) in configuration.requestReply.enumerated() {
            for (field, file) in [("requestMapping", endpoint.requestMappingFile), ("replyMapping", endpoint.replyMappingFile)] {
                guard let file else { continue }
                do { _ = try MappingDefinition(contentsOf: file) } catch {
                    throw BridgeError.invalidConfiguration(
                        file: configFile, path: "$.requestReply[\(index)].\(field)", reason: error.description)
                }
            }
        }
        let pipelineCount = configuration.pipelineNames.count
        let names = (configuration.pipelineNames + configuration.requestReply.map(\.name)).joined(separator: ", ")
        if checksOnly {
            let endpoints = configuration.requestReply.count
            let endpointCount = endpoints == 0 ? "" : ", \(endpoints) request-reply endpoint\(endpoints == 1 ? "" : "s")"
            context.output.write(
                "\(configFile): valid (\(pipelineCount) pipeline\(pipelineCount == 1 ? "" : "s")\(endpointCount): \(names)\(outboundRouteSummary(configuration)))\n")
            return
        }
        StopSignal.install()
        let daemon = try await BridgeDaemon.open(configuration)
        let log = BridgeLogWriter(format: configuration.logFormat, output: context.errorOutput)
        if configuration.logFormat == .json {
            log.write("info", "bridge running", ["bridge.pipelines": names])
        } else {
            context.errorOutput.write("bridge: running \(names)\n")
            context.errorOutput.flush()
        }
        let operations = try startOperations(daemon, log: log)
        defer { operations.stop() }
        ReloadSignal.install()
        let configFile = self.configFile
        let environment = context.environment
        let errorOutput = context.errorOutput
        let reloader = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                guard ReloadSignal.consume() else { continue }
                do {
                    let reloaded = try BridgeConfiguration(contentsOf: configFile, environment: environment)
                    let changed = daemon.reloadRoutes(from: reloaded)
                    errorOutput.write("bridge: routes reloaded (\(changed.isEmpty ? "no change" : changed.joined(separator: ", ")))\n")
                } catch {
                    errorOutput.write("warning: bridge: reload refused, routes unchanged: \(error)\n")
                }
                errorOutput.flush()
            }
        }
        let outcome = try await daemon.run { StopSignal.isRequested }
        reloader.cancel()
        operations.stop()
        for router in daemon.requestReplyRouters {
            let counts = router.statistics
            var line = JSONLine()
            line.field("request_reply", router.configuration.name)
            line.field("requests", counts.requests)
            line.field("routed_legacy", counts.routedLegacy)
            line.field("routed_modern", counts.routedModern)
            line.field("routed_shadow", counts.routedShadow)
            line.field("replies_delivered", counts.repliesDelivered)
            line.field("timeouts", counts.timeouts)
            line.field("error_replies", counts.errorReplies)
            line.field("fallbacks", counts.fallbacks)
            line.field("late_replies", counts.lateReplies)
            line.field("unknown_replies", counts.unknownReplies)
            line.field("recovered_requests", counts.recoveredRequests)
            line.field("shadow_compared", counts.shadowCompared)
            line.field("shadow_mismatches", counts.shadowMismatches)
            line.field("dead_lettered", counts.deadLettered)
            context.errorOutput.write(bytes: line.finish())
        }
        if configuration.logFormat == .json {
            writeStatisticsJSONLog(daemon, log: log, outcome: outcome)
            return
        }
        for pipeline in daemon.pipelines {
            let counts = pipeline.statistics
            var line = JSONLine()
            line.field("pipeline", pipeline.configuration.name)
            line.field("received", counts.received)
            line.field("appended", counts.appended)
            line.field("acknowledged", counts.acknowledged)
            line.field("rejected", counts.rejected)
            line.field("dead_lettered", counts.deadLettered)
            line.field("sink_retries", counts.sinkRetries)
            line.field("source_retries", counts.sourceRetries)
            context.errorOutput.write(bytes: line.finish())
        }
        writeStreamPipelineStatistics(daemon, context)
        writeOutboundRouteStatistics(daemon, context)
        switch outcome {
        case .drained:
            context.errorOutput.write("bridge: stopped, in-flight messages drained\n")
        case .drainTimedOut:
            context.errorOutput.write(
                "warning: bridge: drain deadline passed; messages still in flight are redelivered by their queues\n")
        }
    }
}
