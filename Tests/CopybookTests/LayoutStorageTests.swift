import Copybook
import Testing

/// Storage sizes and offsets: IBM rules per USAGE, binary-size policies (H9), SYNC slack (H10), REDEFINES and
/// OCCURS, 66/88 taking no storage (H19).
@Suite struct LayoutStorageTests {
    func size(_ clause: String, options: CopybookOptions = CopybookOptions()) throws -> Int {
        let copybook = try CopybookFixture.fixed(["01 R.", "   05 F \(clause)."], options: options)
        return try CopybookFixture.item(copybook, "F").storageSize
    }

    @Test(arguments: [
        ("PIC X(10)", 10), ("PIC 9(5)", 5), ("PIC S9(5)", 5), ("PIC S9(5) SIGN LEADING SEPARATE", 6),
        ("PIC S9(5)V99 SIGN TRAILING SEPARATE", 8), ("PIC 9(5)PPP", 5), ("PIC PPP9(5)", 5), ("PIC ZZ,ZZ9.99-", 10),
        ("PIC N(5)", 10), ("PIC G(3)", 6), ("PIC N(4) USAGE NATIONAL", 8),
        // COMP-3: ceil((digits + 1) / 2); P positions are not stored.
        ("PIC S9 COMP-3", 1), ("PIC S9(2) COMP-3", 2), ("PIC S9(3) COMP-3", 2), ("PIC S9(7)V99 COMP-3", 5),
        ("PIC 9(18) PACKED-DECIMAL", 10), ("PIC S9(5)PPP COMP-3", 3), ("PIC 9(37) COMP-3", 19),
        ("COMP-1", 4), ("COMP-2", 8), ("USAGE INDEX", 4), ("USAGE POINTER", 4),
    ])
    func elementarySizes(_ clause: String, _ expected: Int) throws {
        #expect(try size(clause) == expected)
    }

    /// Bytes per binary PICTURE digit count, 1…18, for each policy (hard case H9; Precisely's IBM table is
    /// `0222244444888888888`).
    @Test func binarySizePolicies() throws {
        let ibm = [2, 2, 2, 2, 4, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8]
        let gnu = [1, 1, 2, 2, 4, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8]
        // Micro Focus: fewest bytes; the signed and unsigned tables differ (unsigned 9(3) fits 2 bytes, 9(5) 3).
        let mfSigned = [1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 7, 8, 8]
        let mfUnsigned = [1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 8]
        for digits in 1...18 {
            for usage in ["COMP", "BINARY", "COMP-4", "COMP-5"] {
                #expect(try size("PIC S9(\(digits)) \(usage)") == ibm[digits - 1], "ibm \(digits) \(usage)")
            }
            let gnuOptions = CopybookOptions(binarySizes: .gnuCOBOL)
            #expect(try size("PIC S9(\(digits)) COMP", options: gnuOptions) == gnu[digits - 1], "gnucobol \(digits)")
            let mf = CopybookOptions(binarySizes: .microFocus)
            #expect(try size("PIC S9(\(digits)) COMP", options: mf) == mfSigned[digits - 1], "mf signed \(digits)")
            #expect(try size("PIC 9(\(digits)) COMP", options: mf) == mfUnsigned[digits - 1], "mf unsigned \(digits)")
        }
    }

    @Test func binaryBeyond18DigitsUsesTheFewestBytes() throws {
        // Not IBM (which stops at 18 digits): cobrix's extension, which its layout of test6 shows.
        #expect(try size("PIC 9(20) COMP") == 9)
        #expect(try size("PIC 9(28) COMP") == 12)
        #expect(try size("PIC 9(37) COMP") == 16)
    }

    @Test func redefinesShareTheOffsetAndTheLargestAlternativeSizesTheGroup() throws {
        let copybook = try CopybookFixture.fixed([
            "01 R.",
            "   05 KIND PIC X.",
            "   05 BODY.",
            "      10 A PIC X(4).",
            "      10 B REDEFINES A PIC X(10).",
            "      10 C REDEFINES A PIC S9(3) COMP-3.",
            "   05 TAIL PIC X(2).",
        ])
        let record = copybook.records[0]
        for name in ["A", "B", "C"] { #expect(try CopybookFixture.item(copybook, name).offset == 1) }
        #expect(try CopybookFixture.item(copybook, "BODY").storageSize == 10)
        #expect(try CopybookFixture.item(copybook, "TAIL").offset == 11)
        #expect(record.size == 13)
        let b = try #require(record.fields.first { $0.path.last == "B" })
        #expect(b.redefiningItem == b.item)
        #expect(record.fields.first { $0.path.last == "A" }?.redefiningItem == nil)
    }

    @Test func occursMultiplies() throws {
        let copybook = try CopybookFixture.fixed([
            "01 R.",
            "   05 T OCCURS 3.",
            "      10 U OCCURS 2.",
            "         15 V PIC S9(3) COMP-3.",
            "         15 W PIC X.",
            "   05 AFTER PIC X.",
        ])
        let t = try CopybookFixture.item(copybook, "T")
        #expect(t.storageSize == 6 && t.totalSize == 18)
        #expect(try CopybookFixture.item(copybook, "U").totalSize == 6)
        #expect(try CopybookFixture.item(copybook, "AFTER").offset == 18)
        let w = try #require(copybook.records[0].fields.first { $0.path.last == "W" })
        #expect(w.dimensions.map(\.stride) == [6, 3])
        #expect(try CopybookFixture.item(copybook, "W").enclosingTables.count == 2)
    }

    /// H10: slack bytes before SYNC binaries; IBM aligns to the item's size, the alternative aligns 8-byte items to 4.
    @Test func synchronizedSlackBytes() throws {
        let lines = [
            "01 R.",
            "   05 A PIC X.",
            "   05 H PIC S9(4) COMP SYNC.",
            "   05 B PIC X.",
            "   05 F PIC S9(9) COMP SYNC.",
            "   05 C PIC X.",
            "   05 D PIC S9(18) COMP SYNC.",
            "   05 E PIC X.",
            "   05 G COMP-2 SYNC.",
            "   05 U PIC X(3) SYNC.",
            "   05 N PIC S9(18) COMP.",
        ]
        let ibm = try CopybookFixture.fixed(lines)
        func offsets(_ c: Copybook) throws -> [Int] {
            try ["H", "F", "D", "G", "U", "N"].map { try CopybookFixture.item(c, $0).offset }
        }
        func slack(_ c: Copybook) throws -> [Int] {
            try ["H", "F", "D", "G"].map { try CopybookFixture.item(c, $0).slackBytesBefore }
        }
        // A@0, H@2 (+1), B@4, F@8 (+3), C@12, D@16 (+3), E@24, G@32 (+7), U@40 (DISPLAY: no alignment), N@43.
        #expect(try offsets(ibm) == [2, 8, 16, 32, 40, 43])
        #expect(try slack(ibm) == [1, 3, 3, 7])
        #expect(ibm.records[0].size == 51)
        let fujitsu = try CopybookFixture.fixed(lines, options: CopybookOptions(synchronization: .eightByteToFour))
        #expect(try offsets(fujitsu) == [2, 8, 16, 28, 36, 39])
        let ignored = try CopybookFixture.fixed(lines, options: CopybookOptions(synchronization: .ignore))
        #expect(try offsets(ignored) == [1, 4, 9, 18, 26, 29])
    }

    @Test func synchronizedItemsInATableKeepTheirAlignmentInEveryOccurrence() throws {
        let copybook = try CopybookFixture.fixed([
            "01 R.",
            "   05 T OCCURS 2.",
            "      10 K PIC X.",
            "      10 N PIC S9(9) COMP SYNC.",
            "      10 Z PIC X.",
        ])
        let t = try CopybookFixture.item(copybook, "T")
        // Occurrence: K@0, 3 slack, N@4, Z@8, then 3 bytes so the next occurrence's N is again fullword aligned.
        #expect(try CopybookFixture.item(copybook, "N").offset == 4)
        #expect(t.storageSize == 12)
        #expect(copybook.records[0].size == 24)
    }

    @Test func conditionAndRenamesEntriesDoNotMoveOffsets() throws {
        let with = try CopybookFixture.fixed([
            "01 R.", "   05 A PIC X.", "      88 A-ON VALUE 'Y'.", "   05 B PIC X(2).", "66 AB RENAMES A THRU B.",
        ])
        let without = try CopybookFixture.fixed(["01 R.", "   05 A PIC X.", "   05 B PIC X(2)."])
        #expect(with.records[0].items.map(\.offset) == without.records[0].items.map(\.offset))
        #expect(with.records[0].size == without.records[0].size)
    }
}

/// OCCURS DEPENDING ON: static layout at the maximum, the variable flags, minimum size, and the actual size of a
/// record whose tables hold only the live elements (H12).
@Suite struct LayoutVariableOccursTests {
    static let lines = [
        "01 R.",
        "   05 HEAD PIC X(2).",
        "   05 N1 PIC 9.",
        "   05 T1 OCCURS 1 TO 3 DEPENDING ON N1.",
        "      10 N2 PIC 9.",
        "      10 T2 PIC X(2) OCCURS 0 TO 4 DEPENDING ON N2.",
        "   05 AFTER PIC X(3).",
        "   05 AFTER-ALT REDEFINES AFTER PIC 9(3).",
    ]

    @Test func staticLayoutAndFlags() throws {
        let copybook = try CopybookFixture.fixed(Self.lines)
        let record = copybook.records[0]
        func item(_ name: String) throws -> DataItem { try CopybookFixture.item(copybook, name) }
        // T1 element: N2 (1) + T2 (4 × 2) = 9; 3 occurrences = 27; AFTER at 2 + 1 + 27 = 30.
        #expect(try item("T1").storageSize == 9 && item("T1").totalSize == 27)
        #expect(try item("AFTER").offset == 30)
        #expect(record.size == 33)
        // Minimum: T1 once with T2 empty: 2 + 1 + 1 + 3 = 7.
        #expect(record.minimumSize == 7)
        #expect(record.hasVariableSize)
        #expect(try [item("HEAD"), item("N1"), item("T1")].allSatisfy { !$0.isVariablyLocated })
        // Inside T1: later occurrences move with the element size (it contains T2); after T1 everything moves.
        #expect(try item("N2").isVariablyLocated && item("T2").isVariablyLocated)
        #expect(try item("AFTER").isVariablyLocated && item("AFTER-ALT").isVariablyLocated)
        #expect(try item("T1").hasVariableSize && item("T2").hasVariableSize && !item("AFTER").hasVariableSize)
        let t2 = try #require(record.fields.first { $0.path.last == "T2" })
        #expect(t2.dimensions.map(\.dependingOn) == [try item("N1").id, try item("N2").id])
    }

    @Test(arguments: [
        // (N1, [N2 per occurrence], actual size)
        (1, [0], 2 + 1 + 1 + 3),
        (2, [1, 3], 2 + 1 + (1 + 2) + (1 + 6) + 3),
        (3, [4, 4, 4], 33),
        (9, [4, 4, 4], 33),  // clamped to the maximum
    ])
    func actualSizeFollowsTheCounts(_ n1: Int, _ n2: [Int], _ expected: Int) throws {
        let record = try CopybookFixture.fixed(Self.lines).records[0]
        var inner = n2.makeIterator()
        var seenOffsets: [Int] = []
        let size = record.actualSize { object, offset -> Int in
            seenOffsets.append(offset)
            return object.name == "N1" ? n1 : (inner.next() ?? 0)
        }
        #expect(size == expected)
        // N1 at 2, then N2 of each occurrence at the start of its (shifted) element.
        var expectedOffsets = [2]
        var cursor = 3
        for count in n2.prefix(min(n1, 3)) {
            expectedOffsets.append(cursor)
            cursor += 1 + 2 * count
        }
        #expect(seenOffsets == expectedOffsets)
    }

    @Test func recordsWithoutODONeverCallTheCounter() throws {
        let record = try CopybookFixture.fixed(["01 R.", "   05 T PIC X OCCURS 5."]).records[0]
        var calls = 0
        #expect(record.actualSize { _, _ in calls += 1; return 0 } == 5)
        #expect(calls == 0)
    }
}
