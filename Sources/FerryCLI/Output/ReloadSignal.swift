#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Counts SIGHUPs received since ``ReloadSignal/install()``.
private let reloadsRequested = Atomic<Int>(0)

/// Turns SIGHUP into a counter that the bridge polls to reload its routes from the configuration file.
enum ReloadSignal {
    /// Installs the handler (idempotent).
    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in reloadsRequested.add(1, ordering: .relaxed) }
        signal(SIGHUP, handler)
    }

    /// Whether a SIGHUP came since the last call (several in between count as one reload).
    static func consume() -> Bool { reloadsRequested.exchange(0, ordering: .relaxed) > 0 }
}
