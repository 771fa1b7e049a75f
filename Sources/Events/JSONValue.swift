import ByteCoding

/// A parsed JSON (RFC 8259) value that keeps what a round trip needs: object members in document order (duplicates
/// kept) and numbers as their exact text (`1.50` stays `1.50`; read it with ``decimalValue()`` or ``int64Value``).
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A number token, verbatim (already checked against the RFC 8259 §6 grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order.
    case object([JSONMember])

    /// Parses one JSON value filling all of `bytes` (whitespace around it allowed).
    /// - Parameter maximumDepth: nesting limit for arrays and objects. Default: 512.
    public init(parsing bytes: UnsafeRawBufferPointer, maximumDepth: Int = 512) throws(JSONParseError) {
        var parser = JSONParser(bytes, maximumDepth: maximumDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        try parser.expectEnd()
        self = value
    }

    /// Parses one JSON value from UTF-8 bytes.
    public init(parsing bytes: [UInt8], maximumDepth: Int = 512) throws(JSONParseError) {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { buffer in
            do throws(JSONParseError) {
                return .success(try JSONValue(parsing: buffer, maximumDepth: maximumDepth))
            } catch { return .failure(error) }
        }
        self = try result.get()
    }

    /// Parses one JSON value from text.
    public init(parsing text: String, maximumDepth: Int = 512) throws(JSONParseError) {
        try self.init(parsing: Array(text.utf8), maximumDepth: maximumDepth)
    }

    /// The value of the first member named `key`, when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    /// The flag, when this is a boolean.
    public var boolValue: Bool? {
        if case let .bool(flag) = self { return flag }
        return nil
    }

    /// The number as an `Int64`, when this is a number written as an integer (no fraction, no exponent) in range.
    public var int64Value: Int64? {
        if case let .number(text) = self { return Int64(text) }
        return nil
    }

    /// The number as an exact decimal (throws when it is not a number or needs more than 38 digits / scale 38).
    public func decimalValue() throws(ExactDecimalError) -> ExactDecimal {
        guard case let .number(text) = self else { throw .malformed(offset: 0, reason: "not a JSON number") }
        return try ExactDecimal(parsing: text)
    }

    /// The JSON type's name, for error messages ("string", "number", …).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The compact JSON text of this value.
    public func encoded() -> [UInt8] {
        var writer = JSONWriter(capacity: 64)
        writer.writeValue(self)
        return writer.bytes
    }
}

/// One member of a JSON object.
public struct JSONMember: Hashable, Sendable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Why bytes are not the JSON expected: where (byte offset from the start of the input), what was expected there
/// and what was found.
public struct JSONParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Byte offset of the problem.
    public let offset: Int
    /// What the grammar allowed there.
    public let expected: String
    /// What was there instead (a byte in hex and as ASCII when printable, or "end of input").
    public let found: String

    public init(offset: Int, expected: String, found: String) {
        self.offset = offset
        self.expected = expected
        self.found = found
    }

    public var description: String { "invalid JSON at byte \(offset): expected \(expected), found \(found)" }
}

/// The recursive-descent parser behind ``JSONValue`` and the CloudEvents JSON format decoder, over a ``ByteReader``.
struct JSONParser {
    var reader: ByteReader
    let maximumDepth: Int

    init(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int = 512, baseOffset: Int = 0) {
        reader = ByteReader(bytes, baseOffset: baseOffset)
        self.maximumDepth = maximumDepth
    }

    var position: Int { reader.position }

    func error(_ expected: String) -> JSONParseError {
        let found: String
        if let byte = reader.peekByte() {
            let hex = "0x" + String(byte, radix: 16, uppercase: true)
            found = (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))' (\(hex))" : hex
        } else {
            found = "end of input"
        }
        return JSONParseError(offset: reader.absoluteOffset, expected: expected, found: found)
    }

    @inline(__always)
    mutating func advance(_ count: Int = 1) {
        // Callers only advance past bytes they have peeked.
        try? reader.skip(count)
    }

    mutating func skipWhitespace() {
        while let byte = reader.peekByte(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            advance()
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(JSONParseError) {
        guard reader.peekByte() == byte else { throw error(what) }
        advance()
    }

    mutating func expectEnd() throws(JSONParseError) {
        skipWhitespace()
        guard reader.isAtEnd else { throw error("end of input") }
    }

    /// Parses a value starting at the current (non-whitespace) byte; leaves the reader just after it.
    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard let byte = reader.peekByte() else { throw error("a JSON value") }
        switch byte {
        case UInt8(ascii: "{"):
            guard depth < maximumDepth else { throw error("nesting depth at most \(maximumDepth)") }
            advance()
            var members: [JSONMember] = []
            skipWhitespace()
            if reader.peekByte() == UInt8(ascii: "}") {
                advance()
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard reader.peekByte() == UInt8(ascii: "\"") else { throw error("'\"' starting a member name") }
                let key = try parseString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':' after a member name")
                skipWhitespace()
                let value = try parseValue(depth: depth + 1)
                members.append(JSONMember(key: key, value: value))
                skipWhitespace()
                if reader.peekByte() == UInt8(ascii: ",") {
                    advance()
                    continue
                }
                try expect(UInt8(ascii: "}"), "',' or '}' in an object")
                return .object(members)
            }
        case UInt8(ascii: "["):
            guard depth < maximumDepth else { throw error("nesting depth at most \(maximumDepth)") }
            advance()
            var elements: [JSONValue] = []
            skipWhitespace()
            if reader.peekByte() == UInt8(ascii: "]") {
                advance()
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                if reader.peekByte() == UInt8(ascii: ",") {
                    advance()
                    continue
                }
                try expect(UInt8(ascii: "]"), "',' or ']' in an array")
                return .array(elements)
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let range = try scanNumber()
            return .number(String(decoding: UnsafeRawBufferPointer(rebasing: reader.buffer[range]), as: UTF8.self))
        default:
            throw error("a JSON value")
        }
    }

    /// Checks a value without building it (used to find the byte range of an embedded value).
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard let byte = reader.peekByte() else { throw error("a JSON value") }
        switch byte {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try scanNumber()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < maximumDepth else { throw error("nesting depth at most \(maximumDepth)") }
            let isObject = byte == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            advance()
            skipWhitespace()
            if reader.peekByte() == close {
                advance()
                return
            }
            while true {
                skipWhitespace()
                if isObject {
                    guard reader.peekByte() == UInt8(ascii: "\"") else { throw error("'\"' starting a member name") }
                    try skipString()
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"), "':' after a member name")
                    skipWhitespace()
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if reader.peekByte() == UInt8(ascii: ",") {
                    advance()
                    continue
                }
                try expect(close, isObject ? "',' or '}' in an object" : "',' or ']' in an array")
                return
            }
        default:
            _ = try parseValue(depth: depth)
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in expected {
            guard reader.peekByte() == byte else { throw error("'\(literal)'") }
            advance()
        }
    }

    /// Checks an RFC 8259 §6 number and returns its byte range.
    mutating func scanNumber() throws(JSONParseError) -> Range<Int> {
        let start = reader.position
        if reader.peekByte() == UInt8(ascii: "-") { advance() }
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
        if reader.peekByte() == UInt8(ascii: "0") {
            advance()
        } else if isDigit(reader.peekByte()) {
            while isDigit(reader.peekByte()) { advance() }
        } else {
            throw error("a digit")
        }
        if reader.peekByte() == UInt8(ascii: ".") {
            advance()
            guard isDigit(reader.peekByte()) else { throw error("a digit after '.'") }
            while isDigit(reader.peekByte()) { advance() }
        }
        if reader.peekByte() == UInt8(ascii: "e") || reader.peekByte() == UInt8(ascii: "E") {
            advance()
            if reader.peekByte() == UInt8(ascii: "+") || reader.peekByte() == UInt8(ascii: "-") { advance() }
            guard isDigit(reader.peekByte()) else { throw error("a digit in the exponent") }
            while isDigit(reader.peekByte()) { advance() }
        }
        return start..<reader.position
    }

    /// Parses a string starting at its opening quote. Fast path: no escapes, validated straight from the input.
    mutating func parseString() throws(JSONParseError) -> String {
        advance()  // opening quote
        let start = reader.position
        let buffer = reader.buffer
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeRawBufferPointer(rebasing: buffer[start..<index])
                guard let text = String(validating: run, as: UTF8.self) else {
                    throw JSONParseError(
                        offset: reader.baseOffset + start + invalidUTF8Offset(run), expected: "valid UTF-8",
                        found: "an invalid UTF-8 sequence")
                }
                advance(index - start + 1)
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            index += 1
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(index - start + 16)
        decoded.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start..<index]))
        advance(index - start)
        while true {
            guard let byte = reader.peekByte() else { throw error("'\"' closing a string") }
            if byte == UInt8(ascii: "\"") {
                advance()
                break
            }
            if byte < 0x20 { throw error("an escaped control character (RFC 8259 §7)") }
            if byte != UInt8(ascii: "\\") {
                decoded.append(byte)
                advance()
                continue
            }
            advance()
            guard let escape = reader.peekByte() else { throw error("an escape character") }
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                advance()
                var scalar = try readHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard reader.peekByte() == UInt8(ascii: "\\") else { throw error("a low surrogate escape") }
                    advance()
                    guard reader.peekByte() == UInt8(ascii: "u") else { throw error("a low surrogate escape") }
                    advance()
                    let low = try readHex4()
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw JSONParseError(
                            offset: reader.absoluteOffset - 6, expected: "a low surrogate (DC00-DFFF)",
                            found: "\\u" + String(low, radix: 16))
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw JSONParseError(
                        offset: reader.absoluteOffset - 6, expected: "a high surrogate before a low one",
                        found: "a lone low surrogate")
                }
                // Any non-surrogate value up to 0x10FFFF is a valid scalar.
                if let unicode = Unicode.Scalar(scalar), let encoded = UTF8.encode(unicode) {
                    decoded.append(contentsOf: encoded)
                }
                continue
            default:
                throw error("one of \" \\ / b f n r t u after a backslash")
            }
            advance()
        }
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw JSONParseError(
                offset: reader.baseOffset + start, expected: "valid UTF-8 in the string", found: "an invalid sequence")
        }
        return text
    }

    /// Skips a string, checking escapes and control characters (UTF-8 is not checked: the bytes are kept verbatim).
    mutating func skipString() throws(JSONParseError) {
        advance()
        while true {
            guard let byte = reader.peekByte() else { throw error("'\"' closing a string") }
            if byte < 0x20 { throw error("an escaped control character (RFC 8259 §7)") }
            advance()
            if byte == UInt8(ascii: "\"") { return }
            if byte == UInt8(ascii: "\\") {
                guard let escape = reader.peekByte() else { throw error("an escape character") }
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    advance()
                case UInt8(ascii: "u"):
                    advance()
                    _ = try readHex4()
                default:
                    throw error("one of \" \\ / b f n r t u after a backslash")
                }
            }
        }
    }

    mutating func readHex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = reader.peekByte() else { throw error("4 hex digits after \\u") }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 0x41 + 10)
            default: throw error("4 hex digits after \\u")
            }
            value = value << 4 | digit
            advance()
        }
        return value
    }
}

/// The offset of the first byte of the first invalid UTF-8 sequence in `bytes` (or its count if none).
func invalidUTF8Offset(_ bytes: UnsafeRawBufferPointer) -> Int {
    var decoder = UTF8()
    var iterator = bytes.makeIterator()
    var offset = 0
    var consumed = 0
    while true {
        switch decoder.decode(&iterator) {
        case let .scalarValue(scalar):
            offset += UTF8.width(scalar)
            consumed = offset
        case .emptyInput:
            return bytes.count
        case .error:
            return consumed
        }
    }
}
