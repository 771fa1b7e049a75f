public import Events

/// A readable JSON rendering of frames (`ferry mq inspect`): every field by its spec name, numbers as numbers,
/// MQCHAR fields without trailing blanks, MQBYTE fields in lowercase hex, RFH2 folders with their XML and typed
/// properties, the payload as text (MQSTR) or hex. ``MQFrame/init(description:)`` reads the same shape back.
extension MQFrame {
    /// Writes the frame as one JSON object, starting with `"frame"` and `"offset"` when given (its number in a
    /// frame file, from 1, and its byte offset there).
    public func writeInspection(to writer: inout JSONWriter, frameNumber: Int? = nil, fileOffset: Int? = nil) {
        writer.beginObject()
        if let frameNumber { writer.writeKey("frame"); writer.writeInteger(Int64(frameNumber)) }
        if let fileOffset { writer.writeKey("offset"); writer.writeInteger(Int64(fileOffset)) }
        writer.writeKey("length"); writer.writeInteger(Int64(descriptor.length + payload.count + headers.reduce(0) { $0 + $1.length }))
        writer.writeKey("MQMD")
        descriptor.writeInspection(to: &writer)
        writer.writeKey("headers")
        writer.beginArray()
        for header in headers { header.writeInspection(to: &writer) }
        writer.endArray()
        writer.writeKey("payload")
        writer.beginObject()
        writer.writeKey("Format"); writer.writeString(payload.format.name)
        writer.writeKey("Encoding"); writer.writeInteger(Int64(payload.encoding.rawValue))
        writer.writeKey("CodedCharSetId"); writer.writeInteger(Int64(payload.codedCharacterSetID))
        writer.writeKey("length"); writer.writeInteger(Int64(payload.count))
        do throws(MQError) {
            if let text = try payload.text() {
                writer.writeKey("text"); writer.writeString(text)
            } else {
                writer.writeKey("hex"); writer.writeString(Self.hex(payload.bytes))
            }
        } catch {
            writer.writeKey("hex"); writer.writeString(Self.hex(payload.bytes))
            writer.writeKey("error"); writer.writeString(error.description)
        }
        writer.endObject()
        writer.endObject()
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

extension MQMD {
    /// Writes every field by its spec name, plus `byteOrder`, `characterSet` and `putTimestamp`.
    public func writeInspection(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeKey("byteOrder"); writer.writeString(isBigEndian ? "big" : "little")
        writer.writeKey("characterSet"); writer.writeString(characterSet.rawValue)
        writer.writeKey("StrucId"); writer.writeString(structureID)
        writer.writeKey("Version"); writer.writeInteger(Int64(version))
        writer.writeKey("Report"); writer.writeInteger(Int64(report.rawValue))
        writer.writeKey("MsgType"); writer.writeInteger(Int64(messageType.rawValue))
        writer.writeKey("Expiry"); writer.writeInteger(Int64(expiry))
        writer.writeKey("Feedback"); writer.writeInteger(Int64(feedback.rawValue))
        writer.writeKey("Encoding"); writer.writeInteger(Int64(encoding.rawValue))
        writer.writeKey("CodedCharSetId"); writer.writeInteger(Int64(codedCharacterSetID))
        writer.writeKey("Format"); writer.writeString(format.name)
        writer.writeKey("Priority"); writer.writeInteger(Int64(priority))
        writer.writeKey("Persistence"); writer.writeInteger(Int64(persistence.rawValue))
        writer.writeKey("MsgId"); writer.writeString(messageID.hex)
        writer.writeKey("CorrelId"); writer.writeString(correlationID.hex)
        writer.writeKey("BackoutCount"); writer.writeInteger(Int64(backoutCount))
        writer.writeKey("ReplyToQ"); writer.writeString(replyToQueue)
        writer.writeKey("ReplyToQMgr"); writer.writeString(replyToQueueManager)
        writer.writeKey("UserIdentifier"); writer.writeString(userIdentifier)
        writer.writeKey("AccountingToken"); writer.writeString(MQFrame.hex(accountingToken))
        writer.writeKey("ApplIdentityData"); writer.writeString(applicationIdentityData)
        writer.writeKey("PutApplType"); writer.writeInteger(Int64(putApplicationType))
        writer.writeKey("PutApplName"); writer.writeString(putApplicationName)
        writer.writeKey("PutDate"); writer.writeString(putDate)
        writer.writeKey("PutTime"); writer.writeString(putTime)
        writer.writeKey("ApplOriginData"); writer.writeString(applicationOriginData)
        if version >= 2 {
            writer.writeKey("GroupId"); writer.writeString(groupID.hex)
            writer.writeKey("MsgSeqNumber"); writer.writeInteger(Int64(messageSequenceNumber))
            writer.writeKey("Offset"); writer.writeInteger(Int64(offset))
            writer.writeKey("MsgFlags"); writer.writeInteger(Int64(messageFlags.rawValue))
            writer.writeKey("OriginalLength"); writer.writeInteger(Int64(originalLength))
        }
        writer.writeKey("putTimestamp")
        if let time = putTimestamp { writer.writeString(time.description) } else { writer.writeNull() }
        writer.endObject()
    }
}

extension MQHeader {
    /// Writes the header's fields by spec name, with `"header"` naming the structure.
    public func writeInspection(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeKey("header"); writer.writeString(name)
        func long(_ key: String, _ value: Int32) { writer.writeKey(key); writer.writeInteger(Int64(value)) }
        func text(_ key: String, _ value: String) { writer.writeKey(key); writer.writeString(value) }
        switch self {
        case .rfh2(let h):
            text("StrucId", h.structureID); long("Version", h.version); long("StrucLength", h.structureLength)
            long("Encoding", h.encoding.rawValue); long("CodedCharSetId", h.codedCharacterSetID); text("Format", h.format.name)
            long("Flags", h.flags); long("NameValueCCSID", h.nameValueCCSID)
            writer.writeKey("folders")
            writer.beginArray()
            for folder in h.folders {
                writer.beginObject()
                writer.writeKey("name"); writer.writeString(folder.name)
                do throws(MQError) {
                    writer.writeKey("xml"); writer.writeString(try folder.text())
                    let properties = try folder.properties()
                    writer.writeKey("properties")
                    writer.beginArray()
                    for property in properties {
                        writer.beginObject()
                        writer.writeKey("name"); writer.writeString(property.name)
                        writer.writeKey("type"); writer.writeString(property.value.typeName)
                        writer.writeKey("value")
                        switch property.value {
                        case .string(let s): writer.writeString(s)
                        case .boolean(let b): writer.writeBool(b)
                        case .binary(let bytes): writer.writeString(MQFrame.hex(bytes))
                        case .int8(let v): writer.writeInteger(Int64(v))
                        case .int16(let v): writer.writeInteger(Int64(v))
                        case .int32(let v): writer.writeInteger(Int64(v))
                        case .int64(let v): writer.writeInteger(v)
                        case .float32(let v): writer.writeRawJSON(Array(v.isFinite ? v.description.utf8 : "null".utf8))
                        case .float64(let v): writer.writeRawJSON(Array(v.isFinite ? v.description.utf8 : "null".utf8))
                        case .null: writer.writeNull()
                        }
                        writer.endObject()
                    }
                    writer.endArray()
                } catch {
                    writer.writeKey("error"); writer.writeString(error.description)
                }
                writer.endObject()
            }
            writer.endArray()
        case .deadLetter(let h):
            text("StrucId", h.structureID); long("Version", h.version); long("Reason", h.reason)
            text("DestQName", h.destinationQueueName); text("DestQMgrName", h.destinationQueueManagerName)
            long("Encoding", h.encoding.rawValue); long("CodedCharSetId", h.codedCharacterSetID); text("Format", h.format.name)
            long("PutApplType", h.putApplicationType); text("PutApplName", h.putApplicationName)
            text("PutDate", h.putDate); text("PutTime", h.putTime)
        case .transmission(let h):
            text("StrucId", h.structureID); long("Version", h.version)
            text("RemoteQName", h.remoteQueueName); text("RemoteQMgrName", h.remoteQueueManagerName)
            writer.writeKey("MsgDesc"); h.messageDescriptor.writeInspection(to: &writer)
        case .cics(let h):
            text("StrucId", h.structureID); long("Version", h.version); long("StrucLength", h.structureLength)
            long("Encoding", h.encoding.rawValue); long("CodedCharSetId", h.codedCharacterSetID); text("Format", h.format.name)
            long("Flags", h.flags); long("ReturnCode", h.returnCode); long("CompCode", h.completionCode); long("Reason", h.reason)
            long("UOWControl", h.unitOfWorkControl); long("GetWaitInterval", h.getWaitInterval); long("LinkType", h.linkType)
            long("OutputDataLength", h.outputDataLength); long("FacilityKeepTime", h.facilityKeepTime)
            long("ADSDescriptor", h.adsDescriptor); long("ConversationalTask", h.conversationalTask)
            long("TaskEndStatus", h.taskEndStatus); text("Facility", MQFrame.hex(h.facility)); text("Function", h.function)
            text("AbendCode", h.abendCode); text("ReplyToFormat", h.replyToFormat.name)
            text("RemoteSysId", h.remoteSystemID); text("RemoteTransId", h.remoteTransactionID); text("TransactionId", h.transactionID)
            text("FacilityLike", h.facilityLike); text("AttentionId", h.attentionID); text("StartCode", h.startCode)
            text("CancelCode", h.cancelCode); text("NextTransactionId", h.nextTransactionID)
            if let v = h.cursorPosition { long("CursorPosition", v) }
            if let v = h.errorOffset { long("ErrorOffset", v) }
            if let v = h.inputItem { long("InputItem", v) }
        case .ims(let h):
            text("StrucId", h.structureID); long("Version", h.version); long("StrucLength", h.structureLength)
            long("Encoding", h.encoding.rawValue); long("CodedCharSetId", h.codedCharacterSetID); text("Format", h.format.name)
            long("Flags", h.flags); text("LTermOverride", h.logicalTerminalOverride); text("MFSMapName", h.mfsMapName)
            text("ReplyToFormat", h.replyToFormat.name); text("TranInstanceId", MQFrame.hex(h.transactionInstanceID))
            text("TranState", h.transactionState); text("CommitMode", h.commitMode); text("SecurityScope", h.securityScope)
        case .other(let h):
            text("StrucId", h.structureID); long("Version", h.version); long("StrucLength", h.structureLength)
            let next = h.next
            long("Encoding", next.encoding.rawValue); long("CodedCharSetId", next.codedCharacterSetID); text("Format", next.format.name)
            text("hex", MQFrame.hex(h.bytes))
        }
        writer.endObject()
    }
}
