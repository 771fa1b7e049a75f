import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One partition of a LocalLog topic: an ordered list of segment files, the last one active.
///
/// All state sits in a `Mutex`. Appends do their file I/O under it: a partition has exactly one writer and
/// the write is the serialisation point that gives records their offsets. Reads take a snapshot under the
/// lock and read files outside it (segments are append-only and retention only removes whole files).
final class PartitionLog: Sendable {
    let topic: String
    let partition: Int
    let directory: String
    let configuration: LocalLogConfiguration
    let maxFrameSize: Int
    private let state: Mutex<State>

    struct State: Sendable {
        var segments: [LogSegment] = []
        var active: FileDescriptor?
        var sinceIndex: Int = 0
        var lastSync: ContinuousClock.Instant = .now
        var unsynced = false
        var closed = false
        /// Read-only views: how far the last segment has been scanned.
        var scannedTo: Int64 = 0
    }

    /// Notes about what opening found and repaired.
    let notes: [String]

    init(topic: String, partition: Int, directory: String, configuration: LocalLogConfiguration, create: Bool)
        throws(StreamLogError)
    {
        self.topic = topic
        self.partition = partition
        self.directory = directory
        self.configuration = configuration
        self.maxFrameSize = configuration.maxRecordBytes + LogRecordFrame.prefixSize + LogRecordFrame.minimumBodySize
            + 64 * 1024
        var state = State()
        var notes: [String] = []
        let writable = configuration.access == .readWrite
        if create { try FileSystem.makeDirectory(directory) }
        let bases = try FileSystem.list(directory).compactMap(LogSegment.parseBaseOffset(fileName:)).sorted()
        for (i, base) in bases.enumerated() {
            let name = LogSegment.fileName(baseOffset: base)
            let next = i + 1 < bases.count ? bases[i + 1] : base
            state.segments.append(LogSegment(
                baseOffset: base, logPath: "\(directory)/\(name).log", indexPath: "\(directory)/\(name).index",
                size: FileSystem.fileSize("\(directory)/\(name).log") ?? 0, nextOffset: next, index: []))
        }
        if state.segments.isEmpty {
            guard writable else {
                self.state = Mutex(state)
                self.notes = []
                return
            }
            state.segments.append(try Self.createSegment(in: directory, baseOffset: 0, sync: configuration.fsync != .never))
        }
        // Sealed segments: load their index, or rebuild it by scanning.
        var reader = SegmentReader(maxFrameSize: maxFrameSize)
        for i in 0..<(state.segments.count - 1) {
            let segment = state.segments[i]
            if let bytes = try? FileSystem.readWhole(segment.indexPath),
                let index = LogSegment.decodeIndex(bytes, segmentSize: segment.size)
            {
                state.segments[i].index = index
                continue
            }
            let fd = try FileDescriptor.open(segment.logPath, O_RDONLY)
            defer { fd.close() }
            try Self.checkHeader(fd, path: segment.logPath)
            let scan = try reader.scan(
                fd, baseOffset: segment.baseOffset, from: Int64(LogSegment.headerSize),
                expectedOffset: segment.baseOffset, fileSize: segment.size,
                indexIntervalBytes: configuration.indexIntervalBytes, index: [])
            state.segments[i].index = scan.index
            state.segments[i].corrupt = scan.corrupt
            for (position, detail) in scan.corrupt.sorted(by: { $0.key < $1.key }) {
                notes.append("\(topic)/\(partition): corrupt record in \(segment.logPath) at byte \(position): \(detail)")
            }
            if writable { try? FileSystem.writeAtomically(segment.encodedIndex(scan.index), to: segment.indexPath, sync: false) }
        }
        // The active segment: scan it whole, repair a torn tail.
        let last = state.segments.count - 1
        let active = state.segments[last]
        let fd = try FileDescriptor.open(active.logPath, writable ? O_RDWR : O_RDONLY)
        do {
            let fileSize = try fd.size()
            if fileSize < Int64(LogSegment.headerSize) && writable {
                // A crash between creating the file and writing its header.
                try fd.truncate(to: 0)
                try LogSegment.magic.withRawBytes { (raw) throws(StreamLogError) in try fd.write(raw, at: 0) }
                try fd.sync()
            } else {
                try Self.checkHeader(fd, path: active.logPath)
            }
            let size = max(try fd.size(), Int64(LogSegment.headerSize))
            let scan = try reader.scan(
                fd, baseOffset: active.baseOffset, from: Int64(LogSegment.headerSize),
                expectedOffset: active.baseOffset, fileSize: size,
                indexIntervalBytes: configuration.indexIntervalBytes, index: [])
            for (position, detail) in scan.corrupt.sorted(by: { $0.key < $1.key }) {
                notes.append("\(topic)/\(partition): corrupt record in \(active.logPath) at byte \(position): \(detail)")
            }
            if scan.tornBytes > 0, writable {
                let saved = "\(active.logPath).torn-\(scan.end)"
                try Self.saveBytes(fd, from: scan.end, count: scan.tornBytes, to: saved)
                try fd.truncate(to: scan.end)
                try fd.sync()
                notes.append(
                    "\(topic)/\(partition): truncated a torn tail of \(scan.tornBytes) bytes at byte \(scan.end) of "
                        + "\(active.logPath) (\(scan.tornDetail ?? "incomplete")); the bytes were saved to \(saved)")
            }
            state.segments[last].size = scan.end
            state.segments[last].nextOffset = scan.nextOffset
            state.segments[last].index = scan.index
            state.segments[last].corrupt = scan.corrupt
            state.sinceIndex = scan.index.last.map { Int(scan.end - Int64($0.position)) } ?? configuration.indexIntervalBytes
            state.scannedTo = scan.end
        } catch {
            fd.close()
            throw error
        }
        if writable { state.active = fd } else { fd.close() }
        self.state = Mutex(state)
        self.notes = notes
        if writable { try enforceRetention() }
    }

    static func checkHeader(_ fd: FileDescriptor, path: String) throws(StreamLogError) {
        var header = [UInt8](repeating: 0, count: LogSegment.headerSize)
        let n = try header.withMutableRawBytes { (raw) throws(StreamLogError) in try fd.read(into: raw, at: 0) }
        guard n == LogSegment.headerSize, header == LogSegment.magic else {
            throw .corruptRecord(file: path, position: 0, detail: "not a Ferry log segment (bad header)")
        }
    }

    static func saveBytes(_ fd: FileDescriptor, from position: Int64, count: Int64, to path: String) throws(StreamLogError) {
        var bytes = [UInt8](repeating: 0, count: Int(count))
        let n = try bytes.withMutableRawBytes { (raw) throws(StreamLogError) in try fd.read(into: raw, at: position) }
        try FileSystem.writeAtomically(Array(bytes.prefix(n)), to: path, sync: true)
    }

    static func createSegment(in directory: String, baseOffset: Int64, sync: Bool) throws(StreamLogError) -> LogSegment {
        let name = LogSegment.fileName(baseOffset: baseOffset)
        let path = "\(directory)/\(name).log"
        let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC)
        defer { fd.close() }
        try LogSegment.magic.withRawBytes { (raw) throws(StreamLogError) in try fd.write(raw, at: 0) }
        if sync {
            try fd.sync()
            try FileSystem.syncDirectory(directory)
        }
        return LogSegment(
            baseOffset: baseOffset, logPath: path, indexPath: "\(directory)/\(name).index",
            size: Int64(LogSegment.headerSize), nextOffset: baseOffset, index: [])
    }

    // MARK: Appending

    func append(_ records: [StreamRecord]) throws(StreamLogError) -> AppendResult {
        for record in records {
            let size = LogRecordFrame.payloadSize(of: record)
            if size > configuration.maxRecordBytes {
                throw .recordTooLarge(size: size, maximum: configuration.maxRecordBytes)
            }
            for header in record.headers where header.name.utf8.count > Int(UInt16.max) {
                throw .recordTooLarge(size: header.name.utf8.count, maximum: Int(UInt16.max))
            }
        }
        let (result, rolled) = try state.withLock { (state) throws(StreamLogError) -> (AppendResult, Bool) in
            guard !state.closed, let fd = state.active else { throw .closed }
            var last = state.segments.count - 1
            let base = state.segments[last].nextOffset
            guard !records.isEmpty else { return (AppendResult(partition: partition, baseOffset: base, count: 0), false) }
            let (bytes, positions) = LogRecordFrame.encodeBatch(records, baseOffset: base)
            var rolled = false
            var target = fd
            if state.segments[last].size > Int64(LogSegment.headerSize),
                state.segments[last].size + Int64(bytes.count) > Int64(configuration.segmentBytes)
            {
                target = try roll(&state)
                last = state.segments.count - 1
                rolled = true
            }
            let start = state.segments[last].size
            do throws(StreamLogError) {
                try bytes.withRawBytes { (raw) throws(StreamLogError) in try target.write(raw, at: start) }
            } catch {
                try? target.truncate(to: start)  // never leave a partial batch behind
                throw error
            }
            for (i, position) in positions.enumerated() {
                if state.sinceIndex >= configuration.indexIntervalBytes {
                    state.segments[last].index.append(.init(
                        relativeOffset: UInt32(truncatingIfNeeded: base + Int64(i) - state.segments[last].baseOffset),
                        position: UInt32(truncatingIfNeeded: start + Int64(position))))
                    state.sinceIndex = 0
                }
                let end = i + 1 < positions.count ? positions[i + 1] : bytes.count
                state.sinceIndex += end - position
            }
            state.segments[last].size = start + Int64(bytes.count)
            state.segments[last].nextOffset = base + Int64(records.count)
            state.unsynced = true
            switch configuration.fsync {
            case .always:
                try target.sync()
                state.unsynced = false
                state.lastSync = .now
            case let .interval(interval):
                let now = ContinuousClock.now
                if now - state.lastSync >= interval {
                    try target.sync()
                    state.unsynced = false
                    state.lastSync = now
                }
            case .never:
                break
            }
            return (AppendResult(partition: partition, baseOffset: base, count: records.count), rolled)
        }
        if rolled { try enforceRetention() }
        return result
    }

    /// Seals the active segment (index written, data synced) and starts a new one at the next offset.
    private func roll(_ state: inout State) throws(StreamLogError) -> FileDescriptor {
        let last = state.segments.count - 1
        let sealed = state.segments[last]
        let sync = configuration.fsync != .never
        if let fd = state.active {
            if sync { try fd.sync() }
            fd.close()
            state.active = nil
        }
        try FileSystem.writeAtomically(sealed.encodedIndex(), to: sealed.indexPath, sync: sync)
        var segment = try Self.createSegment(in: directory, baseOffset: sealed.nextOffset, sync: sync)
        segment.nextOffset = sealed.nextOffset
        state.segments.append(segment)
        let fd = try FileDescriptor.open(segment.logPath, O_RDWR)
        state.active = fd
        state.sinceIndex = configuration.indexIntervalBytes
        state.unsynced = false
        state.lastSync = .now
        return fd
    }

    /// Deletes the oldest sealed segments beyond the size limit or older than the age limit.
    func enforceRetention(now: Int64 = PartitionLog.wallClockMilliseconds()) throws(StreamLogError) {
        try state.withLock { (state) throws(StreamLogError) in
            guard configuration.access == .readWrite else { return }
            var total = state.segments.reduce(Int64(0)) { $0 + $1.size }
            let maxAge = configuration.retentionAge.map { d in
                d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
            }
            while state.segments.count > 1 {
                let oldest = state.segments[0]
                let tooBig = configuration.retentionBytes.map { total > $0 } ?? false
                let tooOld = maxAge.map { age in
                    (FileSystem.modificationTime(oldest.logPath) ?? now) < now - age
                } ?? false
                guard tooBig || tooOld else { break }
                try FileSystem.remove(oldest.logPath)
                try FileSystem.remove(oldest.indexPath)
                total -= oldest.size
                state.segments.removeFirst()
            }
        }
    }

    static func wallClockMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// fsyncs the active segment if the interval policy says it is due (or `force`).
    func flush(force: Bool) throws(StreamLogError) {
        try state.withLock { (state) throws(StreamLogError) in
            guard let fd = state.active, state.unsynced else { return }
            if !force, case let .interval(interval) = configuration.fsync, ContinuousClock.now - state.lastSync < interval {
                return
            }
            if !force, configuration.fsync == .never { return }
            try fd.sync()
            state.unsynced = false
            state.lastSync = .now
        }
    }

    func close() throws(StreamLogError) {
        try state.withLock { (state) throws(StreamLogError) in
            guard !state.closed else { return }
            state.closed = true
            if let fd = state.active {
                defer { fd.close() }
                if state.unsynced && configuration.fsync != .never { try fd.sync() }
                state.active = nil
            }
        }
    }

    // MARK: Reading

    /// Brings a read-only view up to date with what the writer has added since the last look.
    private func refresh(_ state: inout State) throws(StreamLogError) {
        guard configuration.access == .readOnly else { return }
        let bases = try FileSystem.list(directory).compactMap(LogSegment.parseBaseOffset(fileName:)).sorted()
        guard let lastBase = bases.last else { state.segments = []; return }
        state.segments.removeAll { !bases.contains($0.baseOffset) }
        for base in bases where !state.segments.contains(where: { $0.baseOffset == base }) {
            let name = LogSegment.fileName(baseOffset: base)
            let segment = LogSegment(
                baseOffset: base, logPath: "\(directory)/\(name).log", indexPath: "\(directory)/\(name).index",
                size: Int64(LogSegment.headerSize), nextOffset: base, index: [])
            if let i = state.segments.lastIndex(where: { $0.baseOffset < base }) {
                // The previous last segment was sealed: count what it holds (up to the new base).
                state.segments[i].nextOffset = base
                state.segments[i].size = FileSystem.fileSize(state.segments[i].logPath) ?? state.segments[i].size
                state.segments.insert(segment, at: i + 1)
                if state.segments.last?.baseOffset == base { state.scannedTo = Int64(LogSegment.headerSize) }
            } else {
                state.segments.insert(segment, at: 0)
            }
        }
        // Scan the growing last segment forward from where the last look stopped.
        let last = state.segments.count - 1
        guard state.segments[last].baseOffset == lastBase,
            let size = FileSystem.fileSize(state.segments[last].logPath), size > state.scannedTo
        else { return }
        let fd = try FileDescriptor.open(state.segments[last].logPath, O_RDONLY)
        defer { fd.close() }
        var reader = SegmentReader(maxFrameSize: maxFrameSize)
        let from = max(state.scannedTo, Int64(LogSegment.headerSize))
        let scan = try reader.scan(
            fd, baseOffset: state.segments[last].baseOffset, from: from,
            expectedOffset: state.segments[last].nextOffset, fileSize: size,
            indexIntervalBytes: configuration.indexIntervalBytes, index: state.segments[last].index)
        state.segments[last].index = scan.index
        state.segments[last].size = scan.end
        state.segments[last].nextOffset = scan.nextOffset
        state.segments[last].corrupt.merge(scan.corrupt) { a, _ in a }
        state.scannedTo = scan.end
    }

    func offsets() throws(StreamLogError) -> PartitionOffsets {
        try state.withLock { (state) throws(StreamLogError) in
            try refresh(&state)
            guard let first = state.segments.first, let last = state.segments.last else {
                return PartitionOffsets(earliest: 0, next: 0)
            }
            return PartitionOffsets(earliest: first.baseOffset, next: last.nextOffset)
        }
    }

    /// Hands each record from `offset` to `body` (in place, no copies) until `body` returns false, `maxBytes`
    /// of frames have been read (at least one record is always handed over), or the end is reached.
    /// Returns the offset after the last record handed over.
    @discardableResult
    func scan(from offset: Int64, maxBytes: Int, _ body: (LogRecordView) throws -> Bool) throws -> Int64 {
        let snapshot = try state.withLock { (state) throws(StreamLogError) in
            try refresh(&state)
            return state.segments
        }
        let earliest = snapshot.first?.baseOffset ?? 0
        let next = snapshot.last?.nextOffset ?? 0
        guard offset >= earliest, offset <= next else {
            throw StreamLogError.offsetOutOfRange(
                topic: topic, partition: partition, requested: offset, earliest: earliest, next: next)
        }
        guard offset < next else { return offset }
        var first = snapshot.lastIndex { $0.baseOffset <= offset } ?? 0
        var reader = SegmentReader(maxFrameSize: maxFrameSize)
        var position = offset
        var bytesRead = 0
        var stopped = false
        while first < snapshot.count && !stopped {
            let segment = snapshot[first]
            guard segment.nextOffset > position else { first += 1; continue }
            let fd = try FileDescriptor.open(segment.logPath, O_RDONLY)
            defer { fd.close() }
            var from = segment.startPosition(for: position)
            var expected: Int64 = -1  // the offset of the next frame, once one has been seen
            while true {
                var failure: (any Error)?
                var skipTo: Int64?
                _ = try reader.walk(fd, from: from, to: segment.size) { (at, inspection) throws(StreamLogError) in
                    switch inspection {
                    case let .record(view, frameSize):
                        expected = view.offset + 1
                        guard view.offset >= position else { return true }
                        if bytesRead > 0 && bytesRead + frameSize > maxBytes { stopped = true; return false }
                        bytesRead += frameSize
                        position = view.offset + 1
                        do {
                            if try !body(view) { stopped = true; return false }
                        } catch {
                            failure = error
                            return false
                        }
                        return true
                    case .incomplete:
                        return false  // a read-only reader racing the writer: stop at the last whole frame
                    case let .corrupt(_, detail):
                        // A damaged frame found on open, lying before the wanted offset, is stepped over;
                        // one that would be served is an error, never a silent gap.
                        if segment.corrupt[at] != nil, expected >= 0, expected < position,
                            let size = Self.frameLength(fd, at: at)
                        {
                            skipTo = at + Int64(size)
                            return false
                        }
                        let which = expected >= 0 ? "offset \(expected)" : "at or before offset \(position)"
                        failure = StreamLogError.corruptRecord(
                            file: segment.logPath, position: at, detail: "\(which): \(detail)")
                        return false
                    }
                }
                if let failure { throw failure }
                guard let skipTo else { break }
                expected += 1
                from = skipTo
            }
            if stopped || position < segment.nextOffset { break }
            first += 1
        }
        return position
    }

    static func frameLength(_ fd: FileDescriptor, at position: Int64) -> Int? {
        var raw: UInt32 = 0
        let n = try? withUnsafeMutableBytes(of: &raw) { (buffer) throws(StreamLogError) in
            try fd.read(into: buffer, at: position)
        }
        guard n == 4 else { return nil }
        return Int(UInt32(bigEndian: raw)) + 4
    }
}

extension LogSegment {
    func encodedIndex(_ entries: [IndexEntry]) -> [UInt8] {
        var copy = self
        copy.index = entries
        return copy.encodedIndex()
    }
}
