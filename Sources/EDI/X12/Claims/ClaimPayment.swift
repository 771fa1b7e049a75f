public import Events

/// One `CAS` adjustment triple: group (CAS01), reason (CAS02/05/08/11/14/17), amount (03/06 …) and quantity
/// (04/07 …).
public struct ClaimAdjustment: Sendable, Hashable {
    /// CAS01: `CO` contractual, `PR` patient responsibility, `OA`, `PI`, `CR`.
    public var group: String
    /// The claim adjustment reason code.
    public var reason: String
    /// The amount, exact.
    public var amount: ExactDecimal?
    /// The quantity, exact, when given.
    public var quantity: ExactDecimal?

    /// A value from its parts.
    public init(group: String, reason: String, amount: ExactDecimal? = nil, quantity: ExactDecimal? = nil) {
        self.group = group
        self.reason = reason
        self.amount = amount
        self.quantity = quantity
    }
}

/// A remark code of an 835 service line (`LQ01` qualifier `HE`/`RX`, `LQ02` code).
public struct ClaimRemark: Sendable, Hashable {
    /// LQ01: `HE` (claim payment remark code) or `RX` (NCPDP reject code).
    public var qualifier: String
    /// LQ02: the remark code.
    public var code: String

    /// A value from its parts.
    public init(qualifier: String, code: String) {
        self.qualifier = qualifier
        self.code = code
    }
}

/// One paid service line of an 835 (loop 2110).
public struct ServicePayment: Sendable, Hashable {
    /// SVC01: the adjudicated procedure composite.
    public var procedure: ClaimProcedure?
    /// SVC02: the submitted line charge.
    public var charge: ExactDecimal?
    /// SVC03: the amount paid for the line.
    public var paid: ExactDecimal?
    /// SVC04: the NUBC revenue code.
    public var revenueCode: String?
    /// SVC05: the units paid.
    public var units: ExactDecimal?
    /// SVC06: the submitted procedure, when it differs from SVC01.
    public var submittedProcedure: ClaimProcedure?
    /// SVC07: the original units of service.
    public var submittedUnits: ExactDecimal?
    /// DTM in 2110 (472 service date, 150/151 period).
    public var dates: [ClaimDate]
    /// CAS in 2110, one entry per triple.
    public var adjustments: [ClaimAdjustment]
    /// REF*6R.
    public var lineItemControlNumber: String?
    /// AMT*B6: the allowed amount.
    public var allowed: ExactDecimal?
    /// LQ remark codes.
    public var remarks: [ClaimRemark]

    /// A value from its parts (absent parts empty).
    public init() {
        dates = []
        adjustments = []
        remarks = []
    }
}

/// One claim payment of an 835 (loop 2100, `CLP`), with the payment (BPR/TRN) and the payer and payee of its
/// transaction set (1000A/1000B).
///
/// Values stay as written; amounts are ``ExactDecimal``s. Values are PHI: never log them.
public struct ClaimPayment: Sendable, Hashable {
    /// The envelopes around the payment.
    public var transaction: X12TransactionReference
    /// 1-based position of the payment among the CLPs of its transaction set.
    public var ordinal: Int
    /// How many payments before this one in the set carry the same CLP01, plus one.
    public var claimIDOccurrence: Int
    /// 1-based segment position of the CLP.
    public var position: Int
    /// CLP01: the patient control number (= 837 CLM01).
    public var claimID: String
    /// CLP02: claim status (`1` processed as primary, `4` denied, `22` reversal …).
    public var status: String?
    /// CLP03: the total submitted charge.
    public var charge: ExactDecimal?
    /// CLP04: the amount paid.
    public var paid: ExactDecimal?
    /// CLP05: the patient responsibility.
    public var patientResponsibility: ExactDecimal?
    /// CLP06: the claim filing indicator.
    public var claimFilingIndicator: String?
    /// CLP07: the payer's claim control number (837 REF*F8 of a replacement).
    public var payerClaimControlNumber: String?
    /// CLP08: the facility type code.
    public var facilityCode: String?
    /// CLP09: the claim frequency code.
    public var frequencyCode: String?
    /// BPR01: transaction handling (`I` remittance with payment, `H` notification only …).
    public var handling: String?
    /// BPR02: the total actual provider payment.
    public var totalPayment: ExactDecimal?
    /// BPR03: `C` credit, `D` debit.
    public var creditOrDebit: String?
    /// BPR04: `ACH`, `CHK`, `NON` …
    public var paymentMethod: String?
    /// BPR16: the check issue or EFT effective date, as written.
    public var paymentDate: String?
    /// TRN02: the check or EFT trace number.
    public var traceNumber: String?
    /// TRN03: the payer's identifier in the trace.
    public var traceOriginator: String?
    /// 1000A N1*PR: N102 name, N104 id (or REF*2U).
    public var payer: ClaimParty
    /// 1000B N1*PE: N102 name, N103/N104 id (NPI when `XX`).
    public var payee: ClaimParty
    /// NM1*QC: the patient (NM109 is the member id when the patient is the insured).
    public var patient: ClaimParty?
    /// NM1*IL: the insured, when other than the patient.
    public var insured: ClaimParty?
    /// NM1*82: the rendering provider.
    public var renderingProvider: ClaimParty?
    /// CAS in 2100 (claim level), one entry per triple.
    public var adjustments: [ClaimAdjustment]
    /// DTM in 2100 (232/233 statement period, 050 received …).
    public var dates: [ClaimDate]
    /// REF in 2100 (EA, 1L, 6P, F8 …).
    public var references: [ClaimReference]
    /// 2110 loops.
    public var serviceLines: [ServicePayment]

    /// An empty payment.
    public init(transaction: X12TransactionReference, claimID: String, position: Int) {
        self.transaction = transaction
        self.claimID = claimID
        self.position = position
        ordinal = 1
        claimIDOccurrence = 1
        payer = ClaimParty()
        payee = ClaimParty()
        adjustments = []
        dates = []
        references = []
        serviceLines = []
    }

    /// The partition key of the payment's event: the member id, NM109 of NM1*IL when present, else of NM1*QC.
    public var partitionKey: String? { insured?.id ?? patient?.id }

    /// The CloudEvents `type` of claim payments.
    public static let eventType = "claim.payment.v1"
}
