/// A parsed PICTURE character-string (IBM Enterprise COBOL Language Reference, "PICTURE clause").
///
/// Examples: `S9(7)V99` is numeric, 9 digits, scale 2, signed, display length 9. `9(5)PPP` has 5 digits and
/// scale −3 (value = digits × 10³); `PPP9(5)` has 5 digits and scale 8 (value = digits × 10⁻⁸) (hard case H7).
/// `ZZ,ZZ9.99-` is numeric-edited with ``editPattern`` `ZZ,ZZ9.99-`.
public struct Picture: Sendable, Hashable, CustomStringConvertible {
    /// The category the PICTURE gives its item.
    public enum Category: String, Sendable, Hashable {
        /// Only `A` (and `B`): letters and spaces.
        case alphabetic
        /// `X`, or a mix of `A`/`9`/`X` without editing symbols.
        case alphanumeric
        /// `9`, `S`, `V`, `P` only.
        case numeric
        /// Numeric with editing symbols: `Z * + - CR DB . , B 0 / $`.
        case numericEdited
        /// `X` or `A` with insertion symbols `B 0 /`.
        case alphanumericEdited
        /// `N`: national characters (UTF-16).
        case national
        /// `G`: DBCS characters.
        case dbcs
    }

    /// The character-string exactly as written (`s9(7)v99`).
    public var source: String
    /// Upper-cased with every repetition expanded and `CR`/`DB` kept as two characters (`S9999999V99`).
    public var expanded: String
    /// The category.
    public var category: Category
    /// Number of digit positions stored (`9`, and for edited pictures `Z`, `*` and all but the first of a
    /// floating `+`/`-`/`$` string); `P` positions are not counted. 0 for non-numeric categories.
    public var digits: Int
    /// Power of ten dividing the stored digits: digits right of the assumed (`V`) or actual (`.`) point, plus
    /// leading `P`s; negative for trailing `P`s (`9(5)PPP` → −3).
    public var scale: Int
    /// `true` when the PICTURE has `S` (or, for numeric-edited, a sign symbol `+ - CR DB`).
    public var isSigned: Bool
    /// Character positions the item occupies in DISPLAY (or national/DBCS positions): all symbols except
    /// `S`, `V` and `P`; `CR`/`DB` count as two. A separate sign adds one byte on top (see ``SignClause``).
    public var displayLength: Int
    /// The number of `P` scaling positions.
    public var scalingPositions: Int

    public init(source: String, expanded: String, category: Category, digits: Int, scale: Int, isSigned: Bool,
                displayLength: Int, scalingPositions: Int) {
        self.source = source; self.expanded = expanded; self.category = category; self.digits = digits
        self.scale = scale; self.isSigned = isSigned; self.displayLength = displayLength
        self.scalingPositions = scalingPositions
    }

    /// The expanded editing pattern of an edited picture (numeric-edited or alphanumeric-edited), one character
    /// per symbol (`CR`/`DB` as two), or `nil` for other categories.
    public var editPattern: String? {
        category == .numericEdited || category == .alphanumericEdited ? expanded : nil
    }

    /// `true` for numeric and numeric-edited pictures.
    public var isNumeric: Bool { category == .numeric || category == .numericEdited }

    public var description: String { source }
}
