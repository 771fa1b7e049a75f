import EDI
import Foundation
import Testing

@Suite("X12 implementation guides")
struct X12GuideTests {
    static let claimLoops = [
        "1000A", "1000B", "2000A", "2010AA", "2010AB", "2000B", "2010BA", "2010BB", "2000C", "2010CA", "2300",
        "2310A", "2310B", "2310C", "2310D", "2310E", "2310F", "2320", "2330A", "2330B", "2330C", "2330D", "2330E",
        "2330F", "2330G", "2400", "2410", "2420A", "2420B", "2420C", "2420D", "2430",
    ]

    static func allLoops(_ loop: X12GuideLoop) -> [X12GuideLoop] {
        [loop] + loop.children.flatMap { child -> [X12GuideLoop] in
            if case let .loop(inner) = child { allLoops(inner) } else { [] }
        }
    }

    @Test(arguments: ["005010X222A1", "005010X223A2"])
    func bundledGuideHasTheClaimLoops(id: String) throws {
        let guide = try X12Guide.bundled(id)
        #expect(guide.id == id)
        #expect(guide.transactionSet == "837")
        #expect(guide.source["license"] == "BSD-3-Clause")
        #expect(guide.root.id == "ST_LOOP")
        let ids = Set(Self.allLoops(guide.root).map(\.id))
        #expect(Set(Self.claimLoops).subtracting(ids).isEmpty)
    }

    /// The `trigger` written by the converter agrees with the loop's first segment and its qualifier.
    @Test(arguments: X12Guide.bundledIDs)
    func triggersMatchFirstSegments(id: String) throws {
        let guide = try X12Guide.bundled(id)
        for loop in Self.allLoops(guide.root) {
            guard let first = loop.firstSegment else {
                #expect(loop.trigger == nil, "\(loop.id)")
                continue
            }
            let trigger = try #require(loop.trigger, "\(loop.id)")
            #expect(trigger.segment == first.id, "\(loop.id)")
            let qualifier = first.qualifiers.first
            #expect(trigger.position == qualifier?.position, "\(loop.id)")
            #expect(trigger.codes == qualifier?.codes, "\(loop.id)")
        }
    }

    @Test(arguments: [("005010X221A1", "835", ["1000A", "1000B", "2000", "2100", "2110"]), ("005010X231A1", "999", ["2000", "2100", "2110"])])
    func paymentAndAcknowledgmentGuides(id: String, transactionSet: String, loops: [String]) throws {
        let guide = try X12Guide.bundled(id)
        #expect(guide.transactionSet == transactionSet)
        #expect(guide.source["file"]?.hasPrefix(transactionSet) == true)
        let ids = Self.allLoops(guide.root).map(\.id)
        #expect(Set(loops).subtracting(ids).isEmpty)
        #expect(X12Guide.bundled(forConvention: String(id.prefix(10)), transactionSet: transactionSet)?.id == id)
    }

    @Test func professionalRepeatsAndHierarchy() throws {
        let guide = try X12Guide.bundled("005010X222A1")
        let loops = Dictionary(Self.allLoops(guide.root).map { ($0.id, $0) }) { first, _ in first }
        #expect(loops["2400"]?.maxRepeat == 50)
        #expect(loops["2300"]?.maxRepeat == 100)
        #expect(loops["2010AA"]?.maxRepeat == 1)
        #expect(loops["2000A"]?.maxRepeat == nil)
        #expect(loops["2000B"]?.trigger == X12GuideTrigger(segment: "HL", position: 3, component: nil, codes: ["22"]))
        #expect(loops["2010AA"]?.trigger?.codes == ["85"])
        #expect(loops["2000C"]?.hierarchicalParents == ["2000B"])
        #expect(loops["2000A"]?.hierarchicalParents == [])
        #expect(loops["HEADER"]?.isWrapper == true)
    }

    @Test(arguments: [
        ("005010X222A1", "005010X222A1"), ("005010X222A2", "005010X222A1"), ("005010X222", "005010X222A1"),
        ("005010X223A3", "005010X223A2"), ("005010X224A2", "005010X224A2"), ("005010X224A3", "005010X224A2"),
        ("004010X097A1", "004010X097A1"), ("004010X097", "004010X097A1"), ("004010X098A1", "004010X098A1"),
        ("004010X096A1", "004010X096A1"), ("005010", nil),
    ] as [(String, String?)])
    func guideChosenByConvention(reference: String, expected: String?) {
        #expect(X12Guide.bundled(forConvention: reference, transactionSet: "837")?.id == expected)
    }

    /// 005010X224A2 is derived from the 4010 dental map by the converter's `--patch 837d-5010` step.
    @Test func dentalGuideHasThe5010Structure() throws {
        let guide = try X12Guide.bundled("005010X224A2")
        #expect(guide.transactionSet == "837")
        #expect(guide.source["file"] == "837.4010.X097.A1.xml")
        let loops = Self.allLoops(guide.root)
        let ids = Set(loops.map(\.id))
        for id in ["2010AA", "2010AB", "2010AC", "2000B", "2000C", "2300", "2310A", "2310B", "2310C", "2310D", "2310E",
            "2320", "2400", "2420A", "2420B", "2420C", "2420D", "2430"]
        {
            #expect(ids.contains(id), "\(id)")
        }
        #expect(!ids.contains("2010BC"))
        let byID = Dictionary(loops.map { ($0.id, $0) }) { first, _ in first }
        #expect(byID["2010AC"]?.trigger?.codes == ["PE"])
        #expect(byID["2310A"]?.trigger?.codes == ["DN", "P3"])
        #expect(byID["2310B"]?.trigger?.codes == ["82"])
        #expect(byID["2310C"]?.trigger?.codes == ["77"])
        #expect(byID["2310D"]?.trigger?.codes == ["DD"])
        #expect(byID["2310E"]?.trigger?.codes == ["DQ"])
        #expect(byID["2420A"]?.trigger?.codes == ["82"])
        #expect(byID["2420B"]?.trigger?.codes == ["DD"])
        #expect(byID["2420C"]?.trigger?.codes == ["DQ"])
        #expect(byID["2420D"]?.trigger?.codes == ["77"])
        let line = try #require(byID["2400"])
        #expect(line.children.prefix(4).compactMap { if case let .segment(s) = $0 { s.id } else { nil } } == [
            "LX", "SV3", "TOO", "DTP",
        ])
        guard case let .segment(st) = guide.root.children.first else { Issue.record("no ST"); return }
        #expect(st.elements.first { $0.position == 3 }?.codes == ["005010X224A2"])
        let header = try #require(byID["HEADER"])
        guard case let .segment(bht) = header.children.first else { Issue.record("no BHT"); return }
        #expect(bht.elements.first { $0.position == 6 }?.codes == ["CH", "RP"])
        #expect(!header.children.contains { if case let .segment(s) = $0 { s.id == "REF" } else { false } })
        let rendering = try #require(byID["2310B"]?.firstSegment)
        #expect(rendering.elements.first { $0.position == 8 }?.codes == ["XX"])
    }

    /// Every element is listed with its type and lengths (from pyx12's dataele.xml) and the syntax rules.
    @Test func elementDefinitions() throws {
        let guide = try X12Guide.bundled("005010X222A1")
        let claim = try #require(Self.allSegments(guide.root).first { $0.id == "CLM" })
        let clm01 = try #require(claim.elements.first { $0.position == 1 })
        #expect(clm01.reference == "1028")
        #expect(clm01.type == "AN")
        #expect(clm01.minLength == 1)
        #expect(clm01.maxLength == 38)
        #expect(clm01.codes.isEmpty)
        let facility = try #require(claim.elements.first { $0.position == 5 && $0.component == 1 })
        #expect(facility.composite == "C023")
        #expect(facility.components == 3)
        let nm1 = try #require(Self.allSegments(guide.root).first { $0.id == "NM1" })
        #expect(nm1.syntaxRules.contains("P0809"))
        #expect(nm1.syntaxRules.contains("C1110"))
    }

    static func allSegments(_ loop: X12GuideLoop) -> [X12GuideSegment] {
        loop.children.flatMap { child -> [X12GuideSegment] in
            switch child {
            case let .segment(segment): [segment]
            case let .loop(inner): allSegments(inner)
            }
        }
    }

    @Test func loadingErrors() {
        #expect(throws: X12GuideError.notFound("005010X999A1")) { try X12Guide.bundled("005010X999A1") }
        #expect {
            try X12Guide(json: Data(#"{"format":"other/1","id":"x","transactionSet":"837","name":"","source":{},"root":{"loop":"ST_LOOP","name":"","usage":"R","children":[]}}"#.utf8))
        } throws: { error in
            if case .malformed(guide: "x", _) = error as? X12GuideError { true } else { false }
        }
        #expect {
            try X12Guide(json: Data("{".utf8))
        } throws: { error in
            if case .malformed(guide: nil, _) = error as? X12GuideError { true } else { false }
        }
    }
}
