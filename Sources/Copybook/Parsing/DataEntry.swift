/// One data description entry as written, before the records are built and laid out.
struct DataEntry {
    /// A name with `OF`/`IN` qualifiers, as written.
    struct QualifiedName {
        var name: String
        var qualifiers: [String]
        var location: SourceLocation
        var written: String { ([name] + qualifiers).joined(separator: " OF ") }
    }

    var level: Int
    var location: SourceLocation
    /// `nil` for FILLER and unnamed entries.
    var name: String?
    var isFiller: Bool
    var redefines: QualifiedName?
    var picture: Picture?
    var pictureLocation: SourceLocation?
    var usage: Usage?
    var usageLocation: SourceLocation?
    var sign: SignClause?
    var occurs: (minimum: Int, maximum: Int, dependingOn: QualifiedName?, keys: [Occurs.Key], indexNames: [String])?
    var occursLocation: SourceLocation?
    var synchronization: Synchronization?
    var isJustifiedRight = false
    var isBlankWhenZero = false
    var value: Literal?
    /// 88 values.
    var conditionValues: [ConditionName.Value] = []
    /// 66 RENAMES.
    var renames: (from: QualifiedName, through: QualifiedName?)?

    init(level: Int, location: SourceLocation) {
        self.level = level
        self.location = location
        self.isFiller = false
    }

    /// The name for diagnostics and the model (`FILLER` when unnamed).
    var displayName: String { name ?? "FILLER" }
}
