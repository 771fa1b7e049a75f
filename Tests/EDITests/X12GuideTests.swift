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
        ("005010X223A3", "005010X223A2"), ("005010X224A2", nil), ("005010", nil),
    ] as [(String, String?)])
    func guideChosenByConvention(reference: String, expected: String?) {
        #expect(X12Guide.bundled(forConvention: reference, transactionSet: "837")?.id == expected)
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
