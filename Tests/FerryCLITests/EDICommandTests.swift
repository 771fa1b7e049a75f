import Foundation
import Testing

/// `ferry edi validate` and `ferry edi tree` end to end, through the built binary.
@Suite struct EDICommandTests {
    /// A small 005010X222A1 837P interchange, valid at SNIP levels 1 and 2 (one claim, one service line);
    /// `seCount` lets a test break the SE01 count, `serviceDate` the DTP*472 date (segment 19 of the set).
    static func interchange(seCount: Int = 20, serviceDate: String = "20261101") -> String {
        [
            "ISA*00*          *00*          *ZZ*SUBMITTER01    *ZZ*PAYER00001     *261121*1200*^*00501*000000042*0*P*:",
            "GS*HC*SUBMITTER01*PAYER00001*20261121*1200*7*X*005010X222A1",
            "ST*837*0001*005010X222A1",
            "BHT*0019*00*1*20261121*1200*CH",
            "NM1*41*2*CLEARINGHOUSE ONE*****46*CH0001",
            "PER*IC*CLAIMS DESK*TE*5555550100",
            "NM1*40*2*PAYER ONE*****46*PAYER00001",
            "HL*1**20*1",
            "NM1*85*2*BILLING CLINIC*****XX*1234567893",
            "N3*1 MAIN ST",
            "N4*SPRINGFIELD*IL*62701",
            "REF*EI*123456789",
            "HL*2*1*22*0",
            "SBR*P*18*******CI",
            "NM1*IL*1*DOE*JANE****MI*W000000001",
            "NM1*PR*2*PAYER ONE*****PI*PAYER00001",
            "CLM*PAT0001*100***11:B:1*Y*A*Y*Y",
            "HI*ABK:J101",
            "LX*1",
            "SV1*HC:99213*100*UN*1***1",
            "DTP*472*D8*\(serviceDate)",
            "SE*\(seCount)*0001",
            "GE*1*7",
            "IEA*1*000000042",
        ].map { $0 + "~\n" }.joined()
    }

    @Test func anAcceptedInterchangeGetsAnAccepting999() throws {
        let result = try FerryProcess.run(["edi", "validate", "-", "--ack", "999"], input: Data(Self.interchange().utf8))
        #expect(result.status == 0, "\(result)")
        let segments = result.outputLines
        #expect(segments.first?.hasPrefix("ISA*00*          *00*          *ZZ*PAYER00001     *ZZ*SUBMITTER01    *") == true)
        #expect(segments.contains("AK1*HC*7*005010X222A1~"))
        #expect(segments.contains("AK2*837*0001*005010X222A1~"))
        #expect(segments.contains("IK5*A~"))
        #expect(segments.contains("AK9*A*1*1*1~"))
    }

    @Test func aWrongSegmentCountIsRejectedWithItsCode() throws {
        let result = try FerryProcess.run(
            ["edi", "validate", "--ack", "997"], input: Data(Self.interchange(seCount: 9).utf8))
        #expect(result.status == 3, "\(result)")
        #expect(result.outputLines.contains("AK5*R*4~"), "\(result)")  // 4: number of included segments does not match
        #expect(result.outputLines.contains("AK9*R*1*1*0~"), "\(result)")
    }

    /// 20261345 passes SNIP level 1 (envelopes are fine) but is no date: SNIP level 2 rejects the set with
    /// IK3 DTP at set position 19 in loop 2400 and IK4 DTP03 (element 1251) code 8, and no value copied.
    @Test func aGuideErrorRejectsWhatTheEnvelopeCheckAccepts() throws {
        let input = Data(Self.interchange(serviceDate: "20261345").utf8)
        let envelopesOnly = try FerryProcess.run(["edi", "validate", "--ack", "999", "--envelopes-only"], input: input)
        #expect(envelopesOnly.status == 0, "\(envelopesOnly)")
        #expect(envelopesOnly.outputLines.contains("IK5*A~"))
        let result = try FerryProcess.run(["edi", "validate", "--ack", "999"], input: input)
        #expect(result.status == 3, "\(result)")
        let lines = result.outputLines
        #expect(lines.contains("IK3*DTP*19*2400*8~"), "\(result)")
        #expect(lines.contains("IK4*3*1251*8~"), "\(result)")
        #expect(lines.contains("IK5*R*5~"), "\(result)")
        #expect(lines.contains("AK9*R*1*1*0~"), "\(result)")
        #expect(!lines.joined().contains("20261345"), "bad values are left out unless asked for")
        let withValues = try FerryProcess.run(["edi", "validate", "--ack", "997", "--include-bad-values"], input: input)
        #expect(withValues.outputLines.contains("AK4*3*1251*8*20261345~"), "\(withValues)")
    }

    @Test func treesOfTheConformance837P() throws {
        let file = FerryProcess.repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/conformance/edi/x12-5010-837p-imsweb-valid/input.x12")
        guard FileManager.default.fileExists(atPath: file.path) else {
            print("skipped: \(file.path) is absent (conformance material lives beside the repository)")
            return
        }
        let result = try FerryProcess.run(["edi", "tree", file.path])
        let lines = result.outputLines
        #expect(!lines.isEmpty)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["guide"] as? String == "005010X222A1")
        #expect(first["type"] as? String == "837")
        let tree = try #require(first["tree"] as? [String: Any])
        #expect(tree["loop"] as? String == "ST_LOOP")
        #expect(lines[0].contains(#""loop":"2300""#))
        #expect(lines[0].contains(#""loop":"2400""#))
        #expect(!lines[0].contains("NGUYEN") && !lines[0].contains("MI*"), "segment values (PHI) are never printed")
    }
}
