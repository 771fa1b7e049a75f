/// How the records of a mainframe file are framed: where each record starts and how long it is.
///
/// A format is a ``Framing`` (fixed length, RDW, BDW blocks of RDW records, a length field inside the record,
/// or a length the record layout computes) plus the bytes to skip around it: a file header and trailer, and bytes
/// before and after the part of each record that the copybook describes (cobrix `file_start_offset`,
/// `file_end_offset`, `record_start_offset`, `record_end_offset`).
///
/// Vocabulary used throughout: the **payload** is the physical record that the framing delimits (after its RDW,
/// if any); the **described part** is the payload without the record start and end offset bytes, i.e. what the
/// copybook layout describes.
public struct RecordFormat: Sendable {
    /// The rule that delimits one record.
    public enum Framing: Sendable {
        /// Fixed-length records (RECFM F/FB): every payload is exactly `length` bytes (including any record start
        /// and end offset bytes).
        case fixed(length: Int)
        /// Variable-length records (RECFM V), each preceded by a 4-byte record descriptor word.
        case rdw(RDWFormat)
        /// Blocked variable-length records (RECFM VB as written by z/OS with BDWs kept): blocks that start with a
        /// 4-byte block descriptor word and contain RDW records that exactly fill the block.
        case bdw(BDWFormat, RDWFormat)
        /// Records whose length is stored in a field inside the record (cobrix `record_length_field`).
        case lengthField(RecordLengthField)
        /// Records whose length follows from the layout (OCCURS DEPENDING ON), computed by the record decoder.
        case layout(RecordLengthFunction)
    }

    /// The rule that delimits one record.
    public var framing: Framing
    /// Bytes at the start of the input that belong to no record (cobrix `file_start_offset`). Default: 0.
    public var fileHeaderBytes: Int
    /// Bytes at the end of the input that belong to no record (cobrix `file_end_offset`). Works on pipes: the
    /// reader holds back this many bytes until the input ends. Default: 0.
    public var fileTrailerBytes: Int
    /// Bytes at the start of every payload that the layout does not describe (cobrix `record_start_offset`).
    /// Default: 0.
    public var recordStartOffset: Int
    /// Bytes at the end of every payload that the layout does not describe (cobrix `record_end_offset`).
    /// Default: 0.
    public var recordEndOffset: Int

    /// A format with the given framing and, by default, nothing skipped.
    public init(
        _ framing: Framing, fileHeaderBytes: Int = 0, fileTrailerBytes: Int = 0, recordStartOffset: Int = 0,
        recordEndOffset: Int = 0
    ) {
        self.framing = framing
        self.fileHeaderBytes = fileHeaderBytes
        self.fileTrailerBytes = fileTrailerBytes
        self.recordStartOffset = recordStartOffset
        self.recordEndOffset = recordEndOffset
    }

    /// Fixed-length records of `length` bytes (RECFM F/FB).
    public static func fixed(length: Int) -> RecordFormat { RecordFormat(.fixed(length: length)) }
    /// RDW records; Default: IBM (big-endian, the length includes the 4 RDW bytes).
    public static func rdw(_ rdw: RDWFormat = RDWFormat()) -> RecordFormat { RecordFormat(.rdw(rdw)) }
    /// BDW blocks of RDW records; Default: IBM for both descriptor words.
    public static func bdw(_ bdw: BDWFormat = BDWFormat(), _ rdw: RDWFormat = RDWFormat()) -> RecordFormat {
        RecordFormat(.bdw(bdw, rdw))
    }

    /// Bytes skipped around the described part of each payload.
    var recordOffsetBytes: Int { recordStartOffset &+ recordEndOffset }

    /// Checks that every number is in range; the error names the offending option.
    public func validate() throws(RecordFormatError) {
        func nonNegative(_ value: Int, _ name: String) throws(RecordFormatError) {
            if value < 0 { throw .invalidFormat(option: name, reason: "\(value) is negative") }
        }
        try nonNegative(fileHeaderBytes, "fileHeaderBytes")
        try nonNegative(fileTrailerBytes, "fileTrailerBytes")
        try nonNegative(recordStartOffset, "recordStartOffset")
        try nonNegative(recordEndOffset, "recordEndOffset")
        switch framing {
        case .fixed(let length):
            if length <= recordOffsetBytes {
                throw .invalidFormat(
                    option: "fixed.length",
                    reason: "\(length) leaves no described bytes after record offsets of \(recordOffsetBytes)")
            }
        case .rdw(let rdw):
            try rdw.validate(prefix: "rdw")
        case .bdw(let bdw, let rdw):
            try rdw.validate(prefix: "rdw")
            if bdw.minimumBlockBytes < 0 {
                throw .invalidFormat(option: "bdw.minimumBlockBytes", reason: "\(bdw.minimumBlockBytes) is negative")
            }
        case .lengthField(let field):
            try nonNegative(field.offset, "lengthField.offset")
            switch field.encoding {
            case .binaryBigEndian, .binaryLittleEndian:
                if !(1...8).contains(field.width) {
                    throw .invalidFormat(option: "lengthField.width", reason: "\(field.width) is not 1...8 bytes")
                }
            case .digits:
                if !(1...18).contains(field.width) {
                    throw .invalidFormat(option: "lengthField.width", reason: "\(field.width) is not 1...18 digits")
                }
            }
        case .layout:
            break
        }
    }
}

/// The byte order of a 4-byte descriptor word (RDW or BDW).
public enum DescriptorByteOrder: Sendable, Hashable {
    /// IBM: `LL LL 00 00`, the length big-endian in bytes 1–2, bytes 3–4 zero.
    case bigEndian
    /// cobrix's "little-endian" descriptor: the IBM word byte-swapped, `00 00 LL HH` — bytes 1–2 zero, the
    /// length little-endian in bytes 3–4 (cobrix `is_rdw_big_endian=false`, its default).
    case littleEndian
}

/// The layout of a record descriptor word (RDW): 2 length bytes and 2 zero bytes in front of every V record.
///
/// IBM (DFSMS "Using Data Sets", variable-length record formats): `LL` includes the 4 RDW bytes; bytes 3–4 are
/// zero (other values mean spanned segments, RECFM VS/VBS, which this reader does not reassemble).
public struct RDWFormat: Sendable, Hashable {
    /// Where the length sits. Default: `.bigEndian`.
    public var byteOrder: DescriptorByteOrder
    /// Whether the length counts the 4 RDW bytes (IBM) or only the payload (cobrix test5b, GnuCOBOL
    /// `COB_VARSEQ_FORMAT` 0). Default: true.
    public var lengthIncludesHeader: Bool
    /// The smallest payload accepted. An RDW announcing fewer bytes is an error (an all-zero RDW is garbage, not an
    /// endless run of empty records). Default: 1.
    public var minimumPayloadBytes: Int

    /// An RDW layout; the defaults are IBM's.
    public init(byteOrder: DescriptorByteOrder = .bigEndian, lengthIncludesHeader: Bool = true, minimumPayloadBytes: Int = 1) {
        self.byteOrder = byteOrder
        self.lengthIncludesHeader = lengthIncludesHeader
        self.minimumPayloadBytes = minimumPayloadBytes
    }

    /// The smallest length value a valid RDW carries.
    var minimumLengthValue: Int { minimumPayloadBytes + (lengthIncludesHeader ? 4 : 0) }
    /// The largest payload the 2-byte length can express.
    var maximumPayloadBytes: Int { 0xFFFF - (lengthIncludesHeader ? 4 : 0) }

    func validate(prefix: String) throws(RecordFormatError) {
        if minimumPayloadBytes < 0 {
            throw .invalidFormat(option: "\(prefix).minimumPayloadBytes", reason: "\(minimumPayloadBytes) is negative")
        }
    }
}

/// The layout of a block descriptor word (BDW) in front of every block of a VB file.
///
/// IBM: `LL LL 00 00` where the length includes the 4 BDW bytes. With the large block interface, bit 0 set marks an
/// extended BDW whose remaining 31 bits are the length (big-endian only).
public struct BDWFormat: Sendable, Hashable {
    /// Where the length sits. Default: `.bigEndian`.
    public var byteOrder: DescriptorByteOrder
    /// Whether the length counts the 4 BDW bytes (IBM). Default: true.
    public var lengthIncludesHeader: Bool
    /// The smallest block accepted, BDW included. Default: 8 (a BDW and one RDW).
    public var minimumBlockBytes: Int

    /// A BDW layout; the defaults are IBM's.
    public init(byteOrder: DescriptorByteOrder = .bigEndian, lengthIncludesHeader: Bool = true, minimumBlockBytes: Int = 8) {
        self.byteOrder = byteOrder
        self.lengthIncludesHeader = lengthIncludesHeader
        self.minimumBlockBytes = minimumBlockBytes
    }
}

/// A record length stored inside the record (cobrix `record_length_field` plus `rdw_adjustment`).
///
/// The payload length is `value + adjustment`, where `value` is read from `width` bytes at `offset` from the start
/// of the payload. cobrix-06: `RECORD-LENGTH PIC 9(4) COMP` at offset 0 holds the length without its own 4 bytes,
/// so `adjustment` is 4.
public struct RecordLengthField: Sendable, Hashable {
    /// How the length is stored.
    public enum Encoding: Sendable, Hashable {
        /// An unsigned big-endian binary integer (COMP / BINARY on z/OS).
        case binaryBigEndian
        /// An unsigned little-endian binary integer (COMP-5 written on a PC).
        case binaryLittleEndian
        /// Unsigned decimal digits, one per byte: EBCDIC zoned (`F0`–`F9`) or ASCII text (`30`–`39`).
        case digits
    }

    /// Offset of the field from the start of the payload.
    public var offset: Int
    /// Width of the field in bytes.
    public var width: Int
    /// How the length is stored.
    public var encoding: Encoding
    /// Added to the stored value to give the payload length. Default: 0.
    public var adjustment: Int

    /// A length field of `width` bytes at `offset`.
    public init(offset: Int, width: Int, encoding: Encoding, adjustment: Int = 0) {
        self.offset = offset
        self.width = width
        self.encoding = encoding
        self.adjustment = adjustment
    }
}

/// Why a ``RecordLengthFunction`` could not size a record (for example an ODO count out of range).
public struct RecordLengthRejection: Error, Sendable, Hashable {
    /// What was wrong, naming the field and the value found.
    public var message: String
    /// A rejection with a message.
    public init(_ message: String) { self.message = message }
}

/// A record length computed by the record decoder from the layout (OCCURS DEPENDING ON).
///
/// The function receives the described part of the record as far as it has been read (at least 1 byte, at the
/// record start offset) and returns the length of the described part, or nil when it needs more bytes to tell.
/// The reader then reads more and calls it again. The record start and end offset bytes are added by the reader.
public struct RecordLengthFunction: Sendable {
    /// Computes the described length from the bytes read so far, or nil to ask for more.
    public let length: @Sendable (_ available: UnsafeRawBufferPointer) throws(RecordLengthRejection) -> Int?

    /// Wraps the record decoder's length computation.
    public init(_ length: @escaping @Sendable (_ available: UnsafeRawBufferPointer) throws(RecordLengthRejection) -> Int?) {
        self.length = length
    }
}
