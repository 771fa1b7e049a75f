import Kafka
import LegacyQueue
import Mapping
import StreamLog

extension BridgeDaemon {
    /// Opens the source log, sink queue and dead-letter queue of every stream → queue pipeline (logs already
    /// opened by another pipeline are shared), appending what must be closed to `closers`.
    static func openStreamPipelines(
        _ configuration: BridgeConfiguration, logs: inout [String: any StreamLog],
        closers: inout [@Sendable () async -> Void], pipelines: inout [StreamToQueuePipeline]
    ) async throws {
        for pipeline in configuration.streamPipelines {
            let path = "$.pipelines[\(configuration.pipelinePosition(of: pipeline.name))]"
            func fail(_ field: String, _ error: any Error) -> BridgeError {
                .endpoint(pipeline: pipeline.name, path: path + field, reason: String(describing: error))
            }
            let sinkEndpoint = try QueueEndpoint(parsing: pipeline.sink)
            let sink: any LegacyQueue
            do { sink = try await sinkEndpoint.open() } catch { throw fail(".sink.queue", error) }
            closers.append { try? await sink.close() }
            let source: any StreamLog
            if let shared = logs[pipeline.source.log] {
                source = shared
            } else if pipeline.source.isKafka {
                do {
                    let log = try KafkaStreamLog(url: pipeline.source.log)
                    closers.append { log.close() }
                    source = log
                } catch { throw fail(".source.log", error) }
            } else {
                do {
                    let log = try LocalLog(LocalLogConfiguration(directory: pipeline.source.log))
                    closers.append { try? log.close() }
                    source = log
                } catch { throw fail(".source.log", error) }
            }
            logs[pipeline.source.log] = source
            let (deadLetters, deadLetterDestination) = try await openDeadLetters(
                queue: pipeline.deadLetter, topic: pipeline.deadLetterTopic, logs: &logs, closers: &closers,
                fail: fail)
            var engine: MappingEngine?
            if let file = pipeline.mappingFile {
                do {
                    let definition = try MappingDefinition(contentsOf: file)
                    guard definition.isReversible else {
                        throw BridgeError.endpoint(
                            pipeline: pipeline.name, path: path + ".mapping",
                            reason: "the mapping '\(file)' is not reversible, so it cannot encode events for a queue")
                    }
                    engine = MappingEngine(mapping: definition)
                } catch let error as BridgeError { throw error } catch { throw fail(".mapping", error) }
            }
            let recordSource: any StreamRecordSource
            if pipeline.source.joinsGroup, let kafka = source as? KafkaStreamLog {
                do {
                    recordSource = try KafkaGroupStreamSource(
                        client: kafka.client, topic: pipeline.source.topic, group: pipeline.source.group)
                } catch { throw fail(".source.group", error) }
            } else {
                recordSource = LogStreamSource(log: source, topic: pipeline.source.topic, group: pipeline.source.group)
            }
            pipelines.append(
                StreamToQueuePipeline(
                    configuration: pipeline, recordSource: recordSource, sink: sink,
                    sinkDestination: sinkEndpoint.destination,
                    deadLetters: deadLetters, deadLetterDestination: deadLetterDestination,
                    encoder: StreamEventEncoder(engine: engine)))
        }
    }
}

extension BridgeConfiguration {
    /// Every pipeline's name, in file order (by kind for a configuration built in code).
    public var pipelineNames: [String] {
        if !pipelineOrder.isEmpty { return pipelineOrder }
        return pipelines.map(\.name) + streamPipelines.map(\.name) + directoryPipelines.map(\.name)
    }

    /// The position of pipeline `name` in the file's `pipelines` array, counting both kinds (for JSON paths).
    public func pipelinePosition(of name: String) -> Int {
        pipelineOrder.firstIndex(of: name)
            ?? streamPipelines.firstIndex { $0.name == name }.map { $0 + pipelines.count }
            ?? pipelines.firstIndex { $0.name == name } ?? 0
    }
}

extension BridgeDaemon {
    /// Opens the sink of every watched-directory pipeline (logs already opened by another pipeline are shared).
    static func openDirectoryPipelines(
        _ configuration: BridgeConfiguration, logs: inout [String: any StreamLog],
        closers: inout [@Sendable () async -> Void], pipelines: inout [DirectoryPipeline]
    ) async throws {
        for pipeline in configuration.directoryPipelines {
            let path = "$.pipelines[\(configuration.pipelinePosition(of: pipeline.name))]"
            func fail(_ field: String, _ error: any Error) -> BridgeError {
                .endpoint(pipeline: pipeline.name, path: path + field, reason: String(describing: error))
            }
            let sink = try openSink(pipeline.sink, logs: &logs, closers: &closers, fail: fail)
            var engine: MappingEngine?
            if let file = pipeline.mappingFile {
                do { engine = MappingEngine(mapping: try MappingDefinition(contentsOf: file)) } catch {
                    throw fail(".mapping", error)
                }
            }
            pipelines.append(DirectoryPipeline(configuration: pipeline, sink: sink, reader: FileEventReader(engine: engine)))
        }
    }
}

extension BridgeDaemon {
    /// Opens a pipeline's dead-letter destination: the queue `queue`, or the topic `topic` in its log (shared
    /// with a pipeline that opened that log already). Returns the queue interface and the destination in it.
    static func openDeadLetters(
        queue: String, topic: DeadLetterTopicConfiguration?, logs: inout [String: any StreamLog],
        closers: inout [@Sendable () async -> Void], fail: (String, any Error) -> BridgeError
    ) async throws -> (any LegacyQueue, String) {
        guard let topic else {
            let endpoint = try QueueEndpoint(parsing: queue)
            let deadLetters: any LegacyQueue
            do { deadLetters = try await endpoint.open() } catch { throw fail(".deadLetter.queue", error) }
            closers.append { try? await deadLetters.close() }
            return (deadLetters, endpoint.destination)
        }
        let log: any StreamLog
        if let shared = logs[topic.log] {
            log = shared
        } else if topic.log.hasPrefix("kafka://") {
            do {
                let opened = try KafkaStreamLog(url: topic.log)
                closers.append { opened.close() }
                log = opened
            } catch { throw fail(".deadLetter.log", error) }
        } else {
            do {
                let opened = try LocalLog(LocalLogConfiguration(directory: topic.log))
                closers.append { try? opened.close() }
                log = opened
            } catch { throw fail(".deadLetter.log", error) }
        }
        logs[topic.log] = log
        return (TopicDeadLetterQueue(log: log, partitions: topic.partitions), topic.topic)
    }
}
