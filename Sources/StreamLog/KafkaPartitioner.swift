/// Apache Kafka's default partitioner for keyed records, bit for bit: murmur2 (seed 0x9747b28c) of the key
/// bytes, masked positive with `& 0x7fffffff`, modulo the partition count. The same key lands in the same
/// partition number here, in a Kafka broker fed by Ferry, and from Java producers.
public enum KafkaPartitioner {
    /// The partition for `key` among `partitionCount` partitions.
    @inlinable
    public static func partition(forKey key: some Collection<UInt8>, partitionCount: Int) -> Int {
        precondition(partitionCount > 0, "partitionCount must be positive")
        return Int(toPositive(murmur2(key))) % partitionCount
    }

    /// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`, so `Int32.min` maps to 0).
    @inlinable
    public static func toPositive(_ value: Int32) -> Int32 { value & 0x7FFF_FFFF }

    /// Kafka's `Utils.murmur2` (MurmurHash2, 32-bit, seed 0x9747b28c), as a signed Java int.
    public static func murmur2(_ key: some Collection<UInt8>) -> Int32 {
        if let hash = key.withContiguousStorageIfAvailable({ murmur2(UnsafeRawBufferPointer($0)) }) { return hash }
        return Array(key).withUnsafeBytes { murmur2($0) }
    }

    /// Kafka's `Utils.murmur2` over raw bytes.
    public static func murmur2(_ data: UnsafeRawBufferPointer) -> Int32 {
        let length = data.count
        let seed: UInt32 = 0x9747_B28C
        let m: UInt32 = 0x5BD1_E995
        let r: UInt32 = 24
        var h: UInt32 = seed ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for i in 0..<blocks {
            var k = UInt32(littleEndian: data.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = blocks * 4
        switch length & 3 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 1:
            h ^= UInt32(data[tail])
            h = h &* m
        default: break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }
}
