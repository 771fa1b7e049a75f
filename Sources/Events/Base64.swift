/// Base64 with the RFC 4648 §4 standard alphabet and `=` padding: the CloudEvents `Binary` string encoding and the
/// JSON format's `data_base64`.
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0...63 for alphabet bytes, 0xFF otherwise.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// The encoded length of `count` bytes.
    public static func encodedCount(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Appends the encoding of `bytes` to `output`.
    public static func append(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let start = output.count
        let total = encodedCount(bytes.count)
        output.append(contentsOf: repeatElement(0, count: total))
        alphabet.withUnsafeBufferPointer { table in
            output.withUnsafeMutableBufferPointer { out in
                var write = start
                var read = 0
                while bytes.count - read >= 3 {
                    let word = UInt32(bytes[read]) << 16 | UInt32(bytes[read + 1]) << 8 | UInt32(bytes[read + 2])
                    out[write] = table[Int(word >> 18)]
                    out[write + 1] = table[Int(word >> 12 & 63)]
                    out[write + 2] = table[Int(word >> 6 & 63)]
                    out[write + 3] = table[Int(word & 63)]
                    read += 3
                    write += 4
                }
                let left = bytes.count - read
                if left > 0 {
                    let word = UInt32(bytes[read]) << 16 | (left == 2 ? UInt32(bytes[read + 1]) << 8 : 0)
                    out[write] = table[Int(word >> 18)]
                    out[write + 1] = table[Int(word >> 12 & 63)]
                    out[write + 2] = left == 2 ? table[Int(word >> 6 & 63)] : UInt8(ascii: "=")
                    out[write + 3] = UInt8(ascii: "=")
                }
            }
        }
    }

    /// Appends the encoding of `bytes` to `output`.
    public static func append(_ bytes: [UInt8], to output: inout [UInt8]) {
        bytes.withUnsafeBytes { append($0, to: &output) }
    }

    /// The encoding of `bytes` as text.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(encodedCount(bytes.count))
        append(bytes, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes padded standard Base64. Rejects other characters (including whitespace and the URL-safe `-`/`_`),
    /// a length that is not a multiple of 4, and misplaced padding.
    public static func decode(_ text: UnsafeRawBufferPointer) throws(Base64DecodingError) -> [UInt8] {
        guard text.count % 4 == 0 else {
            throw Base64DecodingError(offset: text.count, reason: "length \(text.count) is not a multiple of 4")
        }
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3)
        let table = decodeTable
        var index = 0
        while index < text.count {
            let isLast = index + 4 == text.count
            var padding = 0
            var word: UInt32 = 0
            for position in 0..<4 {
                let byte = text[index + position]
                if byte == UInt8(ascii: "=") {
                    guard isLast, position >= 2 else {
                        throw Base64DecodingError(offset: index + position, reason: "misplaced padding")
                    }
                    padding += 1
                    word <<= 6
                    continue
                }
                let value = table[Int(byte)]
                guard value != 0xFF, padding == 0 else {
                    throw Base64DecodingError(
                        offset: index + position,
                        reason: padding > 0 ? "data after padding" : "byte 0x\(String(byte, radix: 16)) is not Base64")
                }
                word = word << 6 | UInt32(value)
            }
            output.append(UInt8(truncatingIfNeeded: word >> 16))
            if padding < 2 { output.append(UInt8(truncatingIfNeeded: word >> 8)) }
            if padding < 1 { output.append(UInt8(truncatingIfNeeded: word)) }
            index += 4
        }
        return output
    }

    /// Decodes padded standard Base64 text.
    public static func decode(_ text: String) throws(Base64DecodingError) -> [UInt8] {
        var copy = text
        let result: Result<[UInt8], Base64DecodingError> = copy.withUTF8 { bytes in
            do throws(Base64DecodingError) {
                return .success(try decode(UnsafeRawBufferPointer(bytes)))
            } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// Why text is not padded standard Base64.
public struct Base64DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Byte offset in the text.
    public let offset: Int
    /// What is wrong there.
    public let reason: String

    public var description: String { "invalid Base64 at byte \(offset): \(reason)" }
}
