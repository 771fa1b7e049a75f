public import Events

/// Where a frame's Kafka key (the CloudEvents `partitionkey`) comes from.
public enum MQEventKey: Sendable {
    /// MQMD `MsgId`, 48 lowercase hex digits.
    case messageID
    /// MQMD `CorrelId`, 48 lowercase hex digits (an error when it is `MQCI_NONE`).
    case correlationID
    /// MQMD `GroupId`, 48 lowercase hex digits (an error when it is `MQGI_NONE` or the MQMD is version 1).
    case groupID
    /// An MQRFH2 property, e.g. `folder: "usr", name: "MemberId"` or `folder: "jms", name: "Gid"`, in its canonical
    /// text (an error when absent or null).
    case property(folder: String, name: String)
    /// A value the caller computes from the frame (a payload field through a mapping); nil is an error.
    case computed(@Sendable (MQFrame) throws -> String?)

    /// Parses the CLI spelling: `msgid`, `correlid`, `groupid`, `usr:NAME`, `jms:NAME` (any `FOLDER:NAME`).
    public init?(argument: String) {
        switch argument {
        case "msgid": self = .messageID
        case "correlid": self = .correlationID
        case "groupid": self = .groupID
        default:
            let parts = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self = .property(folder: String(parts[0]), name: String(parts[1]))
        }
    }
}

/// How frames become CloudEvents.
public struct MQEventOptions: Sendable {
    /// CloudEvents `source`. Default: `/mq`.
    public var source: String
    /// CloudEvents `type`; nil for `mq.<msgtype>.v1` (`mq.datagram.v1`, `mq.request.v1`, `mq.reply.v1`,
    /// `mq.report.v1`, `mq.application.v1`). Default: nil.
    public var type: String?
    /// The key (`partitionkey`). Default: ``MQEventKey/messageID``.
    public var key: MQEventKey
    /// CCSID for payload text whose CCSID is 0 (`MQCCSI_Q_MGR`). Default: 1208.
    public var queueManagerCCSID: Int32

    public init(source: String = "/mq", type: String? = nil, key: MQEventKey = .messageID, queueManagerCCSID: Int32 = 1208) {
        self.source = source
        self.type = type
        self.key = key
        self.queueManagerCCSID = queueManagerCCSID
    }
}

extension MQFrame {
    /// The declared types of the MQMD extensions ``cloudEvent(_:)`` writes (and Ferry's own), for decoding Kafka
    /// binary-mode records, whose `ce_` headers carry only text: `CloudEventKafkaBinding.decode(record,
    /// extensionTypes: MQFrame.eventExtensionTypes)` gives back Integers, Binaries and Strings as they were. RFH2
    /// property extensions are named by the data; add their types when a consumer knows them.
    public static let eventExtensionTypes: [String: CloudEventAttributeType] = CloudEvent.ferryExtensionTypes.merging([
        "mqmsgid": .binary, "mqcorrelid": .binary, "mqgroupid": .binary,
        "mqmsgtype": .integer, "mqreport": .integer, "mqfeedback": .integer, "mqexpiry": .integer,
        "mqpriority": .integer, "mqpersistence": .integer, "mqbackoutcount": .integer, "mqencoding": .integer,
        "mqccsid": .integer, "mqputappltype": .integer, "mqseqnumber": .integer, "mqoffset": .integer,
        "mqmsgflags": .integer, "mqformat": .string, "mquserid": .string, "mqputapplname": .string,
    ]) { first, _ in first }

    /// The frame as a CloudEvent (README "Frames to events"):
    /// - `id`: ``EventIdentity/mqMessageID(_:)`` of `MsgId` (of the whole frame's bytes when `MsgId` is
    ///   `MQMI_NONE`); `time`: `PutDate`/`PutTime`; `partitionkey`: per ``MQEventOptions/key``;
    /// - `correlationid`: RFH2 `jms.Cid` when present (RFH2 wins, as in IBM's JMS mapping), else `CorrelId` in hex
    ///   unless none; `replyto`: `mq://ReplyToQMgr/ReplyToQ`;
    /// - MQMD fields as typed extensions (`mqmsgtype`, `mqpriority`, `mqpersistence`, `mqexpiry`, … Integers;
    ///   `mqmsgid`, `mqcorrelid`, `mqgroupid` Binary; `mqformat`, `mquserid`, `mqputapplname` Strings);
    /// - every RFH2 property as `<folder><name>` lower-cased with non-alphanumerics dropped (`usrcontentlength`),
    ///   typed by `dt`: boolean → Boolean, i1/i2/i4 and i8/int within 32 bits → Integer, bin.hex → Binary,
    ///   `jms.Tms`/`jms.Exp` → Timestamp (epoch ms), untyped `jms.Dlv`/`Pri`/`Seq` → Integer, r4/r8 and wider integers → their decimal text, null → absent;
    ///   a name already taken keeps its first value;
    /// - `data`: the text for `MQSTR   ` (`text/plain; charset=utf-8`), else the bytes (`application/octet-stream`).
    public func cloudEvent(_ options: MQEventOptions = MQEventOptions()) throws(MQError) -> CloudEvent {
        let md = descriptor
        var extensions = CloudEventExtensions()
        var jmsCorrelation: String?
        var taken: Set<String> = []
        func add(_ name: String, _ value: CloudEventAttributeValue) {
            guard !taken.contains(name) else { return }
            taken.insert(name)
            extensions[name] = value
        }

        add("mqmsgid", .binary(md.messageID.bytes))
        if !md.correlationID.isNone { add("mqcorrelid", .binary(md.correlationID.bytes)) }
        add("mqmsgtype", .integer(md.messageType.rawValue))
        if md.report != .none { add("mqreport", .integer(md.report.rawValue)) }
        if md.feedback != .none { add("mqfeedback", .integer(md.feedback.rawValue)) }
        add("mqexpiry", .integer(md.expiry))
        add("mqpriority", .integer(md.priority))
        add("mqpersistence", .integer(md.persistence.rawValue))
        add("mqbackoutcount", .integer(md.backoutCount))
        if md.format != .none { add("mqformat", .string(md.format.name)) }
        add("mqencoding", .integer(md.encoding.rawValue))
        add("mqccsid", .integer(md.codedCharacterSetID))
        if !md.userIdentifier.isEmpty { add("mquserid", .string(md.userIdentifier)) }
        add("mqputappltype", .integer(md.putApplicationType))
        if !md.putApplicationName.isEmpty { add("mqputapplname", .string(md.putApplicationName)) }
        if !md.groupID.isNone || md.messageFlags != [] {
            add("mqgroupid", .binary(md.groupID.bytes))
            add("mqseqnumber", .integer(md.messageSequenceNumber))
            add("mqoffset", .integer(md.offset))
            add("mqmsgflags", .integer(md.messageFlags.rawValue))
        }
        if !md.replyToQueue.isEmpty {
            add(CloudEvent.replyToAttribute, .string("mq://\(md.replyToQueueManager)/\(md.replyToQueue)"))
        }

        for header in headers {
            guard case .rfh2(let rfh2) = header else { continue }
            for folder in rfh2.folders {
                let folderName = folder.name
                for property in try folder.properties() {
                    if folderName == "jms", property.name == "Cid", case .string(let text) = property.value, !text.isEmpty {
                        jmsCorrelation = text
                    }
                    let name = Self.extensionName(folderName + property.name)
                    guard !name.isEmpty, let value = Self.attributeValue(property, folder: folderName) else { continue }
                    add(name, value)
                }
            }
        }

        if let correlation = jmsCorrelation ?? (md.correlationID.isNone ? nil : md.correlationID.hex) {
            add(CloudEvent.correlationIDAttribute, .string(correlation))
        }
        add(CloudEvent.partitionKeyAttribute, .string(try key(options.key)))

        let identity: EventIdentity
        if md.messageID.isNone {
            identity = .components(bytes: [Array("mq.frame".utf8), bytes])
        } else {
            do { identity = try .mqMessageID(md.messageID.bytes) } catch { throw Self.eventError(error) }
        }
        let data: CloudEventData
        let contentType: String
        if let text = try payload.text(queueManagerCCSID: options.queueManagerCCSID) {
            data = .text(text)
            contentType = "text/plain; charset=utf-8"
        } else {
            data = .binary(payload.bytes)
            contentType = "application/octet-stream"
        }
        let type = options.type ?? "mq.\(md.messageType.name == "system" ? "message" : md.messageType.name).v1"
        do {
            return try CloudEvent(
                id: identity.eventID, source: options.source, type: type, time: md.putTimestamp,
                dataContentType: contentType, extensions: extensions, data: data)
        } catch {
            throw Self.eventError(error)
        }
    }

    /// The key text for `key`.
    func key(_ key: MQEventKey) throws(MQError) -> String {
        func missing(_ what: String) -> MQError {
            MQError(.badValue, offset: 0, header: "event", field: "key", expected: "a value for \(what)", found: "none")
        }
        switch key {
        case .messageID:
            return descriptor.messageID.hex
        case .correlationID:
            guard !descriptor.correlationID.isNone else { throw missing("CorrelId") }
            return descriptor.correlationID.hex
        case .groupID:
            guard !descriptor.groupID.isNone else { throw missing("GroupId") }
            return descriptor.groupID.hex
        case .property(let folder, let name):
            for header in headers {
                guard case .rfh2(let rfh2) = header, let value = try rfh2.property(folder: folder, name: name) else { continue }
                if let text = value.canonicalText, !text.isEmpty { return text }
            }
            throw missing("\(folder):\(name)")
        case .computed(let compute):
            let value: String?
            do { value = try compute(self) } catch {
                throw MQError(.badValue, offset: payload.offset, header: "event", field: "key", expected: "a key from the payload", found: "\(error)")
            }
            guard let value, !value.isEmpty else { throw missing("the payload key") }
            return value
        }
    }

    static func eventError(_ error: CloudEventError) -> MQError {
        MQError(.badValue, offset: 0, header: "event", field: "", expected: "a valid CloudEvent", found: "\(error)")
    }

    /// `text` lower-cased with everything outside `a-z0-9` dropped (CloudEvents attribute naming).
    static func extensionName(_ text: String) -> String {
        String(String.UnicodeScalarView(text.lowercased().unicodeScalars.filter {
            ("a"..."z").contains($0) || ("0"..."9").contains($0)
        }))
    }

    static func attributeValue(_ property: RFH2Property, folder: String) -> CloudEventAttributeValue? {
        if folder == "jms", property.name == "Tms" || property.name == "Exp" {
            let milliseconds: Int64?
            switch property.value {
            case .int64(let v): milliseconds = v
            case .int32(let v): milliseconds = Int64(v)
            case .string(let text): milliseconds = Int64(text)
            default: milliseconds = nil
            }
            if let milliseconds, milliseconds > 0, let time = try? RFC3339Timestamp(epochMilliseconds: milliseconds) {
                return .timestamp(time)
            }
        }
        // IBM's JMS mapping writes these <jms> fields without a dt; they are integers (JMSDeliveryMode, JMSPriority,
        // JMSXGroupSeq).
        if folder == "jms", ["Dlv", "Pri", "Seq"].contains(property.name), case .string(let text) = property.value,
            let number = Int32(text)
        {
            return .integer(number)
        }
        switch property.value {
        case .string(let text): return .string(text)
        case .boolean(let flag): return .boolean(flag)
        case .binary(let bytes): return .binary(bytes)
        case .int8(let v): return .integer(Int32(v))
        case .int16(let v): return .integer(Int32(v))
        case .int32(let v): return .integer(v)
        case .int64(let v): return Int32(exactly: v).map { .integer($0) } ?? .string(String(v))
        case .float32(let v): return .string(v.description)
        case .float64(let v): return .string(v.description)
        case .null: return nil
        }
    }
}

extension RFH2Value {
    /// The value as text: numbers in decimal, booleans `true`/`false`, bytes in lowercase hex; nil for null.
    public var canonicalText: String? {
        switch self {
        case .string(let text): text
        case .boolean(let flag): flag ? "true" : "false"
        case .binary(let bytes): bytes.map { String($0 >> 4, radix: 16) + String($0 & 0xF, radix: 16) }.joined()
        case .int8(let v): String(v)
        case .int16(let v): String(v)
        case .int32(let v): String(v)
        case .int64(let v): String(v)
        case .float32(let v): v.description
        case .float64(let v): v.description
        case .null: nil
        }
    }
}
