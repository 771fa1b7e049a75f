import Foundation
import STOMP

/// An endpoint that keeps a connection and can say whether it is up now.
protocol ConnectionReporting {
    /// The connection is established.
    var isConnected: Bool { get }
}

extension STOMPClient: ConnectionReporting {
    /// Connected while the client has a session (it reconnects by itself after a loss).
    var isConnected: Bool { serverName != nil }
}

/// Whether every endpoint in `endpoints` that keeps a connection has it up.
func allConnected(_ endpoints: [any Sendable]) -> Bool {
    endpoints.allSatisfy { ($0 as? any ConnectionReporting)?.isConnected ?? true }
}

/// Whether a pipeline's source and sink answer: an endpoint is failing from an operation's error until the same
/// operation next succeeds (the pipeline retries it with backoff meanwhile).
public struct EndpointHealth: Sendable, Equatable {
    /// The source (queue, topic or directory) failed its last operation.
    public var isSourceFailing = false
    /// The sink (log, topic or queue) failed its last operation.
    public var isSinkFailing = false
    /// When the last error happened, epoch milliseconds; nil when none did.
    public var lastErrorMilliseconds: Int64?

    /// Healthy endpoints, no error seen.
    public init() {}

    /// Both endpoints answer.
    public var isReady: Bool { !isSourceFailing && !isSinkFailing }

    /// Records an error of the sink (`isSink`) or of the source.
    mutating func failed(isSink: Bool) {
        if isSink { isSinkFailing = true } else { isSourceFailing = true }
        lastErrorMilliseconds = Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    /// Records that the sink (`isSink`) or the source answered again.
    mutating func recovered(isSink: Bool) {
        if isSink { isSinkFailing = false } else { isSourceFailing = false }
    }
}
