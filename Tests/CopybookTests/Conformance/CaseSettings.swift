/// Test-local description of how one conformance case must be decoded: plain values the lead maps onto the real
/// decoder options in `decodeRecords(_:variant:)`. Nothing here is product API.
struct CaseSettings: Sendable, Hashable {
    /// The copybook: a file in the case folder, or inline text (field-level vectors).
    var copybook: Source
    /// The data: a file in the case folder, or inline bytes (field-level vectors).
    var data: Source
    /// How the data is cut into records.
    var framing: RecordFraming
    /// Bytes to skip at the start of the file (cobrix `file_start_offset`). Default: 0.
    var fileHeaderBytes = 0
    /// Bytes to ignore at the end of the file (cobrix `file_end_offset`). Default: 0.
    var fileTrailerBytes = 0
    /// Bytes at the start of each record that the copybook does not describe (cobrix `record_start_offset`).
    var recordStartOffset = 0
    /// Bytes at the end of each record that the copybook does not describe (cobrix `record_end_offset`).
    var recordEndOffset = 0
    /// Code page for text fields (and zoned digits).
    var codePage: CodePageName
    /// Which spaces to trim from text fields. Default: trailing (Ferry's default).
    var trimming: TextTrimming = .trailing
    /// Storage of `OCCURS … DEPENDING ON` tables.
    var odoStorage: ODOStorage = .maximumSize
    /// COMP-1 / COMP-2 format. Default: IBM hexadecimal floating point.
    var floatFormat: FloatFormat = .ibmHexadecimal
    /// Byte order of COMP-5 items. Default: big-endian (mainframe).
    var comp5ByteOrder: ByteOrder = .bigEndian
    /// Storage size of COMP / COMP-4 / BINARY items by digit count. Default: IBM (2/4/8 bytes).
    var binarySizes: BinarySizes = .ibm
    /// What `SYNC` does to offsets. Default: ignored (no slack bytes).
    var sync: SyncAlignment = .ignored
    /// Which REDEFINES alternatives are emitted. Default: all, side by side.
    var redefines: RedefinesSelection = .allAlternatives
    /// A field whose bytes are all LOW-VALUES (0x00) decodes to null (cobrix `improved_null_detection`).
    var lowValuesAreNull = false
    /// What happens to invalid field data or a short record. Default: strict (decoding throws).
    var invalidData: InvalidDataPolicy = .strict
    /// Sign convention of signed zoned DISPLAY numbers.
    var zonedSigns: ZonedSignConvention = .ebcdic
    /// Whether a single top-level group is removed from the output. Default: collapsed.
    var rootGroup: RootGroup = .collapse
    /// DISPLAY numbers with spaces around their digits are read as numbers (cobrix's default). Default: false.
    var relaxedDisplayNumbers = false
    /// FILLER items (and everything below a FILLER group) are never emitted. Default: true.
    var dropFillers = true

    enum Source: Sendable, Hashable {
        case file(String)
        case text(String)
        case bytes([UInt8])
    }
}

/// How a data file is cut into records.
enum RecordFraming: Sendable, Hashable {
    /// Fixed-length records; `nil` means the copybook's size (plus record start/end offsets).
    case fixed(length: Int?)
    /// A 4-byte record descriptor word before each record.
    case rdw(RDWHeader)
    /// The record length is a field of the record itself: `length = value + adjustment` (cobrix
    /// `record_length_field` + `rdw_adjustment`).
    case lengthField(name: String, adjustment: Int)
    /// Records laid end to end without any prefix; each is as long as its ODO counts make it.
    case variableFromLayout
    /// Text lines ending in CRLF or LF (line-sequential files).
    case lineSequential
}

/// A record descriptor word.
struct RDWHeader: Sendable, Hashable {
    enum Layout: Sendable, Hashable {
        /// IBM: bytes 0–1 are the length, big-endian; bytes 2–3 are zero.
        case bigEndian
        /// cobrix `is_rdw_big_endian=false`: bytes 2–3 are the length, little-endian (`00 00 LL HH`).
        case littleEndian
    }
    var layout: Layout
    /// The length counts the 4 header bytes too (IBM semantics); otherwise it is the payload length.
    var includesHeader: Bool
}

/// Names of the text code pages. `cobrix*` names are cobrix's own tables, not IBM ones: decode them with the IBM
/// table named in the doc, the comparator reduces our text to cobrix's table (see `TextComparison`).
enum CodePageName: String, Sendable, Hashable {
    case cp037, cp273, cp500, cp1140, cp1141, cp1148
    case ascii
    /// cobrix `common`: decode as cp037; cobrix keeps only the EBCDIC invariant characters.
    case cobrixCommon = "common"
    /// cobrix `common_extended`: decode as cp037; invariant characters plus ASCII control codes.
    case cobrixCommonExtended = "common_extended"
    /// cobrix `cp037_extended`: decode as cp037 (cobrix differs only in control characters).
    case cobrixCP037Extended = "cp037_extended"

    /// The IBM CCSID the decoder should use, nil for ASCII.
    var ccsid: Int? {
        switch self {
        case .cp037, .cobrixCommon, .cobrixCommonExtended, .cobrixCP037Extended: 37
        case .cp273: 273
        case .cp500: 500
        case .cp1140: 1140
        case .cp1141: 1141
        case .cp1148: 1148
        case .ascii: nil
        }
    }
}

enum TextTrimming: String, Sendable, Hashable { case none, leading, trailing, both }

enum ODOStorage: String, Sendable, Hashable {
    /// The record always reserves the maximum count's storage (cobrix default `variable_size_occurs=false`).
    case maximumSize
    /// Only the live elements take space; the following fields shift (IBM, JRecord, LegStar).
    case shifting
}

enum FloatFormat: String, Sendable, Hashable { case ibmHexadecimal, ieee754 }

enum ByteOrder: String, Sendable, Hashable { case bigEndian, littleEndian }

enum BinarySizes: String, Sendable, Hashable {
    /// IBM: 1–4 digits 2 bytes, 5–9 digits 4 bytes, 10–18 digits 8 bytes.
    case ibm
    /// IBM sizes up to 18 digits, then cobrix's extension: 19–20 digits 9 bytes, up to 28 digits 12 bytes, up to 38
    /// digits 16 bytes (big-endian two's complement). Not IBM; only cobrix-07 uses it.
    case ibmWithCobrixExtension
    /// GnuCOBOL default (`binary-size: 1-2-4-8`): 1–2 digits 1 byte, 3–4 → 2, 5–9 → 4, 10–18 → 8.
    case gnuCOBOL1248
    /// Micro Focus / GnuCOBOL `-std=mf`: the fewest bytes that hold the digits (1…8 bytes; unsigned items hold
    /// more digits per size).
    case minimalBytes
}

enum SyncAlignment: String, Sendable, Hashable {
    case ignored
    /// A SYNC binary item starts at a multiple of its own size (2, 4 or 8) from the record start (GnuCOBOL mvs).
    case itemSize
    /// As `itemSize`, but never beyond a 4-byte boundary (Fujitsu).
    case itemSizeAtMost4
}

enum RedefinesSelection: Sendable, Hashable {
    /// Every alternative is decoded and emitted side by side.
    case allAlternatives
    /// The value of `field` selects one alternative (by name) of the REDEFINES set; the others are not emitted.
    /// `otherwise` names the alternative for values not in the map (nil: none of the mapped alternatives).
    case segmentMap(field: String, alternatives: [String: String], otherwise: String?)
}

enum InvalidDataPolicy: String, Sendable, Hashable {
    /// Invalid data or a short record throws, naming record, offset and field.
    case strict
    /// Invalid data becomes null (and is reported); a short last record decodes what is there.
    case lenient
}

enum ZonedSignConvention: String, Sendable, Hashable {
    /// EBCDIC zones: C/A/E/F positive, D/B negative.
    case ebcdic
    /// ASCII overpunch in the last digit: `{` `A`–`I` positive 0–9, `}` `J`–`R` negative 0–9.
    case asciiOverpunch
}

enum RootGroup: String, Sendable, Hashable { case collapse, keep }
