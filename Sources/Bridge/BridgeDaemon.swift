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
    /// The stream → queue pipelines, in configuration order.
    public let streamPipelines: [StreamToQueuePipeline]
    /// The watched-directory → stream pipelines, in configuration order.
    public let directoryPipelines: [DirectoryPipeline]
    /// The outbound request-reply routes, in configuration order.
    public let outboundRoutes: [OutboundRequestReplyBridge]
    /// The inbound request-reply routers, in configuration order.
    public let requestReplyRouters: [RequestReplyRouter]
    private let closers: [@Sendable () async -> Void]

    /// Opens every source, sink and dead-letter queue of `configuration` (sinks sharing a location share one log);
    /// when one fails, closes what was opened and throws ``BridgeError/endpoint(pipeline:path:reason:)``.
    public static func open(_ configuration: BridgeConfiguration) async throws -> BridgeDaemon {
        var logs: [String: any StreamLog] = [:]
        var closers: [@Sendable () async -> Void] = []
        var pipelines: [BridgePipeline] = []
        var streamPipelines: [StreamToQueuePipeline] = []
        var directoryPipelines: [DirectoryPipeline] = []
        var outboundRoutes: [OutboundRequestReplyBridge] = []
        var routers: [RequestReplyRouter] = []
        do {
            try await openPipelines(configuration, logs: &logs, closers: &closers, pipelines: &pipelines)
            try await openStreamPipelines(configuration, logs: &logs, closers: &closers, pipelines: &streamPipelines)
            try await openDirectoryPipelines(configuration, logs: &logs, closers: &closers, pipelines: &directoryPipelines)
            try await openOutboundRoutes(configuration, logs: &logs, closers: &closers, routes: &outboundRoutes)
            try await openRequestReplyRouters(configuration, closers: &closers, routers: &routers)
        } catch {
            for close in closers { await close() }  // what opened before the failure
            throw error
        }
        return BridgeDaemon(
            configuration: configuration, pipelines: pipelines, streamPipelines: streamPipelines,
            directoryPipelines: directoryPipelines, outboundRoutes: outboundRoutes, routers: routers, closers: closers)
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
            let source: any LegacyQueue
            do { source = try await sourceEndpoint.open(prefetch: pipeline.maxInFlight) } catch { throw fail(".source.queue", error) }
            closers.append { try? await source.close() }
            let sink = try openSink(pipeline.sink, logs: &logs, closers: &closers, fail: fail)
            let (deadLetters, deadLetterDestination) = try await openDeadLetters(
                queue: pipeline.deadLetter, topic: pipeline.deadLetterTopic, logs: &logs, closers: &closers,
                fail: fail)
            var engine: MappingEngine?
            if let file = pipeline.mappingFile {
                do { engine = MappingEngine(mapping: try MappingDefinition(contentsOf: file)) } catch {
                    throw fail(".mapping", error)
                }
            }
            pipelines.append(
                BridgePipeline(
                    configuration: pipeline, source: source, sourceDestination: sourceEndpoint.destination, sink: sink,
                    deadLetters: deadLetters, deadLetterDestination: deadLetterDestination,
                    converter: EventConverter(engine: engine)))
        }
    }

    /// The log `sink` names: the one already opened under that location (pipelines naming the same log share it),
    /// else a new `KafkaStreamLog` or `LocalLog`, whose close is added to `closers`.
    static func openSink(
        _ sink: SinkConfiguration, logs: inout [String: any StreamLog], closers: inout [@Sendable () async -> Void],
        fail: (String, any Error) -> BridgeError
    ) throws(BridgeError) -> any StreamLog {
        if let shared = logs[sink.log] { return shared }
        let opened: any StreamLog
        if sink.isKafka {
            do {
                let log = try KafkaStreamLog(url: sink.log)
                closers.append { log.close() }
                opened = log
            } catch { throw fail(".sink.log", error) }
        } else {
            do {
                let log = try LocalLog(LocalLogConfiguration(directory: sink.log, fsync: sink.fsync))
                closers.append { try? log.close() }
                opened = log
            } catch { throw fail(".sink.log", error) }
        }
        logs[sink.log] = opened
        return opened
    }

    /// A daemon over already built pipelines (tests, embedding).
    public convenience init(
        configuration: BridgeConfiguration, pipelines: [BridgePipeline], streamPipelines: [StreamToQueuePipeline] = [],
        directoryPipelines: [DirectoryPipeline] = [], outboundRoutes: [OutboundRequestReplyBridge] = [],
        routers: [RequestReplyRouter] = []
    ) {
        self.init(
            configuration: configuration, pipelines: pipelines, streamPipelines: streamPipelines,
            directoryPipelines: directoryPipelines, outboundRoutes: outboundRoutes, routers: routers, closers: [])
    }

    private init(
        configuration: BridgeConfiguration, pipelines: [BridgePipeline], streamPipelines: [StreamToQueuePipeline],
        directoryPipelines: [DirectoryPipeline], outboundRoutes: [OutboundRequestReplyBridge], routers: [RequestReplyRouter],
        closers: [@Sendable () async -> Void]
    ) {
        self.configuration = configuration
        self.pipelines = pipelines
        self.streamPipelines = streamPipelines
        self.directoryPipelines = directoryPipelines
        self.outboundRoutes = outboundRoutes
        self.requestReplyRouters = routers
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
        let streamPipelines = self.streamPipelines
        let directoryPipelines = self.directoryPipelines
        let outboundRoutes = self.outboundRoutes
        let routers = self.requestReplyRouters
        let running = pipelines.count + streamPipelines.count + directoryPipelines.count + outboundRoutes.count + routers.count
        let drainTimeout = configuration.drainTimeout
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for pipeline in pipelines { group.addTask { try await pipeline.run(); return true } }
                for pipeline in streamPipelines { group.addTask { try await pipeline.run(); return true } }
                for pipeline in directoryPipelines { group.addTask { try await pipeline.run(); return true } }
                for route in outboundRoutes { group.addTask { try await route.run(); return true } }
                for router in routers { group.addTask { try await router.run(); return true } }
                group.addTask {
                    while !isStopRequested() { try await Task.sleep(for: .milliseconds(50)) }
                    for pipeline in pipelines { pipeline.requestStop() }
                    for pipeline in streamPipelines { pipeline.requestStop() }
                    for pipeline in directoryPipelines { pipeline.requestStop() }
                    for route in outboundRoutes { route.requestStop() }
                    for router in routers { router.requestStop() }
                    try await Task.sleep(for: drainTimeout)
                    throw DrainTimeout()
                }
                var finished = 0
                while let isPipeline = try await group.next() {
                    if isPipeline { finished += 1 }
                    if finished == running { break }
                }
                group.cancelAll()
            }
        } catch is DrainTimeout {
            return .drainTimedOut
        }
        return .drained
    }
}
