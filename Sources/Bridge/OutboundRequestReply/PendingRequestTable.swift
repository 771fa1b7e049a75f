import Synchronization

/// Where the reply to one outbound request goes: the requester's reply topic and partition, and the
/// `kafka_correlationId` bytes to echo (Spring `ReplyingKafkaTemplate`).
public struct ReplyAddress: Sendable, Equatable {
    /// `kafka_replyTopic`.
    public var topic: String
    /// `kafka_replyPartition` (4-byte big-endian); nil when absent (the reply is then keyed by its `partitionkey`).
    public var partition: Int?
    /// `kafka_correlationId`, echoed unchanged on the reply.
    public var correlationID: [UInt8]?

    /// An address.
    public init(topic: String, partition: Int?, correlationID: [UInt8]?) {
        self.topic = topic
        self.partition = partition
        self.correlationID = correlationID
    }
}

/// The requests of one outbound route that wait for a legacy reply, keyed by the bridge-issued correlation key (the
/// 48 hex digits of the request's MQ `MsgId`, also its STOMP `correlation-id`).
///
/// A request is taken out exactly once: by its reply (``resolve(_:)``) or by its deadline (``expire(at:)``), so a
/// requester never gets both a reply and a timeout, nor two replies. Keys that timed out are remembered (the most
/// recent ``rememberedExpiries``) so a late reply is told apart from an unknown one.
public final class PendingRequestTable: Sendable {
    /// A waiting request.
    public struct Entry: Sendable, Equatable {
        /// Where its reply goes.
        public var address: ReplyAddress
        /// When the error reply is due.
        public var deadline: ContinuousClock.Instant
        /// The request event's `id` (the reply's `causationid`).
        public var requestEventID: String

        /// An entry.
        public init(address: ReplyAddress, deadline: ContinuousClock.Instant, requestEventID: String) {
            self.address = address
            self.deadline = deadline
            self.requestEventID = requestEventID
        }
    }

    /// What a reply's correlation key matched.
    public enum Resolution: Sendable, Equatable {
        /// A waiting request, now taken out.
        case pending(Entry)
        /// A request that already timed out.
        case late
        /// No request of this route (or one already answered).
        case unknown
    }

    /// Timed-out keys remembered for telling late replies from unknown ones.
    public let rememberedExpiries: Int
    private let state: Mutex<State>

    private struct State {
        var pending: [String: Entry] = [:]
        var expired: Set<String> = []
        var expiryOrder: [String] = []
    }

    /// An empty table remembering up to `rememberedExpiries` timed-out keys.
    public init(rememberedExpiries: Int = 10_000) {
        self.rememberedExpiries = rememberedExpiries
        state = Mutex(State())
    }

    /// Requests waiting now.
    public var count: Int { state.withLock { $0.pending.count } }

    /// Records a request before it is sent.
    public func record(_ key: String, _ entry: Entry) { state.withLock { $0.pending[key] = entry } }

    /// Takes out the request a reply with `key` answers.
    public func resolve(_ key: String) -> Resolution {
        state.withLock { state in
            if let entry = state.pending.removeValue(forKey: key) { return .pending(entry) }
            return state.expired.contains(key) ? .late : .unknown
        }
    }

    /// Takes out every request whose deadline is at or before `now`, oldest deadline first.
    public func expire(at now: ContinuousClock.Instant) -> [(key: String, entry: Entry)] {
        state.withLock { state in
            let due = state.pending.filter { $0.value.deadline <= now }.sorted { $0.value.deadline < $1.value.deadline }
            for (key, _) in due {
                state.pending.removeValue(forKey: key)
                if state.expired.insert(key).inserted { state.expiryOrder.append(key) }
            }
            if state.expiryOrder.count > rememberedExpiries {
                let drop = state.expiryOrder.count - rememberedExpiries
                for key in state.expiryOrder.prefix(drop) { state.expired.remove(key) }
                state.expiryOrder.removeFirst(drop)
            }
            return due.map { (key: $0.key, entry: $0.value) }
        }
    }
}
