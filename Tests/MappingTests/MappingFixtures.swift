import Events
import Foundation
@testable import Mapping

/// Writes mapping folders into a fresh temporary directory for one test.
struct MappingFixture {
    let directory: String

    init() {
        directory = NSTemporaryDirectory() + "ferry-mapping-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` under the fixture and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let path = directory + "/" + name
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// The repository root (for the shipped mappings and samples).
    static var repositoryRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    /// An ASCII copybook mapping over `copybook` with `fields` (JSON text of the rules array).
    static let memberCopybook = """
               01  MEMBER-REC.
                   05  MEMBER-ID          PIC X(6).
                   05  STATUS-CODE        PIC X(1).
                       88  IS-ACTIVE      VALUE 'A'.
                       88  IS-TERMED      VALUE 'T'.
                   05  BIRTH-YYMMDD       PIC 9(6).
                   05  JOINED-JULIAN      PIC 9(5).
                   05  PREMIUM            PIC 9(3)V99.
                   05  LAST-NAME          PIC X(8).
        """

    static func memberMapping(fields: String, extra: String = "") -> String {
        """
        {
          "source": { "adapter": "copybook", "copybook": "member.cpy", "codepage": "ascii" },
          "event": { "type": "test.member.v1", "source": "test://members", "subject": "{MEMBER-ID}", "key": "{MEMBER-ID}" },
          \(extra)
          "fields": \(fields)
        }
        """
    }
}
