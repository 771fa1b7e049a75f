import Kafka
import StreamLog

/// Sorts sink errors into transient ones (retried with backoff: broker down, timeouts, leader changes) and permanent
/// rejections of the records themselves, which no retry will fix: a record over the log's or the broker's size
/// limit, a record the broker calls invalid. Errors of the sink's own set-up (authorisation, a missing topic) are
/// not permanent here: they are retried, since an operator can fix them without losing the message.
public enum SinkRejection {
    /// Whether `error` rejects the records for good.
    public static func isPermanent(_ error: any Error) -> Bool {
        failure(for: error) != nil
    }

    /// The dead-letter reason for a permanent rejection (stage `append`), nil when `error` is transient.
    public static func failure(for error: any Error) -> ConversionFailure? {
        switch error {
        case let error as StreamLogError:
            if case .recordTooLarge = error {
                return ConversionFailure(stage: "append", errorClass: "StreamLogError", message: error.description)
            }
        case let error as KafkaError:
            switch error {
            case .tooLarge:
                return ConversionFailure(stage: "append", errorClass: "KafkaError", message: error.description)
            case let .broker(code, _, _) where permanentCodes.contains(code.rawValue):
                return ConversionFailure(stage: "append", errorClass: "KafkaError", message: error.description)
            default: break
            }
        default: break
        }
        return nil
    }

    /// CORRUPT_MESSAGE (2), MESSAGE_TOO_LARGE (10), RECORD_LIST_TOO_LARGE (18), INVALID_TIMESTAMP (32),
    /// INVALID_RECORD (87): Kafka's errors about the records sent, not about the broker's state.
    static let permanentCodes: Set<Int16> = [2, 10, 18, 32, 87]
}
