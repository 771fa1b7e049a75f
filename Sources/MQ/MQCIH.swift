public import ByteCoding

/// MQ CICS bridge header, `MQCIH` (StrucId `"CIH "`): version 1 (164 bytes) or 2 (180 bytes), length in
/// `StrucLength`. Offsets from `cmqc.h` `tagMQCIH`: the common prefix (StrucId, Version, StrucLength, Encoding,
/// CodedCharSetId, Format, Flags) then the CICS fields below.
public struct MQCIH: Hashable, Sendable {
    /// `MQCIH_LENGTH_1`: 164 bytes.
    public static let lengthVersion1 = 164
    /// `MQCIH_LENGTH_2`: 180 bytes.
    public static let lengthVersion2 = 180
    var fields: MQStructureBytes

    init(frame: [UInt8], at base: Int, encoding: MQEncoding) throws(MQError) {
        let characterSet = try MQChain.characterSet(frame, at: base, .cih, header: "MQCIH", minimum: Self.lengthVersion1)
        let bigEndian = try MQChain.integerOrder(encoding, header: "MQCIH", at: base)
        let version = frame.mqLong(at: base + 4, bigEndian: bigEndian)
        guard version == 1 || version == 2 else {
            throw MQError(.unsupportedVersion, offset: base + 4, header: "MQCIH", field: "Version", expected: "1 or 2", found: String(version))
        }
        let minimum = version == 1 ? Self.lengthVersion1 : Self.lengthVersion2
        let length = try MQChain.structureLength(frame, at: base, bigEndian: bigEndian, header: "MQCIH", minimum: minimum)
        fields = MQStructureBytes(storage: frame, base: base, count: length, bigEndian: bigEndian, characterSet: characterSet)
    }

    /// Appends the header's bytes.
    public func write(to writer: inout ByteWriter) { writer.writeBytes(fields.bytes) }
    /// The header's bytes.
    public var bytes: [UInt8] { Array(fields.bytes) }

    /// MQCIH `StrucId` (offset 0): `"CIH "`.
    public var structureID: String { fields.rawCharacters(0, 4) }
    /// MQCIH `Version` (offset 4): 1 or 2.
    public var version: Int32 { fields.long(4) }
    /// MQCIH `StrucLength` (offset 8).
    public var structureLength: Int32 { fields.long(8) }
    /// MQCIH `Encoding` (offset 12): encoding of what follows.
    public var encoding: MQEncoding { get { MQEncoding(rawValue: fields.long(12)) } set { fields.setLong(newValue.rawValue, 12) } }
    /// MQCIH `CodedCharSetId` (offset 16): CCSID of what follows.
    public var codedCharacterSetID: Int32 { get { fields.long(16) } set { fields.setLong(newValue, 16) } }
    /// MQCIH `Format` (MQCHAR8, offset 20): format of what follows.
    public var format: MQFormat { get { MQFormat(rawValue: fields.rawCharacters(20, 8)) } set { fields.setCharacters(newValue.rawValue, 20, 8) } }
    /// MQCIH `Flags` (offset 28).
    public var flags: Int32 { get { fields.long(28) } set { fields.setLong(newValue, 28) } }
    /// MQCIH `ReturnCode` (offset 32): return code from the bridge.
    public var returnCode: Int32 { get { fields.long(32) } set { fields.setLong(newValue, 32) } }
    /// MQCIH `CompCode` (offset 36): MQ completion code or CICS EIBRESP.
    public var completionCode: Int32 { get { fields.long(36) } set { fields.setLong(newValue, 36) } }
    /// MQCIH `Reason` (offset 40): MQ reason or feedback code, or CICS EIBRESP2.
    public var reason: Int32 { get { fields.long(40) } set { fields.setLong(newValue, 40) } }
    /// MQCIH `UOWControl` (offset 44).
    public var unitOfWorkControl: Int32 { get { fields.long(44) } set { fields.setLong(newValue, 44) } }
    /// MQCIH `GetWaitInterval` (offset 48).
    public var getWaitInterval: Int32 { get { fields.long(48) } set { fields.setLong(newValue, 48) } }
    /// MQCIH `LinkType` (offset 52): 1 program, 2 transaction.
    public var linkType: Int32 { get { fields.long(52) } set { fields.setLong(newValue, 52) } }
    /// MQCIH `OutputDataLength` (offset 56): COMMAREA output length.
    public var outputDataLength: Int32 { get { fields.long(56) } set { fields.setLong(newValue, 56) } }
    /// MQCIH `FacilityKeepTime` (offset 60).
    public var facilityKeepTime: Int32 { get { fields.long(60) } set { fields.setLong(newValue, 60) } }
    /// MQCIH `ADSDescriptor` (offset 64).
    public var adsDescriptor: Int32 { get { fields.long(64) } set { fields.setLong(newValue, 64) } }
    /// MQCIH `ConversationalTask` (offset 68).
    public var conversationalTask: Int32 { get { fields.long(68) } set { fields.setLong(newValue, 68) } }
    /// MQCIH `TaskEndStatus` (offset 72).
    public var taskEndStatus: Int32 { get { fields.long(72) } set { fields.setLong(newValue, 72) } }
    /// MQCIH `Facility` (MQBYTE8, offset 76): bridge facility token.
    public var facility: [UInt8] { get { fields.bytes(76, 8) } set { fields.setBytes(newValue, 76, 8) } }
    /// MQCIH `Function` (MQCHAR4, offset 84).
    public var function: String { get { fields.characters(84, 4) } set { fields.setCharacters(newValue, 84, 4) } }
    /// MQCIH `AbendCode` (MQCHAR4, offset 88).
    public var abendCode: String { get { fields.characters(88, 4) } set { fields.setCharacters(newValue, 88, 4) } }
    /// MQCIH `Authenticator` (MQCHAR8, offset 92).
    public var authenticator: String { get { fields.characters(92, 8) } set { fields.setCharacters(newValue, 92, 8) } }
    /// MQCIH `ReplyToFormat` (MQCHAR8, offset 108).
    public var replyToFormat: MQFormat {
        get { MQFormat(rawValue: fields.rawCharacters(108, 8)) } set { fields.setCharacters(newValue.rawValue, 108, 8) }
    }
    /// MQCIH `RemoteSysId` (MQCHAR4, offset 116).
    public var remoteSystemID: String { get { fields.characters(116, 4) } set { fields.setCharacters(newValue, 116, 4) } }
    /// MQCIH `RemoteTransId` (MQCHAR4, offset 120).
    public var remoteTransactionID: String { get { fields.characters(120, 4) } set { fields.setCharacters(newValue, 120, 4) } }
    /// MQCIH `TransactionId` (MQCHAR4, offset 124): the CICS transaction to run.
    public var transactionID: String { get { fields.characters(124, 4) } set { fields.setCharacters(newValue, 124, 4) } }
    /// MQCIH `FacilityLike` (MQCHAR4, offset 128).
    public var facilityLike: String { get { fields.characters(128, 4) } set { fields.setCharacters(newValue, 128, 4) } }
    /// MQCIH `AttentionId` (MQCHAR4, offset 132).
    public var attentionID: String { get { fields.characters(132, 4) } set { fields.setCharacters(newValue, 132, 4) } }
    /// MQCIH `StartCode` (MQCHAR4, offset 136).
    public var startCode: String { get { fields.characters(136, 4) } set { fields.setCharacters(newValue, 136, 4) } }
    /// MQCIH `CancelCode` (MQCHAR4, offset 140).
    public var cancelCode: String { get { fields.characters(140, 4) } set { fields.setCharacters(newValue, 140, 4) } }
    /// MQCIH `NextTransactionId` (MQCHAR4, offset 144).
    public var nextTransactionID: String { get { fields.characters(144, 4) } set { fields.setCharacters(newValue, 144, 4) } }
    /// MQCIH `CursorPosition` (offset 164, version 2); nil in version 1.
    public var cursorPosition: Int32? { fields.count >= Self.lengthVersion2 && version >= 2 ? fields.long(164) : nil }
    /// MQCIH `ErrorOffset` (offset 168, version 2); nil in version 1.
    public var errorOffset: Int32? { fields.count >= Self.lengthVersion2 && version >= 2 ? fields.long(168) : nil }
    /// MQCIH `InputItem` (offset 172, version 2); nil in version 1.
    public var inputItem: Int32? { fields.count >= Self.lengthVersion2 && version >= 2 ? fields.long(172) : nil }

    /// What follows the header.
    public var next: MQDataDescription { MQDataDescription(encoding: encoding, codedCharacterSetID: codedCharacterSetID, format: format) }
}

/// MQ IMS bridge header, `MQIIH` (StrucId `"IIH "`, version 1, 84 bytes). Offsets from `cmqc.h` `tagMQIIH`.
public struct MQIIH: Hashable, Sendable {
    /// `MQIIH_LENGTH_1`: 84 bytes.
    public static let length = 84
    var fields: MQStructureBytes

    init(frame: [UInt8], at base: Int, encoding: MQEncoding) throws(MQError) {
        let characterSet = try MQChain.characterSet(frame, at: base, .iih, header: "MQIIH", minimum: Self.length)
        let bigEndian = try MQChain.integerOrder(encoding, header: "MQIIH", at: base)
        let version = frame.mqLong(at: base + 4, bigEndian: bigEndian)
        guard version == 1 else {
            throw MQError(.unsupportedVersion, offset: base + 4, header: "MQIIH", field: "Version", expected: "1", found: String(version))
        }
        let length = try MQChain.structureLength(frame, at: base, bigEndian: bigEndian, header: "MQIIH", minimum: Self.length)
        fields = MQStructureBytes(storage: frame, base: base, count: length, bigEndian: bigEndian, characterSet: characterSet)
    }

    /// Appends the header's bytes.
    public func write(to writer: inout ByteWriter) { writer.writeBytes(fields.bytes) }
    /// The header's bytes.
    public var bytes: [UInt8] { Array(fields.bytes) }

    /// MQIIH `StrucId` (offset 0): `"IIH "`.
    public var structureID: String { fields.rawCharacters(0, 4) }
    /// MQIIH `Version` (offset 4): 1.
    public var version: Int32 { fields.long(4) }
    /// MQIIH `StrucLength` (offset 8): 84.
    public var structureLength: Int32 { fields.long(8) }
    /// MQIIH `Encoding` (offset 12): encoding of what follows.
    public var encoding: MQEncoding { get { MQEncoding(rawValue: fields.long(12)) } set { fields.setLong(newValue.rawValue, 12) } }
    /// MQIIH `CodedCharSetId` (offset 16): CCSID of what follows.
    public var codedCharacterSetID: Int32 { get { fields.long(16) } set { fields.setLong(newValue, 16) } }
    /// MQIIH `Format` (MQCHAR8, offset 20): format of what follows.
    public var format: MQFormat { get { MQFormat(rawValue: fields.rawCharacters(20, 8)) } set { fields.setCharacters(newValue.rawValue, 20, 8) } }
    /// MQIIH `Flags` (offset 28).
    public var flags: Int32 { get { fields.long(28) } set { fields.setLong(newValue, 28) } }
    /// MQIIH `LTermOverride` (MQCHAR8, offset 32): logical terminal override.
    public var logicalTerminalOverride: String { get { fields.characters(32, 8) } set { fields.setCharacters(newValue, 32, 8) } }
    /// MQIIH `MFSMapName` (MQCHAR8, offset 40): message format services map name.
    public var mfsMapName: String { get { fields.characters(40, 8) } set { fields.setCharacters(newValue, 40, 8) } }
    /// MQIIH `ReplyToFormat` (MQCHAR8, offset 48).
    public var replyToFormat: MQFormat {
        get { MQFormat(rawValue: fields.rawCharacters(48, 8)) } set { fields.setCharacters(newValue.rawValue, 48, 8) }
    }
    /// MQIIH `Authenticator` (MQCHAR8, offset 56): RACF password or PassTicket.
    public var authenticator: String { get { fields.characters(56, 8) } set { fields.setCharacters(newValue, 56, 8) } }
    /// MQIIH `TranInstanceId` (MQBYTE16, offset 64).
    public var transactionInstanceID: [UInt8] { get { fields.bytes(64, 16) } set { fields.setBytes(newValue, 64, 16) } }
    /// MQIIH `TranState` (MQCHAR, offset 80).
    public var transactionState: String { get { fields.rawCharacters(80, 1) } set { fields.setCharacters(newValue, 80, 1) } }
    /// MQIIH `CommitMode` (MQCHAR, offset 81): `0` commit-then-send, `1` send-then-commit.
    public var commitMode: String { get { fields.rawCharacters(81, 1) } set { fields.setCharacters(newValue, 81, 1) } }
    /// MQIIH `SecurityScope` (MQCHAR, offset 82): `C` check, `F` full.
    public var securityScope: String { get { fields.rawCharacters(82, 1) } set { fields.setCharacters(newValue, 82, 1) } }

    /// What follows the header.
    public var next: MQDataDescription { MQDataDescription(encoding: encoding, codedCharacterSetID: codedCharacterSetID, format: format) }
}

/// A chained MQ header Ferry does not model field by field (MQRFH version 1, MQMDE, MQDH, MQRMH, MQWIH): kept as
/// bytes, with the standard prefix every chained header shares (StrucId, Version, StrucLength, Encoding,
/// CodedCharSetId, Format at offsets 0, 4, 8, 12, 16, 20) read so the chain can go on past it.
public struct MQUnknownHeader: Hashable, Sendable {
    /// The smallest header with the standard prefix: 28 bytes.
    public static let prefixLength = 28
    var fields: MQStructureBytes
    /// The `Format` that announced this header.
    public let announcedFormat: MQFormat

    init(frame: [UInt8], at base: Int, encoding: MQEncoding, format: MQFormat) throws(MQError) {
        let header = "header " + format.name
        let available = frame.count - base
        guard available >= Self.prefixLength else { throw .truncated(header, at: base, needed: Self.prefixLength, available: available) }
        let bigEndian = try MQChain.integerOrder(encoding, header: header, at: base)
        let length = try MQChain.structureLength(frame, at: base, bigEndian: bigEndian, header: header, minimum: Self.prefixLength)
        let characterSet: MQCharacterSet = frame[base] >= 0x80 ? .ebcdic : .ascii
        fields = MQStructureBytes(storage: frame, base: base, count: length, bigEndian: bigEndian, characterSet: characterSet)
        announcedFormat = format
    }

    /// Appends the header's bytes.
    public func write(to writer: inout ByteWriter) { writer.writeBytes(fields.bytes) }
    /// The header's bytes.
    public var bytes: [UInt8] { Array(fields.bytes) }
    /// `StrucId` (offset 0).
    public var structureID: String { fields.rawCharacters(0, 4) }
    /// `Version` (offset 4).
    public var version: Int32 { fields.long(4) }
    /// `StrucLength` (offset 8).
    public var structureLength: Int32 { fields.long(8) }
    /// What follows the header: `Encoding`, `CodedCharSetId`, `Format` at offsets 12, 16, 20.
    public var next: MQDataDescription {
        MQDataDescription(
            encoding: MQEncoding(rawValue: fields.long(12)), codedCharacterSetID: fields.long(16),
            format: MQFormat(rawValue: fields.rawCharacters(20, 8)))
    }
}
