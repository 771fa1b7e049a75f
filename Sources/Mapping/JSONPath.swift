import Events

/// A JSON path in the `$.a.b[3]` notation, built while reading a definition so errors can name where they are.
public struct JSONPath: Hashable, Sendable, CustomStringConvertible {
    /// The path's text.
    public private(set) var text: String

    /// The root, `$`.
    public static let root = JSONPath(text: "$")

    /// The member `key` below this path.
    public func member(_ key: String) -> JSONPath {
        let plain = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        return JSONPath(text: plain ? "\(text).\(key)" : "\(text)[\"\(key)\"]")
    }

    /// The element `index` below this path.
    public func element(_ index: Int) -> JSONPath { JSONPath(text: "\(text)[\(index)]") }

    public var description: String { text }
}

/// Reads a JSON object member by member, remembering where it is, so every error names the file and JSON path.
struct DefinitionReader {
    let file: String
    let path: JSONPath
    let members: [JSONMember]

    init(_ value: JSONValue, file: String, path: JSONPath) throws(MappingError) {
        guard case let .object(members) = value else {
            throw MappingError(file: file, path: path.text, "expected an object, found \(value.typeName)")
        }
        self.file = file
        self.path = path
        self.members = members
    }

    func error(_ key: String?, _ message: String) -> MappingError {
        MappingError(file: file, path: key.map { path.member($0).text } ?? path.text, message)
    }

    /// Rejects members outside `known` (a misspelt option is an error, not silently ignored).
    func rejectUnknown(_ known: Set<String>) throws(MappingError) {
        for member in members where !known.contains(member.key) {
            let choices = known.sorted().joined(separator: ", ")
            throw error(member.key, "unknown key (expected one of: \(choices))")
        }
    }

    func value(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }

    func string(_ key: String) throws(MappingError) -> String? {
        guard let value = value(key) else { return nil }
        guard case let .string(text) = value else { throw error(key, "expected a string, found \(value.typeName)") }
        return text
    }

    func requiredString(_ key: String) throws(MappingError) -> String {
        guard let text = try string(key) else { throw error(nil, "missing required key '\(key)'") }
        return text
    }

    func bool(_ key: String) throws(MappingError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case let .bool(flag) = value else { throw error(key, "expected true or false, found \(value.typeName)") }
        return flag
    }

    func int(_ key: String) throws(MappingError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.int64Value else { throw error(key, "expected an integer, found \(value.typeName)") }
        return Int(number)
    }

    func strings(_ key: String) throws(MappingError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case let .array(items) = value else { throw error(key, "expected an array of strings, found \(value.typeName)") }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case let .string(text) = item else {
                throw MappingError(file: file, path: path.member(key).element(index).text, "expected a string, found \(item.typeName)")
            }
            result.append(text)
        }
        return result
    }

    func object(_ key: String) throws(MappingError) -> DefinitionReader? {
        guard let value = value(key) else { return nil }
        return try DefinitionReader(value, file: file, path: path.member(key))
    }
}
