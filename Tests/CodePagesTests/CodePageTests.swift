import CodePages
import Testing

@Suite("CodePage tables")
struct CodePageTableTests {
    static let requiredCCSIDs = [37, 273, 277, 278, 280, 284, 285, 297, 500, 871, 875, 1047] + Array(1140...1149)
        + [367, 819, 1208]

    @Test("every required CCSID is present", arguments: requiredCCSIDs)
    func present(ccsid: Int) throws {
        let page = try CodePage(ccsid: ccsid)
        #expect(page.ccsid == ccsid)
    }

    /// Byte → character facts from mainframe-anchors H14 (IBM CDRA / ICU), checked per page.
    @Test(
        "known byte-to-character facts",
        arguments: [
            (37, 0x9F, 0x00A4), (1140, 0x9F, 0x20AC),  // ¤ vs €
            (37, 0xBA, 0x005B), (500, 0x4A, 0x005B),  // '[' moves between 037 and 500
            (37, 0xC0, 0x007B), (273, 0xC0, 0x00E4),  // '{' vs 'ä' (the cp273 trap for zoned decimals)
            (37, 0x15, 0x0085), (37, 0x25, 0x000A), (37, 0x0D, 0x000D),  // NEL, LF, CR (not cobrix's swap)
            (273, 0xBC, 0x203E), (1141, 0xBC, 0x203E),  // overline per ICU (glibc says macron: corrected)
            (1047, 0xAD, 0x005B), (1047, 0x15, 0x0085), (1141, 0x9F, 0x20AC), (285, 0x5B, 0x00A3),
            (37, 0x40, 0x0020), (37, 0xF0, 0x0030), (37, 0xC1, 0x0041), (367, 0x41, 0x0041), (819, 0xE9, 0x00E9),
        ] as [(Int, UInt8, UInt32)])
    func knownFacts(ccsid: Int, byte: UInt8, scalar: UInt32) throws {
        let page = try CodePage(ccsid: ccsid)
        #expect(page.scalar(for: byte)?.value == scalar)
    }

    @Test("every defined byte round-trips through decode and encode", arguments: requiredCCSIDs.filter { $0 != 1208 })
    func roundTrip(ccsid: Int) throws {
        let page = try CodePage(ccsid: ccsid)
        var defined: [UInt8] = []
        for byte in UInt8.min...UInt8.max where page.scalar(for: byte) != nil { defined.append(byte) }
        let text = page.decode(defined)
        #expect(try page.encode(text) == defined)
        if page.isEBCDIC && ccsid != 875 { #expect(defined.count == 256) }
    }

    @Test("undefined bytes decode to U+FFFD and are counted")
    func undefinedBytes() throws {
        let ascii = try CodePage(ccsid: 646)
        var output: [UInt8] = []
        let unmapped = [UInt8]([0x41, 0x80, 0x42]).withUnsafeBytes { ascii.appendUTF8(decoding: $0, to: &output) }
        #expect(unmapped == 1)
        #expect(output == [0x41, 0xEF, 0xBF, 0xBD, 0x42])
        let greek = try CodePage(ccsid: 875)
        #expect(greek.scalar(for: 0xDC) == nil)
    }
}

@Suite("CodePage lookup")
struct CodePageLookupTests {
    @Test(
        "names and aliases",
        arguments: [
            ("cp037", 37), ("IBM-037", 37), ("037", 37), ("37", 37), ("IBM037", 37), ("ibm1047", 1047),
            ("IBM01140", 1140), ("CCSID500", 500), ("cp273", 273), ("ascii", 367), ("US-ASCII", 367),
            ("646", 367), ("latin-1", 819), ("ISO-8859-1", 819), ("utf-8", 1208), ("UTF8", 1208),
            ("x-IBM875", 875),
        ])
    func names(name: String, ccsid: Int) throws {
        #expect(try CodePage(named: name).ccsid == ccsid)
    }

    @Test("an unknown name lists the known ones")
    func unknownName() {
        #expect {
            try CodePage(named: "cp9999")
        } throws: { error in
            guard case .unknownCodePage(let name, let known) = error as? CodePageError else { return false }
            return name == "cp9999" && known.contains("IBM037") && known.contains("UTF-8")
                && "\(error)".contains("IBM1047")
        }
        #expect(throws: CodePageError.self) { try CodePage(ccsid: 1) }
    }
}

@Suite("CodePage conversion")
struct CodePageConversionTests {
    @Test("decode to UTF-8 and JSON-escaped UTF-8")
    func decodeEscaped() throws {
        let page = try CodePage(ccsid: 37)
        // "A" 0x7F('"') 0xE0('\') LF(0x25) NEL(0x15) 0x05(HT) 0x9F(¤) 0x00
        let bytes: [UInt8] = [0xC1, 0x7F, 0xE0, 0x25, 0x15, 0x05, 0x9F, 0x00]
        var plain: [UInt8] = []
        var json: [UInt8] = []
        bytes.withUnsafeBytes {
            page.appendUTF8(decoding: $0, to: &plain)
            page.appendJSONEscaped(decoding: $0, to: &json)
        }
        #expect(String(decoding: plain, as: UTF8.self) == "A\"\\\n\u{85}\t¤\u{0}")
        #expect(String(decoding: json, as: UTF8.self) == #"A\"\\\n"# + "\u{85}" + #"\t¤\u0000"#)
    }

    @Test("control character policies")
    func controls() throws {
        let page = try CodePage(named: "cp037")
        let bytes: [UInt8] = [0xC1, 0x25, 0x15, 0xC2]
        #expect(page.withControlCharacters(.replaceWithSpace).decode(bytes) == "A  B")
        var output: [UInt8] = []
        let rejected = bytes.withUnsafeBytes {
            page.withControlCharacters(.reject).appendUTF8(decoding: $0, to: &output)
        }
        #expect(rejected == 2)
        #expect(page.decode(bytes) == "A\n\u{85}B")
    }

    @Test("long input crosses the decode chunk boundary")
    func longInput() throws {
        let page = try CodePage(ccsid: 1140)
        let bytes = [UInt8](repeating: 0x9F, count: 1500) + [0xC1]
        let text = page.decode(bytes)
        #expect(text == String(repeating: "€", count: 1500) + "A")
        #expect(try page.encode(text) == bytes)
    }

    @Test("encode names the unmappable character and its position")
    func unmappable() throws {
        let page = try CodePage(ccsid: 37)
        #expect(throws: CodePageError.unmappableCharacter("€", position: 2, codePage: "IBM037")) {
            try page.encode("ab€")
        }
        var output: [UInt8] = [1]
        #expect(throws: CodePageError.self) { try page.encode("x€", appendingTo: &output) }
        #expect(output == [1])
        #expect(try CodePage(ccsid: 1140).encode("ab€") == [0x81, 0x82, 0x9F])
    }

    @Test("UTF-8 page validates and escapes")
    func utf8Page() throws {
        let page = try CodePage(ccsid: 1208)
        var json: [UInt8] = []
        let replaced = [UInt8]([0x61, 0x22, 0xC3, 0xA9, 0xFF, 0x0A]).withUnsafeBytes {
            page.appendJSONEscaped(decoding: $0, to: &json)
        }
        #expect(replaced == 1)
        #expect(String(decoding: json, as: UTF8.self) == #"a\"é"# + "\u{FFFD}" + #"\n"#)
        #expect(try page.encode("é") == [0xC3, 0xA9])
    }
}

@Suite struct PCCodePageTests {
    @Test func pcPagesAreASCIIBasedAndDecodeTheirUpperHalf() throws {
        let cp437 = try CodePage(ccsid: 437)
        #expect(!cp437.isEBCDIC)
        #expect(cp437.name == "IBM437")
        #expect(cp437.decode([0x41, 0x82, 0xB0, 0xE1]) == "Aé░ß")
        let cp850 = try CodePage(named: "cp850")
        #expect(cp850.ccsid == 850)
        #expect(!cp850.isEBCDIC)
        #expect(cp850.decode([0x82, 0xD5, 0xE1]) == "éıß")
        #expect(try cp850.encode("é") == [0x82])
    }
}
