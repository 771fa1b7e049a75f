/// SNIP level 2 validation of one transaction set against an implementation guide: structure (the loop tree's
/// placement: unexpected, out-of-order and over-used segments, loops over their maximum, HL hierarchy, required
/// segments and loops missing when a loop closes) and elements (required, not used, syntax rules, too many
/// elements, repetitions and components, length, characters, codes, dates, times, numbers).
///
/// Streaming, one pass: feed ST … SE with ``consume(_:)``; ``finish()`` returns the findings of the set and
/// starts over. Element checks read the segment's bytes in place (no copies of values); placement keeps only
/// the first few elements of a segment (its qualifiers) and no tree. Findings carry positions and codes, never
/// element values, unless ``Options/includesBadValues`` asks for AK404/IK404 copies (values are PHI).
///
/// ```swift
/// var validator = X12GuideValidator(guide: try X12Guide.bundled("005010X222A1"))
/// for view in setSegments { validator.consume(view) }   // ST … SE
/// let findings = validator.finish()
/// ```
public struct X12GuideValidator: Sendable {
    /// What to report beyond positions and codes.
    public struct Options: Sendable, Hashable {
        /// Copy bad values into findings (AK404/IK404). Default: `false` (values may be PHI).
        public var includesBadValues: Bool
        /// Report trailing element separators (`CLM*…*A***~`) as warnings. Default: `true`.
        public var reportsTrailingSeparators: Bool

        /// Options; see each property for its default.
        public init(includesBadValues: Bool = false, reportsTrailingSeparators: Bool = true) {
            self.includesBadValues = includesBadValues
            self.reportsTrailingSeparators = reportsTrailingSeparators
        }
    }

    /// The guide the set is checked against.
    public var guide: X12Guide { builder.guide }
    /// What findings carry beyond positions and codes.
    public let options: Options
    /// Findings of the current set so far, in the order found.
    public private(set) var findings: [X12GuideFinding] = []

    private var builder: X12LoopTreeBuilder
    private let rules: [X12SegmentRules]
    /// Per guide loop its id, per guide segment its id and whether it is "not used" (read per segment without
    /// going through the builder's tables).
    private let loopIDs: [String]
    private let segmentIDs: [String]
    private let segmentIsNotUsed: [Bool]
    /// The builder's open loops after the previous segment (reused: no array per segment).
    private var previousStack: [Int] = [0]
    /// Per guide loop: its required children, checked when an instance closes (precomputed: most children of a
    /// loop are situational).
    private let requiredChildren: [[RequiredChild]]

    private struct RequiredChild: Sendable {
        /// A guide segment index, or a child loop index.
        var segment: Int?
        var loop: Int?
        /// What is reported: the segment id (for a loop, its first required segment's) and the loop id.
        var segmentID: String
        var loopID: String
    }
    private var startPosition = 0
    private var previousSetPosition = 0
    private var segmentCount = 0
    private var reportedIssues = 0
    /// Bit p: element p of the current segment was reported missing (code 1), so a syntax rule does not
    /// report it again (code 2).
    private var requiredMissing: UInt64 = 0

    /// A validator for transaction sets that follow `guide`; the guide's tables are compiled once here, so
    /// reuse one validator for many sets (``finish()`` resets it).
    public init(guide: X12Guide, options: Options = Options()) {
        let compiled = CompiledGuide(guide)
        self.options = options
        builder = X12LoopTreeBuilder(guide: guide, compiled: compiled, retainsSegments: false, countsRootSegments: false)
        rules = compiled.definitions.map { X12SegmentRules($0, codeLists: guide.codeLists) }
        loopIDs = compiled.loops.map(\.id)
        segmentIDs = compiled.segments.map(\.id)
        segmentIsNotUsed = compiled.segments.map { $0.usage == .notUsed }
        requiredChildren = compiled.loops.map { loop in
            loop.children.compactMap { child -> RequiredChild? in
                switch child {
                case let .segment(index):
                    guard compiled.segments[index].usage == .required else { return nil }
                    return RequiredChild(segment: index, segmentID: compiled.segments[index].id, loopID: loop.id)
                case let .loop(index):
                    guard let first = Self.firstRequiredSegment(of: index, in: compiled) else { return nil }
                    return RequiredChild(loop: index, segmentID: compiled.segments[first].id, loopID: compiled.loops[index].id)
                }
            }
        }
    }

    /// Checks the next segment of the set (the first must be its `ST`).
    public mutating func consume(_ view: X12SegmentView) {
        if segmentCount == 0 { startPosition = view.position }
        segmentCount += 1
        let setPosition = view.position - startPosition + 1
        builder.consume(view)
        reportClosedLoops(closedBy: setPosition)
        reportTreeIssues()
        let loopID = loopIDs[builder.innermostLoop]
        if let placed = builder.lastPlacement {
            let segmentID = segmentIDs[placed]
            if segmentIsNotUsed[placed] {
                findings.append(.init(
                    kind: .segment(.implementationNotUsedSegmentPresent), position: view.position,
                    setPosition: setPosition, loopID: loopID, segmentID: segmentID))
            }
            checkElements(of: view, rules: rules[placed], setPosition: setPosition, loopID: loopID, segmentID: segmentID)
        }
        previousSetPosition = setPosition
    }

    /// Closes the set: required segments and loops still missing are reported; returns every finding of the
    /// set and starts over.
    public mutating func finish() -> [X12GuideFinding] {
        let open = builder.stack
        for node in open.reversed() {
            reportMissing(in: node, at: previousSetPositionForFinish)
        }
        builder.discard()
        previousStack.removeAll(keepingCapacity: true)
        previousStack.append(contentsOf: builder.stack)
        let result = findings
        findings = []
        segmentCount = 0
        reportedIssues = 0
        previousSetPosition = 0
        return result
    }

    /// At the end of the set the last segment is the `SE`; what is missing is reported at the segment before it.
    private var previousSetPositionForFinish: Int { max(1, previousSetPosition - 1) }

    // MARK: - Structure

    /// Loops that were open before this segment and are not any more have closed: report what they lack.
    private mutating func reportClosedLoops(closedBy setPosition: Int) {
        var common = 0
        while common < previousStack.count, common < builder.stack.count, previousStack[common] == builder.stack[common] {
            common += 1
        }
        if common < previousStack.count {
            for depth in (common..<previousStack.count).reversed() {
                reportMissing(in: previousStack[depth], at: max(1, setPosition - 1))
            }
        }
        previousStack.removeSubrange(common...)
        previousStack.append(contentsOf: builder.stack[common...])
    }

    /// Required segments and child loops of a closing loop instance that never came (X12 code 3), reported the
    /// way pyx12 does: a missing loop by its first segment, a table wrapper never entered by its first required
    /// segment, at the position of the last segment before the loop closed.
    private mutating func reportMissing(in node: Int, at setPosition: Int) {
        let loop = builder.nodes[node].loop
        // By index, reading the child's numbers only: its ids (strings) are read when something is missing.
        for index in requiredChildren[loop].indices {
            let seen =
                if let segment = requiredChildren[loop][index].segment {
                    builder.hasPlaced(segment: segment, in: node)
                } else {
                    requiredChildren[loop][index].loop.map { builder.hasOpened(loop: $0, in: node) } ?? false
                }
            if !seen {
                let child = requiredChildren[loop][index]
                appendMissing(child.segmentID, loopID: child.loopID, setPosition: setPosition)
            }
        }
    }

    /// The segment that stands for a missing loop: its first segment when the loop is required; for a wrapper
    /// (`HEADER`, `DETAIL`), the first required segment or required loop inside it.
    private static func firstRequiredSegment(of loop: Int, in compiled: CompiledGuide) -> Int? {
        let guideLoop = compiled.loops[loop]
        if !guideLoop.isWrapper {
            return guideLoop.usage == .required ? guideLoop.entrySegment : nil
        }
        for child in guideLoop.children {
            switch child {
            case let .segment(index):
                if compiled.segments[index].usage == .required { return index }
            case let .loop(index):
                if let found = firstRequiredSegment(of: index, in: compiled) { return found }
            }
        }
        return nil
    }

    private mutating func appendMissing(_ segmentID: String, loopID: String, setPosition: Int) {
        findings.append(.init(
            kind: .segment(.mandatorySegmentMissing), position: startPosition + setPosition - 1,
            setPosition: setPosition, loopID: loopID, segmentID: segmentID))
    }

    /// The loop tree's findings since the last segment, as acknowledgement codes.
    private mutating func reportTreeIssues() {
        let issues = builder.issues
        while reportedIssues < issues.count {
            let issue = issues[reportedIssues]
            reportedIssues += 1
            let setPosition = issue.position - startPosition + 1
            func segment(_ code: X12SegmentErrorCode) -> X12GuideFinding {
                .init(kind: .segment(code), position: issue.position, setPosition: setPosition, loopID: issue.loopID,
                      segmentID: issue.segmentID)
            }
            func element(_ position: Int, _ code: X12ElementErrorCode) -> X12GuideFinding {
                .init(kind: .element(code), position: issue.position, setPosition: setPosition, loopID: issue.loopID,
                      segmentID: issue.segmentID, elementPosition: position, referenceNumber: position == 1 ? 628 : 734)
            }
            switch issue.kind {
            case .segmentNotInGuide: findings.append(segment(.segmentNotInTransactionSet))
            case .segmentNotExpected: findings.append(segment(.unexpectedSegment))
            case .segmentOutOfOrder: findings.append(segment(.segmentOutOfSequence))
            case .segmentUseExceeded: findings.append(segment(.segmentOverMaximumUse))
            case .loopRepeatExceeded: findings.append(segment(.loopOverMaximum))
            case .qualifierNotRecognized:
                continue  // the element check reports the qualifier's code value (7)
            case .hierarchicalIDDuplicate: findings.append(element(1, .invalidCodeValue))
            case .hierarchicalParentUnknown, .hierarchicalParentMismatch: findings.append(element(2, .invalidCodeValue))
            case .hierarchicalParentMissing: findings.append(element(2, .mandatoryElementMissing))
            }
        }
    }

    // MARK: - Elements

    private mutating func checkElements(
        of view: X12SegmentView, rules: X12SegmentRules, setPosition: Int, loopID: String, segmentID: String
    ) {
        var count = 0  // the number of elements: the last index forEachElement gives (no separate count pass)
        requiredMissing = 0
        var present = 0 as UInt64  // bit p: element p is non-empty (positions up to 63 are enough for syntax rules)
        var lastWasEmpty = false
        // forEachElement walks the bytes once; its body does not throw.
        try? view.forEachElement { index, element in
            count = index
            lastWasEmpty = element.isEmpty
            if !element.isEmpty, index < 64 { present |= 1 << UInt64(index) }
            guard index <= rules.positions.count, let rule = rules.positions[index - 1] else {
                if !element.isEmpty {
                    report(.tooManyElements, index, nil, nil, nil, element, view, setPosition, loopID, segmentID)
                }
                return
            }
            check(element, rule, index, view, setPosition, loopID, segmentID)
        }
        if count < rules.positions.count {
            for position in (count + 1)...rules.positions.count {
                guard let rule = rules.positions[position - 1], rule.usage == .required else { continue }
                report(.mandatoryElementMissing, position, nil, nil, rule.reference, nil, view, setPosition, loopID, segmentID)
            }
        }
        for rule in rules.syntax { checkSyntax(rule, present: present, view, setPosition, loopID, segmentID) }
        if options.reportsTrailingSeparators, lastWasEmpty, count > 0 {
            findings.append(.init(
                kind: .trailingElementSeparators, position: view.position, setPosition: setPosition, loopID: loopID,
                segmentID: segmentID, elementPosition: count, isWarning: true))
        }
    }

    private mutating func check(
        _ element: X12ElementView, _ rule: X12PositionRule, _ position: Int, _ view: X12SegmentView,
        _ setPosition: Int, _ loopID: String, _ segmentID: String
    ) {
        if element.isEmpty {
            if rule.usage == .required {
                report(.mandatoryElementMissing, position, nil, nil, rule.reference, nil, view, setPosition, loopID, segmentID)
            }
            return
        }
        if rule.usage == .notUsed {
            report(.implementationNotUsedElementPresent, position, nil, nil, rule.reference, element, view, setPosition, loopID, segmentID)
            return
        }
        // The common case first: a simple element without repetition or component separators is its own only
        // repetition and only component (what the general path below finds, without splitting it).
        if let simple = rule.simple, rule.components.isEmpty, rule.maxRepeat >= 1,
            !Self.containsSeparator(element)
        {
            checkValue(element.bytes, simple, position, nil, nil, view, setPosition, loopID, segmentID)
            return
        }
        let repetitions = element.repetitionCount
        if repetitions > rule.maxRepeat {
            report(.tooManyRepetitions, position, nil, rule.maxRepeat + 1, rule.reference, nil, view, setPosition, loopID, segmentID)
        }
        for r in 1...min(repetitions, rule.maxRepeat) {
            guard let repetition = element.repetition(r) else { break }
            let repetitionNumber = repetitions > 1 ? r : nil
            if rule.components.isEmpty {
                // A simple element: a component separator inside it is a malformed composite.
                if let simple = rule.simple {
                    if repetition.componentCount > 1 {
                        report(.tooManyComponents, position, nil, repetitionNumber, simple.reference, repetition, view, setPosition, loopID, segmentID)
                    } else {
                        checkValue(repetition.bytes, simple, position, nil, repetitionNumber, view, setPosition, loopID, segmentID)
                    }
                }
                continue
            }
            let componentCount = repetition.componentCount
            if componentCount > rule.components.count {
                report(.tooManyComponents, position, rule.components.count + 1, repetitionNumber, rule.reference, nil, view, setPosition, loopID, segmentID)
            }
            for (offset, component) in rule.components.enumerated() {
                let value = offset < componentCount ? repetition.component(offset + 1) : nil
                guard let component else { continue }
                guard let value, !value.isEmpty else {
                    if component.usage == .required {
                        report(.mandatoryElementMissing, position, offset + 1, repetitionNumber, component.reference, nil, view, setPosition, loopID, segmentID)
                    }
                    continue
                }
                if component.usage == .notUsed {
                    report(.implementationNotUsedElementPresent, position, offset + 1, repetitionNumber, component.reference, value, view, setPosition, loopID, segmentID)
                    continue
                }
                checkValue(value.bytes, component, position, offset + 1, repetitionNumber, view, setPosition, loopID, segmentID)
            }
        }
    }

    /// Whether the element holds its repetition or component separator (one pass over its bytes).
    private static func containsSeparator(_ element: X12ElementView) -> Bool {
        switch (element.repetitionSeparator, element.componentSeparator) {
        case (nil, nil): return false
        case let (repetition?, nil): return element.bytes.contains(repetition)
        case let (nil, component?): return element.bytes.contains(component)
        case let (repetition?, component?):
            for byte in element.bytes where byte == repetition || byte == component { return true }
            return false
        }
    }

    private mutating func checkValue(
        _ bytes: UnsafeRawBufferPointer, _ rule: X12ValueRule, _ position: Int, _ component: Int?,
        _ repetition: Int?, _ view: X12SegmentView, _ setPosition: Int, _ loopID: String, _ segmentID: String
    ) {
        for code in rule.errors(in: bytes, qualifier: rule.formatQualifierPosition.flatMap { view.element($0)?.bytes }) {
            reportBytes(code, position, component, repetition, rule.reference, bytes, view, setPosition, loopID, segmentID)
        }
    }

    private mutating func checkSyntax(
        _ rule: X12SyntaxRule, present: UInt64, _ view: X12SegmentView, _ setPosition: Int, _ loopID: String,
        _ segmentID: String
    ) {
        func has(_ position: Int) -> Bool { position < 64 && present & (1 << UInt64(position)) != 0 }
        func reported(_ position: Int) -> Bool { position < 64 && requiredMissing & (1 << UInt64(position)) != 0 }
        let positions = rule.positions
        guard let first = positions.first else { return }
        switch rule.kind {
        case .paired:
            guard positions.contains(where: has) else { return }
            for position in positions where !has(position) && !reported(position) {
                report(.conditionalElementMissing, position, nil, nil, nil, nil, view, setPosition, loopID, segmentID)
            }
        case .required:
            if !positions.contains(where: has), !positions.contains(where: reported) {
                report(.conditionalElementMissing, first, nil, nil, nil, nil, view, setPosition, loopID, segmentID)
            }
        case .exclusion:
            let found = positions.filter(has)
            if found.count > 1 {
                report(.exclusionConditionViolated, found[1], nil, nil, nil, nil, view, setPosition, loopID, segmentID)
            }
        case .conditional:
            guard has(first) else { return }
            for position in positions.dropFirst() where !has(position) && !reported(position) {
                report(.conditionalElementMissing, position, nil, nil, nil, nil, view, setPosition, loopID, segmentID)
            }
        case .listConditional:
            guard has(first), !positions.dropFirst().contains(where: has), positions.count > 1,
                !positions.dropFirst().contains(where: reported)
            else { return }
            report(.conditionalElementMissing, positions[1], nil, nil, nil, nil, view, setPosition, loopID, segmentID)
        }
    }

    private mutating func report(
        _ code: X12ElementErrorCode, _ position: Int, _ component: Int?, _ repetition: Int?, _ reference: Int?,
        _ value: X12ElementView?, _ view: X12SegmentView, _ setPosition: Int, _ loopID: String, _ segmentID: String
    ) {
        reportBytes(code, position, component, repetition, reference, value?.bytes, view, setPosition, loopID, segmentID)
    }

    private mutating func reportBytes(
        _ code: X12ElementErrorCode, _ position: Int, _ component: Int?, _ repetition: Int?, _ reference: Int?,
        _ value: UnsafeRawBufferPointer?, _ view: X12SegmentView, _ setPosition: Int, _ loopID: String,
        _ segmentID: String
    ) {
        if code == .mandatoryElementMissing, component == nil, position < 64 { requiredMissing |= 1 << UInt64(position) }
        let badValue = options.includesBadValues ? value.map { String(decoding: $0, as: UTF8.self) } : nil
        findings.append(.init(
            kind: .element(code), position: view.position, setPosition: setPosition, loopID: loopID,
            segmentID: segmentID, elementPosition: position, componentPosition: component,
            repetitionPosition: repetition, referenceNumber: reference, badValue: badValue))
    }
}

/// One SNIP level 2 finding, located by segment position (in the input and in the set), loop id, segment id and,
/// for element errors, element / component / repetition position. Never holds a value unless the validator was
/// asked for bad-value copies.
public struct X12GuideFinding: Sendable, Hashable, CustomStringConvertible {
    /// What was found.
    public enum Kind: Sendable, Hashable {
        /// A segment-level error (AK304/IK304).
        case segment(X12SegmentErrorCode)
        /// An element-level error (AK403/IK403).
        case element(X12ElementErrorCode)
        /// The segment ends with empty elements (`CLM*…*A***~`): a warning, not acknowledged (pyx12 `SEG1`).
        case trailingElementSeparators
        /// No bundled guide for the set's convention: only SNIP level 1 ran (a warning).
        case noGuide(convention: String)
    }

    /// What was found, with its acknowledgement code.
    public var kind: Kind
    /// 1-based position of the segment in the input.
    public var position: Int
    /// 1-based position in the transaction set (`ST` is 1): AK302/IK302.
    public var setPosition: Int
    /// The guide's loop id (AK303/IK303).
    public var loopID: String
    /// The segment id (AK301/IK301); for a missing segment, the one that is missing.
    public var segmentID: String
    /// 1-based element position (AK401-1), component (AK401-2), repetition (IK401-3).
    public var elementPosition: Int?
    public var componentPosition: Int?
    public var repetitionPosition: Int?
    /// The X12 data element number (AK402).
    public var referenceNumber: Int?
    /// A copy of the bad value (AK404), only with ``X12GuideValidator/Options/includesBadValues``.
    public var badValue: String?
    /// Warnings do not reject the set.
    public var isWarning: Bool

    /// A finding.
    public init(
        kind: Kind, position: Int, setPosition: Int, loopID: String, segmentID: String, elementPosition: Int? = nil,
        componentPosition: Int? = nil, repetitionPosition: Int? = nil, referenceNumber: Int? = nil,
        badValue: String? = nil, isWarning: Bool = false
    ) {
        self.kind = kind
        self.position = position
        self.setPosition = setPosition
        self.loopID = loopID
        self.segmentID = segmentID
        self.elementPosition = elementPosition
        self.componentPosition = componentPosition
        self.repetitionPosition = repetitionPosition
        self.referenceNumber = referenceNumber
        self.badValue = badValue
        self.isWarning = isWarning
    }

    /// Positions and codes only (no value), e.g. `segment 7 NM1 (set 5) in loop 1000B: element 8 code 7`.
    public var description: String {
        var text = "segment \(position) \(segmentID) (set \(setPosition)) in loop \(loopID): "
        switch kind {
        case let .segment(code): text += "segment code \(code.rawValue)"
        case let .element(code):
            text += "element \(elementPosition ?? 0)"
            if let componentPosition { text += "-\(componentPosition)" }
            if let repetitionPosition { text += " repetition \(repetitionPosition)" }
            text += " code \(code.rawValue)"
        case .trailingElementSeparators: text += "trailing element separators (warning)"
        case let .noGuide(convention): text += "no guide for \(convention) (warning)"
        }
        return text
    }
}

// MARK: - Compiled element tables

/// Per guide segment: one rule per element position (index `position - 1`; `nil` = not defined) and the
/// syntax rules. Built once per guide.
struct X12SegmentRules: Sendable {
    var positions: [X12PositionRule?] = []
    var syntax: [X12SyntaxRule] = []

    init(_ segment: X12GuideSegment?, codeLists: [String: [String]]) {
        guard let segment else { return }
        let last = segment.elements.map(\.position).max() ?? 0
        struct Draft {
            var usage: X12Usage
            var reference: Int?
            var maxRepeat: Int
            var simple: X12ValueRule?
            var components: [X12ValueRule?] = []
        }
        var drafts: [Draft?] = Array(repeating: nil, count: last)
        for element in segment.elements where element.position >= 1 {
            // ST03 names the guide: the guide was chosen by it (or by its base, `005010X223A3` → X223A2), so its
            // own code list is not checked again.
            let value = X12ValueRule(
                element, codeLists: codeLists, segment: segment,
                checksCodes: !(segment.id == "ST" && element.position == 3))
            var draft =
                drafts[element.position - 1]
                ?? Draft(
                    usage: element.component == nil ? element.usage : (element.compositeUsage ?? element.usage),
                    reference: element.component == nil ? value.reference : nil,
                    maxRepeat: element.maxRepeat ?? 1)
            if let component = element.component, component >= 1 {
                let count = max(element.components ?? component, component)
                if draft.components.count < count {
                    draft.components += Array(repeating: nil, count: count - draft.components.count)
                }
                draft.components[component - 1] = value
            } else {
                draft.simple = value
            }
            drafts[element.position - 1] = draft
        }
        positions = drafts.map { draft in
            draft.map {
                X12PositionRule(
                    usage: $0.usage, reference: $0.reference, maxRepeat: $0.maxRepeat, simple: $0.simple,
                    components: $0.components)
            }
        }
        syntax = segment.syntaxRules.compactMap(X12SyntaxRule.init)
    }
}

/// An element position: a simple element or the components of a composite. A class so the hot path passes a
/// reference, not a copy of its arrays.
final class X12PositionRule: Sendable {
    let usage: X12Usage
    let reference: Int?
    let maxRepeat: Int
    let simple: X12ValueRule?
    let components: [X12ValueRule?]

    init(usage: X12Usage, reference: Int?, maxRepeat: Int, simple: X12ValueRule?, components: [X12ValueRule?]) {
        self.usage = usage
        self.reference = reference
        self.maxRepeat = maxRepeat
        self.simple = simple
        self.components = components
    }
}

/// The checks of one value: type, lengths, codes. A class so the hot path passes a reference, not a copy.
final class X12ValueRule: Sendable {
    enum DataType: Sendable { case alphanumeric, identifier, numeric(decimals: Int), decimal, date, time, binary }

    let usage: X12Usage
    let reference: Int?
    let type: DataType
    let minLength: Int
    let maxLength: Int
    /// Allowed codes; `nil` = any value.
    let codes: X12CodeSet?
    /// For a date/time period (element 1251): the position of its format qualifier (element 1250) in the segment.
    let formatQualifierPosition: Int?

    /// The rule of one guide element; `checksCodes: false` accepts any code (ST03, which chose the guide).
    init(_ element: X12GuideElement, codeLists: [String: [String]], segment: X12GuideSegment, checksCodes: Bool) {
        usage = element.usage
        reference = element.reference.flatMap { Int($0) }
        minLength = element.minLength ?? 0
        maxLength = element.maxLength ?? Int.max
        switch element.type ?? "AN" {
        case "ID": type = .identifier
        case "R": type = .decimal
        case "DT": type = .date
        case "TM": type = .time
        case "B": type = .binary
        case let numeric where numeric.hasPrefix("N"): type = .numeric(decimals: Int(numeric.dropFirst()) ?? 0)
        default: type = .alphanumeric
        }
        var list = element.codes
        if list.isEmpty, let name = element.externalCodes, let external = codeLists[name] { list = external }
        codes = list.isEmpty || !checksCodes ? nil : X12CodeSet(list)
        formatQualifierPosition =
            element.reference == "1251" && element.component == nil
                && segment.elements.contains { $0.position == element.position - 1 && $0.reference == "1250" }
            ? element.position - 1 : nil
    }

    /// The error codes of a non-empty value, in pyx12's order: length, then type, then code value.
    func errors(in bytes: UnsafeRawBufferPointer, qualifier: UnsafeRawBufferPointer?) -> [X12ElementErrorCode] {
        var errors: [X12ElementErrorCode] = []
        var length = bytes.count
        switch type {
        case .numeric, .decimal:
            length = bytes.count { $0 >= 0x30 && $0 <= 0x39 }
        default: break
        }
        if length < minLength { errors.append(.tooShort) }
        if length > maxLength { errors.append(.tooLong) }
        switch type {
        case .alphanumeric, .identifier:
            if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) { errors.append(.invalidCharacter) }
        case .numeric:
            // The implied decimals (N2: `1050` is 10.50) do not change what is valid: digits, optional minus.
            if !X12ValueFormat.isInteger(bytes) { errors.append(.invalidCharacter) }
        case .decimal:
            if !X12ValueFormat.isDecimal(bytes) { errors.append(.invalidCharacter) }
        case .date:
            if !errors.contains(.tooShort), !errors.contains(.tooLong), !X12ValueFormat.isDate(bytes) {
                errors.append(.invalidDate)
            }
        case .time:
            if !errors.contains(.tooShort), !errors.contains(.tooLong), !X12ValueFormat.isTime(bytes) {
                errors.append(.invalidTime)
            }
        case .binary: break
        }
        if let qualifier, let code = X12ValueFormat.periodError(bytes, format: qualifier) { errors.append(code) }
        if let codes, !codes.contains(bytes) { errors.append(.invalidCodeValue) }
        return errors
    }

}

/// A code list for byte comparison: codes of up to 7 bytes as sorted packed integers (one integer compare per
/// step), longer ones as byte arrays sorted bytewise.
struct X12CodeSet: Sendable {
    /// Codes of at most 7 bytes, packed by ``packedKey(_:)``, sorted.
    let packed: [UInt64]
    /// Longer codes, sorted bytewise.
    let long: [[UInt8]]

    init(_ codes: [String]) {
        var packed: [UInt64] = []
        var long: [[UInt8]] = []
        for code in codes {
            let bytes = Array(code.utf8)
            if let key = bytes.withUnsafeBytes(Self.packedKey) { packed.append(key) } else { long.append(bytes) }
        }
        self.packed = packed.sorted()
        self.long = long.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// A value of at most 7 bytes as one integer: its bytes, and its length in the top byte; `nil` when longer.
    static func packedKey(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard bytes.count <= 7 else { return nil }
        var key = UInt64(bytes.count) << 56
        for index in 0..<bytes.count { key |= UInt64(bytes[index]) << UInt64(8 * index) }
        return key
    }

    /// Whether `value` is one of the codes, byte for byte.
    func contains(_ value: UnsafeRawBufferPointer) -> Bool {
        guard let key = Self.packedKey(value) else { return Self.contains(long, value) }
        var low = 0
        var high = packed.count
        while low < high {
            let middle = (low + high) / 2
            if packed[middle] == key { return true }
            if packed[middle] < key { low = middle + 1 } else { high = middle }
        }
        return false
    }

    /// Binary search over codes sorted bytewise, without copying the value.
    static func contains(_ codes: [[UInt8]], _ value: UnsafeRawBufferPointer) -> Bool {
        var low = 0
        var high = codes.count
        while low < high {
            let middle = (low + high) / 2
            let code = codes[middle]
            if code.elementsEqual(value) { return true }
            if code.lexicographicallyPrecedes(value) { low = middle + 1 } else { high = middle }
        }
        return false
    }
}

/// An X12 syntax rule between elements of a segment (X12.6 relational conditions).
struct X12SyntaxRule: Sendable {
    enum Kind: Sendable { case paired, required, exclusion, conditional, listConditional }
    var kind: Kind
    var positions: [Int]

    /// Parses `P0809`, `R0203`, `E0405`, `C1110`, `L030405`; `nil` when malformed.
    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 5, (bytes.count - 1) % 2 == 0 else { return nil }
        switch bytes[0] {
        case UInt8(ascii: "P"): kind = .paired
        case UInt8(ascii: "R"): kind = .required
        case UInt8(ascii: "E"): kind = .exclusion
        case UInt8(ascii: "C"): kind = .conditional
        case UInt8(ascii: "L"): kind = .listConditional
        default: return nil
        }
        var positions: [Int] = []
        var index = 1
        while index + 1 < bytes.count {
            let tens = Int(bytes[index]) - 0x30
            let ones = Int(bytes[index + 1]) - 0x30
            guard (0...9).contains(tens), (0...9).contains(ones) else { return nil }
            positions.append(tens * 10 + ones)
            index += 2
        }
        self.positions = positions
    }
}

/// Byte-level formats of X12 values (no String round trips).
enum X12ValueFormat {
    static func digit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// `Nn`: optional leading minus, digits only (the decimal point is implied).
    static func isInteger(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var start = 0
        if bytes.first == UInt8(ascii: "-") { start = 1 }
        guard start < bytes.count else { return false }
        for index in start..<bytes.count where !digit(bytes[index]) { return false }
        return true
    }

    /// `R`: optional leading minus, digits with at most one decimal point, at least one digit.
    static func isDecimal(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var start = 0
        if bytes.first == UInt8(ascii: "-") { start = 1 }
        var digits = 0
        var points = 0
        guard start < bytes.count else { return false }
        for index in start..<bytes.count {
            let byte = bytes[index]
            if digit(byte) { digits += 1 } else if byte == UInt8(ascii: ".") { points += 1 } else { return false }
        }
        return digits > 0 && points <= 1
    }

    static func number(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard range.upperBound <= bytes.count else { return nil }
        var value = 0
        for index in range {
            guard digit(bytes[index]) else { return nil }
            value = value * 10 + Int(bytes[index] - 0x30)
        }
        return value
    }

    /// `DT`: CCYYMMDD (8) or YYMMDD (6), a real calendar date.
    static func isDate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let year: Int
        let offset: Int
        switch bytes.count {
        case 8:
            guard let value = number(bytes, 0..<4) else { return false }
            year = value
            offset = 4
        case 6:
            guard let value = number(bytes, 0..<2) else { return false }
            year = 2000 + value  // leap years: the century does not matter except for 1900/2100
            offset = 2
        default: return false
        }
        guard let month = number(bytes, offset..<(offset + 2)), let day = number(bytes, (offset + 2)..<(offset + 4)),
            (1...12).contains(month), day >= 1
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days =
            switch month {
            case 2: leap ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        return day <= days
    }

    /// `TM`: HHMM, HHMMSS, HHMMSSd or HHMMSSdd.
    static func isTime(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == 4 || (bytes.count >= 6 && bytes.count <= 8), let hours = number(bytes, 0..<2), let minutes = number(bytes, 2..<4),
            hours < 24, minutes < 60
        else { return false }
        if bytes.count >= 6 {
            guard let seconds = number(bytes, 4..<6), seconds < 60 else { return false }
            if bytes.count > 6 { guard number(bytes, 6..<bytes.count) != nil else { return false } }
        }
        return true
    }

    /// A date/time period (element 1251) against its format qualifier (1250): D8 CCYYMMDD, RD8
    /// CCYYMMDD-CCYYMMDD, DT CCYYMMDDHHMM, TM HHMM. Other formats are not checked.
    static func periodError(_ bytes: UnsafeRawBufferPointer, format: UnsafeRawBufferPointer) -> X12ElementErrorCode? {
        func equals(_ text: StaticString) -> Bool {
            format.elementsEqual(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        if equals("D8") {
            return bytes.count == 8 && isDate(bytes) ? nil : .invalidDate
        }
        if equals("RD8") {
            guard bytes.count == 17, bytes[8] == UInt8(ascii: "-") else { return .invalidDate }
            let first = UnsafeRawBufferPointer(rebasing: bytes[0..<8])
            let second = UnsafeRawBufferPointer(rebasing: bytes[9..<17])
            return isDate(first) && isDate(second) ? nil : .invalidDate
        }
        if equals("DT") {
            guard bytes.count == 12, isDate(UnsafeRawBufferPointer(rebasing: bytes[0..<8])) else { return .invalidDate }
            return isTime(UnsafeRawBufferPointer(rebasing: bytes[8..<12])) ? nil : .invalidTime
        }
        if equals("TM") {
            return isTime(bytes) ? nil : .invalidTime
        }
        return nil
    }
}
