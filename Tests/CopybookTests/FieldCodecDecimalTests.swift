@testable import Copybook
import Events
import Testing

@Suite("Packed decimal (COMP-3)")
struct FieldCodecPackedDecimalTests {
    let signed72 = try! PackedDecimalCodec(shape: NumericShape(digits: 9, scale: 2, isSigned: true))

    /// H1: all six sign nibbles; A C E F positive, B D negative; non-preferred ones flagged.
    @Test(
        "sign nibbles", arguments: [
            ("000071120C", "711.20", false), ("000071120D", "-711.20", false), ("000071120F", "711.20", true),
            ("000071120A", "711.20", true), ("000071120B", "-711.20", true), ("000071120E", "711.20", true),
        ])
    func signNibbles(hex: String, expected: String, nonPreferred: Bool) throws {
        #expect(try json(signed72, hex) == expected)
        guard case .number(let number) = try signed72.decode(bytes(hex)) else { Issue.record("not a number"); return }
        #expect(number.description == expected)
        #expect(number.flags.contains(.nonPreferredSign) == nonPreferred)
    }

    @Test("strict sign handling rejects A, B and E")
    func strictSigns() throws {
        let strict = try PackedDecimalCodec(shape: NumericShape(digits: 3, isSigned: true), signHandling: .strict)
        #expect(try json(strict, "123D") == "-123")
        for hex in ["123A", "123B", "123E"] {
            #expect(throws: FieldCodecError.self) { try strict.decode(bytes(hex)) }
        }
        let unsigned = try PackedDecimalCodec(shape: NumericShape(digits: 3), signHandling: .strict)
        #expect(try json(unsigned, "123F") == "123")
        #expect(throws: FieldCodecError.self) { try unsigned.decode(bytes("123C")) }
        #expect(throws: FieldCodecError.self) { try unsigned.decode(bytes("123D")) }
    }

    /// H2: negative zero is zero, flagged; never "-0".
    @Test("negative zero")
    func negativeZero() throws {
        #expect(try json(signed72, "000000000D") == "0.00")
        guard case .number(let number) = try signed72.decode(bytes("000000000D")) else { Issue.record(); return }
        #expect(number.unscaled == 0 && number.flags.contains(.negativeZero))
        #expect(try signed72.encode(decimal("-0.00")) == bytes("000000000C"))
    }

    /// H3: invalid digit or sign nibbles name the nibble; spaces and low-values are reported, not numbers.
    @Test("invalid nibbles, blank and low-values")
    func invalid() throws {
        #expect(throws: FieldCodecError.invalidData(
            offset: 2, nibble: 0, expected: "a digit 0–9", found: "X'A'", bytes: "00 00 A1 12 0C")) {
            try signed72.decode(bytes("0000A1120C"))
        }
        do {
            _ = try signed72.decode(bytes("0000071120"))
            Issue.record("sign nibble 0 accepted")
        } catch {
            guard case .invalidData(let offset, let nibble, _, let found, _) = error else { Issue.record(); return }
            #expect(offset == 4 && nibble == 1 && found == "X'0'")
        }
        #expect(try json(signed72, "4040404040") == "blank")
        #expect(try json(signed72, "0000000000") == "lowValues")
    }

    /// H6: 37/38-digit values go through Int128 exactly.
    @Test("38-digit packed values")
    func large() throws {
        let codec = try PackedDecimalCodec(shape: NumericShape(digits: 37, isSigned: true))
        let hex = "1234567890123456789012345678901234567D"
        #expect(try json(codec, hex) == "-1234567890123456789012345678901234567")
        #expect(try codec.encode(decimal("-1234567890123456789012345678901234567")) == bytes(hex))
        let widest = try PackedDecimalCodec(shape: NumericShape(digits: 38, scale: 2))
        #expect(try json(widest, "0" + String(repeating: "9", count: 38) + "F") == String(repeating: "9", count: 36) + ".99")
    }

    /// H7: P scaling.
    @Test("P scaling")
    func pScaling() throws {
        let trailingP = try PackedDecimalCodec(shape: NumericShape(integerDigits: 5, fractionDigits: 0, trailingP: 3, isSigned: false))
        #expect(try json(trailingP, "30503F") == "30503000")
        #expect(try trailingP.encode(decimal("30503000")) == bytes("30503F"))
        #expect(throws: FieldCodecError.self) { try trailingP.encode(decimal("30503001")) }
        let leadingP = try PackedDecimalCodec(shape: NumericShape(integerDigits: 0, fractionDigits: 5, leadingP: 3, isSigned: false))
        #expect(try json(leadingP, "30503F") == "0.00030503")
        let signedP = try PackedDecimalCodec(shape: NumericShape(integerDigits: 0, fractionDigits: 5, leadingP: 2, isSigned: true))
        #expect(try json(signedP, "30503D") == "-0.0030503")
        guard case .number(let number) = try trailingP.decode(bytes("30503F")) else { Issue.record(); return }
        #expect(try number.exactDecimal == decimal("30503000"))
    }

    @Test("even digit count: the pad nibble beyond the picture is flagged")
    func padNibble() throws {
        let codec = try PackedDecimalCodec(shape: NumericShape(digits: 4, isSigned: true))
        #expect(codec.byteCount == 3)
        guard case .number(let number) = try codec.decode(bytes("12345C")) else { Issue.record(); return }
        #expect(number.unscaled == 12345 && number.flags.contains(.exceedsPicture))
        #expect(throws: FieldCodecError.valueDoesNotFit(value: "12345", capacity: "signed 4 digits, scale 0")) {
            try codec.encode(decimal("12345"))
        }
    }

    @Test("unsigned no-sign-nibble variant")
    func noSignNibble() throws {
        let codec = try PackedDecimalCodec(shape: NumericShape(digits: 6, scale: 2), hasSignNibble: false)
        #expect(codec.byteCount == 3)
        #expect(try json(codec, "123456") == "1234.56")
        #expect(try codec.encode(decimal("1234.56")) == bytes("123456"))
        #expect(throws: FieldCodecError.self) { try codec.decode(bytes("12345C")) }
    }

    @Test("encode writes preferred signs; too large and too precise values throw")
    func encodeSigns() throws {
        #expect(try signed72.encode(decimal("19.00")) == bytes("000001900C"))
        #expect(try signed72.encode(decimal("-19")) == bytes("000001900D"))
        let unsigned = try PackedDecimalCodec(shape: NumericShape(digits: 7, scale: 2))
        #expect(try unsigned.encode(decimal("100")) == bytes("0010000F"))
        #expect(throws: FieldCodecError.self) { try unsigned.encode(decimal("-1")) }
        #expect(throws: FieldCodecError.self) { try signed72.encode(decimal("10000000.00")) }
        #expect(throws: FieldCodecError.self) { try signed72.encode(decimal("1.001")) }
        #expect(try signed72.encode(decimal("1.100")) == bytes("000000110C"))
    }

    @Test("round trip of every preferred-sign value of a 3-digit field")
    func roundTrip() throws {
        let codec = try PackedDecimalCodec(shape: NumericShape(digits: 3, scale: 1, isSigned: true))
        for value in -999...999 {
            let encoded = try codec.encode(ExactDecimal(unscaled: Int128(value), scale: 1))
            guard case .number(let number) = try codec.decode(encoded) else { Issue.record(); return }
            #expect(number.unscaled == Int128(value))
            #expect(try codec.encode(number.exactDecimal) == encoded)
        }
    }
}

@Suite("Zoned decimal (DISPLAY numeric)")
struct FieldCodecZonedDecimalTests {
    /// H4: the sign is in the zone, read from nibbles, so cp273's 'ä' (0xC0) is still +0.
    @Test(
        "EBCDIC zones", arguments: [
            ("F1F2C3", "123"), ("F1F2D3", "-123"), ("F1F2F3", "123"), ("F1F2C0", "120"), ("F0F0D0", "0"),
            ("F1F2A3", "123"), ("F1F2B3", "-123"), ("F1F2E3", "123"),
        ])
    func ebcdicZones(hex: String, expected: String) throws {
        let codec = try ZonedDecimalCodec(shape: NumericShape(digits: 3, isSigned: true))
        #expect(try json(codec, hex) == expected)
    }

    @Test("sign leading, separate leading and trailing, EBCDIC and ASCII")
    func signPositions() throws {
        let shape = NumericShape(digits: 4, scale: 2, isSigned: true)
        #expect(try json(ZonedDecimalCodec(shape: shape, signPosition: .leading), "D1F2F3F4") == "-12.34")
        #expect(try json(ZonedDecimalCodec(shape: shape, signPosition: .leadingSeparate), "60F1F2F3F4") == "-12.34")
        #expect(try json(ZonedDecimalCodec(shape: shape, signPosition: .trailingSeparate), "F1F2F3F44E") == "12.34")
        let ascii = try ZonedDecimalCodec(shape: shape, signPosition: .leadingSeparate, convention: .asciiIBM)
        #expect(try json(ascii, "2D31323334") == "-12.34")
        #expect(try ascii.encode(decimal("5")) == bytes("2B30353030"))
        #expect(throws: FieldCodecError.self) { try ascii.decode(bytes("2031323334")) }
    }

    /// H5: the four ASCII overpunch conventions.
    @Test(
        "ASCII overpunch conventions", arguments: [
            (ZonedDecimalCodec.Convention.asciiIBM, "30307B", "30307D", "303141", "30314A"),
            (.asciiStrict, "303030", "303070", "303131", "303171"),
            (.asciiFujitsu, "303040", "303050", "303141", "303151"),
            (.asciiJRecordGNU, "303030", "303050", "303131", "303151"),
        ])
    func asciiConventions(convention: ZonedDecimalCodec.Convention, zero: String, minusZero: String, plusOne: String,
                          minusEleven: String) throws {
        let codec = try ZonedDecimalCodec(shape: NumericShape(digits: 3, isSigned: true), convention: convention)
        #expect(try json(codec, zero) == "0")
        #expect(try json(codec, minusZero) == "0")
        #expect(try json(codec, plusOne) == "11")
        #expect(try json(codec, minusEleven) == "-11")
        #expect(try codec.encode(decimal("-11")) == bytes(minusEleven))
        #expect(try codec.encode(decimal("0")) == bytes(zero))
    }

    @Test("unsigned fields: zone F preferred, C flagged leniently and rejected strictly, D always rejected")
    func unsigned() throws {
        let lenient = try ZonedDecimalCodec(shape: NumericShape(digits: 1))
        let strict = try ZonedDecimalCodec(shape: NumericShape(digits: 1), signHandling: .strict)
        #expect(try json(lenient, "F5") == "5")
        #expect(try json(lenient, "C5") == "5")
        #expect(throws: FieldCodecError.self) { try strict.decode(bytes("C5")) }
        #expect(throws: FieldCodecError.self) { try lenient.decode(bytes("D5")) }
        #expect(try lenient.encode(decimal("7")) == bytes("F7"))
    }

    /// H3 / H15: spaces inside digits are invalid; all spaces is blank; all low-values is lowValues.
    @Test("invalid digits, blank and low-values")
    func invalid() throws {
        let codec = try ZonedDecimalCodec(shape: NumericShape(digits: 4, isSigned: true))
        #expect(try json(codec, "40404040") == "blank")
        #expect(try json(codec, "00000000") == "lowValues")
        #expect(throws: FieldCodecError.invalidData(
            offset: 1, nibble: 0, expected: "a digit 0xF0–0xF9", found: "0x40", bytes: "F1 40 F2 C3")) {
            try codec.decode(bytes("F140F2C3"))
        }
        #expect(throws: FieldCodecError.self) { try codec.decode(bytes("F1F2F3FA")) }
        let ascii = try ZonedDecimalCodec(shape: NumericShape(digits: 4), convention: .asciiStrict)
        #expect(try json(ascii, "20202020") == "blank")
    }

    @Test("37-digit zoned and P scaling")
    func largeAndScaled() throws {
        let codec = try ZonedDecimalCodec(shape: NumericShape(digits: 37, isSigned: true))
        let digits = "1234567890123456789012345678901234567"
        let hex = digits.dropLast().map { "F" + String($0) }.joined() + "D7"
        #expect(try json(codec, hex) == "-" + digits)
        #expect(try codec.encode(decimal("-" + digits)) == bytes(hex))
        let scaled = try ZonedDecimalCodec(shape: NumericShape(integerDigits: 0, fractionDigits: 5, leadingP: 2, isSigned: true))
        #expect(try json(scaled, "F3F0F5F0D3") == "-0.0030503")
    }
}
