@testable import FerryCLI
import StreamLog
import Testing

@Suite struct RecordLineTests {
    /// RFC 4648 §10 test vectors.
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func base64MatchesRFC4648(_ input: String, _ expected: String) {
        var out: [UInt8] = []
        JSONLine.appendBase64(Array(input.utf8), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"\(expected)\"")
    }

    @Test func recordWithEveryKindOfField() {
        let record = StoredRecord(
            topic: "t\"x", partition: 3, offset: 42,
            record: StreamRecord(
                key: [0xC3, 0x28], value: nil,
                headers: [
                    RecordHeader(name: "ce_type", text: "a.b"), RecordHeader(name: "dup", value: nil),
                    RecordHeader(name: "dup", value: [0x80]), RecordHeader(name: "line\nbreak", text: "é"),
                ],
                timestamp: -1))
        let line = String(decoding: RecordLine.encode(record), as: UTF8.self)
        #expect(line == #"""
            {"topic":"t\"x","partition":3,"offset":42,"timestamp":-1,"key_base64":"wyg=",\#
            "headers":[["ce_type","a.b"],["dup",null],["dup",{"base64":"gA=="}],["line\nbreak","é"]],"value":null}

            """#)
    }

    @Test(arguments: [[UInt8](), [0x41], Array("ok ✓".utf8)])
    func validUTF8StaysText(_ bytes: [UInt8]) {
        var line = JSONLine()
        line.field("v", bytes: bytes)
        #expect(String(decoding: line.finish(), as: UTF8.self) == "{\"v\":\"\(String(decoding: bytes, as: UTF8.self))\"}\n")
    }

    @Test(arguments: [[UInt8]([0xFF]), [0xC3], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]])
    func invalidUTF8BecomesBase64(_ bytes: [UInt8]) {
        var line = JSONLine()
        line.field("v", bytes: bytes)
        let text = String(decoding: line.finish(), as: UTF8.self)
        #expect(text.hasPrefix("{\"v_base64\":\""), "\(text)")
    }
}
