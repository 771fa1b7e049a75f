import Events

extension ConformanceCase {
    private static func fileSettings(
        _ copybook: String, _ data: String, framing: RecordFraming, codePage: CodePageName
    ) -> CaseSettings {
        CaseSettings(copybook: .file(copybook), data: .file(data), framing: framing, codePage: codePage)
    }

    private static let ibmRDW = RecordFraming.rdw(RDWHeader(layout: .bigEndian, includesHeader: true))

    /// A GnuCOBOL binary fixture: ASCII text plus binary numbers, checked against NumA.
    private static func gnuCOBOLFixture(
        _ name: String, length: Int, binarySizes: BinarySizes = .ibm, sync: SyncAlignment = .ignored,
        comp5: ByteOrder = .bigEndian
    ) -> ConformanceVariant {
        var settings = fileSettings("\(name).cbl", "\(name).bin", framing: .fixed(length: length), codePage: .ascii)
        settings.binarySizes = binarySizes
        settings.sync = sync
        settings.comp5ByteOrder = comp5
        return ConformanceVariant(
            name: name, settings: settings, expected: .checkedFields("expected.\(name).derived.jsonl"))
    }

    static let jrecord: [ConformanceCase] = [
        ConformanceCase(
            name: "jrecord-01-dtar020-cp037-comp3-fixed",
            checks: "cp037 sales file: X(8) and five COMP-3 fields with C/D signs, 379 × 27 bytes, no 01 level",
            variants: [
                ConformanceVariant(
                    name: "DTAR020",
                    settings: fileSettings("DTAR020.cbl", "DTAR020.bin", framing: .fixed(length: 27), codePage: .cp037),
                    expected: .delimited(
                        "expected.DTAR020.tsv", separator: UInt8(ascii: "\t"), naming: .prefixDropped("DTAR020-")))
            ]),
        ConformanceCase(
            name: "jrecord-02-dtar020-small-roundtrip-and-bad-packed",
            checks: "20 records; a copy with 6 corrupted packed fields: null in lenient mode, an error in strict mode",
            variants: [
                ConformanceVariant(
                    name: "small",
                    settings: fileSettings(
                        "DTAR020.cbl", "DTAR020_small.bin", framing: .fixed(length: 27), codePage: .cp037),
                    expected: .delimited(
                        "expected.DTAR020_small.tsv", separator: UInt8(ascii: "\t"), naming: .cobolNames)),
                ConformanceVariant(
                    name: "error-lenient",
                    settings: {
                        var settings = fileSettings(
                            "DTAR020.cbl", "DTAR020_small_error.bin", framing: .fixed(length: 27), codePage: .cp037)
                        settings.invalidData = .lenient
                        return settings
                    }(),
                    expected: .invalidFields(
                        "expected.DTAR020_small_error.invalid_fields.derived.json",
                        valid: "expected.DTAR020_small.tsv")),
                ConformanceVariant(
                    name: "error-strict",
                    settings: fileSettings(
                        "DTAR020.cbl", "DTAR020_small_error.bin", framing: .fixed(length: 27), codePage: .cp037),
                    expected: .decodingFails("record 6 holds DTAR020-DEPT-NO bytes 28 00: sign nibble 0")),
            ]),
        ConformanceCase(
            name: "jrecord-03-dtar1000-rdw-cp273-binary",
            checks: "big-endian RDW including its 4 bytes, S9(4) COMP, cp273, 147 records",
            variants: [
                ConformanceVariant(
                    name: "DTAR1000",
                    settings: fileSettings(
                        "DTAR1000.cbl", "DTAR1000_Store_file_std.bin", framing: ibmRDW, codePage: .cp273),
                    expected: .delimited(
                        "expected.DTAR1000.csv", separator: UInt8(ascii: ";"), naming: .prefixDropped("DTAR1000-")))
            ]),
        ConformanceCase(
            name: "jrecord-04-ascii-odo-overpunch-text",
            checks: "ASCII lines, two shifting ODO tables with counts 0 below the declared minimum, ASCII overpunch",
            variants: [
                ConformanceVariant(
                    name: "OccursDependingOn",
                    settings: {
                        var settings = fileSettings(
                            "OccursDepending1.cbl", "OccursDependingOn.txt", framing: .lineSequential,
                            codePage: .ascii)
                        settings.odoStorage = .shifting
                        settings.zonedSigns = .asciiOverpunch
                        return settings
                    }(), expected: .derivedJSONLines("expected.OccursDependingOn.derived.jsonl"),
                    rules: {
                        var rules = ComparisonRules()
                        rules.caseInsensitiveNames = true
                        return rules
                    }(),
                    deviations: [])
                // caseInsensitiveNames: the derived file spells the group `Location-Details` where the copybook
                // writes `03 Location-details`; COBOL names are case-insensitive, Ferry keeps the copybook's case.
            ]),
        ConformanceCase(
            name: "jrecord-05-display-field-encoding-vectors",
            checks: "field vectors: IBM zoned overpunch, SIGN SEPARATE, explicit points, unsigned, X, JUSTIFIED",
            variants: [("CP037", CodePageName.cp037), ("CP273", .cp273), ("Std", .ascii)].map { name, codePage in
                var settings = fileSettings(
                    "TestData.cbl", "TestData_\(name).txt", framing: .lineSequential, codePage: codePage)
                settings.zonedSigns = codePage == .ascii ? .asciiOverpunch : .ebcdic
                return ConformanceVariant(
                    name: name, settings: settings, expected: .fieldVectors("TestData_\(name).txt"))
            }),
        ConformanceCase(
            name: "jrecord-06-binary-comp-ibm-sizes-big-endian",
            checks: "GnuCOBOL -std=mvs COMP: 2/4/8 bytes big-endian, signed and unsigned, 145-byte records",
            variants: [gnuCOBOLFixture("mvsComp", length: 145), gnuCOBOLFixture("mvsCompPositive", length: 145)]),
        ConformanceCase(
            name: "jrecord-07-binary-comp-sync-alignment",
            checks: "COMP SYNC slack bytes: mvs aligns 8-byte items to 8 (224 B), Fujitsu to 4 (192 B)",
            variants: [
                gnuCOBOLFixture("mvsCompSync", length: 224, sync: .itemSize),
                gnuCOBOLFixture("fjCompSync", length: 192, sync: .itemSizeAtMost4),
            ]),
        ConformanceCase(
            name: "jrecord-08-comp5-native-little-endian",
            checks: "COMP-5 written on x86 is little-endian even with -std=mvs; SYNC variant",
            variants: [
                gnuCOBOLFixture("mvsComp5Sync", length: 224, sync: .itemSize, comp5: .littleEndian),
                gnuCOBOLFixture("mvsComp5positive", length: 145, comp5: .littleEndian),
            ]),
        ConformanceCase(
            name: "jrecord-09-binary-comp-minimal-bytes-and-1-2-4-8",
            checks: "Micro Focus minimal binary sizes (127 B) and GnuCOBOL 1-2-4-8 sizes (144 B)",
            variants: [
                gnuCOBOLFixture("mfComp", length: 127, binarySizes: .minimalBytes),
                gnuCOBOLFixture("cpyComp", length: 144, binarySizes: .gnuCOBOL1248),
            ]),
        ConformanceCase(
            name: "jrecord-10-rdw-odo-customer-file-150",
            checks: "IBM RDW + shifting ODO 0 TO 5 on 9(9) COMP, FILLER REDEFINES in the table, S9(13)V99 COMP-3",
            variants: [
                ConformanceVariant(
                    name: "FCUSTDAT_150",
                    settings: {
                        var settings = fileSettings(
                            "FCUSDAT.cbl", "ZOS.FCUSTDAT_150.vb.bin", framing: ibmRDW, codePage: .cp037)
                        settings.odoStorage = .shifting
                        return settings
                    }(), expected: .summary("expected.summary.derived.json"))
            ]),
    ]

    static let legstar: [ConformanceCase] = [
        ConformanceCase(
            name: "legstar-01-custdat-odo-short-last-field",
            checks: "one 158-byte ODO record cut to 157 bytes: strict mode reports it, lenient decodes what is there",
            variants: [
                ConformanceVariant(
                    name: "strict",
                    settings: {
                        var settings = fileSettings(
                            "CUSTDAT.cpy", "custdat.bin", framing: .variableFromLayout, codePage: .cp1140)
                        settings.odoStorage = .shifting
                        return settings
                    }(), expected: .decodingFails("the record needs 158 bytes, the file has 157")),
                ConformanceVariant(
                    name: "lenient",
                    settings: {
                        var settings = fileSettings(
                            "CUSTDAT.cpy", "custdat.bin", framing: .variableFromLayout, codePage: .cp1140)
                        settings.odoStorage = .shifting
                        settings.invalidData = .lenient
                        return settings
                    }(), expected: .derivedJSONObject("expected.custdat.json"),
                    deviations: [
                        DocumentedDeviation(
                            fields: ["TRANSACTIONS.TRANSACTION[3].TRANSACTION-COMMENT"], kind: .nullAccepted,
                            reason: "the field lacks its last byte: LegStar returns the 8 bytes present "
                                + "(\"********\"); Ferry's lenient mode may instead give null and report the field")
                    ]),
            ]),
        ConformanceCase(
            name: "legstar-02-fcustdat-rdw-10000-records",
            checks: "10,000 IBM RDW records with shifting ODO; the first 150 equal jrecord-10",
            variants: [
                ConformanceVariant(
                    name: "FCUSTDAT",
                    settings: {
                        var settings = fileSettings(
                            "CUSTDAT.cpy", "ZOS.FCUSTDAT.RDW.bin", framing: ibmRDW, codePage: .cp037)
                        settings.odoStorage = .shifting
                        return settings
                    }(), expected: .summary("expected.summary.derived.json"))
            ]),
    ]

    static let aws: [ConformanceCase] = [
        ConformanceCase(
            name: "aws-mdu-01-multilayout-fb-real-zos",
            checks: "real z/OS FB 500: 9(9)/9(4) COMP, 9(7)V99 COMP-3 with F sign, 3 REDEFINES views by CLIENT-TYPE",
            variants: [
                ConformanceVariant(
                    name: "CLIENT",
                    settings: {
                        var settings = fileSettings(
                            "COBKS05.cpy", "CLIENT.EBCDIC.bin", framing: .fixed(length: 500), codePage: .cp037)
                        settings.redefines = .segmentMap(
                            field: "CLIENT-TYPE", alternatives: ["2": "CLIENT-ADDRESS", "0": "CLIENT-HEADER"],
                            otherwise: "CLIENT-MAIN")
                        return settings
                    }(),
                    expected: .awsPipe("expected.CLIENT.psv", layout: "mdu-layout-rules.COBKS05.json", shape: .layoutRules),
                    rules: {
                        var rules = ComparisonRules()
                        rules.text = .lowValuesRemoved
                        rules.compareScale = false
                        return rules
                    }())
            ]),
        ConformanceCase(
            name: "aws-mdu-02-vb-rdw-odo-comp3-real-zos",
            checks: "real z/OS VB: RDW, shifting ODO 1 TO 10 on S999 COMP-3, X(21) ending in LOW-VALUES",
            variants: [
                ConformanceVariant(
                    name: "COBVBFM2",
                    settings: {
                        var settings = fileSettings(
                            "COBVBFM2.cpy", "COBVBFM2.EBCDIC.bin", framing: ibmRDW, codePage: .cp037)
                        settings.odoStorage = .shifting
                        return settings
                    }(),
                    expected: .awsPipe(
                        "expected.COBVBFM2.psv", layout: "mdu-layout.COBVBFM2.json",
                        shape: .odoSlots(fixedColumns: 3, slotColumns: 2, slots: 10, table: "OUT-REC")),
                    rules: {
                        var rules = ComparisonRules()
                        rules.text = .lowValuesRemoved
                        rules.compareScale = false
                        return rules
                    }())
            ]),
    ]
}
