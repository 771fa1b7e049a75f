/// A CONTRL syntax and service report message (ISO 9735-1 / UN CONTRL) for one received interchange.
///
/// Built from the envelope validation result and the tokenizer's syntax errors:
/// - `UCI` reports the interchange: action 4 (rejected) with the first interchange-level error (code, tag) when
///   the UNB/UNZ envelope failed or a segment outside any message was unreadable, else 7 (acknowledged; lower levels accepted
///   unless reported).
/// - `UCF` per functional group, `UCM` per message (action 4 with error code and segment tag, or 7 when
///   ``reportsAcceptedMessages``), followed for rejected messages by `UCS` (segment position in the message, code)
///   and `UCD` (code, element position) for element-level errors.
/// Message identifier: `CONTRL:D:3:UN` for syntax version 3 and below, `CONTRL:4:1:UN` for version 4.
public struct EDIFACTControlReport: Sendable {
    /// ISO 9735 action codes (data element 0083).
    public enum Action: String, Sendable, Hashable {
        /// 4: this level and all lower levels rejected.
        case rejected = "4"
        /// 7: this level acknowledged, lower levels acknowledged unless reported as rejected.
        case acknowledged = "7"
        /// 8: interchange received (no validation).
        case received = "8"
    }

    /// The interchange being acknowledged.
    public let acknowledged: EDIFACTInterchange
    /// The action reported in UCI.
    public let interchangeAction: Action
    /// Whether accepted messages get a UCM with action 7 too. Default: true.
    public let reportsAcceptedMessages: Bool
    /// Message reference of the CONTRL (UNH01). Default: "1".
    public let messageReference: String
    /// The report message, UNH … UNT.
    public let segments: [EDIFACTSegment]

    /// Builds the report from the interchange's issues (tokenizer errors are among them when the interchange was
    /// read with ``EDIFACTDocument`` or fed to ``EDIFACTEnvelopeValidator/observe(syntaxError:)``).
    public init(
        acknowledging interchange: EDIFACTInterchange,
        reportsAcceptedMessages: Bool = true, messageReference: String = "1"
    ) {
        acknowledged = interchange
        self.reportsAcceptedMessages = reportsAcceptedMessages
        self.messageReference = messageReference
        let header = interchange.header
        func element(_ index: Int) -> EDIFACTElement {
            index <= header.elements.count ? EDIFACTElement(repetitions: [header.elements[index - 1].components]) : EDIFACTElement("")
        }
        var body: [EDIFACTSegment] = []
        var uci = [EDIFACTElement(interchange.reference), element(2), element(3)]
        if let first = interchange.issues.first {
            interchangeAction = .rejected
            uci += [EDIFACTElement(Action.rejected.rawValue), EDIFACTElement(String(first.syntaxErrorCode)), EDIFACTElement(first.tag)]
        } else {
            interchangeAction = .acknowledged
            uci.append(EDIFACTElement(Action.acknowledged.rawValue))
        }
        body.append(EDIFACTSegment("UCI", uci))
        func report(_ message: EDIFACTMessage) {
            let identifier = EDIFACTElement(repetitions: [message.identifier.map { Array($0.utf8) }])
            guard let first = message.issues.first else {
                if reportsAcceptedMessages {
                    body.append(EDIFACTSegment("UCM", [EDIFACTElement(message.reference), identifier, EDIFACTElement("7")]))
                }
                return
            }
            body.append(
                EDIFACTSegment(
                    "UCM",
                    [EDIFACTElement(message.reference), identifier, EDIFACTElement("4"),
                     EDIFACTElement(String(first.syntaxErrorCode)), EDIFACTElement(first.tag)]))
            for issue in message.issues {
                let position = String(max(1, issue.segmentPosition - message.header.position + 1))
                if let element = issue.element, let index = Int(element.suffix(2)) {
                    body.append(EDIFACTSegment("UCS", [EDIFACTElement(position)]))
                    body.append(EDIFACTSegment("UCD", [EDIFACTElement(String(issue.syntaxErrorCode)), EDIFACTElement(String(index))]))
                } else {
                    body.append(EDIFACTSegment("UCS", [EDIFACTElement(position), EDIFACTElement(String(issue.syntaxErrorCode))]))
                }
            }
        }
        for group in interchange.groups {
            let groupHeader = group.header
            var ucf = [EDIFACTElement(group.reference)]
            for index in [2, 3] {
                ucf.append(index <= groupHeader.elements.count ? groupHeader.elements[index - 1] : EDIFACTElement(""))
            }
            if let first = group.issues.first {
                ucf += [EDIFACTElement("4"), EDIFACTElement(String(first.syntaxErrorCode)), EDIFACTElement(first.tag)]
            } else {
                ucf.append(EDIFACTElement("7"))
            }
            body.append(EDIFACTSegment("UCF", ucf))
            group.messages.forEach(report)
        }
        interchange.messages.forEach(report)
        let version = interchange.syntaxVersion >= 4 ? EDIFACTElement("CONTRL", "4", "1", "UN") : EDIFACTElement("CONTRL", "D", "3", "UN")
        let unh = EDIFACTSegment("UNH", [EDIFACTElement(messageReference), version])
        let unt = EDIFACTSegment("UNT", [EDIFACTElement(String(body.count + 2)), EDIFACTElement(messageReference)])
        segments = [unh] + body + [unt]
    }

    /// The report wrapped in a reply interchange: sender and recipient swapped, same syntax identifier and delimiters.
    ///
    /// `date` and `time` fill UNB04 (`YYMMDD`, `HHMM`); `reference` is the new UNB05/UNZ02.
    public func interchange(reference: String, date: String, time: String) -> [UInt8] {
        let header = acknowledged.header
        func element(_ index: Int) -> EDIFACTElement {
            index <= header.elements.count ? EDIFACTElement(repetitions: [header.elements[index - 1].components]) : EDIFACTElement("")
        }
        let unb = EDIFACTSegment("UNB", [element(1), element(3), element(2), EDIFACTElement(date, time), EDIFACTElement(reference)])
        let unz = EDIFACTSegment("UNZ", [EDIFACTElement("1"), EDIFACTElement(reference)])
        let writer = EDIFACTWriter(delimiters: acknowledged.delimiters)
        var output: [UInt8] = []
        if acknowledged.serviceStringAdvice != nil { writer.writeServiceStringAdvice(to: &output) }
        for segment in [unb] + segments + [unz] { writer.write(segment, to: &output) }
        return output
    }

    /// Whether the interchange and every message in it were accepted.
    public var isAccepted: Bool {
        interchangeAction == .acknowledged && acknowledged.allMessages.allSatisfy(\.isAccepted)
            && acknowledged.groups.allSatisfy { $0.issues.isEmpty }
    }
}
