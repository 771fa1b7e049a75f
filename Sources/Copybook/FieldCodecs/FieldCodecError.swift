import ByteCoding

/// Why a field's bytes could not be decoded, or a value could not be encoded into a field.
///
/// Offsets are within the field (0 = its first byte); the record decoder adds the record number, the record's byte
/// offset and the field path. `bytes` is the field's raw content as hex pairs (``HexDump/pairs(_:limit:)``).
public enum FieldCodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Bytes that are not valid for the field's usage: a digit nibble above 9, a sign nibble or zone that is not a
    /// sign, a character an edited picture does not allow. `offset` is the byte; `nibble` is 0 (high) or 1 (low)
    /// when a nibble is at fault, nil otherwise.
    case invalidData(offset: Int, nibble: Int?, expected: String, found: String, bytes: String)
    /// The buffer handed to the codec does not have the field's size.
    case lengthMismatch(expected: Int, found: Int)
    /// An encoder was given a value the field cannot hold (too many digits, more fraction digits than the scale,
    /// a negative value for an unsigned field, a float out of range).
    case valueDoesNotFit(value: String, capacity: String)
    /// Text with a character the field's code page cannot represent; `position` counts Unicode scalars.
    case unmappableCharacter(character: String, position: Int, codePage: String)
    /// A codec configuration the codec cannot work with (for example a binary width of 17 bytes).
    case unsupportedLayout(String)

    public var description: String {
        switch self {
        case .invalidData(let offset, let nibble, let expected, let found, let bytes):
            let place = nibble.map { "byte \(offset) \($0 == 0 ? "high" : "low") nibble" } ?? "byte \(offset)"
            return "invalid data at \(place): expected \(expected), found \(found) (field bytes \(bytes))"
        case .lengthMismatch(let expected, let found):
            return "field is \(expected) bytes but \(found) were given"
        case .valueDoesNotFit(let value, let capacity):
            return "value \(value) does not fit the field (\(capacity))"
        case .unmappableCharacter(let character, let position, let codePage):
            return "character \(character) at position \(position) has no byte in \(codePage)"
        case .unsupportedLayout(let reason):
            return "unsupported field layout: \(reason)"
        }
    }

    static func invalid(
        _ bytes: UnsafeRawBufferPointer, offset: Int, nibble: Int? = nil, expected: String, found: String
    ) -> FieldCodecError {
        .invalidData(offset: offset, nibble: nibble, expected: expected, found: found, bytes: HexDump.pairs(bytes))
    }

    static func hexByte(_ byte: UInt8) -> String { "0x" + HexDump.pairs(CollectionOfOne(byte)) }
    static func hexNibble(_ nibble: UInt8) -> String { "X'" + String(nibble, radix: 16, uppercase: true) + "'" }
}
