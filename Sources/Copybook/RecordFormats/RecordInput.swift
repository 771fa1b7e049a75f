#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A source of bytes for a ``RecordReader``: a file, a pipe, stdin, or memory.
public protocol RecordInput {
    /// Reads up to `buffer.count` bytes into `buffer`; returns how many, 0 only at the end of the input.
    /// `offset` is the input offset of the first byte, for error reports.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer, offset: Int) throws(RecordFormatError) -> Int
}

/// Reads from a POSIX file descriptor (a file, a pipe, stdin); retries on EINTR. The caller keeps ownership of the
/// descriptor: it is not closed.
public struct FileDescriptorInput: RecordInput, Sendable {
    /// The descriptor read from.
    public let fileDescriptor: Int32

    /// An input over `fileDescriptor` (0 for stdin).
    public init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer, offset: Int) throws(RecordFormatError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = systemRead(fileDescriptor, base, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw .readFailed(offset: offset, errno: errno)
        }
    }
}

/// Reads from bytes in memory, optionally at most `chunkSize` bytes per read (to test incremental framing).
public struct ByteArrayInput: RecordInput, Sendable {
    /// The bytes to hand out.
    public let bytes: [UInt8]
    /// The largest read handed out; nil for no limit. Default: nil.
    public var chunkSize: Int?
    private var position = 0

    /// An input over `bytes`.
    public init(_ bytes: [UInt8], chunkSize: Int? = nil) {
        self.bytes = bytes
        self.chunkSize = chunkSize
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer, offset: Int) throws(RecordFormatError) -> Int {
        let count = min(buffer.count, bytes.count - position, chunkSize ?? Int.max)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }
}

/// A destination for a ``RecordWriter``: a file, a pipe, stdout, or memory.
public protocol RecordOutput {
    /// Writes all of `bytes`. `offset` is the output offset of the first byte, for error reports.
    mutating func write(_ bytes: UnsafeRawBufferPointer, offset: Int) throws(RecordFormatError)
}

/// Writes to a POSIX file descriptor, looping over partial writes and EINTR. The descriptor is not closed.
public struct FileDescriptorOutput: RecordOutput, Sendable {
    /// The descriptor written to.
    public let fileDescriptor: Int32

    /// An output over `fileDescriptor` (1 for stdout).
    public init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    public mutating func write(_ bytes: UnsafeRawBufferPointer, offset: Int) throws(RecordFormatError) {
        guard var next = bytes.baseAddress else { return }
        var left = bytes.count
        var written = 0
        while left > 0 {
            let count = systemWrite(fileDescriptor, next, left)
            if count < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(offset: offset + written, errno: errno)
            }
            next += count
            left -= count
            written += count
        }
    }
}

/// Collects written bytes in memory.
public struct ByteArrayOutput: RecordOutput, Sendable {
    /// Everything written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty output.
    public init() {}

    public mutating func write(_ bytes: UnsafeRawBufferPointer, offset: Int) throws(RecordFormatError) {
        self.bytes.append(contentsOf: bytes)
    }
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
    return read(descriptor, buffer, count)
    #endif
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
    return write(descriptor, buffer, count)
    #endif
}
