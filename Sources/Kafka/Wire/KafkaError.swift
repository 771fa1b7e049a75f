public import ByteCoding

/// Why a Kafka operation failed: one classified error type for the wire layer and the client.
///
/// ``isRetriable`` says whether the same operation may succeed later (after a reconnect or a Metadata
/// refresh); broker errors carry the broker's ``KafkaErrorCode`` with its name.
public enum KafkaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Bytes from the broker do not follow the schema of `context` (truncated, bad length, bad varint …).
    case malformed(context: String, cause: ByteCodingError)
    /// A value in a response is impossible (a negative count, an unexpected magic byte …).
    case invalid(context: String, detail: String)
    /// The broker answered with an error code for `context` (a topic/partition, a group …).
    case broker(code: KafkaErrorCode, context: String, message: String?)
    /// No version of `api` is supported by both this client and the broker.
    case unsupportedVersion(api: String, client: ClosedRange<Int16>, broker: ClosedRange<Int16>?)
    /// A record batch uses a compression codec this client cannot read or write (snappy 2, lz4 3, zstd 4).
    case unsupportedCompression(codec: Int)
    /// A record batch failed its CRC-32C check, or a legacy (magic 0/1) message set was met.
    case corruptBatch(offset: Int64, detail: String)
    /// A frame or record is larger than the configured maximum.
    case tooLarge(what: String, size: Int, maximum: Int)
    /// gzip compression or decompression failed.
    case compression(detail: String)
    /// The connection to `broker` failed or was closed.
    case connection(broker: String, reason: String)
    /// `operation` got no answer within `after`.
    case timedOut(operation: String, after: Duration)
    /// A response carried a correlation id no request is waiting for.
    case unexpectedCorrelationID(broker: String, received: Int32)
    /// A configuration value is out of range; `field` is its path.
    case invalidConfiguration(field: String, reason: String)
    /// The client or producer was closed.
    case closed
    /// The waiting task was cancelled; the request may still reach the broker.
    case cancelled(operation: String)

    /// True when the same operation may succeed if retried (after a reconnect or Metadata refresh).
    public var isRetriable: Bool {
        switch self {
        case let .broker(code, _, _): code.isRetriable
        case .connection, .timedOut: true
        default: false
        }
    }

    /// The broker's error code, when the broker reported the error.
    public var brokerCode: KafkaErrorCode? {
        if case let .broker(code, _, _) = self { return code }
        return nil
    }

    public var description: String {
        switch self {
        case let .malformed(context, cause): "malformed Kafka response (\(context)): \(cause)"
        case let .invalid(context, detail): "invalid Kafka data (\(context)): \(detail)"
        case let .broker(code, context, message):
            "broker error \(code.name) (\(code.rawValue)) for \(context)" + (message.map { ": \($0)" } ?? "")
                + (code.isRetriable ? " [retriable]" : "")
        case let .unsupportedVersion(api, client, broker):
            "no common version of \(api): client supports \(client.lowerBound)...\(client.upperBound), broker "
                + (broker.map { "\($0.lowerBound)...\($0.upperBound)" } ?? "does not offer it")
        case let .unsupportedCompression(codec):
            "record batch compression codec \(codec) (\(Compression(rawValue: codec)?.name ?? "unknown")) is not supported"
        case let .corruptBatch(offset, detail): "corrupt record batch at offset \(offset): \(detail)"
        case let .tooLarge(what, size, maximum): "\(what) of \(size) bytes exceeds the maximum of \(maximum)"
        case let .compression(detail): "gzip: \(detail)"
        case let .connection(broker, reason): "connection to \(broker): \(reason)"
        case let .timedOut(operation, after): "\(operation) timed out after \(after)"
        case let .unexpectedCorrelationID(broker, received):
            "\(broker) sent a response with correlation id \(received), which no request is waiting for"
        case let .invalidConfiguration(field, reason): "invalid Kafka configuration \(field): \(reason)"
        case .closed: "the Kafka client is closed"
        case let .cancelled(operation): "\(operation) was cancelled"
        }
    }
}

/// Runs `body`, passing a ``KafkaError`` through and wrapping anything else (closures given to rethrowing
/// standard-library functions lose the error type).
@inline(__always)
func withKafkaErrors<T>(_ context: @autoclosure () -> String, _ body: () throws -> T) throws(KafkaError) -> T {
    do {
        return try body()
    } catch let error as KafkaError {
        throw error
    } catch let error as ByteCodingError {
        throw .malformed(context: context(), cause: error)
    } catch {
        throw .invalid(context: context(), detail: "\(error)")
    }
}

extension KafkaError {
    /// True for a response that did not follow its schema.
    var isMalformed: Bool {
        switch self {
        case .malformed, .invalid: true
        default: false
        }
    }
}
