import Foundation
import Testing

/// `ferry convert copybook` end to end: the built binary on records built here, and on conformance fixtures.
@Suite struct ConvertCopybookCommandTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    static let copybook = """
               01  MEMBER-UPDATE.
                   05  MEMBER-ID           PIC X(8).
                   05  PLAN-CODE           PIC X(4).
                   05  PREMIUM             PIC S9(5)V99 COMP-3.
                   05  VISITS              PIC 9(3).
                   05  CLAIM-LINE          OCCURS 2 TIMES.
                       10  LINE-AMOUNT     PIC S9(3)V99 COMP-3.
        """

    /// `MEMBER-ID`, `PLAN-CODE` in CP037, then the numbers as IBM writes them.
    static func record(member: String, plan: String, premiumPacked: [UInt8], visits: String, lines: [[UInt8]]) -> [UInt8] {
        func ebcdic(_ text: String, _ width: Int) -> [UInt8] {
            let table: [Character: UInt8] = [
                "M": 0xD4, "H": 0xC8, "O": 0xD6, "P": 0xD7, "G": 0xC7, " ": 0x40, "0": 0xF0, "1": 0xF1, "2": 0xF2,
                "3": 0xF3, "4": 0xF4, "5": 0xF5, "6": 0xF6, "7": 0xF7, "8": 0xF8, "9": 0xF9,
            ]
            let bytes = text.map { table[$0]! }
            return bytes + [UInt8](repeating: 0x40, count: width - bytes.count)
        }
        return ebcdic(member, 8) + ebcdic(plan, 4) + premiumPacked + ebcdic(visits, 3) + lines.flatMap { $0 }
    }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = directory.path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func setUp() throws -> (copybook: String, data: String) {
        let copybook = directory.path + "/MEMBER.cpy"
        try Self.copybook.write(toFile: copybook, atomically: true, encoding: .utf8)
        let data =
            Self.record(member: "M1042", plan: "HMO", premiumPacked: [0x01, 0x23, 0x45, 0x6C], visits: "007",
                lines: [[0x01, 0x23, 0x4C], [0x00, 0x05, 0x0D]])
            + Self.record(member: "M2077", plan: "PPO", premiumPacked: [0x00, 0x00, 0x00, 0x0D], visits: "100",
                lines: [[0x99, 0x99, 0x9C], [0x00, 0x00, 0x0C]])
        return (copybook, try write(data, "MEMBERS.DAT"))
    }

    @Test func decodesRecordsToJSONLines() throws {
        let (copybook, data) = try setUp()
        let result = try FerryProcess.run(["convert", "copybook", "--copybook", copybook, data])
        #expect(result.status == 0, "\(result)")
        #expect(result.outputLines == [
            #"{"MEMBER-ID":"M1042","PLAN-CODE":"HMO","PREMIUM":1234.56,"VISITS":7,"CLAIM-LINE":[{"LINE-AMOUNT":12.34},{"LINE-AMOUNT":-0.50}]}"#,
            #"{"MEMBER-ID":"M2077","PLAN-CODE":"PPO","PREMIUM":0.00,"VISITS":100,"CLAIM-LINE":[{"LINE-AMOUNT":999.99},{"LINE-AMOUNT":0.00}]}"#,
        ])
        #expect(result.errorOutput.isEmpty)
    }

    @Test func invalidDataIsRejectedWithRecordOffsetFieldAndBytes() throws {
        let (copybook, _) = try setUp()
        let bad = try write(
            Self.record(member: "M1", plan: "HMO", premiumPacked: [0x01, 0x23, 0x45, 0x6C], visits: "001",
                lines: [[0x01, 0x23, 0x4C], [0x00, 0x05, 0x0D]])
                + Self.record(member: "M2", plan: "HMO", premiumPacked: [0x01, 0x2A, 0x45, 0x6C], visits: "001",
                    lines: [[0x01, 0x23, 0x4C], [0x00, 0x05, 0x0D]]), "BAD.DAT")
        let strict = try FerryProcess.run(["convert", "copybook", "-c", copybook, bad])
        #expect(strict.status == 3)
        #expect(strict.outputLines.count == 1, "records before the bad one are written")
        #expect(strict.errorOutput.contains("record 2 at byte 25: field PREMIUM at offset 12 [01 2A 45 6C]"), "\(strict)")
        let lenient = try FerryProcess.run(["convert", "copybook", "-c", copybook, "--lenient", bad])
        #expect(lenient.status == 0)
        #expect(lenient.outputLines.count == 2)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lenient.outputLines[1].utf8)) as? [String: Any])
        #expect(second["PREMIUM"] is NSNull)
        let errors = try #require(second["_errors"] as? [[String: Any]])
        #expect(errors.first?["field"] as? String == "PREMIUM")
        #expect(errors.first?["bytes"] as? String == "012A456C")
        #expect(lenient.errorOutput.contains("2 records, 1 invalid fields emitted as null"))
    }

    @Test func aShortLastRecordIsNamed() throws {
        let (copybook, data) = try setUp()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: data))
        let short = try write(Array(bytes.dropLast(3)), "SHORT.DAT")
        let result = try FerryProcess.run(["convert", "copybook", "-c", copybook, short])
        #expect(result.status == 3)
        #expect(result.errorOutput.contains("short last record 2 at byte 25: 22 of 25 bytes"), "\(result)")
    }

    @Test func cloudEventsAreKeyedAndTheirIdsStableAcrossRuns() throws {
        let (copybook, data) = try setUp()
        let arguments = ["convert", "copybook", "-c", copybook, "--key", "MEMBER-ID", "--type", "org.example.member.updated", data]
        let first = try FerryProcess.run(arguments)
        let second = try FerryProcess.run(arguments)
        #expect(first.status == 0, "\(first)")
        #expect(first.output == second.output)
        let events = try first.outputLines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(events.map { $0["partitionkey"] as? String } == ["M1042", "M2077"])
        #expect(Set(events.compactMap { $0["id"] as? String }).count == 2)
        #expect(events.allSatisfy { $0["source"] as? String == "file:MEMBERS.DAT" && $0["specversion"] as? String == "1.0" })
        #expect((events[0]["data"] as? [String: Any])?["PLAN-CODE"] as? String == "HMO")
    }

    /// `--key` on the shipped CDC sample: a dotted path and a bare name found inside a group; each event's data is
    /// exactly the line `convert copybook` writes without `--key`; a key the records lack names the record.
    @Test func cloudEventsWrapTheRecordLinesOfTheSample() throws {
        let samples = FerryProcess.repositoryRoot.appendingPathComponent("samples/mainframe")
        let copybook = samples.appendingPathComponent("MEMBER-ELIG-CDC.cpy").path
        let data = samples.appendingPathComponent("MEMBER-ELIG-CDC.D261206.dat").path
        let plain = try FerryProcess.run(["convert", "copybook", "-c", copybook, data])
        #expect(plain.status == 0, "\(plain)")
        #expect(plain.outputLines.count == 3)
        // Key → where its value is in the record (a bare name inside groups: the first group's, depth first).
        let keys: [(String, [String])] = [
            ("CDC-OPERATION", ["CDC-OPERATION"]), ("CDC-COMMIT-TIME", ["CDC-COMMIT-TIME"]),
            ("AFTER-IMAGE.COVERAGE-START", ["AFTER-IMAGE", "COVERAGE-START"]), ("COVERAGE-END", ["BEFORE-IMAGE", "COVERAGE-END"]),
        ]
        for (key, path) in keys {
            let events = try FerryProcess.run(["convert", "copybook", "-c", copybook, "--key", key, "--type", "org.example.member.changed", data])
            #expect(events.status == 0, "\(events)")
            #expect(events.outputLines.count == 3)
            for (line, record) in zip(events.outputLines, plain.outputLines) {
                #expect(line.hasSuffix(#","data":"# + record + "}"), "\(line)")
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                var value: Any? = try JSONSerialization.jsonObject(with: Data(record.utf8))
                for name in path { value = (value as? [String: Any])?[name] }
                let expected = try #require(value.map { "\($0)" })
                #expect(event["subject"] as? String == expected && event["partitionkey"] as? String == expected, "\(key)")
                #expect(event["source"] as? String == "file:MEMBER-ELIG-CDC.D261206.dat")
            }
        }
        let operations = try FerryProcess.run(["convert", "copybook", "-c", copybook, "--key", "CDC-OPERATION", "--type", "t", data])
        #expect(operations.outputLines.map { $0.contains(#""partitionkey":"I""#) || $0.contains(#""partitionkey":"U""#) || $0.contains(#""partitionkey":"D""#) } == [true, true, true])
        let missing = try FerryProcess.run(["convert", "copybook", "-c", copybook, "--key", "NO-SUCH-FIELD", "--type", "t", data])
        #expect(missing.status == 3)
        #expect(missing.errorOutput.contains("record 1 has no value for key field NO-SUCH-FIELD"), "\(missing)")
    }

    @Test func encodeReproducesTheOriginalBytes() throws {
        let (copybook, data) = try setUp()
        let decoded = try FerryProcess.run(["convert", "copybook", "-c", copybook, "--keep-spaces", data])
        let encoded = try FerryProcess.run(
            ["convert", "copybook", "-c", copybook, "--encode", "-"], input: Data(decoded.output.utf8))
        #expect(encoded.status == 0, "\(encoded)")
        // Identical but for the negative zero of record 2's PREMIUM (X'0000000D'): decoded as 0.00, written back
        // with the preferred sign C (hard case H2).
        var expected = try Data(contentsOf: URL(fileURLWithPath: data))
        #expect(expected[25 + 15] == 0x0D)
        expected[25 + 15] = 0x0C
        #expect(encoded.outputBytes == expected)
        let tooBig = try FerryProcess.run(
            ["convert", "copybook", "-c", copybook, "--encode"],
            input: Data(#"{"MEMBER-ID":"X","PLAN-CODE":"Y","PREMIUM":123456.00,"VISITS":1,"CLAIM-LINE":[{"LINE-AMOUNT":1},{"LINE-AMOUNT":2}]}"#.utf8 + [0x0A]))
        #expect(tooBig.status == 3)
        #expect(tooBig.errorOutput.contains("PREMIUM"), "\(tooBig)")
    }

    /// An RDW file with OCCURS DEPENDING ON written on z/OS, decoded and encoded back byte for byte.
    @Test func realZOSVariableFileRoundTrips() throws {
        let folder = FerryProcess.repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/conformance/mainframe/aws-mdu-02-vb-rdw-odo-comp3-real-zos")
        guard FileManager.default.fileExists(atPath: folder.path) else {
            print("skipped: \(folder.path) is absent (conformance material lives beside the repository)")
            return
        }
        let copybook = folder.appendingPathComponent("COBVBFM2.cpy").path
        let data = folder.appendingPathComponent("COBVBFM2.EBCDIC.bin").path
        let decoded = try FerryProcess.run(["convert", "copybook", "-c", copybook, "-f", "rdw", "--keep-spaces", data])
        #expect(decoded.status == 0, "\(decoded)")
        #expect(decoded.outputLines.count == 20)
        let encoded = try FerryProcess.run(
            ["convert", "copybook", "-c", copybook, "-f", "rdw", "--encode"], input: Data(decoded.output.utf8))
        #expect(encoded.outputBytes == (try Data(contentsOf: URL(fileURLWithPath: data))))
    }
}

/// Variable-length framings chosen on the command line: RDW length semantics and a length field in the record.
@Suite struct ConvertCopybookFramingTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    static let copybook = """
               01  SEGMENT.
                   05  RECORD-LENGTH       PIC 9(4) COMP.
                   05  SEGMENT-TEXT        PIC X(4).
        """

    /// Two records "ABCD" and "EFGH", each 6 bytes with its length field.
    static let records: [[UInt8]] = [[0x00, 0x06, 0xC1, 0xC2, 0xC3, 0xC4], [0x00, 0x06, 0xC5, 0xC6, 0xC7, 0xC8]]

    func files(_ data: [UInt8]) throws -> (String, String) {
        let copybook = directory.path + "/SEG.cpy"
        try Self.copybook.write(toFile: copybook, atomically: true, encoding: .utf8)
        let path = directory.path + "/SEG.DAT"
        try Data(data).write(to: URL(fileURLWithPath: path))
        return (copybook, path)
    }

    @Test func aLengthFieldCutsTheRecords() throws {
        let (copybook, data) = try files(Self.records.flatMap { $0 })
        let result = try FerryProcess.run(["convert", "copybook", "-c", copybook, "--length-field", "RECORD-LENGTH", data])
        #expect(result.status == 0, "\(result)")
        #expect(result.outputLines == [
            #"{"RECORD-LENGTH":6,"SEGMENT-TEXT":"ABCD"}"#, #"{"RECORD-LENGTH":6,"SEGMENT-TEXT":"EFGH"}"#,
        ])
        // Two bytes too many per record: the second "length" is then text (X'C7C8') and the input is rejected.
        let shifted = try FerryProcess.run(["convert", "copybook", "-c", copybook, "--length-field", "RECORD-LENGTH+2", data])
        #expect(shifted.status == 3, "\(shifted)")
        #expect(shifted.errorOutput.contains("record 2 at byte 8"), "\(shifted)")
    }

    @Test(arguments: [("header", 4), ("payload", 0)])
    func rdwLengthSemantics(counts: String, headerBytes: Int) throws {
        // Little-endian RDWs (00 00 LL HH) in front of each record, counting the header or not.
        let data = Self.records.flatMap { record -> [UInt8] in
            let length = record.count + headerBytes
            return [0x00, 0x00, UInt8(length & 0xFF), UInt8(length >> 8)] + record
        }
        let (copybook, path) = try files(data)
        let result = try FerryProcess.run(
            ["convert", "copybook", "-c", copybook, "-f", "rdw-le", "--rdw-length", counts, path])
        #expect(result.status == 0, "\(result)")
        #expect(result.outputLines == [
            #"{"RECORD-LENGTH":6,"SEGMENT-TEXT":"ABCD"}"#, #"{"RECORD-LENGTH":6,"SEGMENT-TEXT":"EFGH"}"#,
        ])
        let usage = try FerryProcess.run(["convert", "copybook", "-c", copybook, "--rdw-length", counts, path])
        #expect(usage.status == 2)
        #expect(usage.errorOutput.hasPrefix("error: --rdw-length applies to --record-format rdw, rdw-le or bdw"))
    }
}
