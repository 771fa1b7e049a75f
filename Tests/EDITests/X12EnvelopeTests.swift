import EDI
import Foundation
import Testing

/// Runs the envelope validator over `text`; returns the finished validator and the interchanges.
func validateEnvelopes(_ text: String) throws -> (issues: [X12Error], interchanges: [X12Interchange]) {
    var validator = X12EnvelopeValidator()
    try withEachSegment(text) { validator.consume($0) }
    validator.finish()
    return (validator.issues, validator.takeCompletedInterchanges())
}

@Suite("X12 envelopes")
struct X12EnvelopeTests {
    @Test func validNestingBuildsTheModel() throws {
        let text = X12Fixture.interchange(groups: 2, sets: 3) + "\n" + X12Fixture.interchange(controlNumber: "000000002", groups: 1, sets: 2)
        let (issues, interchanges) = try validateEnvelopes(text)
        #expect(issues.isEmpty)
        #expect(interchanges.map(\.controlNumber) == ["000000001", "000000002"])
        #expect(interchanges.map { $0.groups.count } == [2, 1])
        #expect(interchanges[0].groups.map { $0.transactionSets.count } == [3, 3])
        #expect(interchanges[0].groups[1].controlNumber == "2")
        let set = interchanges[0].groups[0].transactionSets[1]
        #expect(set.identifier == "837")
        #expect(set.controlNumber == "0102")
        #expect(set.implementationConvention == "005010X222A1")
        #expect(set.segmentCount == 4)
        // ISA, GS, then set 1 (4 segments): set 2 starts at position 7.
        #expect(set.segmentPositions == 7...10)
        #expect(interchanges.allSatisfy { $0.isComplete })
        #expect(interchanges[1].headerPosition == interchanges[0].trailerPosition.map { $0 + 1 })
        let bytes = Array(text.utf8)
        #expect(Array(bytes[set.byteOffset..<set.byteOffset + 3]) == Array("ST*".utf8))
        let end = try #require(set.endByteOffset)
        #expect(Array(bytes[end - 8..<end]) == Array("SE*4*0102~".utf8.suffix(8)))
    }

    private func replacing(_ old: String, with new: String, in text: String = X12Fixture.interchange()) -> String {
        precondition(text.contains(old))
        return text.replacingOccurrences(of: old, with: new)
    }

    @Test func segmentCountMismatch() throws {
        let (issues, _) = try validateEnvelopes(replacing("SE*4*0101", with: "SE*5*0101"))
        #expect(issues == [.segmentCountMismatch(position: 6, controlNumber: "0101", declared: 5, actual: 4)])
    }

    @Test func transactionSetControlNumberMismatch() throws {
        let (issues, _) = try validateEnvelopes(replacing("SE*4*0101", with: "SE*4*101"))
        #expect(issues == [.controlNumberMismatch(position: 6, element: "SE02", header: "0101", trailer: "101")])
    }

    @Test func groupCountAndControlNumber() throws {
        let (issues, _) = try validateEnvelopes(replacing("GE*1*1~", with: "GE*2*7~"))
        #expect(issues == [
            .transactionSetCountMismatch(position: 7, controlNumber: "1", declared: 2, actual: 1),
            .controlNumberMismatch(position: 7, element: "GE02", header: "1", trailer: "7"),
        ])
    }

    @Test func interchangeCountAndControlNumberComparedAsStrings() throws {
        let (issues, _) = try validateEnvelopes(replacing("IEA*1*000000001", with: "IEA*3*1"))
        #expect(issues == [
            .functionalGroupCountMismatch(position: 8, controlNumber: "000000001", declared: 3, actual: 1),
            .controlNumberMismatch(position: 8, element: "IEA02", header: "000000001", trailer: "1"),
        ])
    }

    @Test func nonNumericCount() throws {
        let (issues, _) = try validateEnvelopes(replacing("SE*4*0101", with: "SE*X4*0101"))
        #expect(issues == [.invalidCount(position: 6, element: "SE01", found: "X4")])
    }

    @Test func oneBadSetLeavesItsSiblingAlone() throws {
        let text = replacing("SE*4*0101", with: "SE*9*0101", in: X12Fixture.interchange(sets: 2))
        let (issues, interchanges) = try validateEnvelopes(text)
        #expect(issues == [.segmentCountMismatch(position: 6, controlNumber: "0101", declared: 9, actual: 4)])
        #expect(interchanges[0].groups[0].transactionSets.map(\.isComplete) == [true, true])
    }

    @Test func truncatedInterchangeReportsEveryOpenTrailer() throws {
        let text = X12Fixture.interchange()
        let cut = String(text[..<text.range(of: "SE*")!.lowerBound])
        let (issues, interchanges) = try validateEnvelopes(cut)
        #expect(issues == [
            .missingTrailer(position: 5, trailer: "SE", controlNumber: "0101"),
            .missingTrailer(position: 5, trailer: "GE", controlNumber: "1"),
            .missingTrailer(position: 5, trailer: "IEA", controlNumber: "000000001"),
        ])
        #expect(interchanges.count == 1)
        #expect(interchanges[0].isComplete == false)
        #expect(interchanges[0].groups[0].transactionSets[0].segmentCount == 3)
    }

    @Test func segmentsOutOfPlace() throws {
        let stray = X12Fixture.isa() + "ST*837*0001~SE*2*0001~NM1*IL~IEA*0*000000001~"
        let (issues, _) = try validateEnvelopes(stray)
        #expect(issues == [
            .unexpectedSegment(position: 2, segmentID: "ST", expected: "GS"),
            .unexpectedSegment(position: 3, segmentID: "SE", expected: "ISA or GS"),
            .unexpectedSegment(position: 4, segmentID: "NM1", expected: "GS, TA1 or IEA"),
        ])
        let nested = X12Fixture.isa() + X12Fixture.interchange()
        let (nestedIssues, interchanges) = try validateEnvelopes(nested)
        #expect(nestedIssues == [
            .unexpectedSegment(position: 2, segmentID: "ISA", expected: "IEA"),
            .missingTrailer(position: 2, trailer: "IEA", controlNumber: "000000001"),
        ])
        #expect(interchanges.count == 2)
    }

    @Test func interchangeLevelTA1() throws {
        let text = X12Fixture.isa() + "TA1*000000001*210101*1253*A*000~IEA*0*000000001~"
        let (issues, interchanges) = try validateEnvelopes(text)
        #expect(issues.isEmpty)
        #expect(interchanges[0].interchangeSegmentPositions == [2])
    }

    /// Control numbers are strings: a trailing space in ST02 (pyx12 `ele` fixture) is a mismatch.
    @Test func trailingSpaceInControlNumberMatters() throws {
        let (issues, _) = try validateEnvelopes(replacing("ST*837*0101*", with: "ST*837*0101 *"))
        #expect(issues == [.controlNumberMismatch(position: 6, element: "SE02", header: "0101 ", trailer: "0101")])
    }

    @Test func unterminatedFinalSegmentIsRejectedOrForgivenAndReported() throws {
        let text = String(X12Fixture.interchange().dropLast()) + "\r\n"
        let bytes = Array(text.utf8)
        #expect(tokenizeInMemory(bytes) == .failure(.missingSegmentTerminator(offset: text.utf8.count - 17, position: 8)))
        let lenient = try tokenizeInMemory(bytes, allowsUnterminatedFinalSegment: true).get()
        #expect(lenient.last.map { String(decoding: $0.bytes, as: UTF8.self) } == "IEA*1*000000001")
        #expect(tokenizeChunked(bytes, allowsUnterminatedFinalSegment: true) { 3 } == .success(lenient))
        var validator = X12EnvelopeValidator()
        let walked: Result<Void, X12Error> = bytes.withUnsafeBytes { raw in
            Result { () throws(X12Error) in
                try X12SegmentFramer.forEachSegment(in: raw, allowsUnterminatedFinalSegment: true) { validator.consume($0) }
            }
        }
        try walked.get()
        validator.finish()
        #expect(validator.issues == [.unterminatedFinalSegment(position: 8, offset: text.utf8.count - 17)])
        #expect(validator.errors.isEmpty)
    }

    @Test func streamingWithoutRetainingSets() throws {
        let text = replacing("SE*4*0203", with: "SE*3*0203", in: X12Fixture.interchange(groups: 2, sets: 3))
        var validator = X12EnvelopeValidator(retainsTransactionSets: false)
        var closed: [String] = []
        try withEachSegment(text) { segment in
            validator.consume(segment)
            if let set = validator.lastClosedTransactionSet { closed.append(set.controlNumber) }
        }
        validator.finish()
        #expect(closed == ["0101", "0102", "0103", "0201", "0202", "0203"])
        let interchange = try #require(validator.takeCompletedInterchanges().first)
        #expect(interchange.groups.map(\.transactionSetCount) == [3, 3])
        #expect(interchange.groups.allSatisfy { $0.transactionSets.isEmpty })
        #expect(validator.issues == [.segmentCountMismatch(position: 28, controlNumber: "0203", declared: 3, actual: 4)])
        #expect(validator.takeCompletedInterchanges().isEmpty)
    }
}
