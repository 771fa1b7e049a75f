public import Events
import Foundation

/// Writes claims and claim payments as CloudEvents 1.0 in the JSON event format (structured mode), straight into a
/// ``JSONWriter`` (no intermediate `CloudEvent` or `Data`), from the model (``HealthCareClaim``, ``ClaimPayment``).
/// `ferry convert x12` uses ``X12ClaimEventWriter``, which writes the same bytes without building the model.
///
/// - `type`: `claim.professional.v1`, `claim.institutional.v1`, `claim.dental.v1`, `claim.payment.v1`.
/// - `source`: `x12://ISA06/GS02` (sender ids, percent-encoded).
/// - `subject`: the claim id (CLM01 / CLP01).
/// - `id`: the UUIDv5 of ``EventIdentity/x12Claim(interchangeControlNumber:groupControlNumber:transactionSetControlNumber:claimID:occurrence:)``
///   (ISA13, GS06, ST02, CLM01, and the occurrence of that CLM01 in the set from the second on): a re-run gives the
///   same ids.
/// - `time`: BHT04/BHT05 (837) or GS04/GS05 (835), as UTC (X12 times carry no zone).
/// - `partitionkey`: the subscriber's member id (2010BA NM109; 835: NM1*IL, else NM1*QC NM109).
/// - `data`: the claim as JSON (``HealthCareClaim/writeJSON(to:)``), `datacontenttype` `application/json`.
public enum X12ClaimEvent {
    /// The `datacontenttype` of claim events.
    public static let dataContentType = "application/json"

    /// The CloudEvents `source` for a transaction set: `x12://ISA06/GS02`.
    public static func source(for transaction: X12TransactionReference) -> String {
        "x12://" + percentEncoded(transaction.interchangeSender) + "/" + percentEncoded(transaction.applicationSender)
    }

    /// The event id of a claim.
    public static func id(of claim: HealthCareClaim) -> String {
        EventIdentity.x12Claim(
            interchangeControlNumber: claim.transaction.interchangeControlNumber,
            groupControlNumber: claim.transaction.groupControlNumber,
            transactionSetControlNumber: claim.transaction.controlNumber, claimID: claim.claimID,
            occurrence: claim.claimIDOccurrence
        ).eventID
    }

    /// The event id of a claim payment.
    public static func id(of payment: ClaimPayment) -> String {
        EventIdentity.x12ClaimPayment(
            interchangeControlNumber: payment.transaction.interchangeControlNumber,
            groupControlNumber: payment.transaction.groupControlNumber,
            transactionSetControlNumber: payment.transaction.controlNumber, claimID: payment.claimID,
            occurrence: payment.claimIDOccurrence
        ).eventID
    }

    /// The event id of a claim as a UUID (``id(of:)-(HealthCareClaim)`` is its text), hashed without heap allocation.
    static func uuid(of claim: HealthCareClaim) -> UUID {
        EventIdentity.uuid(
            kind: "x12.claim", claim.transaction.interchangeControlNumber, claim.transaction.groupControlNumber,
            claim.transaction.controlNumber, claim.claimID, occurrence: claim.claimIDOccurrence)
    }

    /// The event id of a claim payment as a UUID.
    static func uuid(of payment: ClaimPayment) -> UUID {
        EventIdentity.uuid(
            kind: "x12.claim-payment", payment.transaction.interchangeControlNumber,
            payment.transaction.groupControlNumber, payment.transaction.controlNumber, payment.claimID,
            occurrence: payment.claimIDOccurrence)
    }

    /// Writes one event (no line end).
    public static func write(_ record: X12ClaimExtractor.Record, to writer: inout JSONWriter) {
        switch record {
        case let .claim(claim):
            writeEnvelope(
                id: uuid(of: claim), type: claim.kind.eventType, transaction: claim.transaction,
                subject: claim.claimID, partitionKey: claim.partitionKey, to: &writer)
            writer.writeKey(quoted: #""data":"#)
            claim.writeJSON(to: &writer)
        case let .payment(payment):
            writeEnvelope(
                id: uuid(of: payment), type: ClaimPayment.eventType, transaction: payment.transaction,
                subject: payment.claimID, partitionKey: payment.partitionKey, to: &writer)
            writer.writeKey(quoted: #""data":"#)
            payment.writeJSON(to: &writer)
        }
        writer.endObject()
    }

    private static func writeEnvelope(
        id: UUID, type: String, transaction: X12TransactionReference, subject: String, partitionKey: String?,
        to writer: inout JSONWriter
    ) {
        writer.beginObject()
        writer.writeKey(quoted: #""specversion":"#)
        writer.writeString(CloudEvent.specVersion)
        writer.writeKey(quoted: #""id":"#)
        writer.writeUUIDString(id)
        writer.writeKey(quoted: #""source":"#)
        writer.writeString(transaction.eventSource ?? source(for: transaction))
        writer.writeKey(quoted: #""type":"#)
        writer.writeString(type)
        if !subject.isEmpty {
            writer.writeKey(quoted: #""subject":"#)
            writer.writeString(subject)
        }
        if let time = transaction.time {
            writer.writeKey(quoted: #""time":"#)
            writer.writeString(time)
        }
        writer.writeKey(quoted: #""datacontenttype":"#)
        writer.writeString(dataContentType)
        if let partitionKey, !partitionKey.isEmpty {
            writer.writeKey(quoted: #""partitionkey":"#)
            writer.writeString(partitionKey)
        }
    }

    /// RFC 3986 unreserved characters stay; everything else is `%XX`.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension JSONWriter {
    /// Writes `"key": "value"` when `value` is not nil (`key` holds its quotes and colon: `#""name":"#`).
    mutating func writeMember(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        writeKey(quoted: key)
        writeString(value)
    }

    /// Writes `"key": number` when `value` is not nil (the decimal keeps its text: `7.00`).
    mutating func writeMember(_ key: StaticString, _ value: ExactDecimal?) {
        guard let value else { return }
        writeKey(quoted: key)
        writeDecimal(value)
    }

    /// Writes `"key": ["a", "b"]`.
    mutating func writeMember(_ key: StaticString, strings: [String]) {
        writeKey(quoted: key)
        beginArray()
        for value in strings { writeString(value) }
        endArray()
    }
}

extension X12TransactionReference {
    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeMember(#""type":"#, type)
        writer.writeMember(#""implementation":"#, implementation)
        writer.writeMember(#""controlNumber":"#, controlNumber)
        if !bhtReference.isEmpty { writer.writeMember(#""bhtReference":"#, bhtReference) }
        writer.writeMember(#""interchangeControlNumber":"#, interchangeControlNumber)
        writer.writeMember(#""groupControlNumber":"#, groupControlNumber)
        writer.endObject()
    }
}

extension ClaimParty {
    /// The party's members (without braces), so roles can add theirs to the same object.
    func writeMembers(to writer: inout JSONWriter) {
        writer.writeMember(#""entityType":"#, entityType)
        writer.writeMember(#""lastOrOrgName":"#, lastOrOrganizationName)
        writer.writeMember(#""firstName":"#, firstName)
        writer.writeMember(#""middleName":"#, middleName)
        writer.writeMember(#""suffix":"#, suffix)
        writer.writeMember(#""idQualifier":"#, idQualifier)
        writer.writeMember(#""id":"#, id)
        if let taxID {
            writer.writeKey(quoted: #""taxId":"#)
            writer.beginObject()
            writer.writeMember(#""qualifier":"#, taxID.qualifier)
            writer.writeMember(#""id":"#, taxID.value)
            writer.endObject()
        }
        writer.writeMember(#""taxonomy":"#, taxonomy)
        writer.writeMember(#""birthDate":"#, birthDate)
        writer.writeMember(#""gender":"#, gender)
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writeMembers(to: &writer)
        writer.endObject()
    }
}

extension ClaimDate {
    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeMember(#""qualifier":"#, qualifier)
        writer.writeMember(#""format":"#, format)
        writer.writeMember(#""value":"#, value)
        if let date {
            writer.writeMember(#""date":"#, date)
        } else if let range {
            writer.writeMember(#""from":"#, range.from)
            writer.writeMember(#""to":"#, range.to)
        }
        writer.endObject()
    }
}

extension ClaimProcedure {
    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeMember(#""qualifier":"#, qualifier)
        writer.writeMember(#""code":"#, code)
        writer.writeMember(#""modifiers":"#, strings: modifiers)
        writer.writeMember(#""description":"#, description)
        writer.endObject()
    }
}

extension [ClaimReference] {
    func writeJSON(_ key: StaticString, to writer: inout JSONWriter) {
        guard !isEmpty else { return }
        writer.writeKey(quoted: key)
        writer.beginArray()
        for reference in self {
            writer.beginObject()
            writer.writeMember(#""qualifier":"#, reference.qualifier)
            writer.writeMember(#""value":"#, reference.value)
            writer.endObject()
        }
        writer.endArray()
    }
}

extension [ClaimProvider] {
    func writeJSON(to writer: inout JSONWriter) {
        writer.writeKey(quoted: #""providers":"#)
        writer.beginArray()
        for provider in self {
            writer.beginObject()
            writer.writeMember(#""role":"#, provider.role)
            provider.party.writeMembers(to: &writer)
            writer.endObject()
        }
        writer.endArray()
    }
}

extension [ClaimDate] {
    func writeJSON(to writer: inout JSONWriter) {
        writer.writeKey(quoted: #""dates":"#)
        writer.beginArray()
        for date in self { date.writeJSON(to: &writer) }
        writer.endArray()
    }
}

extension [ClaimAdjustment] {
    func writeJSON(to writer: inout JSONWriter) {
        writer.writeKey(quoted: #""adjustments":"#)
        writer.beginArray()
        for adjustment in self {
            writer.beginObject()
            writer.writeMember(#""group":"#, adjustment.group)
            writer.writeMember(#""reason":"#, adjustment.reason)
            writer.writeMember(#""amount":"#, adjustment.amount)
            writer.writeMember(#""quantity":"#, adjustment.quantity)
            writer.endObject()
        }
        writer.endArray()
    }
}

extension HealthCareClaim {
    /// Writes the claim as one JSON object: the `data` of its event. Field names follow edi-anchors §4's proposal
    /// (`Sources/EDI/README.md` lists them); absent values are left out, `patient` is `null` when the patient is the
    /// subscriber, amounts are JSON numbers with the file's digits (`7.00`).
    public func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeMember(#""kind":"#, kind.rawValue)
        writer.writeKey(quoted: #""transaction":"#)
        transaction.writeJSON(to: &writer)
        writer.writeMember(#""claimId":"#, claimID)
        writer.writeKey(quoted: #""ordinal":"#)
        writer.writeInteger(Int64(ordinal))
        writer.writeMember(#""totalCharge":"#, totalCharge)
        writer.writeKey(quoted: #""serviceLocation":"#)
        writer.beginObject()
        writer.writeMember(#""code":"#, facilityCode)
        writer.writeMember(#""qualifier":"#, facilityCodeQualifier)
        writer.writeMember(#""frequencyCode":"#, frequencyCode)
        if kind == .institutional, let code = facilityCode, let frequency = frequencyCode {
            writer.writeMember(#""billType":"#, code + frequency)
        }
        writer.endObject()
        if let billingProvider {
            writer.writeKey(quoted: #""billingProvider":"#)
            billingProvider.writeJSON(to: &writer)
        }
        if let subscriber {
            writer.writeKey(quoted: #""subscriber":"#)
            writer.beginObject()
            writer.writeMember(#""payerResponsibility":"#, subscriber.payerResponsibility)
            writer.writeMember(#""relationshipCode":"#, subscriber.relationship)
            writer.writeMember(#""groupNumber":"#, subscriber.groupNumber)
            writer.writeMember(#""groupName":"#, subscriber.groupName)
            writer.writeMember(#""claimFilingIndicator":"#, subscriber.claimFilingIndicator)
            subscriber.party.writeMembers(to: &writer)
            writer.endObject()
        }
        if let payer {
            writer.writeKey(quoted: #""payer":"#)
            payer.writeJSON(to: &writer)
        }
        writer.writeKey(quoted: #""patient":"#)
        if let patient {
            writer.beginObject()
            writer.writeMember(#""relationshipCode":"#, patient.relationship)
            patient.party.writeMembers(to: &writer)
            writer.endObject()
        } else {
            writer.writeNull()
        }
        writer.writeKey(quoted: #""patientIsSubscriber":"#)
        writer.writeBool(patientIsSubscriber)
        writer.writeMember(#""hlPath":"#, strings: hierarchy)
        writer.writeKey(quoted: #""diagnoses":"#)
        writer.beginArray()
        for diagnosis in diagnoses {
            writer.beginObject()
            writer.writeMember(#""qualifier":"#, diagnosis.qualifier)
            writer.writeMember(#""role":"#, diagnosis.role.rawValue)
            writer.writeMember(#""code":"#, diagnosis.code)
            writer.writeMember(#""poa":"#, diagnosis.presentOnAdmission)
            writer.endObject()
        }
        writer.endArray()
        writer.writeKey(quoted: #""otherHealthCareCodes":"#)
        writer.beginArray()
        for code in otherHealthCareCodes {
            writer.beginObject()
            writer.writeMember(#""qualifier":"#, code.qualifier)
            writer.writeMember(#""code":"#, code.code)
            writer.writeMember(#""dateFormat":"#, code.dateFormat)
            writer.writeMember(#""date":"#, code.date)
            writer.writeMember(#""amount":"#, code.amount)
            writer.endObject()
        }
        writer.endArray()
        dates.writeJSON(to: &writer)
        references.writeJSON(#""references":"#, to: &writer)
        writer.writeMember(#""clearinghouseTraceNumber":"#, clearinghouseTraceNumber)
        if let institutional {
            writer.writeKey(quoted: #""institutional":"#)
            writer.beginObject()
            writer.writeMember(#""admissionType":"#, institutional.admissionType ?? "")
            writer.writeMember(#""admissionSource":"#, institutional.admissionSource ?? "")
            writer.writeMember(#""patientStatus":"#, institutional.patientStatus ?? "")
            writer.endObject()
        }
        providers.writeJSON(to: &writer)
        writer.writeKey(quoted: #""otherSubscriberCount":"#)
        writer.writeInteger(Int64(otherSubscriberCount))
        writer.writeKey(quoted: #""serviceLines":"#)
        writer.beginArray()
        for line in serviceLines { line.writeJSON(to: &writer) }
        writer.endArray()
        writer.endObject()
    }
}

extension ClaimServiceLine {
    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeMember(#""lineNumber":"#, lineNumber)
        writer.writeMember(#""kind":"#, kind.rawValue)
        if let procedure {
            writer.writeKey(quoted: #""procedure":"#)
            procedure.writeJSON(to: &writer)
        }
        writer.writeMember(#""revenueCode":"#, revenueCode)
        writer.writeMember(#""charge":"#, charge)
        writer.writeMember(#""unit":"#, unit)
        writer.writeMember(#""quantity":"#, quantity)
        writer.writeMember(#""placeOfService":"#, placeOfService)
        if !oralCavity.isEmpty { writer.writeMember(#""oralCavity":"#, strings: oralCavity) }
        if !diagnosisPointers.isEmpty { writer.writeMember(#""diagnosisPointers":"#, strings: diagnosisPointers) }
        dates.writeJSON(to: &writer)
        if let drug {
            writer.writeKey(quoted: #""drug":"#)
            writer.beginObject()
            writer.writeMember(#""qualifier":"#, drug.qualifier)
            writer.writeMember(#""code":"#, drug.code)
            writer.writeMember(#""quantity":"#, drug.quantity)
            writer.writeMember(#""unit":"#, drug.unit)
            writer.endObject()
        }
        if !teeth.isEmpty {
            writer.writeKey(quoted: #""tooth":"#)
            writer.beginArray()
            for tooth in teeth {
                writer.beginObject()
                writer.writeMember(#""qualifier":"#, tooth.qualifier)
                writer.writeMember(#""number":"#, tooth.number)
                writer.writeMember(#""surfaces":"#, strings: tooth.surfaces)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.writeMember(#""lineItemControlNumber":"#, lineItemControlNumber)
        references.writeJSON(#""references":"#, to: &writer)
        if !providers.isEmpty { providers.writeJSON(to: &writer) }
        writer.endObject()
    }
}

extension ClaimPayment {
    /// Writes the payment as one JSON object: the `data` of its event.
    public func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeKey(quoted: #""transaction":"#)
        transaction.writeJSON(to: &writer)
        writer.writeMember(#""claimId":"#, claimID)
        writer.writeKey(quoted: #""ordinal":"#)
        writer.writeInteger(Int64(ordinal))
        writer.writeMember(#""status":"#, status)
        writer.writeMember(#""charge":"#, charge)
        writer.writeMember(#""paid":"#, paid)
        writer.writeMember(#""patientResponsibility":"#, patientResponsibility)
        writer.writeMember(#""claimFilingIndicator":"#, claimFilingIndicator)
        writer.writeMember(#""payerClaimControlNumber":"#, payerClaimControlNumber)
        writer.writeMember(#""facilityCode":"#, facilityCode)
        writer.writeMember(#""frequencyCode":"#, frequencyCode)
        writer.writeKey(quoted: #""payment":"#)
        writer.beginObject()
        writer.writeMember(#""handling":"#, handling)
        writer.writeMember(#""totalPayment":"#, totalPayment)
        writer.writeMember(#""creditOrDebit":"#, creditOrDebit)
        writer.writeMember(#""method":"#, paymentMethod)
        writer.writeMember(#""date":"#, paymentDate)
        writer.writeMember(#""traceNumber":"#, traceNumber)
        writer.writeMember(#""traceOriginator":"#, traceOriginator)
        writer.endObject()
        writer.writeKey(quoted: #""payer":"#)
        payer.writeJSON(to: &writer)
        writer.writeKey(quoted: #""payee":"#)
        payee.writeJSON(to: &writer)
        writer.writeKey(quoted: #""patient":"#)
        if let patient { patient.writeJSON(to: &writer) } else { writer.writeNull() }
        if let insured {
            writer.writeKey(quoted: #""insured":"#)
            insured.writeJSON(to: &writer)
        }
        if let renderingProvider {
            writer.writeKey(quoted: #""renderingProvider":"#)
            renderingProvider.writeJSON(to: &writer)
        }
        adjustments.writeJSON(to: &writer)
        dates.writeJSON(to: &writer)
        references.writeJSON(#""references":"#, to: &writer)
        writer.writeKey(quoted: #""serviceLines":"#)
        writer.beginArray()
        for line in serviceLines {
            writer.beginObject()
            if let procedure = line.procedure {
                writer.writeKey(quoted: #""procedure":"#)
                procedure.writeJSON(to: &writer)
            }
            writer.writeMember(#""charge":"#, line.charge)
            writer.writeMember(#""paid":"#, line.paid)
            writer.writeMember(#""revenueCode":"#, line.revenueCode)
            writer.writeMember(#""units":"#, line.units)
            if let submitted = line.submittedProcedure {
                writer.writeKey(quoted: #""submittedProcedure":"#)
                submitted.writeJSON(to: &writer)
            }
            writer.writeMember(#""submittedUnits":"#, line.submittedUnits)
            writer.writeMember(#""allowed":"#, line.allowed)
            line.dates.writeJSON(to: &writer)
            line.adjustments.writeJSON(to: &writer)
            writer.writeMember(#""lineItemControlNumber":"#, line.lineItemControlNumber)
            writer.writeKey(quoted: #""remarks":"#)
            writer.beginArray()
            for remark in line.remarks {
                writer.beginObject()
                writer.writeMember(#""qualifier":"#, remark.qualifier)
                writer.writeMember(#""code":"#, remark.code)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }
}
