import ByteCoding
import Foundation
public import LegacyQueue
public import MQ
public import StreamLog
import Synchronization

/// Why the correlation journal cannot be read or written.
public enum CorrelationJournalError: Error, Sendable, CustomStringConvertible {
    /// A journal record at `offset` of `topic` is not an open record this version can read.
    case unreadableRecord(topic: String, offset: Int64, reason: String)
    /// The embedded log failed.
    case log(StreamLogError)

    public var description: String {
        switch self {
        case let .unreadableRecord(topic, offset, reason): "correlation journal \(topic) offset \(offset): \(reason)"
        case let .log(error): "correlation journal: \(error)"
        }
    }
}

/// One pending request as the journal keeps it: enough to answer the caller after a restart.
public struct JournaledCorrelation: Sendable, Equatable, Codable {
    /// The bridge's correlation id.
    public var id: String
    /// The deadline as wall-clock milliseconds since 1970 (a monotonic instant does not survive a restart).
    public var deadlineMilliseconds: Int64
    /// `legacy`, `modern` or `shadow`.
    public var route: String
    /// The caller's reply-to destination.
    public var destination: String
    /// The correlation id the caller expects.
    public var callerCorrelationID: String
    /// Format `mq`: the caller's reply MQMD, as its 364 wire bytes.
    public var replyDescriptor: [UInt8]?
    /// The request's message type.
    public var messageType: String?
    /// The request's entity key.
    public var key: String
}

/// The correlation journal of one router instance: a topic of the embedded ``LocalLog``, one per instance
/// (`ferry.correlations.<endpoint>.<instance>`), in the style of a compacted topic — an *open* record (key = the
/// correlation id, value = the ``JournaledCorrelation`` as JSON) once a request is forwarded, a *close* record (same
/// key, no value: a tombstone) once its caller is answered or timed out, and a *position* record (key
/// ``positionKey``, value = the first reply-topic offset not yet handled, as decimal text). A replay honours a close
/// wherever it stands (each id is opened once).
///
/// Writes go to a buffer; ``flush()`` appends the buffer as one batch, and the owner calls it every
/// `flushInterval` (the LocalLog's own fsync policy then decides when the batch reaches the disk). The router
/// acknowledges a request only once its open record is appended (``waitUntilAppended(_:poll:)``), so a crash loses
/// no acknowledged request's entry: a request whose record was lost is redelivered (decision 0014).
public final class CorrelationJournal: Sendable {
    /// The topic it writes.
    public let topic: String
    /// The key of position records.
    public static let positionKey = "~reply-position"
    private let log: LocalLog
    private let buffer = Mutex<[StreamRecord]>([])
    /// Records ever buffered and records ever appended to the log (`recordOpen` returns the former's new value).
    private let progress = Mutex<(buffered: UInt64, appended: UInt64)>((0, 0))

    /// The journal of `instance` of `endpoint` in `log`; the topic is created when missing.
    public init(log: LocalLog, endpoint: String, instance: String) throws(CorrelationJournalError) {
        self.log = log
        let safe = { (text: String) in String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }) }
        self.topic = "ferry.correlations.\(safe(endpoint)).\(safe(instance))"
        do throws(StreamLogError) {
            if try !log.topics().contains(where: { $0.name == topic }) { try log.createTopic(topic, partitions: 1) }
        } catch { throw .log(error) }
    }

    /// Notes that `entry` is waiting; returns the record's sequence number for ``waitUntilAppended(_:poll:)``.
    @discardableResult
    public func recordOpen(_ entry: JournaledCorrelation) -> UInt64 {
        let value = (try? JSONEncoder().encode(entry)).map { Array($0) } ?? []
        return append(StreamRecord(key: Array(entry.id.utf8), value: value, headers: [], timestamp: Self.nowMilliseconds))
    }

    /// Whether the record with sequence number `sequence` is in the log (a later ``flush()`` appended it).
    public func isAppended(_ sequence: UInt64) -> Bool { progress.withLock { $0.appended >= sequence } }

    /// Returns once the record with sequence number `sequence` is in the log, checking every `poll`. The router
    /// acknowledges a request only then, so a crash never loses the correlation of an acknowledged request.
    public func waitUntilAppended(_ sequence: UInt64, poll: Duration) async throws {
        while !isAppended(sequence) { try await Task.sleep(for: poll) }
    }

    /// Notes that `id` was answered or timed out.
    public func recordClose(_ id: String) {
        append(StreamRecord(key: Array(id.utf8), value: nil, headers: [], timestamp: Self.nowMilliseconds))
    }

    /// Notes that every reply before `offset` of the reply partition was handled (its close is recorded before).
    public func recordReplyPosition(_ offset: Int64) {
        append(StreamRecord(key: Array(Self.positionKey.utf8), value: Array(String(offset).utf8), headers: [], timestamp: Self.nowMilliseconds))
    }

    /// Records written but not yet appended to the log.
    public var buffered: Int { buffer.withLock { $0.count } }

    /// Appends what is buffered to the log as one batch.
    public func flush() throws(CorrelationJournalError) {
        // The batch and the sequence number of its last record, taken together (flush is called from one task at a
        // time: the router's flush loop, then its final flush).
        let (batch, through) = buffer.withLock { buffer in
            defer { buffer.removeAll(keepingCapacity: true) }
            return (buffer, progress.withLock { $0.buffered })
        }
        guard !batch.isEmpty else { return }
        do throws(StreamLogError) { _ = try log.append(batch, topic: topic, partition: 0) } catch {
            buffer.withLock { $0.insert(contentsOf: batch, at: 0) }  // kept, in order, for the next flush
            throw .log(error)
        }
        progress.withLock { $0.appended = max($0.appended, through) }
    }

    /// Closes the log without appending what is buffered (what a crash does to the buffer; call ``flush()``
    /// first for an orderly stop).
    public func close() throws(CorrelationJournalError) {
        do throws(StreamLogError) { try log.close() } catch { throw .log(error) }
    }

    /// What a replay found: the requests still open, in the order they were opened, and the last reply position.
    public struct Replay: Sendable, Equatable {
        /// Open entries (opened and never closed).
        public var open: [JournaledCorrelation]
        /// The reply-topic offset to resume at, when one was recorded.
        public var replyPosition: Int64?
    }

    /// Reads the whole topic and returns what is still open.
    public func replay() throws(CorrelationJournalError) -> Replay {
        var position: Int64?
        let open = try JournalReplay.openEntries(
            JournaledCorrelation.self, in: log, topic: topic, entryName: "journaled correlation", id: \.id
        ) { key, value in
            guard key == Self.positionKey else { return false }
            position = value.flatMap { Int64(String(decoding: $0, as: UTF8.self)) }
            return true
        }
        return Replay(open: open, replyPosition: position)
    }

    @discardableResult
    private func append(_ record: StreamRecord) -> UInt64 {
        buffer.withLock { buffer in
            buffer.append(record)
            return progress.withLock { progress in
                progress.buffered += 1
                return progress.buffered
            }
        }
    }

    static var nowMilliseconds: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

extension JournaledCorrelation {
    /// The journal form of a waiting request.
    public init(id: String, caller: RequestCaller, route: ResolvedRoute, deadline: ContinuousClock.Instant) {
        let remaining = ContinuousClock.now.duration(to: deadline)
        let remainingMilliseconds = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
        self.init(
            id: id, deadlineMilliseconds: CorrelationJournal.nowMilliseconds + remainingMilliseconds, route: route.rawValue,
            destination: caller.request.caller.destination, callerCorrelationID: caller.request.caller.correlationID,
            replyDescriptor: caller.request.caller.replyDescriptor?.bytes, messageType: caller.request.messageType,
            key: caller.request.key)
    }

    /// The deadline on this process's monotonic clock (in the past when it passed while the instance was down).
    public var deadline: ContinuousClock.Instant {
        .now + .milliseconds(deadlineMilliseconds - CorrelationJournal.nowMilliseconds)
    }

    /// The caller to answer, rebuilt (the original request body is not journaled: a recovered request that times
    /// out gets the error reply, never a fallback to the legacy service).
    public func caller() throws(CorrelationJournalError) -> RequestCaller {
        var descriptor: MQMD?
        if let bytes = replyDescriptor {
            do {
                descriptor = try bytes.withUnsafeBytes { raw throws(MQError) in
                    var reader = ByteReader(raw)
                    return try MQMD(parsing: &reader)
                }
            } catch {
                throw .unreadableRecord(topic: "", offset: -1, reason: "reply MQMD of \(id): \(error)")
            }
        }
        let address = CallerReplyAddress(destination: destination, correlationID: callerCorrelationID, replyDescriptor: descriptor)
        let request = InboundRequest(
            caller: address, messageType: messageType, key: key, message: QueueMessage(body: []), frame: nil)
        return RequestCaller(request: request, receivedAt: .now, isRecovered: true)
    }

    /// The route, as the enum.
    public var resolvedRoute: ResolvedRoute { ResolvedRoute(rawValue: route) ?? .legacy }
}
