#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thin owner-less wrapper over a POSIX file descriptor; every failure becomes ``StreamLogError/io``
/// naming the operation and the path.
struct FileDescriptor: Sendable {
    let raw: Int32
    let path: String

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(StreamLogError) -> FileDescriptor {
        let fd = path.withCString { Glibc.open($0, flags | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw .fromErrno("open", path) }
        return FileDescriptor(raw: fd, path: path)
    }

    func close() { _ = Glibc.close(raw) }

    /// Writes all of `bytes` at `offset`, retrying short writes.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(StreamLogError) {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        var at = offset
        while left > 0 {
            let n = pwrite(raw, p, left, off_t(at))
            if n < 0 {
                if errno == EINTR { continue }
                throw .fromErrno("write", path)
            }
            p += n
            left -= n
            at += Int64(n)
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(StreamLogError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = pread(raw, base + done, buffer.count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw .fromErrno("read", path)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    func size() throws(StreamLogError) -> Int64 {
        var st = stat()
        guard fstat(raw, &st) == 0 else { throw .fromErrno("stat", path) }
        return Int64(st.st_size)
    }

    func sync() throws(StreamLogError) {
        guard fdatasync(raw) == 0 else { throw .fromErrno("fdatasync", path) }
    }

    func truncate(to length: Int64) throws(StreamLogError) {
        guard ftruncate(raw, off_t(length)) == 0 else { throw .fromErrno("truncate", path) }
    }
}

/// Directory and path operations the LocalLog needs.
enum FileSystem {
    static func makeDirectory(_ path: String) throws(StreamLogError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw .fromErrno("mkdir", path) }
    }

    static func makeDirectories(_ path: String) throws(StreamLogError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            try makeDirectory(current)
        }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func modificationTime(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec) / 1_000_000
    }

    static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    static func list(_ path: String) throws(StreamLogError) -> [String] {
        guard let dir = opendir(path) else { throw .fromErrno("opendir", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func remove(_ path: String) throws(StreamLogError) {
        if unlink(path) != 0 && errno != ENOENT { throw .fromErrno("unlink", path) }
    }

    static func rename(_ from: String, _ to: String) throws(StreamLogError) {
        guard Glibc.rename(from, to) == 0 else { throw .fromErrno("rename", from) }
    }

    /// fsyncs a directory so that created, renamed or removed entries are durable.
    static func syncDirectory(_ path: String) throws(StreamLogError) {
        let fd = try FileDescriptor.open(path, O_RDONLY | O_DIRECTORY)
        defer { fd.close() }
        guard fsync(fd.raw) == 0 else { throw .fromErrno("fsync", path) }
    }

    /// Writes `bytes` to `path` atomically: a temporary file, fsync, rename, fsync of the directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String, sync: Bool) throws(StreamLogError) {
        let temporary = path + ".tmp"
        let fd = try FileDescriptor.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
        do throws(StreamLogError) {
            try bytes.withRawBytes { (raw) throws(StreamLogError) in try fd.write(raw, at: 0) }
            if sync { try fd.sync() }
        } catch {
            fd.close()
            throw error
        }
        fd.close()
        try rename(temporary, path)
        if sync { try syncDirectory(parent(of: path)) }
    }

    static func readWhole(_ path: String) throws(StreamLogError) -> [UInt8] {
        let fd = try FileDescriptor.open(path, O_RDONLY)
        defer { fd.close() }
        let size = Int(try fd.size())
        var bytes = [UInt8](repeating: 0, count: size)
        let n = try bytes.withMutableRawBytes { (raw) throws(StreamLogError) in try fd.read(into: raw, at: 0) }
        return Array(bytes.prefix(n))
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

extension StreamLogError {
    static func fromErrno(_ operation: String, _ path: String) -> StreamLogError {
        let code = errno
        return .io(operation: operation, path: path, errno: code, message: String(cString: strerror(code)))
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` keeping the closure's typed error.
    func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws(StreamLogError) -> R) throws(StreamLogError) -> R {
        let result: Result<R, StreamLogError> = withUnsafeBytes { raw in
            do throws(StreamLogError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// `withUnsafeMutableBytes` keeping the closure's typed error.
    mutating func withMutableRawBytes<R>(
        _ body: (UnsafeMutableRawBufferPointer) throws(StreamLogError) -> R
    ) throws(StreamLogError) -> R {
        let result: Result<R, StreamLogError> = withUnsafeMutableBytes { raw in
            do throws(StreamLogError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
