public import Events
import Foundation

/// One test case file, `mappings/<name>/tests/<case>.json`:
/// `{"description", "input": {"text"|"hex"|"file"}, "metadata": {...}, "expect": {"events": [...]}|{"error": "substring"}}`.
/// Expected events are compared member by member; members the expectation leaves out are not checked
/// (so a case may pin only `data`), except inside `data`, which must match exactly.
public struct MappingTestCase: Sendable {
    /// The case file.
    public var file: String
    /// The case's name (the file name without `.json`).
    public var name: String
    /// The input bytes.
    public var input: [UInt8]
    /// The expected events, or nil when an error is expected.
    public var expectedEvents: [JSONValue]?
    /// A substring the expected error's message contains.
    public var expectedError: String?
    /// Source metadata given to the engine (`"mq.replyToQueue": "…"`), replacing what the adapter read.
    public var metadata: [String: String]

    /// Reads a case; `repositoryRoot` resolves `input.file` (paths under `samples/`) and `mappingDirectory` too.
    public init(contentsOf file: String, mappingDirectory: String) throws(MappingError) {
        guard let data = FileManager.default.contents(atPath: file) else { throw MappingError(file: file, path: "$", "cannot read the file") }
        let json: JSONValue
        do { json = try JSONValue(parsing: [UInt8](data)) } catch { throw MappingError(file: file, path: "$", "\(error)") }
        let reader = try DefinitionReader(json, file: file, path: .root)
        try reader.rejectUnknown(["description", "input", "metadata", "expect"])
        var metadata: [String: String] = [:]
        if let given = try reader.object("metadata") {
            for member in given.members {
                guard case let .string(text) = member.value else { throw given.error(member.key, "expected a string") }
                metadata[member.key.hasPrefix("@") ? String(member.key.dropFirst()) : member.key] = text
            }
        }
        self.metadata = metadata
        self.file = file
        name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        guard let input = try reader.object("input") else { throw reader.error(nil, "missing required key 'input'") }
        try input.rejectUnknown(["text", "hex", "file"])
        if let text = try input.string("text") {
            self.input = Array(text.utf8)
        } else if let hex = try input.string("hex") {
            let digits = hex.filter { !$0.isWhitespace }
            var bytes: [UInt8] = []
            var index = digits.startIndex
            while index < digits.endIndex {
                let next = digits.index(index, offsetBy: 2, limitedBy: digits.endIndex) ?? digits.endIndex
                guard let byte = UInt8(digits[index..<next], radix: 16) else { throw input.error("hex", "not hex digits") }
                bytes.append(byte)
                index = next
            }
            self.input = bytes
        } else if let path = try input.string("file") {
            let candidates = [mappingDirectory + "/" + path, Self.repositoryRoot(from: mappingDirectory) + "/" + path]
            guard let found = candidates.lazy.compactMap({ FileManager.default.contents(atPath: $0) }).first else {
                throw input.error("file", "cannot read \(path) (relative to the mapping folder or the repository root)")
            }
            self.input = [UInt8](found)
        } else {
            throw input.error(nil, "needs one of 'text', 'hex' or 'file'")
        }
        guard let expect = try reader.object("expect") else { throw reader.error(nil, "missing required key 'expect'") }
        try expect.rejectUnknown(["events", "error"])
        if case let .array(events)? = expect.value("events") {
            expectedEvents = events
        } else {
            expectedEvents = nil
        }
        expectedError = try expect.string("error")
        if (expectedEvents == nil) == (expectedError == nil) { throw expect.error(nil, "needs exactly one of 'events' or 'error'") }
    }

    /// The folder holding `samples/`, searched upwards from `directory` (default: the current directory).
    static func repositoryRoot(from directory: String) -> String {
        var current = (directory as NSString).standardizingPath
        if !current.hasPrefix("/") { current = FileManager.default.currentDirectoryPath + "/" + current }
        while current != "/" && !current.isEmpty {
            if FileManager.default.fileExists(atPath: current + "/samples") { return current }
            current = (current as NSString).deletingLastPathComponent
        }
        return FileManager.default.currentDirectoryPath
    }
}

/// One difference between an expected and an actual value.
public struct MappingDifference: Sendable, Hashable, CustomStringConvertible {
    /// Where, e.g. `$[0].data.member.lastName`.
    public var path: String
    /// The expected value's JSON, or `(absent)`.
    public var expected: String
    /// The actual value's JSON, or `(absent)`.
    public var actual: String

    public var description: String { "\(path): expected \(expected), actual \(actual)" }

    /// The differences between `expected` and `actual` below `path`. With `partial`, object members `expected` leaves
    /// out are not compared (the event's envelope); `data` is always compared exactly.
    public static func between(_ expected: JSONValue, _ actual: JSONValue, path: String, partial: Bool) -> [MappingDifference] {
        switch (expected, actual) {
        case let (.object(want), .object(have)):
            var result: [MappingDifference] = []
            for member in want {
                let childPath = path + "." + member.key
                if let other = have.first(where: { $0.key == member.key }) {
                    result += between(member.value, other.value, path: childPath, partial: partial && member.key != "data")
                } else {
                    result.append(MappingDifference(path: childPath, expected: text(member.value), actual: "(absent)"))
                }
            }
            if !partial {
                for member in have where !want.contains(where: { $0.key == member.key }) {
                    result.append(MappingDifference(path: path + "." + member.key, expected: "(absent)", actual: text(member.value)))
                }
            }
            return result
        case let (.array(want), .array(have)):
            var result: [MappingDifference] = []
            for index in 0..<max(want.count, have.count) {
                let childPath = path + "[\(index)]"
                switch (index < want.count ? want[index] : nil, index < have.count ? have[index] : nil) {
                case let (w?, h?): result += between(w, h, path: childPath, partial: partial)
                case let (w?, nil): result.append(MappingDifference(path: childPath, expected: text(w), actual: "(absent)"))
                case let (nil, h?): result.append(MappingDifference(path: childPath, expected: "(absent)", actual: text(h)))
                default: break
                }
            }
            return result
        case let (.number, .number):
            // Numbers compare by value: an expectation may write 125 for 125.00.
            if let want = try? expected.decimalValue(), let have = try? actual.decimalValue(), want == have { return [] }
            return expected == actual ? [] : [MappingDifference(path: path, expected: text(expected), actual: text(actual))]
        default:
            return expected == actual ? [] : [MappingDifference(path: path, expected: text(expected), actual: text(actual))]
        }
    }

    static func text(_ value: JSONValue) -> String {
        let encoded = String(decoding: value.encoded(), as: UTF8.self)
        return encoded.count > 200 ? String(encoded.prefix(197)) + "..." : encoded
    }
}

/// The outcome of one case.
public struct MappingTestResult: Sendable {
    /// The mapping file.
    public var mappingFile: String
    /// The mapping's name.
    public var mappingName: String
    /// The case file.
    public var caseFile: String
    /// The case's name.
    public var caseName: String
    /// Empty when the case passed.
    public var failures: [String]
    /// Wall time in seconds.
    public var seconds: Double

    /// Whether the case passed.
    public var passed: Bool { failures.isEmpty }

    /// A result from its parts.
    public init(mappingFile: String, mappingName: String, caseFile: String, caseName: String, failures: [String], seconds: Double) {
        self.mappingFile = mappingFile
        self.mappingName = mappingName
        self.caseFile = caseFile
        self.caseName = caseName
        self.failures = failures
        self.seconds = seconds
    }
}

/// Discovers and runs mapping test cases: every `mapping.json` under the given paths, and every
/// `tests/*.json` beside it.
public struct MappingTestRunner: Sendable {
    /// A runner.
    public init() {}

    /// The `mapping.json` files under `paths` (a mapping file, a mapping folder, or a folder of mapping folders), sorted.
    public func mappingFiles(under paths: [String]) -> [String] {
        var result: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue { result.append(path); continue }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            if manager.fileExists(atPath: base + "/mapping.json") { result.append(base + "/mapping.json"); continue }
            let children = (try? manager.contentsOfDirectory(atPath: base))?.sorted() ?? []
            for child in children where manager.fileExists(atPath: base + "/" + child + "/mapping.json") {
                result.append(base + "/" + child + "/mapping.json")
            }
        }
        return result
    }

    /// Runs every case of the mapping at `mappingFile`. A mapping that does not load is one failed case named `(mapping)`.
    public func run(mappingFile: String) -> [MappingTestResult] {
        let directory = (mappingFile as NSString).deletingLastPathComponent
        let mapping: MappingDefinition
        do { mapping = try MappingDefinition(contentsOf: mappingFile) } catch {
            return [MappingTestResult(mappingFile: mappingFile, mappingName: (directory as NSString).lastPathComponent, caseFile: mappingFile, caseName: "(mapping)", failures: ["\(error)"], seconds: 0)]
        }
        let engine = MappingEngine(mapping: mapping)
        let testsDirectory = directory + "/tests"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: testsDirectory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return names.map { name in
            let caseFile = testsDirectory + "/" + name
            let started = Date()
            var failures: [String] = []
            var caseName = (name as NSString).deletingPathExtension
            do {
                let testCase = try MappingTestCase(contentsOf: caseFile, mappingDirectory: directory)
                caseName = testCase.name
                failures = check(testCase, engine: engine)
            } catch {
                failures = ["\(error)"]
            }
            return MappingTestResult(mappingFile: mappingFile, mappingName: mapping.name, caseFile: caseFile, caseName: caseName, failures: failures, seconds: Date().timeIntervalSince(started))
        }
    }

    /// The failures of one case (empty when it passes).
    public func check(_ testCase: MappingTestCase, engine: MappingEngine) -> [String] {
        let outcome: Result<[JSONValue], MappingError>
        do {
            outcome = .success(try engine.events(from: testCase.input, inputName: testCase.file, metadata: testCase.metadata))
        } catch {
            outcome = .failure(error)
        }
        switch (outcome, testCase.expectedEvents, testCase.expectedError) {
        case let (.success(events), expected?, _):
            return MappingDifference.between(.array(expected), .array(events), path: "$", partial: true).map(\.description)
        case let (.failure(error), _, expected?):
            return error.description.contains(expected) ? [] : ["expected an error containing \"\(expected)\", got: \(error)"]
        case let (.success(events), nil, expected?):
            return ["expected an error containing \"\(expected)\", got \(events.count) events"]
        case let (.failure(error), _, _):
            return ["unexpected error: \(error)"]
        default:
            return ["malformed case"]
        }
    }

    /// JUnit XML for `results`: one `<testsuite>` per mapping, one `<testcase>` per case, a `<failure>` per failed case.
    public static func junitXML(_ results: [MappingTestResult]) -> String {
        func escape(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                case "\n", "\t": out.unicodeScalars.append(scalar)
                default:
                    if scalar.value < 0x20 { out += "?" } else { out.unicodeScalars.append(scalar) }
                }
            }
            return out
        }
        var groups: [(String, [MappingTestResult])] = []
        for result in results {
            if let index = groups.firstIndex(where: { $0.0 == result.mappingName }) { groups[index].1.append(result) } else { groups.append((result.mappingName, [result])) }
        }
        let failed = results.filter { !$0.passed }.count
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"ferry test\" tests=\"\(results.count)\" failures=\"\(failed)\" errors=\"0\">\n"
        for (name, cases) in groups {
            let time = cases.reduce(0) { $0 + $1.seconds }
            xml += "  <testsuite name=\"\(escape(name))\" tests=\"\(cases.count)\" failures=\"\(cases.filter { !$0.passed }.count)\" errors=\"0\" skipped=\"0\" time=\"\(String(format: "%.3f", time))\">\n"
            for result in cases {
                xml += "    <testcase classname=\"mappings.\(escape(name))\" name=\"\(escape(result.caseName))\" file=\"\(escape(result.caseFile))\" time=\"\(String(format: "%.3f", result.seconds))\""
                if result.passed {
                    xml += "/>\n"
                } else {
                    xml += ">\n      <failure message=\"\(escape(result.failures[0]))\" type=\"MappingMismatch\">\(escape(result.failures.joined(separator: "\n")))</failure>\n    </testcase>\n"
                }
            }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }
}
