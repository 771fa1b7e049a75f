import Events
import Foundation
public import StreamLog

/// The bridge's configuration: the pipelines `ferry bridge` runs, loaded once from JSON and validated with the
/// offending JSON path in every error.
///
/// ```json
/// {
///   "drainTimeoutSeconds": 10,
///   "pipelines": [{
///     "name": "member-updates",
///     "source": { "queue": "spool:/var/ferry/spool/MEMBER.UPDATES" },
///     "mapping": "mappings/member-eligibility-cdc/mapping.json",
///     "sink": { "log": "/var/ferry/log", "topic": "member-updates", "partitions": 3, "fsync": "always" },
///     "deadLetter": { "queue": "spool:/var/ferry/spool/MEMBER.UPDATES.DLQ" },
///     "maxAttempts": 3,
///     "maxInFlight": 256
///   }]
/// }
/// ```
/// Relative file paths (mapping, spool directories, log directory) resolve against the working directory.
/// Queue URLs and `sink.log` may name environment variables as `${NAME}` (for credentials:
/// `stomp://${FERRY_STOMP_USER}:${FERRY_STOMP_PASSWORD}@broker:61613/queue/CLAIMS`), so secrets stay out of the
/// file and off the command line; a variable that is not set is an error naming the field.
public struct BridgeConfiguration: Sendable {
    /// The queue → stream pipelines, in file order; names are unique.
    public var pipelines: [PipelineConfiguration]
    /// The stream → queue pipelines (a `source` with `log`), in file order; names are unique across both kinds.
    public var streamPipelines: [StreamToQueuePipelineConfiguration] = []
    /// The outbound request-reply routes (`outboundRequestReply`), in file order.
    public var outboundRequestReply: [OutboundRequestReplyConfiguration] = []
    /// The watched-directory → stream pipelines (a `source` with `directory`), in file order.
    public var directoryPipelines: [DirectoryPipelineConfiguration] = []
    /// The pipeline names of every kind in file order (for JSON paths in errors).
    var pipelineOrder: [String] = []
    /// The operations HTTP endpoint (`/metrics`, `/healthz`, `/readyz`). Default: none.
    public var http: HTTPEndpointConfiguration?
    /// How `ferry bridge` writes its log lines on standard error. Default: `.text`.
    public var logFormat: BridgeLogFormat = .text
    /// How long a stopping bridge waits for in-flight work to be appended and acknowledged before it abandons
    /// it (abandoned messages are redelivered by the source). Default: 10 s.
    public var drainTimeout: Duration
    /// Inbound request-reply endpoints (`"requestReply"`, see `RequestReply/RequestReplyConfiguration.swift`).
    /// Default: none.
    public var requestReply: [RequestReplyConfiguration] = []

    /// A configuration of `pipelines`.
    public init(pipelines: [PipelineConfiguration], drainTimeout: Duration = .seconds(10)) {
        self.pipelines = pipelines
        self.drainTimeout = drainTimeout
    }
}

/// One queue → stream pipeline.
public struct PipelineConfiguration: Sendable {
    /// A unique name, used in logs and dead-letter headers.
    public var name: String
    /// The source queue: `spool:/dir/NAME` or `stomp://[user[:password]@]host:port/queue/NAME`.
    public var source: String
    /// The mapping file (legacy record → CloudEvents). Default: none, meaning each message body is one
    /// CloudEvent in JSON format (pass-through).
    public var mappingFile: String?
    /// Where the events go.
    public var sink: SinkConfiguration
    /// The dead-letter queue (same URL forms as ``source``) for messages the mapping rejects or that are malformed.
    public var deadLetter: String
    /// A dead-letter topic instead of a queue (`"deadLetter": {"topic": …}`); ``deadLetter`` then describes it.
    /// Default: none.
    public var deadLetterTopic: DeadLetterTopicConfiguration?
    /// Deliveries of a message that fails mapping before it is dead-lettered. Default: 3.
    public var maxAttempts: Int
    /// Messages received but not yet acknowledged, at most; the source is not read while this many are in
    /// flight (back-pressure). Default: 256.
    public var maxInFlight: Int
    /// The first wait after a sink error; doubles up to ``maxRetryBackoff``, with full jitter. Default: 100 ms.
    public var retryBackoff: Duration
    /// The longest wait between sink retries. Default: 5 s.
    public var maxRetryBackoff: Duration

    /// A pipeline; parameters default to the values documented on the properties.
    public init(
        name: String, source: String, mappingFile: String? = nil, sink: SinkConfiguration, deadLetter: String,
        maxAttempts: Int = 3, maxInFlight: Int = 256, retryBackoff: Duration = .milliseconds(100),
        maxRetryBackoff: Duration = .seconds(5)
    ) {
        self.name = name
        self.source = source
        self.mappingFile = mappingFile
        self.sink = sink
        self.deadLetter = deadLetter
        self.maxAttempts = maxAttempts
        self.maxInFlight = maxInFlight
        self.retryBackoff = retryBackoff
        self.maxRetryBackoff = maxRetryBackoff
    }
}

/// Where a pipeline appends its events.
public struct SinkConfiguration: Sendable {
    /// The embedded log's directory, or a Kafka cluster `kafka://host:port[,host:port…]`.
    public var log: String
    /// The topic.
    public var topic: String
    /// Partitions of the topic when the bridge creates it (embedded log only). Default: 1.
    public var partitions: Int
    /// The embedded log's fsync policy; the source is acknowledged once an append is durable under it.
    /// Default: `.always` (no loss even on power failure).
    public var fsync: FsyncPolicy

    /// A sink; parameters default to the values documented on the properties.
    public init(log: String, topic: String, partitions: Int = 1, fsync: FsyncPolicy = .always) {
        self.log = log
        self.topic = topic
        self.partitions = partitions
        self.fsync = fsync
    }

    /// Whether ``log`` names a Kafka cluster.
    public var isKafka: Bool { log.hasPrefix("kafka://") }
}

extension BridgeConfiguration {
    /// Loads and validates the configuration in `file`, expanding `${NAME}` from `environment` (default: the
    /// process's environment).
    public init(contentsOf file: String, environment: [String: String]? = nil) throws(BridgeError) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .invalidConfiguration(file: file, path: "$", reason: "cannot read the file")
        }
        try self.init(json: Array(data), file: file, environment: environment)
    }

    /// Parses and validates configuration JSON, expanding `${NAME}` from `environment` (default: the process's
    /// environment); errors name `file` and the JSON path.
    public init(json bytes: [UInt8], file: String, environment: [String: String]? = nil) throws(BridgeError) {
        let root: JSONValue
        do throws(JSONParseError) { root = try JSONValue(parsing: bytes) } catch {
            throw .invalidConfiguration(file: file, path: "$", reason: "not valid JSON: \(error)")
        }
        let reader = ConfigurationReader(file: file, environment: environment ?? ProcessInfo.processInfo.environment)
        try reader.allow(["pipelines", "drainTimeoutSeconds", "http", "logFormat", "outboundRequestReply", "requestReply"], in: root, at: "$")
        let requestReply = try reader.requestReplyList(root)
        let drain = try reader.positiveNumber(root, "drainTimeoutSeconds", at: "$") ?? 10
        guard case let .array(items)? = root["pipelines"] ?? (requestReply.isEmpty && root["outboundRequestReply"] == nil ? nil : .array([])) else {
            throw .invalidConfiguration(file: file, path: "$.pipelines", reason: "required: an array of pipelines")
        }
        if items.isEmpty && requestReply.isEmpty && root["outboundRequestReply"] == nil {
            throw .invalidConfiguration(file: file, path: "$.pipelines", reason: "must not be empty")
        }
        var pipelines: [PipelineConfiguration] = []
        var streamPipelines: [StreamToQueuePipelineConfiguration] = []
        var directoryPipelines: [DirectoryPipelineConfiguration] = []
        var names: Set<String> = []
        for (index, item) in items.enumerated() {
            let path = "$.pipelines[\(index)]"
            if ConfigurationReader.isStreamPipeline(item) {
                let pipeline = try reader.streamPipeline(item, at: path)
                guard names.insert(pipeline.name).inserted else {
                    throw .invalidConfiguration(file: file, path: path + ".name", reason: "duplicate pipeline name '\(pipeline.name)'")
                }
                streamPipelines.append(pipeline)
                continue
            }
            if ConfigurationReader.isDirectoryPipeline(item) {
                let pipeline = try reader.directoryPipeline(item, at: path)
                guard names.insert(pipeline.name).inserted else {
                    throw .invalidConfiguration(file: file, path: path + ".name", reason: "duplicate pipeline name '\(pipeline.name)'")
                }
                directoryPipelines.append(pipeline)
                continue
            }
            let pipeline = try reader.pipeline(item, at: path)
            guard names.insert(pipeline.name).inserted else {
                throw .invalidConfiguration(file: file, path: path + ".name", reason: "duplicate pipeline name '\(pipeline.name)'")
            }
            pipelines.append(pipeline)
        }
        self.init(pipelines: pipelines, drainTimeout: .milliseconds(Int64(drain * 1000)))
        self.streamPipelines = streamPipelines
        self.directoryPipelines = directoryPipelines
        self.pipelineOrder = items.map { $0["name"]?.stringValue ?? "" }
        try reader.readOperations(root, into: &self)
        try reader.readOutboundRequestReply(root, into: &self)
        self.requestReply = requestReply
    }
}

/// Reads configuration values, throwing ``BridgeError/invalidConfiguration(file:path:reason:)`` with the path.
struct ConfigurationReader {
    let file: String
    let environment: [String: String]

    /// `text` with every `${NAME}` replaced by the variable's value.
    func expand(_ text: String, at path: String) throws(BridgeError) -> String {
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw fail(path, "unterminated ${ in the value")
            }
            let name = String(rest[start.upperBound..<end])
            if name.hasPrefix("file:") {
                result += try secret(inFile: String(name.dropFirst("file:".count)), at: path)
                rest = rest[rest.index(after: end)...]
                continue
            }
            guard let value = environment[name] else { throw fail(path, "environment variable \(name) is not set") }
            result += value
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    func fail(_ path: String, _ reason: String) -> BridgeError {
        .invalidConfiguration(file: file, path: path, reason: reason)
    }

    func allow(_ keys: Set<String>, in value: JSONValue, at path: String) throws(BridgeError) {
        guard case let .object(members) = value else { throw fail(path, "expected an object, found \(value.typeName)") }
        for member in members where !keys.contains(member.key) {
            throw fail("\(path).\(member.key)", "unknown field (expected one of \(keys.sorted().joined(separator: ", ")))")
        }
    }

    func string(_ object: JSONValue, _ key: String, at path: String, required: Bool = true) throws(BridgeError) -> String? {
        guard let value = object[key] else {
            if required { throw fail("\(path).\(key)", "required") }
            return nil
        }
        guard case let .string(text) = value, !text.isEmpty else {
            throw fail("\(path).\(key)", "expected a non-empty string, found \(value.typeName)")
        }
        return text
    }

    func positiveInteger(_ object: JSONValue, _ key: String, at path: String) throws(BridgeError) -> Int? {
        guard let value = object[key] else { return nil }
        guard let number = value.int64Value, number > 0, number <= 1_000_000 else {
            throw fail("\(path).\(key)", "expected an integer from 1 to 1000000")
        }
        return Int(number)
    }

    func positiveNumber(_ object: JSONValue, _ key: String, at path: String) throws(BridgeError) -> Double? {
        guard let value = object[key] else { return nil }
        guard case let .number(text) = value, let number = Double(text), number > 0, number <= 86_400 else {
            throw fail("\(path).\(key)", "expected a number of seconds above 0 and at most 86400")
        }
        return number
    }

    func queueURL(_ object: JSONValue, at path: String) throws(BridgeError) -> String {
        try allow(["queue"], in: object, at: path)
        let url = try expand(try string(object, "queue", at: path)!, at: path + ".queue")
        do throws(BridgeError) { _ = try QueueEndpoint(parsing: url) } catch {
            if case let .endpoint(_, _, reason) = error { throw fail(path + ".queue", reason) }
            throw error
        }
        return url
    }

    func pipeline(_ value: JSONValue, at path: String) throws(BridgeError) -> PipelineConfiguration {
        try allow(
            ["name", "source", "mapping", "sink", "deadLetter", "maxAttempts", "maxInFlight", "retryBackoffMilliseconds",
             "maxRetryBackoffMilliseconds"], in: value, at: path)
        let name = try string(value, "name", at: path)!
        guard let source = value["source"] else { throw fail(path + ".source", "required") }
        let sourceURL = try queueURL(source, at: path + ".source")
        let mapping = try string(value, "mapping", at: path, required: false)
        if let mapping, !FileManager.default.fileExists(atPath: mapping) {
            throw fail(path + ".mapping", "no such file '\(mapping)'")
        }
        guard let sinkValue = value["sink"] else { throw fail(path + ".sink", "required") }
        let sink = try self.sink(sinkValue, at: path + ".sink")
        guard let deadLetter = value["deadLetter"] else { throw fail(path + ".deadLetter", "required") }
        var deadLetterTopic: DeadLetterTopicConfiguration?
        let deadLetterURL: String
        if Self.isTopicDeadLetter(deadLetter) {
            let target = try self.deadLetterTopic(deadLetter, at: path + ".deadLetter", defaultLog: sink.log, avoiding: sink)
            deadLetterTopic = target
            deadLetterURL = target.description
        } else {
            deadLetterURL = try queueURL(deadLetter, at: path + ".deadLetter")
            if deadLetterURL == sourceURL { throw fail(path + ".deadLetter.queue", "must differ from the source queue") }
        }
        let backoff = try positiveInteger(value, "retryBackoffMilliseconds", at: path) ?? 100
        let maxBackoff = try positiveInteger(value, "maxRetryBackoffMilliseconds", at: path) ?? 5000
        if maxBackoff < backoff {
            throw fail(path + ".maxRetryBackoffMilliseconds", "must be at least retryBackoffMilliseconds (\(backoff))")
        }
        var pipeline = PipelineConfiguration(
            name: name, source: sourceURL, mappingFile: mapping, sink: sink, deadLetter: deadLetterURL,
            maxAttempts: try positiveInteger(value, "maxAttempts", at: path) ?? 3,
            maxInFlight: try positiveInteger(value, "maxInFlight", at: path) ?? 256,
            retryBackoff: .milliseconds(backoff), maxRetryBackoff: .milliseconds(maxBackoff))
        pipeline.deadLetterTopic = deadLetterTopic
        return pipeline
    }

    func sink(_ value: JSONValue, at path: String) throws(BridgeError) -> SinkConfiguration {
        try allow(["log", "topic", "partitions", "fsync"], in: value, at: path)
        let log = try expand(try string(value, "log", at: path)!, at: path + ".log")
        let topic = try string(value, "topic", at: path)!
        var fsync = FsyncPolicy.always
        if let text = try string(value, "fsync", at: path, required: false) {
            guard let parsed = FsyncPolicy(parsing: text) else {
                throw fail(path + ".fsync", "expected always, never, interval or interval:<n>ms|s")
            }
            fsync = parsed
        }
        let sink = SinkConfiguration(
            log: log, topic: topic, partitions: try positiveInteger(value, "partitions", at: path) ?? 1, fsync: fsync)
        if sink.isKafka && value["fsync"] != nil {
            throw fail(path + ".fsync", "applies to the embedded log only (Kafka appends wait for acks=all)")
        }
        return sink
    }
}
