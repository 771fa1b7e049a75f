// Copybook decoding benchmark (issue 3): two generated files of at least 200 MB decoded to JSON Lines on one core,
// reading from the page cache through the streaming RecordReader and writing the JSON to /dev/null.
import ByteCoding
import CodePages
import Copybook
import Foundation

enum CopybookBenchmark {
    struct Figures {
        var name: String
        var recordSize: Int
        var records: Int
        var inputBytes: Int
        var outputBytes: Int
        var seconds: Double
    }

    static func run(directory: String, targetBytes: Int, runs: Int) throws -> [Figures] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let copybooks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("copybooks")
        var results: [Figures] = []
        for (name, file) in [("text-heavy", "MEMBER-TEXT.cpy"), ("COMP-3-heavy", "CLAIM-PACKED.cpy")] {
            let text = try String(contentsOf: copybooks.appendingPathComponent(file), encoding: .utf8)
            let layout = try Copybook(parsing: text, sourceName: file).records[0]
            let dataPath = "\(directory)/\(file).bin"
            let records = try generate(layout: layout, to: dataPath, targetBytes: targetBytes)
            var best: Figures?
            for _ in 0..<runs {
                let figures = try decode(layout: layout, path: dataPath, name: name)
                precondition(figures.records == records, "decoded \(figures.records) of \(records) records")
                if best == nil || figures.seconds < best!.seconds { best = figures }
            }
            results.append(best!)
            try? FileManager.default.removeItem(atPath: dataPath)
        }
        return results
    }

    /// Writes records whose every field holds valid, varied data until the file reaches `targetBytes`.
    static func generate(layout: RecordLayout, to path: String, targetBytes: Int) throws -> Int {
        let page = try CodePage(ccsid: 37)
        var generator = SplitMix64(seed: 42)
        let words = ["SMITH", "GARCIA", "NGUYEN", "OKAFOR", "MUELLER", "ROSSI", "TANAKA", "SILVA", "COHEN", "BROWN",
                     "SPRINGFIELD", "RIVERSIDE", "OAK STREET", "PINE AVENUE", "SUITE 200", "APT 4B", "HMO-GOLD",
                     "PPO-SILVER", "member@example.org"]
        // 512 distinct records, repeated: generation must not dominate the benchmark's run time.
        var templates: [[UInt8]] = []
        for _ in 0..<512 {
            var record = [UInt8](repeating: page.spaceByte, count: layout.size)
            for field in layout.fields {
                let item = layout.items[field.item]
                let count = field.dimensions.reduce(1) { $0 * $1.maximum }
                let stride = field.dimensions.last?.stride ?? 0
                for occurrence in 0..<count {
                    let start = field.offset + occurrence * stride
                    fill(&record, start: start, size: field.size, item: item, page: page, words: words, generator: &generator)
                }
            }
            templates.append(record)
        }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var written = 0
        var records = 0
        var chunk: [UInt8] = []
        chunk.reserveCapacity(4 << 20)
        while written < targetBytes {
            chunk.append(contentsOf: templates[records % templates.count])
            records += 1
            written += layout.size
            if chunk.count >= 4 << 20 {
                try handle.write(contentsOf: chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: chunk)
        try handle.close()
        return records
    }

    static func fill(
        _ record: inout [UInt8], start: Int, size: Int, item: DataItem, page: CodePage, words: [String],
        generator: inout SplitMix64
    ) {
        let picture = item.picture
        func digit() -> UInt8 { UInt8(generator.next() % 10) }
        switch item.usage {
        case .packedDecimal:
            for i in 0..<size {
                let high = digit()
                let low: UInt8 = i == size - 1 ? ((picture?.isSigned ?? false) ? (generator.next() % 4 == 0 ? 0xD : 0xC) : 0xF) : digit()
                record[start + i] = high << 4 | low
            }
            if let digits = picture?.digits, digits % 2 == 0 { record[start] &= 0x0F }  // the unused pad nibble
        case .display where picture?.category == .numeric:
            for i in 0..<size { record[start + i] = 0xF0 | digit() }
            if picture?.isSigned == true {  // preferred signs: zone C, or D for a quarter of the values
                record[start + size - 1] = (generator.next() % 4 == 0 ? 0xD0 : 0xC0) | (record[start + size - 1] & 0x0F)
            }
        default:
            let word = Array(words[Int(generator.next() % UInt64(words.count))].utf8)
            for i in 0..<min(size, word.count) { record[start + i] = page.byte(for: Unicode.Scalar(word[i])) ?? 0x40 }
        }
    }

    static func decode(layout: RecordLayout, path: String, name: String) throws -> Figures {
        var decoder = try RecordDecoder(layout: layout, options: RecordDecodingOptions())
        let input = open(path, O_RDONLY)
        let sink = open("/dev/null", O_WRONLY)
        defer { close(input); close(sink) }
        var reader = try RecordReader(fileDescriptor: input, format: .fixed(length: layout.size))
        var output: [UInt8] = []
        output.reserveCapacity(2 << 20)
        var records = 0
        var outputBytes = 0
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            while let result = try reader.next() {
                guard case let .record(record) = result else { continue }
                try decoder.decode(record.bytes, recordNumber: record.number, recordOffset: Int64(record.offset), into: &output)
                records += 1
                if output.count >= 1 << 20 {
                    outputBytes += output.count
                    _ = output.withUnsafeBytes { write(sink, $0.baseAddress, $0.count) }
                    output.removeAll(keepingCapacity: true)
                }
            }
            outputBytes += output.count
            _ = output.withUnsafeBytes { write(sink, $0.baseAddress, $0.count) }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Figures(
            name: name, recordSize: layout.size, records: records, inputBytes: records * layout.size,
            outputBytes: outputBytes, seconds: seconds)
    }

    /// Peak resident memory of this process so far, in MiB.
    /// Peak resident memory of this process: `VmHWM` of /proc/self/status where there is one (it starts afresh at
    /// `exec`, whereas `ru_maxrss` keeps the peak of the process before it: under `swift run`, SwiftPM's own
    /// ~120 MiB), else `getrusage`.
    static func peakResidentMiB() -> Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kibibytes = Double(line.dropFirst("VmHWM:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        {
            return kibibytes / 1024
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
