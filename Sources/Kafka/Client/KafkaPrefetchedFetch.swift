/// A Fetch sent ahead of the caller: started at once on a task of its own, its answer taken later with
/// ``answer()``. Dropping the last reference cancels the request (the connection abandons its correlation id).
final class KafkaPrefetchedFetch<Answer: Sendable>: Sendable {
    private let task: Task<Result<Answer, KafkaError>, Never>

    /// Sends the Fetch that `body` makes, now.
    init(_ body: @escaping @Sendable () async throws(KafkaError) -> Answer) {
        task = Task {
            do throws(KafkaError) {
                return .success(try await body())
            } catch {
                return .failure(error)
            }
        }
    }

    /// Waits for the answer, or the error the Fetch ended with.
    func answer() async throws(KafkaError) -> Answer { try await task.value.get() }

    deinit { task.cancel() }
}
