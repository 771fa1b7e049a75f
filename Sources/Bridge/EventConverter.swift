import Events
public import LegacyQueue
public import Mapping
public import StreamLog

/// Why a message could not become events: a permanent failure that retrying the same bytes will not fix.
public struct ConversionFailure: Error, Sendable, Equatable {
    /// Where it failed: `decode` (not a CloudEvent / malformed input) or `map` (the mapping rejected it).
    public var stage: String
    /// The error's type name (`MappingError`, `CloudEventError`).
    public var errorClass: String
    /// The error's description: names fields and rules, never field values.
    public var message: String
}

/// Turns a received queue message into stream records: through a mapping, or by reading the body as one
/// CloudEvent in JSON format (pass-through). Records use the Kafka binary content mode (`ce_` headers), keyed
/// by the event's `partitionkey`; event ids are deterministic, so a redelivered message yields the same ids.
public struct EventConverter: Sendable {
    /// The mapping; nil for pass-through.
    public let engine: MappingEngine?

    /// A converter through `engine`, or a pass-through converter when nil.
    public init(engine: MappingEngine?) { self.engine = engine }

    /// The records for `message`, in the order of its events.
    public func records(for message: ReceivedMessage) throws(ConversionFailure) -> [StreamRecord] {
        let timestamp = message.timestampMilliseconds ?? 0
        var events: [CloudEvent] = []
        if let engine {
            // Through the mapping's compiled plan: the interpreter's events as JSON lines, its errors.
            let lines: MappedEventLines
            do throws(MappingError) {
                lines = try MappedEventLines(
                    engine: engine, input: message.message.body, inputName: "\(message.destination)#\(message.messageID)")
            } catch {
                throw ConversionFailure(stage: "map", errorClass: "MappingError", message: error.description)
            }
            events.reserveCapacity(lines.count)
            for index in 0..<lines.count {
                do throws(CloudEventError) { events.append(try lines.event(at: index)) } catch {
                    throw ConversionFailure(stage: "map", errorClass: "CloudEventError", message: error.description)
                }
            }
        } else {
            do throws(CloudEventError) { events.append(try CloudEventJSONFormat.decode(message.message.body)) } catch {
                throw ConversionFailure(stage: "decode", errorClass: "CloudEventError", message: error.description)
            }
        }
        var records: [StreamRecord] = []
        records.reserveCapacity(events.count)
        for event in events {
            do throws(CloudEventError) {
                records.append(try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: timestamp))
            } catch {
                throw ConversionFailure(stage: "encode", errorClass: "CloudEventError", message: error.description)
            }
        }
        return records
    }
}
