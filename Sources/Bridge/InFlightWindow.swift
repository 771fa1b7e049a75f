import LegacyQueue
import StreamLog
import Synchronization

/// The hand-off between a pipeline's receiving side and its appending side: messages received and converted
/// wait here, in receive order, until the appender takes them; a message holds one of `capacity` places from
/// before it is received until it is acknowledged, so at most `capacity` are ever unacknowledged
/// (back-pressure: the receiver waits for a place before it reads the source).
///
/// A state machine behind a `Mutex`; continuations are resumed after the lock is released.
final class InFlightWindow: Sendable {
    /// A received message with the records it converted to.
    struct Entry: Sendable {
        let message: ReceivedMessage
        let records: [StreamRecord]
    }

    private struct State {
        var pending: [Entry] = []
        /// Places held: pending entries, entries being appended or acknowledged, and one reserved by a receive.
        var held = 0
        var isFinished = false
        var isCancelled = false
        var roomWaiter: CheckedContinuation<Void, any Error>?
        var workWaiter: CheckedContinuation<[Entry]?, any Error>?
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Waits until a place is free and takes it (the receiver calls this before each receive).
    func reservePlace() async throws {
        let taken: Bool = state.withLock { state in
            guard !state.isCancelled, state.held < capacity else { return false }
            state.held += 1
            return true
        }
        if taken { return }  // no continuation while there is room (the common case)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let ready: Result<Void, any Error>? = state.withLock { state in
                if state.isCancelled { return .failure(CancellationError()) }
                if state.held < capacity {
                    state.held += 1
                    return .success(())
                }
                state.roomWaiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Gives back places: a reserved place whose receive brought nothing, or messages now settled.
    func release(_ count: Int) {
        guard count > 0 else { return }
        let waiter: CheckedContinuation<Void, any Error>? = state.withLock { state in
            state.held -= count
            guard state.held < capacity, let waiter = state.roomWaiter else { return nil }
            state.roomWaiter = nil
            state.held += 1
            return waiter
        }
        waiter?.resume()
    }

    /// Queues a received message (its place was reserved) for the appender.
    func submit(_ entry: Entry) {
        let handOff: (CheckedContinuation<[Entry]?, any Error>, [Entry])? = state.withLock { state in
            state.pending.append(entry)
            guard let waiter = state.workWaiter else { return nil }
            state.workWaiter = nil
            let taken = state.pending
            state.pending.removeAll(keepingCapacity: true)
            return (waiter, taken)
        }
        if let (waiter, taken) = handOff { waiter.resume(returning: taken) }
    }

    /// Everything pending, in receive order, waiting for at least one entry; nil once the receiver finished
    /// and nothing is left.
    func takePending() async throws -> [Entry]? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Entry]?, any Error>) in
            let ready: Result<[Entry]?, any Error>? = state.withLock { state in
                if state.isCancelled { return .failure(CancellationError()) }
                if !state.pending.isEmpty {
                    let taken = state.pending
                    state.pending.removeAll(keepingCapacity: true)
                    return .success(taken)
                }
                if state.isFinished { return .success(nil) }
                state.workWaiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// The receiver stopped: the appender drains what is pending, then ``takePending()`` returns nil.
    func finish() {
        let waiter = state.withLock { state in
            state.isFinished = true
            defer { state.workWaiter = nil }
            return state.pending.isEmpty ? state.workWaiter : nil
        }
        waiter?.resume(returning: nil)
    }

    /// Ends every wait with `CancellationError` (the pipeline was cancelled or one side failed).
    func cancel() {
        let (room, work) = state.withLock { state in
            state.isCancelled = true
            defer {
                state.roomWaiter = nil
                state.workWaiter = nil
            }
            return (state.roomWaiter, state.workWaiter)
        }
        room?.resume(throwing: CancellationError())
        work?.resume(throwing: CancellationError())
    }
}
