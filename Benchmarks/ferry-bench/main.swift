// Release-build benchmarks: `swift run -c release ferry-bench [--records N] [--dir PATH] [--runs N]`.
//
// LocalLog append throughput (records in batches, fsync=interval) and read throughput from the page cache,
// for 100-byte and 1 KiB values. Reads verify every record's CRC-32C, as a consumer would.
import Foundation
import Events
import StreamLog

struct Options {
    var sections: Set<String> = []
    var copybookBytes = 210_000_000
    var x12Bytes = 520_000_000
    /// Which X12 passes to run (indices, 0 = tokenize); all when empty. For profiling one pass.
    var x12Passes: Set<Int> = []
    /// Which mapping rows to run (1–6, see `MappingBenchmark.run`); all when empty.
    var mappingRows: Set<Int> = []
    var records100 = 2_000_000
    var records1K = 500_000
    var batch = 1000
    var runs = 3
    var directory = NSTemporaryDirectory() + "ferry-bench-\(getpid())"
    var stompURL = ProcessInfo.processInfo.environment["FERRY_STOMP_URL"] ?? "stomp://127.0.0.1:61613"
    var python = ProcessInfo.processInfo.environment["FERRY_PYTHON"] ?? ".test-env/venv/bin/python"
    var stompMessages = 20_000
    var stompBatch = 200
    var kafkaURL = "kafka://" + (ProcessInfo.processInfo.environment["FERRY_KAFKA_BOOTSTRAP"] ?? "127.0.0.1:19092")
    var requestReplyCount = 2000
    var kafkaBootstrap = ProcessInfo.processInfo.environment["FERRY_KAFKA_BOOTSTRAP"] ?? "127.0.0.1:19092"
    var bridgeMessages = 50_000
    var bridgeInFlight = 1000
    var bridgePartitions = 3
    var requestReplyPersistent = true

    init(_ arguments: [String]) {
        var it = arguments.makeIterator()
        while let arg = it.next() {
            switch arg {
            case "--records": if let v = it.next().flatMap(Int.init) { records100 = v; records1K = v / 4 }
            case "--batch": if let v = it.next().flatMap(Int.init) { batch = v }
            case "--runs": if let v = it.next().flatMap(Int.init) { runs = v }
            case "--dir": if let v = it.next() { directory = v }
            case "--copybook-mb": if let v = it.next().flatMap(Int.init) { copybookBytes = v * 1_000_000 }
            case "--x12-mb": if let v = it.next().flatMap(Int.init) { x12Bytes = v * 1_000_000 }
            case "--stomp-url": if let v = it.next() { stompURL = v }
            case "--python": if let v = it.next() { python = v }
            case "--stomp-messages": if let v = it.next().flatMap(Int.init) { stompMessages = v }
            case "--stomp-batch": if let v = it.next().flatMap(Int.init) { stompBatch = v }
            case "--kafka-bootstrap": if let v = it.next() { kafkaBootstrap = v }
            case "--bridge-messages": if let v = it.next().flatMap(Int.init) { bridgeMessages = v }
            case "--bridge-in-flight": if let v = it.next().flatMap(Int.init) { bridgeInFlight = v }
            case "--bridge-partitions": if let v = it.next().flatMap(Int.init) { bridgePartitions = v }
            case "--x12-passes": if let v = it.next() { x12Passes = Set(v.split(separator: ",").compactMap { Int($0) }) }
            case "--mapping-rows": if let v = it.next() { mappingRows = Set(v.split(separator: ",").compactMap { Int($0) }) }
            case "--kafka-url": if let v = it.next() { kafkaURL = v }
            case "--requests": if let v = it.next().flatMap(Int.init) { requestReplyCount = v }
            case "--non-persistent": requestReplyPersistent = false
            case "log", "events", "copybook", "x12", "mq", "stomp", "mapping", "request-reply", "bridge", "uuid", "bridge-conversion": sections.insert(arg)
            case "--help", "-h":
                print("usage: ferry-bench [log] [events] [uuid] [copybook] [x12] [mq] [mapping] [stomp [--stomp-url URL] [--python PATH] [--stomp-messages N] [--stomp-batch N]] [request-reply [--stomp-url URL] [--kafka-url URL] [--requests N] [--non-persistent]] [bridge [--stomp-url URL] [--kafka-bootstrap H:P] [--bridge-messages N] [--bridge-in-flight N] [--bridge-partitions N]] [--records N] [--batch N] [--runs N] [--dir PATH] [--copybook-mb N] [--x12-mb N] [--x12-passes 0,2,4] [--mapping-rows 2,4] [bridge-conversion]")
                exit(0)
            default:
                FileHandle.standardError.write(Data("ferry-bench: unknown argument \(arg)\n".utf8))
                exit(2)
            }
        }
    }
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func format(_ value: Double) -> String {
    value >= 1e6 ? String(format: "%.2f M", value / 1e6) : String(format: "%.0f k", value / 1e3)
}

struct Figures {
    var appendRecordsPerSecond: [Double] = []
    var appendBytesPerSecond: [Double] = []
    var scanBytesPerSecond: [Double] = []
    var scanRecordsPerSecond: [Double] = []
    var readRecordsPerSecond: [Double] = []
    var readBytesPerSecond: [Double] = []
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func run(valueSize: Int, records: Int, options: Options) throws -> Figures {
    var figures = Figures()
    let value = [UInt8]((0..<valueSize).map { UInt8(truncatingIfNeeded: $0 &* 7) })
    // A batch of records keyed by member id, as the bridge would append them.
    let batch = (0..<options.batch).map { i in
        StreamRecord(key: Array("member-\(i % 997)".utf8), value: value, timestamp: 1_700_000_000_000 + Int64(i))
    }
    for runNumber in 0..<options.runs {
        let directory = "\(options.directory)/\(valueSize)-\(runNumber)"
        try? FileManager.default.removeItem(atPath: directory)
        let log = try LocalLog(LocalLogConfiguration(directory: directory, fsync: .interval(.seconds(1))))
        try log.createTopic("bench", partitions: 1)
        let clock = ContinuousClock()
        var written = 0
        let appendTime = try clock.measure {
            while written < records {
                _ = try log.append(batch, topic: "bench", partition: 0)
                written += batch.count
            }
        }
        let fileBytes = segmentBytes(directory)
        figures.appendRecordsPerSecond.append(Double(written) / seconds(appendTime))
        figures.appendBytesPerSecond.append(Double(fileBytes) / seconds(appendTime))

        // Zero-copy scan with CRC verification: the log's raw read speed from the page cache.
        var scanned = 0
        var checksum = 0
        let scanTime = try clock.measure {
            var offset: Int64 = 0
            while true {
                let next = try log.scan(topic: "bench", partition: 0, from: offset, maxBytes: 8 << 20) { view in
                    scanned += 1
                    checksum &+= view.value?.count ?? 0
                    return true
                }
                if next == offset { break }
                offset = next
            }
        }
        precondition(scanned == written && checksum == written * valueSize, "scan read back \(scanned) records")
        figures.scanBytesPerSecond.append(Double(fileBytes) / seconds(scanTime))
        figures.scanRecordsPerSecond.append(Double(scanned) / seconds(scanTime))

        // The StreamLog `read` API, which copies each record out.
        var read = 0
        let readTime = try clock.measure {
            var offset: Int64 = 0
            while true {
                let got = try log.read(topic: "bench", partition: 0, from: offset, maxRecords: 10_000, maxBytes: 8 << 20)
                guard let last = got.last else { break }
                read += got.count
                offset = last.offset + 1
            }
        }
        precondition(read == written)
        figures.readRecordsPerSecond.append(Double(read) / seconds(readTime))
        figures.readBytesPerSecond.append(Double(fileBytes) / seconds(readTime))
        try log.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
    return figures
}

func segmentBytes(_ directory: String) -> Int {
    let dir = "\(directory)/topics/bench/0"
    return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".log") }
        .compactMap { (try? FileManager.default.attributesOfItem(atPath: "\(dir)/\($0)"))?[.size] as? Int }
        .reduce(0, +)
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
// `stomp` needs a running broker (scripts/test --keep-brokers), so it runs only when named.
func wants(_ section: String) -> Bool {
    (options.sections.isEmpty && section != "stomp" && section != "request-reply" && section != "bridge") || options.sections.contains(section)
}

// `request-reply` needs ActiveMQ and a Kafka broker (scripts/test --keep-brokers), so it runs only when named.
if wants("request-reply") {
    let results = try await RequestReplyBenchmark.run(
        stompURL: options.stompURL, kafkaURL: options.kafkaURL, requests: options.requestReplyCount, size: 256,
        persistent: options.requestReplyPersistent)
    RequestReplyBenchmark.report(
        results, requests: options.requestReplyCount, persistent: options.requestReplyPersistent, stompURL: options.stompURL,
        kafkaURL: options.kafkaURL)
}
if wants("log") {
print("LocalLog benchmark — release build, fsync=interval(1s), batches of \(options.batch), 1 partition, "
    + "median of \(options.runs) runs")
print("records   value   append rec/s   append MB/s   scan rec/s   scan GB/s   read() rec/s   read() GB/s")
for (size, count) in [(100, options.records100), (1024, options.records1K)] {
    let f = try run(valueSize: size, records: count, options: options)
    print(String(
        format: "%7d %7d   %12@   %11.0f   %10@   %9.2f   %12@   %11.2f",
        count, size, format(median(f.appendRecordsPerSecond)), median(f.appendBytesPerSecond) / 1e6,
        format(median(f.scanRecordsPerSecond)), median(f.scanBytesPerSecond) / 1e9,
        format(median(f.readRecordsPerSecond)), median(f.readBytesPerSecond) / 1e9))
}
}
try? FileManager.default.removeItem(atPath: options.directory)

// CloudEvents encoding: the hot path of every adapter. The sample events re-encoded many times as JSON Lines
// (Ferry's JSONWriter) and as Kafka binary-mode records; Foundation's JSONEncoder on an equivalent Codable
// struct is shown as a reference.
struct CodableEvent: Codable {
    var specversion, id, source, type, subject, time, datacontenttype, partitionkey, correlationid: String
    var data: [String: String]
}
let samplePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("samples/events/member-and-claim-events.jsonl").path
if wants("events"), let text = try? String(contentsOfFile: samplePath, encoding: .utf8) {
    let events = try text.split(separator: "\n").map { try CloudEventJSONFormat.decode(Array($0.utf8)) }
    let rounds = max(1, options.records100 / 2 / events.count)
    let clock = ContinuousClock()
    var writer = JSONWriter(capacity: 1 << 20)
    var bytes = 0
    let jsonTime = try clock.measure {
        for _ in 0..<rounds {
            for event in events {
                try CloudEventJSONFormat.write(event, to: &writer)
                writer.endLine()
                if writer.bytes.count > 1 << 20 { bytes += writer.bytes.count; writer.removeAll() }
            }
        }
        bytes += writer.bytes.count
    }
    var records = 0
    let binaryTime = try clock.measure {
        for _ in 0..<rounds {
            for event in events {
                let record = try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: 0)
                records &+= record.headers.count
            }
        }
    }
    let codable = events.map { e in
        CodableEvent(
            specversion: "1.0", id: e.id, source: e.source, type: e.type, subject: e.subject ?? "",
            time: e.time?.description ?? "", datacontenttype: e.dataContentType ?? "",
            partitionkey: e.partitionKey ?? "", correlationid: e.correlationID ?? "",
            data: ["memberId": e.partitionKey ?? "", "plan": "HMO-GOLD", "status": "ACTIVE"])
    }
    let encoder = JSONEncoder()
    let foundationRounds = max(1, rounds / 10)
    var foundationBytes = 0
    let foundationTime = try clock.measure {
        for _ in 0..<foundationRounds { for event in codable { foundationBytes += try encoder.encode(event).count } }
    }
    let count = Double(rounds * events.count)
    print("")
    print("CloudEvents encoding (\(events.count) sample events x \(rounds))")
    print(String(format: "  JSON Lines (JSONWriter):       %@ events/s, %.0f MB/s", format(count / seconds(jsonTime)),
        Double(bytes) / seconds(jsonTime) / 1e6))
    print(String(format: "  Kafka binary-mode records:     %@ events/s", format(count / seconds(binaryTime))))
    print(String(format: "  Foundation JSONEncoder (ref.): %@ events/s, %.0f MB/s",
        format(Double(foundationRounds * events.count) / seconds(foundationTime)),
        Double(foundationBytes) / seconds(foundationTime) / 1e6))
    _ = records
}

if wants("copybook") {
    let figures = try CopybookBenchmark.run(
        directory: options.directory + "-copybook", targetBytes: options.copybookBytes, runs: max(1, min(options.runs, 3)))
    print("")
    print("Copybook records to JSON Lines (release, one core, page cache -> /dev/null, best of \(max(1, min(options.runs, 3))))")
    print("layout          record   records      input MB   output MB   MB/s (input)   records/s")
    for f in figures {
        print(String(
            format: "%-14@ %7d  %9d   %9.1f   %9.1f   %12.0f   %9@", f.name, f.recordSize, f.records,
            Double(f.inputBytes) / 1e6, Double(f.outputBytes) / 1e6, Double(f.inputBytes) / f.seconds / 1e6,
            format(Double(f.records) / f.seconds)))
    }
    print(String(format: "peak resident memory of the benchmark process: %.1f MiB", CopybookBenchmark.peakResidentMiB()))
    try? FileManager.default.removeItem(atPath: options.directory + "-copybook")
}

if wants("x12") {
    let runs = max(1, min(options.runs, 3))
    let (claims, figures) = try X12Benchmark.run(
        directory: options.directory + "-x12", targetBytes: options.x12Bytes, runs: runs,
        passes: options.x12Passes)
    print("")
    print("X12 837P (\(claims) claims), release, one core, streaming from the page cache, CPU time of the thread, best of \(runs)")
    for f in figures {
        print(String(
            format: "  %-34@ %6.0f MB in %5.2f s: %6.0f MB/s, %@ segments/s", f.name, Double(f.bytes) / 1e6, f.seconds,
            Double(f.bytes) / f.seconds / 1e6, format(Double(f.segments) / f.seconds)))
        print(String(format: "  %-28@ %6.0f MB/s on CPU time (%.2f s CPU)", "", Double(f.bytes) / f.cpuSeconds / 1e6, f.cpuSeconds))
        if f.claims > 0 {
            print(String(
                format: "  %-28@ %@ claims/s (%@ on CPU time), %.0f MB of CloudEvents JSON Lines", "",
                format(Double(f.claims) / f.seconds), format(Double(f.claims) / f.cpuSeconds),
                Double(f.outputBytes) / 1e6))
        }
    }
    print(String(format: "peak resident memory of the benchmark process: %.1f MiB", CopybookBenchmark.peakResidentMiB()))
    try? FileManager.default.removeItem(atPath: options.directory + "-x12")
}

if wants("mq") {
    let runs = max(1, min(options.runs, 3))
    let (size, figures) = try MQBenchmark.run(seconds: 1.5, runs: runs)
    print("")
    print("MQ frames (MQMD v2 + MQRFH2 with 3 folders + MQSTR body, \(size) bytes each), release, one core, best of \(runs)")
    for f in figures {
        print(String(
            format: "  %@: %@ frames per CPU second, %@ frames/s wall clock (%d frames, %.2f s CPU, %.2f s wall)",
            f.name, format(Double(f.frames) / f.cpuSeconds), format(Double(f.frames) / f.seconds), f.frames,
            f.cpuSeconds, f.seconds))
    }
}

if wants("stomp") {
    let f = try await STOMPBenchmark.run(
        url: options.stompURL, python: options.python, count: options.stompMessages, batch: options.stompBatch, size: 1024)
    let n = Double(options.stompMessages)
    print("")
    print("STOMP on ActiveMQ (\(options.stompURL)): \(options.stompMessages) persistent 1 KiB messages, transactions of \(options.stompBatch) with an awaited COMMIT receipt; receive with client-individual ACKs, prefetch 500")
    print("client        send msg/s   receive msg/s")
    print(String(format: "Ferry         %10.0f   %13.0f", n / f.ferrySend, n / f.ferryReceive))
    print(String(format: "stomp.py      %10.0f   %13.0f", n / f.pythonSend, n / f.pythonReceive))
    print(String(format: "Ferry/stomp.py %9.2fx   %12.2fx", f.pythonSend / f.ferrySend, f.pythonReceive / f.ferryReceive))
    print(String(
        format: "Ferry's own CPU while sending: %.0f%% of one core (%.1f µs/msg); while receiving: %.0f%% (%.1f µs/msg)",
        100 * f.ferrySendCPU / f.ferrySend, 1e6 * f.ferrySendCPU / n, 100 * f.ferryReceiveCPU / f.ferryReceive,
        1e6 * f.ferryReceiveCPU / n))
}

if wants("mapping") {
    let runs = max(1, min(options.runs, 50))
    let figures = try MappingBenchmark.run(records: 20_000, runs: runs, rows: options.mappingRows)
    print("")
    print("Mapping overhead (20,000 generated 195-byte copybook records, 30 fields), release, one core, best of \(runs)")
    for f in figures {
        print(String(
            format: "  %@: %@ records per CPU second (%.3f s CPU, %.3f s wall)", f.name, format(Double(f.records) / f.cpuSeconds),
            f.cpuSeconds, f.wallSeconds))
    }
    // The mapping rows against the adapter's two baselines (JSON lines, events); row 3 is the previous --key path.
    let baselines = figures.filter { $0.name.hasPrefix("copybook adapter alone (") }
    for f in figures where f.name.hasPrefix("30-field") {
        for baseline in baselines {
            print(String(format: "  %@: %.0f%% on top of %@ (%.2f times its CPU time)", f.name,
                (f.cpuSeconds / baseline.cpuSeconds - 1) * 100, baseline.name, f.cpuSeconds / baseline.cpuSeconds))
        }
    }
}

if wants("bridge") {
    let n = options.bridgeMessages
    let f = try await BridgeBenchmark.run(
        stompURL: options.stompURL, kafkaBootstrap: options.kafkaBootstrap, count: n, inFlight: options.bridgeInFlight,
        partitions: options.bridgePartitions, size: 1024)
    print("")
    print("Bridge queue → Kafka (\(options.stompURL) → \(options.kafkaBootstrap)): \(n) persistent ~1 KiB CloudEvents, 97 keys, maxInFlight = prefetch = \(options.bridgeInFlight), \(options.bridgePartitions) partitions, acks=all + idempotence")
    print("                                  msg/s wall   CPU s (all threads)   CPU µs/msg")
    print(String(format: "(a) STOMP client drain (ACK each) %10.0f   %19.2f   %10.1f", Double(n) / f.drain.wall, f.drain.cpu, 1e6 * f.drain.cpu / Double(n)))
    print(String(format: "(b) bridge queue → Kafka          %10.0f   %19.2f   %10.1f", Double(n) / f.bridge.wall, f.bridge.cpu, 1e6 * f.bridge.cpu / Double(n)))
    print(String(format: "(a') STOMP client drain again     %10.0f   %19.2f   %10.1f", Double(n) / f.drainAgain.wall, f.drainAgain.cpu, 1e6 * f.drainAgain.cpu / Double(n)))
    print(String(
        format: "(b)/(a) = %.2f, (b)/(a') = %.2f; load average (1 min) %.2f before, %.2f after",
        f.drain.wall / f.bridge.wall, f.drainAgain.wall / f.bridge.wall, f.loadBefore, f.loadAfter))
}

if wants("uuid") { UUIDBenchmark.report(runs: options.runs) }

if wants("bridge-conversion") {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    try BridgeConversionBenchmark.report(root: root, runs: max(1, min(options.runs, 10)))
}
