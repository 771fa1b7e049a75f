public import ByteCoding

/// The MQ message descriptor, `MQMD` (StrucId `"MD  "`): version 1 (324 bytes) or 2 (364 bytes).
///
/// The descriptor's own integers are in the byte order its `Version` field reads as 1 or 2 (tried big-endian,
/// then little-endian); its MQCHAR fields are ASCII or EBCDIC as its `StrucId` is spelled. Both are detected when
/// parsing, so frames from z/OS (`MQENC_S390`, EBCDIC) and from Linux/Windows (`MQENC_REVERSED`, ASCII) read alike.
/// The `Encoding`, `CodedCharSetId` and `Format` fields describe what *follows* the descriptor.
///
/// Every field is a property (the spec name is in its doc comment). Getters read the bytes; setters patch them, so
/// a parsed descriptor writes back byte-identical, NUL or blank padding included. Offsets are from
/// `cmqc.h` `tagMQMD` (bridge-anchors §3.1).
public struct MQMD: Hashable, Sendable {
    /// `MQMD_LENGTH_1`: 324 bytes.
    public static let lengthVersion1 = 324
    /// `MQMD_LENGTH_2`: 364 bytes.
    public static let lengthVersion2 = 364

    var fields: MQStructureBytes

    init(fields: MQStructureBytes) { self.fields = fields }

    /// A descriptor with the `MQMD_DEFAULT` values (MsgType datagram, Expiry unlimited, Priority and Persistence
    /// as the queue defines, `Encoding` 546, CCSID 0, Format none, MsgSeqNumber 1, OriginalLength -1; character
    /// fields blank, byte fields zero).
    /// - Parameters:
    ///   - version: 1 (324 bytes) or 2 (364 bytes); anything else is taken as 2. Default: 2.
    ///   - bigEndian: the byte order of the descriptor's own integers. Default: false (Linux/Windows).
    ///   - characterSet: how its MQCHAR fields are encoded. Default: ASCII.
    public init(version: Int32 = 2, bigEndian: Bool = false, characterSet: MQCharacterSet = .ascii) {
        let length = version == 1 ? Self.lengthVersion1 : Self.lengthVersion2
        let blank: UInt8 = characterSet == .ascii ? 0x20 : 0x40
        var bytes = [UInt8](repeating: blank, count: length)
        bytes.replaceSubrange(0..<4, with: MQStructureID.md.bytes(characterSet))
        fields = MQStructureBytes(storage: bytes, base: 0, count: length, bigEndian: bigEndian, characterSet: characterSet)
        fields.setLong(version == 1 ? 1 : 2, 4)
        report = .none
        messageType = .datagram
        expiry = Self.unlimitedExpiry
        feedback = .none
        encoding = .native
        codedCharacterSetID = 0
        priority = -1
        persistence = .asQueueDefinition
        messageID = .none
        correlationID = .none
        backoutCount = 0
        accountingToken = []
        putApplicationType = 0
        if length == Self.lengthVersion2 {
            fields.setBytes([], 324, 24)
            fields.setLong(1, 348)
            fields.setLong(0, 352)
            fields.setLong(0, 356)
            fields.setLong(-1, 360)
        }
    }

    /// Reads a descriptor at the reader's position (324 or 364 bytes, as its `Version` says) and copies it.
    public init(parsing reader: inout ByteReader) throws(MQError) {
        let start = reader.absoluteOffset
        let available = Array(UnsafeRawBufferPointer(rebasing: reader.buffer[reader.position...]).prefix(Self.lengthVersion2))
        let parsed = try MQMD(frame: available, at: 0, reportingOffset: start)
        do { try reader.skip(parsed.length) } catch { throw .truncated("MQMD", at: start, needed: parsed.length, available: reader.remaining) }
        fields = MQStructureBytes(
            storage: Array(available.prefix(parsed.length)), base: 0, count: parsed.length,
            bigEndian: parsed.fields.bigEndian, characterSet: parsed.fields.characterSet)
    }

    /// Validates and wraps the descriptor at `base` of `frame` without copying.
    init(frame: [UInt8], at base: Int, reportingOffset: Int? = nil) throws(MQError) {
        let origin = reportingOffset ?? base
        let available = frame.count - base
        guard available >= Self.lengthVersion1 else {
            throw .truncated("MQMD", at: origin, needed: Self.lengthVersion1, available: available)
        }
        guard let characterSet = MQText.detect(frame, at: base, .md) else {
            throw MQError(
                .unknownStructure, offset: origin, header: "MQMD", field: "StrucId", expected: "\"MD  \" (ASCII or EBCDIC)",
                found: HexDump.pairs(frame[base..<(base + 4)]))
        }
        let bigEndian: Bool
        let version: Int32
        let asBig = frame.mqLong(at: base + 4, bigEndian: true)
        if asBig == 1 || asBig == 2 {
            bigEndian = true
            version = asBig
        } else {
            let asLittle = frame.mqLong(at: base + 4, bigEndian: false)
            guard asLittle == 1 || asLittle == 2 else {
                throw MQError(
                    .unsupportedVersion, offset: origin + 4, header: "MQMD", field: "Version",
                    expected: "1 or 2 (big- or little-endian)", found: HexDump.pairs(frame[(base + 4)..<(base + 8)]))
            }
            bigEndian = false
            version = asLittle
        }
        let length = version == 1 ? Self.lengthVersion1 : Self.lengthVersion2
        guard available >= length else {
            throw .truncated("MQMD", field: "version \(version)", at: origin, needed: length, available: available)
        }
        fields = MQStructureBytes(storage: frame, base: base, count: length, bigEndian: bigEndian, characterSet: characterSet)
    }

    /// Appends the descriptor's bytes, exactly as read or set.
    public func write(to writer: inout ByteWriter) { writer.writeBytes(fields.bytes) }

    /// The descriptor's bytes.
    public var bytes: [UInt8] { Array(fields.bytes) }

    /// The length in bytes: 324 (version 1) or 364 (version 2).
    public var length: Int { fields.count }
    /// Whether the descriptor's own integers are big-endian (detected from `Version`).
    public var isBigEndian: Bool { fields.bigEndian }
    /// How the descriptor's MQCHAR fields are encoded (detected from `StrucId`).
    public var characterSet: MQCharacterSet { fields.characterSet }

    /// MQMD `StrucId` (MQCHAR4, offset 0): `"MD  "`.
    public var structureID: String { fields.rawCharacters(0, 4) }
    /// MQMD `Version` (MQLONG, offset 4): 1 or 2.
    public var version: Int32 { fields.long(4) }
    /// MQMD `Report` (MQLONG, offset 8): report options (MQRO_*).
    public var report: MQReportOptions {
        get { MQReportOptions(rawValue: fields.long(8)) }
        set { fields.setLong(newValue.rawValue, 8) }
    }
    /// MQMD `MsgType` (MQLONG, offset 12).
    public var messageType: MQMessageType {
        get { MQMessageType(rawValue: fields.long(12)) }
        set { fields.setLong(newValue.rawValue, 12) }
    }
    /// MQMD `Expiry` (MQLONG, offset 16): time to live in tenths of a second; `MQEI_UNLIMITED` (-1) for none.
    public var expiry: Int32 {
        get { fields.long(16) }
        set { fields.setLong(newValue, 16) }
    }
    /// MQMD `Feedback` (MQLONG, offset 20).
    public var feedback: MQFeedback {
        get { MQFeedback(rawValue: fields.long(20)) }
        set { fields.setLong(newValue.rawValue, 20) }
    }
    /// MQMD `Encoding` (MQLONG, offset 24): the encoding of what follows the descriptor.
    public var encoding: MQEncoding {
        get { MQEncoding(rawValue: fields.long(24)) }
        set { fields.setLong(newValue.rawValue, 24) }
    }
    /// MQMD `CodedCharSetId` (MQLONG, offset 28): the CCSID of what follows (0 = queue manager's, -2 = inherit).
    public var codedCharacterSetID: Int32 {
        get { fields.long(28) }
        set { fields.setLong(newValue, 28) }
    }
    /// MQMD `Format` (MQCHAR8, offset 32): the format of what follows.
    public var format: MQFormat {
        get { MQFormat(rawValue: fields.rawCharacters(32, 8)) }
        set { fields.setCharacters(newValue.rawValue, 32, 8) }
    }
    /// MQMD `Priority` (MQLONG, offset 40): 0–9, or -1 `MQPRI_PRIORITY_AS_Q_DEF`.
    public var priority: Int32 {
        get { fields.long(40) }
        set { fields.setLong(newValue, 40) }
    }
    /// MQMD `Persistence` (MQLONG, offset 44).
    public var persistence: MQPersistence {
        get { MQPersistence(rawValue: fields.long(44)) }
        set { fields.setLong(newValue.rawValue, 44) }
    }
    /// MQMD `MsgId` (MQBYTE24, offset 48).
    public var messageID: MQIdentifier {
        get { MQIdentifier.load(fields.storage, at: fields.base + 48) }
        set { fields.setBytes(newValue.bytes, 48, 24) }
    }
    /// MQMD `CorrelId` (MQBYTE24, offset 72).
    public var correlationID: MQIdentifier {
        get { MQIdentifier.load(fields.storage, at: fields.base + 72) }
        set { fields.setBytes(newValue.bytes, 72, 24) }
    }
    /// MQMD `BackoutCount` (MQLONG, offset 96): how often the message was backed out (JMSXDeliveryCount - 1).
    public var backoutCount: Int32 {
        get { fields.long(96) }
        set { fields.setLong(newValue, 96) }
    }
    /// MQMD `ReplyToQ` (MQCHAR48, offset 100), without trailing blanks.
    public var replyToQueue: String {
        get { fields.characters(100, 48) }
        set { fields.setCharacters(newValue, 100, 48) }
    }
    /// MQMD `ReplyToQMgr` (MQCHAR48, offset 148), without trailing blanks.
    public var replyToQueueManager: String {
        get { fields.characters(148, 48) }
        set { fields.setCharacters(newValue, 148, 48) }
    }
    /// MQMD `UserIdentifier` (MQCHAR12, offset 196), identity context.
    public var userIdentifier: String {
        get { fields.characters(196, 12) }
        set { fields.setCharacters(newValue, 196, 12) }
    }
    /// MQMD `AccountingToken` (MQBYTE32, offset 208), identity context. Set values are zero-padded or cut to 32.
    public var accountingToken: [UInt8] {
        get { fields.bytes(208, 32) }
        set { fields.setBytes(newValue, 208, 32) }
    }
    /// MQMD `ApplIdentityData` (MQCHAR32, offset 240), identity context.
    public var applicationIdentityData: String {
        get { fields.characters(240, 32) }
        set { fields.setCharacters(newValue, 240, 32) }
    }
    /// MQMD `PutApplType` (MQLONG, offset 272): MQAT_* (0 no context, 6 UNIX, 11 Windows NT, 28 Java, 2 MVS).
    public var putApplicationType: Int32 {
        get { fields.long(272) }
        set { fields.setLong(newValue, 272) }
    }
    /// MQMD `PutApplName` (MQCHAR28, offset 276), origin context.
    public var putApplicationName: String {
        get { fields.characters(276, 28) }
        set { fields.setCharacters(newValue, 276, 28) }
    }
    /// MQMD `PutDate` (MQCHAR8, offset 304): `YYYYMMDD`, UTC.
    public var putDate: String {
        get { fields.characters(304, 8) }
        set { fields.setCharacters(newValue, 304, 8) }
    }
    /// MQMD `PutTime` (MQCHAR8, offset 312): `HHMMSSTH` (hundredths of a second), UTC.
    public var putTime: String {
        get { fields.characters(312, 8) }
        set { fields.setCharacters(newValue, 312, 8) }
    }
    /// MQMD `ApplOriginData` (MQCHAR4, offset 320), origin context; the end of version 1.
    public var applicationOriginData: String {
        get { fields.characters(320, 4) }
        set { fields.setCharacters(newValue, 320, 4) }
    }
    /// MQMD `GroupId` (MQBYTE24, offset 324, version 2). `.none` in version 1, where setting it is ignored.
    public var groupID: MQIdentifier {
        get { length == Self.lengthVersion2 ? MQIdentifier.load(fields.storage, at: fields.base + 324) : .none }
        set { if length == Self.lengthVersion2 { fields.setBytes(newValue.bytes, 324, 24) } }
    }
    /// MQMD `MsgSeqNumber` (MQLONG, offset 348, version 2): the message's place in its group, from 1. 1 in
    /// version 1, where setting it is ignored.
    public var messageSequenceNumber: Int32 {
        get { length == Self.lengthVersion2 ? fields.long(348) : 1 }
        set { if length == Self.lengthVersion2 { fields.setLong(newValue, 348) } }
    }
    /// MQMD `Offset` (MQLONG, offset 352, version 2): a segment's byte offset in its logical message. 0 in version 1.
    public var offset: Int32 {
        get { length == Self.lengthVersion2 ? fields.long(352) : 0 }
        set { if length == Self.lengthVersion2 { fields.setLong(newValue, 352) } }
    }
    /// MQMD `MsgFlags` (MQLONG, offset 356, version 2). Empty in version 1.
    public var messageFlags: MQMessageFlags {
        get { MQMessageFlags(rawValue: length == Self.lengthVersion2 ? fields.long(356) : 0) }
        set { if length == Self.lengthVersion2 { fields.setLong(newValue.rawValue, 356) } }
    }
    /// MQMD `OriginalLength` (MQLONG, offset 360, version 2): a segment's original length; -1 `MQOL_UNDEFINED`.
    public var originalLength: Int32 {
        get { length == Self.lengthVersion2 ? fields.long(360) : -1 }
        set { if length == Self.lengthVersion2 { fields.setLong(newValue, 360) } }
    }
}
