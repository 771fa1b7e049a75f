#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Set by the SIGINT/SIGTERM handler installed by ``StopSignal/install()``.
private let stopRequested = Atomic<Bool>(false)

/// Turns SIGINT and SIGTERM into a flag that long-running commands poll, so they can finish their current
/// step, flush and exit 0 instead of dying mid-write.
enum StopSignal {
    /// Installs the handlers (idempotent).
    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in stopRequested.store(true, ordering: .relaxed) }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// Whether a stop was requested since ``install()``.
    static var isRequested: Bool { stopRequested.load(ordering: .relaxed) }
}
