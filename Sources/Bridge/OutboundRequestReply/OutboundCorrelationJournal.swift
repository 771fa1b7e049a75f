import Foundation
public import StreamLog
import Synchronization

/// One outbound request waiting for its legacy reply, as the journal keeps it: enough to publish the reply (or
/// the error reply) to its requester after a restart.
public struct JournaledOutboundRequest: Sendable, Equatable, Codable {
    /// The bridge-issued correlation key (48 hex digits).
    public var key: String
    /// `kafka_replyTopic`.
    public var replyTopic: String
    /// `kafka_replyPartition`, when the request named one.
    public var replyPartition: Int?
    /// `kafka_correlationId`, echoed on the reply.
    public var correlationID: [UInt8]?
    /// The request event's id (the reply's `causationid`).
    public var requestEventID: String
    /// The deadline as wall-clock milliseconds since 1970 (a monotonic instant does not survive a restart).
    public var deadlineMilliseconds: Int64

    /// The journal form of pending entry `entry` under `key`.
    public init(key: String, entry: PendingRequestTable.Entry) {
        let remaining = ContinuousClock.now.duration(to: entry.deadline).components
        self.key = key
        replyTopic = entry.address.topic
        replyPartition = entry.address.partition
        correlationID = entry.address.correlationID
        requestEventID = entry.requestEventID
        deadlineMilliseconds = OutboundCorrelationJournal.nowMilliseconds + remaining.seconds * 1000
            + remaining.attoseconds / 1_000_000_000_000_000
    }

    /// The pending entry again, its deadline on this process's monotonic clock (in the past when it passed while
    /// the instance was down).
    public var entry: PendingRequestTable.Entry {
        PendingRequestTable.Entry(
            address: ReplyAddress(topic: replyTopic, partition: replyPartition, correlationID: correlationID),
            deadline: .now + .milliseconds(deadlineMilliseconds - OutboundCorrelationJournal.nowMilliseconds),
            requestEventID: requestEventID)
    }
}

/// The pending requests of one outbound route instance, kept in a topic of an embedded ``LocalLog``
/// (`ferry.outbound-correlations.<route>.<instance>`) in the style of a compacted topic: an *open* record (key = the
/// correlation key, value = the ``JournaledOutboundRequest`` as JSON) before the request is sent, a *close* record
/// (same key, no value) once it is answered or timed out.
///
/// Records are buffered; ``flush()`` appends them as one batch. The route journals a batch of requests once the
/// legacy queue accepted it and flushes before it commits their offset (so a recovered request always has a reply
/// coming, and a request whose open record a crash lost is read and sent again), before it acknowledges a reply message (its close is in the log first), and after each
/// round of timeouts; the LocalLog's fsync policy decides when a batch reaches the disk. So a crash after a reply
/// was published and before its close was appended leaves the reply message unacknowledged: the queue redelivers
/// it and the restarted instance publishes it again (at least once, never to a wrong requester).
public final class OutboundCorrelationJournal: Sendable {
    /// The topic it writes.
    public let topic: String
    private let log: LocalLog
    private let buffer = Mutex<[StreamRecord]>([])

    /// The journal of `instance` of route `route` in `log`; the topic is created when missing.
    public init(log: LocalLog, route: String, instance: String) throws(CorrelationJournalError) {
        self.log = log
        let safe = { (text: String) in String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }) }
        topic = "ferry.outbound-correlations.\(safe(route)).\(safe(instance))"
        do throws(StreamLogError) {
            if try !log.topics().contains(where: { $0.name == topic }) { try log.createTopic(topic, partitions: 1) }
        } catch { throw .log(error) }
    }

    /// Notes that `request` was sent. Its reply may have been handled, and closed, already: a replay honours a close
    /// wherever it is (each key is opened once).
    public func recordOpen(_ request: JournaledOutboundRequest) {
        let value = (try? JSONEncoder().encode(request)).map { Array($0) } ?? []
        append(StreamRecord(key: Array(request.key.utf8), value: value, headers: [], timestamp: Self.nowMilliseconds))
    }

    /// Notes that the request `key` was answered or timed out.
    public func recordClose(_ key: String) {
        append(StreamRecord(key: Array(key.utf8), value: nil, headers: [], timestamp: Self.nowMilliseconds))
    }

    /// Records written but not yet appended.
    public var buffered: Int { buffer.withLock { $0.count } }

    /// Appends what is buffered as one batch (on failure the records stay buffered, in order, for the next try).
    public func flush() throws(CorrelationJournalError) {
        let batch = buffer.withLock { buffer in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !batch.isEmpty else { return }
        do throws(StreamLogError) { _ = try log.append(batch, topic: topic, partition: 0) } catch {
            buffer.withLock { $0.insert(contentsOf: batch, at: 0) }
            throw .log(error)
        }
    }

    /// Closes the log without appending what is buffered (what a crash does; call ``flush()`` first to stop in order).
    public func close() throws(CorrelationJournalError) {
        do throws(StreamLogError) { try log.close() } catch { throw .log(error) }
    }

    /// Reads the whole topic: the requests opened and never closed, in the order they were opened.
    public func replay() throws(CorrelationJournalError) -> [JournaledOutboundRequest] {
        try JournalReplay.openEntries(
            JournaledOutboundRequest.self, in: log, topic: topic, entryName: "journaled outbound request", id: \.key)
    }

    private func append(_ record: StreamRecord) { buffer.withLock { $0.append(record) } }

    static var nowMilliseconds: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
