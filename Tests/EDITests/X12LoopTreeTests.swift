import EDI
import Foundation
import Testing

@Suite("X12 loop tree (hand-written 837P)")
struct X12LoopTreeTests {
    static let header = """
        ST*837*0001*005010X222A1~BHT*0019*00*1*20240101*1200*CH~NM1*41*2*SUBMITTER*****46*S1~
        PER*IC*JANE*TE*5555551234~NM1*40*2*RECEIVER*****46*R1~
        HL*1**20*1~NM1*85*2*BILLING*****XX*1234567893~N3*1 MAIN ST~N4*TOWN*ST*12345~REF*EI*123456789~
        """
    static let headerPaths = [
        "ST_LOOP ST", "ST_LOOP/HEADER BHT", "ST_LOOP/HEADER/1000A NM1", "ST_LOOP/HEADER/1000A PER",
        "ST_LOOP/HEADER/1000B NM1", "ST_LOOP/DETAIL/2000A HL", "ST_LOOP/DETAIL/2000A/2010AA NM1",
        "ST_LOOP/DETAIL/2000A/2010AA N3", "ST_LOOP/DETAIL/2000A/2010AA N4", "ST_LOOP/DETAIL/2000A/2010AA REF",
    ]
    static let subscriber = """
        HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JOHN****MI*M1~NM1*PR*2*PAYER*****PI*P1~
        """
    static let subscriberPaths = [
        "ST_LOOP/DETAIL/2000A/2000B HL", "ST_LOOP/DETAIL/2000A/2000B SBR",
        "ST_LOOP/DETAIL/2000A/2000B/2010BA NM1", "ST_LOOP/DETAIL/2000A/2000B/2010BB NM1",
    ]

    /// Loop paths in input order.
    static func paths(_ tree: X12Loop) -> [String] {
        X12LoopTreeFixture.placements(tree).sorted { $0.key < $1.key }.map(\.value)
    }

    @Test func subscriberIsThePatient() {
        let (tree, issues) = X12LoopTreeFixture.build(Self.header + Self.subscriber + """
            CLM*C1*100***11:B:1*Y*A*Y*Y~HI*ABK:J10~NM1*82*1*RENDER*R****XX*1234567893~
            LX*1~SV1*HC:99213*100*UN*1***1~DTP*472*D8*20240101~NM1*82*1*LINE*R****XX*1234567893~SE*22*0001~
            """)
        #expect(issues.isEmpty)
        let claim = "ST_LOOP/DETAIL/2000A/2000B/2300"
        #expect(Self.paths(tree) == Self.headerPaths + Self.subscriberPaths + [
            "\(claim) CLM", "\(claim) HI", "\(claim)/2310B NM1", "\(claim)/2400 LX", "\(claim)/2400 SV1",
            "\(claim)/2400 DTP", "\(claim)/2400/2420A NM1", "ST_LOOP SE",
        ])
        #expect(tree.descendants("2000C").isEmpty)
    }

    @Test func separatePatientCarriesTheClaim() {
        let (tree, issues) = X12LoopTreeFixture.build(Self.header + """
            HL*2*1*22*1~SBR*P********CI~NM1*IL*1*DOE*JOHN****MI*M1~NM1*PR*2*PAYER*****PI*P1~
            HL*3*2*23*0~PAT*19~NM1*QC*1*DOE*JUNIOR~CLM*C2*50***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:99212*50*UN*1***1~
            SE*20*0001~
            """)
        #expect(issues.isEmpty)
        let patient = "ST_LOOP/DETAIL/2000A/2000B/2000C"
        #expect(Self.paths(tree).suffix(7) == [
            "\(patient) HL", "\(patient) PAT", "\(patient)/2010CA NM1", "\(patient)/2300 CLM",
            "\(patient)/2300/2400 LX", "\(patient)/2300/2400 SV1", "ST_LOOP SE",
        ])
        #expect(tree.descendants("2000B").first?.descendants("2300").count == 1)
    }

    @Test func severalClaimsWithRepeatedServiceLines() throws {
        let (tree, issues) = X12LoopTreeFixture.build(Self.header + Self.subscriber + """
            CLM*C1*100***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:99213*60*UN*1***1~LX*2~SV1*HC:87070*40*UN*1***1~
            CLM*C2*30***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:99211*30*UN*1***1~SE*23*0001~
            """)
        #expect(issues.isEmpty)
        let subscriber = try #require(tree.descendants("2000B").first)
        let claims = subscriber.loops.filter { $0.id == "2300" }
        #expect(claims.map { $0.loops.filter { $0.id == "2400" }.count } == [2, 1])
        #expect(claims.map { $0.segments.first?.segment.element(1)?.text } == ["C1", "C2"])
    }

    /// HL02 decides nesting: a patient level that follows another billing provider still joins its subscriber.
    @Test func hierarchyFollowsParentPointersInAnyOrder() throws {
        let (tree, issues) = X12LoopTreeFixture.build("""
            ST*837*0001*005010X222A1~BHT*0019*00*1*20240101*1200*CH~
            HL*1**20*1~NM1*85*2*FIRST*****XX*1234567893~HL*2*1*22*1~SBR*P********CI~NM1*IL*1*DOE*JOHN****MI*M1~
            HL*3**20*1~NM1*85*2*SECOND*****XX*1234567893~HL*4*3*22*0~SBR*P*18*******CI~NM1*IL*1*ROE*ANN****MI*M2~
            CLM*C4*10***11:B:1*Y*A*Y*Y~HL*5*2*23*0~PAT*19~NM1*QC*1*DOE*JUNIOR~CLM*C5*20***11:B:1*Y*A*Y*Y~SE*18*0001~
            """)
        #expect(issues.isEmpty)
        let detail = try #require(tree.loops.first { $0.id == "DETAIL" })
        #expect(X12LoopTreeFixture.loopOutline(detail) == [
            "DETAIL", "  2000A", "    2010AA", "    2000B", "      2010BA", "      2000C", "        2010CA",
            "        2300", "  2000A", "    2010AA", "    2000B", "      2010BA", "      2300",
        ])
        let placements = X12LoopTreeFixture.placements(tree)
        #expect(placements[17] == "ST_LOOP/DETAIL/2000A/2000B/2000C/2300 CLM")
        #expect(placements[13] == "ST_LOOP/DETAIL/2000A/2000B/2300 CLM")
        #expect(X12LoopTreeFixture.positions(tree).sorted() == Array(1...18))
    }

    @Test func segmentNotInGuideStaysInTheTree() throws {
        let (tree, issues) = X12LoopTreeFixture.build(Self.header + Self.subscriber + """
            CLM*C1*100***11:B:1*Y*A*Y*Y~ZZZ*1~LX*1~SV1*HC:99213*100*UN*1***1~SE*18*0001~
            """)
        #expect(issues == [.init(kind: .segmentNotInGuide, position: 16, loopID: "2300", segmentID: "ZZZ")])
        let claim = try #require(tree.descendants("2300").first)
        #expect(claim.segments.map(\.id) == ["CLM", "ZZZ"])
        #expect(claim.segments.map(\.isRecognized) == [true, false])
    }

    @Test func unknownQualifierAndMisplacedSegmentsAreReported() {
        let (_, issues) = X12LoopTreeFixture.build(Self.header + Self.subscriber + """
            CLM*C1*100***11:B:1*Y*A*Y*Y~DTP*999*D8*20240101~LX*1~SV1*HC:99213*100*UN*1***1~BHT*0019*00*2~SE*19*0001~
            """)
        #expect(issues == [
            .init(kind: .qualifierNotRecognized(element: 1, found: "999"), position: 16, loopID: "2300", segmentID: "DTP"),
            .init(kind: .loopRepeatExceeded(maximum: 1, count: 2), position: 19, loopID: "HEADER", segmentID: "BHT"),
            // Table 1 (HEADER) comes before table 2 (DETAIL) in the guide: re-entering it is also out of order.
            .init(kind: .segmentOutOfOrder, position: 19, loopID: "HEADER", segmentID: "BHT"),
        ])
    }

    @Test func loopOverMaximumRepeat() {
        let lines = (1...51).map { "LX*\($0)~SV1*HC:99213*1*UN*1***1~" }.joined()
        let (tree, issues) = X12LoopTreeFixture.build(
            Self.header + Self.subscriber + "CLM*C1*51***11:B:1*Y*A*Y*Y~" + lines + "SE*118*0001~")
        #expect(issues == [.init(kind: .loopRepeatExceeded(maximum: 50, count: 51), position: 116, loopID: "2400", segmentID: "LX")])
        #expect(tree.descendants("2400").count == 51)
    }

    @Test func repeatedSingleLoopAndSegmentOverUse() {
        let (_, issues) = X12LoopTreeFixture.build("""
            ST*837*0001*005010X222A1~BHT*0019*00*1*20240101*1200*CH~HL*1**20*1~
            NM1*85*2*BILLING*****XX*1234567893~N4*TOWN*ST*12345~N3*1 MAIN ST~REF*EI*1~REF*EI*2~
            NM1*85*2*AGAIN*****XX*1234567893~SE*10*0001~
            """)
        #expect(issues == [
            .init(kind: .segmentOutOfOrder, position: 6, loopID: "2010AA", segmentID: "N3"),
            .init(kind: .segmentUseExceeded(maximum: 1, count: 2), position: 8, loopID: "2010AA", segmentID: "REF"),
            .init(kind: .loopRepeatExceeded(maximum: 1, count: 2), position: 9, loopID: "2010AA", segmentID: "NM1"),
        ])
    }

    @Test func hierarchyErrors() {
        let (tree, issues) = X12LoopTreeFixture.build("""
            ST*837*0001*005010X222A1~BHT*0019*00*1*20240101*1200*CH~HL*1**20*1~HL*2**22*0~HL*3*1*23*0~
            HL*4*9*22*0~HL*1**20*1~SE*8*0001~
            """)
        #expect(issues == [
            .init(kind: .hierarchicalParentMissing, position: 4, loopID: "2000B", segmentID: "HL"),
            .init(kind: .hierarchicalParentMismatch(parentLoop: "2000A", allowed: ["2000B"]), position: 5, loopID: "2000C", segmentID: "HL"),
            .init(kind: .hierarchicalParentUnknown("9"), position: 6, loopID: "2000B", segmentID: "HL"),
            .init(kind: .hierarchicalIDDuplicate("1"), position: 7, loopID: "2000A", segmentID: "HL"),
        ])
        #expect(X12LoopTreeFixture.positions(tree).sorted() == Array(1...8))
    }

    @Test func jsonRenderingMirrorsTheTree() throws {
        let (tree, _) = X12LoopTreeFixture.build(Self.header + Self.subscriber + "CLM*C1*1***11:B:1*Y*A*Y*Y~ZZZ~SE*17*0001~")
        for text in [tree.json, tree.compactJSON] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            func outline(_ loop: [String: Any], depth: Int) -> [String] {
                let children = loop["children"] as? [[String: Any]] ?? []
                return [String(repeating: "  ", count: depth) + (loop["loop"] as? String ?? "?")]
                    + children.filter { $0["loop"] != nil }.flatMap { outline($0, depth: depth + 1) }
            }
            #expect(outline(object, depth: 0) == X12LoopTreeFixture.loopOutline(tree))
            #expect(object["name"] as? String == "Transaction Set Header")
        }
        #expect(tree.compactJSON.contains("{\"segment\":\"ZZZ\",\"position\":16,\"recognized\":false}"))
        #expect(!tree.json.contains("DOE"))  // values (PHI) are not rendered
    }

    /// Views straight from the tokenizer, two sets through one builder: `finish()` starts the next set afresh.
    @Test func streamingFromTheTokenizerAndReuse() throws {
        let body = Self.header + Self.subscriber + "CLM*C1*1***11:B:1*Y*A*Y*Y~ZZZ~SE*17*0001~"
        let text = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*P*:~"
            + "GS*HC*S*R*20240101*1200*1*X*005010X222A1~" + body.replacingOccurrences(of: "\n", with: "")
            + body.replacingOccurrences(of: "\n", with: "") + "GE*2*1~IEA*1*000000001~"
        var builder = X12LoopTreeBuilder(guide: X12LoopTreeFixture.professional)
        var trees: [(X12Loop, [X12LoopTreeIssue])] = []
        var inside = false
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBytes { raw in
            try X12SegmentFramer.forEachSegment(in: raw) { view in
                if view.hasID("ST") { inside = true }
                guard inside else { return }
                builder.consume(view)
                if view.hasID("SE") {
                    inside = false
                    let issues = builder.issues
                    trees.append((builder.finish(), issues))
                }
            }
        }
        #expect(trees.count == 2)
        #expect(trees.map { $0.1.map(\.position) } == [[18], [35]])  // ZZZ, at its position in the file
        #expect(trees[0].0.descendants("2300").count == 1)
        #expect(trees[1].0.descendants("2300").count == 1)
        #expect(X12LoopTreeFixture.positions(trees[1].0) == Array(20...36))
    }

    /// A loop trigger with an unlisted qualifier still opens the one loop it can open (999 AK1 → HEADER), reported.
    @Test func unlistedQualifierOnTheOnlyPossibleLoop() throws {
        let guide = try X12Guide.bundled("005010X231A1")
        let (tree, issues) = X12LoopTreeFixture.build(
            "ST*999*1*005010X231A1~AK1*ZZ*17*005010X222A1~AK2*837*0001~IK5*A~AK9*A*1*1*1~SE*6*1~", guide: guide)
        #expect(issues == [.init(kind: .qualifierNotRecognized(element: 1, found: "ZZ"), position: 2, loopID: "HEADER", segmentID: "AK1")])
        #expect(X12LoopTreeFixture.loopOutline(tree) == ["ST_LOOP", "  HEADER", "    2000"])
        #expect(Self.paths(tree) == [
            "ST_LOOP ST", "ST_LOOP/HEADER AK1", "ST_LOOP/HEADER/2000 AK2", "ST_LOOP/HEADER/2000 IK5",
            "ST_LOOP/HEADER AK9", "ST_LOOP SE",
        ])
    }
}
