/// Why a copybook could not be read or laid out. Every case carries the source name, the `line:column`, and the
/// field name when one is known; ``description`` renders the conventional
/// `claims.cpy:14:23: CLAIM-AMT: expected a PICTURE string after PIC, found '.'`.
public enum CopybookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text does not follow the grammar: `expected` describes what should come, `found` is what is there.
    case syntax(source: String, location: SourceLocation, field: String?, expected: String, found: String)
    /// A PICTURE string is malformed (`reason` says how).
    case invalidPicture(source: String, location: SourceLocation, field: String?, picture: String, reason: String)
    /// A REDEFINES, DEPENDING ON or RENAMES name that names no suitable item.
    case unresolvedReference(source: String, location: SourceLocation, field: String?, reference: String,
                             reason: String)
    /// Clauses or levels that are each valid but cannot go together (`reason` says why).
    case invalidEntry(source: String, location: SourceLocation, field: String?, reason: String)
    /// Valid COBOL that Ferry does not support (`feature` names it).
    case unsupported(source: String, location: SourceLocation, field: String?, feature: String)

    /// The source name (file name) the error is in.
    public var source: String {
        switch self {
        case .syntax(let s, _, _, _, _), .invalidPicture(let s, _, _, _, _), .unresolvedReference(let s, _, _, _, _),
             .invalidEntry(let s, _, _, _), .unsupported(let s, _, _, _):
            return s
        }
    }

    /// Line and column of the offending text.
    public var location: SourceLocation {
        switch self {
        case .syntax(_, let l, _, _, _), .invalidPicture(_, let l, _, _, _), .unresolvedReference(_, let l, _, _, _),
             .invalidEntry(_, let l, _, _), .unsupported(_, let l, _, _):
            return l
        }
    }

    /// The data item being described, when known.
    public var field: String? {
        switch self {
        case .syntax(_, _, let f, _, _), .invalidPicture(_, _, let f, _, _), .unresolvedReference(_, _, let f, _, _),
             .invalidEntry(_, _, let f, _), .unsupported(_, _, let f, _):
            return f
        }
    }

    /// What went wrong, without the position prefix.
    public var message: String {
        switch self {
        case .syntax(_, _, _, let expected, let found): return "expected \(expected), found \(found)"
        case .invalidPicture(_, _, _, let picture, let reason): return "invalid PICTURE '\(picture)': \(reason)"
        case .unresolvedReference(_, _, _, let reference, let reason): return "'\(reference)': \(reason)"
        case .invalidEntry(_, _, _, let reason): return reason
        case .unsupported(_, _, _, let feature): return "not supported: \(feature)"
        }
    }

    /// `source:line:column: FIELD: message`.
    public var description: String {
        "\(source):\(location.line):\(location.column): " + (field.map { "\($0): " } ?? "") + message
    }
}
