@testable import Copybook
import CodePages
import Events
import Testing

@Suite("Binary (COMP, COMP-4, BINARY, COMP-5)")
struct FieldCodecBinaryTests {
    @Test(
        "big-endian widths and signs", arguments: [
            (2, true, "FFFE", "-2"), (2, false, "FFFE", "65534"), (4, true, "80000000", "-2147483648"),
            (4, false, "80000000", "2147483648"), (8, true, "FFFFFFFFFFFFFFFF", "-1"),
            (8, false, "FFFFFFFFFFFFFFFF", "18446744073709551615"), (4, true, "40404040", "1077952576"),
            (3, true, "FFFF85", "-123"), (1, false, "FF", "255"), (16, true, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "-1"),
        ])
    func widths(byteCount: Int, signed: Bool, hex: String, expected: String) throws {
        let codec = try BinaryIntegerCodec(shape: NumericShape(digits: 38, isSigned: signed), byteCount: byteCount)
        #expect(try json(codec, hex) == expected)
        #expect(try codec.encode(decimal(expected)) == bytes(hex))
    }

    /// H8: COMP-5 little-endian, and values beyond the picture decode in full with a flag.
    @Test("COMP-5 little-endian and values beyond the PICTURE")
    func comp5() throws {
        let codec = try BinaryIntegerCodec(
            shape: NumericShape(digits: 4, scale: 2, isSigned: true), byteCount: 2, byteOrder: .littleEndian,
            encodeLimit: .storage)
        #expect(try json(codec, "39 30") == "123.45")  // 0x3039 = 12345 > 9999
        guard case .number(let number) = try codec.decode(bytes("3930")) else { Issue.record(); return }
        #expect(number.flags.contains(.exceedsPicture))
        #expect(try codec.encode(decimal("123.45")) == bytes("3930"))
        let picture = try BinaryIntegerCodec(shape: NumericShape(digits: 4, scale: 2, isSigned: true), byteCount: 2)
        #expect(throws: FieldCodecError.self) { try picture.encode(decimal("123.45")) }
        #expect(throws: FieldCodecError.self) { try codec.encode(decimal("400.00")) }  // beyond Int16
    }

    @Test("IBM sizes by digits")
    func ibmSizes() {
        #expect([1, 4, 5, 9, 10, 18, 19].map(BinaryIntegerCodec.ibmByteCount(digits:)) == [2, 2, 4, 4, 8, 8, 16])
    }

    @Test("scaled binary JSON text")
    func scaled() throws {
        let codec = try BinaryIntegerCodec(shape: NumericShape(digits: 11, scale: 2, isSigned: true), byteCount: 8)
        #expect(try json(codec, "FFFFFFFFFFFFFFFB") == "-0.05")
        #expect(try json(codec, "0000000000000000") == "0.00")
    }
}

@Suite("Floating point (COMP-1, COMP-2)")
struct FieldCodecFloatingPointTests {
    /// H17: IBM hexadecimal floating point known values.
    @Test(
        "HFP known values", arguments: [
            ("41100000", 1.0), ("C276A000", -118.625), ("00000000", 0.0), ("42640000", 100.0), ("40800000", 0.5),
            ("C1200000", -2.0),
        ])
    func hfpSingle(hex: String, value: Double) throws {
        let codec = FloatingPointCodec(width: .single)
        #expect(try codec.decode(bytes(hex)) == value)
        #expect(try codec.encode(value) == bytes(hex))
    }

    @Test("HFP double, IEEE and little-endian")
    func otherFormats() throws {
        let hfp2 = FloatingPointCodec(width: .double)
        #expect(try hfp2.decode(bytes("4110000000000000")) == 1.0)
        #expect(try hfp2.encode(-118.625) == bytes("C276A00000000000"))
        let ieee = FloatingPointCodec(width: .double, format: .ieee754)
        #expect(try ieee.decode(bytes("3FF0000000000000")) == 1.0)
        let ieeeLE = FloatingPointCodec(width: .single, format: .ieee754, byteOrder: .littleEndian)
        #expect(try ieeeLE.decode(bytes("0000803F")) == 1.0)
        #expect(try ieeeLE.encode(1.0) == bytes("0000803F"))
        var output: [UInt8] = []
        try bytes("4019999A").withUnsafeBytes { try FloatingPointCodec(width: .single).appendJSON($0, to: &output) }
        #expect(String(decoding: output, as: UTF8.self) == "0.100000024")  // HFP 0x19999A / 2^24 is not Float(0.1)
    }

    @Test("HFP encode round-trips decoded values (pseudo-random normalized and unnormalized patterns)")
    func hfpRoundTrip() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for width in [FloatingPointCodec.Width.single, .double] {
            let codec = FloatingPointCodec(width: width)
            for _ in 0..<5000 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                var pattern = [UInt8](repeating: 0, count: codec.byteCount)
                for index in pattern.indices { pattern[index] = UInt8(truncatingIfNeeded: state >> (index * 8 % 64)) }
                let value = try codec.decode(pattern)
                let encoded = try codec.encode(value)
                #expect(try codec.decode(encoded) == value)
                let normalized = pattern[1] >> 4 != 0
                if width == .single && normalized && value != 0 { #expect(encoded == pattern) }
            }
        }
    }
}

@Suite("Alphanumeric text")
struct FieldCodecAlphanumericTests {
    @Test("trimming policies and JSON escaping")
    func trimming() throws {
        let page = try CodePage(ccsid: 37)
        let raw = bytes("40C17FC240")  // ' A"B '
        func text(_ trimming: AlphanumericCodec.Trimming) throws -> String? {
            try AlphanumericCodec(byteCount: 5, codePage: page, trimming: trimming).decode(raw)
        }
        #expect(try text(.right) == " A\"B")
        #expect(try text(.left) == "A\"B ")
        #expect(try text(.both) == "A\"B")
        #expect(try text(.none) == " A\"B ")
        var output: [UInt8] = []
        let result = try raw.withUnsafeBytes { try AlphanumericCodec(byteCount: 5, codePage: page).appendJSON($0, to: &output) }
        #expect(result.outcome == .written([]) && result.unmapped == 0)
        #expect(String(decoding: output, as: UTF8.self) == #"" A\"B""#)
    }

    @Test("LOW-VALUES and JUSTIFIED RIGHT")
    func lowValuesAndJustified() throws {
        let page = try CodePage(ccsid: 37)
        let keep = AlphanumericCodec(byteCount: 4, codePage: page)
        #expect(try keep.decode(bytes("C1C20000")) == "AB\u{0}\u{0}")
        #expect(try AlphanumericCodec(byteCount: 4, codePage: page, lowValues: .trim).decode(bytes("C1C20000")) == "AB")
        let null = AlphanumericCodec(byteCount: 4, codePage: page, lowValues: .nullWhenAll)
        #expect(try null.decode(bytes("00000000")) == nil)
        let right = AlphanumericCodec(byteCount: 4, codePage: page, trimming: .left, isJustifiedRight: true)
        #expect(try right.encode("-5") == bytes("404060F5"))
        #expect(try right.decode(bytes("404060F5")) == "-5")
        #expect(throws: FieldCodecError.self) { try keep.encode("ABCDE") }
        #expect(throws: FieldCodecError.unmappableCharacter(character: "U+20AC", position: 1, codePage: "IBM037")) {
            try keep.encode("a€")
        }
    }
}
