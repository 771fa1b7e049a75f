import Foundation
import Testing

/// The expected-file readers, checked now (before the decoder exists): every expected file of every variant
/// parses, with the record count its case documents.
@Suite("Conformance expected files", .enabled(if: ConformanceCorpus.isPresent, ConformanceCorpus.absentMessage))
struct ConformanceExpectedFilesTests {
    /// Records per expected file, from SOURCES.md / case.json (e.g. "first 60", "379 × 27 bytes", "416 vectors" of
    /// which 136 have a COBOL type).
    static let documentedCounts: [String: Int] = [
        "expected.test1.jsonl": 10, "expected.test1a.jsonl": 10, "expected.test3.jsonl": 60,
        "expected.test3_trim_none.jsonl": 60, "expected.test3_trim_left.jsonl": 60,
        "expected.test3_trim_right.jsonl": 60, "expected.test3_trim_both.jsonl": 60, "expected.test5.jsonl": 60,
        "expected.test5c.jsonl": 60, "expected.test5b.jsonl": 60, "expected.test5d.jsonl": 60,
        "expected.test6.jsonl": 100, "expected.test24_debug_hex.jsonl": 20, "expected.test7.pretty.json": 100,
        "expected.test7c.pretty.json": 100, "expected.test8_printable.jsonl": 60,
        "expected.test8_non_printable.jsonl": 60, "expected.test9_cp037.jsonl": 60,
        "expected.test9_cp037_ext.jsonl": 60, "expected.test9_cp273.jsonl": 60, "expected.test9_cp500.jsonl": 60,
        "expected.test9_cp1140.jsonl": 60, "expected.test9_cp1141.jsonl": 60, "expected.test9_cp1148.jsonl": 60,
        "expected.test13a.jsonl": 50, "expected.test13b.jsonl": 20, "expected.test14.jsonl": 60,
        "expected.test16.pretty.json": 50, "expected.test17a.jsonl": 300, "expected.test19.jsonl": 7,
        "expected.test21.jsonl": 5, "expected.DTAR020.tsv": 379, "expected.DTAR020_small.tsv": 20,
        "expected.DTAR020_small_error.invalid_fields.derived.json": 20, "expected.DTAR1000.csv": 147,
        "expected.OccursDependingOn.derived.jsonl": 192, "TestData_CP037.txt": 136, "TestData_CP273.txt": 136,
        "TestData_Std.txt": 136, "expected.mvsComp.derived.jsonl": 40, "expected.mvsCompPositive.derived.jsonl": 40,
        "expected.mvsCompSync.derived.jsonl": 40, "expected.fjCompSync.derived.jsonl": 40,
        "expected.mvsComp5Sync.derived.jsonl": 40, "expected.mvsComp5positive.derived.jsonl": 40,
        "expected.mfComp.derived.jsonl": 40, "expected.cpyComp.derived.jsonl": 40,
        "expected.custdat.json": 1, "expected.CLIENT.psv": 221, "expected.COBVBFM2.psv": 20,
    ]

    @Test(arguments: ConformanceCase.all)
    func expectedFilesParse(_ conformanceCase: ConformanceCase) throws {
        let folder = ConformanceCorpus.caseFolder(conformanceCase)
        for variant in conformanceCase.variants {
            let content = try ExpectedFileReader.read(variant.expected, in: folder)
            guard let file = variant.expected.fileName else {
                guard case .failure = content else { throw ExpectedFileError.malformed(file: variant.name, line: 0, reason: "not a failure") }
                continue
            }
            let summaryCounts = ["jrecord-10-rdw-odo-customer-file-150": 150, "legstar-02-fcustdat-rdw-10000-records": 10_000]
            let documented = summaryCounts[conformanceCase.name].flatMap { count in
                file == "expected.summary.derived.json" ? count : nil
            } ?? Self.documentedCounts[file]
            let count = try #require(documented, "no documented count for \(file)")
            #expect(content.count == count, "\(conformanceCase.name)/\(variant.name) \(file)")
            print("expected \(conformanceCase.name)/\(file): \(content.count) records")
        }
    }

    /// Every record tree has at least one field, and the cobrix readers removed the fields cobrix adds.
    @Test(arguments: ConformanceCase.all)
    func expectedRecordsAreNonEmpty(_ conformanceCase: ConformanceCase) throws {
        let folder = ConformanceCorpus.caseFolder(conformanceCase)
        for variant in conformanceCase.variants {
            guard case let .records(records) = try ExpectedFileReader.read(variant.expected, in: folder) else {
                continue
            }
            for (index, record) in records.records.enumerated() {
                let leaves = RecordComparator.flatten(
                    record, rename: { $0 }, leafNamesOnly: records.leafNamesOnly, caseInsensitive: false)
                #expect(!leaves.order.isEmpty, "\(conformanceCase.name)/\(variant.name) record \(index) is empty")
                #expect(
                    !leaves.order.contains { ExpectedFileReader.isCobrixAddedKey(RecordComparator.leafName(of: $0)) },
                    "\(conformanceCase.name)/\(variant.name) record \(index) keeps a cobrix-added field")
            }
        }
    }

    /// cobrix-15's nested file (segment-children reassembly) is read but not compared: 50 root records.
    @Test func hierarchicalNestedFileParses() throws {
        let folder = ConformanceCorpus.folder.appendingPathComponent("cobrix-15-hierarchical-multisegment-rdw")
        let content = try ExpectedFileReader.read(.sparkJSONLines("expected.test17c_nested.jsonl"), in: folder)
        #expect(content.count == 50)
    }

    @Test func thirtyOneCases() {
        let names = Set(ConformanceCase.all.map(\.name))
        #expect(names.count == 31)
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: ConformanceCorpus.folder.path)) ?? []
        #expect(names == Set(folders.filter { $0 != "licenses" && $0 != "SOURCES.md" }))
    }
}
