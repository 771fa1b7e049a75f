public import ByteCoding

/// What a structure in the chain says about the bytes after it: their encoding, CCSID and format.
public struct MQDataDescription: Hashable, Sendable {
    /// `Encoding` of what follows.
    public var encoding: MQEncoding
    /// `CodedCharSetId` of what follows (-2 `MQCCSI_INHERIT` means the same as this structure's).
    public var codedCharacterSetID: Int32
    /// `Format` of what follows.
    public var format: MQFormat

    public init(encoding: MQEncoding, codedCharacterSetID: Int32, format: MQFormat) {
        self.encoding = encoding
        self.codedCharacterSetID = codedCharacterSetID
        self.format = format
    }
}

/// Reading the integer order a header's fields are in: the integer part of the preceding structure's `Encoding`.
enum MQChain {
    /// What the structure in front says about the next one, by location: its `Encoding` and `CodedCharSetId`
    /// values and where its `Format` field sits in the frame.
    struct Next {
        var encoding: MQEncoding
        var codedCharacterSetID: Int32
        var formatOffset: Int
        var characterSet: MQCharacterSet
    }

    /// What a `Format` announces, matched on its 8 bytes in ASCII or EBCDIC.
    enum FormatKind: Equatable {
        case rfh2, deadLetter, transmission, cics, ims, otherHeader, string, data

        @inline(__always)
        init(_ storage: [UInt8], at offset: Int, _ characterSet: MQCharacterSet) {
            guard offset >= 0, offset + 8 <= storage.count else { self = .data; return }
            // Big-endian words of the 8 characters, so the constants read like the names.
            let word = UInt64(bigEndian: storage.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) })
            if characterSet == .ascii {
                switch word {
                case 0x4D51_4852_4632_2020: self = .rfh2  // "MQHRF2  "
                case 0x4D51_5354_5220_2020: self = .string  // "MQSTR   "
                case 0x4D51_4445_4144_2020: self = .deadLetter  // "MQDEAD  "
                case 0x4D51_584D_4954_2020: self = .transmission  // "MQXMIT  "
                case 0x4D51_4349_4353_2020: self = .cics  // "MQCICS  "
                case 0x4D51_494D_5320_2020: self = .ims  // "MQIMS   "
                case 0x4D51_4852_4620_2020, 0x4D51_484D_4445_2020, 0x4D51_4844_4953_5420, 0x4D51_4852_4546_2020,
                    0x4D51_4857_4948_2020:
                    self = .otherHeader  // "MQHRF   ", "MQHMDE  ", "MQHDIST ", "MQHREF  ", "MQHWIH  "
                default: self = .data
                }
            } else {
                self = Self.ebcdicKinds.first { $0.0 == word }?.1 ?? .data
            }
        }

        static let names: [(String, FormatKind)] = [
            ("MQHRF2  ", .rfh2), ("MQSTR   ", .string), ("MQDEAD  ", .deadLetter), ("MQXMIT  ", .transmission),
            ("MQCICS  ", .cics), ("MQIMS   ", .ims), ("MQHRF   ", .otherHeader), ("MQHMDE  ", .otherHeader),
            ("MQHDIST ", .otherHeader), ("MQHREF  ", .otherHeader), ("MQHWIH  ", .otherHeader),
        ]
        static let ebcdicKinds: [(UInt64, FormatKind)] = names.map {
            (Array($0.0.utf8).map(MQStructureID.ebcdic).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, $0.1)
        }
    }

    static func integerOrder(_ encoding: MQEncoding, header: String, at offset: Int) throws(MQError) -> Bool {
        guard let bigEndian = encoding.integersAreBigEndian else {
            throw MQError(
                .unsupportedEncoding, offset: offset, header: header, field: "Encoding (of the structure in front)",
                expected: "integer part 1 (normal) or 2 (reversed)", found: encoding.description)
        }
        return bigEndian
    }

    /// Checks the StrucId at `base` is `id` in ASCII or EBCDIC.
    static func characterSet(
        _ frame: [UInt8], at base: Int, _ id: MQStructureID, header: String, minimum: Int
    ) throws(MQError) -> MQCharacterSet {
        let available = frame.count - base
        guard available >= minimum else { throw .truncated(header, at: base, needed: minimum, available: available) }
        guard let characterSet = MQText.detect(frame, at: base, id) else {
            throw MQError(
                .unknownStructure, offset: base, header: header, field: "StrucId", expected: "\"\(id.text)\"",
                found: HexDump.pairs(frame[base..<(base + 4)]))
        }
        return characterSet
    }

    /// Reads `StrucLength` at `base + 8`: at least `minimum`, a multiple of 4, and within the frame.
    static func structureLength(
        _ frame: [UInt8], at base: Int, bigEndian: Bool, header: String, minimum: Int
    ) throws(MQError) -> Int {
        let length = Int(frame.mqLong(at: base + 8, bigEndian: bigEndian))
        let available = frame.count - base
        guard length >= minimum, length % 4 == 0, length <= available else {
            throw MQError(
                .badLength, offset: base + 8, header: header, field: "StrucLength",
                expected: "a multiple of 4 from \(minimum) to \(available) (the bytes left)", found: String(length))
        }
        return length
    }

    /// Parses a structure from a reader: copies what remains, parses at 0, consumes the structure's length.
    static func parse<T>(
        _ reader: inout ByteReader, _ build: ([UInt8]) throws(MQError) -> (T, Int)
    ) throws(MQError) -> T {
        let start = reader.absoluteOffset
        let bytes = Array(UnsafeRawBufferPointer(rebasing: reader.buffer[reader.position...]))
        do {
            let (value, length) = try build(bytes)
            try? reader.skip(length)
            return value
        } catch {
            var located = error
            located.offset += start
            throw located
        }
    }
}

/// MQ dead-letter header, `MQDLH` (StrucId `"DLH "`, version 1, 172 bytes): why a message was put to the
/// dead-letter queue and where it was going. Its `Encoding`, `CodedCharSetId` and `Format` describe what follows.
/// Offsets from `cmqc.h` `tagMQDLH` (bridge-anchors §3.4).
public struct MQDLH: Hashable, Sendable {
    /// `MQDLH_LENGTH_1`: 172 bytes.
    public static let length = 172
    var fields: MQStructureBytes

    /// A dead-letter header with `MQDLH_DEFAULT` values (Reason `MQRC_NONE`, Encoding 546, CCSID -2 inherit,
    /// Format none, names blank).
    public init(bigEndian: Bool = false, characterSet: MQCharacterSet = .ascii) {
        var bytes = [UInt8](repeating: characterSet == .ascii ? 0x20 : 0x40, count: Self.length)
        bytes.replaceSubrange(0..<4, with: MQStructureID.dlh.bytes(characterSet))
        fields = MQStructureBytes(storage: bytes, base: 0, count: Self.length, bigEndian: bigEndian, characterSet: characterSet)
        fields.setLong(1, 4)
        reason = 0
        encoding = .native
        codedCharacterSetID = -2
        putApplicationType = 0
    }

    init(frame: [UInt8], at base: Int, encoding: MQEncoding) throws(MQError) {
        let characterSet = try MQChain.characterSet(frame, at: base, .dlh, header: "MQDLH", minimum: Self.length)
        let bigEndian = try MQChain.integerOrder(encoding, header: "MQDLH", at: base)
        let version = frame.mqLong(at: base + 4, bigEndian: bigEndian)
        guard version == 1 else {
            throw MQError(.unsupportedVersion, offset: base + 4, header: "MQDLH", field: "Version", expected: "1", found: String(version))
        }
        fields = MQStructureBytes(storage: frame, base: base, count: Self.length, bigEndian: bigEndian, characterSet: characterSet)
    }

    /// Reads a dead-letter header whose integers are in `encoding` (the preceding structure's `Encoding`).
    public init(parsing reader: inout ByteReader, encoding: MQEncoding) throws(MQError) {
        self = try MQChain.parse(&reader) { (bytes: [UInt8]) throws(MQError) in
            let header = try MQDLH(frame: bytes, at: 0, encoding: encoding)
            return (MQDLH(fields: MQStructureBytes(
                storage: Array(bytes.prefix(Self.length)), base: 0, count: Self.length,
                bigEndian: header.fields.bigEndian, characterSet: header.fields.characterSet)), Self.length)
        }
    }

    init(fields: MQStructureBytes) { self.fields = fields }

    /// Appends the header's bytes.
    public func write(to writer: inout ByteWriter) { writer.writeBytes(fields.bytes) }
    /// The header's bytes.
    public var bytes: [UInt8] { Array(fields.bytes) }

    /// MQDLH `StrucId` (offset 0): `"DLH "`.
    public var structureID: String { fields.rawCharacters(0, 4) }
    /// MQDLH `Version` (offset 4): 1.
    public var version: Int32 { fields.long(4) }
    /// MQDLH `Reason` (offset 8): why the message was dead-lettered (an MQRC_* or MQFB_* value).
    public var reason: Int32 { get { fields.long(8) } set { fields.setLong(newValue, 8) } }
    /// MQDLH `DestQName` (MQCHAR48, offset 12): the queue the message was meant for.
    public var destinationQueueName: String { get { fields.characters(12, 48) } set { fields.setCharacters(newValue, 12, 48) } }
    /// MQDLH `DestQMgrName` (MQCHAR48, offset 60): its queue manager.
    public var destinationQueueManagerName: String {
        get { fields.characters(60, 48) } set { fields.setCharacters(newValue, 60, 48) }
    }
    /// MQDLH `Encoding` (offset 108): encoding of what follows.
    public var encoding: MQEncoding {
        get { MQEncoding(rawValue: fields.long(108)) } set { fields.setLong(newValue.rawValue, 108) }
    }
    /// MQDLH `CodedCharSetId` (offset 112): CCSID of what follows.
    public var codedCharacterSetID: Int32 { get { fields.long(112) } set { fields.setLong(newValue, 112) } }
    /// MQDLH `Format` (MQCHAR8, offset 116): format of what follows.
    public var format: MQFormat {
        get { MQFormat(rawValue: fields.rawCharacters(116, 8)) } set { fields.setCharacters(newValue.rawValue, 116, 8) }
    }
    /// MQDLH `PutApplType` (offset 124): type of the application that put the message on the dead-letter queue.
    public var putApplicationType: Int32 { get { fields.long(124) } set { fields.setLong(newValue, 124) } }
    /// MQDLH `PutApplName` (MQCHAR28, offset 128).
    public var putApplicationName: String { get { fields.characters(128, 28) } set { fields.setCharacters(newValue, 128, 28) } }
    /// MQDLH `PutDate` (MQCHAR8, offset 156): `YYYYMMDD`.
    public var putDate: String { get { fields.characters(156, 8) } set { fields.setCharacters(newValue, 156, 8) } }
    /// MQDLH `PutTime` (MQCHAR8, offset 164): `HHMMSSTH`.
    public var putTime: String { get { fields.characters(164, 8) } set { fields.setCharacters(newValue, 164, 8) } }

    /// What follows the header.
    public var next: MQDataDescription { MQDataDescription(encoding: encoding, codedCharacterSetID: codedCharacterSetID, format: format) }
}

/// MQ transmission-queue header, `MQXQH` (StrucId `"XQH "`, version 1, 428 bytes): the remote destination and the
/// original message descriptor (an embedded version-1 MQMD) of a message on a transmission queue. What follows is
/// described by the embedded descriptor's `Encoding`, `CodedCharSetId` and `Format`. Offsets from `cmqc.h`
/// `tagMQXQH` (bridge-anchors §3.4).
public struct MQXQH: Hashable, Sendable {
    /// `MQXQH_LENGTH_1`: 428 bytes.
    public static let length = 428
    var fields: MQStructureBytes

    init(frame: [UInt8], at base: Int, encoding: MQEncoding) throws(MQError) {
        let characterSet = try MQChain.characterSet(frame, at: base, .xqh, header: "MQXQH", minimum: Self.length)
        let bigEndian = try MQChain.integerOrder(encoding, header: "MQXQH", at: base)
        let version = frame.mqLong(at: base + 4, bigEndian: bigEndian)
        guard version == 1 else {
            throw MQError(.unsupportedVersion, offset: base + 4, header: "MQXQH", field: "Version", expected: "1", found: String(version))
        }
        let embedded = try MQMD(frame: frame, at: base + 104)
        guard embedded.version == 1 else {
            throw MQError(
                .unsupportedVersion, offset: base + 108, header: "MQXQH", field: "MsgDesc.Version", expected: "1",
                found: String(embedded.version))
        }
        fields = MQStructureBytes(storage: frame, base: base, count: Self.length, bigEndian: bigEndian, characterSet: characterSet)
    }

    /// A transmission-queue header for `remoteQueueName` at `remoteQueueManagerName`, carrying `descriptor`
    /// (written as version 1: its first 324 bytes, with `Version` set to 1).
    public init(
        remoteQueueName: String, remoteQueueManagerName: String, descriptor: MQMD, bigEndian: Bool = false,
        characterSet: MQCharacterSet = .ascii
    ) {
        var bytes = [UInt8](repeating: characterSet == .ascii ? 0x20 : 0x40, count: 104)
        bytes.replaceSubrange(0..<4, with: MQStructureID.xqh.bytes(characterSet))
        var embedded = MQMD(fields: MQStructureBytes(
            storage: Array(descriptor.fields.bytes.prefix(MQMD.lengthVersion1)), base: 0, count: MQMD.lengthVersion1,
            bigEndian: descriptor.isBigEndian, characterSet: descriptor.characterSet))
        embedded.fields.setLong(1, 4)
        bytes += embedded.fields.bytes
        fields = MQStructureBytes(storage: bytes, base: 0, count: Self.length, bigEndian: bigEndian, characterSet: characterSet)
        fields.setLong(1, 4)
        self.remoteQueueName = remoteQueueName
        self.remoteQueueManagerName = remoteQueueManagerName
    }

    /// Appends the header's bytes.
    public func write(to writer: inout ByteWriter) { writer.writeBytes(fields.bytes) }
    /// The header's bytes.
    public var bytes: [UInt8] { Array(fields.bytes) }

    /// MQXQH `StrucId` (offset 0): `"XQH "`.
    public var structureID: String { fields.rawCharacters(0, 4) }
    /// MQXQH `Version` (offset 4): 1.
    public var version: Int32 { fields.long(4) }
    /// MQXQH `RemoteQName` (MQCHAR48, offset 8): the destination queue at the remote queue manager.
    public var remoteQueueName: String { get { fields.characters(8, 48) } set { fields.setCharacters(newValue, 8, 48) } }
    /// MQXQH `RemoteQMgrName` (MQCHAR48, offset 56): the remote queue manager.
    public var remoteQueueManagerName: String {
        get { fields.characters(56, 48) } set { fields.setCharacters(newValue, 56, 48) }
    }
    /// MQXQH `MsgDesc` (MQMD1, offset 104): the original message descriptor (read-only view).
    public var messageDescriptor: MQMD {
        // Validated when parsed (or built from a valid descriptor), so this cannot fail; `?? MQMD()` is never taken.
        (try? MQMD(frame: fields.storage, at: fields.base + 104)) ?? MQMD(version: 1)
    }

    /// What follows the header: described by the embedded descriptor.
    public var next: MQDataDescription {
        let descriptor = messageDescriptor
        return MQDataDescription(
            encoding: descriptor.encoding, codedCharacterSetID: descriptor.codedCharacterSetID, format: descriptor.format)
    }
}
