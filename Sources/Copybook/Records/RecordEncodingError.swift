/// Why a record could not be encoded from its JSON (or why an encoder could not be built). Record errors name the
/// record number (1-based, as given to ``RecordEncoder/encode(_:recordNumber:)``) and the field path with the
/// occurrence indices (`CLAIM.LINES[3].AMOUNT`, 0-based indices as in the JSON arrays; the root's name is left out when ``RecordDecodingOptions/collapseRoot``).
public enum RecordEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The JSON bytes are not one JSON value.
    case invalidJSON(record: Int, offset: Int, reason: String)
    /// A field of the layout has no key in the JSON object that should hold it.
    case missingField(record: Int, field: String)
    /// The JSON value has the wrong type for the field (`expected` says what the field takes).
    case typeMismatch(record: Int, field: String, expected: String, found: String)
    /// A number needs more digits or decimals than the field's picture or storage holds, is negative for an
    /// unsigned field, or is out of a float format's range.
    case valueDoesNotFit(record: Int, field: String, value: String, capacity: String)
    /// Text longer than the field once encoded in its code page (text is never cut).
    case textTooLong(record: Int, field: String, bytes: Int, capacity: Int)
    /// A character of the text has no byte in the field's code page; `position` counts Unicode scalars.
    case unmappableCharacter(record: Int, field: String, character: String, position: Int, codePage: String)
    /// `null` for a field whose storage has no "no value" convention (COMP-3, binary, COMP-1/COMP-2).
    case nullNotEncodable(record: Int, field: String, usage: String)
    /// An OCCURS DEPENDING ON table's array length disagrees with its DEPENDING ON field's value in the JSON.
    case occursCountMismatch(record: Int, field: String, countField: String, count: Int, elements: Int)
    /// An OCCURS DEPENDING ON table has more elements (or its count field says more) than its maximum.
    case occursCountOutOfRange(record: Int, field: String, count: Int, maximum: Int)
    /// A fixed OCCURS table's array does not have exactly the declared number of elements.
    case tableLengthMismatch(record: Int, field: String, expected: Int, found: Int)
    /// Two REDEFINES alternatives present in the JSON encode to different bytes over the storage they share;
    /// `offset` is the first differing byte of the record.
    case alternativesDisagree(record: Int, field: String, other: String, offset: Int)
    /// The field's codec refused the value for another reason.
    case invalidValue(record: Int, field: String, reason: String)
    /// The layout holds a field this encoder cannot encode (found when the encoder is built).
    case unsupportedField(field: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidJSON(record, offset, reason): "record \(record): invalid JSON at byte \(offset): \(reason)"
        case let .missingField(record, field): "record \(record): field \(field) is missing from the JSON"
        case let .typeMismatch(record, field, expected, found):
            "record \(record): field \(field) takes \(expected), found \(found)"
        case let .valueDoesNotFit(record, field, value, capacity):
            "record \(record): value \(value) does not fit field \(field) (\(capacity))"
        case let .textTooLong(record, field, bytes, capacity):
            "record \(record): text of \(bytes) bytes does not fit field \(field) (\(capacity) bytes)"
        case let .unmappableCharacter(record, field, character, position, codePage):
            "record \(record): field \(field): character \(character) at position \(position) has no byte in \(codePage)"
        case let .nullNotEncodable(record, field, usage):
            "record \(record): field \(field) is null but \(usage) storage has no null value"
        case let .occursCountMismatch(record, field, countField, count, elements):
            "record \(record): \(field) has \(elements) elements but its DEPENDING ON field \(countField) says \(count)"
        case let .occursCountOutOfRange(record, field, count, maximum):
            "record \(record): \(field) has \(count) elements, more than its maximum \(maximum)"
        case let .tableLengthMismatch(record, field, expected, found):
            "record \(record): \(field) must have exactly \(expected) elements, found \(found)"
        case let .alternativesDisagree(record, field, other, offset):
            "record \(record): REDEFINES alternatives \(other) and \(field) encode to different bytes (first at "
                + "record byte \(offset)); give only one of them"
        case let .invalidValue(record, field, reason): "record \(record): field \(field): \(reason)"
        case let .unsupportedField(field, reason): "field \(field) cannot be encoded: \(reason)"
        }
    }

    /// The field path the error is about, when it names one.
    public var field: String? {
        switch self {
        case .invalidJSON: nil
        case let .missingField(_, field), let .typeMismatch(_, field, _, _), let .valueDoesNotFit(_, field, _, _),
            let .textTooLong(_, field, _, _), let .unmappableCharacter(_, field, _, _, _),
            let .nullNotEncodable(_, field, _), let .occursCountMismatch(_, field, _, _, _),
            let .occursCountOutOfRange(_, field, _, _), let .tableLengthMismatch(_, field, _, _),
            let .alternativesDisagree(_, field, _, _), let .invalidValue(_, field, _), let .unsupportedField(field, _):
            field
        }
    }
}
