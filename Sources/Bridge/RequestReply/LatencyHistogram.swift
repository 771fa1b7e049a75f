import Synchronization

/// A Prometheus-style latency histogram with fixed bucket bounds: cumulative `le` buckets, a sum and a count.
///
/// Observations take one lock and write into storage allocated at creation, so observing allocates nothing.
/// For benchmarks it can also keep the exact first `sampleCapacity` observations (storage reserved up front).
public final class LatencyHistogram: Sendable {
    /// Upper bounds in seconds of the finite buckets (the `+Inf` bucket is implicit): 0.5 ms to 10 s.
    public static let defaultBounds: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// The counts as read at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Upper bounds in seconds of the finite buckets.
        public var bounds: [Double]
        /// Observations per bucket, not cumulative; one more entry than `bounds` (the last is above every bound).
        public var bucketCounts: [UInt64]
        /// Sum of the observations, nanoseconds.
        public var sumNanoseconds: Int64
        /// Number of observations.
        public var count: UInt64

        /// Cumulative counts per `le` bound, `+Inf` last (equal to `count`).
        public var cumulativeCounts: [UInt64] {
            var running: UInt64 = 0
            return bucketCounts.map { running += $0; return running }
        }
    }

    private struct State {
        var bucketCounts: [UInt64]
        var sumNanoseconds: Int64 = 0
        var count: UInt64 = 0
        var samples: [Int64] = []
        var sampleCapacity = 0
    }

    private let boundsNanoseconds: [Int64]
    /// Upper bounds in seconds of the finite buckets.
    public let bounds: [Double]
    private let state: Mutex<State>

    /// A histogram over `bounds` (seconds, ascending).
    public init(bounds: [Double] = LatencyHistogram.defaultBounds) {
        self.bounds = bounds
        self.boundsNanoseconds = bounds.map { Int64(($0 * 1e9).rounded()) }
        self.state = Mutex(State(bucketCounts: [UInt64](repeating: 0, count: bounds.count + 1)))
    }

    /// Counts one observation.
    public func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = max(0, seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000)
        var index = boundsNanoseconds.count
        for (position, bound) in boundsNanoseconds.enumerated() where nanoseconds <= bound {
            index = position
            break
        }
        state.withLock { state in
            state.bucketCounts[index] &+= 1
            state.sumNanoseconds &+= nanoseconds
            state.count &+= 1
            if state.samples.count < state.sampleCapacity { state.samples.append(nanoseconds) }
        }
    }

    /// Keeps the exact value of the next `capacity` observations (earlier ones are dropped), for benchmarks.
    public func startSampling(capacity: Int) {
        var reserved: [Int64] = []
        reserved.reserveCapacity(capacity)
        state.withLock {
            $0.samples = reserved
            $0.sampleCapacity = capacity
        }
    }

    /// The observations kept since ``startSampling(capacity:)``, in nanoseconds, in the order they were observed.
    public var samplesNanoseconds: [Int64] { state.withLock { $0.samples } }

    /// The counts now.
    public var snapshot: Snapshot {
        state.withLock { Snapshot(bounds: bounds, bucketCounts: $0.bucketCounts, sumNanoseconds: $0.sumNanoseconds, count: $0.count) }
    }

    /// The `_bucket`, `_sum` and `_count` lines of this histogram under `name`, each with `labels` (already
    /// escaped, `key="value"` joined by commas) before `le`.
    public func exposition(name: String, labels: String) -> String {
        let snapshot = snapshot
        let prefix = labels.isEmpty ? "" : labels + ","
        var text = ""
        for (bound, cumulative) in zip(snapshot.bounds.map(Self.format) + ["+Inf"], snapshot.cumulativeCounts) {
            text += "\(name)_bucket{\(prefix)le=\"\(bound)\"} \(cumulative)\n"
        }
        let sum = Double(snapshot.sumNanoseconds) / 1e9
        text += "\(name)_sum{\(labels)} \(sum)\n"
        text += "\(name)_count{\(labels)} \(snapshot.count)\n"
        return text
    }

    /// A bound as Prometheus clients print it: shortest decimal (`0.0005`, `1`, `2.5`).
    static func format(_ bound: Double) -> String {
        bound == bound.rounded() ? String(Int(bound)) : String(bound)
    }
}

/// The latency histograms of one inbound request-reply endpoint, one set per resolved route.
public struct RequestReplyLatencies: Sendable {
    /// Request received from the queue → reply (or error reply) sent to the caller, confirmed by the queue.
    public let roundTrip: [ResolvedRoute: LatencyHistogram]
    /// Request received from the queue → published on Kafka (acknowledged) and/or sent to the legacy service.
    public let requestHeld: [ResolvedRoute: LatencyHistogram]
    /// Reply received (fetched from the reply topic or the legacy reply queue) → sent to the caller, confirmed.
    public let replyHeld: [ResolvedRoute: LatencyHistogram]

    /// Empty histograms for every route.
    public init() {
        func make() -> [ResolvedRoute: LatencyHistogram] {
            [.legacy: LatencyHistogram(), .modern: LatencyHistogram(), .shadow: LatencyHistogram()]
        }
        roundTrip = make()
        requestHeld = make()
        replyHeld = make()
    }

    /// The routes in the order they are exposed.
    public static let routeOrder: [ResolvedRoute] = [.legacy, .modern, .shadow]
}

/// The latency histograms of one outbound request-reply route.
public struct OutboundRequestReplyLatencies: Sendable {
    /// Request polled from the request topic → reply published on the requester's reply topic.
    public let roundTrip = LatencyHistogram()
    /// Request polled → sent to the legacy queue (confirmed).
    public let requestHeld = LatencyHistogram()
    /// Reply received from the legacy reply queue → published on the reply topic.
    public let replyHeld = LatencyHistogram()

    /// Empty histograms.
    public init() {}
}
