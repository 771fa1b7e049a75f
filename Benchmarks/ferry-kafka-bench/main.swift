// Release-build Kafka benchmark: `swift run -c release ferry-kafka-bench --bootstrap HOST:PORT [--records N]
// [--partitions P] [--linger-ms L] [--batch-bytes B] [--in-flight F]` (F: batches per partition in flight, 1...5).
//
// Produces N CloudEvent-shaped records (1 KiB value, four ce_ headers, a key) with acks=all and idempotence
// through the fire-and-forget path, then consumes them all from the beginning. Prints one JSON line with
// wall time, process CPU time (user+system) and rates. `confluent_bench.py` beside it does the same with
// confluent-kafka for comparison.
import Foundation
import Kafka
import StreamLog

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

/// The 1-minute load average at the end of the run (the machine is shared: figures are read beside it).
func loadAverage() -> Double {
    var loads = [Double](repeating: 0, count: 3)
    return getloadavg(&loads, 3) > 0 ? loads[0] : -1
}

var bootstrap = "127.0.0.1:19092"
var count = 200_000
var partitions = 4
var linger = 5
var batchBytes = 1_000_000
var inFlight = 5
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--bootstrap": bootstrap = arguments.next() ?? bootstrap
    case "--records": count = arguments.next().flatMap(Int.init) ?? count
    case "--partitions": partitions = arguments.next().flatMap(Int.init) ?? partitions
    case "--linger-ms": linger = arguments.next().flatMap(Int.init) ?? linger
    case "--batch-bytes": batchBytes = arguments.next().flatMap(Int.init) ?? batchBytes
    case "--in-flight": inFlight = arguments.next().flatMap(Int.init) ?? inFlight
    default:
        FileHandle.standardError.write(Data("ferry-kafka-bench: unknown argument \(argument)\n".utf8))
        exit(2)
    }
}

let client = try KafkaClient(configuration: KafkaClientConfiguration(url: bootstrap))
let topic = "ferry-bench-\(UInt32.random(in: 0...UInt32.max))"
try await client.createTopic(topic, partitions: partitions)
var configuration = KafkaProducerConfiguration()
configuration.linger = .milliseconds(linger)
configuration.batchSize = batchBytes
configuration.bufferMemory = 64 << 20
configuration.maximumInFlightBatches = inFlight
let producer = try KafkaProducer(client: client, configuration: configuration)
let value = [UInt8](repeating: 0x61, count: 1024)
let headers = [
    RecordHeader(name: "ce_specversion", text: "1.0"), RecordHeader(name: "ce_type", text: "org.ferry.bench.v1"),
    RecordHeader(name: "ce_source", text: "/bench"), RecordHeader(name: "content-type", text: "application/json"),
]

let reportsTask = Task {
    var delivered = 0
    var failed = 0
    for await report in producer.deliveryReports {
        switch report {
        case .success: delivered += 1
        case .failure: failed += 1
        }
    }
    return (delivered, failed)
}

let produceCPU = cpuSeconds()
let produceStart = ContinuousClock.now
// Off the main actor: top-level code is main-actor isolated, and every await would hop executors.
try await Task.detached { [count] in
    for i in 0..<count {
        let record = StreamRecord(
            key: Array("member-\(i % 10_000)".utf8), value: value,
            headers: headers + [RecordHeader(name: "ce_id", text: "\(i)")], timestamp: 1_700_000_000_000 + Int64(i))
        try await producer.enqueue(record, topic: topic)
    }
    await producer.close()
}.value
let produceWall = ContinuousClock.now - produceStart
let produceCPUUsed = cpuSeconds() - produceCPU
let (delivered, failed) = await reportsTask.value

let consumeCPU = cpuSeconds()
let consumeStart = ContinuousClock.now
var consumer: KafkaConsumer
var consumerConfiguration = KafkaConsumerConfiguration()
consumerConfiguration.maximumBytesPerPartition = 4 << 20
consumer = KafkaConsumer(client: client, assignment: (0..<partitions).map { (topic, $0, .earliest) }, configuration: consumerConfiguration)
let consumed = try await Task.detached { [consumer, delivered] in
    var consumed = 0
    for try await _ in consumer {
        consumed += 1
        if consumed == delivered { break }
    }
    return consumed
}.value
let consumeWall = ContinuousClock.now - consumeStart
let consumeCPUUsed = cpuSeconds() - consumeCPU

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
let p = seconds(produceWall)
let c = seconds(consumeWall)
print(
    """
    {"client":"ferry","in_flight":\(inFlight),"records":\(count),"delivered":\(delivered),"failed":\(failed),\
    "produce_s":\(String(format: "%.3f", p)),"produce_msg_s":\(Int(Double(delivered) / p)),\
    "produce_cpu_s":\(String(format: "%.3f", produceCPUUsed)),"produce_cpu_us_per_msg":\(String(format: "%.2f", produceCPUUsed * 1e6 / Double(max(delivered, 1)))),\
    "consumed":\(consumed),"consume_s":\(String(format: "%.3f", c)),"consume_msg_s":\(Int(Double(consumed) / c)),\
    "consume_cpu_us_per_msg":\(String(format: "%.2f", consumeCPUUsed * 1e6 / Double(max(consumed, 1)))),\
    "load_1m":\(String(format: "%.2f", loadAverage()))}
    """)
client.close()
