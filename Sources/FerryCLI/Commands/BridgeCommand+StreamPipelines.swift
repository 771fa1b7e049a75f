import Bridge
import Mapping

extension BridgeCommand {
    /// Loads the mapping of every stream → queue pipeline and checks that it is reversible.
    func checkStreamPipelineMappings(_ configuration: BridgeConfiguration) throws {
        for pipeline in configuration.directoryPipelines {
            guard let file = pipeline.mappingFile else { continue }
            do { _ = try MappingDefinition(contentsOf: file) } catch {
                throw BridgeError.invalidConfiguration(
                    file: configFile, path: "$.pipelines[\(configuration.pipelinePosition(of: pipeline.name))].mapping",
                    reason: error.description)
            }
        }
        for pipeline in configuration.streamPipelines {
            guard let file = pipeline.mappingFile else { continue }
            let index = configuration.pipelinePosition(of: pipeline.name)
            let path = "$.pipelines[\(index)].mapping"
            let definition: MappingDefinition
            do { definition = try MappingDefinition(contentsOf: file) } catch {
                throw BridgeError.invalidConfiguration(file: configFile, path: path, reason: error.description)
            }
            guard definition.isReversible else {
                throw BridgeError.invalidConfiguration(
                    file: configFile, path: path,
                    reason: "the mapping is not reversible, so it cannot encode events for a queue")
            }
        }
    }

    /// One JSON line of counters per stream → queue pipeline on standard error.
    func writeStreamPipelineStatistics(_ daemon: BridgeDaemon, _ context: CommandContext) {
        for pipeline in daemon.streamPipelines {
            let counts = pipeline.statistics
            var line = JSONLine()
            line.field("pipeline", pipeline.configuration.name)
            line.field("received", counts.received)
            line.field("sent", counts.sent)
            line.field("committed", counts.committed)
            line.field("dead_lettered", counts.deadLettered)
            line.field("sink_retries", counts.sinkRetries)
            line.field("source_retries", counts.sourceRetries)
            context.errorOutput.write(bytes: line.finish())
        }
        for pipeline in daemon.directoryPipelines {
            let counts = pipeline.statistics
            var line = JSONLine()
            line.field("pipeline", pipeline.configuration.name)
            line.field("files_done", counts.filesDone)
            line.field("files_failed", counts.filesFailed)
            line.field("appended", counts.appended)
            line.field("sink_retries", counts.sinkRetries)
            line.field("source_retries", counts.sourceRetries)
            context.errorOutput.write(bytes: line.finish())
        }
    }
}
