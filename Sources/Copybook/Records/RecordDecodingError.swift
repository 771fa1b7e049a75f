/// Why a record (or a layout, when the decoder is built) could not be decoded. Record errors name the record
/// number (1-based), the record's byte offset in the input, the field path (`CLAIM.LINES[3].AMOUNT`, 0-based indices as in the JSON arrays), the field's
/// offset inside the record and its bytes in hex.
public enum RecordDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A field holds data its picture cannot represent.
    case invalidField(record: Int, recordOffset: Int64, field: String, fieldOffset: Int, bytes: String, reason: String)
    /// The record ends before a field it should hold.
    case recordTooShort(record: Int, recordOffset: Int64, field: String, fieldOffset: Int, needed: Int, available: Int)
    /// An OCCURS DEPENDING ON count lies above the table's maximum.
    case occursCountOutOfRange(record: Int, recordOffset: Int64, field: String, count: Int, minimum: Int, maximum: Int)
    /// The layout holds a field this decoder cannot decode (found when the decoder is built).
    case unsupportedField(field: String, reason: String)
    /// The segment-id field named in the options is not in the layout.
    case unknownSegmentField(String)

    public var description: String {
        switch self {
        case let .invalidField(record, recordOffset, field, fieldOffset, bytes, reason):
            "record \(record) at byte \(recordOffset): field \(field) at offset \(fieldOffset) [\(bytes)]: \(reason)"
        case let .recordTooShort(record, recordOffset, field, fieldOffset, needed, available):
            "record \(record) at byte \(recordOffset): field \(field) needs bytes \(fieldOffset)..<\(fieldOffset + needed) "
                + "but the record has \(available)"
        case let .occursCountOutOfRange(record, recordOffset, field, count, minimum, maximum):
            "record \(record) at byte \(recordOffset): OCCURS DEPENDING ON count \(count) of \(field) is outside "
                + "\(minimum)...\(maximum)"
        case let .unsupportedField(field, reason): "field \(field) cannot be decoded: \(reason)"
        case let .unknownSegmentField(name): "the segment-id field '\(name)' is not in the copybook"
        }
    }

    /// The field path the error is about, when it names one.
    public var field: String? {
        switch self {
        case let .invalidField(_, _, field, _, _, _), let .recordTooShort(_, _, field, _, _, _),
            let .occursCountOutOfRange(_, _, field, _, _, _), let .unsupportedField(field, _):
            field
        case .unknownSegmentField: nil
        }
    }
}
