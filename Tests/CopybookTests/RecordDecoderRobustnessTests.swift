import ByteCoding
import CodePages
import Copybook
import Events
import Foundation
import Testing

/// Bounded fuzzing with fixed seeds: real records from the conformance corpus, truncated, bit-flipped, overwritten
/// and replaced by random bytes, through decoders built from the corpus copybooks in strict and lenient modes.
/// Nothing may crash; strict failures are `RecordDecodingError`s that make sense for the input; lenient mode never
/// throws and always writes one parseable JSON object; when strict succeeds, lenient writes the same bytes.
@Suite("RecordDecoder robustness")
struct RecordDecoderRobustnessTests {

    /// A corpus copybook, the data file its records are cut from, and how to decode it.
    struct Source: Sendable, CustomTestStringConvertible {
        var caseName: String
        var copybook: String
        var data: String
        var binarySizes: BinarySizePolicy = .ibm
        var synchronization: SynchronizationPolicy = .ibm
        var ccsid: Int? = 37
        var floatingPoint: RecordDecodingOptions.FloatingPointFormat = .ibmHexadecimal
        var nativeLittleEndian = false
        var variableOccurs: RecordDecodingOptions.VariableOccursStorage = .shifting
        var redefines: RecordDecodingOptions.RedefinesSelection = .all
        var relaxedDisplayNumbers = false
        /// Inputs generated from this source (fewer for the wide cobrix-07 records, whose hundreds of fields make a
        /// mutated record slow to decode in a debug build).
        var iterations = 1_450
        var testDescription: String {
            "\(caseName)/\(copybook)" + (variableOccurs == .maximumSize ? " (maximum-size ODO)" : "")
        }
    }

    static let sources: [Source] = [
        Source(caseName: "cobrix-01-fixed-comp3-odo-redefines", copybook: "test1_copybook.cob", data: "example.bin",
               variableOccurs: .maximumSize),
        Source(caseName: "cobrix-01-fixed-comp3-odo-redefines", copybook: "test1_copybook.cob", data: "example.bin"),
        Source(caseName: "cobrix-07-type-variety-all-usages", copybook: "test24_copybook.cob",
               data: "INTEGR.TYPES.NOV28.DATA.dat", floatingPoint: .ieee754BigEndian, iterations: 300),
        Source(caseName: "cobrix-07-type-variety-all-usages", copybook: "test6_copybook.cob",
               data: "INTEGR.TYPES.NOV28.DATA.dat", iterations: 300),
        Source(caseName: "cobrix-14-fixed-length-segment-redefines", copybook: "test16_fix_len_segments.cob",
               data: "ENTITY.DB.AUG12.DATA.FIX.LEN.dat",
               redefines: .segmentField(
                   field: "SEGMENT-ID", alternatives: ["C": "COMPANY", "P": "PERSON", "B": "PO-BOX"], otherwise: nil)),
        Source(caseName: "cobrix-15-hierarchical-multisegment-rdw", copybook: "test17_hierarchical.cob",
               data: "HIERARCHICAL.DATA.RDW.dat",
               redefines: .segmentField(
                   field: "SEGMENT-ID", alternatives: ["1": "COMPANY", "2": "DEPT", "3": "EMPLOYEE"], otherwise: nil)),
        Source(caseName: "cobrix-16-display-numbers-lenient", copybook: "test19_display_num.cob", data: "data.dat",
               relaxedDisplayNumbers: true),
        Source(caseName: "cobrix-17-nested-odo-variable-size", copybook: "test21_copybook.cob", data: "data.dat",
               ccsid: nil),
        Source(caseName: "jrecord-01-dtar020-cp037-comp3-fixed", copybook: "DTAR020.cbl", data: "DTAR020.bin"),
        Source(caseName: "jrecord-04-ascii-odo-overpunch-text", copybook: "OccursDepending1.cbl",
               data: "OccursDependingOn.txt", ccsid: nil, iterations: 550),
        Source(caseName: "jrecord-07-binary-comp-sync-alignment", copybook: "mvsCompSync.cbl", data: "mvsCompSync.bin",
               ccsid: nil),
        Source(caseName: "jrecord-08-comp5-native-little-endian", copybook: "mvsComp5Sync.cbl",
               data: "mvsComp5Sync.bin", ccsid: nil, nativeLittleEndian: true),
        Source(caseName: "jrecord-09-binary-comp-minimal-bytes-and-1-2-4-8", copybook: "mfComp.cbl", data: "mfComp.bin",
               binarySizes: .microFocus, ccsid: nil),
        Source(caseName: "legstar-01-custdat-odo-short-last-field", copybook: "CUSTDAT.cpy", data: "custdat.bin",
               ccsid: 1140),
        Source(caseName: "aws-mdu-01-multilayout-fb-real-zos", copybook: "COBKS05.cpy", data: "CLIENT.EBCDIC.bin",
               redefines: .segmentField(
                   field: "CLIENT-TYPE", alternatives: ["2": "CLIENT-ADDRESS", "0": "CLIENT-HEADER"],
                   otherwise: "CLIENT-MAIN")),
        Source(caseName: "aws-mdu-02-vb-rdw-odo-comp3-real-zos", copybook: "COBVBFM2.cpy", data: "COBVBFM2.EBCDIC.bin"),
    ]

    /// 20,000 inputs in all, each decoded strictly and leniently.
    static let totalIterations = sources.reduce(0) { $0 + $1.iterations }

    @Test("random and mutated records never crash the decoder", arguments: sources)
    func fuzzDecoder(source: Source) throws {
        guard CopybookFixture.conformanceAvailable else {
            print(CopybookFixture.skipMessage)
            return
        }
        let folder = CopybookFixture.conformanceRoot.appendingPathComponent(source.caseName)
        let text = try CopybookFixture.text(folder.appendingPathComponent(source.copybook))
        let copybook = try Copybook(
            parsing: text, sourceName: source.copybook,
            options: CopybookOptions(binarySizes: source.binarySizes, synchronization: source.synchronization))
        let layout = try #require(copybook.records.first)
        let data = Array(try Data(contentsOf: folder.appendingPathComponent(source.data)))
        try #require(!data.isEmpty)

        var options = RecordDecodingOptions(codePage: try source.ccsid.map { try CodePage(ccsid: $0) }
            ?? CodePage(named: "ascii"))
        options.floatingPoint = source.floatingPoint
        options.nativeBinaryByteOrder = source.nativeLittleEndian ? .littleEndian : .bigEndian
        options.variableOccurs = source.variableOccurs
        options.redefines = source.redefines
        options.relaxedDisplayNumbers = source.relaxedDisplayNumbers
        var strict = try RecordDecoder(layout: layout, options: options)
        options.invalidData = .lenient
        options.debugHex = true
        var lenient = try RecordDecoder(layout: layout, options: options)
        options.debugHex = false
        var lenientPlain = try RecordDecoder(layout: layout, options: options)

        // Where ODO counts live, so some mutations hit them on purpose.
        let objectIDs = Set(layout.items.compactMap { $0.occurs?.dependingOn?.target })
        let objects = layout.items.filter { objectIDs.contains($0.id) }
        // FNV-1a of the source's name: a fixed seed per source, stable across runs (unlike `hashValue`).
        let seed = source.testDescription.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
        var generator = SplitMix64(seed: seed)
        var problems: [String] = []
        var strictFailures = 0
        var strictSuccesses = 0
        for iteration in 0..<source.iterations {
            let input = Self.mutatedRecord(
                from: data, size: layout.size, objects: objects, iteration: iteration, using: &generator)
            input.withUnsafeBytes { buffer in
                // The ODO length function must answer nil or a length within the bytes.
                if let length = strict.actualRecordLength(buffer), length > buffer.count || length < 0 {
                    problems.append("#\(iteration): actualRecordLength \(length) for \(buffer.count) bytes")
                }
                var strictOutput: [UInt8] = []
                var strictSucceeded = false
                do throws(RecordDecodingError) {
                    _ = try strict.decode(buffer, recordNumber: iteration + 1, recordOffset: 0, into: &strictOutput)
                    strictSucceeded = true
                    strictSuccesses += 1
                } catch {
                    strictFailures += 1
                    if let problem = Self.check(error, iteration: iteration, inputCount: buffer.count) {
                        problems.append("#\(iteration) strict: \(problem)")
                    }
                }
                // The debug-hex decoder takes every other input (it only adds keys).
                for withDebug in iteration % 2 == 0 ? [false, true] : [false] {
                    var output: [UInt8] = []
                    do throws(RecordDecodingError) {
                        let reported =
                            withDebug
                            ? try lenient.decode(buffer, recordNumber: iteration + 1, recordOffset: 0, into: &output)
                            : try lenientPlain.decode(buffer, recordNumber: iteration + 1, recordOffset: 0, into: &output)
                        if let problem = Self.checkLine(output, reported: reported) {
                            problems.append("#\(iteration) lenient: \(problem)")
                        }
                        // So a successful strict line is checked too: it must be the same bytes.
                        if !withDebug && strictSucceeded && output != strictOutput {
                            problems.append("#\(iteration): lenient output differs from a successful strict decode")
                        }
                    } catch {
                        problems.append("#\(iteration) lenient threw: \(error)")
                    }
                }
            }
            if problems.count >= 5 { break }
        }
        #expect(problems.isEmpty, "\(source.testDescription): \(problems.joined(separator: "; "))")
        // Mutations must have reached the error paths. (Some corpus files hold invalid data on purpose, and records
        // are cut from variable-length files at fixed strides, so successes are not required per source.)
        #expect(strictFailures > 0, "strict: \(strictFailures) failures, \(strictSuccesses) successes")
        #expect(Self.totalIterations == 20_000)
    }

    /// One input: a real record (a window of the data file), truncated, bit-flipped, overwritten, lengthened, with
    /// random ODO counts, or random bytes.
    static func mutatedRecord(
        from data: [UInt8], size: Int, objects: [DataItem], iteration: Int, using generator: inout SplitMix64
    ) -> [UInt8] {
        let length = max(size, 1)
        // A record boundary of a fixed-length file (for variable-length files, just somewhere in the data).
        let start = data.count >= 2 * length ? length * Int.random(in: 0..<(data.count / length), using: &generator) : 0
        var record = Array(data[start..<min(data.count, start + length)])
        switch iteration % 8 {
        case 0:
            break  // as found
        case 1:
            record = Array(record.prefix(Int.random(in: 0...record.count, using: &generator)))
        case 2:
            for _ in 0..<Int.random(in: 1...8, using: &generator) where !record.isEmpty {
                record[Int.random(in: 0..<record.count, using: &generator)] ^= 1 << UInt8.random(in: 0...7, using: &generator)
            }
        case 3:
            let fills: [UInt8] = [0x00, 0x40, 0xFF, 0x20, UInt8.random(in: 0...255, using: &generator)]
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !record.isEmpty {
                let from = Int.random(in: 0..<record.count, using: &generator)
                let to = min(record.count, from + Int.random(in: 1...16, using: &generator))
                let fill = fills.randomElement(using: &generator) ?? 0
                for index in from..<to { record[index] = fill }
            }
        case 4:
            record = (0..<Int.random(in: 0...(length + 16), using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
        case 5:
            record += (0..<Int.random(in: 1...32, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        case 6:
            // ODO counts: digits in every zone, high values, or random bytes.
            for object in objects where object.offset < record.count {
                for index in object.offset..<min(record.count, object.offset + object.storageSize) {
                    let choices: [UInt8] = [
                        0xF0 | UInt8.random(in: 0...9, using: &generator), 0x30 | UInt8.random(in: 0...9, using: &generator),
                        0xFF, 0x00, 0x99, UInt8.random(in: 0...255, using: &generator),
                    ]
                    record[index] = choices.randomElement(using: &generator) ?? 0
                }
            }
        default:
            // A truncated record with flipped bits.
            record = Array(record.prefix(Int.random(in: 0...record.count, using: &generator)))
            if !record.isEmpty { record[Int.random(in: 0..<record.count, using: &generator)] ^= 0x80 }
        }
        return record
    }

    /// What is wrong with a strict failure, or nil.
    static func check(_ error: RecordDecodingError, iteration: Int, inputCount: Int) -> String? {
        guard !error.description.isEmpty, error.field.map({ !$0.isEmpty }) ?? false else { return "\(error): no field" }
        switch error {
        case let .invalidField(record, _, _, fieldOffset, bytes, reason):
            guard record == iteration + 1, (0..<inputCount).contains(fieldOffset), !bytes.isEmpty, !reason.isEmpty
            else { return "implausible \(error)" }
        case let .recordTooShort(record, _, _, fieldOffset, needed, available):
            guard record == iteration + 1, available == inputCount, fieldOffset + needed > available
            else { return "implausible \(error)" }
        case let .occursCountOutOfRange(record, _, _, count, minimum, maximum):
            guard record == iteration + 1, count > maximum || count < minimum else { return "implausible \(error)" }
        case .unsupportedField, .unknownSegmentField:
            return "a build-time error while decoding: \(error)"
        }
        return nil
    }

    /// What is wrong with one output line, or nil: it must be one JSON object followed by exactly one newline,
    /// and its `_errors` (when present) must list as many entries as `decode` reported.
    static func checkLine(_ output: [UInt8], reported: Int) -> String? {
        guard output.last == 0x0A, output.firstIndex(of: 0x0A) == output.count - 1 else { return "not one line" }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: Array(output.dropLast()))
        } catch {
            return "invalid JSON (\(error)): \(String(decoding: output.prefix(200), as: UTF8.self))"
        }
        guard case .object = value else { return "not an object" }
        let listed = value["_errors"]?.elements?.count ?? 0
        guard listed == reported else { return "_errors lists \(listed), decode reported \(reported)" }
        return nil
    }

    // MARK: Copybook errors

    @Test("copybook syntax errors reach the caller as CopybookError with line:column and field")
    func copybookErrors() throws {
        let cases: [(lines: [String], line: Int, field: String?)] = [
            (["01 CLAIM.", "   05 CLAIM-ID PIC X(6).", "   05 AMT PIC S9(5)V99 COMP-3 TIMES."], 3, "AMT"),
            (["01 CLAIM.", "   05 LINES OCCURS 3 TO 1 DEPENDING ON N.", "      10 A PIC X."], 2, "LINES"),
            (["01 CLAIM.", "   05 N PIC 9.", "   05 T PIC X(2) OCCURS 1 TO 9 DEPENDING ON NN."], 3, "T"),
            (["01 CLAIM.", "   05 A PIC X(3) OCCURS TIMES."], 2, "A"),
            (["01 CLAIM.", "   05 A PIC X(3) VALUE 'ABC"], 2, "A"),
        ]
        for c in cases {
            do {
                let copybook = try CopybookFixture.fixed(c.lines)
                Issue.record("accepted \(c.lines): \(copybook.records.map(\.name))")
            } catch let error as CopybookError {
                #expect(error.location.line == c.line, "\(error)")
                #expect(error.location.column > 7, "\(error)")
                #expect(error.field == c.field, "\(error)")
                #expect(error.description.hasPrefix("test.cpy:\(c.line):\(error.location.column): "), "\(error)")
            }
        }
    }

    static let levels = ["05", "05", "10", "10", "15", "77", "88", "66"]

    static let clauses = [
        "PIC X(3)", "PIC 9(4)", "PIC S9(5)V99 COMP-3", "PIC S9(4) COMP", "PIC 9(18) COMP-5", "USAGE COMP-1",
        "COMP-2", "PIC ZZ9.99-", "PIC PPP9(2)", "PIC S9(3).99", "PIC 9 OCCURS 3 TIMES", "OCCURS 2 TIMES",
        "OCCURS 1 TO 4 TIMES DEPENDING ON N0", "REDEFINES A0", "VALUE 'X'", "VALUE 1 THRU 5",
        "SIGN LEADING SEPARATE", "SYNC", "BLANK WHEN ZERO", "JUST RIGHT", "RENAMES A0 THRU B1", "PIC N(2)",
    ]

    static let vocabulary = [
        "01", "05", "10", "66", "77", "88", "A", "B", "REC", "FILLER", "PIC", "PICTURE", "X(3)", "9(4)", "S9(5)V99",
        "Z,ZZ9.99-", "PPP9", "9(40)", "X(0)", "COMP", "COMP-3", "COMP-5", "COMP-1", "OCCURS", "5", "1", "TO", "TIMES",
        "DEPENDING", "ON", "REDEFINES", "RENAMES", "THRU", "VALUE", "'X'", "'OPEN", "SIGN", "LEADING", "SEPARATE",
        "SYNC", "BLANK", "WHEN", "ZERO", "JUST", "INDEXED", "BY", ".", ".", "(", ")", "*>", "-", "USAGE", "IS",
    ]

    @Test("random copybook text: either a layout or a CopybookError with a position, never a crash")
    func randomCopybookText() throws {
        var generator = SplitMix64(seed: 0xC0B0_1BAD)
        var parsed = 0
        for iteration in 0..<2_000 {
            // Entries built from valid clauses, some of them corrupted by a stray token or a missing period.
            var lines: [String] = ["01 REC."]
            for entry in 0..<Int.random(in: 1...8, using: &generator) {
                var words = [
                    Self.levels.randomElement(using: &generator) ?? "05",
                    (["A", "B", "N", "FILLER"].randomElement(using: &generator) ?? "A") + "\(entry % 3)",
                ]
                for _ in 0..<Int.random(in: 0...3, using: &generator) {
                    words.append(Self.clauses.randomElement(using: &generator) ?? "PIC X")
                }
                if Int.random(in: 0..<8, using: &generator) == 0 {
                    words.insert(
                        Self.vocabulary.randomElement(using: &generator) ?? ".",
                        at: Int.random(in: 0...words.count, using: &generator))
                }
                if Int.random(in: 0..<12, using: &generator) != 0 { words.append(".") }
                lines.append(String(repeating: " ", count: Int.random(in: 7...14, using: &generator)) + words.joined(separator: " "))
            }
            let text = lines.joined(separator: "\n")
            do throws(CopybookError) {
                let copybook = try Copybook(parsing: text, sourceName: "fuzz.cpy")
                parsed += 1
                // Whatever parses must also compile into a decoder (or say which field it cannot decode) and decode
                // a record of random bytes leniently.
                for layout in copybook.records where layout.size <= 4_096 {
                    var options = RecordDecodingOptions()
                    options.invalidData = .lenient
                    guard var decoder = try? RecordDecoder(layout: layout, options: options) else { continue }
                    let record = (0..<Int.random(in: 0...layout.size, using: &generator)).map { _ in
                        UInt8.random(in: 0...255, using: &generator)
                    }
                    var output: [UInt8] = []
                    do {
                        let reported = try record.withUnsafeBytes {
                            try decoder.decode($0, recordNumber: 1, recordOffset: 0, into: &output)
                        }
                        if let problem = Self.checkLine(output, reported: reported) {
                            Issue.record("#\(iteration): \(problem)\n\(text)")
                        }
                    } catch {
                        Issue.record("#\(iteration): lenient decode threw \(error)\n\(text)")
                    }
                }
            } catch {
                let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
                #expect((1...max(lineCount, 1) + 1).contains(error.location.line), "#\(iteration): \(error)\n\(text)")
                #expect(error.location.column >= 1, "#\(iteration): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(parsed > 0, "the vocabulary should make some valid copybooks")
    }

    @Test("mutated corpus copybooks: a layout or a positioned CopybookError, never a crash")
    func mutatedCorpusCopybooks() throws {
        guard CopybookFixture.conformanceAvailable else {
            print(CopybookFixture.skipMessage)
            return
        }
        var generator = SplitMix64(seed: 0x0DD_C0B)
        let texts = try Self.sources.map {
            try CopybookFixture.text(
                CopybookFixture.conformanceRoot.appendingPathComponent($0.caseName).appendingPathComponent($0.copybook))
        }
        for iteration in 0..<1_000 {
            var scalars = Array(texts[iteration % texts.count].unicodeScalars)
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !scalars.isEmpty {
                let position = Int.random(in: 0..<scalars.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: scalars.remove(at: position)
                case 1: scalars.insert(UnicodeScalar(UInt8.random(in: 0x20...0x7E, using: &generator)), at: position)
                default: scalars[position] = [".", "(", "'", "9", " ", "\n"].randomElement(using: &generator) ?? "."
                }
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            do throws(CopybookError) {
                _ = try Copybook(parsing: text, sourceName: "mutated.cpy")
            } catch {
                #expect(error.location.line >= 1 && error.location.column >= 1, "#\(iteration): \(error)")
                #expect(error.source == "mutated.cpy")
            }
        }
    }
}
