extension X12AckValidationResult {
    /// Tokenizes and envelope-checks `bytes` (SNIP level 1) and arranges the findings for acknowledgements.
    ///
    /// A fatal syntax error (``X12Error`` syntax cases) stops reading: the envelopes still open are closed as
    /// missing their trailers, and the error itself goes to the open interchange (TA105 `004`, `022`, `023`,
    /// `024`, `026` or `027`) or, when no interchange is open, to ``unattributedFindings``.
    ///
    /// SNIP level 2 runs in the same pass when `guides` is not `nil` (the default): each transaction set whose
    /// ST03 / `REF*87` / GS08 names a bundled guide is checked against it (``X12GuideValidator``) and its
    /// findings become ``X12AckTransactionSetResult/segmentErrors`` (AK3/AK4, IK3/IK4); a set without a guide is
    /// checked at SNIP level 1 only and carries a `noGuide` warning. Pass `guides: nil` for SNIP level 1 only.
    public init(
        validating bytes: UnsafeRawBufferPointer, maximumSegmentLength: Int = 1 << 20,
        allowsUnterminatedFinalSegment: Bool = false, guides: X12GuideValidator.Options? = .init()
    ) {
        var validator = X12EnvelopeValidator()
        var run = guides.map { X12GuideValidationRun(options: $0) }
        var syntaxError: X12Error?
        do throws(X12Error) {
            try X12SegmentFramer.forEachSegment(
                in: bytes, maximumSegmentLength: maximumSegmentLength,
                allowsUnterminatedFinalSegment: allowsUnterminatedFinalSegment
            ) { view in
                validator.consume(view)
                run?.consume(view)
            }
        } catch {
            syntaxError = error
        }
        validator.finish()
        self.init(interchanges: validator.takeCompletedInterchanges(), issues: validator.issues, syntaxError: syntaxError)
        if let run { attach(run.results) }
    }

    /// Tokenizes and envelope-checks `bytes`; see ``init(validating:maximumSegmentLength:allowsUnterminatedFinalSegment:guides:)-(UnsafeRawBufferPointer,_,_,_)``.
    public init(
        validating bytes: [UInt8], maximumSegmentLength: Int = 1 << 20, allowsUnterminatedFinalSegment: Bool = false,
        guides: X12GuideValidator.Options? = .init()
    ) {
        self = bytes.withUnsafeBytes {
            X12AckValidationResult(
                validating: $0, maximumSegmentLength: maximumSegmentLength,
                allowsUnterminatedFinalSegment: allowsUnterminatedFinalSegment, guides: guides)
        }
    }

    /// Puts SNIP level 2 results into the transaction sets they belong to (matched by the `ST` position):
    /// segment-level findings become one AK3/IK3 each; element findings of the same segment one AK3/IK3 with
    /// code 8 and their AK4/IK4s; warnings go to ``X12AckTransactionSetResult/warnings``.
    public mutating func attach(_ results: [Int: X12GuideValidationRun.SetResult]) {
        for i in interchanges.indices {
            for g in interchanges[i].groups.indices {
                for s in interchanges[i].groups[g].transactionSets.indices {
                    let position = interchanges[i].groups[g].transactionSets[s].position
                    guard let result = results[position] else { continue }
                    interchanges[i].groups[g].transactionSets[s].guideID = result.guideID
                    var errors: [X12AckSegmentError] = []
                    var warnings: [X12GuideFinding] = []
                    for finding in result.findings {
                        if finding.isWarning {
                            warnings.append(finding)
                            continue
                        }
                        switch finding.kind {
                        case let .segment(code):
                            errors.append(X12AckSegmentError(
                                segmentID: finding.segmentID, position: finding.setPosition, loopID: finding.loopID,
                                code: code))
                        case let .element(code):
                            let element = X12AckElementError(
                                elementPosition: finding.elementPosition ?? 0, componentPosition: finding.componentPosition,
                                repetitionPosition: finding.repetitionPosition, referenceNumber: finding.referenceNumber,
                                code: code, badValue: finding.badValue)
                            if let last = errors.last, last.code == .hasElementErrors, last.position == finding.setPosition,
                                last.segmentID == finding.segmentID
                            {
                                errors[errors.count - 1].elementErrors.append(element)
                            } else {
                                errors.append(X12AckSegmentError(
                                    segmentID: finding.segmentID, position: finding.setPosition, loopID: finding.loopID,
                                    code: .hasElementErrors, elementErrors: [element]))
                            }
                        case .trailingElementSeparators, .noGuide:
                            warnings.append(finding)
                        }
                    }
                    interchanges[i].groups[g].transactionSets[s].segmentErrors += errors
                    interchanges[i].groups[g].transactionSets[s].warnings += warnings
                }
            }
        }
    }

    /// Arranges what ``X12EnvelopeValidator`` found (its interchanges and `issues`, after `finish()`) and an
    /// optional fatal syntax error by interchange, group and transaction set, with their acknowledgement codes.
    ///
    /// Mapping: SE01 count / SE02 / missing `SE` → AK502 `4` / `3` / `2`; GE01 / GE02 / missing `GE` →
    /// AK905 `5` / `4` / `3`; IEA01 / IEA02 / missing `IEA` → TA105 `021` / `001` / `023`; a segment out of
    /// place inside an interchange → TA105 `024`. An `ISA`, `GS` or `ST` that arrives before the previous
    /// trailer is reported through the missing trailer only.
    public init(interchanges: [X12Interchange], issues: [X12Error], syntaxError: X12Error? = nil) {
        var results: [X12AckInterchangeResult] = []
        var unattributed: [X12Error] = []
        var interchangeEnds: [Int] = []
        var setByTrailer: [Int: (Int, Int, Int)] = [:]
        var groupByTrailer: [Int: (Int, Int)] = [:]
        var interchangeByTrailer: [Int: Int] = [:]

        for (i, interchange) in interchanges.enumerated() {
            let nextHeader = i + 1 < interchanges.count ? interchanges[i + 1].headerPosition - 1 : Int.max
            interchangeEnds.append(interchange.trailerPosition ?? nextHeader)
            if let trailer = interchange.trailerPosition { interchangeByTrailer[trailer] = i }
            var groups: [X12AckGroupResult] = []
            for (g, group) in interchange.groups.enumerated() {
                if let trailer = group.trailerPosition { groupByTrailer[trailer] = (i, g) }
                var sets: [X12AckTransactionSetResult] = []
                for (s, set) in group.transactionSets.enumerated() {
                    if let trailer = set.trailerPosition { setByTrailer[trailer] = (i, g, s) }
                    sets.append(X12AckTransactionSetResult(
                        identifier: set.identifier, controlNumber: set.controlNumber,
                        implementationConvention: set.implementationConvention, position: set.headerPosition))
                }
                groups.append(X12AckGroupResult(
                    functionalIdentifier: group.functionalIdentifier, senderCode: group.senderCode,
                    receiverCode: group.receiverCode, controlNumber: group.controlNumber, version: group.version,
                    declaredTransactionSetCount: group.isComplete ? group.transactionSetCount : nil,
                    transactionSets: sets))
            }
            results.append(X12AckInterchangeResult(header: X12InterchangeHeader(interchange), groups: groups))
        }

        func interchangeIndex(containing position: Int) -> Int? {
            interchanges.indices.first { interchanges[$0].headerPosition <= position && position <= interchangeEnds[$0] }
        }

        for issue in issues {
            switch issue {
            case let .segmentCountMismatch(position, _, _, _):
                if let (i, g, s) = setByTrailer[position] {
                    results[i].groups[g].transactionSets[s].findings.append(.init(code: .segmentCountMismatch, cause: issue))
                } else { unattributed.append(issue) }
            case let .transactionSetCountMismatch(position, _, declared, _):
                if let (i, g) = groupByTrailer[position] {
                    results[i].groups[g].findings.append(.init(code: .transactionSetCountMismatch, cause: issue))
                    results[i].groups[g].declaredTransactionSetCount = declared
                } else { unattributed.append(issue) }
            case let .functionalGroupCountMismatch(position, _, _, _):
                if let i = interchangeByTrailer[position] {
                    results[i].findings.append(.init(code: .invalidNumberOfIncludedGroups, cause: issue))
                } else { unattributed.append(issue) }
            case let .controlNumberMismatch(position, element, _, _), let .invalidCount(position, element, _):
                let isCount: Bool
                if case .invalidCount = issue { isCount = true } else { isCount = false }
                switch element {
                case "SE01", "SE02":
                    guard let (i, g, s) = setByTrailer[position] else { unattributed.append(issue); continue }
                    results[i].groups[g].transactionSets[s].findings.append(
                        .init(code: isCount ? .segmentCountMismatch : .controlNumberMismatch, cause: issue))
                case "GE01", "GE02":
                    guard let (i, g) = groupByTrailer[position] else { unattributed.append(issue); continue }
                    if isCount { results[i].groups[g].declaredTransactionSetCount = nil }
                    results[i].groups[g].findings.append(
                        .init(code: isCount ? .transactionSetCountMismatch : .controlNumberMismatch, cause: issue))
                case "IEA01", "IEA02":
                    guard let i = interchangeByTrailer[position] else { unattributed.append(issue); continue }
                    results[i].findings.append(
                        .init(code: isCount ? .invalidNumberOfIncludedGroups : .controlNumberMismatch, cause: issue))
                default:
                    unattributed.append(issue)
                }
            case let .missingTrailer(_, trailer, controlNumber):
                if !attributeMissingTrailer(trailer, controlNumber: controlNumber, issue: issue, to: &results, interchanges) {
                    unattributed.append(issue)
                }
            case let .unexpectedSegment(position, segmentID, expected):
                let reopened = (segmentID == "ISA" && expected == "IEA") || (segmentID == "GS" && expected == "GE")
                    || (segmentID == "ST" && expected == "SE")
                if reopened { continue }
                if let i = interchangeIndex(containing: position) {
                    results[i].findings.append(.init(code: .invalidInterchangeContent, cause: issue))
                } else {
                    unattributed.append(issue)
                }
            case let .isaNotFixedWidth(position, _), let .unterminatedFinalSegment(position, _):
                if let i = interchangeIndex(containing: position) {
                    results[i].warnings.append(issue)
                } else {
                    unattributed.append(issue)
                }
            default:
                unattributed.append(issue)
            }
        }

        if let syntaxError {
            if let last = results.indices.last, !interchanges[last].isComplete {
                results[last].findings.insert(.init(code: Self.noteCode(for: syntaxError), cause: syntaxError), at: 0)
            } else {
                unattributed.append(syntaxError)
            }
        }
        self.init(interchanges: results, unattributedFindings: unattributed)
    }

    /// The TA105 note code for a fatal syntax error inside an interchange.
    static func noteCode(for error: X12Error) -> X12InterchangeNoteCode {
        switch error {
        case let .invalidDelimiter(role, _, _):
            switch role {
            case "element": .invalidElementSeparator
            case "component": .invalidComponentSeparator
            case "segment": .invalidSegmentTerminator
            default: .invalidControlStructure
            }
        case .truncatedISA, .malformedISA: .invalidControlStructure
        case .missingSegmentTerminator: .prematureEndOfFile
        default: .invalidInterchangeContent
        }
    }
}

/// Gives a `missingTrailer` finding to the first open set, group or interchange with that control number
/// that does not have one yet.
private func attributeMissingTrailer(
    _ trailer: String, controlNumber: String, issue: X12Error, to results: inout [X12AckInterchangeResult],
    _ interchanges: [X12Interchange]
) -> Bool {
    for (i, interchange) in interchanges.enumerated() {
        switch trailer {
        case "IEA":
            if !interchange.isComplete, interchange.controlNumber == controlNumber,
                !results[i].findings.contains(where: { $0.code == .prematureEndOfFile })
            {
                results[i].findings.append(.init(code: .prematureEndOfFile, cause: issue))
                return true
            }
        case "GE":
            for (g, group) in interchange.groups.enumerated()
            where !group.isComplete && group.controlNumber == controlNumber
                && !results[i].groups[g].findings.contains(where: { $0.code == .trailerMissing })
            {
                results[i].groups[g].findings.append(.init(code: .trailerMissing, cause: issue))
                return true
            }
        case "SE":
            for (g, group) in interchange.groups.enumerated() {
                for (s, set) in group.transactionSets.enumerated()
                where !set.isComplete && set.controlNumber == controlNumber
                    && !results[i].groups[g].transactionSets[s].findings.contains(where: { $0.code == .trailerMissing })
                {
                    results[i].groups[g].transactionSets[s].findings.append(.init(code: .trailerMissing, cause: issue))
                    return true
                }
            }
        default:
            return false
        }
    }
    return false
}
