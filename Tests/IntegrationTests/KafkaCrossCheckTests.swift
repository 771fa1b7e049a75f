import Foundation
import Kafka
import StreamLog
import Testing

/// Ferry's Kafka client against confluent-kafka (librdkafka 2.16) on the same tansu broker: each reads what
/// the other wrote, byte for byte, and both choose the same partition for a key.
@Suite("Ferry's Kafka client cross-checked with confluent-kafka (real broker from scripts/test)", .serialized)
struct KafkaCrossCheckTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/crosscheck/kafka_client.py").path

    /// One record as the script prints and reads it.
    struct WireRecord: Codable, Equatable {
        var partition: Int?
        var offset: Int64?
        var key: String?
        var value: String?
        var headers: [[String?]]
        var timestamp: Int64
        var timestamp_type: Int?

        init(_ record: StreamRecord, partition: Int?) {
            self.partition = partition
            self.key = record.key.map(Self.hex)
            self.value = record.value.map(Self.hex)
            self.headers = record.headers.map { [$0.name, $0.value.map(Self.hex)] }
            self.timestamp = record.timestamp
        }

        static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        static func bytes(_ hex: String?) -> [UInt8]? {
            guard let hex else { return nil }
            var out: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex {
                let next = hex.index(index, offsetBy: 2)
                out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
                index = next
            }
            return out
        }

        var streamRecord: StreamRecord {
            StreamRecord(
                key: Self.bytes(key), value: Self.bytes(value),
                headers: headers.map { RecordHeader(name: $0[0] ?? "", value: Self.bytes($0.count > 1 ? $0[1] : nil)) },
                timestamp: timestamp)
        }
    }

    static func python(_ arguments: [String], timeout: Duration = .seconds(90)) async throws -> Data {
        let environment = TestEnvironment.current
        let python = try environment.python()
        let broker = try environment.kafkaBroker()
        let source = try String(contentsOfFile: script, encoding: .utf8)
        let run = try await python.run(script: source, arguments: ["\(broker.host):\(broker.port)"] + arguments, timeout: timeout)
        try #require(run.status == 0, "kafka_client.py \(arguments.first ?? "") failed (\(run.status)): \(run.standardError)")
        return Data(run.standardOutput.utf8)
    }

    static func scratchFile(_ data: Data) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-kafka-\(UUID().uuidString).json")
        try data.write(to: url)
        return url
    }

    /// Records with every shape: binary and empty keys and values, null key/value, repeated and null headers,
    /// UTF-8 header names, old and future timestamps.
    static func sampleRecords(count: Int) -> [StreamRecord] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { i in
            let key: [UInt8]? = i % 7 == 0 ? nil : (i % 11 == 0 ? [] : Array("entity-\(i % 23)-ü".utf8) + [0, 0xFF])
            let value: [UInt8]? = i % 13 == 0 ? nil : (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var headers = [RecordHeader(name: "ce_id", text: "id-\(i)"), RecordHeader(name: "ce_type", text: "org.ferry.test")]
            if i % 3 == 0 { headers.append(RecordHeader(name: "ce_id", text: "dup")) }
            if i % 5 == 0 { headers.append(RecordHeader(name: "nüll", value: nil)) }
            return StreamRecord(key: key, value: value, headers: headers, timestamp: 1_600_000_000_000 + Int64(i) * 997)
        }
    }

    @Test(arguments: [Compression.none, .gzip])
    func confluentKafkaReadsWhatFerryProduces(compression: Compression) async throws {
        let client = try KafkaClientTests.client()
        defer { client.close() }
        let topic = KafkaClientTests.uniqueTopic("ferry-to-rdkafka")
        try await client.createTopic(topic, partitions: 3)
        var configuration = KafkaProducerConfiguration()
        configuration.compression = compression
        configuration.linger = .milliseconds(10)
        let producer = try KafkaProducer(client: client, configuration: configuration)
        let records = Self.sampleRecords(count: 300)
        var expected: [WireRecord] = []
        // Sequential sends: keyed records by murmur2, unkeyed to partition 2; half through the batching path.
        for (i, record) in records.enumerated() {
            let partition: Int? = record.key == nil ? 2 : nil
            let report = try await producer.send(record, topic: topic, partition: partition)
            var wire = WireRecord(record, partition: report.partition)
            wire.offset = report.offset
            expected.append(wire)
            if let key = record.key, i % 2 == 0 {
                #expect(report.partition == KafkaPartitioner.partition(forKey: key, partitionCount: 3))
            }
        }
        let output = try await Self.python(["consume", topic, "3", "\(records.count)"])
        let read = try JSONDecoder().decode([WireRecord].self, from: output)
        #expect(read.count == records.count)
        let byPosition = Dictionary(uniqueKeysWithValues: read.map { ("\($0.partition ?? -1)/\($0.offset ?? -1)", $0) })
        for wire in expected {
            let found = try #require(byPosition["\(wire.partition ?? -1)/\(wire.offset ?? -1)"], "missing \(wire.partition ?? -1)/\(wire.offset ?? -1)")
            #expect(found.key == wire.key)
            #expect(found.value == wire.value)
            #expect(found.headers == wire.headers)
            #expect(found.timestamp == wire.timestamp)
            #expect(found.timestamp_type == 1, "CreateTime")
        }
    }

    @Test(arguments: ["none", "gzip"])
    func ferryReadsWhatConfluentKafkaProduces(compression: String) async throws {
        let client = try KafkaClientTests.client()
        defer { client.close() }
        let topic = KafkaClientTests.uniqueTopic("rdkafka-to-ferry")
        try await client.createTopic(topic, partitions: 2)
        let records = Self.sampleRecords(count: 400)
        let input = records.enumerated().map { WireRecord($1, partition: $0 % 2) }
        let file = try Self.scratchFile(try JSONEncoder().encode(input))
        defer { try? FileManager.default.removeItem(at: file) }
        let reports = try JSONDecoder().decode([WireRecord.Report].self, from: try await Self.python(["produce", topic, file.path, compression]))
        #expect(reports.allSatisfy { $0.error == nil })
        let consumer = KafkaConsumer(client: client, assignment: [(topic, 0, .earliest), (topic, 1, .earliest)])
        var read: [String: StoredRecord] = [:]
        for try await record in consumer {
            read["\(record.partition)/\(record.offset)"] = record
            if read.count == records.count { break }
        }
        for (i, report) in reports.enumerated() {
            let found = try #require(read["\(report.partition ?? -1)/\(report.offset ?? -1)"])
            #expect(found.partition == i % 2)
            #expect(found.record == records[i])
        }
    }

    @Test func partitionerAgreesWithLibrdkafkaOn10000RandomKeys() async throws {
        let client = try KafkaClientTests.client()
        defer { client.close() }
        let topic = KafkaClientTests.uniqueTopic("partitioner")
        let partitions = 7
        try await client.createTopic(topic, partitions: partitions)
        var generator = SystemRandomNumberGenerator()
        let keys: [[UInt8]] = (0..<10_000).map { _ in
            (0..<Int.random(in: 1...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        let file = try Self.scratchFile(try JSONEncoder().encode(keys.map(WireRecord.hex)))
        defer { try? FileManager.default.removeItem(at: file) }
        let theirs = try JSONDecoder().decode([Int].self, from: try await Self.python(["partition", topic, file.path], timeout: .seconds(120)))
        try #require(theirs.count == keys.count)
        let ours = keys.map { KafkaPartitioner.partition(forKey: $0, partitionCount: partitions) }
        let disagreements = zip(ours, theirs).filter { $0 != $1 }.count
        #expect(disagreements == 0)
        #expect(Set(ours).count == partitions)
    }

    @Test func timestampLookupsAgreeWithLibrdkafka() async throws {
        let client = try KafkaClientTests.client()
        defer { client.close() }
        let topic = KafkaClientTests.uniqueTopic("times")
        try await client.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(client: client)
        for time in [Int64(1000), 2000, 3000] {
            _ = try await producer.send(batch: [StreamRecord(key: nil, value: [1], timestamp: time)], topic: topic, partition: 0)
        }
        let stamps: [Int64] = [500, 1500, 3000, 9000]
        let theirs = try JSONDecoder().decode([Int64].self, from: try await Self.python(["times", topic, "0"] + stamps.map(String.init)))
        var ours: [Int64] = []
        for stamp in stamps { ours.append(try await client.listOffset(topic: topic, partition: 0, timestamp: stamp)) }
        #expect(ours == theirs)
    }
}

extension KafkaCrossCheckTests.WireRecord {
    /// A delivery report from the script.
    struct Report: Codable {
        var partition: Int?
        var offset: Int64?
        var error: String?
    }
}
