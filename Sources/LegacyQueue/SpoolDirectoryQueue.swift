#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Settings of a ``SpoolDirectoryQueue``.
public struct SpoolConfiguration: Sendable, Equatable {
    /// How many times a rejected message is delivered again before the next rejection dead-letters it.
    /// Default: 5 (so at most 6 deliveries).
    public var maxRetries: Int
    /// How often `receive` looks at an empty queue again. Default: 20 ms.
    public var pollInterval: Duration
    /// Force message files and the directory to disk before `send` returns. Default: `true`.
    public var syncsToDisk: Bool
    /// The largest message file read back; bigger files are dead-lettered as damaged. Default: 64 MiB.
    public var maxMessageBytes: Int

    /// Settings; each parameter defaults to the value documented on its property.
    public init(
        maxRetries: Int = 5, pollInterval: Duration = .milliseconds(20), syncsToDisk: Bool = true,
        maxMessageBytes: Int = 64 << 20
    ) {
        self.maxRetries = maxRetries
        self.pollInterval = pollInterval
        self.syncsToDisk = syncsToDisk
        self.maxMessageBytes = maxMessageBytes
    }
}

/// Why a spool operation failed. Cases name the path involved.
public enum SpoolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A queue name that is empty, `.`/`..`, or holds a `/`.
    case invalidQueueName(String)
    /// A system call failed.
    case io(operation: String, path: String, reason: String)
    /// The message is no longer in flight: acknowledged or rejected already, or recovered after its process ended.
    case notInFlight(path: String)
    /// A message file that is not in the spool format (kept in `dead/`).
    case damaged(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidQueueName(name): "invalid spool queue name '\(name)' (empty, '.', '..' or containing '/')"
        case let .io(operation, path, reason): "\(operation) \(path): \(reason)"
        case let .notInFlight(path): "\(path) is no longer in flight (acknowledged, rejected or recovered already)"
        case let .damaged(path, reason): "damaged spool message \(path): \(reason)"
        }
    }
}

/// An embedded queue in a directory: one sub-directory per queue, one file per message, crash-safe
/// through atomic renames, shared safely by several processes.
///
/// Layout of queue `NAME` under the root directory:
/// ```
/// NAME/.sequence   8-byte counter, locked with flock while a sender reserves numbers
/// NAME/tmp/        files being written: <sequence>.<pid>.tmp
/// NAME/new/        waiting messages: <sequence:20 digits>.<retries>
/// NAME/cur/        claimed (in flight): <sequence>.<retries>.<pid>-<token of the claiming process>
/// NAME/dead/       dead letters: <sequence>.<retries>, with ferry-dead-letter-reason inside
/// ```
/// Sending writes `tmp/`, fsyncs, renames into `new/` and fsyncs the directory. Receiving renames the
/// oldest file of `new/` into `cur/` (the atomic claim: of two processes only one rename succeeds).
/// Acknowledging deletes the file; rejecting renames it back into `new/` with the retry count raised, or
/// rewrites it into `dead/` with the reason once the retries are used up. When a queue is first used,
/// files in `cur/` whose process no longer runs are recovered into `new/`, counted as one retry.
public final class SpoolDirectoryQueue: LegacyQueue {
    /// The directory holding one sub-directory per queue.
    public let root: String
    /// The settings.
    public let configuration: SpoolConfiguration
    private let state = Mutex(State())
    private let processID = getpid()
    /// Names this process's claims apart from those of an earlier process that had the same id.
    private static let processToken = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    private var claimSuffix: String { "\(processID)-\(Self.processToken)" }

    private struct State {
        /// Queues set up (and recovered) by this instance.
        var openedQueues: Set<String> = []
        /// Names seen in `new/` at the last scan, oldest first, per queue; claimed front to back.
        var candidates: [String: ArraySlice<String>] = [:]
    }

    /// A spool rooted at `root` (created when missing).
    public init(root: String, configuration: SpoolConfiguration = SpoolConfiguration()) throws(SpoolError) {
        self.root = root
        self.configuration = configuration
        try Self.makeDirectory(root)
    }

    // MARK: LegacyQueue

    public func send(_ message: QueueMessage, to destination: String) async throws {
        try sendNow([message], to: destination)
    }

    public func send(_ messages: [QueueMessage], to destination: String) async throws {
        try sendNow(messages, to: destination)
    }

    /// Writes `messages` into `new/` of queue `destination` (synchronously).
    public func sendNow(_ messages: [QueueMessage], to destination: String) throws(SpoolError) {
        guard !messages.isEmpty else { return }
        let queue = try open(destination)
        let first = try reserveSequence(count: UInt64(messages.count), in: queue)
        let now = Self.nowMilliseconds()
        for (index, message) in messages.enumerated() {
            let sequence = first + UInt64(index)
            let bytes = SpoolFile.encode(message, timestamp: now)
            try writeAtomically(bytes, name: Self.name(sequence: sequence, retries: 0), into: "\(queue)/new", queue: queue)
        }
        if configuration.syncsToDisk { try Self.syncDirectory("\(queue)/new") }
    }

    public func receive(from destination: String, timeout: Duration) async throws -> ReceivedMessage? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let message = try receiveNow(from: destination) { return message }
            let left = deadline - .now
            guard left > .zero else { return nil }
            try await Task.sleep(for: min(left, configuration.pollInterval))
        }
    }

    /// Claims the oldest waiting message of `destination`, if any, without waiting.
    public func receiveNow(from destination: String) throws(SpoolError) -> ReceivedMessage? {
        let queue = try open(destination)
        var rescanned = false
        while true {
            let next: String? = state.withLock { state in
                guard var list = state.candidates[destination], let first = list.first else { return nil }
                list.removeFirst()
                state.candidates[destination] = list
                return first
            }
            guard let name = next else {
                if rescanned { return nil }
                let names = try Self.list("\(queue)/new").filter { Self.parse(name: $0) != nil }.sorted()
                state.withLock { $0.candidates[destination] = names[...] }
                rescanned = true
                continue
            }
            guard let parsed = Self.parse(name: name) else { continue }
            let claimed = "\(queue)/cur/\(name).\(claimSuffix)"
            guard rename("\(queue)/new/\(name)", claimed) == 0 else {
                if errno == ENOENT { continue }  // another consumer claimed it first
                throw .io(operation: "rename", path: "\(queue)/new/\(name)", reason: Self.errnoText())
            }
            do throws(SpoolError) {
                let bytes = try Self.read(claimed, maximum: configuration.maxMessageBytes)
                let decoded = try SpoolFile.decode(bytes, path: claimed)
                return ReceivedMessage(
                    message: decoded.message, messageID: String(parsed.sequence), destination: destination,
                    expiresAtMilliseconds: decoded.expires, timestampMilliseconds: decoded.timestamp,
                    isRedelivered: parsed.retries > 0, retryCount: parsed.retries,
                    deliveryToken: DeliveryToken(value: claimed))
            } catch {
                // Unreadable: keep the bytes in dead/ and go on with the next message.
                if rename(claimed, "\(queue)/dead/\(name)") != 0 { throw error }
                continue
            }
        }
    }

    public func acknowledge(_ message: ReceivedMessage) async throws {
        try acknowledgeNow(message)
    }

    /// Deletes the claimed file of `message`.
    public func acknowledgeNow(_ message: ReceivedMessage) throws(SpoolError) {
        let path = message.deliveryToken.value
        guard unlink(path) == 0 else {
            if errno == ENOENT { throw .notInFlight(path: path) }
            throw .io(operation: "unlink", path: path, reason: Self.errnoText())
        }
    }

    public func reject(_ message: ReceivedMessage, reason: String) async throws {
        try rejectNow(message, reason: reason)
    }

    /// Puts `message` back into `new/` with one more retry, or into `dead/` with `reason` after the last retry.
    public func rejectNow(_ message: ReceivedMessage, reason: String) throws(SpoolError) {
        let queue = try open(message.destination)
        let path = message.deliveryToken.value
        guard let parsed = Self.parse(name: String(path.split(separator: "/").last ?? "")) else {
            throw .notInFlight(path: path)
        }
        try moveBack(path, sequence: parsed.sequence, retries: parsed.retries, queue: queue, reason: reason)
    }

    public func browse(_ destination: String, limit: Int) async throws -> [ReceivedMessage] {
        try browseNow(destination, limit: limit, dead: false)
    }

    /// Up to `limit` messages of `new/` (or of `dead/`), oldest first, without claiming them.
    public func browseNow(_ destination: String, limit: Int, dead: Bool = false) throws(SpoolError) -> [ReceivedMessage] {
        let queue = try open(destination)
        let folder = "\(queue)/\(dead ? "dead" : "new")"
        var result: [ReceivedMessage] = []
        for name in try Self.list(folder).sorted() where result.count < limit {
            guard let parsed = Self.parse(name: name) else { continue }
            let path = "\(folder)/\(name)"
            guard let bytes = try Self.readIfPresent(path, maximum: configuration.maxMessageBytes) else {
                continue  // claimed by a consumer meanwhile
            }
            let decoded = try SpoolFile.decode(bytes, path: path)
            result.append(
                ReceivedMessage(
                    message: decoded.message, messageID: String(parsed.sequence), destination: destination,
                    expiresAtMilliseconds: decoded.expires, timestampMilliseconds: decoded.timestamp,
                    isRedelivered: parsed.retries > 0, retryCount: parsed.retries,
                    deliveryToken: DeliveryToken(value: path)))
        }
        return result
    }

    /// Nothing to release: claimed files stay in `cur/` until acknowledged or rejected, and are recovered
    /// by the next process that opens the queue once this one has ended.
    public func close() async throws {}

    /// Counts of the files in `new/`, `cur/` and `dead/` of `destination`.
    public func depth(of destination: String) throws(SpoolError) -> (waiting: Int, inFlight: Int, dead: Int) {
        let queue = try open(destination)
        return (
            try Self.list("\(queue)/new").count, try Self.list("\(queue)/cur").count,
            try Self.list("\(queue)/dead").count
        )
    }

    // MARK: Queue directories

    /// The directory of queue `name`, created and recovered on first use by this instance.
    private func open(_ name: String) throws(SpoolError) -> String {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else { throw .invalidQueueName(name) }
        let queue = "\(root)/\(name)"
        if state.withLock({ $0.openedQueues.contains(name) }) { return queue }
        for folder in ["", "/tmp", "/new", "/cur", "/dead"] { try Self.makeDirectory(queue + folder) }
        try recover(queue)
        state.withLock { _ = $0.openedQueues.insert(name) }
        return queue
    }

    /// Moves files of ended processes from `cur/` back to `new/` (one retry used), removes their `tmp/` files.
    private func recover(_ queue: String) throws(SpoolError) {
        for name in try Self.list("\(queue)/cur") {
            let parts = name.split(separator: ".")
            let owner = parts.count == 3 ? parts[2].split(separator: "-", maxSplits: 1) : []
            guard owner.count == 2, let pid = Int32(owner[0]), let parsed = Self.parse(name: "\(parts[0]).\(parts[1])")
            else { continue }
            // Stale: its process ended, or this process id belonged to an earlier process (another token).
            let stale = pid == processID ? owner[1] != Self.processToken : !Self.isRunning(pid)
            guard stale else { continue }
            try moveBack(
                "\(queue)/cur/\(name)", sequence: parsed.sequence, retries: parsed.retries, queue: queue,
                reason: "the consuming process \(pid) ended without acknowledging")
        }
        for name in try Self.list("\(queue)/tmp") {
            let parts = name.split(separator: ".")
            guard parts.count == 3, let pid = Int32(parts[1]), pid != processID, !Self.isRunning(pid) else { continue }
            unlink("\(queue)/tmp/\(name)")
        }
    }

    private func moveBack(_ path: String, sequence: UInt64, retries: Int, queue: String, reason: String)
        throws(SpoolError)
    {
        let next = retries + 1
        if next <= configuration.maxRetries {
            guard rename(path, "\(queue)/new/\(Self.name(sequence: sequence, retries: next))") == 0 else {
                if errno == ENOENT { throw .notInFlight(path: path) }
                throw .io(operation: "rename", path: path, reason: Self.errnoText())
            }
            return
        }
        let name = Self.name(sequence: sequence, retries: retries)
        do throws(SpoolError) {
            guard let bytes = try Self.readIfPresent(path, maximum: configuration.maxMessageBytes) else {
                throw .notInFlight(path: path)
            }
            var decoded = try SpoolFile.decode(bytes, path: path)
            decoded.message.properties[FerryHeader.deadLetterReason] = reason
            decoded.message.properties[FerryHeader.retryCount] = String(retries)
            let rewritten = SpoolFile.encode(decoded.message, timestamp: decoded.timestamp, expires: decoded.expires)
            try writeAtomically(rewritten, name: name, into: "\(queue)/dead", queue: queue)
            guard unlink(path) == 0 || errno == ENOENT else {
                throw .io(operation: "unlink", path: path, reason: Self.errnoText())
            }
        } catch {
            if case .notInFlight = error { throw error }
            // Not decodable: move the bytes as they are.
            guard rename(path, "\(queue)/dead/\(name)") == 0 else { throw error }
        }
        if configuration.syncsToDisk { try Self.syncDirectory("\(queue)/dead") }
    }

    /// Reserves `count` consecutive sequence numbers of `queue` under an exclusive `flock`.
    private func reserveSequence(count: UInt64, in queue: String) throws(SpoolError) -> UInt64 {
        let path = "\(queue)/.sequence"
        let descriptor = openFile(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, reason: Self.errnoText()) }
        defer { closeDescriptor(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else {
            throw .io(operation: "flock", path: path, reason: Self.errnoText())
        }
        defer { flock(descriptor, LOCK_UN) }
        var current: UInt64 = 0
        let got = pread(descriptor, &current, 8, 0)
        if got != 8 { current = 0 }
        var next = UInt64(littleEndian: current) &+ count
        next = next.littleEndian
        guard pwrite(descriptor, &next, 8, 0) == 8 else {
            throw .io(operation: "write", path: path, reason: Self.errnoText())
        }
        return UInt64(littleEndian: current) + 1
    }

    private func writeAtomically(_ bytes: [UInt8], name: String, into folder: String, queue: String) throws(SpoolError) {
        let temporary = "\(queue)/tmp/\(name.split(separator: ".")[0]).\(processID).tmp"
        let descriptor = openFile(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(operation: "open", path: temporary, reason: Self.errnoText()) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                let reason = Self.errnoText()
                closeDescriptor(descriptor)
                unlink(temporary)
                throw .io(operation: "write", path: temporary, reason: reason)
            }
            written += result
        }
        if configuration.syncsToDisk && fsync(descriptor) != 0 {
            let reason = Self.errnoText()
            closeDescriptor(descriptor)
            unlink(temporary)
            throw .io(operation: "fsync", path: temporary, reason: reason)
        }
        closeDescriptor(descriptor)
        guard rename(temporary, "\(folder)/\(name)") == 0 else {
            let reason = Self.errnoText()
            unlink(temporary)
            throw .io(operation: "rename", path: temporary, reason: reason)
        }
    }

    // MARK: Files

    static func name(sequence: UInt64, retries: Int) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".\(retries)"
    }

    /// `<sequence>.<retries>` → the numbers; nil for anything else (temporary or foreign files).
    static func parse(name: String) -> (sequence: UInt64, retries: Int)? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].count == 20, let sequence = UInt64(parts[0]), let retries = Int(parts[1]),
            retries >= 0
        else { return nil }
        return (sequence, retries)
    }

    private static func list(_ folder: String) throws(SpoolError) -> [String] {
        do { return try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw .io(operation: "list", path: folder, reason: "\(error.localizedDescription)")
        }
    }

    /// The file's bytes, or nil when it does not exist (any more).
    private static func readIfPresent(_ path: String, maximum: Int) throws(SpoolError) -> [UInt8]? {
        let descriptor = openFile(path, O_RDONLY | O_CLOEXEC, 0)
        if descriptor < 0 && errno == ENOENT { return nil }
        return try read(descriptor: descriptor, path: path, maximum: maximum)
    }

    private static func read(_ path: String, maximum: Int) throws(SpoolError) -> [UInt8] {
        try read(descriptor: openFile(path, O_RDONLY | O_CLOEXEC, 0), path: path, maximum: maximum)
    }

    private static func read(descriptor: Int32, path: String, maximum: Int) throws(SpoolError) -> [UInt8] {
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, reason: errnoText()) }
        defer { closeDescriptor(descriptor) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let got = chunk.withUnsafeMutableBytes { readFile(descriptor, $0.baseAddress!, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "read", path: path, reason: errnoText())
            }
            if got == 0 { return result }
            result += chunk[..<got]
            guard result.count <= maximum else { throw .damaged(path: path, reason: "larger than \(maximum) bytes") }
        }
    }

    private static func makeDirectory(_ path: String) throws(SpoolError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw .io(operation: "mkdir", path: path, reason: errnoText())
        }
    }

    private static func syncDirectory(_ path: String) throws(SpoolError) {
        let descriptor = openFile(path, O_RDONLY | O_CLOEXEC, 0)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, reason: errnoText()) }
        defer { closeDescriptor(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(operation: "fsync", path: path, reason: errnoText()) }
    }

    private static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    private static func errnoText() -> String {
        let code = errno
        return "\(String(cString: strerror(code))) (errno \(code))"
    }
}

private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}

private func readFile(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// The spool's message file: a signature line, `name:value` header lines (escaped like STOMP 1.2 headers),
/// an empty line, the body.
enum SpoolFile {
    static let signature = "FERRY-SPOOL 1"
    static let propertyPrefix = "property."

    struct Decoded {
        var message: QueueMessage
        var timestamp: Int64?
        var expires: Int64?
    }

    static func encode(_ message: QueueMessage, timestamp: Int64?, expires: Int64? = nil) -> [UInt8] {
        var lines: [(String, String)] = [("kind", message.bodyKind.rawValue), ("persistent", String(message.isPersistent))]
        if let timestamp { lines.append(("timestamp", String(timestamp))) }
        if let expires {
            lines.append(("expires", String(expires)))
        } else if let ttl = message.timeToLive, let timestamp {
            let (seconds, attoseconds) = ttl.components
            lines.append(("expires", String(timestamp + seconds * 1000 + attoseconds / 1_000_000_000_000_000)))
        }
        if let value = message.contentType { lines.append(("content-type", value)) }
        if let value = message.correlationID { lines.append(("correlation-id", value)) }
        if let value = message.replyTo { lines.append(("reply-to", value)) }
        if let value = message.priority { lines.append(("priority", String(value))) }
        if let value = message.groupID { lines.append(("group-id", value)) }
        for (name, value) in message.properties.sorted(by: { $0.key < $1.key }) {
            lines.append((propertyPrefix + name, value))
        }
        var out = Array((signature + "\n").utf8)
        for (name, value) in lines {
            HeaderText.appendEscaped(name, to: &out)
            out.append(UInt8(ascii: ":"))
            HeaderText.appendEscaped(value, to: &out)
            out.append(UInt8(ascii: "\n"))
        }
        out.append(UInt8(ascii: "\n"))
        out += message.body
        return out
    }

    static func decode(_ bytes: [UInt8], path: String) throws(SpoolError) -> Decoded {
        var position = 0
        func nextLine() -> ArraySlice<UInt8>? {
            guard let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            defer { position = end + 1 }
            return bytes[position..<end]
        }
        guard let first = nextLine(), String(decoding: first, as: UTF8.self) == signature else {
            throw .damaged(path: path, reason: "no '\(signature)' signature line")
        }
        var message = QueueMessage(body: [])
        var result = Decoded(message: message)
        while true {
            guard let line = nextLine() else { throw .damaged(path: path, reason: "headers without an end") }
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
                let name = HeaderText.unescape(line[line.startIndex..<colon]),
                let value = HeaderText.unescape(line[(colon + 1)...])
            else { throw .damaged(path: path, reason: "bad header line at byte \(line.startIndex)") }
            switch name {
            case "kind": message.bodyKind = QueueBodyKind(rawValue: value) ?? .bytes
            case "persistent": message.isPersistent = value == "true"
            case "timestamp": result.timestamp = Int64(value)
            case "expires": result.expires = Int64(value)
            case "content-type": message.contentType = value
            case "correlation-id": message.correlationID = value
            case "reply-to": message.replyTo = value
            case "priority": message.priority = Int(value)
            case "group-id": message.groupID = value
            default:
                if name.hasPrefix(propertyPrefix) { message.properties[String(name.dropFirst(propertyPrefix.count))] = value }
            }
        }
        message.body = Array(bytes[position...])
        result.message = message
        return result
    }
}

/// STOMP 1.2 style escaping of header text: `\\`, `\n`, `\r`, `\c` (colon).
enum HeaderText {
    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: ":"): out += [UInt8(ascii: "\\"), UInt8(ascii: "c")]
            default: out.append(byte)
            }
        }
    }

    static func unescape(_ bytes: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            switch iterator.next() {
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
            case UInt8(ascii: "c"): out.append(UInt8(ascii: ":"))
            default: return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
