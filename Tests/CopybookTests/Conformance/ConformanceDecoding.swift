import CodePages
import Copybook
import Events
import Foundation

/// Why the conformance adapter could not decode.
enum ConformanceDecodingError: Error, CustomStringConvertible {
    case setup(caseName: String, variant: String, reason: String)

    var description: String {
        switch self {
        case let .setup(caseName, variant, reason): "conformance \(caseName)/\(variant): \(reason)"
        }
    }
}

/// THE adapter between the conformance suite and the record decoder: decode `variant`'s data with its copybook
/// and settings and return one JSON object per record, exactly as `ferry convert copybook` writes them (keys =
/// COBOL names as written, groups nested, single root collapsed unless `.keep`, OCCURS as arrays with only the
/// live ODO elements, numbers with exactly the PIC scale, text trimmed per `settings.trimming`, nulls as `.null`).
///
/// Strict-mode failures throw; lenient mode nulls invalid fields, and a short last record is decoded as far as
/// its bytes go (the framing reports it, the decoder nulls the missing fields). The harness applies
/// `rules.keepOnly` and `rules.orderBy` itself.
func decodeRecords(_ conformanceCase: ConformanceCase, variant: ConformanceVariant) throws -> [JSONValue] {
    let setup = try ConformanceSetup(conformanceCase, variant)
    var decoder = try RecordDecoder(layout: setup.layout, options: setup.options)
    var output: [UInt8] = []
    for record in try setup.records(lenientFraming: setup.settings.invalidData == .lenient, decoder: decoder) {
        // Lenient: a short last record is decoded as far as its bytes go (missing fields are null).
        try record.bytes.withUnsafeBytes { bytes in
            _ = try decoder.decode(bytes, recordNumber: record.number, recordOffset: Int64(record.offset), into: &output)
        }
    }
    var records: [JSONValue] = []
    var lineStart = 0
    for (index, byte) in output.enumerated() where byte == 0x0A {
        var record = try JSONValue(parsing: Array(output[lineStart..<index]))
        // `_errors` is the decoder's side channel (checked by the decoder's own tests), not a copybook field.
        if case let .object(members) = record { record = .object(members.filter { $0.key != "_errors" }) }
        records.append(record)
        lineStart = index + 1
    }
    return records
}
