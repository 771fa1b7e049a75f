import Events
import Foundation

/// Outbound request-reply routes in the configuration: the root's `outboundRequestReply` array.
///
/// ```json
/// "outboundRequestReply": [{
///   "name": "claim-status-inquiry",
///   "requests": { "log": "kafka://broker:9092", "topic": "claim-status.requests", "group": "ferry-claim-status" },
///   "requestMapping": "mappings/claim-status-request/mapping.json",
///   "replyMapping": "mappings/claim-status-reply/mapping.json",
///   "legacyQueue": { "queue": "stomp://broker:61613/queue/CLAIMS.STATUS.REQUEST" },
///   "replyQueue": { "queue": "stomp://broker:61613/queue/FERRY.CLAIMS.STATUS.REPLY" },
///   "deadLetter": { "queue": "stomp://broker:61613/queue/FERRY.CLAIMS.STATUS.DLQ" },
///   "timeoutMilliseconds": 30000,
///   "errorReply": { "type": "org.example.payer.claim.status.timed-out.v1", "source": "ferry-bridge/claim-status" }
/// }]
/// ```
extension ConfigurationReader {
    func outboundRequestReply(_ value: JSONValue, at path: String) throws(BridgeError) -> OutboundRequestReplyConfiguration {
        try allow(
            ["name", "requests", "requestMapping", "replyMapping", "legacyQueue", "replyQueue", "deadLetter",
             "timeoutMilliseconds", "errorReply", "maxPending", "maxInFlight", "pollIntervalMilliseconds",
             "retryBackoffMilliseconds", "maxRetryBackoffMilliseconds", "instanceId", "journal", "lagRefreshMilliseconds"], in: value, at: path)
        let name = try string(value, "name", at: path)!
        let sourcePath = path + ".requests"
        guard let sourceValue = value["requests"] else { throw fail(sourcePath, "required") }
        try allow(["log", "topic", "group", "joinGroup"], in: sourceValue, at: sourcePath)
        let log = try expand(try string(sourceValue, "log", at: sourcePath)!, at: sourcePath + ".log")
        let topic = try string(sourceValue, "topic", at: sourcePath)!
        let group = try string(sourceValue, "group", at: sourcePath, required: false) ?? "ferry-bridge-\(name)"
        var joinsGroup: Bool?
        if let flagValue = sourceValue["joinGroup"] {
            guard case let .bool(flag) = flagValue else { throw fail(sourcePath + ".joinGroup", "expected true or false") }
            if flag && !log.hasPrefix("kafka://") {
                throw fail(sourcePath + ".joinGroup", "group membership needs a Kafka log (kafka://…)")
            }
            joinsGroup = flag
        }
        var mappings: [String: String] = [:]
        for key in ["requestMapping", "replyMapping"] {
            guard let file = try string(value, key, at: path, required: false) else { continue }
            guard FileManager.default.fileExists(atPath: file) else { throw fail("\(path).\(key)", "no such file '\(file)'") }
            mappings[key] = file
        }
        let instanceID = try string(value, "instanceId", at: path, required: false)
        if let instanceID, instanceID.isEmpty || instanceID.contains("/") {
            throw fail(path + ".instanceId", "expected a non-empty id without '/'")
        }
        var queues: [String: String] = [:]
        for key in ["legacyQueue", "replyQueue", "deadLetter"] {
            guard let queueValue = value[key] else {
                if key == "replyQueue", let instanceID, let legacy = queues["legacyQueue"], let slash = legacy.lastIndex(of: "/") {
                    // One reply queue per instance, beside the legacy queue on its broker.
                    queues[key] = String(legacy[...slash]) + "FERRY.REPLIES.\(name).\(instanceID)"
                    continue
                }
                throw fail("\(path).\(key)", key == "replyQueue" ? "required (or an instanceId)" : "required")
            }
            queues[key] = try queueURL(queueValue, at: "\(path).\(key)")
        }
        var journalDirectory: String?
        if let journal = value["journal"] {
            try allow(["directory"], in: journal, at: path + ".journal")
            journalDirectory = try expand(try string(journal, "directory", at: path + ".journal")!, at: path + ".journal.directory")
        }
        if queues["replyQueue"] == queues["legacyQueue"] {
            throw fail(path + ".replyQueue.queue", "must differ from the legacy queue")
        }
        if queues["deadLetter"] == queues["replyQueue"] || queues["deadLetter"] == queues["legacyQueue"] {
            throw fail(path + ".deadLetter.queue", "must differ from the legacy and reply queues")
        }
        var errorReply: OutboundRequestReplyConfiguration.ErrorReply?
        if let replyValue = value["errorReply"] {
            try allow(["type", "source"], in: replyValue, at: path + ".errorReply")
            errorReply = OutboundRequestReplyConfiguration.ErrorReply(
                type: try string(replyValue, "type", at: path + ".errorReply", required: false)
                    ?? "org.ferry.bridge.request.timed-out.v1",
                source: try string(replyValue, "source", at: path + ".errorReply", required: false) ?? "ferry-bridge/\(name)")
        }
        let backoff = try positiveInteger(value, "retryBackoffMilliseconds", at: path) ?? 100
        let maxBackoff = try positiveInteger(value, "maxRetryBackoffMilliseconds", at: path) ?? 5000
        if maxBackoff < backoff {
            throw fail(path + ".maxRetryBackoffMilliseconds", "must be at least retryBackoffMilliseconds (\(backoff))")
        }
        var route = OutboundRequestReplyConfiguration(
            name: name, requests: StreamSourceConfiguration(log: log, topic: topic, group: group, joinsGroup: joinsGroup),
            requestMappingFile: mappings["requestMapping"], replyMappingFile: mappings["replyMapping"],
            legacyQueue: queues["legacyQueue"]!, replyQueue: queues["replyQueue"]!, deadLetter: queues["deadLetter"]!,
            timeout: .milliseconds(try positiveInteger(value, "timeoutMilliseconds", at: path) ?? 30_000),
            errorReply: errorReply, maxPending: try positiveInteger(value, "maxPending", at: path) ?? 256,
            maxInFlight: try positiveInteger(value, "maxInFlight", at: path) ?? 64,
            pollInterval: .milliseconds(try positiveInteger(value, "pollIntervalMilliseconds", at: path) ?? 100),
            retryBackoff: .milliseconds(backoff), maxRetryBackoff: .milliseconds(maxBackoff))
        route.instanceID = instanceID
        route.journalDirectory = journalDirectory
        if let interval = try positiveInteger(value, "lagRefreshMilliseconds", at: path) {
            route.lagRefreshInterval = .milliseconds(interval)
        }
        return route
    }

    /// Reads the root's `outboundRequestReply` array (names unique among themselves and with `pipelineNames`).
    func readOutboundRequestReply(_ root: JSONValue, into configuration: inout BridgeConfiguration) throws(BridgeError) {
        guard let value = root["outboundRequestReply"] else { return }
        guard case let .array(items) = value else {
            throw fail("$.outboundRequestReply", "expected an array of routes, found \(value.typeName)")
        }
        var names = Set(configuration.pipelineNames)
        for (index, item) in items.enumerated() {
            let path = "$.outboundRequestReply[\(index)]"
            let route = try outboundRequestReply(item, at: path)
            guard names.insert(route.name).inserted else { throw fail(path + ".name", "duplicate name '\(route.name)'") }
            configuration.outboundRequestReply.append(route)
        }
    }
}
