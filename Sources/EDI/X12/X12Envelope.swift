/// One interchange (`ISA` … `IEA`) as seen while streaming: header values, groups, and where it lies.
public struct X12Interchange: Sendable, Hashable {
    /// ISA05/ISA06 sender qualifier and id (padding kept).
    public var senderQualifier: String, senderID: String
    /// ISA07/ISA08 receiver qualifier and id (padding kept).
    public var receiverQualifier: String, receiverID: String
    /// ISA09 date (YYMMDD) and ISA10 time (HHMM).
    public var date: String, time: String
    /// ISA12 interchange control version number, e.g. `00501`.
    public var version: String
    /// ISA13 interchange control number (compared with IEA02 as a string).
    public var controlNumber: String
    /// ISA14 acknowledgment requested (`1`: send a TA1).
    public var acknowledgmentRequested: String
    /// ISA15 usage indicator (`P` production, `T` test).
    public var usageIndicator: String
    /// The delimiters the ISA declares.
    public var delimiters: X12Delimiters
    /// Bytes from `ISA` to its terminator (106 when fixed width).
    public var isaWidth: Int
    /// Position of the `ISA` and of the `IEA` (`nil` when the input ended before it).
    public var headerPosition: Int, trailerPosition: Int?
    /// Byte offset of the `ISA`.
    public var byteOffset: Int
    /// Positions of interchange-level segments between `ISA` and `IEA` outside groups (`TA1`).
    public var interchangeSegmentPositions: [Int] = []
    /// The functional groups, in order.
    public var groups: [X12FunctionalGroup] = []

    /// Whether the `IEA` was read.
    public var isComplete: Bool { trailerPosition != nil }
}

/// One functional group (`GS` … `GE`).
public struct X12FunctionalGroup: Sendable, Hashable {
    /// GS01 functional identifier code, e.g. `HC` (837), `HP` (835), `FA` (997/999).
    public var functionalIdentifier: String
    /// GS02/GS03 application sender's and receiver's codes.
    public var senderCode: String, receiverCode: String
    /// GS04 date (CCYYMMDD) and GS05 time.
    public var date: String, time: String
    /// GS06 group control number (compared with GE02).
    public var controlNumber: String
    /// GS08 version / release / industry identifier code, e.g. `005010X222A1`.
    public var version: String
    /// Position of the `GS` and of the `GE` (`nil` when missing).
    public var headerPosition: Int, trailerPosition: Int?
    /// The transaction sets, in order (empty when the validator does not retain them).
    public var transactionSets: [X12TransactionSet] = []
    /// Transaction sets seen in the group (what GE01 should say), retained or not.
    public var transactionSetCount = 0

    /// Whether the `GE` was read.
    public var isComplete: Bool { trailerPosition != nil }
}

/// One transaction set (`ST` … `SE`) and the segments it spans.
public struct X12TransactionSet: Sendable, Hashable {
    /// ST01 transaction set identifier code, e.g. `837`.
    public var identifier: String
    /// ST02 transaction set control number (compared with SE02 as a string).
    public var controlNumber: String
    /// ST03 implementation convention reference, e.g. `005010X222A1` (`nil` when absent or empty).
    public var implementationConvention: String?
    /// Position of the `ST` and of the `SE` (`nil` when missing).
    public var headerPosition: Int, trailerPosition: Int?
    /// Byte offset of the `ST`, and of the byte after the `SE`'s terminator (`nil` when missing).
    public var byteOffset: Int, endByteOffset: Int?
    /// Segments counted from `ST` to `SE` inclusive (what SE01 should say).
    public var segmentCount: Int

    /// Whether the `SE` was read.
    public var isComplete: Bool { trailerPosition != nil }
    /// Positions of the set's segments, `ST` to `SE` (or to the last segment read).
    public var segmentPositions: ClosedRange<Int> { headerPosition...(headerPosition + segmentCount - 1) }
}

/// Checks the `ISA/IEA`, `GS/GE` and `ST/SE` nesting, counts and control numbers while segments stream by,
/// and builds the envelope model.
///
/// X12.6: IEA01 counts functional groups, GE01 transaction sets, SE01 segments from `ST` to `SE` inclusive;
/// IEA02 = ISA13, GE02 = GS06, SE02 = ST02, compared as strings (leading zeros and spaces matter).
/// Findings do not stop the stream: one bad set leaves its siblings intact. Feed every segment to
/// ``consume(_:)``, then call ``finish()``. Drain ``takeCompletedInterchanges()`` to keep memory constant.
public struct X12EnvelopeValidator: Sendable {
    /// Errors and warnings found so far, in input order.
    public private(set) var issues: [X12Error] = []
    private var completed: [X12Interchange] = []
    private var interchange: X12Interchange?
    private var group: X12FunctionalGroup?
    private var transactionSet: X12TransactionSet?
    /// Whether `transactionSet` is open: the hot path reads this flag, never the optional (whose copies and
    /// checks went through value witnesses on every segment).
    private var isInTransactionSet = false
    /// Segments of the open set counted on the hot path, not yet added to its `segmentCount`.
    private var uncountedSegments = 0
    /// Whether `lastClosedTransactionSet` holds a set (so it is cleared only when there is something to clear).
    private var hasLastClosedTransactionSet = false
    private var lastPosition = 0

    /// Whether groups keep their ``X12TransactionSet``s. Turn off for constant memory on interchanges with
    /// very many sets; take each set from ``lastClosedTransactionSet`` instead. Default: true.
    public let retainsTransactionSets: Bool
    /// The transaction set closed by the last ``consume(_:)`` (by its `SE`, or by a segment that ended it
    /// early), else `nil`.
    public private(set) var lastClosedTransactionSet: X12TransactionSet?

    /// A validator with nothing seen. `retainsTransactionSets` Default: true.
    public init(retainsTransactionSets: Bool = true) {
        self.retainsTransactionSets = retainsTransactionSets
    }

    /// Interchanges whose `IEA` was read (or that were closed by a new `ISA` or ``finish()``), not yet taken.
    public mutating func takeCompletedInterchanges() -> [X12Interchange] {
        defer { completed.removeAll(keepingCapacity: true) }
        return completed
    }

    /// The errors among ``issues`` (warnings left out).
    public var errors: [X12Error] { issues.filter { !$0.isWarning } }

    /// Takes one segment into account.
    public mutating func consume(_ segment: X12SegmentView) {
        consume(segment, envelopeID: X12EnvelopeSegmentID(segment))
    }

    /// ``consume(_:)`` with the segment's envelope id already read (by a caller that needs it too).
    mutating func consume(_ segment: X12SegmentView, envelopeID: X12EnvelopeSegmentID) {
        lastPosition = segment.position
        if hasLastClosedTransactionSet {
            lastClosedTransactionSet = nil
            hasLastClosedTransactionSet = false
        }
        if !segment.isTerminated {
            issues.append(.unterminatedFinalSegment(position: segment.position, offset: segment.byteOffset))
        }
        // Fast path: a segment inside a transaction set that is not an envelope segment (no String, no copy, the
        // id told from its first bytes).
        if isInTransactionSet, envelopeID == .other {
            uncountedSegments += 1
            return
        }
        let idBytes = segment.idBytes
        func isID(_ id: StaticString) -> Bool {
            idBytes.elementsEqual(UnsafeRawBufferPointer(start: id.utf8Start, count: id.utf8CodeUnitCount))
        }
        countSegmentsOfOpenSet()
        func text(_ index: Int) -> String { segment.element(index)?.text ?? "" }
        let position = segment.position
        if isID("ISA") {
            if interchange != nil {
                issues.append(.unexpectedSegment(position: position, segmentID: "ISA", expected: "IEA"))
                closeInterchange()
            }
            interchange = X12Interchange(
                senderQualifier: text(5), senderID: text(6), receiverQualifier: text(7), receiverID: text(8),
                date: text(9), time: text(10), version: text(12), controlNumber: text(13),
                acknowledgmentRequested: text(14), usageIndicator: text(15), delimiters: segment.delimiters,
                isaWidth: segment.bytes.count, headerPosition: position, trailerPosition: nil,
                byteOffset: segment.byteOffset)
            if segment.bytes.count != 105 {
                issues.append(.isaNotFixedWidth(position: position, width: segment.bytes.count + 1))
            }
        } else if isID("GS") {
            guard interchange != nil else {
                issues.append(.unexpectedSegment(position: position, segmentID: "GS", expected: "ISA"))
                return
            }
            if group != nil {
                issues.append(.unexpectedSegment(position: position, segmentID: "GS", expected: "GE"))
                closeGroup()
            }
            group = X12FunctionalGroup(
                functionalIdentifier: text(1), senderCode: text(2), receiverCode: text(3), date: text(4),
                time: text(5), controlNumber: text(6), version: text(8), headerPosition: position, trailerPosition: nil)
        } else if isID("ST") {
            guard group != nil else {
                issues.append(.unexpectedSegment(position: position, segmentID: "ST", expected: interchange == nil ? "ISA" : "GS"))
                return
            }
            if transactionSet != nil {
                issues.append(.unexpectedSegment(position: position, segmentID: "ST", expected: "SE"))
                closeTransactionSet()
            }
            let convention = text(3)
            isInTransactionSet = true
            transactionSet = X12TransactionSet(
                identifier: text(1), controlNumber: text(2), implementationConvention: convention.isEmpty ? nil : convention,
                headerPosition: position, trailerPosition: nil, byteOffset: segment.byteOffset, endByteOffset: nil,
                segmentCount: 1)
        } else if isID("SE") {
            guard var set = transactionSet else {
                issues.append(.unexpectedSegment(position: position, segmentID: "SE", expected: group == nil ? "ISA or GS" : "ST or GE"))
                return
            }
            set.segmentCount += 1
            set.trailerPosition = position
            set.endByteOffset = segment.byteOffset + segment.bytes.count + Int(segment.delimiters.terminatorCount)
            checkCount(text(1), element: "SE01", position: position, actual: set.segmentCount) {
                .segmentCountMismatch(position: position, controlNumber: set.controlNumber, declared: $0, actual: $1)
            }
            if text(2) != set.controlNumber {
                issues.append(.controlNumberMismatch(position: position, element: "SE02", header: set.controlNumber, trailer: text(2)))
            }
            transactionSet = set
            closeTransactionSet()
        } else if isID("GE") {
            guard group != nil else {
                issues.append(.unexpectedSegment(position: position, segmentID: "GE", expected: interchange == nil ? "ISA" : "GS or IEA"))
                return
            }
            closeTransactionSet()
            guard var current = group else { return }
            current.trailerPosition = position
            checkCount(text(1), element: "GE01", position: position, actual: current.transactionSetCount) {
                .transactionSetCountMismatch(position: position, controlNumber: current.controlNumber, declared: $0, actual: $1)
            }
            if text(2) != current.controlNumber {
                issues.append(.controlNumberMismatch(position: position, element: "GE02", header: current.controlNumber, trailer: text(2)))
            }
            group = current
            closeGroup()
        } else if isID("IEA") {
            guard interchange != nil else {
                issues.append(.unexpectedSegment(position: position, segmentID: "IEA", expected: "ISA"))
                return
            }
            closeGroup()
            guard var current = interchange else { return }
            current.trailerPosition = position
            checkCount(text(1), element: "IEA01", position: position, actual: current.groups.count) {
                .functionalGroupCountMismatch(position: position, controlNumber: current.controlNumber, declared: $0, actual: $1)
            }
            if text(2) != current.controlNumber {
                issues.append(.controlNumberMismatch(position: position, element: "IEA02", header: current.controlNumber, trailer: text(2)))
            }
            interchange = current
            closeInterchange()
        } else if transactionSet != nil {
            transactionSet?.segmentCount += 1
        } else if group != nil {
            issues.append(.unexpectedSegment(position: position, segmentID: segment.id, expected: "ST or GE"))
        } else if interchange != nil {
            if isID("TA1") {
                interchange?.interchangeSegmentPositions.append(position)
            } else {
                issues.append(.unexpectedSegment(position: position, segmentID: segment.id, expected: "GS, TA1 or IEA"))
            }
        } else {
            issues.append(.unexpectedSegment(position: position, segmentID: segment.id, expected: "ISA"))
        }
    }

    /// Ends the input: every envelope still open is reported as missing its trailer and closed.
    public mutating func finish() {
        closeInterchange()
    }

    /// Adds the segments the hot path counted to the open set's `segmentCount`.
    private mutating func countSegmentsOfOpenSet() {
        guard uncountedSegments > 0 else { return }
        transactionSet?.segmentCount += uncountedSegments
        uncountedSegments = 0
    }

    private mutating func checkCount(
        _ text: String, element: String, position: Int, actual: Int, mismatch: (Int, Int) -> X12Error
    ) {
        guard let declared = Int(text), !text.isEmpty, text.allSatisfy(\.isASCII) else {
            issues.append(.invalidCount(position: position, element: element, found: text))
            return
        }
        if declared != actual { issues.append(mismatch(declared, actual)) }
    }

    private mutating func closeTransactionSet() {
        countSegmentsOfOpenSet()
        guard let set = transactionSet else { return }
        if !set.isComplete {
            issues.append(.missingTrailer(position: lastPosition, trailer: "SE", controlNumber: set.controlNumber))
        }
        group?.transactionSetCount += 1
        if retainsTransactionSets { group?.transactionSets.append(set) }
        lastClosedTransactionSet = set
        hasLastClosedTransactionSet = true
        transactionSet = nil
        isInTransactionSet = false
    }

    private mutating func closeGroup() {
        closeTransactionSet()
        guard let current = group else { return }
        if !current.isComplete {
            issues.append(.missingTrailer(position: lastPosition, trailer: "GE", controlNumber: current.controlNumber))
        }
        interchange?.groups.append(current)
        group = nil
    }

    private mutating func closeInterchange() {
        closeGroup()
        guard let current = interchange else { return }
        if !current.isComplete {
            issues.append(.missingTrailer(position: lastPosition, trailer: "IEA", controlNumber: current.controlNumber))
        }
        completed.append(current)
        interchange = nil
    }
}

/// Which envelope segment a segment is (`ISA`, `IEA`, `GS`, `GE`, `ST`, `SE`), or `other`, read from its first
/// bytes without making a `String` or scanning the id: the hot path of the envelope validator and of
/// ``X12ClaimEventConversion`` (most segments are told apart by their first two bytes).
enum X12EnvelopeSegmentID: Equatable {
    case isa, iea, gs, ge, st, se, other

    @inline(__always)
    init(_ segment: X12SegmentView) {
        let bytes = segment.bytes
        let count = bytes.count
        guard count >= 2 else {
            self = .other
            return
        }
        let separator = segment.delimiters.element
        let first = bytes[0]
        let second = bytes[1]
        // An id never contains the separator (as `X12SegmentView.hasID(_:)` reads it, whatever the separator is).
        guard first != separator, second != separator else {
            self = .other
            return
        }
        // Two-letter ids end at the separator (or the segment's end); ISA/IEA have an `A` third.
        let endsAtTwo = count == 2 || bytes[2] == separator
        let endsAtThreeWithA =
            count >= 3 && bytes[2] == UInt8(ascii: "A") && separator != UInt8(ascii: "A")
            && (count == 3 || bytes[3] == separator)
        switch (first, second) {
        case (UInt8(ascii: "S"), UInt8(ascii: "T")): self = endsAtTwo ? .st : .other
        case (UInt8(ascii: "S"), UInt8(ascii: "E")): self = endsAtTwo ? .se : .other
        case (UInt8(ascii: "G"), UInt8(ascii: "S")): self = endsAtTwo ? .gs : .other
        case (UInt8(ascii: "G"), UInt8(ascii: "E")): self = endsAtTwo ? .ge : .other
        case (UInt8(ascii: "I"), UInt8(ascii: "S")): self = endsAtThreeWithA ? .isa : .other
        case (UInt8(ascii: "I"), UInt8(ascii: "E")): self = endsAtThreeWithA ? .iea : .other
        default: self = .other
        }
    }
}
