/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by Kafka's RecordBatch v2,
/// iSCSI and ext4. Slice-by-16 in software (about 2–3 GB/s on one core).
public enum CRC32C {
    /// The CRC-32C of `bytes`.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0, bytes)
    }

    /// The CRC-32C of `bytes`.
    @inlinable
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        if let fast = bytes.withContiguousStorageIfAvailable({ update(0, UnsafeRawBufferPointer($0)) }) {
            return fast
        }
        return Array(bytes).withUnsafeBytes { update(0, $0) }
    }

    /// Continues a CRC-32C over more bytes: `update(checksum(a), b) == checksum(a + b)`.
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        let t = Tables.pointer
        var c = ~crc
        var p = base
        var n = bytes.count
        @inline(__always) func at(_ table: Int, _ index: UInt32) -> UInt32 { t[table &<< 8 | Int(index & 0xFF)] }
        while n >= 16 {
            let a = UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)) ^ c
            let b = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            let d = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            let e = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
            c = at(15, a) ^ at(14, a >> 8) ^ at(13, a >> 16) ^ at(12, a >> 24)
                ^ at(11, b) ^ at(10, b >> 8) ^ at(9, b >> 16) ^ at(8, b >> 24)
                ^ at(7, d) ^ at(6, d >> 8) ^ at(5, d >> 16) ^ at(4, d >> 24)
                ^ at(3, e) ^ at(2, e >> 8) ^ at(1, e >> 16) ^ at(0, e >> 24)
            p += 16
            n &-= 16
        }
        while n > 0 {
            c = t[Int((c ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (c >> 8)
            p += 1
            n &-= 1
        }
        return ~c
    }

    /// Sixteen 256-entry tables laid end to end, allocated once and never freed.
    enum Tables {
        // Written once during lazy initialisation, read-only afterwards.
        nonisolated(unsafe) static let pointer: UnsafePointer<UInt32> = {
            let table = UnsafeMutablePointer<UInt32>.allocate(capacity: 16 * 256)
            for i in 0..<256 {
                var c = UInt32(i)
                for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
                table[i] = c
            }
            for i in 0..<256 {
                var c = table[i]
                for k in 1..<16 {
                    c = table[Int(c & 0xFF)] ^ (c >> 8)
                    table[k * 256 + i] = c
                }
            }
            return UnsafePointer(table)
        }()
    }
}
