import Events

/// Why the conformance adapter could not decode.
enum ConformanceDecodingError: Error, CustomStringConvertible {
    case notWired(caseName: String, variant: String)

    var description: String {
        switch self {
        case let .notWired(caseName, variant):
            "conformance \(caseName)/\(variant): decoder not wired (ConformanceDecoding.swift decodeRecords)"
        }
    }
}

/// THE adapter between the conformance suite and the record decoder: decode `variant`'s data with its copybook
/// and settings and return one JSON object per record, as `ferry convert copybook` writes them (keys = COBOL names
/// as written, groups nested, single root collapsed unless `.keep`, OCCURS as arrays with only the live ODO
/// elements, numbers with exactly the PIC scale, text trimmed per `settings.trimming`, nulls as `.null`).
///
/// Files are in `ConformanceCorpus.caseFolder(conformanceCase)`; `settings.copybook`/`settings.data` may also be
/// inline (field vectors). Strict-mode failures must throw; lenient mode nulls invalid fields.
/// The harness applies `rules.keepOnly` and `rules.orderBy` itself: the decoder needs neither.
func decodeRecords(_ conformanceCase: ConformanceCase, variant: ConformanceVariant) throws -> [JSONValue] {
    throw ConformanceDecodingError.notWired(caseName: conformanceCase.name, variant: variant.name)
}
