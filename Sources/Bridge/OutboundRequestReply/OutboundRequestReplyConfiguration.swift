import Foundation

/// One outbound request-reply route (new service → legacy service): request events on a topic are put on the legacy
/// service's queue with the bridge's reply queue as reply-to, and each legacy reply goes back to the requester's reply
/// topic and partition (Spring `ReplyingKafkaTemplate` headers).
///
/// JSON: an entry of `"outboundRequestReply": [...]` (see `Sources/Bridge/README.md`, "Outbound request-reply").
public struct OutboundRequestReplyConfiguration: Sendable {
    /// A unique name, used in output and dead-letter headers.
    public var name: String
    /// The request topic, read as a consumer group; replies are published to the same log.
    public var requests: StreamSourceConfiguration
    /// A reversible mapping whose reverse encodes each request event into the legacy bytes (a copybook record, or
    /// an MQ frame file holding one request frame). Default: none, meaning the event in JSON format.
    public var requestMappingFile: String?
    /// The mapping that turns a legacy reply into a CloudEvent. Default: none, meaning the reply body is one
    /// CloudEvent in JSON format.
    public var replyMappingFile: String?
    /// The legacy service's request queue: `spool:/dir/NAME` or `stomp://…/queue/NAME`.
    public var legacyQueue: String
    /// The bridge's own reply queue, sent as reply-to (STOMP `reply-to`; MQMD `ReplyToQ`) and read for replies.
    public var replyQueue: String
    /// The dead-letter queue for late or unknown replies and for requests that cannot be sent (no reply topic,
    /// not a CloudEvent, rejected by the mapping).
    public var deadLetter: String
    /// How long a request waits for its reply before the error reply is sent. Default: 30 s.
    public var timeout: Duration
    /// The error reply sent on a timeout.
    public var errorReply: ErrorReply
    /// Requests waiting for a reply, at most; reading the request topic pauses at this many. Default: 256.
    public var maxPending: Int
    /// Records read from the request topic per batch. Default: 64.
    public var maxInFlight: Int
    /// How long an idle loop waits before reading again. Default: 100 ms.
    public var pollInterval: Duration
    /// The first wait after an error; doubles up to ``maxRetryBackoff``, with full jitter. Default: 100 ms.
    public var retryBackoff: Duration
    /// The longest wait between retries. Default: 5 s.
    public var maxRetryBackoff: Duration
    /// This instance's id among the instances serving the route; it names the instance's journal and, when
    /// ``replyQueue`` is not configured, its reply queue `FERRY.REPLIES.<name>.<instanceId>` (on the legacy
    /// queue's broker). Default: nil — ``effectiveInstanceID`` is then `<hostname>-<name>`.
    public var instanceID: String?
    /// Where pending requests are journaled: an embedded LocalLog in `<journalDirectory>/<name>.<instance>`,
    /// locked by the running instance. Default: nil (in memory only).
    public var journalDirectory: String?
    /// How often the request topic's consumer lag (`ferry_consumer_lag`) is read. Default: 5 s.
    public var lagRefreshInterval: Duration = .seconds(5)

    /// The configured ``instanceID``, else `<hostname>-<name>`.
    public var effectiveInstanceID: String {
        instanceID ?? "\(ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host")-\(name)"
    }

    /// The CloudEvent published to the requester when no reply came in time.
    public struct ErrorReply: Sendable, Equatable {
        /// The event `type`. Default: `org.ferry.bridge.request.timed-out.v1`.
        public var type: String
        /// The event `source`. Default: `ferry-bridge/` followed by the route name.
        public var source: String

        /// An error reply description.
        public init(type: String = "org.ferry.bridge.request.timed-out.v1", source: String) {
            self.type = type
            self.source = source
        }
    }

    /// A route; parameters default to the values documented on the properties.
    public init(
        name: String, requests: StreamSourceConfiguration, requestMappingFile: String? = nil,
        replyMappingFile: String? = nil, legacyQueue: String, replyQueue: String, deadLetter: String,
        timeout: Duration = .seconds(30), errorReply: ErrorReply? = nil, maxPending: Int = 256, maxInFlight: Int = 64,
        pollInterval: Duration = .milliseconds(100), retryBackoff: Duration = .milliseconds(100),
        maxRetryBackoff: Duration = .seconds(5)
    ) {
        self.name = name
        self.requests = requests
        self.requestMappingFile = requestMappingFile
        self.replyMappingFile = replyMappingFile
        self.legacyQueue = legacyQueue
        self.replyQueue = replyQueue
        self.deadLetter = deadLetter
        self.timeout = timeout
        self.errorReply = errorReply ?? ErrorReply(source: "ferry-bridge/\(name)")
        self.maxPending = maxPending
        self.maxInFlight = maxInFlight
        self.pollInterval = pollInterval
        self.retryBackoff = retryBackoff
        self.maxRetryBackoff = maxRetryBackoff
    }
}

/// Counters of one outbound request-reply route since it started.
public struct OutboundRequestReplyStatistics: Sendable, Equatable {
    /// Request records read from the topic.
    public var requestsReceived = 0
    /// Requests the legacy queue confirmed.
    public var requestsSent = 0
    /// Request records whose offset was committed.
    public var committed = 0
    /// Legacy replies delivered to their requester's reply topic.
    public var repliesDelivered = 0
    /// Requests answered with the error reply because their deadline passed.
    public var timedOut = 0
    /// Replies whose request had already timed out (dead-lettered).
    public var lateReplies = 0
    /// Pending requests put back from the journal at start.
    public var recoveredRequests = 0
    /// Replies matching no request of this bridge, or a duplicate of one already answered (dead-lettered).
    public var unknownReplies = 0
    /// Messages sent to the dead-letter queue (late and unknown replies, unsendable requests).
    public var deadLettered = 0
    /// Queue sends and reply publishes retried after an error.
    public var sinkRetries = 0
    /// Topic reads, commits and reply-queue reads retried after an error.
    public var sourceRetries = 0
    /// Health of the endpoints, for `/readyz` and `ferry_bridge_last_error_timestamp_seconds`: the source side is
    /// the request topic and the reply queue, the sink side the legacy queue, the reply topic and the dead letters.
    public var health = EndpointHealth()
}
