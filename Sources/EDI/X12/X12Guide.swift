public import Foundation
import Synchronization

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
    /// BHT02 transaction set purpose codes this guide is for, when a convention has one guide per purpose
    /// (pyx12's `tspc`: the 4010 278 request `13`, response `11`); `nil` = any.
    public var purposeCodes: [String]?
    /// External code lists the elements name in `externalCodes` (`states`, `country`, `pos` …), from pyx12's
    /// `codes.xml`.
    public var codeLists: [String: [String]]

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
        codeLists = file.codeLists ?? [:]
        purposeCodes = file.purposeCodes
    }

    /// The identifiers of the guides shipped with Ferry.
    ///
    /// 5010: 835 `005010X221A1`, 837P `005010X222A1`, 837I `005010X223A2`, 837D `005010X224A2` (derived from the
    /// 4010 dental map, see `Guides/README.md`), 999 `005010X231A1`. 4010 (so 4010 inputs are validated against
    /// their own guide, as pyx12 does): 835 `004010X091A1`, 278 `004010X094A1`, 837I `004010X096A1`,
    /// 837D `004010X097A1`, 837P `004010X098A1`; the 278 response (BHT02 `11`) is `004010X094A1-response`.
    public static let bundledIDs = [
        "005010X221A1", "005010X222A1", "005010X223A2", "005010X224A2", "005010X231A1",
        "004010X091A1", "004010X094A1", "004010X094A1-response", "004010X096A1", "004010X097A1", "004010X098A1",
    ]

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

    /// The bundled guide for an implementation convention reference (ST03 or GS08; in 4010 the header
    /// `REF*87` transmission type, e.g. `004010X097`): an exact id, or else the guide with the same transaction
    /// set and base convention (`005010X222A2` → `005010X222A1`, `004010X097` → `004010X097A1`).
    /// Guides are decoded once and cached.
    public static func bundled(forConvention reference: String, transactionSet: String) -> X12Guide? {
        let reference = reference.trimmingCharacters(in: .whitespaces)
        if bundledIDs.contains(reference), let guide = cached(reference) { return guide }
        let base = String(reference.prefix(10))  // 005010X222
        guard base.count == 10 else { return nil }
        for id in bundledIDs where id.hasPrefix(base) {
            if let guide = cached(id), guide.transactionSet == transactionSet { return guide }
        }
        return nil
    }

    /// The bundled guide for one transaction set: by ST03 when present; else, for 4010 sets (which have no
    /// ST03), by the header `REF*87` transmission type when it names a bundled guide (the OopFactory 837D sample
    /// has GS08 `004010X096A1`, the institutional guide, and `REF*87*004010X097`); else by GS08.
    /// pyx12 chooses by GS08 alone; `REF*87` is preferred here because it names the guide of this very set.
    ///
    /// `purpose` (BHT02) picks among guides of one convention that differ by purpose (``purposeCodes``).
    public static func bundled(
        transactionSet: String, implementationConvention st03: String?, transmissionType: String?, groupVersion: String,
        purpose: String? = nil
    ) -> X12Guide? {
        var guide: X12Guide?
        if let st03, !st03.trimmingCharacters(in: .whitespaces).isEmpty {
            guide = bundled(forConvention: st03, transactionSet: transactionSet)
        } else if let transmissionType, groupVersion.hasPrefix("004010"),
            let found = bundled(forConvention: transmissionType, transactionSet: transactionSet)
        {
            guide = found
        } else {
            guide = bundled(forConvention: groupVersion, transactionSet: transactionSet)
        }
        guard let found = guide, let purpose, let codes = found.purposeCodes, !codes.contains(purpose) else { return guide }
        for id in bundledIDs where id != found.id && id.hasPrefix(found.id) {
            if let variant = cached(id), variant.transactionSet == transactionSet,
                variant.purposeCodes?.contains(purpose) == true
            {
                return variant
            }
        }
        return found
    }

    private static let cache = Mutex<[String: X12Guide]>([:])

    /// A bundled guide decoded at most once per process.
    static func cached(_ id: String) -> X12Guide? {
        if let guide = cache.withLock({ $0[id] }) { return guide }
        guard let guide = try? bundled(id) else { return nil }
        cache.withLock { $0[id] = guide }
        return guide
    }

    private struct GuideFile: Decodable {
        var format: String
        var id: String
        var transactionSet: String
        var name: String
        var source: [String: String]
        var root: X12GuideLoop
        var codeLists: [String: [String]]?
        var purposeCodes: [String]?
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
    /// Every element and composite component the guide defines (older guide files list only the elements that
    /// carry code values).
    public var elements: [X12GuideElement]
    /// X12 syntax rules between elements, as the standard writes them: `P0809` (paired), `R0203` (at least
    /// one), `C1110` (if 11 then 10), `E0405` (at most one), `L030405` (if 03 then at least one of 04, 05).
    public var syntaxRules: [String]

    enum CodingKeys: String, CodingKey { case id = "segment", name, usage, maxUse, sequence, elements, syntaxRules = "syntax" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        usage = try c.decode(X12Usage.self, forKey: .usage)
        maxUse = try c.decodeIfPresent(Int.self, forKey: .maxUse)
        sequence = try c.decodeIfPresent(Int.self, forKey: .sequence)
        elements = try c.decodeIfPresent([X12GuideElement].self, forKey: .elements) ?? []
        syntaxRules = try c.decodeIfPresent([String].self, forKey: .syntaxRules) ?? []
    }

    /// The elements whose values identify this segment among others with the same id (NM101, HL03, DTP01 …).
    public var qualifiers: [X12GuideElement] { elements.filter(\.isQualifier) }
}

/// An element (or a component of a composite): usage, X12 data type, lengths and, when the guide lists them, its
/// allowed code values.
public struct X12GuideElement: Sendable, Hashable, Decodable {
    /// 1-based element position.
    public var position: Int
    /// 1-based component position when the element is a composite.
    public var component: Int?
    public var usage: X12Usage
    /// Allowed code values; empty when the guide lists none (any value of the right type and length).
    public var codes: [String]
    /// Whether the value identifies the segment (pyx12's segment matching: element 01 or HL03).
    public var isQualifier: Bool
    /// The X12 data element reference number (e.g. `1028`), AK402/IK402.
    public var reference: String?
    /// The X12 data type: `AN`, `ID`, `N0`…`N9`, `R`, `DT`, `TM`, `B`.
    public var type: String?
    /// Minimum length of a non-empty value (digits only for N and R types).
    public var minLength: Int?
    /// Maximum length of a value (digits only for N and R types).
    public var maxLength: Int?
    /// Most repetitions of the element (or of the composite); `nil` when not given (1), `Int.max` never.
    public var maxRepeat: Int?
    /// The composite's reference (e.g. `C023`) when this is one of its components.
    public var composite: String?
    /// The composite's own usage when this is one of its components.
    public var compositeUsage: X12Usage?
    /// How many components the composite defines.
    public var components: Int?
    /// The name of an external code list (`states`, `country` …) the guide refers to but does not list.
    public var externalCodes: String?

    enum CodingKeys: String, CodingKey {
        case position, component, usage, codes, isQualifier = "qualifier", reference, type, minLength, maxLength
        case maxRepeat, composite, compositeUsage, components, externalCodes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        position = try c.decode(Int.self, forKey: .position)
        component = try c.decodeIfPresent(Int.self, forKey: .component)
        usage = try c.decode(X12Usage.self, forKey: .usage)
        codes = try c.decodeIfPresent([String].self, forKey: .codes) ?? []
        isQualifier = try c.decodeIfPresent(Bool.self, forKey: .isQualifier) ?? false
        reference = try c.decodeIfPresent(String.self, forKey: .reference)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        minLength = try c.decodeIfPresent(Int.self, forKey: .minLength)
        maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength)
        // `maxRepeat: null` in the file means unbounded.
        if c.contains(.maxRepeat) {
            maxRepeat = try c.decodeIfPresent(Int.self, forKey: .maxRepeat) ?? Int.max
        } else {
            maxRepeat = nil
        }
        composite = try c.decodeIfPresent(String.self, forKey: .composite)
        compositeUsage = try c.decodeIfPresent(X12Usage.self, forKey: .compositeUsage)
        components = try c.decodeIfPresent(Int.self, forKey: .components)
        externalCodes = try c.decodeIfPresent(String.self, forKey: .externalCodes)
    }
}
