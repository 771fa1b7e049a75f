import EDI
import Events
import Foundation
import Testing

/// The model-free ``X12ClaimEventWriter`` against the model path (``X12ClaimExtractor`` + ``X12ClaimEvent``): the
/// same JSON Lines byte for byte (same events, same order, same JSON) and the same issues.
enum ClaimEventEquivalence {
    /// Both outputs of `bytes` (framed as the CLI frames them; a syntax error ends the walk for both alike).
    static func outputs(_ bytes: [UInt8]) -> (model: [UInt8], fast: [UInt8], modelIssues: [X12ClaimIssue], fastIssues: [X12ClaimIssue]) {
        var extractor = X12ClaimExtractor()
        var model = JSONWriter()
        var modelIssues: [X12ClaimIssue] = []
        var writer = X12ClaimEventWriter()
        var fast = JSONWriter()
        var fastIssues: [X12ClaimIssue] = []
        bytes.withUnsafeBytes { raw in
            try? X12SegmentFramer.forEachSegment(in: raw, allowsUnterminatedFinalSegment: true) { view in
                extractor.consume(view) { record in
                    X12ClaimEvent.write(record, to: &model)
                    model.endLine()
                }
                modelIssues += extractor.takeIssues()
                writer.consume(view, to: &fast)
                fastIssues += writer.takeIssues()
            }
        }
        extractor.finish()
        modelIssues += extractor.takeIssues()
        writer.finish()
        fastIssues += writer.takeIssues()
        return (model.bytes, fast.bytes, modelIssues, fastIssues)
    }

    /// Expects equal outputs; returns the number of events.
    @discardableResult
    static func expectEqual(_ bytes: [UInt8], _ label: String) -> Int {
        let result = outputs(bytes)
        #expect(result.fast == result.model, "\(label): JSON differs\n\(firstDifference(result.model, result.fast))")
        #expect(result.fastIssues == result.modelIssues, "\(label): issues differ")
        return result.model.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    /// The first differing line of two JSON Lines outputs, around the first differing byte.
    static func firstDifference(_ model: [UInt8], _ fast: [UInt8]) -> String {
        let index = zip(model, fast).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(model.count, fast.count)
        func around(_ bytes: [UInt8]) -> String {
            String(decoding: bytes[max(0, index - 120)..<min(bytes.count, index + 120)], as: UTF8.self)
        }
        return "model: …\(around(model))…\nfast:  …\(around(fast))…"
    }

    /// A small deterministic generator (SplitMix64), so a failing case can be replayed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    /// Segments a generated 837 draws from: every member the claim JSON has, escapes, non-ASCII and invalid UTF-8,
    /// bad amounts and the loop-changing segments, in any order.
    static let pool: [String] = [
        "HL*1**20*1", "HL*2*1*22*0", "HL*3*2*23*0", "HL*4**22*1", "HL*5*4*23*0", "HL*6*9*22*0", "HL*7**23*0", "HL**1*22*0",
        "PRV*BI*PXC*207Q00000X", "PRV*PE*PXC*208D00000X", "PRV*PE*PXC*",
        "NM1*85*2*CLINIC \"ONE\"*****XX*1111111111", "NM1*85*1*DOE*JOHN*Q**JR*XX*222", "REF*EI*123456789", "REF*SY*999",
        "REF*EI", "NM1*IL*1*DOE*JANE****MI*M1", "NM1*IL*1*ÖZ*ÇAĞ****MI*M2", "NM1*IL*1*BAD\u{7F}\\NAME****MI*",
        "DMG*D8*19800412*F", "DMG*D8*1980041*M", "DMG*RD8*19800412-19800413*U", "DMG**20010101",
        "NM1*PR*2*PAYER*****PI*P1", "NM1*QC*1*DOE*SAM", "PAT*19", "PAT*", "SBR*P*18*GRP1*GROUP NAME*****CI", "SBR*S",
        "NM1*82*1*NGUYEN*MINH****XX*1234567890", "NM1*DN*1*REF*DOC", "NM1*77*2*FACILITY", "NM1*ZZ*1*X", "NM1*41*2*SUBMITTER",
        "CLM*C1*100.00***11:B:1*Y*A*Y*Y", "CLM*C1*7.00***13:A:1", "CLM*C2*0***11::1", "CLM**5", "CLM*C3*12.3X",
        "CLM*C4*-1.50***21:A:7",
        "HI*ABK:J069*ABF:R05", "HI*BK:4019*BF:25000:::::::Y", "HI*BE:80:::12.50*BH:11:D8:20260101", "HI*BBR:0DTJ4ZZ:D8:20260102",
        "HI*BE:80:::ABC", "HI*APR:R51*ABN:W01", "CL1*1*7*01", "CL1*2",
        "DTP*472*D8*20261104", "DTP*434*RD8*20261101-20261130", "DTP*434*RD8*2026110-20261130", "DTP*096*TM*1230",
        "DTP*472*D8*2026-11-04", "DTP*431", "DTP**D8*20260101",
        "REF*D9*TRACE1", "REF*D9", "REF*G1*PRIOR AUTH", "REF*6R*LINE1", "REF*6R", "REF*9F*A\tB",
        "LX*1", "LX*2", "LX", "SV1*HC:99213:25*60.00*UN*1***1:2", "SV1*HC:99214:25:59:XE:76:DESC*125.5*UN*2.5*11**1:2:3:4",
        "SV1**10", "SV1*HC:A*1.0.0", "SV2*0450*HC:99283*300.00*UN*1", "SV2*0300**12*UN", "SV3*AD:D2140*95.00*11*A:B*1*2",
        "SV3*AD:D0120*40*11****1", "TOO*JP*3*M:O:D", "TOO*JP*14", "TOO*JP*19*",
        "LIN**N4*00012345678", "CTP****2*UN", "CTP****X*ML", "SVD*P1*10.00*HC:99213**1", "CAS*CO*45*10",
        "SBR*S*01*GRP2******CI", "AMT*D*10", "N3*1 MAIN", "N4*TOWN*IL*62701", "PWK*OZ*BM", "NTE*ADD*NOTE \u{01}",
    ]

    /// A generated 837 interchange: random segments from ``pool`` in sets of random length.
    static func generated(seed: UInt64, sets: Int) -> [UInt8] {
        var random = Random(state: seed)
        var text = ClaimFixture.isa + "GS*HC*APP SENDER*RECV*20261121*1200*77*X*005010X22\(["2A1", "3A2", "4A2"][random.below(3)])~"
        for set in 0..<sets {
            let control = String(format: "%04d", set + 1)
            let conventions = ["005010X222A1", "005010X223A2", "005010X224A2", ""]
            var segments = ["ST*837*\(control)*\(conventions[random.below(conventions.count)])", "BHT*0019*00*B\(set)*20261121*1305*CH"]
            if random.below(4) == 0 { segments.removeLast() }
            for _ in 0..<(20 + random.below(200)) { segments.append(pool[random.below(pool.count)]) }
            text += segments.map { $0 + "~" }.joined()
            if random.below(10) != 0 { text += "SE*\(segments.count + 1)*\(control)~" }
        }
        text += "GE*\(sets)*77~IEA*1*000000042~"
        return Array(text.utf8) + [0xFF, 0x7E]  // a final invalid UTF-8 segment
    }
}

@Suite struct X12ClaimEventWriterEquivalenceTests {
    /// The extractor tests' hand-written sets and a few more members: fast and model output agree.
    @Test func handWrittenSets() {
        let claim = ["CLM*A1*100.00***11:B:1*Y*A*Y*Y", "HI*ABK:J069*ABF:R05", "DTP*431*D8*20261101",
                     "REF*D9*T1", "REF*G1*PA1", "NM1*82*1*NGUYEN*MINH****XX*1234567890", "PRV*PE*PXC*207Q00000X",
                     "LX*1", "SV1*HC:99213:25*60.00*UN*1***1:2", "DTP*472*D8*20261104", "REF*6R*L1",
                     "NM1*82*1*LINE*PROV****XX*5", "LX*2", "SV1*HC:99214*40.00*UN*1***1", "CLM*A1*7.00***11:B:1"]
        let sets = [
            ClaimFixture.professional(ClaimFixture.billing + ClaimFixture.subscriber("2") + claim),
            ClaimFixture.professional(
                ClaimFixture.billing + ClaimFixture.subscriber("2", child: true)
                    + ["HL*3*2*23*0", "PAT*19", "NM1*QC*1*DOE*SAM", "DMG*D8*20120304*M"] + claim),
            ClaimFixture.professional(ClaimFixture.subscriber("2") + claim),
            ClaimFixture.professional(["CLM*X*1"]),
            ClaimFixture.professional(ClaimFixture.billing + ClaimFixture.subscriber("2") + ["CLM*B*1.5X", "CLM*C*2"]),
        ]
        var events = 0
        for (index, set) in sets.enumerated() { events += ClaimEventEquivalence.expectEqual(Array(set.utf8), "set \(index)") }
        #expect(events >= 6)
    }

    /// HL ids numbered 1, 2, 3, … (looked up without a dictionary) and then otherwise (gaps, leading zeros,
    /// duplicates: the writer switches to its id index mid-set), the reference changed by a BHT between claims,
    /// repeated claim ids, and claim ids that need escaping: fast and model output agree.
    @Test func levelNumberingAndReferenceChanges() {
        let claim = { (id: String) in ["CLM*\(id)*10.00***11:B:1*Y*A*Y*Y", "LX*1", "SV1*HC:99213*10.00*UN*1***1"] }
        let sets = [
            // In order, then a gap (5), then a parent found through the index (3).
            ClaimFixture.billing + ClaimFixture.subscriber("2") + claim("A1") + ClaimFixture.subscriber("3", member: "M3")
                + claim("A2") + ClaimFixture.subscriber("5", member: "M5") + claim("A3")
                + ["HL*6*3*23*0", "PAT*19", "NM1*QC*1*DOE*SAM"] + claim("A4"),
            // A leading zero: `01` is not level 1.
            ["HL*01**20*1", "NM1*85*2*CLINIC*****XX*1"] + ClaimFixture.subscriber("2", parent: "01") + claim("B1")
                + ClaimFixture.subscriber("3", parent: "1") + claim("B2"),
            // A duplicate id: the later level 2 is the parent.
            ClaimFixture.billing + ClaimFixture.subscriber("2") + claim("C1") + ClaimFixture.subscriber("2", member: "M9")
                + ["HL*3*2*23*0", "PAT*19", "NM1*QC*1*ROE*KIM"] + claim("C2"),
            // Parents named before they exist, or not at all.
            ["HL*1*2*20*1"] + ClaimFixture.subscriber("2", parent: "4") + claim("D1") + ["HL*3**23*0"] + claim("D2"),
            // BHT between claims, a claim id twice, ids with a quote and non-ASCII.
            ClaimFixture.billing + ClaimFixture.subscriber("2") + claim("E1")
                + ["BHT*0019*00*BATCH8*20261122*0815*CH"] + claim("E1") + claim("E\"2") + claim("É3"),
        ]
        var events = 0
        for (index, set) in sets.enumerated() {
            events += ClaimEventEquivalence.expectEqual(Array(ClaimFixture.professional(set).utf8), "set \(index)")
        }
        #expect(events >= 14)
    }

    /// The generated sets do produce events (not only rejected claims).
    @Test func generatedSetsHaveEvents() {
        var events = 0
        for seed in 0..<40 {
            events += ClaimEventEquivalence.expectEqual(
                ClaimEventEquivalence.generated(seed: UInt64(seed), sets: 1 + seed % 4), "seed \(seed)")
        }
        #expect(events >= 40)
    }

    /// Random segment sequences (every member, escapes, invalid UTF-8, bad amounts, misplaced loops).
    @Test(arguments: 0..<40)
    func generatedSets(seed: Int) {
        ClaimEventEquivalence.expectEqual(
            ClaimEventEquivalence.generated(seed: UInt64(seed), sets: 1 + seed % 4), "seed \(seed)")
    }
}

/// Every corpus X12 input (837, 835 and the rest), whole and cut and corrupted at deterministic places.
@Suite(.enabled(if: X12Conformance.available, "\(X12Conformance.skipMessage)"))
struct X12ClaimEventWriterCorpusEquivalenceTests {
    @Test(arguments: X12Conformance.inputs)
    func corpusInput(input: String) throws {
        let original = try Array(Data(contentsOf: X12Conformance.root.appendingPathComponent(input)))
        ClaimEventEquivalence.expectEqual(original, input)
        guard original.count > 10 else { return }
        var random = ClaimEventEquivalence.Random(state: UInt64(original.count))
        for round in 0..<6 {
            var bytes = Array(original.prefix(1 + random.below(original.count)))
            if round % 2 == 1 {
                for _ in 0..<8 { bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next()) }
            }
            ClaimEventEquivalence.expectEqual(bytes, "\(input) round \(round)")
        }
    }

    @Test func corpusClaimsAreCovered() throws {
        var events = 0
        for input in X12Conformance.inputs where input.contains("837") || input.contains("835") {
            events += ClaimEventEquivalence.expectEqual(
                try Array(Data(contentsOf: X12Conformance.root.appendingPathComponent(input))), input)
        }
        #expect(events > 100)
    }
}
