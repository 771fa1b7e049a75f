import Events
public import LegacyQueue
public import Mapping
public import StreamLog

/// Turns a stream record (a CloudEvent in the Kafka binding, binary or structured mode) into a queue message:
/// through a reversible mapping's reverse (the legacy bytes: a copybook record, or a frame file holding one MQ
/// frame), or as the event in JSON format.
///
/// The message carries the event's `id`, `type`, `source` and `partitionkey` as the properties `ce_id`, `ce_type`,
/// `ce_source` and `ce_partitionkey` (so a consumer can drop duplicates and see the key), its `partitionkey` also as
/// JMSXGroupID (ActiveMQ uses it to keep a key on one consumer but does not hand it back on MESSAGE frames) and its
/// `correlationid` as JMSCorrelationID.
public struct StreamEventEncoder: Sendable {
    /// The mapping whose reverse encodes the events; nil for the JSON format.
    public let engine: MappingEngine?

    /// An encoder through `engine`'s reverse, or to the JSON event format when nil.
    public init(engine: MappingEngine?) { self.engine = engine }

    /// The message for `stored`; throws when the record is not a CloudEvent (stage `decode`) or the mapping
    /// cannot encode it (stage `encode`).
    public func message(for stored: StoredRecord) throws(ConversionFailure) -> QueueMessage {
        let event: CloudEvent
        do throws(CloudEventError) { event = try CloudEventKafkaBinding.decode(stored.record) } catch {
            throw ConversionFailure(stage: "decode", errorClass: "CloudEventError", message: error.description)
        }
        let json: [UInt8]
        do throws(CloudEventError) { json = try CloudEventJSONFormat.encode(event) } catch {
            throw ConversionFailure(stage: "encode", errorClass: "CloudEventError", message: error.description)
        }
        var message: QueueMessage
        if let engine {
            let value: JSONValue
            do throws(JSONParseError) { value = try JSONValue(parsing: json) } catch {
                throw ConversionFailure(stage: "encode", errorClass: "JSONParseError", message: "\(error)")
            }
            let bytes: [UInt8]
            do throws(MappingError) { bytes = try engine.encode(event: value) } catch {
                throw ConversionFailure(stage: "encode", errorClass: "MappingError", message: error.description)
            }
            message = QueueMessage(body: engine.encodedFileHeader + bytes, bodyKind: .bytes)
        } else {
            message = QueueMessage(body: json, bodyKind: .text, contentType: CloudEventJSONFormat.mediaType)
        }
        message.correlationID = event.correlationID
        message.groupID = event.partitionKey
        message.properties["ce_id"] = event.id
        message.properties["ce_type"] = event.type
        message.properties["ce_source"] = event.source
        if let key = event.partitionKey { message.properties["ce_partitionkey"] = key }
        return message
    }

    /// `source` as it may appear in headers: `log#topic`, without credentials.
    static func redactedSource(_ source: StreamSourceConfiguration) -> String {
        var log = source.log
        if log.hasPrefix("kafka://"), let at = log.lastIndex(of: "@") {
            log = "kafka://" + log[log.index(after: at)...]
        }
        return "\(log)#\(source.topic)"
    }
}
