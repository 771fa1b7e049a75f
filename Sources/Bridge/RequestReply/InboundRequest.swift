public import Events
public import LegacyQueue
public import MQ
public import Mapping
public import StreamLog

/// Why a legacy request cannot be routed; it is dead-lettered with this reason.
public struct InboundRequestError: Error, Sendable, CustomStringConvertible {
    /// Which stage failed: `request` (the message), `map` (the request mapping), `reply` (encoding the reply).
    public var stage: String
    /// What was wrong, without field values.
    public var reason: String
    public var description: String { "\(stage): \(reason)" }
}

/// Where and how a caller is answered: its reply-to destination and the correlation it expects.
public struct CallerReplyAddress: Sendable, Equatable {
    /// The caller's reply-to destination on the requests' broker.
    public var destination: String
    /// Format `jms`: the correlation id the reply carries (the request's correlation id, or its message id).
    public var correlationID: String
    /// Format `mq`: the reply's MQMD by the MQ rules (`CorrelId` = request `MsgId`, or its `CorrelId` under
    /// `MQRO_PASS_CORREL_ID`; `MsgType` `MQMT_REPLY`).
    public var replyDescriptor: MQMD?
}

/// A legacy request, understood: who to answer, how to route it, and what to forward.
public struct InboundRequest: Sendable {
    /// Who to answer.
    public var caller: CallerReplyAddress
    /// The message type (the configured property), for routing.
    public var messageType: String?
    /// The entity key (the configured property, else the caller's correlation), for canaries and the record key.
    public var key: String
    /// The original message, forwarded as is (with the bridge's correlation) to the legacy service.
    public var message: QueueMessage
    /// Format `mq`: the parsed frame.
    public var frame: MQFrame?

    /// A request from its parts (a request recovered from the correlation journal).
    init(caller: CallerReplyAddress, messageType: String?, key: String, message: QueueMessage, frame: MQFrame?) {
        self.caller = caller
        self.messageType = messageType
        self.key = key
        self.message = message
        self.frame = frame
    }

    /// Reads `received` per `configuration.format`; `isSTOMP` says how MQ `ReplyToQ` names become destinations
    /// (`/queue/NAME` on a STOMP broker, the bare name on a spool).
    public init(_ received: ReceivedMessage, configuration: RequestReplyConfiguration, isSTOMP: Bool) throws(InboundRequestError) {
        message = received.message
        messageType = received.message.properties[configuration.messageTypeProperty]
        switch configuration.format {
        case .jms:
            guard let replyTo = received.message.replyTo, !replyTo.isEmpty else {
                throw InboundRequestError(stage: "request", reason: "the request has no reply-to destination")
            }
            let correlation = received.message.correlationID ?? received.messageID
            caller = CallerReplyAddress(destination: replyTo, correlationID: correlation, replyDescriptor: nil)
            frame = nil
        case .mq:
            let parsed: MQFrame
            do throws(MQError) { parsed = try MQFrame(parsing: received.message.body) } catch {
                throw InboundRequestError(stage: "request", reason: "not an MQ frame: \(error)")
            }
            let reply: (descriptor: MQMD, destination: MQMD.ReplyDestination)
            do throws(MQError) { reply = try MQMD.reply(to: parsed.descriptor) } catch {
                throw InboundRequestError(stage: "request", reason: "not an MQ request: \(error)")
            }
            let destination = isSTOMP ? "/queue/" + reply.destination.queue : reply.destination.queue
            caller = CallerReplyAddress(
                destination: destination, correlationID: reply.descriptor.correlationID.hex, replyDescriptor: reply.descriptor)
            frame = parsed
        }
        key = configuration.keyProperty.flatMap { received.message.properties[$0] } ?? caller.correlationID
    }

    /// The request record for the request topic: a CloudEvent in Kafka binary mode (through the request mapping
    /// when one is given, else the body — format `mq`: the frame's payload — as the event's data) with the
    /// Spring request-reply headers carrying `correlationID`.
    public func record(
        correlationID: String, configuration: RequestReplyConfiguration, mapping: MappingEngine?, timestamp: Int64
    ) throws(InboundRequestError) -> StreamRecord {
        var record: StreamRecord
        if let mapping, let frame {
            var input = MQFrameFile.header
            let bytes = frame.bytes
            var length = UInt32(bytes.count).bigEndian
            withUnsafeBytes(of: &length) { input.append(contentsOf: $0) }
            input.append(contentsOf: bytes)
            do {
                // Through the mapping's compiled plan: the interpreter's events as JSON lines, its errors.
                let lines = try MappedEventLines(engine: mapping, input: input, inputName: "\(configuration.name)#\(correlationID)")
                guard lines.count > 0 else { throw InboundRequestError(stage: "map", reason: "the mapping made no event") }
                let event = try lines.event(at: 0)
                record = try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: timestamp)
            } catch let error as InboundRequestError {
                throw error
            } catch {
                throw InboundRequestError(stage: "map", reason: "\(error)")
            }
        } else {
            let data = frame?.payload.bytes ?? message.body
            var headers = [
                RecordHeader(name: "ce_specversion", text: "1.0"), RecordHeader(name: "ce_id", text: correlationID),
                RecordHeader(name: "ce_source", text: "ferry://request-reply/\(configuration.name)"),
                RecordHeader(name: "ce_type", text: "ferry.request.\(messageType ?? configuration.name)"),
            ]
            if let contentType = message.contentType { headers.append(RecordHeader(name: "content-type", text: contentType)) }
            record = StreamRecord(key: Array(key.utf8), value: data, headers: headers, timestamp: timestamp)
        }
        var partition = UInt32(configuration.replyPartition).bigEndian
        let partitionBytes = withUnsafeBytes(of: &partition) { Array($0) }
        record.headers.append(RecordHeader(name: configuration.headers.correlationID, text: correlationID))
        record.headers.append(RecordHeader(name: configuration.headers.replyTopic, text: configuration.replyTopic))
        record.headers.append(RecordHeader(name: configuration.headers.replyPartition, value: partitionBytes))
        return record
    }

    /// The copy put on the legacy service's queue: the original bytes, replying to the bridge's own queue under
    /// the bridge's correlation (format `mq`: `MsgId` = the correlation padded to 24 bytes, `ReplyToQ` = the
    /// bridge's reply queue, no `MQRO_PASS_CORREL_ID`, so the legacy reply's `CorrelId` is the bridge's id).
    public func legacyCopy(correlationID: String, configuration: RequestReplyConfiguration) -> QueueMessage {
        var copy = message
        copy.correlationID = correlationID
        copy.replyTo = configuration.legacyReplyQueue
        if var frame, let identifier = MQIdentifier(paddedText: correlationID) {
            frame.descriptor.messageID = identifier
            frame.descriptor.correlationID = .none
            frame.descriptor.report.remove(.passCorrelationID)
            frame.descriptor.replyToQueue = String(
                configuration.legacyReplyQueue.hasPrefix("/queue/")
                    ? configuration.legacyReplyQueue.dropFirst("/queue/".count) : configuration.legacyReplyQueue[...])
            copy.body = frame.bytes
        }
        return copy
    }
}

/// Turns replies into what the caller expects, and into JSON for shadow comparison.
public struct ReplyEncoder: Sendable {
    /// Body framing.
    public let format: RequestReplyConfiguration.Format
    /// The reply mapping (format `mq`): its reverse encodes modern replies; its forward reads legacy replies for
    /// comparison.
    public let mapping: MappingEngine?

    /// An encoder for `format` through `mapping`.
    public init(format: RequestReplyConfiguration.Format, mapping: MappingEngine?) {
        self.format = format
        self.mapping = mapping
    }

    /// The message answering `caller` with a reply from `side`.
    /// - jms: the reply body as is, with the caller's correlation id.
    /// - mq, legacy reply: the legacy frame with the caller's reply MQMD in place of its own.
    /// - mq, modern reply: through the reply mapping's reverse when given (else the data as the payload), under
    ///   the caller's reply MQMD.
    public func message(
        answering caller: CallerReplyAddress, with reply: PendingCorrelations<RequestCaller>.ReplyBody,
        from side: PendingCorrelations<RequestCaller>.Side
    ) throws(InboundRequestError) -> QueueMessage {
        switch format {
        case .jms:
            return QueueMessage(
                body: reply.bytes, bodyKind: reply.attributes["content-type"].map { $0.hasPrefix("text") || $0.contains("json") } == false ? .bytes : .text,
                contentType: reply.attributes["content-type"], correlationID: caller.correlationID)
        case .mq:
            guard let descriptor = caller.replyDescriptor else {
                throw InboundRequestError(stage: "reply", reason: "no reply descriptor for an MQ caller")
            }
            var payload: MQPayload
            switch side {
            case .legacy:
                do throws(MQError) { payload = try MQFrame(parsing: reply.bytes).payload } catch {
                    throw InboundRequestError(stage: "reply", reason: "the legacy reply is not an MQ frame: \(error)")
                }
            case .modern:
                if let mapping {
                    payload = try encodedPayload(reply, mapping: mapping)
                } else {
                    payload = MQPayload(bytes: reply.bytes, format: descriptor.format, codedCharacterSetID: descriptor.codedCharacterSetID)
                }
            }
            var frameDescriptor = descriptor
            frameDescriptor.format = payload.format
            frameDescriptor.codedCharacterSetID = payload.codedCharacterSetID
            let frame = MQFrame(descriptor: frameDescriptor, payload: payload)
            return QueueMessage(body: frame.bytes, bodyKind: .bytes, correlationID: caller.correlationID)
        }
    }

    private func encodedPayload(
        _ reply: PendingCorrelations<RequestCaller>.ReplyBody, mapping: MappingEngine
    ) throws(InboundRequestError) -> MQPayload {
        guard let json = reply.attributes[ReplyEncoder.eventJSONAttribute] else {
            throw InboundRequestError(stage: "reply", reason: "the modern reply is not a CloudEvent")
        }
        do {
            let event = try JSONValue(parsing: json)
            let entry = try mapping.encode(event: event)
            // One frame-file entry: a 4-byte length, then the frame.
            return try MQFrame(parsing: Array(entry.dropFirst(4))).payload
        } catch {
            throw InboundRequestError(stage: "reply", reason: "the reply mapping cannot encode the reply: \(error)")
        }
    }

    /// The attribute of a modern reply holding its CloudEvent in JSON format (when the record was one).
    public static let eventJSONAttribute = "ferry.event-json"

    /// The JSON compared in shadow mode: jms — the body parsed as JSON (the data of a CloudEvent in JSON format);
    /// mq with a reply mapping — the data of the event each side maps to; otherwise nil (compared as bytes).
    public func comparable(
        _ reply: PendingCorrelations<RequestCaller>.ReplyBody, from side: PendingCorrelations<RequestCaller>.Side
    ) -> JSONValue? {
        switch (format, side) {
        case (.jms, _):
            guard let value = try? JSONValue(parsing: reply.bytes) else { return nil }
            if value["specversion"] != nil, let data = value["data"] { return data }
            return value
        case (.mq, .legacy):
            guard let mapping else { return nil }
            var input = MQFrameFile.header
            var length = UInt32(reply.bytes.count).bigEndian
            withUnsafeBytes(of: &length) { input.append(contentsOf: $0) }
            input.append(contentsOf: reply.bytes)
            return (try? mapping.events(from: input, inputName: "legacy-reply"))?.first?["data"]
        case (.mq, .modern):
            guard mapping != nil, let json = reply.attributes[ReplyEncoder.eventJSONAttribute] else { return nil }
            return (try? JSONValue(parsing: json))?["data"]
        }
    }
}
