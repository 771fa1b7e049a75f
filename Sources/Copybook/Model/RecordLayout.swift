/// One record of a copybook: a level-01 (or 77) item and everything under it, laid out.
///
/// Items are stored flat, in source (pre-order) order, in ``items``; `items[0]` is the root and an item's
/// ``DataItem/id`` is its index in that array. Groups list their children by id, so a consumer can walk the
/// tree (`layout.items[id].children`) or scan the array.
///
/// ## Static layout
/// Offsets (``DataItem/offset``) are computed with every `OCCURS … DEPENDING ON` table at its maximum count, which
/// is also how much storage the record reserves (``size``), as IBM does for the storage of a record area.
///
/// ## Actual offsets when the record has OCCURS DEPENDING ON
/// When ``hasVariableSize`` is `true`, records on file usually hold only the live elements and later items shift
/// (hard case H12). An item whose position can move has ``DataItem/isVariablyLocated``; an item whose size can
/// change (an ODO table, or a group containing one) has ``DataItem/hasVariableSize``. Compute actual positions by
/// walking the tree from the root in order, reading each ODO object's value before the table that depends on it
/// (COBOL requires the object to precede the table in the record):
///
/// 1. `actualOffset(root) = 0`.
/// 2. For the children `c₁ … cₙ` of a group `g` (one occurrence of it):
///    `actualOffset(cᵢ) = actualOffset(g) + (cᵢ.offset − g.offset) − Σ shrink(cⱼ)` over the earlier siblings
///    `cⱼ` (j < i) with `hasVariableSize` and `redefines == nil`. (Items that redefine share storage and never
///    add to it.) Items redefining `cⱼ` start at `actualOffset(cⱼ)`.
/// 3. `shrink(c) = c.totalSize − actualTotalSize(c)` where
///    `actualTotalSize(c) = Σ over occurrences k < count(c) of actualElementSize(c, k)` (`count(c)` is the
///    DEPENDING ON value, or the fixed count) and `actualElementSize(c, k) = c.storageSize − Σ shrink(children
///    of occurrence k)` for a group, `c.storageSize` for an elementary item.
/// 4. Occurrence `k` of a table starts at `actualOffset(table) + Σ_{m<k} actualElementSize(table, m)`; when the
///    table's elements contain no ODO this is `actualOffset(table) + k × storageSize`.
///
/// The record's actual length is `size − Σ shrink(children of the root)`. Counts outside `minimum…maximum` are
/// the consumer's policy (flag, clamp to the maximum); never index beyond ``Occurs/maximum``.
/// Without ODO every item's actual offset is its static ``DataItem/offset`` plus `Σ index × stride` over its
/// ``ElementaryField/dimensions``.
public struct RecordLayout: Sendable, Hashable {
    /// Every item of the record in source order; `items[0]` is the root (the 01 item). 88-level condition names
    /// are attached to their item (``DataItem/conditions``) and 66-level items are in ``renames``: neither
    /// appears here and neither takes storage.
    public var items: [DataItem]
    /// Level-66 RENAMES entries that follow this record, with their resolved byte ranges.
    public var renames: [Renames]
    /// The elementary items in source order with full paths and OCCURS dimensions: what a decoder iterates.
    /// Includes FILLER items and every REDEFINES alternative (``ElementaryField/redefiningItem`` tells which
    /// view a field belongs to).
    public var fields: [ElementaryField]
    /// `true` when the root was synthesized because the copybook starts at a level above 01 (`05`, `10`) with
    /// no 01 item; its name is then ``syntheticRootName``.
    public var hasSynthesizedRoot: Bool
    /// Storage size of the record in bytes, with every ODO table at its maximum count.
    public var size: Int
    /// Size in bytes with every ODO table at its minimum count (equals ``size`` when ``hasVariableSize`` is false).
    public var minimumSize: Int

    /// The name given to a synthesized root.
    public static let syntheticRootName = "RECORD"

    public init(items: [DataItem], renames: [Renames], fields: [ElementaryField], hasSynthesizedRoot: Bool,
                size: Int, minimumSize: Int) {
        self.items = items
        self.renames = renames
        self.fields = fields
        self.hasSynthesizedRoot = hasSynthesizedRoot
        self.size = size
        self.minimumSize = minimumSize
    }

    /// The root item (level 01 or 77, or the synthesized root).
    public var root: DataItem { items[0] }
    /// The record's COBOL name as written (the root's name).
    public var name: String { items[0].name }
    /// `true` when some OCCURS DEPENDING ON table makes the record's actual size vary.
    public var hasVariableSize: Bool { items[0].hasVariableSize }
    /// `true` when this 01 record REDEFINES another 01 record (it then describes the same record area).
    public var redefinesRecord: ItemReference? { items[0].redefines }

    /// The item with id `id`.
    public subscript(id: DataItem.ID) -> DataItem { items[id] }

    /// The children of `item`, in order.
    public func children(of item: DataItem) -> [DataItem] { item.children.map { items[$0] } }

    /// The first item whose path ends with `names` (compared case-insensitively), e.g. `["CLAIM-LINES",
    /// "LINE-AMT"]` or just `["LINE-AMT"]`; `nil` when there is none.
    public func item(path names: [String]) -> DataItem? {
        let wanted = names.map { $0.uppercased() }
        return items.first { item in
            item.path.count >= wanted.count
                && zip(item.path.suffix(wanted.count), wanted).allSatisfy { $0.uppercased() == $1 }
        }
    }
}
