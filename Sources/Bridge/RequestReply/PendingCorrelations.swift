import Synchronization

/// Requests waiting for their replies, by the bridge's correlation id, each with a deadline; a Mutex-guarded
/// table whose operations return what to do (no I/O under the lock).
///
/// An entry waits for the legacy reply, the modern reply, or both (shadow). A reply for an id that is no longer
/// in the table is *late* when the id expired recently (it is remembered, up to ``expiredMemory`` ids) and
/// *unknown* otherwise; either way it is never delivered to anyone.
public final class PendingCorrelations<Caller: Sendable>: Sendable {
    /// One waiting request.
    public struct Entry: Sendable {
        /// Who to answer, and how.
        public var caller: Caller
        /// When the wait ends.
        public var deadline: ContinuousClock.Instant
        /// The way the request went.
        public var route: ResolvedRoute
        /// The legacy service's reply, once it came (shadow: kept until the modern one comes or the deadline).
        public var legacyReply: ReplyBody?
        /// The modern service's reply, once it came.
        public var modernReply: ReplyBody?
        /// Whether the caller was answered already (shadow: by the legacy reply).
        public var isAnswered = false
    }

    /// A reply's bytes and what identifies them, kept for comparison and relay.
    public struct ReplyBody: Sendable, Equatable {
        /// The payload.
        public var bytes: [UInt8]
        /// Attributes of the reply (content type, CloudEvent attributes), by name.
        public var attributes: [String: String]

        /// A reply body.
        public init(bytes: [UInt8], attributes: [String: String] = [:]) {
            self.bytes = bytes
            self.attributes = attributes
        }
    }

    /// Which service a reply came from.
    public enum Side: Sendable, Hashable {
        /// The old service, through its queue.
        case legacy
        /// The new service, through the reply topic.
        case modern
    }

    /// What the router does with a reply that arrived.
    public enum ReplyAction: Sendable {
        /// Answer the caller with this reply; the entry is gone (or, shadow, kept for the modern reply).
        case answer(Caller, ReplyBody, compareWith: ReplyBody?)
        /// Shadow: the caller was answered; compare the legacy and modern replies now. The entry is gone.
        case compare(Caller, legacy: ReplyBody, modern: ReplyBody)
        /// Shadow: the modern reply came first; it is kept until the legacy one comes.
        case held
        /// The id expired before the reply came: count it, dead-letter it.
        case late
        /// The id was never issued by this instance, or was answered already (a duplicate): count it, drop it.
        case unknown
    }

    /// What the router does with an entry whose deadline passed.
    public struct Expired: Sendable {
        /// The correlation id.
        public var id: String
        /// The entry as it was.
        public var entry: Entry
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var expiredOrder: [String] = []
        var expiredStart = 0
        var expired: Set<String> = []
    }

    private let state = Mutex(State())
    /// How many expired ids are remembered to tell late replies from unknown ones.
    public let expiredMemory: Int

    /// An empty table remembering up to `expiredMemory` expired ids. Default: 100,000.
    public init(expiredMemory: Int = 100_000) { self.expiredMemory = max(1, expiredMemory) }

    /// Requests waiting.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Adds a request waiting under `id` (unique per instance) until `deadline`.
    public func register(_ id: String, caller: Caller, route: ResolvedRoute, deadline: ContinuousClock.Instant) {
        state.withLock { $0.entries[id] = Entry(caller: caller, deadline: deadline, route: route) }
    }

    /// Removes a request whose forwarding failed (it was not sent anywhere; the source redelivers it).
    public func cancel(_ id: String) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// Changes the route and deadline of a waiting request (a timed-out modern request falling back to legacy).
    public func reroute(_ id: String, caller: Caller, route: ResolvedRoute, deadline: ContinuousClock.Instant) {
        state.withLock { state in
            state.expired.remove(id)
            state.entries[id] = Entry(caller: caller, deadline: deadline, route: route)
        }
    }

    /// Records `reply` from `side` for `id` and says what to do with it.
    public func complete(_ id: String, from side: Side, reply: ReplyBody) -> ReplyAction {
        state.withLock { state in
            guard var entry = state.entries[id] else { return state.expired.contains(id) ? .late : .unknown }
            switch (entry.route, side) {
            case (.legacy, .legacy), (.modern, .modern):
                state.entries[id] = nil
                return .answer(entry.caller, reply, compareWith: nil)
            case (.shadow, .legacy):
                guard entry.legacyReply == nil else { return .unknown }
                if let modern = entry.modernReply {
                    state.entries[id] = nil
                    return .answer(entry.caller, reply, compareWith: modern)
                }
                entry.legacyReply = reply
                entry.isAnswered = true
                state.entries[id] = entry
                return .answer(entry.caller, reply, compareWith: nil)
            case (.shadow, .modern):
                guard entry.modernReply == nil else { return .unknown }
                if let legacy = entry.legacyReply {
                    state.entries[id] = nil
                    return .compare(entry.caller, legacy: legacy, modern: reply)
                }
                entry.modernReply = reply
                state.entries[id] = entry
                return .held
            case (.legacy, .modern), (.modern, .legacy):
                return .unknown  // a reply from a service the request did not go to
            }
        }
    }

    /// Removes and returns the entries whose deadline is at or before `now`; their ids are remembered as expired.
    public func expire(now: ContinuousClock.Instant) -> [Expired] {
        state.withLock { state in
            var result: [Expired] = []
            for (id, entry) in state.entries where entry.deadline <= now { result.append(Expired(id: id, entry: entry)) }
            for item in result {
                state.entries[item.id] = nil
                state.expired.insert(item.id)
                state.expiredOrder.append(item.id)
            }
            while state.expiredOrder.count - state.expiredStart > expiredMemory {
                state.expired.remove(state.expiredOrder[state.expiredStart])
                state.expiredStart += 1
            }
            if state.expiredStart > expiredMemory {
                state.expiredOrder.removeFirst(state.expiredStart)
                state.expiredStart = 0
            }
            return result
        }
    }
}
