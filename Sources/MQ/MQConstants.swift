/// An 8-character MQ format name (`Format` in MQMD, MQRFH2, MQDLH, MQCIH, MQIIH), kept blank-padded as on the
/// wire: `MQFormat.string.rawValue == "MQSTR   "`.
public struct MQFormat: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The 8 characters, blank-padded.
    public let rawValue: String
    /// A format name; shorter names are blank-padded, longer ones cut to 8 characters.
    public init(rawValue: String) {
        let cut = String(rawValue.unicodeScalars.prefix(8))
        self.rawValue = cut + String(repeating: " ", count: 8 - cut.unicodeScalars.count)
    }
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    /// The name without trailing blanks, as the Go and Java constants spell it.
    public var name: String {
        var text = Substring(rawValue)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
    public var description: String { name }

    /// `MQFMT_NONE`: 8 blanks.
    public static let none = MQFormat(rawValue: "")
    /// `MQFMT_STRING` `"MQSTR   "`: text in the CCSID of the structure in front.
    public static let string = MQFormat(rawValue: "MQSTR")
    /// `MQFMT_RF_HEADER_2` `"MQHRF2  "`: an MQRFH2 follows.
    public static let rfHeader2 = MQFormat(rawValue: "MQHRF2")
    /// `MQFMT_RF_HEADER` `"MQHRF   "`: an MQRFH (version 1) follows.
    public static let rfHeader1 = MQFormat(rawValue: "MQHRF")
    /// `MQFMT_DEAD_LETTER_HEADER` `"MQDEAD  "`: an MQDLH follows.
    public static let deadLetterHeader = MQFormat(rawValue: "MQDEAD")
    /// `MQFMT_XMIT_Q_HEADER` `"MQXMIT  "`: an MQXQH follows.
    public static let transmissionQueueHeader = MQFormat(rawValue: "MQXMIT")
    /// `MQFMT_CICS` `"MQCICS  "`: an MQCIH follows.
    public static let cics = MQFormat(rawValue: "MQCICS")
    /// `MQFMT_IMS` `"MQIMS   "`: an MQIIH follows.
    public static let ims = MQFormat(rawValue: "MQIMS")
    /// `MQFMT_MD_EXTENSION` `"MQHMDE  "`: an MQMDE follows.
    public static let messageDescriptorExtension = MQFormat(rawValue: "MQHMDE")
    /// `MQFMT_DIST_HEADER` `"MQHDIST "`: an MQDH follows.
    public static let distributionHeader = MQFormat(rawValue: "MQHDIST")
    /// `MQFMT_REF_MSG_HEADER` `"MQHREF  "`: an MQRMH follows.
    public static let referenceMessageHeader = MQFormat(rawValue: "MQHREF")
    /// `MQFMT_WORK_INFO_HEADER` `"MQHWIH  "`: an MQWIH follows.
    public static let workInformationHeader = MQFormat(rawValue: "MQHWIH")
}

/// MQMD `MsgType` (MQMT_*). The system range is 1–65535, the application range 65536–999999999.
public struct MQMessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `MQMT_REQUEST` (1): a reply is expected at ReplyToQ.
    public static let request = MQMessageType(rawValue: 1)
    /// `MQMT_REPLY` (2): the reply to a request.
    public static let reply = MQMessageType(rawValue: 2)
    /// `MQMT_REPORT` (4): a report (COA, COD, exception, expiry…); `Feedback` says which.
    public static let report = MQMessageType(rawValue: 4)
    /// `MQMT_DATAGRAM` (8): no reply expected (the MQMD default).
    public static let datagram = MQMessageType(rawValue: 8)

    /// True in the application-defined range `MQMT_APPL_FIRST` 65536 … `MQMT_APPL_LAST` 999999999.
    public var isApplicationDefined: Bool { (65536...999_999_999).contains(rawValue) }

    /// `request`, `reply`, `report`, `datagram`, `application` or `system`.
    public var name: String {
        switch rawValue {
        case 1: "request"
        case 2: "reply"
        case 4: "report"
        case 8: "datagram"
        default: isApplicationDefined ? "application" : "system"
        }
    }
    public var description: String { "\(name) (\(rawValue))" }
}

/// MQMD `Report` (MQRO_*): which reports the sender asks for and how replies and reports set their ids.
public struct MQReportOptions: OptionSet, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `MQRO_NONE` (0): no reports; replies get a new MsgId and CorrelId = the request's MsgId.
    public static let none: MQReportOptions = []
    /// `MQRO_PAN` (0x1): positive action notification.
    public static let positiveActionNotification = MQReportOptions(rawValue: 0x1)
    /// `MQRO_NAN` (0x2): negative action notification.
    public static let negativeActionNotification = MQReportOptions(rawValue: 0x2)
    /// `MQRO_ACTIVITY` (0x4).
    public static let activity = MQReportOptions(rawValue: 0x4)
    /// `MQRO_PASS_CORREL_ID` (0x40): a reply or report carries the request's CorrelId (default: its MsgId,
    /// `MQRO_COPY_MSG_ID_TO_CORREL_ID` = 0).
    public static let passCorrelationID = MQReportOptions(rawValue: 0x40)
    /// `MQRO_PASS_MSG_ID` (0x80): a reply or report keeps the request's MsgId (default: a new one,
    /// `MQRO_NEW_MSG_ID` = 0).
    public static let passMessageID = MQReportOptions(rawValue: 0x80)
    /// `MQRO_COA` (0x100): confirm on arrival.
    public static let confirmOnArrival = MQReportOptions(rawValue: 0x100)
    /// `MQRO_COA_WITH_DATA` (0x300).
    public static let confirmOnArrivalWithData = MQReportOptions(rawValue: 0x300)
    /// `MQRO_COA_WITH_FULL_DATA` (0x700).
    public static let confirmOnArrivalWithFullData = MQReportOptions(rawValue: 0x700)
    /// `MQRO_COD` (0x800): confirm on delivery.
    public static let confirmOnDelivery = MQReportOptions(rawValue: 0x800)
    /// `MQRO_COD_WITH_DATA` (0x1800).
    public static let confirmOnDeliveryWithData = MQReportOptions(rawValue: 0x1800)
    /// `MQRO_COD_WITH_FULL_DATA` (0x3800).
    public static let confirmOnDeliveryWithFullData = MQReportOptions(rawValue: 0x3800)
    /// `MQRO_PASS_DISCARD_AND_EXPIRY` (0x4000): replies and reports inherit Expiry and DISCARD_MSG.
    public static let passDiscardAndExpiry = MQReportOptions(rawValue: 0x4000)
    /// `MQRO_EXPIRATION` (0x00200000).
    public static let expiration = MQReportOptions(rawValue: 0x0020_0000)
    /// `MQRO_EXPIRATION_WITH_DATA` (0x00600000).
    public static let expirationWithData = MQReportOptions(rawValue: 0x0060_0000)
    /// `MQRO_EXPIRATION_WITH_FULL_DATA` (0x00E00000).
    public static let expirationWithFullData = MQReportOptions(rawValue: 0x00E0_0000)
    /// `MQRO_EXCEPTION` (0x01000000).
    public static let exception = MQReportOptions(rawValue: 0x0100_0000)
    /// `MQRO_EXCEPTION_WITH_DATA` (0x03000000).
    public static let exceptionWithData = MQReportOptions(rawValue: 0x0300_0000)
    /// `MQRO_EXCEPTION_WITH_FULL_DATA` (0x07000000).
    public static let exceptionWithFullData = MQReportOptions(rawValue: 0x0700_0000)
    /// `MQRO_DISCARD_MSG` (0x08000000): discard instead of dead-lettering when undeliverable.
    public static let discardMessage = MQReportOptions(rawValue: 0x0800_0000)
}

/// MQMD `Persistence` (MQPER_*).
public struct MQPersistence: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// `MQPER_NOT_PERSISTENT` (0).
    public static let notPersistent = MQPersistence(rawValue: 0)
    /// `MQPER_PERSISTENT` (1).
    public static let persistent = MQPersistence(rawValue: 1)
    /// `MQPER_PERSISTENCE_AS_Q_DEF` (2): the MQMD default.
    public static let asQueueDefinition = MQPersistence(rawValue: 2)
    /// `MQPER_PERSISTENCE_AS_PARENT` (-1).
    public static let asParent = MQPersistence(rawValue: -1)
    public var description: String {
        switch rawValue {
        case 0: "not-persistent"
        case 1: "persistent"
        case 2: "as-queue-definition"
        case -1: "as-parent"
        default: String(rawValue)
        }
    }
}

/// MQMD `Feedback` (MQFB_*): the kind of report, or an application value.
public struct MQFeedback: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// `MQFB_NONE` (0).
    public static let none = MQFeedback(rawValue: 0)
    /// `MQFB_QUIT` (256): the application should end.
    public static let quit = MQFeedback(rawValue: 256)
    /// `MQFB_EXPIRATION` (258).
    public static let expiration = MQFeedback(rawValue: 258)
    /// `MQFB_COA` (259).
    public static let confirmOnArrival = MQFeedback(rawValue: 259)
    /// `MQFB_COD` (260).
    public static let confirmOnDelivery = MQFeedback(rawValue: 260)
    /// `MQFB_PAN` (275).
    public static let positiveActionNotification = MQFeedback(rawValue: 275)
    /// `MQFB_NAN` (276).
    public static let negativeActionNotification = MQFeedback(rawValue: 276)
    /// `MQFB_APPL_FIRST` (65536): the first application-defined value.
    public static let applicationFirst = MQFeedback(rawValue: 65536)
}

/// MQMD `MsgFlags` (MQMF_*, version 2): group and segment membership.
public struct MQMessageFlags: OptionSet, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// `MQMF_SEGMENTATION_ALLOWED` (0x1).
    public static let segmentationAllowed = MQMessageFlags(rawValue: 0x1)
    /// `MQMF_SEGMENT` (0x2): this message is a segment of a logical message.
    public static let segment = MQMessageFlags(rawValue: 0x2)
    /// `MQMF_LAST_SEGMENT` (0x4).
    public static let lastSegment = MQMessageFlags(rawValue: 0x4)
    /// `MQMF_MSG_IN_GROUP` (0x8).
    public static let messageInGroup = MQMessageFlags(rawValue: 0x8)
    /// `MQMF_LAST_MSG_IN_GROUP` (0x10).
    public static let lastMessageInGroup = MQMessageFlags(rawValue: 0x10)
}

/// A 24-byte MQ identifier: MQMD `MsgId`, `CorrelId` or `GroupId`. Held inline (no allocation).
public struct MQIdentifier: Hashable, Sendable, CustomStringConvertible {
    private var words: (UInt64, UInt64, UInt64)

    /// `MQMI_NONE` / `MQCI_NONE` / `MQGI_NONE`: 24 zero bytes.
    public static let none = MQIdentifier(words: (0, 0, 0))

    private init(words: (UInt64, UInt64, UInt64)) { self.words = words }

    /// The identifier of `bytes` (24 of them); nil for any other count.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == 24 else { return nil }
        var value = MQIdentifier.none
        withUnsafeMutableBytes(of: &value.words) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        self = value
    }

    /// The identifier written as 48 hex digits (either case); nil otherwise.
    public init?(hex: String) {
        var bytes: [UInt8] = []
        var high: UInt8?
        for scalar in hex.unicodeScalars {
            guard let digit = UInt8(String(scalar), radix: 16) else { return nil }
            if let h = high { bytes.append(h << 4 | digit); high = nil } else { high = digit }
        }
        guard high == nil else { return nil }
        self.init(bytes)
    }

    /// The identifier of `text`'s UTF-8 bytes, blank-padded (as JMS does for a non-`ID:` CorrelationID); nil when
    /// longer than 24 bytes.
    public init?(paddedText text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count <= 24 else { return nil }
        self.init(utf8 + Array(repeating: 0x20, count: 24 - utf8.count))
    }

    /// The 24 bytes.
    public var bytes: [UInt8] { withUnsafeBytes(of: words) { Array($0) } }
    /// True for the all-zero `…_NONE` value.
    public var isNone: Bool { words.0 == 0 && words.1 == 0 && words.2 == 0 }
    /// 48 lowercase hex digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(48)
        withUnsafeBytes(of: words) { for b in $0 { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) } }
        return String(decoding: out, as: UTF8.self)
    }
    /// The JMS form: `ID:` and 48 lowercase hex digits.
    public var jmsID: String { "ID:" + hex }
    public var description: String { hex }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
    }

    /// Reads 24 bytes at `offset` of `storage` (bounds checked by the caller).
    static func load(_ storage: [UInt8], at offset: Int) -> MQIdentifier {
        storage.withUnsafeBytes { raw in
            MQIdentifier(words: (
                raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)))
        }
    }
}
