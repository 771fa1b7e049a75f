import ByteCoding
import EDI
import Foundation
import Testing

/// Bad input end to end: truncations, wrong counts, garbage between segments and binary noise, seeded, over
/// hand-written and corpus interchanges. Each damaged input must give located findings and a rejecting
/// acknowledgement that is itself a clean interchange; nothing may crash or hang.
@Suite("X12 acknowledgements of damaged input")
struct X12AckRobustnessTests {
    enum Damage: String, CaseIterable, Sendable {
        case truncated, wrongSegmentCount, garbageBetweenSegments, binaryNoise, droppedTrailer
    }

    /// Valid inputs to damage: two hand-written interchanges and, when present, corpus files.
    static func originals() throws -> [(name: String, bytes: [UInt8])] {
        var result = [
            ("fixture", Array(X12Fixture.interchange(sets: 2).utf8)),
            ("fixture-crlf", Array(X12Fixture.interchange(suffix: "\r\n", groups: 2).utf8)),
        ]
        for path in ["x12-5010-837p-imsweb-valid/input.x12", "x12-4010-837p-pyx12-simple-valid/input.x12"] {
            let url = X12Conformance.root.appendingPathComponent(path)
            if FileManager.default.fileExists(atPath: url.path) { result.append((path, Array(try Data(contentsOf: url)))) }
        }
        return result
    }

    /// Byte offsets just after each segment terminator of `bytes` (its delimiters from the ISA).
    static func segmentEnds(_ bytes: [UInt8]) throws -> (ends: [Int], delimiters: X12Delimiters) {
        var ends: [Int] = []
        var delimiters: X12Delimiters?
        try bytes.withUnsafeBytes { raw in
            try X12SegmentFramer.forEachSegment(in: raw) { view in
                delimiters = delimiters ?? view.delimiters
                ends.append(view.byteOffset + view.bytes.count + view.delimiters.segmentTerminator.count)
            }
        }
        return (ends, try #require(delimiters))
    }

    static func damage(_ bytes: [UInt8], _ kind: Damage, random: inout SplitMix64) throws -> [UInt8] {
        let (ends, delimiters) = try segmentEnds(bytes)
        let element = String(UnicodeScalar(delimiters.element))
        let terminator = delimiters.segmentTerminator
        // Never before the end of the ISA: damage there is a fatal delimiter error, tested elsewhere.
        let inner = Array(ends.dropFirst().dropLast())
        let at = inner[Int.random(in: 0..<inner.count, using: &random)]
        switch kind {
        case .truncated:
            return Array(bytes[..<Int.random(in: ends[0]..<(ends.last ?? bytes.count) - 1, using: &random)])
        case .wrongSegmentCount:
            // Segment starts (after the whitespace that may follow a terminator) that are an SE: put a 9 before SE01.
            let trailerStarts = ends.compactMap { end -> Int? in
                var start = end
                while start < bytes.count, [0x0A, 0x0D, 0x20, 0x09].contains(bytes[start]) { start += 1 }
                return bytes[start...].starts(with: Array(("SE" + element).utf8)) ? start : nil
            }
            let start = try #require(trailerStarts.isEmpty ? nil : trailerStarts[Int.random(in: 0..<trailerStarts.count, using: &random)])
            return Array(bytes[..<(start + 3)]) + [UInt8(ascii: "9")] + Array(bytes[(start + 3)...])
        case .garbageBetweenSegments:
            return Array(bytes[..<at]) + Array("#GARBAGE!".utf8) + terminator + Array(bytes[at...])
        case .binaryNoise:
            let noise = (0..<Int.random(in: 1...16, using: &random)).map { _ in UInt8.random(in: 0...31, using: &random) }
            return Array(bytes[..<at]) + noise.filter { ![0x0A, 0x0D, 0x09, 0x0B, 0x0C].contains($0) && !terminator.contains($0) } + [0x01]
                + Array(bytes[at...])
        case .droppedTrailer:
            // Remove the last segment (the IEA).
            return Array(bytes[..<(ends.dropLast().last ?? bytes.count)])
        }
    }

    @Test(arguments: Damage.allCases)
    func damagedInputIsRejectedWithACleanAcknowledgement(kind: Damage) throws {
        var random = SplitMix64(seed: UInt64(kind.rawValue.utf8.count))
        var checked = 0
        for original in try Self.originals() {
            for _ in 0..<25 {
                let damaged = try Self.damage(original.bytes, kind, random: &random)
                let result = X12AckValidationResult(validating: damaged)
                #expect(!result.isAccepted, "\(original.name) \(kind) was accepted")
                let findings = result.unattributedFindings
                    + result.interchanges.flatMap { interchange in
                        interchange.findings.map(\.cause)
                            + interchange.groups.flatMap { $0.findings.map(\.cause) }
                            + interchange.groups.flatMap(\.transactionSets).flatMap { $0.findings.map(\.cause) }
                    }
                let segmentErrors = result.interchanges.flatMap(\.groups).flatMap(\.transactionSets).flatMap(\.segmentErrors)
                #expect(!findings.isEmpty || !segmentErrors.isEmpty, "\(original.name) \(kind): rejected without a finding")
                for interchange in result.interchanges {
                    for kind in [X12AckKind.ta1, .functional997, .implementation999] {
                        let ack = try X12AckGenerator(envelope: X12AckFixture.envelope).write(kind, for: interchange)
                        let reread = X12AckValidationResult(validating: ack)
                        #expect(reread.unattributedFindings.isEmpty && reread.interchanges.allSatisfy { $0.findings.isEmpty },
                                "the \(kind) for \(original.name) is not a clean interchange")
                        let text = String(decoding: ack, as: UTF8.self)
                        if kind != .ta1 {
                            #expect(text.contains("AK9*R") || text.contains("AK9*P") || interchange.groups.isEmpty
                                    || interchange.acknowledgmentCode == .rejected,
                                    "\(original.name) \(kind): \(text)")
                        }
                    }
                }
                checked += 1
            }
        }
        print("X12 damaged input (\(kind)): \(checked) inputs rejected with located findings")
    }
}
