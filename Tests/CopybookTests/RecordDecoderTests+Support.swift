import CodePages
import Copybook
import Events
import Testing

/// Builds record decoders from inline copybooks and runs them over hand-built record bytes.
///
/// Copybook lines are written from column 8 (``CopybookFixture/fixed(_:options:)`` adds the 7-column prefix).
enum RecordDecoderFixture {
    static let cp037 = RecordDecodingOptions.defaultCodePage

    /// A decoder for the first record of `lines`.
    static func decoder(
        _ lines: [String], options: RecordDecodingOptions = RecordDecodingOptions(),
        copybookOptions: CopybookOptions = CopybookOptions()
    ) throws -> RecordDecoder {
        let copybook = try CopybookFixture.fixed(lines, options: copybookOptions)
        let layout = try #require(copybook.records.first)
        return try RecordDecoder(layout: layout, options: options)
    }

    /// Options with one change applied.
    static func options(_ change: (inout RecordDecodingOptions) -> Void) -> RecordDecodingOptions {
        var options = RecordDecodingOptions()
        change(&options)
        return options
    }

    /// `text` in `page` (CCSID 037 unless given).
    static func ebcdic(_ text: String, page: CodePage = cp037) throws -> [UInt8] {
        try page.encode(text)
    }
}

extension RecordDecoder {
    /// Decodes one record and returns the line it wrote (without the trailing newline).
    mutating func line(
        _ record: [UInt8], number: Int = 1, offset: Int64 = 0
    ) throws(RecordDecodingError) -> String {
        var output: [UInt8] = []
        let result: Result<Int, RecordDecodingError> = record.withUnsafeBytes { buffer in
            do throws(RecordDecodingError) {
                return .success(try decode(buffer, recordNumber: number, recordOffset: offset, into: &output))
            } catch {
                return .failure(error)
            }
        }
        _ = try result.get()
        #expect(output.last == 0x0A, "every record ends with a newline")
        return String(decoding: output.dropLast(), as: UTF8.self)
    }

    /// Decodes one record and parses the line with Events' JSON parser.
    mutating func value(_ record: [UInt8], number: Int = 1, offset: Int64 = 0) throws -> JSONValue {
        let text = try line(record, number: number, offset: offset)
        return try JSONValue(parsing: text)
    }

    /// The error decoding `record` throws (nil when it decodes). Decodes with a copy of the decoder, so counters
    /// and scratch state of `self` are untouched (and the call works inside `#expect`).
    func failure(_ record: [UInt8], number: Int = 1, offset: Int64 = 0) -> RecordDecodingError? {
        var copy = self
        do throws(RecordDecodingError) {
            _ = try copy.line(record, number: number, offset: offset)
            return nil
        } catch {
            return error
        }
    }
}

extension JSONValue {
    /// The member names of an object, in document order.
    var keys: [String] {
        guard case let .object(members) = self else { return [] }
        return members.map(\.key)
    }

    /// The elements of an array.
    var elements: [JSONValue]? {
        guard case let .array(elements) = self else { return nil }
        return elements
    }

    /// The verbatim text of a number token.
    var numberText: String? {
        guard case let .number(text) = self else { return nil }
        return text
    }

    /// Follows a dotted path with `[n]` array indices (`LINES[1].AMOUNT`).
    func at(_ path: String) -> JSONValue? {
        var current: JSONValue? = self
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indices: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                indices.insert(Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) ?? -1, at: 0)
                name = name[..<open]
            }
            current = current?[String(name)]
            for index in indices {
                guard let elements = current?.elements, elements.indices.contains(index) else { return nil }
                current = elements[index]
            }
        }
        return current
    }
}

/// Hex text ("F0 F1 C2") to bytes, for records.
func record(_ parts: String...) -> [UInt8] {
    parts.flatMap { bytes($0) }
}
