internal import ByteCoding
internal import Foundation
internal import Synchronization

/// One TCP connection to one broker, with pipelined requests matched to responses by correlation id.
///
/// Any number of tasks may ``send(_:version:timeout:)`` at once: each request is written whole (writes are
/// serialised) and its task suspends until the response with its correlation id arrives, the timeout passes,
/// or the connection fails. A dedicated thread receives and splits frames; responses are decoded by the
/// waiting task. A request that times out fails alone (its late response is dropped); a broken connection
/// fails every waiting request with a retriable ``KafkaError/connection(broker:reason:)``.
public final class KafkaConnection: Sendable {
    /// `host:port` of the broker.
    public let address: String
    /// The broker's node id, or -1 for a bootstrap connection.
    public let nodeID: Int32
    /// The versions negotiated with ApiVersions at connect time.
    public var apiVersions: ApiVersionsRequest.Response {
        negotiated.withLock { $0 } ?? .init(errorCode: .none, apis: [], throttleTimeMilliseconds: 0)
    }
    private let negotiated = Mutex<ApiVersionsRequest.Response?>(nil)

    private let socket: KafkaSocket
    private let clientID: String
    private let state: Mutex<State>
    /// Serialises writes so that frames never interleave. Held only while one frame is sent.
    private let writeLock = Mutex<Void>(())

    private struct Pending {
        /// The task waiting for the response; nil for a ``submit(_:timeout:)``ted request nobody awaits yet.
        var continuation: CheckedContinuation<[UInt8], any Error>?
        /// What arrived (or the timeout) for a submitted request before ``response(to:)`` waited for it.
        var outcome: Result<[UInt8], KafkaError>?
        var deadline: ContinuousClock.Instant
        var operation: String
        var timeout: Duration
    }

    private struct State {
        var nextCorrelationID: Int32 = 1
        var pending: [Int32: Pending] = [:]
        var failure: KafkaError?
    }

    private init(socket: KafkaSocket, nodeID: Int32, clientID: String) {
        self.socket = socket
        self.address = socket.address
        self.nodeID = nodeID
        self.clientID = clientID
        self.state = Mutex(State())
    }

    /// Connects, starts the receiver and negotiates API versions (ApiVersions v3, falling back to v0 when the
    /// broker does not know v3).
    public static func connect(
        host: String, port: Int, nodeID: Int32 = -1, clientID: String, connectTimeout: Duration,
        requestTimeout: Duration, maximumResponseSize: Int
    ) async throws(KafkaError) -> KafkaConnection {
        let socket = try KafkaSocket.connect(host: host, port: port, timeout: connectTimeout)
        socket.setSendTimeout(requestTimeout)
        let connection = KafkaConnection(socket: socket, nodeID: nodeID, clientID: clientID)
        connection.startReceiver(maximumResponseSize: maximumResponseSize)
        do throws(KafkaError) {
            var response: ApiVersionsRequest.Response
            do {
                response = try await connection.send(ApiVersionsRequest(), version: 3, timeout: requestTimeout)
            } catch let error where error.isMalformed {
                // A broker without v3 answers in the v0 layout with UNSUPPORTED_VERSION.
                response = try await connection.send(ApiVersionsRequest(), version: 0, timeout: requestTimeout)
            }
            if response.errorCode == .unsupportedVersion {
                response = try await connection.send(ApiVersionsRequest(), version: 0, timeout: requestTimeout)
            }
            guard response.errorCode == .none else {
                throw KafkaError.broker(code: response.errorCode, context: "ApiVersions", message: nil)
            }
            connection.negotiated.withLock { $0 = response }
            return connection
        } catch {
            connection.close()
            throw error
        }
    }

    /// The version to use for `R`: the highest both sides support.
    public func version<R: KafkaRequest>(for _: R.Type) throws(KafkaError) -> Int16 {
        let broker = apiVersions.versions(of: R.apiKey)
        guard let broker, let version = highestCommonVersion(client: R.supportedVersions, broker: broker) else {
            throw .unsupportedVersion(api: "\(R.apiKey)", client: R.supportedVersions, broker: broker)
        }
        return version
    }

    /// Sends `request` at the negotiated version and waits for its response.
    public func send<R: KafkaRequest>(_ request: R, timeout: Duration) async throws(KafkaError) -> R.Response {
        try await send(request, version: try version(for: R.self), timeout: timeout)
    }

    /// Sends `request` at `version` and waits for its response, at most `timeout`.
    ///
    /// The frame is written before this function first suspends, so requests from one task reach the broker
    /// in call order.
    public func send<R: KafkaRequest>(_ request: R, version: Int16, timeout: Duration) async throws(KafkaError)
        -> R.Response
    {
        let operation = "\(R.apiKey) v\(version) to \(address)"
        let body: [UInt8]
        // The correlation id once registered, or a note that the task was cancelled before that.
        let registration = Mutex<(id: Int32?, cancelled: Bool)>((nil, false))
        do {
            body = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
                    let registered: Result<Int32, KafkaError> = state.withLock { state in
                        if let failure = state.failure { return .failure(failure) }
                        let id = state.nextCorrelationID
                        state.nextCorrelationID = id == Int32.max ? 1 : id + 1
                        state.pending[id] = Pending(
                            continuation: continuation, outcome: nil, deadline: .now + timeout, operation: operation,
                            timeout: timeout)
                        // Either the cancel handler sees the id (and abandons it) or this sees the cancellation.
                        let cancelled = registration.withLock { registration in
                            registration.id = id
                            return registration.cancelled
                        }
                        if cancelled {
                            state.pending[id] = nil
                            return .failure(.cancelled(operation: operation))
                        }
                        return .success(id)
                    }
                    switch registered {
                    case let .failure(error):
                        continuation.resume(throwing: error)
                    case let .success(id):
                        var writer = ByteWriter(capacity: 256)
                        KafkaFrame.encode(request, version: version, correlationID: id, clientID: clientID, into: &writer)
                        do throws(KafkaError) {
                            let frame = writer.bytes
                            try withKafkaErrors("send") {
                                try writeLock.withLock { _ in try frame.withUnsafeBytes { raw in try socket.sendAll(raw) } }
                            }
                        } catch {
                            fail(with: error)
                        }
                    }
                }
            } onCancel: {
                let id: Int32? = registration.withLock { registration in
                    registration.cancelled = true
                    return registration.id
                }
                if let id { abandon(id, with: .cancelled(operation: operation)) }
            }
        } catch let error as KafkaError {
            throw error
        } catch {
            throw .connection(broker: address, reason: "\(error)")
        }
        return try withKafkaErrors(operation) {
            try KafkaFrame.decodeResponse(R.self, version: version, frame: body).response
        }
    }

    /// A request ``submit(_:timeout:)`` has written, whose response ``response(to:)`` waits for.
    struct SubmittedRequest<R: KafkaRequest>: Sendable {
        let correlationID: Int32
        let version: Int16
        let operation: String
    }

    /// Writes `request` at the negotiated version before returning and registers for its response, which
    /// ``response(to:)`` then waits for (at most `timeout` from now). Requests submitted one after the other
    /// reach the broker in that order: this is how a producer keeps several batches of one partition in flight.
    /// Every submitted request must be awaited with ``response(to:)`` (or the connection closed).
    func submit<R: KafkaRequest>(_ request: R, timeout: Duration) throws(KafkaError) -> SubmittedRequest<R> {
        let version = try version(for: R.self)
        let operation = "\(R.apiKey) v\(version) to \(address)"
        let registered: Result<Int32, KafkaError> = state.withLock { state in
            if let failure = state.failure { return .failure(failure) }
            let id = state.nextCorrelationID
            state.nextCorrelationID = id == Int32.max ? 1 : id + 1
            state.pending[id] = Pending(
                continuation: nil, outcome: nil, deadline: .now + timeout, operation: operation, timeout: timeout)
            return .success(id)
        }
        let id = try registered.get()
        var writer = ByteWriter(capacity: 256)
        KafkaFrame.encode(request, version: version, correlationID: id, clientID: clientID, into: &writer)
        do throws(KafkaError) {
            let frame = writer.bytes
            try withKafkaErrors("send") {
                try writeLock.withLock { _ in try frame.withUnsafeBytes { raw in try socket.sendAll(raw) } }
            }
        } catch {
            fail(with: error)  // response(to:) reports it
        }
        return SubmittedRequest(correlationID: id, version: version, operation: operation)
    }

    /// Waits for the response to a request ``submit(_:timeout:)`` wrote: its decoded body, or the error that
    /// ended it (its deadline passed, the connection failed). Task cancellation does not end the wait: the
    /// request's deadline bounds it.
    func response<R: KafkaRequest>(to submitted: SubmittedRequest<R>) async throws(KafkaError) -> R.Response {
        let id = submitted.correlationID
        let body: [UInt8]
        do {
            body = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
                let ready: Result<[UInt8], KafkaError>? = state.withLock { state in
                    guard var pending = state.pending[id] else {
                        return .failure(state.failure ?? .invalid(context: submitted.operation, detail: "response awaited twice"))
                    }
                    if let outcome = pending.outcome {
                        state.pending[id] = nil
                        return outcome
                    }
                    pending.continuation = continuation
                    state.pending[id] = pending
                    return nil
                }
                if let ready { continuation.resume(with: ready.mapError { $0 as any Error }) }
            }
        } catch let error as KafkaError {
            throw error
        } catch {
            throw .connection(broker: address, reason: "\(error)")
        }
        return try withKafkaErrors(submitted.operation) {
            try KafkaFrame.decodeResponse(R.self, version: submitted.version, frame: body).response
        }
    }

    /// True once the connection failed or was closed.
    public var isClosed: Bool { state.withLock { $0.failure != nil } }

    /// Closes the connection; waiting requests fail with ``KafkaError/closed``.
    public func close() { fail(with: .closed) }

    // MARK: - Receiving

    private func startReceiver(maximumResponseSize: Int) {
        let decoder = KafkaFrameDecoder(maximumFrameSize: maximumResponseSize)
        let thread = Thread { [self] in
            self.receiveLoop(decoder: decoder)
        }
        thread.name = "kafka-recv \(address)"
        thread.start()
    }

    /// Frames at least this large are received straight into an array of their own (see ``receiveLoop(decoder:)``).
    static let directReceiveSize = 64 * 1024

    /// Reads frames until the connection fails; every 50 ms sweeps requests past their deadline.
    ///
    /// Small frames are read in chunks into `buffer` and copied out one by one. A frame of
    /// ``directReceiveSize`` or more (a Fetch answer) gets its own array as soon as its size prefix is in:
    /// what `buffer` holds of it is moved there and the rest is received into it directly, so the bulk of a
    /// Fetch response is copied once (kernel → array) and then only read (its records are slices of it).
    private func receiveLoop(decoder: KafkaFrameDecoder) {
        var buffer: [UInt8] = []
        var start = 0
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        var large: [UInt8] = []
        var largeFilled = 0
        while true {
            if isClosed { return }
            sweepDeadlines()
            if largeFilled < large.count {
                let received: Int
                do {
                    received = try withKafkaErrors("receive") {
                        try large.withUnsafeMutableBytes { raw in
                            try socket.receive(into: UnsafeMutableRawBufferPointer(rebasing: raw[largeFilled...]), waitingMilliseconds: 50)
                        }
                    }
                } catch {
                    fail(with: error)
                    return
                }
                largeFilled += received
                guard largeFilled == large.count else { continue }
                let body = large
                large = []
                largeFilled = 0
                if let error = deliver(body) {
                    fail(with: error)
                    return
                }
                continue
            }
            let received: Int
            do {
                received = try withKafkaErrors("receive") {
                    try chunk.withUnsafeMutableBytes { raw in try socket.receive(into: raw, waitingMilliseconds: 50) }
                }
            } catch {
                fail(with: error)
                return
            }
            guard received > 0 else { continue }
            buffer.append(contentsOf: chunk[..<received])
            while true {
                let length: Int?
                do {
                    length = try withKafkaErrors("response frame") {
                        try buffer.withUnsafeBytes { raw in
                            try decoder.nextFrameLength(in: UnsafeRawBufferPointer(rebasing: raw[start...]))
                        }
                    }
                } catch {
                    fail(with: error)
                    return
                }
                guard let length else { break }
                let body = Array(buffer[(start + 4)..<(start + 4 + length)])
                start += 4 + length
                if let error = deliver(body) {
                    fail(with: error)
                    return
                }
            }
            // What is left is the start of an incomplete frame: a large one continues in an array of its own.
            let declared: Int?
            do {
                declared = try withKafkaErrors("response frame") {
                    try buffer.withUnsafeBytes { raw in
                        try decoder.declaredFrameLength(in: UnsafeRawBufferPointer(rebasing: raw[start...]))
                    }
                }
            } catch {
                fail(with: error)
                return
            }
            if let declared, declared >= Self.directReceiveSize {
                large = [UInt8](repeating: 0, count: declared)
                largeFilled = buffer.count - start - 4
                large.withUnsafeMutableBytes { target in
                    buffer.withUnsafeBytes { source in target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[(start + 4)...])) }
                }
                buffer.removeAll(keepingCapacity: true)
                start = 0
                continue
            }
            if start > 0 && start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            } else if start > 1 << 20 {
                buffer.removeFirst(start)
                start = 0
            }
        }
    }

    /// Hands a response body to the task waiting for its correlation id. Late responses of timed-out requests
    /// are dropped; an id never sent is an error that ends the connection.
    private func deliver(_ body: [UInt8]) -> KafkaError? {
        guard body.count >= 4 else { return .invalid(context: "response from \(address)", detail: "no correlation id") }
        let id = Int32(bigEndian: body.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) })
        let (waiting, known): (CheckedContinuation<[UInt8], any Error>?, Bool) = state.withLock { state in
            guard var pending = state.pending[id], pending.outcome == nil else {
                return (nil, id > 0 && id < state.nextCorrelationID)
            }
            if let continuation = pending.continuation {
                state.pending[id] = nil
                return (continuation, true)
            }
            pending.outcome = .success(body)  // submitted, not awaited yet: kept for response(to:)
            state.pending[id] = pending
            return (nil, true)
        }
        if let waiting {
            waiting.resume(returning: body)
            return nil
        }
        return known ? nil : .unexpectedCorrelationID(broker: address, received: id)
    }

    /// Fails the request `id` alone (its late response will be dropped).
    private func abandon(_ id: Int32, with error: KafkaError) {
        let pending = state.withLock { $0.pending.removeValue(forKey: id) }
        pending?.continuation?.resume(throwing: error)
    }

    private func sweepDeadlines() {
        let now = ContinuousClock.now
        let expired: [Pending] = state.withLock { state in
            let ids = state.pending.filter { $0.value.deadline <= now && $0.value.outcome == nil }.map(\.key)
            return ids.compactMap { id in
                guard var pending = state.pending[id] else { return nil }
                if pending.continuation == nil {
                    // Submitted, not awaited yet: the timeout waits for response(to:).
                    pending.outcome = .failure(.timedOut(operation: pending.operation, after: pending.timeout))
                    state.pending[id] = pending
                    return nil
                }
                return state.pending.removeValue(forKey: id)
            }
        }
        for pending in expired {
            pending.continuation?.resume(throwing: KafkaError.timedOut(operation: pending.operation, after: pending.timeout))
        }
    }

    private func fail(with error: KafkaError) {
        let waiting: [Pending] = state.withLock { state in
            if state.failure == nil { state.failure = error }
            var waiting: [Pending] = []
            for (id, var pending) in state.pending {
                if pending.continuation != nil {
                    waiting.append(pending)
                    state.pending[id] = nil
                } else if pending.outcome == nil {
                    pending.outcome = .failure(error)  // submitted, not awaited yet: kept for response(to:)
                    state.pending[id] = pending
                }  // else: its response arrived before the failure and is kept
            }
            return waiting
        }
        socket.shutdownBoth()
        for pending in waiting { pending.continuation?.resume(throwing: error) }
    }
}
