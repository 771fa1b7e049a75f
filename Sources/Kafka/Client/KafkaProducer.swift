public import StreamLog
internal import Synchronization

/// Where a produced record landed.
public struct DeliveryReport: Hashable, Sendable {
    /// The topic.
    public var topic: String
    /// The partition.
    public var partition: Int
    /// The record's offset.
    public var offset: Int64
}

/// A Kafka producer: acks=all and idempotence by default, per-partition batching with `linger` and
/// `batchSize`, Kafka's murmur2 partitioner for keyed records, and back-pressure when the buffer is full.
///
/// Ordering and idempotence: batches carry the producer id, epoch and consecutive base sequences, and a
/// retried batch keeps its sequence, so the broker drops a duplicate instead of appending it twice. The records
/// given to ``send(_:topic:partition:)`` / ``enqueue(_:topic:partition:)`` go out with up to
/// ``KafkaProducerConfiguration/maximumInFlightBatches`` (5) batches per partition in flight on the leader's
/// connection, written in sequence order; when one fails with a retriable error, the batches behind it
/// (which the broker then refuses with OUT_OF_ORDER_SEQUENCE_NUMBER, or also accepted) are settled and every
/// unacknowledged one is sent again, in order, with its sequence. When a batch's outcome stays unknown after
/// the retries (or the broker reports OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID or
/// INVALID_PRODUCER_EPOCH for it), the batch fails and the producer retires its identity, so its sequence
/// is never reused for other records: after UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE_NUMBER it asks the
/// broker to bump its epoch (KIP-360, InitProducerId v3+), otherwise (or when the bump is refused) it takes a
/// new producer id; sequences restart at 0. Batches behind the failed one that the broker refused are
/// re-encoded under the new identity and sent again, those whose outcome is unknown fail too. Without
/// idempotence, one batch is in flight.
/// ``send(batch:topic:partition:)`` (the ``KafkaStreamLog`` append) goes through the same pipeline, unlingered.
public final class KafkaProducer: Sendable {
    /// The cluster connection.
    public let client: KafkaClient
    /// Acks, idempotence, batching and buffering.
    public let configuration: KafkaProducerConfiguration

    private struct TopicPartition: Hashable {
        var topic: String
        var partition: Int
    }

    private enum Completion {
        /// A caller of ``send(_:topic:partition:)`` waits for the outcome.
        case waiting(CheckedContinuation<DeliveryReport, any Error>)
        /// ``enqueue(_:topic:partition:)``: the outcome goes to ``deliveryReports``.
        case report
        /// Record `index` of a ``send(batch:topic:partition:)`` call.
        case appending(AppendOutcome, index: Int)
    }

    private struct Waiting {
        var record: StreamRecord
        var size: Int
        var completion: Completion
    }

    /// One partition's queue: `waiting[head...]` are queued, `bytes` their total size.
    private struct Accumulator {
        var waiting: [Waiting] = []
        var head = 0
        var bytes = 0
        var draining = false
        /// Records of ``send(batch:topic:partition:)`` are queued: no lingering until the queue is empty.
        var sendNow = false

        mutating func append(_ item: Waiting) {
            waiting.append(item)
            bytes += item.size
        }

        /// Removes and returns the records of the next batch: at least one, at most `batchSize` bytes.
        mutating func takeBatch(batchSize: Int) -> [Waiting] {
            var end = head
            var size = 0
            while end < waiting.count {
                if end > head && size + waiting[end].size > batchSize { break }
                size += waiting[end].size
                end += 1
            }
            let taken = Array(waiting[head..<end])
            head = end
            bytes -= size
            if head == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                head = 0
                sendNow = false
            } else if head > 4096 && head * 2 > waiting.count {
                waiting.removeFirst(head)
                head = 0
            }
            return taken
        }
    }

    private struct State {
        var producerID: Int64 = -1
        var producerEpoch: Int16 = -1
        /// The next base sequence per partition, under the producer id and epoch it was counted for (another
        /// id or epoch: 0).
        var sequences: [TopicPartition: (producerID: Int64, epoch: Int16, next: Int32)] = [:]
        /// A retired identity whose epoch the next InitProducerId asks the broker to bump (KIP-360).
        var retired: (id: Int64, epoch: Int16)?
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
    private let reports: AsyncStream<Result<DeliveryReport, KafkaError>>.Continuation

    /// The outcome of every record given to ``enqueue(_:topic:partition:)`` (fire-and-forget), in the order
    /// each partition's batches complete. Finishes after ``close()``. Unread reports are buffered.
    public let deliveryReports: AsyncStream<Result<DeliveryReport, KafkaError>>

    /// A producer on `client`'s cluster; the producer id is requested with the first batch.
    public init(client: KafkaClient, configuration: KafkaProducerConfiguration = .init()) throws(KafkaError) {
        try configuration.validate()
        self.client = client
        self.configuration = configuration
        (deliveryReports, reports) = AsyncStream.makeStream(of: Result<DeliveryReport, KafkaError>.self)
    }

    /// The producer id and epoch (InitProducerId, once), or (-1, -1) when not idempotent.
    public func producerIdentity() async throws(KafkaError) -> (id: Int64, epoch: Int16) {
        guard configuration.idempotent else { return (-1, -1) }
        if let known = state.withLock({ $0.producerID >= 0 ? ($0.producerID, $0.producerEpoch) : nil }) { return known }
        await identityLock.acquire()
        defer { identityLock.release() }
        if let known = state.withLock({ $0.producerID >= 0 ? ($0.producerID, $0.producerEpoch) : nil }) { return known }
        let retired = state.withLock { $0.retired }
        let response = try await client.withRetries(topic: nil) { () async throws(KafkaError) in
            let connection = try await client.anyConnection()
            var request = InitProducerIdRequest()
            // KIP-360: the same producer id with its epoch bumped, where the broker takes ProducerId/ProducerEpoch.
            if let retired, retired.epoch < Int16.max,
                try connection.version(for: InitProducerIdRequest.self) >= InitProducerIdRequest.firstEpochBumpVersion
            {
                request.producerID = retired.id
                request.producerEpoch = retired.epoch
            }
            var response = try await connection.send(request, timeout: client.configuration.requestTimeout)
            if response.errorCode != .none && request.producerID >= 0 && !response.errorCode.isRetriable {
                // The broker would not bump it (the producer id expired, the epoch was fenced): a new producer id.
                response = try await connection.send(InitProducerIdRequest(), timeout: client.configuration.requestTimeout)
            }
            guard response.errorCode == .none else {
                throw .broker(code: response.errorCode, context: "InitProducerId", message: nil)
            }
            return response
        }
        state.withLock { state in
            state.producerID = response.producerID
            state.producerEpoch = response.producerEpoch
            state.retired = nil
        }
        return (response.producerID, response.producerEpoch)
    }

    /// Writes `records` to `topic`/`partition` as one batch (or several consecutive ones above
    /// ``KafkaProducerConfiguration/batchSize``), without lingering, and returns where the first landed once
    /// every record is acknowledged; throws the first failure of any of its batches.
    ///
    /// The records join the partition's queue in one step, behind what is already queued, and go out through
    /// the same pipelined drain as ``send(_:topic:partition:)``: up to
    /// ``KafkaProducerConfiguration/maximumInFlightBatches`` batches on the wire, consecutive sequences, retries
    /// in order. Concurrent calls for one partition are pipelined too; each call's records stay in order.
    /// When one of its batches fails for good, the others may still be written (the call throws either way).
    public func send(batch records: [StreamRecord], topic: String, partition: Int) async throws(KafkaError) -> AppendResult {
        guard !records.isEmpty else { return AppendResult(partition: partition, baseOffset: -1, count: 0) }
        let key = TopicPartition(topic: topic, partition: partition)
        let sizes = records.map(Self.size(of:))
        try await reserve(sizes.reduce(0, +))
        do {
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<AppendResult, any Error>) in
                let outcome = AppendOutcome(count: records.count, partition: partition, continuation: continuation)
                let items = records.indices.map { index in
                    Waiting(record: records[index], size: sizes[index], completion: .appending(outcome, index: index))
                }
                accumulate(items, key: key, sendNow: true)
            }
        } catch let error as KafkaError {
            throw error
        } catch {
            throw .invalid(context: "send(batch:)", detail: "\(error)")
        }
    }

    /// The outcome of one ``send(batch:topic:partition:)`` call, gathered record by record: the caller resumes
    /// once the last record is settled, with the first record's offset or the first error.
    private final class AppendOutcome: Sendable {
        private struct Gathered {
            var remaining: Int
            var baseOffset: Int64 = -1
            var error: KafkaError?
            var continuation: CheckedContinuation<AppendResult, any Error>?
        }
        private let gathered: Mutex<Gathered>
        private let count: Int
        private let partition: Int

        init(count: Int, partition: Int, continuation: CheckedContinuation<AppendResult, any Error>) {
            self.count = count
            self.partition = partition
            gathered = Mutex(Gathered(remaining: count, continuation: continuation))
        }

        /// Records the outcome of the call's record `index`.
        func settle(index: Int, with result: Result<DeliveryReport, KafkaError>) {
            let finished: (CheckedContinuation<AppendResult, any Error>, Result<AppendResult, KafkaError>)? = gathered.withLock { gathered in
                switch result {
                case let .success(report): if index == 0 { gathered.baseOffset = report.offset }
                case let .failure(error): if gathered.error == nil { gathered.error = error }
                }
                gathered.remaining -= 1
                guard gathered.remaining == 0, let continuation = gathered.continuation else { return nil }
                gathered.continuation = nil
                if let error = gathered.error { return (continuation, .failure(error)) }
                return (continuation, .success(AppendResult(partition: partition, baseOffset: gathered.baseOffset, count: count)))
            }
            if let (continuation, outcome) = finished { continuation.resume(with: outcome.mapError { $0 as any Error }) }
        }
    }

    /// Retires the identity `id`/`epoch` a failed batch carried, so the next batch asks for another
    /// (InitProducerId): after UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE_NUMBER the same id with its epoch
    /// bumped (KIP-360) where the broker supports InitProducerId v3+, otherwise (and after other failures) a new
    /// producer id. Either way every partition's sequences start again at 0.
    private func retireIdentity(_ id: Int64, epoch: Int16, after error: KafkaError) {
        let bump = error.brokerCode == .unknownProducerId || error.brokerCode == .outOfOrderSequenceNumber
        state.withLock { state in
            if state.producerID == id && state.producerEpoch == epoch {
                state.producerID = -1
                state.producerEpoch = -1
                state.retired = bump ? (id, epoch) : nil
            }
        }
    }

    /// Sends one record, batched with others for the same partition, and returns where it landed once
    /// acknowledged. Keyed records without a `partition` go where Kafka's murmur2 partitioner puts them;
    /// unkeyed ones to partition 0 unless given. Suspends while the buffer is full.
    public func send(_ record: StreamRecord, topic: String, partition: Int? = nil) async throws(KafkaError) -> DeliveryReport {
        let (key, size) = try await admit(record, topic: topic, partition: partition)
        do {
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<DeliveryReport, any Error>) in
                accumulate(Waiting(record: record, size: size, completion: .waiting(continuation)), key: key)
            }
        } catch let error as KafkaError {
            throw error
        } catch {
            throw .invalid(context: "send", detail: "\(error)")
        }
    }

    /// Fire-and-forget: buffers `record` for batching and returns (suspending only while the buffer is full);
    /// its outcome arrives on ``deliveryReports``.
    public func enqueue(_ record: StreamRecord, topic: String, partition: Int? = nil) async throws(KafkaError) {
        let (key, size) = try await admit(record, topic: topic, partition: partition)
        accumulate(Waiting(record: record, size: size, completion: .report), key: key)
    }

    /// Chooses the partition and reserves buffer space.
    private func admit(_ record: StreamRecord, topic: String, partition: Int?) async throws(KafkaError) -> (TopicPartition, Int) {
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
        return (TopicPartition(topic: topic, partition: target), size)
    }

    /// The lock that keeps one partition's drains apart (a drain that is ending and the next one).
    private func partitionLock(_ key: TopicPartition) -> AsyncSerialLock {
        state.withLock { state in
            if let lock = state.locks[key] { return lock }
            let lock = AsyncSerialLock()
            state.locks[key] = lock
            return lock
        }
    }

    /// Adds a record to its partition's queue; starts the partition's drain when none runs.
    private func accumulate(_ item: Waiting, key: TopicPartition) {
        accumulate([item], key: key, sendNow: false)
    }

    /// Adds records to their partition's queue in one step (`sendNow`: the drain does not linger for them);
    /// starts the partition's drain when none runs.
    private func accumulate(_ items: [Waiting], key: TopicPartition, sendNow: Bool) {
        let startDrain = state.withLock { state in
            for item in items { state.accumulators[key, default: Accumulator()].append(item) }
            if sendNow { state.accumulators[key]?.sendNow = true }
            if state.accumulators[key]?.draining == true { return false }
            state.accumulators[key]?.draining = true
            state.inFlightDrains += 1
            return true
        }
        if startDrain {
            // One task per partition with queued records; it ends when the queue is empty (see the README).
            Task { await self.drain(key) }
        }
    }

    /// One batch of a partition's drain, from encoding to its outcome.
    private struct BatchInFlight {
        enum Progress {
            /// Encoded, not (or no longer) on the wire.
            case unsent
            /// Written to the leader's connection; its answer is awaited with `response(to:)`.
            case sent(KafkaConnection, KafkaConnection.SubmittedRequest<ProduceRequest>)
            /// Written by the broker at this base offset.
            case acknowledged(Int64)
            /// This attempt failed.
            case failed(KafkaError)
        }
        var items: [Waiting]
        var producerID: Int64
        var producerEpoch: Int16
        var sequence: Int32
        var encoded: [UInt8]
        var progress: Progress = .unsent
    }

    /// Sends what accumulates for one partition until nothing is waiting, keeping up to
    /// ``KafkaProducerConfiguration/maximumInFlightBatches`` batches on the wire (one without idempotence).
    /// Outcomes are reported in batch order. The retry rules are in the type's documentation.
    private func drain(_ key: TopicPartition) async {
        let lock = partitionLock(key)
        await lock.acquire()
        let inFlightLimit = configuration.idempotent ? configuration.maximumInFlightBatches : 1
        var window: [BatchInFlight] = []
        var attempts = 0
        var backoff = client.configuration.retryBackoff
        drainLoop: while true {
            // New batches while there is room (lingering only when nothing is in flight: otherwise the records
            // have gathered for a round trip already).
            while window.count < inFlightLimit {
                if window.isEmpty && configuration.linger > .zero {
                    let full = state.withLock { state in
                        state.accumulators[key].map { $0.sendNow || $0.bytes >= configuration.batchSize } ?? false
                    }
                    if !full { try? await Task.sleep(for: configuration.linger) }
                }
                let nothingInFlight = window.isEmpty
                let taken: [Waiting] = state.withLock { state in
                    // Mutated in place: a copy out of the dictionary would make every take copy the queue.
                    let taken = state.accumulators[key, default: Accumulator()].takeBatch(batchSize: configuration.batchSize)
                    if taken.isEmpty && nothingInFlight { state.accumulators[key]?.draining = false }
                    return taken
                }
                if taken.isEmpty {
                    if nothingInFlight { break drainLoop }
                    break
                }
                do throws(KafkaError) {
                    window.append(try await makeBatch(taken, key: key))
                } catch {
                    complete(taken, with: .failure(error), key: key)
                }
            }
            // Every batch not on the wire goes out, oldest first, so the broker sees consecutive sequences.
            for index in window.indices {
                guard case .unsent = window[index].progress else { continue }
                window[index].progress = await submit(window[index], key: key)
            }
            guard !window.isEmpty else { continue }

            switch await settle(&window[0], key: key) {
            case let .success(base):
                complete(window.removeFirst().items, with: .success(base), key: key)
                attempts = 0
                backoff = client.configuration.retryBackoff
            case let .failure(error):
                // What the broker did with the batches behind it (refused them as out of order, most likely).
                for index in window.indices.dropFirst() { _ = await settle(&window[index], key: key) }
                if error.isRetriable && attempts < client.configuration.retries {
                    attempts += 1
                    switch error {
                    case let .broker(code, _, _) where code.invalidatesMetadata: client.invalidateMetadata(topic: key.topic)
                    case .connection, .timedOut: client.invalidateMetadata(topic: key.topic)
                    default: break
                    }
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, client.configuration.maximumRetryBackoff)
                    for index in window.indices {
                        if case .failed = window[index].progress { window[index].progress = .unsent }
                    }
                    continue
                }
                let failed = window.removeFirst()
                complete(failed.items, with: .failure(error), key: key)
                attempts = 0
                backoff = client.configuration.retryBackoff
                guard configuration.idempotent else { continue }
                // Its sequence may or may not be written: never reuse it. Batches behind it that the broker
                // refused (an error code) were not written and go again under the new producer id; those whose
                // outcome is unknown fail as well.
                retireIdentity(failed.producerID, epoch: failed.producerEpoch, after: error)
                var kept: [BatchInFlight] = []
                for batch in window {
                    switch batch.progress {
                    case .acknowledged:
                        kept.append(batch)
                    case let .failed(reason) where reason.brokerCode != nil:
                        do throws(KafkaError) {
                            kept.append(try await makeBatch(batch.items, key: key))
                        } catch {
                            complete(batch.items, with: .failure(error), key: key)
                        }
                    case let .failed(reason):
                        complete(batch.items, with: .failure(reason), key: key)
                    case .unsent, .sent:
                        complete(batch.items, with: .failure(error), key: key)  // not reached: all were settled
                    }
                }
                window = kept
            }
        }
        lock.release()
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.inFlightDrains -= 1
            guard state.inFlightDrains == 0 else { return [] }
            defer { state.flushWaiters.removeAll() }
            return state.flushWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Encodes `items` as the partition's next batch: the producer id and epoch, the next base sequence
    /// (reserved here: batches in flight hold consecutive ranges).
    private func makeBatch(_ items: [Waiting], key: TopicPartition) async throws(KafkaError) -> BatchInFlight {
        let (id, epoch) = try await producerIdentity()
        let sequence: Int32 =
            configuration.idempotent
            ? state.withLock { state in
                state.sequences[key].flatMap { $0.producerID == id && $0.epoch == epoch ? $0.next : nil } ?? 0
            } : -1
        let encoded = try RecordBatch.encode(
            items.map(\.record), compression: configuration.compression, producerID: id, producerEpoch: epoch,
            baseSequence: sequence)
        if configuration.idempotent {
            state.withLock { state in state.sequences[key] = (id, epoch, Self.sequence(after: sequence, count: items.count)) }
        }
        return BatchInFlight(items: items, producerID: id, producerEpoch: epoch, sequence: sequence, encoded: encoded)
    }

    /// The base sequence after a batch of `count` records at `sequence`: sequences wrap at Int32.max, as in
    /// Kafka's DefaultRecordBatch.incrementSequence.
    static func sequence(after sequence: Int32, count: Int) -> Int32 {
        let next = Int64(sequence) + Int64(count)
        return Int32(truncatingIfNeeded: next > Int64(Int32.max) ? next - Int64(Int32.max) - 1 : next)
    }

    /// Writes `batch` to the partition leader's connection (without waiting for the answer).
    private func submit(_ batch: BatchInFlight, key: TopicPartition) async -> BatchInFlight.Progress {
        let timeout = Int32(clamping: configuration.deliveryTimeout.components.seconds * 1000)
        do throws(KafkaError) {
            let connection = try await client.leaderConnection(topic: key.topic, partition: key.partition)
            let request = ProduceRequest(
                acks: configuration.acks, timeoutMilliseconds: timeout,
                topics: [(name: key.topic, partitions: [.init(partition: Int32(key.partition), records: batch.encoded)])])
            let submitted = try connection.submit(request, timeout: client.configuration.requestTimeout + configuration.deliveryTimeout)
            return .sent(connection, submitted)
        } catch {
            return .failed(error)
        }
    }

    /// Waits for a sent batch's answer and records it; the recorded outcome otherwise.
    private func settle(_ batch: inout BatchInFlight, key: TopicPartition) async -> Result<Int64, KafkaError> {
        switch batch.progress {
        case .unsent:
            batch.progress = .failed(.invalid(context: "producer", detail: "a batch was awaited before it was sent"))
        case let .sent(connection, submitted):
            do throws(KafkaError) {
                let response = try await connection.response(to: submitted)
                batch.progress = .acknowledged(try Self.baseOffset(in: response, key: key))
            } catch {
                batch.progress = .failed(error)
            }
        case .acknowledged, .failed:
            break
        }
        switch batch.progress {
        case let .acknowledged(base): return .success(base)
        case let .failed(error): return .failure(error)
        case .unsent, .sent: return .failure(.invalid(context: "producer", detail: "a batch was not settled"))
        }
    }

    /// The base offset a Produce answer gives `key`'s batch; DUPLICATE_SEQUENCE_NUMBER counts as written.
    private static func baseOffset(in response: ProduceRequest.Response, key: TopicPartition) throws(KafkaError) -> Int64 {
        guard let answer = response.topics[key.topic]?.first(where: { $0.partition == Int32(key.partition) }) else {
            throw .invalid(context: "Produce response", detail: "\(key.topic)/\(key.partition) is missing")
        }
        switch answer.errorCode {
        case .none, .duplicateSequenceNumber:
            // A duplicate: the broker already has this batch (an earlier attempt was written), not twice.
            return answer.baseOffset
        default:
            throw .broker(code: answer.errorCode, context: "\(key.topic)/\(key.partition)", message: answer.errorMessage)
        }
    }

    /// Resumes (or reports) every record of a batch with its offset or the error, and frees their buffer space.
    private func complete(_ items: [Waiting], with result: Result<Int64, KafkaError>, key: TopicPartition) {
        for (index, item) in items.enumerated() {
            let outcome = result.map { DeliveryReport(topic: key.topic, partition: key.partition, offset: $0 + Int64(index)) }
            switch item.completion {
            case let .waiting(continuation): continuation.resume(with: outcome.mapError { $0 as any Error })
            case .report: reports.yield(outcome)
            case let .appending(call, index): call.settle(index: index, with: outcome)
            }
        }
        release(items.reduce(0) { $0 + $1.size })
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

    /// Flushes, then refuses further sends and finishes ``deliveryReports``.
    public func close() async {
        await flush()
        state.withLock { $0.closed = true }
        reports.finish()
    }

    /// Bytes a record takes in a batch, roughly (for batching and the buffer limit).
    static func size(of record: StreamRecord) -> Int {
        var size = 16 + (record.key?.count ?? 0) + (record.value?.count ?? 0)
        for header in record.headers { size += 4 + header.name.utf8.count + (header.value?.count ?? 0) }
        return size
    }
}
