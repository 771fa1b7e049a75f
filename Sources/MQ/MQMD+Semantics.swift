public import Events

extension MQMD {
    /// `MQEI_UNLIMITED` (-1): the message never expires.
    public static let unlimitedExpiry: Int32 = -1

    /// `Expiry` as a duration (it counts tenths of a second); nil when unlimited or negative.
    public var timeToLive: Duration? {
        expiry >= 0 ? .milliseconds(Int64(expiry) * 100) : nil
    }

    /// `PutDate` + `PutTime` (`YYYYMMDD`, `HHMMSSTH`, UTC) as a timestamp with hundredths; nil when either is blank
    /// or not a valid date and time.
    public var putTimestamp: RFC3339Timestamp? {
        let date = Array(putDate.utf8)
        let time = Array(putTime.utf8)
        guard date.count == 8, time.count == 8 else { return nil }
        func number(_ bytes: ArraySlice<UInt8>) -> Int? {
            var value = 0
            for byte in bytes {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(date[0..<4]), let month = number(date[4..<6]), let day = number(date[6..<8]),
            let hour = number(time[0..<2]), let minute = number(time[2..<4]), let second = number(time[4..<6]),
            let hundredths = number(time[6..<8]),
            (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)
        return try? RFC3339Timestamp(
            secondsSinceEpoch: seconds, nanoseconds: Int32(hundredths) * 10_000_000, fractionDigits: 2)
    }

    /// Sets `PutDate` and `PutTime` from `timestamp` (in UTC, cut to hundredths of a second).
    public mutating func setPutTimestamp(_ timestamp: RFC3339Timestamp) {
        let seconds = timestamp.secondsSinceEpoch
        var days = seconds / 86400
        var rest = seconds % 86400
        if rest < 0 { rest += 86400; days -= 1 }
        let (year, month, day) = Self.civilFromDays(Int(days))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        let yearText = String(year)
        putDate = String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + two(month) + two(day)
        putTime = two(Int(rest / 3600)) + two(Int(rest % 3600 / 60)) + two(Int(rest % 60))
            + two(Int(timestamp.nanoseconds / 10_000_000))
    }

    /// True when the message belongs to a group (`MQMF_MSG_IN_GROUP` or `MQMF_LAST_MSG_IN_GROUP`, version 2).
    public var isInGroup: Bool { !messageFlags.isDisjoint(with: [.messageInGroup, .lastMessageInGroup]) }
    /// True for the last message of its group (`MQMF_LAST_MSG_IN_GROUP`).
    public var isLastInGroup: Bool { messageFlags.contains(.lastMessageInGroup) }
    /// True when the message is a segment of a logical message (`MQMF_SEGMENT` or `MQMF_LAST_SEGMENT`); `Offset`
    /// is where it starts in the logical message and `OriginalLength` its own length.
    public var isSegment: Bool { !messageFlags.isDisjoint(with: [.segment, .lastSegment]) }
    /// True for the last segment of its logical message (`MQMF_LAST_SEGMENT`).
    public var isLastSegment: Bool { messageFlags.contains(.lastSegment) }
    /// JMSXDeliveryCount as IBM MQ-JMS derives it: `BackoutCount` + 1 (JMSRedelivered when above 1).
    public var deliveryCount: Int32 { backoutCount &+ 1 }

    /// Where a reply to this request goes: MQMD `ReplyToQ` and `ReplyToQMgr` (blank means the local queue manager).
    public struct ReplyDestination: Hashable, Sendable {
        /// MQMD `ReplyToQ` of the request.
        public var queue: String
        /// MQMD `ReplyToQMgr` of the request; empty for the queue manager the reply is put to.
        public var queueManager: String
    }

    /// The descriptor of a reply to `request`, and where it goes, by the MQ rules:
    /// - `MsgType` `MQMT_REPLY`; `Feedback` none; `ReplyToQ`/`ReplyToQMgr` blank; `BackoutCount` 0;
    /// - `CorrelId` = the request's `MsgId` (`MQRO_COPY_MSG_ID_TO_CORREL_ID`, the default) or the request's
    ///   `CorrelId` when it asked for `MQRO_PASS_CORREL_ID`;
    /// - `MsgId` = the request's when it asked for `MQRO_PASS_MSG_ID`, else `newMessageID` (`MQMI_NONE` lets the
    ///   queue manager make one, `MQRO_NEW_MSG_ID`);
    /// - `Expiry`: the request's when it asked for `MQRO_PASS_DISCARD_AND_EXPIRY` (with `MQRO_DISCARD_MSG` carried
    ///   over), else unlimited; `Report` otherwise none;
    /// - `Priority`, `Persistence`, `Encoding`, `CodedCharSetId`, `Format`, version and byte order as the request's;
    ///   version-2 group fields reset (`GroupId` none, `MsgSeqNumber` 1, `Offset` 0, `MsgFlags` none).
    /// Throws ``MQError/Reason/badValue`` when the request names no `ReplyToQ`, or is not a request.
    public static func reply(
        to request: MQMD, newMessageID: MQIdentifier = .none
    ) throws(MQError) -> (descriptor: MQMD, destination: ReplyDestination) {
        guard request.messageType == .request else {
            throw MQError(
                .badValue, offset: 12, header: "MQMD", field: "MsgType", expected: "MQMT_REQUEST (1)",
                found: String(request.messageType.rawValue))
        }
        guard !request.replyToQueue.isEmpty else {
            throw MQError(.badValue, offset: 100, header: "MQMD", field: "ReplyToQ", expected: "a queue name", found: "blanks")
        }
        var reply = MQMD(version: request.version, bigEndian: request.isBigEndian, characterSet: request.characterSet)
        let options = request.report
        reply.messageType = .reply
        reply.correlationID = options.contains(.passCorrelationID) ? request.correlationID : request.messageID
        reply.messageID = options.contains(.passMessageID) ? request.messageID : newMessageID
        if options.contains(.passDiscardAndExpiry) {
            reply.expiry = request.expiry
            reply.report = options.intersection(.discardMessage)
        }
        reply.priority = request.priority
        reply.persistence = request.persistence
        reply.encoding = request.encoding
        reply.codedCharacterSetID = request.codedCharacterSetID
        reply.format = request.format
        return (reply, ReplyDestination(queue: request.replyToQueue, queueManager: request.replyToQueueManager))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The date of a day count since 1970-01-01 (`civil_from_days`).
    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
