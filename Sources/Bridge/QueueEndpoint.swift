public import LegacyQueue
import Foundation
import STOMP

/// A queue named by URL: `spool:/dir/NAME` (the embedded spool-directory queue NAME under `/dir`) or
/// `stomp://[user[:password]@]host[:port]/queue/NAME`.
public struct QueueEndpoint: Sendable, Hashable {
    /// Which queue system.
    public enum Kind: Sendable, Hashable {
        /// A spool directory root.
        case spool(root: String)
        /// A STOMP broker URL (with the destination).
        case stomp(url: String)
    }

    /// The queue system.
    public var kind: Kind
    /// The destination within it (a spool queue name, or `/queue/NAME`).
    public var destination: String

    /// Parses a queue URL; throws ``BridgeError/endpoint(pipeline:path:reason:)`` naming what is wrong.
    public init(parsing url: String) throws(BridgeError) {
        func fail(_ reason: String) -> BridgeError { .endpoint(pipeline: "", path: url, reason: reason) }
        if url.hasPrefix("stomp://") {
            let parsed: (configuration: STOMPConfiguration, destination: String?)
            do throws(STOMPError) { parsed = try STOMPConfiguration.parse(url: url) } catch {
                throw fail("invalid STOMP URL: \(error)")
            }
            guard let destination = parsed.destination, destination.count > 1 else {
                throw fail("the STOMP URL names no destination (expected stomp://host:port/queue/NAME)")
            }
            self.kind = .stomp(url: url)
            self.destination = destination
            return
        }
        guard url.hasPrefix("spool:") else { throw fail("expected spool:/dir/NAME or stomp://host:port/queue/NAME") }
        var path = String(url.dropFirst("spool:".count))
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        let root: String
        let name: String
        if let slash = path.lastIndex(of: "/") {
            root = slash == path.startIndex ? "/" : String(path[..<slash])
            name = String(path[path.index(after: slash)...])
        } else {
            root = "."
            name = path
        }
        guard !name.isEmpty, name != ".", name != ".." else { throw fail("the spool URL has no queue name") }
        self.kind = .spool(root: root)
        self.destination = name
    }

    /// `url` without the credentials of a `stomp://user:password@host` URL: what may appear in headers and output.
    public static func redacted(_ url: String) -> String {
        guard url.hasPrefix("stomp://") else { return url }
        let rest = url.dropFirst("stomp://".count)
        let authority = rest.prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return url }
        return "stomp://" + rest[rest.index(after: at)...]
    }

    /// Opens the queue (creating a spool root and its parents when missing). Spool queues never dead-letter by themselves (the bridge counts attempts);
    /// STOMP clients reconnect without limit, and a STOMP broker that refuses the first connection is tried again
    /// for up to a minute (a daemon started while its broker restarts). `prefetch`, when given and above the client's default, is the STOMP
    /// subscription's `activemq.prefetchSize`: a pipeline passes its in-flight bound, so the broker keeps pushing
    /// while earlier messages wait for their append.
    public func open(prefetch: Int? = nil) async throws -> any LegacyQueue {
        switch kind {
        case let .spool(root):
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            return try SpoolDirectoryQueue(root: root, configuration: SpoolConfiguration(maxRetries: Int.max / 2))
        case let .stomp(url):
            var configuration = try STOMPConfiguration.parse(url: url).configuration
            configuration.maxRetries = Int.max / 2
            if let prefetch { configuration.prefetch = max(configuration.prefetch, prefetch) }
            // A broker that is down (restarting) when the bridge starts is waited for, as after a disconnect,
            // for up to a minute; then the error is reported.
            let giveUp = ContinuousClock.now + .seconds(60)
            var delay = Duration.milliseconds(200)
            while true {
                do {
                    return try await STOMPClient.connect(configuration)
                } catch let error as STOMPError {
                    guard case .transport = error, ContinuousClock.now + delay < giveUp else { throw error }
                    try await Task.sleep(for: delay * Double.random(in: 0.5...1.0))
                    delay = min(delay * 2, .seconds(2))
                }
            }
        }
    }
}
