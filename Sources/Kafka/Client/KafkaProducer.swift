public import StreamLog
internal import Synchronization

/// Where a produced record landed.
public struct DeliveryReport: Hashable, Sendable {
    public var topic: String
    public var partition: Int
    public var offset: Int64
}

/// A Kafka producer: acks=all and idempotence by default, per-partition batching with `linger` and
/// `batchSize`, Kafka's murmur2 partitioner for keyed records, and back-pressure when the buffer is full.
///
/// Ordering and idempotence: each partition sends one batch at a time (the next waits for the previous
/// acknowledgement), batches carry the producer id, epoch and consecutive base sequences, and a retried batch
/// keeps its sequence, so the broker drops a duplicate instead of appending it twice. Kafka allows up to five
/// batches in flight per partition; this producer keeps one (simpler, still ordered; see the README).
public final class KafkaProducer: Sendable {
    public let client: KafkaClient
    public let configuration: KafkaProducerConfiguration

    private struct TopicPartition: Hashable {
        var topic: String
        var partition: Int
    }

    private struct Waiting {
        var record: StreamRecord
        var size: Int
        var continuation: CheckedContinuation<DeliveryReport, any Error>
    }

    private struct Accumulator {
        var waiting: [Waiting] = []
        var draining = false
    }

    private struct State {
        var producerID: Int64 = -1
        var producerEpoch: Int16 = -1
        var sequences: [TopicPartition: Int32] = [:]
        var accumulators: [TopicPartition: Accumulator] = [:]
        var locks: [TopicPartition: AsyncSerialLock] = [:]
        var bufferedBytes = 0
        var spaceWaiters: [CheckedContinuation<Void, Never>] = []
        var inFlightDrains = 0
        var flushWaiters: [CheckedContinuation<Void, Never>] = []
        var closed = false
    }
    private let state = Mutex(State())
    private let identityLock = AsyncSerialLock()

    public init(client: KafkaClient, configuration: KafkaProducerConfiguration = .init()) throws(KafkaError) {
        try configuration.validate()
        self.client = client
        self.configuration = configuration
    }

    /// The producer id and epoch (InitProducerId, once), or (-1, -1) when not idempotent.
    public func producerIdentity() async throws(KafkaError) -> (id: Int64, epoch: Int16) {
        guard configuration.idempotent else { return (-1, -1) }
        if let known = state.withLock({ $0.producerID >= 0 ? ($0.producerID, $0.producerEpoch) : nil }) { return known }
        await identityLock.acquire()
        defer { identityLock.release() }
        if let known = state.withLock({ $0.producerID >= 0 ? ($0.producerID, $0.producerEpoch) : nil }) { return known }
        let response = try await client.withRetries(topic: nil) { () async throws(KafkaError) in
            let connection = try await client.anyConnection()
            let response = try await connection.send(InitProducerIdRequest(), timeout: client.configuration.requestTimeout)
            guard response.errorCode == .none else {
                throw .broker(code: response.errorCode, context: "InitProducerId", message: nil)
            }
            return response
        }
        state.withLock { state in
            state.producerID = response.producerID
            state.producerEpoch = response.producerEpoch
        }
        return (response.producerID, response.producerEpoch)
    }

    /// Writes `records` to `topic`/`partition` as one batch (or several consecutive ones above
    /// ``KafkaProducerConfiguration/batchSize``) and returns where the first landed, once acknowledged.
    public func send(batch records: [StreamRecord], topic: String, partition: Int) async throws(KafkaError) -> AppendResult {
        guard !records.isEmpty else { return AppendResult(partition: partition, baseOffset: -1, count: 0) }
        let key = TopicPartition(topic: topic, partition: partition)
        let lock = state.withLock { state in
            if let lock = state.locks[key] { return lock }
            let lock = AsyncSerialLock()
            state.locks[key] = lock
            return lock
        }
        await lock.acquire()
        defer { lock.release() }
        let (id, epoch) = try await producerIdentity()
        var first: Int64 = -1
        var start = 0
        while start < records.count {
            var end = start
            var bytes = 0
            while end < records.count {
                let size = Self.size(of: records[end])
                if end > start && bytes + size > configuration.batchSize { break }
                bytes += size
                end += 1
            }
            let chunk = Array(records[start..<end])
            let sequence = state.withLock { $0.sequences[key] ?? 0 }
            let encoded = try RecordBatch.encode(
                chunk, compression: configuration.compression, producerID: id, producerEpoch: epoch,
                baseSequence: configuration.idempotent ? sequence : -1)
            let base = try await produce(encoded, to: key)
            state.withLock { state in
                // Sequences wrap at Int32.max, as in Kafka's DefaultRecordBatch.incrementSequence.
                let next = Int64(sequence) + Int64(chunk.count)
                state.sequences[key] = Int32(truncatingIfNeeded: next > Int64(Int32.max) ? next - Int64(Int32.max) - 1 : next)
            }
            if first < 0 { first = base }
            start = end
        }
        return AppendResult(partition: partition, baseOffset: first, count: records.count)
    }

    private func produce(_ batch: [UInt8], to key: TopicPartition) async throws(KafkaError) -> Int64 {
        let timeout = Int32(clamping: configuration.deliveryTimeout.components.seconds * 1000)
        return try await client.withRetries(topic: key.topic) { () async throws(KafkaError) -> Int64 in
            let connection = try await client.leaderConnection(topic: key.topic, partition: key.partition)
            let request = ProduceRequest(
                acks: configuration.acks, timeoutMilliseconds: timeout,
                topics: [(name: key.topic, partitions: [.init(partition: Int32(key.partition), records: batch)])])
            let response = try await connection.send(request, timeout: client.configuration.requestTimeout + configuration.deliveryTimeout)
            guard let answer = response.topics[key.topic]?.first(where: { $0.partition == Int32(key.partition) }) else {
                throw .invalid(context: "Produce response", detail: "\(key.topic)/\(key.partition) is missing")
            }
            switch answer.errorCode {
            case .none:
                return answer.baseOffset
            case .duplicateSequenceNumber:
                // The broker already has this batch (an earlier attempt was written): not written twice.
                return answer.baseOffset
            default:
                throw .broker(code: answer.errorCode, context: "\(key.topic)/\(key.partition)", message: answer.errorMessage)
            }
        }
    }

    /// Sends one record, batched with others for the same partition, and returns where it landed once
    /// acknowledged. Keyed records without a `partition` go where Kafka's murmur2 partitioner puts them;
    /// unkeyed ones to partition 0 unless given. Suspends while the buffer is full.
    public func send(_ record: StreamRecord, topic: String, partition: Int? = nil) async throws(KafkaError) -> DeliveryReport {
        let target: Int
        if let partition {
            target = partition
        } else if let key = record.key {
            let metadata = try await client.withRetries(topic: topic) { () async throws(KafkaError) in
                try await client.topicMetadata(topic)
            }
            target = KafkaPartitioner.partition(forKey: key, partitionCount: metadata.partitionCount)
        } else {
            target = 0
        }
        let size = Self.size(of: record)
        try await reserve(size)
        let key = TopicPartition(topic: topic, partition: target)
        do {
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<DeliveryReport, any Error>) in
                let startDrain = state.withLock { state in
                    state.accumulators[key, default: Accumulator()].waiting.append(
                        Waiting(record: record, size: size, continuation: continuation))
                    if state.accumulators[key]?.draining == true { return false }
                    state.accumulators[key]?.draining = true
                    state.inFlightDrains += 1
                    return true
                }
                if startDrain {
                    Task { await self.drain(key) }
                }
            }
        } catch let error as KafkaError {
            throw error
        } catch {
            throw .invalid(context: "send", detail: "\(error)")
        }
    }

    /// Sends what accumulates for one partition, batch after batch, until nothing is waiting.
    private func drain(_ key: TopicPartition) async {
        while true {
            if configuration.linger > .zero {
                let full = state.withLock { ($0.accumulators[key]?.waiting.reduce(0) { $0 + $1.size } ?? 0) >= configuration.batchSize }
                if !full { try? await Task.sleep(for: configuration.linger) }
            }
            let taken: [Waiting] = state.withLock { state in
                var accumulator = state.accumulators[key] ?? Accumulator()
                var bytes = 0
                var count = 0
                for item in accumulator.waiting {
                    if count > 0 && bytes + item.size > configuration.batchSize { break }
                    bytes += item.size
                    count += 1
                }
                let taken = Array(accumulator.waiting.prefix(count))
                accumulator.waiting.removeFirst(count)
                if taken.isEmpty { accumulator.draining = false }
                state.accumulators[key] = accumulator
                return taken
            }
            if taken.isEmpty { break }
            do {
                let result = try await send(batch: taken.map(\.record), topic: key.topic, partition: key.partition)
                for (index, item) in taken.enumerated() {
                    item.continuation.resume(
                        returning: DeliveryReport(topic: key.topic, partition: key.partition, offset: result.baseOffset + Int64(index)))
                }
            } catch {
                for item in taken { item.continuation.resume(throwing: error) }
            }
            release(taken.reduce(0) { $0 + $1.size })
        }
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.inFlightDrains -= 1
            guard state.inFlightDrains == 0 else { return [] }
            defer { state.flushWaiters.removeAll() }
            return state.flushWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until every record sent so far is acknowledged or failed.
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.inFlightDrains == 0 { return true }
                state.flushWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func reserve(_ size: Int) async throws(KafkaError) {
        while true {
            let (granted, closed) = state.withLock { state in
                if state.closed { return (false, true) }
                // A record bigger than the whole buffer goes when the buffer is empty.
                if state.bufferedBytes == 0 || state.bufferedBytes + size <= configuration.bufferMemory {
                    state.bufferedBytes += size
                    return (true, false)
                }
                return (false, false)
            }
            if closed { throw .closed }
            if granted { return }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let retryNow = state.withLock { state in
                    if state.bufferedBytes + size <= configuration.bufferMemory || state.bufferedBytes == 0 { return true }
                    state.spaceWaiters.append(continuation)
                    return false
                }
                if retryNow { continuation.resume() }
            }
        }
    }

    private func release(_ size: Int) {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.bufferedBytes -= size
            defer { state.spaceWaiters.removeAll() }
            return state.spaceWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Flushes, then refuses further sends.
    public func close() async {
        await flush()
        state.withLock { $0.closed = true }
    }

    /// Bytes a record takes in a batch, roughly (for batching and the buffer limit).
    static func size(of record: StreamRecord) -> Int {
        var size = 16 + (record.key?.count ?? 0) + (record.value?.count ?? 0)
        for header in record.headers { size += 4 + header.name.utf8.count + (header.value?.count ?? 0) }
        return size
    }
}
