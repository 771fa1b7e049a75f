import Copybook
import Foundation
import Testing

/// The conformance corpus (`../shared/conformance/mainframe`): every copybook parses; record lengths equal what
/// the manifests state; offsets and lengths equal the anchors' own layout dumps; true-shifting ODO record
/// lengths computed with ``RecordLayout/actualSize(countOf:)`` equal the real records' lengths.
@Suite(.enabled(if: CopybookFixture.conformanceAvailable, "\(CopybookFixture.skipMessage)"))
struct LayoutConformanceTests {
    struct CopybookFile: Sendable, CustomTestStringConvertible {
        var caseName: String
        var file: String
        var testDescription: String { "\(caseName)/\(file)" }
        var url: URL { CopybookFixture.conformanceRoot.appendingPathComponent(caseName).appendingPathComponent(file) }
        var options: CopybookOptions { CopybookFixture.options(forConformanceFile: file) }
        func parse() throws -> Copybook {
            try Copybook(parsing: try CopybookFixture.text(url), sourceName: file, options: options)
        }
    }

    static let files = CopybookFixture.conformanceCopybooks().map { CopybookFile(caseName: $0.caseName, file: $0.file) }

    static func manifest(_ caseName: String) throws -> [String: Any] {
        let url = CopybookFixture.conformanceRoot.appendingPathComponent(caseName).appendingPathComponent("case.json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test func everyCaseHasItsCopybooksListed() throws {
        let cases = Set(Self.files.map(\.caseName))
        #expect(cases.count == 31, "cases with a copybook: \(cases.count)")
    }

    @Test(arguments: files)
    func parses(_ file: CopybookFile) throws {
        let copybook = try file.parse()
        #expect(!copybook.records.isEmpty)
        for record in copybook.records {
            #expect(record.size > 0)
            #expect(record.fields.allSatisfy { $0.offset + $0.size <= record.size })
        }
    }

    /// What the manifest's `record_format` states about the record length, as (minimum, maximum) payload bytes.
    static func statedLength(_ recordFormat: String) -> (Int, Int)? {
        func match(_ pattern: String) -> [Int]? {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                  let m = regex.firstMatch(in: recordFormat, range: NSRange(recordFormat.startIndex..., in: recordFormat))
            else { return nil }
            return (1..<m.numberOfRanges).compactMap {
                Range(m.range(at: $0), in: recordFormat).flatMap { Int(recordFormat[$0]) }
            }
        }
        if let n = match(#"copybook covers bytes (\d+)\.\.(\d+)"#) { return (n[1] - n[0] + 1, n[1] - n[0] + 1) }
        if let n = match(#"RDW incl\. header \((\d+)\.\.(\d+)\)"#) { return (n[0] - 4, n[1] - 4) }
        if let n = match(#"length (\d+) INCLUDES the 4 header bytes"#) { return (n[0] - 4, n[0] - 4) }
        if let n = match(#"^FB? (?:LRECL )?(\d+)[ ,]"#) { return (n[0], n[0]) }
        if let n = match(#"^F \(fixed, (\d+) bytes"#) { return (n[0], n[0]) }
        return nil
    }

    @Test(arguments: files)
    func recordLengthMatchesTheManifest(_ file: CopybookFile) throws {
        let copybook = try file.parse()
        let manifest = try Self.manifest(file.caseName)
        var checked = false
        if let format = manifest["record_format"] as? String, let (minimum, maximum) = Self.statedLength(format) {
            let record = try #require(copybook.records.first)
            #expect(copybook.maximumRecordSize == maximum, "\(format)")
            // A stated range is a shifting-ODO file; a single length is a fixed file (ODO stored at maximum).
            if minimum != maximum { #expect(record.minimumSize == minimum, "\(format)") }
            checked = true
        }
        // JRecord's GnuCOBOL fixtures: the derived layout states the record length and every Num field's offset.
        let stem = (file.file as NSString).deletingPathExtension
        let derived = file.url.deletingLastPathComponent().appendingPathComponent("expected.\(stem).derived.jsonl")
        if let data = try? Data(contentsOf: derived),
           let firstLine = String(decoding: data, as: UTF8.self).split(separator: "\n").first,
           let layout = try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any] {
            let record = try #require(copybook.records.first)
            #expect(record.size == layout["record_length"] as? Int)
            let fields = try #require(layout["layout"] as? [[String: Any]])
            for field in fields {
                let name = try #require(field["field"] as? String)
                let item = try #require(record.item(path: [name]), "\(name)")
                #expect(item.offset == field["offset"] as? Int, "\(name) offset")
                #expect(item.storageSize == field["length"] as? Int, "\(name) length")
            }
            checked = true
        }
        if !checked {
            // Nothing stated for this case (V files with in-record or RDW lengths, text tables): parsing is the check.
            #expect(copybook.maximumRecordSize > 0)
        }
    }

    // MARK: cobrix layout dumps

    struct CobrixLayout: Sendable, CustomTestStringConvertible {
        var caseName: String
        var copybook: String
        var layout: String
        var testDescription: String { "\(caseName)/\(layout)" }
    }

    static let cobrixLayouts: [CobrixLayout] = [
        CobrixLayout(caseName: "cobrix-07-type-variety-all-usages", copybook: "test6_copybook.cob",
                     layout: "expected.test6_layout.txt"),
        CobrixLayout(caseName: "cobrix-07-type-variety-all-usages", copybook: "test24_copybook.cob",
                     layout: "expected.test24_layout.txt"),
        CobrixLayout(caseName: "cobrix-08-fillers-and-redefines", copybook: "test7_fillers.cob",
                     layout: "expected.test7_layout.txt"),
        CobrixLayout(caseName: "cobrix-08-fillers-and-redefines", copybook: "test7_fillers.cob",
                     layout: "expected.test7c_layout.txt"),
        CobrixLayout(caseName: "cobrix-14-fixed-length-segment-redefines", copybook: "test16_fix_len_segments.cob",
                     layout: "expected.test16_layout.txt"),
        CobrixLayout(caseName: "cobrix-15-hierarchical-multisegment-rdw", copybook: "test17_hierarchical.cob",
                     layout: "expected.test17a_layout.txt"),
        CobrixLayout(caseName: "cobrix-16-display-numbers-lenient", copybook: "test19_display_num.cob",
                     layout: "expected.test19_layout.txt"),
    ]

    /// One row of a cobrix layout dump: name, attributes (`r` redefined, `R` redefines), 1-based start, length.
    struct CobrixRow { var name: String; var attributes: String; var start: Int; var length: Int }

    static func cobrixRows(_ text: String) -> [CobrixRow] {
        var rows: [CobrixRow] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("-") {
            let tokens = line.split(separator: " ").map(String.init)
            let numbers = tokens.reversed().prefix { Int($0) != nil }.reversed().compactMap { Int($0) }
            guard numbers.count >= 3 else { continue }
            var words = tokens.dropLast(numbers.count)
            if let first = words.first, Int(first) != nil { words = words.dropFirst() }  // the level
            guard let name = words.first else { continue }
            let start = numbers[numbers.count - 3]
            let length = numbers[numbers.count - 1]
            rows.append(CobrixRow(name: name, attributes: words.dropFirst().joined(), start: start, length: length))
        }
        return rows
    }

    /// Compares every item's 1-based start and length with cobrix's dump, in order. Deviations, each deliberate:
    /// - `<FIELD>_debug` rows (test24) are cobrix debug-mode pseudo-fields over the same bytes, not copybook items:
    ///   skipped.
    /// - cobrix gives every member of a REDEFINES set (attributes `r`/`R`) the size of the largest member; Ferry
    ///   gives each item its own size (IBM), so for those rows the check is start equal and cobrix's length equal
    ///   to the largest of Ferry's sizes in the set.
    /// - cobrix renames FILLERs (`FILLER_P1`, test7c); names are compared only for non-FILLER items.
    @Test(arguments: cobrixLayouts)
    func offsetsMatchCobrixLayout(_ c: CobrixLayout) throws {
        let folder = CopybookFixture.conformanceRoot.appendingPathComponent(c.caseName)
        let copybook = try Copybook(
            parsing: try CopybookFixture.text(folder.appendingPathComponent(c.copybook)), sourceName: c.copybook)
        let record = try #require(copybook.records.first)
        let rows = Self.cobrixRows(try CopybookFixture.text(folder.appendingPathComponent(c.layout)))
            .filter { !$0.name.hasSuffix("_debug") }
        try #require(rows.count == record.items.count, "cobrix rows \(rows.count), items \(record.items.count)")
        var compared = 0
        for (row, item) in zip(rows, record.items) {
            if !item.isFiller {
                #expect(row.name.uppercased() == item.name.replacingOccurrences(of: "-", with: "_").uppercased())
            }
            #expect(row.start == item.offset + 1, "\(item.path) start")
            if row.attributes.contains("r") || row.attributes.contains("R") {
                let base = item.redefines?.target ?? item.id
                let set = record.items.filter { $0.id == base || $0.redefines?.target == base }
                #expect(row.length == set.map(\.totalSize).max(), "\(item.path) length (REDEFINES set)")
            } else {
                #expect(row.length == item.totalSize, "\(item.path) length")
            }
            compared += 1
        }
        #expect(compared == record.items.count)
    }

    // MARK: Shifting ODO: actual record lengths from the counts in real records

    /// cobrix-17: ASCII records laid end to end, split only by their nested ODO counts (1, 2, 4, 6, 5 bytes).
    @Test func nestedODORecordLengthsFromCobrixData() throws {
        let folder = CopybookFixture.conformanceRoot.appendingPathComponent("cobrix-17-nested-odo-variable-size")
        let copybook = try Copybook(parsing: try CopybookFixture.text(folder.appendingPathComponent("test21_copybook.cob")))
        let record = try #require(copybook.records.first)
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent("data.dat")))
        var position = 0
        var lengths: [Int] = []
        while position < bytes.count {
            let base = position
            let length = try record.actualSize { object, offset throws(CountError) -> Int in
                try Self.asciiDigits(bytes, at: base + offset, length: object.storageSize)
            }
            lengths.append(length)
            position += length
        }
        #expect(lengths == [1, 2, 4, 6, 5])
        #expect(position == bytes.count)
        #expect(try CopybookFixture.item(copybook, "INNER-COUNT").isVariablyLocated)
        #expect(try CopybookFixture.item(copybook, "FIELD").isVariablyLocated)
        #expect(!(try CopybookFixture.item(copybook, "COUNT").isVariablyLocated))
    }

    /// jrecord-04: 192 ASCII lines, two consecutive shifting ODO tables (counts in trailing overpunch, some 0
    /// below the declared minimum of 1): each line's length is the record's actual size.
    @Test func twoShiftingODOTablesFromJRecordText() throws {
        let folder = CopybookFixture.conformanceRoot.appendingPathComponent("jrecord-04-ascii-odo-overpunch-text")
        let copybook = try Copybook(parsing: try CopybookFixture.text(folder.appendingPathComponent("OccursDepending1.cbl")))
        let record = try #require(copybook.records.first)
        let text = try CopybookFixture.text(folder.appendingPathComponent("OccursDependingOn.txt"))
        let lines = text.split(separator: "\r\n").map { Array($0.utf8) }
        #expect(lines.count == 192)
        var belowMinimum = 0
        for line in lines {
            let length = try record.actualSize { object, offset throws(CountError) -> Int in
                let count = try Self.asciiDigits(line, at: offset, length: object.storageSize)
                if count < 1 { belowMinimum += 1 }
                return count
            }
            #expect(length == line.count)
        }
        #expect(belowMinimum > 0, "the file has counts of 0 below the declared minimum")
        #expect(try CopybookFixture.item(copybook, "total-purchase-value").isVariablyLocated)
        #expect(!(try CopybookFixture.item(copybook, "months").isVariablyLocated))
    }

    /// aws-mdu-02 (packed count) and jrecord-10 (binary count): every RDW's payload length equals the record's
    /// actual size computed from its own ODO count.
    @Test(arguments: [
        ("aws-mdu-02-vb-rdw-odo-comp3-real-zos", "COBVBFM2.cpy", "COBVBFM2.EBCDIC.bin", 20),
        ("jrecord-10-rdw-odo-customer-file-150", "FCUSDAT.cbl", "ZOS.FCUSTDAT_150.vb.bin", 150),
    ])
    func rdwPayloadLengthsEqualActualSizes(_ caseName: String, _ copybookName: String, _ dataName: String,
                                           _ expectedRecords: Int) throws {
        let folder = CopybookFixture.conformanceRoot.appendingPathComponent(caseName)
        let copybook = try Copybook(parsing: try CopybookFixture.text(folder.appendingPathComponent(copybookName)))
        let record = try #require(copybook.records.first)
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(dataName)))
        var position = 0
        var records = 0
        while position + 4 <= bytes.count {
            let rdw = Int(bytes[position]) << 8 | Int(bytes[position + 1])
            let payload = Array(bytes[(position + 4)..<min(bytes.count, position + rdw)])
            let length = try record.actualSize { object, offset throws(CountError) -> Int in
                try Self.binaryOrPackedCount(payload, item: object, at: offset)
            }
            #expect(length == rdw - 4, "record \(records + 1)")
            position += rdw
            records += 1
        }
        #expect(records == expectedRecords)
        #expect(position == bytes.count)
    }

    struct CountError: Error {}

    /// An unsigned DISPLAY count in ASCII, trailing overpunch (`{`, `A`–`I`) accepted.
    static func asciiDigits(_ bytes: [UInt8], at offset: Int, length: Int) throws(CountError) -> Int {
        guard offset >= 0, offset + length <= bytes.count else { throw CountError() }
        var value = 0
        for byte in bytes[offset..<(offset + length)] {
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "{"): digit = 0
            case UInt8(ascii: "A")...UInt8(ascii: "I"): digit = Int(byte - UInt8(ascii: "A")) + 1
            default: throw CountError()
            }
            value = value * 10 + digit
        }
        return value
    }

    /// A big-endian binary or a packed-decimal count (test helper only; the real codecs are elsewhere).
    static func binaryOrPackedCount(_ bytes: [UInt8], item: DataItem, at offset: Int) throws(CountError) -> Int {
        guard offset + item.storageSize <= bytes.count else { throw CountError() }
        let field = bytes[offset..<(offset + item.storageSize)]
        switch item.usage {
        case .binary, .nativeBinary:
            return field.reduce(0) { $0 << 8 | Int($1) }
        case .packedDecimal:
            var value = 0
            for (index, byte) in field.enumerated() {
                value = value * 10 + Int(byte >> 4)
                if index < field.count - 1 { value = value * 10 + Int(byte & 0x0F) }
            }
            return value
        default:
            throw CountError()
        }
    }
}
