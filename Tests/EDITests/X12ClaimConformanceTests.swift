import EDI
import Events
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Claims and claim payments of a corpus file, and their `data` JSON as Ferry writes it.
enum X12ClaimCorpus {
    static func extract(_ bytes: [UInt8]) throws -> (records: [X12ClaimExtractor.Record], issues: [X12ClaimIssue]) {
        var extractor = X12ClaimExtractor()
        var records: [X12ClaimExtractor.Record] = []
        try bytes.withUnsafeBytes { raw in
            try X12SegmentFramer.forEachSegment(in: raw, allowsUnterminatedFinalSegment: true) { view in
                extractor.consume(view) { records.append($0) }
            }
        }
        extractor.finish()
        return (records, extractor.takeIssues())
    }

    static func extract(case name: String) throws -> (records: [X12ClaimExtractor.Record], issues: [X12ClaimIssue]) {
        try extract(Array(Data(contentsOf: X12Conformance.root.appendingPathComponent("\(name)/input.x12"))))
    }

    static func dataJSON(_ record: X12ClaimExtractor.Record) throws -> JSONValue {
        var writer = JSONWriter()
        switch record {
        case let .claim(claim): claim.writeJSON(to: &writer)
        case let .payment(payment): payment.writeJSON(to: &writer)
        }
        return try JSONValue(parsing: writer.bytes)
    }

    static func claims(_ records: [X12ClaimExtractor.Record]) -> [HealthCareClaim] {
        records.compactMap { if case let .claim(claim) = $0 { claim } else { nil } }
    }

    static func payments(_ records: [X12ClaimExtractor.Record]) -> [ClaimPayment] {
        records.compactMap { if case let .payment(payment) = $0 { payment } else { nil } }
    }
}

/// A JSON tree reduced to what the comparison needs: numbers and strings both as text.
indirect enum ClaimTree: Equatable {
    case null
    case bool(Bool)
    case text(String)
    case array([ClaimTree])
    case object([String: ClaimTree])

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case let .bool(flag): self = .bool(flag)
        case let .number(text), let .string(text): self = .text(text)
        case let .array(items): self = .array(items.map(ClaimTree.init))
        case let .object(members):
            var object: [String: ClaimTree] = [:]
            for member in members where object[member.key] == nil { object[member.key] = ClaimTree(member.value) }
            self = .object(object)
        }
    }

    subscript(key: String) -> ClaimTree? {
        if case let .object(object) = self { object[key] } else { nil }
    }
}

/// Compares Ferry's claim JSON with `expected.canonical-claims.derived.json` (a proposal, not upstream truth).
///
/// Mapping (Ferry's names → the proposal's), applied to Ferry's side before comparing:
/// - `providers` (array with `role`) → `renderingProvider` (the proposal has only that role), claim and line level;
/// - `tooth[].number` → `tooth[].code`;
/// - `dates[]`: Ferry always writes `format` and `value` plus `date` (D8) or `from`/`to` (RD8); the proposal writes
///   only the normalised form when there is one, so `format`/`value` are dropped then.
/// - An empty string in the proposal equals an absent member in Ferry (Ferry leaves empty values out), e.g.
///   4010's empty CLM05-2.
/// Ferry-only members (paths no proposal file uses: `kind`, `ordinal`, `references`, `taxonomy`, `billType`,
/// `drug.quantity` …) are not compared; every path the proposals use is compared both ways (missing or extra).
enum DerivedClaims {
    static let ignoredKeys: Set<String> = ["codeMeaning", "_note"]

    static func normalise(ours tree: ClaimTree) -> ClaimTree {
        guard case var .object(object) = tree else { return tree }
        if case let .array(providers)? = object["providers"] {
            for provider in providers where provider["role"] == .text("rendering") {
                if case var .object(party) = provider {
                    party["role"] = nil
                    object["renderingProvider"] = .object(party)
                }
            }
            object["providers"] = nil
        }
        if case let .array(dates)? = object["dates"] {
            object["dates"] = .array(dates.map { date in
                guard case var .object(fields) = date, fields["date"] != nil || fields["from"] != nil else { return date }
                fields["format"] = nil
                fields["value"] = nil
                return .object(fields)
            })
        }
        if case let .array(teeth)? = object["tooth"] {
            object["tooth"] = .array(teeth.map { tooth in
                guard case var .object(fields) = tooth else { return tooth }
                fields["code"] = fields["number"]
                fields["number"] = nil
                return .object(fields)
            })
        }
        for (key, value) in object {
            switch value {
            case .object: object[key] = normalise(ours: value)
            case let .array(items): object[key] = .array(items.map { normalise(ours: $0) })
            default: break
            }
        }
        return .object(object)
    }

    /// Every member path used by any proposal file (`serviceLines[].procedure.code` …).
    static func paths(_ tree: ClaimTree, prefix: String = "", into set: inout Set<String>) {
        switch tree {
        case let .object(object):
            for (key, value) in object where !ignoredKeys.contains(key) {
                let path = prefix.isEmpty ? key : prefix + "." + key
                set.insert(path)
                paths(value, prefix: path, into: &set)
            }
        case let .array(items):
            for item in items { paths(item, prefix: prefix + "[]", into: &set) }
        default: break
        }
    }

    /// Compares leaf by leaf; returns the number of equal leaves and the differing paths.
    static func compare(
        expected: ClaimTree?, ours: ClaimTree?, path: String, schemaPath: String, vocabulary: Set<String>,
        mismatches: inout [String]
    ) -> Int {
        switch (expected, ours) {
        case (.text("")?, nil), (nil, .text("")?): return 1
        case let (.object(e)?, .object(o)?):
            var ok = 0
            for key in Set(e.keys).union(o.keys) where !ignoredKeys.contains(key) {
                let child = schemaPath.isEmpty ? key : schemaPath + "." + key
                if e[key] == nil, !vocabulary.contains(child) { continue }  // Ferry-only member
                ok += compare(
                    expected: e[key], ours: o[key], path: path + "." + key, schemaPath: child, vocabulary: vocabulary,
                    mismatches: &mismatches)
            }
            return ok
        case let (.array(e)?, .array(o)?):
            guard e.count == o.count else {
                mismatches.append("\(path): \(e.count) items expected, \(o.count) found")
                return 0
            }
            var ok = 0
            for index in e.indices {
                ok += compare(
                    expected: e[index], ours: o[index], path: "\(path)[\(index)]", schemaPath: schemaPath + "[]",
                    vocabulary: vocabulary, mismatches: &mismatches)
            }
            return ok
        default:
            if expected == ours { return 1 }
            // Values are public test data from the corpus, so naming them in a failing test is fine.
            mismatches.append("\(path): expected \(String(describing: expected)), found \(String(describing: ours))")
            return 0
        }
    }
}

@Suite(.enabled(if: X12Conformance.available, "\(X12Conformance.skipMessage)"))
struct X12ClaimConformanceTests {
    static let derivedCases: [String] = {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: X12Conformance.root.path) else {
            return []
        }
        return names.filter { name in
            FileManager.default.fileExists(
                atPath: X12Conformance.root.appendingPathComponent("\(name)/expected.canonical-claims.derived.json").path)
        }.sorted()
    }()

    /// Deliberate differences from the derived proposal, per case: path → reason. Empty means none.
    static let deliberateDifferences: [String: [String: String]] = [
        "x12-4010-837d-oopfactory-patient-not-subscriber": [
            "claims[0].serviceLines[0].quantity": "SV306 procedure count (edi-anchors §4) is extracted; the proposal leaves it out",
            "claims[0].serviceLines[1].quantity": "SV306 procedure count, as above",
        ],
        "x12-4010-837p-pyx12-simple-valid": [
            "claims[0].serviceLines[0].dates":
                "DTP*573 follows SVD: it is loop 2430 (COB line adjudication date), not a date of the line; the proposal adds it to the line's dates",
            "claims[0].serviceLines[1].dates": "DTP*573 in 2430, as above",
        ],
    ]

    static func derived(_ name: String) throws -> [ClaimTree] {
        let bytes = try Array(
            Data(contentsOf: X12Conformance.root.appendingPathComponent("\(name)/expected.canonical-claims.derived.json")))
        guard case let .array(claims)? = ClaimTree(try JSONValue(parsing: bytes))["claims"] else { return [] }
        return claims
    }

    static let vocabulary: Set<String> = {
        var set = Set<String>()
        for name in derivedCases {
            for claim in (try? derived(name)) ?? [] { DerivedClaims.paths(claim, into: &set) }
        }
        return set
    }()

    @Test func everyCaseWithDerivedClaimsMatches() throws {
        #expect(Self.derivedCases.count >= 13)
        var casesOK = 0
        var claimsCompared = 0
        var fieldsOK = 0
        var failures: [String] = []
        for name in Self.derivedCases {
            let expected = try Self.derived(name)
            let (records, issues) = try X12ClaimCorpus.extract(case: name)
            let claims = X12ClaimCorpus.claims(records)
            var mismatches: [String] = []
            if !issues.isEmpty { mismatches.append("issues: \(issues)") }
            if claims.count != expected.count {
                mismatches.append("\(expected.count) claims expected, \(claims.count) found")
            }
            for (index, claim) in zip(expected.indices, claims) {
                let ours = DerivedClaims.normalise(ours: ClaimTree(try X12ClaimCorpus.dataJSON(.claim(claim))))
                fieldsOK += DerivedClaims.compare(
                    expected: expected[index], ours: ours, path: "claims[\(index)]", schemaPath: "",
                    vocabulary: Self.vocabulary, mismatches: &mismatches)
                claimsCompared += 1
            }
            let allowed = Self.deliberateDifferences[name] ?? [:]
            let unexplained = mismatches.filter { mismatch in !allowed.keys.contains { mismatch.hasPrefix($0) } }
            if unexplained.isEmpty { casesOK += 1 } else { failures.append("\(name):\n  " + unexplained.joined(separator: "\n  ")) }
        }
        print("claim conformance: \(casesOK)/\(Self.derivedCases.count) cases, \(claimsCompared) claims, \(fieldsOK) fields ok")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
