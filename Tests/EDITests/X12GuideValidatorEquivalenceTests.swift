import ByteCoding
import EDI
import Foundation
import Testing

/// SNIP level 2 findings on the sets of ``X12LoopTreeEquivalenceTests`` (corpus sets and seeded damaged ones),
/// bad values included, must stay exactly what the validator found before placement and element checks moved to
/// bytes: the digest below was recorded with that validator (commit 997acbe) over the same inputs.
@Suite("X12 guide validator: findings unchanged by the byte-level rewrite")
struct X12GuideValidatorEquivalenceTests {
    /// FNV-1a over every finding's description and bad value, one per line, and the number of findings.
    static func digest(_ samples: [X12LoopTreeEquivalenceTests.Sample], rounds: Int, seed: UInt64) -> (UInt64, Int) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var count = 0
        var validators: [String: X12GuideValidator] = [:]
        var random = SplitMix64(seed: seed)
        for sample in samples {
            var validator =
                validators[sample.guide.id]
                ?? X12GuideValidator(guide: sample.guide, options: .init(includesBadValues: true))
            for round in 0...rounds {
                let segments =
                    round == 0
                    ? sample.segments
                    : X12LoopTreeEquivalenceTests.damage(sample.segments, delimiters: sample.delimiters, random: &random)
                for (offset, bytes) in segments.enumerated() {
                    bytes.withUnsafeBytes { raw in
                        validator.consume(
                            X12SegmentView(bytes: raw, delimiters: sample.delimiters, position: offset + 1, byteOffset: 0))
                    }
                }
                for finding in validator.finish() {
                    count += 1
                    for byte in "\(finding) \(finding.badValue ?? "-")\n".utf8 {
                        hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
                    }
                }
            }
            validators[sample.guide.id] = validator
        }
        return (hash, count)
    }

    @Test func generatedSetsFindTheSame() {
        let (hash, count) = Self.digest([X12LoopTreeEquivalenceTests.generatedSample()], rounds: 400, seed: 2222)
        print("validator digest (generated): \(String(hash, radix: 16)) \(count)")
        #expect(String(hash, radix: 16) == "f424601664e17f3c")
        #expect(count == 3333)
    }

    @Test func corpusSetsFindTheSame() throws {
        guard X12Conformance.available else {
            print(X12Conformance.skipMessage)
            return
        }
        let (hash, count) = Self.digest(try X12LoopTreeEquivalenceTests.corpusSamples(), rounds: 15, seed: 999)
        print("validator digest (corpus): \(String(hash, radix: 16)) \(count)")
        #expect(String(hash, radix: 16) == "7d05d94f4a2f3753")
        #expect(count == 137911)
    }
}
