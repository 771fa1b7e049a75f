/// Why the bridge could not load its configuration or run a pipeline.
public enum BridgeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A configuration value is missing or wrong; `path` is its JSON path (e.g. `$.pipelines[0].sink.topic`).
    case invalidConfiguration(file: String, path: String, reason: String)
    /// A source, sink or dead-letter endpoint could not be opened.
    case endpoint(pipeline: String, path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(file, path, reason): "\(file): \(path): \(reason)"
        case let .endpoint(pipeline, path, reason): "pipeline \(pipeline): \(path): \(reason)"
        }
    }
}
