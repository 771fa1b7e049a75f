import EDI
import Foundation
import Testing

/// Acknowledgement test helpers: fixed envelope values, and segments rendered as `ID*a*b:c` text.
enum X12AckFixture {
    static let envelope = X12AckEnvelope(interchangeControlNumber: 42, groupControlNumber: 7, date: "20260102", time: "0304")

    /// The segments of `bytes` as text with `*`, `:` and `^`, whatever the input's delimiters.
    static func render(_ bytes: [UInt8]) throws -> [String] {
        let segments = try tokenizeInMemory(bytes).get()
        return segments.map { segment in
            String(decoding: segment.bytes.map { byte -> UInt8 in
                if segment.id == "ISA" { return byte }
                if byte == segment.delimiters.element { return UInt8(ascii: "*") }
                if byte == segment.delimiters.component { return UInt8(ascii: ":") }
                if let repetition = segment.delimiters.repetition, byte == repetition { return UInt8(ascii: "^") }
                return byte
            }, as: UTF8.self)
        }
    }

    /// Validates `text` at SNIP level 1 and returns the result (one interchange expected by most tests). The
    /// hand-written sets here are envelope skeletons (ST, BHT, SE), not complete claims: SNIP level 2 is tested
    /// in `X12GuideValidatorTests` and the conformance suite.
    static func result(_ text: String) -> X12AckValidationResult {
        X12AckValidationResult(validating: Array(text.utf8), guides: nil)
    }

    /// The acknowledgement of the first interchange of `text`, rendered.
    static func ack(_ kind: X12AckKind, _ text: String, includesTA1: Bool? = nil) throws -> [String] {
        let interchange = try #require(result(text).interchanges.first)
        return try render(X12AckGenerator(envelope: envelope).write(kind, for: interchange, includesTA1: includesTA1))
    }

    /// Only the AK1…AK9 / IK3…IK5 / TA1 segments.
    static func content(_ segments: [String]) -> [String] {
        segments.filter { ["AK", "IK", "TA"].contains($0.prefix(2)) }
    }
}

@Suite("X12 acknowledgements")
struct X12AckTests {
    @Test func validInterchangeGives997Accepted() throws {
        let text = X12Fixture.interchange(groups: 1, sets: 2)
        let result = X12AckFixture.result(text)
        #expect(result.isAccepted)
        #expect(result.unattributedFindings.isEmpty)
        let ack = try X12AckFixture.ack(.functional997, text)
        #expect(ack == [
            "ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SENDER         *260102*0304*U*00401*000000042*0*T*:",
            "GS*FA*RECEIVER*SENDER*20260102*0304*7*X*004010",
            "ST*997*0001",
            "AK1*HC*1",
            "AK2*837*0101", "AK5*A",
            "AK2*837*0102", "AK5*A",
            "AK9*A*2*2*2",
            "SE*8*0001",
            "GE*1*7",
            "IEA*1*000000042",
        ])
        // The acknowledgement's own envelope is consistent.
        let written = try X12AckGenerator(envelope: X12AckFixture.envelope)
            .write(.functional997, for: try #require(result.interchanges.first))
        let reread = X12AckValidationResult(validating: written)
        #expect(reread.isAccepted)
        #expect(reread.interchanges.first?.warnings == [])
    }

    @Test func validInterchangeGives999Accepted() throws {
        let ack = try X12AckFixture.ack(.implementation999, X12Fixture.interchange(groups: 2, sets: 1))
        #expect(ack == [
            "ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SENDER         *260102*0304*^*00501*000000042*0*T*:",
            "GS*FA*RECEIVER*SENDER*20260102*0304*7*X*005010X231A1",
            "ST*999*0001*005010X231A1",
            "AK1*HC*1*005010X222A1", "AK2*837*0101*005010X222A1", "IK5*A", "AK9*A*1*1*1",
            "SE*6*0001",
            "ST*999*0002*005010X231A1",
            "AK1*HC*2*005010X222A1", "AK2*837*0201*005010X222A1", "IK5*A", "AK9*A*1*1*1",
            "SE*6*0002",
            "GE*2*7",
            "IEA*1*000000042",
        ])
    }

    @Test func standaloneTA1EchoesTheInterchange() throws {
        let ack = try X12AckFixture.ack(.ta1, X12Fixture.interchange())
        #expect(ack == [
            "ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SENDER         *260102*0304*^*00501*000000042*0*T*:",
            "TA1*000000001*210101*1253*A*000",
            "IEA*0*000000042",
        ])
    }

    @Test func ta1InsideA997FollowsISA14() throws {
        let requested = X12Fixture.interchange().replacingOccurrences(of: "*000000001*0*T*", with: "*000000001*1*T*")
        let ack = try X12AckFixture.ack(.functional997, requested)
        #expect(ack[1] == "TA1*000000001*210101*1253*A*000")
        #expect(ack[2].hasPrefix("GS*FA*"))
        #expect(try !X12AckFixture.ack(.functional997, X12Fixture.interchange()).contains { $0.hasPrefix("TA1") })
        #expect(try X12AckFixture.ack(.functional997, X12Fixture.interchange(), includesTA1: true)[1].hasPrefix("TA1*"))
    }

    /// One envelope defect and the codes it must produce.
    struct EnvelopeCase: Sendable, CustomTestStringConvertible {
        var name: String
        var old: String, new: String
        var ta1: String
        var ack: [String]   // AK2…AK9 of the 997
        var testDescription: String { name }
    }

    static let envelopeCases: [EnvelopeCase] = [
        .init(name: "SE01 wrong", old: "SE*4*0101", new: "SE*5*0101", ta1: "A*000",
              ack: ["AK2*837*0101", "AK5*R*4", "AK9*R*1*1*0"]),
        .init(name: "SE01 not a number", old: "SE*4*0101", new: "SE*X*0101", ta1: "A*000",
              ack: ["AK2*837*0101", "AK5*R*4", "AK9*R*1*1*0"]),
        .init(name: "SE02 differs from ST02", old: "SE*4*0101", new: "SE*4*101", ta1: "A*000",
              ack: ["AK2*837*0101", "AK5*R*3", "AK9*R*1*1*0"]),
        .init(name: "SE01 and SE02 wrong", old: "SE*4*0101", new: "SE*9*9", ta1: "A*000",
              ack: ["AK2*837*0101", "AK5*R*4*3", "AK9*R*1*1*0"]),
        .init(name: "SE missing", old: "SE*4*0101~", new: "", ta1: "A*000",
              ack: ["AK2*837*0101", "AK5*R*2", "AK9*R*1*1*0"]),
        .init(name: "GE01 wrong", old: "GE*1*1~", new: "GE*2*1~", ta1: "A*000",
              ack: ["AK2*837*0101", "AK5*A", "AK9*R*2*1*1*5"]),
        .init(name: "GE01 not a number", old: "GE*1*1~", new: "GE**1~", ta1: "A*000",
              ack: ["AK2*837*0101", "AK5*A", "AK9*R*1*1*1*5"]),
        .init(name: "GE02 differs from GS06", old: "GE*1*1~", new: "GE*1*2~", ta1: "A*000",
              ack: ["AK2*837*0101", "AK5*A", "AK9*R*1*1*1*4"]),
        .init(name: "GE missing", old: "GE*1*1~", new: "", ta1: "A*000",
              ack: ["AK2*837*0101", "AK5*A", "AK9*R*1*1*1*3"]),
        .init(name: "IEA01 wrong", old: "IEA*1*000000001", new: "IEA*3*000000001", ta1: "R*021",
              ack: ["AK2*837*0101", "AK5*A", "AK9*A*1*1*1"]),
        .init(name: "IEA02 differs from ISA13", old: "IEA*1*000000001", new: "IEA*1*000000002", ta1: "R*001",
              ack: ["AK2*837*0101", "AK5*A", "AK9*A*1*1*1"]),
        .init(name: "IEA missing", old: "IEA*1*000000001~", new: "", ta1: "R*023",
              ack: ["AK2*837*0101", "AK5*A", "AK9*A*1*1*1"]),
        .init(name: "segment between groups", old: "GE*1*1~", new: "GE*1*1~NM1*X~", ta1: "R*024",
              ack: ["AK2*837*0101", "AK5*A", "AK9*A*1*1*1"]),
    ]

    @Test(arguments: envelopeCases)
    func envelopeErrorCodes(_ testCase: EnvelopeCase) throws {
        let original = X12Fixture.interchange()
        #expect(original.contains(testCase.old))
        let text = original.replacingOccurrences(of: testCase.old, with: testCase.new)
        let ack = try X12AckFixture.ack(.functional997, text, includesTA1: true)
        #expect(ack.first { $0.hasPrefix("TA1") } == "TA1*000000001*210101*1253*\(testCase.ta1)")
        let content = X12AckFixture.content(ack).filter { !$0.hasPrefix("TA1") && !$0.hasPrefix("AK1") }
        #expect(content == testCase.ack)
        let ik = try X12AckFixture.content(X12AckFixture.ack(.implementation999, text))
            .filter { !$0.hasPrefix("TA1") && !$0.hasPrefix("AK1") }
        #expect(ik == testCase.ack.map { $0.replacingOccurrences(of: "AK5*", with: "IK5*").replacingOccurrences(of: "AK2*837*0101", with: "AK2*837*0101*005010X222A1") })
        let result = X12AckFixture.result(text)
        #expect(!result.isAccepted)
        #expect(result.unattributedFindings.isEmpty)
    }

    @Test func partialAcceptanceAcrossSets() throws {
        let text = X12Fixture.interchange(sets: 3).replacingOccurrences(of: "SE*4*0102", with: "SE*3*0102")
        let content = X12AckFixture.content(try X12AckFixture.ack(.functional997, text))
        #expect(content == ["AK1*HC*1", "AK2*837*0101", "AK5*A", "AK2*837*0102", "AK5*R*4", "AK2*837*0103", "AK5*A", "AK9*P*3*3*2"])
    }

    @Test func fatalSyntaxErrorRejectsTheOpenInterchange() throws {
        let text = X12Fixture.interchange().replacingOccurrences(of: "NM1*IL*1*ISAAC*JOHN~", with: "NM1*IL*1*ISAAC*JOHN~\u{01}\u{02}garbage~")
        let result = X12AckFixture.result(text)
        let interchange = try #require(result.interchanges.first)
        #expect(interchange.findings.map(\.code) == [.invalidInterchangeContent, .prematureEndOfFile])
        guard case .invalidSegmentID = interchange.findings[0].cause else {
            Issue.record("expected the tokenizer's invalidSegmentID, got \(interchange.findings[0].cause)")
            return
        }
        let content = X12AckFixture.content(try X12AckFixture.ack(.functional997, text, includesTA1: true))
        #expect(content == ["TA1*000000001*210101*1253*R*024", "AK1*HC*1", "AK2*837*0101", "AK5*R*2", "AK9*R*1*1*0*3"])
    }

    @Test func warningsDoNotReject() throws {
        // A non-padded ISA (sender id not 15 wide) is a warning only.
        let text = X12Fixture.interchange().replacingOccurrences(of: "*SENDER         *", with: "*SENDER*")
        let result = X12AckFixture.result(text)
        let interchange = try #require(result.interchanges.first)
        #expect(interchange.warnings.count == 1)
        #expect(interchange.findings.isEmpty)
        #expect(result.isAccepted)
        let content = X12AckFixture.content(try X12AckFixture.ack(.functional997, text, includesTA1: true))
        #expect(content == ["TA1*000000001*210101*1253*A*000", "AK1*HC*1", "AK2*837*0101", "AK5*A", "AK9*A*1*1*1"])
        // The receiver of the acknowledgement is padded back to 15 characters.
        #expect(try X12AckFixture.ack(.ta1, text).first?.contains("*ZZ*SENDER         *") == true)
    }

    @Test func missingSEBeforeTheNextSTRejectsOnlyThatSet() throws {
        let text = X12Fixture.interchange(sets: 2).replacingOccurrences(of: "SE*4*0101~", with: "")
        let content = X12AckFixture.content(try X12AckFixture.ack(.functional997, text))
        #expect(content == ["AK1*HC*1", "AK2*837*0101", "AK5*R*2", "AK2*837*0102", "AK5*A", "AK9*P*2*2*1"])
    }

    @Test func garbageAfterTheLastIEAIsUnattributed() throws {
        let text = X12Fixture.interchange() + "\u{00}\u{FF}noise~"
        let result = X12AckFixture.result(text)
        let interchange = try #require(result.interchanges.first)
        #expect(interchange.findings.isEmpty)
        #expect(interchange.acknowledgmentCode == .accepted)
        #expect(result.unattributedFindings.count == 1)
        #expect(!result.isAccepted)
    }

    @Test func missingISAHasNothingToAcknowledge() {
        let result = X12AckFixture.result("GS*HC*A*B*20210101*1253*1*X*005010X222A1~")
        #expect(result.interchanges.isEmpty)
        #expect(!result.isAccepted)
        #expect(result.unattributedFindings.count == 1)
    }

    @Test func duplicateSegmentsInOneCaseStayAttributedToTheirSet() throws {
        // Two interchanges: the second one's SE01 is wrong; the first is untouched.
        let text = X12Fixture.interchange() + X12Fixture.interchange(controlNumber: "000000002")
            .replacingOccurrences(of: "SE*4*0101", with: "SE*2*0101")
        let result = X12AckFixture.result(text)
        #expect(result.interchanges.count == 2)
        #expect(result.interchanges[0].groups[0].transactionSets[0].findings.isEmpty)
        #expect(result.interchanges[1].groups[0].transactionSets[0].findings.map(\.code) == [.segmentCountMismatch])
    }

    @Test func segmentAndElementErrorSlotsRender() throws {
        var result = X12AckFixture.result(X12Fixture.interchange())
        result.interchanges[0].groups[0].transactionSets[0].segmentErrors = [
            X12AckSegmentError(segmentID: "CLM", position: 22, code: .hasElementErrors, elementErrors: [
                X12AckElementError(elementPosition: 5, componentPosition: 1, referenceNumber: 1331, code: .invalidCodeValue, badValue: "95"),
                X12AckElementError(elementPosition: 18, referenceNumber: 1073, code: .mandatoryElementMissing),
            ]),
            X12AckSegmentError(segmentID: "NM1", position: 7, loopID: "2010BA", code: .implementationNotUsedSegmentPresent, elementErrors: [
                X12AckElementError(elementPosition: 2, repetitionPosition: 3, code: .implementationTooFewRepetitions),
            ]),
        ]
        let interchange = result.interchanges[0]
        let generator = X12AckGenerator(envelope: X12AckFixture.envelope)
        let ak = X12AckFixture.content(try X12AckFixture.render(generator.write(.functional997, for: interchange)))
        #expect(ak == [
            "AK1*HC*1", "AK2*837*0101",
            "AK3*CLM*22**8", "AK4*5:1*1331*7*95", "AK4*18*1073*1",
            // A 997 has no `I` codes and no guide loop ids: I4 → 2, I11 → 7, AK303 empty (as pyx12 writes it).
            "AK3*NM1*7**2", "AK4*2**7",
            "AK5*R*5", "AK9*R*1*1*0",
        ])
        let ik = X12AckFixture.content(try X12AckFixture.render(generator.write(.implementation999, for: interchange)))
        #expect(ik == [
            "AK1*HC*1*005010X222A1", "AK2*837*0101*005010X222A1",
            "IK3*CLM*22**8", "IK4*5:1*1331*7*95", "IK4*18*1073*1",
            "IK3*NM1*7*2010BA*I4", "IK4*2::3**I11",
            "IK5*R*5", "AK9*R*1*1*0",
        ])
    }

    @Test func delimiterInEchoedValueIsRefused() throws {
        var result = X12AckFixture.result(X12Fixture.interchange())
        result.interchanges[0].groups[0].transactionSets[0].segmentErrors = [
            X12AckSegmentError(segmentID: "REF", position: 3, code: .hasElementErrors, elementErrors: [
                X12AckElementError(elementPosition: 2, code: .invalidCharacter, badValue: "A~B"),
            ]),
        ]
        #expect(throws: X12Error.self) {
            try X12AckGenerator(envelope: X12AckFixture.envelope).write(.functional997, for: result.interchanges[0])
        }
    }

    @Test func controlNumbersComeFromTheCaller() throws {
        let envelope = X12AckEnvelope(
            interchangeControlNumber: 123_456_789, groupControlNumber: 99, date: "20301231", time: "235959",
            firstTransactionSetControlNumber: 12345, usageIndicator: "P")
        let interchange = try #require(X12AckFixture.result(X12Fixture.interchange()).interchanges.first)
        let segments = try X12AckFixture.render(X12AckGenerator(envelope: envelope).write(.functional997, for: interchange))
        #expect(segments.first?.hasSuffix("*301231*2359*U*00401*123456789*0*P*:") == true)
        #expect(segments.contains("GS*FA*RECEIVER*SENDER*20301231*235959*99*X*004010"))
        #expect(segments.contains("ST*997*12345"))
        #expect(segments.contains("SE*6*12345"))
        #expect(segments.contains("GE*1*99"))
        #expect(segments.last == "IEA*1*123456789")
    }
}
