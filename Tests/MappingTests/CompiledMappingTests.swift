import Events
import Foundation
import MQ
import Testing
@testable import Mapping

/// The compiled plan against the interpreter: the same bytes for every shipped mapping's test inputs and for
/// generated records, the same error for records the plan hands back.
@Suite("Compiled mappings: same bytes as the interpreter")
struct CompiledMappingTests {
    static let root = MappingFixture.repositoryRoot

    /// The interpreter's lines: events, each written with `JSONWriter.writeValue` and a newline.
    static func interpretedLines(_ engine: MappingEngine, _ input: [UInt8], metadata: [String: String] = [:]) -> Result<[UInt8], MappingError> {
        do {
            var writer = JSONWriter()
            for event in try engine.events(from: input, inputName: "input", metadata: metadata) {
                writer.writeValue(event)
                writer.endLine()
            }
            return .success(writer.bytes)
        } catch {
            return .failure(error)
        }
    }

    /// The lines of `writeEventLines` (compiled plan on).
    static func compiledLines(_ engine: MappingEngine, _ input: [UInt8], metadata: [String: String] = [:]) -> Result<[UInt8], MappingError> {
        var output: [UInt8] = []
        do {
            try engine.writeEventLines(from: input, inputName: "input", metadata: metadata) { output += $0 }
            return .success(output)
        } catch {
            return .failure(error)
        }
    }

    /// Expects the same lines, or the same error, from both paths; one record per input keeps errors comparable
    /// (the interpreter reads every record before mapping any).
    /// - Returns: whether the interpreter mapped the input without error.
    @discardableResult
    static func expectSameOutput(_ engine: MappingEngine, _ input: [UInt8], metadata: [String: String] = [:], _ label: String) -> Bool {
        var interpreter = engine
        interpreter.usesCompiledPlan = false
        let expected = interpretedLines(interpreter, input, metadata: metadata)
        let actual = compiledLines(engine, input, metadata: metadata)
        switch (expected, actual) {
        case let (.success(want), .success(got)):
            #expect(String(decoding: got, as: UTF8.self) == String(decoding: want, as: UTF8.self), "\(label)")
        case let (.failure(want), .failure(got)):
            #expect("\(got)" == "\(want)", "\(label)")
        default:
            Issue.record("\(label): interpreter \(expected), compiled \(actual)")
        }
        if case .success = expected { return true }
        return false
    }

    /// A line writer after writing every record by itself (errors ignored), for its counts of the paths taken.
    static func writeEachRecord(_ engine: MappingEngine, _ source: CopybookSource, _ records: [[UInt8]]) throws -> CopybookEventLineWriter {
        var writer = try CopybookEventLineWriter(engine: engine, source: source)
        var output: [UInt8] = []
        for (index, record) in records.enumerated() {
            try? record.withUnsafeBytes {
                try writer.appendEventLine(record: $0, number: index + 1, offset: 0, metadata: [:], inputName: "x", to: &output)
            }
        }
        return writer
    }

    /// Records of `size` bytes from `samples`, each with a few bytes replaced by values from `alphabet`
    /// (deterministic: a fixed xorshift seed).
    static func mutatedRecords(from samples: [[UInt8]], alphabet: [UInt8], count: Int) -> [[UInt8]] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(truncatingIfNeeded: state >> 1)
        }
        var result = samples
        for index in 0..<count {
            var record = samples[index % samples.count]
            for _ in 0..<(1 + next() % 4) {
                let position = next() % record.count
                let length = 1 + next() % 8
                let byte = alphabet[next() % alphabet.count]
                for offset in position..<min(record.count, position + length) { record[offset] = byte }
            }
            result.append(record)
        }
        return result
    }

    static func mappingFiles() -> [String] {
        let directory = root + "/mappings"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().map { directory + "/" + $0 + "/mapping.json" }.filter { FileManager.default.fileExists(atPath: $0) }
    }

    @Test("every shipped mapping and test input: the same bytes both ways")
    func shippedMappingsWriteTheSameBytes() throws {
        let files = Self.mappingFiles()
        try #require(files.count >= 7)
        var cases = 0
        var compiledMappings = 0
        for file in files {
            let engine = MappingEngine(mapping: try MappingDefinition(contentsOf: file))
            if case .mq(_, .copybook) = engine.mapping.source.adapter {
                // The claim status request and reply mappings: MQ frames with copybook payloads go through the plan.
                #expect(CompiledMapping(engine: engine) != nil, "\(file)")
                compiledMappings += 1
            }
            let directory = (file as NSString).deletingLastPathComponent
            let tests = directory + "/tests"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: tests)) ?? []).sorted() where name.hasSuffix(".json") {
                let testCase = try MappingTestCase(contentsOf: tests + "/" + name, mappingDirectory: directory)
                Self.expectSameOutput(engine, testCase.input, metadata: testCase.metadata, "\(file) \(name)")
                cases += 1
            }
        }
        #expect(cases >= 12)
        #expect(compiledMappings >= 2)
    }

    @Test("claim status replies: every MQ frame's copybook payload goes through the plan")
    func claimStatusRepliesGoThroughThePlan() throws {
        let engine = MappingEngine(mapping: try MappingDefinition(contentsOf: Self.root + "/mappings/claim-status-reply/mapping.json"))
        let plan = try #require(CompiledMapping(engine: engine))
        let input = [UInt8](try #require(FileManager.default.contents(atPath: Self.root + "/samples/mq/claim-status.replies.mqf")))
        var buffers = CompiledMapping.Buffers()
        var frames = 0
        var compiled = 0
        try MQRecords.forEachFrame(from: input, format: "CLMSTRPL", inputName: "replies") { frame, _, metadata in
            frames += 1
            var line: [UInt8] = []
            if frame.payload.bytes.withUnsafeBytes({ plan.appendEventLine(record: $0, metadata: metadata, to: &line, buffers: &buffers) }) {
                compiled += 1
            }
        }
        #expect(frames > 0)
        #expect(compiled == frames)
        Self.expectSameOutput(engine, input, "claim-status.replies.mqf")
    }

    /// The member eligibility mapping without its `cdc` block: a plain copybook mapping the plan compiles, with
    /// 88-level conditions, code tables from a file, concatenation, packed and Julian dates, masks and hashes.
    func plainMemberEligibility(_ fixture: MappingFixture) throws -> MappingEngine {
        let shipped = Self.root + "/mappings/member-eligibility-cdc"
        var text = try String(contentsOfFile: shipped + "/mapping.json", encoding: .utf8)
        let cdc = try #require(text.range(of: #""cdc": {"#))
        let fields = try #require(text.range(of: #""fields": ["#))
        text.removeSubrange(cdc.lowerBound..<fields.lowerBound)
        text = text.replacingOccurrences(of: "../../samples/", with: Self.root + "/samples/")
            .replacingOccurrences(of: "codes/plans.json", with: shipped + "/codes/plans.json")
        let path = fixture.write("member-eligibility/mapping.json", text)
        return MappingEngine(mapping: try MappingDefinition(contentsOf: path))
    }

    @Test("member eligibility without CDC: sample and mutated records, the same bytes or the same error")
    func memberEligibilityRecords() throws {
        let fixture = MappingFixture()
        defer { fixture.remove() }
        let engine = try plainMemberEligibility(fixture)
        let input = [UInt8](try #require(FileManager.default.contents(atPath: Self.root + "/samples/mainframe/MEMBER-ELIG-CDC.D261206.dat")))
        guard case let .copybook(source) = engine.mapping.source.adapter else { Issue.record("not a copybook mapping"); return }
        let size = source.recordSize
        let samples = stride(from: 0, to: input.count, by: size).map { Array(input[$0..<($0 + size)]) }
        // EBCDIC space, digits, letters A/T/I/U/D, LOW-VALUES, packed signs, a byte that is no digit.
        let alphabet: [UInt8] = [0x40, 0xF0, 0xF1, 0xF9, 0xC1, 0xE3, 0xC9, 0xE4, 0xC4, 0x00, 0x0C, 0x1D, 0x5C, 0x05]
        let records = Self.mutatedRecords(from: samples, alphabet: alphabet, count: 400)
        var mapped = 0
        for (index, record) in records.enumerated() {
            let metadata = index % 5 == 0 ? ["mq.correlationId": "00ab"] : [:]
            if Self.expectSameOutput(engine, record, metadata: metadata, "record \(index)") { mapped += 1 }
        }
        let counter = try Self.writeEachRecord(engine, source, records)
        #expect(counter.isCompiled)
        // Records the interpreter maps go through the plan, but for the few whose fields the decoder's compiled
        // program also leaves to its tree walk (valid but unusual encodings); errors go through the interpreter.
        #expect(counter.compiledRecords <= mapped && counter.compiledRecords >= mapped * 9 / 10)
        #expect(counter.compiledRecords >= samples.count)
        #expect(counter.interpretedRecords > 0)
        Self.expectSameOutput(engine, input, "the sample file")
    }

    @Test("the direct path with conditional rules and the slot path's conversions: objects opened and closed as rules apply")
    func directPathWithConditions() throws {
        let fixture = MappingFixture()
        defer { fixture.remove() }
        fixture.write("member.cpy", MappingFixture.memberCopybook)
        // Leaves in rule order, so the data object is written rule by rule: conditional rules first, last and alone
        // in their objects, a nested object whose first member may be skipped, concatenation, mask, hash,
        // metadata, a constant object, an integer (the engine's conversion).
        let rules = """
            [
              { "name": "id", "from": "MEMBER-ID", "required": true },
              { "name": "member.active", "const": true, "when": { "condition": "IS-ACTIVE" } },
              { "name": "member.status", "from": "STATUS-CODE", "codes": { "A": "active", "T": "terminated" }, "default": "other" },
              { "name": "member.termed", "const": "yes", "when": { "condition": "IS-TERMED" } },
              { "name": "flags.coded", "from": "LAST-NAME", "when": { "field": "STATUS-CODE", "in": ["A"] } },
              { "name": "flags.notTermed", "const": 1, "when": { "condition": "IS-TERMED", "not": true } },
              { "name": "born", "from": "BIRTH-YYMMDD", "type": "date", "format": "YYMMDD", "centuryPivot": 30 },
              { "name": "name.display", "concat": ["'Member'", "LAST-NAME", "MEMBER-ID"], "separator": " " },
              { "name": "name.masked", "from": "LAST-NAME", "mask": "all" },
              { "name": "name.hash", "from": "LAST-NAME", "hash": true, "default": "none" },
              { "name": "queue", "from": "@mq.replyToQueue", "default": "none" },
              { "name": "deep.a.b", "from": "PREMIUM", "type": "decimal", "scale": 3, "when": { "field": "STATUS-CODE", "in": ["T"] } },
              { "name": "deep.a.c", "from": "PREMIUM" },
              { "name": "deep.d", "const": { "nested": [1, "two"] } },
              { "name": "premiumInteger", "from": "BIRTH-YYMMDD", "type": "integer" }
            ]
            """
        let path = fixture.write("mapping.json", MappingFixture.memberMapping(fields: rules, extra: #""name": "conditional","#))
        let engine = MappingEngine(mapping: try MappingDefinition(contentsOf: path))
        guard case let .copybook(source) = engine.mapping.source.adapter else { Issue.record("not a copybook mapping"); return }
        let plan = try #require(CompiledMapping(engine: engine))
        #expect(plan.direct != nil && plan.dataFrame == nil)
        let samples = [
            "M00001A8001052401200123SMITH   ", "M00002T9912310000100000JONES   ", "M00003X0002290000099999O'NEIL  ",
            "M00004Q26013124366002.5\"Q\\UOTE\"", "M00005 0001010000100000        ",
        ].map { Array($0.utf8) }
        let alphabet = Array("  0123456789ATX.-\t\"\\".utf8) + [0x00, 0xC3, 0xA9]
        let records = Self.mutatedRecords(from: samples, alphabet: alphabet, count: 800)
        for (index, record) in records.enumerated() {
            let metadata = index % 3 == 0 ? ["mq.replyToQueue": "REPLY.Q", "mq.correlationId": String(format: "%048d", index)] : [:]
            Self.expectSameOutput(engine, record, metadata: metadata, "record \(index): \(String(decoding: record, as: UTF8.self))")
        }
        Self.expectSameOutput(engine, Array(samples[0...2].joined()), "three records")
        let counter = try Self.writeEachRecord(engine, source, records)
        #expect(counter.directRecords > records.count / 8)
        #expect(counter.directRecords < counter.compiledRecords)
    }

    @Test("the direct path on EBCDIC (CP037): member records with packed and zoned dates, code tables, decimals")
    func directPathOnEBCDIC() throws {
        let fixture = MappingFixture()
        defer { fixture.remove() }
        // The shipped member mapping without CDC and without the rules the direct path leaves to the slot path
        // (a concatenation, a conditional constant, a mask, a hash): what remains is fixed-shape and direct.
        let shipped = Self.root + "/mappings/member-eligibility-cdc"
        var text = try String(contentsOfFile: shipped + "/mapping.json", encoding: .utf8)
        let cdc = try #require(text.range(of: #""cdc": {"#))
        let fields = try #require(text.range(of: #""fields": ["#))
        text.removeSubrange(cdc.lowerBound..<fields.lowerBound)
        text = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            !["\"concat\"", "\"when\"", "\"mask\"", "\"hash\""].contains { line.contains($0) }
        }.joined(separator: "\n")
        text = text.replacingOccurrences(of: "../../samples/", with: Self.root + "/samples/")
            .replacingOccurrences(of: "codes/plans.json", with: shipped + "/codes/plans.json")
        let path = fixture.write("member-direct/mapping.json", text)
        let engine = MappingEngine(mapping: try MappingDefinition(contentsOf: path))
        #expect(try #require(CompiledMapping(engine: engine)).direct != nil)
        let input = [UInt8](try #require(FileManager.default.contents(atPath: Self.root + "/samples/mainframe/MEMBER-ELIG-CDC.D261206.dat")))
        guard case let .copybook(source) = engine.mapping.source.adapter else { Issue.record("not a copybook mapping"); return }
        let samples = stride(from: 0, to: input.count, by: source.recordSize).map { Array(input[$0..<($0 + source.recordSize)]) }
        let alphabet: [UInt8] = [0x40, 0xF0, 0xF1, 0xF9, 0xC1, 0xE3, 0xC9, 0xE4, 0xC4, 0x00, 0x0C, 0x1D, 0x5C, 0x05, 0x7F, 0xE0]
        let records = Self.mutatedRecords(from: samples, alphabet: alphabet, count: 600)
        for (index, record) in records.enumerated() {
            let metadata = index % 5 == 0 ? ["mq.correlationId": "00ab"] : [:]
            Self.expectSameOutput(engine, record, metadata: metadata, "record \(index)")
        }
        Self.expectSameOutput(engine, input, "the sample file")
        let counter = try Self.writeEachRecord(engine, source, records)
        #expect(counter.directRecords >= samples.count)
        #expect(counter.directRecords < counter.compiledRecords)
    }

    @Test("every rule kind on an ASCII layout: the same bytes or the same error")
    func everyRuleKind() throws {
        let fixture = MappingFixture()
        defer { fixture.remove() }
        fixture.write("member.cpy", MappingFixture.memberCopybook)
        let rules = """
            [
              { "name": "conditional.first", "from": "LAST-NAME", "when": { "field": "MEMBER-ID", "equals": "M00001" } },
              { "name": "id", "from": "MEMBER-ID", "required": true },
              { "name": "member.status", "from": "STATUS-CODE", "codes": { "A": "active", "T": "terminated", "X": null } },
              { "name": "member.statusOrDefault", "from": "STATUS-CODE", "codes": { "A": 1, "T": 2 }, "default": "other" },
              { "name": "member.statusNumber", "from": "STATUS-CODE", "type": "integer", "codes": { "A": "1", "T": "2" }, "default": "0" },
              { "name": "flags.active", "const": true, "when": { "condition": "IS-ACTIVE" } },
              { "name": "flags.notTermed", "const": "yes", "when": { "condition": "IS-TERMED", "not": true } },
              { "name": "flags.coded", "from": "LAST-NAME", "when": { "field": "STATUS-CODE", "in": ["A", "T"] } },
              { "name": "born", "from": "BIRTH-YYMMDD", "type": "date", "format": "YYMMDD", "centuryPivot": 30 },
              { "name": "joined", "from": "JOINED-JULIAN", "type": "date", "format": "YYDDD" },
              { "name": "premium", "from": "PREMIUM", "type": "decimal", "scale": 3 },
              { "name": "premiumExact", "from": "PREMIUM", "type": "decimal", "scale": 1 },
              { "name": "premiumText", "from": "PREMIUM" },
              { "name": "premiumInteger", "from": "BIRTH-YYMMDD", "type": "integer" },
              { "name": "name.display", "concat": ["'Member'", "LAST-NAME", "MEMBER-ID"], "separator": " " },
              { "name": "name.last", "from": "LAST-NAME", "trim": false },
              { "name": "name.masked", "from": "LAST-NAME", "mask": "all" },
              { "name": "name.last4", "from": "MEMBER-ID", "mask": "last4" },
              { "name": "name.hash", "from": "LAST-NAME", "hash": true, "default": "none" },
              { "name": "name.fallback", "from": "LAST-NAME", "default": "unknown" },
              { "name": "active", "from": "STATUS-CODE", "type": "boolean", "codes": { "A": "Y", "T": "N" }, "default": "N" },
              { "name": "queue", "from": "@mq.replyToQueue", "default": "none" },
              { "name": "dropped", "from": "LAST-NAME", "drop": true },
              { "name": "late.object.value", "const": { "nested": [1, "two"] } },
              { "name": "conditional.second", "const": 2 }
            ]
            """
        let path = fixture.write("mapping.json", MappingFixture.memberMapping(
            fields: rules, extra: #""name": "rule-kinds","#)
            .replacingOccurrences(of: #""key": "{MEMBER-ID}""#, with: #""key": "{@mq.replyToQueue|LAST-NAME}-{MEMBER-ID}""#))
        let engine = MappingEngine(mapping: try MappingDefinition(contentsOf: path))
        guard case let .copybook(source) = engine.mapping.source.adapter else { Issue.record("not a copybook mapping"); return }
        #expect(CompiledMapping(engine: engine) != nil)
        let samples = [
            "M00001A8001052401200123SMITH   ", "M00002T9912310000100000JONES   ", "M00003X0002290000099999O'NEIL  ",
            "      A       00001   1        ", "M00005Q26013124366002.5\"Q\\UOTE\"",
        ].map { Array($0.utf8) }
        #expect(samples.allSatisfy { $0.count == source.recordSize })
        let alphabet = Array("  0123456789ATX.-\t\"\\".utf8) + [0x00, 0xC3, 0xA9]
        let records = Self.mutatedRecords(from: samples, alphabet: alphabet, count: 600)
        var mapped = 0
        for (index, record) in records.enumerated() {
            let metadata = index % 3 == 0 ? ["mq.replyToQueue": "REPLY.Q", "mq.correlationId": String(repeating: "0", count: 48)] : [:]
            if Self.expectSameOutput(engine, record, metadata: metadata, "record \(index): \(String(decoding: record, as: UTF8.self))") {
                mapped += 1
            }
        }
        let counter = try Self.writeEachRecord(engine, source, records)
        // Every record the interpreter maps goes through the plan; the rest (errors) through the interpreter.
        #expect(counter.compiledRecords == mapped)
        #expect(mapped > 0)
        #expect(counter.interpretedRecords > 0)
        // Several records in one input, the plan on: each line as the interpreter writes it.
        Self.expectSameOutput(engine, Array(samples[0...2].joined()), "three records")
    }

    @Test("the direct path (fixed-shape rules): mutated records give the same bytes or the same error, unusual values go to the slot path")
    func directPath() throws {
        let fixture = MappingFixture()
        defer { fixture.remove() }
        fixture.write("member.cpy", MappingFixture.memberCopybook)
        // Every rule kind the direct path takes: text (trimmed or not, required, default), code tables (string values,
        // null, a default), dates, decimals (padded, as written), a number as text, constants.
        let rules = """
            [
              { "name": "id", "from": "MEMBER-ID", "required": true },
              { "name": "member.status", "from": "STATUS-CODE", "codes": { "A": "active", "T": "terminated", "X": null } },
              { "name": "member.statusOrDefault", "from": "STATUS-CODE", "codes": { "A": "a", "T": "t" }, "default": "other" },
              { "name": "born", "from": "BIRTH-YYMMDD", "type": "date", "format": "YYMMDD", "centuryPivot": 30 },
              { "name": "joined", "from": "JOINED-JULIAN", "type": "date", "format": "YYDDD" },
              { "name": "premium", "from": "PREMIUM", "type": "decimal", "scale": 3 },
              { "name": "premiumAsWritten", "from": "PREMIUM", "type": "decimal" },
              { "name": "premiumText", "from": "PREMIUM" },
              { "name": "name.last", "from": "LAST-NAME", "trim": false },
              { "name": "name.fallback", "from": "LAST-NAME", "default": "unknown" },
              { "name": "late.object.value", "const": { "nested": [1, "two"] } },
              { "name": "constant", "const": 2 }
            ]
            """
        let path = fixture.write("mapping.json", MappingFixture.memberMapping(fields: rules, extra: #""name": "direct","#))
        let engine = MappingEngine(mapping: try MappingDefinition(contentsOf: path))
        guard case let .copybook(source) = engine.mapping.source.adapter else { Issue.record("not a copybook mapping"); return }
        let plan = try #require(CompiledMapping(engine: engine))
        #expect(plan.direct != nil)
        let samples = [
            "M00001A8001052401200123SMITH   ", "M00002T9912310000100000JONES   ", "M00003X0002290000099999O'NEIL  ",
            "M00004Q26013124366002.5\"Q\\UOTE\"", "M00005 0001010000100000        ",
        ].map { Array($0.utf8) }
        #expect(samples.allSatisfy { $0.count == source.recordSize })
        let alphabet = Array("  0123456789ATX.-\t\"\\".utf8) + [0x00, 0xC3, 0xA9]
        let records = Self.mutatedRecords(from: samples, alphabet: alphabet, count: 800)
        var mapped = 0
        for (index, record) in records.enumerated() {
            let metadata = index % 4 == 0 ? ["mq.correlationId": String(format: "%048d", index)] : [:]
            if Self.expectSameOutput(engine, record, metadata: metadata, "record \(index): \(String(decoding: record, as: UTF8.self))") {
                mapped += 1
            }
        }
        // All records in one input: ids hashed eight lines at a time, lines of the other paths in between.
        Self.expectSameOutput(engine, Array(records.prefix(200).filter { record in
            var interpreter = engine
            interpreter.usesCompiledPlan = false
            return (try? interpreter.events(from: record, inputName: "input")) != nil
        }.joined()), "200 records in one input")
        let counter = try Self.writeEachRecord(engine, source, records)
        // Most records take the direct path; some (escapes, blank required values) the slot path; errors (and fields
        // only the decoder's codecs read, such as a zoned field with a space) the interpreter.
        #expect(counter.compiledRecords + counter.interpretedRecords == records.count)
        #expect(counter.compiledRecords <= mapped)
        #expect(counter.directRecords > mapped / 2)
        #expect(counter.directRecords < counter.compiledRecords)
        #expect(counter.interpretedRecords > 0)
    }

    @Test("the benchmark's 30-field mapping: every generated record through the plan, the same bytes")
    func benchmarkMapping() throws {
        let fixture = MappingFixture()
        defer { fixture.remove() }
        var copybook = ["       01  BENCH-REC."]
        for i in 1...10 { copybook.append("           05  TEXT-\(i)  PIC X(10).") }
        for i in 1...10 { copybook.append("           05  AMOUNT-\(i)  PIC S9(7)V99 COMP-3.") }
        for i in 1...5 { copybook.append("           05  DATE-\(i)  PIC 9(8).") }
        for i in 1...5 { copybook.append("           05  CODE-\(i)  PIC X(1).") }
        fixture.write("bench.cpy", copybook.joined(separator: "\n") + "\n")
        var rules: [String] = []
        for i in 1...10 { rules.append(#"{ "name": "text.t\#(i)", "from": "TEXT-\#(i)" }"#) }
        for i in 1...10 { rules.append(#"{ "name": "amounts.a\#(i)", "from": "AMOUNT-\#(i)", "type": "decimal", "scale": 2 }"#) }
        for i in 1...5 { rules.append(#"{ "name": "dates.d\#(i)", "from": "DATE-\#(i)", "type": "date", "format": "CCYYMMDD" }"#) }
        for i in 1...5 { rules.append(#"{ "name": "codes.c\#(i)", "from": "CODE-\#(i)", "codes": { "A": "active", "B": "blocked", "C": "closed" } }"#) }
        let path = fixture.write("mapping.json", """
            { "source": { "adapter": "copybook", "copybook": "bench.cpy", "codepage": "ascii" },
              "event": { "type": "bench.record.v1", "source": "bench://records", "subject": "{TEXT-1}", "key": "{TEXT-1}" },
              "fields": [\(rules.joined(separator: ",\n"))] }
            """)
        let engine = MappingEngine(mapping: try MappingDefinition(contentsOf: path))
        guard case let .copybook(source) = engine.mapping.source.adapter else { Issue.record("not a copybook mapping"); return }
        var input: [UInt8] = []
        for index in 0..<300 {
            for i in 1...10 { input += Array(String(format: "T%04d-%04d", i, index).utf8) }
            for i in 1...10 {
                let digits = String(format: "%09d", (index * 7_919 + i * 977) % 1_000_000_000)
                var nibbles = digits.compactMap { $0.wholeNumberValue.map(UInt8.init) } + [index % 2 == 0 ? 0xC : 0xD]
                while !nibbles.isEmpty { input.append(nibbles.removeFirst() << 4 | nibbles.removeFirst()) }
            }
            for i in 1...5 { input += Array(String(format: "%04d%02d%02d", 1990 + index % 40, 1 + (index + i) % 12, 1 + (index * i) % 28).utf8) }
            for i in 1...5 { input.append(Array("ABC".utf8)[(index + i) % 3]) }
        }
        #expect(input.count == 300 * source.recordSize)
        Self.expectSameOutput(engine, input, "300 generated records")
        var writer = try CopybookEventLineWriter(engine: engine, source: source)
        var output: [UInt8] = []
        for index in 0..<300 {
            let range = (index * source.recordSize)..<((index + 1) * source.recordSize)
            try input[range].withUnsafeBytes {
                try writer.appendEventLine(record: $0, number: index + 1, offset: range.lowerBound, metadata: [:], inputName: "x", to: &output)
            }
        }
        #expect(writer.compiledRecords == 300)
        #expect(writer.interpretedRecords == 0)
        #expect(output == (try? Self.compiledLines(engine, input).get()))

        // Streamed in uneven pieces (records cut anywhere): the same lines, then the short tail is an error.
        var streamed: [UInt8] = []
        var stream = try EventLineStream(engine: engine, inputName: "input")
        #expect(stream.streamsRecords)
        var offset = 0
        var step = 1
        while offset < input.count {
            let end = min(input.count, offset + step)
            try stream.append(Array(input[offset..<end])) { streamed += $0 }
            offset = end
            step = step * 7 % 463 + 1
        }
        try stream.append(Array(input.prefix(10))) { streamed += $0 }
        #expect(streamed == output)
        #expect(throws: MappingError.self) { try stream.finish { streamed += $0 } }
    }

    @Test("RDW records streamed in pieces of any size: the same lines as the whole input, the same error for a bad RDW")
    func rdwRecordsStreamedInPieces() throws {
        let fixture = MappingFixture()
        defer { fixture.remove() }
        fixture.write("member.cpy", MappingFixture.memberCopybook)
        let path = fixture.write("mapping.json", MappingFixture.memberMapping(fields: """
            [ { "name": "id", "from": "MEMBER-ID" }, { "name": "status", "from": "STATUS-CODE", "codes": { "A": "active" }, "default": "other" },
              { "name": "born", "from": "BIRTH-YYMMDD", "type": "date", "format": "YYMMDD" }, { "name": "name", "from": "LAST-NAME" } ]
            """).replacingOccurrences(of: #""codepage": "ascii""#, with: #""codepage": "ascii", "recordFormat": "rdw""#))
        let engine = MappingEngine(mapping: try MappingDefinition(contentsOf: path))
        var input: [UInt8] = []
        for index in 0..<60 {
            let record = Array(String(format: "M%05d%@%02d%02d%02d0000100000NAME%04d", index, index % 3 == 0 ? "A" : "T", index % 90, 1 + index % 12, 1 + index % 28, index).utf8)
            input += [0, UInt8(record.count + 4), 0, 0] + record
        }
        let whole = try Self.compiledLines(engine, input).get()
        #expect(whole.filter { $0 == 0x0A }.count == 60)
        Self.expectSameOutput(engine, input, "60 RDW records")
        for size in [1, 2, 3, 4, 5, 7, 34, 35, 36, 100] {
            var streamed: [UInt8] = []
            var stream = try EventLineStream(engine: engine, inputName: "input")
            var offset = 0
            while offset < input.count {
                let end = min(input.count, offset + size)
                try stream.append(Array(input[offset..<end])) { streamed += $0 }
                offset = end
            }
            try stream.finish { streamed += $0 }
            #expect(streamed == whole, "pieces of \(size) bytes")
        }
        // An RDW announcing fewer than its own four bytes, after 10 good records: the same error however it arrives.
        let bad = Array(input.prefix(350)) + [0, 2, 0, 0] + Array(input.suffix(35))
        let wholeError = Self.compiledLines(engine, bad)
        guard case let .failure(expected) = wholeError else { Issue.record("a bad RDW was accepted"); return }
        for size in [1, 3, 6, 64] {
            var stream = try EventLineStream(engine: engine, inputName: "input")
            var failure: MappingError?
            var offset = 0
            do {
                while offset < bad.count {
                    let end = min(bad.count, offset + size)
                    try stream.append(Array(bad[offset..<end])) { _ in }
                    offset = end
                }
                try stream.finish { _ in }
            } catch {
                failure = error
            }
            #expect(failure.map { "\($0)" } == "\(expected)", "pieces of \(size) bytes")
        }
    }
}
