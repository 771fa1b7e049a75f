@testable import Copybook
import CodePages
import Events
import Foundation
import Testing

/// jrecord-05: JRecord's field-level encoding vectors (`TestData_{CP037,CP273,Std}.txt`, described by `TestData.cbl`):
/// each line gives a type, field length, decimals, a value and the encoded bytes in hex. Every COBOL-relevant vector
/// is run both ways: encode the value to the hex, decode the hex to the value.
///
/// Mapping of JRecord types to Ferry codecs (length L, decimals D):
/// - 32 `S9(L)` with D decimals, trailing overpunch: zoned, EBCDIC (CP037/CP273) or IBM "modified ASCII" (Std).
/// - 9 / 10 `S9(L-1)` SIGN LEADING / TRAILING SEPARATE with D implied decimals.
/// - 25 `9(L)` (D = 0) or the edited picture `9(L-D-1).9(D)`; 44 / 45 the edited pictures `+9…9.9…9` / `9…9.9…9+`.
/// - 41 / 46 (Std only): Fujitsu and JRecord "GNU Cobol" ASCII zoned.
/// - 0 / 1 `X(L)` and `X(L) JUSTIFIED RIGHT` holding the value's text.
/// Deliberately not run (documented deviations):
/// - Types 5–8, 19–29 except 25, 42, 43: JRecord's own text number formats (left-justified numbers, comma
///   decimals, "any decimal"), not COBOL pictures.
/// - Types 41 / 46 in the CP037 and CP273 files: JRecord renders its ASCII Fujitsu/GNU conventions through an
///   EBCDIC code page (`000@` → 0x7C); no producer writes that, and Ferry reads EBCDIC zones from nibbles (H4).
@Suite("jrecord-05 field encoding vectors")
struct FieldCodecJRecordVectorTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("../shared/conformance/mainframe/jrecord-05-display-field-encoding-vectors")
        .standardizedFileURL

    struct Vector {
        let line: Int
        let type: Int
        let length: Int
        let decimals: Int
        let value: String
        let hex: String
    }

    static func vectors(file: String) throws -> [Vector] {
        let data = try Data(contentsOf: folder.appendingPathComponent(file))
        var result: [Vector] = []
        for (number, rawLine) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let line = Array(rawLine.filter { $0 != 0x0D })
            guard line.count >= 88 else { continue }
            func column(_ from: Int, _ to: Int) -> String {
                String(decoding: line[(from - 1)..<to], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            }
            guard let type = Int(column(46, 48)), let length = Int(column(50, 51)), let decimals = Int(column(53, 53))
            else { continue }
            result.append(Vector(line: number + 1, type: type, length: length, decimals: decimals,
                                 value: column(55, 62), hex: column(73, 88)))
        }
        return result
    }

    enum Codec {
        case numeric(any NumericFieldCodec)
        case text(AlphanumericCodec)
    }

    static func codec(for vector: Vector, page: CodePage, ascii: Bool) throws -> Codec? {
        let length = vector.length
        let decimals = vector.decimals
        let convention: ZonedDecimalCodec.Convention = ascii ? .asciiIBM : .ebcdic
        func edited(sign: String, trailing: Bool) throws -> EditedNumericCodec {
            let integer = String(repeating: "9", count: length - decimals - (decimals > 0 ? 1 : 0) - sign.count)
            let fraction = decimals > 0 ? "." + String(repeating: "9", count: decimals) : ""
            return try EditedNumericCodec(picture: trailing ? integer + fraction + sign : sign + integer + fraction, codePage: page)
        }
        switch vector.type {
        case 32:
            return .numeric(try ZonedDecimalCodec(
                shape: NumericShape(digits: length, scale: decimals, isSigned: true), convention: convention))
        case 9, 10:
            return .numeric(try ZonedDecimalCodec(
                shape: NumericShape(digits: length - 1, scale: decimals, isSigned: true),
                signPosition: vector.type == 9 ? .leadingSeparate : .trailingSeparate, convention: convention))
        case 25:
            if decimals == 0 {
                return .numeric(try ZonedDecimalCodec(shape: NumericShape(digits: length), convention: convention))
            }
            return .numeric(try edited(sign: "", trailing: false))
        case 44: return .numeric(try edited(sign: "+", trailing: false))
        case 45: return .numeric(try edited(sign: "+", trailing: true))
        case 41, 46:
            guard ascii else { return nil }
            return .numeric(try ZonedDecimalCodec(
                shape: NumericShape(digits: length, scale: decimals, isSigned: true),
                convention: vector.type == 41 ? .asciiFujitsu : .asciiJRecordGNU))
        case 0: return .text(AlphanumericCodec(byteCount: length, codePage: page))
        case 1: return .text(AlphanumericCodec(byteCount: length, codePage: page, trimming: .left, isJustifiedRight: true))
        default: return nil
        }
    }

    @Test("vectors encode to the hex and decode to the value", arguments: [
        ("TestData_CP037.txt", 37), ("TestData_CP273.txt", 273), ("TestData_Std.txt", 367),
    ])
    func vectors(file: String, ccsid: Int) throws {
        guard FileManager.default.fileExists(atPath: Self.folder.path) else {
            print("jrecord-05: conformance folder \(Self.folder.path) is absent; skipped (the conformance material lives beside the repository, in ../shared/conformance)")
            return
        }
        let page = try CodePage(ccsid: ccsid)
        let all = try Self.vectors(file: file)
        #expect(all.count == 416)
        var passed = 0
        var skipped = 0
        for vector in all {
            guard let codec = try Self.codec(for: vector, page: page, ascii: ccsid == 367) else {
                skipped += 1
                continue
            }
            let expected = bytes(vector.hex)
            let context = "\(file):\(vector.line) type \(vector.type) len \(vector.length).\(vector.decimals) value \(vector.value)"
            switch codec {
            case .numeric(let codec):
                let value = try decimal(vector.value)
                let encoded = try codec.encode(value)
                let decoded = try codec.decode(expected)
                guard case .number(let number) = decoded, try number.exactDecimal == value, encoded == expected else {
                    Issue.record("\(context): encoded \(encoded.map { String($0, radix: 16) }) decoded \(decoded)")
                    continue
                }
            case .text(let codec):
                let encoded = try codec.encode(vector.value)
                let decoded = try codec.decode(expected)
                guard encoded == expected, decoded == vector.value else {
                    Issue.record("\(context): encoded \(encoded) decoded \(String(describing: decoded))")
                    continue
                }
            }
            passed += 1
        }
        print("jrecord-05 \(file): \(passed) passed, \(skipped) not run (JRecord-only text types or EBCDIC-rendered ASCII zoned), of \(all.count)")
        #expect(passed + skipped == all.count)
    }
}
