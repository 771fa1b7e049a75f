/// One data description entry of a record (levels 01–49 and 77), with its clauses and its computed layout.
///
/// Elementary items have a ``picture`` (or a USAGE that needs none: COMP-1, COMP-2) and no ``children``;
/// groups have children. Values are exactly as written in the copybook; `Sendable` value type.
public struct DataItem: Sendable, Hashable, Identifiable {
    /// The index of the item in ``RecordLayout/items``.
    public typealias ID = Int

    /// Index in ``RecordLayout/items`` (the root is 0).
    public var id: ID
    /// The level number as written: 1–49 or 77 (66 and 88 entries are kept elsewhere).
    public var level: Int
    /// The COBOL name exactly as written (`Claim-Id`), or `FILLER` for FILLER and unnamed items.
    public var name: String
    /// `true` for `FILLER` and for entries written without a name.
    public var isFiller: Bool
    /// Where the entry's level number is in the source.
    public var location: SourceLocation
    /// The containing group (`nil` for the root).
    public var parent: ID?
    /// The subordinate items of a group, in order (empty for an elementary item).
    public var children: [ID]
    /// Names from the root to this item, e.g. `["CLAIM-RECORD", "CLAIM-LINES", "LINE-AMT"]`.
    public var path: [String]

    /// The effective USAGE: the item's own clause, else the nearest group's, else DISPLAY.
    public var usage: Usage
    /// The parsed PICTURE string (`nil` for groups and for COMP-1/COMP-2 items without one).
    public var picture: Picture?
    /// `SIGN [IS] LEADING|TRAILING [SEPARATE [CHARACTER]]`, own or inherited from a group; `nil` means the
    /// default, a trailing overpunched sign.
    public var sign: SignClause?
    /// `BLANK WHEN ZERO`.
    public var isBlankWhenZero: Bool
    /// `JUSTIFIED`/`JUST [RIGHT]`.
    public var isJustifiedRight: Bool
    /// `SYNCHRONIZED`/`SYNC [LEFT|RIGHT]`, or `nil`.
    public var synchronization: Synchronization?
    /// The `VALUE [IS]` literal, or `nil`.
    public var value: Literal?
    /// The 88-level condition names that follow the item.
    public var conditions: [ConditionName]
    /// `OCCURS`, or `nil` when the item does not repeat.
    public var occurs: Occurs?
    /// `REDEFINES name`, resolved to the redefined item, or `nil`.
    public var redefines: ItemReference?

    /// Byte offset of the item's first occurrence from the start of the record, every ODO at its maximum.
    public var offset: Int
    /// Storage size in bytes of one occurrence (including slack bytes inside a group).
    public var storageSize: Int
    /// Storage size of all occurrences: `storageSize × occurs.maximum` (or `storageSize` without OCCURS).
    public var totalSize: Int
    /// Slack bytes inserted before this item to align it (SYNCHRONIZED, hard case H10); 0 otherwise.
    public var slackBytesBefore: Int
    /// `true` when the item's position depends on an OCCURS DEPENDING ON count: it follows an ODO table (within
    /// the same record area) or lies inside the element of a table whose element size varies.
    public var isVariablyLocated: Bool
    /// `true` when the item's actual size depends on an ODO count: it is an ODO table or contains one.
    public var hasVariableSize: Bool
    /// The items whose OCCURS (fixed or DEPENDING ON) this item lies inside, outermost first, itself included.
    public var enclosingTables: [ID]

    public init(
        id: ID, level: Int, name: String, isFiller: Bool, location: SourceLocation, parent: ID?, children: [ID],
        path: [String], usage: Usage, picture: Picture?, sign: SignClause?, isBlankWhenZero: Bool,
        isJustifiedRight: Bool, synchronization: Synchronization?, value: Literal?, conditions: [ConditionName],
        occurs: Occurs?, redefines: ItemReference?, offset: Int, storageSize: Int, totalSize: Int,
        slackBytesBefore: Int, isVariablyLocated: Bool, hasVariableSize: Bool, enclosingTables: [ID]
    ) {
        self.id = id; self.level = level; self.name = name; self.isFiller = isFiller; self.location = location
        self.parent = parent; self.children = children; self.path = path; self.usage = usage
        self.picture = picture; self.sign = sign; self.isBlankWhenZero = isBlankWhenZero
        self.isJustifiedRight = isJustifiedRight; self.synchronization = synchronization; self.value = value
        self.conditions = conditions; self.occurs = occurs; self.redefines = redefines; self.offset = offset
        self.storageSize = storageSize; self.totalSize = totalSize; self.slackBytesBefore = slackBytesBefore
        self.isVariablyLocated = isVariablyLocated; self.hasVariableSize = hasVariableSize
        self.enclosingTables = enclosingTables
    }

    /// `true` for a group item (it has subordinate items).
    public var isGroup: Bool { !children.isEmpty }
    /// `true` for an elementary item.
    public var isElementary: Bool { children.isEmpty }
    /// The byte just past the last occurrence (static layout).
    public var endOffset: Int { offset + totalSize }
}

/// A position in copybook source: 1-based line and column. Columns count characters after tabs are expanded to
/// stops every 8 columns (as fixed-format compilers read them).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// 1-based column number.
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// The USAGE of an item: how its value is stored.
public enum Usage: String, Sendable, Hashable, CaseIterable {
    /// `DISPLAY`: one character (byte) per PICTURE position; zoned decimal for numeric items. Default.
    case display
    /// `BINARY`, `COMP`, `COMPUTATIONAL`, `COMP-4` (and `COMP-0`): big-endian two's complement sized by digits
    /// (``BinarySizePolicy``); values are limited by the PICTURE under TRUNC(STD).
    case binary
    /// `COMP-5`/`COMPUTATIONAL-5`: native binary, sized like ``binary`` but holding the full range of its bytes.
    case nativeBinary
    /// `COMP-3`, `PACKED-DECIMAL`: two digits per byte, sign in the last nibble; `(digits + 1) / 2` rounded up.
    case packedDecimal
    /// `COMP-1`: 4-byte single-precision floating point (IBM hexadecimal on z/OS).
    case singleFloat
    /// `COMP-2`: 8-byte double-precision floating point (IBM hexadecimal on z/OS).
    case doubleFloat
    /// `NATIONAL` (PIC N): UTF-16, 2 bytes per position.
    case national
    /// `DISPLAY-1` (PIC G): DBCS, 2 bytes per position.
    case dbcs
    /// `INDEX`: a 4-byte index data item.
    case index
    /// `POINTER`: a 4-byte address.
    case pointer

    /// `true` for the binary usages (COMP, COMP-4, BINARY, COMP-5).
    public var isBinary: Bool { self == .binary || self == .nativeBinary }
}

/// `SIGN [IS] LEADING|TRAILING [SEPARATE [CHARACTER]]`.
public struct SignClause: Sendable, Hashable {
    /// Where the sign is.
    public enum Position: String, Sendable, Hashable { case leading, trailing }
    /// Leading or trailing.
    public var position: Position
    /// `true` with SEPARATE: the sign is its own `+`/`-` character and takes one more byte.
    public var isSeparate: Bool
    public init(position: Position, isSeparate: Bool) { self.position = position; self.isSeparate = isSeparate }
}

/// `SYNCHRONIZED`/`SYNC [LEFT|RIGHT]`. LEFT and RIGHT are documentary on IBM compilers.
public enum Synchronization: String, Sendable, Hashable { case unspecified, left, right }

/// `OCCURS n [TIMES]` or `OCCURS m TO n [TIMES] DEPENDING ON name`, with keys and index names.
public struct Occurs: Sendable, Hashable {
    /// The least number of occurrences (`m`; equal to ``maximum`` for a fixed table).
    public var minimum: Int
    /// The number of occurrences storage is reserved for (`n`).
    public var maximum: Int
    /// The DEPENDING ON object, resolved to an item of the same record; `nil` for a fixed table.
    public var dependingOn: ItemReference?
    /// `ASCENDING|DESCENDING [KEY] [IS] name…` phrases, in order.
    public var keys: [Key]
    /// `INDEXED BY name…`: index names (they take no storage in the record).
    public var indexNames: [String]

    /// One sort key of a table.
    public struct Key: Sendable, Hashable {
        /// `true` for ASCENDING, `false` for DESCENDING.
        public var isAscending: Bool
        /// The key item's name as written.
        public var name: String
        public init(isAscending: Bool, name: String) { self.isAscending = isAscending; self.name = name }
    }

    public init(minimum: Int, maximum: Int, dependingOn: ItemReference?, keys: [Key], indexNames: [String]) {
        self.minimum = minimum; self.maximum = maximum; self.dependingOn = dependingOn
        self.keys = keys; self.indexNames = indexNames
    }

    /// `true` for OCCURS DEPENDING ON.
    public var isVariable: Bool { dependingOn != nil }
}

/// A reference from one entry to another (REDEFINES, DEPENDING ON, RENAMES), as written and resolved.
public struct ItemReference: Sendable, Hashable {
    /// The referenced name as written (without qualifiers).
    public var name: String
    /// `OF`/`IN` qualifiers as written, innermost first (`A OF B OF C` gives `["B", "C"]`).
    public var qualifiers: [String]
    /// Where the reference is written.
    public var location: SourceLocation
    /// The referenced item's id in the same record (``RecordLayout/items``).
    public var target: DataItem.ID
    /// The referenced item's full path.
    public var path: [String]
    public init(name: String, qualifiers: [String], location: SourceLocation, target: DataItem.ID, path: [String]) {
        self.name = name; self.qualifiers = qualifiers; self.location = location; self.target = target
        self.path = path
    }
}

/// A level-88 condition name: `88 name VALUE[S] [IS|ARE] literal [THRU literal] …`.
public struct ConditionName: Sendable, Hashable {
    /// One value or range of a condition.
    public enum Value: Sendable, Hashable {
        /// A single value.
        case single(Literal)
        /// `low THRU high` (or THROUGH), inclusive.
        case range(Literal, Literal)
    }
    /// The name exactly as written.
    public var name: String
    /// Where the 88 entry is.
    public var location: SourceLocation
    /// The values in order.
    public var values: [Value]
    public init(name: String, location: SourceLocation, values: [Value]) {
        self.name = name; self.location = location; self.values = values
    }
}

/// A literal in a VALUE clause.
public enum Literal: Sendable, Hashable {
    /// A quoted alphanumeric literal, quotes removed, doubled quotes collapsed, continuations joined.
    case alphanumeric(String)
    /// A hexadecimal literal `X'C1C2'`, as bytes.
    case hexadecimal([UInt8])
    /// A numeric literal exactly as written (`-12.50`, `+3`, `0`).
    case numeric(String)
    /// A figurative constant: ZERO/ZEROS/ZEROES, SPACE/SPACES, HIGH-VALUE(S), LOW-VALUE(S), QUOTE(S), NULL(S).
    case figurative(FigurativeConstant)
    /// `ALL literal`.
    indirect case all(Literal)
}

/// COBOL figurative constants.
public enum FigurativeConstant: String, Sendable, Hashable {
    case zero, space, highValue, lowValue, quote, null
}

/// A level-66 `RENAMES a [THRU|THROUGH b]` entry: an alternative name over a contiguous byte range. It takes no
/// storage.
public struct Renames: Sendable, Hashable {
    /// The 66 name as written.
    public var name: String
    /// Where the 66 entry is.
    public var location: SourceLocation
    /// The first renamed item.
    public var from: ItemReference
    /// The last renamed item with THRU, else `nil`.
    public var through: ItemReference?
    /// Byte offset of the range (static layout).
    public var offset: Int
    /// Length of the range in bytes.
    public var size: Int
    public init(name: String, location: SourceLocation, from: ItemReference, through: ItemReference?, offset: Int,
                size: Int) {
        self.name = name; self.location = location; self.from = from; self.through = through
        self.offset = offset; self.size = size
    }
}
