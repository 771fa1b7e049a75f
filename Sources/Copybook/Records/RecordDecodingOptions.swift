public import CodePages

/// How record bytes are turned into values. Every default follows IBM Enterprise COBOL on z/OS.
///
/// The record decoder (``RecordDecoder``) writes one JSON object per record: keys are the COBOL names exactly
/// as written (`CLAIM-ID`), groups are nested objects, a single 01 level is collapsed, OCCURS are arrays (with
/// OCCURS DEPENDING ON only the live elements), numbers are JSON numbers with exactly the picture's scale.
public struct RecordDecodingOptions: Sendable {
    /// How text fields (PIC X/A, edited pictures) are trimmed.
    public enum TextTrimming: String, Sendable, CaseIterable {
        /// Keep every character.
        case none
        /// Remove leading spaces.
        case left
        /// Remove trailing spaces (the default: COBOL pads text on the right).
        case right
        /// Remove leading and trailing spaces.
        case both
    }

    /// How an OCCURS DEPENDING ON table is stored in the record.
    public enum VariableOccursStorage: String, Sendable {
        /// The table takes count × element size and the following fields shift (z/OS, the default).
        case shifting
        /// The table always takes its maximum size; only `count` elements are live (some extracts, cobrix default).
        case maximumSize
    }

    /// How COMP-1 / COMP-2 bytes are read.
    public enum FloatingPointFormat: String, Sendable {
        /// IBM hexadecimal floating point, big-endian (z/OS, the default).
        case ibmHexadecimal
        /// IEEE 754, big-endian.
        case ieee754BigEndian
        /// IEEE 754, little-endian (PC-written files).
        case ieee754LittleEndian
    }


    /// Which alternatives of a REDEFINES are emitted.
    public enum RedefinesSelection: Sendable {
        /// Every alternative is decoded and emitted side by side (invalid views are reported per the null policy).
        case all
        /// Only the alternative chosen by a segment-id field is emitted: `field` names the field holding the id
        /// (its COBOL name, or a dotted path), `alternatives` maps an id value (trimmed text, or the number as
        /// written in JSON) to the name of the REDEFINES item to emit, `otherwise` is emitted for ids not in the
        /// map (none when nil). Only REDEFINES chains with a member named in the map are filtered.
        case segmentField(field: String, alternatives: [String: String], otherwise: String?)
    }

    /// What happens when a field holds data its picture cannot represent (bad packed nibble, letters in a
    /// numeric field, an ODO count above the maximum).
    public enum InvalidDataPolicy: String, Sendable {
        /// Fail the record with record number, byte offset, field path and the bytes in hex (the default).
        case strict
        /// Emit null for the field, list it in the record's error list (`_errors`) and count it.
        case lenient
    }

    /// Zoned-decimal sign conventions for DISPLAY numerics in ASCII files (EBCDIC files use zones C/D/F).
    public enum ASCIIZonedConvention: String, Sendable {
        /// IBM "modified ASCII" overpunch: `{ABCDEFGHI` positive, `}JKLMNOPQR` negative.
        case ibmOverpunch
        /// Zone 3 positive, zone 7 negative (`p`–`y`), as GnuCOBOL 3 writes.
        case strictASCII
        /// Fujitsu: 0x40+d positive, 0x50+d negative.
        case fujitsu
        /// JRecord's "GNU Cobol" type: 0x50+d negative.
        case gnuCOBOLJRecord
    }

    /// CCSID 037 (US/Canada EBCDIC), the default code page.
    public static let defaultCodePage: CodePage = try! CodePage(ccsid: 37)  // a built-in table: cannot fail

    /// The code page of text and zoned fields. Default: CCSID 037.
    public var codePage: CodePage
    /// Code pages for particular fields, by COBOL name or dotted path (`CLAIM-RECORD.PATIENT-NAME`).
    public var fieldCodePages: [String: CodePage]
    /// Default: `.right`.
    public var trimming: TextTrimming
    /// Default: `.shifting`.
    public var variableOccurs: VariableOccursStorage
    /// Default: `.ibmHexadecimal`.
    public var floatingPoint: FloatingPointFormat
    /// Byte order of COMP / COMP-4 / BINARY. Default: `.bigEndian`.
    public var binaryByteOrder: BinaryIntegerCodec.ByteOrder
    /// Byte order of COMP-5. Default: `.bigEndian` (z/OS); `.littleEndian` for PC-written files.
    public var nativeBinaryByteOrder: BinaryIntegerCodec.ByteOrder
    /// Used when the code page is ASCII-based. Default: `.ibmOverpunch`.
    public var asciiZonedConvention: ASCIIZonedConvention
    /// Default: `.all`.
    public var redefines: RedefinesSelection
    /// Default: `.strict`.
    public var invalidData: InvalidDataPolicy
    /// Only preferred signs are accepted in zoned and packed fields: C, D or F for signed items, F for unsigned ones
    /// (hard cases H1, H4). Off by default, when every sign IBM's NUMPROC(NOPFD) accepts decodes: A, C, E, F positive,
    /// B, D negative, and C for an unsigned item.
    public var strictSigns: Bool
    /// Emit FILLER items (each under the name `FILLER`). Default: false.
    public var keepFiller: Bool
    /// A text field made only of X'00' bytes is null. Default: true.
    public var lowValuesAsNull: Bool
    /// A numeric field made only of spaces (DISPLAY, edited, or packed bytes X'40') is null rather than invalid
    /// data. Numeric fields made only of X'00' are always null (LOW-VALUES mean "not set"). Default: true.
    public var blankNumericAsNull: Bool
    /// DISPLAY numeric and numeric-edited fields that fail strict decoding are read again as free-form text:
    /// spaces or LOW-VALUES around the digits, an optional leading or trailing `+`/`-`, an optional `.` (`"  33"`,
    /// `"789.09    "`). For files written by tools that pad numbers with spaces. Default: false (IBM: a space in a
    /// numeric field is invalid data).
    public var relaxedDisplayNumbers: Bool
    /// Emit a single 01 level's children at the top level. Default: true.
    public var collapseRoot: Bool
    /// Add `<FIELD>_debug` keys with the raw field bytes in upper-case hex. Default: false.
    public var debugHex: Bool

    public init(codePage: CodePage = RecordDecodingOptions.defaultCodePage) {
        self.codePage = codePage
        self.fieldCodePages = [:]
        self.trimming = .right
        self.variableOccurs = .shifting
        self.floatingPoint = .ibmHexadecimal
        self.binaryByteOrder = .bigEndian
        self.nativeBinaryByteOrder = .bigEndian
        self.asciiZonedConvention = .ibmOverpunch
        self.redefines = .all
        self.invalidData = .strict
        self.strictSigns = false
        self.keepFiller = false
        self.lowValuesAsNull = true
        self.blankNumericAsNull = true
        self.relaxedDisplayNumbers = false
        self.collapseRoot = true
        self.debugHex = false
    }
}
