import Kafka
import LegacyQueue
import Mapping

extension BridgeDaemon {
    /// Opens one queue connection and one Kafka client per request-reply endpoint and builds its router.
    static func openRequestReplyRouters(
        _ configuration: BridgeConfiguration, closers: inout [@Sendable () async -> Void], routers: inout [RequestReplyRouter]
    ) async throws {
        for (index, endpoint) in configuration.requestReply.enumerated() {
            let path = "$.requestReply[\(index)]"
            func fail(_ field: String, _ error: any Error) -> BridgeError {
                .endpoint(pipeline: endpoint.name, path: path + field, reason: String(describing: error))
            }
            let requests = try QueueEndpoint(parsing: endpoint.requests)
            let queue: any LegacyQueue
            do { queue = try await requests.open() } catch { throw fail(".requests.queue", error) }
            closers.append { try? await queue.close() }
            let client: KafkaClient
            do { client = try KafkaClient(configuration: KafkaClientConfiguration(url: endpoint.kafka)) } catch {
                throw fail(".kafka", error)
            }
            closers.append { client.close() }
            func mapping(_ file: String?, _ field: String) throws -> MappingEngine? {
                guard let file else { return nil }
                do { return MappingEngine(mapping: try MappingDefinition(contentsOf: file)) } catch { throw fail(field, error) }
            }
            let isSTOMP = if case .stomp = requests.kind { true } else { false }
            routers.append(
                try RequestReplyRouter(
                    configuration: endpoint, queue: queue, isSTOMP: isSTOMP, client: client,
                    requestMapping: try mapping(endpoint.requestMappingFile, ".requestMapping"),
                    replyMapping: try mapping(endpoint.replyMappingFile, ".replyMapping")))
        }
    }

    /// Applies the routes of `configuration` (a reloaded file) to the running routers of the same name; requests
    /// in flight keep their way. Returns the names of the routers whose routes changed. Endpoints added, removed
    /// or changed in anything but their routes need a restart.
    @discardableResult
    public func reloadRoutes(from configuration: BridgeConfiguration) -> [String] {
        var changed: [String] = []
        for router in requestReplyRouters {
            guard let endpoint = configuration.requestReply.first(where: { $0.name == router.configuration.name }) else { continue }
            if router.routes != endpoint.routes {
                router.reload(routes: endpoint.routes)
                changed.append(endpoint.name)
            }
        }
        return changed
    }
}
