public import Events
import Foundation

/// One declarative mapping, read from `mappings/<name>/mapping.json`: how one legacy format becomes one canonical
/// event type (and back, where the adapter can encode). The format is described in `mappings/README.md`.
public struct MappingDefinition: Sendable {
    /// The mapping's name (default: the name of the folder holding `mapping.json`).
    public var name: String
    /// The file it was read from, as given (errors name it).
    public var file: String
    /// The folder holding the file; relative paths in the definition (copybooks, code tables) start there.
    public var directory: String
    /// Where records come from and how they are read.
    public var source: SourceSpecification
    /// The CloudEvents attributes.
    public var event: EventSpecification
    /// The event's data fields, in output order.
    public var fields: [FieldRule]
    /// Set when every record is a change event (Debezium-like envelope).
    public var changeData: ChangeDataSpecification?
    /// Whether ``MappingEngine/encode(event:)`` may run this mapping in reverse. Default: false.
    public var isReversible: Bool

    /// Reads and validates the mapping at `file` (code tables and copybooks it names are loaded too).
    public init(contentsOf file: String) throws(MappingError) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw MappingError(file: file, path: "$", "cannot read the file")
        }
        let json: JSONValue
        do { json = try JSONValue(parsing: [UInt8](data)) } catch {
            throw MappingError(file: file, path: "$", "\(error)")
        }
        let directory = (file as NSString).deletingLastPathComponent
        try self.init(json: json, file: file, directory: directory.isEmpty ? "." : directory)
    }

    /// Reads and validates a mapping from its JSON; `directory` resolves relative paths.
    public init(json: JSONValue, file: String, directory: String) throws(MappingError) {
        let reader = try DefinitionReader(json, file: file, path: .root)
        try reader.rejectUnknown(["$schema", "name", "description", "source", "event", "fields", "cdc", "reversible"])
        self.file = file
        self.directory = directory
        let folderName = (directory as NSString).lastPathComponent
        name = try reader.string("name") ?? folderName
        guard let sourceReader = try reader.object("source") else { throw reader.error(nil, "missing required key 'source'") }
        source = try SourceSpecification(sourceReader, directory: directory)
        guard let eventReader = try reader.object("event") else { throw reader.error(nil, "missing required key 'event'") }
        event = try EventSpecification(eventReader, directory: directory)
        guard case let .array(items)? = reader.value("fields") else {
            throw reader.error(reader.value("fields") == nil ? nil : "fields", "expected 'fields', an array of field rules")
        }
        var rules: [FieldRule] = []
        var names: Set<String> = []
        for (index, item) in items.enumerated() {
            let rule = try FieldRule(DefinitionReader(item, file: file, path: JSONPath.root.member("fields").element(index)), directory: directory)
            guard names.insert(rule.name).inserted else {
                throw MappingError(file: file, path: JSONPath.root.member("fields").element(index).member("name").text, "duplicate output field \(rule.name)")
            }
            rules.append(rule)
        }
        fields = rules
        changeData = try reader.object("cdc").map { r throws(MappingError) in try ChangeDataSpecification(r) }
        isReversible = try reader.bool("reversible") ?? false
        if isReversible && !source.canEncode {
            throw reader.error("reversible", "the \(source.adapterName) adapter cannot encode; only copybook and mq with a copybook payload can")
        }
        try checkFieldReferences()
    }

    /// Checks every source field a rule names against the copybook layout, so a misspelt name fails at load time.
    private func checkFieldReferences() throws(MappingError) {
        guard let known = source.knownFieldNames else { return }
        let imageGroups: [String] = [changeData?.before, changeData?.after].compactMap { $0 }
        func check(_ reference: String, _ path: JSONPath) throws(MappingError) {
            if reference.hasPrefix("@") { return }
            let last = reference.split(separator: ".").last.map(String.init) ?? reference
            if known.contains(last) || known.contains(reference) { return }
            throw MappingError(file: file, path: path.text, "unknown field \(reference)")
        }
        for (index, rule) in fields.enumerated() {
            let base = JSONPath.root.member("fields").element(index)
            for reference in rule.sourceReferences { try check(reference, base.member(rule.referenceKey)) }
            if let when = rule.condition { try check(when.reference, base.member("when")) }
        }
        for (index, reference) in event.templateReferences.enumerated() {
            _ = index
            try check(reference, JSONPath.root.member("event"))
        }
        for group in imageGroups { try check(group, JSONPath.root.member("cdc")) }
    }
}

/// The CloudEvents attributes a mapping sets. Text attributes are templates: `{FIELD}` is replaced by the source
/// field's value (trimmed), `{@mq.correlationId}` by source metadata.
public struct EventSpecification: Sendable {
    /// CloudEvents `type`, e.g. `com.example.member.eligibility.v1`.
    public var type: String
    /// CloudEvents `source` template.
    public var source: String
    /// CloudEvents `subject` template. Default: none.
    public var subject: String?
    /// The entity key (the `partitionkey` extension) template. Default: none.
    public var key: String?
    /// Where the event's `time` comes from. Default: none.
    public var time: TimeSpecification?

    init(_ reader: DefinitionReader, directory: String) throws(MappingError) {
        try reader.rejectUnknown(["type", "source", "subject", "key", "time"])
        type = try reader.requiredString("type")
        source = try reader.requiredString("source")
        subject = try reader.string("subject")
        key = try reader.string("key")
        time = try reader.object("time").map { r throws(MappingError) in try TimeSpecification(r) }
        for (name, template) in [("source", source), ("subject", subject), ("key", key)] {
            guard let template else { continue }
            if Template.references(in: template) == nil { throw reader.error(name, "unbalanced '{' in template") }
        }
    }

    var templateReferences: [String] {
        var templates: [String] = [source]
        if let subject { templates.append(subject) }
        if let key { templates.append(key) }
        var result: [String] = []
        for template in templates {
            for reference in Template.references(in: template) ?? [] {
                result += reference.split(separator: "|").map(String.init)
            }
        }
        if let time {
            result.append(time.date)
            if let timeOfDay = time.timeOfDay { result.append(timeOfDay) }
        }
        return result
    }
}

/// The event time: a date field in a legacy form, optionally with an `HHMMSS` time field (UTC).
public struct TimeSpecification: Sendable {
    /// The source field holding the date.
    public var date: String
    /// Its form.
    public var format: LegacyDateFormat
    /// The source field holding the time of day (`HHMMSS`). Default: midnight.
    public var timeOfDay: String?
    /// Two-digit years below this are 20YY, others 19YY. Default: 50.
    public var centuryPivot: Int

    init(_ reader: DefinitionReader) throws(MappingError) {
        try reader.rejectUnknown(["from", "format", "timeFrom", "centuryPivot"])
        date = try reader.requiredString("from")
        let formatName = try reader.requiredString("format")
        guard let format = LegacyDateFormat(rawValue: formatName), format != .hhmmss else {
            throw reader.error("format", "unknown date format \(formatName) (expected \(LegacyDateFormat.dateNames))")
        }
        self.format = format
        timeOfDay = try reader.string("timeFrom")
        centuryPivot = try reader.int("centuryPivot") ?? 50
    }
}

/// The change-event envelope: which records are inserts, updates and deletes, and where the images are.
public struct ChangeDataSpecification: Sendable {
    /// How the operation is found.
    public enum Operation: Sendable {
        /// A field whose codes map to `c`, `u`, `d`.
        case field(String, codes: [String: String])
        /// 88-level condition names for `c`, `u`, `d`.
        case conditions([String: String])
    }
    /// How the operation is found.
    public var operation: Operation
    /// The group holding the before image (field rules apply relative to it). Default: none.
    public var before: String?
    /// The group holding the after image.
    public var after: String?
    /// Constant members of the envelope's `source` block (e.g. `db`, `table`).
    public var sourceBlock: [JSONMember]

    init(_ reader: DefinitionReader) throws(MappingError) {
        try reader.rejectUnknown(["op", "before", "after", "source"])
        guard let op = try reader.object("op") else { throw reader.error(nil, "missing required key 'op'") }
        try op.rejectUnknown(["from", "codes", "conditions"])
        func opCodes(_ key: String) throws(MappingError) -> [String: String] {
            guard let table = try op.object(key) else { throw op.error(nil, "missing required key '\(key)'") }
            var result: [String: String] = [:]
            for member in table.members {
                guard case let .string(value) = member.value, ["c", "u", "d", "r"].contains(value) || key == "conditions" else {
                    throw table.error(member.key, "expected one of \"c\", \"u\", \"d\", \"r\"")
                }
                result[member.key] = value
            }
            return result
        }
        if let field = try op.string("from") {
            operation = .field(field, codes: try opCodes("codes"))
        } else {
            // conditions: {"c": "IS-INSERT", "u": "IS-UPDATE", "d": "IS-DELETE"}
            let table = try opCodes("conditions")
            for key in table.keys where !["c", "u", "d", "r"].contains(key) {
                throw op.error("conditions", "keys must be c, u, d or r; found \(key)")
            }
            operation = .conditions(table)
        }
        before = try reader.string("before")
        after = try reader.string("after")
        if after == nil && before == nil { throw reader.error(nil, "needs 'after' (and usually 'before'): the image groups") }
        if case let .object(members)? = reader.value("source") { sourceBlock = members } else { sourceBlock = [] }
    }
}

/// `{FIELD}` templates.
enum Template {
    /// The references in `template`, or nil when a brace is unbalanced.
    static func references(in template: String) -> [String]? {
        var result: [String] = []
        var current: String?
        for character in template {
            if character == "{" {
                if current != nil { return nil }
                current = ""
            } else if character == "}" {
                guard let name = current else { return nil }
                result.append(name)
                current = nil
            } else if current != nil {
                current!.append(character)
            }
        }
        return current == nil ? result : nil
    }
}
