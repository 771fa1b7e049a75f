import LegacyQueue
import Synchronization

/// Group commit for sends that many tasks make at once (replies to many callers): a send joins the batch that
/// is waiting, one task sends the whole batch with ``LegacyQueue/send(_:)-([(message:destination:)])`` (on STOMP one
/// transaction, so one journal write for the batch instead of one per persistent reply), and every sender
/// returns when the batch it joined is accepted, or throws the batch's error.
///
/// Without it, persistent replies on one STOMP connection are stored one after the other (the broker handles a
/// connection's frames in order), so reply throughput is one journal write per reply.
final class QueueSendCoalescer: Sendable {
    private struct Waiting: Sendable {
        let message: QueueMessage
        let destination: String
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var isFlushing = false
    }

    private let queue: any LegacyQueue
    private let maximumBatch: Int
    private let state = Mutex(State())

    /// Sends through `queue`, at most `maximumBatch` messages per batch.
    init(queue: any LegacyQueue, maximumBatch: Int = 500) {
        self.queue = queue
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Puts `message` on `destination` with the next batch; returns once the queue accepted that batch.
    func send(_ message: QueueMessage, to destination: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startsFlushing = state.withLock { state -> Bool in
                state.waiting.append(Waiting(message: message, destination: destination, continuation: continuation))
                if state.isFlushing { return false }
                state.isFlushing = true
                return true
            }
            if startsFlushing { Task { await self.flush() } }
        }
    }

    /// Sends batches until none is waiting.
    private func flush() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let count = min(state.waiting.count, maximumBatch)
                let batch = Array(state.waiting.prefix(count))
                state.waiting.removeFirst(count)
                if batch.isEmpty { state.isFlushing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try await queue.send(batch.map { (message: $0.message, destination: $0.destination) })
                for waiting in batch { waiting.continuation.resume() }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
