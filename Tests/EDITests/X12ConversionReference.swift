import EDI
import Events

/// The conversion loop `ferry convert x12` ran before ``X12ClaimEventConversion`` (FerryCLI's `X12Conversion` at
/// 21c6a4d, kept verbatim but for its two outputs: byte arrays instead of `OutputChannel`s), as the reference the
/// library type must match byte for byte.
struct X12ConversionReference {
    let source: String
    var output = OutputBytes()
    var errors = OutputBytes()
    private(set) var rejections = 0
    private(set) var eventCount = 0

    private var validator = X12EnvelopeValidator(retainsTransactionSets: false)
    /// Claim events straight from the segments (the model-free writer; same output as the extractor + model).
    private var claimEvents = X12ClaimEventWriter()
    /// The open transaction set's events, written at its SE when it has no error.
    private var pending = JSONWriter(capacity: 1 << 16)
    private var pendingEvents = 0
    private var openSet: (position: Int, byteOffset: Int, control: String, isBad: Bool)?
    private var tree: X12LoopTreeBuilder?
    private var header = (interchange: "", sender: "", group: "", application: "", version: "", type: "", st03: "")

    /// What one output channel received.
    struct OutputBytes {
        var bytes: [UInt8] = []
        mutating func write(_ text: String) { bytes += Array(text.utf8) }
        mutating func write(bytes more: [UInt8]) { bytes += more }
    }

    init(source: String) {
        self.source = source
    }

    mutating func consume(_ segment: X12SegmentView) {
        let before = validator.issues.count
        validator.consume(segment)
        let isST = segment.hasID("ST")
        var hasError = false
        for issue in validator.issues[before...] {
            report(issue.description, at: segment, isWarning: issue.isWarning)
            if !issue.isWarning { hasError = true }
        }
        if isST {
            if let open = openSet {
                // The previous set never reached its SE (the validator said so above).
                drop(open, reason: "ends without SE")
                hasError = false
            }
            openSet = (segment.position, segment.byteOffset, segment.element(2)?.text ?? "", hasError)
        } else if hasError, openSet != nil {
            openSet?.isBad = true
        } else if hasError {
            rejections += 1
        }
        trackHeader(segment)
        pendingEvents += claimEvents.consume(segment, to: &pending)
        for issue in claimEvents.takeIssues() {
            report("claim dropped: \(issue)", at: segment, isWarning: false)
            rejections += 1
        }
        if segment.hasID("SE"), let open = openSet {
            if isOtherSet { writeTransactionEvent(tree) }
            tree = nil
            isOtherSet = false
            if open.isBad {
                drop(open, reason: "has envelope errors")
            } else {
                output.write(bytes: pending.bytes)
                eventCount += pendingEvents
            }
            pending.removeAll()
            pendingEvents = 0
            openSet = nil
        }
    }

    mutating func finish() {
        let before = validator.issues.count
        validator.finish()
        for issue in validator.issues[before...] {
            errors.write("\(issue.isWarning ? "warning" : "error"): \(source): \(issue.description)\n")
            if !issue.isWarning { rejections += 1 }
        }
        claimEvents.finish()
        _ = claimEvents.takeIssues()  // the open set is reported below
        if let open = openSet { drop(open, reason: "ends without SE") }
        openSet = nil
    }

    /// A syntax error stopped the stream: the open set is dropped.
    mutating func abandon(_ error: X12Error) {
        errors.write("error: \(source): \(error.description)\n")
        rejections += 1
        if let open = openSet { drop(open, reason: "is cut off by a syntax error") }
        openSet = nil
    }

    private mutating func drop(_ set: (position: Int, byteOffset: Int, control: String, isBad: Bool), reason: String) {
        errors.write(
            "error: \(source): transaction set at segment \(set.position) (byte \(set.byteOffset)) \(reason): "
                + "\(pendingEvents) events not written\n")
        rejections += 1
        pending.removeAll()
        pendingEvents = 0
        tree = nil
    }

    private mutating func report(_ message: String, at segment: X12SegmentView, isWarning: Bool) {
        errors.write(
            "\(isWarning ? "warning" : "error"): \(source): at segment \(segment.position) (byte \(segment.byteOffset), "
                + "\(segment.id)): \(message)\n")
    }

    /// Keeps the envelope values other transaction sets' events need, and feeds their loop-tree builder.
    private mutating func trackHeader(_ segment: X12SegmentView) {
        switch segment.id {
        case "ISA":
            header.interchange = segment.element(13)?.text ?? ""
            header.sender = segment.element(6)?.text ?? ""
        case "GS":
            header.application = segment.element(2)?.text ?? ""
            header.group = segment.element(6)?.text ?? ""
            header.version = segment.element(8)?.text ?? ""
        case "ST":
            header.type = segment.element(1)?.text ?? ""
            header.st03 = segment.element(3)?.text ?? ""
            isOtherSet = header.type != "837" && header.type != "835"
            tree =
                isOtherSet
                ? X12Guide.bundled(
                    transactionSet: header.type, implementationConvention: header.st03, transmissionType: nil,
                    groupVersion: header.version
                ).map { X12LoopTreeBuilder(guide: $0) } : nil
            tree?.consume(segment)
        default:
            tree?.consume(segment)
        }
    }

    /// Whether the open set is neither an 837 nor an 835 (one event per set, with its loop tree when a guide fits).
    private var isOtherSet = false

    /// One `x12.transaction.v1` event for a set that is neither an 837 nor an 835.
    private mutating func writeTransactionEvent(_ builder: X12LoopTreeBuilder?) {
        guard let open = openSet else { return }
        var builder = builder
        let issues = builder?.issues ?? []
        let loopTree = builder?.finish()
        let identity = EventIdentity.components(["x12.transaction", header.interchange, header.group, open.control])
        pending.beginObject()
        pending.writeKey(ascii: "specversion")
        pending.writeString(CloudEvent.specVersion)
        pending.writeKey(ascii: "id")
        pending.writeString(identity.eventID)
        pending.writeKey(ascii: "source")
        pending.writeString(X12ClaimEvent.source(for: X12TransactionReference(
            interchangeSender: String(header.sender.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()), applicationSender: header.application)))
        pending.writeKey(ascii: "type")
        pending.writeString("x12.transaction.v1")
        pending.writeKey(ascii: "subject")
        pending.writeString(header.type)
        pending.writeKey(ascii: "datacontenttype")
        pending.writeString("application/json")
        pending.writeKey(ascii: "data")
        pending.beginObject()
        pending.writeKey(ascii: "transactionSet")
        pending.writeString(header.type)
        pending.writeKey(ascii: "controlNumber")
        pending.writeString(open.control)
        pending.writeKey(ascii: "implementation")
        pending.writeString(header.st03.isEmpty ? header.version : header.st03)
        pending.writeKey(ascii: "interchangeControlNumber")
        pending.writeString(header.interchange)
        pending.writeKey(ascii: "groupControlNumber")
        pending.writeString(header.group)
        pending.writeKey(ascii: "guide")
        if let builder { pending.writeString(builder.guide.id) } else { pending.writeNull() }
        pending.writeKey(ascii: "tree")
        if let loopTree { pending.writeRawJSON(Array(loopTree.compactJSON.utf8)) } else { pending.writeNull() }
        pending.writeKey(ascii: "issues")
        pending.beginArray()
        for issue in issues { pending.writeString(issue.description) }
        pending.endArray()
        pending.endObject()
        pending.endObject()
        pending.endLine()
        pendingEvents += 1
    }
}
