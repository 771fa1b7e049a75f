/// Where a walk through a transaction set stands in the 837 claim loops (and the 835 payment loops): the loop identity
/// that ``X12ClaimExtractor`` and ``X12ClaimEventWriter`` share. Each segment moves it the same way for both; what a
/// segment's values become (model values or JSON bytes) stays with each of them.
///
/// Loops are told apart by position and qualifier, as the 5010 guides (and 4010's X096/X097/X098) place them: HL03
/// opens 2000A/B/C, NM101 names the 2010/2310/2330/2420 party, CLM opens 2300, SBR inside a claim 2320, LX 2400, LIN
/// 2410, SVD 2430.
struct X12ClaimLoopTracker: Sendable {
    /// A loop of the 837 (or 835).
    enum Loop: Sendable, Equatable {
        case header
        case billingLevel, billingName, billingOther
        case subscriberLevel, subscriberName, payerName, subscriberOther
        case patientLevel, patientName, patientOther
        /// 2310: `Int` is the provider's index among the claim's providers.
        case claim, claimProvider(Int), claimOther
        case otherSubscriber, otherSubscriberParty
        /// 2420: `Int` is the provider's index among the line's providers.
        case line, lineDrug, lineProvider(Int), lineOther, lineAdjudication
        // 835
        case payer, payee, payment, servicePayment

        /// The guide's loop id (`2010BA`), as issues report it.
        var id: String {
            switch self {
            case .header: "HEADER"
            case .billingLevel: "2000A"
            case .billingName: "2010AA"
            case .billingOther: "2010AB"
            case .subscriberLevel: "2000B"
            case .subscriberName: "2010BA"
            case .payerName: "2010BB"
            case .subscriberOther: "2010BC"
            case .patientLevel: "2000C"
            case .patientName, .patientOther: "2010CA"
            case .claim: "2300"
            case .claimProvider, .claimOther: "2310"
            case .otherSubscriber: "2320"
            case .otherSubscriberParty: "2330"
            case .line: "2400"
            case .lineDrug: "2410"
            case .lineProvider, .lineOther: "2420"
            case .lineAdjudication: "2430"
            case .payer: "1000A"
            case .payee: "1000B"
            case .payment: "2100"
            case .servicePayment: "2110"
            }
        }

        /// Inside a claim (2300 and the loops under it).
        var isInClaim: Bool {
            switch self {
            case .claim, .claimProvider, .claimOther, .otherSubscriber, .otherSubscriberParty, .line, .lineDrug,
                .lineProvider, .lineOther, .lineAdjudication:
                true
            default: false
            }
        }

        /// Inside a service line (2400 and the loops under it).
        var isInLine: Bool {
            switch self {
            case .line, .lineDrug, .lineProvider, .lineOther, .lineAdjudication: true
            default: false
            }
        }
    }

    /// HL03, as far as the claim loops care.
    enum LevelKind: Sendable, Equatable {
        /// `20`: information source (billing provider, 2000A).
        case billing
        /// `22`: subscriber (2000B).
        case subscriber
        /// `23`: dependent, the patient (2000C).
        case patient
        case other

        /// HL03 of the HL in `fields`.
        init(_ fields: X12SegmentFields) {
            self =
                if fields.has(3, "20") { .billing } else if fields.has(3, "22") { .subscriber } else if fields.has(3, "23") {
                    .patient
                } else { .other }
        }

        /// The kind of level a level of this kind hangs under when HL02 names none.
        var parentKind: LevelKind? {
            switch self {
            case .subscriber: .billing
            case .patient: .subscriber
            default: nil
            }
        }
    }

    /// What an 837 NM1 names (the loop it opened is ``loop``).
    enum Name: Sendable, Equatable {
        /// Nothing the claim keeps (outside any level, or an 835).
        case ignored
        /// NM1*85 in 2000A: 2010AA.
        case billingProvider
        /// NM1*IL in 2000B: 2010BA.
        case subscriber
        /// NM1*PR in 2000B: 2010BB.
        case payer
        /// NM1*QC in 2000C: 2010CA.
        case patient
        /// A 2310 provider with this role (``ClaimProvider/role(ofEntity:)``).
        case claimProvider(role: String)
        /// A 2420 provider with this role.
        case lineProvider(role: String)
        /// Another party (2010AB, 2010BC, 2330, …): only the loop changes.
        case other
    }

    /// The loop the last segment left the walk in.
    private(set) var loop: Loop = .header

    /// ST: the set's header.
    mutating func startSet() { loop = .header }

    /// HL: the level's own loop (2000A/B/C; any other HL03 as 2010BC, as the extractor always placed it).
    mutating func enterLevel(_ kind: LevelKind) {
        loop =
            switch kind {
            case .billing: .billingLevel
            case .subscriber: .subscriberLevel
            case .patient: .patientLevel
            case .other: .subscriberOther
            }
    }

    /// CLM: 2300.
    mutating func enterClaim() { loop = .claim }

    /// SBR: 2320 when inside a claim (returns true), else it stays (2000B's own SBR).
    mutating func subscriberSegment() -> Bool {
        guard loop.isInClaim else { return false }
        loop = .otherSubscriber
        return true
    }

    /// LX (of an open claim): 2400.
    mutating func enterLine() { loop = .line }

    /// LIN (in a line): 2410.
    mutating func enterDrug() { loop = .lineDrug }

    /// SVD: 2430 when inside a line.
    mutating func serviceAdjudication() {
        if loop.isInLine { loop = .lineAdjudication }
    }

    /// An 835's loops (1000A, 1000B, 2100, 2110) or back to its header.
    mutating func enterPaymentLoop(_ loop: Loop) { self.loop = loop }

    /// NM1 in an 837, NM101 in `fields`: moves to the loop the party opens and says what it names. `hasLevel`,
    /// `hasClaim`, `hasLine`: whether an HL, claim, line is open; `claimProviders` / `lineProviders`: how many
    /// providers the claim / line has (the index a new one gets).
    mutating func name(
        _ fields: X12SegmentFields, hasLevel: Bool, hasClaim: Bool, hasLine: Bool, claimProviders: Int,
        lineProviders: Int
    ) -> Name {
        switch loop {
        case .header, .payer, .payee, .payment, .servicePayment:
            return .ignored
        case .billingLevel, .billingName, .billingOther:
            if fields.has(1, "85"), hasLevel {
                loop = .billingName
                return .billingProvider
            }
            loop = .billingOther
            return .other
        case .subscriberLevel, .subscriberName, .payerName, .subscriberOther:
            guard hasLevel else { return .ignored }
            if fields.has(1, "IL") {
                loop = .subscriberName
                return .subscriber
            }
            if fields.has(1, "PR") {
                loop = .payerName
                return .payer
            }
            loop = .subscriberOther
            return .other
        case .patientLevel, .patientName, .patientOther:
            guard hasLevel else { return .ignored }
            if fields.has(1, "QC") {
                loop = .patientName
                return .patient
            }
            loop = .patientOther
            return .other
        case .claim, .claimProvider, .claimOther:
            if let role = ClaimProvider.role(ofEntity: Self.entityCode(fields)), hasClaim {
                loop = .claimProvider(claimProviders)
                return .claimProvider(role: role)
            }
            loop = .claimOther
            return .other
        case .otherSubscriber, .otherSubscriberParty:
            loop = .otherSubscriberParty
            return .other
        case .line, .lineDrug, .lineProvider, .lineOther, .lineAdjudication:
            if let role = ClaimProvider.role(ofEntity: Self.entityCode(fields)), hasLine {
                loop = .lineProvider(lineProviders)
                return .lineProvider(role: role)
            }
            loop = .lineOther
            return .other
        }
    }

    /// NM101 as text (`""` when absent).
    private static func entityCode(_ fields: X12SegmentFields) -> String {
        fields.raw(1).map { X12SegmentFields.string($0) } ?? ""
    }
}
