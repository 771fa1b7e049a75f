/// What validating an X12 input found, arranged the way acknowledgements report it: per interchange (TA1),
/// per functional group (AK9) and per transaction set (AK2…AK5 / IK5, with AK3/IK3 segment and AK4/IK4
/// element errors).
///
/// ``init(validating:maximumSegmentLength:)`` fills it from SNIP level 1 checks (the tokenizer's syntax
/// errors and ``X12EnvelopeValidator``'s findings). SNIP level 2 checks (implementation guides) add
/// ``X12AckSegmentError``s to ``X12AckTransactionSetResult/segmentErrors`` and the acceptance codes follow.
public struct X12AckValidationResult: Sendable, Hashable {
    /// The interchanges, in input order.
    public var interchanges: [X12AckInterchangeResult]
    /// Findings that belong to no interchange (segments before any `ISA`, a missing `ISA`): nothing can
    /// acknowledge them, so callers must report them another way.
    public var unattributedFindings: [X12Error]

    /// A result put together by hand (e.g. by a later validation pass).
    public init(interchanges: [X12AckInterchangeResult], unattributedFindings: [X12Error] = []) {
        self.interchanges = interchanges
        self.unattributedFindings = unattributedFindings
    }

    /// Whether everything was accepted and no error is unattributed (unattributed warnings are allowed).
    public var isAccepted: Bool {
        unattributedFindings.allSatisfy(\.isWarning) && interchanges.allSatisfy {
            $0.acknowledgmentCode.isAccepted && $0.groups.allSatisfy { $0.acknowledgmentCode == .accepted }
        }
    }
}

/// One interchange's header values and findings (what a TA1 reports), and its groups.
public struct X12AckInterchangeResult: Sendable, Hashable {
    /// The interchange as the envelope validator saw it (its `groups` are not used here: see ``groups``).
    public var header: X12InterchangeHeader
    /// Interchange-level errors, each with its TA105 note code, in input order.
    public var findings: [X12AckFinding<X12InterchangeNoteCode>]
    /// Warnings that do not change acceptance (e.g. a non-fixed-width `ISA`).
    public var warnings: [X12Error]
    /// The functional groups, in input order.
    public var groups: [X12AckGroupResult]

    /// An interchange result.
    public init(
        header: X12InterchangeHeader, findings: [X12AckFinding<X12InterchangeNoteCode>] = [], warnings: [X12Error] = [],
        groups: [X12AckGroupResult] = []
    ) {
        self.header = header
        self.findings = findings
        self.warnings = warnings
        self.groups = groups
    }

    /// TA104: `R` when there is any interchange-level finding, else `A`.
    public var acknowledgmentCode: X12AckCode { findings.isEmpty ? .accepted : .rejected }
    /// TA105: the first finding's note code, or `000`.
    public var noteCode: X12InterchangeNoteCode { findings.first?.code ?? .noError }
}

/// The `ISA` values an acknowledgement echoes or swaps.
public struct X12InterchangeHeader: Sendable, Hashable {
    /// ISA05/ISA06 and ISA07/ISA08 (padding kept).
    public var senderQualifier: String, senderID: String, receiverQualifier: String, receiverID: String
    /// ISA09 (YYMMDD) and ISA10 (HHMM), echoed in TA102/TA103.
    public var date: String, time: String
    /// ISA12, e.g. `00401`, `00501`.
    public var version: String
    /// ISA13, echoed in TA101.
    public var controlNumber: String
    /// ISA14 (`1`: the sender asked for a TA1).
    public var acknowledgmentRequested: String
    /// ISA15 (`P` / `T`).
    public var usageIndicator: String
    /// Position of the `ISA` in the input.
    public var position: Int

    /// The header of an interchange the envelope validator built.
    public init(_ interchange: X12Interchange) {
        senderQualifier = interchange.senderQualifier
        senderID = interchange.senderID
        receiverQualifier = interchange.receiverQualifier
        receiverID = interchange.receiverID
        date = interchange.date
        time = interchange.time
        version = interchange.version
        controlNumber = interchange.controlNumber
        acknowledgmentRequested = interchange.acknowledgmentRequested
        usageIndicator = interchange.usageIndicator
        position = interchange.headerPosition
    }
}

/// A finding with the acknowledgement code it maps to and the error that caused it.
public struct X12AckFinding<Code: Sendable & Hashable>: Sendable, Hashable {
    /// The code written in the acknowledgement.
    public var code: Code
    /// What was found (segment position, control numbers, declared vs actual).
    public var cause: X12Error

    /// A finding.
    public init(code: Code, cause: X12Error) {
        self.code = code
        self.cause = cause
    }
}

/// One functional group: what AK1 echoes and AK9 reports.
public struct X12AckGroupResult: Sendable, Hashable {
    /// GS01, e.g. `HC` (AK101).
    public var functionalIdentifier: String
    /// GS02/GS03 (swapped in the acknowledgement's `GS`).
    public var senderCode: String, receiverCode: String
    /// GS06 (AK102).
    public var controlNumber: String
    /// GS08, e.g. `005010X222A1` (AK103 in a 999).
    public var version: String
    /// GE01 as declared when it was a number, else `nil` (AK902 then uses the actual count).
    public var declaredTransactionSetCount: Int?
    /// Group-level errors with their AK905 codes, in input order.
    public var findings: [X12AckFinding<X12GroupErrorCode>]
    /// The transaction sets, in input order.
    public var transactionSets: [X12AckTransactionSetResult]

    /// A group result.
    public init(
        functionalIdentifier: String, senderCode: String, receiverCode: String, controlNumber: String, version: String,
        declaredTransactionSetCount: Int? = nil, findings: [X12AckFinding<X12GroupErrorCode>] = [],
        transactionSets: [X12AckTransactionSetResult] = []
    ) {
        self.functionalIdentifier = functionalIdentifier
        self.senderCode = senderCode
        self.receiverCode = receiverCode
        self.controlNumber = controlNumber
        self.version = version
        self.declaredTransactionSetCount = declaredTransactionSetCount
        self.findings = findings
        self.transactionSets = transactionSets
    }

    /// AK902: GE01 when it was a number, else the sets received.
    public var includedTransactionSetCount: Int { declaredTransactionSetCount ?? transactionSets.count }
    /// AK903: transaction sets received.
    public var receivedTransactionSetCount: Int { transactionSets.count }
    /// AK904: transaction sets accepted (`A` or `E`).
    public var acceptedTransactionSetCount: Int { transactionSets.count { $0.acknowledgmentCode.isAccepted } }

    /// AK901: `R` when the group itself is in error or no set was accepted; `P` when some sets were
    /// rejected; `E` when all were accepted but some with errors; else `A`.
    public var acknowledgmentCode: X12AckCode {
        if !findings.isEmpty { return .rejected }
        let accepted = acceptedTransactionSetCount
        if accepted == 0 && !transactionSets.isEmpty { return .rejected }
        if accepted < transactionSets.count { return .partiallyAccepted }
        return transactionSets.contains { $0.acknowledgmentCode == .acceptedWithErrors } ? .acceptedWithErrors : .accepted
    }
}

/// One transaction set: what AK2 echoes, the AK3/AK4 (IK3/IK4) errors and the AK5/IK5 verdict.
public struct X12AckTransactionSetResult: Sendable, Hashable {
    /// ST01, e.g. `837` (AK201).
    public var identifier: String
    /// ST02 (AK202).
    public var controlNumber: String
    /// ST03 (AK203 in a 999), `nil` when absent.
    public var implementationConvention: String?
    /// Position of the `ST` in the input.
    public var position: Int
    /// Set-level errors (trailer, count, control numbers) with their AK502 codes, in input order.
    public var findings: [X12AckFinding<X12TransactionSetErrorCode>]
    /// Segment errors (AK3/IK3 with their AK4/IK4 element errors); filled by SNIP level 2 checks.
    public var segmentErrors: [X12AckSegmentError]
    /// The implementation guide SNIP level 2 used, `nil` when none ran.
    public var guideID: String?
    /// SNIP level 2 warnings (no guide for the set, trailing element separators): they do not reject the set.
    public var warnings: [X12GuideFinding] = []

    /// A transaction set result.
    public init(
        identifier: String, controlNumber: String, implementationConvention: String?, position: Int,
        findings: [X12AckFinding<X12TransactionSetErrorCode>] = [], segmentErrors: [X12AckSegmentError] = []
    ) {
        self.identifier = identifier
        self.controlNumber = controlNumber
        self.implementationConvention = implementationConvention
        self.position = position
        self.findings = findings
        self.segmentErrors = segmentErrors
    }

    /// AK501/IK501: `R` when anything was found, else `A`.
    public var acknowledgmentCode: X12AckCode {
        findings.isEmpty && segmentErrors.isEmpty ? .accepted : .rejected
    }

    /// AK502…/IK502…: the findings' codes in order, then `5` when there are segment errors; at most five.
    public var errorCodes: [X12TransactionSetErrorCode] {
        var codes: [X12TransactionSetErrorCode] = []
        for finding in findings where !codes.contains(finding.code) { codes.append(finding.code) }
        if !segmentErrors.isEmpty, !codes.contains(.segmentsInError) { codes.append(.segmentsInError) }
        return Array(codes.prefix(5))
    }
}

/// One AK3 / IK3 segment error and its AK4 / IK4 element errors (SNIP level 2).
public struct X12AckSegmentError: Sendable, Hashable {
    /// AK301: the segment id, e.g. `CLM`.
    public var segmentID: String
    /// AK302: the segment's position in the transaction set (`ST` is 1).
    public var position: Int
    /// AK303: the loop id from the implementation guide (e.g. `2300`), `nil` when unknown.
    public var loopID: String?
    /// AK304: the error code (`nil` is allowed when only element errors are reported).
    public var code: X12SegmentErrorCode?
    /// AK4 / IK4 element errors in the segment.
    public var elementErrors: [X12AckElementError]

    /// A segment error.
    public init(
        segmentID: String, position: Int, loopID: String? = nil, code: X12SegmentErrorCode?,
        elementErrors: [X12AckElementError] = []
    ) {
        self.segmentID = segmentID
        self.position = position
        self.loopID = loopID
        self.code = code
        self.elementErrors = elementErrors
    }
}

/// One AK4 / IK4 data element error (SNIP level 2).
public struct X12AckElementError: Sendable, Hashable {
    /// AK401-1 / IK401-1: the element's position in the segment (1-based).
    public var elementPosition: Int
    /// AK401-2 / IK401-2: the component's position in a composite (1-based), `nil` for a simple element.
    public var componentPosition: Int?
    /// IK401-3: the repetition (1-based), 999 only, `nil` when not repeated.
    public var repetitionPosition: Int?
    /// AK402 / IK402: the data element reference number (e.g. 1073), `nil` when unknown.
    public var referenceNumber: Int?
    /// AK403 / IK403: the error code.
    public var code: X12ElementErrorCode
    /// AK404 / IK404: a copy of the bad value, `nil` to leave it out (it may be PHI: callers decide).
    public var badValue: String?

    /// An element error.
    public init(
        elementPosition: Int, componentPosition: Int? = nil, repetitionPosition: Int? = nil, referenceNumber: Int? = nil,
        code: X12ElementErrorCode, badValue: String? = nil
    ) {
        self.elementPosition = elementPosition
        self.componentPosition = componentPosition
        self.repetitionPosition = repetitionPosition
        self.referenceNumber = referenceNumber
        self.code = code
        self.badValue = badValue
    }
}
