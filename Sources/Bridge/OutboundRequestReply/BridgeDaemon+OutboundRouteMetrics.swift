extension BridgeDaemon {
    /// The outbound request-reply routes as the operations endpoint sees them (kind `outbound-request-reply`):
    /// requests read, sent to the legacy queue and committed; in flight are the requests waiting for replies.
    func outboundRouteSnapshots() -> [PipelineSnapshot] {
        outboundRoutes.map { route in
            let s = route.statistics
            return PipelineSnapshot(
                kind: "outbound-request-reply", name: route.configuration.name, received: s.requestsReceived,
                delivered: s.requestsSent, acknowledged: s.committed, deadLettered: s.deadLettered,
                retries: s.sinkRetries + s.sourceRetries, inFlight: route.pending.count, health: s.health,
                isSourceConnected: allConnected(route.endpoints.source), isSinkConnected: allConnected(route.endpoints.sink))
        }
    }

    /// The request-reply counters per route in the Prometheus text format (labelled `route`):
    /// `ferry_bridge_replies_delivered_total`, `ferry_bridge_requests_timed_out_total`,
    /// `ferry_bridge_late_replies_total`, `ferry_bridge_unknown_replies_total`. Empty without routes.
    func outboundRouteMetrics() -> String {
        guard !outboundRoutes.isEmpty else { return "" }
        let families: [(name: String, help: String, value: (OutboundRequestReplyStatistics) -> Int)] = [
            ("ferry_bridge_replies_delivered_total", "Legacy replies delivered to their requester's reply topic.", { $0.repliesDelivered }),
            ("ferry_bridge_requests_timed_out_total", "Requests answered with the error reply after their deadline.", { $0.timedOut }),
            ("ferry_bridge_late_replies_total", "Replies that came after their request timed out (dead-lettered).", { $0.lateReplies }),
            ("ferry_bridge_unknown_replies_total", "Replies matching no pending request (dead-lettered).", { $0.unknownReplies }),
        ]
        let statistics = outboundRoutes.map { ($0.configuration.name, $0.statistics) }
        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) counter\n"
            for (name, counts) in statistics {
                text += "\(family.name){route=\"\(Self.escapeLabel(name))\"} \(family.value(counts))\n"
            }
        }
        return text
    }
}
