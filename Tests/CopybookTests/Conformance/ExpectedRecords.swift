import Events
import Foundation

/// An expected file read into one normalised form: JSON-like trees (`JSONValue`) plus how to read them.
enum ExpectedContent: Sendable {
    case records(ExpectedRecords)
    case summary(ExpectedSummary)
    case vectors([FieldVector])
    case failure(String)

    /// How many records (or vectors) the file gives.
    var count: Int {
        switch self {
        case let .records(records): records.records.count
        case let .summary(summary): summary.recordCount
        case let .vectors(vectors): vectors.count
        case .failure: 0
        }
    }
}

/// Expected records, one tree per record.
struct ExpectedRecords: Sendable {
    enum Naming: Sendable {
        /// cobrix/Spark: COBOL names with `-` written `_`.
        case spark
        /// COBOL names as written.
        case cobol
    }
    var records: [JSONValue]
    /// Our record index for each expected record (nil: the expected record i is our record i).
    var recordIndices: [Int]? = nil
    var naming: Naming
    /// Flat files name only leaves (and OCCURS tables): group names are not part of the path.
    var leafNamesOnly = false
    /// Numbers are written as text (delimited files, derived JSON): an expected string matches our number when
    /// both are the same decimal.
    var numbersAsText = false
    /// Only the fields the expected file names are compared (checked-fields fixtures); otherwise every field of
    /// either side is, absent meaning null.
    var expectedFieldsOnly = false
}

/// A derived summary of a whole file.
struct ExpectedSummary: Sendable {
    var recordCount: Int
    /// RDW length (including its 4 bytes) → records.
    var rdwLengthHistogram: [Int: Int]
    /// TRANSACTION-NBR → records.
    var transactionCountHistogram: [Int: Int]
    var firstRecords: [JSONValue]
    var lastRecord: JSONValue
}

/// One JRecord DISPLAY field vector (TestData.cbl columns).
struct FieldVector: Sendable {
    var line: Int
    var type: Int
    var length: Int
    var decimals: Int
    /// Test-Value: the value as text.
    var value: String
    /// Test-Result-Hex decoded: the field's bytes.
    var bytes: [UInt8]
}

enum ExpectedFileError: Error, CustomStringConvertible {
    case malformed(file: String, line: Int, reason: String)

    var description: String {
        switch self {
        case let .malformed(file, line, reason): "\(file) line \(line): \(reason)"
        }
    }
}

/// Reads the expected files of ../shared/conformance/mainframe (formats of SOURCES.md §1).
enum ExpectedFileReader {
    /// Fields cobrix adds to every record (`generate_record_id`, `segment_id_prefix`, debug mode).
    static func isCobrixAddedKey(_ key: String) -> Bool {
        key == "File_Id" || key == "Record_Id" || key == "Record_Byte_Length" || key.hasPrefix("Seg_Id")
            || key.hasSuffix("_debug")
    }

    static func read(_ source: ExpectedSource, in folder: URL) throws -> ExpectedContent {
        func load(_ file: String) throws -> [UInt8] {
            Array(try Data(contentsOf: folder.appendingPathComponent(file)))
        }
        switch source {
        case let .sparkJSONLines(file):
            let values = try lines(load(file)).map { try parseJSON($0.text, file: file, line: $0.number) }
            return .records(ExpectedRecords(records: values.map(droppingCobrixKeys), naming: .spark))
        case let .sparkPrettyJSON(file):
            let values = try concatenatedJSON(load(file), file: file)
            return .records(ExpectedRecords(records: values.map(droppingCobrixKeys), naming: .spark))
        case let .delimited(file, separator, naming):
            return .records(try delimited(load(file), file: file, separator: separator, naming: naming))
        case let .awsPipe(file, layout, shape):
            return .records(try awsPipe(load(file), file: file, layout: load(layout), shape: shape))
        case let .derivedJSONLines(file):
            let values = try lines(load(file)).map { try parseJSON($0.text, file: file, line: $0.number) }
            return .records(ExpectedRecords(records: values, naming: .cobol, numbersAsText: true))
        case let .derivedJSONObject(file):
            let value = try parseJSON(load(file), file: file, line: 1)
            return .records(ExpectedRecords(records: [value], naming: .cobol, numbersAsText: true))
        case let .checkedFields(file):
            return .records(try checkedFields(load(file), file: file))
        case let .summary(file):
            return .summary(try summary(load(file), file: file))
        case let .invalidFields(file, valid):
            var records = try delimited(
                load(valid), file: valid, separator: UInt8(ascii: "\t"), naming: .cobolNames)
            let invalid = try parseJSON(load(file), file: file, line: 1)
            guard case let .array(entries)? = invalid["invalid_fields"] else {
                throw ExpectedFileError.malformed(file: file, line: 1, reason: "no invalid_fields array")
            }
            for entry in entries {
                guard let record = entry["record"]?.int64Value, let field = entry["field"]?.stringValue,
                    record >= 1, Int(record) <= records.records.count
                else { throw ExpectedFileError.malformed(file: file, line: 1, reason: "bad invalid_fields entry") }
                records.records[Int(record) - 1] = replacing(field, with: .null, in: records.records[Int(record) - 1])
            }
            return .records(records)
        case let .fieldVectors(file):
            return .vectors(try fieldVectors(load(file), file: file))
        case let .decodingFails(reason):
            return .failure(reason)
        }
    }

    // MARK: Formats

    static func delimited(_ bytes: [UInt8], file: String, separator: UInt8, naming: ColumnNaming) throws
        -> ExpectedRecords
    {
        let rows = lines(bytes)
        guard let header = rows.first else { throw ExpectedFileError.malformed(file: file, line: 1, reason: "empty") }
        let names = split(header.text, on: separator).map { column -> String in
            switch naming {
            case .cobolNames: column
            case let .prefixDropped(prefix): prefix + column.replacingOccurrences(of: "_", with: "-")
            }
        }
        var records: [JSONValue] = []
        for row in rows.dropFirst() {
            let columns = split(row.text, on: separator)
            guard columns.count == names.count else {
                throw ExpectedFileError.malformed(
                    file: file, line: row.number, reason: "\(columns.count) columns, the header has \(names.count)")
            }
            records.append(.object(zip(names, columns).map { JSONMember(key: $0, value: .string($1)) }))
        }
        return ExpectedRecords(records: records, naming: .cobol, leafNamesOnly: true, numbersAsText: true)
    }

    static func awsPipe(_ bytes: [UInt8], file: String, layout layoutBytes: [UInt8], shape: AWSShape) throws
        -> ExpectedRecords
    {
        let layout = try parseJSON(layoutBytes, file: "MDU layout of \(file)", line: 1)
        func names(_ key: String) throws -> [String] {
            guard case let .array(fields)? = layout[key] else {
                throw ExpectedFileError.malformed(file: file, line: 0, reason: "MDU layout has no \(key)")
            }
            return fields.map { $0["name"]?.stringValue ?? "" }
        }
        let base = try names("transf")
        var records: [JSONValue] = []
        for row in lines(bytes) {
            let columns = split(row.text, on: UInt8(ascii: "|"))
            switch shape {
            case .layoutRules:
                // A rule selects another layout when the field at its offset holds its value.
                var chosen = base
                if case let .array(rules)? = layout["transf-rule"], case let .array(fields)? = layout["transf"] {
                    for rule in rules {
                        guard let offset = rule["offset"]?.int64Value, let hex = rule["hex"]?.stringValue,
                            let target = rule["transf"]?.stringValue, let value = Int(hex, radix: 16),
                            let column = fields.firstIndex(where: { $0["offset"]?.int64Value == offset }),
                            column < columns.count, Int(columns[column]) == value
                        else { continue }
                        chosen = try names(target)
                        break
                    }
                }
                guard chosen.count == columns.count else {
                    throw ExpectedFileError.malformed(
                        file: file, line: row.number,
                        reason: "\(columns.count) columns, the chosen layout has \(chosen.count)")
                }
                records.append(
                    .object(
                        zip(chosen, columns).filter { $0.0 != "FILLER" }.map {
                            JSONMember(key: $0, value: .string($1))
                        }))
            case let .odoSlots(fixed, slotColumns, slots, table):
                guard columns.count == fixed + slotColumns * slots, base.count >= fixed + slotColumns else {
                    throw ExpectedFileError.malformed(
                        file: file, line: row.number, reason: "\(columns.count) columns")
                }
                var members = zip(base.prefix(fixed), columns.prefix(fixed)).map {
                    JSONMember(key: $0, value: .string($1))
                }
                let slotNames = Array(base[fixed..<(fixed + slotColumns)])
                var elements: [JSONValue] = []
                for slot in 0..<slots {
                    let values = Array(columns[(fixed + slot * slotColumns)..<(fixed + (slot + 1) * slotColumns)])
                    guard values.contains(where: { !$0.isEmpty }) else { continue }
                    elements.append(.object(zip(slotNames, values).map { JSONMember(key: $0, value: .string($1)) }))
                }
                members.append(JSONMember(key: table, value: .array(elements)))
                records.append(.object(members))
            }
        }
        return ExpectedRecords(records: records, naming: .cobol, leafNamesOnly: true, numbersAsText: true)
    }

    static func checkedFields(_ bytes: [UInt8], file: String) throws -> ExpectedRecords {
        var records: [JSONValue] = []
        var indices: [Int] = []
        for row in lines(bytes).dropFirst() {
            let value = try parseJSON(row.text, file: file, line: row.number)
            guard let record = value["record"]?.int64Value, let fields = value["expected_checked_fields"],
                case .object = fields
            else { throw ExpectedFileError.malformed(file: file, line: row.number, reason: "not a checked record") }
            records.append(fields)
            indices.append(Int(record))
        }
        return ExpectedRecords(
            records: records, recordIndices: indices, naming: .cobol, leafNamesOnly: true, numbersAsText: true,
            expectedFieldsOnly: true)
    }

    static func summary(_ bytes: [UInt8], file: String) throws -> ExpectedSummary {
        let value = try parseJSON(bytes, file: file, line: 1)
        func histogram(_ key: String) throws -> [Int: Int] {
            guard case let .object(members)? = value[key] else {
                throw ExpectedFileError.malformed(file: file, line: 1, reason: "no \(key)")
            }
            var result: [Int: Int] = [:]
            for member in members {
                guard let bucket = Int(member.key), let count = member.value.int64Value else {
                    throw ExpectedFileError.malformed(file: file, line: 1, reason: "bad \(key) entry")
                }
                result[bucket] = Int(count)
            }
            return result
        }
        guard let count = value["record_count"]?.int64Value, case let .array(first)? = value["first_3_records"],
            let last = value["last_record"]
        else { throw ExpectedFileError.malformed(file: file, line: 1, reason: "not a summary") }
        return ExpectedSummary(
            recordCount: Int(count), rdwLengthHistogram: try histogram("rdw_length_histogram"),
            transactionCountHistogram: try histogram("transaction_nbr_histogram"), firstRecords: first,
            lastRecord: last)
    }

    /// The COBOL-relevant JRecord types (SOURCES.md, jrecord-05).
    static let vectorTypes: Set<Int> = [0, 1, 9, 10, 25, 32, 44, 45]

    static func fieldVectors(_ bytes: [UInt8], file: String) throws -> [FieldVector] {
        var vectors: [FieldVector] = []
        for row in lines(bytes) {
            // Columns (1-based): type 46-48, length 50-51, decimals 53, value 55-62, hex 73-88. Bytes, not
            // characters: the file is ASCII.
            let line = Array(row.text.utf8)
            func column(_ from: Int, _ through: Int) -> String {
                guard line.count >= from else { return "" }
                let slice = line[(from - 1)..<min(through, line.count)]
                return String(decoding: slice, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            }
            guard let type = Int(column(46, 48)), vectorTypes.contains(type) else { continue }
            guard let length = Int(column(50, 51)), let decimals = Int(column(53, 53)) else {
                throw ExpectedFileError.malformed(file: file, line: row.number, reason: "bad length or decimals")
            }
            let hex = Array(column(73, 88).utf8)
            guard hex.count == 2 * length, let bytes = decodeHex(hex) else {
                throw ExpectedFileError.malformed(file: file, line: row.number, reason: "hex is not \(length) bytes")
            }
            vectors.append(
                FieldVector(
                    line: row.number, type: type, length: length, decimals: decimals, value: column(55, 62),
                    bytes: bytes))
        }
        return vectors
    }

    // MARK: Pieces

    struct Line {
        var number: Int
        var text: String
    }

    /// Non-empty lines, CRLF or LF, numbered from 1.
    static func lines(_ bytes: [UInt8]) -> [Line] {
        var result: [Line] = []
        var start = 0
        var number = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x0A {
            number += 1
            var end = index
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            if end > start { result.append(Line(number: number, text: String(decoding: bytes[start..<end], as: UTF8.self))) }
            start = index + 1
        }
        return result
    }

    static func split(_ text: String, on separator: UInt8) -> [String] {
        text.utf8.split(separator: separator, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    static func parseJSON(_ text: String, file: String, line: Int) throws -> JSONValue {
        try parseJSON(Array(text.utf8), file: file, line: line)
    }

    static func parseJSON(_ bytes: [UInt8], file: String, line: Int) throws -> JSONValue {
        do { return try JSONValue(parsing: bytes) } catch {
            throw ExpectedFileError.malformed(file: file, line: line, reason: error.description)
        }
    }

    /// One JSON array, or JSON objects written one after another.
    static func concatenatedJSON(_ bytes: [UInt8], file: String) throws -> [JSONValue] {
        var values: [JSONValue] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start: Int?
        for (index, byte) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 0 { start = index }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0, let first = start {
                    values.append(try parseJSON(Array(bytes[first...index]), file: file, line: values.count + 1))
                    start = nil
                }
            default: break
            }
        }
        if values.count == 1, case let .array(elements) = values[0] { return elements }
        return values
    }

    static func droppingCobrixKeys(_ value: JSONValue) -> JSONValue {
        switch value {
        case let .object(members):
            .object(members.filter { !isCobrixAddedKey($0.key) }.map { JSONMember(key: $0.key, value: droppingCobrixKeys($0.value)) })
        case let .array(elements): .array(elements.map(droppingCobrixKeys))
        default: value
        }
    }

    static func replacing(_ key: String, with replacement: JSONValue, in value: JSONValue) -> JSONValue {
        guard case let .object(members) = value else { return value }
        return .object(members.map { $0.key == key ? JSONMember(key: key, value: replacement) : $0 })
    }

    static func decodeHex(_ hex: [UInt8]) -> [UInt8]? {
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - 0x61 + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - 0x41 + 10
            default: nil
            }
        }
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: hex.count, by: 2) {
            guard let high = nibble(hex[index]), let low = nibble(hex[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}
