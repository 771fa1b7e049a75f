import ByteCoding

/// Which acknowledgement to generate.
public enum X12AckKind: String, Sendable, Hashable, CaseIterable {
    /// TA1 interchange acknowledgement alone: `ISA`, `TA1`, `IEA` (IEA01 = 0).
    case ta1
    /// 997 functional acknowledgement (004010): one `ST*997` per functional group received.
    case functional997 = "997"
    /// 999 implementation acknowledgement (005010X231A1): one `ST*999` per functional group received.
    case implementation999 = "999"
}

/// The acknowledgement's own envelope values: control numbers, date and time are the caller's (so tests
/// are deterministic and a sender can keep its own counters).
public struct X12AckEnvelope: Sendable, Hashable {
    /// ISA13 / IEA02 of the acknowledgement, written with 9 digits (0…999 999 999).
    public var interchangeControlNumber: Int
    /// GS06 / GE02 of the acknowledgement's `GS*FA`.
    public var groupControlNumber: Int
    /// Date as CCYYMMDD (GS04; ISA09 takes the last 6 digits).
    public var date: String
    /// Time as HHMM or HHMMSS (GS05; ISA10 takes the first 4 digits).
    public var time: String
    /// ST02 of the first acknowledgement transaction set (then +1 per set), at least 4 digits. Default: 1.
    public var firstTransactionSetControlNumber: Int
    /// ISA15; `nil` echoes the acknowledged interchange's. Default: nil.
    public var usageIndicator: String?
    /// Element, component and segment delimiters (and the 999's repetition separator). Default: `*` `:` `^` `~`.
    public var delimiters: X12Delimiters
    /// Bytes after each segment, e.g. `[0x0A]`. Default: none.
    public var segmentSuffix: [UInt8]

    /// Envelope values with the defaults above.
    public init(
        interchangeControlNumber: Int, groupControlNumber: Int, date: String, time: String,
        firstTransactionSetControlNumber: Int = 1, usageIndicator: String? = nil,
        delimiters: X12Delimiters = .standard, segmentSuffix: [UInt8] = []
    ) {
        self.interchangeControlNumber = interchangeControlNumber
        self.groupControlNumber = groupControlNumber
        self.date = date
        self.time = time
        self.firstTransactionSetControlNumber = firstTransactionSetControlNumber
        self.usageIndicator = usageIndicator
        self.delimiters = delimiters
        self.segmentSuffix = segmentSuffix
    }
}

/// Generates TA1, 997 and 999 acknowledgements from an ``X12AckInterchangeResult``.
///
/// Each acknowledgement is its own interchange addressed back to the sender (ISA05/06 ↔ ISA07/08 and
/// GS02 ↔ GS03 swapped) with the counts right: SE01 counts `ST` to `SE`, GE01 the sets, IEA01 the groups.
/// A TA1 inside a 997/999 interchange sits after the `ISA` and before the `GS`, where X12.5 puts it.
public struct X12AckGenerator: Sendable {
    /// The acknowledgement's own envelope values.
    public var envelope: X12AckEnvelope

    /// A generator writing with `envelope`.
    public init(envelope: X12AckEnvelope) {
        self.envelope = envelope
    }

    /// The acknowledgement's bytes.
    ///
    /// - Parameter includesTA1: for a 997/999, whether to put a TA1 in the interchange; `nil` (Default)
    ///   follows ISA14 of the acknowledged interchange (`1` = requested).
    /// - Throws: ``X12Error/delimiterInValue(segmentID:element:byte:)`` when an echoed value contains one of
    ///   the envelope's delimiters.
    public func write(
        _ kind: X12AckKind, for interchange: X12AckInterchangeResult, includesTA1: Bool? = nil
    ) throws(X12Error) -> [UInt8] {
        var delimiters = envelope.delimiters
        if kind == .functional997 || (kind == .ta1 && !Self.allowsRepetition(interchange.header.version)) {
            delimiters.repetition = nil   // ISA11 is then the standards identifier `U`
        }
        let writer = X12Writer(delimiters: delimiters, segmentSuffix: envelope.segmentSuffix)
        var output = ByteWriter(capacity: 512)
        for segment in segments(kind, for: interchange, includesTA1: includesTA1) {
            try writer.write(segment, to: &output)
        }
        return output.bytes
    }

    /// The acknowledgement's segments, `ISA` to `IEA`.
    public func segments(
        _ kind: X12AckKind, for interchange: X12AckInterchangeResult, includesTA1: Bool? = nil
    ) -> [X12Segment] {
        let header = interchange.header
        let version: String
        switch kind {
        case .ta1: version = header.version.isEmpty ? "00401" : header.version
        case .functional997: version = "00401"
        case .implementation999: version = "00501"
        }
        let repetition: String
        if Self.allowsRepetition(version), kind != .functional997, let separator = envelope.delimiters.repetition {
            repetition = String(decoding: [separator], as: UTF8.self)
        } else {
            repetition = "U"
        }
        let controlNumber = Self.digits(envelope.interchangeControlNumber, width: 9)
        var out: [X12Segment] = [
            X12Segment(
                "ISA", "00", Self.padded("", 10), "00", Self.padded("", 10),
                Self.padded(header.receiverQualifier, 2), Self.padded(header.receiverID, 15),
                Self.padded(header.senderQualifier, 2), Self.padded(header.senderID, 15),
                String(envelope.date.suffix(6)), String(envelope.time.prefix(4)), repetition, version, controlNumber,
                "0", envelope.usageIndicator ?? header.usageIndicator,
                String(decoding: [envelope.delimiters.component], as: UTF8.self))
        ]
        if kind == .ta1 || (includesTA1 ?? (header.acknowledgmentRequested == "1")) {
            out.append(Self.ta1Segment(for: interchange))
        }
        var groupCount = 0
        if kind != .ta1, !interchange.groups.isEmpty {
            groupCount = 1
            let first = interchange.groups[0]
            let trimmed = { (text: String) in String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
            let groupVersion = kind == .functional997 ? "004010" : Self.implementationConvention999
            out.append(X12Segment(
                "GS", "FA", first.receiverCode.isEmpty ? trimmed(header.receiverID) : first.receiverCode,
                first.senderCode.isEmpty ? trimmed(header.senderID) : first.senderCode, envelope.date, envelope.time,
                String(envelope.groupControlNumber), "X", groupVersion))
            for (index, group) in interchange.groups.enumerated() {
                let setControlNumber = Self.digits(envelope.firstTransactionSetControlNumber + index, width: 4)
                out += kind == .functional997
                    ? Self.transactionSet997(for: group, controlNumber: setControlNumber)
                    : Self.transactionSet999(for: group, controlNumber: setControlNumber)
            }
            out.append(X12Segment("GE", String(interchange.groups.count), String(envelope.groupControlNumber)))
        }
        out.append(X12Segment("IEA", String(groupCount), controlNumber))
        return out
    }

    /// GS08 and ST03 of a 999.
    public static let implementationConvention999 = "005010X231A1"

    /// `TA1`: TA101 = ISA13, TA102/TA103 = ISA09/ISA10 of the acknowledged interchange, TA104 A/R, TA105 note code.
    public static func ta1Segment(for interchange: X12AckInterchangeResult) -> X12Segment {
        X12Segment(
            "TA1", interchange.header.controlNumber, interchange.header.date, interchange.header.time,
            interchange.acknowledgmentCode.rawValue, interchange.noteCode.rawValue)
    }

    /// One 997 (`ST` … `SE`) for one functional group: AK1, then AK2/AK3/AK4/AK5 per set, AK9.
    public static func transactionSet997(for group: X12AckGroupResult, controlNumber: String) -> [X12Segment] {
        var body: [X12Segment] = [X12Segment("ST", "997", controlNumber)]
        body.append(X12Segment("AK1", group.functionalIdentifier, group.controlNumber))
        for set in group.transactionSets {
            body.append(X12Segment("AK2", set.identifier, set.controlNumber))
            appendSegmentErrors(set, implementation: false, to: &body)
            body.append(trimmed("AK5", [set.acknowledgmentCode.rawValue] + set.errorCodes.map(\.rawValue)))
        }
        body.append(ak9(group))
        body.append(X12Segment("SE", String(body.count + 1), controlNumber))
        return body
    }

    /// One 999 (`ST` … `SE`) for one functional group: AK1, then AK2/IK3/IK4/IK5 per set, AK9.
    public static func transactionSet999(for group: X12AckGroupResult, controlNumber: String) -> [X12Segment] {
        var body: [X12Segment] = [X12Segment("ST", "999", controlNumber, implementationConvention999)]
        body.append(trimmed("AK1", [group.functionalIdentifier, group.controlNumber, group.version]))
        for set in group.transactionSets {
            body.append(trimmed("AK2", [set.identifier, set.controlNumber, set.implementationConvention ?? ""]))
            appendSegmentErrors(set, implementation: true, to: &body)
            body.append(trimmed("IK5", [set.acknowledgmentCode.rawValue] + set.errorCodes.map(\.rawValue)))
        }
        body.append(ak9(group))
        body.append(X12Segment("SE", String(body.count + 1), controlNumber))
        return body
    }

    private static func ak9(_ group: X12AckGroupResult) -> X12Segment {
        var codes: [String] = []
        for finding in group.findings where !codes.contains(finding.code.rawValue) { codes.append(finding.code.rawValue) }
        return trimmed("AK9", [
            group.acknowledgmentCode.rawValue, String(group.includedTransactionSetCount),
            String(group.receivedTransactionSetCount), String(group.acceptedTransactionSetCount),
        ] + codes.prefix(5))
    }

    private static func appendSegmentErrors(
        _ set: X12AckTransactionSetResult, implementation: Bool, to body: inout [X12Segment]
    ) {
        for error in set.segmentErrors {
            // AK303 (997) is an X12 LS/LE loop identifier, not a guide loop name: left empty, as pyx12 does;
            // IK303 (999) carries the guide's loop id. `I` codes are 999-only: a 997 gets their X12 equivalent.
            let code = implementation ? error.code?.rawValue : error.code.map { $0.functional997Code.rawValue }
            body.append(trimmed(implementation ? "IK3" : "AK3", [
                error.segmentID, String(error.position), implementation ? error.loopID ?? "" : "", code ?? "",
            ]))
            for element in error.elementErrors {
                var position = [String(element.elementPosition)]
                if let component = element.componentPosition { position.append(String(component)) }
                if implementation, let repetition = element.repetitionPosition {
                    if element.componentPosition == nil { position.append("") }
                    position.append(String(repetition))
                }
                let elements = [
                    X12Element(components: position), X12Element(element.referenceNumber.map(String.init) ?? ""),
                    X12Element(implementation ? element.code.rawValue : element.code.functional997Code.rawValue),
                    X12Element(element.badValue ?? ""),
                ]
                body.append(trimmed(implementation ? "IK4" : "AK4", elements))
            }
        }
    }

    private static func trimmed(_ id: String, _ values: [String]) -> X12Segment {
        trimmed(id, values.map { X12Element($0) })
    }

    /// A segment without its trailing empty elements (X12.5: trailing separators are not written).
    private static func trimmed(_ id: String, _ elements: [X12Element]) -> X12Segment {
        var elements = elements
        while let last = elements.last, last.isEmpty { elements.removeLast() }
        return X12Segment(id: id, elements: elements)
    }

    private static func allowsRepetition(_ version: String) -> Bool {
        guard let number = Int(version) else { return false }
        return number >= 402
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        let cut = String(text.prefix(width))
        return cut + String(repeating: " ", count: max(0, width - cut.count))
    }

    private static func digits(_ value: Int, width: Int) -> String {
        let text = String(max(0, value))
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
