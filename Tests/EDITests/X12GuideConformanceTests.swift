import EDI
import Foundation
import Testing

/// A corpus case whose upstream tool lists the guide errors it finds (imsweb/x12-parser, StAEDI), compared with
/// the IK3/IK4 segments Ferry's SNIP level 2 writes for it.
struct X12GuideConformanceCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// Ferry's IK3/IK4 lines that are upstream's errors, in Ferry's order.
    var upstream: [String]
    /// Ferry's further IK3/IK4 lines, each group with the reason upstream does not list it.
    var extras: [(lines: [String], reason: String)] = []
    /// Upstream errors Ferry does not report, with the reason.
    var missing: [(error: String, reason: String)] = []
    var testDescription: String { name }
}

/// `HI*BK*8901*BF*87200*BF:5559` in the imsweb fixtures: the composites are split across elements (hard case 22);
/// imsweb does not check composites, Ferry reports each element.
private func imswebHI(_ position: Int) -> [String] {
    [
        "IK3*HI*\(position)*2300*8", "IK4*1:2*1271*1", "IK4*2:1*1270*5", "IK4*2:1*1270*7", "IK4*2:2*1271*1",
        "IK4*3:2*1271*1", "IK4*4:1*1270*5", "IK4*4:1*1270*7", "IK4*4:2*1271*1",
    ]
}

private let imswebHIReason = "hard case 22: HI composites split across elements; imsweb does not check composite contents"
private let imswebHL = ["IK3*HL*25*2000B*8", "IK4*2*734*7", "IK4*1*628*7"]
private let imswebHLReason = "the fixture's second claim reuses HL*2 with HL02=3 (no such HL): imsweb is positional"

let x12GuideConformanceCases: [X12GuideConformanceCase] = [
    // imsweb: 'NM1 in loop 1000B is missing a required element at 2', 'CLM in loop 2300 is missing a required
    // composite element at 5'.
    .init(
        name: "x12-5010-837p-imsweb-missing-elements",
        upstream: ["IK3*NM1*5*1000B*8", "IK4*2*1065*1", "IK3*CLM*29*2300*8", "IK4*5**1"],
        extras: [(imswebHI(21), imswebHIReason), (imswebHL, imswebHLReason), (imswebHI(30), imswebHIReason)]),
    // imsweb: 'N3 in loop 2010AA is required but not found', 'HI in loop 2300 is required but not found', 'REF in
    // loop 2010AA appears too many times'.
    .init(
        name: "x12-5010-837p-imsweb-segment-errors",
        upstream: ["IK3*REF*10*2010AA*5", "IK3*N3*11*2010AA*3", "IK3*HI*22*2300*3"]),
    // imsweb: 'Segment N4 in loop 2010AA is not in the correct position.', 'Segment N3 in loop 2010AB is not in the
    // correct position.'
    .init(
        name: "x12-5010-837p-imsweb-segments-out-of-order",
        upstream: ["IK3*N4*10*2010AA*7", "IK3*N3*15*2010AB*7"],
        extras: [(imswebHI(21), imswebHIReason), (imswebHL, imswebHLReason), (imswebHI(30), imswebHIReason)]),
    // imsweb: '2010AA appears too many times'.
    .init(
        name: "x12-5010-837p-imsweb-loop-2010AA-repeated",
        upstream: ["IK3*NM1*13*2010AA*4"],
        extras: [(imswebHI(27), imswebHIReason)]),
    // StAEDI: IK5@4 UNEXPECTED_SEGMENT; AK101@5 DATA_ELEMENT_TOO_LONG; AK204@6, AK205@6 TOO_MANY_DATA_ELEMENTS;
    // IK501@7 INVALID_CODE_VALUE; IK5@8 SEGMENT_EXCEEDS_MAXIMUM_USE (input positions; IK302 counts from ST).
    .init(
        name: "x12-5010-999-staedi-invalid",
        upstream: [
            "IK3*IK5*2*ST_LOOP*2", "IK3*AK1*3*HEADER*8", "IK4*1*479*5", "IK3*AK2*4*2000*8", "IK4*4**3",
            "IK4*5**3", "IK3*IK5*5*2000*8", "IK4*1*717*7",
        ],
        extras: [
            (["IK4*1*479*7"], "AK101 'HC   ' is also not a code: Ferry, like pyx12 (bad-elements NM108), reports length and code"),
            (["IK3*CTX*14*2100*8", "IK4*1:2:2*9998*I10", "IK4*1:2:3*9998*I10", "IK4*6:1*725*6", "IK4*6:2*725*I10"],
             "X231A1 (pyx12's map): CTX01-2 is not used, CTX06-1 (element 725) is N0 and 'C023' is not a number, "
                + "CTX06-2 is not used; StAEDI's own 999 schema is looser"),
        ],
        missing: [
            ("IK5@8 SEGMENT_EXCEEDS_MAXIMUM_USE",
             "IK5*Q (position 7): Q is not an IK501 code, so the segment is placed by id only and not counted as a use; the "
                + "next IK5 is the first counted (the loop tree test documents the same choice)"),
        ]),
]

@Suite("X12 SNIP level 2 conformance (upstream error lists)", .enabled(if: X12Conformance.available, "conformance corpus absent: skipped"))
struct X12GuideConformanceTests {
    @Test(arguments: x12GuideConformanceCases)
    func guideErrorsMatchUpstream(_ testCase: X12GuideConformanceCase) async throws {
        let url = X12Conformance.root.appendingPathComponent(testCase.name).appendingPathComponent("input.x12")
        let result = X12AckValidationResult(validating: try [UInt8](Data(contentsOf: url)))
        var lines: [String] = []
        for interchange in result.interchanges {
            let bytes = try X12AckGenerator(envelope: X12AckFixture.envelope).write(.implementation999, for: interchange)
            lines += try X12AckFixture.render(bytes).filter { $0.hasPrefix("IK3") || $0.hasPrefix("IK4") }
        }
        let extras = testCase.extras.flatMap(\.lines)
        let upstreamFound = testCase.upstream.allSatisfy(lines.contains)
        #expect(upstreamFound, "upstream errors not all found: \(testCase.upstream.filter { !lines.contains($0) })")
        // Every line Ferry writes is an upstream error or a documented extra, nothing else.
        #expect(lines.filter { !testCase.upstream.contains($0) && !extras.contains($0) } == [])
        #expect(Set(lines) == Set(testCase.upstream + extras))
        await X12GuideConformanceTally.shared.record(testCase.name, matched: upstreamFound && testCase.missing.isEmpty)
        for (error, reason) in testCase.missing { print("  \(testCase.name): not reported \(error): \(reason)") }
    }
}

/// Prints how many cases have every upstream error reported once all cases ran.
actor X12GuideConformanceTally {
    static let shared = X12GuideConformanceTally()
    private var results: [String: Bool] = [:]

    func record(_ name: String, matched: Bool) {
        results[name] = matched
        guard results.count == x12GuideConformanceCases.count else { return }
        print("SNIP 2 conformance: \(results.values.count { $0 })/\(results.count) cases report every upstream error")
    }
}
