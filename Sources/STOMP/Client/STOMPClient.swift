#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
public import LegacyQueue
import Synchronization
import Transport

/// A STOMP 1.2 client for ActiveMQ Classic (and other STOMP 1.2 brokers) that implements ``LegacyQueue``.
///
/// One connection thread owns the socket's read side: it performs CONNECT, reads and dispatches frames,
/// sends heart-beat EOLs, detects a silent server, expires waits (receipts, receives) and, when the
/// connection is lost, reconnects with jittered exponential backoff and subscribes again. Callers write
/// frames directly (writes are serialised by the transport). All shared state lives in one value-type
/// ``State`` behind a `Mutex`; no I/O happens under the lock, and continuations are resumed after it is
/// released.
///
/// Delivery: receive subscriptions use `ack:client-individual`. Messages not acknowledged when a connection
/// is lost are redelivered by the broker on the next one; acknowledging a message of an earlier connection
/// throws ``STOMPError/deliveryFromEarlierSession(messageID:)`` instead of sending an ACK the broker would
/// refuse, and acknowledging twice throws ``STOMPError/notInFlight(messageID:)``.
public final class STOMPClient: LegacyQueue {
    /// The settings.
    public let configuration: STOMPConfiguration
    private let state: Mutex<State>
    private let clockStart = ContinuousClock.now
    /// Nanoseconds since `clockStart` of the last write, for heart-beats.
    private let lastWrite = Atomic<Int64>(0)

    struct Session: Sendable {
        let connection: TCPConnection
        let generation: UInt64
        let sendInterval: Duration
        let receiveInterval: Duration
        let server: String?
    }

    struct Subscription {
        let id: String
        let destination: String
        var buffered: [ReceivedMessage] = []
        var bufferStart = 0
        var waiters: [(id: UInt64, deadline: ContinuousClock.Instant, continuation: CheckedContinuation<ReceivedMessage?, any Error>)] = []
    }

    struct Browser {
        let destination: String
        let limit: Int
        var collected: [ReceivedMessage] = []
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<[ReceivedMessage], any Error>
    }

    struct PendingReceipt {
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    enum Phase {
        case connecting
        case connected(Session)
        case closing
        case closed(STOMPError)
    }

    struct State {
        var phase: Phase = .connecting
        var generation: UInt64 = 0
        var counter: UInt64 = 0
        var receipts: [String: PendingReceipt] = [:]
        var subscriptions: [String: Subscription] = [:]  // by destination
        var subscriptionIDs: [String: String] = [:]  // id -> destination
        var browsers: [String: Browser] = [:]  // by subscription id
        /// Ack ids delivered on the current connection and not yet settled.
        var inFlight: Set<String> = []
        var sessionWaiters: [UInt64: (deadline: ContinuousClock.Instant, continuation: CheckedContinuation<Session, any Error>)] = [:]
        var threadFinished: CheckedContinuation<Void, Never>?
        var threadDone = false
        var closeRequested = false
        /// DISCONNECT was sent: the server's close that follows is not a loss to recover from.
        var disconnecting = false
        var disconnectReasons: [STOMPError] = []

        mutating func nextID() -> UInt64 {
            counter += 1
            return counter
        }

        /// Runs `body` on the subscription of `destination` in place; nil when there is none. Mutating a copy
        /// taken out of `subscriptions` would copy its whole `buffered` array (up to the prefetch) on every
        /// MESSAGE and receive, since the dictionary still shares the storage.
        mutating func withSubscription<Value>(
            _ destination: String, _ body: (inout Subscription) -> Value
        ) -> Value? {
            guard let index = subscriptions.index(forKey: destination) else { return nil }
            return body(&subscriptions.values[index])
        }
    }

    private init(configuration: STOMPConfiguration) {
        self.configuration = configuration
        self.state = Mutex(State())
    }

    /// Connects to the broker and returns a running client. Throws the first connection's failure
    /// (refused, timed out, ERROR for bad credentials); later losses are handled by reconnecting.
    public static func connect(_ configuration: STOMPConfiguration) async throws -> STOMPClient {
        let client = STOMPClient(configuration: configuration)
        let thread = Thread { client.runConnectionLoop() }
        thread.name = "ferry.stomp.connection"
        thread.start()
        do {
            _ = try await client.currentSession(waitingUpTo: configuration.connectTimeout * 2 + .seconds(1))
        } catch {
            client.requestStop(reason: .closed)
            await client.waitForThread()
            throw error
        }
        return client
    }

    /// The server's `server` header from the current connection (e.g. `ActiveMQ/5.17.2`), if connected.
    public var serverName: String? {
        state.withLock { state in
            if case .connected(let session) = state.phase { return session.server }
            return nil
        }
    }

    /// Why the last connection ended (nil while the first is up): the clear error behind a reconnect.
    public var lastDisconnectReason: STOMPError? { state.withLock { $0.disconnectReasons.last } }

    /// Why connections (or connection attempts) ended, oldest first; the last 16 are kept.
    public var disconnectReasons: [STOMPError] { state.withLock { $0.disconnectReasons } }

    /// How many connections this client has made (1 after connecting; more after reconnects).
    public var connectionCount: UInt64 { state.withLock { $0.generation } }

    // MARK: LegacyQueue

    public func send(_ message: QueueMessage, to destination: String) async throws {
        try await send([message], to: destination)
    }

    /// Sends `messages` to `destination` and waits until the broker has them. One message goes as a SEND
    /// with a receipt; several go in one transaction (BEGIN, SENDs, COMMIT with a receipt), so they are
    /// stored together and the receipt covers them all. A connection lost before the receipt makes the
    /// client send them again on the next connection (at least once), three attempts in all, so a message
    /// the broker refuses by closing the connection cannot loop forever; an ERROR is thrown as is.
    public func send(_ messages: [QueueMessage], to destination: String) async throws {
        try await send(messages.map { (message: $0, destination: destination) })
    }

    /// Sends each message to its own destination, with the same guarantees as ``send(_:to:)-([QueueMessage],_)``:
    /// one message as a SEND with a receipt, several in one transaction whose COMMIT receipt covers them all (the
    /// broker stores them together: one journal write for many replies to many callers).
    public func send(_ items: [(message: QueueMessage, destination: String)]) async throws {
        guard !items.isEmpty else { return }
        var attempts = 0
        var failedGeneration: UInt64?
        while true {
            attempts += 1
            let session = try await currentSession(waitingUpTo: configuration.receiptTimeout, newerThan: failedGeneration)
            let now = Self.nowMilliseconds()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(items.reduce(0) { $0 + $1.message.body.count + 256 })
            let receipt = "r-\(state.withLock { $0.nextID() })"
            if items.count == 1 {
                let (message, destination) = items[0]
                var headers = ActiveMQMapping.sendHeaders(for: message, destination: destination, nowMilliseconds: now)
                headers.append(("receipt", receipt))
                STOMPFrame(command: "SEND", headers: headers, body: message.body).encode(into: &bytes)
            } else {
                let transaction = "tx-\(receipt)"
                STOMPFrame(command: "BEGIN", headers: [("transaction", transaction)]).encode(into: &bytes)
                for (message, destination) in items {
                    var headers = ActiveMQMapping.sendHeaders(for: message, destination: destination, nowMilliseconds: now)
                    headers.append(("transaction", transaction))
                    STOMPFrame(command: "SEND", headers: headers, body: message.body).encode(into: &bytes)
                }
                STOMPFrame(command: "COMMIT", headers: [("transaction", transaction), ("receipt", receipt)])
                    .encode(into: &bytes)
            }
            do {
                try await exchange(bytes, receipt: receipt, on: session)
                return
            } catch STOMPError.connectionLost(let reason) {
                guard attempts < 3 else { throw STOMPError.connectionLost(reason: "\(reason) (sent 3 times)") }
                failedGeneration = session.generation
                continue  // sent again on the next connection
            }
        }
    }

    public func receive(from destination: String, timeout: Duration) async throws -> ReceivedMessage? {
        let deadline = ContinuousClock.now + timeout
        let (subscribeFrame, session) = try await subscription(for: destination)
        if let subscribeFrame, let session { try? write(subscribeFrame.encoded, on: session) }
        let waiterID = state.withLock { $0.nextID() }
        return try await withCheckedThrowingContinuation { continuation in
            let ready: Result<ReceivedMessage?, any Error>? = state.withLock { state in
                if case .closed(let error) = state.phase { return .failure(error) }
                let outcome: Result<ReceivedMessage?, any Error>?? = state.withSubscription(destination) {
                    (subscription: inout Subscription) -> Result<ReceivedMessage?, any Error>? in
                    if subscription.bufferStart < subscription.buffered.count {
                        let message = subscription.buffered[subscription.bufferStart]
                        subscription.bufferStart += 1
                        if subscription.bufferStart == subscription.buffered.count {
                            subscription.buffered.removeAll(keepingCapacity: true)
                            subscription.bufferStart = 0
                        }
                        return .success(message)
                    }
                    subscription.waiters.append((waiterID, deadline, continuation))
                    return nil
                }
                return outcome ?? .success(nil)  // no subscription: nothing to receive
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    public func acknowledge(_ message: ReceivedMessage) async throws {
        let session = try settle(message)
        try write(STOMPFrame(command: "ACK", headers: [("id", message.deliveryToken.value)]).encoded, on: session)
    }

    /// ACKs `messages` with one write of all their ACK frames (the frames a loop of ``acknowledge(_:)`` would
    /// send, one syscall instead of one each). Messages of an earlier connection, or settled already, are
    /// skipped and counted; the return value is how many were not acknowledged.
    public func acknowledge(all messages: [ReceivedMessage]) async -> Int {
        // All settled under one lock (one acquisition per batch instead of one per message, against the
        // connection thread's dispatch): what a loop of `settle(_:)` would decide, on one connection.
        var settled: [Int] = []
        settled.reserveCapacity(messages.count)
        let session: Session? = state.withLock { state in
            guard case .connected(let session) = state.phase else { return nil }
            for (index, message) in messages.enumerated()
            where message.deliveryToken.session == session.generation
                && state.inFlight.remove(message.deliveryToken.value) != nil
            {
                settled.append(index)
            }
            return session
        }
        let failed = messages.count - settled.count
        guard let session, !settled.isEmpty else { return failed }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(settled.count * 64)
        for index in settled {
            STOMPFrame(command: "ACK", headers: [("id", messages[index].deliveryToken.value)]).encode(into: &bytes)
        }
        do throws(STOMPError) { try write(bytes, on: session) } catch { return messages.count }
        return failed
    }

    /// Sends a NACK for `message`. On ActiveMQ this is a "poison ack": the broker dead-letters the message at
    /// once (to `ActiveMQ.DLQ`, or after its redelivery plugin's retries). Prefer ``reject(_:reason:)``,
    /// which counts retries on the bridge side.
    public func negativeAcknowledge(_ message: ReceivedMessage) async throws {
        let session = try settle(message)
        try write(STOMPFrame(command: "NACK", headers: [("id", message.deliveryToken.value)]).encoded, on: session)
    }

    /// Rejects `message` with bridge-side retry counting: in one transaction, a copy with
    /// `ferry-retry-count` raised is sent back to its destination (or, once ``STOMPConfiguration/maxRetries``
    /// retries are used, to ``STOMPConfiguration/deadLetterDestination`` with `ferry-dead-letter-reason`
    /// and `ferry-original-destination`) and the original is acknowledged. ActiveMQ's own NACK is not used,
    /// since it dead-letters at once. If the connection drops before COMMIT the broker rolls back and
    /// redelivers the original.
    public func reject(_ message: ReceivedMessage, reason: String) async throws {
        let session = try settle(message)
        var copy = message.message
        let retries = message.retryCount + 1
        copy.properties[FerryHeader.originalMessageID] =
            message.message.properties[FerryHeader.originalMessageID] ?? message.messageID
        let target: String
        if retries <= configuration.maxRetries {
            target = message.destination
        } else {
            target = configuration.deadLetterDestination
            copy.properties[FerryHeader.deadLetterReason] = reason
            copy.properties[FerryHeader.originalDestination] = message.destination
        }
        var headers = ActiveMQMapping.sendHeaders(
            for: copy, destination: target, nowMilliseconds: Self.nowMilliseconds(),
            expiresAt: message.expiresAtMilliseconds)
        headers.append((FerryHeader.retryCount, String(retries)))
        let receipt = "r-\(state.withLock { $0.nextID() })"
        let transaction = "tx-\(receipt)"
        var headersWithTransaction = headers
        headersWithTransaction.append(("transaction", transaction))
        var bytes: [UInt8] = []
        STOMPFrame(command: "BEGIN", headers: [("transaction", transaction)]).encode(into: &bytes)
        STOMPFrame(command: "SEND", headers: headersWithTransaction, body: copy.body).encode(into: &bytes)
        STOMPFrame(command: "ACK", headers: [("id", message.deliveryToken.value), ("transaction", transaction)])
            .encode(into: &bytes)
        STOMPFrame(command: "COMMIT", headers: [("transaction", transaction), ("receipt", receipt)]).encode(into: &bytes)
        try await exchange(bytes, receipt: receipt, on: session)
    }

    /// Up to `limit` messages of `destination` without consuming them (ActiveMQ `browser:true` subscription,
    /// which ends with a `browser:end` MESSAGE).
    public func browse(_ destination: String, limit: Int) async throws -> [ReceivedMessage] {
        guard limit > 0 else { return [] }
        let session = try await currentSession(waitingUpTo: configuration.receiptTimeout)
        let id = "browse-\(state.withLock { $0.nextID() })"
        let deadline = ContinuousClock.now + configuration.receiptTimeout
        let frame = STOMPFrame(
            command: "SUBSCRIBE",
            headers: [("id", id), ("destination", destination), ("ack", "auto"), ("browser", "true"),
                      ("activemq.prefetchSize", String(min(limit, 1000)))])
        let messages: [ReceivedMessage] = try await withCheckedThrowingContinuation { continuation in
            state.withLock { state in
                state.browsers[id] = Browser(destination: destination, limit: limit, deadline: deadline, continuation: continuation)
            }
            do { try write(frame.encoded, on: session) } catch {
                if let browser = state.withLock({ $0.browsers.removeValue(forKey: id) }) {
                    browser.continuation.resume(throwing: error)
                }
            }
        }
        try? write(STOMPFrame(command: "UNSUBSCRIBE", headers: [("id", id)]).encoded, on: session)
        return messages
    }

    /// Sends DISCONNECT with a receipt and waits for it (bounded by the receipt timeout), then stops the
    /// connection thread. Waiting calls fail with ``STOMPError/closed``; un-acknowledged messages return to
    /// the broker.
    public func close() async throws {
        let session: Session? = state.withLock { state in
            if case .connected(let session) = state.phase { return session }
            return nil
        }
        if let session {
            let receipt = "disconnect-\(state.withLock { state in state.disconnecting = true; return state.nextID() })"
            let frame = STOMPFrame(command: "DISCONNECT", headers: [("receipt", receipt)])
            try? await exchange(frame.encoded, receipt: receipt, on: session, timeout: min(configuration.receiptTimeout, .seconds(5)))
        }
        requestStop(reason: .closed)
        await waitForThread()
    }

    // MARK: Transactions (low level)

    /// Starts transaction `id` (BEGIN).
    public func begin(_ id: String) async throws {
        let session = try await currentSession(waitingUpTo: configuration.receiptTimeout)
        try write(STOMPFrame(command: "BEGIN", headers: [("transaction", id)]).encoded, on: session)
    }

    /// Commits transaction `id` and waits for the receipt.
    public func commit(_ id: String) async throws {
        let session = try await currentSession(waitingUpTo: configuration.receiptTimeout)
        let receipt = "r-\(state.withLock { $0.nextID() })"
        try await exchange(
            STOMPFrame(command: "COMMIT", headers: [("transaction", id), ("receipt", receipt)]).encoded,
            receipt: receipt, on: session)
    }

    /// Aborts transaction `id` and waits for the receipt.
    public func abort(_ id: String) async throws {
        let session = try await currentSession(waitingUpTo: configuration.receiptTimeout)
        let receipt = "r-\(state.withLock { $0.nextID() })"
        try await exchange(
            STOMPFrame(command: "ABORT", headers: [("transaction", id), ("receipt", receipt)]).encoded,
            receipt: receipt, on: session)
    }

    /// Sends `message` inside transaction `id` (no receipt: the COMMIT's receipt covers it).
    public func send(_ message: QueueMessage, to destination: String, transaction id: String) async throws {
        let session = try await currentSession(waitingUpTo: configuration.receiptTimeout)
        var headers = ActiveMQMapping.sendHeaders(for: message, destination: destination, nowMilliseconds: Self.nowMilliseconds())
        headers.append(("transaction", id))
        try write(STOMPFrame(command: "SEND", headers: headers, body: message.body).encoded, on: session)
    }

    // MARK: Plumbing for callers

    private func write(_ bytes: [UInt8], on session: Session) throws(STOMPError) {
        do {
            try session.connection.write(bytes, timeout: configuration.receiptTimeout)
            lastWrite.store(nanosecondsSinceStart(), ordering: .relaxed)
        } catch {
            session.connection.shutdown()  // the connection thread notices and reconnects
            throw .connectionLost(reason: "\(error)")
        }
    }

    /// Writes `bytes` (which ask for `receipt`) and waits for the RECEIPT.
    private func exchange(_ bytes: [UInt8], receipt: String, on session: Session, timeout: Duration? = nil) async throws {
        let deadline = ContinuousClock.now + (timeout ?? configuration.receiptTimeout)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let failure: STOMPError? = state.withLock { state in
                guard case .connected(let current) = state.phase, current.generation == session.generation else {
                    if case .closed(let error) = state.phase { return error }
                    return .connectionLost(reason: "reconnecting")
                }
                state.receipts[receipt] = PendingReceipt(deadline: deadline, continuation: continuation)
                return nil
            }
            if let failure {
                continuation.resume(throwing: failure)
                return
            }
            do { try write(bytes, on: session) } catch {
                if let pending = state.withLock({ $0.receipts.removeValue(forKey: receipt) }) {
                    pending.continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Checks that `message` may be settled now and marks it settled; returns the session to write on.
    private func settle(_ message: ReceivedMessage) throws(STOMPError) -> Session {
        let result: Result<Session, STOMPError> = state.withLock { state in
            switch state.phase {
            case .closed(let error): return .failure(error)
            case .connected(let session) where session.generation == message.deliveryToken.session:
                guard state.inFlight.remove(message.deliveryToken.value) != nil else {
                    return .failure(.notInFlight(messageID: message.messageID))
                }
                return .success(session)
            default: return .failure(.deliveryFromEarlierSession(messageID: message.messageID))
            }
        }
        return try result.get()
    }

    /// The receive subscription for `destination`, created on first use; returns the SUBSCRIBE frame to
    /// write when it was just created and a connection is up.
    private func subscription(for destination: String) async throws -> (STOMPFrame?, Session?) {
        let created: (id: String, session: Session?)? = try state.withLock { state in
            if case .closed(let error) = state.phase { throw error }
            guard state.subscriptions[destination] == nil else { return nil }
            let id = "sub-\(state.nextID())"
            state.subscriptions[destination] = Subscription(id: id, destination: destination)
            state.subscriptionIDs[id] = destination
            if case .connected(let session) = state.phase { return (id, session) }
            return (id, nil)
        }
        guard let created else { return (nil, nil) }
        return (subscribeFrame(id: created.id, destination: destination), created.session)
    }

    private func subscribeFrame(id: String, destination: String) -> STOMPFrame {
        STOMPFrame(
            command: "SUBSCRIBE",
            headers: [("id", id), ("destination", destination), ("ack", "client-individual"),
                      ("activemq.prefetchSize", String(configuration.prefetch))])
    }

    /// The current connection, waiting for a reconnection up to `limit`.
    /// The connected session, waiting up to `limit` while the client (re)connects. With `stale`, a session of that
    /// generation or older does not count: a caller whose write failed on it waits for the reconnect instead of
    /// being handed the same dead connection again (the reader thread may not have noticed the loss yet).
    private func currentSession(waitingUpTo limit: Duration, newerThan stale: UInt64? = nil) async throws -> Session {
        let deadline = ContinuousClock.now + limit
        let waiterID = state.withLock { $0.nextID() }
        return try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Session, any Error>? = state.withLock { state in
                switch state.phase {
                case .connected(let session):
                    if let stale, session.generation <= stale {
                        state.sessionWaiters[waiterID] = (deadline, continuation)
                        return nil
                    }
                    return .success(session)
                case .closed(let error): return .failure(error)
                case .closing: return .failure(STOMPError.closed)
                case .connecting:
                    state.sessionWaiters[waiterID] = (deadline, continuation)
                    return nil
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    private func requestStop(reason: STOMPError) {
        let session: Session? = state.withLock { state in
            state.closeRequested = true
            if case .connected(let session) = state.phase { return session }
            return nil
        }
        session?.connection.shutdown()
    }

    private func waitForThread() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.threadDone { return true }
                state.threadFinished = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func nanosecondsSinceStart() -> Int64 {
        let (seconds, attoseconds) = (ContinuousClock.now - clockStart).components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    // MARK: The connection thread

    private func runConnectionLoop() {
        var failures = 0
        var everConnected = false
        var lastError = STOMPError.closed
        var random = SystemRandomNumberGenerator()
        while !state.withLock({ $0.closeRequested }) {
            do throws(STOMPError) {
                let (connection, decoder, session) = try handshake()
                failures = 0
                everConnected = true
                try serve(connection: connection, decoder: decoder, session: session)
            } catch {
                lastError = error
                failures += 1
            }
            dropSession(because: lastError)
            if state.withLock({ $0.closeRequested || $0.disconnecting }) { break }
            let policy = configuration.reconnect
            if !everConnected || (policy.maximumAttempts.map { failures > $0 } ?? false) {
                let final: STOMPError =
                    everConnected ? .reconnectGaveUp(attempts: failures, lastError: "\(lastError)") : lastError
                finish(with: final)
                return
            }
            let delay = policy.delay(attempt: failures - 1, random: Double.random(in: 0..<1, using: &random))
            let wakeUp = ContinuousClock.now + delay
            while ContinuousClock.now < wakeUp && !state.withLock({ $0.closeRequested }) {
                expireDeadlines()
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        finish(with: .closed)
    }

    /// TCP connect, CONNECT, CONNECTED; installs the session and resubscribes.
    private func handshake() throws(STOMPError) -> (TCPConnection, STOMPFrameDecoder, Session) {
        let connection: TCPConnection
        do {
            connection = try TCPConnection.connect(
                host: configuration.host, port: configuration.port, timeout: configuration.connectTimeout)
        } catch { throw .transport(error) }
        var headers: [(name: String, value: String)] = [
            ("accept-version", "1.2"), ("host", configuration.virtualHost ?? configuration.host),
            ("heart-beat", "\(Self.milliseconds(configuration.heartBeatSend)),\(Self.milliseconds(configuration.heartBeatReceive))"),
        ]
        if let login = configuration.login { headers.append(("login", login)) }
        if let passcode = configuration.passcode { headers.append(("passcode", passcode)) }
        if let clientID = configuration.clientID { headers.append(("client-id", clientID)) }
        do {
            try connection.write(STOMPFrame(command: "CONNECT", headers: headers).encoded, timeout: configuration.connectTimeout)
        } catch {
            throw .transport(error)
        }
        var decoder = STOMPFrameDecoder(maximumFrameBytes: configuration.maximumFrameBytes)
        let deadline = ContinuousClock.now + configuration.connectTimeout
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        var reply: STOMPFrame? = nil
        while reply == nil {
            do {
                reply = try decoder.nextFrame()
            } catch {
                connection.shutdown()
                throw .wire(error)
            }
            if reply != nil { break }
            let left = deadline - .now
            guard left > .zero else {
                connection.shutdown()
                throw .transport(.timedOut(peer: connection.peer, operation: "STOMP CONNECT", after: configuration.connectTimeout))
            }
            do {
                let count = try Self.read(connection, into: &scratch, timeout: left)
                decoder.append(scratch[..<count])
            } catch {
                throw .transport(error)
            }
        }
        guard let reply else { throw .closed }
        if reply.command == "ERROR" {
            connection.shutdown()
            throw .server(message: reply["message"] ?? "", details: String(decoding: reply.body, as: UTF8.self), receiptID: nil)
        }
        guard reply.command == "CONNECTED" else {
            connection.shutdown()
            throw .unexpectedFrame(command: reply.command, expecting: "CONNECTED")
        }
        var serverSend: Int64 = 0
        var serverReceive: Int64 = 0
        if let beat = reply["heart-beat"] {
            let parts = beat.split(separator: ",")
            if parts.count == 2 {
                serverSend = Int64(parts[0]) ?? 0
                serverReceive = Int64(parts[1]) ?? 0
            }
        }
        let clientSend = Self.milliseconds(configuration.heartBeatSend)
        let clientReceive = Self.milliseconds(configuration.heartBeatReceive)
        let sendInterval: Duration = clientSend == 0 || serverReceive == 0 ? .zero : .milliseconds(max(clientSend, serverReceive))
        let receiveInterval: Duration = clientReceive == 0 || serverSend == 0 ? .zero : .milliseconds(max(clientReceive, serverSend))

        // Install the session; collect the subscriptions to renew and the waiters to wake.
        let (session, resubscribe, waiters, closing): (Session, [(String, String)], [CheckedContinuation<Session, any Error>], Bool) =
            state.withLock { state in
                state.generation += 1
                let session = Session(
                    connection: connection, generation: state.generation, sendInterval: sendInterval,
                    receiveInterval: receiveInterval, server: reply["server"])
                if state.closeRequested { return (session, [], [], true) }
                state.phase = .connected(session)
                state.inFlight.removeAll()
                let waiters = state.sessionWaiters.values.map(\.continuation)
                state.sessionWaiters.removeAll()
                return (session, state.subscriptions.values.map { ($0.id, $0.destination) }, waiters, false)
            }
        if closing {
            connection.shutdown()
            throw .closed
        }
        lastWrite.store(nanosecondsSinceStart(), ordering: .relaxed)
        for (id, destination) in resubscribe {
            do {
                try connection.write(subscribeFrame(id: id, destination: destination).encoded, timeout: configuration.connectTimeout)
            } catch {
                connection.shutdown()
                throw .transport(error)
            }
        }
        for waiter in waiters { waiter.resume(returning: session) }
        return (connection, decoder, session)
    }

    /// Reads and dispatches frames until the connection fails or the client closes.
    private func serve(connection: TCPConnection, decoder: STOMPFrameDecoder, session: Session) throws(STOMPError) {
        var decoder = decoder
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        var lastReceive = ContinuousClock.now
        let silenceLimit = session.receiveInterval * 2
        let sendIntervalNanoseconds = Int64(session.sendInterval.components.seconds) * 1_000_000_000
            + session.sendInterval.components.attoseconds / 1_000_000_000
        while true {
            // Frames already buffered first (the CONNECTED read may have brought more).
            do {
                while let frame = try decoder.nextFrame() {
                    if let error = dispatch(frame, session: session) {
                        connection.shutdown()
                        throw error
                    }
                }
            } catch let error as STOMPWireError {
                connection.shutdown()
                throw .wire(error)
            } catch let error as STOMPError {
                throw error
            } catch {
                throw .connectionLost(reason: "\(error)")
            }
            if state.withLock({ $0.closeRequested }) { throw .closed }
            let count: Int
            do {
                count = try Self.read(connection, into: &scratch, timeout: .milliseconds(50))
            } catch {
                if state.withLock({ $0.closeRequested }) { throw .closed }
                throw .transport(error)
            }
            let now = ContinuousClock.now
            if count > 0 {
                lastReceive = now
                decoder.append(scratch[..<count])
            } else if silenceLimit > .zero && now - lastReceive > silenceLimit {
                connection.shutdown()
                throw .heartBeatTimeout(silentFor: now - lastReceive)
            }
            if sendIntervalNanoseconds > 0 && nanosecondsSinceStart() - lastWrite.load(ordering: .relaxed) >= sendIntervalNanoseconds {
                try? connection.write([0x0A], timeout: configuration.connectTimeout)
                lastWrite.store(nanosecondsSinceStart(), ordering: .relaxed)
            }
            expireDeadlines()
        }
    }

    /// Handles one frame from the server; returns an error when the connection must end (ERROR frames).
    private func dispatch(_ frame: STOMPFrame, session: Session) -> STOMPError? {
        switch frame.command {
        case "MESSAGE":
            guard let subscriptionID = frame["subscription"] else { return nil }
            enum Action {
                case none
                case deliver(CheckedContinuation<ReceivedMessage?, any Error>, ReceivedMessage)
                case browseDone(CheckedContinuation<[ReceivedMessage], any Error>, [ReceivedMessage])
            }
            let action: Action = state.withLock { state in
                if var browser = state.browsers[subscriptionID] {
                    if frame["browser"] == "end" {
                        state.browsers.removeValue(forKey: subscriptionID)
                        return .browseDone(browser.continuation, browser.collected)
                    }
                    browser.collected.append(
                        ActiveMQMapping.receivedMessage(from: frame, destination: browser.destination, session: session.generation))
                    if browser.collected.count >= browser.limit {
                        state.browsers.removeValue(forKey: subscriptionID)
                        return .browseDone(browser.continuation, browser.collected)
                    }
                    state.browsers[subscriptionID] = browser
                    return .none
                }
                guard let destination = state.subscriptionIDs[subscriptionID],
                    state.subscriptions[destination] != nil
                else { return .none }
                let message = ActiveMQMapping.receivedMessage(from: frame, destination: destination, session: session.generation)
                state.inFlight.insert(message.deliveryToken.value)
                return state.withSubscription(destination) { (subscription: inout Subscription) -> Action in
                    if !subscription.waiters.isEmpty {
                        let waiter = subscription.waiters.removeFirst()
                        return .deliver(waiter.continuation, message)
                    }
                    subscription.buffered.append(message)
                    return .none
                } ?? .none
            }
            switch action {
            case .none: break
            case let .deliver(continuation, message): continuation.resume(returning: message)
            case let .browseDone(continuation, messages): continuation.resume(returning: messages)
            }
            return nil
        case "RECEIPT":
            if let id = frame["receipt-id"], let pending = state.withLock({ $0.receipts.removeValue(forKey: id) }) {
                pending.continuation.resume()
            }
            return nil
        case "ERROR":
            let error = STOMPError.server(
                message: frame["message"] ?? "", details: String(decoding: frame.body.prefix(2000), as: UTF8.self),
                receiptID: frame["receipt-id"])
            if let id = frame["receipt-id"], let pending = state.withLock({ $0.receipts.removeValue(forKey: id) }) {
                pending.continuation.resume(throwing: error)
            }
            return error  // the server closes the connection after an ERROR
        default:
            return nil
        }
    }

    /// Fails receipts and browsers past their deadline; answers receive waiters past theirs with nil.
    private func expireDeadlines() {
        let now = ContinuousClock.now
        let (receipts, receives, browsers, sessions) = state.withLock { state in
            var receipts: [(String, CheckedContinuation<Void, any Error>)] = []
            for (id, pending) in state.receipts where pending.deadline <= now {
                receipts.append((id, pending.continuation))
            }
            for (id, _) in receipts { state.receipts.removeValue(forKey: id) }
            var receives: [CheckedContinuation<ReceivedMessage?, any Error>] = []
            for (destination, var subscription) in state.subscriptions
            where subscription.waiters.contains(where: { $0.deadline <= now }) {
                receives += subscription.waiters.filter { $0.deadline <= now }.map(\.continuation)
                subscription.waiters.removeAll { $0.deadline <= now }
                state.subscriptions[destination] = subscription
            }
            var browsers: [CheckedContinuation<[ReceivedMessage], any Error>] = []
            for (id, browser) in state.browsers where browser.deadline <= now {
                browsers.append(browser.continuation)
                state.browsers.removeValue(forKey: id)
            }
            var sessions: [CheckedContinuation<Session, any Error>] = []
            for (id, waiter) in state.sessionWaiters where waiter.deadline <= now {
                sessions.append(waiter.continuation)
                state.sessionWaiters.removeValue(forKey: id)
            }
            return (receipts, receives, browsers, sessions)
        }
        let timeout = configuration.receiptTimeout
        for (id, continuation) in receipts { continuation.resume(throwing: STOMPError.receiptTimeout(receipt: id, after: timeout)) }
        for continuation in receives { continuation.resume(returning: nil) }
        for continuation in browsers { continuation.resume(throwing: STOMPError.receiptTimeout(receipt: "browse", after: timeout)) }
        for continuation in sessions {
            continuation.resume(throwing: STOMPError.connectionLost(reason: "no connection within the time allowed"))
        }
    }

    /// After a lost connection: pending receipts and browsers fail with `connectionLost`, buffered messages
    /// are dropped (the broker redelivers them), receive waiters keep waiting.
    private func dropSession(because error: STOMPError) {
        let (receipts, browsers) = state.withLock { state in
            if case .connected = state.phase { state.phase = .connecting }
            state.disconnectReasons.append(error)
            if state.disconnectReasons.count > 16 { state.disconnectReasons.removeFirst() }
            let receipts = state.receipts.values.map(\.continuation)
            state.receipts.removeAll()
            let browsers = state.browsers.values.map(\.continuation)
            state.browsers.removeAll()
            state.inFlight.removeAll()
            for destination in state.subscriptions.keys {
                state.subscriptions[destination]?.buffered.removeAll()
                state.subscriptions[destination]?.bufferStart = 0
            }
            return (receipts, browsers)
        }
        let lost = STOMPError.connectionLost(reason: "\(error)")
        for continuation in receipts { continuation.resume(throwing: lost) }
        for continuation in browsers { continuation.resume(throwing: lost) }
    }

    /// Ends the client: every waiting call fails with `error`, the thread's waiter is woken.
    private func finish(with error: STOMPError) {
        let (receipts, receives, browsers, sessions, finished) = state.withLock { state in
            state.phase = .closed(error)
            let receipts = state.receipts.values.map(\.continuation)
            state.receipts.removeAll()
            var receives: [CheckedContinuation<ReceivedMessage?, any Error>] = []
            for destination in state.subscriptions.keys {
                receives += state.subscriptions[destination]?.waiters.map(\.continuation) ?? []
                state.subscriptions[destination]?.waiters.removeAll()
            }
            let browsers = state.browsers.values.map(\.continuation)
            state.browsers.removeAll()
            let sessions = state.sessionWaiters.values.map(\.continuation)
            state.sessionWaiters.removeAll()
            state.threadDone = true
            let finished = state.threadFinished
            state.threadFinished = nil
            return (receipts, receives, browsers, sessions, finished)
        }
        for continuation in receipts { continuation.resume(throwing: error) }
        for continuation in receives { continuation.resume(throwing: error) }
        for continuation in browsers { continuation.resume(throwing: error) }
        for continuation in sessions { continuation.resume(throwing: error) }
        finished?.resume()
    }

    private static func read(_ connection: TCPConnection, into scratch: inout [UInt8], timeout: Duration)
        throws(TransportError) -> Int
    {
        let result = scratch.withUnsafeMutableBytes { raw in
            Result { () throws(TransportError) in try connection.read(into: raw, timeout: timeout) }
        }
        return try result.get()
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
