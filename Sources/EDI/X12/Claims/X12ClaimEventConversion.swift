import Events

/// What `ferry convert x12` does to a stream of X12: envelope checks, one CloudEvent JSON line per 837 claim, per 835
/// claim payment and per other transaction set, and every rejection reported with its position.
///
/// The loop is tokenize → ``X12EnvelopeValidator`` → ``X12ClaimEventWriter`` (and, for sets that are neither 837 nor
/// 835, an `x12.transaction.v1` event with the ``X12LoopTreeBuilder`` tree). A transaction set's events are held until
/// its `SE` proves the set sound, then handed to `events` in one piece; a set with an envelope or syntax error gives
/// none. Every finding goes to `diagnostics` as one line (`error: SOURCE: at segment N (byte B, ID): …`), never with
/// a value (claims are PHI); ``rejections`` counts the errors.
///
/// The command and `ferry-bench x12` run this same type. Per segment of the hot path (a segment inside a set that is
/// not an envelope segment) nothing is allocated, no `String` is made and no ``X12TransactionSet`` is copied:
/// segments are recognised by their id bytes, the validator's and the writer's findings are only looked at when
/// there are new ones. Memory: one transaction set's events plus the writer's reused buffers.
public struct X12ClaimEventConversion {
    /// How the input is named in diagnostics (a path, or `<stdin>`).
    public let source: String
    /// Errors so far: rejected transaction sets, dropped claims, and envelope errors outside any set.
    public private(set) var rejections = 0
    /// Events handed to `events` so far (those of sound sets only).
    public private(set) var eventCount = 0
    /// Segments read so far.
    public private(set) var segmentCount = 0

    private let events: ([UInt8]) -> Void
    private let diagnostics: (String) -> Void
    private var validator = X12EnvelopeValidator(retainsTransactionSets: false)
    /// How many of the validator's issues were reported already.
    private var reportedEnvelopeIssues = 0
    /// Claim events straight from the segments (the model-free writer; same output as the extractor + model).
    private var claimEvents = X12ClaimEventWriter()
    /// The open transaction set's events, handed on at its SE when it has no error.
    private var pending = JSONWriter(capacity: 1 << 16)
    private var pendingEvents = 0
    private var openSet: OpenSet?
    /// Whether the open set is neither an 837 nor an 835 (one event per set, with its loop tree when a guide fits).
    private var isOtherSet = false
    private var tree: X12LoopTreeBuilder?
    private var header = Header()

    /// Where the open transaction set began, and whether it has an error.
    private struct OpenSet {
        var position: Int
        var byteOffset: Int
        var controlNumber: String
        var isBad: Bool
    }

    /// The envelope values other transaction sets' events need.
    private struct Header {
        var interchange = "", sender = "", group = "", application = "", version = "", type = "", st03 = ""
    }

    /// A conversion of the input called `source` in diagnostics. `events` receives each sound transaction set's
    /// events (JSON Lines, one event per line) when its `SE` is read; `diagnostics` receives each finding as one
    /// line ending in `\n`.
    public init(source: String, events: @escaping ([UInt8]) -> Void, diagnostics: @escaping (String) -> Void) {
        self.source = source
        self.events = events
        self.diagnostics = diagnostics
    }

    /// Reads the whole input from `fileDescriptor` (a file, a pipe, stdin) with constant memory and converts it:
    /// every segment through ``consume(_:)``, then ``finish()``, or ``abandon(_:)`` when a syntax or read error
    /// stops the stream. `chunkSize` Default: 1 MiB (the tokenizer moves the unread tail of each chunk, and fewer
    /// reads and moves cost less; the output does not depend on it).
    public mutating func convert(readingFrom fileDescriptor: Int32, chunkSize: Int = 1 << 20) {
        do {
            try X12Tokenizer.forEachSegment(readingFrom: fileDescriptor, chunkSize: chunkSize) {
                (segment: X12SegmentView) throws(X12Error) in
                consume(segment)
            }
            finish()
        } catch {
            abandon(error)
        }
    }

    /// Takes the next segment of the input.
    public mutating func consume(_ segment: X12SegmentView) {
        segmentCount += 1
        let envelopeID = X12EnvelopeSegmentID(segment)
        validator.consume(segment, envelopeID: envelopeID)
        let isST = envelopeID == .st
        var hasError = false
        if validator.issues.count != reportedEnvelopeIssues {
            for issue in validator.issues[reportedEnvelopeIssues...] {
                report(issue.description, at: segment, isWarning: issue.isWarning)
                if !issue.isWarning { hasError = true }
            }
            reportedEnvelopeIssues = validator.issues.count
        }
        if isST {
            if let open = openSet {
                // The previous set never reached its SE (the validator said so above).
                drop(open, reason: "ends without SE")
                hasError = false
            }
            openSet = OpenSet(
                position: segment.position, byteOffset: segment.byteOffset,
                controlNumber: segment.element(2)?.text ?? "", isBad: hasError)
        } else if hasError {
            if openSet != nil { openSet?.isBad = true } else { rejections += 1 }
        }
        trackHeader(segment, envelopeID)
        pendingEvents += claimEvents.consume(segment, to: &pending)
        if claimEvents.hasIssues {
            for issue in claimEvents.takeIssues() {
                report("claim dropped: \(issue)", at: segment, isWarning: false)
                rejections += 1
            }
        }
        if envelopeID == .se, let open = openSet {
            if isOtherSet { writeTransactionEvent(open) }
            tree = nil
            isOtherSet = false
            if open.isBad {
                drop(open, reason: "has envelope errors")
            } else {
                events(pending.bytes)
                eventCount += pendingEvents
            }
            pending.removeAll()
            pendingEvents = 0
            openSet = nil
        }
    }

    /// Ends the input: open envelopes are reported, and a set without its SE is dropped.
    public mutating func finish() {
        validator.finish()
        for issue in validator.issues[reportedEnvelopeIssues...] {
            diagnostics("\(issue.isWarning ? "warning" : "error"): \(source): \(issue.description)\n")
            if !issue.isWarning { rejections += 1 }
        }
        reportedEnvelopeIssues = validator.issues.count
        claimEvents.finish()
        _ = claimEvents.takeIssues()  // the open set is reported below
        if let open = openSet { drop(open, reason: "ends without SE") }
        openSet = nil
    }

    /// A syntax (or read) error stopped the stream: it is reported and the open set is dropped.
    public mutating func abandon(_ error: X12Error) {
        diagnostics("error: \(source): \(error.description)\n")
        rejections += 1
        if let open = openSet { drop(open, reason: "is cut off by a syntax error") }
        openSet = nil
    }

    private mutating func drop(_ set: OpenSet, reason: String) {
        diagnostics(
            "error: \(source): transaction set at segment \(set.position) (byte \(set.byteOffset)) \(reason): "
                + "\(pendingEvents) events not written\n")
        rejections += 1
        pending.removeAll()
        pendingEvents = 0
        tree = nil
    }

    private func report(_ message: String, at segment: X12SegmentView, isWarning: Bool) {
        diagnostics(
            "\(isWarning ? "warning" : "error"): \(source): at segment \(segment.position) (byte \(segment.byteOffset), "
                + "\(segment.id)): \(message)\n")
    }

    /// Keeps the envelope values other transaction sets' events need, and feeds their loop-tree builder. Strings
    /// only for ISA, GS and ST; other segments are recognised by their id bytes.
    private mutating func trackHeader(_ segment: X12SegmentView, _ envelopeID: X12EnvelopeSegmentID) {
        if envelopeID == .st {
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
        } else if envelopeID == .isa {
            header.interchange = segment.element(13)?.text ?? ""
            header.sender = segment.element(6)?.text ?? ""
        } else if envelopeID == .gs {
            header.application = segment.element(2)?.text ?? ""
            header.group = segment.element(6)?.text ?? ""
            header.version = segment.element(8)?.text ?? ""
        } else if isOtherSet {
            // Only an other set has a tree (`tree` is nil whenever `isOtherSet` is false).
            tree?.consume(segment)
        }
    }

    /// One `x12.transaction.v1` event for a set that is neither an 837 nor an 835.
    private mutating func writeTransactionEvent(_ open: OpenSet) {
        var builder = tree
        let issues = builder?.issues ?? []
        let loopTree = builder?.finish()
        let identity = EventIdentity.components(["x12.transaction", header.interchange, header.group, open.controlNumber])
        let trimmedSender = String(header.sender.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        pending.beginObject()
        // The attributes unvalidated, as the CLI always wrote them (a sender that is no URI reference stays as sent).
        CloudEventJSONFormat.writeLeadingAttributes(
            id: identity.eventID,
            source: X12ClaimEvent.source(for: X12TransactionReference(interchangeSender: trimmedSender, applicationSender: header.application)),
            type: "x12.transaction.v1", subject: header.type, dataContentType: "application/json", to: &pending)
        pending.writeKey(ascii: "data")
        pending.beginObject()
        pending.writeKey(ascii: "transactionSet")
        pending.writeString(header.type)
        pending.writeKey(ascii: "controlNumber")
        pending.writeString(open.controlNumber)
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
