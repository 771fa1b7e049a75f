import Events

/// Turns the segments of 837 and 835 transaction sets into claims and claim payments in one streaming pass.
///
/// Feed every segment of the input in order (ISA … IEA, any number of interchanges, groups and sets); a claim is
/// handed to `emit` when it ends (next CLM, HL or SE), a payment at the next CLP, LX, PLB or SE. Other transaction
/// sets are ignored. Memory is bounded by one transaction set's HL levels plus one claim.
///
/// Loop identity is tracked by position, the way the implementation guides define it (edi-anchors §5, hard cases
/// 12–14), without building a tree:
/// - HL levels nest by HL02, in any order; a claim inherits billing provider (2000A/2010AA), subscriber and payer
///   (2000B/2010BA/2010BB) and patient (2000C/2010CA) by walking its HL chain. Without a 2000C the patient is the
///   subscriber. An empty or unknown HL02 falls back to the latest level of the parent kind (the structural finding
///   itself is `ferry edi tree`'s and the validator's to report).
/// - The same `NM1*82` is the claim's rendering provider (2310), a COB party (2330, ignored) after a second SBR, or
///   a line's (2420) after an LX.
/// - A second `SBR` once a claim is open is a 2320 other subscriber (counted), not a new subscriber.
///
/// 004010 (X096/X097/X098) sets use the same loops and qualifiers and need no guide; the claim's kind comes from its
/// service lines (SV1/SV2/SV3), else from ST03/GS08. Not `Sendable`: it holds a view of the current segment.
public struct X12ClaimExtractor {
    /// What the extractor hands out.
    public enum Record: Sendable, Hashable {
        case claim(HealthCareClaim)
        case payment(ClaimPayment)
    }

    /// Findings so far (see ``takeIssues()``). A claim or payment with a finding is not emitted.
    public private(set) var issues: [X12ClaimIssue] = []

    private var fields = X12SegmentFields()
    private var reference = X12TransactionReference()
    private var groupDate = ""
    private var groupTime = ""
    private var setKind: SetKind = .other
    /// The loops.loop identity (shared with ``X12ClaimEventWriter``).
    private var loops = X12ClaimLoopTracker()
    private var levels: [Level] = []
    private var levelIndex: [String: Int] = [:]
    private var currentLevel: Int?
    // The open claim, line and payment are stored unwrapped with a flag (not as optionals): mutations then stay in
    // place instead of copying the large structs out and back.
    private var claim = HealthCareClaim(kind: .professional, transaction: X12TransactionReference(), claimID: "", position: 0)
    private var hasClaim = false
    /// The open service line (2400), appended to ``claim`` when the next LX, CLM, HL or SE closes it.
    private var line = ClaimServiceLine(lineNumber: "", kind: .professional)
    private var hasLine = false
    /// The claim kind ST03/GS08 names (computed once per set).
    private var setClaimKind: HealthCareClaimKind = .professional
    private var claimRejected = false
    private var claimCount = 0
    private var claimIDCounts: [String: Int] = [:]
    private var payment = ClaimPayment(transaction: X12TransactionReference(), claimID: "", position: 0)
    private var hasPayment = false
    private var paymentHeader = ClaimPayment(transaction: X12TransactionReference(), claimID: "", position: 0)
    private var paymentRejected = false

    /// An extractor.
    public init() {}

    /// Returns the findings so far and forgets them.
    public mutating func takeIssues() -> [X12ClaimIssue] {
        defer { issues.removeAll(keepingCapacity: true) }
        return issues
    }

    /// Takes the next segment of the input; calls `emit` with each claim or payment it completes.
    public mutating func consume(_ segment: X12SegmentView, emit: (Record) -> Void) {
        fields.load(segment)
        let id = fields.id
        switch id {
        case Code.ISA:
            reference.interchangeControlNumber = fields.text(13) ?? ""
            reference.interchangeSender = (fields.text(6) ?? "").trimmingSpaces()
        case Code.GS:
            reference.applicationSender = fields.text(2) ?? ""
            reference.groupControlNumber = fields.text(6) ?? ""
            reference.implementation = fields.text(8) ?? ""
            groupDate = fields.text(4) ?? ""
            groupTime = fields.text(5) ?? ""
        case Code.ST:
            abandonOpenSet()
            startSet()
        case Code.SE:
            closeClaim(emit)
            closePayment(emit)
            setKind = .other
        default:
            switch setKind {
            case .claims: consumeClaimSegment(id, emit)
            case .payments: consumePaymentSegment(id, emit)
            case .other: break
            }
        }
    }

    /// Says the input ended: a set without SE loses its open claim (reported).
    public mutating func finish() {
        abandonOpenSet()
        setKind = .other
    }

    // MARK: - Transaction sets

    private enum SetKind: Sendable { case claims, payments, other }

    private mutating func startSet() {
        let type = fields.text(1) ?? ""
        reference.type = type
        reference.controlNumber = fields.text(2) ?? ""
        if let convention = fields.text(3) { reference.implementation = convention }
        reference.bhtReference = ""
        reference.time = Self.timestamp(date: groupDate, time: groupTime)
        reference.eventSource = X12ClaimEvent.source(for: reference)
        setKind = type == "837" ? .claims : type == "835" ? .payments : .other
        setClaimKind = HealthCareClaimKind(convention: reference.implementation) ?? .professional
        loops.startSet()
        levels.removeAll(keepingCapacity: true)
        levelIndex.removeAll(keepingCapacity: true)
        currentLevel = nil
        hasClaim = false
        hasLine = false
        claimRejected = false
        claimCount = 0
        claimIDCounts.removeAll(keepingCapacity: true)
        hasPayment = false
        paymentRejected = false
        paymentHeader = ClaimPayment(transaction: reference, claimID: "", position: 0)
    }

    private mutating func abandonOpenSet() {
        guard setKind != .other else { return }
        if hasClaim {
            issues.append(.init(
                kind: .transactionSetUnterminated, position: claim.position, loopID: "ST", segmentID: "CLM"))
        } else if hasPayment {
            issues.append(.init(
                kind: .transactionSetUnterminated, position: payment.position, loopID: "ST", segmentID: "CLP"))
        }
        hasClaim = false
        hasLine = false
        hasPayment = false
    }

    /// `CCYYMMDD` + `HHMM[SS[D…]]` → `CCYY-MM-DDTHH:MM:SSZ` (X12 times carry no zone; written as UTC).
    static func timestamp(date: String, time: String) -> String? {
        let d = Array(date.utf8)
        let t = Array(time.utf8)
        func digits(_ bytes: [UInt8]) -> Bool { bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard d.count == 8, digits(d), t.count >= 4, digits(t) else { return nil }
        let month = Int(d[4] - 0x30) * 10 + Int(d[5] - 0x30)
        let day = Int(d[6] - 0x30) * 10 + Int(d[7] - 0x30)
        let hour = Int(t[0] - 0x30) * 10 + Int(t[1] - 0x30)
        let minute = Int(t[2] - 0x30) * 10 + Int(t[3] - 0x30)
        let second = t.count >= 6 ? Int(t[4] - 0x30) * 10 + Int(t[5] - 0x30) : 0
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        var out = [UInt8]()
        out += d[0..<4]
        out.append(0x2D)
        out += d[4..<6]
        out.append(0x2D)
        out += d[6..<8]
        out.append(UInt8(ascii: "T"))
        out += t[0..<2]
        out.append(0x3A)
        out += t[2..<4]
        out.append(0x3A)
        if t.count >= 6 { out += t[4..<6] } else { out += [0x30, 0x30] }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - 837

    private typealias Loop = X12ClaimLoopTracker.Loop

    /// One HL level and what its loops said (only the level's own data; claims resolve the chain).
    private struct Level: Sendable {
        var id: String
        /// `HL01:HL03`, as the claim's hierarchy lists it.
        var label: String
        var code: String
        var parent: Int?
        var party: ClaimParty?
        var taxonomy: String?
        var subscriber: ClaimSubscriber?
        var payer: ClaimParty?
        var patient: ClaimPatient?
    }

    private mutating func consumeClaimSegment(_ id: UInt32, _ emit: (Record) -> Void) {
        switch id {
        case Code.BHT:
            reference.bhtReference = fields.text(3) ?? ""
            if let time = Self.timestamp(date: fields.text(4) ?? "", time: fields.text(5) ?? "") {
                reference.time = time
            }
        case Code.HL:
            closeClaim(emit)
            openLevel()
        case Code.CLM:
            closeClaim(emit)
            openClaim()
        case Code.NM1:
            nameSegment()
        case Code.PRV:
            guard let taxonomy = fields.text(3) else { return }
            switch loops.loop {
            case .billingLevel, .billingName:
                if let level = currentLevel { levels[level].taxonomy = taxonomy }
            case let .claimProvider(index): claim.providers[index].party.taxonomy = taxonomy
            case let .lineProvider(index):
                line.providers[index].party.taxonomy = taxonomy
            default: break
            }
        case Code.REF:
            referenceSegment()
        case Code.SBR:
            if loops.subscriberSegment() {
                claim.otherSubscriberCount += 1
            } else if let level = currentLevel, loops.loop == .subscriberLevel {
                var subscriber = levels[level].subscriber ?? ClaimSubscriber()
                subscriber.payerResponsibility = fields.text(1)
                subscriber.relationship = fields.text(2)
                subscriber.groupNumber = fields.text(3)
                subscriber.groupName = fields.text(4)
                subscriber.claimFilingIndicator = fields.text(9)
                levels[level].subscriber = subscriber
            }
        case Code.PAT:
            if loops.loop == .patientLevel, let level = currentLevel {
                var patient = levels[level].patient ?? ClaimPatient()
                patient.relationship = fields.text(1)
                levels[level].patient = patient
            }
        case Code.DMG:
            guard let level = currentLevel else { return }
            let birth = fields.text(2).map { fields.has(1, "D8") ? (ClaimDate.isoDate($0) ?? $0) : $0 }
            let gender = fields.text(3)
            if loops.loop == .subscriberName {
                levels[level].subscriber?.party.birthDate = birth
                levels[level].subscriber?.party.gender = gender
            } else if loops.loop == .patientName {
                levels[level].patient?.party.birthDate = birth
                levels[level].patient?.party.gender = gender
            }
        case Code.DTP:
            guard let date = dateSegment() else { return }
            switch loops.loop {
            case .claim, .claimProvider, .claimOther: claim.dates.append(date)
            case .line, .lineDrug:
                line.dates.append(date)
            default: break
            }
        case Code.HI:
            guard hasClaim, !loops.loop.isInLine, loops.loop != .otherSubscriber, loops.loop != .otherSubscriberParty else { return }
            healthCareCodes()
        case Code.CL1:
            guard hasClaim, loops.loop == .claim else { return }
            claim.institutional = ClaimInstitutionalCodes(
                admissionType: fields.text(1), admissionSource: fields.text(2), patientStatus: fields.text(3))
        case Code.LX:
            guard hasClaim else { return }
            closeLine()
            line = ClaimServiceLine(lineNumber: fields.text(1) ?? "", kind: claim.kind)
            hasLine = true
            loops.enterLine()
        case Code.SV1, Code.SV2, Code.SV3:
            serviceSegment(id)
        case Code.TOO:
            guard hasClaim else { return }
            guard loops.loop.isInLine, hasLine else {
                return reject(.serviceWithoutLine)
            }
            var surfaces: [String] = []
            if let raw = fields.raw(3), !raw.isEmpty { surfaces = fields.texts(3, from: 1, through: 5) }
            line.teeth.append(ClaimTooth(
                qualifier: fields.text(1) ?? "", number: fields.text(2) ?? "", surfaces: surfaces))
        case Code.LIN:
            guard loops.loop.isInLine, hasLine else { return }
            line.drug = ClaimDrug(qualifier: fields.text(2) ?? "", code: fields.text(3) ?? "")
            loops.enterDrug()
        case Code.CTP:
            guard loops.loop == .lineDrug, hasLine else { return }
            let quantity = decimal(4, element: "CTP04")
            line.drug?.quantity = quantity
            line.drug?.unit = fields.text(5, 1)
        case Code.SVD:
            loops.serviceAdjudication()
        default:
            break
        }
    }

    /// Moves the open line into the claim.
    private mutating func closeLine() {
        guard hasLine else { return }
        hasLine = false
        claim.serviceLines.append(line)
    }

    private mutating func reject(_ kind: X12ClaimIssue.Kind, element: String? = nil) {
        let segmentID = fields.idText
        issues.append(.init(
            kind: kind, position: fields.position, loopID: loops.loop.id, segmentID: segmentID, element: element))
        if setKind == .payments { paymentRejected = true } else { claimRejected = true }
    }

    /// `element` names the element for the issue; an autoclosure so the label is only built on failure.
    private mutating func decimal(
        _ index: Int, _ component: Int? = nil, element: @autoclosure () -> String
    ) -> ExactDecimal? {
        do {
            return try fields.decimal(index, component)
        } catch {
            reject(.invalidDecimal, element: element())
            return nil
        }
    }

    private mutating func openLevel() {
        let id = fields.text(1) ?? ""
        let parentID = fields.text(2) ?? ""
        let code = fields.text(3) ?? ""
        var parent = parentID.isEmpty ? nil : levelIndex[parentID]
        if parent == nil {
            // No usable HL02: the latest level of the kind this one hangs under.
            let parentCode = code == "22" ? "20" : code == "23" ? "22" : nil
            if let parentCode { parent = levels.lastIndex { $0.code == parentCode } }
        }
        levels.append(Level(id: id, label: id + ":" + code, code: code, parent: parent))
        let index = levels.count - 1
        levelIndex[id] = index
        currentLevel = index
        loops.enterLevel(X12ClaimLoopTracker.LevelKind(fields))
    }

    private mutating func nameSegment() {
        func party() -> ClaimParty {
            var party = ClaimParty()
            party.entityType = fields.text(2)
            party.lastOrOrganizationName = fields.text(3)
            party.firstName = fields.text(4)
            party.middleName = fields.text(5)
            party.suffix = fields.text(7)
            party.idQualifier = fields.text(8)
            party.id = fields.text(9)
            return party
        }
        let name = loops.name(
            fields, hasLevel: currentLevel != nil, hasClaim: hasClaim, hasLine: hasLine,
            claimProviders: claim.providers.count, lineProviders: line.providers.count)
        switch name {
        case .ignored, .other:
            return
        case .billingProvider:
            guard let level = currentLevel else { return }
            levels[level].party = party()
        case .subscriber:
            guard let level = currentLevel else { return }
            var subscriber = levels[level].subscriber ?? ClaimSubscriber()
            subscriber.party = party()
            levels[level].subscriber = subscriber
        case .payer:
            guard let level = currentLevel else { return }
            levels[level].payer = party()
        case .patient:
            guard let level = currentLevel else { return }
            var patient = levels[level].patient ?? ClaimPatient()
            patient.party = party()
            levels[level].patient = patient
        case let .claimProvider(role):
            claim.providers.append(ClaimProvider(role: role, party: party()))
        case let .lineProvider(role):
            line.providers.append(ClaimProvider(role: role, party: party()))
        }
    }

    private mutating func referenceSegment() {
        guard let qualifier = fields.text(1) else { return }
        let value = fields.text(2) ?? ""
        switch loops.loop {
        case .billingName:
            if (qualifier == "EI" || qualifier == "SY"), let level = currentLevel, levels[level].party?.taxID == nil {
                levels[level].party?.taxID = ClaimReference(qualifier: qualifier, value: value)
            }
        case .claim:
            if qualifier == "D9" {
                claim.clearinghouseTraceNumber = value
            } else {
                claim.references.append(ClaimReference(qualifier: qualifier, value: value))
            }
        case .line, .lineDrug:
            guard hasLine else { return }
            if qualifier == "6R" {
                line.lineItemControlNumber = value
            } else {
                line.references.append(ClaimReference(qualifier: qualifier, value: value))
            }
        default:
            break
        }
    }

    private func dateSegment() -> ClaimDate? {
        guard let qualifier = fields.text(1) else { return nil }
        return ClaimDate(qualifier: qualifier, format: fields.text(2) ?? "", value: fields.text(3) ?? "")
    }

    private mutating func healthCareCodes() {
        guard fields.count >= 1 else { return }
        for index in 1...fields.count {
            guard let qualifier = fields.text(index, 1) else { continue }
            let code = fields.text(index, 2) ?? ""
            if let role = ClaimDiagnosis.role(ofQualifier: qualifier) {
                claim.diagnoses.append(ClaimDiagnosis(
                    qualifier: qualifier, role: role, code: code, presentOnAdmission: fields.text(index, 9)))
            } else {
                let amount = decimal(index, 5, element: "HI\(index < 10 ? "0" : "")\(index)-5")
                claim.otherHealthCareCodes.append(ClaimHealthCareCode(
                    qualifier: qualifier, code: code, dateFormat: fields.text(index, 3), date: fields.text(index, 4),
                    amount: amount))
            }
        }
    }

    private func procedure(_ index: Int) -> ClaimProcedure? {
        guard let qualifier = fields.text(index, 1) else { return nil }
        return ClaimProcedure(
            qualifier: qualifier, code: fields.text(index, 2) ?? "", modifiers: fields.texts(index, from: 3, through: 6),
            description: fields.text(index, 7))
    }

    private mutating func serviceSegment(_ id: UInt32) {
        guard hasClaim else { return }
        guard loops.loop.isInLine, hasLine else {
            return reject(.serviceWithoutLine)
        }
        switch id {
        case Code.SV1:
            line.kind = .professional
            line.procedure = procedure(1)
            line.charge = decimal(2, element: "SV102")
            line.unit = fields.text(3)
            line.quantity = decimal(4, element: "SV104")
            line.placeOfService = fields.text(5)
            line.diagnosisPointers = fields.texts(7, from: 1, through: 4)
        case Code.SV2:
            line.kind = .institutional
            line.revenueCode = fields.text(1)
            line.procedure = procedure(2)
            line.charge = decimal(3, element: "SV203")
            line.unit = fields.text(4)
            line.quantity = decimal(5, element: "SV205")
        default:  // SV3
            line.kind = .dental
            line.procedure = procedure(1)
            line.charge = decimal(2, element: "SV302")
            line.placeOfService = fields.text(3)
            line.oralCavity = fields.texts(4, from: 1, through: 5)
            line.quantity = decimal(6, element: "SV306")
            line.diagnosisPointers = fields.texts(11, from: 1, through: 4)
        }
        claim.kind = line.kind
    }

    private mutating func openClaim() {
        claimCount += 1
        let claimID = fields.text(1) ?? ""
        var new = HealthCareClaim(kind: setClaimKind, transaction: reference, claimID: claimID, position: fields.position)
        new.ordinal = claimCount
        let occurrence = claimIDCounts[claimID, default: 0] + 1
        claimIDCounts[claimID] = occurrence
        new.claimIDOccurrence = occurrence
        claimRejected = false
        claim = new
        hasClaim = true
        loops.enterClaim()
        if claimID.isEmpty { reject(.missingClaimID, element: "CLM01") }
        let totalCharge = decimal(2, element: "CLM02")
        claim.totalCharge = totalCharge
        claim.facilityCode = fields.text(5, 1)
        claim.facilityCodeQualifier = fields.text(5, 2)
        claim.frequencyCode = fields.text(5, 3)
        guard var level = currentLevel else { return reject(.claimOutsideHierarchy) }
        // Inherit through the HL chain (HL02 pointers), nearest level first.
        var chain: [String] = []
        while true {
            chain.append(levels[level].label)
            switch levels[level].code {
            case "20":
                if claim.billingProvider == nil, var party = levels[level].party {
                    party.taxonomy = party.taxonomy ?? levels[level].taxonomy
                    claim.billingProvider = party
                }
            case "22":
                if claim.subscriber == nil { claim.subscriber = levels[level].subscriber }
                if claim.payer == nil { claim.payer = levels[level].payer }
            case "23":
                if claim.patient == nil { claim.patient = levels[level].patient ?? ClaimPatient() }
            default: break
            }
            guard let parent = levels[level].parent, parent != level, chain.count <= levels.count else { break }
            level = parent
        }
        claim.hierarchy = chain.reversed()
    }

    private mutating func closeClaim(_ emit: (Record) -> Void) {
        closeLine()
        guard hasClaim else { return }
        hasClaim = false
        // Move the claim out (no copy of its values); the slot keeps an empty claim until the next CLM.
        var finished = HealthCareClaim(kind: setClaimKind, transaction: reference, claimID: "", position: 0)
        swap(&finished, &claim)
        if !claimRejected { emit(.claim(finished)) }
        claimRejected = false
    }

    // MARK: - 835

    private mutating func consumePaymentSegment(_ id: UInt32, _ emit: (Record) -> Void) {
        switch id {
        case Code.BPR:
            paymentHeader.handling = fields.text(1)
            let totalPayment = decimal(2, element: "BPR02")
            paymentHeader.totalPayment = totalPayment
            paymentHeader.creditOrDebit = fields.text(3)
            paymentHeader.paymentMethod = fields.text(4)
            paymentHeader.paymentDate = fields.text(16)
        case Code.TRN:
            paymentHeader.traceNumber = fields.text(2)
            paymentHeader.traceOriginator = fields.text(3)
        case Code.N1:
            closePayment(emit)
            var party = ClaimParty()
            party.lastOrOrganizationName = fields.text(2)
            party.idQualifier = fields.text(3)
            party.id = fields.text(4)
            if fields.has(1, "PR") {
                paymentHeader.payer = party
                loops.enterPaymentLoop(.payer)
            } else if fields.has(1, "PE") {
                paymentHeader.payee = party
                loops.enterPaymentLoop(.payee)
            } else {
                loops.enterPaymentLoop(.header)
            }
        case Code.LX, Code.PLB:
            closePayment(emit)
            loops.enterPaymentLoop(.header)
        case Code.CLP:
            closePayment(emit)
            openPayment()
        case Code.NM1:
            guard loops.loop == .payment, hasPayment else { return }
            var party = ClaimParty()
            party.entityType = fields.text(2)
            party.lastOrOrganizationName = fields.text(3)
            party.firstName = fields.text(4)
            party.middleName = fields.text(5)
            party.suffix = fields.text(7)
            party.idQualifier = fields.text(8)
            party.id = fields.text(9)
            switch fields.text(1) {
            case "QC": payment.patient = party
            case "IL": payment.insured = party
            case "82": payment.renderingProvider = party
            default: break
            }
        case Code.CAS:
            guard hasPayment else { return }
            let adjustments = adjustmentTriples()
            if loops.loop == .servicePayment, let last = lastServicePaymentIndex {
                payment.serviceLines[last].adjustments += adjustments
            } else if loops.loop == .payment {
                payment.adjustments += adjustments
            }
        case Code.DTM:
            guard let date = dateTimeReference() else { return }
            if loops.loop == .servicePayment, let last = lastServicePaymentIndex {
                payment.serviceLines[last].dates.append(date)
            } else if loops.loop == .payment {
                payment.dates.append(date)
            }
        case Code.REF:
            guard let qualifier = fields.text(1) else { return }
            let value = fields.text(2) ?? ""
            switch loops.loop {
            case .payer where qualifier == "2U":
                paymentHeader.payer.idQualifier = "2U"
                paymentHeader.payer.id = value
            case .payee where qualifier == "TJ":
                paymentHeader.payee.taxID = ClaimReference(qualifier: qualifier, value: value)
            case .payment:
                payment.references.append(ClaimReference(qualifier: qualifier, value: value))
            case .servicePayment:
                guard let last = lastServicePaymentIndex else { return }
                if qualifier == "6R" { payment.serviceLines[last].lineItemControlNumber = value }
            default: break
            }
        case Code.AMT:
            if loops.loop == .servicePayment, fields.has(1, "B6"), let last = lastServicePaymentIndex {
                let allowed = decimal(2, element: "AMT02")
                payment.serviceLines[last].allowed = allowed
            }
        case Code.LQ:
            if loops.loop == .servicePayment, let last = lastServicePaymentIndex {
                payment.serviceLines[last].remarks.append(
                    ClaimRemark(qualifier: fields.text(1) ?? "", code: fields.text(2) ?? ""))
            }
        case Code.SVC:
            guard hasPayment else { return }
            var line = ServicePayment()
            line.procedure = procedure(1)
            line.charge = decimal(2, element: "SVC02")
            line.paid = decimal(3, element: "SVC03")
            line.revenueCode = fields.text(4)
            line.units = decimal(5, element: "SVC05")
            line.submittedProcedure = procedure(6)
            line.submittedUnits = decimal(7, element: "SVC07")
            payment.serviceLines.append(line)
            loops.enterPaymentLoop(.servicePayment)
        default:
            break
        }
    }

    private var lastServicePaymentIndex: Int? {
        let count = payment.serviceLines.count
        return hasPayment && count > 0 ? count - 1 : nil
    }

    private mutating func adjustmentTriples() -> [ClaimAdjustment] {
        let group = fields.text(1) ?? ""
        var out: [ClaimAdjustment] = []
        var index = 2
        while index <= fields.count {
            if let reason = fields.text(index) {
                out.append(ClaimAdjustment(
                    group: group, reason: reason, amount: decimal(index + 1, element: "CAS\(Self.two(index + 1))"),
                    quantity: decimal(index + 2, element: "CAS\(Self.two(index + 2))")))
            }
            index += 3
        }
        return out
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private func dateTimeReference() -> ClaimDate? {
        guard let qualifier = fields.text(1) else { return nil }
        return ClaimDate(qualifier: qualifier, format: "D8", value: fields.text(2) ?? "")
    }

    private mutating func openPayment() {
        claimCount += 1
        let claimID = fields.text(1) ?? ""
        var new = paymentHeader
        new.transaction = reference
        new.claimID = claimID
        new.position = fields.position
        new.ordinal = claimCount
        let occurrence = claimIDCounts[claimID, default: 0] + 1
        claimIDCounts[claimID] = occurrence
        new.claimIDOccurrence = occurrence
        paymentRejected = false
        payment = new
        hasPayment = true
        loops.enterPaymentLoop(.payment)
        if claimID.isEmpty { reject(.missingClaimID, element: "CLP01") }
        payment.status = fields.text(2)
        let charge = decimal(3, element: "CLP03")
        payment.charge = charge
        let paid = decimal(4, element: "CLP04")
        payment.paid = paid
        let responsibility = decimal(5, element: "CLP05")
        payment.patientResponsibility = responsibility
        payment.claimFilingIndicator = fields.text(6)
        payment.payerClaimControlNumber = fields.text(7)
        payment.facilityCode = fields.text(8)
        payment.frequencyCode = fields.text(9)
    }

    private mutating func closePayment(_ emit: (Record) -> Void) {
        guard hasPayment else { return }
        hasPayment = false
        if !paymentRejected { emit(.payment(payment)) }
        paymentRejected = false
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
        static let N1 = X12SegmentFields.code("N1")
        static let PRV = X12SegmentFields.code("PRV")
        static let REF = X12SegmentFields.code("REF")
        static let SBR = X12SegmentFields.code("SBR")
        static let PAT = X12SegmentFields.code("PAT")
        static let DMG = X12SegmentFields.code("DMG")
        static let DTP = X12SegmentFields.code("DTP")
        static let DTM = X12SegmentFields.code("DTM")
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
        static let BPR = X12SegmentFields.code("BPR")
        static let TRN = X12SegmentFields.code("TRN")
        static let PLB = X12SegmentFields.code("PLB")
        static let CLP = X12SegmentFields.code("CLP")
        static let CAS = X12SegmentFields.code("CAS")
        static let AMT = X12SegmentFields.code("AMT")
        static let LQ = X12SegmentFields.code("LQ")
        static let SVC = X12SegmentFields.code("SVC")
    }
}

extension String {
    /// The text without leading and trailing spaces (ISA fields are space-padded).
    func trimmingSpaces() -> String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { $0 != 0x20 }), let last = bytes.lastIndex(where: { $0 != 0x20 })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
