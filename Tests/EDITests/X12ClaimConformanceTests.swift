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

/// The elements of an XML document in order: path of names and attributes (OopFactory's claim models).
final class XMLElementList: NSObject, XMLParserDelegate {
    struct Element {
        var path: [String]
        var attributes: [String: String]
        var name: String { path.last ?? "" }
    }

    private(set) var elements: [Element] = []
    private var stack: [String] = []

    /// Parses UTF-16 XML (the declaration's encoding is rewritten to UTF-8 after decoding with Foundation).
    static func parse(utf16 data: Data) throws -> [Element] {
        let text = try #require(String(data: data, encoding: .utf16))
        let utf8 = text.replacingOccurrences(of: "encoding=\"utf-16\"", with: "encoding=\"utf-8\"")
        let list = XMLElementList()
        let parser = XMLParser(data: Data(utf8.utf8))
        parser.delegate = list
        #expect(parser.parse(), "XML parse error: \(String(describing: parser.parserError))")
        return list.elements
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        stack.append(elementName)
        elements.append(Element(path: stack, attributes: attributes))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }
}

/// OopFactory claim models (upstream expectations) and edi-835-parser's CSV against Ferry's claims and payments.
@Suite(.enabled(if: X12Conformance.available, "\(X12Conformance.skipMessage)"))
struct X12ClaimModelConformanceTests {
    /// Compares key values; `checks` counts the equal ones, mismatches are recorded with their label.
    struct Checks {
        var count = 0
        mutating func equal(_ ours: String?, _ expected: String?, _ label: String) {
            #expect(ours == expected, "\(label)")
            if ours == expected { count += 1 }
        }
        /// Amounts compared as exact decimals (the XML and CSV write `6.0` or `100` for the file's `6` / `100`).
        mutating func equalAmount(_ ours: ExactDecimal?, _ expected: String?, _ label: String) {
            let parsed = expected.flatMap { $0.isEmpty ? nil : try? ExactDecimal(parsing: $0) }
            #expect(ours == parsed, "\(label)")
            if ours == parsed { count += 1 }
        }
    }

    static func gender(_ code: String?) -> String? {
        ["F": "Female", "M": "Male", "U": "Unknown"][code ?? ""]
    }

    static func model(_ name: String) throws -> [XMLElementList.Element] {
        try XMLElementList.parse(utf16: Data(contentsOf: X12Conformance.root.appendingPathComponent(
            "\(name)/expected.oopfactory-claim-model.utf16.xml")))
    }

    /// ProfessionalClaim1: OopFactory's model lists 4 service lines; the file has 7 LX (5–7 repeat the procedures of
    /// 1–3). Ferry, like the derived proposal, emits all 7; the model's 4 are compared by line number.
    @Test func professionalClaimModel() throws {
        let elements = try Self.model("x12-5010-837p-oopfactory-claim-model")
        let claim = try #require(X12ClaimCorpus.claims(try X12ClaimCorpus.extract(case: "x12-5010-837p-oopfactory-claim-model").records).first)
        var checks = Checks()
        let root = try #require(elements.first { $0.name == "Claim" })
        checks.equal(root.attributes["Type"], "Professional", "type")
        checks.equal(claim.kind.rawValue.capitalized, root.attributes["Type"], "kind")
        checks.equal(claim.claimID, root.attributes["PatientControlNumber"], "CLM01")
        checks.equalAmount(claim.totalCharge, root.attributes["TotalClaimChargeAmount"], "CLM02")
        let location = try #require(elements.first { $0.name == "ServiceLocationInfo" })
        checks.equal(claim.facilityCode, location.attributes["FacilityCode"], "CLM05-1")
        checks.equal(claim.facilityCodeQualifier, location.attributes["Qualifier"], "CLM05-2")
        checks.equal(claim.frequencyCode, location.attributes["FrequencyTypeCode"], "CLM05-3")
        let billing = try #require(elements.first { $0.path.suffix(2) == ["BillingInfo", "Provider"] })
        checks.equal(claim.billingProvider?.npi, billing.attributes["Npi"], "billing NPI")
        checks.equal(claim.billingProvider?.taxID?.value, billing.attributes["TaxId"], "billing tax id")
        let subscriber = try #require(elements.first { $0.name == "Subscriber" })
        checks.equal(claim.subscriber?.memberID, subscriber.attributes["MemberId"], "member id")
        checks.equal(claim.subscriber?.party.birthDate, subscriber.attributes["DateOfBirth"], "subscriber DOB")
        checks.equal(Self.gender(claim.subscriber?.party.gender), subscriber.attributes["Gender"], "subscriber gender")
        let subscriberName = try #require(elements.first { $0.path.suffix(2) == ["Subscriber", "Name"] })
        checks.equal(claim.subscriber?.party.lastOrOrganizationName, subscriberName.attributes["LastName"], "NM103")
        checks.equal(claim.subscriber?.party.firstName, subscriberName.attributes["FirstName"], "NM104")
        let lines = elements.indices.filter { elements[$0].name == "ServiceLine" }
        #expect(lines.count == 4)
        for index in lines {
            let xml = elements[index]
            let number = xml.attributes["LineNumber"]
            let line = try #require(claim.serviceLines.first { $0.lineNumber == number })
            checks.equalAmount(line.charge, xml.attributes["Charges"], "line \(number ?? "") charge")
            checks.equalAmount(line.quantity, xml.attributes["Quantity"], "line quantity")
            checks.equal(line.unit, xml.attributes["Unit"], "line unit")
            let procedure = try #require(elements[(index + 1)...].first { $0.name == "Procedure" })
            checks.equal(line.procedure?.code, procedure.attributes["ProcedureCode"], "SV101-2")
            checks.equal(line.procedure?.qualifier, procedure.attributes["Qualifier"], "SV101-1")
            let date = try #require(elements[(index + 1)...].first { $0.name == "Date" })
            checks.equal(line.dates.first?.date, date.attributes["Date"].map { String($0.prefix(10)) }, "DTP*472")
        }
        print("oopfactory 837P claim model: \(checks.count) values ok")
        #expect(checks.count == 14 + 4 * 6)  // every check above ran and matched
    }

    @Test func institutionalClaimModel() throws {
        let name = "x12-5010-837i-oopfactory-truncated-tabs-claim-model"
        let elements = try Self.model(name)
        let claim = try #require(X12ClaimCorpus.claims(try X12ClaimCorpus.extract(case: name).records).first)
        var checks = Checks()
        let root = try #require(elements.first { $0.name == "Claim" })
        checks.equal(claim.kind.rawValue.capitalized, root.attributes["Type"], "kind")
        checks.equal(claim.claimID, root.attributes["PatientControlNumber"], "CLM01")
        checks.equalAmount(claim.totalCharge, root.attributes["TotalClaimChargeAmount"], "CLM02")
        checks.equal(
            claim.facilityCode.flatMap { code in claim.frequencyCode.map { code + $0 } }, root.attributes["BillTypeCode"],
            "bill type CLM05-1 + CLM05-3")
        let statement = claim.dates.first { $0.qualifier == "434" }
        checks.equal(statement?.date ?? statement?.range?.from, root.attributes["StatementFromDate"], "DTP*434 from")
        checks.equal(statement?.date ?? statement?.range?.to, root.attributes["StatementToDate"], "DTP*434 to")
        checks.equal(
            claim.references.first { $0.qualifier == "EA" }?.value, root.attributes["MedicalRecordNumber"], "REF*EA")
        let billing = try #require(elements.first { $0.path.suffix(2) == ["BillingInfo", "Provider"] })
        checks.equal(claim.billingProvider?.npi, billing.attributes["Npi"], "billing NPI")
        checks.equal(claim.billingProvider?.taxID?.value, billing.attributes["TaxId"], "billing tax id")
        let subscriber = try #require(elements.first { $0.name == "Subscriber" })
        checks.equal(claim.subscriber?.memberID, subscriber.attributes["MemberId"], "member id")
        checks.equal(claim.subscriber?.party.birthDate, subscriber.attributes["DateOfBirth"], "subscriber DOB")
        checks.equal(Self.gender(claim.subscriber?.party.gender), subscriber.attributes["Gender"], "subscriber gender")
        let relationship = try #require(elements.first { $0.path.suffix(2) == ["Subscriber", "Relationship"] })
        checks.equal(claim.subscriber?.relationship, relationship.attributes["Code"], "SBR02")
        #expect(claim.patientIsSubscriber)
        let payerID = try #require(elements.first { $0.path.suffix(3) == ["Payer", "Name", "Identification"] })
        checks.equal(claim.payer?.id, payerID.attributes["Id"], "payer id")
        checks.equal(
            String(claim.otherSubscriberCount),
            String(elements.filter { $0.name == "OtherSubscriberInformation" }.count), "2320 count")
        for (element, value) in [
            ("AdmissionType", claim.institutional?.admissionType), ("AdmissionSource", claim.institutional?.admissionSource),
            ("PatientStatus", claim.institutional?.patientStatus),
        ] {
            let xml = try #require(elements.first { $0.name == element })
            checks.equal(value ?? "", xml.attributes["Code"], element)
        }
        let diagnoses = elements.filter { $0.name == "Diagnosis" }
        checks.equal(
            claim.diagnoses.map { "\($0.qualifier):\($0.code)" }.joined(separator: ","),
            diagnoses.map { "\($0.attributes["Qualifier"] ?? ""):\($0.attributes["Code"] ?? "")" }.joined(separator: ","),
            "diagnoses")
        let procedures = elements.filter { $0.name == "Procedure" && $0.path.count == 2 }
        checks.equal(
            claim.otherHealthCareCodes.filter { ["BBR", "BBQ", "BR", "BQ"].contains($0.qualifier) }
                .map { "\($0.qualifier):\($0.code):\(ClaimDate.isoDate($0.date ?? "") ?? "")" }.joined(separator: ","),
            procedures.map { "\($0.attributes["Qualifier"] ?? ""):\($0.attributes["Code"] ?? ""):\($0.attributes["Date"] ?? "")" }
                .joined(separator: ","),
            "principal and other procedures (HI BBR/BBQ)")
        let lines = elements.indices.filter { elements[$0].name == "ServiceLine" }
        #expect(lines.count == claim.serviceLines.count)
        for (index, line) in zip(lines, claim.serviceLines) {
            let xml = elements[index]
            checks.equal(line.lineNumber, xml.attributes["LineNumber"], "LX01")
            checks.equal(line.revenueCode, xml.attributes["RevenueCode"], "SV201")
            checks.equalAmount(line.charge, xml.attributes["ChargeAmount"], "SV203")
            checks.equalAmount(line.quantity, xml.attributes["Quantity"], "SV205")
            checks.equal(line.unit, xml.attributes["Unit"], "SV204")
            let procedure = try #require(elements[(index + 1)...].first { $0.name == "Procedure" })
            checks.equal(line.procedure?.code, procedure.attributes["ProcedureCode"], "SV202-2")
            checks.equal(
                line.procedure?.modifiers.joined(separator: ","),
                (1...4).compactMap { procedure.attributes["Modifier\($0)"] }.joined(separator: ","), "SV202-3…6")
            if let drug = elements[(index + 1)..<(lines.first { $0 > index } ?? elements.count)].first(where: { $0.name == "Drug" }) {
                checks.equal(line.drug?.code, drug.attributes["Ndc"], "LIN03")
                checks.equalAmount(line.drug?.quantity, drug.attributes["Quantity"], "CTP04")
            }
        }
        print("oopfactory 837I claim model: \(checks.count) values ok")
        #expect(checks.count == 20 + 2 * 7 + 2)  // claim values, 2 lines, 1 drug
    }

    /// edi-835-parser's data frame: one row per SVC. Its `transaction_date` is BPR16, `start_date`/`end_date` the
    /// line's DTM*472, `allowed_units`/`billed_units` SVC05, `patient` NM1*QC first and last name (title case),
    /// `adj_0_*` / `rem_0_*` the line's first CAS triple and LQ.
    @Test func paymentCSV() throws {
        let name = "x12-5010-835-expected-csv-emedny"
        let text = try String(
            contentsOf: X12Conformance.root.appendingPathComponent("\(name)/expected.edi-835-parser.csv"), encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let payments = X12ClaimCorpus.payments(try X12ClaimCorpus.extract(case: name).records)
        let lines = payments.flatMap { payment in payment.serviceLines.map { (payment, $0) } }
        #expect(rows.count == 10)
        #expect(lines.count == rows.count)
        var checks = Checks()
        for (row, (payment, line)) in zip(rows, lines) where row.count == 21 {
            checks.equal(payment.claimID, row[1], "CLP01")
            let patient = [payment.patient?.firstName, payment.patient?.lastOrOrganizationName].compactMap { $0 }
                .joined(separator: " ")
            checks.equal(patient.lowercased(), row[2].lowercased(), "NM1*QC name")
            checks.equal(line.procedure?.code, row[3], "SVC01-2")
            checks.equal(line.procedure?.modifiers.first ?? "", row[4], "SVC01-3")
            checks.equal(line.procedure?.qualifier, row[5], "SVC01-1")
            checks.equalAmount(line.units, row[6], "SVC05")
            checks.equal(payment.paymentDate.flatMap { ClaimDate.isoDate($0) }, row[8], "BPR16")
            checks.equalAmount(line.charge, row[9], "SVC02")
            checks.equalAmount(line.allowed, row[10], "AMT*B6")
            checks.equalAmount(line.paid, row[11], "SVC03")
            checks.equal(payment.payer.lastOrOrganizationName, row[12], "N1*PR")
            checks.equal(line.dates.first { $0.qualifier == "472" }?.date, row[13], "DTM*472")
            checks.equalAmount(line.adjustments.first?.amount, row[16], "CAS amount")
            checks.equal(line.adjustments.first?.reason ?? "", row[17], "CAS reason")
            checks.equal(line.adjustments.first?.group ?? "", row[18], "CAS group")
            checks.equal(line.remarks.first?.code ?? "", row[19], "LQ02")
            checks.equal(line.remarks.first?.qualifier ?? "", row[20], "LQ01")
        }
        print("edi-835-parser CSV: \(rows.count) rows, \(checks.count) values ok")
        #expect(checks.count == rows.count * 17)
    }
}

/// The extractor's positional loop identity against the guide-driven loop trees (`X12LoopTreeBuilder` with the
/// bundled 837P/I/D guides, 5010 and 4010): same claims (2300), same lines (2400) per claim, same COB loops (2320),
/// and the claim and line providers sit in 2310x and 2420x loops.
@Suite(.enabled(if: X12Conformance.available, "\(X12Conformance.skipMessage)"))
struct X12ClaimLoopIdentityTests {
    static let inputs: [String] = X12Conformance.inputs.filter { input in
        input.contains("837") && !input.contains("utf16") && !input.contains("missing-isa")
    }

    static func nm101(_ loop: X12Loop) -> String {
        loop.segments.first?.segment.element(1)?.text ?? ""
    }

    @Test func claimsLinesAndProvidersSitWhereTheGuideTreesPutThem() throws {
        var claimsChecked = 0
        for input in Self.inputs {
            let sets = try X12LoopTreeCorpus.load(input)
            let bytes = try Array(Data(contentsOf: X12Conformance.root.appendingPathComponent(input)))
            let claims = X12ClaimCorpus.claims(try X12ClaimCorpus.extract(bytes).records)
            let treeClaims = sets.flatMap { $0.tree.descendants("2300") }
            guard claims.count == treeClaims.count else {
                Issue.record("\(input): \(claims.count) claims extracted, \(treeClaims.count) 2300 loops in the trees")
                continue
            }
            for (claim, loop) in zip(claims, treeClaims) {
                let place = "\(input) claim \(claim.ordinal)"
                let lines = loop.loops.filter { $0.id == "2400" }
                #expect(claim.serviceLines.count == lines.count, "\(place): 2400")
                #expect(claim.otherSubscriberCount == loop.loops.filter { $0.id == "2320" }.count, "\(place): 2320")
                let providerLoops = loop.loops.filter { $0.id.hasPrefix("2310") && ClaimProvider.role(ofEntity: Self.nm101($0)) != nil }
                #expect(claim.providers.map(\.role) == providerLoops.compactMap { ClaimProvider.role(ofEntity: Self.nm101($0)) }, "\(place): 2310")
                for (line, lineLoop) in zip(claim.serviceLines, lines) {
                    let lineProviders = lineLoop.loops.filter { $0.id.hasPrefix("2420") }
                        .compactMap { ClaimProvider.role(ofEntity: Self.nm101($0)) }
                    #expect(line.providers.map(\.role) == lineProviders, "\(place) line \(line.lineNumber): 2420")
                }
                claimsChecked += 1
            }
        }
        print("claim loop identity: \(Self.inputs.count) inputs, \(claimsChecked) claims agree with the guide trees")
        #expect(claimsChecked > 20)
    }
}
