import EDI
import Foundation

/// Shared helpers for the EDIFACT suites.
enum EDIFACTFixture {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let corpus = repositoryRoot.appendingPathComponent("../shared/conformance/edi").standardized
    static var corpusExists: Bool { FileManager.default.fileExists(atPath: corpus.path) }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func load(_ caseName: String, _ file: String = "input.edi") throws -> [UInt8] {
        try Array(Data(contentsOf: corpus.appendingPathComponent(caseName).appendingPathComponent(file)))
    }

    /// Every segment of `bytes` (UNA included); syntax errors collected.
    static func tokenize(_ bytes: [UInt8], chunkSize: Int = 65_536) -> (segments: [EDIFACTSegment], errors: [EDIFACTError]) {
        var reader = EDIFACTSegmentReader(bytes: bytes, chunkSize: chunkSize)
        var segments: [EDIFACTSegment] = []
        var errors: [EDIFACTError] = []
        while true {
            do {
                guard let segment = try reader.next() else { break }
                segments.append(segment)
            } catch {
                guard case .syntax(let syntax) = error else { break }
                errors.append(syntax)
            }
        }
        return (segments, errors)
    }

    /// A comparable shape of a segment: tag, then elements → repetitions → components as text.
    static func shape(_ segment: EDIFACTSegment) -> [String] {
        [segment.tag] + segment.elements.map { element in
            element.repetitions.map { $0.map { segment.characterSet.decode($0) }.joined(separator: "|") }
                .joined(separator: "#")
        }
    }
}
