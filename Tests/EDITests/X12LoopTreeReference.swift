// The loop-tree builder as it was before placement moved to bytes (String-keyed matching over copied segments,
// per-node dictionaries), kept verbatim apart from its name as the reference the byte-level builder is compared
// with (X12LoopTreeEquivalenceTests). Public API only; not used by the module.
import EDI

/// The previous ``X12LoopTreeBuilder``: same placement rules, String-keyed.
struct ReferenceLoopTreeBuilder: Sendable {
    /// The guide the tree follows.
    let guide: X12Guide
    /// Findings so far, in input order.
    private(set) var issues: [X12LoopTreeIssue] = []

    let compiled: ReferenceCompiledGuide
    private(set) var nodes: [BuildNode] = []
    /// The open loop instances, outermost first (indices into `nodes`).
    private(set) var stack: [Int] = []
    private var hierarchicalNodes: [String: Int] = [:]
    /// `false` for validation: loops and counts are kept, segments are not (the tree's segments lists stay empty).
    let retainsSegments: Bool
    /// The guide segment the last consumed segment was placed as (`nil` when it has no place).
    private(set) var lastPlacement: Int?

    /// A builder for transaction sets that follow `guide`.
    init(guide: X12Guide) {
        self.init(guide: guide, compiled: ReferenceCompiledGuide(guide), retainsSegments: true)
    }

    /// A builder for transaction sets that follow `guide`; with `retainsSegments: false` the finished tree has
    /// its loops only (every segment list empty) and no segment is copied: placement and ``issues`` are the same.
    /// Default of ``init(guide:)``: `true`.
    init(guide: X12Guide, retainsSegments: Bool) {
        self.init(guide: guide, compiled: ReferenceCompiledGuide(guide), retainsSegments: retainsSegments)
    }

    init(guide: X12Guide, compiled: ReferenceCompiledGuide, retainsSegments: Bool) {
        self.guide = guide
        self.compiled = compiled
        self.retainsSegments = retainsSegments
        reset()
    }

    /// Builds the tree of one transaction set in one call.
    static func build(
        guide: X12Guide, segments: some Sequence<(segment: X12Segment, position: Int)>
    ) -> (tree: X12Loop, issues: [X12LoopTreeIssue]) {
        var builder = ReferenceLoopTreeBuilder(guide: guide)
        for (segment, position) in segments { builder.consume(segment, position: position) }
        let issues = builder.issues
        return (builder.finish(), issues)
    }

    /// Places a segment viewed by the tokenizer (copied into the tree).
    mutating func consume(_ view: X12SegmentView) {
        consume(view.copy(), position: view.position)
    }

    /// Places the next segment of the transaction set; `position` is its 1-based position in the input.
    mutating func consume(_ segment: X12Segment, position: Int) {
        lastPlacement = nil
        let root = compiled.loops[0]
        if nodes[0].children.isEmpty, let first = root.entrySegment, compiled.matches(segment, first) {
            place(segment, position: position, segment: first, in: 0)
            return
        }
        if segment.id == "HL", let loop = compiled.hierarchicalLoop(for: segment) {
            placeHierarchical(segment, position: position, loop: loop)
            return
        }
        var outOfOrder: (depth: Int, match: Match)?
        for depth in stack.indices.reversed() {
            let node = stack[depth]
            guard
                let match = Self.findMatch(
                    segment, loop: compiled.loops[nodes[node].loop], last: nodes[node].lastKey, compiled: compiled)
            else { continue }
            if match.key >= nodes[stack[depth]].lastKey {
                apply(match, at: depth, segment: segment, position: position)
                return
            }
            if outOfOrder == nil { outOfOrder = (depth, match) }
        }
        if let (depth, match) = outOfOrder {
            apply(match, at: depth, segment: segment, position: position)
            let loop = compiled.loops[nodes[stack[stack.count - 1]].loop]
            issues.append(.init(kind: .segmentOutOfOrder, position: position, loopID: loop.id, segmentID: segment.id))
            return
        }
        // Second pass, ignoring qualifier values, in the innermost loop only (further out an id alone says too
        // little): the same id among its own segments, or the trigger of exactly one child loop. Placed and
        // reported; never a guess among several loops.
        for depth in [stack.count - 1] {
            let loop = compiled.loops[nodes[stack[depth]].loop]
            var own: Match?
            var childLoops: [Match] = []
            for (ordinal, child) in loop.children.enumerated() {
                switch child {
                case let .segment(index):
                    let candidate = compiled.segments[index]
                    if own == nil, candidate.id == segment.id, !candidate.isTrigger, !candidate.qualifiers.isEmpty {
                        own = Match(target: .segment(index), key: loop.childKeys[ordinal])
                    }
                case let .loop(index):
                    if let entry = compiled.loops[index].entrySegment, compiled.segments[entry].id == segment.id,
                        !compiled.segments[entry].qualifiers.isEmpty
                    {
                        childLoops.append(Match(target: .loop(index), key: loop.childKeys[ordinal]))
                    }
                }
            }
            guard let match = own ?? (childLoops.count == 1 ? childLoops[0] : nil) else { continue }
            apply(match, at: depth, segment: segment, position: position, countsUse: false)
            let owner: Int =
                switch match.target {
                case let .segment(index): index
                case let .loop(index): compiled.loops[index].entrySegment ?? 0
                }
            let qualifiers = compiled.segments[owner].qualifiers
            let failed =
                qualifiers.first { qualifier in
                    ReferenceCompiledGuide.value(of: segment, qualifier).map { !qualifier.codes.contains($0) } ?? true
                } ?? qualifiers[0]
            issues.append(.init(
                kind: .qualifierNotRecognized(
                    element: failed.position, found: ReferenceCompiledGuide.value(of: segment, failed) ?? ""),
                position: position, loopID: compiled.loops[nodes[stack[stack.count - 1]].loop].id,
                segmentID: segment.id))
            return
        }
        let inner = stack[stack.count - 1]
        let innerLoop = compiled.loops[nodes[inner].loop]
        if retainsSegments {
            nodes[inner].children.append(
                .segment(X12LoopSegment(segment: segment, position: position, isRecognized: false)))
        }
        let kind: X12LoopTreeIssue.Kind =
            compiled.segmentIDs.contains(segment.id) ? .segmentNotExpected : .segmentNotInGuide
        issues.append(.init(kind: kind, position: position, loopID: innerLoop.id, segmentID: segment.id))
    }

    /// The finished tree; the builder starts over for the next transaction set (issues are cleared too).
    mutating func finish() -> X12Loop {
        let tree = makeLoop(0)
        reset()
        return tree
    }

    // MARK: - Placing

    private mutating func reset() {
        lastPlacement = nil
        nodes = [BuildNode(loop: 0, parent: nil)]
        stack = [0]
        hierarchicalNodes = [:]
        issues = []
    }

    private struct Match {
        enum Target { case segment(Int), loop(Int) }
        var target: Target
        var key: Int
    }

    /// The first child of the loop that takes the segment, preferring one not before the last placed (`last`).
    /// Static so that calling it from the mutating placement code never copies the builder.
    private static func findMatch(
        _ segment: X12Segment, loop: ReferenceCompiledGuide.Loop, last: Int, compiled: ReferenceCompiledGuide
    ) -> Match? {
        var first: Match?
        for (ordinal, child) in loop.children.enumerated() {
            let key = loop.childKeys[ordinal]
            let match: Match
            switch child {
            case let .segment(index):
                let candidate = compiled.segments[index]
                guard !candidate.isTrigger, compiled.matches(segment, index) else { continue }
                match = Match(target: .segment(index), key: key)
            case let .loop(index):
                guard let entry = compiled.loops[index].entrySegment, compiled.matches(segment, entry) else {
                    continue
                }
                match = Match(target: .loop(index), key: key)
            }
            if key >= last { return match }
            if first == nil { first = match }
        }
        return first
    }

    /// Places the segment as `match` says; `countsUse: false` for a segment matched by id only (its uses are not
    /// those of the guide segment it resembles).
    private mutating func apply(
        _ match: Match, at depth: Int, segment: X12Segment, position: Int, countsUse: Bool = true
    ) {
        stack.removeSubrange((depth + 1)...)
        let node = stack[depth]
        switch match.target {
        case let .segment(index):
            nodes[node].lastKey = match.key
            place(segment, position: position, segment: index, in: node, countsUse: countsUse)
        case let .loop(index):
            var parent = node
            for loop in compiled.loops[index].entryChain {
                parent = open(loop, under: parent, position: position, segmentID: segment.id)
            }
            place(
                segment, position: position, segment: compiled.loops[index].entrySegment ?? 0, in: parent,
                countsUse: countsUse)
        }
    }

    /// Opens a new instance of `loop` under `parent` and pushes it (the stack must end at `parent`).
    private mutating func open(_ loop: Int, under parent: Int, position: Int, segmentID: String) -> Int {
        let guideLoop = compiled.loops[loop]
        let count = nodes[parent].loopCounts[loop, default: 0] + 1
        nodes[parent].loopCounts[loop] = count
        if let maximum = guideLoop.maxRepeat, count > maximum {
            issues.append(.init(
                kind: .loopRepeatExceeded(maximum: maximum, count: count), position: position,
                loopID: guideLoop.id, segmentID: segmentID))
        }
        if guideLoop.parent == nodes[parent].loop { nodes[parent].lastKey = guideLoop.key }
        let node = nodes.count
        nodes.append(BuildNode(loop: loop, parent: parent))
        nodes[parent].children.append(.node(node))
        stack.append(node)
        return node
    }

    private mutating func place(
        _ segment: X12Segment, position: Int, segment index: Int, in node: Int, countsUse: Bool = true
    ) {
        if retainsSegments {
            nodes[node].children.append(
                .segment(X12LoopSegment(segment: segment, position: position, isRecognized: true)))
        }
        lastPlacement = index
        guard countsUse else {
            // Placed by id only: not a use of this guide segment, but the slot is not missing either.
            if nodes[node].segmentUses[index] == nil { nodes[node].segmentUses[index] = 0 }
            return
        }
        let count = nodes[node].segmentUses[index, default: 0] + 1
        nodes[node].segmentUses[index] = count
        if let maximum = compiled.segments[index].maxUse, count > maximum {
            issues.append(.init(
                kind: .segmentUseExceeded(maximum: maximum, count: count), position: position,
                loopID: compiled.loops[nodes[node].loop].id, segmentID: segment.id))
        }
    }

    /// An HL opens its level under the HL named by HL02, or at the top of the hierarchy when HL02 is empty.
    private mutating func placeHierarchical(_ segment: X12Segment, position: Int, loop: Int) {
        let guideLoop = compiled.loops[loop]
        let id = segment.element(1)?.text ?? ""
        let parentID = segment.element(2)?.text ?? ""
        var parentNode: Int?
        if !parentID.isEmpty {
            if let node = hierarchicalNodes[parentID] {
                parentNode = node
                let parentLoop = compiled.loops[nodes[node].loop].id
                let allowed = guideLoop.hierarchicalParents ?? [compiled.loops[guideLoop.parent ?? 0].id]
                if !allowed.contains(parentLoop) {
                    issues.append(.init(
                        kind: .hierarchicalParentMismatch(parentLoop: parentLoop, allowed: allowed),
                        position: position, loopID: guideLoop.id, segmentID: "HL"))
                }
            } else {
                issues.append(.init(
                    kind: .hierarchicalParentUnknown(parentID), position: position, loopID: guideLoop.id,
                    segmentID: "HL"))
            }
        } else if let allowed = guideLoop.hierarchicalParents, !allowed.isEmpty {
            issues.append(.init(
                kind: .hierarchicalParentMissing, position: position, loopID: guideLoop.id, segmentID: "HL"))
        }
        // Without a usable HL02, fall back to position: the nearest open level the guide allows as parent.
        if parentNode == nil, let allowed = guideLoop.hierarchicalParents, !allowed.isEmpty {
            parentNode = stack.last { allowed.contains(compiled.loops[nodes[$0].loop].id) }
        }
        let parent: Int
        if let parentNode {
            stack = path(to: parentNode)
            parent = parentNode
        } else {
            parent = openTopOfHierarchy(for: loop, position: position)
        }
        let node = open(loop, under: parent, position: position, segmentID: "HL")
        place(segment, position: position, segment: guideLoop.entrySegment ?? 0, in: node)
        if hierarchicalNodes[id] != nil {
            issues.append(.init(
                kind: .hierarchicalIDDuplicate(id), position: position, loopID: guideLoop.id, segmentID: "HL"))
        }
        // The latest HL with an id wins, so children that follow a duplicated id nest under the nearest one.
        hierarchicalNodes[id] = node
    }

    /// Makes the stack end at the nearest non-HL loop that holds `loop` in the guide (e.g. `DETAIL` for 2000A),
    /// reusing open instances and opening wrappers as needed; returns that node.
    private mutating func openTopOfHierarchy(for loop: Int, position: Int) -> Int {
        var ancestors: [Int] = []
        var current = compiled.loops[loop].parent
        while let index = current {
            ancestors.append(index)
            current = compiled.loops[index].parent
        }
        ancestors.reverse()  // root first
        while let last = ancestors.last, compiled.loops[last].isHierarchical { ancestors.removeLast() }
        var depth = 0
        while depth < stack.count, depth < ancestors.count, nodes[stack[depth]].loop == ancestors[depth] {
            depth += 1
        }
        stack.removeSubrange(max(depth, 1)...)
        var parent = stack[stack.count - 1]
        for index in ancestors.dropFirst(max(depth, 1)) {
            parent = open(index, under: parent, position: position, segmentID: "HL")
        }
        return parent
    }

    private func path(to node: Int) -> [Int] {
        var path = [node]
        while let parent = nodes[path[path.count - 1]].parent { path.append(parent) }
        return path.reversed()
    }

    private func makeLoop(_ node: Int) -> X12Loop {
        let loop = compiled.loops[nodes[node].loop]
        return X12Loop(
            id: loop.id, name: loop.name,
            children: nodes[node].children.map { child in
                switch child {
                case let .segment(segment): .segment(segment)
                case let .node(index): .loop(makeLoop(index))
                }
            })
    }

    struct BuildNode: Sendable {
        enum Child: Sendable { case segment(X12LoopSegment), node(Int) }
        var loop: Int
        var parent: Int?
        var children: [Child] = []
        var lastKey = 0
        var segmentUses: [Int: Int] = [:]
        var loopCounts: [Int: Int] = [:]
    }
}

/// A guide flattened into arrays for matching.
struct ReferenceCompiledGuide: Sendable {
    struct Qualifier: Sendable {
        var position: Int
        var component: Int?
        var codes: Set<String>
    }

    /// A class so that reading one on the hot path is one retain, not one per field. Mutated only while
    /// ``ReferenceCompiledGuide/init(_:)`` runs, immutable afterwards: hence `@unchecked Sendable`.
    final class Segment: @unchecked Sendable {
        var id: String
        var maxUse: Int?
        var qualifiers: [Qualifier]
        var isTrigger: Bool
        var usage: X12Usage

        init(id: String, maxUse: Int?, qualifiers: [Qualifier], isTrigger: Bool, usage: X12Usage) {
            self.id = id
            self.maxUse = maxUse
            self.qualifiers = qualifiers
            self.isTrigger = isTrigger
            self.usage = usage
        }
    }

    enum Child: Sendable { case segment(Int), loop(Int) }

    /// A class for the same reason as ``Segment``; mutated only while ``ReferenceCompiledGuide/init(_:)`` runs.
    final class Loop: @unchecked Sendable {
        var id: String
        var usage: X12Usage
        var isWrapper: Bool
        var name: String
        var maxRepeat: Int?
        var parent: Int?
        /// This loop's order key among its parent's children.
        var key: Int
        var children: [Child] = []
        /// Order key of each child: the guide's sequence numbers when every child has one, else the index.
        var childKeys: [Int] = []
        /// The loops opened on entry: this one, then leading child loops down to the first segment.
        var entryChain: [Int] = []
        var entrySegment: Int?
        var isHierarchical = false
        var hierarchicalParents: [String]?

        init(
            id: String, usage: X12Usage, isWrapper: Bool, name: String, maxRepeat: Int?, parent: Int?, key: Int,
            hierarchicalParents: [String]?
        ) {
            self.id = id
            self.usage = usage
            self.isWrapper = isWrapper
            self.name = name
            self.maxRepeat = maxRepeat
            self.parent = parent
            self.key = key
            self.hierarchicalParents = hierarchicalParents
        }
    }

    var loops: [Loop] = []
    var segments: [Segment] = []
    /// The guide's segments, in the order of `segments` (for the element checks of ``X12GuideValidator``).
    var definitions: [X12GuideSegment] = []
    var segmentIDs: Set<String> = []
    /// HL loops with their HL03 codes.
    var hierarchical: [(loop: Int, codes: Set<String>)] = []

    init(_ guide: X12Guide) {
        _ = add(guide.root, parent: nil, ordinal: 0)
        for index in loops.indices {
            var chain = [index]
            var current = index
            while true {
                guard let first = loops[current].children.first else { break }
                switch first {
                case let .segment(segment):
                    loops[index].entrySegment = segment
                case let .loop(child):
                    chain.append(child)
                    current = child
                    continue
                }
                break
            }
            loops[index].entryChain = chain
            if let entry = loops[index].entrySegment, segments[entry].id == "HL", chain.count == 1,
                let level = segments[entry].qualifiers.first(where: { $0.position == 3 })
            {
                loops[index].isHierarchical = true
                hierarchical.append((index, level.codes))
            }
        }
    }

    private mutating func add(_ loop: X12GuideLoop, parent: Int?, ordinal: Int) -> Int {
        let index = loops.count
        loops.append(Loop(
            id: loop.id, usage: loop.usage, isWrapper: loop.isWrapper, name: loop.name, maxRepeat: loop.maxRepeat,
            parent: parent, key: ordinal, hierarchicalParents: loop.hierarchicalParents))
        var children: [Child] = []
        let sequences = loop.children.map { node -> Int? in
            switch node {
            case let .segment(segment): segment.sequence
            case let .loop(child): child.sequence
            }
        }
        let keys = sequences.allSatisfy { $0 != nil } ? sequences.map { $0 ?? 0 } : Array(loop.children.indices)
        for (childOrdinal, node) in loop.children.enumerated() {
            switch node {
            case let .segment(segment):
                segmentIDs.insert(segment.id)
                segments.append(Segment(
                    id: segment.id, maxUse: segment.maxUse,
                    qualifiers: segment.qualifiers.map {
                        Qualifier(position: $0.position, component: $0.component, codes: Set($0.codes))
                    },
                    isTrigger: childOrdinal == 0, usage: segment.usage))
                definitions.append(segment)
                children.append(.segment(segments.count - 1))
            case let .loop(child):
                let childIndex = add(child, parent: index, ordinal: childOrdinal)
                loops[childIndex].key = keys[childOrdinal]
                children.append(.loop(childIndex))
            }
        }
        loops[index].children = children
        loops[index].childKeys = keys
        return index
    }

    static func value(of segment: X12Segment, _ qualifier: Qualifier) -> String? {
        guard let element = segment.element(qualifier.position) else { return nil }
        guard let component = qualifier.component else { return element.text }
        guard let repetition = element.repetitions.first, component >= 1, component <= repetition.count else {
            return nil
        }
        return String(decoding: repetition[component - 1], as: UTF8.self)
    }

    func matches(_ segment: X12Segment, _ index: Int) -> Bool {
        let candidate = segments[index]
        guard candidate.id == segment.id else { return false }
        for qualifier in candidate.qualifiers {
            guard let value = Self.value(of: segment, qualifier), qualifier.codes.contains(value) else { return false }
        }
        return true
    }

    /// The HL loop whose HL03 code the segment carries.
    func hierarchicalLoop(for segment: X12Segment) -> Int? {
        guard let level = segment.element(3)?.text, !level.isEmpty else { return nil }
        return hierarchical.first { $0.codes.contains(level) }?.loop
    }
}
