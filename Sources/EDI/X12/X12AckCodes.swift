/// TA104 interchange acknowledgment code (X12 data element I17) and the acceptance codes of AK501/IK501
/// (element 717, transaction set) and AK901 (element 715, functional group).
///
/// Only the codes Ferry emits are listed: `M`, `W` and `X` (security/assurance failures) need X12.58
/// security structures that Ferry does not read.
public enum X12AckCode: String, Sendable, Hashable, CaseIterable {
    /// `A`: accepted.
    case accepted = "A"
    /// `E`: accepted, but errors were noted.
    case acceptedWithErrors = "E"
    /// `P`: partially accepted, at least one transaction set was rejected (AK901 only).
    case partiallyAccepted = "P"
    /// `R`: rejected.
    case rejected = "R"

    /// Whether the thing acknowledged counts as accepted (`A` or `E`; AK904 counts these).
    public var isAccepted: Bool { self == .accepted || self == .acceptedWithErrors }
}

/// TA105 interchange note code (X12 data element I18): why an interchange header or trailer is in error.
public enum X12InterchangeNoteCode: String, Sendable, Hashable, CaseIterable {
    /// `000`: no error.
    case noError = "000"
    /// `001`: the interchange control numbers in the header (ISA13) and trailer (IEA02) do not match;
    /// the header's value is used in the acknowledgment.
    case controlNumberMismatch = "001"
    /// `004`: the segment terminator is invalid.
    case invalidSegmentTerminator = "004"
    /// `021`: invalid number of included groups value (IEA01).
    case invalidNumberOfIncludedGroups = "021"
    /// `022`: invalid control structure (e.g. a malformed or truncated `ISA`).
    case invalidControlStructure = "022"
    /// `023`: improper (premature) end-of-file: the input ended before the `IEA`.
    case prematureEndOfFile = "023"
    /// `024`: invalid interchange content (e.g. a segment out of place between groups, garbage, a bad `GS`).
    case invalidInterchangeContent = "024"
    /// `025`: duplicate interchange control number (ISA13 seen before in the same input).
    case duplicateControlNumber = "025"
    /// `026`: invalid data element separator.
    case invalidElementSeparator = "026"
    /// `027`: invalid component element separator.
    case invalidComponentSeparator = "027"
}

/// AK905–AK909 functional group syntax error code (X12 data element 716).
public enum X12GroupErrorCode: String, Sendable, Hashable, CaseIterable {
    /// `1`: functional group not supported.
    case notSupported = "1"
    /// `2`: functional group version not supported.
    case versionNotSupported = "2"
    /// `3`: functional group trailer (`GE`) missing.
    case trailerMissing = "3"
    /// `4`: group control numbers in the header (GS06) and trailer (GE02) do not agree.
    case controlNumberMismatch = "4"
    /// `5`: the number of included transaction sets (GE01) does not match the actual count.
    case transactionSetCountMismatch = "5"
    /// `6`: group control number violates syntax.
    case controlNumberSyntax = "6"
}

/// AK502–AK506 transaction set syntax error code (X12 data element 718) and IK502–IK506 implementation
/// transaction set syntax error code (element 618, the same values plus `I5` and `I6`, used only in a 999).
public enum X12TransactionSetErrorCode: String, Sendable, Hashable, CaseIterable {
    /// `1`: transaction set not supported.
    case notSupported = "1"
    /// `2`: transaction set trailer (`SE`) missing.
    case trailerMissing = "2"
    /// `3`: transaction set control numbers in the header (ST02) and trailer (SE02) do not match.
    case controlNumberMismatch = "3"
    /// `4`: the number of included segments (SE01) does not match the actual count.
    case segmentCountMismatch = "4"
    /// `5`: one or more segments in error (there are AK3/IK3 segment errors).
    case segmentsInError = "5"
    /// `6`: missing or invalid transaction set identifier (ST01).
    case invalidIdentifier = "6"
    /// `7`: missing or invalid transaction set control number (ST02).
    case invalidControlNumber = "7"
    /// `23`: transaction set control number not unique within the functional group.
    case duplicateControlNumber = "23"
    /// `I5`: implementation, one or more segments in error (999 only).
    case implementationSegmentsInError = "I5"
    /// `I6`: implementation convention not supported (999 only).
    case implementationConventionNotSupported = "I6"
}

/// AK304 segment syntax error code (X12 data element 720) and IK304 implementation segment syntax error code
/// (element 620: the same values plus the `I` codes, used only in a 999).
///
/// Slots for SNIP level 2 findings (implementation-guide structure); Ferry's SNIP level 1 checks do not
/// produce them yet.
public enum X12SegmentErrorCode: String, Sendable, Hashable, CaseIterable {
    /// `1`: unrecognized segment id.
    case unrecognizedSegmentID = "1"
    /// `2`: unexpected segment.
    case unexpectedSegment = "2"
    /// `3`: required (mandatory) segment missing.
    case mandatorySegmentMissing = "3"
    /// `4`: loop occurs over maximum times.
    case loopOverMaximum = "4"
    /// `5`: segment exceeds maximum use.
    case segmentOverMaximumUse = "5"
    /// `6`: segment not in defined transaction set.
    case segmentNotInTransactionSet = "6"
    /// `7`: segment not in proper sequence.
    case segmentOutOfSequence = "7"
    /// `8`: segment has data element errors (AK4/IK4 follow).
    case hasElementErrors = "8"
    /// `I4`: implementation "not used" segment present (999 only).
    case implementationNotUsedSegmentPresent = "I4"
    /// `I6`: implementation dependent segment missing (999 only).
    case implementationDependentSegmentMissing = "I6"
    /// `I7`: implementation loop occurs under minimum times (999 only).
    case implementationLoopUnderMinimum = "I7"
    /// `I8`: implementation segment below minimum use (999 only).
    case implementationSegmentBelowMinimumUse = "I8"
    /// `I9`: implementation dependent "not used" segment present (999 only).
    case implementationDependentNotUsedSegmentPresent = "I9"
}

/// AK403 data element syntax error code (X12 data element 723) and IK403 implementation data element syntax
/// error code (element 621: the same values plus the `I` codes, used only in a 999).
public enum X12ElementErrorCode: String, Sendable, Hashable, CaseIterable {
    /// `1`: required (mandatory) data element missing.
    case mandatoryElementMissing = "1"
    /// `2`: conditional required data element missing.
    case conditionalElementMissing = "2"
    /// `3`: too many data elements.
    case tooManyElements = "3"
    /// `4`: data element too short.
    case tooShort = "4"
    /// `5`: data element too long.
    case tooLong = "5"
    /// `6`: invalid character in data element.
    case invalidCharacter = "6"
    /// `7`: invalid code value.
    case invalidCodeValue = "7"
    /// `8`: invalid date.
    case invalidDate = "8"
    /// `9`: invalid time.
    case invalidTime = "9"
    /// `10`: exclusion condition violated.
    case exclusionConditionViolated = "10"
    /// `12`: too many repetitions.
    case tooManyRepetitions = "12"
    /// `13`: too many components.
    case tooManyComponents = "13"
    /// `I10`: implementation "not used" data element present (999 only).
    case implementationNotUsedElementPresent = "I10"
    /// `I11`: implementation too few repetitions (999 only).
    case implementationTooFewRepetitions = "I11"
    /// `I12`: implementation pattern match failure (999 only).
    case implementationPatternMatchFailure = "I12"
    /// `I13`: implementation dependent "not used" data element present (999 only).
    case implementationDependentNotUsedElementPresent = "I13"
    /// `I6`: code value not used in implementation (999 only).
    case implementationCodeValueNotUsed = "I6"
    /// `I9`: implementation dependent data element missing (999 only).
    case implementationDependentElementMissing = "I9"
}

extension X12SegmentErrorCode {
    /// The code a 997 (AK304, no `I` codes) writes: `I4`/`I9` (not-used segment present) → `2` (unexpected
    /// segment), `I6`/`I8` → `3`, `I7` → `3`.
    public var functional997Code: X12SegmentErrorCode {
        switch self {
        case .implementationNotUsedSegmentPresent, .implementationDependentNotUsedSegmentPresent: .unexpectedSegment
        case .implementationDependentSegmentMissing, .implementationLoopUnderMinimum, .implementationSegmentBelowMinimumUse:
            .mandatorySegmentMissing
        default: self
        }
    }
}

extension X12ElementErrorCode {
    /// The code a 997 (AK403, no `I` codes) writes: `I10`/`I13` (not-used element present) → `10`, as pyx12
    /// does; `I9` → `2`; `I6` → `7`; `I11`/`I12` → `7`.
    public var functional997Code: X12ElementErrorCode {
        switch self {
        case .implementationNotUsedElementPresent, .implementationDependentNotUsedElementPresent: .exclusionConditionViolated
        case .implementationDependentElementMissing: .conditionalElementMissing
        case .implementationCodeValueNotUsed, .implementationTooFewRepetitions, .implementationPatternMatchFailure:
            .invalidCodeValue
        default: self
        }
    }
}
