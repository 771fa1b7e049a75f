import Events
import Foundation

/// One inbound request-reply endpoint (issue 7, items 4 and 5): legacy callers put requests on ``requests``; each
/// is routed by message type to the old service's queue, to the request topic, or both, and the reply goes back
/// to the caller's reply-to queue with the correlation it expects.
///
/// ```json
/// "requestReply": [{
///   "name": "claim-status",
///   "requests": { "queue": "stomp://broker:61613/queue/CLAIM.STATUS.REQUEST" },
///   "format": "jms",
///   "kafka": "kafka://broker:9092",
///   "requestTopic": "claim-status-requests",
///   "replyTopic": "claim-status-replies",
///   "replyPartition": 0,
///   "timeoutMilliseconds": 5000,
///   "onTimeout": "errorReply",
///   "errorReply": "{\"error\":\"timeout\"}",
///   "legacyServiceQueue": "/queue/CLAIM.STATUS.LEGACY",
///   "legacyReplyQueue": "/queue/FERRY.CLAIM.STATUS.REPLIES",
///   "deadLetterQueue": "/queue/FERRY.CLAIM.STATUS.DLQ",
///   "messageTypeProperty": "type",
///   "keyProperty": "memberId",
///   "defaultRoute": "modern",
///   "routes": { "claim-status": "shadow", "claim-history": "canary:10" },
///   "shadow": { "ignoreFields": ["time", "id"], "mismatchTopic": "claim-status-mismatches" }
/// }]
/// ```
public struct RequestReplyConfiguration: Sendable {
    /// How request and reply bodies are framed on the legacy queue.
    public enum Format: String, Sendable, Hashable {
        /// JMS-style: STOMP `reply-to` and `correlation-id` headers; the reply echoes the caller's correlation id
        /// (or the request's message id when it had none).
        case jms
        /// The body is one MQ frame (MQMD first) with `MsgType` `MQMT_REQUEST` and a `ReplyToQ`; the reply is an
        /// MQ frame with `CorrelId` = the request's `MsgId` (or its `CorrelId` under `MQRO_PASS_CORREL_ID`).
        case mq
    }

    /// What a request whose reply did not come in time gets.
    public enum TimeoutAction: String, Sendable, Hashable {
        /// ``RequestReplyConfiguration/errorReply`` is sent to the caller.
        case errorReply
        /// The request is passed to the legacy service (a modern request only; others get the error reply).
        case legacy
    }

    /// The Kafka header names of Spring Kafka's `ReplyingKafkaTemplate`.
    public struct HeaderNames: Sendable, Hashable {
        /// The correlation id, echoed by the responder. Default: `kafka_correlationId`.
        public var correlationID = "kafka_correlationId"
        /// The topic the responder replies to. Default: `kafka_replyTopic`.
        public var replyTopic = "kafka_replyTopic"
        /// The partition the responder replies to, a 4-byte big-endian integer. Default: `kafka_replyPartition`.
        public var replyPartition = "kafka_replyPartition"
        /// Spring's names.
        public init() {}
    }

    /// A unique name, in logs and counters.
    public var name: String
    /// The queue legacy callers put requests on (`stomp://…/queue/NAME` or `spool:/dir/NAME`).
    public var requests: String
    /// Body framing. Default: `.jms`.
    public var format: Format
    /// The Kafka cluster, `kafka://host:port[,host:port…]`.
    public var kafka: String
    /// Where modern requests go.
    public var requestTopic: String
    /// Where modern replies come from; this instance reads ``replyPartition`` of it.
    public var replyTopic: String
    /// The reply partition of this instance. Default: 0.
    public var replyPartition: Int
    /// Header names on request records. Default: Spring's.
    public var headers: HeaderNames
    /// Mapping of requests (legacy bytes → event); format `mq` only. Default: none (the payload is passed as is).
    public var requestMappingFile: String?
    /// Mapping of replies (event → legacy bytes, its reverse direction); format `mq` only. Default: none.
    public var replyMappingFile: String?
    /// How long a request waits for its reply. Default: 5 s (Spring's `defaultReplyTimeout`).
    public var timeout: Duration
    /// What a timed-out request gets. Default: `.errorReply`.
    public var onTimeout: TimeoutAction
    /// The body of the error reply. Default: `{"error":"timeout"}`.
    public var errorReply: String
    /// The old service's request queue (a destination on the same broker as ``requests``). Required when any
    /// route or the timeout action uses it.
    public var legacyServiceQueue: String?
    /// The bridge's own queue for the old service's replies (same broker). Default: `<requests>.FERRY.REPLIES`.
    public var legacyReplyQueue: String
    /// Where requests that cannot be handled (no reply-to, bad frame) and late replies go (same broker).
    public var deadLetterQueue: String
    /// The message property naming the message type. Default: `type` (JMSType).
    public var messageTypeProperty: String
    /// The message property holding the entity key for canaries. Default: none (the correlation id is the key).
    public var keyProperty: String?
    /// The routes.
    public var routes: RouteTable
    /// Fields not compared in shadow mode (member names or JSON paths). Default: none.
    public var shadowIgnoredFields: Set<String>
    /// The topic shadow mismatch events go to. Default: none (mismatches are only counted).
    public var mismatchTopic: String?
    /// Requests forwarded but not yet answered, at most; the request queue is not read beyond. Default: 1000.
    public var maxInFlight: Int
    /// The longest a reply-topic Fetch waits for data (`MaxWaitMs`). A broker that answers a Fetch only at the
    /// end of the wait (tansu 0.6 does) adds up to this much to every modern round trip. Default: 100 ms.
    public var replyFetchWait: Duration

    /// This bridge instance's id among the instances sharing the endpoint; it names the instance's correlation
    /// journal and (when set explicitly) its legacy reply queue `FERRY.REPLIES.<name>.<instanceId>`.
    /// Default: nil — ``effectiveInstanceID`` is then `<hostname>-<name>`.
    public var instanceID: String?
    /// Where pending correlations are journaled: an embedded LocalLog in `<journalDirectory>/<name>.<instance>`,
    /// locked by the running instance. Default: nil (in memory only:
    /// after a restart, replies to earlier requests are unknown).
    public var journalDirectory: String?
    /// How often buffered journal records are appended to the log. A crash loses at most this interval's records
    /// (their replies are then unknown: counted and dropped, never delivered to a wrong caller). Default: 20 ms.
    public var journalFlushInterval: Duration = .milliseconds(20)
    /// How often the reply partition's consumer lag (`ferry_consumer_lag`) is read. Default: 5 s.
    public var lagRefreshInterval: Duration = .seconds(5)

    /// The configured ``instanceID``, else `<hostname>-<name>`.
    public var effectiveInstanceID: String {
        instanceID ?? "\(ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host")-\(name)"
    }

    /// An endpoint with the defaults documented on each property.
    public init(
        name: String, requests: String, kafka: String, requestTopic: String, replyTopic: String,
        deadLetterQueue: String, routes: RouteTable = RouteTable(defaultRoute: .modern)
    ) {
        self.name = name
        self.requests = requests
        self.format = .jms
        self.kafka = kafka
        self.requestTopic = requestTopic
        self.replyTopic = replyTopic
        self.replyPartition = 0
        self.headers = HeaderNames()
        self.timeout = .seconds(5)
        self.onTimeout = .errorReply
        self.errorReply = #"{"error":"timeout"}"#
        self.legacyReplyQueue = "/queue/FERRY.REPLIES.\(name)"
        self.deadLetterQueue = deadLetterQueue
        self.messageTypeProperty = "type"
        self.routes = routes
        self.shadowIgnoredFields = []
        self.maxInFlight = 1000
        self.replyFetchWait = .milliseconds(100)
    }
}

extension ConfigurationReader {
    /// Parses one `requestReply` item at `path`.
    func requestReply(_ value: JSONValue, at path: String) throws(BridgeError) -> RequestReplyConfiguration {
        try allow(
            ["name", "requests", "format", "kafka", "requestTopic", "replyTopic", "replyPartition", "headers",
             "requestMapping", "replyMapping", "timeoutMilliseconds", "onTimeout", "errorReply", "legacyServiceQueue",
             "legacyReplyQueue", "deadLetterQueue", "instanceId", "journal", "messageTypeProperty", "keyProperty", "defaultRoute", "routes",
             "shadow", "maxInFlight", "replyFetchWaitMilliseconds", "lagRefreshMilliseconds"], in: value, at: path)
        let name = try string(value, "name", at: path)!
        guard let requests = value["requests"] else { throw fail(path + ".requests", "required") }
        let requestsURL = try queueURL(requests, at: path + ".requests")
        let kafka = try expand(try string(value, "kafka", at: path)!, at: path + ".kafka")
        guard kafka.hasPrefix("kafka://") else { throw fail(path + ".kafka", "expected kafka://host:port[,host:port…]") }
        var configuration = RequestReplyConfiguration(
            name: name, requests: requestsURL, kafka: kafka, requestTopic: try string(value, "requestTopic", at: path)!,
            replyTopic: try string(value, "replyTopic", at: path)!,
            deadLetterQueue: try destination(value, "deadLetterQueue", at: path)!)
        if let text = try string(value, "format", at: path, required: false) {
            guard let format = RequestReplyConfiguration.Format(rawValue: text) else { throw fail(path + ".format", "expected jms or mq") }
            configuration.format = format
        }
        if let partition = value["replyPartition"] {
            guard let number = partition.int64Value, (0...100_000).contains(number) else {
                throw fail(path + ".replyPartition", "expected an integer from 0 to 100000")
            }
            configuration.replyPartition = Int(number)
        }
        if let headers = value["headers"] {
            try allow(["correlationId", "replyTopic", "replyPartition"], in: headers, at: path + ".headers")
            if let text = try string(headers, "correlationId", at: path + ".headers", required: false) { configuration.headers.correlationID = text }
            if let text = try string(headers, "replyTopic", at: path + ".headers", required: false) { configuration.headers.replyTopic = text }
            if let text = try string(headers, "replyPartition", at: path + ".headers", required: false) { configuration.headers.replyPartition = text }
        }
        for (key, keyPath) in [("requestMapping", \RequestReplyConfiguration.requestMappingFile), ("replyMapping", \.replyMappingFile)] {
            guard let file = try string(value, key, at: path, required: false) else { continue }
            guard configuration.format == .mq else { throw fail("\(path).\(key)", "mappings apply to format mq only") }
            guard FileManager.default.fileExists(atPath: file) else { throw fail("\(path).\(key)", "no such file '\(file)'") }
            configuration[keyPath: keyPath] = file
        }
        if let milliseconds = try positiveInteger(value, "timeoutMilliseconds", at: path) {
            configuration.timeout = .milliseconds(milliseconds)
        }
        if let text = try string(value, "onTimeout", at: path, required: false) {
            guard let action = RequestReplyConfiguration.TimeoutAction(rawValue: text) else {
                throw fail(path + ".onTimeout", "expected errorReply or legacy")
            }
            configuration.onTimeout = action
        }
        if let text = try string(value, "errorReply", at: path, required: false) { configuration.errorReply = text }
        configuration.legacyServiceQueue = try destination(value, "legacyServiceQueue", at: path, required: false)
        configuration.instanceID = try string(value, "instanceId", at: path, required: false)
        if let instance = configuration.instanceID, instance.isEmpty || instance.contains("/") {
            throw fail(path + ".instanceId", "expected a non-empty id without '/'")
        }
        let instanceSuffix = configuration.instanceID.map { "." + $0 } ?? ""
        if let queue = try destination(value, "legacyReplyQueue", at: path, required: false) {
            configuration.legacyReplyQueue = queue
        } else if requestsURL.hasPrefix("spool:") {
            configuration.legacyReplyQueue = "FERRY.REPLIES.\(name)" + instanceSuffix  // spool queues are bare names
        } else {
            configuration.legacyReplyQueue += instanceSuffix
        }
        if let journal = value["journal"] {
            try allow(["directory", "flushIntervalMilliseconds"], in: journal, at: path + ".journal")
            configuration.journalDirectory = try string(journal, "directory", at: path + ".journal", required: true)
            if let interval = try positiveInteger(journal, "flushIntervalMilliseconds", at: path + ".journal") {
                configuration.journalFlushInterval = .milliseconds(interval)
            }
        }
        if let text = try string(value, "messageTypeProperty", at: path, required: false) { configuration.messageTypeProperty = text }
        configuration.keyProperty = try string(value, "keyProperty", at: path, required: false)
        configuration.routes = try routeTable(value, at: path)
        if let shadow = value["shadow"] {
            try allow(["ignoreFields", "mismatchTopic"], in: shadow, at: path + ".shadow")
            if let fields = shadow["ignoreFields"] {
                guard case let .array(items) = fields else { throw fail(path + ".shadow.ignoreFields", "expected an array of strings") }
                for (index, item) in items.enumerated() {
                    guard case let .string(text) = item, !text.isEmpty else {
                        throw fail("\(path).shadow.ignoreFields[\(index)]", "expected a non-empty string")
                    }
                    configuration.shadowIgnoredFields.insert(text)
                }
            }
            configuration.mismatchTopic = try string(shadow, "mismatchTopic", at: path + ".shadow", required: false)
        }
        if let limit = try positiveInteger(value, "maxInFlight", at: path) { configuration.maxInFlight = limit }
        if let interval = try positiveInteger(value, "lagRefreshMilliseconds", at: path) {
            configuration.lagRefreshInterval = .milliseconds(interval)
        }
        if let wait = try positiveInteger(value, "replyFetchWaitMilliseconds", at: path) {
            configuration.replyFetchWait = .milliseconds(wait)
        }
        let usesLegacy =
            configuration.onTimeout == .legacy
            || ([configuration.routes.defaultRoute] + configuration.routes.routes.values).contains { $0 != .modern }
        if usesLegacy && configuration.legacyServiceQueue == nil {
            throw fail(path + ".legacyServiceQueue", "required: a route or onTimeout sends requests to the legacy service")
        }
        return configuration
    }

    /// The `defaultRoute` and `routes` of a request-reply item (also what a reload reads).
    func routeTable(_ value: JSONValue, at path: String) throws(BridgeError) -> RouteTable {
        var table = RouteTable(defaultRoute: .modern)
        if let text = try string(value, "defaultRoute", at: path, required: false) {
            guard let route = RequestRoute(parsing: text) else {
                throw fail(path + ".defaultRoute", "expected legacy, modern, shadow or canary:N (0 to 100)")
            }
            table.defaultRoute = route
        }
        if let routes = value["routes"] {
            guard case let .object(members) = routes else { throw fail(path + ".routes", "expected an object of message type → route") }
            for member in members {
                guard case let .string(text) = member.value, let route = RequestRoute(parsing: text) else {
                    throw fail("\(path).routes.\(member.key)", "expected legacy, modern, shadow or canary:N (0 to 100)")
                }
                table.routes[member.key] = route
            }
        }
        return table
    }

    /// A queue destination on the requests' broker: `/queue/NAME` for STOMP, or a spool queue name.
    func destination(_ object: JSONValue, _ key: String, at path: String, required: Bool = true) throws(BridgeError) -> String? {
        guard let text = try string(object, key, at: path, required: required) else { return nil }
        if text.contains("://") || text.hasPrefix("spool:") {
            throw fail("\(path).\(key)", "expected a destination on the requests' broker (/queue/NAME or a spool queue name), not a URL")
        }
        return text
    }
}

extension ConfigurationReader {
    /// The `requestReply` array of the root object (empty when absent); names are unique.
    func requestReplyList(_ root: JSONValue) throws(BridgeError) -> [RequestReplyConfiguration] {
        guard let list = root["requestReply"] else { return [] }
        guard case let .array(items) = list else { throw fail("$.requestReply", "expected an array of request-reply endpoints") }
        var result: [RequestReplyConfiguration] = []
        var names: Set<String> = []
        for (index, item) in items.enumerated() {
            let path = "$.requestReply[\(index)]"
            let endpoint = try requestReply(item, at: path)
            guard names.insert(endpoint.name).inserted else { throw fail(path + ".name", "duplicate name '\(endpoint.name)'") }
            result.append(endpoint)
        }
        return result
    }
}
