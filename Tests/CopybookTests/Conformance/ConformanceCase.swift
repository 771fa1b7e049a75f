import Events
import Testing

/// One case folder of `../shared/conformance/mainframe/` and how to check it.
struct ConformanceCase: Sendable, CustomTestStringConvertible {
    /// The folder name, e.g. `cobrix-04-multisegment-rdw-little-endian`.
    let name: String
    /// What the case proves, in one line.
    let checks: String
    /// One decode per expected file (a case may have several: trimming policies, code pages, copybooks).
    let variants: [ConformanceVariant]

    var testDescription: String { name }
}

/// One decode of a case compared with one expected file.
struct ConformanceVariant: Sendable {
    /// Short name, e.g. `test5c` or `cp273`.
    let name: String
    let settings: CaseSettings
    let expected: ExpectedSource
    var rules: ComparisonRules = ComparisonRules()
    /// Deliberate differences from the expected file, each with its reason, applied only to the named fields.
    var deviations: [DocumentedDeviation] = []
}

/// Where the expected output is and how it is written.
enum ExpectedSource: Sendable, Hashable {
    /// cobrix `df.toJSON`: one object per line, names with `_`, nulls absent (§1a).
    case sparkJSONLines(String)
    /// cobrix pretty JSON: one array, or objects written one after another (§1a).
    case sparkPrettyJSON(String)
    /// JRecord delimited text with a header line (§1b).
    case delimited(String, separator: UInt8, naming: ColumnNaming)
    /// AWS mainframe-data-utilities `|` text (§1c), columns named by the MDU layout file beside it.
    case awsPipe(String, layout: String, shape: AWSShape)
    /// JSON Lines keyed by COBOL names, decimals as strings (§1d).
    case derivedJSONLines(String)
    /// One JSON object keyed by COBOL names, decimals as strings (LegStar transcription).
    case derivedJSONObject(String)
    /// GnuCOBOL binary fixtures: line 1 the layout, then `{"record", "NumA", "expected_checked_fields"}` (§1d).
    case checkedFields(String)
    /// Record count, histograms, first three and last record (§1d).
    case summary(String)
    /// The byte-diffed invalid fields of a corrupted file; every other field as in the delimited file `valid`.
    case invalidFields(String, valid: String)
    /// JRecord's fixed-column DISPLAY field vectors (TestData.cbl).
    case fieldVectors(String)
    /// Decoding must fail (strict mode on bad input); the string says why.
    case decodingFails(String)

    /// The expected file read by the readers (nil for `decodingFails`).
    var fileName: String? {
        switch self {
        case let .sparkJSONLines(file), let .sparkPrettyJSON(file), let .delimited(file, _, _),
            let .awsPipe(file, _, _), let .derivedJSONLines(file), let .derivedJSONObject(file),
            let .checkedFields(file), let .summary(file), let .invalidFields(file, _), let .fieldVectors(file):
            file
        case .decodingFails: nil
        }
    }
}

/// How a delimited file's header names map to COBOL names.
enum ColumnNaming: Sendable, Hashable {
    /// The header holds the COBOL names.
    case cobolNames
    /// The header dropped a prefix and wrote `_` for `-` (`KEYCODE_NO` for `DTAR020-KEYCODE-NO`).
    case prefixDropped(String)
}

/// The two AWS files' column shapes.
enum AWSShape: Sendable, Hashable {
    /// One column per field of the layout chosen by the MDU rules (`transf-rule` on bytes at an offset).
    case layoutRules
    /// Fixed columns, then an ODO table written as `slots` groups of columns, absent slots empty.
    case odoSlots(fixedColumns: Int, slotColumns: Int, slots: Int, table: String)
}

/// How our records and the expected ones are compared (beyond the defaults of the expected format).
struct ComparisonRules: Sendable, Hashable {
    /// Records are sorted by these COBOL field names before comparing (Spark `orderBy`); empty: file order.
    var orderBy: [String] = []
    /// Only records whose field equals the value are compared (cobrix `segment_filter`), applied to our output.
    var keepOnly: RecordFilter?
    /// How our text is brought to the expected file's conventions before comparing.
    var text: TextComparison = .exact
    /// The expected file wrote numeric nulls as 0 (`na.fill(0)`): an expected 0 also matches our null.
    var nullsWrittenAsZero = false
    /// Compare the decimal scale too (`30.50` is not `30.5`).
    var compareScale = true
    /// COBOL names of COMP-1/COMP-2 fields, compared within `floatTolerance` (relative).
    var floatFields: Set<String> = []
    var floatTolerance = 1e-6
    /// Names are compared without regard to case.
    var caseInsensitiveNames = false
}

/// Keeps the records whose field (COBOL name) has this text value.
struct RecordFilter: Sendable, Hashable {
    var field: String
    var value: String
}

/// How our (IBM-table) text is reduced to the expected file's convention before the exact comparison.
enum TextComparison: Sendable, Hashable {
    case exact
    /// cobrix `common`: only the EBCDIC invariant characters survive, everything else is a space, CR and LF swap;
    /// then Java `trim()` per the trimming policy.
    case cobrixCommon(TextTrimming)
    /// cobrix `common_extended`: `common` plus ASCII control codes (several become SUB).
    case cobrixCommonExtended(TextTrimming)
    /// cobrix `cpNNN` tables: C1 controls except NEL become a space, CR and LF swap, cp273 U+203E is U+00AF;
    /// `allControlsToSpace` for the non-extended cp037 table (C0 controls, DEL and C1 except NEL become spaces).
    case cobrixCodePage(TextTrimming, overlineAsMacron: Bool, allControlsToSpace: Bool)
    /// AWS MDU: LOW-VALUES removed, trailing spaces stripped.
    case lowValuesRemoved
}

/// A deliberate difference from the expected file, with its reason, for the named fields only.
struct DocumentedDeviation: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// The field is not compared.
        case notCompared
        /// Where the expected file has null, any value of ours is accepted.
        case anyValueWhereExpectedNull
        /// Where the expected file has a value, our null is accepted too.
        case nullAccepted
        /// Our value may also be one of these.
        case alsoAccepted([JSONValue])
    }
    /// Field paths in expected-file naming with `[*]` for any index (`TAXPAYER.TAXPAYER_NUM`); a bare name matches
    /// that leaf anywhere; `FILLER*` matches every name starting with FILLER.
    let fields: [String]
    let kind: Kind
    let reason: String
    /// 0-based record indices the deviation is limited to (empty: all).
    var records: Set<Int> = []
}
