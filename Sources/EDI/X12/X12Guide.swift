public import Foundation

/// An X12 implementation guide as data: the loops of one transaction set, their segments, usage and repeats
/// (e.g. 005010X222A1, the 837 Professional). Loaded from the JSON files in `Sources/EDI/Guides/`
/// (format `ferry-x12-guide/1`, described in that folder's README).
public struct X12Guide: Sendable, Hashable {
    /// The implementation convention reference (ST03 / GS08), e.g. `005010X222A1`.
    public var id: String
    /// The transaction set identifier (ST01), e.g. `837`.
    public var transactionSet: String
    /// The guide's title.
    public var name: String
    /// Where the structure was taken from, with its licence and copyright line.
    public var source: [String: String]
    /// The transaction set loop (`ST_LOOP`): ST, the header and detail tables, SE.
    public var root: X12GuideLoop

    /// Decodes a guide from its JSON file contents.
    public init(json: Data) throws(X12GuideError) {
        let file: GuideFile
        do {
            file = try JSONDecoder().decode(GuideFile.self, from: json)
        } catch {
            throw .malformed(guide: nil, reason: String(describing: error))
        }
        guard file.format == "ferry-x12-guide/1" else {
            throw .malformed(guide: file.id, reason: "format \(file.format), expected ferry-x12-guide/1")
        }
        id = file.id
        transactionSet = file.transactionSet
        name = file.name
        source = file.source
        root = file.root
    }

    /// The identifiers of the guides shipped with Ferry.
    public static let bundledIDs = ["005010X221A1", "005010X222A1", "005010X223A2", "005010X231A1"]

    /// Loads a guide shipped in the EDI module's resources by its id (e.g. `005010X222A1`).
    public static func bundled(_ id: String) throws(X12GuideError) -> X12Guide {
        guard
            let url = Bundle.module.url(forResource: id, withExtension: "json", subdirectory: "Guides")
                ?? Bundle.module.url(forResource: id, withExtension: "json")
        else { throw .notFound(id) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .notFound(id) }
        return try X12Guide(json: data)
    }

    /// The bundled guide for an implementation convention reference (ST03 or GS08): an exact id, or else the
    /// guide with the same transaction set and base convention (`005010X222A2` → `005010X222A1`).
    public static func bundled(forConvention reference: String, transactionSet: String) -> X12Guide? {
        let reference = reference.trimmingCharacters(in: .whitespaces)
        if bundledIDs.contains(reference), let guide = try? bundled(reference) {
            return guide.transactionSet == transactionSet ? guide : nil
        }
        let base = String(reference.prefix(10))  // 005010X222
        guard base.count == 10 else { return nil }
        for id in bundledIDs where id.hasPrefix(base) {
            if let guide = try? bundled(id), guide.transactionSet == transactionSet { return guide }
        }
        return nil
    }

    private struct GuideFile: Decodable {
        var format: String
        var id: String
        var transactionSet: String
        var name: String
        var source: [String: String]
        var root: X12GuideLoop
    }
}

/// Errors loading an implementation guide.
public enum X12GuideError: Error, Sendable, Hashable {
    /// No bundled guide has this id.
    case notFound(String)
    /// The guide file is not valid `ferry-x12-guide/1` JSON.
    case malformed(guide: String?, reason: String)
}

/// Implementation-guide usage of a loop, segment or element: required, situational or not used.
public enum X12Usage: String, Sendable, Hashable, Codable {
    case required = "R"
    case situational = "S"
    case notUsed = "N"
}

/// One loop of a guide (e.g. `2000B`, Subscriber Hierarchical Level).
public struct X12GuideLoop: Sendable, Hashable, Decodable {
    /// The loop id as the guide names it (`2010AA`; pyx12's `HEADER`/`DETAIL` for table wrappers).
    public var id: String
    public var name: String
    public var usage: X12Usage
    /// The most instances allowed under one parent; `nil` = unbounded (">1").
    public var maxRepeat: Int?
    /// The guide's position number (pyx12 `pos`): siblings with the same number may come in any order.
    public var sequence: Int?
    /// A table wrapper (`HEADER`, `DETAIL`) rather than a loop of the standard.
    public var isWrapper: Bool
    /// The first segment and the qualifier values that identify the loop (e.g. HL03 = 22, NM101 = 85).
    public var trigger: X12GuideTrigger?
    /// For HL loops: the loop ids an HL02 parent may belong to (empty = a top level, no parent).
    public var hierarchicalParents: [String]?
    /// Segments and loops in guide order.
    public var children: [X12GuideNode]

    enum CodingKeys: String, CodingKey {
        case id = "loop", name, usage, maxRepeat, sequence, isWrapper = "wrapper", trigger, hierarchicalParents, children
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        usage = try c.decode(X12Usage.self, forKey: .usage)
        maxRepeat = try c.decodeIfPresent(Int.self, forKey: .maxRepeat)
        sequence = try c.decodeIfPresent(Int.self, forKey: .sequence)
        isWrapper = try c.decodeIfPresent(Bool.self, forKey: .isWrapper) ?? false
        trigger = try c.decodeIfPresent(X12GuideTrigger.self, forKey: .trigger)
        hierarchicalParents = try c.decodeIfPresent([String].self, forKey: .hierarchicalParents)
        children = try c.decode([X12GuideNode].self, forKey: .children)
    }

    /// The segment that opens this loop: its first segment, looking through leading child loops.
    public var firstSegment: X12GuideSegment? {
        switch children.first {
        case let .segment(segment): segment
        case let .loop(loop): loop.firstSegment
        case nil: nil
        }
    }
}

/// A segment or a nested loop inside a guide loop.
public indirect enum X12GuideNode: Sendable, Hashable, Decodable {
    case segment(X12GuideSegment)
    case loop(X12GuideLoop)

    private enum Keys: String, CodingKey { case segment, loop }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        if c.contains(.loop) {
            self = .loop(try X12GuideLoop(from: decoder))
        } else {
            self = .segment(try X12GuideSegment(from: decoder))
        }
    }
}

/// How a loop is recognised: its first segment and, when present, the element whose code values identify it.
public struct X12GuideTrigger: Sendable, Hashable, Codable {
    public var segment: String
    /// 1-based element position (e.g. 3 for HL03).
    public var position: Int?
    /// 1-based component position inside a composite element.
    public var component: Int?
    public var codes: [String]?

    /// A trigger: the segment id and, optionally, the qualifying element and its codes.
    public init(segment: String, position: Int? = nil, component: Int? = nil, codes: [String]? = nil) {
        self.segment = segment
        self.position = position
        self.component = component
        self.codes = codes
    }
}

/// One segment of a guide loop.
public struct X12GuideSegment: Sendable, Hashable, Decodable {
    public var id: String
    public var name: String
    public var usage: X12Usage
    /// The most uses in one loop instance; `nil` = unbounded.
    public var maxUse: Int?
    /// The guide's position number (pyx12 `pos`): siblings with the same number may come in any order.
    public var sequence: Int?
    /// Elements that carry code values (structure-driving qualifiers among them).
    public var elements: [X12GuideElement]

    enum CodingKeys: String, CodingKey { case id = "segment", name, usage, maxUse, sequence, elements }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        usage = try c.decode(X12Usage.self, forKey: .usage)
        maxUse = try c.decodeIfPresent(Int.self, forKey: .maxUse)
        sequence = try c.decodeIfPresent(Int.self, forKey: .sequence)
        elements = try c.decodeIfPresent([X12GuideElement].self, forKey: .elements) ?? []
    }

    /// The elements whose values identify this segment among others with the same id (NM101, HL03, DTP01 …).
    public var qualifiers: [X12GuideElement] { elements.filter(\.isQualifier) }
}

/// An element (or a component of a composite) with its allowed code values.
public struct X12GuideElement: Sendable, Hashable, Decodable {
    /// 1-based element position.
    public var position: Int
    /// 1-based component position when the element is a composite.
    public var component: Int?
    public var usage: X12Usage
    public var codes: [String]
    /// Whether the value identifies the segment (pyx12's segment matching: element 01 or HL03).
    public var isQualifier: Bool

    enum CodingKeys: String, CodingKey { case position, component, usage, codes, isQualifier = "qualifier" }
}
