import Copybook
import Testing

/// Data description entries: levels, names, and every clause.
@Suite struct ParserEntryTests {
    func fixed(_ lines: [String]) throws -> Copybook { try CopybookFixture.fixed(lines) }
    func item(_ copybook: Copybook, _ name: String) throws -> DataItem { try CopybookFixture.item(copybook, name) }

    @Test func levelsBuildTheTreeWithPathsAndLocations() throws {
        let copybook = try fixed([
            "01  CLAIM-RECORD.",
            "    05  CLAIM-HEADER.",
            "        10  CLAIM-ID   PIC X(10).",
            "    05  CLAIM-LINES OCCURS 3.",
            "        10  LINE-AMT   PIC S9(5)V99 COMP-3.",
        ])
        let record = copybook.records[0]
        let amount = try item(copybook, "LINE-AMT")
        #expect(amount.path == ["CLAIM-RECORD", "CLAIM-LINES", "LINE-AMT"])
        #expect(amount.level == 10)
        #expect(amount.location == SourceLocation(line: 5, column: 16))
        #expect(record[try #require(amount.parent)].name == "CLAIM-LINES")
        #expect(record.children(of: record.root).map(\.name) == ["CLAIM-HEADER", "CLAIM-LINES"])
        #expect(record.items.map(\.id) == Array(0..<5))
    }

    @Test func fillerAndUnnamedItems() throws {
        let copybook = try fixed(["01 R.", "   05 FILLER PIC X(2).", "   05 PIC X(3).", "   05 A PIC X."])
        let items = copybook.records[0].items
        #expect(items.map(\.name) == ["R", "FILLER", "FILLER", "A"])
        #expect(items.map(\.isFiller) == [false, true, true, false])
        #expect(items[2].offset == 2)
        #expect(copybook.records[0].size == 6)
    }

    @Test(arguments: [
        ("DISPLAY", Usage.display), ("COMP", .binary), ("COMPUTATIONAL", .binary), ("COMP-4", .binary),
        ("BINARY", .binary), ("COMP-5", .nativeBinary), ("COMP-3", .packedDecimal),
        ("PACKED-DECIMAL", .packedDecimal), ("USAGE IS COMP-3", .packedDecimal), ("USAGE BINARY", .binary),
    ])
    func usageClause(_ clause: String, _ usage: Usage) throws {
        let copybook = try fixed(["01 R.", "   05 N PIC S9(4) \(clause)."])
        #expect(try item(copybook, "N").usage == usage)
    }

    @Test func floatUsagesNeedNoPicture() throws {
        let copybook = try fixed(["01 R.", "   05 F1 COMP-1.", "   05 F2 USAGE COMP-2.", "   05 I INDEX."])
        #expect(try item(copybook, "F1").usage == .singleFloat)
        #expect(try item(copybook, "F1").storageSize == 4)
        #expect(try item(copybook, "F2").usage == .doubleFloat)
        #expect(try item(copybook, "F2").storageSize == 8)
        #expect(copybook.records[0].size == 16)
    }

    @Test func groupUsageAndSignApplyToChildren() throws {
        let copybook = try fixed([
            "01 R.",
            "   05 G USAGE COMP-3 SIGN LEADING SEPARATE.",
            "      10 A PIC S9(5).",
            "      10 B PIC S9(3) COMP.",
        ])
        #expect(try item(copybook, "A").usage == .packedDecimal)
        #expect(try item(copybook, "A").storageSize == 3)
        #expect(try item(copybook, "B").usage == .binary)
        let g = try #require(copybook.records[0].item(path: ["G"]))
        #expect(g.usage == .packedDecimal)
        #expect(try item(copybook, "A").sign == SignClause(position: .leading, isSeparate: true))
    }

    @Test(arguments: [
        ("SIGN IS LEADING", SignClause(position: .leading, isSeparate: false), 5),
        ("SIGN TRAILING", SignClause(position: .trailing, isSeparate: false), 5),
        ("SIGN LEADING SEPARATE", SignClause(position: .leading, isSeparate: true), 6),
        ("SIGN IS TRAILING SEPARATE CHARACTER", SignClause(position: .trailing, isSeparate: true), 6),
        ("LEADING SEPARATE", SignClause(position: .leading, isSeparate: true), 6),
    ])
    func signClause(_ clause: String, _ sign: SignClause, _ size: Int) throws {
        let copybook = try fixed(["01 R.", "   05 N PIC S9(3)V99 \(clause)."])
        let n = try item(copybook, "N")
        #expect(n.sign == sign)
        #expect(n.storageSize == size)
    }

    @Test func occursForms() throws {
        let copybook = try fixed([
            "01 R.",
            "   05 CNT PIC 9(2).",
            "   05 T1 OCCURS 4 TIMES PIC X(2).",
            "   05 T2 OCCURS 1 TO 10 TIMES DEPENDING ON CNT",
            "         ASCENDING KEY IS K1 K2 DESCENDING K3",
            "         INDEXED BY IX1 IX2.",
            "      10 K1 PIC X.",
            "      10 K2 PIC X.",
            "      10 K3 PIC X.",
        ])
        let t1 = try #require(try item(copybook, "T1").occurs)
        #expect(t1.minimum == 4 && t1.maximum == 4 && !t1.isVariable)
        let t2 = try #require(try item(copybook, "T2").occurs)
        #expect(t2.minimum == 1 && t2.maximum == 10)
        #expect(t2.dependingOn?.name == "CNT")
        #expect(t2.dependingOn?.path == ["R", "CNT"])
        #expect(t2.dependingOn?.target == 1)
        #expect(t2.keys == [
            Occurs.Key(isAscending: true, name: "K1"), Occurs.Key(isAscending: true, name: "K2"),
            Occurs.Key(isAscending: false, name: "K3"),
        ])
        #expect(t2.indexNames == ["IX1", "IX2"])
        #expect(copybook.records[0].size == 2 + 8 + 30)
    }

    @Test func occursTimesDependingOnWithoutMinimumMeansZero() throws {
        let copybook = try fixed(["01 R.", "   05 N PIC 9.", "   05 T PIC X OCCURS 5 TIMES DEPENDING ON N."])
        let occurs = try #require(try item(copybook, "T").occurs)
        #expect(occurs.minimum == 0 && occurs.maximum == 5 && occurs.isVariable)
    }

    @Test func qualifiedDependingOn() throws {
        let copybook = try fixed([
            "01 R.",
            "   05 A.",
            "      10 N PIC 9.",
            "   05 B.",
            "      10 N PIC 9.",
            "   05 T PIC X OCCURS 1 TO 5 DEPENDING ON N OF A.",
        ])
        let occurs = try #require(try item(copybook, "T").occurs)
        #expect(occurs.dependingOn?.path == ["R", "A", "N"])
        #expect(occurs.dependingOn?.qualifiers == ["A"])
    }

    @Test func redefinesResolvesToTheEarlierSibling() throws {
        let copybook = try fixed([
            "01 R.",
            "   05 A PIC X(4).",
            "   05 B REDEFINES A PIC 9(4).",
            "   05 C REDEFINES A.",
            "      10 C1 PIC XX.",
            "      10 C2 PIC XX.",
            "   05 D PIC X.",
        ])
        let b = try item(copybook, "B")
        #expect(b.redefines?.target == 1)
        #expect(b.redefines?.path == ["R", "A"])
        #expect(b.offset == 0)
        #expect(try item(copybook, "C2").offset == 2)
        #expect(try item(copybook, "D").offset == 4)
        #expect(copybook.records[0].size == 5)
    }

    @Test func valueClauses() throws {
        let copybook = try fixed([
            "01 R.",
            "   05 A PIC X(3) VALUE 'ABC'.",
            "   05 B PIC S9(3)V9 VALUE IS -12.5.",
            "   05 C PIC X(2) VALUE SPACES.",
            "   05 D PIC X(2) VALUE X'C1C2'.",
            "   05 E PIC X(2) VALUE ALL '*'.",
            "   05 F PIC 9 VALUE ZERO.",
            "   05 G PIC X VALUE \"Q\".",
        ])
        #expect(try item(copybook, "A").value == .alphanumeric("ABC"))
        #expect(try item(copybook, "B").value == .numeric("-12.5"))
        #expect(try item(copybook, "C").value == .figurative(.space))
        #expect(try item(copybook, "D").value == .hexadecimal([0xC1, 0xC2]))
        #expect(try item(copybook, "E").value == .all(.alphanumeric("*")))
        #expect(try item(copybook, "F").value == .figurative(.zero))
        #expect(try item(copybook, "G").value == .alphanumeric("Q"))
    }

    @Test func conditionNames() throws {
        let copybook = try fixed([
            "01 R.",
            "   05 STATUS-CODE PIC X.",
            "      88 ACTIVE VALUE 'A'.",
            "      88 CLOSED VALUES ARE 'C' 'X', 'Z'.",
            "   05 AGE PIC 999.",
            "      88 ADULT VALUE 18 THRU 130.",
            "      88 ODD-AGES VALUES 1 3 5 THROUGH 9.",
            "   05 NEXT-ITEM PIC X.",
        ])
        let status = try item(copybook, "STATUS-CODE")
        #expect(status.conditions.map(\.name) == ["ACTIVE", "CLOSED"])
        #expect(status.conditions[1].values == [
            .single(.alphanumeric("C")), .single(.alphanumeric("X")), .single(.alphanumeric("Z")),
        ])
        let age = try item(copybook, "AGE")
        #expect(age.conditions[0].values == [.range(.numeric("18"), .numeric("130"))])
        #expect(age.conditions[1].values == [
            .single(.numeric("1")), .single(.numeric("3")), .range(.numeric("5"), .numeric("9")),
        ])
        // 88s take no storage.
        #expect(try item(copybook, "NEXT-ITEM").offset == 4)
        #expect(copybook.records[0].size == 5)
    }

    @Test func renamesTakesNoStorage() throws {
        let copybook = try fixed([
            "01 R.",
            "   05 A PIC X(2).",
            "   05 B PIC X(3).",
            "   05 C PIC 9(4) COMP.",
            "   05 D PIC X.",
            "66 A-TO-C RENAMES A THRU C.",
            "66 JUST-B RENAMES B.",
        ])
        let record = copybook.records[0]
        #expect(record.size == 8)
        #expect(record.items.count == 5)
        #expect(record.renames.count == 2)
        let range = record.renames[0]
        #expect(range.name == "A-TO-C")
        #expect(range.from.name == "A" && range.through?.name == "C")
        #expect(range.offset == 0 && range.size == 7)
        #expect(record.renames[1].offset == 2 && record.renames[1].size == 3 && record.renames[1].through == nil)
    }

    @Test func miscellaneousClauses() throws {
        let copybook = try fixed([
            "01 R.",
            "   05 A PIC X(5) JUSTIFIED RIGHT.",
            "   05 B PIC X(5) JUST.",
            "   05 C PIC ZZ9.99 BLANK WHEN ZERO.",
            "   05 D PIC S9(4) COMP SYNC.",
            "   05 E PIC S9(4) COMP SYNCHRONIZED LEFT.",
            "   05 F PIC S9(4) COMP SYNC RIGHT.",
            "   05 G PIC X IS EXTERNAL.",
        ])
        #expect(try item(copybook, "A").isJustifiedRight)
        #expect(try item(copybook, "B").isJustifiedRight)
        #expect(try item(copybook, "C").isBlankWhenZero)
        #expect(try item(copybook, "C").picture?.editPattern == "ZZ9.99")
        #expect(try item(copybook, "D").synchronization == .unspecified)
        #expect(try item(copybook, "E").synchronization == .left)
        #expect(try item(copybook, "F").synchronization == .right)
    }

    @Test func severalRecordsAndLevel77() throws {
        let copybook = try fixed([
            "01 HEADER-REC.",
            "   05 REC-TYPE PIC X.",
            "   05 RUN-DATE PIC 9(8).",
            "01 DETAIL-REC.",
            "   05 REC-TYPE PIC X.",
            "   05 AMOUNT PIC S9(7)V99 COMP-3.",
            "01 ALT-REC REDEFINES DETAIL-REC.",
            "   05 RAW PIC X(20).",
            "77 COUNTER PIC 9(4) COMP.",
        ])
        #expect(copybook.records.map(\.name) == ["HEADER-REC", "DETAIL-REC", "ALT-REC", "COUNTER"])
        #expect(copybook.records.map(\.size) == [9, 6, 20, 2])
        #expect(copybook.records[2].redefinesRecord?.name == "DETAIL-REC")
        #expect(copybook.records[3].root.isElementary)
        #expect(copybook.records[3].fields.map(\.path) == [["COUNTER"]])
        #expect(copybook.maximumRecordSize == 20)
        #expect(copybook.record(named: "detail-rec")?.size == 6)
    }

    @Test(arguments: ["05", "10"])
    func copybookWithoutLevel01GetsASynthesizedRoot(_ level: String) throws {
        let copybook = try fixed([
            "\(level) KEYCODE-NO PIC X(8).",
            "\(level) QTY PIC S9(7) COMP-3.",
        ])
        #expect(copybook.records.count == 1)
        let record = copybook.records[0]
        #expect(record.hasSynthesizedRoot)
        #expect(record.name == RecordLayout.syntheticRootName)
        #expect(record.items.map(\.name) == ["RECORD", "KEYCODE-NO", "QTY"])
        #expect(record.size == 12)
    }

    @Test func flattenedFieldsCarryPathsAndDimensions() throws {
        let copybook = try fixed([
            "01 CLAIM-RECORD.",
            "   05 CLAIM-ID PIC X(4).",
            "   05 CLAIM-LINES OCCURS 3.",
            "      10 LINE-NO PIC 99.",
            "      10 LINE-CODES PIC X(2) OCCURS 2.",
            "   05 TOTAL PIC 9(5) COMP-3.",
        ])
        let fields = copybook.records[0].fields
        #expect(fields.map(\.path) == [
            ["CLAIM-RECORD", "CLAIM-ID"], ["CLAIM-RECORD", "CLAIM-LINES", "LINE-NO"],
            ["CLAIM-RECORD", "CLAIM-LINES", "LINE-CODES"], ["CLAIM-RECORD", "TOTAL"],
        ])
        let codes = fields[2]
        #expect(codes.offset == 6 && codes.size == 2)
        #expect(codes.dimensions.map(\.maximum) == [3, 2])
        #expect(codes.dimensions.map(\.stride) == [6, 2])
        // Occurrence (2, 1) of LINE-CODES: 6 + 2×6 + 1×2.
        #expect(codes.offset + 2 * codes.dimensions[0].stride + 1 * codes.dimensions[1].stride == 20)
        #expect(fields[3].offset == 4 + 18)
        #expect(copybook.records[0].size == 25)
    }
}
