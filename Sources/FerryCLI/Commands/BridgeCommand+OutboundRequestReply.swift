import Bridge
import Mapping

extension BridgeCommand {
    /// `; N outbound request-reply route(s): NAMES` for `--check`, or nothing when there are none.
    func outboundRouteSummary(_ configuration: BridgeConfiguration) -> String {
        let routes = configuration.outboundRequestReply.map(\.name)
        guard !routes.isEmpty else { return "" }
        return "; \(routes.count) outbound request-reply route\(routes.count == 1 ? "" : "s"): \(routes.joined(separator: ", "))"
    }

    /// Loads every outbound route's mappings; the request mapping must be reversible.
    func checkOutboundRouteMappings(_ configuration: BridgeConfiguration) throws {
        for (index, route) in configuration.outboundRequestReply.enumerated() {
            for (field, file, mustReverse) in [
                ("requestMapping", route.requestMappingFile, true), ("replyMapping", route.replyMappingFile, false),
            ] {
                guard let file else { continue }
                let path = "$.outboundRequestReply[\(index)].\(field)"
                let definition: MappingDefinition
                do { definition = try MappingDefinition(contentsOf: file) } catch {
                    throw BridgeError.invalidConfiguration(file: configFile, path: path, reason: error.description)
                }
                if mustReverse && !definition.isReversible {
                    throw BridgeError.invalidConfiguration(
                        file: configFile, path: path, reason: "the mapping is not reversible, so it cannot encode request events")
                }
            }
        }
    }

    /// One JSON line of counters per outbound request-reply route, written when `ferry bridge` exits.
    func writeOutboundRouteStatistics(_ daemon: BridgeDaemon, _ context: CommandContext) {
        for route in daemon.outboundRoutes {
            let counts = route.statistics
            var line = JSONLine()
            line.field("route", route.configuration.name)
            line.field("requests_received", counts.requestsReceived)
            line.field("requests_sent", counts.requestsSent)
            line.field("committed", counts.committed)
            line.field("replies_delivered", counts.repliesDelivered)
            line.field("timed_out", counts.timedOut)
            line.field("late_replies", counts.lateReplies)
            line.field("unknown_replies", counts.unknownReplies)
            line.field("dead_lettered", counts.deadLettered)
            line.field("sink_retries", counts.sinkRetries)
            line.field("source_retries", counts.sourceRetries)
            context.errorOutput.write(bytes: line.finish())
        }
    }
}
