import ByteCoding
import EDI
import Foundation
import Testing

/// The byte-level ``X12LoopTreeBuilder`` against the String-keyed builder it replaced (``ReferenceLoopTreeBuilder``,
/// kept verbatim in the tests): on every corpus transaction set and on seeded damaged sets (segments dropped,
/// doubled, swapped and moved, ids and qualifier values changed, HL parents rewired, elements cut, non-ASCII bytes),
/// the trees (segments included) and the issues must be equal, whether segments arrive as views or as owned
/// segments, and the loops-only tree must be the reference tree without its segments.
@Suite("X12 loop tree: byte-level placement equals the previous builder")
struct X12LoopTreeEquivalenceTests {
    /// One transaction set as segment bytes (id and elements, no terminator) with its delimiters and guide.
    struct Sample {
        var name: String
        var guide: X12Guide
        var delimiters: X12Delimiters
        var segments: [[UInt8]]
    }

    /// Every ST…SE of the corpus's 835, 837 and 999 inputs, with the guide the conformance tests use.
    static func corpusSamples() throws -> [Sample] {
        var samples: [Sample] = []
        for input in X12LoopTreeCorpus.inputs {
            let bytes = try Array(Data(contentsOf: X12Conformance.root.appendingPathComponent(input)))
            var current: [[UInt8]]?
            var groupVersion = ""
            try bytes.withUnsafeBytes { raw in
                try X12SegmentFramer.forEachSegment(in: raw, allowsUnterminatedFinalSegment: true) { view in
                    if view.hasID("GS") { groupVersion = view.element(8)?.text ?? "" }
                    if view.hasID("ST") { current = [] }
                    current?.append(Array(view.bytes))
                    guard view.hasID("SE"), let segments = current, let st = segments.first else { return }
                    current = nil
                    let header = st.withUnsafeBytes {
                        X12SegmentView(bytes: $0, delimiters: view.delimiters, position: 1, byteOffset: 0)
                    }
                    let st01 = header.element(1)?.text ?? ""
                    let st03 = header.element(3)?.text ?? ""
                    let fallback = ["835": "005010X221A1", "999": "005010X231A1"][st01] ?? "005010X222A1"
                    let guide =
                        X12Guide.bundled(
                            transactionSet: st01, implementationConvention: st03, transmissionType: nil,
                            groupVersion: groupVersion)
                        ?? (try? X12Guide.bundled(fallback)) ?? X12LoopTreeFixture.professional
                    samples.append(Sample(
                        name: "\(input) set \(samples.count)", guide: guide, delimiters: view.delimiters,
                        segments: segments))
                }
            }
        }
        return samples
    }

    /// A generated 837P set (the benchmark's shape): billing provider, subscribers with and without a patient
    /// level, claims with diagnoses, a rendering provider and service lines.
    static func generatedSample() -> Sample {
        var text = [
            "ST*837*0001*005010X222A1", "BHT*0019*00*1*20261121*1200*CH", "NM1*41*2*CLEARINGHOUSE*****46*CH0001",
            "PER*IC*DESK*TE*5555550100", "NM1*40*2*PAYER*****46*PAYER00001", "HL*1**20*1",
            "NM1*85*2*CLINIC*****XX*1234567893", "N3*100 MAIN", "N4*SPRINGFIELD*IL*627010001", "REF*EI*123456789",
        ]
        var hl = 1
        for claim in 0..<4 {
            hl += 1
            let subscriberHL = hl
            text += [
                "HL*\(hl)*1*22*\(claim % 2)", "SBR*P*\(claim % 2 == 0 ? "18" : "")*GRP******CI",
                "NM1*IL*1*DOE*JO****MI*M0001", "N3*12 HARBOR", "N4*SPRINGFIELD*IL*62704", "DMG*D8*19800412*F",
                "NM1*PR*2*PAYER*****PI*PAYER00001",
            ]
            if claim % 2 == 1 {
                hl += 1
                text += [
                    "HL*\(hl)*\(subscriberHL)*23*0", "PAT*19", "NM1*QC*1*DOE*SAM", "N3*12 HARBOR",
                    "N4*SPRINGFIELD*IL*62704", "DMG*D8*20120304*M",
                ]
            }
            text += [
                "CLM*C\(claim)*100***11:B:1*Y*A*Y*Y", "DTP*431*D8*20261101", "REF*G1*AUTH1", "HI*ABK:J069*ABF:R05",
                "NM1*82*1*NGUYEN*MINH****XX*1234567893", "PRV*PE*PXC*207Q00000X", "NM1*77*2*SITE*****XX*1234567893",
                "N3*1 SITE ROAD", "N4*SPRINGFIELD*IL*62704",
            ]
            for line in 1...(claim + 1) {
                text += [
                    "LX*\(line)", "SV1*HC:99213:25*50*UN*1***1", "DTP*472*D8*20261104", "REF*6R*L\(line)",
                    "NM1*82*1*NGUYEN*MINH****XX*1234567893",
                ]
            }
        }
        text.append("SE*\(text.count + 1)*0001")
        return Sample(
            name: "generated 837P", guide: X12LoopTreeFixture.professional, delimiters: .standard,
            segments: text.map { Array($0.utf8) })
    }

    /// Values the damage draws from: ids and qualifier codes of the guides, empties, unknowns, long values,
    /// invalid UTF-8 and the Kelvin sign (canonically equal to `K` as text, not as bytes).
    static let ids = ["NM1", "HL", "REF", "N3", "N4", "DTP", "CLM", "LX", "SV1", "XYZ", "K3", "\u{212A}3", "", "NM1X"]
    static let codes = [
        "85", "87", "IL", "QC", "PR", "82", "77", "DN", "DK", "41", "40", "20", "22", "23", "472", "431", "G1",
        "6R", "EI", "", "ZZ", "X", "LONGVALUE1", "\u{212A}", "1", "2", "3", "99",
    ]

    /// One damaged copy of `segments`: 1–4 random changes.
    static func damage(_ segments: [[UInt8]], delimiters: X12Delimiters, random: inout SplitMix64) -> [[UInt8]] {
        var segments = segments
        for _ in 0..<(Int(random.next() % 4) + 1) where !segments.isEmpty {
            let index = Int(random.next() % UInt64(segments.count))
            var fields = segments[index].split(separator: delimiters.element, omittingEmptySubsequences: false)
                .map(Array.init)
            func pick(_ values: [String]) -> [UInt8] { Array(values[Int(random.next() % UInt64(values.count))].utf8) }
            switch random.next() % 9 {
            case 0: segments.remove(at: index)
            case 1: segments.insert(segments[index], at: index)
            case 2:
                if index + 1 < segments.count { segments.swapAt(index, index + 1) }
            case 3:
                let moved = segments.remove(at: index)
                segments.insert(moved, at: Int(random.next() % UInt64(segments.count + 1)))
            case 4:
                fields[0] = pick(ids)
                segments[index] = Array(fields.joined(separator: [delimiters.element]))
            case 5, 6:
                let element = fields.count > 1 ? Int(random.next() % UInt64(min(fields.count - 1, 3))) + 1 : 1
                while fields.count <= element { fields.append([]) }
                fields[element] = pick(codes)
                if random.next() % 4 == 0 { fields[element] += [delimiters.component] + pick(codes) }
                segments[index] = Array(fields.joined(separator: [delimiters.element]))
            case 7:
                fields = Array(fields.prefix(Int(random.next() % 3) + 1))
                segments[index] = Array(fields.joined(separator: [delimiters.element]))
            default:
                // Rewire an HL: HL02 pointing elsewhere or empty, or a new HL.
                let parent = random.next() % 3 == 0 ? "" : String(random.next() % 6)
                let level = ["20", "22", "23", "24"][Int(random.next() % 4)]
                let hl = Array("HL*\(random.next() % 8)*\(parent)*\(level)*0".utf8).map {
                    $0 == UInt8(ascii: "*") ? delimiters.element : $0
                }
                if random.next() % 2 == 0 { segments[index] = hl } else { segments.insert(hl, at: index) }
            }
        }
        return segments
    }

    /// The tree without its segments (what a builder that keeps no segments returns).
    static func loopsOnly(_ loop: X12Loop) -> X12Loop {
        X12Loop(
            id: loop.id, name: loop.name,
            children: loop.children.compactMap { child in
                if case let .loop(inner) = child { .loop(loopsOnly(inner)) } else { nil }
            })
    }

    /// Builds the set four ways and compares them with the reference; returns a failure description or `nil`.
    static func difference(_ segments: [[UInt8]], guide: X12Guide, delimiters: X12Delimiters) -> String? {
        var reference = ReferenceLoopTreeBuilder(guide: guide)
        var views = X12LoopTreeBuilder(guide: guide)
        var owned = X12LoopTreeBuilder(guide: guide)
        var loops = X12LoopTreeBuilder(guide: guide, retainsSegments: false)
        for (offset, bytes) in segments.enumerated() {
            bytes.withUnsafeBytes { raw in
                let view = X12SegmentView(bytes: raw, delimiters: delimiters, position: offset + 1, byteOffset: 0)
                reference.consume(view.copy(), position: offset + 1)
                views.consume(view)
                owned.consume(view.copy(), position: offset + 1)
                loops.consume(view)
            }
        }
        let expectedIssues = reference.issues
        let expected = reference.finish()
        if views.issues != expectedIssues { return "issues (views): \(views.issues) ≠ \(expectedIssues)" }
        if owned.issues != expectedIssues { return "issues (owned): \(owned.issues) ≠ \(expectedIssues)" }
        if loops.issues != expectedIssues { return "issues (loops only): \(loops.issues) ≠ \(expectedIssues)" }
        if views.finish() != expected { return "tree (views)" }
        if owned.finish() != expected { return "tree (owned)" }
        if loops.finish() != loopsOnly(expected) { return "tree (loops only)" }
        return nil
    }

    @Test func generatedSetsPlaceAsBefore() {
        let sample = Self.generatedSample()
        #expect(Self.difference(sample.segments, guide: sample.guide, delimiters: sample.delimiters) == nil)
        var random = SplitMix64(seed: 2222)
        for round in 0..<400 {
            let damaged = Self.damage(sample.segments, delimiters: sample.delimiters, random: &random)
            let difference = Self.difference(damaged, guide: sample.guide, delimiters: sample.delimiters)
            #expect(difference == nil, "round \(round): \(difference ?? "")")
            if difference != nil { break }
        }
    }

    @Test func corpusSetsPlaceAsBefore() throws {
        guard X12Conformance.available else {
            print(X12Conformance.skipMessage)
            return
        }
        let samples = try Self.corpusSamples()
        #expect(samples.count > 20)
        var random = SplitMix64(seed: 999)
        for sample in samples {
            let difference = Self.difference(sample.segments, guide: sample.guide, delimiters: sample.delimiters)
            #expect(difference == nil, "\(sample.name): \(difference ?? "")")
            for round in 0..<15 {
                let damaged = Self.damage(sample.segments, delimiters: sample.delimiters, random: &random)
                let difference = Self.difference(damaged, guide: sample.guide, delimiters: sample.delimiters)
                #expect(difference == nil, "\(sample.name) round \(round): \(difference ?? "")")
                if difference != nil { break }
            }
        }
    }
}
