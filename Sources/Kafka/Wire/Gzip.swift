internal import CZlib

/// gzip (RFC 1952) through the system zlib, for record batches with compression codec 1.
enum Gzip {
    /// Compresses `input` into one gzip member.
    static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 6) throws(KafkaError) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw .compression(detail: "deflateInit2 failed (\(status))") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let result: Int32 = output.withUnsafeMutableBytes { out in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(input.count)
            stream.next_out = out.baseAddress?.assumingMemoryBound(to: UInt8.self)
            stream.avail_out = UInt32(out.count)
            return deflate(&stream, Z_FINISH)
        }
        guard result == Z_STREAM_END else { throw .compression(detail: "deflate did not finish (\(result))") }
        output.removeLast(Int(stream.avail_out))
        return output
    }

    /// Decompresses gzip data (one or more members); more than `maximumSize` bytes of output throws.
    static func decompress(_ input: UnsafeRawBufferPointer, maximumSize: Int) throws(KafkaError) -> [UInt8] {
        var stream = z_stream()
        let status = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw .compression(detail: "inflateInit2 failed (\(status))") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(16 * 1024, min(input.count * 4, 1 << 20)))
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        while true {
            let (result, produced): (Int32, Int) = chunk.withUnsafeMutableBytes { out in
                stream.next_out = out.baseAddress?.assumingMemoryBound(to: UInt8.self)
                stream.avail_out = UInt32(out.count)
                let result = inflate(&stream, Z_NO_FLUSH)
                return (result, out.count - Int(stream.avail_out))
            }
            output.append(contentsOf: chunk[..<produced])
            guard output.count <= maximumSize else {
                throw .tooLarge(what: "decompressed record batch", size: output.count, maximum: maximumSize)
            }
            switch result {
            case Z_STREAM_END:
                // Concatenated members: start over while input remains.
                if stream.avail_in == 0 { return output }
                guard inflateReset(&stream) == Z_OK else { throw .compression(detail: "inflateReset failed") }
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_in == 0:
                throw .compression(detail: "input ends inside the compressed data")
            default:
                throw .compression(detail: "inflate failed (\(result))")
            }
        }
    }
}
