extension BridgeDaemon {
    /// The inbound request-reply families of `/metrics` for this daemon's endpoints (empty without any).
    func requestReplyMetrics() -> String { Self.requestReplyText(requestReplyRouters, outbound: outboundRoutes) }

    /// The request-reply families in the Prometheus text format, labelled `endpoint` (the endpoint's name) and
    /// `route` (`legacy`, `modern` or `shadow`, as each request was resolved):
    ///
    /// - `ferry_request_reply_seconds` (histogram): the caller-visible round trip as the bridge sees it, request
    ///   received from the queue → reply (or timeout error reply) sent to the caller and confirmed by the queue.
    /// - `ferry_request_reply_held_seconds` (histogram, `direction` `request` or `reply`): the time Ferry itself
    ///   holds a request (received → published and acknowledged on Kafka and/or sent to the legacy service) and a
    ///   reply (received → sent to the caller). Their sum per request is the latency the bridge adds.
    /// - counters: requests, replies delivered, timeouts, late and unknown replies, shadow comparisons and
    ///   mismatches, shadow modern timeouts.
    ///
    /// The outbound routes' histograms share the two histogram families, labelled `route` (the route's name) only;
    /// their counters are in ``outboundRouteMetrics()``.
    public static func requestReplyText(_ routers: [RequestReplyRouter], outbound: [OutboundRequestReplyBridge] = []) -> String {
        guard !routers.isEmpty || !outbound.isEmpty else { return "" }
        var text = ""
        text += "# HELP ferry_request_reply_seconds Request received from the queue to reply sent to the caller (timeouts included).\n"
        text += "# TYPE ferry_request_reply_seconds histogram\n"
        for router in routers {
            let endpoint = escapeLabel(router.configuration.name)
            for route in RequestReplyLatencies.routeOrder {
                text += router.latencies.roundTrip[route]!.exposition(
                    name: "ferry_request_reply_seconds", labels: "endpoint=\"\(endpoint)\",route=\"\(route.rawValue)\"")
            }
        }
        for route in outbound {
            text += route.latencies.roundTrip.exposition(
                name: "ferry_request_reply_seconds", labels: "route=\"\(escapeLabel(route.configuration.name))\"")
        }
        text += "# HELP ferry_request_reply_held_seconds Time Ferry holds a request (received to forwarded) or a reply (received to sent).\n"
        text += "# TYPE ferry_request_reply_held_seconds histogram\n"
        for router in routers {
            let endpoint = escapeLabel(router.configuration.name)
            for route in RequestReplyLatencies.routeOrder {
                let labels = "endpoint=\"\(endpoint)\",route=\"\(route.rawValue)\""
                text += router.latencies.requestHeld[route]!.exposition(
                    name: "ferry_request_reply_held_seconds", labels: labels + ",direction=\"request\"")
                text += router.latencies.replyHeld[route]!.exposition(
                    name: "ferry_request_reply_held_seconds", labels: labels + ",direction=\"reply\"")
            }
        }
        for route in outbound {
            let labels = "route=\"\(escapeLabel(route.configuration.name))\""
            text += route.latencies.requestHeld.exposition(
                name: "ferry_request_reply_held_seconds", labels: labels + ",direction=\"request\"")
            text += route.latencies.replyHeld.exposition(
                name: "ferry_request_reply_held_seconds", labels: labels + ",direction=\"reply\"")
        }
        guard !routers.isEmpty else { return text }
        let families: [(name: String, help: String, value: (RequestReplyStatistics) -> Int)] = [
            ("ferry_request_reply_requests_total", "Requests taken from the request queue.", { $0.requests }),
            ("ferry_request_reply_replies_delivered_total", "Replies sent to callers (error replies included).", { $0.repliesDelivered }),
            ("ferry_request_reply_timeouts_total", "Requests whose reply did not come in time.", { $0.timeouts }),
            ("ferry_request_reply_late_replies_total", "Replies after their request timed out (dead-lettered).", { $0.lateReplies }),
            ("ferry_request_reply_unknown_replies_total", "Replies with a correlation this instance never issued, or duplicates.", { $0.unknownReplies }),
            ("ferry_request_reply_shadow_compared_total", "Shadow requests whose two replies were compared.", { $0.shadowCompared }),
            ("ferry_request_reply_shadow_mismatches_total", "Shadow comparisons that found a difference.", { $0.shadowMismatches }),
            ("ferry_request_reply_shadow_modern_timeouts_total", "Shadow requests whose modern reply did not come in time.", { $0.shadowModernTimeouts }),
        ]
        let statistics = routers.map { (escapeLabel($0.configuration.name), $0.statistics) }
        for family in families {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) counter\n"
            for (endpoint, counts) in statistics {
                text += "\(family.name){endpoint=\"\(endpoint)\"} \(family.value(counts))\n"
            }
        }
        return text
    }
}
