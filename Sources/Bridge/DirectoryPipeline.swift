import Foundation
public import StreamLog
import Synchronization

/// One watched-directory → stream pipeline: files dropped into a directory become events in a topic.
public struct DirectoryPipelineConfiguration: Sendable {
    /// A unique name (shared with the other pipelines), used in output.
    public var name: String
    /// The watched directory and where processed files go.
    public var source: DirectorySourceConfiguration
    /// The mapping file (legacy file → CloudEvents). Default: none, meaning each file holds JSON Lines of
    /// CloudEvents in JSON format.
    public var mappingFile: String?
    /// Where the events go (the same as a queue → stream pipeline's sink).
    public var sink: SinkConfiguration
    /// Records appended in one batch, at most. Default: 256.
    public var maxInFlight: Int
    /// The first wait after a sink error; doubles up to ``maxRetryBackoff``, with full jitter. Default: 100 ms.
    public var retryBackoff: Duration
    /// The longest wait between retries. Default: 5 s.
    public var maxRetryBackoff: Duration
    /// How long an idle pipeline waits before listing the directory again. Default: 500 ms.
    public var pollInterval: Duration

    /// A pipeline; parameters default to the values documented on the properties.
    public init(
        name: String, source: DirectorySourceConfiguration, mappingFile: String? = nil, sink: SinkConfiguration,
        maxInFlight: Int = 256, retryBackoff: Duration = .milliseconds(100), maxRetryBackoff: Duration = .seconds(5),
        pollInterval: Duration = .milliseconds(500)
    ) {
        self.name = name
        self.source = source
        self.mappingFile = mappingFile
        self.sink = sink
        self.maxInFlight = maxInFlight
        self.retryBackoff = retryBackoff
        self.maxRetryBackoff = maxRetryBackoff
        self.pollInterval = pollInterval
    }
}

/// The directories of a watched-directory source.
public struct DirectorySourceConfiguration: Sendable, Equatable {
    /// The watched directory. Files whose name starts with `.` or ends with `.part` or `.tmp` are ignored, so a
    /// writer can write under such a name and rename the file when it is complete.
    public var directory: String
    /// Where a file goes once all its events are durable. Default: `done` inside ``directory``.
    public var done: String
    /// Where a file that cannot be converted goes, with `NAME.reason` beside it. Default: `error` inside
    /// ``directory``.
    public var error: String

    /// A source; `done` and `error` default to subdirectories of `directory`.
    public init(directory: String, done: String? = nil, error: String? = nil) {
        self.directory = directory
        self.done = done ?? directory + "/done"
        self.error = error ?? directory + "/error"
    }
}

/// Counters of one watched-directory pipeline since it started.
public struct DirectoryPipelineStatistics: Sendable, Equatable {
    /// Files whose events were all appended, moved to the done directory.
    public var filesDone = 0
    /// Files that could not be converted, moved to the error directory with a reason.
    public var filesFailed = 0
    /// Events appended to the sink.
    public var appended = 0
    /// Sink appends retried after an error.
    public var sinkRetries = 0
    /// Directory listings, file reads and moves retried after an error.
    public var sourceRetries = 0
    /// Health of the endpoints, for `/readyz` and `ferry_bridge_last_error_timestamp_seconds`.
    public var health = EndpointHealth()
}

/// A watched-directory → stream pipeline with at-least-once delivery.
///
/// The pipeline lists the directory (name order), reads each complete file, converts it whole with a
/// ``FileEventReader``, appends its events in batches of at most ``DirectoryPipelineConfiguration/maxInFlight``
/// (per-key order follows file order), waits for every append to be durable, and only then moves the file to the
/// done directory. A file that cannot be converted appends nothing: it moves to the error directory with
/// `NAME.reason` naming the record number, byte offset, stage and error (never a field value). A crash before the
/// move processes the file again; its events carry the same ids.
public final class DirectoryPipeline: Sendable {
    /// The settings.
    public let configuration: DirectoryPipelineConfiguration
    private let sink: any StreamLog
    private let reader: FileEventReader
    private let state = Mutex(State())

    private struct State {
        var isStopRequested = false
        var statistics = DirectoryPipelineStatistics()
    }

    /// A pipeline appending to `sink` (the topic is ``SinkConfiguration/topic`` of `configuration`).
    public init(configuration: DirectoryPipelineConfiguration, sink: any StreamLog, reader: FileEventReader) {
        self.configuration = configuration
        self.sink = sink
        self.reader = reader
    }

    /// The counters so far.
    public var statistics: DirectoryPipelineStatistics { state.withLock { $0.statistics } }

    /// Asks ``run()`` to finish the file in progress and return.
    public func requestStop() { state.withLock { $0.isStopRequested = true } }

    private var isStopRequested: Bool { state.withLock { $0.isStopRequested } }

    private func count(_ update: (inout DirectoryPipelineStatistics) -> Void) { state.withLock { update(&$0.statistics) } }

    /// Runs until ``requestStop()`` (after finishing the file in progress) or until cancelled (the file in
    /// progress stays in the directory and is processed again). Creates the topic and directories when missing.
    public func run() async throws {
        let source = configuration.source
        let topic = configuration.sink.topic
        try await retrying(counter: \.sinkRetries) {
            if try await sink.topics().contains(where: { $0.name == topic }) { return }
            try await sink.createTopic(topic, partitions: configuration.sink.partitions)
        }
        try await retrying(counter: \.sourceRetries) {
            for directory in [source.directory, source.done, source.error] {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
        }
        while !isStopRequested {
            try Task.checkCancellation()
            let files = try await retrying(counter: \.sourceRetries) { try Self.completeFiles(in: source.directory) }
            for name in files where !isStopRequested {
                try await process(name)
            }
            if files.isEmpty { try await Task.sleep(for: configuration.pollInterval) }
        }
    }

    /// The names of the regular files in `directory` a writer finished, in name order.
    static func completeFiles(in directory: String) throws -> [String] {
        let manager = FileManager.default
        return try manager.contentsOfDirectory(atPath: directory).filter { name in
            if name.hasPrefix(".") || name.hasSuffix(".part") || name.hasSuffix(".tmp") { return false }
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    private func process(_ name: String) async throws {
        let source = configuration.source
        let path = source.directory + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else {
            count { $0.sourceRetries += 1 }  // vanished or unreadable: seen again at the next listing
            return
        }
        let timestamp = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let records: [StreamRecord]
        do throws(FileConversionFailure) {
            records = try reader.records(in: Array(data), name: name, timestamp: timestamp)
        } catch {
            try await retrying(counter: \.sourceRetries) {
                let reason = source.error + "/" + name + ".reason"
                try Data("file: \(name)\npipeline: \(configuration.name)\n\(error.description)".utf8)
                    .write(to: URL(fileURLWithPath: reason), options: .atomic)
                try Self.move(path, to: source.error + "/" + name)
            }
            count { $0.filesFailed += 1 }
            return
        }
        let topic = configuration.sink.topic
        var start = 0
        while start < records.count {
            let batch = Array(records[start..<min(start + configuration.maxInFlight, records.count)])
            try await retrying(counter: \.sinkRetries) { _ = try await sink.publish(batch, topic: topic) }
            count { $0.appended += batch.count }
            start += batch.count
        }
        try await retrying(counter: \.sourceRetries) { try Self.move(path, to: source.done + "/" + name) }
        count { $0.filesDone += 1 }
    }

    /// Renames `path` to `target`, replacing a file of that name.
    static func move(_ path: String, to target: String) throws {
        guard rename(path, target) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target, "errno": errno])
        }
    }

    /// Runs `operation` until it succeeds, waiting a jittered, exponentially growing delay after each error
    /// (counted in `counter`; the side's health follows). Cancellation ends it.
    private func retrying<T>(
        counter: WritableKeyPath<DirectoryPipelineStatistics, Int>, _ operation: () async throws -> T
    ) async throws -> T {
        let isSink = counter == \.sinkRetries
        return try await RetryBackoff.retrying(
            initial: configuration.retryBackoff, maximum: configuration.maxRetryBackoff,
            failed: {
                count {
                    $0[keyPath: counter] += 1
                    $0.health.failed(isSink: isSink)
                }
            },
            recovered: { count { $0.health.recovered(isSink: isSink) } }, operation)
    }
}
