/// Jittered exponential backoff between attempts of an operation that fails for a while (a broker down, a
/// timeout): after each failure the wait is drawn from [ceiling / 2, ceiling], and the ceiling doubles from
/// `initial` up to `maximum`.
struct RetryBackoff: Sendable {
    /// The first ceiling. Default of every pipeline: `retryBackoffMilliseconds`.
    let initial: Duration
    /// The largest ceiling. Default of every pipeline: `maxRetryBackoffMilliseconds`.
    let maximum: Duration
    private var ceiling: Duration

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
        self.ceiling = initial
    }

    /// Sleeps the next jittered delay and raises the ceiling. Cancellation ends the sleep with `CancellationError`.
    mutating func wait() async throws {
        try await Task.sleep(for: ceiling * Double.random(in: 0.5...1.0))
        ceiling = min(ceiling * 2, maximum)
    }

    /// Runs `operation` until it succeeds. After each failure it calls `failed` and waits; once it succeeds after
    /// failures it calls `recovered`. A failure `isPermanent` calls true is thrown at once (not counted as a
    /// retry); cancellation ends it with `CancellationError`.
    static func retrying<T>(
        initial: Duration, maximum: Duration, isPermanent: (any Error) -> Bool = { _ in false },
        failed: () -> Void, recovered: () -> Void, _ operation: () async throws -> T
    ) async throws -> T {
        var backoff = RetryBackoff(initial: initial, maximum: maximum)
        var hasFailed = false
        while true {
            do {
                let result = try await operation()
                if hasFailed { recovered() }
                return result
            } catch {
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                if isPermanent(error) { throw error }
                hasFailed = true
                failed()
                try await backoff.wait()
            }
        }
    }
}
