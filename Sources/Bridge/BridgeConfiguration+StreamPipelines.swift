import Events
import Foundation

/// Stream → queue pipelines in the configuration: an entry of `pipelines` whose `source` has `log`.
///
/// ```json
/// {
///   "name": "claim-status-out",
///   "source": { "log": "kafka://broker:9092", "topic": "claim-status", "group": "ferry-claim-status-out" },
///   "mapping": "mappings/claim-status-reply/mapping.json",
///   "sink": { "queue": "stomp://broker:61613/queue/CLAIM.STATUS" },
///   "deadLetter": { "queue": "stomp://broker:61613/queue/CLAIM.STATUS.DLQ" },
///   "maxInFlight": 256
/// }
/// ```
extension ConfigurationReader {
    /// Whether `item` declares a stream → queue pipeline (its `source` is an object with `log`).
    static func isStreamPipeline(_ item: JSONValue) -> Bool {
        item["source"]?["log"] != nil
    }

    func streamPipeline(_ value: JSONValue, at path: String) throws(BridgeError) -> StreamToQueuePipelineConfiguration {
        try allow(
            ["name", "source", "mapping", "sink", "deadLetter", "maxInFlight", "retryBackoffMilliseconds",
             "maxRetryBackoffMilliseconds", "pollIntervalMilliseconds", "lagRefreshMilliseconds"], in: value, at: path)
        let name = try string(value, "name", at: path)!
        let sourcePath = path + ".source"
        let sourceValue = value["source"]!
        try allow(["log", "topic", "group", "joinGroup"], in: sourceValue, at: sourcePath)
        let log = try expand(try string(sourceValue, "log", at: sourcePath)!, at: sourcePath + ".log")
        let topic = try string(sourceValue, "topic", at: sourcePath)!
        let group = try string(sourceValue, "group", at: sourcePath, required: false) ?? "ferry-bridge-\(name)"
        var joinsGroup: Bool?
        if let value = sourceValue["joinGroup"] {
            guard case let .bool(flag) = value else { throw fail(sourcePath + ".joinGroup", "expected true or false") }
            if flag && !log.hasPrefix("kafka://") {
                throw fail(sourcePath + ".joinGroup", "group membership needs a Kafka log (kafka://…)")
            }
            joinsGroup = flag
        }
        let mapping = try string(value, "mapping", at: path, required: false)
        if let mapping, !FileManager.default.fileExists(atPath: mapping) {
            throw fail(path + ".mapping", "no such file '\(mapping)'")
        }
        guard let sinkValue = value["sink"] else { throw fail(path + ".sink", "required") }
        let sink = try queueURL(sinkValue, at: path + ".sink")
        guard let deadLetterValue = value["deadLetter"] else { throw fail(path + ".deadLetter", "required") }
        var deadLetterTopic: DeadLetterTopicConfiguration?
        let deadLetter: String
        if Self.isTopicDeadLetter(deadLetterValue) {
            let target = try self.deadLetterTopic(
                deadLetterValue, at: path + ".deadLetter", defaultLog: log,
                avoiding: SinkConfiguration(log: log, topic: topic))
            deadLetterTopic = target
            deadLetter = target.description
        } else {
            deadLetter = try queueURL(deadLetterValue, at: path + ".deadLetter")
            if deadLetter == sink { throw fail(path + ".deadLetter.queue", "must differ from the sink queue") }
        }
        let backoff = try positiveInteger(value, "retryBackoffMilliseconds", at: path) ?? 100
        let maxBackoff = try positiveInteger(value, "maxRetryBackoffMilliseconds", at: path) ?? 5000
        if maxBackoff < backoff {
            throw fail(path + ".maxRetryBackoffMilliseconds", "must be at least retryBackoffMilliseconds (\(backoff))")
        }
        var pipeline = StreamToQueuePipelineConfiguration(
            name: name, source: StreamSourceConfiguration(log: log, topic: topic, group: group, joinsGroup: joinsGroup),
            mappingFile: mapping,
            sink: sink, deadLetter: deadLetter,
            maxInFlight: try positiveInteger(value, "maxInFlight", at: path) ?? 256,
            retryBackoff: .milliseconds(backoff), maxRetryBackoff: .milliseconds(maxBackoff),
            pollInterval: .milliseconds(try positiveInteger(value, "pollIntervalMilliseconds", at: path) ?? 100),
            lagRefreshInterval: .milliseconds(try positiveInteger(value, "lagRefreshMilliseconds", at: path) ?? 5000))
        pipeline.deadLetterTopic = deadLetterTopic
        return pipeline
    }

    /// Whether a `deadLetter` value names a topic (`{"topic": …}`) rather than a queue.
    static func isTopicDeadLetter(_ value: JSONValue) -> Bool {
        value["topic"] != nil
    }

    /// `{"topic": T, "log": L, "partitions": N}`; `log` defaults to `defaultLog` (the pipeline's sink or source
    /// log); the topic must not be the one the pipeline reads or writes (`avoiding`).
    func deadLetterTopic(
        _ value: JSONValue, at path: String, defaultLog: String, avoiding: SinkConfiguration
    ) throws(BridgeError) -> DeadLetterTopicConfiguration {
        try allow(["topic", "log", "partitions"], in: value, at: path)
        let topic = try string(value, "topic", at: path)!
        let log = try string(value, "log", at: path, required: false)
        let expanded = try log.map { text throws(BridgeError) in try expand(text, at: path + ".log") } ?? defaultLog
        if expanded == avoiding.log && topic == avoiding.topic {
            throw fail(path + ".topic", "must differ from the pipeline's own topic")
        }
        return DeadLetterTopicConfiguration(
            log: expanded, topic: topic, partitions: try positiveInteger(value, "partitions", at: path) ?? 1)
    }
}

/// Watched-directory pipelines in the configuration: an entry of `pipelines` whose `source` has `directory`.
///
/// ```json
/// {
///   "name": "claims-drop",
///   "source": { "directory": "ferry-data/inbox/claims", "done": "ferry-data/inbox/claims/done", "error": "ferry-data/inbox/claims/error" },
///   "mapping": "mappings/x12-837p-claims/mapping.json",
///   "sink": { "log": "ferry-data/log", "topic": "claims", "partitions": 3 }
/// }
/// ```
extension ConfigurationReader {
    /// Whether `item` declares a watched-directory pipeline (its `source` is an object with `directory`).
    static func isDirectoryPipeline(_ item: JSONValue) -> Bool {
        item["source"]?["directory"] != nil
    }

    func directoryPipeline(_ value: JSONValue, at path: String) throws(BridgeError) -> DirectoryPipelineConfiguration {
        try allow(
            ["name", "source", "mapping", "sink", "maxInFlight", "retryBackoffMilliseconds", "maxRetryBackoffMilliseconds",
             "pollIntervalMilliseconds"], in: value, at: path)
        let name = try string(value, "name", at: path)!
        let sourcePath = path + ".source"
        let sourceValue = value["source"]!
        try allow(["directory", "done", "error"], in: sourceValue, at: sourcePath)
        let directory = try expand(try string(sourceValue, "directory", at: sourcePath)!, at: sourcePath + ".directory")
        let done = try string(sourceValue, "done", at: sourcePath, required: false)
        let error = try string(sourceValue, "error", at: sourcePath, required: false)
        let source = DirectorySourceConfiguration(
            directory: directory, done: try done.map { text throws(BridgeError) in try expand(text, at: sourcePath + ".done") },
            error: try error.map { text throws(BridgeError) in try expand(text, at: sourcePath + ".error") })
        if source.done == source.directory { throw fail(sourcePath + ".done", "must differ from the watched directory") }
        if source.error == source.directory || source.error == source.done {
            throw fail(sourcePath + ".error", "must differ from the watched and done directories")
        }
        let mapping = try string(value, "mapping", at: path, required: false)
        if let mapping, !FileManager.default.fileExists(atPath: mapping) {
            throw fail(path + ".mapping", "no such file '\(mapping)'")
        }
        guard let sinkValue = value["sink"] else { throw fail(path + ".sink", "required") }
        let sink = try self.sink(sinkValue, at: path + ".sink")
        let backoff = try positiveInteger(value, "retryBackoffMilliseconds", at: path) ?? 100
        let maxBackoff = try positiveInteger(value, "maxRetryBackoffMilliseconds", at: path) ?? 5000
        if maxBackoff < backoff {
            throw fail(path + ".maxRetryBackoffMilliseconds", "must be at least retryBackoffMilliseconds (\(backoff))")
        }
        return DirectoryPipelineConfiguration(
            name: name, source: source, mappingFile: mapping, sink: sink,
            maxInFlight: try positiveInteger(value, "maxInFlight", at: path) ?? 256,
            retryBackoff: .milliseconds(backoff), maxRetryBackoff: .milliseconds(maxBackoff),
            pollInterval: .milliseconds(try positiveInteger(value, "pollIntervalMilliseconds", at: path) ?? 500))
    }
}
