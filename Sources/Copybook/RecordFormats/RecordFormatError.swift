/// Why records could not be framed, read or written.
///
/// Framing errors name the record number (1-based), the byte offset in the input (of the record's RDW, of its
/// first byte without one, or of the BDW for block errors), what was expected and what was found.
public enum RecordFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where a length came from.
    public enum LengthSource: Sendable, Hashable, CustomStringConvertible {
        case rdw, bdw, lengthField, layout

        public var description: String {
            switch self {
            case .rdw: "RDW length"
            case .bdw: "BDW length"
            case .lengthField: "record length field"
            case .layout: "layout record length"
            }
        }
    }

    /// A descriptor word (RDW or BDW) was cut off by the end of the input.
    case truncatedDescriptor(record: Int, offset: Int, source: LengthSource, found: Int)
    /// The bytes that must be zero in an RDW or BDW are not (spanned segments or not a descriptor at all).
    case descriptorNotZeroed(record: Int, offset: Int, source: LengthSource, found: [UInt8])
    /// A length is below the smallest the format allows.
    case lengthBelowMinimum(record: Int, offset: Int, source: LengthSource, length: Int, minimum: Int)
    /// A length is above the configured maximum.
    case lengthAboveMaximum(record: Int, offset: Int, source: LengthSource, length: Int, maximum: Int)
    /// A record length field holds something other than the digits its encoding allows.
    case lengthFieldInvalid(record: Int, offset: Int, found: [UInt8])
    /// The record decoder rejected the bytes it was asked to size.
    case layoutLengthRejected(record: Int, offset: Int, message: String)
    /// The record decoder still could not size a record with the maximum record size available.
    case layoutLengthUndetermined(record: Int, offset: Int, available: Int)
    /// A record's RDW announces more bytes than are left in its block.
    case recordOverflowsBlock(record: Int, offset: Int, length: Int, bytesLeftInBlock: Int)
    /// A block ends with bytes that cannot hold an RDW.
    case blockNotFilled(record: Int, offset: Int, bytesLeftInBlock: Int)
    /// The input ended inside a block.
    case truncatedBlock(record: Int, offset: Int, bytesLeftInBlock: Int, found: Int)
    /// The input ended inside a record: `found` of `expected` payload bytes (nil: the layout could not tell).
    case shortLastRecord(record: Int, offset: Int, expected: Int?, found: Int)
    /// The input ended before the file header was complete.
    case missingFileHeader(expected: Int, found: Int)
    /// The input ended before the file trailer was complete.
    case missingFileTrailer(expected: Int, found: Int)
    /// A record to write does not fit the format (wrong fixed length, too long for an RDW or a block).
    case recordDoesNotFit(record: Int, length: Int, reason: String)
    /// A format or option value is out of range.
    case invalidFormat(option: String, reason: String)
    /// `read(2)` failed.
    case readFailed(offset: Int, errno: Int32)
    /// `write(2)` failed.
    case writeFailed(offset: Int, errno: Int32)

    /// The 1-based record number the error is about, if any.
    public var recordNumber: Int? {
        switch self {
        case .truncatedDescriptor(let record, _, _, _), .descriptorNotZeroed(let record, _, _, _),
            .lengthBelowMinimum(let record, _, _, _, _), .lengthAboveMaximum(let record, _, _, _, _),
            .lengthFieldInvalid(let record, _, _), .layoutLengthRejected(let record, _, _),
            .layoutLengthUndetermined(let record, _, _), .recordOverflowsBlock(let record, _, _, _),
            .blockNotFilled(let record, _, _), .truncatedBlock(let record, _, _, _),
            .shortLastRecord(let record, _, _, _), .recordDoesNotFit(let record, _, _):
            record
        case .missingFileHeader, .missingFileTrailer, .invalidFormat, .readFailed, .writeFailed:
            nil
        }
    }

    /// The byte offset in the input the error is about, if any.
    public var offset: Int? {
        switch self {
        case .truncatedDescriptor(_, let offset, _, _), .descriptorNotZeroed(_, let offset, _, _),
            .lengthBelowMinimum(_, let offset, _, _, _), .lengthAboveMaximum(_, let offset, _, _, _),
            .lengthFieldInvalid(_, let offset, _), .layoutLengthRejected(_, let offset, _),
            .layoutLengthUndetermined(_, let offset, _), .recordOverflowsBlock(_, let offset, _, _),
            .blockNotFilled(_, let offset, _), .truncatedBlock(_, let offset, _, _),
            .shortLastRecord(_, let offset, _, _), .readFailed(let offset, _), .writeFailed(let offset, _):
            offset
        case .missingFileHeader, .missingFileTrailer, .recordDoesNotFit, .invalidFormat:
            nil
        }
    }

    /// True for errors about the end of the input (a short last record, a cut-off descriptor or block).
    public var isTruncation: Bool {
        switch self {
        case .truncatedDescriptor, .truncatedBlock, .shortLastRecord: true
        default: false
        }
    }

    public var description: String {
        func at(_ record: Int, _ offset: Int) -> String { "record \(record) at byte \(grouped(offset))" }
        switch self {
        case let .truncatedDescriptor(record, offset, source, found):
            let name = source == .bdw ? "BDW" : "RDW"
            return "\(at(record, offset)): the input ends after \(found) of the 4 \(name) bytes"
        case let .descriptorNotZeroed(record, offset, source, found):
            let name = source == .bdw ? "BDW" : "RDW"
            return "\(at(record, offset)): \(name) \(hex(found)) has non-zero reserved bytes "
                + "(spanned segment or not a descriptor)"
        case let .lengthBelowMinimum(record, offset, source, length, minimum):
            return "\(at(record, offset)): \(source) \(grouped(length)) is below the minimum of \(grouped(minimum))"
        case let .lengthAboveMaximum(record, offset, source, length, maximum):
            return "\(at(record, offset)): \(source) \(grouped(length)) is above the maximum of \(grouped(maximum))"
        case let .lengthFieldInvalid(record, offset, found):
            return "\(at(record, offset)): record length field \(hex(found)) is not unsigned digits"
        case let .layoutLengthRejected(record, offset, message):
            return "\(at(record, offset)): \(message)"
        case let .layoutLengthUndetermined(record, offset, available):
            return "\(at(record, offset)): the layout could not size the record from \(grouped(available)) bytes"
        case let .recordOverflowsBlock(record, offset, length, left):
            return "\(at(record, offset)): RDW announces \(grouped(length)) bytes but only \(grouped(left)) "
                + "are left in the block"
        case let .blockNotFilled(record, offset, left):
            return "\(at(record, offset)): \(left) bytes left in the block, too few for an RDW"
        case let .truncatedBlock(record, offset, left, found):
            return "\(at(record, offset)): the input ends \(grouped(left - found)) bytes before the end of the block"
        case let .shortLastRecord(record, offset, expected, found):
            if let expected {
                return "short last record \(record) at byte \(grouped(offset)): \(grouped(found)) of "
                    + "\(grouped(expected)) bytes"
            }
            return "short last record \(record) at byte \(grouped(offset)): \(grouped(found)) bytes, "
                + "too few for the layout to size it"
        case let .missingFileHeader(expected, found):
            return "the input ends after \(grouped(found)) of the \(grouped(expected)) file header bytes"
        case let .missingFileTrailer(expected, found):
            return "the input ends with \(grouped(found)) bytes after the header, fewer than the "
                + "\(grouped(expected)) file trailer bytes"
        case let .recordDoesNotFit(record, length, reason):
            return "record \(record) of \(grouped(length)) bytes cannot be written: \(reason)"
        case let .invalidFormat(option, reason):
            return "record format option \(option): \(reason)"
        case let .readFailed(offset, errno):
            return "read failed at byte \(grouped(offset)): errno \(errno)"
        case let .writeFailed(offset, errno):
            return "write failed at byte \(grouped(offset)): errno \(errno)"
        }
    }
}

/// `3145772` → `3,145,772`.
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = value < 0 ? "-" : ""
    for (index, character) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
        out.append(character)
    }
    return out
}

func hex(_ bytes: [UInt8]) -> String {
    let digits: [Character] = Array("0123456789ABCDEF")
    var out = ""
    for (index, byte) in bytes.enumerated() {
        if index > 0 { out.append(" ") }
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return out
}
