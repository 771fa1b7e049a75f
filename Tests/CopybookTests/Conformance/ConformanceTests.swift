import Events
import Foundation
import Testing

/// The issue-3 acceptance suite: every case of ../shared/conformance/mainframe decoded through
/// `decodeRecords(_:variant:)` and compared with its expected files. Prints one pass count per case.
@Suite("Mainframe conformance", .enabled(if: ConformanceCorpus.isPresent, ConformanceCorpus.absentMessage))
struct ConformanceTests {
    /// At most this many mismatches are recorded as issues per variant; the rest are counted in one more issue.
    static let issueLimit = 100

    @Test(arguments: ConformanceCase.all)
    func conformance(_ conformanceCase: ConformanceCase) throws {
        let folder = ConformanceCorpus.caseFolder(conformanceCase)
        var passed = 0
        var total = 0
        var fields = 0
        for variant in conformanceCase.variants {
            let outcome = try check(conformanceCase, variant, folder: folder)
            passed += outcome.passedRecords
            total += outcome.records
            fields += outcome.fields
            if conformanceCase.variants.count > 1 {
                print(
                    "conformance \(conformanceCase.name)/\(variant.name): \(outcome.passedRecords)/\(outcome.records) "
                        + "records (\(outcome.fields) fields) ok")
            }
            for mismatch in outcome.mismatches.prefix(Self.issueLimit) {
                Issue.record(Comment(rawValue: mismatch.description))
            }
            if outcome.mismatches.count > Self.issueLimit {
                Issue.record(
                    "\(conformanceCase.name)/\(variant.name): \(outcome.mismatches.count - Self.issueLimit) more mismatches")
            }
        }
        print("conformance \(conformanceCase.name): \(passed)/\(total) records (\(fields) fields) ok")
    }

    /// Decodes and compares one variant; a decoder error is one mismatch (the whole file), except where the
    /// variant expects the decode to fail.
    func check(_ conformanceCase: ConformanceCase, _ variant: ConformanceVariant, folder: URL) throws
        -> ComparisonOutcome
    {
        let expected = try ExpectedFileReader.read(variant.expected, in: folder)
        let comparator = RecordComparator(caseName: conformanceCase.name, variant: variant)
        switch expected {
        case let .failure(reason):
            return expectFailure(conformanceCase, variant, reason: reason, comparator: comparator)
        case let .vectors(vectors):
            return checkVectors(conformanceCase, variant, vectors, comparator: comparator)
        case let .records(records):
            do {
                return comparator.compare(ours: try decodeRecords(conformanceCase, variant: variant), with: records)
            } catch {
                return failed(comparator, records: records.records.count, error)
            }
        case let .summary(summary):
            do {
                return checkSummary(try decodeRecords(conformanceCase, variant: variant), summary, comparator)
            } catch {
                return failed(comparator, records: summary.recordCount, error)
            }
        }
    }

    func failed(_ comparator: RecordComparator, records: Int, _ error: any Error) -> ComparisonOutcome {
        var outcome = ComparisonOutcome()
        outcome.records = records
        outcome.mismatches = [comparator.mismatch(nil, "(decode)", "\(records) records", "error: \(error)")]
        return outcome
    }

    func expectFailure(
        _ conformanceCase: ConformanceCase, _ variant: ConformanceVariant, reason: String,
        comparator: RecordComparator
    ) -> ComparisonOutcome {
        var outcome = ComparisonOutcome()
        outcome.records = 1
        do {
            let records = try decodeRecords(conformanceCase, variant: variant)
            outcome.mismatches = [
                comparator.mismatch(nil, "(decode)", "an error (\(reason))", "\(records.count) records, no error")
            ]
        } catch let error as ConformanceDecodingError {
            outcome.mismatches = [comparator.mismatch(nil, "(decode)", "an error (\(reason))", "\(error)")]
        } catch {
            // The decoder refused the input, as strict mode must. The message is the user's only clue.
            outcome.passedRecords = 1
            print("conformance \(conformanceCase.name)/\(variant.name): refused as expected: \(error)")
        }
        return outcome
    }

    /// The summary files: record count, TRANSACTION-NBR histogram, the RDW lengths that follow from it
    /// (payload = 58 + 25 × TRANSACTION-NBR, plus the 4-byte RDW), the first three and the last record.
    func checkSummary(_ ours: [JSONValue], _ summary: ExpectedSummary, _ comparator: RecordComparator)
        -> ComparisonOutcome
    {
        var outcome = ComparisonOutcome()
        outcome.records = summary.recordCount
        if ours.count != summary.recordCount {
            outcome.mismatches.append(
                comparator.mismatch(nil, "(record count)", "\(summary.recordCount)", "\(ours.count)"))
        }
        var counts: [Int: Int] = [:]
        var lengths: [Int: Int] = [:]
        for record in ours {
            guard let count = comparator.leaf(named: "TRANSACTION-NBR", in: record)?.int64Value else {
                outcome.mismatches.append(comparator.mismatch(nil, "TRANSACTION-NBR", "a number", "none"))
                continue
            }
            counts[Int(count), default: 0] += 1
            lengths[4 + 58 + 25 * Int(count), default: 0] += 1
        }
        if counts != summary.transactionCountHistogram {
            outcome.mismatches.append(
                comparator.mismatch(
                    nil, "(TRANSACTION-NBR histogram)", "\(summary.transactionCountHistogram.sorted { $0.key < $1.key })",
                    "\(counts.sorted { $0.key < $1.key })"))
        }
        if lengths != summary.rdwLengthHistogram {
            outcome.mismatches.append(
                comparator.mismatch(
                    nil, "(RDW length histogram)", "\(summary.rdwLengthHistogram.sorted { $0.key < $1.key })",
                    "\(lengths.sorted { $0.key < $1.key })"))
        }
        let samples = summary.firstRecords + [summary.lastRecord]
        let indices = Array(0..<summary.firstRecords.count) + [summary.recordCount - 1]
        let expected = ExpectedRecords(
            records: samples, recordIndices: indices, naming: .cobol, numbersAsText: true)
        let sampled = comparator.compare(ours: ours, with: expected)
        outcome.fields = sampled.fields
        outcome.mismatches += sampled.mismatches
        if outcome.mismatches.isEmpty { outcome.passedRecords = summary.recordCount }
        return outcome
    }

    /// Each DISPLAY vector becomes a one-field copybook and a one-record file for the same adapter.
    func checkVectors(
        _ conformanceCase: ConformanceCase, _ variant: ConformanceVariant, _ vectors: [FieldVector],
        comparator: RecordComparator
    ) -> ComparisonOutcome {
        var outcome = ComparisonOutcome()
        for vector in vectors {
            outcome.records += 1
            outcome.fields += 1
            guard let clause = FieldVectorCopybook.clause(for: vector) else { continue }
            var settings = variant.settings
            settings.copybook = .text(FieldVectorCopybook.copybook(clause))
            settings.data = .bytes(vector.bytes)
            settings.framing = .fixed(length: vector.length)
            settings.trimming = .none
            let single = ConformanceVariant(
                name: "\(variant.name) line \(vector.line)", settings: settings, expected: variant.expected)
            let path = "\(FieldVectorCopybook.fieldName) (type \(vector.type), \(clause))"
            let found: JSONValue
            do {
                guard let record = try decodeRecords(conformanceCase, variant: single).first,
                    let value = record[FieldVectorCopybook.fieldName]
                else {
                    outcome.mismatches.append(comparator.mismatch(vector.line, path, vector.value, "no record"))
                    continue
                }
                found = value
            } catch let error as ConformanceDecodingError {
                // Not wired: one issue for the file rather than one per vector.
                return failed(comparator, records: vectors.count, error)
            } catch {
                outcome.mismatches.append(comparator.mismatch(vector.line, path, vector.value, "error: \(error)"))
                continue
            }
            if FieldVectorCopybook.matches(vector, found) {
                outcome.passedRecords += 1
            } else {
                outcome.mismatches.append(
                    comparator.mismatch(vector.line, path, vector.value, comparator.render(found)))
            }
        }
        return outcome
    }
}

/// The one-field copybooks for JRecord's DISPLAY vectors (n = length, d = decimals).
enum FieldVectorCopybook {
    static let fieldName = "VECTOR-FIELD"

    static func copybook(_ clause: String) -> String {
        "       01  VECTOR-RECORD.\n           05  \(fieldName) \(clause).\n"
    }

    static func digits(_ integer: Int, _ fraction: Int, point: String) -> String {
        (integer > 0 ? "9(\(integer))" : "") + (fraction > 0 ? "\(point)9(\(fraction))" : "")
    }

    /// The picture and clauses for a JRecord type, nil when the vector cannot be a COBOL field.
    static func clause(for vector: FieldVector) -> String? {
        let n = vector.length
        let d = vector.decimals
        switch vector.type {
        case 0: return "PIC X(\(n))"
        case 1: return "PIC X(\(n)) JUSTIFIED RIGHT"
        case 32: return n > d ? "PIC S\(digits(n - d, d, point: "V"))" : nil
        case 9: return n - 1 > d ? "PIC S\(digits(n - 1 - d, d, point: "V")) SIGN LEADING SEPARATE" : nil
        case 10: return n - 1 > d ? "PIC S\(digits(n - 1 - d, d, point: "V")) SIGN TRAILING SEPARATE" : nil
        case 25: return d == 0 ? "PIC 9(\(n))" : (n - 1 > d ? "PIC \(digits(n - 1 - d, d, point: "."))" : nil)
        case 44:
            return d == 0 ? "PIC +9(\(n - 1))" : (n - 2 > d ? "PIC +\(digits(n - 2 - d, d, point: "."))" : nil)
        case 45:
            return d == 0 ? "PIC 9(\(n - 1))+" : (n - 2 > d ? "PIC \(digits(n - 2 - d, d, point: "."))+" : nil)
        default: return nil
        }
    }

    /// Text: the value as written (JUSTIFIED RIGHT: without its left padding). Numbers: the same decimal value.
    static func matches(_ vector: FieldVector, _ found: JSONValue) -> Bool {
        switch (vector.type, found) {
        case (0, .string(let text)):
            return TextConvention.javaTrim(text, .trailing) == vector.value
        case (1, .string(let text)):
            return TextConvention.javaTrim(text, .leading) == vector.value
        case (_, .number(let text)):
            guard let value = try? ExactDecimal(parsing: vector.value), let ours = try? ExactDecimal(parsing: text)
            else { return false }
            return value == ours
        default:
            return false
        }
    }
}
