import Kafka
import LegacyQueue
import Mapping
import StreamLog

extension BridgeDaemon {
    /// Opens the request log, the legacy, reply and dead-letter queues and the mappings of every outbound
    /// request-reply route (logs already opened are shared), appending what must be closed to `closers`.
    static func openOutboundRoutes(
        _ configuration: BridgeConfiguration, logs: inout [String: any StreamLog],
        closers: inout [@Sendable () async -> Void], routes: inout [OutboundRequestReplyBridge]
    ) async throws {
        for (index, route) in configuration.outboundRequestReply.enumerated() {
            let path = "$.outboundRequestReply[\(index)]"
            func fail(_ field: String, _ error: any Error) -> BridgeError {
                .endpoint(pipeline: route.name, path: path + field, reason: String(describing: error))
            }
            var queues: [(any LegacyQueue, String)] = []
            for (field, url) in [(".legacyQueue", route.legacyQueue), (".replyQueue", route.replyQueue), (".deadLetter", route.deadLetter)] {
                let endpoint = try QueueEndpoint(parsing: url)
                do {
                    let queue = try await endpoint.open()
                    closers.append { try? await queue.close() }
                    queues.append((queue, endpoint.destination))
                } catch { throw fail(field + ".queue", error) }
            }
            let log: any StreamLog
            if let shared = logs[route.requests.log] {
                log = shared
            } else if route.requests.isKafka {
                do {
                    let kafka = try KafkaStreamLog(url: route.requests.log)
                    closers.append { kafka.close() }
                    log = kafka
                } catch { throw fail(".requests.log", error) }
            } else {
                do {
                    let local = try LocalLog(LocalLogConfiguration(directory: route.requests.log))
                    closers.append { try? local.close() }
                    log = local
                } catch { throw fail(".requests.log", error) }
            }
            logs[route.requests.log] = log
            var requestEngine: MappingEngine?
            if let file = route.requestMappingFile {
                let definition: MappingDefinition
                do { definition = try MappingDefinition(contentsOf: file) } catch { throw fail(".requestMapping", error) }
                guard definition.isReversible else {
                    throw BridgeError.endpoint(
                        pipeline: route.name, path: path + ".requestMapping",
                        reason: "the mapping '\(file)' is not reversible, so it cannot encode request events")
                }
                requestEngine = MappingEngine(mapping: definition)
            }
            var replyEngine: MappingEngine?
            if let file = route.replyMappingFile {
                do { replyEngine = MappingEngine(mapping: try MappingDefinition(contentsOf: file)) } catch {
                    throw fail(".replyMapping", error)
                }
            }
            let requestSource: any StreamRecordSource
            if route.requests.joinsGroup, let kafka = log as? KafkaStreamLog {
                do {
                    requestSource = try KafkaGroupStreamSource(client: kafka.client, topic: route.requests.topic, group: route.requests.group)
                } catch { throw fail(".requests.group", error) }
            } else {
                requestSource = LogStreamSource(log: log, topic: route.requests.topic, group: route.requests.group)
            }
            var journal: OutboundCorrelationJournal?
            if let directory = route.journalDirectory {
                // One log directory per route and instance: its lock keeps a second process with the same id out.
                let instance = route.effectiveInstanceID
                do {
                    let local = try LocalLog(LocalLogConfiguration(directory: directory + "/" + route.name + "." + instance))
                    closers.append { try? local.close() }
                    journal = try OutboundCorrelationJournal(log: local, route: route.name, instance: instance)
                } catch { throw fail(".journal.directory", error) }
            }
            routes.append(
                OutboundRequestReplyBridge(
                    configuration: route, requestSource: requestSource, replyLog: log,
                    legacyQueue: queues[0].0, legacyDestination: queues[0].1,
                    replyQueue: queues[1].0, replyDestination: queues[1].1,
                    deadLetters: queues[2].0, deadLetterDestination: queues[2].1,
                    requestEngine: requestEngine, replyEngine: replyEngine, journal: journal))
        }
    }
}
