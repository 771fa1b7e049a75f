import Events
import StreamLog

/// Builds one JSON object as UTF-8 bytes, for JSON Lines output. Fields are written in call order.
///
/// Byte fields follow the CLI's rule: bytes that are valid UTF-8 become a JSON string under the field's
/// name; other bytes become base64 under the name with a `_base64` suffix; nil stays `null`.
struct JSONLine {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var isFirst = true

    /// Ends the object and the line.
    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private mutating func key(_ name: String) {
        if !isFirst { bytes.append(UInt8(ascii: ",")) }
        isFirst = false
        Self.appendString(name.utf8, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func field(_ name: String, _ text: String) {
        key(name)
        Self.appendString(text.utf8, to: &bytes)
    }

    mutating func field(_ name: String, _ number: some BinaryInteger) {
        key(name)
        bytes += String(number).utf8
    }

    /// A byte field: a string, `<name>_base64`, or null.
    mutating func field(_ name: String, bytes value: [UInt8]?) {
        guard let value else {
            key(name)
            bytes += "null".utf8
            return
        }
        if Self.isValidUTF8(value) {
            key(name)
            Self.appendString(value, to: &bytes)
        } else {
            key(name + "_base64")
            Self.appendBase64(value, to: &bytes)
        }
    }

    /// A field holding already-encoded JSON.
    mutating func field(_ name: String, json: [UInt8]) {
        key(name)
        bytes += json
    }

    /// Record headers as an ordered array of `[name, value]` pairs, duplicates kept. A value that is not
    /// valid UTF-8 is written as `{"base64":"…"}`; a null value as `null`.
    static func headers(_ headers: [RecordHeader]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, header) in headers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            appendString(header.name.utf8, to: &out)
            out.append(UInt8(ascii: ","))
            if let value = header.value {
                if isValidUTF8(value) {
                    appendString(value, to: &out)
                } else {
                    out += #"{"base64":"#.utf8
                    appendBase64(value, to: &out)
                    out.append(UInt8(ascii: "}"))
                }
            } else {
                out += "null".utf8
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool { String(validating: bytes, as: UTF8.self) != nil }

    /// Appends `utf8` as a JSON string: quotes, backslashes and control characters escaped, everything
    /// else (including non-ASCII UTF-8) copied as is. Unlike Events' `JSONWriter` (which copies U+007F, as JSON
    /// allows), DEL is escaped too: `log dump` and `log tail` print arbitrary record bytes to terminals.
    static func appendString(_ utf8: some Sequence<UInt8>, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20, 0x7F:
                out += "\\u00".utf8
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `data` as a quoted standard base64 string (RFC 4648 §4, with padding).
    static func appendBase64(_ data: [UInt8], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        Base64.append(data, to: &out)
        out.append(UInt8(ascii: "\""))
    }
}

/// The JSON Lines form of stored records printed by `log dump` and `log tail`.
enum RecordLine {
    /// `{"topic","partition","offset","timestamp","key","headers","value"}` and a newline.
    static func encode(_ stored: StoredRecord) -> [UInt8] {
        var line = JSONLine()
        line.field("topic", stored.topic)
        line.field("partition", stored.partition)
        line.field("offset", stored.offset)
        line.field("timestamp", stored.record.timestamp)
        line.field("key", bytes: stored.record.key)
        line.field("headers", json: JSONLine.headers(stored.record.headers))
        line.field("value", bytes: stored.record.value)
        return line.finish()
    }
}
