import EDI
import Foundation
import Testing

/// One transaction set of a corpus file: its segments (with input positions), its ST03/GS08, its tree and issues.
struct X12CorpusTransactionSet {
    var convention: String
    var segments: [(segment: X12Segment, position: Int)]
    var tree: X12Loop
    var issues: [X12LoopTreeIssue]
}

enum X12LoopTreeCorpus {
    /// The 837 inputs of the corpus (5010 and the staedi HL cases), as `case/file`. Left out: the UTF-16 file
    /// (rejected by the tokenizer) and the file without an ISA (no delimiters, no segments).
    static let inputs: [String] = X12Conformance.inputs.filter { input in
        (["837", "835", "999"].contains { input.contains($0) } && input.hasPrefix("x12-5010-")
            && !input.contains("utf16") && !input.contains("missing-isa"))
            || input.hasPrefix("x12-837-staedi")
    }

    /// Tokenizes a corpus file and builds one tree per ST…SE with the guide chosen by ST03 (else GS08).
    static func load(_ input: String) throws -> [X12CorpusTransactionSet] {
        let bytes = try Array(Data(contentsOf: X12Conformance.root.appendingPathComponent(input)))
        var sets: [X12CorpusTransactionSet] = []
        var current: [(segment: X12Segment, position: Int)]?
        var groupVersion = ""
        try bytes.withUnsafeBytes { raw in
            try X12SegmentFramer.forEachSegment(in: raw, allowsUnterminatedFinalSegment: true) { view in
                let segment = view.copy()
                switch segment.id {
                case "GS": groupVersion = segment.element(8)?.text ?? ""
                case "ST": current = [(segment, view.position)]
                case "SE":
                    guard var segments = current else { return }
                    segments.append((segment, view.position))
                    current = nil
                    let st01 = segments[0].segment.element(1)?.text ?? ""
                    let st03 = segments[0].segment.element(3)?.text ?? ""
                    let transmissionType = segments.prefix(4).first {
                        $0.segment.id == "REF" && $0.segment.element(1)?.text == "87"
                    }?.segment.element(2)?.text
                    let convention = st03.isEmpty ? groupVersion : st03
                    // GS08 `005010` (staedi 837) names no guide: the 837P guide is used.
                    let fallback = ["835": "005010X221A1", "999": "005010X231A1"][st01] ?? "005010X222A1"
                    let guide =
                        X12Guide.bundled(
                            transactionSet: st01, implementationConvention: st03, transmissionType: transmissionType,
                            groupVersion: groupVersion)
                        ?? (try? X12Guide.bundled(fallback)) ?? X12LoopTreeFixture.professional
                    let (tree, issues) = X12LoopTreeBuilder.build(guide: guide, segments: segments)
                    sets.append(.init(convention: convention, segments: segments, tree: tree, issues: issues))
                default:
                    current?.append((segment, view.position))
                }
            }
        }
        return sets
    }

    /// The imsweb 837P fixtures share `HL*2*3*22*1` (HL01 reused, HL02 names no HL): both are reported, and the
    /// level falls back to the open 2000A, which is where imsweb (positional) puts it.
    static let imswebHL = [
        "segment 27 HL in loop 2000B: hierarchicalParentUnknown(\"3\")",
        "segment 27 HL in loop 2000B: hierarchicalIDDuplicate(\"2\")",
    ]

    /// Expected findings per input (per transaction set), with the reason when upstream says otherwise.
    static let expectedIssues: [String: [[String]]] = [
        "x12-5010-837p-imsweb-valid/input.x12": [imswebHL],
        "x12-5010-837p-imsweb-valid/input-different-separators.x12": [imswebHL],
        "x12-5010-837p-imsweb-missing-elements/input.x12": [imswebHL],  // missing elements are SNIP 2 (X12GuideValidator), not the tree
        "x12-5010-837p-imsweb-envelope-multiplicity/multiple-st.x12": [
            imswebHL, imswebHL.map { $0.replacingOccurrences(of: "segment 27", with: "segment 61") },
        ],
        "x12-5010-837p-imsweb-envelope-multiplicity/multiple-isa.x12": [
            imswebHL, imswebHL.map { $0.replacingOccurrences(of: "segment 27", with: "segment 65") },
        ],
        // imsweb: exactly 1 error '2010AA appears too many times'.
        "x12-5010-837p-imsweb-loop-2010AA-repeated/input.x12": [
            ["segment 15 NM1 in loop 2010AA: loopRepeatExceeded(maximum: 1, count: 2)"],
        ],
        // imsweb: 'REF in loop 2010AA appears too many times' (its two 'required but not found' are usage
        // checks, SNIP validation, not the tree's job).
        "x12-5010-837p-imsweb-segment-errors/input.x12": [
            ["segment 12 REF in loop 2010AA: segmentUseExceeded(maximum: 1, count: 2)"],
        ],
        // imsweb: exactly 'N4 in loop 2010AA' and 'N3 in loop 2010AB' not in the correct position.
        "x12-5010-837p-imsweb-segments-out-of-order/input.x12": [
            ["segment 12 N4 in loop 2010AA: segmentOutOfOrder", "segment 17 N3 in loop 2010AB: segmentOutOfOrder"]
                + imswebHL,
        ],
        "x12-5010-837p-imsweb-ambiguous-nm1-loop/input.x12": [[]],
        // Deviation: imsweb checks no code values; X223A2 2400 lists only DTP*472 (Service Date).
        "x12-5010-837i-imsweb-repeated-2320/input.x12": [
            ["segment 49 DTP in loop 2400: qualifierNotRecognized(element: 1, found: \"304\")"],
        ],
        "x12-5010-837i-lfh-roundtrip-institutional/input.x12": [[]],
        "x12-5010-837p-lfh-roundtrip-drug-ndc/input.x12": [[]],
        "x12-5010-837p-ig-ambulance-badx12/input.x12": [[]],
        "x12-5010-837p-ig-commercial-patient-dependent-badx12/input.x12": [[]],
        "x12-5010-837p-oopfactory-cr-terminator-bom/input.x12": [[]],
        "x12-837-staedi-newline-terminator-indented/input.x12": [[]],
        // OopFactory builds a claim model without order checks; X222A1 places AMT (pos 1750) before HI (2310).
        "x12-5010-837p-oopfactory-claim-model/input.x12": [["segment 34 AMT in loop 2300: segmentOutOfOrder"]],
        // The OopFactory 837I sample predates X223A2: DTP after REF, DMG in 2320 and PRV in 2420A (4010 segments),
        // NTE after SV2-related segments. Reported; the claim model is still built from the tree.
        "x12-5010-837i-oopfactory-truncated-tabs-claim-model/input.x12": [
            [
                "segment 26 DTP in loop 2300: segmentOutOfOrder", "segment 51 DMG in loop 2320: segmentNotExpected",
                "segment 59 DMG in loop 2320: segmentNotExpected", "segment 77 NTE in loop 2400: segmentOutOfOrder",
                "segment 79 PRV in loop 2420A: segmentNotExpected",
            ]
        ],
        "x12-5010-835-badx12-envelope-errors/input.x12": [[]],  // its errors are envelope counts
        "x12-5010-835-expected-csv-emedny/input.x12": [[]],
        "x12-5010-999-imsweb-rejected/input.x12": [[]],
        // staedi: IK5@4 UNEXPECTED_SEGMENT, AK101@5 too long, IK501@7 invalid code, IK5@8 over maximum use (and
        // AK204/AK205 too many elements: SNIP 2, not yet). Here the padded `HC   ` fails the AK101 code list;
        // the over-use at 8 is not reported because IK5*Q, matched by id only, is not counted as a use.
        "x12-5010-999-staedi-invalid/input.x12": [
            [
                "segment 4 IK5 in loop ST_LOOP: segmentNotExpected",
                "segment 5 AK1 in loop HEADER: qualifierNotRecognized(element: 1, found: \"HC   \")",
                "segment 7 IK5 in loop 2000: qualifierNotRecognized(element: 1, found: \"Q\")",
            ]
        ],
        // Deviation: staedi's test schema makes an empty `HL` its own loop; in the 837 guides HL03 is required
        // and identifies the level, so an empty HL is reported and kept where it stands.
        "x12-837-staedi-hl-parent-nesting/input.x12": [
            ["segment 7 HL in loop 1000B: segmentNotExpected", "segment 8 HL in loop 1000B: segmentNotExpected"], [],
        ],
    ]

    /// HL01 → the HL01s of its enclosing HL loops (outermost first), in one tree.
    static func hierarchy(_ loop: X12Loop, ancestors: [String] = []) -> [String: [String]] {
        var result: [String: [String]] = [:]
        var ancestors = ancestors
        if let first = loop.segments.first, first.id == "HL", let id = first.segment.element(1)?.text, !id.isEmpty {
            result[id] = ancestors
            ancestors.append(id)
        }
        for inner in loop.loops { result.merge(hierarchy(inner, ancestors: ancestors)) { first, _ in first } }
        return result
    }

    /// staedi's expected.loop-tree.txt as HL01 → ancestor HL01s per transaction, plus its empty-HL count.
    static func staediHierarchy(_ text: String) -> [(hierarchy: [String: [String]], emptyHL: Int)] {
        var result: [(hierarchy: [String: [String]], emptyHL: Int)] = []
        var stack: [(indent: Int, id: String?)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let indent = line.prefix { $0 == " " }.count
            let body = line.trimmingCharacters(in: .whitespaces)
            if body == "TRANSACTION" {
                result.append(([:], 0))
                stack = []
            } else if body.hasPrefix("L") && !body.contains(":") {
                while let top = stack.last, top.indent >= indent { stack.removeLast() }
                stack.append((indent, nil))
            } else if body == "HL:" {
                result[result.count - 1].emptyHL += 1
            } else if body.hasPrefix("HL: id: ") {
                let id = String(body.dropFirst("HL: id: ".count).prefix { $0 != ";" })
                stack[stack.count - 1].id = id
                result[result.count - 1].hierarchy[id] = stack.dropLast().compactMap(\.id)
            }
        }
        return result
    }
}

@Suite(.enabled(if: X12Conformance.available, "\(X12Conformance.skipMessage)"))
struct X12LoopTreeConformanceTests {
    /// Every segment of every set is in the tree exactly once, and the findings are the expected ones.
    @Test(arguments: X12LoopTreeCorpus.inputs)
    func everySegmentPlacedAndFindingsAsExpected(input: String) throws {
        let sets = try X12LoopTreeCorpus.load(input)
        #expect(!sets.isEmpty)
        for set in sets {
            #expect(X12LoopTreeFixture.positions(set.tree).sorted() == set.segments.map(\.position))
            if ProcessInfo.processInfo.environment["FERRY_DUMP_TREES"] != nil {
                print("TREE \(input) \(set.convention)\n" + X12LoopTreeFixture.loopOutline(set.tree).joined(separator: "\n"))
                for issue in set.issues { print("  ISSUE \(issue)") }
            }
        }
        if input.contains("many-claims") {
            // 410 billing providers all numbered HL*1 (and their subscribers HL*2): only HL findings.
            #expect(sets.count == 1)
            #expect(sets.allSatisfy { $0.issues.allSatisfy { $0.segmentID == "HL" } })
            #expect(sets.first?.tree.descendants("2000A").count == 410)
            return
        }
        let expected = try #require(X12LoopTreeCorpus.expectedIssues[input], "no expectation for \(input)")
        #expect(sets.map { $0.issues.map(\.description) } == expected)
    }

    /// imsweb X222 tree: HEADER>{1000A,1000B}, DETAIL>2000A>{2010AA,2010AB,2000B x2>{2010BA,2010BB,2300>2400}}.
    @Test(arguments: ["x12-5010-837p-imsweb-valid/input.x12", "x12-5010-837p-imsweb-valid/input-different-separators.x12"])
    func imswebValidTree(input: String) throws {
        let set = try #require(try X12LoopTreeCorpus.load(input).first)
        let subscriber = ["    2000B", "      2010BA", "      2010BB", "      2300", "        2400"]
        #expect(X12LoopTreeFixture.loopOutline(set.tree) == [
            "ST_LOOP", "  HEADER", "    1000A", "    1000B", "  DETAIL", "    2000A", "      2010AA", "      2010AB",
        ] + (subscriber + subscriber).map { "  " + $0 })
        let claims = set.tree.descendants("2300").map { $0.segments.first?.segment.element(1)?.text }
        #expect(claims == ["A37YH556", "A37YH667"])
    }

    /// imsweb: exactly one 2420A (NM1*82 inside 2400), no 2310B and no 2330D.
    /// The 4010 OopFactory 837D sample (GS08 `004010X096A1`, `REF*87*004010X097`) resolves to the 4010 dental
    /// guide through its `REF*87` and places every segment without findings; against the 5010 dental guide the
    /// 4010-only segments are reported.
    @Test func dental4010TreeUsesTheDentalGuide() throws {
        let input = "x12-4010-837d-oopfactory-patient-not-subscriber/input.x12"
        guard FileManager.default.fileExists(atPath: X12Conformance.root.appendingPathComponent(input).path) else { return }
        let sets = try X12LoopTreeCorpus.load(input)
        try #require(sets.count == 1)
        let set = sets[0]
        let guide = try #require(
            X12Guide.bundled(
                transactionSet: "837", implementationConvention: nil, transmissionType: "004010X097",
                groupVersion: set.convention))
        #expect(guide.id == "004010X097A1")
        #expect(set.issues.map(\.description) == [])
        #expect(Self.placed(set.tree) == set.segments.map(\.position))
        let claims = set.tree.descendants("2300")
        #expect(claims.count == 1)
        #expect(set.tree.descendants("2000C").count == 1)
        #expect(claims.first?.descendants("2400").count ?? 0 >= 1)
        let (tree5010, issues5010) = X12LoopTreeBuilder.build(guide: try X12Guide.bundled("005010X224A2"), segments: set.segments)
        #expect(Self.placed(tree5010) == set.segments.map(\.position))
        #expect(issues5010.map(\.description).contains("segment 5 REF in loop HEADER: segmentNotExpected"))
    }

    static func placed(_ loop: X12Loop) -> [Int] {
        loop.children.flatMap { child -> [Int] in
            switch child {
            case let .segment(segment): [segment.position]
            case let .loop(inner): placed(inner)
            }
        }.sorted()
    }

    @Test func ambiguousNM1IsPlacedByPosition() throws {
        let set = try #require(try X12LoopTreeCorpus.load("x12-5010-837p-imsweb-ambiguous-nm1-loop/input.x12").first)
        #expect(set.tree.descendants("2420A").count == 1)
        #expect(set.tree.descendants("2310B").isEmpty)
        #expect(set.tree.descendants("2330D").isEmpty)
    }

    /// imsweb issue #16: the second and third SBR are 2320 (other subscriber), not new 2000B levels.
    @Test func repeated2320StaysInTheClaim() throws {
        let set = try #require(try X12LoopTreeCorpus.load("x12-5010-837i-imsweb-repeated-2320/input.x12").first)
        #expect(set.tree.descendants("2000B").count == 1)
        let subscriber = try #require(set.tree.descendants("2000B").first)
        #expect(subscriber.segments.map(\.id) == ["HL", "SBR"])
        let others = subscriber.descendants("2300").flatMap { $0.loops.filter { $0.id == "2320" } }
        #expect(others.map { $0.segments.first?.segment.element(1)?.text } == ["S", "T"])
        // NM1*77 after the COB loops: 2310E (claim service facility) comes before 2320 in X223A2, so by position
        // it is the other payer's service facility 2330F (pyx12 places it the same way).
        #expect(others.map { $0.loops.map(\.id) } == [["2330A", "2330B"], ["2330A", "2330B", "2330F"]])
        #expect(others.flatMap { $0.descendants("2330A") }.map { $0.segments[0].segment.element(4)?.text } == ["JOHN", "JANE"])
        #expect(others.flatMap { $0.descendants("2330B") }.map { $0.segments[0].segment.element(3)?.text } == ["AETNA", "ANOTHER NAME"])
    }

    /// Patient is the subscriber (no 2000C, claim under 2000B) vs a dependent patient (claim under 2000C).
    @Test(arguments: [
        ("x12-5010-837p-ig-ambulance-badx12/input.x12", false),
        ("x12-5010-837p-ig-commercial-patient-dependent-badx12/input.x12", true),
        ("x12-5010-837p-oopfactory-claim-model/input.x12", true),
        ("x12-837-staedi-newline-terminator-indented/input.x12", true),
    ])
    func claimHangsOffTheRightLevel(input: String, hasPatientLevel: Bool) throws {
        let set = try #require(try X12LoopTreeCorpus.load(input).first)
        let subscriber = try #require(set.tree.descendants("2000B").first)
        #expect(!subscriber.descendants("2000C").isEmpty == hasPatientLevel)
        let claimParent = hasPatientLevel ? try #require(subscriber.descendants("2000C").first) : subscriber
        #expect(claimParent.loops.contains { $0.id == "2300" })
    }

    /// staedi: HL nesting by HL02 equals expected.loop-tree.txt in both transactions.
    @Test func staediHierarchyMatches() throws {
        let folder = X12Conformance.root.appendingPathComponent("x12-837-staedi-hl-parent-nesting")
        let expected = X12LoopTreeCorpus.staediHierarchy(
            try String(contentsOf: folder.appendingPathComponent("expected.loop-tree.txt"), encoding: .utf8))
        let sets = try X12LoopTreeCorpus.load("x12-837-staedi-hl-parent-nesting/input.x12")
        #expect(sets.count == expected.count)
        for (set, upstream) in zip(sets, expected) {
            #expect(X12LoopTreeCorpus.hierarchy(set.tree) == upstream.hierarchy)
            // The empty HLs staedi turns into loops are kept as unrecognized segments here (see expectedIssues).
            #expect(set.issues.filter { $0.segmentID == "HL" }.count == upstream.emptyHL)
        }
        #expect(expected.map(\.hierarchy.count) == [16, 10])
    }

    /// edi-835-parser: one CSV row per SVC (marker = CLP01, code = SVC01-2), in order; here one 2110 per SVC
    /// under the 2100 of its CLP.
    @Test func claimPaymentServiceLinesMatchTheCSV() throws {
        let folder = X12Conformance.root.appendingPathComponent("x12-5010-835-expected-csv-emedny")
        let csv = try String(contentsOf: folder.appendingPathComponent("expected.edi-835-parser.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let expected = rows.map { "\($0[1]) \($0[3])" }
        let set = try #require(try X12LoopTreeCorpus.load("x12-5010-835-expected-csv-emedny/input.x12").first)
        let lines = set.tree.descendants("2100").flatMap { claim in
            claim.loops.filter { $0.id == "2110" }.map { line in
                let svc = line.segments[0].segment.element(1)?.repetitions.first ?? []
                let code = svc.count > 1 ? String(decoding: svc[1], as: UTF8.self) : ""
                return "\(claim.segments[0].segment.element(1)?.text ?? "") \(code)"
            }
        }
        #expect(expected.count == 10)
        #expect(lines == expected)
    }
}
