public import Events
import Foundation

/// Writes the claim events of 837 and 835 transaction sets without building the ``HealthCareClaim`` model: the fast
/// path of `ferry convert x12` and of the benchmark.
///
/// Same input, same output as ``X12ClaimExtractor`` followed by ``X12ClaimEvent/write(_:to:)``, byte for byte (same
/// events, same order, same JSON, same ``X12ClaimIssue``s; `X12ClaimEventWriterEquivalenceTests` checks it on the
/// corpus and on generated sets). 837 sets take the model-free path: the loops.loop identity is tracked exactly as the
/// extractor tracks it, but values stay bytes of the segment: HL level values are copied once into a per-set byte
/// store, claim and line members are written straight into reused JSON buffers (escaped in place, amounts as their
/// exact text), and the claim is assembled from those parts when it ends. 835 sets (a minority of the volume) go
/// through the model. Memory: one transaction set's HL level values plus one claim's JSON; every buffer is reused.
///
/// Values are PHI: nothing here logs them; issues carry positions and ids only.
public struct X12ClaimEventWriter {
    /// Findings so far (see ``takeIssues()``). A claim or payment with a finding is not written.
    public private(set) var issues: [X12ClaimIssue] = []

    /// Runs the 835 sets (and the envelope for them).
    private var payments = X12ClaimExtractor()
    private var fields = X12SegmentFields()
    private var reference = X12TransactionReference()
    private var groupDate = ""
    private var groupTime = ""
    private var inClaimSet = false
    /// The loops.loop identity, as the extractor tracks it.
    private var loops = X12ClaimLoopTracker()
    /// The set's `"transaction":{…}` object, rendered once per set (again after BHT).
    private var transactionJSON: [UInt8] = []
    private var transactionJSONIsCurrent = false
    /// The transaction reference as the open claim's CLM saw it.
    private var claimReference = X12TransactionReference()
    /// Bumped whenever `reference` changes (ISA, GS, ST, BHT): a claim copies it, and renders its event's
    /// `source` and `time`, only when it changed since the last claim.
    private var referenceGeneration = 0
    private var claimReferenceGeneration = -1
    /// `,"source":"…"` and `,"time":"…"` (or nothing) of `claimReference`.
    private var sourceJSON: [UInt8] = []
    private var timeJSON: [UInt8] = []
    private var setClaimKind: HealthCareClaimKind = .professional

    /// Every byte buffer (copied before writing when another copy of the writer shares them). The buffers are also
    /// held in stored properties below: reading them through `buffers` retained and released each on every use.
    private var buffers: ClaimJSONBuffers
    // HL levels: their values live in `store` (reset at ST), levels hold ranges into it.
    private var store: ClaimJSONBuffer
    /// Party JSON rendered once per level and spliced into every claim under it (reset at ST).
    private var renderedStore: ClaimJSONBuffer
    private var levels: [Level] = []
    /// HL01 → index into `levels` (the last level with that id), kept only once the ids stop being 1, 2, 3, …
    private var levelIndex: [String: Int] = [:]
    /// Whether the set's HL01s so far are exactly `1`, `2`, `3`, … (the usual case): a level's index is then its id
    /// minus one, and `levelIndex` is not needed.
    private var levelsAreNumberedInOrder = true
    private var currentLevel: Int?
    private var chain: [Int] = []

    // The open claim.
    private var hasClaim = false
    private var claimRejected = false
    private var claimCount = 0
    private var claimIDCounts: [String: Int] = [:]
    private var claim = OpenClaim()
    /// Claim values that are not rendered at once (providers, line fields): ranges into this store.
    private var claimStore: ClaimJSONBuffer
    private var diagnosesJSON: ClaimJSONBuffer
    private var codesJSON: ClaimJSONBuffer
    private var datesJSON: ClaimJSONBuffer
    private var referencesJSON: ClaimJSONBuffer
    private var providers: [Provider] = []
    private var linesJSON: ClaimJSONBuffer

    // The open line.
    private var hasLine = false
    private var line = OpenLine()
    private var lineDatesJSON: ClaimJSONBuffer
    private var lineReferencesJSON: ClaimJSONBuffer
    private var teethJSON: ClaimJSONBuffer
    /// The event being assembled.
    private var eventJSON: ClaimJSONBuffer
    private var lineProviders: [Provider] = []


    /// A writer.
    public init() {
        let buffers = ClaimJSONBuffers()
        self.buffers = buffers
        store = buffers.store
        renderedStore = buffers.rendered
        claimStore = buffers.claimStore
        diagnosesJSON = buffers.diagnoses
        codesJSON = buffers.codes
        datesJSON = buffers.dates
        referencesJSON = buffers.references
        linesJSON = buffers.lines
        lineDatesJSON = buffers.lineDates
        lineReferencesJSON = buffers.lineReferences
        teethJSON = buffers.teeth
        eventJSON = buffers.event
    }

    /// Copies the buffers when another copy of the writer shares them (before anything is written to them).
    private mutating func makeBuffersUnique() {
        guard !isKnownUniquelyReferenced(&buffers) else { return }
        buffers = buffers.copy()
        store = buffers.store
        renderedStore = buffers.rendered
        claimStore = buffers.claimStore
        diagnosesJSON = buffers.diagnoses
        codesJSON = buffers.codes
        datesJSON = buffers.dates
        referencesJSON = buffers.references
        linesJSON = buffers.lines
        lineDatesJSON = buffers.lineDates
        lineReferencesJSON = buffers.lineReferences
        teethJSON = buffers.teeth
        eventJSON = buffers.event
    }

    /// Whether there are findings to take (cheap: check it per segment, call ``takeIssues()`` only when true).
    public var hasIssues: Bool { !issues.isEmpty || !payments.issues.isEmpty }

    /// Returns the findings so far and forgets them. Allocates nothing when there are none.
    public mutating func takeIssues() -> [X12ClaimIssue] {
        guard hasIssues else { return [] }
        if !payments.issues.isEmpty { issues += payments.takeIssues() }
        let taken = issues
        issues = []
        return taken
    }

    /// Takes the next segment of the input; writes each claim or payment event it completes to `writer` (one JSON
    /// object, followed by `\n` when `endingLines`: JSON Lines) and returns how many it wrote.
    @discardableResult
    public mutating func consume(_ segment: X12SegmentView, to writer: inout JSONWriter, endingLines: Bool = true) -> Int {
        makeBuffersUnique()
        var count = 0
        consume(segment, &writer) { writer in
            if endingLines { writer.endLine() }
            count += 1
        }
        return count
    }

    private mutating func consume(_ segment: X12SegmentView, _ writer: inout JSONWriter, _ written: (inout JSONWriter) -> Void) {
        fields.load(segment)
        let id = fields.id
        switch id {
        case Code.ISA:
            referenceGeneration += 1
            reference.interchangeControlNumber = fields.text(13) ?? ""
            reference.interchangeSender = (fields.text(6) ?? "").trimmingSpaces()
        case Code.GS:
            referenceGeneration += 1
            reference.applicationSender = fields.text(2) ?? ""
            reference.groupControlNumber = fields.text(6) ?? ""
            reference.implementation = fields.text(8) ?? ""
            groupDate = fields.text(4) ?? ""
            groupTime = fields.text(5) ?? ""
        case Code.ST:
            abandonOpenSet()
            startSet()
        case Code.SE:
            if inClaimSet { closeClaim(&writer, written) }
            inClaimSet = false
        default:
            if inClaimSet {
                consumeClaimSegment(id, &writer, written)
                return
            }
        }
        // Everything outside 837 sets (and every envelope segment) also goes to the 835 path.
        payments.consume(segment) { record in
            X12ClaimEvent.write(record, to: &writer)
            written(&writer)
        }
    }

    /// Says the input ended: a set without SE loses its open claim (reported).
    public mutating func finish() {
        makeBuffersUnique()
        abandonOpenSet()
        inClaimSet = false
        payments.finish()
    }

    // MARK: - Transaction sets

    private mutating func startSet() {
        let type = fields.text(1) ?? ""
        referenceGeneration += 1
        reference.type = type
        reference.controlNumber = fields.text(2) ?? ""
        if let convention = fields.text(3) { reference.implementation = convention }
        reference.bhtReference = ""
        reference.time = X12ClaimExtractor.timestamp(date: groupDate, time: groupTime)
        reference.eventSource = X12ClaimEvent.source(for: reference)
        inClaimSet = type == "837"
        transactionJSONIsCurrent = false
        setClaimKind = HealthCareClaimKind(convention: reference.implementation) ?? .professional
        loops.startSet()
        store.removeAll()
        renderedStore.removeAll()
        levels.removeAll(keepingCapacity: true)
        levelIndex.removeAll(keepingCapacity: true)
        levelsAreNumberedInOrder = true
        currentLevel = nil
        hasClaim = false
        hasLine = false
        claimRejected = false
        claimCount = 0
        claimIDCounts.removeAll(keepingCapacity: true)
    }

    private mutating func abandonOpenSet() {
        guard inClaimSet else { return }
        if hasClaim {
            issues.append(.init(
                kind: .transactionSetUnterminated, position: claim.position, loopID: "ST", segmentID: "CLM"))
        }
        hasClaim = false
        hasLine = false
    }

    // MARK: - 837 loops

    private typealias Loop = X12ClaimLoopTracker.Loop
    private typealias LevelKind = X12ClaimLoopTracker.LevelKind

    /// A value's bytes in one of the stores; absent values are `nil` (as ``X12SegmentFields/text(_:)`` gives `nil`
    /// for absent or empty elements).
    private struct Span {
        var start: Int
        var end: Int
    }

    /// An NM1 party (with what REF/PRV/DMG add), as spans.
    private struct Party {
        var entityType: Span?
        var lastOrOrganizationName: Span?
        var firstName: Span?
        var middleName: Span?
        var suffix: Span?
        var idQualifier: Span?
        var id: Span?
        var hasTaxID = false
        var taxIDQualifier: Span?
        var taxIDValue: Span?
        var taxonomy: Span?
        var birthDate: Span?
        var birthDateIsD8 = false
        var gender: Span?
    }

    /// One HL level and what its loops said.
    private struct Level {
        /// HL01 (as text) in ``store``; the label `HL01:HL03` starts with it.
        var id: Span
        var label: Span
        var kind: LevelKind
        var parent: Int?
        var hasParty = false
        var party = Party()
        var taxonomy: Span?
        /// The rendered `,"billingProvider":{…}` of this level in ``renderedStore``, once a claim needed it; cleared
        /// whenever the level's party changes.
        var billingJSON: Span?
        var hasSubscriber = false
        var subscriberParty = Party()
        var payerResponsibility: Span?
        var relationship: Span?
        var groupNumber: Span?
        var groupName: Span?
        var claimFilingIndicator: Span?
        var hasPayer = false
        var payer = Party()
        var hasPatient = false
        var patientRelationship: Span?
        var patientParty = Party()
    }

    /// An amount: its text in the claim store when that text is already the value's canonical text, else the
    /// value as parsed.
    private enum Amount {
        case text(Span)
        case value(ExactDecimal)
    }

    /// A 2310/2420 provider: role and party (spans into the claim store).
    private struct Provider {
        var role: String
        var party: Party
    }

    /// The open claim's scalar members.
    private struct OpenClaim {
        var position = 0
        var kind: HealthCareClaimKind = .professional
        var claimID = ""
        /// The claim id as a JSON string, in the claim store.
        var claimIDJSON = Span(start: 0, end: 0)
        var ordinal = 0
        var occurrence = 1
        var totalCharge: Amount?
        var facilityCode: Span?
        var facilityCodeQualifier: Span?
        var frequencyCode: Span?
        var clearinghouseTraceNumber: Span?
        var hasInstitutional = false
        var admissionType: Span?
        var admissionSource: Span?
        var patientStatus: Span?
        var otherSubscriberCount = 0
        /// The nearest levels with each party (indices into `levels`), found at CLM.
        var billingLevel: Int?
        var subscriberLevel: Int?
        var payerLevel: Int?
        var patientLevel: Int?
        /// Whether a 2000C was found (the patient is then written, empty if its level said nothing).
        var hasPatient = false
        var hasHierarchy = false
    }

    /// The open service line's members (spans into the claim store).
    private struct OpenLine {
        var lineNumber: Span?
        var kind: HealthCareClaimKind = .professional
        var hasProcedure = false
        var procedureQualifier: Span?
        var procedureCode: Span?
        var modifiers: [Span?] = [nil, nil, nil, nil]
        var procedureDescription: Span?
        var revenueCode: Span?
        var charge: Amount?
        var unit: Span?
        var quantity: Amount?
        var placeOfService: Span?
        var oralCavity: [Span?] = [nil, nil, nil, nil, nil]
        var diagnosisPointers: [Span?] = [nil, nil, nil, nil]
        var hasDrug = false
        var drugQualifier: Span?
        var drugCode: Span?
        var drugQuantity: Amount?
        var drugUnit: Span?
        var lineItemControlNumber: Span?

        mutating func reset(kind: HealthCareClaimKind) {
            lineNumber = nil
            self.kind = kind
            hasProcedure = false
            procedureQualifier = nil
            procedureCode = nil
            for index in modifiers.indices { modifiers[index] = nil }
            procedureDescription = nil
            revenueCode = nil
            charge = nil
            unit = nil
            quantity = nil
            placeOfService = nil
            for index in oralCavity.indices { oralCavity[index] = nil }
            for index in diagnosisPointers.indices { diagnosisPointers[index] = nil }
            hasDrug = false
            drugQualifier = nil
            drugCode = nil
            drugQuantity = nil
            drugUnit = nil
            lineItemControlNumber = nil
        }
    }

    // MARK: Copying values

    // The helpers that fill one of the writer's own buffers are static: a method on `self` taking `&self.store`
    // would make Swift copy the whole writer for exclusivity.

    /// Copies `raw` (an element or component of the segment) into `target`; `nil` when absent or empty. Static, and
    /// given the bytes rather than the fields: a non-mutating method on `self` copied the whole writer.
    @inline(__always)
    private static func copy(_ raw: UnsafeRawBufferPointer?, into target: ClaimJSONBuffer, isPlain: Bool) -> Span? {
        guard let raw, !raw.isEmpty else { return nil }
        if !isPlain { target.holdsPlainText = false }
        let start = target.count
        target.append(raw)
        return Span(start: start, end: target.count)
    }

    private mutating func levelValue(_ index: Int, _ component: Int? = nil) -> Span? {
        Self.copy(component.map { fields.raw(index, $0) } ?? fields.raw(index), into: store, isPlain: fields.isPlain)
    }

    private mutating func claimValue(_ index: Int, _ component: Int? = nil) -> Span? {
        Self.copy(component.map { fields.raw(index, $0) } ?? fields.raw(index), into: claimStore, isPlain: fields.isPlain)
    }

    /// The NM1 in `fields` as a party, its values copied into `target`.
    private static func party(_ fields: X12SegmentFields, into target: ClaimJSONBuffer) -> Party {
        var party = Party()
        loadParty(into: &party, fields, target)
        return party
    }

    /// Replaces `party` in place (a party is a few hundred bytes: building one and copying it into a level was a
    /// `memmove` per NM1) with the NM1 in `fields`, its values copied into `target`.
    private static func loadParty(into party: inout Party, _ fields: X12SegmentFields, _ target: ClaimJSONBuffer) {
        let plain = fields.isPlain
        party.entityType = copy(fields.raw(2), into: target, isPlain: plain)
        party.lastOrOrganizationName = copy(fields.raw(3), into: target, isPlain: plain)
        party.firstName = copy(fields.raw(4), into: target, isPlain: plain)
        party.middleName = copy(fields.raw(5), into: target, isPlain: plain)
        party.suffix = copy(fields.raw(7), into: target, isPlain: plain)
        party.idQualifier = copy(fields.raw(8), into: target, isPlain: plain)
        party.id = copy(fields.raw(9), into: target, isPlain: plain)
        party.hasTaxID = false
        party.taxIDQualifier = nil
        party.taxIDValue = nil
        party.taxonomy = nil
        party.birthDate = nil
        party.birthDateIsD8 = false
        party.gender = nil
    }

    // MARK: - 837 segments

    private mutating func consumeClaimSegment(_ id: UInt32, _ writer: inout JSONWriter, _ written: (inout JSONWriter) -> Void) {
        switch id {
        case Code.BHT:
            referenceGeneration += 1
            reference.bhtReference = fields.text(3) ?? ""
            if let time = X12ClaimExtractor.timestamp(date: fields.text(4) ?? "", time: fields.text(5) ?? "") {
                reference.time = time
            }
            transactionJSONIsCurrent = false
        case Code.HL:
            closeClaim(&writer, written)
            openLevel()
        case Code.CLM:
            closeClaim(&writer, written)
            openClaim()
        case Code.NM1:
            nameSegment()
        case Code.PRV:
            guard let raw = fields.raw(3), !raw.isEmpty else { return }
            switch loops.loop {
            case .billingLevel, .billingName:
                if let level = currentLevel {
                    levels[level].taxonomy = levelValue(3)
                    levels[level].billingJSON = nil
                }
            case let .claimProvider(index): providers[index].party.taxonomy = claimValue(3)
            case let .lineProvider(index): lineProviders[index].party.taxonomy = claimValue(3)
            default: break
            }
        case Code.REF:
            referenceSegment()
        case Code.SBR:
            if loops.subscriberSegment() {
                claim.otherSubscriberCount += 1
            } else if let level = currentLevel, loops.loop == .subscriberLevel {
                levels[level].hasSubscriber = true
                levels[level].payerResponsibility = levelValue(1)
                levels[level].relationship = levelValue(2)
                levels[level].groupNumber = levelValue(3)
                levels[level].groupName = levelValue(4)
                levels[level].claimFilingIndicator = levelValue(9)
            }
        case Code.PAT:
            if loops.loop == .patientLevel, let level = currentLevel {
                levels[level].hasPatient = true
                levels[level].patientRelationship = levelValue(1)
            }
        case Code.DMG:
            guard let level = currentLevel else { return }
            if loops.loop == .subscriberName, levels[level].hasSubscriber {
                levels[level].subscriberParty.birthDate = levelValue(2)
                levels[level].subscriberParty.birthDateIsD8 = fields.has(1, "D8")
                levels[level].subscriberParty.gender = levelValue(3)
            } else if loops.loop == .patientName, levels[level].hasPatient {
                levels[level].patientParty.birthDate = levelValue(2)
                levels[level].patientParty.birthDateIsD8 = fields.has(1, "D8")
                levels[level].patientParty.gender = levelValue(3)
            }
        case Code.DTP:
            guard let raw = fields.raw(1), !raw.isEmpty else { return }
            switch loops.loop {
            case .claim, .claimProvider, .claimOther: Self.appendDate(fields, to: datesJSON)
            case .line, .lineDrug: Self.appendDate(fields, to: lineDatesJSON)
            default: break
            }
        case Code.HI:
            guard hasClaim, !loops.loop.isInLine, loops.loop != .otherSubscriber, loops.loop != .otherSubscriberParty else { return }
            healthCareCodes()
        case Code.CL1:
            guard hasClaim, loops.loop == .claim else { return }
            claim.hasInstitutional = true
            claim.admissionType = claimValue(1)
            claim.admissionSource = claimValue(2)
            claim.patientStatus = claimValue(3)
        case Code.LX:
            guard hasClaim else { return }
            closeLine()
            line.reset(kind: claim.kind)
            line.lineNumber = claimValue(1)
            lineDatesJSON.removeAll()
            lineReferencesJSON.removeAll()
            teethJSON.removeAll()
            lineProviders.removeAll(keepingCapacity: true)
            hasLine = true
            loops.enterLine()
        case Code.SV1, Code.SV2, Code.SV3:
            serviceSegment(id)
        case Code.TOO:
            guard hasClaim else { return }
            guard loops.loop.isInLine, hasLine else { return reject(.serviceWithoutLine) }
            appendTooth()
        case Code.LIN:
            guard loops.loop.isInLine, hasLine else { return }
            line.hasDrug = true
            line.drugQualifier = claimValue(2)
            line.drugCode = claimValue(3)
            line.drugQuantity = nil
            line.drugUnit = nil
            loops.enterDrug()
        case Code.CTP:
            guard loops.loop == .lineDrug, hasLine else { return }
            let quantity = decimal(4, element: "CTP04")
            if line.hasDrug {
                line.drugQuantity = quantity
                line.drugUnit = claimValue(5, 1)
            }
        case Code.SVD:
            loops.serviceAdjudication()
        default:
            break
        }
    }

    private mutating func reject(_ kind: X12ClaimIssue.Kind, element: String? = nil) {
        issues.append(.init(
            kind: kind, position: fields.position, loopID: loops.loop.id, segmentID: fields.idText, element: element))
        claimRejected = true
    }

    /// The element (or component) as an amount: parsed as the model parses it (an invalid one is reported), its text
    /// copied into the claim store when it is already the value's canonical text (then written as is, without
    /// printing the value back).
    private mutating func decimal(
        _ index: Int, _ component: Int? = nil, element: @autoclosure () -> String
    ) -> Amount? {
        let raw = component.map { fields.raw(index, $0) } ?? fields.raw(index)
        guard let raw, !raw.isEmpty else { return nil }
        // Canonical text of at most 38 characters always parses (at most 38 digits, scale at most 37): no need to.
        if raw.count <= ExactDecimal.maximumDigits, Self.isCanonicalDecimalText(raw),
            let text = Self.copy(raw, into: claimStore, isPlain: true)
        {
            return .text(text)
        }
        do {
            return .value(try ExactDecimal(parsing: raw))
        } catch {
            reject(.invalidDecimal, element: element())
            return nil
        }
    }

    /// Whether `bytes` are `0` or a digit 1–9 and digits, then optionally `.` and at least one digit: for a value
    /// that parses, exactly ``ExactDecimal``'s canonical text of it (no sign, no leading zero, no exponent, every
    /// fraction digit kept).
    static func isCanonicalDecimalText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        guard count > 0 else { return false }
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        var index = 0
        if bytes[0] == UInt8(ascii: "0") {
            index = 1
        } else {
            while index < count, isDigit(bytes[index]) { index += 1 }
            guard index > 0 else { return false }
        }
        if index == count { return true }
        guard bytes[index] == UInt8(ascii: "."), index + 1 < count else { return false }
        index += 1
        while index < count {
            guard isDigit(bytes[index]) else { return false }
            index += 1
        }
        return true
    }

    /// Appends an amount: its canonical text from the claim store, or the value printed.
    private static func appendAmount(_ amount: Amount, _ claimStore: ClaimJSONBuffer, to out: ClaimJSONBuffer) {
        switch amount {
        case let .text(text): out.append(claimStore.bytes(from: text.start, to: text.end))
        case let .value(value): out.appendDecimal(value)
        }
    }

    private mutating func openLevel() {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        let kind = LevelKind(fields)
        var parent = parentLevel(fields.raw(2) ?? empty)
        if parent == nil {
            if let parentKind = kind.parentKind { parent = levels.lastIndex { $0.kind == parentKind } }
        }
        // The label `HL01:HL03` as the model's `id + ":" + code` (each repaired as text).
        let start = store.count
        let idEnd: Int
        if fields.isPlain {
            store.append(fields.raw(1) ?? empty)
            idEnd = store.count
            store.append(UInt8(ascii: ":"))
            store.append(fields.raw(3) ?? empty)
        } else {
            store.holdsPlainText = false
            store.appendUTF8(fields.text(1) ?? "")
            idEnd = store.count
            store.append(UInt8(ascii: ":"))
            store.appendUTF8(fields.text(3) ?? "")
        }
        let id = Span(start: start, end: idEnd)
        let index = levels.count
        if levelsAreNumberedInOrder, Self.decimalNumber(store.bytes(from: id.start, to: id.end)) != index + 1 {
            // Numbered otherwise: index the levels so far by id (all different, as they were 1, 2, 3, …).
            levelsAreNumberedInOrder = false
            for (earlier, level) in levels.enumerated() { levelIndex[Self.levelID(level, store)] = earlier }
        }
        levels.append(Level(id: id, label: Span(start: start, end: store.count), kind: kind, parent: parent))
        if !levelsAreNumberedInOrder { levelIndex[Self.levelID(levels[index], store)] = index }
        currentLevel = index
        loops.enterLevel(kind)
    }

    /// HL01 of `level` as text. (Static, like the other helpers here: a non-mutating method copied the writer.)
    private static func levelID(_ level: Level, _ store: ClaimJSONBuffer) -> String {
        X12SegmentFields.string(store.bytes(from: level.id.start, to: level.id.end))
    }

    /// The index of the last level whose HL01 is `parentID` (HL02), if any.
    private mutating func parentLevel(_ parentID: UnsafeRawBufferPointer) -> Int? {
        guard !parentID.isEmpty else { return nil }
        if levelsAreNumberedInOrder {
            // Ids are exactly 1…count: only that decimal text names a level.
            guard let number = Self.decimalNumber(parentID), number <= levels.count else { return nil }
            return number - 1
        }
        return levelIndex[X12SegmentFields.string(parentID)]
    }

    /// The value of `bytes` when they are a positive decimal number without leading zeros (at most 18 digits).
    private static func decimalNumber(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18, bytes[0] != UInt8(ascii: "0") else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    private mutating func nameSegment() {
        let name = loops.name(
            fields, hasLevel: currentLevel != nil, hasClaim: hasClaim, hasLine: hasLine,
            claimProviders: providers.count, lineProviders: lineProviders.count)
        switch name {
        case .ignored, .other:
            return
        case .billingProvider:
            guard let level = currentLevel else { return }
            Self.loadParty(into: &levels[level].party, fields, store)
            levels[level].billingJSON = nil
            levels[level].hasParty = true
        case .subscriber:
            guard let level = currentLevel else { return }
            Self.loadParty(into: &levels[level].subscriberParty, fields, store)
            levels[level].hasSubscriber = true
        case .payer:
            guard let level = currentLevel else { return }
            Self.loadParty(into: &levels[level].payer, fields, store)
            levels[level].hasPayer = true
        case .patient:
            guard let level = currentLevel else { return }
            Self.loadParty(into: &levels[level].patientParty, fields, store)
            levels[level].hasPatient = true
        case let .claimProvider(role):
            providers.append(Provider(role: role, party: Self.party(fields, into: claimStore)))
        case let .lineProvider(role):
            lineProviders.append(Provider(role: role, party: Self.party(fields, into: claimStore)))
        }
    }

    private mutating func referenceSegment() {
        guard let qualifier = fields.raw(1), !qualifier.isEmpty else { return }
        let value = fields.raw(2) ?? UnsafeRawBufferPointer(start: nil, count: 0)
        switch loops.loop {
        case .billingName:
            let isTaxID = fields.has(1, "EI") || fields.has(1, "SY")
            if isTaxID, let level = currentLevel, levels[level].hasParty, !levels[level].party.hasTaxID {
                levels[level].party.hasTaxID = true
                levels[level].billingJSON = nil
                levels[level].party.taxIDQualifier = levelValue(1)
                // The model keeps an empty REF02 as "" (not absent): an empty span stands for it.
                levels[level].party.taxIDValue = levelValue(2) ?? Span(start: store.count, end: store.count)
            }
        case .claim:
            if fields.has(1, "D9") {
                claim.clearinghouseTraceNumber = claimValue(2) ?? Span(start: claimStore.count, end: claimStore.count)
            } else {
                Self.appendReference(qualifier: qualifier, value: value, isPlain: fields.isPlain, to: referencesJSON)
            }
        case .line, .lineDrug:
            guard hasLine else { return }
            if fields.has(1, "6R") {
                line.lineItemControlNumber = claimValue(2) ?? Span(start: claimStore.count, end: claimStore.count)
            } else {
                Self.appendReference(qualifier: qualifier, value: value, isPlain: fields.isPlain, to: lineReferencesJSON)
            }
        default:
            break
        }
    }

    private static func appendReference(
        qualifier: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, isPlain: Bool, to out: ClaimJSONBuffer
    ) {
        if !out.isEmpty { out.append(UInt8(ascii: ",")) }
        out.appendLiteral(#"{"qualifier":"#)
        out.appendJSONString(qualifier, isPlain: isPlain)
        out.appendLiteral(#","value":"#)
        out.appendJSONString(value, isPlain: isPlain)
        out.append(UInt8(ascii: "}"))
    }

    /// A DTP as `{"qualifier","format","value","date" | "from","to"}` (``ClaimDate``'s JSON).
    private static func appendDate(_ fields: X12SegmentFields, to out: ClaimJSONBuffer) {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        guard let qualifier = fields.raw(1), !qualifier.isEmpty else { return }
        let format = fields.raw(2) ?? empty
        let value = fields.raw(3) ?? empty
        let plain = fields.isPlain
        if !out.isEmpty { out.append(UInt8(ascii: ",")) }
        out.appendLiteral(#"{"qualifier":"#)
        out.appendJSONString(qualifier, isPlain: plain)
        out.appendLiteral(#","format":"#)
        out.appendJSONString(format, isPlain: plain)
        out.appendLiteral(#","value":"#)
        out.appendJSONString(value, isPlain: plain)
        if format.elementsEqual("D8".utf8) {
            if Self.isEightDigits(value) {
                out.appendLiteral(#","date":"#)
                out.appendISODate(value)
            }
        } else if format.elementsEqual("RD8".utf8) {
            if let dash = value.firstIndex(of: UInt8(ascii: "-")) {
                let from = UnsafeRawBufferPointer(rebasing: value[..<dash])
                let to = UnsafeRawBufferPointer(rebasing: value[(dash + 1)...])
                if Self.isEightDigits(from), Self.isEightDigits(to) {
                    out.appendLiteral(#","from":"#)
                    out.appendISODate(from)
                    out.appendLiteral(#","to":"#)
                    out.appendISODate(to)
                }
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Whether `bytes` are exactly 8 ASCII digits (a `CCYYMMDD` that ``ClaimDate/isoDate(_:)-(String)`` accepts).
    static func isEightDigits(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count == 8 && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    private mutating func healthCareCodes() {
        guard fields.count >= 1 else { return }
        for index in 1...fields.count {
            guard let qualifierRaw = fields.raw(index, 1), !qualifierRaw.isEmpty else { continue }
            let qualifier = X12SegmentFields.string(qualifierRaw)
            let code = fields.raw(index, 2) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            if let role = ClaimDiagnosis.role(ofQualifier: qualifier) {
                if !diagnosesJSON.isEmpty { diagnosesJSON.append(UInt8(ascii: ",")) }
                diagnosesJSON.appendLiteral(#"{"qualifier":"#)
                diagnosesJSON.appendJSONString(qualifierRaw, isPlain: fields.isPlain)
                diagnosesJSON.appendLiteral(#","role":"#)
                diagnosesJSON.appendJSONString(role.rawValue)
                diagnosesJSON.appendLiteral(#","code":"#)
                diagnosesJSON.appendJSONString(code, isPlain: fields.isPlain)
                if let poa = fields.raw(index, 9), !poa.isEmpty {
                    diagnosesJSON.appendLiteral(#","poa":"#)
                    diagnosesJSON.appendJSONString(poa, isPlain: fields.isPlain)
                }
                diagnosesJSON.append(UInt8(ascii: "}"))
            } else {
                let amount = decimal(index, 5, element: "HI\(index < 10 ? "0" : "")\(index)-5")
                if !codesJSON.isEmpty { codesJSON.append(UInt8(ascii: ",")) }
                codesJSON.appendLiteral(#"{"qualifier":"#)
                codesJSON.appendJSONString(qualifierRaw, isPlain: fields.isPlain)
                codesJSON.appendLiteral(#","code":"#)
                codesJSON.appendJSONString(code, isPlain: fields.isPlain)
                if let format = fields.raw(index, 3), !format.isEmpty {
                    codesJSON.appendLiteral(#","dateFormat":"#)
                    codesJSON.appendJSONString(format, isPlain: fields.isPlain)
                }
                if let date = fields.raw(index, 4), !date.isEmpty {
                    codesJSON.appendLiteral(#","date":"#)
                    codesJSON.appendJSONString(date, isPlain: fields.isPlain)
                }
                if let amount {
                    codesJSON.appendLiteral(#","amount":"#)
                    Self.appendAmount(amount, claimStore, to: codesJSON)
                }
                codesJSON.append(UInt8(ascii: "}"))
            }
        }
    }

    private mutating func appendTooth() {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        if !teethJSON.isEmpty { teethJSON.append(UInt8(ascii: ",")) }
        teethJSON.appendLiteral(#"{"qualifier":"#)
        teethJSON.appendJSONString(fields.raw(1).flatMap { $0.isEmpty ? nil : $0 } ?? empty, isPlain: fields.isPlain)
        teethJSON.appendLiteral(#","number":"#)
        teethJSON.appendJSONString(fields.raw(2).flatMap { $0.isEmpty ? nil : $0 } ?? empty, isPlain: fields.isPlain)
        teethJSON.appendLiteral(#","surfaces":["#)
        var first = true
        if let raw = fields.raw(3), !raw.isEmpty {
            for component in 1...5 {
                guard let surface = fields.raw(3, component), !surface.isEmpty else { continue }
                if !first { teethJSON.append(UInt8(ascii: ",")) }
                first = false
                teethJSON.appendJSONString(surface, isPlain: fields.isPlain)
            }
        }
        teethJSON.appendLiteral("]}")
    }

    private mutating func procedure(_ index: Int) {
        var components = X12ComponentCursor(fields, index)
        guard let qualifier = components.next(), !qualifier.isEmpty else {
            line.hasProcedure = false
            return
        }
        let plain = fields.isPlain
        line.hasProcedure = true
        line.procedureQualifier = Self.copy(qualifier, into: claimStore, isPlain: plain)
        line.procedureCode = Self.copy(components.next(), into: claimStore, isPlain: plain)
        for modifier in 0..<4 { line.modifiers[modifier] = Self.copy(components.next(), into: claimStore, isPlain: plain) }
        line.procedureDescription = Self.copy(components.next(), into: claimStore, isPlain: plain)
    }

    /// Copies the first `values.count` components of element `index` into the claim store.
    private static func copyComponents(
        _ fields: X12SegmentFields, _ index: Int, _ claimStore: ClaimJSONBuffer, into values: inout [Span?]
    ) {
        var components = X12ComponentCursor(fields, index)
        let plain = fields.isPlain
        for component in values.indices { values[component] = Self.copy(components.next(), into: claimStore, isPlain: plain) }
    }

    private mutating func serviceSegment(_ id: UInt32) {
        guard hasClaim else { return }
        guard loops.loop.isInLine, hasLine else { return reject(.serviceWithoutLine) }
        switch id {
        case Code.SV1:
            line.kind = .professional
            procedure(1)
            line.charge = decimal(2, element: "SV102")
            line.unit = claimValue(3)
            line.quantity = decimal(4, element: "SV104")
            line.placeOfService = claimValue(5)
            Self.copyComponents(fields, 7, claimStore, into: &line.diagnosisPointers)
        case Code.SV2:
            line.kind = .institutional
            line.revenueCode = claimValue(1)
            procedure(2)
            line.charge = decimal(3, element: "SV203")
            line.unit = claimValue(4)
            line.quantity = decimal(5, element: "SV205")
        default:  // SV3
            line.kind = .dental
            procedure(1)
            line.charge = decimal(2, element: "SV302")
            line.placeOfService = claimValue(3)
            Self.copyComponents(fields, 4, claimStore, into: &line.oralCavity)
            line.quantity = decimal(6, element: "SV306")
            Self.copyComponents(fields, 11, claimStore, into: &line.diagnosisPointers)
        }
        claim.kind = line.kind
    }

    private mutating func openClaim() {
        claimCount += 1
        let claimID = fields.text(1) ?? ""
        claim = OpenClaim()
        claim.kind = setClaimKind
        claim.claimID = claimID
        claim.position = fields.position
        claim.ordinal = claimCount
        // One hash of the id (its count is incremented in place).
        let occurrence = Self.incremented(&claimIDCounts[claimID, default: 0])
        claim.occurrence = occurrence
        if !transactionJSONIsCurrent { renderTransaction() }
        if claimReferenceGeneration != referenceGeneration {
            claimReference = reference
            claimReferenceGeneration = referenceGeneration
            renderEnvelope()
        }
        claimStore.removeAll()
        claimStore.appendJSONString(claimID)
        claim.claimIDJSON = Span(start: 0, end: claimStore.count)
        diagnosesJSON.removeAll()
        codesJSON.removeAll()
        datesJSON.removeAll()
        referencesJSON.removeAll()
        providers.removeAll(keepingCapacity: true)
        linesJSON.removeAll()
        claimRejected = false
        hasClaim = true
        loops.enterClaim()
        if claimID.isEmpty { reject(.missingClaimID, element: "CLM01") }
        claim.totalCharge = decimal(2, element: "CLM02")
        var location = X12ComponentCursor(fields, 5)
        claim.facilityCode = Self.copy(location.next(), into: claimStore, isPlain: fields.isPlain)
        claim.facilityCodeQualifier = Self.copy(location.next(), into: claimStore, isPlain: fields.isPlain)
        claim.frequencyCode = Self.copy(location.next(), into: claimStore, isPlain: fields.isPlain)
        guard var level = currentLevel else { return reject(.claimOutsideHierarchy) }
        claim.hasHierarchy = true
        chain.removeAll(keepingCapacity: true)
        while true {
            chain.append(level)
            switch levels[level].kind {
            case .billing:
                if claim.billingLevel == nil, levels[level].hasParty { claim.billingLevel = level }
            case .subscriber:
                if claim.subscriberLevel == nil, levels[level].hasSubscriber { claim.subscriberLevel = level }
                if claim.payerLevel == nil, levels[level].hasPayer { claim.payerLevel = level }
            case .patient:
                if !claim.hasPatient {
                    claim.hasPatient = true
                    if levels[level].hasPatient { claim.patientLevel = level }
                }
            case .other: break
            }
            guard let parent = levels[level].parent, parent != level, chain.count <= levels.count else { break }
            level = parent
        }
    }

    private static func incremented(_ count: inout Int) -> Int {
        count += 1
        return count
    }

    /// Renders the open line into ``linesJSON``.
    private mutating func closeLine() {
        guard hasLine else { return }
        hasLine = false
        let out = linesJSON
        if !out.isEmpty { out.append(UInt8(ascii: ",")) }
        out.appendLiteral("{")
        var first = true
        Self.member(out, &first, #""lineNumber":"#, line.lineNumber, claimStore, orEmpty: true)
        Self.member(out, &first, #""kind":"#, line.kind.rawValue)
        if line.hasProcedure {
            Self.comma(out, &first)
            out.appendLiteral(#""procedure":"#)
            Self.appendProcedure(line, claimStore, to: out)
        }
        Self.member(out, &first, #""revenueCode":"#, line.revenueCode, claimStore)
        Self.member(out, &first, #""charge":"#, line.charge, claimStore)
        Self.member(out, &first, #""unit":"#, line.unit, claimStore)
        Self.member(out, &first, #""quantity":"#, line.quantity, claimStore)
        Self.member(out, &first, #""placeOfService":"#, line.placeOfService, claimStore)
        if line.oralCavity.contains(where: { $0 != nil }) {
            Self.strings(out, &first, #""oralCavity":"#, line.oralCavity, claimStore)
        }
        if line.diagnosisPointers.contains(where: { $0 != nil }) {
            Self.strings(out, &first, #""diagnosisPointers":"#, line.diagnosisPointers, claimStore)
        }
        Self.comma(out, &first)
        out.appendLiteral(#""dates":["#)
        out.append(lineDatesJSON)
        out.appendLiteral("]")
        if line.hasDrug {
            Self.comma(out, &first)
            out.appendLiteral(#""drug":{"#)
            var drugFirst = true
            Self.member(out, &drugFirst, #""qualifier":"#, line.drugQualifier, claimStore, orEmpty: true)
            Self.member(out, &drugFirst, #""code":"#, line.drugCode, claimStore, orEmpty: true)
            Self.member(out, &drugFirst, #""quantity":"#, line.drugQuantity, claimStore)
            Self.member(out, &drugFirst, #""unit":"#, line.drugUnit, claimStore)
            out.appendLiteral("}")
        }
        if !teethJSON.isEmpty {
            Self.comma(out, &first)
            out.appendLiteral(#""tooth":["#)
            out.append(teethJSON)
            out.appendLiteral("]")
        }
        Self.member(out, &first, #""lineItemControlNumber":"#, line.lineItemControlNumber, claimStore)
        if !lineReferencesJSON.isEmpty {
            Self.comma(out, &first)
            out.appendLiteral(#""references":["#)
            out.append(lineReferencesJSON)
            out.appendLiteral("]")
        }
        if !lineProviders.isEmpty {
            Self.comma(out, &first)
            Self.appendProviders(lineProviders, claimStore, to: out)
        }
        out.appendLiteral("}")
    }

    private static func appendProcedure(_ line: OpenLine, _ claimStore: ClaimJSONBuffer, to out: ClaimJSONBuffer) {
        out.appendLiteral("{")
        var first = true
        Self.member(out, &first, #""qualifier":"#, line.procedureQualifier, claimStore)
        Self.member(out, &first, #""code":"#, line.procedureCode, claimStore, orEmpty: true)
        Self.strings(out, &first, #""modifiers":"#, line.modifiers, claimStore)
        Self.member(out, &first, #""description":"#, line.procedureDescription, claimStore)
        out.appendLiteral("}")
    }

    private static func appendProviders(_ providers: [Provider], _ claimStore: ClaimJSONBuffer, to out: ClaimJSONBuffer) {
        out.appendLiteral(#""providers":["#)
        for (index, provider) in providers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.appendLiteral(#"{"role":"#)
            out.appendJSONString(provider.role)
            var first = false
            Self.appendPartyMembers(provider.party, claimStore, to: out, first: &first)
            out.appendLiteral("}")
        }
        out.appendLiteral("]")
    }

    private static func appendPartyMembers(_ party: Party, _ source: ClaimJSONBuffer, to out: ClaimJSONBuffer, first: inout Bool) {
        Self.member(out, &first, #""entityType":"#, party.entityType, source)
        Self.member(out, &first, #""lastOrOrgName":"#, party.lastOrOrganizationName, source)
        Self.member(out, &first, #""firstName":"#, party.firstName, source)
        Self.member(out, &first, #""middleName":"#, party.middleName, source)
        Self.member(out, &first, #""suffix":"#, party.suffix, source)
        Self.member(out, &first, #""idQualifier":"#, party.idQualifier, source)
        Self.member(out, &first, #""id":"#, party.id, source)
        if party.hasTaxID {
            Self.comma(out, &first)
            out.appendLiteral(#""taxId":{"#)
            var taxFirst = true
            Self.member(out, &taxFirst, #""qualifier":"#, party.taxIDQualifier, source)
            Self.member(out, &taxFirst, #""id":"#, party.taxIDValue, source)
            out.appendLiteral("}")
        }
        Self.member(out, &first, #""taxonomy":"#, party.taxonomy, source)
        if let birthDate = party.birthDate {
            Self.comma(out, &first)
            out.appendLiteral(#""birthDate":"#)
            let value = source.bytes(from: birthDate.start, to: birthDate.end)
            if party.birthDateIsD8 && Self.isEightDigits(value) {
                out.appendISODate(value)
            } else {
                out.appendJSONString(value, isPlain: source.holdsPlainText)
            }
        }
        Self.member(out, &first, #""gender":"#, party.gender, source)
    }

    /// Renders the billing provider of the claim's 2000A level into ``renderedStore`` unless it already is there.
    private mutating func renderBillingProvider() {
        guard let level = claim.billingLevel, levels[level].billingJSON == nil else { return }
        let start = renderedStore.count
        renderedStore.appendLiteral(#","billingProvider":{"#)
        var party = levels[level].party
        if party.taxonomy == nil { party.taxonomy = levels[level].taxonomy }
        var first = true
        Self.appendPartyMembers(party, store, to: renderedStore, first: &first)
        renderedStore.appendLiteral("}")
        levels[level].billingJSON = Span(start: start, end: renderedStore.count)
    }

    /// Appends the parties of the claim's HL chain (billing provider through `hlPath`); the billing provider must
    /// be rendered (``renderBillingProvider()``).
    private mutating func appendParties(to out: ClaimJSONBuffer) {
        if let level = claim.billingLevel, let rendered = levels[level].billingJSON {
            out.append(renderedStore.bytes(from: rendered.start, to: rendered.end))
        }
        if let level = claim.subscriberLevel {
            out.appendLiteral(#","subscriber":{"#)
            var first = true
            Self.member(out, &first, #""payerResponsibility":"#, levels[level].payerResponsibility, store)
            Self.member(out, &first, #""relationshipCode":"#, levels[level].relationship, store)
            Self.member(out, &first, #""groupNumber":"#, levels[level].groupNumber, store)
            Self.member(out, &first, #""groupName":"#, levels[level].groupName, store)
            Self.member(out, &first, #""claimFilingIndicator":"#, levels[level].claimFilingIndicator, store)
            Self.appendPartyMembers(levels[level].subscriberParty, store, to: out, first: &first)
            out.appendLiteral("}")
        }
        if let level = claim.payerLevel {
            out.appendLiteral(#","payer":{"#)
            var first = true
            Self.appendPartyMembers(levels[level].payer, store, to: out, first: &first)
            out.appendLiteral("}")
        }
        out.appendLiteral(#","patient":"#)
        if claim.hasPatient {
            out.appendLiteral("{")
            var first = true
            if let level = claim.patientLevel {
                Self.member(out, &first, #""relationshipCode":"#, levels[level].patientRelationship, store)
                Self.appendPartyMembers(levels[level].patientParty, store, to: out, first: &first)
            }
            out.appendLiteral("}")
            out.appendLiteral(#","patientIsSubscriber":false"#)
        } else {
            out.appendLiteral(#"null,"patientIsSubscriber":true"#)
        }
        out.appendLiteral(#","hlPath":["#)
        if claim.hasHierarchy {
            for (index, level) in chain.reversed().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                let label = levels[level].label
                out.appendJSONString(store.bytes(from: label.start, to: label.end), isPlain: store.holdsPlainText)
            }
        }
        out.appendLiteral("]")
    }

    /// Renders `sourceJSON` and `timeJSON` of `claimReference`.
    private mutating func renderEnvelope() {
        let buffer = ClaimJSONBuffer(capacity: 256)
        buffer.appendLiteral(#","source":"#)
        buffer.appendJSONString(claimReference.eventSource ?? X12ClaimEvent.source(for: claimReference))
        sourceJSON = Array(buffer.bytes)
        buffer.removeAll()
        if let time = claimReference.time {
            buffer.appendLiteral(#","time":"#)
            buffer.appendJSONString(time)
        }
        timeJSON = Array(buffer.bytes)
    }

    private mutating func renderTransaction() {
        var writer = JSONWriter(capacity: 256)
        reference.writeJSON(to: &writer)
        transactionJSON = writer.takeBytes()
        transactionJSONIsCurrent = true
    }

    /// Assembles and writes the claim's event (unless rejected).
    private mutating func closeClaim(_ writer: inout JSONWriter, _ written: (inout JSONWriter) -> Void) {
        closeLine()
        guard hasClaim else { return }
        hasClaim = false
        defer { claimRejected = false }
        guard !claimRejected else { return }
        renderBillingProvider()
        // The event is assembled in `eventJSON` and copied into the output buffer once.
        let event = eventJSON
        event.removeAll()
        appendEvent(to: event)
        writer.writeRawJSON(event.bytes)
        written(&writer)
    }

    /// Appends the open claim's event (parties rendered). `mutating` though it changes nothing: called from the
    /// output writer's closure, a non-mutating call copied the whole writer (every buffer retained and released).
    private mutating func appendEvent(to out: ClaimJSONBuffer) {
        // Envelope (``X12ClaimEvent``'s attribute order).
        out.appendLiteral(#"{"specversion":"1.0","id":"#)
        let uuid = EventIdentity.uuid(
            kind: "x12.claim", claimReference.interchangeControlNumber, claimReference.groupControlNumber,
            claimReference.controlNumber, claim.claimID, occurrence: claim.occurrence)
        out.appendUUIDString(uuid)
        sourceJSON.withUnsafeBytes { out.append($0) }
        out.appendLiteral(#","type":"#)
        switch claim.kind {
        case .professional: out.appendLiteral(#""claim.professional.v1""#)
        case .institutional: out.appendLiteral(#""claim.institutional.v1""#)
        case .dental: out.appendLiteral(#""claim.dental.v1""#)
        }
        let claimIDJSON = claimStore.bytes(from: claim.claimIDJSON.start, to: claim.claimIDJSON.end)
        if !claim.claimID.isEmpty {
            out.appendLiteral(#","subject":"#)
            out.append(claimIDJSON)
        }
        timeJSON.withUnsafeBytes { out.append($0) }
        out.appendLiteral(#","datacontenttype":"application/json""#)
        if let level = claim.subscriberLevel, let id = levels[level].subscriberParty.id, id.end > id.start {
            out.appendLiteral(#","partitionkey":"#)
            out.appendJSONString(store.bytes(from: id.start, to: id.end), isPlain: store.holdsPlainText)
        }
        // Data.
        switch claim.kind {
        case .professional: out.appendLiteral(#","data":{"kind":"professional""#)
        case .institutional: out.appendLiteral(#","data":{"kind":"institutional""#)
        case .dental: out.appendLiteral(#","data":{"kind":"dental""#)
        }
        out.appendLiteral(#","transaction":"#)
        transactionJSON.withUnsafeBytes { out.append($0) }
        out.appendLiteral(#","claimId":"#)
        out.append(claimIDJSON)
        out.appendLiteral(#","ordinal":"#)
        out.appendDecimalInteger(claim.ordinal)
        if let totalCharge = claim.totalCharge {
            out.appendLiteral(#","totalCharge":"#)
            Self.appendAmount(totalCharge, claimStore, to: out)
        }
        out.appendLiteral(#","serviceLocation":{"#)
        var first = true
        Self.member(out, &first, #""code":"#, claim.facilityCode, claimStore)
        Self.member(out, &first, #""qualifier":"#, claim.facilityCodeQualifier, claimStore)
        Self.member(out, &first, #""frequencyCode":"#, claim.frequencyCode, claimStore)
        if claim.kind == .institutional, let code = claim.facilityCode, let frequency = claim.frequencyCode {
            Self.comma(out, &first)
            out.appendLiteral(#""billType":"#)
            let text = X12SegmentFields.string(claimStore.bytes(from: code.start, to: code.end))
                + X12SegmentFields.string(claimStore.bytes(from: frequency.start, to: frequency.end))
            out.appendJSONString(text)
        }
        out.appendLiteral("}")
        appendParties(to: out)
        out.appendLiteral(#","diagnoses":["#)
        out.append(diagnosesJSON)
        out.appendLiteral(#"],"otherHealthCareCodes":["#)
        out.append(codesJSON)
        out.appendLiteral(#"],"dates":["#)
        out.append(datesJSON)
        out.appendLiteral("]")
        if !referencesJSON.isEmpty {
            out.appendLiteral(#","references":["#)
            out.append(referencesJSON)
            out.appendLiteral("]")
        }
        first = false
        Self.member(out, &first, #""clearinghouseTraceNumber":"#, claim.clearinghouseTraceNumber, claimStore)
        if claim.hasInstitutional {
            out.appendLiteral(#","institutional":{"#)
            var codesFirst = true
            Self.member(out, &codesFirst, #""admissionType":"#, claim.admissionType, claimStore, orEmpty: true)
            Self.member(out, &codesFirst, #""admissionSource":"#, claim.admissionSource, claimStore, orEmpty: true)
            Self.member(out, &codesFirst, #""patientStatus":"#, claim.patientStatus, claimStore, orEmpty: true)
            out.appendLiteral("}")
        }
        out.append(UInt8(ascii: ","))
        Self.appendProviders(providers, claimStore, to: out)
        out.appendLiteral(#","otherSubscriberCount":"#)
        out.appendDecimalInteger(claim.otherSubscriberCount)
        out.appendLiteral(#","serviceLines":["#)
        out.append(linesJSON)
        out.appendLiteral("]}}")
    }

    // MARK: Members

    private static func comma(_ out: ClaimJSONBuffer, _ first: inout Bool) {
        if first { first = false } else { out.append(UInt8(ascii: ",")) }
    }

    /// `"key":"value"` when `span` is present (`orEmpty`: `""` when absent, as the model's `?? ""`).
    private static func member(
        _ out: ClaimJSONBuffer, _ first: inout Bool, _ key: StaticString, _ span: Span?, _ source: ClaimJSONBuffer,
        orEmpty: Bool = false
    ) {
        guard span != nil || orEmpty else { return }
        let comma = !first
        first = false
        guard let span else {
            if comma { out.append(UInt8(ascii: ",")) }
            out.appendLiteral(key)
            return out.appendLiteral(#""""#)
        }
        out.appendMember(
            comma: comma, key: key, value: source.bytes(from: span.start, to: span.end), isPlain: source.holdsPlainText)
    }

    private static func member(_ out: ClaimJSONBuffer, _ first: inout Bool, _ key: StaticString, _ text: String) {
        Self.comma(out, &first)
        out.appendLiteral(key)
        out.appendJSONString(text)
    }

    private static func member(
        _ out: ClaimJSONBuffer, _ first: inout Bool, _ key: StaticString, _ value: Amount?, _ claimStore: ClaimJSONBuffer
    ) {
        guard let value else { return }
        Self.comma(out, &first)
        out.appendLiteral(key)
        Self.appendAmount(value, claimStore, to: out)
    }

    /// `"key":["a","b"]` of the present spans.
    private static func strings(
        _ out: ClaimJSONBuffer, _ first: inout Bool, _ key: StaticString, _ spans: [Span?], _ source: ClaimJSONBuffer
    ) {
        Self.comma(out, &first)
        out.appendLiteral(key)
        out.append(UInt8(ascii: "["))
        var firstValue = true
        for span in spans {
            guard let span else { continue }
            if !firstValue { out.append(UInt8(ascii: ",")) }
            firstValue = false
            out.appendJSONString(source.bytes(from: span.start, to: span.end), isPlain: source.holdsPlainText)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Segment ids as ``X12SegmentFields/id`` packs them.
    private enum Code {
        static let ISA = X12SegmentFields.code("ISA")
        static let GS = X12SegmentFields.code("GS")
        static let ST = X12SegmentFields.code("ST")
        static let SE = X12SegmentFields.code("SE")
        static let BHT = X12SegmentFields.code("BHT")
        static let HL = X12SegmentFields.code("HL")
        static let CLM = X12SegmentFields.code("CLM")
        static let NM1 = X12SegmentFields.code("NM1")
        static let PRV = X12SegmentFields.code("PRV")
        static let REF = X12SegmentFields.code("REF")
        static let SBR = X12SegmentFields.code("SBR")
        static let PAT = X12SegmentFields.code("PAT")
        static let DMG = X12SegmentFields.code("DMG")
        static let DTP = X12SegmentFields.code("DTP")
        static let HI = X12SegmentFields.code("HI")
        static let CL1 = X12SegmentFields.code("CL1")
        static let LX = X12SegmentFields.code("LX")
        static let SV1 = X12SegmentFields.code("SV1")
        static let SV2 = X12SegmentFields.code("SV2")
        static let SV3 = X12SegmentFields.code("SV3")
        static let TOO = X12SegmentFields.code("TOO")
        static let LIN = X12SegmentFields.code("LIN")
        static let CTP = X12SegmentFields.code("CTP")
        static let SVD = X12SegmentFields.code("SVD")
    }
}
