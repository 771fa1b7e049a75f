import Copybook
import Foundation
import Testing

/// Shared helpers for the copybook tests.
enum CopybookFixture {
    /// The repository root, three levels above this file (Tests/CopybookTests/CopybookTestSupport.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The shared conformance corpus (`../shared/conformance/mainframe` from the repository root).
    static let conformanceRoot = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/conformance/mainframe")

    static var conformanceAvailable: Bool {
        FileManager.default.fileExists(atPath: conformanceRoot.appendingPathComponent("SOURCES.md").path)
    }

    static let skipMessage = "conformance corpus absent at ../shared/conformance/mainframe: skipped"

    /// Parses fixed-format text written with the program text starting in column 8 (each line is prefixed
    /// with 7 spaces).
    static func fixed(_ lines: [String], options: CopybookOptions = CopybookOptions()) throws -> Copybook {
        try Copybook(
            parsing: lines.map { "       " + $0 }.joined(separator: "\n"), sourceName: "test.cpy",
            options: options)
    }

    /// The first record's item named `name`.
    static func item(_ copybook: Copybook, _ name: String, record: Int = 0) throws -> DataItem {
        try #require(copybook.records[record].item(path: [name]), "no item \(name)")
    }

    static func text(_ url: URL) throws -> String {
        String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    /// Every copybook file named in a case.json of the corpus: (case folder, file name).
    static func conformanceCopybooks() -> [(caseName: String, file: String)] {
        guard conformanceAvailable,
              let cases = try? FileManager.default.contentsOfDirectory(atPath: conformanceRoot.path) else { return [] }
        var result: [(String, String)] = []
        for caseName in cases.sorted() {
            let manifest = conformanceRoot.appendingPathComponent(caseName).appendingPathComponent("case.json")
            guard let data = try? Data(contentsOf: manifest),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let files = json["files"] as? [String: Any] else { continue }
            for file in files.keys.sorted() where [".cob", ".cbl", ".cpy"].contains(where: { file.hasSuffix($0) }) {
                result.append((caseName, file))
            }
        }
        return result
    }

    /// The layout options a conformance copybook was compiled with: JRecord's GnuCOBOL fixtures name their
    /// dialect in the file name (`mf*` Micro Focus sizes, `cpy*` GnuCOBOL default 1-2-4-8, `fj*` Fujitsu SYNC).
    static func options(forConformanceFile file: String) -> CopybookOptions {
        var options = CopybookOptions()
        if file.hasPrefix("mf") { options.binarySizes = .microFocus }
        if file.hasPrefix("cpy") { options.binarySizes = .gnuCOBOL }
        if file.hasPrefix("fj") { options.synchronization = .eightByteToFour }
        return options
    }
}
