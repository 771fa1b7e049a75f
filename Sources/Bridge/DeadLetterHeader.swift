/// Names of the reason headers on a dead-lettered message (application properties on a queue).
public enum DeadLetterHeader {
    /// The pipeline stage that failed: `decode`, `map` or `encode`.
    public static let stage = "ferry.error.stage"
    /// The error's type name.
    public static let errorClass = "ferry.error.class"
    /// The error's description (fields and rules, never values).
    public static let message = "ferry.error.message"
    /// The source queue URL, without credentials.
    public static let source = "ferry.error.source"
    /// The source queue's message id of the dead-lettered message.
    public static let messageID = "ferry.error.message-id"
    /// When the message was dead-lettered, epoch milliseconds.
    public static let timestamp = "ferry.error.timestamp"
    /// Deliveries of the message, the last one included.
    public static let attempts = "ferry.error.attempts"
    /// The pipeline that dead-lettered it.
    public static let pipeline = "ferry.error.pipeline"
}
