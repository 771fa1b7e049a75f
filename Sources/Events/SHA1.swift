import Foundation

/// SHA-1 (FIPS 180-4 §6.1, RFC 3174), for name-based UUIDs (RFC 9562 §5.5) only.
///
/// SHA-1 is broken for collision resistance; Ferry uses it solely because UUIDv5 is defined over it. Do not use it
/// to authenticate anything. Incremental: `update` any number of times, then `finalize()` once.
public struct SHA1: Sendable {
    private var h0: UInt32 = 0x6745_2301
    private var h1: UInt32 = 0xEFCD_AB89
    private var h2: UInt32 = 0x98BA_DCFE
    private var h3: UInt32 = 0x1032_5476
    private var h4: UInt32 = 0xC3D2_E1F0
    /// The partial block not yet compressed (fewer than 64 bytes).
    private var pending: [UInt8] = []
    /// Message length so far, in bytes.
    private var length: UInt64 = 0

    /// A hasher with the FIPS 180-4 §5.3.1 initial hash value.
    public init() { pending.reserveCapacity(64) }

    /// The 20-byte digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA1()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Feeds `bytes` to the hash.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Feeds `bytes` to the hash; whole blocks are compressed in place, without copying.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var index = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            index = take
            if pending.count == 64 {
                let block = pending
                block.withUnsafeBytes { compress($0) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        while bytes.count - index >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + 64)]))
            index += 64
        }
        if index < bytes.count { pending.append(contentsOf: bytes[index...]) }
    }

    /// Pads the message (FIPS 180-4 §5.1.1) and returns the 20-byte digest.
    public mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        tail.withUnsafeBytes { block in
            var offset = 0
            while offset < block.count {
                compress(UnsafeRawBufferPointer(rebasing: block[offset..<(offset + 64)]))
                offset += 64
            }
        }
        pending.removeAll()
        var digest: [UInt8] = []
        digest.reserveCapacity(20)
        for word in [h0, h1, h2, h3, h4] {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        return digest
    }

    /// Processes one 64-byte block (for callers in this module that pad the message themselves).
    mutating func compressBlock(_ block: UnsafeRawBufferPointer) { compress(block) }

    /// The first 16 bytes of the digest (after the last block) as an RFC 9562 §5.5 version-5 UUID.
    var versionFiveUUID: UUID {
        func byte(_ word: UInt32, _ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: word >> UInt32(24 - 8 * index)) }
        return UUID(uuid: (
            byte(h0, 0), byte(h0, 1), byte(h0, 2), byte(h0, 3), byte(h1, 0), byte(h1, 1),
            (byte(h1, 2) & 0x0F) | 0x50, byte(h1, 3),
            (byte(h2, 0) & 0x3F) | 0x80, byte(h2, 1), byte(h2, 2), byte(h2, 3),
            byte(h3, 0), byte(h3, 1), byte(h3, 2), byte(h3, 3)))
    }

    /// Processes one 64-byte block (FIPS 180-4 §6.1.2) with the 16-word circular schedule of §6.1.3; the 80 rounds
    /// run as four loops of 20, one per round function, so no round branches on its number.
    private mutating func compress(_ block: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { w in
            for t in 0..<16 {
                w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
            }
            var a = h0, b = h1, c = h2, d = h3, e = h4
            /// Word `t` of the schedule (computed in place for t ≥ 16).
            @inline(__always)
            func word(_ t: Int) -> UInt32 {
                let s = t & 15
                if t >= 16 {
                    let mixed = w[(s + 13) & 15] ^ w[(s + 8) & 15] ^ w[(s + 2) & 15] ^ w[s]
                    w[s] = rotateLeft(mixed, 1)
                }
                return w[s]
            }
            /// One round with the round function's value `f` and constant `k`.
            @inline(__always)
            func round(_ f: UInt32, _ k: UInt32, _ t: Int) {
                let temp = rotateLeft(a, 5) &+ f &+ e &+ k &+ word(t)
                e = d
                d = c
                c = rotateLeft(b, 30)
                b = a
                a = temp
            }
            for t in 0..<20 { round((b & c) | (~b & d), 0x5A82_7999, t) }
            for t in 20..<40 { round(b ^ c ^ d, 0x6ED9_EBA1, t) }
            for t in 40..<60 { round((b & c) | (b & d) | (c & d), 0x8F1B_BCDC, t) }
            for t in 60..<80 { round(b ^ c ^ d, 0xCA62_C1D6, t) }
            h0 &+= a
            h1 &+= b
            h2 &+= c
            h3 &+= d
            h4 &+= e
        }
    }
}

@inline(__always)
private func rotateLeft(_ value: UInt32, _ count: UInt32) -> UInt32 { (value << count) | (value >> (32 - count)) }
