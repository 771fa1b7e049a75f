import EDI
import Events
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Collects, from a Smooks/Daffodil EDIFACT infoset, each segment (3-character element name) with its leaf values in
/// document order. UNA is skipped (its values are the delimiters, compared separately).
final class SmooksInfosetReader: NSObject, XMLParserDelegate {
    private(set) var segments: [(tag: String, values: [String])] = []
    private var stack: [String] = []
    private var text = ""
    private var hadChild: [Bool] = []

    static func read(_ data: Data) -> [(tag: String, values: [String])] {
        let reader = SmooksInfosetReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        parser.shouldProcessNamespaces = true
        _ = parser.parse()
        return reader.segments
    }

    private static func isSegment(_ name: String) -> Bool {
        name.count == 3 && name.allSatisfy { $0.isUppercase || $0.isNumber } && name.first!.isLetter
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if !hadChild.isEmpty { hadChild[hadChild.count - 1] = true }
        stack.append(elementName)
        hadChild.append(false)
        text = ""
        if Self.isSegment(elementName), !stack.contains("UNA") { segments.append((elementName, [])) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        let leaf = hadChild.popLast() == false
        stack.removeLast()
        if leaf, !Self.isSegment(elementName), !stack.contains("UNA"), !segments.isEmpty {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { segments[segments.count - 1].values.append(value) }
        }
        text = ""
    }
}

@Suite("EDIFACT conformance corpus (../shared/conformance/edi)", .enabled(if: EDIFACTFixture.corpusExists, "conformance corpus not found at ../shared/conformance/edi relative to the repository root"))
struct EDIFACTConformanceTests {
    static func document(_ name: String, _ file: String = "input.edi") throws -> EDIFACTDocument {
        EDIFACTDocument(parsing: try EDIFACTFixture.load(name, file), chunkSize: 97)
    }

    /// Our segments flattened like the infoset: non-empty component texts in order.
    static func flattened(_ segment: EDIFACTSegment) -> [String] {
        segment.elements.flatMap { element in
            element.repetitions.flatMap { $0.map { segment.characterSet.decode($0) } }
        }.filter { !$0.isEmpty }
    }

    /// Values are equal as text, or as numbers when the infoset typed them (Smooks renders `041013` as `41013`).
    static func same(_ ours: String, _ theirs: String) -> Bool {
        if ours == theirs { return true }
        guard let left = EDIFACTSegment.normalisedNumberText(ours), let right = EDIFACTSegment.normalisedNumberText(theirs),
              let a = try? ExactDecimal(parsing: left), let b = try? ExactDecimal(parsing: right) else { return false }
        return a == b
    }

    @Test("Smooks infosets: every segment and every non-empty value in order", arguments: [
        "edifact-invoic-d03b-smooks-una-repetition-release",
        "edifact-orders-d03b-smooks-dtm-exceeds-max",
        "edifact-paxlst-d03b-smooks-ung-group-rff-repeat",
        "edifact-recadv-d01b-smooks-utf8-released-apostrophe",
    ])
    func smooksInfoset(caseName: String) throws {
        let expected = SmooksInfosetReader.read(try Data(EDIFACTFixture.load(caseName, "expected.smooks.xml")))
        let ours = EDIFACTFixture.tokenize(try EDIFACTFixture.load(caseName), chunkSize: 61)
        #expect(ours.errors.isEmpty)
        let segments = ours.segments.filter { $0.tag != "UNA" }
        #expect(segments.map(\.tag) == expected.map(\.tag))
        for (segment, reference) in zip(segments, expected) {
            let values = Self.flattened(segment)
            let matches = values.count == reference.values.count && zip(values, reference.values).allSatisfy { Self.same($0, $1) }
            #expect(matches, "segment \(segment.position) \(segment.tag): \(values) vs \(reference.values)")
        }
    }

    @Test("staedi #174: IEA and END inside an EDIFACT message are ordinary segments")
    func foreignTrailerTags() throws {
        let document = try Self.document("edifact-foreign-trailer-tags-staedi")
        #expect(document.isValid)
        let message = try #require(document.interchanges.first?.messages.first)
        #expect(message.body.map(\.tag) == ["IEA", "END"])
        #expect(message.segmentCount == 4)
    }

    @Test("Smooks INVOIC D03B: explicit repetition '*' gives two C504; released apostrophe is data")
    func repetitionAndRelease() throws {
        let document = try Self.document("edifact-invoic-d03b-smooks-una-repetition-release")
        #expect(document.syntaxErrors.isEmpty)
        let interchange = try #require(document.interchanges.first)
        #expect(interchange.serviceStringAdvice?.repetition == UInt8(ascii: "*"))
        let body = try #require(interchange.messages.first?.body)
        let cux = try #require(body.first { $0.tag == "CUX" })
        #expect(cux.elements[0].repetitions.count == 2)
        #expect(cux.text(1, 1, repetition: 1) == "3" && cux.text(1, 1, repetition: 2) == "1")
        let imd = try #require(body.first { $0.tag == "IMD" })
        #expect(imd.text(3, 5)?.contains("Tolkien's original") == true)
    }

    @Test("staedi INVOIC D93A: UNA decimal comma, no repetition, values normalised")
    func decimalComma() throws {
        let document = try Self.document("edifact-invoic-d93a-una-decimal-comma-staedi")
        #expect(document.isValid)
        let interchange = try #require(document.interchanges.first)
        #expect(interchange.delimiters.decimalMark == UInt8(ascii: ","))
        #expect(interchange.delimiters.repetition == nil)
        #expect(document.interchanges.count == 1 && interchange.messages.count == 1)
        #expect(interchange.messages[0].segmentCount == 28)
        #expect(document.segmentCount == 31)
        let amounts = interchange.messages[0].body.filter { $0.tag == "MOA" || $0.tag == "PRI" }
            .compactMap { try? $0.decimal(1, 2)?.description }
        #expect(amounts.contains("19.9") && amounts.contains("777.4"))
        #expect(!amounts.contains { $0.contains(",") })
    }

    @Test("staedi INVOIC D97B: default delimiters, no repetition in version 3, UTF-8 in UNOA kept and reported")
    func defaultDelimitersAndRepertoire() throws {
        var reader = EDIFACTSegmentReader(bytes: try EDIFACTFixture.load("edifact-invoic-d97b-staedi"), chunkSize: 5)
        let document = EDIFACTDocument(reading: &reader)
        let interchange = try #require(document.interchanges.first)
        #expect(interchange.delimiters == .defaults(syntaxVersion: 3))
        #expect(interchange.delimiters.repetition == nil)
        let nad = try #require(interchange.messages.first?.body.first { $0.position == 7 })
        #expect(nad.tag == "NAD" && nad.text(4) == "BÜTTNER WIDGET COMPANY")
        #expect(document.warnings.contains { $0.segmentPosition == 7 && $0.kind == .characterOutsideRepertoire(syntaxIdentifier: "UNOA", elementIndex: 4, componentIndex: 1) })
        #expect(document.issues.isEmpty)
        let bad = try Self.document("edifact-invoic-d97b-staedi", "input-bad.edi")
        #expect(bad.issues.isEmpty, "the bad file's envelope is consistent; its errors need a D97B guide")
        #expect(bad.interchanges.first?.messages.first?.body.filter { $0.tag == "UNS" }.count == 2)
        #expect(throws: EDIFACTValueError.self) { try bad.interchanges.first?.messages.first?.body.first { $0.tag == "QTY" }?.decimal(1, 2) }
    }

    @Test("pydifact MEDRPT: Latin-1, released full stops, line breaks inside data, shifted UNB reported")
    func latin1ReleaseNewlines() throws {
        let document = try Self.document("edifact-medrpt-pydifact-latin1-release-newlines", "input.latin1.edi")
        #expect(document.syntaxErrors.isEmpty)
        let interchange = try #require(document.interchanges.first)
        let texts = interchange.allMessages.flatMap(\.body).filter { $0.tag == "FTX" }.compactMap { $0.text(3) }
        #expect(texts.contains("Beispielstraße. 13\n"))
        #expect(texts.contains("vom 12.03.2018\n"))
        #expect(document.warnings.contains { $0.kind == .unknownSyntaxIdentifier("ANSI") })
        let reference = try #require(document.issues.first { $0.element == "UNZ02" })
        #expect(reference.expected == "1623" && reference.found == "1")
    }

    @Test("pydifact ORDERS: UNA with space repetition, no UNZ reported at end of input")
    func missingUNZ() throws {
        let document = try Self.document("edifact-orders-pydifact-una-missing-unz")
        let interchange = try #require(document.interchanges.first)
        #expect(interchange.serviceStringAdvice != nil)
        let message = try #require(interchange.messages.first)
        #expect(message.identifier == ["ORDERS", "D", "96A", "UN", "EAN008"])
        #expect(message.segmentCount == 16)
        #expect(message.issues.isEmpty)
        #expect(interchange.header.elements[1].components.map { String(decoding: $0, as: UTF8.self) } == ["12345678", "8"])
        #expect(interchange.header.elements[2].components.map { String(decoding: $0, as: UTF8.self) } == ["WBDZDD", "ZZ"])
        #expect(document.issues.map(\.kind) == [.missingTrailer])
        #expect(document.issues.first?.expected == "UNZ")
        let report = EDIFACTControlReport(acknowledging: interchange)
        #expect(report.interchangeAction == .rejected)
    }

    @Test("Smooks ORDERS: UNT01 = 22 for 57 segments is a count mismatch")
    func untCountMismatch() throws {
        let document = try Self.document("edifact-orders-d03b-smooks-dtm-exceeds-max")
        let issue = try #require(document.issues.first)
        #expect(document.issues.count == 1)
        #expect(issue.element == "UNT01" && issue.expected == "57" && issue.found == "22")
        #expect(issue.messageReference == "SSDD1")
    }

    @Test("Smooks PAXLST: UNG/UNE group checked, UNT01 = 16 for 17 segments, UNB date stays text")
    func groupAndCount() throws {
        let document = try Self.document("edifact-paxlst-d03b-smooks-ung-group-rff-repeat")
        let interchange = try #require(document.interchanges.first)
        #expect(interchange.groups.count == 1 && interchange.groups[0].messages.count == 1)
        #expect(interchange.header.text(4) == "041013")
        #expect(document.issues.map(\.element) == ["UNT01"])
        #expect(document.issues.first?.expected == "17" && document.issues.first?.found == "16")
        let report = EDIFACTControlReport(acknowledging: interchange)
        #expect(report.segments.map(\.tag) == ["UNH", "UCI", "UCF", "UCM", "UCS", "UCD", "UNT"])
    }

    @Test("Smooks RECADV: UTF-8 Chinese in a UNOA interchange is kept and reported, released apostrophe is data")
    func utf8InLevelA() throws {
        let document = try Self.document("edifact-recadv-d01b-smooks-utf8-released-apostrophe")
        let segments = document.interchanges.flatMap(\.allMessages).flatMap(\.body)
        let values = segments.flatMap { EDIFACTConformanceTests.flattened($0) }
        #expect(values.contains("报文测试天津有限公司"))
        #expect(values.contains("CSP test d'This is also a test section"))
        #expect(document.warnings.contains { if case .characterOutsideRepertoire = $0.kind { true } else { false } })
    }

    @Test("pydifact huge file: 109,620 segments streamed with bounded buffer; UNT01 and missing UNZ reported")
    func hugeStreaming() throws {
        let bytes = try EDIFACTFixture.load("edifact-orders-pydifact-huge-streaming")
        var reader = EDIFACTSegmentReader(bytes: bytes, chunkSize: 4096)
        var validator = EDIFACTEnvelopeValidator(retainsSegments: false)
        var count = 0
        var maximumBuffered = 0
        while let segment = try reader.next() {
            count += 1
            maximumBuffered = max(maximumBuffered, reader.tokenizer.bufferedByteCount)
            validator.observe(segment)
        }
        validator.finish(byteOffset: bytes.count)
        #expect(count == 109_620 + 1, "109,620 segments plus UNA")
        #expect(maximumBuffered <= 4096 + 200)
        #expect(validator.issues.map(\.element) == [nil, "UNT01"])
        #expect(validator.issues.map(\.kind) == [.missingTrailer, .countMismatch])
        #expect(validator.interchanges.first?.messages.first?.body.isEmpty == true)
    }

    static let allCases = (try? FileManager.default.contentsOfDirectory(atPath: EDIFACTFixture.corpus.path))?
        .filter { $0.hasPrefix("edifact-") }.sorted() ?? []

    @Test("Every edifact-* case: parse → write → parse gives the same segments; byte-identical where the input has no redundant releases", arguments: allCases)
    func roundTrip(caseName: String) throws {
        let folder = EDIFACTFixture.corpus.appendingPathComponent(caseName)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("input") }
        for file in files {
            let input = try EDIFACTFixture.load(caseName, file)
            let document = EDIFACTDocument(parsing: input)
            #expect(document.syntaxErrors.isEmpty)
            var written: [UInt8] = []
            for interchange in document.interchanges { written += EDIFACTWriter.serialise(interchange) }
            let again = EDIFACTDocument(parsing: written)
            let before = document.interchanges.flatMap { [$0.header] + $0.allMessages.flatMap { [$0.header] + $0.body } }
            let after = again.interchanges.flatMap { [$0.header] + $0.allMessages.flatMap { [$0.header] + $0.body } }
            #expect(before.map(EDIFACTFixture.shape) == after.map(EDIFACTFixture.shape), "\(caseName)/\(file)")
            let redundantRelease = caseName.contains("medrpt")
            let allTrailersPresent = document.interchanges.allSatisfy { $0.trailer != nil }
            if !redundantRelease && allTrailersPresent {
                #expect(written == Self.withoutWhitespaceBetweenSegments(input), "\(caseName)/\(file)")
            }
        }
    }

    static func withoutWhitespaceBetweenSegments(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var afterTerminator = true
        var released = false
        for byte in input {
            if afterTerminator, [0x0A, 0x0D, 0x20, 0x09].contains(byte) { continue }
            afterTerminator = false
            output.append(byte)
            if released { released = false } else if byte == UInt8(ascii: "?") { released = true } else if byte == UInt8(ascii: "'") { afterTerminator = true }
        }
        return output
    }
}
