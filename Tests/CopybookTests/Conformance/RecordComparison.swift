import Events
import Foundation

/// One difference between our output and the expected file.
struct Mismatch: Sendable, CustomStringConvertible {
    var caseName: String
    var variant: String
    /// 0-based record index in the expected file's order (nil: the whole file).
    var record: Int?
    var path: String
    var expected: String
    var found: String

    var description: String {
        let place = record.map { "record \($0)" } ?? "file"
        return "\(caseName)/\(variant) \(place) \(path): expected \(expected), found \(found)"
    }
}

/// The outcome of comparing one variant.
struct ComparisonOutcome: Sendable {
    var records = 0
    var passedRecords = 0
    var fields = 0
    var mismatches: [Mismatch] = []
}

/// Compares our decoded records (JSON objects keyed by COBOL names) with expected records.
struct RecordComparator {
    let caseName: String
    let variant: ConformanceVariant

    // MARK: Records

    func compare(ours decoded: [JSONValue], with expected: ExpectedRecords) -> ComparisonOutcome {
        let rules = variant.rules
        var ours = decoded
        if let filter = rules.keepOnly {
            ours = ours.filter { textValue(of: filter.field, in: $0) == filter.value }
        }
        if !rules.orderBy.isEmpty {
            ours = ours.enumerated().sorted { left, right in
                for name in rules.orderBy {
                    let order = RecordComparator.order(
                        leaf(named: name, in: left.element), leaf(named: name, in: right.element))
                    if order != 0 { return order < 0 }
                }
                return left.offset < right.offset
            }.map(\.element)
        }
        var outcome = ComparisonOutcome()
        for (position, expectedRecord) in expected.records.enumerated() {
            let index = expected.recordIndices?[position] ?? position
            outcome.records += 1
            guard index < ours.count else {
                outcome.mismatches.append(
                    mismatch(position, "(record)", "a record", "none: \(ours.count) records decoded"))
                continue
            }
            let (fields, found) = compareRecord(ours[index], expectedRecord, expected: expected, record: position)
            outcome.fields += fields
            outcome.mismatches += found
            if found.isEmpty { outcome.passedRecords += 1 }
        }
        return outcome
    }

    func compareRecord(_ ours: JSONValue, _ expectedRecord: JSONValue, expected: ExpectedRecords, record: Int)
        -> (fields: Int, mismatches: [Mismatch])
    {
        let rules = variant.rules
        let ourLeaves = RecordComparator.flatten(
            ours, rename: expected.naming == .spark ? sparkName : { $0 }, leafNamesOnly: expected.leafNamesOnly,
            caseInsensitive: rules.caseInsensitiveNames)
        let expectedLeaves = RecordComparator.flatten(
            expectedRecord, rename: { $0 }, leafNamesOnly: expected.leafNamesOnly,
            caseInsensitive: rules.caseInsensitiveNames)
        var paths = expectedLeaves.order
        if !expected.expectedFieldsOnly {
            paths += ourLeaves.order.filter { expectedLeaves.values[$0] == nil }
        }
        var fields = 0
        var mismatches: [Mismatch] = []
        for path in paths {
            let deviations = variant.deviations.filter { applies($0, to: path, record: record) }
            if deviations.contains(where: { $0.kind == .notCompared }) { continue }
            fields += 1
            let want = expectedLeaves.values[path] ?? .null
            let have = ourLeaves.values[path] ?? .null
            guard let problem = compareLeaf(want, have, path: path, numbersAsText: expected.numbersAsText) else {
                continue
            }
            if accepted(have, expected: want, by: deviations) { continue }
            mismatches.append(mismatch(record, path, render(want), render(have) + " (\(problem))"))
        }
        return (fields, mismatches)
    }

    /// nil when equal, else what differs.
    func compareLeaf(_ want: JSONValue, _ have: JSONValue, path: String, numbersAsText: Bool) -> String? {
        let rules = variant.rules
        switch (want, have) {
        case (.null, .null): return nil
        case (.number(let text), .null) where rules.nullsWrittenAsZero:
            return (try? ExactDecimal(parsing: text))?.isZero == true ? nil : "null"
        case (.string(""), .null) where numbersAsText: return nil
        case (.number(let wanted), .number(let found)):
            return compareNumbers(wanted, found, path: path)
        case (.string(let wanted), .number(let found)) where numbersAsText:
            return compareNumbers(wanted, found, path: path)
        case (.string(let wanted), .string(let found)):
            let reduced = TextConvention.apply(rules.text, to: found)
            return reduced == wanted ? nil : "text differs"
        case (.bool(let wanted), .bool(let found)):
            return wanted == found ? nil : "flag differs"
        default:
            return "\(have.typeName) where \(want.typeName) expected"
        }
    }

    func compareNumbers(_ wanted: String, _ found: String, path: String) -> String? {
        let leafName = RecordComparator.leafName(of: path)
        let isFloat =
            variant.rules.floatFields.contains { RecordComparator.sameName($0, leafName) }
            || wanted.contains(where: { $0 == "e" || $0 == "E" })
        if isFloat {
            guard let a = Double(wanted), let b = Double(found) else { return "not a number" }
            let tolerance = variant.rules.floatTolerance * max(abs(a), abs(b))
            return abs(a - b) <= tolerance ? nil : "beyond relative tolerance \(variant.rules.floatTolerance)"
        }
        guard let a = try? ExactDecimal(parsing: wanted.hasPrefix("+") ? String(wanted.dropFirst()) : wanted)
        else { return "expected value is not a decimal" }
        guard let b = try? ExactDecimal(parsing: found) else { return "not a decimal" }
        guard a == b else { return "value differs" }
        if variant.rules.compareScale, a.scale != b.scale { return "scale \(b.scale), expected \(a.scale)" }
        return nil
    }

    func accepted(_ have: JSONValue, expected want: JSONValue, by deviations: [DocumentedDeviation]) -> Bool {
        deviations.contains { deviation in
            switch deviation.kind {
            case .notCompared: true
            case .anyValueWhereExpectedNull: want == .null
            case .nullAccepted: have == .null
            case let .alsoAccepted(values): values.contains(have)
            }
        }
    }

    func applies(_ deviation: DocumentedDeviation, to path: String, record: Int) -> Bool {
        guard deviation.records.isEmpty || deviation.records.contains(record) else { return false }
        let components = RecordComparator.components(of: path)
        return deviation.fields.contains { pattern in
            if pattern.hasSuffix("*") {
                let prefix = String(pattern.dropLast())
                return components.contains { $0.hasPrefix(prefix) }
            }
            if pattern.contains(".") || pattern.contains("[") {
                return RecordComparator.sameName(RecordComparator.anyIndex(path), RecordComparator.anyIndex(pattern))
            }
            return RecordComparator.sameName(RecordComparator.leafName(of: path), pattern)
        }
    }

    func mismatch(_ record: Int?, _ path: String, _ expected: String, _ found: String) -> Mismatch {
        Mismatch(caseName: caseName, variant: variant.name, record: record, path: path, expected: expected, found: found)
    }

    func sparkName(_ name: String) -> String { name.replacingOccurrences(of: "-", with: "_") }

    // MARK: Trees

    /// Leaves of a record by path (`A.B[0].C`), in document order; every array also gives `name[#]` = its count.
    struct Leaves {
        var order: [String] = []
        var values: [String: JSONValue] = [:]

        mutating func add(_ path: String, _ value: JSONValue) {
            if values.updateValue(value, forKey: path) == nil { order.append(path) }
        }
    }

    static func flatten(
        _ value: JSONValue, rename: (String) -> String, leafNamesOnly: Bool, caseInsensitive: Bool
    ) -> Leaves {
        var leaves = Leaves()
        func walk(_ value: JSONValue, _ prefix: String) {
            guard case let .object(members) = value else { return }
            for member in members {
                var name = rename(member.key)
                if caseInsensitive { name = name.uppercased() }
                let path = prefix.isEmpty ? name : prefix + "." + name
                switch member.value {
                case .object:
                    walk(member.value, leafNamesOnly ? prefix : path)
                case let .array(elements):
                    leaves.add(path + "[#]", .number(String(elements.count)))
                    for (index, element) in elements.enumerated() {
                        if case .object = element {
                            walk(element, "\(path)[\(index)]")
                        } else {
                            leaves.add("\(path)[\(index)]", element)
                        }
                    }
                default:
                    leaves.add(path, member.value)
                }
            }
        }
        walk(value, "")
        return leaves
    }

    /// The first leaf called `name` (COBOL or Spark spelling) anywhere in the record.
    func leaf(named name: String, in record: JSONValue) -> JSONValue? {
        switch record {
        case let .object(members):
            for member in members {
                if RecordComparator.sameName(member.key, name) || RecordComparator.sameName(sparkName(member.key), sparkName(name)) {
                    if case .object = member.value {} else { return member.value }
                }
                if let found = leaf(named: name, in: member.value) { return found }
            }
            return nil
        case let .array(elements):
            for element in elements { if let found = leaf(named: name, in: element) { return found } }
            return nil
        default:
            return nil
        }
    }

    func textValue(of name: String, in record: JSONValue) -> String? {
        switch leaf(named: name, in: record) {
        case let .string(text)?: text
        case let .number(text)?: text
        default: nil
        }
    }

    /// Spark's ascending order: nulls first, numbers by value, text by UTF-16 code units.
    static func order(_ left: JSONValue?, _ right: JSONValue?) -> Int {
        switch (left ?? .null, right ?? .null) {
        case (.null, .null): return 0
        case (.null, _): return -1
        case (_, .null): return 1
        case let (.number(a), .number(b)):
            guard let x = try? ExactDecimal(parsing: a), let y = try? ExactDecimal(parsing: b) else { return 0 }
            return x < y ? -1 : (y < x ? 1 : 0)
        case let (.string(a), .string(b)):
            return a.utf16.lexicographicallyPrecedes(b.utf16) ? -1 : (a == b ? 0 : 1)
        default: return 0
        }
    }

    static func components(of path: String) -> [String] {
        path.split(separator: ".").map { String($0.prefix { $0 != "[" }) }
    }

    static func leafName(of path: String) -> String { components(of: path).last ?? path }

    static func anyIndex(_ path: String) -> String {
        var result = ""
        var inIndex = false
        for character in path {
            if character == "[" {
                inIndex = true
                result += "[*"
            } else if character == "]" {
                inIndex = false
                result += "]"
            } else if !inIndex {
                result.append(character)
            }
        }
        return result
    }

    static func sameName(_ a: String, _ b: String) -> Bool {
        a.replacingOccurrences(of: "-", with: "_").uppercased() == b.replacingOccurrences(of: "-", with: "_").uppercased()
    }

    func render(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        default: String(decoding: value.encoded(), as: UTF8.self)
        }
    }
}
