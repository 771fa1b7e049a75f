public import Events
import Foundation

/// Legacy date and time forms a field rule or the event time can read.
public enum LegacyDateFormat: String, Sendable, CaseIterable {
    /// `CCYYMMDD`, e.g. 20261121 (text, zoned or packed).
    case ccyymmdd = "CCYYMMDD"
    /// `YYMMDD` with the century window of the rule.
    case yymmdd = "YYMMDD"
    /// Julian `YYDDD` with the century window.
    case yyddd = "YYDDD"
    /// Julian `CCYYDDD`.
    case ccyyddd = "CCYYDDD"
    /// `CYYMMDD` as packed or zoned on IBM i and DB2 for z/OS exports: C is 0 for 19YY, 1 for 20YY.
    case cyymmdd = "CYYMMDD"
    /// A time of day `HHMMSS`.
    case hhmmss = "HHMMSS"

    static var dateNames: String { allCases.filter { $0 != .hhmmss }.map(\.rawValue).joined(separator: ", ") }
}

extension LegacyDateFormat {
    /// The digits a date in this format has (the time of day `HHMMSS` too).
    var digitCount: Int {
        switch self {
        case .ccyymmdd: 8
        case .yymmdd, .hhmmss: 6
        case .yyddd: 5
        case .ccyyddd, .cyymmdd: 7
        }
    }
}

/// What a rule's value becomes in the event.
public enum FieldType: String, Sendable, CaseIterable {
    /// JSON string (the default).
    case string
    /// JSON integer.
    case integer
    /// JSON number with its exact decimal digits (never a binary float).
    case decimal
    /// JSON boolean.
    case boolean
    /// An ISO 8601 date `YYYY-MM-DD` (a string) read from a legacy form (`format`).
    case date
    /// An ISO 8601 time `HH:MM:SS` (a string) read from `HHMMSS`.
    case time
    /// Any JSON value, copied as it is (an array of service lines, a nested object).
    case json
}

/// How a field's value is protected.
public enum Protection: String, Sendable {
    /// Every character but the last four becomes `*`.
    case maskAllButLast4 = "mask-last4"
    /// Every character becomes `*` (the length stays).
    case mask
    /// The hex SHA-1 of the mapping name, a NUL and the value: stable for joins, not reversible.
    case hash
}

/// A condition on a rule: an 88-level condition name, or a source field's code.
public struct FieldCondition: Sendable {
    /// The 88-level name or the field.
    public var reference: String
    /// With a field: the codes for which the rule applies. Nil with an 88-level.
    public var codes: [String]?
    /// Whether the condition is negated (`"not": true`).
    public var isNegated: Bool
}

/// One data field of the event: where its value comes from and how it is turned into the event's value.
public struct FieldRule: Sendable {
    /// Where a value comes from.
    public enum Origin: Sendable {
        /// A source field, by COBOL name or dotted path (`MEMBER-NAME.LAST-NAME`, `claim.claimID`), or metadata (`@mq.replyToQueue`).
        case field(String)
        /// Several source fields (or quoted literals `'…'`) joined with `separator`.
        case concatenation([String], separator: String)
        /// A constant JSON value.
        case constant(JSONValue)
    }

    /// The output name; dots nest (`member.name.last`).
    public var name: String
    /// Its path components.
    public var outputPath: [String]
    /// Where the value comes from.
    public var origin: Origin
    /// What it becomes.
    public var type: FieldType
    /// The legacy form of a date or time.
    public var dateFormat: LegacyDateFormat?
    /// Two-digit years below this are 20YY, others 19YY. Default: 50.
    public var centuryPivot: Int
    /// For decimals: the scale the value is rescaled to (exactly; a value that would lose digits is an error).
    public var scale: Int?
    /// A code table: source code → event value. Codes absent from it are an error unless ``defaultValue`` is set.
    public var codes: [String: JSONValue]?
    /// Whether text is trimmed of leading and trailing spaces. Default: true.
    public var trims: Bool
    /// The value used when the source is missing, null or blank. Default: none (the field is then null).
    public var defaultValue: JSONValue?
    /// Whether a missing value is an error. Default: false.
    public var isRequired: Bool
    /// When set, the field is emitted only when the condition holds.
    public var condition: FieldCondition?
    /// How the value is protected (mask or hash). Default: none.
    public var protection: Protection?
    /// Whether the field is dropped from the event (read, checked, but not emitted). Default: false.
    public var isDropped: Bool
    /// A documentation line, carried into the JSON Schema.
    public var summary: String?

    /// The source references the rule reads.
    var sourceReferences: [String] {
        switch origin {
        case let .field(name): [name]
        case let .concatenation(parts, _): parts.filter { !$0.hasPrefix("'") }
        case .constant: []
        }
    }

    var referenceKey: String {
        switch origin {
        case .field: "from"
        case .concatenation: "concat"
        case .constant: "const"
        }
    }

    init(_ reader: DefinitionReader, directory: String) throws(MappingError) {
        try reader.rejectUnknown([
            "name", "from", "concat", "separator", "const", "type", "format", "centuryPivot", "scale", "codes",
            "codesFile", "trim", "default", "required", "when", "mask", "hash", "drop", "description",
        ])
        name = try reader.requiredString("name")
        outputPath = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if outputPath.contains(where: \.isEmpty) { throw reader.error("name", "empty component in output name") }
        let origins = ["from", "concat", "const"].filter { reader.value($0) != nil }
        guard origins.count == 1 else {
            throw reader.error(nil, "needs exactly one of 'from', 'concat' or 'const' (found \(origins.count))")
        }
        if let from = try reader.string("from") {
            origin = .field(from)
        } else if let parts = try reader.strings("concat") {
            origin = .concatenation(parts, separator: try reader.string("separator") ?? "")
        } else {
            origin = .constant(reader.value("const")!)
        }
        let typeName = try reader.string("type") ?? "string"
        guard let type = FieldType(rawValue: typeName) else {
            throw reader.error("type", "unknown type \(typeName) (expected \(FieldType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.type = type
        if let formatName = try reader.string("format") {
            guard let format = LegacyDateFormat(rawValue: formatName) else {
                throw reader.error("format", "unknown format \(formatName) (expected \(LegacyDateFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard type == .date || type == .time else { throw reader.error("format", "only for type date or time") }
            if (type == .time) != (format == .hhmmss) { throw reader.error("format", "type time takes HHMMSS; type date a date form") }
            dateFormat = format
        } else if type == .date || type == .time {
            throw reader.error(nil, "type \(type.rawValue) needs 'format'")
        }
        centuryPivot = try reader.int("centuryPivot") ?? 50
        guard (0...99).contains(centuryPivot) else { throw reader.error("centuryPivot", "expected 0…99") }
        scale = try reader.int("scale")
        if scale != nil && type != .decimal { throw reader.error("scale", "only for type decimal") }
        if let table = try reader.object("codes") {
            codes = Dictionary(table.members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        } else if let tableFile = try reader.string("codesFile") {
            let path = tableFile.hasPrefix("/") ? tableFile : directory + "/" + tableFile
            guard let data = FileManager.default.contents(atPath: path) else {
                throw reader.error("codesFile", "cannot read the code table \(tableFile)")
            }
            guard case let .object(members)? = try? JSONValue(parsing: [UInt8](data)) else {
                throw reader.error("codesFile", "the code table \(tableFile) is not a JSON object")
            }
            codes = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        } else {
            codes = nil
        }
        trims = try reader.bool("trim") ?? true
        defaultValue = reader.value("default")
        isRequired = try reader.bool("required") ?? false
        if let when = try reader.object("when") {
            try when.rejectUnknown(["condition", "field", "in", "equals", "not"])
            let negated = try when.bool("not") ?? false
            if let conditionName = try when.string("condition") {
                condition = FieldCondition(reference: conditionName, codes: nil, isNegated: negated)
            } else if let field = try when.string("field") {
                var values = try when.strings("in") ?? []
                if let single = try when.string("equals") { values.append(single) }
                if values.isEmpty { throw when.error(nil, "a field condition needs 'in' or 'equals'") }
                condition = FieldCondition(reference: field, codes: values, isNegated: negated)
            } else {
                throw when.error(nil, "needs 'condition' (an 88-level) or 'field' with 'in'/'equals'")
            }
        } else {
            condition = nil
        }
        if let mask = try reader.string("mask") {
            guard mask == "all" || mask == "last4" else { throw reader.error("mask", "expected \"all\" or \"last4\"") }
            protection = mask == "all" ? .mask : .maskAllButLast4
        } else if try reader.bool("hash") == true {
            protection = .hash
        } else {
            protection = nil
        }
        if protection != nil && type != .string { throw reader.error(protection == .hash ? "hash" : "mask", "only string fields can be masked or hashed") }
        isDropped = try reader.bool("drop") ?? false
        summary = try reader.string("description")
    }
}
