import Events
import Foundation
import Testing

@Suite struct JSONValueTests {
    @Test func parsesValuesKeepingOrderAndNumberText() throws {
        let value = try JSONValue(parsing: " {\"b\":1.50,\"a\":[true,false,null,-0.5e-3,\"x\"],\"b\":{}} \n")
        guard case let .object(members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["b", "a", "b"])
        #expect(members[0].value == .number("1.50"))
        #expect(try members[0].value.decimalValue() == ExactDecimal(parsing: "1.5"))
        #expect(value["a"] == .array([.bool(true), .bool(false), .null, .number("-0.5e-3"), .string("x")]))
        #expect(value["missing"] == nil)
        #expect(try JSONValue(parsing: "123").int64Value == 123)
        #expect(try JSONValue(parsing: "1.0").int64Value == nil)
    }

    @Test(arguments: [
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        (#""\u0041\u00e9\u4e2d""#, "Aé中"),
        (#""\ud83e\uddfe""#, "🧾"),
        (#""plain ünïcødé""#, "plain ünïcødé"),
        (#""mixed \u0000 and raw é""#, "mixed \u{0} and raw é"),
    ])
    func decodesStringEscapes(json: String, expected: String) throws {
        #expect(try JSONValue(parsing: json) == .string(expected))
    }

    /// Errors carry the byte offset of the problem.
    @Test(arguments: [
        ("", 0), ("   ", 3), ("{", 1), ("{\"a\" 1}", 5), ("{\"a\":1,}", 7), ("[1 2]", 3), ("[1,]", 3), ("tru", 3),
        ("01", 1), ("-", 1), ("1.", 2), ("1e", 2), ("\"abc", 4), ("\"a\u{1}b\"", 2), ("\"\\x\"", 2),
        ("\"\\u12G4\"", 5), (#""\udc00""#, 1), (#""\ud800x""#, 7), (#""\ud800\u0041""#, 7), ("{} x", 3),
        ("[1] [2]", 4), ("nul", 3), ("{1:2}", 1),
    ])
    func reportsOffsets(json: String, offset: Int) {
        #expect {
            try JSONValue(parsing: json)
        } throws: { error in
            (error as? JSONParseError)?.offset == offset
        }
    }

    @Test func rejectsInvalidUTF8InStringsAtItsOffset() {
        let bytes: [UInt8] = Array("[\"ok\",\"ab".utf8) + [0xC3, 0x28] + Array("\"]".utf8)
        #expect {
            try JSONValue(parsing: bytes)
        } throws: { error in
            (error as? JSONParseError)?.offset == 9
        }
    }

    @Test func limitsDepth() throws {
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep, maximumDepth: 39) }
        _ = try JSONValue(parsing: deep, maximumDepth: 40)
        // The default limit keeps pathological input from exhausting the stack.
        let hostile = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: hostile) }
    }

    /// The reader agrees with Foundation's on a document that uses every construct.
    @Test func agreesWithFoundation() throws {
        let text = #"{"a":[1,2.5,-3e2,true,false,null],"s":"é\n\u0001\ud83d\ude00","o":{"x":{}},"e":[]}"#
        let ours = try JSONValue(parsing: text)
        let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
        let reEncoded = try JSONSerialization.jsonObject(with: Data(ours.encoded())) as? NSDictionary
        #expect(theirs != nil)
        #expect(theirs == reEncoded)
    }
}
