import Foundation
import Testing

/// Where the shared conformance corpus is: `../shared/conformance/mainframe` from the repository root.
enum ConformanceCorpus {
    /// Tests/CopybookTests/Conformance/ConformanceCorpus.swift → four levels up is the repository root.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let folder = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/conformance/mainframe")

    static var isPresent: Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("SOURCES.md").path)
    }

    static let absentMessage: Comment =
        "conformance corpus absent: expected ../shared/conformance/mainframe beside the repository root"

    static func caseFolder(_ conformanceCase: ConformanceCase) -> URL {
        folder.appendingPathComponent(conformanceCase.name)
    }
}
