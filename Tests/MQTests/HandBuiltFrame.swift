// Frames built byte by byte from the public layouts (bridge-anchors §3, cmqc.h), never with Ferry's writers, so a
// wrong offset in the codec cannot hide behind the same mistake in the test.

/// A byte buffer patched at explicit offsets.
struct HandBuiltBytes {
    var bytes: [UInt8]
    let bigEndian: Bool
    let ebcdic: Bool

    init(count: Int, bigEndian: Bool, ebcdic: Bool = false) {
        bytes = Array(repeating: ebcdic ? 0x40 : 0x20, count: count)
        self.bigEndian = bigEndian
        self.ebcdic = ebcdic
    }

    mutating func long(_ value: Int32, at offset: Int) {
        let raw = UInt32(bitPattern: value)
        let parts: [UInt8] = [UInt8(raw >> 24), UInt8((raw >> 16) & 0xFF), UInt8((raw >> 8) & 0xFF), UInt8(raw & 0xFF)]
        bytes.replaceSubrange(offset..<(offset + 4), with: bigEndian ? parts : parts.reversed())
    }

    /// ASCII text, or EBCDIC (CCSID 500/037 letters, digits, space, '.', '_') when `ebcdic`.
    mutating func chars(_ text: String, at offset: Int, length: Int) {
        var encoded = Array(text.utf8).map { ebcdic ? Self.ebcdicByte($0) : $0 }
        encoded += Array(repeating: ebcdic ? 0x40 : 0x20, count: length - encoded.count)
        bytes.replaceSubrange(offset..<(offset + length), with: encoded)
    }

    mutating func raw(_ value: [UInt8], at offset: Int) {
        bytes.replaceSubrange(offset..<(offset + value.count), with: value)
    }

    static func ebcdicByte(_ ascii: UInt8) -> UInt8 {
        switch ascii {
        case UInt8(ascii: "A")...UInt8(ascii: "I"): 0xC1 + (ascii - UInt8(ascii: "A"))
        case UInt8(ascii: "J")...UInt8(ascii: "R"): 0xD1 + (ascii - UInt8(ascii: "J"))
        case UInt8(ascii: "S")...UInt8(ascii: "Z"): 0xE2 + (ascii - UInt8(ascii: "S"))
        case UInt8(ascii: "a")...UInt8(ascii: "i"): 0x81 + (ascii - UInt8(ascii: "a"))
        case UInt8(ascii: "j")...UInt8(ascii: "r"): 0x91 + (ascii - UInt8(ascii: "j"))
        case UInt8(ascii: "s")...UInt8(ascii: "z"): 0xA2 + (ascii - UInt8(ascii: "s"))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): 0xF0 + (ascii - UInt8(ascii: "0"))
        case UInt8(ascii: "."): 0x4B
        case UInt8(ascii: "_"): 0x6D
        default: 0x40
        }
    }
}

/// The values every hand-built MQMD in these tests carries, one distinct value per field.
enum SampleMQMD {
    static let msgID: [UInt8] = Array(0x01...0x18)
    static let correlID: [UInt8] = Array(0x31...0x48)
    static let groupID: [UInt8] = Array(0x61...0x78)
    static let accounting: [UInt8] = Array(0x90...0xAF)

    /// An MQMD with every field set, at the offsets of bridge-anchors §3.1.
    static func bytes(
        version: Int32 = 2, bigEndian: Bool, ebcdic: Bool = false, format: String = "MQSTR", encoding: Int32? = nil,
        ccsid: Int32 = 1208
    ) -> [UInt8] {
        var b = HandBuiltBytes(count: version == 1 ? 324 : 364, bigEndian: bigEndian, ebcdic: ebcdic)
        b.chars("MD", at: 0, length: 4)
        b.long(version, at: 4)
        b.long(0x40 | 0x100, at: 8)  // Report: PASS_CORREL_ID + COA
        b.long(1, at: 12)  // MsgType: request
        b.long(6000, at: 16)  // Expiry: 600 s
        b.long(259, at: 20)  // Feedback: COA
        b.long(encoding ?? (bigEndian ? 0x311 : 0x222), at: 24)
        b.long(ccsid, at: 28)
        b.chars(format, at: 32, length: 8)
        b.long(7, at: 40)  // Priority
        b.long(1, at: 44)  // Persistence
        b.raw(msgID, at: 48)
        b.raw(correlID, at: 72)
        b.long(3, at: 96)  // BackoutCount
        b.chars("CLAIMS.REPLY", at: 100, length: 48)
        b.chars("QM2", at: 148, length: 48)
        b.chars("ferryusr", at: 196, length: 12)
        b.raw(accounting, at: 208)
        b.chars("IDENTITY.DATA", at: 240, length: 32)
        b.long(28, at: 272)  // PutApplType: Java
        b.chars("ClaimsSender", at: 276, length: 28)
        b.chars("20261206", at: 304, length: 8)
        b.chars("02153047", at: 312, length: 8)
        b.chars("ORIG", at: 320, length: 4)
        if version == 2 {
            b.raw(groupID, at: 324)
            b.long(5, at: 348)  // MsgSeqNumber
            b.long(4096, at: 352)  // Offset
            b.long(0x8 | 0x2, at: 356)  // MsgFlags: in group, segment
            b.long(9000, at: 360)  // OriginalLength
        }
        return b.bytes
    }
}

/// An MQRFH2 built by hand from bridge-anchors §3.2: fixed part of 36 bytes, then `{NameValueLength, data}` pairs.
enum HandBuiltRFH2 {
    static func bytes(
        bigEndian: Bool, folders: [[UInt8]], format: String = "MQSTR", ccsid: Int32 = 1208, encoding: Int32? = nil,
        nameValueCCSID: Int32 = 1208, structureLength: Int32? = nil, flags: Int32 = 0, ebcdic: Bool = false
    ) -> [UInt8] {
        var b = HandBuiltBytes(count: 36, bigEndian: bigEndian, ebcdic: ebcdic)
        b.chars("RFH", at: 0, length: 4)
        b.long(2, at: 4)
        let total = 36 + folders.reduce(0) { $0 + 4 + $1.count }
        b.long(structureLength ?? Int32(total), at: 8)
        b.long(encoding ?? (bigEndian ? 0x111 : 0x222), at: 12)
        b.long(ccsid, at: 16)
        b.chars(format, at: 20, length: 8)
        b.long(flags, at: 28)
        b.long(nameValueCCSID, at: 32)
        for folder in folders {
            var length = HandBuiltBytes(count: 4, bigEndian: bigEndian)
            length.long(Int32(folder.count), at: 0)
            b.bytes += length.bytes + folder
        }
        return b.bytes
    }

    /// `xml` in UTF-8 padded with `pad` to a multiple of 4.
    static func folder(_ xml: String, pad: UInt8 = 0x20) -> [UInt8] {
        var bytes = Array(xml.utf8)
        while bytes.count % 4 != 0 { bytes.append(pad) }
        return bytes
    }
}

/// An MQDLH built by hand from bridge-anchors §3.4.
enum HandBuiltDLH {
    static func bytes(bigEndian: Bool, format: String, ccsid: Int32 = 1208, encoding: Int32? = nil) -> [UInt8] {
        var b = HandBuiltBytes(count: 172, bigEndian: bigEndian)
        b.chars("DLH", at: 0, length: 4)
        b.long(1, at: 4)
        b.long(2085, at: 8)  // MQRC_UNKNOWN_OBJECT_NAME
        b.chars("CLAIMS.IN", at: 12, length: 48)
        b.chars("QM9", at: 60, length: 48)
        b.long(encoding ?? (bigEndian ? 0x111 : 0x222), at: 108)
        b.long(ccsid, at: 112)
        b.chars(format, at: 116, length: 8)
        b.long(6, at: 124)
        b.chars("runmqdlq", at: 128, length: 28)
        b.chars("20261205", at: 156, length: 8)
        b.chars("23595900", at: 164, length: 8)
        return b.bytes
    }
}
