import EDI
import Events

/// `ferry convert edifact INPUT|-`: every UN/EDIFACT message (UNH…UNT) becomes one CloudEvent, as JSON Lines.
struct ConvertEDIFACTCommand: Command {
    static let input = Argument<String>(
        "input", isOptional: true, help: "The EDIFACT file; '-' or absent reads standard input.")
    static let key = Option<EDIFACTValueLocation>(
        "key", valueName: "SEGMENT",
        help: "Where the entity key is: TAG[+QUALIFIER]:ELEMENT[:COMPONENT], e.g. NAD+BY:2 (default: UNB sender).")
    static let type = Option<String>(
        "type", valueName: "NAME", help: "The CloudEvents type (default: edifact.<message type>.v1, e.g. edifact.invoic.v1).")
    static let source = Option<String>(
        "source", valueName: "URI", help: "The CloudEvents source (default: edifact:<UNB sender>).")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "edifact",
            abstract: "Convert UN/EDIFACT messages to CloudEvents (JSON Lines).",
            discussion: """
                Streams the input (UNA or default delimiters, release character, decimal comma, any number of \
                interchanges and groups) and writes one structured-mode CloudEvent per message as soon as its UNT \
                is read. The event's data holds the interchange and group headers and every segment of the \
                message (values as text). The id derives from the UNB sender, UNB05, UNG05, UNH01 and the \
                message's ordinal, so a re-run gives the same ids. A message with envelope or syntax errors \
                (UNT01/UNT02 wrong, missing UNT, a segment that cannot be read) gives no event: the error is \
                reported on standard error with its segment position and byte offset. Exit status 3 when anything \
                was rejected, including interchange- or group-level errors (UNZ/UNE counts, missing UNZ).
                """,
            parameters: [input, key, type, source])
    }

    let path: String
    let keyLocation: EDIFACTValueLocation?
    let eventType: String?
    let eventSource: String?

    init(parsing values: ParsedValues) throws(UsageError) {
        path = try values.valueIfPresent(of: Self.input) ?? "-"
        keyLocation = try values.valueIfPresent(of: Self.key)
        eventType = try values.valueIfPresent(of: Self.type)
        eventSource = try values.valueIfPresent(of: Self.source)
    }

    func run(_ context: CommandContext) async throws {
        let sourceName = path == "-" ? "<stdin>" : path
        let descriptor = try POSIX.openInput(path)
        defer { POSIX.closeInput(descriptor) }

        var reader = EDIFACTSegmentReader(fileDescriptor: descriptor)
        var validator = EDIFACTEnvelopeValidator(retainsSegments: true)
        validator.keepsCompletedMessageBodies = false
        var converter = EDIFACTMessageEventWriter(keyLocation: keyLocation, type: eventType, source: eventSource)
        var rejected = 0
        var written = 0
        var readFailure: Int32?
        var currentInterchange: EDIFACTSegment?
        var currentGroup: EDIFACTSegment?

        func report(_ issue: EDIFACTEnvelopeIssue) {
            rejected += 1
            context.errorOutput.write("\(sourceName): error: \(issue)\n")
        }
        func convert(_ message: EDIFACTMessage?) {
            guard let message else { return }
            guard message.isAccepted else {
                for issue in message.issues { report(issue) }
                context.errorOutput.write(
                    "\(sourceName): message \(message.reference) (segment \(message.header.position)) rejected: no event written\n")
                return
            }
            do {
                context.output.write(bytes: try converter.line(for: message, interchange: currentInterchange, group: currentGroup))
                written += 1
            } catch {
                rejected += 1
                context.errorOutput.write("\(sourceName): error: message \(message.reference) (segment \(message.header.position)): \(error)\n")
            }
        }
        func drain() {
            for issue in validator.takeStrayIssues() { report(issue) }
            for interchange in validator.takeCompletedInterchanges() {
                // Message issues were reported when each message completed; report the envelope's own here.
                for issue in interchange.issues { report(issue) }
                for group in interchange.groups { for issue in group.issues { report(issue) } }
            }
        }

        while true {
            do {
                guard let segment = try reader.next() else { break }
                switch segment.tag {
                case "UNB": currentInterchange = segment; currentGroup = nil
                case "UNG": currentGroup = segment
                default: break
                }
                let completed = validator.observe(segment, delimiters: reader.tokenizer.delimiters ?? .defaults(syntaxVersion: 4))
                convert(completed)
                if segment.tag == "UNE" { currentGroup = nil }
            } catch {
                switch error {
                case .syntax(let syntax): validator.observe(syntaxError: syntax)
                case .readFailed(let code): readFailure = code
                }
                if readFailure != nil { break }
            }
            drain()
        }
        convert(validator.finish(byteOffset: reader.tokenizer.consumedByteCount))
        drain()
        for warning in reader.tokenizer.warnings {
            context.errorOutput.write("\(sourceName): warning: \(warning)\n")
        }
        context.output.flush()
        if let readFailure {
            throw CommandError.io(operation: "read", path: sourceName, reason: POSIX.message(readFailure))
        }
        if rejected > 0 {
            context.errorOutput.write("\(sourceName): \(written) messages converted, \(rejected) errors\n")
            throw ExitCode.inputRejected
        }
    }
}

/// Where a value sits in an EDIFACT message: `TAG[+QUALIFIER]:ELEMENT[:COMPONENT]`. The first segment with that
/// tag (and, when given, whose first element's first component equals the qualifier) holds it; element and
/// component count from 1, as in `NAD+BY:2` (the party id of the buyer) or `RFF+ON:1:2` (the order number).
struct EDIFACTValueLocation: Sendable, Hashable, ArgumentValue {
    let tag: String
    let qualifier: String?
    let element: Int
    let component: Int

    init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count) else { return nil }
        let head = parts[0].split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        guard let tag = head.first, tag.count == 3, tag.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) })
        else { return nil }
        guard let element = Int(parts[1]), element >= 1 else { return nil }
        let component = parts.count == 3 ? Int(parts[2]) : 1
        guard let component, component >= 1 else { return nil }
        self.tag = String(tag)
        qualifier = head.count == 2 ? String(head[1]) : nil
        if qualifier?.isEmpty == true { return nil }
        self.element = element
        self.component = component
    }

    static var expectation: String { "TAG[+QUALIFIER]:ELEMENT[:COMPONENT], e.g. NAD+BY:2" }
    var argumentText: String { "\(tag)\(qualifier.map { "+" + $0 } ?? ""):\(element)" + (component == 1 ? "" : ":\(component)") }

    /// The value in `message`, or nil when no segment matches or the value is empty.
    func value(in message: EDIFACTMessage) -> String? {
        for segment in message.body where segment.tag == tag {
            if let qualifier, segment.text(1) != qualifier { continue }
            if let text = segment.text(element, component), !text.isEmpty { return text }
        }
        return nil
    }
}

/// Turns EDIFACT messages into structured-mode CloudEvents, one JSON line each.
struct EDIFACTMessageEventWriter {
    let keyLocation: EDIFACTValueLocation?
    let type: String?
    let source: String?
    private var ordinal = 0
    private var writer = JSONWriter(capacity: 8192)
    private var data = JSONWriter(capacity: 8192)

    init(keyLocation: EDIFACTValueLocation?, type: String?, source: String?) {
        self.keyLocation = keyLocation
        self.type = type
        self.source = source
    }

    enum EventError: Error, CustomStringConvertible {
        case keyMissing(EDIFACTValueLocation)
        case event(CloudEventError)

        var description: String {
            switch self {
            case .keyMissing(let location): "no value for the key \(location.argumentText)"
            case .event(let error): "\(error)"
            }
        }
    }

    /// The event line (newline included) for `message`, read inside `interchange` (its UNB) and `group` (UNG).
    mutating func line(for message: EDIFACTMessage, interchange: EDIFACTSegment?, group: EDIFACTSegment?) throws -> [UInt8] {
        ordinal += 1
        let sender = interchange?.text(2) ?? ""
        let key: String
        if let keyLocation {
            guard let value = keyLocation.value(in: message) else { throw EventError.keyMissing(keyLocation) }
            key = value
        } else {
            key = sender.isEmpty ? "unknown-sender" : sender
        }
        let identity = EventIdentity.components([
            "edifact", sender, interchange?.text(5) ?? "", group?.text(5) ?? "", message.reference, String(ordinal),
        ])
        let messageType = message.type.isEmpty ? "message" : message.type.lowercased()

        data.removeAll()
        data.beginObject()
        data.writeKey("interchange")
        if let interchange {
            data.beginObject()
            data.writeKey("reference"); data.writeString(interchange.text(5) ?? "")
            data.writeKey("syntax"); data.writeString(interchange.text(1) ?? "")
            data.writeKey("syntaxVersion"); data.writeString(interchange.text(1, 2) ?? "")
            data.writeKey("sender"); data.writeString(sender)
            data.writeKey("senderQualifier"); data.writeString(interchange.text(2, 2) ?? "")
            data.writeKey("recipient"); data.writeString(interchange.text(3) ?? "")
            data.writeKey("recipientQualifier"); data.writeString(interchange.text(3, 2) ?? "")
            data.writeKey("preparationDate"); data.writeString(interchange.text(4) ?? "")
            data.writeKey("preparationTime"); data.writeString(interchange.text(4, 2) ?? "")
            data.endObject()
        } else {
            data.writeNull()
        }
        data.writeKey("group")
        if let group {
            data.beginObject()
            data.writeKey("reference"); data.writeString(group.text(5) ?? "")
            data.writeKey("messageType"); data.writeString(group.text(1) ?? "")
            data.writeKey("applicationSender"); data.writeString(group.text(2) ?? "")
            data.writeKey("applicationRecipient"); data.writeString(group.text(3) ?? "")
            data.endObject()
        } else {
            data.writeNull()
        }
        data.writeKey("message"); data.writeValue(message.jsonValue)
        data.endObject()

        do {
            var event = try CloudEvent(
                id: identity.eventID, source: source ?? "edifact:" + Self.percentEncoded(sender.isEmpty ? "unknown" : sender),
                type: type ?? "edifact.\(messageType).v1", subject: message.reference.isEmpty ? nil : message.reference,
                dataContentType: "application/json", data: .json(data.bytes))
            event.partitionKey = key
            writer.removeAll()
            try CloudEventJSONFormat.write(event, to: &writer)
        } catch {
            throw EventError.event(error)
        }
        writer.endLine()
        return writer.bytes
    }

    /// `text` with every byte outside RFC 3986's unreserved set percent-encoded (a URI-reference path).
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
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
