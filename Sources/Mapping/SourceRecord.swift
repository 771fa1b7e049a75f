public import Events

/// One record an adapter read, ready for the field rules: its fields as JSON, the 88-level conditions that hold,
/// and source metadata (`@mq.correlationId`, `@x12.id`, …).
public struct SourceRecord: Sendable {
    /// The decoded fields (a JSON object).
    public var fields: JSONValue
    /// 88-level condition names and whether each holds for this record.
    public var conditions: [String: Bool]
    /// Metadata by name without the `@` (`mq.messageId`).
    public var metadata: [String: String]
    /// Where the record was in its input (`record 3`, `frame 2`, `message 1`), for error messages.
    public var position: String
    /// Finds a value for a reference (overridable per adapter, e.g. EDIFACT segment locators).
    var locate: (@Sendable (String) -> JSONValue?)?
    /// Evaluates an 88-level condition within a group's value (a CDC image); nil for an unknown name.
    var conditionInScope: (@Sendable (String, JSONValue) -> Bool?)?

    /// A record from its parts.
    public init(fields: JSONValue, conditions: [String: Bool] = [:], metadata: [String: String] = [:], position: String) {
        self.fields = fields
        self.conditions = conditions
        self.metadata = metadata
        self.position = position
    }

    /// The value `reference` names, in `scope` (default: the whole record): `@name` is metadata; a dotted path
    /// walks objects from the scope; a plain name is the first member so named at any depth (COBOL names are
    /// unique in practice; qualify with a dotted path when not).
    public func value(_ reference: String, in scope: JSONValue? = nil) -> JSONValue? {
        // Byte tests: Character iteration (grapheme breaking) is the costly part of a lookup.
        if reference.utf8.first == UInt8(ascii: "@") { return metadata[String(reference.dropFirst())].map(JSONValue.string) }
        if let locate, let found = locate(reference) { return found }
        let root = scope ?? fields
        if reference.utf8.contains(UInt8(ascii: ".")) {
            var current: JSONValue? = root
            for part in reference.split(separator: ".") {
                let key = String(part)
                if let index = Int(key), case let .array(items)? = current {
                    current = index < items.count ? items[index] : nil
                } else {
                    current = current?[key]
                }
            }
            if current != nil { return current }
        }
        return Self.firstMember(named: reference, in: root)
    }

    static func firstMember(named name: String, in value: JSONValue) -> JSONValue? {
        guard case let .object(members) = value else { return nil }
        for member in members where member.key == name { return member.value }
        for member in members {
            if case .object = member.value, let found = firstMember(named: name, in: member.value) { return found }
        }
        return nil
    }
}

extension JSONValue {
    /// The value as text for templates, codes and dates: strings as they are, numbers as written, booleans.
    var scalarText: String? {
        switch self {
        case let .string(text): text
        case let .number(text): text
        case let .bool(flag): flag ? "true" : "false"
        default: nil
        }
    }
}

extension String {
    /// The text without leading and trailing ASCII spaces and tabs (cheaper than Foundation's character-set trim on
    /// the per-field path; COBOL text pads with spaces).
    var trimmingSpaces: String {
        let bytes = utf8
        guard let first = bytes.first, let last = bytes.last,
            first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09
        else { return self }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start = bytes.index(after: start) }
        while end > start {
            let before = bytes.index(before: end)
            guard bytes[before] == 0x20 || bytes[before] == 0x09 else { break }
            end = before
        }
        return String(self[start..<end])
    }
}
