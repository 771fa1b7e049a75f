import Events
import Foundation
import Testing

@Suite struct JSONWriterTests {
    static func text(_ writer: JSONWriter) -> String { String(decoding: writer.bytes, as: UTF8.self) }

    @Test func commasAndNesting() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.writeKey("a")
        writer.writeInteger(Int64(1))
        writer.writeKey("b")
        writer.beginArray()
        writer.writeBool(true)
        writer.writeNull()
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.endArray()
        writer.writeString("x")
        writer.endArray()
        writer.writeKey(ascii: "c")
        writer.writeDecimal(try ExactDecimal(parsing: "-12.50"))
        writer.writeKey("d")
        writer.writeRawJSON(Array(#"{"raw":[1,2]}"#.utf8))
        writer.writeKey("e")
        writer.writeBool(false)
        writer.endObject()
        #expect(Self.text(writer) == #"{"a":1,"b":[true,null,{},[],"x"],"c":-12.50,"d":{"raw":[1,2]},"e":false}"#)
    }

    @Test(arguments: [
        Int64.min, Int64.max, 0, -1, 9, 10, -10, 1_234_567_890_123,
    ])
    func signedIntegers(value: Int64) {
        var writer = JSONWriter()
        writer.writeInteger(value)
        #expect(Self.text(writer) == String(value))
    }

    @Test func unsignedIntegers() {
        for value: UInt64 in [0, 7, 10, 99, 100, UInt64.max, UInt64(Int64.max) + 1] {
            var writer = JSONWriter()
            writer.writeInteger(value)
            #expect(Self.text(writer) == String(value))
        }
    }

    /// Every control character gets its RFC 8259 §7 escape: the two-character form where one exists, else \u00XX.
    @Test func escapesEveryControlCharacter() {
        let short: [UInt8: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"]
        for code in UInt8(0)..<0x20 {
            var writer = JSONWriter()
            writer.writeString("a" + String(UnicodeScalar(code)) + "b")
            let expected = short[code] ?? String(format: "\\u%04x", code)
            #expect(Self.text(writer) == "\"a\(expected)b\"", "U+\(String(code, radix: 16))")
        }
        var writer = JSONWriter()
        writer.writeString("quote\" backslash\\ slash/ del\u{7F}")
        #expect(Self.text(writer) == #""quote\" backslash\\ slash/ del"# + "\u{7F}\"")
    }

    /// Non-ASCII passes through as UTF-8; an independent reader (Foundation) reads every string back exactly.
    @Test(arguments: [
        "", "plain", "Zoë Ångström", "日本語テキスト", "emoji 🧾💊 and ZWJ 👩‍⚕️", "\u{2028}\u{2029}",
        "mixed\t\"é\"\n\\\u{0}end", String(repeating: "long run of safe bytes ", count: 100) + "\u{1F}",
    ])
    func stringsSurviveAnIndependentReader(text: String) throws {
        var writer = JSONWriter()
        writer.beginArray()
        writer.writeString(text)
        writer.endArray()
        #expect(writer.bytes.contains(where: { $0 < 0x20 }) == false)
        let parsed = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String]
        #expect(parsed == [text])
        #expect(try JSONValue(parsing: writer.bytes) == .array([.string(text)]))
    }

    @Test func base64AndJSONLines() {
        var writer = JSONWriter()
        for index in 0..<3 {
            writer.beginObject()
            writer.writeKey("n")
            writer.writeInteger(Int64(index))
            writer.writeKey("b")
            writer.writeBase64String(Array(repeating: UInt8(0xFF), count: index + 1))
            writer.endObject()
            writer.endLine()
        }
        #expect(Self.text(writer) == "{\"n\":0,\"b\":\"/w==\"}\n{\"n\":1,\"b\":\"//8=\"}\n{\"n\":2,\"b\":\"////\"}\n")
        writer.removeAll()
        #expect(writer.bytes.isEmpty)
        writer.writeNull()
        #expect(Self.text(writer) == "null")
    }

    @Test func writesParsedValuesBack() throws {
        let text = #"{"k":[1.50,-0,2e10,"s",{"z":null,"a":true}],"k":false}"#
        let value = try JSONValue(parsing: text)
        var writer = JSONWriter()
        writer.writeValue(value)
        #expect(Self.text(writer) == text)  // key order, duplicate keys and number text all kept
    }
}

@Suite struct Base64Tests {
    /// RFC 4648 §10 test vectors.
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func agreesWithFoundation() throws {
        var generator = SystemRandomNumberGenerator()
        for count in 0..<70 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64.encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(try Base64.decode(encoded) == bytes)
        }
    }

    @Test(arguments: [("Zm9", 3), ("Zm9v=A==", 4), ("Zg=a", 3), ("Z===", 1), ("Zm 9", 2), ("Zm-_", 2), ("=Zg=", 0)])
    func rejectsMalformed(text: String, offset: Int) {
        #expect {
            try Base64.decode(text)
        } throws: { error in
            (error as? Base64DecodingError)?.offset == offset
        }
    }
}
