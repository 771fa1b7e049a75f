/// An elementary item with its full path and its OCCURS dimensions: the flattened view a record decoder iterates.
///
/// In a record without ODO, occurrence `(i₁, …, iₙ)` (0-based, outermost first) of the field starts at
/// `offset + Σ iₖ × dimensions[k].stride` and is `size` bytes long. With ODO, see ``RecordLayout`` for the
/// actual offsets (``isVariablyLocated``).
public struct ElementaryField: Sendable, Hashable {
    /// The item's id in ``RecordLayout/items``.
    public var item: DataItem.ID
    /// Names from the root to the item, e.g. `["CLAIM-RECORD", "CLAIM-LINES", "LINE-AMT"]`.
    public var path: [String]
    /// Static byte offset of the first occurrence (all indexes 0, every ODO at its maximum).
    public var offset: Int
    /// Bytes of one occurrence.
    public var size: Int
    /// The tables the field lies in, outermost first (the field's own OCCURS last, if it has one).
    public var dimensions: [OccursDimension]
    /// The nearest item on the path (the field itself included) that has a REDEFINES clause, or `nil` when the
    /// field is in the first (redefined) view of all its storage.
    public var redefiningItem: DataItem.ID?
    /// `true` when the field's position depends on an ODO count (see ``DataItem/isVariablyLocated``).
    public var isVariablyLocated: Bool

    public init(item: DataItem.ID, path: [String], offset: Int, size: Int, dimensions: [OccursDimension],
                redefiningItem: DataItem.ID?, isVariablyLocated: Bool) {
        self.item = item; self.path = path; self.offset = offset; self.size = size; self.dimensions = dimensions
        self.redefiningItem = redefiningItem; self.isVariablyLocated = isVariablyLocated
    }
}

/// One OCCURS level a field lies in.
public struct OccursDimension: Sendable, Hashable {
    /// The item that has the OCCURS clause.
    public var table: DataItem.ID
    /// Least and greatest number of occurrences (equal for a fixed table).
    public var minimum: Int
    /// Greatest number of occurrences (storage is reserved for this many).
    public var maximum: Int
    /// Bytes from one occurrence to the next in the static layout (the table item's ``DataItem/storageSize``).
    public var stride: Int
    /// The DEPENDING ON object's id, or `nil` for a fixed table.
    public var dependingOn: DataItem.ID?
    public init(table: DataItem.ID, minimum: Int, maximum: Int, stride: Int, dependingOn: DataItem.ID?) {
        self.table = table; self.minimum = minimum; self.maximum = maximum; self.stride = stride
        self.dependingOn = dependingOn
    }
}
