public import Events

/// The JSON Schema (draft 2020-12) of the events a mapping produces, and Schema Registry-style compatibility checks.
public enum MappingSchema {
    /// The schema of `mapping`'s events: the CloudEvents envelope and the `data` object its field rules build.
    /// A field is required unless it has a condition, is nullable (no default, not required) or is dropped.
    public static func schema(for mapping: MappingDefinition) -> JSONValue {
        var data = dataSchema(mapping)
        if mapping.changeData != nil {
            let image: JSONValue = .object([JSONMember(key: "anyOf", value: .array([data, .object([JSONMember(key: "type", value: .string("null"))])]))])
            data = object(
                [("op", .object([JSONMember(key: "enum", value: .array(["c", "u", "d", "r"].map(JSONValue.string)))])),
                 ("before", image), ("after", image), ("source", .object([JSONMember(key: "type", value: .string("object"))])),
                 ("ts_ms", .object([JSONMember(key: "type", value: .array([.string("integer"), .string("null")]))]))],
                required: ["op", "before", "after", "source", "ts_ms"])
        }
        var envelope: [(String, JSONValue)] = [
            ("specversion", .object([JSONMember(key: "const", value: .string("1.0"))])),
            ("id", typed("string")), ("source", typed("string")),
            ("type", .object([JSONMember(key: "const", value: .string(mapping.event.type))])),
        ]
        var required = ["specversion", "id", "source", "type", "data"]
        if mapping.event.subject != nil { envelope.append(("subject", typed("string"))); required.append("subject") }
        if mapping.event.time != nil { envelope.append(("time", .object([JSONMember(key: "type", value: .string("string")), JSONMember(key: "format", value: .string("date-time"))]))); required.append("time") }
        if mapping.event.key != nil { envelope.append(("partitionkey", typed("string"))); required.append("partitionkey") }
        envelope.append(("data", data))
        var result = object(envelope, required: required)
        if case var .object(members) = result {
            members.insert(JSONMember(key: "$schema", value: .string("https://json-schema.org/draft/2020-12/schema")), at: 0)
            members.insert(JSONMember(key: "title", value: .string(mapping.event.type)), at: 1)
            result = .object(members)
        }
        return result
    }

    static func typed(_ name: String, nullable: Bool = false) -> JSONValue {
        .object([JSONMember(key: "type", value: nullable ? .array([.string(name), .string("null")]) : .string(name))])
    }

    static func object(_ properties: [(String, JSONValue)], required: [String]) -> JSONValue {
        .object([
            JSONMember(key: "type", value: .string("object")),
            JSONMember(key: "properties", value: .object(properties.map { JSONMember(key: $0.0, value: $0.1) })),
            JSONMember(key: "required", value: .array(required.map(JSONValue.string))),
        ])
    }

    /// A tree of output paths → leaf schemas, with required flags.
    private static func dataSchema(_ mapping: MappingDefinition) -> JSONValue {
        final class Node {
            var children: [(String, Node)] = []
            var leaf: JSONValue?
            var required = false
            func child(_ name: String) -> Node {
                if let found = children.first(where: { $0.0 == name }) { return found.1 }
                let node = Node(); children.append((name, node)); return node
            }
            func schema() -> JSONValue {
                if let leaf { return leaf }
                return MappingSchema.object(children.map { ($0.0, $0.1.schema()) }, required: children.filter { $0.1.required }.map(\.0))
            }
        }
        let root = Node()
        for rule in mapping.fields where !rule.isDropped {
            var node = root
            let isRequired = rule.condition == nil && (rule.isRequired || rule.defaultValue != nil || { if case .constant = rule.origin { return true } else { return false } }())
            for part in rule.outputPath {
                node = node.child(part)
                if rule.condition == nil { node.required = true }
            }
            node.required = isRequired
            var leaf: [JSONMember]
            let nullable = !isRequired
            switch rule.type {
            case .string, .date, .time:
                if let codes = rule.codes, rule.type == .string, codes.values.allSatisfy({ $0.stringValue != nil }) {
                    var values = Array(Set(codes.values.compactMap(\.stringValue))).sorted().map(JSONValue.string)
                    if let fallback = rule.defaultValue?.stringValue, !values.contains(.string(fallback)) { values.append(.string(fallback)) }
                    if nullable { values.append(.null) }
                    leaf = [JSONMember(key: "enum", value: .array(values))]
                } else {
                    leaf = typed("string", nullable: nullable).objectMembers
                    if rule.type == .date { leaf.append(JSONMember(key: "format", value: .string("date"))) }
                    if rule.type == .time { leaf.append(JSONMember(key: "format", value: .string("time"))) }
                }
            case .integer: leaf = typed("integer", nullable: nullable).objectMembers
            case .decimal: leaf = typed("number", nullable: nullable).objectMembers
            case .boolean: leaf = typed("boolean", nullable: nullable).objectMembers
            case .json: leaf = []
            }
            if case let .constant(value) = rule.origin {
                leaf = [JSONMember(key: "const", value: value)]
            }
            if let summary = rule.summary { leaf.append(JSONMember(key: "description", value: .string(summary))) }
            node.leaf = .object(leaf)
        }
        return root.schema()
    }

    /// Schema Registry's compatibility modes.
    public enum Compatibility: String, Sendable, CaseIterable {
        /// Consumers using the new schema can read data written with the old one.
        case backward
        /// Consumers using the old schema can read data written with the new one.
        case forward
        /// Both.
        case full
    }

    /// The breaking changes from `old` to `new` under `mode`, each naming the field (`data.member.id`).
    public static func breakingChanges(from old: JSONValue, to new: JSONValue, mode: Compatibility) -> [String] {
        var problems: [String] = []
        compare(old, new, path: "", mode: mode, into: &problems)
        return problems
    }

    private static func compare(_ old: JSONValue, _ new: JSONValue, path: String, mode: Compatibility, into problems: inout [String]) {
        let oldProperties = old["properties"]?.objectMembers ?? []
        let newProperties = new["properties"]?.objectMembers ?? []
        let oldRequired = Set(old["required"]?.arrayValues.compactMap(\.stringValue) ?? [])
        let newRequired = Set(new["required"]?.arrayValues.compactMap(\.stringValue) ?? [])
        func name(_ key: String) -> String { path.isEmpty ? key : path + "." + key }
        for property in oldProperties {
            guard let counterpart = newProperties.first(where: { $0.key == property.key }) else {
                // Removing a field old readers require breaks forward compatibility (new data lacks it).
                if oldRequired.contains(property.key) && mode != .backward {
                    problems.append("\(name(property.key)): required field removed (breaks forward compatibility)")
                } else if oldRequired.contains(property.key) && mode == .backward {
                    // New readers do not need it: backward compatible.
                }
                continue
            }
            let oldType = typeSet(property.value), newType = typeSet(counterpart.value)
            if oldType != newType && !(oldType.isEmpty || newType.isEmpty) {
                let widened = oldType.isSubset(of: newType), narrowed = newType.isSubset(of: oldType)
                if (mode != .forward && !widened) || (mode != .backward && !narrowed) {
                    problems.append("\(name(property.key)): type changed from \(oldType.sorted().joined(separator: "|")) to \(newType.sorted().joined(separator: "|"))")
                }
            }
            if mode != .forward && newRequired.contains(property.key) && !oldRequired.contains(property.key) {
                problems.append("\(name(property.key)): became required (old data may lack it; breaks backward compatibility)")
            }
            compare(property.value, counterpart.value, path: name(property.key), mode: mode, into: &problems)
        }
        for property in newProperties where !oldProperties.contains(where: { $0.key == property.key }) {
            if newRequired.contains(property.key) && mode != .forward {
                problems.append("\(name(property.key)): required field added (old data lacks it; breaks backward compatibility)")
            }
        }
    }

    private static func typeSet(_ schema: JSONValue) -> Set<String> {
        switch schema["type"] {
        case let .string(name)?: return [name]
        case let .array(names)?: return Set(names.compactMap(\.stringValue))
        default:
            if let values = schema["enum"]?.arrayValues {
                return Set(values.map { $0 == .null ? "null" : "string" })
            }
            return []
        }
    }
}

extension JSONValue {
    var objectMembers: [JSONMember] {
        if case let .object(members) = self { return members }
        return []
    }

    var arrayValues: [JSONValue] {
        if case let .array(values) = self { return values }
        return []
    }
}
