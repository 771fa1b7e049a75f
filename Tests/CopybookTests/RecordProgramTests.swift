import ByteCoding
import CodePages
@testable import Copybook
import Events
import Foundation
import Testing

/// The compiled program (flat steps for fixed-shape layouts) must write exactly what the tree walk writes.
@Suite struct RecordProgramTests {
    static let copybook = """
               01  CLAIM.
                   05  CLAIM-ID            PIC X(8).
                   05  AMOUNT              PIC S9(5)V99 COMP-3.
                   05  UNITS               PIC 9(4) COMP-3.
                   05  RATE                PIC SV9(4) COMP-3.
                   05  ZONED               PIC S9(3)V9.
                   05  PLAIN               PIC 9(4).
                   05  COUNTS              PIC S9(4) COMP OCCURS 3 TIMES.
                   05  BIG                 PIC S9(12) BINARY.
                   05  FLOATING            COMP-2.
                   05  NOTE                PIC X(5).
        """

    func decoders(_ options: RecordDecodingOptions = RecordDecodingOptions()) throws -> (RecordDecoder, RecordDecoder) {
        let layout = try Copybook(parsing: Self.copybook).records[0]
        let compiled = try RecordDecoder(layout: layout, options: options)
        var walker = compiled
        walker.allowsCompiledProgram = false
        #expect(compiled.hasCompiledProgram)
        return (compiled, walker)
    }

    static func record(_ generator: inout SystemRandomNumberGenerator, valid: Bool) -> [UInt8] {
        let page = try! CodePage(ccsid: 37)
        var bytes: [UInt8] = []
        bytes += try! page.encode(String((0..<8).map { _ in "ABC 12z".randomElement(using: &generator)! }))
        func packed(_ count: Int, signed: Bool) -> [UInt8] {
            var out = (0..<count).map { _ in UInt8.random(in: 0...9, using: &generator) << 4 | UInt8.random(in: 0...9, using: &generator) }
            out[count - 1] = out[count - 1] & 0xF0 | (signed ? [0xC, 0xD, 0xF].randomElement(using: &generator)! : 0xF)
            return out
        }
        bytes += packed(4, signed: true)
        bytes += packed(3, signed: false)
        bytes += packed(3, signed: true)
        bytes += (0..<4).map { _ in 0xF0 | UInt8.random(in: 0...9, using: &generator) }
        bytes[bytes.count - 1] = [0xC0, 0xD0, 0xF0].randomElement(using: &generator)! | bytes[bytes.count - 1] & 0x0F
        bytes += (0..<4).map { _ in 0xF0 | UInt8.random(in: 0...9, using: &generator) }
        bytes += (0..<(6 + 8 + 8)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[bytes.count - 8] = 0x42  // a normalised HFP exponent keeps COMP-2 finite
        bytes += try! page.encode(String((0..<5).map { _ in "x\"\\ é".randomElement(using: &generator)! }))
        if Bool.random(using: &generator) { bytes[bytes.count - 1] = 0x00 }  // LOW-VALUE padding in text
        if !valid {
            // Damage one byte somewhere: the compiled program must give up and the walk decide.
            let at = Int.random(in: 0..<bytes.count, using: &generator)
            bytes[at] = UInt8.random(in: 0...255, using: &generator)
        }
        return bytes
    }

    @Test(arguments: [RecordDecodingOptions.InvalidDataPolicy.strict, .lenient], [true, false])
    func compiledOutputEqualsTheTreeWalk(policy: RecordDecodingOptions.InvalidDataPolicy, lowValuesAsNull: Bool) throws {
        var options = RecordDecodingOptions()
        options.invalidData = policy
        options.lowValuesAsNull = lowValuesAsNull
        var (compiled, walker) = try decoders(options)
        var generator = SystemRandomNumberGenerator()
        var compared = 0
        for round in 0..<4000 {
            let record = Self.record(&generator, valid: round % 2 == 0)
            var fast: [UInt8] = []
            var slow: [UInt8] = []
            let fastResult = record.withUnsafeBytes { bytes in
                Result { () throws(RecordDecodingError) in try compiled.decode(bytes, recordNumber: round, recordOffset: 0, into: &fast) }
            }
            let slowResult = record.withUnsafeBytes { bytes in
                Result { () throws(RecordDecodingError) in try walker.decode(bytes, recordNumber: round, recordOffset: 0, into: &slow) }
            }
            switch (fastResult, slowResult) {
            case (.success, .success):
                #expect(fast == slow, "record \(round): \(HexDump.compact(record))\ncompiled: \(String(decoding: fast, as: UTF8.self))walk:     \(String(decoding: slow, as: UTF8.self))")
                compared += 1
            case let (.failure(a), .failure(b)):
                #expect(a == b)
            default:
                Issue.record("record \(round): compiled \(fastResult), walk \(slowResult)")
            }
        }
        #expect(compared > 1000)
    }

    /// Unsigned ASCII zoned fields have their own step (plain digits only); everything else (overpunches, spaces,
    /// low-values, signs) must still give the tree walk's value or error, under every convention and option.
    @Test(arguments: [RecordDecodingOptions.ASCIIZonedConvention.ibmOverpunch, .strictASCII, .fujitsu, .gnuCOBOLJRecord])
    func unsignedASCIIZonedStepEqualsTheTreeWalk(convention: RecordDecodingOptions.ASCIIZonedConvention) throws {
        let layout = try Copybook(parsing: """
                   01  R.
                       05  DATE-1   PIC 9(8).
                       05  AMOUNT   PIC 9(5)V99.
                       05  DIGIT    PIC 9.
                       05  RATE     PIC V99.
                       05  SIGNED   PIC S9(3).
                       05  NOTE     PIC X(3).
            """).records[0]
        var generator = SystemRandomNumberGenerator()
        var compared = 0
        for variant in 0..<8 {
            var options = RecordDecodingOptions()
            options.codePage = try CodePage(ccsid: 819)
            options.asciiZonedConvention = convention
            options.strictSigns = variant & 1 != 0
            options.blankNumericAsNull = variant & 2 != 0
            options.relaxedDisplayNumbers = variant & 4 != 0
            options.invalidData = variant & 1 != 0 ? .lenient : .strict
            var compiled = try RecordDecoder(layout: layout, options: options)
            var walker = compiled
            walker.allowsCompiledProgram = false
            #expect(compiled.hasCompiledProgram)
            let readers = try #require(compiled.fieldReaders)
            for round in 0..<500 {
                let alphabet: [UInt8] = round % 3 == 0 ? Array("0123456789 {A}Jp@P\0+-".utf8) + [0] : Array("0123456789".utf8)
                let record = (0..<(8 + 7 + 1 + 2 + 3 + 3)).map { _ in alphabet.randomElement(using: &generator)! }
                var fast: [UInt8] = []
                var slow: [UInt8] = []
                let fastResult = record.withUnsafeBytes { bytes in
                    Result { () throws(RecordDecodingError) in try compiled.decode(bytes, recordNumber: round, recordOffset: 0, into: &fast) }
                }
                let slowResult = record.withUnsafeBytes { bytes in
                    Result { () throws(RecordDecodingError) in try walker.decode(bytes, recordNumber: round, recordOffset: 0, into: &slow) }
                }
                switch (fastResult, slowResult) {
                case (.success, .success):
                    #expect(fast == slow, "record \(round): \(String(decoding: record, as: UTF8.self))\ncompiled: \(String(decoding: fast, as: UTF8.self))walk:     \(String(decoding: slow, as: UTF8.self))")
                    compared += 1
                case let (.failure(a), .failure(b)):
                    #expect(a == b)
                default:
                    Issue.record("record \(round): compiled \(fastResult), walk \(slowResult)")
                }
                // Each field's reader writes what the record's JSON holds for it, or gives up.
                var scratch: [UInt8] = []
                for reader in readers {
                    var appended: [UInt8] = []
                    var written = [UInt8](repeating: 0, count: reader.maximumJSONCount)
                    var at = 0
                    let appendedOK = record.withUnsafeBytes { reader.appendJSON($0, to: &appended) }
                    let writtenOK = record.withUnsafeBytes { bytes in
                        written.withUnsafeMutableBufferPointer { reader.writeJSON(bytes, to: $0.baseAddress!, at: &at, scratch: &scratch) }
                    }
                    #expect(appendedOK == writtenOK)
                    if appendedOK, writtenOK {
                        #expect(Array(written[..<at]) == appended)
                        if case .success = slowResult {
                            let member = Array("\"\(reader.name)\":".utf8) + appended
                            #expect(slow.firstRange(of: member) != nil, "\(reader.name): \(String(decoding: appended, as: UTF8.self)) not in \(String(decoding: slow, as: UTF8.self))")
                        }
                    }
                }
            }
        }
        #expect(compared > 1000)
    }

    @Test func layoutsWithVariableShapeAreNotCompiled() throws {
        let odo = try Copybook(parsing: """
                   01  R.
                       05  N      PIC 9.
                       05  T      PIC X OCCURS 1 TO 5 DEPENDING ON N.
            """).records[0]
        #expect(try !RecordDecoder(layout: odo).hasCompiledProgram)
        var debug = RecordDecodingOptions()
        debug.debugHex = true
        #expect(try !RecordDecoder(layout: try Copybook(parsing: Self.copybook).records[0], options: debug).hasCompiledProgram)
    }
}

@Suite struct StrictSignTests {
    /// `PIC 9(3) COMP-3` holding X'123C': IBM's NUMPROC(NOPFD) reads +123; with strict signs only F is accepted.
    @Test func strictSignsRejectASignedNibbleInAnUnsignedField() throws {
        let layout = try Copybook(parsing: "       01  R.\n           05  N  PIC 9(3) COMP-3.\n").records[0]
        let bytes: [UInt8] = [0x12, 0x3C]
        var lenient = try RecordDecoder(layout: layout)
        var output: [UInt8] = []
        try bytes.withUnsafeBytes { _ = try lenient.decode($0, recordNumber: 1, recordOffset: 0, into: &output) }
        #expect(String(decoding: output, as: UTF8.self) == "{\"N\":123}\n")
        var options = RecordDecodingOptions()
        options.strictSigns = true
        var strict = try RecordDecoder(layout: layout, options: options)
        output = []
        #expect(throws: RecordDecodingError.self) {
            try bytes.withUnsafeBytes { _ = try strict.decode($0, recordNumber: 1, recordOffset: 0, into: &output) }
        }
        let preferred: [UInt8] = [0x12, 0x3F]
        output = []
        try preferred.withUnsafeBytes { _ = try strict.decode($0, recordNumber: 1, recordOffset: 0, into: &output) }
        #expect(String(decoding: output, as: UTF8.self) == "{\"N\":123}\n")
    }
}
