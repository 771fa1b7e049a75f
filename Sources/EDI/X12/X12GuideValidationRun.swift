/// Runs SNIP level 2 over a whole input while it is read: picks each transaction set's guide (ST03; for 4010
/// sets the header `REF*87`, else GS08; see ``X12Guide/bundled(transactionSet:implementationConvention:transmissionType:groupVersion:)``),
/// feeds the set's segments to one reusable ``X12GuideValidator`` per guide, and keeps the findings per set,
/// keyed by the position of its `ST`.
///
/// A set without its `SE` (the envelope check reports it) is dropped without SNIP 2 findings.
public struct X12GuideValidationRun: Sendable {
    /// What SNIP level 2 found in one transaction set.
    public struct SetResult: Sendable, Hashable {
        /// The guide used, `nil` when none was found (SNIP level 1 only; a `noGuide` warning is in `findings`).
        public var guideID: String?
        /// Findings in the order found (errors and warnings).
        public var findings: [X12GuideFinding]
    }

    /// Options for every validator.
    public let options: X12GuideValidator.Options
    /// Results of the sets closed so far, by the input position of their `ST`.
    public private(set) var results: [Int: SetResult] = [:]

    private var validators: [String: X12GuideValidator] = [:]
    /// The open set's validator, taken out of `validators` while the set is read (one dictionary access per set).
    private var active: X12GuideValidator?
    private var groupVersion = ""
    private var current: OpenSet?

    private struct OpenSet: Sendable {
        var stPosition: Int
        var transactionSet: String
        var convention: String
        var st03: String
        var guideID: String?
        var decided: Bool
        /// ST (and BHT) kept as bytes until a 4010 set's `REF*87` is seen; replayed into the validator then.
        var pending: [(bytes: [UInt8], delimiters: X12Delimiters, position: Int, byteOffset: Int)] = []
        /// BHT02, which picks the 4010 278 request or response guide.
        var purpose: String?
    }

    /// A run with the given validator options.
    public init(options: X12GuideValidator.Options = .init()) {
        self.options = options
    }

    /// Takes the next segment of the input (any segment: envelopes are followed here).
    public mutating func consume(_ view: X12SegmentView) {
        // Envelope ids start with G, I or S: one byte test keeps the id comparisons off most segments.
        let first = view.bytes.first ?? 0
        if first == UInt8(ascii: "G") || first == UInt8(ascii: "I") || first == UInt8(ascii: "S") {
            if consumeEnvelope(view) { return }
        }
        guard let decided = current?.decided else { return }
        if !decided, decideWithHeader(view) { return }
        feed(view)
        if first == UInt8(ascii: "S"), view.hasID("SE"), let set = current {
            var findings: [X12GuideFinding] = []
            if let id = set.guideID, var validator = active {
                findings = validator.finish()
                active = nil
                validators[id] = validator
            } else {
                findings = [X12GuideFinding(
                    kind: .noGuide(convention: set.convention), position: set.stPosition, setPosition: 1, loopID: "",
                    segmentID: "ST", isWarning: true)]
            }
            results[set.stPosition] = SetResult(guideID: set.guideID, findings: findings)
            current = nil
        }
    }

    /// ISA, GS, GE, IEA and ST; `true` when the segment was one of them.
    private mutating func consumeEnvelope(_ view: X12SegmentView) -> Bool {
        if view.hasID("GS") {
            groupVersion = view.element(8)?.text ?? ""
            abandon()
            return true
        }
        if view.hasID("ISA") || view.hasID("GE") || view.hasID("IEA") {
            abandon()
            return true
        }
        guard view.hasID("ST") else { return false }
        abandon()
        let st03 = view.element(3)?.text ?? ""
        current = OpenSet(
            stPosition: view.position, transactionSet: view.element(1)?.text ?? "",
            convention: st03.isEmpty ? groupVersion : st03, st03: st03, decided: false)
        if !st03.isEmpty || !groupVersion.hasPrefix("004010") {
            decide(transmissionType: nil)
            feed(view)
        } else {
            keep(view)
        }
        return true
    }

    /// A 4010 set without ST03: BHT is kept (its BHT02 picks a purpose variant); the next segment decides the
    /// guide (by `REF*87` when it is one) and the kept segments are replayed. `true` when the segment was kept.
    private mutating func decideWithHeader(_ view: X12SegmentView) -> Bool {
        guard let set = current else { return false }
        if view.hasID("BHT") && set.pending.count == 1 {
            current?.purpose = view.element(2)?.text
            keep(view)
            return true
        }
        var transmissionType: String?
        if view.hasID("REF"), view.element(1)?.hasText("87") == true { transmissionType = view.element(2)?.text }
        decide(transmissionType: transmissionType, purpose: set.purpose)
        for kept in set.pending {
            kept.bytes.withUnsafeBytes { raw in
                feed(X12SegmentView(bytes: raw, delimiters: kept.delimiters, position: kept.position, byteOffset: kept.byteOffset))
            }
        }
        current?.pending = []
        return false
    }

    /// Hands over the results collected so far and forgets them (for long streams: memory stays bounded).
    public mutating func takeResults() -> [SetResult] {
        let taken = Array(results.values)
        results = [:]
        return taken
    }

    /// A set that ends without its `SE`: its validator is reset and kept for the next set; no findings.
    private mutating func abandon() {
        if let id = current?.guideID, var validator = active {
            _ = validator.finish()
            validators[id] = validator
        }
        active = nil
        current = nil
    }

    private mutating func keep(_ view: X12SegmentView) {
        current?.pending.append((Array(view.bytes), view.delimiters, view.position, view.byteOffset))
    }

    private mutating func decide(transmissionType: String?, purpose: String? = nil) {
        guard let set = current else { return }
        current?.decided = true
        let guide = X12Guide.bundled(
            transactionSet: set.transactionSet, implementationConvention: set.st03.isEmpty ? nil : set.st03,
            transmissionType: transmissionType, groupVersion: groupVersion, purpose: purpose)
        guard let guide else { return }
        current?.guideID = guide.id
        active = validators.removeValue(forKey: guide.id) ?? X12GuideValidator(guide: guide, options: options)
    }

    private mutating func feed(_ view: X12SegmentView) {
        active?.consume(view)
    }
}
