import EDI
import Foundation
import Testing

/// SNIP level 2 on small hand-written 005010X222A1 837P sets: one change per test against a set that is clean,
/// and the exact finding (code, set position, loop, segment, element, component, repetition) asserted.
@Suite("X12 guide validator (SNIP level 2)")
struct X12GuideValidatorTests {
    /// The body of a clean 837P set (between ST and SE), one claim with one service line. Set positions:
    /// ST 1, BHT 2, NM1*41 3, PER 4, NM1*40 5, HL*1 6, NM1*85 7, N3 8, N4 9, REF 10, HL*2 11, SBR 12, NM1*IL 13,
    /// NM1*PR 14, CLM 15, HI 16, LX 17, SV1 18, DTP 19, SE 20.
    static let body = [
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
        "DTP*472*D8*20261101",
    ]

    static let guide: X12Guide = {
        do { return try X12Guide.bundled("005010X222A1") } catch { preconditionFailure("bundled 837P guide: \(error)") }
    }()

    /// Validates ST + `body` + SE (repetition separator `^`, component `:`).
    static func findings(_ body: [String], options: X12GuideValidator.Options = .init()) throws -> [X12GuideFinding] {
        let segments = ["ST*837*0001*005010X222A1"] + body + ["SE*\(body.count + 2)*0001"]
        let text =
            "ISA*00*          *00*          *ZZ*SUBMITTER01    *ZZ*PAYER00001     *261121*1200*^*00501*000000042*0*P*:~"
            + "GS*HC*SUBMITTER01*PAYER00001*20261121*1200*7*X*005010X222A1~" + segments.map { $0 + "~" }.joined()
            + "GE*1*7~IEA*1*000000042~"
        var validator = X12GuideValidator(guide: guide, options: options)
        var inSet = false
        try Array(text.utf8).withUnsafeBytes { raw in
            try X12SegmentFramer.forEachSegment(in: raw) { view in
                if view.hasID("ST") { inSet = true }
                if inSet { validator.consume(view) }
                if view.hasID("SE") { inSet = false }
            }
        }
        return validator.finish()
    }

    /// A finding as `setPosition segment loop code element[-component][ rN]`, for exact comparisons.
    static func summary(_ findings: [X12GuideFinding]) -> [String] {
        findings.map { finding in
            var text = "\(finding.setPosition) \(finding.segmentID) \(finding.loopID) "
            switch finding.kind {
            case let .segment(code): text += "S\(code.rawValue)"
            case let .element(code): text += "E\(code.rawValue)"
            case .trailingElementSeparators: text += "trailing"
            case .noGuide: text += "noGuide"
            }
            if let element = finding.elementPosition { text += " \(element)" }
            if let component = finding.componentPosition { text += "-\(component)" }
            if let repetition = finding.repetitionPosition { text += " r\(repetition)" }
            return text
        }
    }

    static func replacing(_ prefix: String, with segment: String?) -> [String] {
        body.flatMap { line -> [String] in
            guard line.hasPrefix(prefix) else { return [line] }
            return segment.map { [$0] } ?? []
        }
    }

    static func inserting(_ segments: [String], after prefix: String) -> [String] {
        body.flatMap { line in line.hasPrefix(prefix) ? [line] + segments : [line] }
    }

    @Test func cleanSetHasNoFindings() throws {
        #expect(Self.summary(try Self.findings(Self.body)) == [])
    }

    @Test func requiredElementMissing() throws {
        let findings = try Self.findings(Self.replacing("CLM*", with: "CLM**100***11:B:1*Y*A*Y*Y"))
        #expect(Self.summary(findings) == ["15 CLM 2300 E1 1"])
        #expect(findings.first?.referenceNumber == 1028)
    }

    @Test func tooLongAndTooShort() throws {
        let long = String(repeating: "A", count: 39)  // CLM01 is AN 1-38
        #expect(Self.summary(try Self.findings(Self.replacing("CLM*", with: "CLM*\(long)*100***11:B:1*Y*A*Y*Y")))
            == ["15 CLM 2300 E5 1"])
        // N403 postal code is ID 3-15.
        #expect(Self.summary(try Self.findings(Self.replacing("N4*", with: "N4*SPRINGFIELD*IL*62"))) == ["9 N4 2010AA E4 3"])
    }

    @Test func invalidCodeValue() throws {
        // CLM07 (assignment of benefits) allows A, B, C.
        #expect(Self.summary(try Self.findings(Self.replacing("CLM*", with: "CLM*PAT0001*100***11:B:1*Y*Z*Y*Y")))
            == ["15 CLM 2300 E7 7"])
        // N404 against the external `country` list the guide carries (pyx12's codes.xml).
        #expect(Self.summary(try Self.findings(Self.replacing("N4*", with: "N4*SPRINGFIELD*IL*62701*XQ"))) == ["9 N4 2010AA E7 4"])
        #expect(Self.summary(try Self.findings(Self.replacing("N4*", with: "N4*SPRINGFIELD*IL*62701*US"))) == [])
    }

    @Test func invalidDateAndTime() throws {
        // DTP03 read through DTP02 = D8 (CCYYMMDD): month 13.
        #expect(Self.summary(try Self.findings(Self.replacing("DTP*472", with: "DTP*472*D8*20261301"))) == ["19 DTP 2400 E8 3"])
        // RD8 needs CCYYMMDD-CCYYMMDD.
        #expect(Self.summary(try Self.findings(Self.replacing("DTP*472", with: "DTP*472*RD8*20261101-2026"))) == ["19 DTP 2400 E8 3"])
        // BHT04 is DT (CCYYMMDD): February 30th; BHT05 is TM: 25:00.
        #expect(Self.summary(try Self.findings(Self.replacing("BHT*", with: "BHT*0019*00*1*20260230*2500*CH")))
            == ["2 BHT HEADER E8 4", "2 BHT HEADER E9 5"])
    }

    @Test func invalidNumbers() throws {
        // CLM02 is R (decimal), SV104 R, LX01 N0.
        #expect(Self.summary(try Self.findings(Self.replacing("CLM*", with: "CLM*PAT0001*10X***11:B:1*Y*A*Y*Y")))
            == ["15 CLM 2300 E6 2"])
        #expect(Self.summary(try Self.findings(Self.replacing("LX*", with: "LX*1.5"))) == ["17 LX 2400 E6 1"])
        #expect(Self.summary(try Self.findings(Self.replacing("CLM*", with: "CLM*PAT0001*-100.50***11:B:1*Y*A*Y*Y"))) == [])
    }

    @Test func notUsedElementPresent() throws {
        // CLM03 is not used in the 837P: I10 in a 999 (10 in a 997, see X12ElementErrorCode.functional997Code).
        let findings = try Self.findings(Self.replacing("CLM*", with: "CLM*PAT0001*100*X**11:B:1*Y*A*Y*Y"))
        #expect(Self.summary(findings) == ["15 CLM 2300 EI10 3"])
        #expect(X12ElementErrorCode.implementationNotUsedElementPresent.functional997Code == .exclusionConditionViolated)
    }

    @Test func tooManyComponentsRepetitionsAndElements() throws {
        // CLM05 (C023) has 3 components.
        #expect(Self.summary(try Self.findings(Self.replacing("CLM*", with: "CLM*PAT0001*100***11:B:1:9*Y*A*Y*Y")))
            == ["15 CLM 2300 E13 5-4"])
        // SBR09 does not repeat.
        #expect(Self.summary(try Self.findings(Self.replacing("SBR*", with: "SBR*P*18*******CI^MB")))
            == ["12 SBR 2000B E12 9 r2"])
        // LX has one element.
        #expect(Self.summary(try Self.findings(Self.replacing("LX*", with: "LX*1*2"))) == ["17 LX 2400 E3 2"])
        // A simple element holding a component separator.
        #expect(Self.summary(try Self.findings(Self.replacing("LX*", with: "LX*1:2"))) == ["17 LX 2400 E13 1"])
    }

    @Test func syntaxRules() throws {
        // P0506 (paired): PER05 without PER06.
        #expect(Self.summary(try Self.findings(Self.replacing("PER*", with: "PER*IC*CLAIMS DESK*TE*5555550100*EX")))
            == ["4 PER 1000A E2 6"])
        // C0704 (conditional): N407 without N404.
        #expect(Self.summary(try Self.findings(Self.replacing("N4*", with: "N4*TORONTO**M5V1A1****ON")))
            == ["9 N4 2010AA E2 4"])
        // E0207 (exclusion): N402 and N407 together.
        #expect(Self.summary(try Self.findings(Self.replacing("N4*", with: "N4*TORONTO*ON*M5V1A1*CA***ON")))
            == ["9 N4 2010AA E10 7"])
        // R02030405 (at least one) on FRM of 2440 and L050607 (list conditional) on CAS of 2430.
        let lines = Self.inserting(
            ["SVD*PAYER00001*80*HC:99213**1", "CAS*CO*45*20**97", "DTP*573*D8*20261115", "LQ*UT*01.02", "FRM*1"],
            after: "DTP*472")
        #expect(Self.summary(try Self.findings(lines)) == ["21 CAS 2430 E2 6", "24 FRM 2440 E2 2"])
    }

    @Test func requiredElementIsNotReportedTwiceBySyntaxRule() throws {
        // PER04 is required and paired with PER03 (P0304): one code 1, no code 2.
        #expect(Self.summary(try Self.findings(Self.replacing("PER*", with: "PER*IC*CLAIMS DESK*TE"))) == ["4 PER 1000A E1 4"])
    }

    @Test func requiredSegmentMissing() throws {
        // N4 is required in 2010AA; reported when 2010AA closes (at HL*2), at the segment before (REF, 9).
        #expect(Self.summary(try Self.findings(Self.replacing("N4*", with: nil))) == ["9 N4 2010AA S3"])
    }

    @Test func requiredLoopMissing() throws {
        // 2010BB (payer) is required in 2000B: reported by its first segment when 2000B closes at SE.
        #expect(Self.summary(try Self.findings(Self.replacing("NM1*PR", with: nil))) == ["18 NM1 2010BB S3"])
        // No claim line: 2400 is required in 2300.
        let noLine = Self.body.filter { !$0.hasPrefix("LX") && !$0.hasPrefix("SV1") && !$0.hasPrefix("DTP*472") }
        #expect(Self.summary(try Self.findings(noLine)) == ["16 LX 2400 S3"])
    }

    @Test func loopOverMaximumAndSegmentOverMaximumUse() throws {
        // 2010AA repeats at most once.
        let twice = Self.inserting(["NM1*85*2*BILLING CLINIC*****XX*1234567893"], after: "REF*EI")
        #expect(Self.summary(try Self.findings(twice)).prefix(1) == ["11 NM1 2010AA S4"])
        // N3 is used at most once in 2010AA.
        #expect(Self.summary(try Self.findings(Self.inserting(["N3*2 MAIN ST"], after: "N3*"))) == ["9 N3 2010AA S5"])
        // 2400 repeats at most 50 times per claim.
        let lines = (1...51).flatMap { ["LX*\($0)", "SV1*HC:99213*100*UN*1***1", "DTP*472*D8*20261101"] }
        let many = Self.body.filter { !$0.hasPrefix("LX") && !$0.hasPrefix("SV1") && !$0.hasPrefix("DTP*472") } + lines
        #expect(Self.summary(try Self.findings(many)) == ["167 LX 2400 S4"])
    }

    @Test func structureFindings() throws {
        // N4 before N3 (out of sequence), an unknown segment, an HL whose parent does not exist.
        #expect(Self.summary(try Self.findings(Self.replacing("N3*", with: nil).flatMap {
            $0.hasPrefix("N4*") ? ["N4*SPRINGFIELD*IL*62701", "N3*1 MAIN ST"] : [$0]
        })) == ["9 N3 2010AA S7"])
        #expect(Self.summary(try Self.findings(Self.inserting(["ZZZ*1"], after: "REF*EI"))) == ["11 ZZZ 2010AA S6"])
        #expect(Self.summary(try Self.findings(Self.replacing("HL*2", with: "HL*2*9*22*0"))) == ["11 HL 2000B E7 2"])
    }

    /// Hard case 22 (`edi-anchors.md` §5): `HI*BK*8901*BF*87200` spreads the composites over elements. Each
    /// element is read as a composite of its own: the qualifiers (`BK`, `BF`) have no code after them (HI0n-2
    /// missing, code 1) and the codes sit in the qualifier slot (HI02-1 and HI04-1 too long for a qualifier and
    /// not a qualifier code: 5 and 7). Element errors, not silently produced diagnosis codes.
    @Test func compositeSplitAcrossElements() throws {
        let findings = try Self.findings(Self.replacing("HI*", with: "HI*BK*8901*BF*87200"))
        #expect(Self.summary(findings) == [
            "16 HI 2300 E1 1-2",
            "16 HI 2300 E5 2-1", "16 HI 2300 E7 2-1", "16 HI 2300 E1 2-2",
            "16 HI 2300 E1 3-2",
            "16 HI 2300 E5 4-1", "16 HI 2300 E7 4-1", "16 HI 2300 E1 4-2",
        ])
        #expect(findings.allSatisfy { $0.referenceNumber == 1270 || $0.referenceNumber == 1271 })
    }

    /// Hard case 7: trailing element separators are flagged as a warning (pyx12's SEG1), not an error.
    @Test func trailingElementSeparatorsAreAWarning() throws {
        let findings = try Self.findings(Self.replacing("CLM*", with: "CLM*PAT0001*100***11:B:1*Y*A*Y*Y***"))
        #expect(Self.summary(findings) == ["15 CLM 2300 trailing 12"])
        #expect(findings.allSatisfy { $0.isWarning })
        let quiet = try Self.findings(
            Self.replacing("CLM*", with: "CLM*PAT0001*100***11:B:1*Y*A*Y*Y***"),
            options: .init(reportsTrailingSeparators: false))
        #expect(quiet.isEmpty)
    }

    /// Values never appear in findings unless asked for (PHI); with the option they are AK404 copies.
    @Test func badValuesOnlyWhenAskedFor() throws {
        let lines = Self.replacing("CLM*", with: "CLM*PAT0001*100***11:B:1*Y*Z*Y*Y")
        let plain = try Self.findings(lines)
        #expect(plain.map(\.badValue) == [nil])
        #expect(!plain.map(\.description).joined().contains("Z*"))
        let withValues = try Self.findings(lines, options: .init(includesBadValues: true))
        #expect(withValues.map(\.badValue) == ["Z"])
    }

    /// A reused validator starts each set afresh.
    @Test func validatorIsReusedAcrossSets() throws {
        var validator = X12GuideValidator(guide: Self.guide)
        for _ in 0..<2 {
            let text = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *261121*1200*^*00501*000000042*0*P*:~"
                + "ST*837*0001*005010X222A1~" + Self.body.map { $0 + "~" }.joined() + "SE*20*0001~"
            try Array(text.utf8).withUnsafeBytes { raw in
                try X12SegmentFramer.forEachSegment(in: raw) { view in
                    if !view.isISA { validator.consume(view) }
                }
            }
            #expect(validator.finish().isEmpty)
        }
    }

    /// Through the acknowledgement result: the guide chosen per set, a set without a guide gets SNIP 1 and a
    /// warning, and SNIP 2 errors reject the set with AK5 code 5.
    @Test func acknowledgementResultUsesTheGuidePerSet() throws {
        func interchange(_ sets: [[String]], version: String) -> [UInt8] {
            var text = "ISA*00*          *00*          *ZZ*SUBMITTER01    *ZZ*PAYER00001     *261121*1200*^*00501*000000042*0*P*:~"
                + "GS*HC*SUBMITTER01*PAYER00001*20261121*1200*7*X*\(version)~"
            for (index, set) in sets.enumerated() {
                let control = String(format: "%04d", index + 1)
                text += ([set[0].replacingOccurrences(of: "#", with: control)] + set.dropFirst() + ["SE*\(set.count + 1)*\(control)"])
                    .map { $0 + "~" }.joined()
            }
            return Array((text + "GE*\(sets.count)*7~IEA*1*000000042~").utf8)
        }
        let clean = ["ST*837*#*005010X222A1"] + Self.body
        let broken = ["ST*837*#*005010X222A1"] + Self.replacing("CLM*", with: "CLM*PAT0001*100***11:B:1*Y*Z*Y*Y")
        let result = X12AckValidationResult(validating: interchange([clean, broken], version: "005010X222A1"))
        let sets = try #require(result.interchanges.first?.groups.first?.transactionSets)
        #expect(sets.map(\.guideID) == ["005010X222A1", "005010X222A1"])
        #expect(sets.map(\.acknowledgmentCode) == [.accepted, .rejected])
        #expect(sets[1].errorCodes == [.segmentsInError])
        #expect(sets[1].segmentErrors == [
            X12AckSegmentError(segmentID: "CLM", position: 15, loopID: "2300", code: .hasElementErrors, elementErrors: [
                X12AckElementError(elementPosition: 7, referenceNumber: 1359, code: .invalidCodeValue),
            ]),
        ])
        #expect(result.interchanges.first?.groups.first?.acknowledgmentCode == .partiallyAccepted)

        let noGuide = X12AckValidationResult(
            validating: interchange([["ST*834*#*005010X220A1", "BGN*00*1*20261121"]], version: "005010X220A1"))
        let set = try #require(noGuide.interchanges.first?.groups.first?.transactionSets.first)
        #expect(set.guideID == nil)
        #expect(set.acknowledgmentCode == .accepted)
        #expect(set.warnings.map(\.kind) == [.noGuide(convention: "005010X220A1")])

        let envelopesOnly = X12AckValidationResult(validating: interchange([broken], version: "005010X222A1"), guides: nil)
        #expect(envelopesOnly.interchanges.first?.groups.first?.transactionSets.first?.acknowledgmentCode == .accepted)
    }

    /// A 4010 set without ST03 waits for its header `REF*87` before choosing: the OopFactory 837D sample
    /// (GS08 `004010X096A1`, `REF*87*004010X097`) is validated against the 4010 dental guide, cleanly.
    @Test func dental4010ChoosesItsGuideByTransmissionType() throws {
        let url = X12Conformance.root.appendingPathComponent("x12-4010-837d-oopfactory-patient-not-subscriber/input.x12")
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let result = X12AckValidationResult(validating: try [UInt8](Data(contentsOf: url)))
        let set = try #require(result.interchanges.first?.groups.first?.transactionSets.first)
        #expect(set.guideID == "004010X097A1")
        #expect(set.segmentErrors == [])
    }

    /// A small 5010 dental claim (SV3, TOO, DTP*472, rendering NM1*82) is clean against the derived
    /// 005010X224A2; the same claim with a bad tooth-surface qualifier (TOO01) is not.
    @Test func dental5010ClaimAgainstTheDerivedGuide() throws {
        func validate(_ too: String) throws -> X12AckTransactionSetResult {
            let segments = [
                "ST*837*0001*005010X224A2", "BHT*0019*00*1*20261121*1200*CH", "NM1*41*2*CLEARINGHOUSE ONE*****46*CH0001",
                "PER*IC*CLAIMS DESK*TE*5555550100", "NM1*40*2*PAYER ONE*****46*PAYER00001", "HL*1**20*1",
                "NM1*85*2*DENTAL GROUP*****XX*1234567893", "N3*1 MAIN ST", "N4*SPRINGFIELD*IL*62701", "REF*EI*123456789",
                "HL*2*1*22*0", "SBR*P*18*******CI", "NM1*IL*1*DOE*JANE****MI*W000000001",
                "NM1*PR*2*PAYER ONE*****PI*PAYER00001", "CLM*PAT0001*100***11:B:1*Y*A*Y*Y",
                "NM1*82*1*SMILE*SAM****XX*1234567893", "LX*1", "SV3*AD:D0120*100****1", too, "DTP*472*D8*20261101",
            ]
            let text =
                "ISA*00*          *00*          *ZZ*SUBMITTER01    *ZZ*PAYER00001     *261121*1200*^*00501*000000042*0*P*:~"
                + "GS*HC*SUBMITTER01*PAYER00001*20261121*1200*7*X*005010X224A2~" + segments.map { $0 + "~" }.joined()
                + "SE*\(segments.count + 1)*0001~GE*1*7~IEA*1*000000042~"
            let result = X12AckValidationResult(validating: Array(text.utf8))
            return try #require(result.interchanges.first?.groups.first?.transactionSets.first)
        }
        let clean = try validate("TOO*JP*3")
        #expect(clean.guideID == "005010X224A2")
        #expect(clean.segmentErrors == [])
        let bad = try validate("TOO*ZZ*3")
        #expect(bad.segmentErrors.map(\.segmentID) == ["TOO"])
        #expect(bad.segmentErrors.first?.position == 19)
        #expect(bad.segmentErrors.first?.loopID == "2400")
        #expect(bad.segmentErrors.first?.elementErrors.map(\.code) == [.invalidCodeValue])
    }
}
