/// An envelope problem found by ``EDIFACTEnvelopeValidator``, located and tied to ISO 9735 syntax error codes.
public struct EDIFACTEnvelopeIssue: Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Sendable, Hashable {
        /// UNT01 / UNE01 / UNZ01 differs from the number counted.
        case countMismatch
        /// UNT02 / UNE02 / UNZ02 differs from UNH01 / UNG05 / UNB05.
        case referenceMismatch
        /// A trailer (UNT, UNE, UNZ) is missing: the next header or the end of input came first.
        case missingTrailer
        /// A required envelope element (e.g. UNB05, UNH01, UNH02) is empty.
        case missingElement
        /// A segment occurs outside a message, or a trailer without its header.
        case unexpectedSegment
        /// Messages directly in the interchange and inside UNG groups at once.
        case groupsAndMessagesMixed
        /// The tokenizer rejected a segment here (bad tag, too long, unterminated); it counts as one segment.
        case syntaxError(EDIFACTError)
    }

    /// What is wrong.
    public var kind: Kind
    /// Tag of the segment where it was found (`UNT`, `UNZ`, … or the stray segment's tag; `EOF` at end of input).
    public var tag: String
    /// 1-based position of that segment in the input (one past the last at end of input).
    public var segmentPosition: Int
    /// Byte offset of that segment (input length at end of input).
    public var byteOffset: Int
    /// Data element (e.g. `UNT01`) concerned, when one is.
    public var element: String?
    /// What the envelope required (a count, a reference or a segment tag).
    public var expected: String?
    /// What was found.
    public var found: String?
    /// Interchange control reference (UNB05) of the enclosing interchange.
    public var interchangeReference: String?
    /// Group reference (UNG05) when inside a group.
    public var groupReference: String?
    /// Message reference (UNH01) when inside a message.
    public var messageReference: String?

    /// The ISO 9735 syntax error code (data element 0085) a CONTRL reports for this issue.
    public var syntaxErrorCode: Int {
        switch kind {
        case .countMismatch: 29
        case .referenceMismatch: 28
        case .missingTrailer, .missingElement: 13
        case .unexpectedSegment: 33
        case .groupsAndMessagesMixed: 30
        case .syntaxError(let error):
            switch error {
            case .invalidServiceStringAdvice: 22
            case .danglingRelease: 20
            default: 18
            }
        }
    }

    public var description: String {
        var parts = ["segment \(segmentPosition) \(tag) (byte \(byteOffset)): \(kind)"]
        if let element { parts.append("element \(element)") }
        if let expected { parts.append("expected \(expected)") }
        if let found { parts.append("found \(found)") }
        if let interchangeReference { parts.append("UNB05 \(interchangeReference)") }
        if let groupReference { parts.append("UNG05 \(groupReference)") }
        if let messageReference { parts.append("UNH01 \(messageReference)") }
        return parts.joined(separator: ", ")
    }
}

/// One message (UNH … UNT): the generic per-message representation events are built from.
public struct EDIFACTMessage: Sendable, Hashable {
    /// The `UNH` segment.
    public var header: EDIFACTSegment
    /// Segments between UNH and UNT (empty when the validator does not retain segments).
    public var body: [EDIFACTSegment]
    /// The `UNT` segment; `nil` when missing.
    public var trailer: EDIFACTSegment?
    /// Envelope issues of this message.
    public var issues: [EDIFACTEnvelopeIssue]
    /// Segments counted from UNH to UNT inclusive.
    public var segmentCount: Int
    /// Message reference number (UNH01, 0062).
    public var reference: String { header.text(1) ?? "" }
    /// Message identifier (UNH02, S009): type, version, release, agency, association code.
    public var identifier: [String] { header.elements.count >= 2 ? header.elements[1].components.map { header.characterSet.decode($0) } : [] }
    /// Message type (UNH02.1, 0065), e.g. `INVOIC`.
    public var type: String { header.text(2) ?? "" }
    /// Whether the message passed envelope validation.
    public var isAccepted: Bool { issues.isEmpty }
}

/// A functional group (UNG … UNE).
public struct EDIFACTGroup: Sendable, Hashable {
    /// The `UNG` segment.
    public var header: EDIFACTSegment
    /// Messages in the group.
    public var messages: [EDIFACTMessage]
    /// The `UNE` segment; `nil` when missing.
    public var trailer: EDIFACTSegment?
    /// Issues of the group envelope itself.
    public var issues: [EDIFACTEnvelopeIssue]
    /// Group reference number (UNG05, 0048).
    public var reference: String { header.text(5) ?? "" }
}

/// An interchange (UNA? UNB … UNZ) as a tree.
public struct EDIFACTInterchange: Sendable, Hashable {
    /// The service string advice when the input had one (written back by ``EDIFACTWriter``).
    public var serviceStringAdvice: EDIFACTDelimiters?
    /// Delimiters in force for this interchange.
    public var delimiters: EDIFACTDelimiters
    /// The `UNB` segment.
    public var header: EDIFACTSegment
    /// UNG groups (empty when messages are not grouped).
    public var groups: [EDIFACTGroup]
    /// Messages directly in the interchange.
    public var messages: [EDIFACTMessage]
    /// The `UNZ` segment; `nil` when missing.
    public var trailer: EDIFACTSegment?
    /// Issues of the interchange envelope (UNB/UNZ, stray segments).
    public var issues: [EDIFACTEnvelopeIssue]
    /// Interchange control reference (UNB05, 0020).
    public var reference: String { header.text(5) ?? "" }
    /// Syntax identifier (UNB01.1, 0001), e.g. `UNOC`.
    public var syntaxIdentifier: String { header.text(1) ?? "" }
    /// Syntax version number (UNB01.2, 0002).
    public var syntaxVersion: Int { Int(header.text(1, 2) ?? "") ?? 0 }
    /// Every message, grouped or not, in input order.
    public var allMessages: [EDIFACTMessage] { groups.isEmpty ? messages : groups.flatMap(\.messages) + messages }
    /// Every issue in the interchange (envelope, groups, messages).
    public var allIssues: [EDIFACTEnvelopeIssue] {
        issues + groups.flatMap { $0.issues } + allMessages.flatMap(\.issues)
    }
}

/// Checks UNB/UNZ, UNG/UNE and UNH/UNT counts and references over a stream of segments and builds the tree.
///
/// UNT01 counts UNH through UNT; UNE01 counts messages; UNZ01 counts groups when there are groups, else
/// messages. References are compared as strings (leading zeros matter). Any tag other than the service tags is an
/// ordinary segment (so `IEA` or `END` inside a message is data). Feed with ``observe(_:delimiters:)``, close with
/// ``finish(byteOffset:)``.
public struct EDIFACTEnvelopeValidator: Sendable {
    /// Whether message bodies are kept in the tree. With `false` memory stays constant per message. Default: true.
    public var retainsSegments: Bool
    /// Whether a completed message keeps its body in the tree (its group or interchange). With `false` the body is
    /// only in the message ``observe(_:delimiters:)`` returns, and the tree keeps the header, trailer and issues
    /// (enough for UNE/UNZ counts): use it with ``takeCompletedInterchanges()`` to convert messages one at a time
    /// in constant memory. Default: true.
    public var keepsCompletedMessageBodies = true
    /// Interchanges completed so far (and the open one after ``finish(byteOffset:)``).
    public private(set) var interchanges: [EDIFACTInterchange] = []
    /// Issues outside any interchange (segments before UNB).
    public private(set) var strayIssues: [EDIFACTEnvelopeIssue] = []
    private var interchange: EDIFACTInterchange?
    private var group: EDIFACTGroup?
    private var message: EDIFACTMessage? {
        didSet { hasOpenMessage = message != nil }
    }
    private var hasOpenMessage = false
    /// Segments of the open message counted on the hot path, folded into `message.segmentCount` when it closes.
    private var openMessageSegmentCount = 0
    private var pendingAdvice: EDIFACTDelimiters?
    private var lastPosition = 0

    /// Creates a validator.
    public init(retainsSegments: Bool = true) { self.retainsSegments = retainsSegments }

    /// Every issue found so far.
    public var issues: [EDIFACTEnvelopeIssue] { strayIssues + interchanges.flatMap(\.allIssues) }

    /// Removes and returns the interchanges completed so far (by UNZ, or cut short by the next UNA/UNB or
    /// ``finish(byteOffset:)``), so a long stream keeps only the open one in memory.
    public mutating func takeCompletedInterchanges() -> [EDIFACTInterchange] {
        defer { interchanges.removeAll(keepingCapacity: true) }
        return interchanges
    }

    /// Removes and returns the issues outside any interchange found so far.
    public mutating func takeStrayIssues() -> [EDIFACTEnvelopeIssue] {
        defer { strayIssues.removeAll(keepingCapacity: true) }
        return strayIssues
    }

    private func issue(
        _ kind: EDIFACTEnvelopeIssue.Kind, at segment: EDIFACTSegment?, position: Int? = nil, byteOffset: Int? = nil,
        element: String? = nil, expected: String? = nil, found: String? = nil
    ) -> EDIFACTEnvelopeIssue {
        EDIFACTEnvelopeIssue(
            kind: kind, tag: segment?.tag ?? (kind == .missingTrailer ? "EOF" : "?"), segmentPosition: segment?.position ?? position ?? 0,
            byteOffset: segment?.byteOffset ?? byteOffset ?? 0, element: element, expected: expected, found: found,
            interchangeReference: interchange?.reference, groupReference: group?.reference,
            messageReference: message?.reference)
    }

    /// Takes the next segment; returns the message it completed, if any (UNT, or a header/trailer that ended it).
    @discardableResult
    public mutating func observe(_ segment: EDIFACTSegment, delimiters: EDIFACTDelimiters = .defaults(syntaxVersion: 4))
        -> EDIFACTMessage?
    {
        lastPosition = segment.position
        if hasOpenMessage, !retainsSegments, segment.tag.utf8.first != UInt8(ascii: "U") {
            openMessageSegmentCount += 1  // the hot path: an ordinary segment inside a message
            return nil
        }
        var completed: EDIFACTMessage?
        switch segment.tag {
        case "UNA":
            if interchange != nil { completed = closeInterchange(missingTrailerAt: segment) }
            pendingAdvice = delimiters
        case "UNB":
            if interchange != nil { completed = closeInterchange(missingTrailerAt: segment) }
            interchange = EDIFACTInterchange(
                serviceStringAdvice: pendingAdvice, delimiters: delimiters, header: segment, groups: [], messages: [],
                trailer: nil, issues: [])
            pendingAdvice = nil
            let required = [(1, "UNB01", "syntax identifier"), (2, "UNB02", "interchange sender"),
                            (3, "UNB03", "interchange recipient"), (4, "UNB04", "date and time of preparation"),
                            (5, "UNB05", "interchange control reference")]
            for (index, element, meaning) in required where (segment.text(index) ?? "").isEmpty {
                let found = issue(.missingElement, at: segment, element: element, expected: meaning)
                interchange?.issues.append(found)
            }
        case "UNG":
            guard interchange != nil else { strayIssues.append(issue(.unexpectedSegment, at: segment, expected: "UNB")); break }
            completed = closeMessage(missingTrailerAt: segment)
            closeGroup(missingTrailerAt: segment)
            if !(interchange?.messages.isEmpty ?? true) {
                let found = issue(.groupsAndMessagesMixed, at: segment)
                interchange?.issues.append(found)
            }
            group = EDIFACTGroup(header: segment, messages: [], trailer: nil, issues: [])
            if (segment.text(5) ?? "").isEmpty {
                let found = issue(.missingElement, at: segment, element: "UNG05", expected: "group reference")
                group?.issues.append(found)
            }
        case "UNH":
            guard interchange != nil else { strayIssues.append(issue(.unexpectedSegment, at: segment, expected: "UNB")); break }
            completed = closeMessage(missingTrailerAt: segment)
            if group == nil, !(interchange?.groups.isEmpty ?? true) {
                let found = issue(.groupsAndMessagesMixed, at: segment)
                interchange?.issues.append(found)
            }
            message = EDIFACTMessage(header: segment, body: [], trailer: nil, issues: [], segmentCount: 1)
            if (segment.text(1) ?? "").isEmpty {
                let found = issue(.missingElement, at: segment, element: "UNH01", expected: "message reference")
                message?.issues.append(found)
            }
            if (segment.text(2) ?? "").isEmpty {
                let found = issue(.missingElement, at: segment, element: "UNH02", expected: "message identifier")
                message?.issues.append(found)
            }
        case "UNT":
            foldSegmentCount()
            guard var current = message else {
                appendOutside(issue(.unexpectedSegment, at: segment, expected: "UNH before UNT"))
                break
            }
            current.segmentCount += 1
            current.trailer = segment
            let declared = segment.text(1) ?? ""
            if declared != String(current.segmentCount) && Int(declared) != current.segmentCount {
                current.issues.append(issue(.countMismatch, at: segment, element: "UNT01", expected: String(current.segmentCount), found: declared))
            }
            let reference = segment.text(2) ?? ""
            if reference != current.reference {
                current.issues.append(issue(.referenceMismatch, at: segment, element: "UNT02", expected: current.reference, found: reference))
            }
            message = current
            completed = closeMessage(missingTrailerAt: nil)
        case "UNE":
            completed = closeMessage(missingTrailerAt: segment)
            guard var current = group else {
                appendOutside(issue(.unexpectedSegment, at: segment, expected: "UNG before UNE"))
                break
            }
            current.trailer = segment
            let declared = segment.text(1) ?? ""
            if Int(declared) != current.messages.count {
                current.issues.append(issue(.countMismatch, at: segment, element: "UNE01", expected: String(current.messages.count), found: declared))
            }
            let reference = segment.text(2) ?? ""
            if reference != current.reference {
                current.issues.append(issue(.referenceMismatch, at: segment, element: "UNE02", expected: current.reference, found: reference))
            }
            group = current
            closeGroup(missingTrailerAt: nil)
        case "UNZ":
            guard interchange != nil else { strayIssues.append(issue(.unexpectedSegment, at: segment, expected: "UNB before UNZ")); break }
            completed = closeMessage(missingTrailerAt: segment)
            closeGroup(missingTrailerAt: segment)
            guard var current = interchange else { break }
            current.trailer = segment
            let counted = current.groups.isEmpty ? current.messages.count : current.groups.count
            let declared = segment.text(1) ?? ""
            if Int(declared) != counted {
                current.issues.append(issue(.countMismatch, at: segment, element: "UNZ01", expected: String(counted), found: declared))
            }
            let reference = segment.text(2) ?? ""
            if reference != current.reference {
                current.issues.append(issue(.referenceMismatch, at: segment, element: "UNZ02", expected: current.reference, found: reference))
            }
            interchanges.append(current)
            interchange = nil
        default:
            if message != nil {
                message?.segmentCount += 1
                if retainsSegments { message?.body.append(segment) }
            } else {
                appendOutside(issue(.unexpectedSegment, at: segment, expected: "UNH before \(segment.tag)"))
            }
        }
        return completed
    }

    /// Takes a tokenizer error: inside a message it rejects that message (and counts as one of its segments),
    /// elsewhere it rejects the enclosing interchange (or is a stray issue before any UNB).
    public mutating func observe(syntaxError error: EDIFACTError) {
        let position: Int
        switch error {
        case .invalidSegmentTag(let at, _, _), .unterminatedSegment(let at, _, _), .segmentTooLong(let at, _, _):
            position = at
            lastPosition = at
            if hasOpenMessage { openMessageSegmentCount += 1 }
        default: position = lastPosition + 1
        }
        let found = issue(.syntaxError(error), at: nil, position: position, byteOffset: error.byteOffset)
        if message != nil { message?.issues.append(found) } else { appendOutside(found) }
    }

    /// Ends the input: reports missing UNT/UNE/UNZ at `byteOffset` (the input length) and returns the open message.
    @discardableResult
    public mutating func finish(byteOffset: Int) -> EDIFACTMessage? {
        guard interchange != nil else { return nil }
        let end = EDIFACTSegment(
            tag: "EOF", tagQualifiers: [], elements: [], position: lastPosition + 1, byteOffset: byteOffset,
            decimalMark: UInt8(ascii: "."), characterSet: .levelA)
        return closeInterchange(missingTrailerAt: end)
    }

    private mutating func appendOutside(_ found: EDIFACTEnvelopeIssue) {
        if group != nil { group?.issues.append(found) }
        else if interchange != nil { interchange?.issues.append(found) }
        else { strayIssues.append(found) }
    }

    private mutating func foldSegmentCount() {
        if openMessageSegmentCount > 0 {
            let pending = openMessageSegmentCount
            openMessageSegmentCount = 0
            message?.segmentCount += pending
        }
    }

    private mutating func closeMessage(missingTrailerAt segment: EDIFACTSegment?) -> EDIFACTMessage? {
        foldSegmentCount()
        guard var current = message else { return nil }
        if let segment {
            current.issues.append(issue(.missingTrailer, at: segment, expected: "UNT", found: segment.tag))
        }
        message = nil
        var kept = current
        if !keepsCompletedMessageBodies { kept.body = [] }
        if group != nil { group?.messages.append(kept) } else { interchange?.messages.append(kept) }
        return current
    }

    private mutating func closeGroup(missingTrailerAt segment: EDIFACTSegment?) {
        guard var current = group else { return }
        if let segment { current.issues.append(issue(.missingTrailer, at: segment, expected: "UNE", found: segment.tag)) }
        group = nil
        interchange?.groups.append(current)
    }

    private mutating func closeInterchange(missingTrailerAt segment: EDIFACTSegment) -> EDIFACTMessage? {
        let completed = closeMessage(missingTrailerAt: segment)
        closeGroup(missingTrailerAt: segment)
        guard var current = interchange else { return completed }
        current.issues.append(issue(.missingTrailer, at: segment, expected: "UNZ", found: segment.tag))
        interchanges.append(current)
        interchange = nil
        return completed
    }
}
