/// The extension attributes Ferry reads and writes, with their CloudEvents definitions.
extension CloudEvent {
    /// `partitionkey` — CloudEvents Partitioning extension (`cloudevents/extensions/partitioning.md`).
    public static let partitionKeyAttribute = "partitionkey"
    /// `correlationid` — CloudEvents Correlation extension (`cloudevents/extensions/correlation.md`).
    public static let correlationIDAttribute = "correlationid"
    /// `causationid` — CloudEvents Correlation extension (`cloudevents/extensions/correlation.md`).
    public static let causationIDAttribute = "causationid"
    /// `replyto` — Ferry-defined (no CloudEvents extension covers it).
    public static let replyToAttribute = "replyto"

    /// The declared types of Ferry's extensions, used when decoding formats that carry only strings (Kafka binary
    /// mode headers) or JSON types. All four are non-empty Strings.
    public static let ferryExtensionTypes: [String: CloudEventAttributeType] = [
        partitionKeyAttribute: .string,
        correlationIDAttribute: .string,
        causationIDAttribute: .string,
        replyToAttribute: .string,
    ]

    /// `partitionkey` (String, non-empty): the entity key — member, account or claim id — that keeps one entity's
    /// events in order. CloudEvents Partitioning extension: "a partition key for the event, typically for the
    /// purposes of defining a causal relationship/grouping between multiple events", e.g. "the ID of the entity".
    /// The Kafka binding's key mapper copies it into the record key as-is (Kafka binding §3.1) and it stays in the
    /// event. Nil when absent; assigning nil removes it.
    public var partitionKey: String? {
        get { extensions[Self.partitionKeyAttribute]?.stringValue }
        set { extensions[Self.partitionKeyAttribute] = newValue.map { .string($0) } }
    }

    /// `correlationid` (String, non-empty): groups the events of one logical flow or business transaction
    /// (CloudEvents Correlation extension). Ferry puts the MQ `CorrelId` (or the flow's first event id) here.
    public var correlationID: String? {
        get { extensions[Self.correlationIDAttribute]?.stringValue }
        set { extensions[Self.correlationIDAttribute] = newValue.map { .string($0) } }
    }

    /// `causationid` (String, non-empty): the `id` of the event that directly caused this one (CloudEvents
    /// Correlation extension). For request-reply, a reply's `causationid` is the request event's `id`.
    public var causationID: String? {
        get { extensions[Self.causationIDAttribute]?.stringValue }
        set { extensions[Self.causationIDAttribute] = newValue.map { .string($0) } }
    }

    /// `replyto` (String, non-empty; Ferry-defined): where a reply to this event must be sent, as the legacy side
    /// names it — e.g. the MQMD `ReplyToQ`/`ReplyToQMgr` as `mq://QM1/DEV.REPLY.Q`, or a topic as `kafka:claims.replies`.
    /// CloudEvents has no standard extension for this; the name follows its naming rules.
    public var replyTo: String? {
        get { extensions[Self.replyToAttribute]?.stringValue }
        set { extensions[Self.replyToAttribute] = newValue.map { .string($0) } }
    }
}
