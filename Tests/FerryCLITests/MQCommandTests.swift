import Foundation
import Testing

/// `ferry convert mq`, `ferry mq inspect` and `ferry mq pack`, run as a user runs them, over `samples/mq`.
@Suite struct MQCommandTests {
    static let samples = FerryProcess.repositoryRoot.appendingPathComponent("samples/mq")
    static let descriptions = samples.appendingPathComponent("member-updates.frames.jsonl").path
    static let frameFile = samples.appendingPathComponent("member-updates.mqf").path

    static func json(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func packWritesTheSampleFrameFile() throws {
        let result = try FerryProcess.run(["mq", "pack", Self.descriptions])
        #expect(result.status == 0, "\(result)")
        #expect(result.outputBytes == (try Data(contentsOf: URL(fileURLWithPath: Self.frameFile))))
        #expect(result.outputBytes.prefix(8) == Data("FERRYMQF".utf8))
    }

    @Test func convertWritesOneTypedEventPerFrame() throws {
        let result = try FerryProcess.run(["convert", "mq", Self.frameFile, "--source", "/mq/QM1/MEMBER.UPDATE"])
        #expect(result.status == 0, "\(result)")
        #expect(result.errorOutput.isEmpty)
        #expect(result.outputLines.count == 4)
        let first = try Self.json(result.outputLines[0])
        #expect(first["type"] as? String == "mq.request.v1")
        #expect(first["source"] as? String == "/mq/QM1/MEMBER.UPDATE")
        #expect(first["time"] as? String == "2026-11-21T12:00:00.01Z")
        #expect(first["partitionkey"] as? String == "414d5120514d3120202020202020202066a1b2c300000001")
        #expect(first["replyto"] as? String == "mq://QM1/MEMBER.UPDATE.REPLY")
        #expect(first["usrchangecount"] as? Int == 2)
        #expect(first["usrurgent"] as? Bool == false)
        #expect(first["jmsdlv"] as? Int == 2)
        #expect(first["mqpriority"] as? Int == 5)
        #expect(first["jmstms"] as? String == "2026-11-21T12:00:00.010Z")
        #expect(first["data"] as? String == "{\"memberId\":\"M-000101\",\"plan\":\"GOLD\",\"address\":{\"city\":\"Springfield\"}}")
        let second = try Self.json(result.outputLines[1])
        #expect(second["correlationid"] as? String == "414d5120514d3120202020202020202066a1b2c300000001")
        let ebcdic = try Self.json(result.outputLines[2])
        #expect(ebcdic["data"] as? String == "M-000103 ADDRESS CHANGE 123 MAIN ST")
        #expect(ebcdic["mqccsid"] as? Int == 37)
        let dead = try Self.json(result.outputLines[3])
        #expect(dead["mqbackoutcount"] as? Int == 5)
        // Same input, same ids.
        let again = try FerryProcess.run(["convert", "mq", Self.frameFile, "--source", "/mq/QM1/MEMBER.UPDATE"])
        #expect(again.output == result.output)
    }

    @Test func aKeyMissingFromSomeFramesRejectsThoseFramesOnly() throws {
        let result = try FerryProcess.run(["convert", "mq", "-", "--key", "usr:MemberId"],
            input: try Data(contentsOf: URL(fileURLWithPath: Self.frameFile)))
        #expect(result.status == 3)
        #expect(result.outputLines.count == 2)
        #expect(try Self.json(result.outputLines[1])["partitionkey"] as? String == "M-000102")
        #expect(result.errorOutput.contains("<stdin>: frame 3 (file byte 1317): event key at byte 0: expected a value for usr:MemberId"))
        #expect(result.errorOutput.hasSuffix("<stdin>: 2 frames converted, 2 rejected\n"))
        let usage = try FerryProcess.run(["convert", "mq", Self.frameFile, "--key", "nonsense"])
        #expect(usage.status == 2)
    }

    @Test func inspectShowsEveryLayerAndPacksBack() throws {
        let result = try FerryProcess.run(["mq", "inspect", Self.frameFile])
        #expect(result.status == 0, "\(result)")
        #expect(result.outputLines.count == 4)
        let first = try Self.json(result.outputLines[0])
        let md = try #require(first["MQMD"] as? [String: Any])
        #expect(md["ReplyToQ"] as? String == "MEMBER.UPDATE.REPLY")
        #expect(md["Version"] as? Int == 2)
        let headers = try #require(first["headers"] as? [[String: Any]])
        #expect(headers.first?["header"] as? String == "MQRFH2")
        let folders = try #require(headers.first?["folders"] as? [[String: Any]])
        #expect(folders.map { $0["name"] as? String } == ["mcd", "jms", "usr"])
        let third = try Self.json(result.outputLines[2])
        #expect((third["MQMD"] as? [String: Any])?["characterSet"] as? String == "ebcdic")
        let fourth = try Self.json(result.outputLines[3])
        #expect((fourth["headers"] as? [[String: Any]])?.first?["DestQName"] as? String == "MEMBER.UPDATE.OLD")
        let packed = try FerryProcess.run(["mq", "pack", "-"], input: Data(result.output.utf8))
        #expect(packed.status == 0, "\(packed)")
        #expect(packed.outputBytes == (try Data(contentsOf: URL(fileURLWithPath: Self.frameFile))))
    }

    @Test func damagedFilesAndFramesAreReportedWithTheirPlace() throws {
        let file = try Data(contentsOf: URL(fileURLWithPath: Self.frameFile))
        let cut = try FerryProcess.run(["mq", "inspect", "-"], input: file.dropLast(10))
        #expect(cut.status == 3)
        #expect(cut.outputLines.count == 3)
        #expect(cut.errorOutput.contains("frame file frame 4 at byte 1716: expected"))
        // Frame 1's RFH2 StrucLength (MQMD 364 bytes, then 8) made to lie.
        var lying = [UInt8](file)
        let at = 16 + 4 + 364 + 8
        lying.replaceSubrange(at..<(at + 4), with: [0xFF, 0xFF, 0x00, 0x00])
        let inspect = try FerryProcess.run(["mq", "inspect", "-"], input: Data(lying))
        #expect(inspect.status == 3)
        #expect(inspect.outputLines.count == 4)
        let firstLength = Int(file[16]) << 24 | Int(file[17]) << 16 | Int(file[18]) << 8 | Int(file[19])
        #expect(try Self.json(inspect.outputLines[0])["error"] as? String
            == "MQRFH2 StrucLength at byte 372: expected a multiple of 4 from 36 to \(firstLength - 364) (the bytes left), found 65535 (badLength)")
        let convert = try FerryProcess.run(["convert", "mq", "-"], input: Data(lying))
        #expect(convert.status == 3)
        #expect(convert.outputLines.count == 3)
        #expect(convert.errorOutput.contains("frame 1 (file byte 20): MQRFH2 StrucLength at byte 372"))
        let bad = try FerryProcess.run(["mq", "pack", "-"], input: Data("{\"MQMD\":{\"MsgId\":\"12\"}}\n".utf8))
        #expect(bad.status == 3)
        #expect(bad.errorOutput.contains("<stdin>:1: description MsgId at byte 0: expected 48 hex digits, found 12"))
    }
}
