import ByteCoding
import EDI
import Foundation
import Testing

/// The shared EDI corpus (`../shared/conformance/edi` from the repository root) and its derived envelope survey.
enum X12Conformance {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/conformance/edi")
    static var available: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("SOURCES.md").path) }
    static let skipMessage = "conformance corpus absent at ../shared/conformance/edi: skipped"

    /// Every X12 input file, as `case/file`.
    static let inputs: [String] = {
        guard available, let cases = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        return cases.filter { $0.hasPrefix("x12-") }.sorted().flatMap { name in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(name).path)) ?? []
            return files.filter { $0.hasSuffix(".x12") && !$0.hasPrefix("expected") }.sorted().map { "\(name)/\($0)" }
        }
    }()

    /// The survey's entry for one input (read each time: `Any` values are not `Sendable`).
    static func survey(_ input: String) -> [String: Any]? {
        guard let data = try? Data(contentsOf: root.appendingPathComponent("_derived-envelope-survey.json")),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let files = json["files"] as? [String: [String: Any]]
        else { return nil }
        return files[input]
    }

    /// Our envelope findings in the survey's wording.
    static func surveyWording(_ issue: X12Error) -> String? {
        switch issue {
        case let .segmentCountMismatch(_, controlNumber, declared, actual):
            "SE01=\(declared) but counted \(actual) (ST02=\(controlNumber))"
        case let .transactionSetCountMismatch(_, controlNumber, declared, actual):
            "GE01=\(declared) but \(actual) ST in group GS06=\(controlNumber)"
        case let .functionalGroupCountMismatch(_, _, declared, actual):
            "IEA01=\(declared) but \(actual) GS in interchange"
        case let .controlNumberMismatch(_, element, header, trailer):
            "\(element)=\(trailer) != \(["SE02": "ST02", "GE02": "GS06", "IEA02": "ISA13"][element] ?? "?")=\(header)"
        case let .missingTrailer(_, trailer, _):
            "EOF inside \(["SE": "ST", "GE": "GS", "IEA": "ISA"][trailer] ?? "?") (no \(trailer))"
        default:
            nil
        }
    }
}

@Suite(.enabled(if: X12Conformance.available, "\(X12Conformance.skipMessage)"))
struct X12ConformanceTests {
    @Test(arguments: X12Conformance.inputs)
    func tokenizeValidateAndRoundTrip(input: String) throws {
        let bytes = try Array(Data(contentsOf: X12Conformance.root.appendingPathComponent(input)))
        let survey = try #require(X12Conformance.survey(input), "no survey entry for \(input)")
        // One case ends without its final terminator (`IEA*1*000003774` at EOF): strict tokenizing rejects it
        // with a located error; the lenient option accepts it and the envelope check reports a warning.
        let lenient = input.hasPrefix("x12-5010-837p-oopfactory-cr-terminator-bom")
        if lenient {
            guard case .failure(.missingSegmentTerminator(_, 56)) = tokenizeInMemory(bytes) else {
                Issue.record("strict tokenizing should reject the unterminated last segment"); return
            }
        }
        let result = tokenizeInMemory(bytes, allowsUnterminatedFinalSegment: lenient)
        var random = SplitMix64(seed: UInt64(bytes.count))
        #expect(tokenizeChunked(bytes, allowsUnterminatedFinalSegment: lenient) { Int.random(in: 1...512, using: &random) } == result)

        if survey["error"] != nil {
            // No ISA: fatal, no delimiter guessing.
            guard case .failure(.missingISA) = result else { Issue.record("expected missingISA, got \(result)"); return }
            return
        }
        if let encoding = survey["enc"] as? String, encoding.hasPrefix("utf-16le") {
            // Deliberate: UTF-16 is rejected with a clear error rather than transcoded.
            #expect(result == .failure(.unsupportedEncoding(encoding: "UTF-16LE", offset: 0)))
            return
        }
        let segments = try result.get()
        let stats = try #require(survey["stats"] as? [String: Int])
        let delims = try #require(survey["delims"] as? [String: Any])
        #expect(segments.count == stats["segments"])

        let first = try #require(segments.first)
        #expect(first.delimiters.element == (delims["element"] as? String)?.utf8.first)
        #expect(first.delimiters.component == (delims["component"] as? String)?.utf8.first)
        #expect(first.delimiters.segmentTerminator == (delims["segment"] as? String).map { Array($0.utf8) })
        #expect(first.delimiters.repetition == (delims["repetition"] as? String)?.utf8.first)

        // Envelopes: counts and the same findings as the survey's independent walker.
        var validator = X12EnvelopeValidator()
        let text = bytes
        let walked: Result<Void, X12Error> = text.withUnsafeBytes { raw in
            Result { () throws(X12Error) in try X12SegmentFramer.forEachSegment(in: raw, allowsUnterminatedFinalSegment: lenient) { validator.consume($0) } }
        }
        try walked.get()
        validator.finish()
        let interchanges = validator.takeCompletedInterchanges()
        #expect(interchanges.count == stats["isa"])
        #expect(interchanges.reduce(0) { $0 + $1.groups.count } == stats["gs"])
        #expect(interchanges.reduce(0) { $0 + $1.groups.reduce(0) { $0 + $1.transactionSets.count } } == stats["st"])
        let expectedErrors = ((survey["errs"] as? [String]) ?? []).sorted()
        let errors = validator.errors.compactMap(X12Conformance.surveyWording).sorted()
        #expect(errors == expectedErrors)
        #expect(validator.errors.count == errors.count, "findings the survey does not word: \(validator.errors)")
        #expect(validator.issues.contains { if case .unterminatedFinalSegment = $0 { true } else { false } } == lenient)
        let fixedWidth = validator.issues.contains { if case .isaNotFixedWidth = $0 { true } else { false } } == false
        if delims["isa_fixed_width"] as? Bool == false && fixedWidth {
            // The survey counts an ISA followed by LF and end of input as not fixed width; ours is 106 wide.
            #expect(input.hasPrefix("x12-badx12-isa-without-segment-terminator"))
        } else {
            #expect(fixedWidth == (delims["isa_fixed_width"] as? Bool ?? true))
        }

        // Segments, terminators and whitespace tile the input; writing reproduces it without the whitespace.
        var expected: [UInt8] = []
        var writer = ByteWriter(capacity: bytes.count)
        var cursor = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        for segment in segments {
            let gap = bytes[cursor..<segment.byteOffset]
            #expect(gap.allSatisfy { [0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C].contains($0) }, "non-whitespace before segment \(segment.position)")
            let terminator = segment.delimiters.segmentTerminator
            let end = segment.byteOffset + segment.bytes.count
            let written = Array(bytes[end..<min(bytes.count, end + terminator.count)])
            #expect(written == terminator || (lenient && segment.position == segments.count && written.isEmpty))
            cursor = end + written.count
            expected += segment.bytes + terminator
        }
        #expect(bytes[cursor...].allSatisfy { [0x20, 0x09, 0x0A, 0x0D].contains($0) })
        let writeResult: Result<Void, X12Error> = bytes.withUnsafeBytes { raw in
            Result { () throws(X12Error) in
                try X12SegmentFramer.forEachSegment(in: raw, allowsUnterminatedFinalSegment: lenient) { view in
                    _ = Result { () throws(X12Error) in
                        try X12Writer(delimiters: view.delimiters).write(view.copy(), to: &writer)
                    }.mapError { error in Issue.record("write failed: \(error)"); return error }
                }
            }
        }
        try writeResult.get()
        #expect(writer.bytes == expected)
    }

    @Test func everyX12CaseHasAnInput() throws {
        let cases = try FileManager.default.contentsOfDirectory(atPath: X12Conformance.root.path).filter { $0.hasPrefix("x12-") }
        let covered = Set(X12Conformance.inputs.map { String($0.split(separator: "/")[0]) })
        #expect(covered == Set(cases))
        print("X12 conformance: \(X12Conformance.inputs.count) inputs in \(cases.count) cases checked")
    }
}
