import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded, durable stream log: Ferry's default when no Kafka is configured.
///
/// Layout of the directory:
/// ```
/// .lock                                   exclusive flock of the writing process (holds its PID)
/// topics/<topic>/partitions               the partition count, written once, atomically
/// topics/<topic>/<p>/<base offset>.log    segments: a header, then length + CRC-32C framed records
/// topics/<topic>/<p>/<base offset>.index  sparse offset index of a sealed segment
/// groups/<group>.offsets                  committed offsets of a consumer group ("topic partition offset" lines)
/// ```
/// On open, the last segment of each partition is scanned: a torn tail (a record cut short by a crash) is
/// cut off at the last whole record and its bytes saved beside the segment; a record whose CRC fails with valid
/// records after it is reported in ``recoveryNotes`` and reads fail on it rather than serve it.
public final class LocalLog: StreamLog {
    /// The configuration the log was opened with.
    public let configuration: LocalLogConfiguration
    /// What opening found and repaired: torn tails cut off, corrupt records. Empty on a clean open.
    public let recoveryNotes: [String]

    private let catalog: Mutex<Catalog>
    private let lockDescriptor: Int32?
    // A Dispatch timer source is thread-safe; it is only resumed once and cancelled once.
    nonisolated(unsafe) private let flusher: (any DispatchSourceTimer)?

    private struct Catalog: Sendable {
        var topics: [String: [PartitionLog]] = [:]
        var groups: [String: [GroupKey: Int64]] = [:]
        var closed = false
    }

    private struct GroupKey: Hashable, Sendable, Comparable {
        var topic: String
        var partition: Int
        static func < (a: GroupKey, b: GroupKey) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
    }

    private var topicsDirectory: String { configuration.directory + "/topics" }
    private var groupsDirectory: String { configuration.directory + "/groups" }

    /// Opens (creating when missing, read-write only) the log in `configuration.directory`.
    public init(_ configuration: LocalLogConfiguration) throws(StreamLogError) {
        try configuration.validate()
        self.configuration = configuration
        let directory = configuration.directory
        var lockFD: Int32?
        if configuration.access == .readWrite {
            try FileSystem.makeDirectories(directory)
            try FileSystem.makeDirectory(directory + "/topics")
            try FileSystem.makeDirectory(directory + "/groups")
            lockFD = try Self.acquireLock(directory)
        } else if !FileSystem.isDirectory(directory) {
            throw .io(operation: "open", path: directory, errno: ENOENT, message: "no such log directory")
        }
        var catalog = Catalog()
        var notes: [String] = []
        do throws(StreamLogError) {
            let topicsDirectory = directory + "/topics"
            let names = FileSystem.isDirectory(topicsDirectory) ? try FileSystem.list(topicsDirectory) : []
            for name in names {
                guard let count = try Self.readPartitionCount(topicsDirectory + "/" + name) else { continue }
                var partitions: [PartitionLog] = []
                for p in 0..<count {
                    let log = try PartitionLog(
                        topic: name, partition: p, directory: "\(topicsDirectory)/\(name)/\(p)",
                        configuration: configuration, create: configuration.access == .readWrite)
                    notes += log.notes
                    partitions.append(log)
                }
                catalog.topics[name] = partitions
            }
            catalog.groups = try Self.loadGroups(directory + "/groups")
        } catch {
            for partitions in catalog.topics.values { for p in partitions { try? p.close() } }
            if let lockFD { Glibc.close(lockFD) }
            throw error
        }
        self.catalog = Mutex(catalog)
        self.lockDescriptor = lockFD
        self.recoveryNotes = notes
        if configuration.access == .readWrite, case let .interval(interval) = configuration.fsync {
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ferry.locallog.flush"))
            let nanos = interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000
            timer.schedule(deadline: .now() + .nanoseconds(Int(nanos)), repeating: .nanoseconds(Int(nanos)))
            self.flusher = timer
            timer.setEventHandler { [weak self] in self?.flushDue() }
            timer.resume()
        } else {
            self.flusher = nil
        }
    }

    deinit {
        try? close()
    }

    private static func acquireLock(_ directory: String) throws(StreamLogError) -> Int32 {
        let path = directory + "/.lock"
        let fd = try FileDescriptor.open(path, O_RDWR | O_CREAT)
        if flock(fd.raw, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? FileSystem.readWhole(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            fd.close()
            let pid = holder.trimmedASCIIWhitespace
            throw .locked(directory: directory, holder: pid.isEmpty ? "another process" : "process \(pid)")
        }
        try fd.truncate(to: 0)
        let pid = Array("\(getpid())\n".utf8)
        try pid.withRawBytes { (raw) throws(StreamLogError) in try fd.write(raw, at: 0) }
        return fd.raw
    }

    private static func readPartitionCount(_ topicDirectory: String) throws(StreamLogError) -> Int? {
        let path = topicDirectory + "/partitions"
        guard FileSystem.exists(path) else { return nil }  // creation never completed
        let text = String(decoding: try FileSystem.readWhole(path), as: UTF8.self)
        guard let count = Int(text.trimmedASCIIWhitespace), count > 0 else {
            throw .corruptRecord(file: path, position: 0, detail: "partition count is not a positive integer")
        }
        return count
    }

    /// Closes every file and releases the directory lock, syncing unless the policy is `never`.
    /// Later calls do nothing.
    public func close() throws(StreamLogError) {
        let partitions = catalog.withLock { catalog -> [PartitionLog]? in
            guard !catalog.closed else { return nil }
            catalog.closed = true
            return catalog.topics.values.flatMap { $0 }
        }
        guard let partitions else { return }
        flusher?.cancel()
        var firstError: StreamLogError?
        for partition in partitions {
            do { try partition.close() } catch { firstError = firstError ?? error }
        }
        if let fd = lockDescriptor {
            _ = flock(fd, LOCK_UN)
            _ = Glibc.close(fd)
        }
        if let firstError { throw firstError }
    }

    /// fsyncs every partition now.
    public func flush() throws(StreamLogError) {
        for partition in allPartitions() { try partition.flush(force: true) }
    }

    private func flushDue() {
        for partition in allPartitions() { try? partition.flush(force: false) }
    }

    private func allPartitions() -> [PartitionLog] {
        catalog.withLock { $0.topics.values.flatMap { $0 } }
    }

    // MARK: Topics

    public func createTopic(_ topic: String, partitions: Int) throws(StreamLogError) {
        try TopicName.validate(topic)
        guard partitions >= 1 && partitions <= 10_000 else {
            throw .invalidConfiguration(field: "partitions", reason: "must be in 1...10000, not \(partitions)")
        }
        guard configuration.access == .readWrite else {
            throw .io(operation: "create topic", path: topicsDirectory, errno: EROFS, message: "log opened read-only")
        }
        try catalog.withLock { (catalog) throws(StreamLogError) in
            guard !catalog.closed else { throw .closed }
            if let existing = catalog.topics[topic] {
                guard existing.count == partitions else {
                    throw .partitionCountMismatch(topic: topic, existing: existing.count, requested: partitions)
                }
                return
            }
            let directory = "\(topicsDirectory)/\(topic)"
            try FileSystem.makeDirectory(directory)
            var logs: [PartitionLog] = []
            for p in 0..<partitions {
                logs.append(try PartitionLog(
                    topic: topic, partition: p, directory: "\(directory)/\(p)", configuration: configuration,
                    create: true))
            }
            // The count file is written last: a topic exists only once all its partitions do.
            try FileSystem.writeAtomically(
                Array("\(partitions)\n".utf8), to: directory + "/partitions", sync: configuration.fsync != .never)
            if configuration.fsync != .never { try FileSystem.syncDirectory(topicsDirectory) }
            catalog.topics[topic] = logs
        }
    }

    public func topics() throws(StreamLogError) -> [TopicDescription] {
        try refreshTopicsIfReadOnly()
        return catalog.withLock { catalog in
            catalog.topics.map { TopicDescription(name: $0.key, partitionCount: $0.value.count) }
                .sorted { $0.name < $1.name }
        }
    }

    /// Read-only views pick up topics a writer created after they opened.
    private func refreshTopicsIfReadOnly() throws(StreamLogError) {
        guard configuration.access == .readOnly, FileSystem.isDirectory(topicsDirectory) else { return }
        let known = catalog.withLock { Set($0.topics.keys) }
        for name in try FileSystem.list(topicsDirectory) where !known.contains(name) {
            guard let count = try Self.readPartitionCount("\(topicsDirectory)/\(name)") else { continue }
            var logs: [PartitionLog] = []
            for p in 0..<count {
                logs.append(try PartitionLog(
                    topic: name, partition: p, directory: "\(topicsDirectory)/\(name)/\(p)",
                    configuration: configuration, create: false))
            }
            catalog.withLock { $0.topics[name] = $0.topics[name] ?? logs }
        }
    }

    private func partitionLog(_ topic: String, _ partition: Int) throws(StreamLogError) -> PartitionLog {
        let found = catalog.withLock { catalog -> (logs: [PartitionLog]?, closed: Bool) in
            (catalog.topics[topic], catalog.closed)
        }
        if found.closed { throw .closed }
        var logs = found.logs
        if logs == nil {
            try refreshTopicsIfReadOnly()
            logs = catalog.withLock { $0.topics[topic] }
        }
        guard let logs else { throw .unknownTopic(topic) }
        guard partition >= 0 && partition < logs.count else {
            throw .unknownPartition(topic: topic, partition: partition, partitionCount: logs.count)
        }
        return logs[partition]
    }

    // MARK: Records

    public func append(_ records: [StreamRecord], topic: String, partition: Int) throws(StreamLogError) -> AppendResult {
        guard configuration.access == .readWrite else {
            throw .io(operation: "append", path: topicsDirectory, errno: EROFS, message: "log opened read-only")
        }
        return try partitionLog(topic, partition).append(records)
    }

    public func read(topic: String, partition: Int, from offset: Int64, maxRecords: Int, maxBytes: Int) throws
        -> [StoredRecord]
    {
        var records: [StoredRecord] = []
        let limit = max(1, maxRecords)
        try partitionLog(topic, partition).scan(from: offset, maxBytes: maxBytes) { view in
            records.append(StoredRecord(topic: topic, partition: partition, offset: view.offset, record: view.materialize()))
            return records.count < limit
        }
        return records
    }

    /// Hands each record of a partition from `offset` to `body` in place, without copying it (the view is valid
    /// only during the call), until `body` returns false, about `maxBytes` were read, or the end is reached.
    /// Returns the offset after the last record handed over. The fastest way to read.
    @discardableResult
    public func scan(
        topic: String, partition: Int, from offset: Int64, maxBytes: Int = .max,
        _ body: (LogRecordView) throws -> Bool
    ) throws -> Int64 {
        try partitionLog(topic, partition).scan(from: offset, maxBytes: maxBytes, body)
    }

    public func offsets(topic: String, partition: Int) throws(StreamLogError) -> PartitionOffsets {
        try partitionLog(topic, partition).offsets()
    }

    // MARK: Consumer groups

    public func commit(group: String, topic: String, partition: Int, offset: Int64) throws(StreamLogError) {
        guard !group.isEmpty else { throw .invalidConfiguration(field: "group", reason: "must not be empty") }
        guard configuration.access == .readWrite else {
            throw .io(operation: "commit", path: groupsDirectory, errno: EROFS, message: "log opened read-only")
        }
        let bounds = try partitionLog(topic, partition).offsets()
        guard offset >= 0 && offset <= bounds.next else {
            throw .offsetOutOfRange(
                topic: topic, partition: partition, requested: offset, earliest: bounds.earliest, next: bounds.next)
        }
        try catalog.withLock { (catalog) throws(StreamLogError) in
            var offsets = catalog.groups[group] ?? [:]
            offsets[GroupKey(topic: topic, partition: partition)] = offset
            var text = ""
            for (key, value) in offsets.sorted(by: { $0.key < $1.key }) { text += "\(key.topic) \(key.partition) \(value)\n" }
            try FileSystem.writeAtomically(
                Array(text.utf8), to: "\(groupsDirectory)/\(Self.fileName(forGroup: group)).offsets",
                sync: configuration.fsync != .never)
            catalog.groups[group] = offsets
        }
    }

    public func committedOffset(group: String, topic: String, partition: Int) throws(StreamLogError) -> Int64? {
        if configuration.access == .readOnly {
            let path = "\(groupsDirectory)/\(Self.fileName(forGroup: group)).offsets"
            guard FileSystem.exists(path) else { return nil }
            return try Self.parseGroupFile(path)[GroupKey(topic: topic, partition: partition)]
        }
        return catalog.withLock { $0.groups[group]?[GroupKey(topic: topic, partition: partition)] }
    }

    /// Group names may hold any character; file names keep `[A-Za-z0-9._-]` and percent-encode the rest.
    static func fileName(forGroup group: String) -> String {
        var out = ""
        for byte in group.utf8 {
            let plain = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F || (byte == 0x2E && !out.isEmpty)
            if plain {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }

    static func groupName(fromFileName name: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(name.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == 0x25 {
                guard let h = iterator.next(), let l = iterator.next(),
                    let value = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func loadGroups(_ directory: String) throws(StreamLogError) -> [String: [GroupKey: Int64]] {
        guard FileSystem.isDirectory(directory) else { return [:] }
        var groups: [String: [GroupKey: Int64]] = [:]
        for file in try FileSystem.list(directory) where file.hasSuffix(".offsets") {
            guard let group = groupName(fromFileName: String(file.dropLast(".offsets".count))) else { continue }
            groups[group] = try parseGroupFile("\(directory)/\(file)")
        }
        return groups
    }

    private static func parseGroupFile(_ path: String) throws(StreamLogError) -> [GroupKey: Int64] {
        var offsets: [GroupKey: Int64] = [:]
        let bytes = try FileSystem.readWhole(path)
        var lineStart = 0
        var number = 0
        while lineStart < bytes.count {
            let end = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            number += 1
            let fields = String(decoding: bytes[lineStart..<end], as: UTF8.self).split(separator: " ")
            guard fields.count == 3, let partition = Int(fields[1]), let offset = Int64(fields[2]) else {
                throw .corruptRecord(
                    file: path, position: Int64(lineStart), detail: "line \(number) is not 'topic partition offset'")
            }
            offsets[GroupKey(topic: String(fields[0]), partition: partition)] = offset
            lineStart = end + 1
        }
        return offsets
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    var trimmedASCIIWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
