import Events
import Foundation
import Kafka
import StreamLog

/// `ferry log apply FILE`: topics as code. Creates the declared topics that are missing and reports, as JSON
/// Lines, how every declared topic compares with the cluster; exits 1 when an existing topic differs (nothing
/// existing is ever changed).
struct LogApplyCommand: Command {
    static let file = Argument<String>(
        "file", help: "The topic declarations (JSON, shape below).")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "apply",
            abstract: "Create the topics a file declares; report the ones that differ.",
            discussion: """
                Topics as code, on the embedded log or a Kafka cluster (--log kafka://…). Each declared topic that does not exist is created with its partitions and \
                configs (Kafka topic configs such as retention.ms; the embedded log has none). An existing topic \
                is never changed: one JSON line per topic says whether it was created, its partition count and \
                each declared config whose value differs; the exit status is 1 when any topic differs from its \
                declaration. Running it again changes nothing. The file: {"topics": [{"name": "member-updates", \
                "partitions": 3, "configs": {"retention.ms": "604800000"}}, …]}.
                """,
            parameters: [file])
    }

    let location: String
    let path: String

    init(parsing values: ParsedValues) throws(UsageError) {
        location = try values.value(of: LogCommand.directory)
        path = try values.value(of: Self.file)
    }

    func run(_ context: CommandContext) async throws {
        let declarations = try TopicDeclarationFile.read(path)
        let reconciliations: [KafkaTopicReconciliation]
        if LogCommand.isKafkaURL(location) {
            let client = try KafkaClient(configuration: KafkaClientConfiguration(url: location))
            defer { client.close() }
            reconciliations = try await client.ensureTopics(declarations)
        } else {
            reconciliations = try applyToEmbeddedLog(declarations, context: context)
        }
        var differing = 0
        for (declaration, found) in zip(declarations, reconciliations) {
            var line = JSONLine()
            line.field("topic", found.name)
            line.field("created", json: Array((found.created ? "true" : "false").utf8))
            line.field("partitions", found.partitions)
            line.field("declaredPartitions", declaration.partitions)
            var differences = JSONLine()
            for key in found.configDifferences.keys.sorted() {
                let difference = found.configDifferences[key]!
                var pair = JSONLine()
                pair.field("declared", difference.declared)
                if let actual = difference.actual { pair.field("actual", actual) } else { pair.field("actual", json: Array("null".utf8)) }
                differences.field(key, json: Array(pair.finish().dropLast()))
            }
            line.field("configDifferences", json: Array(differences.finish().dropLast()))
            line.field("matches", json: Array((found.matches(declaration) ? "true" : "false").utf8))
            context.output.write(bytes: line.finish())
            if !found.matches(declaration) { differing += 1 }
        }
        context.output.flush()
        if differing > 0 { throw TopicDeclarationError.drift(topics: differing) }
    }

    /// The embedded log: partitions only (it has no topic configs).
    private func applyToEmbeddedLog(_ declarations: [KafkaTopicSpecification], context: CommandContext) throws
        -> [KafkaTopicReconciliation]
    {
        if let withConfigs = declarations.first(where: { !$0.configs.isEmpty }) {
            throw TopicDeclarationError.invalid(
                file: path, at: "topic \(withConfigs.name)", reason: "configs are for Kafka; the embedded log has none")
        }
        let log = try LogCommand.open(location, access: .readWrite, context: context)
        defer { try? log.close() }
        var results: [KafkaTopicReconciliation] = []
        for declaration in declarations {
            if let existing = try log.topics().first(where: { $0.name == declaration.name }) {
                results.append(.init(name: declaration.name, created: false, partitions: existing.partitionCount, configDifferences: [:]))
            } else {
                try log.createTopic(declaration.name, partitions: declaration.partitions)
                results.append(.init(name: declaration.name, created: true, partitions: declaration.partitions, configDifferences: [:]))
            }
        }
        return results
    }
}

/// Why `ferry log apply` stopped.
enum TopicDeclarationError: Error, CustomStringConvertible {
    /// The declaration file is unreadable or not of the documented shape.
    case invalid(file: String, at: String, reason: String)
    /// Existing topics differ from their declarations (reported on standard output, left unchanged).
    case drift(topics: Int)

    var description: String {
        switch self {
        case let .invalid(file, at, reason): "\(file): \(at): \(reason)"
        case let .drift(topics): "\(topics) existing topic\(topics == 1 ? "" : "s") differ\(topics == 1 ? "s" : "") from the declaration (not changed)"
        }
    }
}

/// The topic declaration file of `ferry log apply`: `{"topics":[{"name","partitions","configs"?}]}`.
enum TopicDeclarationFile {
    static func read(_ path: String) throws(TopicDeclarationError) -> [KafkaTopicSpecification] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalid(file: path, at: "$", reason: "cannot read the file")
        }
        return try parse(Array(data), file: path)
    }

    static func parse(_ bytes: [UInt8], file: String) throws(TopicDeclarationError) -> [KafkaTopicSpecification] {
        let root: JSONValue
        do throws(JSONParseError) { root = try JSONValue(parsing: bytes) } catch {
            throw .invalid(file: file, at: "$", reason: "not valid JSON: \(error)")
        }
        guard case let .array(items)? = root["topics"] else {
            throw .invalid(file: file, at: "$.topics", reason: "required: an array of topics")
        }
        var names: Set<String> = []
        var declarations: [KafkaTopicSpecification] = []
        for (index, item) in items.enumerated() {
            let at = "$.topics[\(index)]"
            guard case let .object(members) = item else { throw .invalid(file: file, at: at, reason: "not an object") }
            if let unknown = members.first(where: { !["name", "partitions", "configs"].contains($0.key) }) {
                throw .invalid(file: file, at: "\(at).\(unknown.key)", reason: "unknown key (name, partitions, configs)")
            }
            guard let name = item["name"]?.stringValue, !name.isEmpty else {
                throw .invalid(file: file, at: "\(at).name", reason: "required: a non-empty string")
            }
            guard names.insert(name).inserted else { throw .invalid(file: file, at: "\(at).name", reason: "\(name) is declared twice") }
            guard let partitions = item["partitions"]?.int64Value, (1...100_000).contains(partitions) else {
                throw .invalid(file: file, at: "\(at).partitions", reason: "required: an integer 1...100000")
            }
            var configs: [String: String] = [:]
            if let value = item["configs"] {
                guard case let .object(entries) = value else {
                    throw .invalid(file: file, at: "\(at).configs", reason: "an object of string values")
                }
                for entry in entries {
                    guard let text = entry.value.stringValue else {
                        throw .invalid(file: file, at: "\(at).configs.\(entry.key)", reason: "a string (Kafka configs are strings)")
                    }
                    configs[entry.key] = text
                }
            }
            declarations.append(KafkaTopicSpecification(name: name, partitions: Int(partitions), configs: configs))
        }
        return declarations
    }
}
