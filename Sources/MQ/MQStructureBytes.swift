import CodePages

/// The bytes of one fixed-layout MQ structure inside a frame, with the integer order and character set its fields
/// are read in. Getters read straight from the bytes; setters patch them in place. Parsing never copies: a
/// structure shares the frame's array (copy-on-write makes an edit copy it once).
struct MQStructureBytes: Hashable, Sendable {
    private(set) var storage: [UInt8]
    /// Offset of the structure's first byte in `storage` (and in the frame).
    let base: Int
    /// The structure's length in bytes.
    let count: Int
    /// Whether the structure's MQLONGs are big-endian.
    let bigEndian: Bool
    /// How its MQCHAR fields are encoded.
    let characterSet: MQCharacterSet

    init(storage: [UInt8], base: Int, count: Int, bigEndian: Bool, characterSet: MQCharacterSet) {
        self.storage = storage
        self.base = base
        self.count = count
        self.bigEndian = bigEndian
        self.characterSet = characterSet
    }

    /// The structure's bytes.
    var bytes: ArraySlice<UInt8> { storage[base..<(base + count)] }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.bytes == rhs.bytes && lhs.bigEndian == rhs.bigEndian && lhs.characterSet == rhs.characterSet
    }

    func hash(into hasher: inout Hasher) { hasher.combine(bytes) }

    /// The MQLONG at `offset` (from the structure's start).
    @inline(__always)
    func long(_ offset: Int) -> Int32 {
        let raw = storage.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: base + offset, as: Int32.self) }
        return bigEndian ? Int32(bigEndian: raw) : Int32(littleEndian: raw)
    }

    /// Overwrites the MQLONG at `offset`.
    mutating func setLong(_ value: Int32, _ offset: Int) {
        let stored = bigEndian ? value.bigEndian : value.littleEndian
        let at = base + offset
        storage.withUnsafeMutableBytes { $0.storeBytes(of: stored, toByteOffset: at, as: Int32.self) }
    }

    /// The MQBYTE field at `offset`.
    func bytes(_ offset: Int, _ length: Int) -> [UInt8] { Array(storage[(base + offset)..<(base + offset + length)]) }

    /// Overwrites the MQBYTE field at `offset` with `value`, zero-padded or cut to `length`.
    mutating func setBytes(_ value: some Collection<UInt8>, _ offset: Int, _ length: Int) {
        var index = base + offset
        for byte in value.prefix(length) { storage[index] = byte; index += 1 }
        while index < base + offset + length { storage[index] = 0; index += 1 }
    }

    /// The MQCHAR field at `offset` with trailing blanks and NULs removed.
    func characters(_ offset: Int, _ length: Int) -> String {
        MQText.decode(storage[(base + offset)..<(base + offset + length)], characterSet, trimming: true)
    }

    /// The MQCHAR field at `offset` exactly as stored (no trimming).
    func rawCharacters(_ offset: Int, _ length: Int) -> String {
        MQText.decode(storage[(base + offset)..<(base + offset + length)], characterSet, trimming: false)
    }

    /// Overwrites the MQCHAR field at `offset` with `text` padded with blanks. Characters past `length` are cut;
    /// characters the character set cannot carry become `?`.
    mutating func setCharacters(_ text: String, _ offset: Int, _ length: Int) {
        let encoded = MQText.encode(text, characterSet)
        var index = base + offset
        for byte in encoded.prefix(length) { storage[index] = byte; index += 1 }
        let blank: UInt8 = characterSet == .ascii ? 0x20 : 0x40
        while index < base + offset + length { storage[index] = blank; index += 1 }
    }
}

/// Text in MQCHAR fields: ASCII/ISO 8859-1 or EBCDIC CCSID 500.
enum MQText {
    /// CCSID 500, loaded once.
    static let ebcdic: CodePage? = try? CodePage(ccsid: 500)

    static func decode(_ bytes: ArraySlice<UInt8>, _ characterSet: MQCharacterSet, trimming: Bool) -> String {
        var end = bytes.endIndex
        if trimming {
            let blank: UInt8 = characterSet == .ascii ? 0x20 : 0x40
            while end > bytes.startIndex, bytes[end - 1] == blank || bytes[end - 1] == 0 { end -= 1 }
        }
        let slice = bytes[bytes.startIndex..<end]
        switch characterSet {
        case .ascii:
            var scalars = String.UnicodeScalarView()
            for byte in slice { scalars.append(Unicode.Scalar(byte)) }
            return String(scalars)
        case .ebcdic:
            guard let page = ebcdic else { return "" }
            return page.decode(Array(slice))
        }
    }

    static func encode(_ text: String, _ characterSet: MQCharacterSet) -> [UInt8] {
        switch characterSet {
        case .ascii:
            return text.unicodeScalars.map { $0.value < 256 ? UInt8($0.value) : UInt8(ascii: "?") }
        case .ebcdic:
            guard let page = ebcdic else { return [] }
            return text.unicodeScalars.map { page.byte(for: $0) ?? 0x6F }
        }
    }

    /// The character set in which the 4 bytes at `offset` spell `id`, or nil when they spell it in neither.
    @inline(__always)
    static func detect(_ storage: [UInt8], at offset: Int, _ id: MQStructureID) -> MQCharacterSet? {
        guard offset >= 0, offset + 4 <= storage.count else { return nil }
        let word = storage.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        if word == id.asciiWord { return .ascii }
        if word == id.ebcdicWord { return .ebcdic }
        return nil
    }
}

/// Reading MQLONGs from a frame before a structure is built.
extension [UInt8] {
    /// The MQLONG at `offset` in the given order; the caller has checked the bounds.
    @inline(__always)
    func mqLong(at offset: Int, bigEndian: Bool) -> Int32 {
        let raw = withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int32.self) }
        return bigEndian ? Int32(bigEndian: raw) : Int32(littleEndian: raw)
    }
}

/// A 4-character `StrucId` (`"MD  "`, `"RFH "`, …) with its ASCII and EBCDIC spellings as memory words.
struct MQStructureID: Sendable {
    /// The spec spelling, e.g. `"RFH "`.
    let text: String
    let asciiWord: UInt32
    let ebcdicWord: UInt32

    init(_ text: StaticString) {
        let ascii = text.withUTF8Buffer { Array($0) }
        self.text = String(decoding: ascii, as: UTF8.self)
        asciiWord = ascii.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        let ebcdic = ascii.map(Self.ebcdic)
        ebcdicWord = ebcdic.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
    }

    /// The CCSID 500 byte of an upper-case letter, digit or space (all a StrucId uses).
    static func ebcdic(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "I"): 0xC1 + (byte - UInt8(ascii: "A"))
        case UInt8(ascii: "J")...UInt8(ascii: "R"): 0xD1 + (byte - UInt8(ascii: "J"))
        case UInt8(ascii: "S")...UInt8(ascii: "Z"): 0xE2 + (byte - UInt8(ascii: "S"))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): 0xF0 + (byte - UInt8(ascii: "0"))
        default: 0x40
        }
    }

    static let md = MQStructureID("MD  ")
    static let rfh = MQStructureID("RFH ")
    static let dlh = MQStructureID("DLH ")
    static let xqh = MQStructureID("XQH ")
    static let cih = MQStructureID("CIH ")
    static let iih = MQStructureID("IIH ")

    /// The bytes of the StrucId in `characterSet`.
    func bytes(_ characterSet: MQCharacterSet) -> [UInt8] {
        Swift.withUnsafeBytes(of: characterSet == .ascii ? asciiWord : ebcdicWord) { Array($0) }
    }
}
