import EDI
import Foundation
import Testing

/// One transaction set of a corpus file: its segments (with input positions), its ST03/GS08, its tree and issues.
struct X12CorpusTransactionSet {
    var convention: String
    var segments: [(segment: X12Segment, position: Int)]
    var tree: X12Loop
    var issues: [X12LoopTreeIssue]
}

enum X12LoopTreeCorpus {
    /// The 837 inputs of the corpus (5010 and the staedi HL case), as `case/file`.
    static let inputs: [String] = X12Conformance.inputs.filter {
        ($0.contains("837") && $0.hasPrefix("x12-5010-") && !$0.contains("utf16") && !$0.contains("missing-isa"))
            || $0.hasPrefix("x12-837-staedi")
    }

    /// Tokenizes a corpus file and builds one tree per ST…SE with the guide chosen by ST03 (else GS08).
    static func load(_ input: String) throws -> [X12CorpusTransactionSet] {
        let bytes = try Array(Data(contentsOf: X12Conformance.root.appendingPathComponent(input)))
        var sets: [X12CorpusTransactionSet] = []
        var current: [(segment: X12Segment, position: Int)]?
        var groupVersion = ""
        try bytes.withUnsafeBytes { raw in
            try X12SegmentFramer.forEachSegment(in: raw, allowsUnterminatedFinalSegment: true) { view in
                let segment = view.copy()
                switch segment.id {
                case "GS": groupVersion = segment.element(8)?.text ?? ""
                case "ST": current = [(segment, view.position)]
                case "SE":
                    guard var segments = current else { return }
                    segments.append((segment, view.position))
                    current = nil
                    let st03 = segments[0].segment.element(3)?.text ?? ""
                    let convention = st03.isEmpty ? groupVersion : st03
                    let guide =
                        X12Guide.bundled(forConvention: convention, transactionSet: "837")
                        ?? X12LoopTreeFixture.professional
                    let (tree, issues) = X12LoopTreeBuilder.build(guide: guide, segments: segments)
                    sets.append(.init(convention: convention, segments: segments, tree: tree, issues: issues))
                default:
                    current?.append((segment, view.position))
                }
            }
        }
        return sets
    }
}

@Suite(.enabled(if: X12Conformance.available, "\(X12Conformance.skipMessage)"))
struct X12LoopTreeConformanceTests {
    /// Every segment of every set is in the tree exactly once, in input order; dump for the record.
    @Test(arguments: X12LoopTreeCorpus.inputs)
    func everySegmentIsPlacedOnce(input: String) throws {
        let sets = try X12LoopTreeCorpus.load(input)
        #expect(!sets.isEmpty)
        for set in sets {
            #expect(X12LoopTreeFixture.positions(set.tree).sorted() == set.segments.map(\.position))
            print("TREE \(input) \(set.convention) issues=\(set.issues.count)")
            for issue in set.issues.prefix(12) { print("  ISSUE \(issue)") }
            if ProcessInfo.processInfo.environment["FERRY_DUMP_TREES"] != nil {
                print(X12LoopTreeFixture.loopOutline(set.tree).joined(separator: "\n"))
            }
        }
    }
}
