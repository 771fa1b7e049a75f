import Events
import Foundation
import Mapping

/// `ferry test [PATH...] [--junit FILE] [--compat BASE_DIR [--mode MODE]]`: runs the mapping test cases beside
/// every mapping (`mappings/<name>/tests/*.json`), and optionally checks schema compatibility against an earlier
/// checkout.
struct TestCommand: Command {
    static let paths = Argument<String>(
        "path...", isOptional: true,
        help: "Mapping files, mapping folders or folders of mapping folders (default: mappings).")
    static let junit = Option<String>("junit", valueName: "FILE", help: "Also write the results as JUnit XML to FILE.")
    static let compat = Option<String>(
        "compat", valueName: "BASE_DIR",
        help: "Compare every mapping's event schema with the mapping of the same name under BASE_DIR (an earlier checkout's mappings folder).")
    static let mode = Option<String>(
        "mode", valueName: "MODE", default: "full",
        help: "Compatibility mode for --compat, as in Schema Registry: backward, forward or full.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "test",
            abstract: "Run the mapping test cases and schema checks.",
            discussion: """
                Discovers mapping.json files under each PATH and runs every test case in the tests folder beside \
                each: the case's input goes through the mapping and the events (or the error) are compared with the \
                expectation. Each failure is printed with its file, case, JSON path, expected and actual value; \
                the last line is 'N passed, N failed'. With --compat every mapping's event schema is compared with \
                the same mapping's under BASE_DIR and each breaking change counts as a failure naming the field. \
                Exit status 1 when anything failed.
                """,
            parameters: [paths, junit, compat, mode])
    }

    let searchPaths: [String]
    let junitFile: String?
    let compatBase: String?
    let compatibility: MappingSchema.Compatibility

    init(parsing values: ParsedValues) throws(UsageError) {
        let given = try values.values(of: Self.paths)
        searchPaths = given.isEmpty ? ["mappings"] : given
        junitFile = try values.valueIfPresent(of: Self.junit)
        compatBase = try values.valueIfPresent(of: Self.compat)
        let modeName = try values.value(of: Self.mode)
        guard let mode = MappingSchema.Compatibility(rawValue: modeName) else {
            throw .invalidValue(modeName, for: "--mode", expected: "backward, forward or full")
        }
        compatibility = mode
    }

    func run(_ context: CommandContext) async throws {
        let runner = MappingTestRunner()
        let files = runner.mappingFiles(under: searchPaths)
        if files.isEmpty {
            context.errorOutput.write("ferry test: no mapping.json found under \(searchPaths.joined(separator: ", "))\n")
            throw ExitCode.failure
        }
        var results: [MappingTestResult] = []
        for file in files {
            results += runner.run(mappingFile: file)
            if let compatBase { results.append(compatibilityResult(file, base: compatBase)) }
        }
        for result in results where !result.passed {
            context.output.write("FAIL \(result.caseFile) (\(result.mappingName) / \(result.caseName))\n")
            for failure in result.failures { context.output.write("  \(failure)\n") }
        }
        let failed = results.filter { !$0.passed }.count
        context.output.write("\(results.count - failed) passed, \(failed) failed\n")
        context.output.flush()
        if let junitFile {
            let xml = MappingTestRunner.junitXML(results)
            guard FileManager.default.createFile(atPath: junitFile, contents: Data(xml.utf8)) else {
                throw CommandError.io(operation: "write", path: junitFile, reason: "cannot create the file")
            }
        }
        if failed > 0 { throw ExitCode.failure }
    }

    /// One result per mapping: its schema against the same mapping's under `base`.
    private func compatibilityResult(_ file: String, base: String) -> MappingTestResult {
        let directory = (file as NSString).deletingLastPathComponent
        let name = (directory as NSString).lastPathComponent
        let baseFile = base + "/" + name + "/mapping.json"
        var failures: [String] = []
        do {
            let current = try MappingDefinition(contentsOf: file)
            if FileManager.default.fileExists(atPath: baseFile) {
                let earlier = try MappingDefinition(contentsOf: baseFile)
                failures = MappingSchema.breakingChanges(
                    from: MappingSchema.schema(for: earlier), to: MappingSchema.schema(for: current), mode: compatibility
                ).map { "\(file): schema not \(compatibility.rawValue) compatible with \(baseFile): \($0)" }
            }
        } catch {
            failures = ["\(error)"]
        }
        return MappingTestResult(
            mappingFile: file, mappingName: name, caseFile: file, caseName: "schema compatibility (\(compatibility.rawValue))",
            failures: failures, seconds: 0)
    }
}

/// `ferry schema MAPPING`: the JSON Schema of the events a mapping produces.
struct SchemaCommand: Command {
    static let mapping = Argument<String>("mapping", help: "A mapping.json file or the folder holding one.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "schema",
            abstract: "Print the JSON Schema of a mapping's events.",
            discussion: """
                Writes a JSON Schema (draft 2020-12) for the mapping's CloudEvents: the envelope attributes it sets \
                and the data object its field rules build (types, formats, code-table enums, required fields). \
                Exit status 1 when the mapping does not load; the message names the file and JSON path.
                """,
            parameters: [mapping])
    }

    let path: String

    init(parsing values: ParsedValues) throws(UsageError) {
        path = try values.value(of: Self.mapping)
    }

    func run(_ context: CommandContext) async throws {
        let file = path.hasSuffix(".json") ? path : (path.hasSuffix("/") ? path : path + "/") + "mapping.json"
        let mapping = try MappingDefinition(contentsOf: file)
        var writer = JSONWriter(capacity: 4096)
        writer.writeValue(MappingSchema.schema(for: mapping))
        writer.endLine()
        context.output.write(bytes: writer.bytes)
        context.output.flush()
    }
}
