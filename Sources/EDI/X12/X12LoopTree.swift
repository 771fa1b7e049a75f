/// The implementation-guide loop tree of one transaction set (ST…SE): loops as the guide names them, each with
/// its segments (in input order, with their 1-based position) and nested loops.
public struct X12Loop: Sendable, Hashable {
    /// The guide's loop id (`ST_LOOP`, `HEADER`, `1000A`, `2000B`, `2300` …).
    public var id: String
    /// The guide's loop name.
    public var name: String
    /// Segments and nested loops in input order.
    public var children: [Child]

    /// One entry of a loop: a segment or a nested loop.
    public indirect enum Child: Sendable, Hashable {
        case segment(X12LoopSegment)
        case loop(X12Loop)
    }

    public init(id: String, name: String, children: [Child] = []) {
        self.id = id
        self.name = name
        self.children = children
    }

    /// This loop's own segments.
    public var segments: [X12LoopSegment] {
        children.compactMap { if case let .segment(segment) = $0 { segment } else { nil } }
    }

    /// The loops directly inside this one.
    public var loops: [X12Loop] {
        children.compactMap { if case let .loop(loop) = $0 { loop } else { nil } }
    }

    /// Every loop below this one (depth first) with the given id.
    public func descendants(_ id: String) -> [X12Loop] {
        loops.flatMap { ($0.id == id ? [$0] : []) + $0.descendants(id) }
    }
}

/// A segment placed in the loop tree.
public struct X12LoopSegment: Sendable, Hashable {
    /// The segment, values kept as bytes.
    public var segment: X12Segment
    /// 1-based position of the segment in the input.
    public var position: Int
    /// `false` when the guide has no place for the segment here (reported in the builder's issues).
    public var isRecognized: Bool

    /// A placed segment.
    public init(segment: X12Segment, position: Int, isRecognized: Bool = true) {
        self.segment = segment
        self.position = position
        self.isRecognized = isRecognized
    }

    public var id: String { segment.id }
}

/// A structural finding while building a loop tree, located by segment position, loop id and segment id.
public struct X12LoopTreeIssue: Sendable, Hashable, Error, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// The guide has no segment with this id anywhere.
        case segmentNotInGuide
        /// The segment id exists in the guide, but not in this loop or any loop enclosing it.
        case segmentNotExpected
        /// The id fits this loop but the qualifier value (e.g. NM101, DTP01) is not one the guide lists.
        case qualifierNotRecognized(element: Int, found: String)
        /// The segment belongs to the current loop but comes after a segment the guide places later.
        case segmentOutOfOrder
        /// A segment is used more times in one loop instance than the guide allows.
        case segmentUseExceeded(maximum: Int, count: Int)
        /// A loop repeats more times under one parent than the guide allows.
        case loopRepeatExceeded(maximum: Int, count: Int)
        /// HL01 repeats an earlier HL01 of the same transaction set.
        case hierarchicalIDDuplicate(String)
        /// HL02 names no earlier HL01.
        case hierarchicalParentUnknown(String)
        /// HL02 is empty for a level that needs a parent.
        case hierarchicalParentMissing
        /// HL02 points at a level of the wrong kind (e.g. a 2000C whose parent is a 2000A).
        case hierarchicalParentMismatch(parentLoop: String, allowed: [String])
    }

    public var kind: Kind
    /// 1-based segment position in the input.
    public var position: Int
    /// The loop the segment was placed in (or the loop it opened).
    public var loopID: String
    public var segmentID: String

    /// A finding at a segment.
    public init(kind: Kind, position: Int, loopID: String, segmentID: String) {
        self.kind = kind
        self.position = position
        self.loopID = loopID
        self.segmentID = segmentID
    }

    public var description: String {
        "segment \(position) \(segmentID) in loop \(loopID): \(kind)"
    }
}

extension X12Loop {
    /// The tree as JSON: `{"loop":…,"name":…,"children":[{"segment":"NM1","position":7},{"loop":…}]}`.
    /// Structure only (ids, names, positions): segment values are claim data (PHI) and are left out.
    public var json: String {
        var out = ""
        writeJSON(to: &out, indent: 0, pretty: true)
        return out
    }

    /// The tree as one-line JSON.
    public var compactJSON: String {
        var out = ""
        writeJSON(to: &out, indent: 0, pretty: false)
        return out
    }

    private func writeJSON(to out: inout String, indent: Int, pretty: Bool) {
        let pad = pretty ? String(repeating: "  ", count: indent + 1) : ""
        let newline = pretty ? "\n" : ""
        out += "{\"loop\":\(Self.quoted(id)),\"name\":\(Self.quoted(name)),\"children\":["
        for (index, child) in children.enumerated() {
            out += (index == 0 ? "" : ",") + newline + pad
            switch child {
            case let .segment(segment):
                out += "{\"segment\":\(Self.quoted(segment.id)),\"position\":\(segment.position)"
                out += segment.isRecognized ? "}" : ",\"recognized\":false}"
            case let .loop(loop):
                loop.writeJSON(to: &out, indent: indent + 1, pretty: pretty)
            }
        }
        if !children.isEmpty { out += newline + (pretty ? String(repeating: "  ", count: indent) : "") }
        out += "]}"
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
