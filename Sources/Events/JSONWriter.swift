public import Foundation

/// A streaming JSON (RFC 8259) writer for hot paths: appends UTF-8 straight into a growable byte buffer.
///
/// Commas and colons are automatic: write a key (inside an object) then its value; containers are opened and
/// closed with `begin*`/`end*`. Nothing is validated beyond that bookkeeping — the caller writes keys only inside
/// objects and closes what it opens. ``endLine()`` ends a JSON Lines (https://jsonlines.org) value.
///
/// Reuse one writer for many values: ``removeAll()`` keeps the buffer's capacity.
public struct JSONWriter: Sendable {
    /// The UTF-8 written so far.
    public private(set) var bytes: [UInt8]
    /// Whether the innermost open container already holds an element (so the next one needs a comma); always
    /// false at the top level.
    private var needsComma = false
    /// ``needsComma`` of each enclosing container, innermost last (one entry per open container).
    private var enclosingStates: [Bool] = []
    /// True just after a key, when the value follows the colon without a comma.
    private var afterKey = false

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
        enclosingStates.reserveCapacity(16)
    }

    /// Forgets everything written, keeping the capacity.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        enclosingStates.removeAll(keepingCapacity: true)
        needsComma = false
        afterKey = false
    }

    /// Takes the bytes written, leaving the writer empty (no copy).
    public mutating func takeBytes() -> [UInt8] {
        let result = bytes
        bytes = []
        enclosingStates.removeAll(keepingCapacity: true)
        needsComma = false
        afterKey = false
        return result
    }

    /// Writes the separator a new element needs: a comma unless first in its container or right after a key.
    @inline(__always)
    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = !enclosingStates.isEmpty
    }

    // MARK: Containers

    /// Writes `{`.
    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        enclosingStates.append(needsComma)
        needsComma = false
    }

    /// Writes `}`.
    public mutating func endObject() {
        needsComma = enclosingStates.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    /// Writes `[`.
    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        enclosingStates.append(needsComma)
        needsComma = false
    }

    /// Writes `]`.
    public mutating func endArray() {
        needsComma = enclosingStates.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Ends a top-level value with `\n` (JSON Lines).
    public mutating func endLine() {
        bytes.append(UInt8(ascii: "\n"))
    }

    // MARK: Keys and scalars

    /// Writes an object member's key and the colon; the next write is its value.
    public mutating func writeKey(_ key: String) {
        separate()
        writeQuoted(key)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes a key given as a static ASCII string known not to need escaping (for fixed attribute names).
    public mutating func writeKey(ascii key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes a key given as a static string that already holds its quotes and colon (`#""name":"#`), in one
    /// append: the fastest form for fixed member names known not to need escaping.
    public mutating func writeKey(quoted key: StaticString) {
        separate()
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        afterKey = true
    }

    /// Writes a JSON string with RFC 8259 §7 escaping.
    public mutating func writeString(_ string: String) {
        separate()
        writeQuoted(string)
    }

    /// Writes UTF-8 bytes (assumed valid UTF-8) as a JSON string.
    public mutating func writeString(utf8 string: UnsafeRawBufferPointer) {
        separate()
        writeQuoted(utf8: string)
    }

    /// Writes a signed integer.
    public mutating func writeInteger(_ value: Int64) {
        separate()
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDigits(value.magnitude)
        } else {
            appendDigits(UInt64(value))
        }
    }

    /// Writes an unsigned integer.
    public mutating func writeInteger(_ value: UInt64) {
        separate()
        appendDigits(value)
    }

    /// Writes an exact decimal as a number token (`-12.50`), with every digit and the scale preserved.
    public mutating func writeDecimal(_ value: ExactDecimal) {
        separate()
        value.append(to: &bytes)
    }

    /// Writes `true` or `false`.
    public mutating func writeBool(_ value: Bool) {
        separate()
        if value {
            appendLiteral("true")
        } else {
            appendLiteral("false")
        }
    }

    /// Writes `null`.
    public mutating func writeNull() {
        separate()
        appendLiteral("null")
    }

    /// Writes already-encoded JSON as one value, verbatim (the caller guarantees it is a single valid JSON value).
    public mutating func writeRawJSON(_ json: UnsafeRawBufferPointer) {
        separate()
        // Typed: the raw buffer's own `append(contentsOf:)` path copies byte by byte.
        bytes.append(contentsOf: json.assumingMemoryBound(to: UInt8.self))
    }

    /// Writes one value that `body` appends, already encoded, straight to the end of the buffer (no intermediate
    /// copy): the separator is written first, then `body` gets the buffer. The caller guarantees `body` appends a
    /// single valid JSON value and only appends.
    public mutating func writeRawJSON(appending body: (inout [UInt8]) -> Void) {
        separate()
        body(&bytes)
    }

    /// Writes already-encoded JSON as one value, verbatim.
    public mutating func writeRawJSON(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
    }

    /// Writes `bytes` as a JSON string holding their standard padded Base64 (RFC 4648 §4).
    public mutating func writeBase64String(_ data: [UInt8]) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        Base64.append(data, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes a parsed JSON value (numbers as their original text).
    public mutating func writeValue(_ value: JSONValue) {
        switch value {
        case .null: writeNull()
        case let .bool(flag): writeBool(flag)
        case let .number(text):
            separate()
            bytes.append(contentsOf: text.utf8)
        case let .string(text): writeString(text)
        case let .array(elements):
            beginArray()
            for element in elements { writeValue(element) }
            endArray()
        case let .object(members):
            beginObject()
            for member in members {
                writeKey(member.key)
                writeValue(member.value)
            }
            endObject()
        }
    }

    // MARK: Encoding details

    @inline(__always)
    private mutating func appendLiteral(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private mutating func appendDigits(_ value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var remaining = value
            var count = 0
            while remaining > 0 {
                digits[19 - count] = UInt8(truncatingIfNeeded: remaining % 10) &+ 0x30
                remaining /= 10
                count += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    private mutating func writeQuoted(_ string: String) {
        if let done: Void = string.utf8.withContiguousStorageIfAvailable({ writeQuoted(utf8: UnsafeRawBufferPointer($0)) }) {
            return done
        }
        var copy = string
        copy.withUTF8 { writeQuoted(utf8: UnsafeRawBufferPointer($0)) }
    }

    private mutating func writeQuoted(utf8 string: UnsafeRawBufferPointer) {
        Self.appendQuoted(utf8: string, to: &bytes)
    }

    /// Appends `string` (UTF-8) to `bytes` as a JSON string (for writers that assemble JSON in their own buffers).
    ///
    /// Quotes and escapes: `"` and `\` with a backslash; U+0000–U+001F as `\b \f \n \r \t` or `\u00XX`; all other
    /// bytes (the rest of UTF-8, including U+007F and U+2028/U+2029, which JSON allows) copied in runs: a string
    /// without anything to escape is one copy.
    public static func appendQuoted(utf8 string: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        var index = 0
        let count = string.count
        while index < count {
            let byte = string[index]
            if byte >= 0x20 && byte != 0x22 && byte != 0x5C {
                index += 1
                continue
            }
            if runStart < index { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: string[runStart..<index]).assumingMemoryBound(to: UInt8.self)) }
            bytes.append(0x5C)
            switch byte {
            case 0x22: bytes.append(0x22)  // \"
            case 0x5C: bytes.append(0x5C)  // \\
            case 0x08: bytes.append(0x62)  // \b
            case 0x0C: bytes.append(0x66)  // \f
            case 0x0A: bytes.append(0x6E)  // \n
            case 0x0D: bytes.append(0x72)  // \r
            case 0x09: bytes.append(0x74)  // \t
            default:
                let hex: StaticString = "0123456789abcdef"
                let digits = hex.utf8Start
                bytes.append(0x75)  // \u
                bytes.append(0x30)
                bytes.append(0x30)
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            }
            index += 1
            runStart = index
        }
        if runStart < count {
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: string[runStart..<count]).assumingMemoryBound(to: UInt8.self))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `value` in decimal to `bytes` (a JSON number token).
    public static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        var writer = JSONWriter(capacity: 0)
        swap(&writer.bytes, &bytes)
        writer.writeInteger(value)
        swap(&writer.bytes, &bytes)
    }
}

extension JSONWriter {
    /// Writes `uuid` as a JSON string in the RFC 9562 §4 lower-case text form (`"751afe33-18c0-…"`); equal to
    /// `writeString(uuid.lowercasedString)`.
    public mutating func writeUUIDString(_ uuid: UUID) {
        separate()
        Self.appendUUIDString(uuid, to: &bytes)
    }

    /// Appends `uuid` to `bytes` as a quoted lower-case JSON string (38 bytes, one copy).
    public static func appendUUIDString(_ uuid: UUID, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 38) { text in
            writeUUIDString(uuid, at: text.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(text))
        }
    }

    /// Writes `uuid` as a quoted lower-case JSON string over the 38 bytes at `text` (an id patched into a line
    /// written with a placeholder).
    public static func writeUUIDString(_ uuid: UUID, at text: UnsafeMutablePointer<UInt8>) {
        let hex: StaticString = "0123456789abcdef"
        let digits = hex.utf8Start
        text[0] = UInt8(ascii: "\"")
        var offset = 1
        withUnsafeBytes(of: uuid.uuid) { raw in
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[offset] = UInt8(ascii: "-")
                    offset += 1
                }
                let byte = raw[index]
                text[offset] = digits[Int(byte >> 4)]
                text[offset + 1] = digits[Int(byte & 0x0F)]
                offset += 2
            }
        }
        text[37] = UInt8(ascii: "\"")
    }
}
