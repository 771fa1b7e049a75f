public import Events

/// Which 837 a claim comes from: professional (005010X222, 004010X098), institutional (X223, X096) or dental
/// (X224, X097).
public enum HealthCareClaimKind: String, Sendable, Hashable, CaseIterable {
    case professional
    case institutional
    case dental

    /// The kind an implementation convention reference (ST03 or GS08) names, e.g. `005010X222A1` → professional.
    public init?(convention reference: String) {
        if reference.contains("X222") || reference.contains("X098") {
            self = .professional
        } else if reference.contains("X223") || reference.contains("X096") {
            self = .institutional
        } else if reference.contains("X224") || reference.contains("X097") {
            self = .dental
        } else {
            return nil
        }
    }

    /// The CloudEvents `type` of claims of this kind: `claim.professional.v1` …
    public var eventType: String { "claim.\(rawValue).v1" }
}

/// Where a transaction set sits in its envelopes: the values that identify it and make event ids stable.
public struct X12TransactionReference: Sendable, Hashable {
    /// ST01, e.g. `837`.
    public var type: String
    /// ST03, else GS08 (e.g. `005010X222A1`).
    public var implementation: String
    /// ST02.
    public var controlNumber: String
    /// BHT03 (837) — the originator's batch reference; empty for an 835.
    public var bhtReference: String
    /// ISA13.
    public var interchangeControlNumber: String
    /// GS06.
    public var groupControlNumber: String
    /// ISA06 (trimmed).
    public var interchangeSender: String
    /// GS02.
    public var applicationSender: String
    /// BHT04/BHT05 (837) or GS04/GS05 as an RFC 3339 UTC timestamp text, when the date is valid.
    public var time: String?
    /// The CloudEvents `source` (`x12://ISA06/GS02`), computed once per transaction set by the extractor.
    var eventSource: String?

    /// A reference; every value as written in the file.
    public init(
        type: String = "", implementation: String = "", controlNumber: String = "", bhtReference: String = "",
        interchangeControlNumber: String = "", groupControlNumber: String = "", interchangeSender: String = "",
        applicationSender: String = "", time: String? = nil
    ) {
        self.type = type
        self.implementation = implementation
        self.controlNumber = controlNumber
        self.bhtReference = bhtReference
        self.interchangeControlNumber = interchangeControlNumber
        self.groupControlNumber = groupControlNumber
        self.interchangeSender = interchangeSender
        self.applicationSender = applicationSender
        self.time = time
    }
}

/// A person or organisation named by an `NM1` (with the `PRV`, `REF` and `DMG` that qualify it in its loop).
public struct ClaimParty: Sendable, Hashable {
    /// NM102: `1` person, `2` non-person entity.
    public var entityType: String?
    /// NM103: last name or organisation name.
    public var lastOrOrganizationName: String?
    /// NM104.
    public var firstName: String?
    /// NM105.
    public var middleName: String?
    /// NM107.
    public var suffix: String?
    /// NM108: `XX` (NPI), `MI` (member id), `PI` (payer id), `24`/`34` (4010 EIN/SSN) …
    public var idQualifier: String?
    /// NM109: the NPI when ``idQualifier`` is `XX`, the member id for `MI` …
    public var id: String?
    /// `REF*EI` / `REF*SY` (billing provider tax id): qualifier and value.
    public var taxID: ClaimReference?
    /// PRV03: the provider taxonomy code.
    public var taxonomy: String?
    /// DMG02 as `YYYY-MM-DD` when DMG01 is `D8`, else as written.
    public var birthDate: String?
    /// DMG03: `F`, `M`, `U`.
    public var gender: String?

    /// An empty party.
    public init() {}

    /// The NPI: NM109 when NM108 is `XX`.
    public var npi: String? { idQualifier == "XX" ? id : nil }
}

/// A qualified reference number (`REF01`/`REF02`), e.g. `G1` prior authorisation, `F8` payer claim control number.
public struct ClaimReference: Sendable, Hashable {
    /// REF01.
    public var qualifier: String
    /// REF02.
    public var value: String

    /// A value from its parts (absent parts empty).
    public init(qualifier: String, value: String) {
        self.qualifier = qualifier
        self.value = value
    }
}

/// A qualified date or date range (`DTP01`/`DTP02`/`DTP03`, or an 835 `DTM`).
public struct ClaimDate: Sendable, Hashable {
    /// DTP01, e.g. `472` service date, `434` statement period.
    public var qualifier: String
    /// DTP02: `D8` (CCYYMMDD), `RD8` (CCYYMMDD-CCYYMMDD), `DT`, `TM` …
    public var format: String
    /// DTP03 as written.
    public var value: String

    /// A value from its parts (absent parts empty).
    public init(qualifier: String, format: String, value: String) {
        self.qualifier = qualifier
        self.format = format
        self.value = value
    }

    /// `YYYY-MM-DD` for a `D8` value of 8 digits.
    public var date: String? { format == "D8" ? Self.isoDate(value) : nil }

    /// The two ends of an `RD8` range as `YYYY-MM-DD`.
    public var range: (from: String, to: String)? {
        guard format == "RD8" else { return nil }
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let from = Self.isoDate(Substring(parts[0])), let to = Self.isoDate(Substring(parts[1]))
        else { return nil }
        return (from, to)
    }

    /// `CCYYMMDD` → `CCYY-MM-DD`, or `nil` when the text is not 8 ASCII digits.
    public static func isoDate(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { utf8 -> String? in
            guard utf8.count == 8, utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return String(unsafeUninitializedCapacity: 10) { out in
                var o = 0
                for (i, byte) in utf8.enumerated() {
                    if i == 4 || i == 6 {
                        out[o] = UInt8(ascii: "-")
                        o += 1
                    }
                    out[o] = byte
                    o += 1
                }
                return o
            }
        }
    }

    /// `CCYYMMDD` → `CCYY-MM-DD` for a part of a range.
    static func isoDate(_ text: Substring) -> String? { isoDate(String(text)) }
}

/// A diagnosis from an `HI` composite (HI0x-1 qualifier, HI0x-2 code, HI0x-9 present-on-admission indicator).
public struct ClaimDiagnosis: Sendable, Hashable {
    /// What the qualifier says the code is.
    public enum Role: String, Sendable, Hashable {
        /// `ABK` (ICD-10) / `BK` (ICD-9).
        case principal
        /// `ABF` / `BF`.
        case other
        /// `ABJ` / `BJ` (837I).
        case admitting
        /// `APR` / `PR` (837I).
        case reasonForVisit
        /// `ABN` / `BN` (837I).
        case externalCause
    }

    /// HI0x-1, e.g. `ABK`.
    public var qualifier: String
    /// What the qualifier makes of the code.
    public var role: Role
    /// HI0x-2.
    public var code: String
    /// HI0x-9 (837I): `N`, `U`, `W`, `Y`.
    public var presentOnAdmission: String?

    /// The role of a diagnosis qualifier, or `nil` when the qualifier is not a diagnosis (a procedure, value,
    /// occurrence or condition code).
    public static func role(ofQualifier qualifier: String) -> Role? {
        switch qualifier {
        case "ABK", "BK": .principal
        case "ABF", "BF": .other
        case "ABJ", "BJ": .admitting
        case "APR", "PR": .reasonForVisit
        case "ABN", "BN": .externalCause
        default: nil
        }
    }

    /// A value from its parts.
    public init(qualifier: String, role: Role, code: String, presentOnAdmission: String? = nil) {
        self.qualifier = qualifier
        self.role = role
        self.code = code
        self.presentOnAdmission = presentOnAdmission
    }
}

/// Any other `HI` composite: procedures (`BBR`, `BBQ`, `BR` …), occurrence (`BH`), occurrence span (`BI`), value
/// (`BE`), condition (`BG`), DRG (`DR`), treatment (`TC`) codes.
public struct ClaimHealthCareCode: Sendable, Hashable {
    /// HI0x-1.
    public var qualifier: String
    /// HI0x-2.
    public var code: String
    /// HI0x-3: the date format (`D8`, `RD8`).
    public var dateFormat: String?
    /// HI0x-4: the date, as written.
    public var date: String?
    /// HI0x-5: the amount (value codes), exact.
    public var amount: ExactDecimal?

    /// A value from its parts.
    public init(qualifier: String, code: String, dateFormat: String? = nil, date: String? = nil, amount: ExactDecimal? = nil) {
        self.qualifier = qualifier
        self.code = code
        self.dateFormat = dateFormat
        self.date = date
        self.amount = amount
    }
}

/// A procedure composite (`SV101`, `SV202`, `SV301`, 835 `SVC01`): qualifier, code and up to four modifiers.
public struct ClaimProcedure: Sendable, Hashable {
    /// Component 1: `HC` (HCPCS/CPT), `AD` (CDT), `ER`, `IV`, `WK`, `N4` …
    public var qualifier: String
    /// Component 2.
    public var code: String
    /// Components 3–6, non-empty ones.
    public var modifiers: [String]
    /// Component 7, when present.
    public var description: String?

    /// A value from its parts.
    public init(qualifier: String, code: String, modifiers: [String], description: String? = nil) {
        self.qualifier = qualifier
        self.code = code
        self.modifiers = modifiers
        self.description = description
    }
}

/// A tooth on a dental line (`TOO`: TOO01 `JP` qualifier, TOO02 tooth number, TOO03 surfaces).
public struct ClaimTooth: Sendable, Hashable {
    /// TOO01 (`JP`: universal national tooth designation).
    public var qualifier: String
    /// TOO02.
    public var number: String
    /// TOO03 components (`M`, `O`, `D` …).
    public var surfaces: [String]

    /// A value from its parts.
    public init(qualifier: String, number: String, surfaces: [String]) {
        self.qualifier = qualifier
        self.number = number
        self.surfaces = surfaces
    }
}

/// The drug of a line (loop 2410: `LIN` and `CTP`).
public struct ClaimDrug: Sendable, Hashable {
    /// LIN02, `N4` for an NDC.
    public var qualifier: String
    /// LIN03: the NDC.
    public var code: String
    /// CTP04: the quantity, exact.
    public var quantity: ExactDecimal?
    /// CTP05-1: `F2`, `GR`, `ME`, `ML`, `UN`.
    public var unit: String?

    /// A value from its parts.
    public init(qualifier: String, code: String, quantity: ExactDecimal? = nil, unit: String? = nil) {
        self.qualifier = qualifier
        self.code = code
        self.quantity = quantity
        self.unit = unit
    }
}

/// One service line (loop 2400).
public struct ClaimServiceLine: Sendable, Hashable {
    /// LX01.
    public var lineNumber: String
    /// Which service segment the line carries: SV1 professional, SV2 institutional, SV3 dental.
    public var kind: HealthCareClaimKind
    /// SV101, SV202 or SV301.
    public var procedure: ClaimProcedure?
    /// SV201 (837I).
    public var revenueCode: String?
    /// SV102, SV203 or SV302.
    public var charge: ExactDecimal?
    /// SV103 / SV204: `UN`, `MJ`, `DA`.
    public var unit: String?
    /// SV104 / SV205 / SV306 (dental: procedure count).
    public var quantity: ExactDecimal?
    /// SV105 (837P) or SV303 (837D facility code), when the line overrides the claim's.
    public var placeOfService: String?
    /// SV304 (837D): oral cavity designation codes.
    public var oralCavity: [String]
    /// SV107-1…4 (837P) or SV311 (837D): pointers to the claim's diagnoses (1-based).
    public var diagnosisPointers: [String]
    /// DTP in the line (472 service date …).
    public var dates: [ClaimDate]
    /// LIN/CTP (2410).
    public var drug: ClaimDrug?
    /// TOO (837D).
    public var teeth: [ClaimTooth]
    /// REF*6R.
    public var lineItemControlNumber: String?
    /// Other line REFs (G1, 9B …).
    public var references: [ClaimReference]
    /// 2420x providers of the line (rendering, ordering …).
    public var providers: [ClaimProvider]

    /// A line with its number; everything else empty.
    public init(lineNumber: String, kind: HealthCareClaimKind) {
        self.lineNumber = lineNumber
        self.kind = kind
        oralCavity = []
        diagnosisPointers = []
        dates = []
        teeth = []
        references = []
        providers = []
    }
}

/// The subscriber of a claim: loop 2000B (`SBR`) and 2010BA (`NM1*IL`, `DMG`).
public struct ClaimSubscriber: Sendable, Hashable {
    /// SBR01: payer responsibility sequence (`P`, `S`, `T`, `A`…`H`, `U`).
    public var payerResponsibility: String?
    /// SBR02: `18` when the subscriber is the patient.
    public var relationship: String?
    /// SBR03.
    public var groupNumber: String?
    /// SBR04.
    public var groupName: String?
    /// SBR09: claim filing indicator (`MB`, `MC`, `CI`, `BL` …).
    public var claimFilingIndicator: String?
    /// NM1*IL with its DMG: NM109 is the member id.
    public var party: ClaimParty

    /// A value from its parts (absent parts empty).
    public init() { party = ClaimParty() }

    /// NM109 of NM1*IL: the member id (the partition key of the claim's event).
    public var memberID: String? { party.id }
}

/// The patient when it is not the subscriber: loop 2000C (`PAT`) and 2010CA (`NM1*QC`, `DMG`).
public struct ClaimPatient: Sendable, Hashable {
    /// PAT01: individual relationship code to the subscriber (`01` spouse, `19` child …).
    public var relationship: String?
    /// NM1*QC with its DMG.
    public var party: ClaimParty

    /// A value from its parts (absent parts empty).
    public init() { party = ClaimParty() }
}

/// The institutional codes of an 837I claim (`CL1`).
public struct ClaimInstitutionalCodes: Sendable, Hashable {
    /// CL101.
    public var admissionType: String?
    /// CL102.
    public var admissionSource: String?
    /// CL103.
    public var patientStatus: String?

    /// A value from its parts.
    public init(admissionType: String? = nil, admissionSource: String? = nil, patientStatus: String? = nil) {
        self.admissionType = admissionType
        self.admissionSource = admissionSource
        self.patientStatus = patientStatus
    }
}

/// One 837 claim (loop 2300 with its service lines), with the context it inherits through its HL chain: the
/// billing provider (2000A/2010AA), subscriber and payer (2000B/2010BA/2010BB) and patient (2000C/2010CA).
///
/// Values stay as written (`7.00` stays `7.00`); amounts are ``ExactDecimal``s. Values are PHI: never log them.
public struct HealthCareClaim: Sendable, Hashable {
    /// Professional, institutional or dental: from the service lines (SV1/SV2/SV3) when there are any, else from
    /// the implementation convention.
    public var kind: HealthCareClaimKind
    /// The envelopes around the claim.
    public var transaction: X12TransactionReference
    /// 1-based position of the claim among the claims of its transaction set.
    public var ordinal: Int
    /// How many claims before this one in the set carry the same CLM01, plus one (1 for the first).
    public var claimIDOccurrence: Int
    /// 1-based segment position of the CLM.
    public var position: Int
    /// CLM01: the patient control number (835 CLP01 echoes it).
    public var claimID: String
    /// CLM02.
    public var totalCharge: ExactDecimal?
    /// CLM05-1: place of service (837P/837D) or facility type code (837I).
    public var facilityCode: String?
    /// CLM05-2: `B` (place of service), `A` (UB-04 facility type); empty in 4010.
    public var facilityCodeQualifier: String?
    /// CLM05-3: claim frequency type (`1` original, `7` replacement, `8` void).
    public var frequencyCode: String?
    /// 2010AA NM1*85 with REF*EI/SY and PRV*BI.
    public var billingProvider: ClaimParty?
    /// 2000B / 2010BA.
    public var subscriber: ClaimSubscriber?
    /// 2010BB NM1*PR.
    public var payer: ClaimParty?
    /// 2000C / 2010CA; `nil` when the patient is the subscriber (no 2000C in the claim's HL chain).
    public var patient: ClaimPatient?
    /// HL01:HL03 of the claim's HL chain, top first (`["1:20", "2:22", "3:23"]`).
    public var hierarchy: [String]
    /// HI diagnoses in order.
    public var diagnoses: [ClaimDiagnosis]
    /// Other HI codes in order.
    public var otherHealthCareCodes: [ClaimHealthCareCode]
    /// DTP in 2300.
    public var dates: [ClaimDate]
    /// REF in 2300 other than D9 (G1 prior authorisation, F8 payer claim control number, EA medical record …).
    public var references: [ClaimReference]
    /// REF*D9.
    public var clearinghouseTraceNumber: String?
    /// CL1 (837I).
    public var institutional: ClaimInstitutionalCodes?
    /// 2310x providers of the claim by role: `rendering`, `referring`, `attending`, `operating`,
    /// `otherOperating`, `supervising`, `serviceFacility`, `ambulancePickUp`, `ambulanceDropOff`.
    public var providers: [ClaimProvider]
    /// Number of 2320 loops (other subscribers, coordination of benefits).
    public var otherSubscriberCount: Int
    /// 2400 loops.
    public var serviceLines: [ClaimServiceLine]

    /// An empty claim of `kind`.
    public init(kind: HealthCareClaimKind, transaction: X12TransactionReference, claimID: String, position: Int) {
        self.kind = kind
        self.transaction = transaction
        self.claimID = claimID
        self.position = position
        ordinal = 1
        claimIDOccurrence = 1
        hierarchy = []
        diagnoses = []
        otherHealthCareCodes = []
        dates = []
        references = []
        providers = []
        otherSubscriberCount = 0
        serviceLines = []
    }

    /// Whether the patient is the subscriber (no 2000C loop above the claim).
    public var patientIsSubscriber: Bool { patient == nil }

    /// The provider of a 2310 role (`rendering`, `referring` …), if the claim names one.
    public func provider(_ role: String) -> ClaimParty? { providers.first { $0.role == role }?.party }

    /// The partition key of the claim's event: the subscriber's member id (2010BA NM109).
    public var partitionKey: String? { subscriber?.memberID }
}

/// A provider of a claim (loop 2310x) or line (2420x) with its role.
public struct ClaimProvider: Sendable, Hashable {
    /// `rendering`, `referring`, `attending`, `operating`, `otherOperating`, `supervising`, `serviceFacility`,
    /// `ambulancePickUp`, `ambulanceDropOff`, `purchasedService`, `orderingProvider` …
    public var role: String
    /// NM1 with its PRV.
    public var party: ClaimParty

    /// A value from its parts (absent parts empty).
    public init(role: String, party: ClaimParty) {
        self.role = role
        self.party = party
    }

    /// The role an `NM101` entity identifier names in loops 2310/2420, or `nil` for one Ferry does not extract.
    public static func role(ofEntity code: String) -> String? {
        switch code {
        case "82": "rendering"
        case "DN", "P3": "referring"
        case "71": "attending"
        case "72": "operating"
        case "ZZ": "otherOperating"
        case "DQ": "supervising"
        case "77", "FA": "serviceFacility"
        case "PW": "ambulancePickUp"
        case "45": "ambulanceDropOff"
        case "QB": "purchasedService"
        case "DK": "ordering"
        default: nil
        }
    }
}
