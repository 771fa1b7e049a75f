import EDI
import Foundation
import Testing

@Suite("EDIFACT envelopes, CONTRL and writer")
struct EDIFACTEnvelopeTests {
    static let valid = "UNA:+.? 'UNB+UNOA:3+SENDER:1+RECEIVER:1+990802:1557+0042'UNH+M1+INVOIC:D:97B:UN'BGM+380+1'UNT+3+M1'UNH+M2+INVOIC:D:97B:UN'UNT+2+M2'UNZ+2+0042'"

    @Test("A consistent interchange has no issues and a CONTRL with action 7")
    func validInterchange() throws {
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes(Self.valid))
        #expect(document.isValid)
        let interchange = try #require(document.interchanges.first)
        #expect(interchange.messages.map(\.reference) == ["M1", "M2"])
        #expect(interchange.messages.map(\.segmentCount) == [3, 2])
        #expect(interchange.messages[0].identifier == ["INVOIC", "D", "97B", "UN"])
        let report = EDIFACTControlReport(acknowledging: interchange)
        #expect(report.isAccepted)
        let reply = String(decoding: report.interchange(reference: "9", date: "990803", time: "1200"), as: UTF8.self)
        #expect(reply == "UNA:+.? 'UNB+UNOA:3+RECEIVER:1+SENDER:1+990803:1200+9'UNH+1+CONTRL:D:3:UN'UCI+0042+SENDER:1+RECEIVER:1+7'UCM+M1+INVOIC:D:97B:UN+7'UCM+M2+INVOIC:D:97B:UN+7'UNT+5+1'UNZ+1+9'")
    }

    @Test("Streaming: completed messages leave their bodies, interchanges are drained, counts still checked")
    func streamingKeepsOnlyTheOpenInterchange() throws {
        var reader = EDIFACTSegmentReader(bytes: EDIFACTFixture.bytes(Self.valid + Self.valid.replacingOccurrences(of: "UNZ+2+0042'", with: "UNZ+3+0042'")), chunkSize: 7)
        var validator = EDIFACTEnvelopeValidator()
        validator.keepsCompletedMessageBodies = false
        var completed: [EDIFACTMessage] = []
        var drained: [EDIFACTInterchange] = []
        while let segment = try reader.next() {
            if let message = validator.observe(segment, delimiters: reader.tokenizer.delimiters ?? .defaults(syntaxVersion: 3)) {
                completed.append(message)
            }
            drained += validator.takeCompletedInterchanges()
        }
        validator.finish(byteOffset: reader.tokenizer.consumedByteCount)
        drained += validator.takeCompletedInterchanges()
        #expect(validator.interchanges.isEmpty)
        #expect(completed.map(\.reference) == ["M1", "M2", "M1", "M2"])
        #expect(completed[0].body.map(\.tag) == ["BGM"], "the returned message keeps its body")
        #expect(drained.count == 2)
        #expect(drained.allSatisfy { $0.messages.allSatisfy(\.body.isEmpty) }, "the tree does not")
        #expect(drained[0].issues.isEmpty)
        #expect(drained[1].issues.map(\.element) == ["UNZ01"], "UNZ01 still counts the messages whose bodies were dropped")
    }

    @Test("Count and reference mismatches are located with expected and found", arguments: [
        ("UNT+4+M1'", "UNT01", "3", "4", 5),
        ("UNT+3+M9'", "UNT02", "M1", "M9", 5),
    ])
    func messageTrailer(trailer: String, element: String, expected: String, found: String, position: Int) throws {
        let text = "UNA:+.? 'UNB+UNOA:3+S+R+1:1+0042'UNH+M1+X:D:97B:UN'BGM+1'" + trailer + "UNZ+1+0042'"
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes(text))
        let issue = try #require(document.issues.first)
        #expect(document.issues.count == 1)
        #expect(issue.element == element)
        #expect(issue.expected == expected && issue.found == found)
        #expect(issue.segmentPosition == position && issue.tag == "UNT")
        #expect(issue.messageReference == "M1" && issue.interchangeReference == "0042")
        let report = EDIFACTControlReport(acknowledging: try #require(document.interchanges.first))
        #expect(!report.isAccepted)
        #expect(report.segments.map { EDIFACTFixture.shape($0) }.contains(["UCM", "M1", "X|D|97B|UN", "4", String(issue.syntaxErrorCode), "UNT"]))
        #expect(report.segments.map { EDIFACTFixture.shape($0) }.contains(["UCD", String(issue.syntaxErrorCode), element == "UNT01" ? "1" : "2"]))
    }

    @Test("UNZ counts messages, or groups when there are groups; UNZ02 must equal UNB05")
    func interchangeTrailer() throws {
        let grouped = "UNB+UNOA:4+S+R+1:1+7'UNG+INVOIC+S+R+1:1+G1+UN+D:97B'UNH+1+INVOIC:D:97B:UN'UNT+2+1'UNH+2+INVOIC:D:97B:UN'UNT+2+2'UNE+2+G1'UNZ+1+7'"
        #expect(EDIFACTDocument(parsing: EDIFACTFixture.bytes(grouped)).isValid)
        let wrong = grouped.replacingOccurrences(of: "UNE+2+G1'UNZ+1+7'", with: "UNE+3+G2'UNZ+2+8'")
        let issues = EDIFACTDocument(parsing: EDIFACTFixture.bytes(wrong)).issues
        #expect(issues.map(\.element) == ["UNZ01", "UNZ02", "UNE01", "UNE02"])
        #expect(issues.map(\.syntaxErrorCode) == [29, 28, 29, 28])
        #expect(issues[2].groupReference == "G1")
    }

    @Test("Missing trailers are reported where the next header or the end of input came")
    func missingTrailers() throws {
        let text = "UNB+UNOA:3+S+R+1:1+1'UNH+1+X:D'BGM+1'UNH+2+X:D'UNT+2+2'"
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes(text))
        let issues = document.issues
        #expect(issues.map(\.kind) == [.missingTrailer, .missingTrailer])
        #expect(issues.map(\.expected) == ["UNZ", "UNT"])
        #expect(issues[1].segmentPosition == 4 && issues[1].messageReference == "1")
        #expect(issues[0].tag == "EOF" && issues[0].byteOffset == text.utf8.count)
        let report = EDIFACTControlReport(acknowledging: try #require(document.interchanges.first))
        #expect(report.interchangeAction == .rejected)
        #expect(EDIFACTFixture.shape(report.segments[1]) == ["UCI", "1", "S", "R", "4", "13", "EOF"])
    }

    @Test("Segments outside a message and mixed groups/messages are reported")
    func strayAndMixed() {
        let text = "UNB+UNOA:3+S+R+1:1+1'FTX+x'UNH+1+X:D'UNT+2+1'UNG+X+S+R+1:1+G+UN+D'UNE+0+G'UNT+2+1'UNZ+1+1'"
        let issues = EDIFACTDocument(parsing: EDIFACTFixture.bytes(text)).issues
        #expect(issues.map(\.kind) == [.unexpectedSegment, .groupsAndMessagesMixed, .unexpectedSegment])
        #expect(issues.map(\.tag) == ["FTX", "UNG", "UNT"])
        #expect(issues.map(\.segmentPosition) == [2, 5, 7])
    }

    @Test("Parse then write reproduces well-formed input apart from whitespace between segments")
    func roundTrip() throws {
        let text = "UNA:+.?*'UNB+UNOC:4+S:14+R:14+990420:1137+17++INVOIC++++1'UNH+30+INVOIC:D:03B:UN'IMD+F++::::Tolkien?'s ?? ?+?:?*'CUX+3*1'NAD+DP+++A+B++1234+UK'UNT+5+30'UNZ+1+17'"
        let spaced = text.replacingOccurrences(of: "'", with: "'\r\n").replacingOccurrences(of: "?'\r\n", with: "?'")
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes(spaced))
        #expect(document.isValid)
        let written = EDIFACTWriter.serialise(try #require(document.interchanges.first))
        #expect(String(decoding: written, as: UTF8.self) == text)
        let withoutUNA = String(text.dropFirst(9)).replacingOccurrences(of: "UNOC:4", with: "UNOC:3").replacingOccurrences(of: "CUX+3*1", with: "CUX+3").replacingOccurrences(of: "?*", with: "*")
        let plain = EDIFACTDocument(parsing: EDIFACTFixture.bytes(withoutUNA))
        #expect(String(decoding: EDIFACTWriter.serialise(try #require(plain.interchanges.first)), as: UTF8.self) == withoutUNA)
    }

    @Test("The writer releases every service character in data")
    func writerReleases() {
        let segment = EDIFACTSegment("FTX", [EDIFACTElement("a'b", "c+d:e?f*g")])
        var output: [UInt8] = []
        EDIFACTWriter(delimiters: .defaults(syntaxVersion: 4), segmentSeparator: [0x0A]).write(segment, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == "FTX+a?'b:c?+d?:e??f?*g'\n")
    }
}

@Suite("EDIFACT interchange boundaries")
struct EDIFACTInterchangeBoundaryTests {
    @Test("A UNA after an interchange without UNZ starts a new interchange with its own delimiters")
    func unaWithoutPreviousUNZ() throws {
        let text = "UNB+UNOA:3+S+R+1:1+1'UNH+1+X:D'UNT+2+1'UNA|^.? ~UNB^UNOA|3^S^R^1|1^2~UNH^1^X|D~UNT^2^1~UNZ^1^2~"
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes(text), chunkSize: 3)
        #expect(document.syntaxErrors.isEmpty)
        #expect(document.interchanges.map(\.reference) == ["1", "2"])
        #expect(document.interchanges[1].delimiters.element == UInt8(ascii: "^"))
        #expect(document.issues.map(\.expected) == ["UNZ"])
        #expect(document.issues.first?.tag == "UNA" && document.issues.first?.segmentPosition == 4)
    }

    @Test("UNB elements 1 to 5 are required", arguments: [
        ("UNB+UNOA:3++R+1:1+1'", "UNB02"), ("UNB+UNOA:3+S+R++1'", "UNB04"), ("UNB+UNOA:3+S+R+1:1'", "UNB05"),
    ])
    func requiredHeaderElements(header: String, element: String) {
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes(header + "UNZ+0+1'"))
        #expect(document.issues.first?.element == element)
        #expect(document.issues.first?.kind == .missingElement)
    }
}

@Suite("EDIFACT syntax errors in the envelope result")
struct EDIFACTSyntaxErrorEnvelopeTests {
    @Test("An unreadable segment inside a message rejects only that message, counted as one of its segments")
    func badSegmentInMessage() throws {
        let text = "UNB+UNOA:3+S+R+1:1+1'UNH+1+X:D'b@d+1'UNT+3+1'UNH+2+X:D'UNT+2+2'UNZ+2+1'"
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes(text), chunkSize: 4)
        let interchange = try #require(document.interchanges.first)
        #expect(interchange.messages.map(\.isAccepted) == [false, true])
        let issue = try #require(interchange.messages[0].issues.first)
        #expect(issue.kind == .syntaxError(.invalidSegmentTag(segmentPosition: 3, byteOffset: 31, found: "62 40 64 2B 31")))
        #expect(interchange.messages[0].issues.count == 1, "UNT01 = 3 counts the unreadable segment")
        let report = EDIFACTControlReport(acknowledging: interchange)
        #expect(report.interchangeAction == .acknowledged)
        #expect(report.segments.map(EDIFACTFixture.shape).contains(["UCM", "1", "X|D", "4", "18", "?"]))
        #expect(report.segments.map(EDIFACTFixture.shape).contains(["UCS", "2", "18"]))
        #expect(report.segments.map(EDIFACTFixture.shape).contains(["UCM", "2", "X|D", "7"]))
    }

    @Test("An unreadable segment outside any message rejects the interchange")
    func badSegmentOutsideMessage() throws {
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes("UNB+UNOA:3+S+R+1:1+1'T@G'UNZ+0+1'"))
        let interchange = try #require(document.interchanges.first)
        #expect(interchange.issues.count == 1)
        #expect(EDIFACTControlReport(acknowledging: interchange).interchangeAction == .rejected)
    }
}

@Suite("EDIFACT CONTRL shapes")
struct EDIFACTControlShapeTests {
    @Test("Syntax version 4 with a group: CONTRL:4:1:UN, UCF for the group, UCS/UCD for an element error")
    func version4Group() throws {
        let text = "UNB+UNOC:4+S:14+R:14+200101:1200+77'UNG+INVOIC+S+R+200101:1200+G7+UN+D:03B'UNH+M+INVOIC:D:03B:UN'BGM+380'UNT+9+M'UNE+1+G7'UNZ+1+77'"
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes(text))
        let report = EDIFACTControlReport(acknowledging: try #require(document.interchanges.first), messageReference: "C1")
        let reply = String(decoding: report.interchange(reference: "R1", date: "200102", time: "0800"), as: UTF8.self)
        #expect(reply == "UNB+UNOC:4+R:14+S:14+200102:0800+R1'UNH+C1+CONTRL:4:1:UN'UCI+77+S:14+R:14+7'UCF+G7+S+R+7'UCM+M+INVOIC:D:03B:UN+4+29+UNT'UCS+3'UCD+29+1'UNT+7+C1'UNZ+1+R1'")
        #expect(!report.isAccepted)
    }
}
