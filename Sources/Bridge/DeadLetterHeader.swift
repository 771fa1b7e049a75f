import Foundation
import LegacyQueue
import StreamLog

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

extension QueueMessage {
    /// The dead letter of a stream record that could not be delivered: the record's value as the body, its text
    /// headers as properties, and the reason headers (`ferry.error.offset` = `topic/partition/offset`, one attempt).
    static func deadLetter(
        of stored: StoredRecord, failure: ConversionFailure, source: StreamSourceConfiguration, pipeline: String
    ) -> QueueMessage {
        var letter = QueueMessage(body: stored.record.value ?? [], bodyKind: .bytes)
        for header in stored.record.headers {
            if let text = header.textValue, !header.name.isEmpty { letter.properties[header.name] = text }
        }
        letter.properties[DeadLetterHeader.stage] = failure.stage
        letter.properties[DeadLetterHeader.errorClass] = failure.errorClass
        letter.properties[DeadLetterHeader.message] = failure.message
        letter.properties[DeadLetterHeader.source] = StreamEventEncoder.redactedSource(source)
        letter.properties[DeadLetterHeader.offset] = "\(stored.topic)/\(stored.partition)/\(stored.offset)"
        letter.properties[DeadLetterHeader.timestamp] = String(Int64((Date().timeIntervalSince1970 * 1000).rounded()))
        letter.properties[DeadLetterHeader.attempts] = "1"
        letter.properties[DeadLetterHeader.pipeline] = pipeline
        return letter
    }
}
