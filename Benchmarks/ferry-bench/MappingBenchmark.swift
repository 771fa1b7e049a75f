// Mapping benchmark (issue 8): the cost of a typical 30-field mapping per event, against the copybook adapter
// alone on the same records. Records are generated (ASCII, 195 bytes: 10 text fields, 10 packed decimals, 5
// CCYYMMDD dates, 5 one-letter codes). "adapter alone" is what `ferry convert copybook` does per record (decode to
// a JSON line) and, with `--key`, what `RecordEventWriter` adds (the event around that line); "mapping" is
// `ferry convert --mapping`: decode, 30 rules (renames, decimals rescaled, dates to ISO, code tables), the CloudEvent
// envelope with a deterministic id, the event's JSON line; measured through the compiled plan
// (`MappingEngine.writeEventLines`, what the CLI runs), through the plan with one conditional rule (the data object
// written rule by rule), and through the interpreter (`events(from:)`).
import Copybook
import Events
import Foundation
import Mapping

enum MappingBenchmark {
    struct Figures {
        var name: String
        var records: Int
        var cpuSeconds: Double
        /// Wall-clock seconds of the same (best-CPU) run.
        var wallSeconds: Double = 0
    }

    static let copybook: String = {
        var lines = ["       01  BENCH-REC."]
        for i in 1...10 { lines.append("           05  TEXT-\(i)  PIC X(10).") }
        for i in 1...10 { lines.append("           05  AMOUNT-\(i)  PIC S9(7)V99 COMP-3.") }
        for i in 1...5 { lines.append("           05  DATE-\(i)  PIC 9(8).") }
        for i in 1...5 { lines.append("           05  CODE-\(i)  PIC X(1).") }
        return lines.joined(separator: "\n") + "\n"
    }()

    static let mapping: String = mapping(conditional: false)

    /// The 30-field mapping; with `conditional`, its last code rule applies only when the code is one of the table's
    /// (true for every generated record): the same output, but the data object is no longer of fixed shape, so the
    /// plan writes it rule by rule (objects opened and closed as rules apply) instead of between fixed literals.
    static func mapping(conditional: Bool) -> String {
        var rules: [String] = []
        for i in 1...10 { rules.append(#"{ "name": "text.t\#(i)", "from": "TEXT-\#(i)" }"#) }
        for i in 1...10 { rules.append(#"{ "name": "amounts.a\#(i)", "from": "AMOUNT-\#(i)", "type": "decimal", "scale": 2 }"#) }
        for i in 1...5 { rules.append(#"{ "name": "dates.d\#(i)", "from": "DATE-\#(i)", "type": "date", "format": "CCYYMMDD" }"#) }
        for i in 1...5 { rules.append(#"{ "name": "codes.c\#(i)", "from": "CODE-\#(i)", "codes": { "A": "active", "B": "blocked", "C": "closed" } }"#) }
        if conditional {
            rules[29] = #"{ "name": "codes.c5", "from": "CODE-5", "codes": { "A": "active", "B": "blocked", "C": "closed" }, "when": { "field": "CODE-5", "in": ["A", "B", "C"] } }"#
        }
        return """
            { "source": { "adapter": "copybook", "copybook": "bench.cpy", "codepage": "ascii" },
              "event": { "type": "bench.record.v1", "source": "bench://records", "subject": "{TEXT-1}", "key": "{TEXT-1}" },
              "fields": [\(rules.joined(separator: ",\n"))] }
            """
    }

    static func records(count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in 0..<count {
            for i in 1...10 { bytes += Array(String(format: "T%04d-%04d", i, index % 10_000).utf8) }
            for i in 1...10 {
                // S9(7)V99 COMP-3: 9 digits and a sign nibble, 5 bytes.
                let digits = String(format: "%09d", (index * 31 + i * 977) % 1_000_000_000)
                var nibbles = digits.compactMap { $0.wholeNumberValue.map(UInt8.init) } + [0xC]
                var packed: [UInt8] = []
                while !nibbles.isEmpty { packed.append(nibbles.removeFirst() << 4 | nibbles.removeFirst()) }
                bytes += packed
            }
            for i in 1...5 { bytes += Array(String(format: "2026%02d%02d", 1 + (index + i) % 12, 1 + (index * i) % 28).utf8) }
            for i in 1...5 { bytes.append([UInt8(ascii: "A"), UInt8(ascii: "B"), UInt8(ascii: "C")][(index + i) % 3]) }
        }
        return bytes
    }

    enum BenchmarkFailure: Error { case noKey(Int) }

    /// One run's CPU time of the measuring thread and wall clock, between `start()` and `stop()`.
    struct RunTimer {
        var cpuSeconds = Double.infinity
        var wallSeconds = 0.0
        private var wall = Date()
        private var cpu = 0.0

        mutating func start() {
            wall = Date()
            cpu = MQBenchmark.threadCPUSeconds()
        }

        mutating func stop() {
            cpuSeconds = MQBenchmark.threadCPUSeconds() - cpu
            wallSeconds = Date().timeIntervalSince(wall)
        }
    }

    /// The key's text as the previous `ferry convert copybook --key` path found it (in the parsed tree): the dotted path
    /// from the top level first, then in nested groups, depth first.
    static func keyText(_ path: [String], in value: JSONValue) -> String? {
        guard case let .object(members) = value, let first = path.first else { return nil }
        for member in members where member.key == first {
            if path.count > 1 {
                if let found = keyText(Array(path.dropFirst()), in: member.value) { return found }
                continue
            }
            switch member.value {
            case let .string(text): return text
            case let .number(text): return text
            default: continue
            }
        }
        for member in members {
            if let found = keyText(path, in: member.value) { return found }
        }
        return nil
    }

    /// - Parameter rows: which rows to run (1 JSON lines, 2 events, 3 the previous `--key` path, 4 the compiled plan,
    ///   5 the interpreter, 6 the plan with one conditional rule); all when empty. For profiling one row.
    static func run(records count: Int, runs: Int, rows: Set<Int> = []) throws -> [Figures] {
        let directory = NSTemporaryDirectory() + "ferry-bench-mapping-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(atPath: directory + "/bench.cpy", contents: Data(copybook.utf8))
        FileManager.default.createFile(atPath: directory + "/mapping.json", contents: Data(mapping.utf8))
        FileManager.default.createFile(atPath: directory + "/conditional.json", contents: Data(mapping(conditional: true).utf8))
        let definition = try MappingDefinition(contentsOf: directory + "/mapping.json")
        let engine = MappingEngine(mapping: definition)
        let conditionalEngine = MappingEngine(mapping: try MappingDefinition(contentsOf: directory + "/conditional.json"))
        guard case let .copybook(source) = definition.source.adapter else { return [] }
        let input = records(count: count)
        let size = source.layout.size
        var figures: [Figures] = []
        func wanted(_ row: Int) -> Bool { rows.isEmpty || rows.contains(row) }
        var checksum = 0

        /// Runs row `row` (when wanted) `runs` times and keeps its best CPU time: `run` sets up untimed, then
        /// times its work between `timer.start()` and `timer.stop()`.
        func measure(_ row: Int, _ name: String, _ run: (inout RunTimer) throws -> Void) rethrows {
            guard wanted(row) else { return }
            var best = RunTimer()
            for _ in 0..<runs {
                var timer = RunTimer()
                try run(&timer)
                if timer.cpuSeconds < best.cpuSeconds { best = timer }
            }
            figures.append(Figures(name: name, records: count, cpuSeconds: best.cpuSeconds, wallSeconds: best.wallSeconds))
        }
        try measure(1, "copybook adapter alone (record → JSON line)") { timer in
            var decoder = try RecordDecoder(layout: source.layout, options: source.options)
            var output: [UInt8] = []
            output.reserveCapacity(1 << 16)
            timer.start()
            try input.withUnsafeBytes { raw in
                var offset = 0
                var number = 0
                while offset + size <= raw.count {
                    number += 1
                    output.removeAll(keepingCapacity: true)
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)]), recordNumber: number, recordOffset: Int64(offset), into: &output)
                    checksum &+= output.count
                    offset += size
                }
            }
            timer.stop()
        }

        // The adapter alone writing canonical events: what `ferry convert copybook --key TEXT-1 --type …` runs per
        // record (`RecordEventWriter`, the library type the CLI calls): decode to the record's JSON, the key read in
        // place from that JSON, the id as UUIDv5 of the file-record identity (file name and record number: SHA-1
        // over one 64-byte block, not over the data), the envelope around the record's JSON, the line.
        try measure(2, "copybook adapter alone (record → CloudEvent line, --key)") { timer in
            var decoder = try RecordDecoder(layout: source.layout, options: source.options)
            var recordJSON: [UInt8] = []
            recordJSON.reserveCapacity(1 << 12)
            var events = RecordEventWriter(key: "TEXT-1", type: "bench.record.v1", fileName: "bench", source: "file:bench")
            var output: [UInt8] = []
            output.reserveCapacity(1 << 16)
            timer.start()
            try input.withUnsafeBytes { raw in
                var offset = 0
                var number = 0
                while offset + size <= raw.count {
                    number += 1
                    recordJSON.removeAll(keepingCapacity: true)
                    output.removeAll(keepingCapacity: true)
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)]), recordNumber: number, recordOffset: Int64(offset), into: &recordJSON)
                    try recordJSON.withUnsafeBytes { json in
                        try events.append(record: UnsafeRawBufferPointer(rebasing: json.dropLast()), recordNumber: number, to: &output)
                    }
                    checksum &+= output.count
                    offset += size
                }
            }
            timer.stop()
        }

        // The previous `--key` path, for comparison: the record's JSON parsed back into a tree to find the key, a
        // `CloudEvent` built from `String`s and written with `CloudEventJSONFormat`.
        try measure(3, "copybook adapter alone, previous --key path (JSON parsed back)") { timer in
            var decoder = try RecordDecoder(layout: source.layout, options: source.options)
            var recordJSON: [UInt8] = []
            recordJSON.reserveCapacity(1 << 12)
            var writer = JSONWriter(capacity: 4096)
            timer.start()
            try input.withUnsafeBytes { raw in
                var offset = 0
                var number = 0
                while offset + size <= raw.count {
                    number += 1
                    recordJSON.removeAll(keepingCapacity: true)
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)]), recordNumber: number, recordOffset: Int64(offset), into: &recordJSON)
                    let json = Array(recordJSON.dropLast())
                    let record = try JSONValue(parsing: json)
                    guard let keyValue = keyText(["TEXT-1"], in: record) else { throw BenchmarkFailure.noKey(number) }
                    let identity = EventIdentity.fileRecord(fileName: "bench", recordNumber: Int64(number))
                    var event = try CloudEvent(
                        id: identity.eventID, source: "file:bench", type: "bench.record.v1", subject: keyValue,
                        dataContentType: "application/json", data: .json(json))
                    event.partitionKey = keyValue
                    writer.removeAll()
                    try CloudEventJSONFormat.write(event, to: &writer)
                    writer.endLine()
                    checksum &+= writer.bytes.count
                    offset += size
                }
            }
            timer.stop()
        }

        // Untimed: the plan writes one line per record (lines come in batches).
        if wanted(4) {
            var newlines = 0
            try engine.writeEventLines(from: input, inputName: "bench") { lines in
                for byte in lines where byte == 0x0A { newlines += 1 }
            }
            if newlines != count { print("mapping benchmark: \(newlines) lines for \(count) records") }
        }
        try measure(4, "30-field mapping, compiled plan (record → CloudEvent line)") { timer in
            timer.start()
            try engine.writeEventLines(from: input, inputName: "bench") { lines in checksum &+= lines.count }
            timer.stop()
        }

        try measure(6, "30-field mapping with one conditional rule, compiled plan") { timer in
            timer.start()
            try conditionalEngine.writeEventLines(from: input, inputName: "bench") { lines in checksum &+= lines.count }
            timer.stop()
        }

        try measure(5, "30-field mapping, interpreter (record → CloudEvent line)") { timer in
            var writer = JSONWriter(capacity: 1 << 12)
            timer.start()
            for event in try engine.events(from: input, inputName: "bench") {
                writer.removeAll()
                writer.writeValue(event)
                writer.endLine()
                checksum &+= writer.bytes.count
            }
            timer.stop()
        }
        if checksum == 42 { print("") }
        return figures
    }
}
