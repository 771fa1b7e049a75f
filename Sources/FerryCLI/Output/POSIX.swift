import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, module-internal names for the system calls the CLI's streams use, so types with their own
/// `read`/`write` methods can reach them.
enum POSIX {
    static func write(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, buffer, count)
        #else
        Darwin.write(descriptor, buffer, count)
        #endif
    }

    static func read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
        #else
        Darwin.read(descriptor, buffer, count)
        #endif
    }

    static func open(_ path: String) -> Int32 {
        #if canImport(Glibc)
        Glibc.open(path, O_RDONLY | O_CLOEXEC)
        #else
        Darwin.open(path, O_RDONLY | O_CLOEXEC)
        #endif
    }

    static func close(_ descriptor: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(descriptor)
        #else
        _ = Darwin.close(descriptor)
        #endif
    }

    /// The current `errno`.
    static var lastError: Int32 { errno }

    /// Opens the input a command names: standard input for `-`, else the file, read-only. Close it with
    /// ``closeInput(_:)``. Throws ``CommandError/io(operation:path:reason:)`` naming the file.
    static func openInput(_ path: String) throws(CommandError) -> Int32 {
        if path == "-" { return 0 }
        let descriptor = open(path)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, reason: message(lastError)) }
        return descriptor
    }

    /// Closes what ``openInput(_:)`` opened (standard input stays open).
    static func closeInput(_ descriptor: Int32) {
        if descriptor != 0 { close(descriptor) }
    }

    /// The system's message for an `errno` value.
    static func message(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Milliseconds since the Unix epoch, from the real-time clock.
    static func currentTimeMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

extension POSIX {
    /// The process environment as a dictionary (the first definition of a repeated name wins).
    static func environment() -> [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                let name = String(text[..<equals])
                if result[name] == nil { result[name] = String(text[text.index(after: equals)...]) }
            }
            cursor += 1
        }
        return result
    }
}

extension POSIX {
    /// True when `descriptor` is a terminal (progress lines are shown only then).
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }
}
