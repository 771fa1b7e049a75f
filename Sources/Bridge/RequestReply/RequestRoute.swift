/// Where requests of one message type go (issue 7, item 5: strangler-fig routing).
public enum RequestRoute: Sendable, Hashable, CustomStringConvertible {
    /// The old service: the request is put on its queue and its reply relayed to the caller.
    case legacy
    /// The new service: the request becomes an event on the request topic; the reply comes from the reply topic.
    case modern
    /// Both: the caller gets the legacy reply; the modern reply is compared with it field by field.
    case shadow
    /// `percent` % of entity keys go to `modern`, the rest to `legacy`, decided by a hash of the key so one key
    /// always takes the same way (a caller never sees answers from both services for one entity).
    case canary(percent: Int)

    /// Parses `legacy`, `modern`, `shadow` or `canary:N` / `canary N%` (N from 0 to 100).
    public init?(parsing text: String) {
        switch text {
        case "legacy": self = .legacy
        case "modern": self = .modern
        case "shadow": self = .shadow
        default:
            guard text.hasPrefix("canary") else { return nil }
            var rest = text.dropFirst("canary".count).drop { $0 == ":" || $0 == " " }
            if rest.hasSuffix("%") { rest = rest.dropLast() }
            guard let percent = Int(rest), (0...100).contains(percent) else { return nil }
            self = .canary(percent: percent)
        }
    }

    public var description: String {
        switch self {
        case .legacy: "legacy"
        case .modern: "modern"
        case .shadow: "shadow"
        case let .canary(percent): "canary:\(percent)"
        }
    }
}

/// What one request does once its route is resolved: the canary is decided, so only three ways remain.
public enum ResolvedRoute: String, Sendable, Hashable {
    /// Only to the old service's queue.
    case legacy
    /// Only to the request topic.
    case modern
    /// To both; the caller is answered from the legacy reply.
    case shadow
}

/// The routes of one request-reply endpoint: one per message type, and a default. A value, swapped whole on
/// reload, so a request is routed by one table or the other, never a mix.
public struct RouteTable: Sendable, Hashable {
    /// The route for a message type not listed in ``routes`` (or a request without a type).
    public var defaultRoute: RequestRoute
    /// Routes by message type (the value of the configured message-type property).
    public var routes: [String: RequestRoute]

    /// A table with `defaultRoute` and per-type `routes`.
    public init(defaultRoute: RequestRoute, routes: [String: RequestRoute] = [:]) {
        self.defaultRoute = defaultRoute
        self.routes = routes
    }

    /// The way a request of `messageType` about entity `key` goes. A canary sends the key to `modern` when
    /// ``canaryBucket(forKey:)`` is below the percentage; a request without a key counts as bucket 99 (legacy
    /// unless the canary is at 100 %).
    public func resolve(messageType: String?, key: String?) -> ResolvedRoute {
        let route = messageType.flatMap { routes[$0] } ?? defaultRoute
        switch route {
        case .legacy: return .legacy
        case .modern: return .modern
        case .shadow: return .shadow
        case let .canary(percent):
            let bucket = key.map(Self.canaryBucket(forKey:)) ?? 99
            return bucket < percent ? .modern : .legacy
        }
    }

    /// The key's canary bucket, 0 to 99: FNV-1a (64-bit) of its UTF-8 bytes, modulo 100. Stable across runs,
    /// instances and platforms, so every bridge instance sends one key the same way.
    public static func canaryBucket(forKey key: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % 100)
    }
}
