import Events

// The 31 cases of ../shared/conformance/mainframe/ (SOURCES.md §2 and each case.json). Settings are what the
// anchor's reader was told; comparison rules are what the expected file's format needs; deviations are ours.

extension ConformanceCase {
    static let all: [ConformanceCase] = cobrix + jrecord + legstar + aws

    // MARK: cobrix

    /// cobrix tests run with `improved_null_detection=true` unless the case says otherwise; the comparator needs
    /// the cobrix text convention for every `common` page.
    private static func cobrixSettings(
        _ copybook: String, _ data: String, framing: RecordFraming = .fixed(length: nil),
        codePage: CodePageName = .cobrixCommon, trimming: TextTrimming = .both, lowValuesAreNull: Bool = true
    ) -> CaseSettings {
        var settings = CaseSettings(
            copybook: .file(copybook), data: .file(data), framing: framing, codePage: codePage, trimming: trimming,
            lowValuesAreNull: lowValuesAreNull, invalidData: .lenient)
        // cobrix reads DISPLAY numbers with spaces around the digits ("  33", "789.09    ") as numbers.
        settings.relaxedDisplayNumbers = true
        return settings
    }

    private static func commonText(_ trimming: TextTrimming = .both) -> ComparisonRules {
        var rules = ComparisonRules()
        rules.text = .cobrixCommon(trimming)
        return rules
    }

    /// cobrix decodes `9(8) COMP` into a 32-bit signed Int: values with the top bit set become null.
    private static let taxpayerQuirk = DocumentedDeviation(
        fields: ["STATIC_DETAILS.TAXPAYER.TAXPAYER_NUM"], kind: .anyValueWhereExpectedNull,
        reason: "cobrix decodes 9(8) COMP through a signed 32-bit Int and gives null when the top bit is set "
            + "(here the bytes are EBCDIC text of the REDEFINES'd X(8)); Ferry decodes the unsigned value")

    /// Test5-style files hold 60-byte P segments decoded through every view, including the 64-byte C view.
    private static let shortViewQuirk = DocumentedDeviation(
        fields: ["STATIC_DETAILS.TAXPAYER.TAXPAYER_STR"], kind: .nullAccepted,
        reason: "the STATIC-DETAILS view is 4 bytes longer than a 60-byte CONTACTS record: cobrix emits \"\" for "
            + "the text beyond the record's end, Ferry emits null (the field is not in that record)")

    private static let segmentDetails = RedefinesSelection.segmentMap(
        field: "SEGMENT-ID", alternatives: ["C": "STATIC-DETAILS", "D": "STATIC-DETAILS", "P": "CONTACTS"],
        otherwise: nil)

    static let cobrix: [ConformanceCase] = [
        ConformanceCase(
            name: "cobrix-01-fixed-comp3-odo-redefines",
            checks: "F 2202-byte records, S9(4) COMP, COMP-3, REDEFINES as X(3), OCCURS 80 DEPENDING ON (max storage)",
            variants: [
                ConformanceVariant(
                    name: "test1", settings: cobrixSettings("test1_copybook.cob", "example.bin"),
                    expected: .sparkJSONLines("expected.test1.jsonl"), rules: commonText())
            ]),
        ConformanceCase(
            name: "cobrix-02-record-start-end-offsets",
            checks: "record_start_offset=2 / record_end_offset=27 around each 2202-byte record",
            variants: [
                ConformanceVariant(
                    name: "test1a",
                    settings: {
                        var settings = cobrixSettings(
                            "test1a_copybook.cob", "example.bin", framing: .fixed(length: 2202))
                        settings.recordStartOffset = 2
                        settings.recordEndOffset = 27
                        return settings
                    }(), expected: .sparkJSONLines("expected.test1a.jsonl"), rules: commonText())
            ]),
        ConformanceCase(
            name: "cobrix-03-string-trimming-segment-filter",
            checks: "trimming none/left/right/both; only SIGNATURE = S9276511 records; S9(9)V99 BINARY (8 bytes)",
            variants: [
                ("test3", "expected.test3.jsonl", TextTrimming.both),
                ("trim_none", "expected.test3_trim_none.jsonl", .none),
                ("trim_left", "expected.test3_trim_left.jsonl", .leading),
                ("trim_right", "expected.test3_trim_right.jsonl", .trailing),
                ("trim_both", "expected.test3_trim_both.jsonl", .both),
            ].map { name, file, trimming in
                var rules = commonText(trimming)
                rules.keepOnly = RecordFilter(field: "SIGNATURE", value: "S9276511")
                return ConformanceVariant(
                    name: name,
                    settings: cobrixSettings("test3_copybook.cob", "TRAN2.AUG31.DATA.dat", trimming: trimming),
                    expected: .sparkJSONLines(file), rules: rules)
            }),
        ConformanceCase(
            name: "cobrix-04-multisegment-rdw-little-endian",
            checks: "cobrix little-endian RDW (00 00 LL HH, payload length); segments C/P; REDEFINES by segment id",
            variants: [
                ConformanceVariant(
                    name: "test5",
                    settings: cobrixSettings(
                        "test5_copybook.cob", "COMP.DETAILS.SEP30.DATA.dat",
                        framing: .rdw(RDWHeader(layout: .littleEndian, includesHeader: false)),
                        lowValuesAreNull: false),
                    expected: .sparkJSONLines("expected.test5.jsonl"), rules: commonText(),
                    deviations: [taxpayerQuirk, shortViewQuirk]),
                ConformanceVariant(
                    name: "test5c",
                    settings: {
                        var settings = cobrixSettings(
                            "test5_copybook.cob", "COMP.DETAILS.SEP30.DATA.dat",
                            framing: .rdw(RDWHeader(layout: .littleEndian, includesHeader: false)))
                        settings.redefines = segmentDetails
                        return settings
                    }(), expected: .sparkJSONLines("expected.test5c.jsonl"), rules: commonText(),
                    deviations: [taxpayerQuirk, shortViewQuirk]),
            ]),
        ConformanceCase(
            name: "cobrix-05-multisegment-rdw-big-endian",
            checks: "standard big-endian RDW (LL LL 00 00), length = payload only",
            variants: [
                ConformanceVariant(
                    name: "test5b",
                    settings: cobrixSettings(
                        "test5_copybook.cob", "COMP.DETAILS.FEB02.DATA.RDW.BE.dat",
                        framing: .rdw(RDWHeader(layout: .bigEndian, includesHeader: false)),
                        lowValuesAreNull: false),
                    expected: .sparkJSONLines("expected.test5b.jsonl"), rules: commonText(),
                    deviations: [taxpayerQuirk, shortViewQuirk])
            ]),
        ConformanceCase(
            name: "cobrix-06-record-length-field",
            checks: "record length from the copybook field RECORD-LENGTH (9(4) COMP) + 4",
            variants: [
                ConformanceVariant(
                    name: "test5d",
                    settings: cobrixSettings(
                        "test5d_copybook.cob", "COMP.DETAILS.FEB02.DATA.RDW.BE.dat",
                        framing: .lengthField(name: "RECORD-LENGTH", adjustment: 4), lowValuesAreNull: false),
                    expected: .sparkJSONLines("expected.test5d.jsonl"), rules: commonText(),
                    deviations: [taxpayerQuirk, shortViewQuirk])
            ]),
        ConformanceCase(
            name: "cobrix-07-type-variety-all-usages",
            checks: "zoned/binary/packed 1–37 digits, sign clauses, COMP-1/COMP-2 (IEEE), P scaling, edited pictures",
            variants: [("test6", "test6_copybook.cob", "expected.test6.jsonl"),
                       ("test24", "test24_copybook.cob", "expected.test24_debug_hex.jsonl")].map { name, copybook, file in
                var settings = cobrixSettings(copybook, "INTEGR.TYPES.NOV28.DATA.dat")
                settings.floatFormat = .ieee754
                settings.binarySizes = .ibmWithCobrixExtension
                var rules = commonText()
                rules.orderBy = ["ID"]
                rules.nullsWrittenAsZero = true
                rules.floatFields = ["FLOAT-01", "DOUBLE-01"]
                return ConformanceVariant(
                    name: name, settings: settings, expected: .sparkJSONLines(file), rules: rules)
            }),
        ConformanceCase(
            name: "cobrix-08-fillers-and-redefines",
            checks: "value- and group-level FILLER, FILLER REDEFINES, a group of fillers redefined by a named group",
            variants: [("test7", "expected.test7.pretty.json"), ("test7c", "expected.test7c.pretty.json")].map {
                name, file in
                var rules = commonText()
                rules.orderBy = ["AMOUNT"]
                // The pretty JSON files print decimals without trailing zeros (0.01, 2.14, 14.0): no scale to compare.
                rules.compareScale = false
                return ConformanceVariant(
                    name: name, settings: cobrixSettings("test7_fillers.cob", "TEST.FILLERS.DEC07.DATA.dat"),
                    expected: .sparkPrettyJSON(file), rules: rules,
                    deviations: [
                        DocumentedDeviation(
                            fields: ["FILLER*"], kind: .notCompared,
                            reason: "FILLER_<n>/FILLER_P<n> are cobrix's generated names for kept fillers; "
                                + "Ferry never emits FILLER items")
                    ])
            }),
        ConformanceCase(
            name: "cobrix-09-non-printable-chars",
            checks: "control bytes in PIC X: common (to spaces) vs common_extended with trimming none",
            variants: [
                ConformanceVariant(
                    name: "printable", settings: cobrixSettings("test8_copybook.cob", "TRAN2.MAR14.DATA.dat"),
                    expected: .sparkJSONLines("expected.test8_printable.jsonl"), rules: commonText()),
                ConformanceVariant(
                    name: "non_printable",
                    settings: cobrixSettings(
                        "test8_copybook.cob", "TRAN2.MAR14.DATA.dat", codePage: .cobrixCommonExtended,
                        trimming: .none),
                    expected: .sparkJSONLines("expected.test8_non_printable.jsonl"),
                    rules: {
                        var rules = ComparisonRules()
                        rules.text = .cobrixCommonExtended(.none)
                        return rules
                    }()),
            ]),
        ConformanceCase(
            name: "cobrix-10-ebcdic-code-pages",
            checks: "cp037, cp037_extended, cp273, cp500, cp1140, cp1141, cp1148 over almost every byte value",
            variants: [
                ("cp037", CodePageName.cp037, TextTrimming.both),
                ("cp037_ext", .cobrixCP037Extended, .none),
                ("cp273", .cp273, .none), ("cp500", .cp500, .none), ("cp1140", .cp1140, .none),
                ("cp1141", .cp1141, .none), ("cp1148", .cp1148, .none),
            ].map { name, codePage, trimming in
                var rules = ComparisonRules()
                rules.text = .cobrixCodePage(
                    trimming, overlineAsMacron: codePage == .cp273 || codePage == .cp1141,
                    allControlsToSpace: codePage == .cp037)
                return ConformanceVariant(
                    name: name,
                    settings: cobrixSettings(
                        "test9_copybook.cob", "TRAN.APR14.NPT.DATA.dat", codePage: codePage, trimming: trimming),
                    expected: .sparkJSONLines("expected.test9_\(name).jsonl"), rules: rules)
            }),
        ConformanceCase(
            name: "cobrix-11-file-header-footer-offsets",
            checks: "10-byte file header and 12-byte trailer around F 45-byte records",
            variants: [
                ConformanceVariant(
                    name: "test13a",
                    settings: {
                        var settings = cobrixSettings("test13a_file_header_footer.cob", "TRAN2.JUN24.DATA.dat")
                        settings.fileHeaderBytes = 10
                        settings.fileTrailerBytes = 12
                        return settings
                    }(), expected: .sparkJSONLines("expected.test13a.jsonl"),
                    rules: {
                        var rules = commonText()
                        rules.orderBy = ["COMPANY-ID", "AMOUNT"]
                        return rules
                    }())
            ]),
        ConformanceCase(
            name: "cobrix-12-rdw-file-header-footer-offsets",
            checks: "100-byte header and 120-byte trailer around big-endian RDW records",
            variants: [
                ConformanceVariant(
                    name: "test13b",
                    settings: {
                        var settings = cobrixSettings(
                            "test13b_vrl_file_headers.cob", "COMP.DETAILS.JUN02.DATA.RDW.BE.dat",
                            framing: .rdw(RDWHeader(layout: .bigEndian, includesHeader: false)),
                            lowValuesAreNull: false)
                        settings.fileHeaderBytes = 100
                        settings.fileTrailerBytes = 120
                        return settings
                    }(), expected: .sparkJSONLines("expected.test13b.jsonl"), rules: commonText(),
                    deviations: [taxpayerQuirk, shortViewQuirk])
            ]),
        ConformanceCase(
            name: "cobrix-13-rdw-includes-header-length",
            checks: "little-endian RDW whose length includes the 4 header bytes; segment-mapped REDEFINES",
            variants: [
                ConformanceVariant(
                    name: "test14",
                    settings: {
                        var settings = cobrixSettings(
                            "test14_copybook.cob", "COMP.DETAILS.JUL02.DATA.dat",
                            framing: .rdw(RDWHeader(layout: .littleEndian, includesHeader: true)))
                        settings.redefines = segmentDetails
                        return settings
                    }(), expected: .sparkJSONLines("expected.test14.jsonl"), rules: commonText(),
                    deviations: [taxpayerQuirk, shortViewQuirk])
            ]),
        ConformanceCase(
            name: "cobrix-14-fixed-length-segment-redefines",
            checks: "F 64 bytes (largest REDEFINES), view chosen by SEGMENT-ID C/P/B",
            variants: [
                ConformanceVariant(
                    name: "test16",
                    settings: {
                        var settings = cobrixSettings(
                            "test16_fix_len_segments.cob", "ENTITY.DB.AUG12.DATA.FIX.LEN.dat",
                            framing: .fixed(length: 64))
                        settings.redefines = .segmentMap(
                            field: "SEGMENT-ID", alternatives: ["C": "COMPANY", "P": "PERSON", "B": "PO-BOX"],
                            otherwise: nil)
                        return settings
                    }(), expected: .sparkPrettyJSON("expected.test16.pretty.json"), rules: commonText())
            ]),
        ConformanceCase(
            name: "cobrix-15-hierarchical-multisegment-rdw",
            checks: "7-segment IMS-style file, little-endian RDW, 9(9) BINARY, 9(10)V9(2) COMP-3",
            variants: [
                ConformanceVariant(
                    name: "test17a",
                    settings: {
                        var settings = cobrixSettings(
                            "test17_hierarchical.cob", "HIERARCHICAL.DATA.RDW.dat",
                            framing: .rdw(RDWHeader(layout: .littleEndian, includesHeader: false)))
                        settings.redefines = .segmentMap(
                            field: "SEGMENT-ID",
                            alternatives: [
                                "1": "COMPANY", "2": "DEPT", "3": "EMPLOYEE", "4": "OFFICE", "5": "CUSTOMER",
                                "6": "CONTACT", "7": "CONTRACT",
                            ], otherwise: nil)
                        return settings
                    }(), expected: .sparkJSONLines("expected.test17a.jsonl"), rules: commonText())
                // expected.test17c_nested.jsonl is read (ConformanceExpectedFilesTests) but not compared: it is
                // cobrix's `segment-children` reassembly of parent and child records, which Ferry does not build.
            ]),
        ConformanceCase(
            name: "cobrix-16-display-numbers-lenient",
            checks: "DISPLAY numbers blank, with letters, or left-justified in 9(8).9(2); PIC A",
            variants: [
                ConformanceVariant(
                    name: "test19",
                    settings: cobrixSettings(
                        "test19_display_num.cob", "data.dat", lowValuesAreNull: false),
                    expected: .sparkJSONLines("expected.test19.jsonl"), rules: commonText(),
                    deviations: [
                        DocumentedDeviation(
                            fields: ["WS_AMOUNT_FRACTION"], kind: .nullAccepted,
                            reason: "cobrix gives 0.00 for a blank 9(8)V9(2) but null for a blank 9(8) or 9(10); "
                                + "Ferry's lenient mode treats every blank numeric alike (null, reported)",
                            records: [5])
                    ])
            ]),
        ConformanceCase(
            name: "cobrix-17-nested-odo-variable-size",
            checks: "ODO inside ODO, zero counts, ASCII records split only by their ODO sizes (1, 2, 4, 6, 5 bytes)",
            variants: [
                ConformanceVariant(
                    name: "test21",
                    settings: {
                        var settings = cobrixSettings(
                            "test21_copybook.cob", "data.dat", framing: .variableFromLayout, codePage: .ascii)
                        settings.odoStorage = .shifting
                        settings.rootGroup = .keep
                        return settings
                    }(), expected: .sparkJSONLines("expected.test21.jsonl"),
                    rules: {
                        var rules = ComparisonRules()
                        rules.text = .exact
                        return rules
                    }())
            ]),
    ]
}
