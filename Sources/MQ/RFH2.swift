public import ByteCoding

/// The MQ rules-and-formatting header version 2, `MQRFH2` (StrucId `"RFH "`, Version 2): a 36-byte fixed part and
/// name/value folders (`<mcd>`, `<jms>`, `<usr>`, `<mqps>`, …), each a `NameValueLength` (MQLONG) and that many
/// bytes of XML in `NameValueCCSID`, blank-padded to a multiple of 4.
///
/// The fixed part's integers are in the preceding structure's `Encoding` (IBM: "the fixed fields are in the
/// Encoding and CCSID of the preceding structure"). Parsing checks the fixed part and walks the folder lengths
/// only; a folder's XML is parsed when its properties are asked for (``RFH2Folder/properties()``). Unchanged
/// folders are written back byte for byte, padding included. Offsets from bridge-anchors §3.2.
public struct RFH2: Hashable, Sendable {
    /// `MQRFH_STRUC_LENGTH_FIXED_2`: 36 bytes.
    public static let fixedLength = 36
    /// NameValueCCSID values IBM allows: 1208 (UTF-8), 1200, 13488, 17584 (UTF-16).
    public static let nameValueCCSIDs: Set<Int32> = [1208, 1200, 13488, 17584]

    var fields: MQStructureBytes

    init(fields: MQStructureBytes) { self.fields = fields }

    /// An MQRFH2 holding `folders`; what follows is described by `next`.
    /// - Parameters:
    ///   - nameValueCCSID: `NameValueCCSID`. Default: 1208 (UTF-8).
    ///   - flags: `Flags`. Default: 0 (`MQRFH_NO_FLAGS`).
    public init(
        folders: [RFH2Folder], next: MQDataDescription, nameValueCCSID: Int32 = 1208, flags: Int32 = 0,
        bigEndian: Bool = false, characterSet: MQCharacterSet = .ascii
    ) {
        var bytes = [UInt8](repeating: characterSet == .ascii ? 0x20 : 0x40, count: Self.fixedLength)
        bytes.replaceSubrange(0..<4, with: MQStructureID.rfh.bytes(characterSet))
        fields = MQStructureBytes(storage: bytes, base: 0, count: Self.fixedLength, bigEndian: bigEndian, characterSet: characterSet)
        fields.setLong(2, 4)
        fields.setLong(Int32(Self.fixedLength), 8)
        fields.setLong(next.encoding.rawValue, 12)
        fields.setLong(next.codedCharacterSetID, 16)
        fields.setCharacters(next.format.rawValue, 20, 8)
        fields.setLong(flags, 28)
        fields.setLong(nameValueCCSID, 32)
        self.folders = folders
    }

    /// Validates the MQRFH2 at `base` of `frame` (fixed part, StrucLength, every NameValueLength) without copying.
    init(frame: [UInt8], at base: Int, encoding: MQEncoding) throws(MQError) {
        let characterSet = try MQChain.characterSet(frame, at: base, .rfh, header: "MQRFH2", minimum: Self.fixedLength)
        let bigEndian = try MQChain.integerOrder(encoding, header: "MQRFH2", at: base)
        let version = frame.mqLong(at: base + 4, bigEndian: bigEndian)
        guard version == 2 else {
            throw MQError(.unsupportedVersion, offset: base + 4, header: "MQRFH2", field: "Version", expected: "2", found: String(version))
        }
        let length = try MQChain.structureLength(frame, at: base, bigEndian: bigEndian, header: "MQRFH2", minimum: Self.fixedLength)
        var at = base + Self.fixedLength
        let end = base + length
        while at < end {
            guard end - at >= 4 else {
                throw MQError(
                    .badLength, offset: at, header: "MQRFH2", field: "NameValueLength",
                    expected: "4 bytes before StrucLength ends", found: "\(end - at) bytes")
            }
            let folderLength = Int(frame.mqLong(at: at, bigEndian: bigEndian))
            guard folderLength >= 0, folderLength % 4 == 0, folderLength <= end - at - 4 else {
                throw MQError(
                    .badLength, offset: at, header: "MQRFH2", field: "NameValueLength",
                    expected: "a multiple of 4 from 0 to \(end - at - 4) (the rest of StrucLength)", found: String(folderLength))
            }
            at += 4 + folderLength
        }
        fields = MQStructureBytes(storage: frame, base: base, count: length, bigEndian: bigEndian, characterSet: characterSet)
    }

    /// Reads an MQRFH2 whose fixed part is in `encoding` (the preceding structure's `Encoding`) and copies it.
    public init(parsing reader: inout ByteReader, encoding: MQEncoding) throws(MQError) {
        self = try MQChain.parse(&reader) { (bytes: [UInt8]) throws(MQError) in
            let header = try RFH2(frame: bytes, at: 0, encoding: encoding)
            let length = header.fields.count
            return (RFH2(fields: MQStructureBytes(
                storage: Array(bytes.prefix(length)), base: 0, count: length, bigEndian: header.fields.bigEndian,
                characterSet: header.fields.characterSet)), length)
        }
    }

    /// Appends the header's bytes.
    public func write(to writer: inout ByteWriter) { writer.writeBytes(fields.bytes) }
    /// The header's bytes.
    public var bytes: [UInt8] { Array(fields.bytes) }

    /// MQRFH2 `StrucId` (offset 0): `"RFH "`.
    public var structureID: String { fields.rawCharacters(0, 4) }
    /// MQRFH2 `Version` (offset 4): 2.
    public var version: Int32 { fields.long(4) }
    /// MQRFH2 `StrucLength` (offset 8): the whole header, folders included; a multiple of 4.
    public var structureLength: Int32 { fields.long(8) }
    /// MQRFH2 `Encoding` (offset 12): encoding of what follows.
    public var encoding: MQEncoding { get { MQEncoding(rawValue: fields.long(12)) } set { fields.setLong(newValue.rawValue, 12) } }
    /// MQRFH2 `CodedCharSetId` (offset 16): CCSID of what follows (-2 inherit).
    public var codedCharacterSetID: Int32 { get { fields.long(16) } set { fields.setLong(newValue, 16) } }
    /// MQRFH2 `Format` (MQCHAR8, offset 20): format of what follows.
    public var format: MQFormat {
        get { MQFormat(rawValue: fields.rawCharacters(20, 8)) } set { fields.setCharacters(newValue.rawValue, 20, 8) }
    }
    /// MQRFH2 `Flags` (offset 28): 0 `MQRFH_NO_FLAGS`.
    public var flags: Int32 { get { fields.long(28) } set { fields.setLong(newValue, 28) } }
    /// MQRFH2 `NameValueCCSID` (offset 32): the CCSID of every folder's NameValueData (1208, 1200, 13488, 17584).
    public var nameValueCCSID: Int32 { fields.long(32) }

    /// What follows the header.
    public var next: MQDataDescription { MQDataDescription(encoding: encoding, codedCharacterSetID: codedCharacterSetID, format: format) }

    /// The number of folders (walks the lengths, parses no XML).
    public var folderCount: Int {
        var count = 0
        forEachFolderSpan { _ in count += 1 }
        return count
    }

    /// Calls `body` with the byte range (in the frame) of each folder's NameValueData, in order. No XML is parsed.
    func forEachFolderSpan(_ body: (Range<Int>) -> Void) {
        var at = fields.base + Self.fixedLength
        let end = fields.base + fields.count
        while at + 4 <= end {
            let length = Int(fields.storage.mqLong(at: at, bigEndian: fields.bigEndian))
            guard length >= 0, at + 4 + length <= end else { return }
            body((at + 4)..<(at + 4 + length))
            at += 4 + length
        }
    }

    /// The folders, in order (each a copy of its NameValueData; XML parsed only when asked). Setting them rebuilds
    /// the header (`StrucLength` follows); folders taken from ``folders`` and set back unchanged keep their bytes.
    public var folders: [RFH2Folder] {
        get {
            var result: [RFH2Folder] = []
            let ccsid = nameValueCCSID
            let bigEndian = fields.bigEndian
            forEachFolderSpan { span in
                result.append(RFH2Folder(data: Array(fields.storage[span]), nameValueCCSID: ccsid, bigEndian: bigEndian, offset: span.lowerBound))
            }
            return result
        }
        set {
            var bytes = Array(fields.storage[fields.base..<(fields.base + Self.fixedLength)])
            for folder in newValue {
                var data = folder.data
                while data.count % 4 != 0 { data.append(0x20) }
                let length = Int32(truncatingIfNeeded: data.count)
                let stored = fields.bigEndian ? length.bigEndian : length.littleEndian
                withUnsafeBytes(of: stored) { bytes.append(contentsOf: $0) }
                bytes += data
            }
            fields = MQStructureBytes(
                storage: bytes, base: 0, count: bytes.count, bigEndian: fields.bigEndian, characterSet: fields.characterSet)
            fields.setLong(Int32(truncatingIfNeeded: bytes.count), 8)
        }
    }

    /// The first folder whose root element is `name` (e.g. `usr`), or nil.
    public func folder(named name: String) -> RFH2Folder? {
        let wanted = Array(name.utf8)
        var found: Range<Int>?
        forEachFolderSpan { span in
            guard found == nil else { return }
            if RFH2Folder.rootName(in: fields.storage[span], nameValueCCSID: nameValueCCSID, bigEndian: fields.bigEndian)
                .map({ $0.elementsEqual(wanted) }) == true
            {
                found = span
            }
        }
        return found.map { RFH2Folder(data: Array(fields.storage[$0]), nameValueCCSID: nameValueCCSID, bigEndian: fields.bigEndian, offset: $0.lowerBound) }
    }

    /// The property `name` of folder `folder` (e.g. `usr`, `ContentLength`); nil when either is absent. Parses that
    /// folder's XML only.
    public func property(folder: String, name: String) throws(MQError) -> RFH2Value? {
        guard let found = self.folder(named: folder) else { return nil }
        return try found.properties().first { $0.name == name }?.value
    }
}
