import Foundation
import Mapping
import Testing

@Suite("JUnit XML from the mapping harness, read by a real JUnit consumer (Python junitparser)")
struct MappingJUnitTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Prints `suite case outcome message` per test case and a totals line.
    static let readerScript = """
        import sys
        from junitparser import JUnitXml, Failure
        xml = JUnitXml.fromfile(sys.argv[1])
        tests = failures = 0
        for suite in xml:
            for case in suite:
                tests += 1
                failed = [r for r in case.result if isinstance(r, Failure)]
                if failed:
                    failures += 1
                    print("FAILED", suite.name, case.name, failed[0].message)
                else:
                    print("PASSED", suite.name, case.name)
        print("TOTALS", tests, failures)
        """

    @Test func junitparserReadsTheResultsIncludingAFailure() async throws {
        let python = try TestEnvironment.current.python()
        let runner = MappingTestRunner()
        let mappings = Self.repositoryRoot.appendingPathComponent("mappings").path
        var results = runner.mappingFiles(under: [mappings]).flatMap { runner.run(mappingFile: $0) }
        try #require(results.count >= 10 && results.allSatisfy(\.passed), "\(results.filter { !$0.passed }.map(\.failures))")
        results.append(MappingTestResult(
            mappingFile: "mappings/x/mapping.json", mappingName: "x & <y>", caseFile: "mappings/x/tests/broken.json",
            caseName: "broken", failures: [#"$[0].data.status: expected "denied", actual "paid""#], seconds: 0.01))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-junit-\(UUID().uuidString).xml")
        defer { try? FileManager.default.removeItem(at: file) }
        try MappingTestRunner.junitXML(results).write(to: file, atomically: true, encoding: .utf8)

        let run = try await python.run(script: Self.readerScript, arguments: [file.path], timeout: .seconds(60))
        try #require(run.status == 0, "junitparser rejected the XML: \(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.last == "TOTALS \(results.count) 1")
        #expect(lines.contains(#"FAILED x & <y> broken $[0].data.status: expected "denied", actual "paid""#))
        #expect(lines.contains("PASSED claim-status-reply replies"))
    }
}
