/// Builds the implementation-guide loop tree of one transaction set, segment by segment, the way pyx12 and
/// StAEDI do: a segment is matched by its id plus its qualifier values (NM101, HL03, DTP01 …); a loop is
/// entered by its trigger segment; a segment that belongs to an enclosing loop closes the inner ones; HL loops
/// nest by their HL02 parent pointer, in any order. Nothing is dropped: segments the guide has no place for stay
/// in the tree (marked unrecognized) and every deviation is an ``X12LoopTreeIssue``.
///
/// Placement reads the segment in place (its id and qualifier bytes, against tables compiled once per builder);
/// a segment is copied only into a tree that keeps segments.
///
/// ```swift
/// var builder = X12LoopTreeBuilder(guide: try X12Guide.bundled("005010X222A1"))
/// for segment in transactionSetSegments { builder.consume(segment) }   // ST … SE
/// let tree = builder.finish()
/// ```
public struct X12LoopTreeBuilder: Sendable {
    /// The guide the tree follows.
    public let guide: X12Guide
    /// Findings so far, in input order.
    public private(set) var issues: [X12LoopTreeIssue] = []

    let compiled: CompiledGuide
    private(set) var nodes: [BuildNode] = []
    /// The open loop instances, outermost first (indices into `nodes`).
    private(set) var stack: [Int] = []
    /// HL01 → its node: by packed HL01 while every HL01 and HL02 of the set is short ASCII (then equal as text
    /// exactly when equal as bytes), by text from the first one that is not (`hierarchicalByText`).
    private var hierarchicalKeys: [UInt64: Int] = [:]
    private var hierarchicalNodes: [String: Int] = [:]
    private var hierarchicalByText = false
    /// `false` for validation: loops and counts are kept, segments are not (the tree's segments lists stay empty).
    let retainsSegments: Bool
    /// Whether segments placed in the root count as its children when deciding if an `ST` still opens the set
    /// (`false` only for the validator, which has always counted loops only there).
    private let countsRootSegments: Bool
    /// The guide segment the last consumed segment was placed as (`nil` when it has no place).
    private(set) var lastPlacement: Int?
    /// The tree's children in the order placed, each with its parent node (one array for the whole set, reused).
    private var placedChildren: [(parent: Int, child: BuildNode.Child)] = []
    /// Children of the root so far (see `countsRootSegments`).
    private var rootChildren = 0
    /// Per node, per child of its guide loop: uses of that segment or instances of that loop, plus one (0 = none).
    /// Each node owns `compiled.loopChildren(node's loop).count` slots from `nodes[node].countsStart`.
    private var counts: [Int] = []
    /// Counts of a node for a segment or loop that is not a child of its guide loop (an HL nested by HL02 under a
    /// level of the wrong kind): `key` is a segment index, or `-1 - loop` for a loop.
    private var foreignCounts: [(node: Int, key: Int, count: Int)] = []

    /// A builder for transaction sets that follow `guide`.
    public init(guide: X12Guide) {
        self.init(guide: guide, compiled: CompiledGuide(guide), retainsSegments: true)
    }

    /// A builder for transaction sets that follow `guide`; with `retainsSegments: false` the finished tree has
    /// its loops only (every segment list empty) and no segment is copied: placement and ``issues`` are the same.
    /// Default of ``init(guide:)``: `true`.
    public init(guide: X12Guide, retainsSegments: Bool) {
        self.init(guide: guide, compiled: CompiledGuide(guide), retainsSegments: retainsSegments)
    }

    init(guide: X12Guide, compiled: CompiledGuide, retainsSegments: Bool, countsRootSegments: Bool = true) {
        self.guide = guide
        self.compiled = compiled
        self.retainsSegments = retainsSegments
        self.countsRootSegments = countsRootSegments
        reset()
    }

    /// Builds the tree of one transaction set in one call.
    public static func build(
        guide: X12Guide, segments: some Sequence<(segment: X12Segment, position: Int)>
    ) -> (tree: X12Loop, issues: [X12LoopTreeIssue]) {
        var builder = X12LoopTreeBuilder(guide: guide)
        for (segment, position) in segments { builder.consume(segment, position: position) }
        let issues = builder.issues
        return (builder.finish(), issues)
    }

    /// Places a segment viewed by the tokenizer (copied into the tree only when the tree keeps segments).
    public mutating func consume(_ view: X12SegmentView) {
        place(view, position: view.position)
    }

    /// Places the next segment of the transaction set; `position` is its 1-based position in the input.
    public mutating func consume(_ segment: X12Segment, position: Int) {
        place(segment, position: position)
    }

    /// The finished tree; the builder starts over for the next transaction set (issues are cleared too).
    public mutating func finish() -> X12Loop {
        var byParent = Array(repeating: [BuildNode.Child](), count: nodes.count)
        for (parent, child) in placedChildren { byParent[parent].append(child) }
        let tree = makeLoop(0, byParent)
        reset()
        return tree
    }

    /// Starts over without making the tree (the validator keeps no tree).
    mutating func discard() {
        reset()
    }

    /// The guide loop of the innermost open loop instance.
    var innermostLoop: Int { nodes[stack[stack.count - 1]].loop }

    /// Whether guide segment `index` was placed in `node` (counted or placed by id only).
    func hasPlaced(segment index: Int, in node: Int) -> Bool {
        count(node: node, child: compiled.segmentChild[index], key: index) != 0
    }

    /// Whether an instance of guide loop `loop` was opened under `node`.
    func hasOpened(loop: Int, in node: Int) -> Bool {
        count(node: node, child: compiled.loopChild[loop], key: -1 - loop) != 0
    }

    // MARK: - Placing

    private mutating func reset() {
        lastPlacement = nil
        nodes.removeAll(keepingCapacity: true)
        counts.removeAll(keepingCapacity: true)
        foreignCounts.removeAll(keepingCapacity: true)
        placedChildren.removeAll(keepingCapacity: true)
        rootChildren = 0
        stack.removeAll(keepingCapacity: true)
        hierarchicalNodes.removeAll(keepingCapacity: true)
        hierarchicalKeys.removeAll(keepingCapacity: true)
        hierarchicalByText = false
        issues = []
        stack.append(makeNode(loop: 0, parent: nil))
    }

    /// A new node for an instance of `loop`, with its count slots.
    private mutating func makeNode(loop: Int, parent: Int?) -> Int {
        let node = nodes.count
        nodes.append(BuildNode(loop: loop, parent: parent, countsStart: counts.count))
        counts.append(contentsOf: repeatElement(0, count: compiled.loopChildren(loop).count))
        return node
    }

    /// The stored count (plus one; 0 = none) of guide child `child` (flat index; `key` for foreign ones) in `node`.
    private func count(node: Int, child: Int, key: Int) -> Int {
        let loop = nodes[node].loop
        if child >= 0, compiled.childOwner[child] == loop {
            return counts[nodes[node].countsStart + child - compiled.loopChildStart[loop]]
        }
        return foreignCounts.last { $0.node == node && $0.key == key }?.count ?? 0
    }

    private mutating func setCount(_ value: Int, node: Int, child: Int, key: Int) {
        let loop = nodes[node].loop
        if child >= 0, compiled.childOwner[child] == loop {
            counts[nodes[node].countsStart + child - compiled.loopChildStart[loop]] = value
            return
        }
        if let index = foreignCounts.lastIndex(where: { $0.node == node && $0.key == key }) {
            foreignCounts[index].count = value
        } else {
            foreignCounts.append((node, key, value))
        }
    }

    private mutating func appendChild(_ child: BuildNode.Child, to parent: Int) {
        if parent == 0 {
            switch child {
            case .node: rootChildren += 1
            case .segment: if countsRootSegments { rootChildren += 1 }
            }
        }
        placedChildren.append((parent, child))
    }

    private mutating func place<Segment: X12PlacementSegment>(_ segment: Segment, position: Int) {
        lastPlacement = nil
        let id = compiled.idNumber(of: segment)
        var values = PlacementValues()
        if rootChildren == 0, let first = compiled.loops[0].entrySegment,
            compiled.matches(segment, id: id, first, values: &values)
        {
            place(segment, position: position, segment: first, in: 0)
            return
        }
        if let id, id == compiled.hierarchicalIDNumber, let loop = compiled.hierarchicalLoop(for: segment, values: &values) {
            placeHierarchical(segment, position: position, loop: loop)
            return
        }
        var outOfOrder: (depth: Int, match: Match)?
        if let id {
            for depth in stack.indices.reversed() {
                let node = stack[depth]
                guard
                    let match = Self.findMatch(
                        segment, id: id, loop: nodes[node].loop, last: nodes[node].lastKey, compiled: compiled,
                        values: &values)
                else { continue }
                if match.key >= nodes[node].lastKey {
                    apply(match, at: depth, segment: segment, position: position)
                    return
                }
                if outOfOrder == nil { outOfOrder = (depth, match) }
            }
        }
        if let (depth, match) = outOfOrder {
            apply(match, at: depth, segment: segment, position: position)
            let loop = compiled.loops[nodes[stack[stack.count - 1]].loop]
            issues.append(.init(
                kind: .segmentOutOfOrder, position: position, loopID: loop.id, segmentID: segment.placementID))
            return
        }
        // Second pass, ignoring qualifier values, in the innermost loop only (further out an id alone says too
        // little): the same id among its own segments, or the trigger of exactly one child loop. Placed and
        // reported; never a guess among several loops.
        if let id, placeByIDOnly(segment, id: id, position: position) { return }
        let inner = stack[stack.count - 1]
        let innerLoop = compiled.loops[nodes[inner].loop]
        if retainsSegments {
            appendChild(
                .segment(X12LoopSegment(segment: segment.ownedSegment(), position: position, isRecognized: false)),
                to: inner)
        } else if countsRootSegments, inner == 0 {
            rootChildren += 1
        }
        let kind: X12LoopTreeIssue.Kind = id != nil ? .segmentNotExpected : .segmentNotInGuide
        issues.append(.init(kind: kind, position: position, loopID: innerLoop.id, segmentID: segment.placementID))
    }

    /// The second pass: `true` when the segment was placed by its id alone (and reported).
    private mutating func placeByIDOnly<Segment: X12PlacementSegment>(
        _ segment: Segment, id: Int, position: Int
    ) -> Bool {
        let depth = stack.count - 1
        let loop = nodes[stack[depth]].loop
        var own: Match?
        var childLoop: Match?
        var childLoops = 0
        for child in compiled.candidates(in: loop, id: id) {
            let key = compiled.childKeys[child]
            switch compiled.children[child] {
            case let .segment(index):
                if own == nil, !compiled.segments[index].isTrigger, compiled.hasQualifiers(index) {
                    own = Match(target: .segment(index), key: key)
                }
            case let .loop(index):
                if let entry = compiled.loops[index].entrySegment, compiled.hasQualifiers(entry) {
                    childLoops += 1
                    if childLoop == nil { childLoop = Match(target: .loop(index), key: key) }
                }
            }
        }
        guard let match = own ?? (childLoops == 1 ? childLoop : nil) else { return false }
        apply(match, at: depth, segment: segment, position: position, countsUse: false)
        let owner: Int =
            switch match.target {
            case let .segment(index): index
            case let .loop(index): compiled.loops[index].entrySegment ?? 0
            }
        let qualifiers = compiled.qualifierRange(of: owner)
        var values = PlacementValues()
        let failed =
            qualifiers.first { !compiled.qualifierMatches(segment, $0, values: &values) } ?? qualifiers.lowerBound
        let qualifier = compiled.qualifiers[failed]
        issues.append(.init(
            kind: .qualifierNotRecognized(
                element: qualifier.position,
                found: segment.placementText(qualifier.position, component: qualifier.component) ?? ""),
            position: position, loopID: compiled.loops[nodes[stack[stack.count - 1]].loop].id,
            segmentID: segment.placementID))
        return true
    }

    private struct Match {
        enum Target { case segment(Int), loop(Int) }
        var target: Target
        var key: Int
    }

    /// The first child of the loop that takes the segment, preferring one not before the last placed (`last`).
    /// Static so that calling it from the mutating placement code never copies the builder.
    private static func findMatch<Segment: X12PlacementSegment>(
        _ segment: Segment, id: Int, loop: Int, last: Int, compiled: CompiledGuide, values: inout PlacementValues
    ) -> Match? {
        var first: Match?
        for candidate in compiled.candidateRanges[loop * compiled.idCount + id] {
            let child = compiled.candidateChildren[candidate]
            let key = compiled.childKeys[child]
            let match: Match
            switch compiled.children[child] {
            case let .segment(index):
                guard !compiled.segmentIsTrigger[index], compiled.matches(segment, id: id, index, values: &values)
                else { continue }
                match = Match(target: .segment(index), key: key)
            case let .loop(index):
                let entry = compiled.loopEntrySegment[index]
                guard entry >= 0, compiled.matches(segment, id: id, entry, values: &values) else { continue }
                match = Match(target: .loop(index), key: key)
            }
            if key >= last { return match }
            if first == nil { first = match }
        }
        return first
    }

    /// Places the segment as `match` says; `countsUse: false` for a segment matched by id only (its uses are not
    /// those of the guide segment it resembles).
    private mutating func apply<Segment: X12PlacementSegment>(
        _ match: Match, at depth: Int, segment: Segment, position: Int, countsUse: Bool = true
    ) {
        while stack.count > depth + 1 { stack.removeLast() }  // cheaper than removeSubrange for one or two
        let node = stack[depth]
        switch match.target {
        case let .segment(index):
            nodes[node].lastKey = match.key
            place(segment, position: position, segment: index, in: node, countsUse: countsUse)
        case let .loop(index):
            var parent = node
            for loop in compiled.loops[index].entryChain {
                parent = open(loop, under: parent, position: position, by: segment)
            }
            place(
                segment, position: position, segment: compiled.loops[index].entrySegment ?? 0, in: parent,
                countsUse: countsUse)
        }
    }

    /// Opens a new instance of `loop` under `parent` and pushes it (the stack must end at `parent`).
    private mutating func open<Segment: X12PlacementSegment>(
        _ loop: Int, under parent: Int, position: Int, by segment: Segment
    ) -> Int {
        let guideLoop = compiled.loops[loop]
        let child = compiled.loopChild[loop]
        let count = max(self.count(node: parent, child: child, key: -1 - loop) - 1, 0) + 1
        setCount(count + 1, node: parent, child: child, key: -1 - loop)
        if let maximum = guideLoop.maxRepeat, count > maximum {
            issues.append(.init(
                kind: .loopRepeatExceeded(maximum: maximum, count: count), position: position,
                loopID: guideLoop.id, segmentID: segment.placementID))
        }
        if guideLoop.parent == nodes[parent].loop { nodes[parent].lastKey = guideLoop.key }
        let node = makeNode(loop: loop, parent: parent)
        appendChild(.node(node), to: parent)
        stack.append(node)
        return node
    }

    private mutating func place<Segment: X12PlacementSegment>(
        _ segment: Segment, position: Int, segment index: Int, in node: Int, countsUse: Bool = true
    ) {
        if retainsSegments {
            appendChild(
                .segment(X12LoopSegment(segment: segment.ownedSegment(), position: position, isRecognized: true)),
                to: node)
        } else if countsRootSegments, node == 0 {
            rootChildren += 1
        }
        lastPlacement = index
        let child = compiled.segmentChild[index]
        let stored = count(node: node, child: child, key: index)
        guard countsUse else {
            // Placed by id only: not a use of this guide segment, but the slot is not missing either.
            if stored == 0 { setCount(1, node: node, child: child, key: index) }
            return
        }
        let count = max(stored - 1, 0) + 1
        setCount(count + 1, node: node, child: child, key: index)
        if let maximum = compiled.segments[index].maxUse, count > maximum {
            issues.append(.init(
                kind: .segmentUseExceeded(maximum: maximum, count: count), position: position,
                loopID: compiled.loops[nodes[node].loop].id, segmentID: segment.placementID))
        }
    }

    /// An HL opens its level under the HL named by HL02, or at the top of the hierarchy when HL02 is empty.
    private mutating func placeHierarchical<Segment: X12PlacementSegment>(
        _ segment: Segment, position: Int, loop: Int
    ) {
        let guideLoop = compiled.loops[loop]
        var values = PlacementValues()
        // An absent HL01 or HL02 counts as empty (packed key 0).
        var idKey = values.value(of: segment, 1, component: 0)
        var parentKey = values.value(of: segment, 2, component: 0)
        if idKey == PlacementValues.absent { idKey = 0 }
        if parentKey == PlacementValues.absent { parentKey = 0 }
        if !hierarchicalByText, idKey == PlacementValues.notPacked || parentKey == PlacementValues.notPacked {
            for (key, node) in hierarchicalKeys { hierarchicalNodes[Self.text(ofPacked: key)] = node }
            hierarchicalKeys.removeAll(keepingCapacity: true)
            hierarchicalByText = true
        }
        let byText = hierarchicalByText
        let id = byText ? segment.placementText(1, component: 0) ?? "" : ""
        let parentID = byText ? segment.placementText(2, component: 0) ?? "" : ""
        var parentNode: Int?
        if byText ? !parentID.isEmpty : parentKey != 0 {
            if let node = byText ? hierarchicalNodes[parentID] : hierarchicalKeys[parentKey] {
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
                    kind: .hierarchicalParentUnknown(byText ? parentID : Self.text(ofPacked: parentKey)),
                    position: position, loopID: guideLoop.id, segmentID: "HL"))
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
            setStackToPath(to: parentNode)
            parent = parentNode
        } else {
            parent = openTopOfHierarchy(for: loop, position: position, segment: segment)
        }
        let node = open(loop, under: parent, position: position, by: segment)
        place(segment, position: position, segment: guideLoop.entrySegment ?? 0, in: node)
        if byText ? hierarchicalNodes[id] != nil : hierarchicalKeys[idKey] != nil {
            issues.append(.init(
                kind: .hierarchicalIDDuplicate(byText ? id : Self.text(ofPacked: idKey)), position: position,
                loopID: guideLoop.id, segmentID: "HL"))
        }
        // The latest HL with an id wins, so children that follow a duplicated id nest under the nearest one.
        if byText { hierarchicalNodes[id] = node } else { hierarchicalKeys[idKey] = node }
    }

    /// The text of a packed short ASCII value (see ``CompiledGuide/packedKey(_:)``).
    private static func text(ofPacked key: UInt64) -> String {
        let count = Int(key >> 56)
        var bytes: [UInt8] = []
        for index in 0..<min(count, 7) { bytes.append(UInt8(truncatingIfNeeded: key >> UInt64(8 * index))) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Makes the stack end at the nearest non-HL loop that holds `loop` in the guide (e.g. `DETAIL` for 2000A),
    /// reusing open instances and opening wrappers as needed; returns that node.
    private mutating func openTopOfHierarchy<Segment: X12PlacementSegment>(
        for loop: Int, position: Int, segment: Segment
    ) -> Int {
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
            parent = open(index, under: parent, position: position, by: segment)
        }
        return parent
    }

    /// The stack becomes the path from the root to `node` (in place: no new array).
    private mutating func setStackToPath(to node: Int) {
        stack.removeAll(keepingCapacity: true)
        var current: Int? = node
        while let index = current {
            stack.append(index)
            current = nodes[index].parent
        }
        stack.reverse()
    }

    private func makeLoop(_ node: Int, _ byParent: [[BuildNode.Child]]) -> X12Loop {
        let loop = compiled.loops[nodes[node].loop]
        return X12Loop(
            id: loop.id, name: loop.name,
            children: byParent[node].map { child in
                switch child {
                case let .segment(segment): .segment(segment)
                case let .node(index): .loop(makeLoop(index, byParent))
                }
            })
    }

    struct BuildNode: Sendable {
        enum Child: Sendable { case segment(X12LoopSegment), node(Int) }
        var loop: Int
        var parent: Int?
        /// Where this node's count slots start in the builder's `counts`.
        var countsStart: Int
        var lastKey = 0
    }
}

/// A guide flattened into arrays for matching: segment ids as small numbers, qualifier codes as packed integers,
/// and per loop and segment id the children that can take a segment (so placement never compares strings).
struct CompiledGuide: Sendable {
    /// A qualifying element of a guide segment: where its value is and which codes it takes.
    struct Qualifier: Sendable {
        /// 1-based element position.
        var position: Int
        /// 1-based component; 0 = the element's first component; -1 = a position that never holds a value.
        var component: Int
        /// The codes (as text, for values that are not short ASCII).
        var codes: Set<String>
        /// The codes' range in ``CompiledGuide/packedCodes`` (every code of at most 7 ASCII bytes, sorted).
        var packed: Range<Int>
        /// Some code is not ASCII: values are compared as text only (canonical equivalence, as `Set<String>` does).
        var comparesAsText = false
    }

    /// A class so that reading one on the hot path is one retain, not one per field. Mutated only while
    /// ``CompiledGuide/init(_:)`` runs, immutable afterwards: hence `@unchecked Sendable`.
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

    /// A class for the same reason as ``Segment``; mutated only while ``CompiledGuide/init(_:)`` runs.
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
    /// HL loops with their HL03 qualifier (an index into `qualifiers`).
    var hierarchical: [(loop: Int, qualifier: Int)] = []

    // Flat tables for placement.

    /// Every loop's children, loop after loop (a child's flat index is `loopChildStart[loop] + ordinal`).
    var children: [Child] = []
    /// Order key of each flat child (see ``Loop/childKeys``).
    var childKeys: [Int] = []
    /// The loop each flat child belongs to.
    var childOwner: [Int] = []
    /// Where each loop's children start in `children` (one more entry at the end: the total).
    var loopChildStart: [Int] = []
    /// The flat child index of each segment, and of each loop in its parent (-1 for the root).
    var segmentChild: [Int] = []
    var loopChild: [Int] = []
    /// Every segment's qualifiers, segment after segment; `segmentQualifiers[index]` is a segment's range.
    var qualifiers: [Qualifier] = []
    var segmentQualifiers: [Range<Int>] = []
    /// The qualifier codes of at most 7 ASCII bytes, packed by ``packedKey(_:)``, sorted within each qualifier.
    var packedCodes: [UInt64] = []
    /// Each segment's id number (an index into the guide's distinct ids).
    var segmentIDNumber: [Int] = []
    /// Per segment: it is the first child of its loop (see ``Segment/isTrigger``); per loop: its entry segment or -1.
    var segmentIsTrigger: [Bool] = []
    var loopEntrySegment: [Int] = []
    /// Distinct segment ids by packed key (ids of at most 7 ASCII bytes) and by text (any other id).
    var idNumbers: [UInt64: Int] = [:]
    /// `idNumbers` as an open-addressing table (a power of two in size, linear probing; key 0 = empty slot).
    var idSlotKeys: [UInt64] = []
    var idSlotNumbers: [Int] = []
    var idSlotShift: UInt64 = 58
    var idNumbersByText: [String: Int] = [:]
    var idCount = 0
    /// The id number of `HL`, when the guide has it.
    var hierarchicalIDNumber: Int?
    /// Per (loop, id number): the range in `candidateChildren` of the loop's children that a segment with that id
    /// can be (a segment with the id, or a loop whose first segment has it), in guide order.
    var candidateRanges: [Range<Int>] = []
    var candidateChildren: [Int] = []

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
        }
        compileTables()
        for index in loops.indices {
            if let entry = loops[index].entrySegment, segments[entry].id == "HL", loops[index].entryChain.count == 1,
                let level = segmentQualifiers[entry].first(where: { qualifiers[$0].position == 3 })
            {
                loops[index].isHierarchical = true
                hierarchical.append((index, level))
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
                segments.append(Segment(
                    id: segment.id, maxUse: segment.maxUse,
                    qualifiers: segment.qualifiers.map {
                        Qualifier(
                            position: $0.position, component: $0.component.map { $0 >= 1 ? $0 : -1 } ?? 0,
                            codes: Set($0.codes), packed: 0..<0)
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

    /// Fills the flat tables from `loops` and `segments`.
    private mutating func compileTables() {
        segmentChild = Array(repeating: -1, count: segments.count)
        loopChild = Array(repeating: -1, count: loops.count)
        for (index, loop) in loops.enumerated() {
            loopChildStart.append(children.count)
            for (ordinal, child) in loop.children.enumerated() {
                switch child {
                case let .segment(segment): segmentChild[segment] = children.count
                case let .loop(nested): loopChild[nested] = children.count
                }
                children.append(child)
                childKeys.append(loop.childKeys[ordinal])
                childOwner.append(index)
            }
        }
        loopChildStart.append(children.count)
        segmentIsTrigger = segments.map(\.isTrigger)
        loopEntrySegment = loops.map { $0.entrySegment ?? -1 }
        for segment in segments {
            let number: Int
            if let existing = Self.lookUp(segment.id.utf8, packed: idNumbers, text: idNumbersByText) {
                number = existing
            } else {
                number = idCount
                idCount += 1
                if let key = Array(segment.id.utf8).withUnsafeBytes(Self.packedKey), key != 0 {
                    idNumbers[key] = number
                } else {
                    idNumbersByText[segment.id] = number
                }
            }
            segmentIDNumber.append(number)
            if segment.id == "HL" { hierarchicalIDNumber = number }
            let start = qualifiers.count
            for var qualifier in segment.qualifiers {
                let packedStart = packedCodes.count
                packedCodes += qualifier.codes.compactMap { Array($0.utf8).withUnsafeBytes(Self.packedKey) }.sorted()
                qualifier.packed = packedStart..<packedCodes.count
                qualifier.comparesAsText = qualifier.codes.contains { !$0.utf8.allSatisfy { $0 < 0x80 } }
                qualifiers.append(qualifier)
            }
            segmentQualifiers.append(start..<qualifiers.count)
        }
        var bits: UInt64 = 6
        while 1 << bits < 4 * idNumbers.count { bits += 1 }
        idSlotShift = 64 - bits
        idSlotKeys = Array(repeating: 0, count: 1 << bits)
        idSlotNumbers = Array(repeating: -1, count: 1 << bits)
        for (key, number) in idNumbers {
            var slot = Self.slot(of: key, shift: idSlotShift)
            while idSlotKeys[slot] != 0 { slot = (slot + 1) & (idSlotKeys.count - 1) }
            idSlotKeys[slot] = key
            idSlotNumbers[slot] = number
        }
        for loop in loops.indices {
            var byID = Array(repeating: [Int](), count: idCount)
            for child in loopChildStart[loop]..<loopChildStart[loop + 1] {
                let segment: Int? =
                    switch children[child] {
                    case let .segment(index): index
                    case let .loop(index): loops[index].entrySegment
                    }
                if let segment { byID[segmentIDNumber[segment]].append(child) }
            }
            for list in byID {
                candidateRanges.append(candidateChildren.count..<(candidateChildren.count + list.count))
                candidateChildren += list
            }
        }
    }

    /// A value of at most 7 ASCII bytes as one integer (length in the top byte), or `nil`. For such values byte
    /// equality and `String` equality agree, so packed keys can stand in for the guide's text codes.
    static func packedKey(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard bytes.count <= 7 else { return nil }
        var key = UInt64(bytes.count) << 56
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x80 else { return nil }
            key |= UInt64(byte) << UInt64(8 * index)
        }
        return key
    }

    private static func lookUp(
        _ utf8: String.UTF8View, packed: [UInt64: Int], text: [String: Int]
    ) -> Int? {
        if let key = Array(utf8).withUnsafeBytes(packedKey) { return packed[key] }
        return text[String(utf8)]
    }

    /// The id number of a segment's id, or `nil` when the guide has no segment with that id.
    func idNumber<Segment: X12PlacementSegment>(of segment: Segment) -> Int? {
        segment.withPlacementID { bytes in
            if let key = Self.packedKey(bytes) {
                guard key != 0 else { return nil }  // an empty id; the guide has none
                var slot = Self.slot(of: key, shift: idSlotShift)
                while idSlotKeys[slot] != 0 {
                    if idSlotKeys[slot] == key { return idSlotNumbers[slot] }
                    slot = (slot + 1) & (idSlotKeys.count - 1)
                }
                return nil
            }
            return idNumber(text: String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The first slot of a packed id in the open-addressing table (Fibonacci hashing).
    private static func slot(of key: UInt64, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The id number of an id that is not short ASCII: compared as text, as the guide's ids are.
    private func idNumber(text: String) -> Int? {
        if let number = idNumbersByText[text] { return number }
        // A non-ASCII id can still equal a short ASCII one as text (canonical equivalence, e.g. U+212A and K).
        for (index, segment) in segments.enumerated() where segment.id == text { return segmentIDNumber[index] }
        return nil
    }

    /// The flat children of `loop` that a segment with id number `id` can be, in guide order.
    func candidates(in loop: Int, id: Int) -> ArraySlice<Int> {
        candidateChildren[candidateRanges[loop * idCount + id]]
    }

    /// The children of `loop`, as a range of flat child indices.
    func loopChildren(_ loop: Int) -> Range<Int> {
        loopChildStart[loop]..<loopChildStart[loop + 1]
    }

    func qualifierRange(of segment: Int) -> Range<Int> { segmentQualifiers[segment] }

    func hasQualifiers(_ segment: Int) -> Bool { !segmentQualifiers[segment].isEmpty }

    /// Whether the segment's value at the qualifier's position is one of its codes.
    func qualifierMatches<Segment: X12PlacementSegment>(
        _ segment: Segment, _ index: Int, values: inout PlacementValues
    ) -> Bool {
        let qualifier = qualifiers[index]
        if !qualifier.comparesAsText {
            let value = values.value(of: segment, qualifier.position, component: qualifier.component)
            if value == PlacementValues.absent { return false }
            if value != PlacementValues.notPacked { return packedCodes[qualifier.packed].contains(value) }
        }
        return segment.withPlacementValue(qualifier.position, component: qualifier.component) { value in
            guard let value else { return false }
            if !qualifier.comparesAsText, let key = Self.packedKey(value) {
                // Short ASCII against ASCII codes: equal as text exactly when equal as bytes; such codes are packed.
                return packedCodes[qualifier.packed].contains(key)
            }
            return qualifier.codes.contains(String(decoding: value, as: UTF8.self))
        }
    }

    /// Whether the segment (with id number `id`) is guide segment `index`: same id, every qualifier matching.
    func matches<Segment: X12PlacementSegment>(
        _ segment: Segment, id: Int?, _ index: Int, values: inout PlacementValues
    ) -> Bool {
        guard let id, segmentIDNumber[index] == id else { return false }
        for qualifier in segmentQualifiers[index] where !qualifierMatches(segment, qualifier, values: &values) {
            return false
        }
        return true
    }

    /// The HL loop whose HL03 code the segment carries.
    func hierarchicalLoop<Segment: X12PlacementSegment>(for segment: Segment, values: inout PlacementValues) -> Int? {
        let value = values.value(of: segment, 3, component: 0)
        // Packed keys hold the length in their top byte: 1 << 56 and up is non-empty.
        guard value != PlacementValues.absent, value >= 1 << 56 else { return nil }
        for (loop, qualifier) in hierarchical where qualifierMatchesLevel(segment, qualifier, value: value) {
            return loop
        }
        return nil
    }

    /// HL03 against an HL loop's level codes (the qualifier's codes, whatever component it names).
    private func qualifierMatchesLevel<Segment: X12PlacementSegment>(
        _ segment: Segment, _ index: Int, value: UInt64
    ) -> Bool {
        let qualifier = qualifiers[index]
        if !qualifier.comparesAsText, value != PlacementValues.notPacked {
            return packedCodes[qualifier.packed].contains(value)
        }
        return segment.withPlacementValue(3, component: 0) { value in
            guard let value else { return false }
            if !qualifier.comparesAsText, let key = Self.packedKey(value) {
                return packedCodes[qualifier.packed].contains(key)
            }
            return qualifier.codes.contains(String(decoding: value, as: UTF8.self))
        }
    }
}

/// The values placement read from the current segment, packed (see ``CompiledGuide/packedKey(_:)``), so that
/// trying many candidates reads each element once. Four slots, replaced in turn; made anew for each segment.
struct PlacementValues {
    /// The element or component is absent.
    static let absent = UInt64.max
    /// The value is present but not short ASCII: compare it as text.
    static let notPacked = UInt64.max - 1

    private var tags = (-1, -1, -1, -1)
    private var values: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var next = 0

    /// The packed value of element `position` (component `component`, 0 = first), `absent` or `notPacked`.
    mutating func value<Segment: X12PlacementSegment>(
        of segment: Segment, _ position: Int, component: Int
    ) -> UInt64 {
        let value = { () -> UInt64 in
            segment.withPlacementValue(position, component: component) { bytes -> UInt64 in
                guard let bytes else { return Self.absent }
                return CompiledGuide.packedKey(bytes) ?? Self.notPacked
            }
        }
        guard position >= 0, position < 1 << 24, component >= -1, component < 1 << 16 else { return value() }
        let tag = position << 17 | (component + 1)
        if tags.0 == tag { return values.0 }
        if tags.1 == tag { return values.1 }
        if tags.2 == tag { return values.2 }
        if tags.3 == tag { return values.3 }
        let found = value()
        switch next {
        case 0: (tags.0, values.0) = (tag, found)
        case 1: (tags.1, values.1) = (tag, found)
        case 2: (tags.2, values.2) = (tag, found)
        default: (tags.3, values.3) = (tag, found)
        }
        next = (next + 1) & 3
        return found
    }
}

/// What placement reads of a segment, from an owned ``X12Segment`` or in place from an ``X12SegmentView``: its
/// id and the first component of the first repetition of a few elements (or one named component).
protocol X12PlacementSegment {
    /// Calls `body` with the id's bytes.
    func withPlacementID<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result
    /// Calls `body` with the value of element `position` (1-based): component `component` of its first repetition,
    /// or its first component when `component` is 0; `nil` when the element or component is absent (or
    /// `component` is negative).
    func withPlacementValue<Result>(
        _ position: Int, component: Int, _ body: (UnsafeRawBufferPointer?) -> Result
    ) -> Result
    /// The segment id as text (for findings).
    var placementID: String { get }
    /// An owned copy (for a tree that keeps segments).
    func ownedSegment() -> X12Segment
}

extension X12PlacementSegment {
    /// The value as text (UTF-8, invalid sequences replaced), or `nil` when absent.
    func placementText(_ position: Int, component: Int) -> String? {
        withPlacementValue(position, component: component) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }
}

extension X12Segment: X12PlacementSegment {
    func withPlacementID<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        var id = id
        return id.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    func withPlacementValue<Result>(
        _ position: Int, component: Int, _ body: (UnsafeRawBufferPointer?) -> Result
    ) -> Result {
        guard let element = element(position), component >= 0 else { return body(nil) }
        guard component >= 1 else {
            // `X12Element.text`: the first component of the first repetition, empty when there is none.
            guard let first = element.repetitions.first?.first else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
            return first.withUnsafeBytes { body($0) }
        }
        guard let repetition = element.repetitions.first, component <= repetition.count else { return body(nil) }
        return repetition[component - 1].withUnsafeBytes { body($0) }
    }

    var placementID: String { id }

    func ownedSegment() -> X12Segment { self }
}

extension X12SegmentView: X12PlacementSegment {
    func withPlacementID<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        body(idBytes)
    }

    func withPlacementValue<Result>(
        _ position: Int, component: Int, _ body: (UnsafeRawBufferPointer?) -> Result
    ) -> Result {
        // As `copy()` splits it: the first component of the first repetition, or the named component (an `ISA` is
        // not split, as `element(_:)` does).
        guard component >= 0, position >= 1,
            let slice = X12SegmentView.field(position, of: bytes, separatedBy: delimiters.element)
        else { return body(nil) }
        let isISA = hasID("ISA")
        let element = X12ElementView(
            bytes: slice, repetitionSeparator: isISA ? nil : delimiters.repetition,
            componentSeparator: isISA ? nil : delimiters.component)
        return body(element.component(max(component, 1))?.bytes)
    }

    var placementID: String { id }

    func ownedSegment() -> X12Segment { copy() }
}
