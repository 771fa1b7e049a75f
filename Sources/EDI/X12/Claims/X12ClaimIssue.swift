/// A problem found while extracting claims, located by segment position, loop, segment id and element — never by
/// value (claim data is PHI). A claim or payment with an issue is not emitted.
public struct X12ClaimIssue: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// An amount or quantity is not a decimal number.
        case invalidDecimal
        /// A CLM or CLP without its id (CLM01 / CLP01).
        case missingClaimID
        /// A CLM outside any HL level (no 2000B/2000C above it).
        case claimOutsideHierarchy
        /// A service segment (SV1/SV2/SV3/TOO) with no LX before it in the claim.
        case serviceWithoutLine
        /// The transaction set ended (next ST, or end of input) without its SE: its claims are not emitted.
        case transactionSetUnterminated
    }

    /// What went wrong.
    public var kind: Kind
    /// 1-based segment position in the input.
    public var position: Int
    /// The loop the segment stands in (`2300`, `2400`, `2110` …).
    public var loopID: String
    /// The segment id (`CLM`, `SV1` …).
    public var segmentID: String
    /// The element (`CLM02`, `SV102`), when one is at fault.
    public var element: String?

    /// A finding at a segment.
    public init(kind: Kind, position: Int, loopID: String, segmentID: String, element: String? = nil) {
        self.kind = kind
        self.position = position
        self.loopID = loopID
        self.segmentID = segmentID
        self.element = element
    }

    /// `segment 16 CLM in loop 2300 element CLM02: not a decimal number` (no values).
    public var description: String {
        let what: String =
            switch kind {
            case .invalidDecimal: "not a decimal number"
            case .missingClaimID: "claim id missing"
            case .claimOutsideHierarchy: "claim outside any HL level"
            case .serviceWithoutLine: "service segment without LX"
            case .transactionSetUnterminated: "transaction set ends without SE; its claims are dropped"
            }
        let place = element.map { " element \($0)" } ?? ""
        return "segment \(position) \(segmentID) in loop \(loopID)\(place): \(what)"
    }
}
