// Bridge conversion benchmark: what `EventConverter.records(for:)` costs per queue message through a shipped
// mapping, on one core. Messages are the shipped samples' records (one MQ frame per message as a single-frame
// file, or one copybook record per message), cycled. "interpreter path" is the converter as it was before it used
// the compiled plan: `MappingEngine.events(from:inputName:)`, each event re-encoded and decoded as a CloudEvent,
// then the Kafka binary binding; "compiled plan path" is the converter now (`writeEventLines`, lines decoded).
import Bridge
import Copybook
import Events
import Foundation
import LegacyQueue
import Mapping
import StreamLog

enum BridgeConversionBenchmark {
    struct Figures {
        var name: String
        var messages: Int
        var records: Int
        /// CPU seconds of the measuring thread (best run).
        var cpuSeconds: Double
        /// Wall-clock seconds of the same run.
        var wallSeconds: Double
        /// Bytes of record values made, summed (checked equal between the two paths).
        var valueBytes: Int
    }

    enum BenchmarkFailure: Error { case missing(String), differs(String) }

    /// The converter before the compiled plan, as a reference.
    static func interpreterRecords(_ engine: MappingEngine, _ message: ReceivedMessage) throws -> [StreamRecord] {
        let events = try engine.events(from: message.message.body, inputName: "\(message.destination)#\(message.messageID)")
        return try events.map { value in
            try CloudEventKafkaBinding.encode(
                try CloudEventJSONFormat.decode(value.encoded()), mode: .binary,
                fallbackTimestamp: message.timestampMilliseconds ?? 0)
        }
    }

    /// One queue message per frame of a Ferry MQ frame file, each body a single-frame file.
    static func frameMessages(_ file: [UInt8]) -> [[UInt8]] {
        var bodies: [[UInt8]] = []
        var offset = 16
        while offset + 4 <= file.count {
            let length = file[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard offset + 4 + length <= file.count else { break }
            bodies.append(Array(file[0..<16]) + file[offset..<(offset + 4 + length)])
            offset += 4 + length
        }
        return bodies
    }

    static func run(root: String, messages count: Int, runs: Int) throws -> [Figures] {
        let cases: [(name: String, mapping: String, sample: String)] = [
            ("claim-status-request (MQ frame, copybook payload)", "claim-status-request", "samples/mq/claim-status.requests.mqf"),
            ("claim-status-reply (MQ frame, copybook payload)", "claim-status-reply", "samples/mq/claim-status.replies.mqf"),
            ("member-eligibility-cdc (205-byte record; cdc: no plan)", "member-eligibility-cdc", "samples/mainframe/MEMBER-ELIG-CDC.D261206.dat"),
        ]
        var figures: [Figures] = []
        for item in cases {
            let engine = MappingEngine(mapping: try MappingDefinition(contentsOf: "\(root)/mappings/\(item.mapping)/mapping.json"))
            guard let data = FileManager.default.contents(atPath: "\(root)/\(item.sample)") else { throw BenchmarkFailure.missing(item.sample) }
            let file = Array(data)
            let bodies = item.sample.hasSuffix(".mqf") ? frameMessages(file) : stride(from: 0, to: file.count, by: 205).map { Array(file[$0..<min($0 + 205, file.count)]) }
            let messages = (0..<count).map { index in
                ReceivedMessage(
                    message: QueueMessage(body: bodies[index % bodies.count], bodyKind: .bytes), messageID: "ID:bench-\(index)",
                    destination: "/queue/IN", timestampMilliseconds: 1_796_372_102_000, deliveryToken: DeliveryToken(value: "\(index)"))
            }
            let converter = EventConverter(engine: engine)
            // The two paths agree on every message before either is timed.
            for message in messages.prefix(bodies.count) where try interpreterRecords(engine, message) != (try converter.records(for: message)) {
                throw BenchmarkFailure.differs(item.mapping)
            }
            var paths: [(String, (ReceivedMessage) throws -> [StreamRecord])] = [
                ("interpreter path", { try interpreterRecords(engine, $0) }),
                ("compiled plan path", { try converter.records(for: $0) }),
            ]
            // What `writeEventLines` spends per call before mapping anything: it compiles the plan for each input
            // (the engine keeps no compiled plan), which a message-at-a-time caller pays per message.
            if case let .mq(_, .copybook(source)) = engine.mapping.source.adapter {
                // The record decoder `writeEventLines` (and the interpreter) builds per input, too.
                paths.append(("RecordDecoder(layout:options:) alone, once per message", { _ in
                    _ = try RecordDecoder(layout: source.layout, options: source.options)
                    return []
                }))
            }
            if CompiledMapping(engine: engine) != nil {
                paths.append(("CompiledMapping(engine:) alone, once per message", { _ in
                    guard CompiledMapping(engine: engine) != nil else { throw BenchmarkFailure.differs(item.mapping) }
                    return []
                }))
            }
            for (pathName, convert) in paths {
                var best: Figures?
                for _ in 0..<runs {
                    var records = 0
                    var valueBytes = 0
                    let wallStart = ContinuousClock.now
                    let cpuStart = MQBenchmark.threadCPUSeconds()
                    for message in messages {
                        let made = try convert(message)
                        records += made.count
                        for record in made { valueBytes &+= record.value?.count ?? 0 }
                    }
                    let cpu = MQBenchmark.threadCPUSeconds() - cpuStart
                    let wall = seconds(ContinuousClock.now - wallStart)
                    if best == nil || cpu < best!.cpuSeconds {
                        best = Figures(
                            name: "\(item.name): \(pathName)", messages: messages.count, records: records, cpuSeconds: cpu,
                            wallSeconds: wall, valueBytes: valueBytes)
                    }
                }
                if let best { figures.append(best) }
            }
        }
        return figures
    }

    /// The file reader before the compiled plan, as a reference: every source record read, then mapped one by one.
    static func interpreterFileRecords(_ engine: MappingEngine, _ bytes: [UInt8], name: String) throws -> [StreamRecord] {
        try engine.mapping.source.records(from: bytes, inputName: name).map { record in
            try CloudEventKafkaBinding.encode(
                try CloudEventJSONFormat.decode(try engine.event(for: record).encoded()), mode: .binary, fallbackTimestamp: 0)
        }
    }

    /// `FileEventReader.records(in:name:timestamp:)` on one frame file of `count` request frames (the sample's
    /// frames cycled): the plan compiled once for the whole file.
    static func runFile(root: String, frames count: Int, runs: Int) throws -> [Figures] {
        let engine = MappingEngine(mapping: try MappingDefinition(contentsOf: "\(root)/mappings/claim-status-request/mapping.json"))
        guard let data = FileManager.default.contents(atPath: "\(root)/samples/mq/claim-status.requests.mqf") else {
            throw BenchmarkFailure.missing("claim-status.requests.mqf")
        }
        let frames = frameMessages(Array(data)).map { $0.dropFirst(16) }
        var file = Array(data.prefix(16))
        for index in 0..<count { file += frames[index % frames.count] }
        let reader = FileEventReader(engine: engine)
        guard try interpreterFileRecords(engine, file, name: "bench.mqf") == (try reader.records(in: file, name: "bench.mqf", timestamp: 0)) else {
            throw BenchmarkFailure.differs("file")
        }
        let paths: [(String, () throws -> [StreamRecord])] = [
            ("interpreter path", { try interpreterFileRecords(engine, file, name: "bench.mqf") }),
            ("compiled plan path", { try reader.records(in: file, name: "bench.mqf", timestamp: 0) }),
        ]
        var figures: [Figures] = []
        for (pathName, convert) in paths {
            var best: Figures?
            for _ in 0..<runs {
                let wallStart = ContinuousClock.now
                let cpuStart = MQBenchmark.threadCPUSeconds()
                let made = try convert()
                let cpu = MQBenchmark.threadCPUSeconds() - cpuStart
                let wall = seconds(ContinuousClock.now - wallStart)
                if best == nil || cpu < best!.cpuSeconds {
                    best = Figures(
                        name: "claim-status-request frame file, FileEventReader: \(pathName)", messages: made.count, records: made.count,
                        cpuSeconds: cpu, wallSeconds: wall, valueBytes: made.reduce(0) { $0 &+ ($1.value?.count ?? 0) })
                }
            }
            if let best { figures.append(best) }
        }
        return figures
    }

    static func report(root: String, runs: Int) throws {
        let count = 20_000
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
        let figures = try run(root: root, messages: count, runs: runs) + (try runFile(root: root, frames: count, runs: runs))
        print("")
        print("Bridge conversion (EventConverter.records(for:), \(count) queue messages cycled from the shipped samples), release, one core, best of \(runs) by thread CPU time; load average (1 min) \(load) before")
        for f in figures {
            print(String(
                format: "  %@: %@ messages per CPU second (%.2f µs CPU/message; %@ msg/s wall; %d records, %d value bytes)",
                f.name, format(Double(f.messages) / f.cpuSeconds), 1e6 * f.cpuSeconds / Double(f.messages),
                format(Double(f.messages) / f.wallSeconds), f.records, f.valueBytes))
        }
        for (index, f) in figures.enumerated() where f.name.hasSuffix("compiled plan path") && index > 0 {
            print(String(format: "  %@: %.2f times the interpreter path's rate (CPU)", f.name, figures[index - 1].cpuSeconds / f.cpuSeconds))
        }
    }
}
