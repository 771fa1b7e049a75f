import Foundation
import Testing

/// `ferry convert x12` end to end, through the built binary.
@Suite struct ConvertX12CommandTests {
    static let isa = "ISA*00*          *00*          *ZZ*SUBMITTER01    *ZZ*PAYER00001     *261121*1200*^*00501*000000042*0*P*:~\n"

    /// One 837P set with two claims (the second for a dependent); `seCount` lets a test break SE01.
    static func claimSet(st02: String, seCount: Int? = nil) -> String {
        let body = [
            "ST*837*\(st02)*005010X222A1", "BHT*0019*00*B1*20261121*1305*CH",
            "NM1*41*2*CLEARINGHOUSE*****46*CH1", "NM1*40*2*PAYER*****46*P1",
            "HL*1**20*1", "NM1*85*2*CLINIC*****XX*1111111111", "REF*EI*123456789",
            "HL*2*1*22*1", "SBR*P**GRP******CI", "NM1*IL*1*DOE*JANE****MI*MEMBER1", "NM1*PR*2*PAYER*****PI*P1",
            "CLM*CLAIM1*7.00***11:B:1", "LX*1", "SV1*HC:99213*7.00*UN*1***1",
            "HL*3*2*23*0", "PAT*19", "NM1*QC*1*DOE*KID", "CLM*CLAIM2*12.50***11:B:1", "HI*ABK:J069",
        ]
        return body.map { $0 + "~\n" }.joined() + "SE*\(seCount ?? body.count + 1)*\(st02)~\n"
    }

    static func interchange(_ sets: [String]) -> String {
        isa + "GS*HC*SUBMITTER01*PAYER00001*20261121*1200*7*X*005010X222A1~\n" + sets.joined()
            + "GE*\(sets.count)*7~\nIEA*1*000000042~\n"
    }

    static func events(_ result: FerryProcess.Result) throws -> [[String: Any]] {
        try result.outputLines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func eachClaimBecomesOneCloudEventLine() throws {
        let input = Data(Self.interchange([Self.claimSet(st02: "0001")]).utf8)
        let result = try FerryProcess.run(["convert", "x12", "-"], input: input)
        #expect(result.status == 0, "\(result)")
        #expect(result.errorOutput.isEmpty)
        let events = try Self.events(result)
        #expect(events.count == 2)
        #expect(events.map { $0["type"] as? String } == ["claim.professional.v1", "claim.professional.v1"])
        #expect(events.map { $0["subject"] as? String } == ["CLAIM1", "CLAIM2"])
        #expect(events.map { $0["partitionkey"] as? String } == ["MEMBER1", "MEMBER1"])
        #expect(events[0]["source"] as? String == "x12://SUBMITTER01/SUBMITTER01")
        #expect(events[0]["time"] as? String == "2026-11-21T13:05:00Z")
        #expect(events[0]["specversion"] as? String == "1.0")
        #expect(result.outputLines[0].contains(#""totalCharge":7.00"#))
        let data = try #require(events[1]["data"] as? [String: Any])
        #expect(data["patientIsSubscriber"] as? Bool == false)
        #expect((data["patient"] as? [String: Any])?["relationshipCode"] as? String == "19")
        // Idempotent: the same input gives the same ids.
        let again = try Self.events(try FerryProcess.run(["convert", "x12", "-"], input: input))
        #expect(again.map { $0["id"] as? String } == events.map { $0["id"] as? String })
        #expect(Set(events.compactMap { $0["id"] as? String }).count == 2)
    }

    @Test func aSetWithABadCountGivesNoEventsButItsSiblingDoes() throws {
        let input = Self.interchange([Self.claimSet(st02: "0001", seCount: 99), Self.claimSet(st02: "0002")])
        let result = try FerryProcess.run(["convert", "x12", "-"], input: Data(input.utf8))
        #expect(result.status == 3, "\(result)")
        let events = try Self.events(result)
        #expect(events.count == 2)
        #expect(events.allSatisfy { (($0["data"] as? [String: Any])?["transaction"] as? [String: Any])?["controlNumber"] as? String == "0002" })
        #expect(result.errorOutput.contains("at segment 22 (byte "), "\(result.errorOutput)")
        #expect(result.errorOutput.contains("SE01=99"), "\(result.errorOutput)")
        #expect(result.errorOutput.contains("transaction set at segment 3 (byte "), "\(result.errorOutput)")
        #expect(result.errorOutput.contains("2 events not written"), "\(result.errorOutput)")
        #expect(!result.errorOutput.contains("MEMBER1") && !result.errorOutput.contains("DOE"), "no PHI on stderr")
    }

    @Test func aTruncatedFileRejectsTheOpenSet() throws {
        let text = Self.isa + "GS*HC*SUBMITTER01*PAYER00001*20261121*1200*7*X*005010X222A1~\n"
            + Self.claimSet(st02: "0001").components(separatedBy: "\nSE*").first! + "\n"
        let result = try FerryProcess.run(["convert", "x12", "-"], input: Data(text.utf8))
        #expect(result.status == 3, "\(result)")
        #expect(result.output.isEmpty)
        #expect(result.errorOutput.contains("ends without SE"), "\(result.errorOutput)")
    }

    @Test func garbageIsALocatedSyntaxError() throws {
        let result = try FerryProcess.run(["convert", "x12", "-"], input: Data("hello, not x12\n".utf8))
        #expect(result.status == 3, "\(result)")
        #expect(result.errorOutput.contains("byte 0"), "\(result.errorOutput)")
    }

    /// OopFactory's ProfessionalClaim1 declares SE01=42 for 61 segments: the set is rejected, not converted.
    @Test func theCorpusFileWithAWrongSE01IsRejected() throws {
        let file = Self.corpus.appendingPathComponent("x12-5010-837p-oopfactory-claim-model/input.x12")
        guard FileManager.default.fileExists(atPath: file.path) else {
            print("skipped: \(file.path) is absent (conformance material lives beside the repository)")
            return
        }
        let result = try FerryProcess.run(["convert", "x12", file.path])
        #expect(result.status == 3, "\(result)")
        #expect(result.output.isEmpty)
        #expect(result.errorOutput.contains("at segment 63 (byte 2265, SE)"), "\(result.errorOutput)")
        #expect(result.errorOutput.contains("SE01=42"), "\(result.errorOutput)")
    }

    static let corpus = FerryProcess.repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/conformance/edi")

    @Test(arguments: [
        ("x12-5010-837p-ig-commercial-patient-dependent-badx12", "claim.professional.v1", 1),
        ("x12-4010-837p-pyx12-simple-valid", "claim.professional.v1", 2),
        ("x12-5010-837i-lfh-roundtrip-institutional", "claim.institutional.v1", 1),
        ("x12-4010-837d-oopfactory-patient-not-subscriber", "claim.dental.v1", 1),
        ("x12-5010-835-expected-csv-emedny", "claim.payment.v1", 3),
        ("x12-5010-999-imsweb-rejected", "x12.transaction.v1", 1),
    ])
    func corpusFiles(name: String, type: String, count: Int) throws {
        let file = Self.corpus.appendingPathComponent("\(name)/input.x12")
        guard FileManager.default.fileExists(atPath: file.path) else {
            print("skipped: \(file.path) is absent (conformance material lives beside the repository)")
            return
        }
        let result = try FerryProcess.run(["convert", "x12", file.path])
        #expect(result.status == 0, "\(result)")
        let events = try Self.events(result)
        #expect(events.count == count)
        #expect(events.allSatisfy { $0["type"] as? String == type })
        if type == "x12.transaction.v1" {
            let data = try #require(events.first?["data"] as? [String: Any])
            #expect(data["transactionSet"] as? String == "999")
            #expect((data["tree"] as? [String: Any])?["loop"] as? String == "ST_LOOP")
        }
    }
}
