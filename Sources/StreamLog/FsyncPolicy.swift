/// When the LocalLog forces appended records to stable storage.
public enum FsyncPolicy: Sendable, Hashable, CustomStringConvertible {
    /// `fdatasync` after every appended batch, before `append` returns: an acknowledged record survives a
    /// crash of the process or the machine.
    case always
    /// `fdatasync` at most once per interval (checked on append and by a background timer): a machine crash
    /// may lose up to one interval of acknowledged records; a process crash loses nothing already written.
    case interval(Duration)
    /// Never `fdatasync` (the OS writes back when it likes); a process crash still loses nothing written.
    case never

    /// Parses `always`, `never`, `interval` (1 second) or `interval:<n>ms` / `interval:<n>s`.
    public init?(parsing text: String) {
        switch text {
        case "always": self = .always
        case "never": self = .never
        case "interval": self = .interval(.seconds(1))
        default:
            guard text.hasPrefix("interval:") else { return nil }
            let amount = text.dropFirst("interval:".count)
            if amount.hasSuffix("ms"), let ms = Int64(amount.dropLast(2)), ms > 0 {
                self = .interval(.milliseconds(ms))
            } else if amount.hasSuffix("s"), let s = Int64(amount.dropLast(1)), s > 0 {
                self = .interval(.seconds(s))
            } else {
                return nil
            }
        }
    }

    public var description: String {
        switch self {
        case .always: return "always"
        case .never: return "never"
        case let .interval(d):
            let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
            return ms % 1000 == 0 ? "interval:\(ms / 1000)s" : "interval:\(ms)ms"
        }
    }
}
