import EDI
import Foundation
import Testing

/// Helpers shared by the loop-tree tests.
enum X12LoopTreeFixture {
    static let professional: X12Guide = {
        do { return try X12Guide.bundled("005010X222A1") } catch { preconditionFailure("bundled 837P guide: \(error)") }
    }()

    static let institutional: X12Guide = {
        do { return try X12Guide.bundled("005010X223A2") } catch { preconditionFailure("bundled 837I guide: \(error)") }
    }()

    /// Segments of hand-written text: `~` ends a segment, `*` separates elements, `:` components.
    /// Positions count from 1 (the ST).
    static func segments(_ text: String) -> [(segment: X12Segment, position: Int)] {
        text.split(separator: "~").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            .enumerated().map { index, raw in
                let parts = raw.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
                let elements = parts.dropFirst().map { value in
                    X12Element(components: value.split(separator: ":", omittingEmptySubsequences: false).map(String.init))
                }
                return (X12Segment(id: parts[0], elements: Array(elements)), index + 1)
            }
    }

    /// Builds the tree of a hand-written ST…SE set.
    static func build(_ text: String, guide: X12Guide = professional) -> (tree: X12Loop, issues: [X12LoopTreeIssue]) {
        X12LoopTreeBuilder.build(guide: guide, segments: segments(text))
    }

    /// `position → loop path` for every segment, e.g. `12: ST_LOOP/DETAIL/2000A/2000B/2300 CLM`.
    static func placements(_ loop: X12Loop, path: String = "") -> [Int: String] {
        let here = path.isEmpty ? loop.id : "\(path)/\(loop.id)"
        var result: [Int: String] = [:]
        for child in loop.children {
            switch child {
            case let .segment(segment): result[segment.position] = "\(here) \(segment.id)"
            case let .loop(inner): result.merge(placements(inner, path: here)) { first, _ in first }
            }
        }
        return result
    }

    /// Every segment position in the tree, in tree order (each must appear once).
    static func positions(_ loop: X12Loop) -> [Int] {
        loop.children.flatMap { child -> [Int] in
            switch child {
            case let .segment(segment): [segment.position]
            case let .loop(inner): positions(inner)
            }
        }
    }

    /// Loop ids nested by indentation, one loop per line (segments left out).
    static func loopOutline(_ loop: X12Loop, depth: Int = 0) -> [String] {
        [String(repeating: "  ", count: depth) + loop.id] + loop.loops.flatMap { loopOutline($0, depth: depth + 1) }
    }
}
