/// Why a byte cursor could not give what was asked of it.
///
/// Every case names the byte offset (from the start of the buffer the cursor was made over) so a caller
/// can report where in the input the problem is.
public enum ByteCodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes remained than a read needed.
    case truncated(offset: Int, needed: Int, available: Int)
    /// A length or count taken from the input is negative or above the configured maximum.
    case lengthOutOfRange(offset: Int, length: Int, maximum: Int)
    /// A variable-length integer ran past its maximum width.
    case malformedVarint(offset: Int)

    public var description: String {
        switch self {
        case let .truncated(offset, needed, available):
            "truncated input at byte \(offset): needed \(needed) bytes, \(available) available"
        case let .lengthOutOfRange(offset, length, maximum):
            "length \(length) at byte \(offset) is out of range (0...\(maximum))"
        case let .malformedVarint(offset):
            "malformed varint at byte \(offset)"
        }
    }
}
