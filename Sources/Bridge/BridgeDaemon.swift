import Kafka
import LegacyQueue
import Mapping
import StreamLog

/// How a bridge run ended.
public enum BridgeOutcome: Sendable, Equatable {
    /// Every pipeline finished its in-flight messages after the stop request.
    case drained
    /// The drain deadline passed; the messages still in flight were abandoned (the sources redeliver them).
    case drainTimedOut
}

/// Runs the pipelines of a ``BridgeConfiguration`` as structured child tasks until a stop is requested, then
/// drains them within ``BridgeConfiguration/drainTimeout``.
public final class BridgeDaemon: Sendable {
    /// The configuration.
    public let configuration: BridgeConfiguration
    /// The pipelines, in configuration order.
    public let pipelines: [BridgePipeline]
    private let closers: [@Sendable () async -> Void]

    /// Opens every source, sink and dead-letter queue of `configuration` (sinks sharing a location share one log);
    /// when one fails, closes what was opened and throws ``BridgeError/endpoint(pipeline:path:reason:)``.
    public static func open(_ configuration: BridgeConfiguration) async throws -> BridgeDaemon {
        var logs: [String: any StreamLog] = [:]
        var closers: [@Sendable () async -> Void] = []
        var pipelines: [BridgePipeline] = []
        do {
            try await openPipelines(configuration, logs: &logs, closers: &closers, pipelines: &pipelines)
        } catch {
            for close in closers { await close() }  // what opened before the failure
            throw error
        }
        return BridgeDaemon(configuration: configuration, pipelines: pipelines, closers: closers)
    }

    private static func openPipelines(
        _ configuration: BridgeConfiguration, logs: inout [String: any StreamLog],
        closers: inout [@Sendable () async -> Void], pipelines: inout [BridgePipeline]
    ) async throws {
        for (index, pipeline) in configuration.pipelines.enumerated() {
            let path = "$.pipelines[\(index)]"
            func fail(_ field: String, _ error: any Error) -> BridgeError {
                .endpoint(pipeline: pipeline.name, path: path + field, reason: String(describing: error))
            }
            let sourceEndpoint = try QueueEndpoint(parsing: pipeline.source)
            let deadLetterEndpoint = try QueueEndpoint(parsing: pipeline.deadLetter)
            let source: any LegacyQueue
            let deadLetters: any LegacyQueue
            do { source = try await sourceEndpoint.open(prefetch: pipeline.maxInFlight) } catch { throw fail(".source.queue", error) }
            closers.append { try? await source.close() }
            do { deadLetters = try await deadLetterEndpoint.open() } catch { throw fail(".deadLetter.queue", error) }
            closers.append { try? await deadLetters.close() }
            let sink: any StreamLog
            if let shared = logs[pipeline.sink.log] {
                sink = shared
            } else if pipeline.sink.isKafka {
                do {
                    let log = try KafkaStreamLog(url: pipeline.sink.log)
                    closers.append { log.close() }
                    sink = log
                } catch { throw fail(".sink.log", error) }
            } else {
                do {
                    let log = try LocalLog(LocalLogConfiguration(directory: pipeline.sink.log, fsync: pipeline.sink.fsync))
                    closers.append { try? log.close() }
                    sink = log
                } catch { throw fail(".sink.log", error) }
            }
            logs[pipeline.sink.log] = sink
            var engine: MappingEngine?
            if let file = pipeline.mappingFile {
                do { engine = MappingEngine(mapping: try MappingDefinition(contentsOf: file)) } catch {
                    throw fail(".mapping", error)
                }
            }
            pipelines.append(
                BridgePipeline(
                    configuration: pipeline, source: source, sourceDestination: sourceEndpoint.destination, sink: sink,
                    deadLetters: deadLetters, deadLetterDestination: deadLetterEndpoint.destination,
                    converter: EventConverter(engine: engine)))
        }
    }

    /// A daemon over already built pipelines (tests, embedding).
    public convenience init(configuration: BridgeConfiguration, pipelines: [BridgePipeline]) {
        self.init(configuration: configuration, pipelines: pipelines, closers: [])
    }

    private init(configuration: BridgeConfiguration, pipelines: [BridgePipeline], closers: [@Sendable () async -> Void]) {
        self.configuration = configuration
        self.pipelines = pipelines
        self.closers = closers
    }

    /// Runs every pipeline until `isStopRequested` returns true (polled every 50 ms), then asks them to stop and
    /// waits for them up to the drain timeout. A pipeline that fails ends the run with its error (the others
    /// are cancelled; their in-flight messages are redelivered later). Closes the endpoints on return.
    public func run(until isStopRequested: @escaping @Sendable () -> Bool) async throws -> BridgeOutcome {
        let outcome: BridgeOutcome
        do {
            outcome = try await runPipelines(until: isStopRequested)
        } catch {
            for close in closers { await close() }
            throw error
        }
        for close in closers { await close() }
        return outcome
    }

    private func runPipelines(until isStopRequested: @escaping @Sendable () -> Bool) async throws -> BridgeOutcome {
        struct DrainTimeout: Error {}
        let pipelines = self.pipelines
        let drainTimeout = configuration.drainTimeout
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for pipeline in pipelines { group.addTask { try await pipeline.run(); return true } }
                group.addTask {
                    while !isStopRequested() { try await Task.sleep(for: .milliseconds(50)) }
                    for pipeline in pipelines { pipeline.requestStop() }
                    try await Task.sleep(for: drainTimeout)
                    throw DrainTimeout()
                }
                var finished = 0
                while let isPipeline = try await group.next() {
                    if isPipeline { finished += 1 }
                    if finished == pipelines.count { break }
                }
                group.cancelAll()
            }
        } catch is DrainTimeout {
            return .drainTimedOut
        }
        return .drained
    }
}
