public import Events
import ByteCoding
import CodePages

/// Building frames from a JSON description (`ferry mq pack`): the shape ``MQFrame/writeInspection(to:)`` prints.
///
/// ```
/// {"MQMD": {"byteOrder": "little"|"big", "characterSet": "ascii"|"ebcdic", "Version": 2, "MsgType": 8, …},
///  "headers": [{"header": "MQRFH2", "Format": "MQSTR", "CodedCharSetId": 1208, "Encoding": 546, "Flags": 0,
///               "folders": [{"xml": "<usr>…</usr>"} | {"name": "usr", "properties": [{"name", "type", "value"}]}]},
///              {"header": "MQDLH", "Reason": 2085, "DestQName": "…", "DestQMgrName": "…", "Format": "…", …}],
///  "payload": {"text": "…"} | {"hex": "…"}}
/// ```
/// MQMD fields take their spec names; absent ones keep `MQMD_DEFAULT`. Byte fields are hex. Text payloads are
/// encoded in the CCSID the chain gives them (1208, or any CCSID in `CodePages`). Keys it does not know (such as
/// `putTimestamp`, `length`, `StrucLength`) are ignored, so inspect output packs back to the same frame.
extension MQFrame {
    /// A frame built from `description`; throws ``MQError/Reason/badValue`` naming the field that is wrong.
    public init(description: JSONValue) throws(MQError) {
        func bad(_ field: String, _ expected: String, _ found: String) -> MQError {
            MQError(.badValue, offset: 0, header: "description", field: field, expected: expected, found: found)
        }
        guard case .object = description, let mdValue = description["MQMD"] else {
            throw bad("MQMD", "an object with an \"MQMD\" member", description.typeName)
        }
        let version = Int32(try Self.integer(mdValue, "Version", default: 2))
        let bigEndian = try Self.string(mdValue, "byteOrder", default: "little") == "big"
        let characterSet: MQCharacterSet = try Self.string(mdValue, "characterSet", default: "ascii") == "ebcdic" ? .ebcdic : .ascii
        var md = MQMD(version: version, bigEndian: bigEndian, characterSet: characterSet)
        if let v = try Self.optionalInteger(mdValue, "Report") { md.report = MQReportOptions(rawValue: v) }
        if let v = try Self.optionalInteger(mdValue, "MsgType") { md.messageType = MQMessageType(rawValue: v) }
        if let v = try Self.optionalInteger(mdValue, "Expiry") { md.expiry = v }
        if let v = try Self.optionalInteger(mdValue, "Feedback") { md.feedback = MQFeedback(rawValue: v) }
        if let v = try Self.optionalInteger(mdValue, "Encoding") { md.encoding = MQEncoding(rawValue: v) }
        if let v = try Self.optionalInteger(mdValue, "CodedCharSetId") { md.codedCharacterSetID = v }
        if let v = try Self.optionalString(mdValue, "Format") { md.format = MQFormat(rawValue: v) }
        if let v = try Self.optionalInteger(mdValue, "Priority") { md.priority = v }
        if let v = try Self.optionalInteger(mdValue, "Persistence") { md.persistence = MQPersistence(rawValue: v) }
        if let v = try Self.optionalIdentifier(mdValue, "MsgId") { md.messageID = v }
        if let v = try Self.optionalIdentifier(mdValue, "CorrelId") { md.correlationID = v }
        if let v = try Self.optionalInteger(mdValue, "BackoutCount") { md.backoutCount = v }
        if let v = try Self.optionalString(mdValue, "ReplyToQ") { md.replyToQueue = v }
        if let v = try Self.optionalString(mdValue, "ReplyToQMgr") { md.replyToQueueManager = v }
        if let v = try Self.optionalString(mdValue, "UserIdentifier") { md.userIdentifier = v }
        if let v = try Self.optionalString(mdValue, "AccountingToken") {
            guard let bytes = Self.bytes(hex: v), bytes.count <= 32 else { throw bad("MQMD.AccountingToken", "up to 64 hex digits", v) }
            md.accountingToken = bytes
        }
        if let v = try Self.optionalString(mdValue, "ApplIdentityData") { md.applicationIdentityData = v }
        if let v = try Self.optionalInteger(mdValue, "PutApplType") { md.putApplicationType = v }
        if let v = try Self.optionalString(mdValue, "PutApplName") { md.putApplicationName = v }
        if let v = try Self.optionalString(mdValue, "PutDate") { md.putDate = v }
        if let v = try Self.optionalString(mdValue, "PutTime") { md.putTime = v }
        if let v = try Self.optionalString(mdValue, "ApplOriginData") { md.applicationOriginData = v }
        if let v = try Self.optionalIdentifier(mdValue, "GroupId") { md.groupID = v }
        if let v = try Self.optionalInteger(mdValue, "MsgSeqNumber") { md.messageSequenceNumber = v }
        if let v = try Self.optionalInteger(mdValue, "Offset") { md.offset = v }
        if let v = try Self.optionalInteger(mdValue, "MsgFlags") { md.messageFlags = MQMessageFlags(rawValue: v) }
        if let v = try Self.optionalInteger(mdValue, "OriginalLength") { md.originalLength = v }

        var writer = ByteWriter(capacity: 1024)
        md.write(to: &writer)
        var encoding = md.encoding
        var ccsid = md.codedCharacterSetID
        if case .array(let headerValues)? = description["headers"] {
            for (index, headerValue) in headerValues.enumerated() {
                let name = try Self.string(headerValue, "header", default: "")
                guard let integersBigEndian = encoding.integersAreBigEndian else {
                    throw bad("headers[\(index)]", "an Encoding in front with integer part 1 or 2", encoding.description)
                }
                let next = MQDataDescription(
                    encoding: MQEncoding(rawValue: try Self.integer(headerValue, "Encoding", default: Int(MQEncoding.native.rawValue))),
                    codedCharacterSetID: try Self.integer(headerValue, "CodedCharSetId", default: -2),
                    format: MQFormat(rawValue: try Self.string(headerValue, "Format", default: "")))
                switch name {
                case "MQRFH2":
                    var folders: [RFH2Folder] = []
                    if case .array(let folderValues)? = headerValue["folders"] {
                        for folderValue in folderValues {
                            if let xml = try Self.optionalString(folderValue, "xml") {
                                folders.append(RFH2Folder(xml: xml))
                            } else {
                                folders.append(try Self.folder(folderValue))
                            }
                        }
                    }
                    let nameValueCCSID = try Self.integer(headerValue, "NameValueCCSID", default: 1208)
                    guard nameValueCCSID == 1208 else { throw bad("headers[\(index)].NameValueCCSID", "1208", String(nameValueCCSID)) }
                    let rfh2 = RFH2(
                        folders: folders, next: next, flags: try Self.integer(headerValue, "Flags", default: 0),
                        bigEndian: integersBigEndian, characterSet: characterSet)
                    rfh2.write(to: &writer)
                case "MQDLH":
                    var dlh = MQDLH(bigEndian: integersBigEndian, characterSet: characterSet)
                    dlh.reason = try Self.integer(headerValue, "Reason", default: 0)
                    dlh.destinationQueueName = try Self.string(headerValue, "DestQName", default: "")
                    dlh.destinationQueueManagerName = try Self.string(headerValue, "DestQMgrName", default: "")
                    dlh.encoding = next.encoding
                    dlh.codedCharacterSetID = next.codedCharacterSetID
                    dlh.format = next.format
                    dlh.putApplicationType = try Self.integer(headerValue, "PutApplType", default: 0)
                    dlh.putApplicationName = try Self.string(headerValue, "PutApplName", default: "")
                    dlh.putDate = try Self.string(headerValue, "PutDate", default: "")
                    dlh.putTime = try Self.string(headerValue, "PutTime", default: "")
                    dlh.write(to: &writer)
                default:
                    throw bad("headers[\(index)].header", "MQRFH2 or MQDLH (the headers pack can build)", "'\(name)'")
                }
                encoding = next.encoding
                if next.codedCharacterSetID != -2 { ccsid = next.codedCharacterSetID }
            }
        }
        if let payloadValue = description["payload"] {
            if let text = try Self.optionalString(payloadValue, "text") {
                switch ccsid {
                case 1208, 0: writer.writeUTF8(text)
                default:
                    guard let page = try? CodePage(ccsid: Int(ccsid)) else {
                        throw MQError(.unknownCCSID, offset: 0, header: "description", field: "payload.text", expected: "a CCSID in CodePages", found: String(ccsid))
                    }
                    do { writer.writeBytes(try page.encode(text)) } catch {
                        throw MQError(.unmappableText, offset: 0, header: "description", field: "payload.text", expected: "text CCSID \(ccsid) can carry", found: "\(error)")
                    }
                }
            } else if let hex = try Self.optionalString(payloadValue, "hex") {
                guard let bytes = Self.bytes(hex: hex) else { throw bad("payload.hex", "hex digits", hex) }
                writer.writeBytes(bytes)
            }
        }
        try self.init(parsing: writer.bytes)
    }

    static func folder(_ value: JSONValue) throws(MQError) -> RFH2Folder {
        let name = try string(value, "name", default: "")
        var properties: [RFH2Property] = []
        if case .array(let items)? = value["properties"] {
            for item in items {
                let propertyName = try string(item, "name", default: "")
                let type = try string(item, "type", default: "string")
                let raw = item["value"] ?? .null
                let text: String
                switch raw {
                case .string(let s): text = s
                case .number(let n): text = n
                case .bool(let b): text = b ? "1" : "0"
                case .null: text = ""
                default: text = ""
                }
                let parsed: RFH2Value?
                if type == "null" || raw == .null { parsed = .null } else { parsed = RFH2Value.parse(text, dt: type == "string" ? "" : type) ?? nil }
                guard let parsed else {
                    throw MQError(.badValue, offset: 0, header: "description", field: "folders.\(name).\(propertyName)", expected: "a \(type) value", found: text)
                }
                properties.append(RFH2Property(name: propertyName, value: parsed))
            }
        }
        return try RFH2Folder(name: name, properties: properties)
    }

    static func optionalInteger(_ object: JSONValue, _ key: String) throws(MQError) -> Int32? {
        guard let value = object[key] else { return nil }
        guard let wide = value.int64Value, let narrow = Int32(exactly: wide) else {
            throw MQError(.badValue, offset: 0, header: "description", field: key, expected: "a 32-bit integer", found: value.typeName)
        }
        return narrow
    }

    static func integer(_ object: JSONValue, _ key: String, default fallback: Int) throws(MQError) -> Int32 {
        try optionalInteger(object, key) ?? Int32(truncatingIfNeeded: fallback)
    }

    static func optionalString(_ object: JSONValue, _ key: String) throws(MQError) -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value.stringValue else {
            throw MQError(.badValue, offset: 0, header: "description", field: key, expected: "a string", found: value.typeName)
        }
        return text
    }

    static func string(_ object: JSONValue, _ key: String, default fallback: String) throws(MQError) -> String {
        try optionalString(object, key) ?? fallback
    }

    static func optionalIdentifier(_ object: JSONValue, _ key: String) throws(MQError) -> MQIdentifier? {
        guard let text = try optionalString(object, key) else { return nil }
        guard let identifier = MQIdentifier(hex: text) else {
            throw MQError(.badValue, offset: 0, header: "description", field: key, expected: "48 hex digits", found: text)
        }
        return identifier
    }

    static func bytes(hex: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var high: UInt8?
        for scalar in hex.unicodeScalars {
            guard let digit = UInt8(String(scalar), radix: 16) else { return nil }
            if let h = high { bytes.append(h << 4 | digit); high = nil } else { high = digit }
        }
        return high == nil ? bytes : nil
    }
}
