/// One STOMP 1.2 frame: a command, ordered headers and a body.
///
/// Header names and values are held unescaped; ``encode(into:)`` escapes them (except in CONNECT,
/// STOMP and CONNECTED frames, which the spec leaves unescaped). A repeated header's first value wins
/// (``subscript(_:)``), as STOMP 1.2 "Repeated Header Entries" demands.
public struct STOMPFrame: Sendable, Equatable {
    /// The command, e.g. `SEND`, `MESSAGE`, `ERROR`.
    public var command: String
    /// Headers in wire order, unescaped.
    public var headers: [(name: String, value: String)]
    /// The body; only SEND, MESSAGE and ERROR frames have one.
    public var body: [UInt8]

    /// A frame with `command`, unescaped `headers` in wire order, and `body`.
    public init(command: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.command = command
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name`.
    public subscript(_ name: String) -> String? {
        for header in headers where header.name == name { return header.value }
        return nil
    }

    public static func == (lhs: STOMPFrame, rhs: STOMPFrame) -> Bool {
        lhs.command == rhs.command && lhs.body == rhs.body && lhs.headers.count == rhs.headers.count
            && zip(lhs.headers, rhs.headers).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// Whether this command's headers are escaped (all but CONNECT, STOMP and CONNECTED).
    static func escapesHeaders(_ command: String) -> Bool {
        command != "CONNECT" && command != "STOMP" && command != "CONNECTED"
    }

    /// Appends the frame's wire form: command, headers, `content-length` when the body is not empty and
    /// no such header is given, the body and the NUL.
    public func encode(into out: inout [UInt8]) {
        out.append(contentsOf: command.utf8)
        out.append(0x0A)
        let escapes = Self.escapesHeaders(command)
        var hasLength = false
        for (name, value) in headers {
            if name == "content-length" { hasLength = true }
            if escapes {
                STOMPHeaderEscaping.appendEscaped(name, to: &out)
                out.append(UInt8(ascii: ":"))
                STOMPHeaderEscaping.appendEscaped(value, to: &out)
            } else {
                out.append(contentsOf: name.utf8)
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: value.utf8)
            }
            out.append(0x0A)
        }
        if !hasLength && !body.isEmpty {
            out.append(contentsOf: "content-length:\(body.count)\n".utf8)
        }
        out.append(0x0A)
        out.append(contentsOf: body)
        out.append(0)
    }

    /// The wire form.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + body.count + headers.count * 32)
        encode(into: &out)
        return out
    }
}

/// STOMP 1.2 header escaping: `\r`, `\n`, `\c` (colon) and `\\`; any other escape is an error.
public enum STOMPHeaderEscaping {
    /// Appends the escaped UTF-8 of `text`.
    public static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case UInt8(ascii: ":"): out += [0x5C, UInt8(ascii: "c")]
            default: out.append(byte)
            }
        }
    }

    /// The unescaped text of `bytes`; nil for an undefined escape (or a trailing backslash).
    public static func unescape(_ bytes: UnsafeRawBufferPointer.SubSequence) -> String? {
        guard bytes.contains(0x5C) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            guard byte == 0x5C else {
                out.append(byte)
                continue
            }
            guard index < bytes.endIndex else { return nil }
            switch bytes[index] {
            case 0x5C: out.append(0x5C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "c"): out.append(UInt8(ascii: ":"))
            default: return nil
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
