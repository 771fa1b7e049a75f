import EDI
import Events
import Foundation
import Testing

enum ClaimFixture {
    static let isa = "ISA*00*          *00*          *ZZ*SENDER ONE     *ZZ*RECEIVER       *261121*1200*^*00501*000000042*0*P*:~"

    /// An 837P interchange around `body` (the segments after BHT, before SE), SE01 counted.
    static func professional(_ body: [String], st02: String = "0001") -> String {
        let set = ["ST*837*\(st02)*005010X222A1", "BHT*0019*00*BATCH7*20261121*1305*CH"] + body
        return isa + "GS*HC*APP SENDER*RECV*20261121*1200*77*X*005010X222A1~"
            + set.map { $0 + "~" }.joined() + "SE*\(set.count + 1)*\(st02)~GE*1*77~IEA*1*000000042~"
    }

    static let billing = [
        "HL*1**20*1", "PRV*BI*PXC*207Q00000X", "NM1*85*2*CLINIC*****XX*1111111111", "N3*1 MAIN", "N4*TOWN*IL*62701",
        "REF*EI*123456789",
    ]

    static func subscriber(_ hl: String, parent: String = "1", child: Bool = false, member: String = "M1") -> [String] {
        [
            "HL*\(hl)*\(parent)*22*\(child ? 1 : 0)", "SBR*P*\(child ? "" : "18")*GRP1******CI",
            "NM1*IL*1*DOE*JANE****MI*\(member)", "DMG*D8*19800412*F", "NM1*PR*2*PAYER*****PI*P1",
        ]
    }

    static func extract(_ text: String) throws -> (claims: [HealthCareClaim], payments: [ClaimPayment], issues: [X12ClaimIssue]) {
        let (records, issues) = try X12ClaimCorpus.extract(Array(text.utf8))
        return (X12ClaimCorpus.claims(records), X12ClaimCorpus.payments(records), issues)
    }
}

@Suite struct X12ClaimExtractorTests {
    @Test func amountsKeepTheirTextAndContextComesFromTheHLChain() throws {
        let text = ClaimFixture.professional(
            ClaimFixture.billing + ClaimFixture.subscriber("2") + [
                "CLM*A1*7.00***11:B:1*Y*A*Y*Y", "HI*ABK:J069*ABF:R05", "LX*1", "SV1*HC:99213:25*7.00*UN*1***1:2",
                "DTP*472*D8*20261104",
            ])
        let (claims, _, issues) = try ClaimFixture.extract(text)
        #expect(issues.isEmpty)
        let claim = try #require(claims.first)
        #expect(claims.count == 1)
        #expect(claim.totalCharge?.description == "7.00")
        #expect(claim.serviceLines.first?.charge?.description == "7.00")
        #expect(claim.billingProvider?.npi == "1111111111")
        #expect(claim.billingProvider?.taxID == ClaimReference(qualifier: "EI", value: "123456789"))
        #expect(claim.billingProvider?.taxonomy == "207Q00000X")
        #expect(claim.subscriber?.memberID == "M1")
        #expect(claim.subscriber?.party.birthDate == "1980-04-12")
        #expect(claim.payer?.id == "P1")
        #expect(claim.patientIsSubscriber)
        #expect(claim.hierarchy == ["1:20", "2:22"])
        #expect(claim.diagnoses.map(\.role) == [.principal, .other])
        #expect(claim.serviceLines.first?.procedure?.modifiers == ["25"])
        #expect(claim.serviceLines.first?.diagnosisPointers == ["1", "2"])
        #expect(claim.transaction.time == "2026-11-21T13:05:00Z")
        var writer = JSONWriter()
        claim.writeJSON(to: &writer)
        let json = String(decoding: writer.bytes, as: UTF8.self)
        #expect(json.contains("\"totalCharge\":7.00"))
        #expect(json.contains("\"patient\":null"))
    }

    /// Hard case 12: HL parent pointers, not order, define nesting; hard case 13: 2000C present or absent.
    @Test func hlParentPointersInAnyOrder() throws {
        let text = ClaimFixture.professional(
            ClaimFixture.billing + ClaimFixture.subscriber("2", child: true, member: "SUB2")
                + ["HL*9**20*1", "NM1*85*2*OTHER CLINIC*****XX*9999999999", "REF*EI*999999999"]
                + ClaimFixture.subscriber("4", parent: "9", member: "SUB4")
                + ["CLM*B4*10***11:B:1", "LX*1", "SV1*HC:99213*10*UN*1***1"]
                // 2000C whose parent (2) came before the second billing provider.
                + ["HL*5*2*23*0", "PAT*19", "NM1*QC*1*DOE*KID", "DMG*D8*20120304*M", "CLM*C5*20***11:B:1"])
        let (claims, _, issues) = try ClaimFixture.extract(text)
        #expect(issues.isEmpty)
        #expect(claims.map(\.claimID) == ["B4", "C5"])
        #expect(claims[0].billingProvider?.npi == "9999999999")
        #expect(claims[0].subscriber?.memberID == "SUB4")
        #expect(claims[0].patient == nil)
        #expect(claims[1].billingProvider?.npi == "1111111111")
        #expect(claims[1].subscriber?.memberID == "SUB2")
        #expect(claims[1].patient?.relationship == "19")
        #expect(claims[1].patient?.party.firstName == "KID")
        #expect(claims[1].patient?.party.gender == "M")
        #expect(claims[1].hierarchy == ["1:20", "2:22", "5:23"])
        #expect(claims[1].partitionKey == "SUB2")
    }

    /// Hard case 14: NM1*82 is 2310B (claim), 2330D (COB, after a second SBR) or 2420A (line) by position.
    @Test func sameNM1IsClaimCOBOrLineProviderByPosition() throws {
        let text = ClaimFixture.professional(
            ClaimFixture.billing + ClaimFixture.subscriber("2") + [
                "CLM*A1*30***11:B:1", "NM1*82*1*CLAIMDOC*A****XX*2222222222", "PRV*PE*PXC*111X",
                "SBR*S*01*******CI", "NM1*IL*1*OTHER*SUB****MI*OTHERMEMBER", "NM1*PR*2*OTHER PAYER*****PI*OP",
                "NM1*82*1*COBDOC*B****XX*3333333333",
                "LX*1", "SV1*HC:99213*30*UN*1***1", "DTP*472*D8*20261104", "NM1*82*1*LINEDOC*C****XX*4444444444",
            ])
        let (claims, _, issues) = try ClaimFixture.extract(text)
        #expect(issues.isEmpty)
        let claim = try #require(claims.first)
        #expect(claim.providers.map(\.party.id) == ["2222222222"])
        #expect(claim.provider("rendering")?.taxonomy == "111X")
        #expect(claim.otherSubscriberCount == 1)
        #expect(claim.subscriber?.memberID == "M1")  // the 2330A NM1*IL is not the subscriber
        #expect(claim.payer?.id == "P1")
        #expect(claim.serviceLines.first?.providers.map(\.party.id) == ["4444444444"])
        #expect(claim.serviceLines.first?.dates.map(\.qualifier) == ["472"])
    }

    @Test func anInvalidAmountRejectsOnlyItsClaimAndTheIssueNamesNoValue() throws {
        let text = ClaimFixture.professional(
            ClaimFixture.billing + ClaimFixture.subscriber("2") + [
                "CLM*BAD*12X34***11:B:1", "LX*1", "SV1*HC:99213*10*UN*1***1", "CLM*GOOD*10***11:B:1",
            ])
        let (claims, _, issues) = try ClaimFixture.extract(text)
        #expect(claims.map(\.claimID) == ["GOOD"])
        let issue = try #require(issues.first)
        #expect(issues.count == 1)
        #expect(issue.kind == .invalidDecimal)
        #expect(issue.element == "CLM02")
        #expect(issue.segmentID == "CLM")
        #expect(issue.loopID == "2300")
        #expect(issue.position == 16)  // ISA GS ST BHT, 6 billing, 5 subscriber, CLM
        #expect(!issue.description.contains("12X34") && !issue.description.contains("BAD"))
    }

    @Test func aSetWithoutSEDropsItsOpenClaimAndSaysSo() throws {
        let text = ClaimFixture.isa + "GS*HC*A*B*20261121*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~"
            + (ClaimFixture.billing + ClaimFixture.subscriber("2") + ["CLM*X*1***11:B:1"]).map { $0 + "~" }.joined()
        let (claims, _, issues) = try ClaimFixture.extract(text)
        #expect(claims.isEmpty)
        #expect(issues.map(\.kind) == [.transactionSetUnterminated])
    }

    @Test func eventsAreValidCloudEventsWithStableDistinctIDs() throws {
        let text = ClaimFixture.professional(
            ClaimFixture.billing + ClaimFixture.subscriber("2", member: "MEMBER9") + [
                "CLM*SAME*10***11:B:1", "CLM*SAME*20***11:B:1",
            ])
        let (claims, _, _) = try ClaimFixture.extract(text)
        #expect(claims.count == 2)
        var events: [CloudEvent] = []
        for claim in claims {
            var writer = JSONWriter()
            X12ClaimEvent.write(.claim(claim), to: &writer)
            events.append(try CloudEventJSONFormat.decode(writer.bytes))
        }
        #expect(events.map(\.type) == ["claim.professional.v1", "claim.professional.v1"])
        #expect(events[0].source == "x12://SENDER%20ONE/APP%20SENDER")
        #expect(events[0].subject == "SAME")
        #expect(events[0].partitionKey == "MEMBER9")
        #expect(events[0].dataContentType == "application/json")
        #expect(events[0].time?.description == "2026-11-21T13:05:00Z")
        #expect(events[0].id != events[1].id)
        #expect(events[0].id == EventIdentity.x12Claim(
            interchangeControlNumber: "000000042", groupControlNumber: "77", transactionSetControlNumber: "0001",
            claimID: "SAME").eventID)
        let again = try ClaimFixture.extract(text).claims
        #expect(again.map(X12ClaimEvent.id(of:)) == claims.map(X12ClaimEvent.id(of:)))
    }

    @Test func paymentsKeepEveryAdjustmentTriple() throws {
        let body = [
            "ST*835*1740*005010X221A1", "BPR*I*45.75*C*ACH*CCP*01*111*DA*33*1234567890**01*111*DA*22*20100101",
            "TRN*1*TRACE1*1000000000", "N1*PR*PAYER NAME", "REF*2U*PAYERID", "N1*PE*PROVIDER*XX*9999999995", "LX*1",
            "CLP*C1*1*34.25*10.00*5*MC*PCN1*11", "NM1*QC*1*LAST*FIRST****MI*MEMBERQC", "CAS*PR*1*5.00**2*3.25*1",
            "SVC*HC:V2020:RB*6*6**1", "DTM*472*20100101", "CAS*CO*29*12", "AMT*B6*6", "LQ*HE*N130", "REF*6R*LINE1",
            "CLP*C2*4*1*0**MC*PCN2*11", "NM1*QC*1*LAST*FIRST****MI*Q2", "NM1*IL*1*INS*URED****MI*IL2", "PLB*X*1",
        ]
        let text = ClaimFixture.isa + "GS*HP*PAYER*RECV*20100101*1050*6*X*005010X221A1~"
            + body.map { $0 + "~" }.joined() + "SE*\(body.count + 1)*1740~GE*1*6~IEA*1*000000042~"
        let (_, payments, issues) = try ClaimFixture.extract(text)
        #expect(issues.isEmpty)
        #expect(payments.map(\.claimID) == ["C1", "C2"])
        let first = payments[0]
        #expect(first.paid?.description == "10.00")
        #expect(first.totalPayment?.description == "45.75")
        #expect(first.traceNumber == "TRACE1")
        #expect(first.payer.id == "PAYERID")
        #expect(first.payee.npi == "9999999995")
        #expect(first.adjustments.map(\.reason) == ["1", "2"])
        #expect(first.adjustments.map { $0.amount?.description } == ["5.00", "3.25"])
        #expect(first.adjustments.map { $0.quantity?.description } == [nil, "1"])
        #expect(first.serviceLines.first?.procedure?.modifiers == ["RB"])
        #expect(first.serviceLines.first?.allowed?.description == "6")
        #expect(first.serviceLines.first?.adjustments.first?.group == "CO")
        #expect(first.serviceLines.first?.remarks.first?.code == "N130")
        #expect(first.serviceLines.first?.lineItemControlNumber == "LINE1")
        #expect(first.partitionKey == "MEMBERQC")
        #expect(payments[1].partitionKey == "IL2")
    }

    @Test func dentalLinesCarryTeethAndTheKindFollowsTheServiceSegment() throws {
        let text = ClaimFixture.professional(
            ClaimFixture.billing + ClaimFixture.subscriber("2") + [
                "CLM*D1*150***11:B:1", "LX*1", "SV3*AD:D2150*100*11*L:R**1", "TOO*JP*12*M:O",
            ])
        let (claims, _, _) = try ClaimFixture.extract(text)
        let claim = try #require(claims.first)
        #expect(claim.kind == .dental)
        let line = try #require(claim.serviceLines.first)
        #expect(line.procedure?.qualifier == "AD")
        #expect(line.placeOfService == "11")
        #expect(line.oralCavity == ["L", "R"])
        #expect(line.quantity?.description == "1")
        #expect(line.teeth == [ClaimTooth(qualifier: "JP", number: "12", surfaces: ["M", "O"])])
    }
}

@Suite struct X12DentalClaimTests {
    /// A 5010 837D (005010X224A2) set: the guide tree (from `wip-snip`'s 837D guide) and the extractor agree.
    @Test func dental5010AgreesWithTheX224Guide() throws {
        let body = ClaimFixture.billing + ClaimFixture.subscriber("2", child: true) + [
            "HL*3*2*23*0", "PAT*19", "NM1*QC*1*DOE*KID", "DMG*D8*20120304*M",
            "CLM*DENT1*150***11:B:1*Y*A*Y*Y", "DTP*472*D8*20261104", "NM1*82*1*TOOTH*DOC****XX*5555555555",
            "PRV*PE*PXC*1223G0001X",
            "LX*1", "SV3*AD:D2150*100*11*L**1", "TOO*JP*12*M:O", "NM1*82*1*LINE*DOC****XX*6666666666",
            "LX*2", "SV3*AD:D1110*50***1", "TOO*JP*3",
        ]
        let set = ["ST*837*0001*005010X224A2", "BHT*0019*00*B*20261121*1305*CH"] + body
        let text = ClaimFixture.isa + "GS*HC*A*B*20261121*1200*1*X*005010X224A2~"
            + set.map { $0 + "~" }.joined() + "SE*\(set.count + 1)*0001~GE*1*1~IEA*1*000000042~"
        let claim = try #require(try ClaimFixture.extract(text).claims.first)
        #expect(claim.kind == .dental)
        #expect(claim.transaction.implementation == "005010X224A2")
        #expect(claim.serviceLines.map { $0.procedure?.code } == ["D2150", "D1110"])
        #expect(claim.serviceLines.map { $0.teeth.map(\.number) } == [["12"], ["3"]])
        #expect(claim.serviceLines[0].teeth[0].surfaces == ["M", "O"])
        #expect(claim.provider("rendering")?.npi == "5555555555")
        #expect(claim.serviceLines[0].providers.map(\.party.id) == ["6666666666"])
        #expect(claim.patient?.relationship == "19")
        let guide = try X12Guide.bundled("005010X224A2")
        let segments = X12LoopTreeFixture.segments(set.joined(separator: "~") + "~SE*\(set.count + 1)*0001~")
        let (tree, _) = X12LoopTreeBuilder.build(guide: guide, segments: segments)
        let loop = try #require(tree.descendants("2300").first)
        #expect(loop.loops.filter { $0.id == "2400" }.count == claim.serviceLines.count)
        #expect(loop.loops.contains { $0.id.hasPrefix("2310") })
        #expect(loop.loops.first { $0.id == "2400" }?.loops.contains { $0.id.hasPrefix("2420") } == true)
    }
}

/// Bad input never crashes the extractor: every corpus 835/837 file cut at random places and with random bytes
/// overwritten goes through the framer and the extractor (syntax errors end the walk, as in the CLI).
@Suite(.enabled(if: X12Conformance.available, "\(X12Conformance.skipMessage)"))
struct X12ClaimRobustnessTests {
    @Test func truncatedAndCorruptedCorpusFiles() throws {
        var generator = SystemRandomNumberGenerator()
        var runs = 0
        for input in X12Conformance.inputs where input.contains("837") || input.contains("835") {
            let original = try Array(Data(contentsOf: X12Conformance.root.appendingPathComponent(input)))
            guard original.count > 10 else { continue }
            for round in 0..<20 {
                var bytes = Array(original.prefix(Int.random(in: 1...original.count, using: &generator)))
                if round % 2 == 1 {
                    for _ in 0..<8 {
                        bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                    }
                }
                var extractor = X12ClaimExtractor()
                var records = 0
                bytes.withUnsafeBytes { raw in
                    try? X12SegmentFramer.forEachSegment(in: raw, allowsUnterminatedFinalSegment: true) { view in
                        extractor.consume(view) { _ in records += 1 }
                    }
                }
                extractor.finish()
                for issue in extractor.takeIssues() { #expect(issue.position >= 1) }
                runs += 1
            }
        }
        #expect(runs > 400)
    }
}
