import Foundation
import Testing

/// `ferry convert edifact` end to end, through the built binary.
@Suite struct ConvertEDIFACTCommandTests {
    /// Two INVOIC messages in one interchange (UNA with decimal comma), the second with `unt` as its UNT01.
    static func interchange(secondUNT: String = "3", unz: String = "2") -> String {
        """
        UNA:+,? '
        UNB+UNOC:3+SENDER01:14+RECEIVER01:14+261206:1200+IC0042'
        UNH+M1+INVOIC:D:96A:UN'
        BGM+380+INV-1?+A+9'
        NAD+BY+MEMBER-7::92'
        MOA+77:19,90'
        UNT+5+M1'
        UNH+M2+INVOIC:D:96A:UN'
        NAD+BY+MEMBER-8::92'
        UNT+\(secondUNT)+M2'
        UNZ+\(unz)+IC0042'

        """
    }

    static func events(_ result: FerryProcess.Result) throws -> [[String: Any]] {
        try result.outputLines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func eachMessageBecomesACloudEventWithStableIDs() throws {
        let input = Data(Self.interchange(secondUNT: "3").utf8)
        let result = try FerryProcess.run(["convert", "edifact", "-", "--key", "NAD+BY:2"], input: input)
        #expect(result.status == 0, "\(result)")
        let events = try Self.events(result)
        #expect(events.count == 2)
        let first = try #require(events.first)
        #expect(first["specversion"] as? String == "1.0")
        #expect(first["type"] as? String == "edifact.invoic.v1")
        #expect(first["source"] as? String == "edifact:SENDER01")
        #expect(first["subject"] as? String == "M1")
        #expect(first["partitionkey"] as? String == "MEMBER-7")
        #expect(events[1]["partitionkey"] as? String == "MEMBER-8")
        let data = try #require(first["data"] as? [String: Any])
        let interchange = try #require(data["interchange"] as? [String: Any])
        #expect(interchange["reference"] as? String == "IC0042")
        #expect(interchange["preparationDate"] as? String == "261206")
        let message = try #require(data["message"] as? [String: Any])
        let segments = try #require(message["segments"] as? [[String: Any]])
        #expect(segments.map { $0["tag"] as? String } == ["UNH", "BGM", "NAD", "MOA", "UNT"])
        // The release character is removed from data: `INV-1?+A` is the value `INV-1+A`; values stay text.
        #expect((segments[1]["elements"] as? [Any])?[1] as? String == "INV-1+A")
        #expect((segments[3]["elements"] as? [Any])?.first as? [String] == ["77", "19,90"])

        let again = try FerryProcess.run(["convert", "edifact", "-", "--key", "NAD+BY:2"], input: input)
        #expect(try Self.events(again).map { $0["id"] as? String } == events.map { $0["id"] as? String })
        #expect(Set(events.map { $0["id"] as? String }).count == 2)
    }

    @Test func aMessageWithAWrongCountGivesNoEventAndExit3() throws {
        let result = try FerryProcess.run(["convert", "edifact"], input: Data(Self.interchange(secondUNT: "9").utf8))
        #expect(result.status == 3, "\(result)")
        let events = try Self.events(result)
        #expect(events.map { $0["subject"] as? String } == ["M1"])
        #expect(result.errorOutput.contains("UNT01, expected 3, found 9"), "\(result)")
        #expect(result.errorOutput.contains("message M2 (segment 8) rejected"), "\(result)")
        // The default key is the interchange sender.
        #expect(events.first?["partitionkey"] as? String == "SENDER01")
    }

    @Test func aMissingInterchangeTrailerIsReported() throws {
        let text = Self.interchange(secondUNT: "3").replacingOccurrences(of: "UNZ+2+IC0042'\n", with: "")
        let result = try FerryProcess.run(["convert", "edifact"], input: Data(text.utf8))
        #expect(result.status == 3, "\(result)")
        #expect(try Self.events(result).count == 2, "completed messages are still converted")
        #expect(result.errorOutput.contains("missingTrailer, expected UNZ"), "\(result)")
    }

    @Test func aKeyThatIsAbsentRejectsTheMessage() throws {
        let result = try FerryProcess.run(
            ["convert", "edifact", "--key", "RFF+ON:1:2"], input: Data(Self.interchange(secondUNT: "3").utf8))
        #expect(result.status == 3, "\(result)")
        #expect(result.output.isEmpty)
        #expect(result.errorOutput.contains("no value for the key RFF+ON:1:2"), "\(result)")
    }

    @Test func aMalformedKeyIsAUsageError() throws {
        let result = try FerryProcess.run(["convert", "edifact", "--key", "NAD:x"], input: Data())
        #expect(result.status == 2, "\(result)")
    }

    @Test func theConformanceInvoicWithUNAAndDecimalComma() throws {
        let file = FerryProcess.repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/conformance/edi/edifact-invoic-d93a-una-decimal-comma-staedi/input.edi")
        guard FileManager.default.fileExists(atPath: file.path) else {
            print("skipped: \(file.path) is absent (conformance material lives beside the repository)")
            return
        }
        let result = try FerryProcess.run(["convert", "edifact", file.path])
        #expect(result.status == 0, "\(result)")
        let events = try Self.events(result)
        #expect(events.count == 1)
        let message = try #require((events.first?["data"] as? [String: Any])?["message"] as? [String: Any])
        #expect(message["segmentCount"] as? Int == 28)
        #expect(message["identifier"] as? [String] == ["INVOIC", "D", "93A", "UN"])
        #expect(result.errorOutput.contains("warning: segment 8 (byte 171): element 3, component 1 has characters outside the UNOA repertoire"),
                "UTF-8 in a UNOA interchange is a warning")
    }
}
