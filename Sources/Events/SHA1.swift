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
    /// (`pending` stays unallocated until a partial block is left over: the one-shot `digest(prefix:message:)`
    /// path never allocates.)
    public init() {}

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
    var versionFiveUUID: UUID { Self.versionFiveUUID(h0, h1, h2, h3) }

    /// The version-5 UUID of a digest whose first four words are `h0`…`h3`: its first 16 bytes, with the version
    /// and variant bits set.
    @inline(__always)
    static func versionFiveUUID(_ h0: UInt32, _ h1: UInt32, _ h2: UInt32, _ h3: UInt32) -> UUID {
        func byte(_ word: UInt32, _ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: word >> UInt32(24 - 8 * index)) }
        return UUID(uuid: (
            byte(h0, 0), byte(h0, 1), byte(h0, 2), byte(h0, 3), byte(h1, 0), byte(h1, 1),
            (byte(h1, 2) & 0x0F) | 0x50, byte(h1, 3),
            (byte(h2, 0) & 0x3F) | 0x80, byte(h2, 1), byte(h2, 2), byte(h2, 3),
            byte(h3, 0), byte(h3, 1), byte(h3, 2), byte(h3, 3)))
    }

    /// Processes one 64-byte block (FIPS 180-4 §6.1.2).
    private mutating func compress(_ block: UnsafeRawBufferPointer) {
        assert(block.count >= 64, "SHA-1 compresses whole 64-byte blocks")
        Self.compress(block.baseAddress!, &h0, &h1, &h2, &h3, &h4)
    }

    /// The compression function (FIPS 180-4 §6.1.2) over the 64 bytes at `block`, fully unrolled: the 16-word
    /// circular schedule of §6.1.3 lives in sixteen locals (`w0`…`w15`, word `t` in `w(t mod 16)`, recomputed in
    /// place for t ≥ 16) and the five working variables are renamed from round to round instead of shifted, so no
    /// round loads from memory, branches or checks a bound. Rounds 40–59 use the equivalent majority
    /// `(b ∧ c) ∨ (d ∧ (b ∨ c))`. Generated: each round `t` is `e += rotl(a, 5) + K + W[t] + f(b, c, d)`,
    /// `b = rotl(b, 30)` with (a, b, c, d, e) rotated one place right after it.
    private static func compress(
        _ block: UnsafeRawPointer,
        _ h0: inout UInt32, _ h1: inout UInt32, _ h2: inout UInt32, _ h3: inout UInt32, _ h4: inout UInt32
    ) {
        let k0: UInt32 = 0x5A82_7999
        let k1: UInt32 = 0x6ED9_EBA1
        let k2: UInt32 = 0x8F1B_BCDC
        let k3: UInt32 = 0xCA62_C1D6
        var w0 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        var w1 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        var w2 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        var w3 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        var w4 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        var w5 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        var w6 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        var w7 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 28, as: UInt32.self))
        var w8 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 32, as: UInt32.self))
        var w9 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 36, as: UInt32.self))
        var w10 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 40, as: UInt32.self))
        var w11 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 44, as: UInt32.self))
        var w12 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 48, as: UInt32.self))
        var w13 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 52, as: UInt32.self))
        var w14 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 56, as: UInt32.self))
        var w15 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 60, as: UInt32.self))
        var a = h0, b = h1, c = h2, d = h3, e = h4
        e &+= rotateLeft(a, 5) &+ k0 &+ w0
        e &+= (b & c) | (~b & d)
        b = rotateLeft(b, 30)
        d &+= rotateLeft(e, 5) &+ k0 &+ w1
        d &+= (a & b) | (~a & c)
        a = rotateLeft(a, 30)
        c &+= rotateLeft(d, 5) &+ k0 &+ w2
        c &+= (e & a) | (~e & b)
        e = rotateLeft(e, 30)
        b &+= rotateLeft(c, 5) &+ k0 &+ w3
        b &+= (d & e) | (~d & a)
        d = rotateLeft(d, 30)
        a &+= rotateLeft(b, 5) &+ k0 &+ w4
        a &+= (c & d) | (~c & e)
        c = rotateLeft(c, 30)
        e &+= rotateLeft(a, 5) &+ k0 &+ w5
        e &+= (b & c) | (~b & d)
        b = rotateLeft(b, 30)
        d &+= rotateLeft(e, 5) &+ k0 &+ w6
        d &+= (a & b) | (~a & c)
        a = rotateLeft(a, 30)
        c &+= rotateLeft(d, 5) &+ k0 &+ w7
        c &+= (e & a) | (~e & b)
        e = rotateLeft(e, 30)
        b &+= rotateLeft(c, 5) &+ k0 &+ w8
        b &+= (d & e) | (~d & a)
        d = rotateLeft(d, 30)
        a &+= rotateLeft(b, 5) &+ k0 &+ w9
        a &+= (c & d) | (~c & e)
        c = rotateLeft(c, 30)
        e &+= rotateLeft(a, 5) &+ k0 &+ w10
        e &+= (b & c) | (~b & d)
        b = rotateLeft(b, 30)
        d &+= rotateLeft(e, 5) &+ k0 &+ w11
        d &+= (a & b) | (~a & c)
        a = rotateLeft(a, 30)
        c &+= rotateLeft(d, 5) &+ k0 &+ w12
        c &+= (e & a) | (~e & b)
        e = rotateLeft(e, 30)
        b &+= rotateLeft(c, 5) &+ k0 &+ w13
        b &+= (d & e) | (~d & a)
        d = rotateLeft(d, 30)
        a &+= rotateLeft(b, 5) &+ k0 &+ w14
        a &+= (c & d) | (~c & e)
        c = rotateLeft(c, 30)
        e &+= rotateLeft(a, 5) &+ k0 &+ w15
        e &+= (b & c) | (~b & d)
        b = rotateLeft(b, 30)
        w0 = rotateLeft(w13 ^ w8 ^ w2 ^ w0, 1)
        d &+= rotateLeft(e, 5) &+ k0 &+ w0
        d &+= (a & b) | (~a & c)
        a = rotateLeft(a, 30)
        w1 = rotateLeft(w14 ^ w9 ^ w3 ^ w1, 1)
        c &+= rotateLeft(d, 5) &+ k0 &+ w1
        c &+= (e & a) | (~e & b)
        e = rotateLeft(e, 30)
        w2 = rotateLeft(w15 ^ w10 ^ w4 ^ w2, 1)
        b &+= rotateLeft(c, 5) &+ k0 &+ w2
        b &+= (d & e) | (~d & a)
        d = rotateLeft(d, 30)
        w3 = rotateLeft(w0 ^ w11 ^ w5 ^ w3, 1)
        a &+= rotateLeft(b, 5) &+ k0 &+ w3
        a &+= (c & d) | (~c & e)
        c = rotateLeft(c, 30)
        w4 = rotateLeft(w1 ^ w12 ^ w6 ^ w4, 1)
        e &+= rotateLeft(a, 5) &+ k1 &+ w4
        e &+= b ^ c ^ d
        b = rotateLeft(b, 30)
        w5 = rotateLeft(w2 ^ w13 ^ w7 ^ w5, 1)
        d &+= rotateLeft(e, 5) &+ k1 &+ w5
        d &+= a ^ b ^ c
        a = rotateLeft(a, 30)
        w6 = rotateLeft(w3 ^ w14 ^ w8 ^ w6, 1)
        c &+= rotateLeft(d, 5) &+ k1 &+ w6
        c &+= e ^ a ^ b
        e = rotateLeft(e, 30)
        w7 = rotateLeft(w4 ^ w15 ^ w9 ^ w7, 1)
        b &+= rotateLeft(c, 5) &+ k1 &+ w7
        b &+= d ^ e ^ a
        d = rotateLeft(d, 30)
        w8 = rotateLeft(w5 ^ w0 ^ w10 ^ w8, 1)
        a &+= rotateLeft(b, 5) &+ k1 &+ w8
        a &+= c ^ d ^ e
        c = rotateLeft(c, 30)
        w9 = rotateLeft(w6 ^ w1 ^ w11 ^ w9, 1)
        e &+= rotateLeft(a, 5) &+ k1 &+ w9
        e &+= b ^ c ^ d
        b = rotateLeft(b, 30)
        w10 = rotateLeft(w7 ^ w2 ^ w12 ^ w10, 1)
        d &+= rotateLeft(e, 5) &+ k1 &+ w10
        d &+= a ^ b ^ c
        a = rotateLeft(a, 30)
        w11 = rotateLeft(w8 ^ w3 ^ w13 ^ w11, 1)
        c &+= rotateLeft(d, 5) &+ k1 &+ w11
        c &+= e ^ a ^ b
        e = rotateLeft(e, 30)
        w12 = rotateLeft(w9 ^ w4 ^ w14 ^ w12, 1)
        b &+= rotateLeft(c, 5) &+ k1 &+ w12
        b &+= d ^ e ^ a
        d = rotateLeft(d, 30)
        w13 = rotateLeft(w10 ^ w5 ^ w15 ^ w13, 1)
        a &+= rotateLeft(b, 5) &+ k1 &+ w13
        a &+= c ^ d ^ e
        c = rotateLeft(c, 30)
        w14 = rotateLeft(w11 ^ w6 ^ w0 ^ w14, 1)
        e &+= rotateLeft(a, 5) &+ k1 &+ w14
        e &+= b ^ c ^ d
        b = rotateLeft(b, 30)
        w15 = rotateLeft(w12 ^ w7 ^ w1 ^ w15, 1)
        d &+= rotateLeft(e, 5) &+ k1 &+ w15
        d &+= a ^ b ^ c
        a = rotateLeft(a, 30)
        w0 = rotateLeft(w13 ^ w8 ^ w2 ^ w0, 1)
        c &+= rotateLeft(d, 5) &+ k1 &+ w0
        c &+= e ^ a ^ b
        e = rotateLeft(e, 30)
        w1 = rotateLeft(w14 ^ w9 ^ w3 ^ w1, 1)
        b &+= rotateLeft(c, 5) &+ k1 &+ w1
        b &+= d ^ e ^ a
        d = rotateLeft(d, 30)
        w2 = rotateLeft(w15 ^ w10 ^ w4 ^ w2, 1)
        a &+= rotateLeft(b, 5) &+ k1 &+ w2
        a &+= c ^ d ^ e
        c = rotateLeft(c, 30)
        w3 = rotateLeft(w0 ^ w11 ^ w5 ^ w3, 1)
        e &+= rotateLeft(a, 5) &+ k1 &+ w3
        e &+= b ^ c ^ d
        b = rotateLeft(b, 30)
        w4 = rotateLeft(w1 ^ w12 ^ w6 ^ w4, 1)
        d &+= rotateLeft(e, 5) &+ k1 &+ w4
        d &+= a ^ b ^ c
        a = rotateLeft(a, 30)
        w5 = rotateLeft(w2 ^ w13 ^ w7 ^ w5, 1)
        c &+= rotateLeft(d, 5) &+ k1 &+ w5
        c &+= e ^ a ^ b
        e = rotateLeft(e, 30)
        w6 = rotateLeft(w3 ^ w14 ^ w8 ^ w6, 1)
        b &+= rotateLeft(c, 5) &+ k1 &+ w6
        b &+= d ^ e ^ a
        d = rotateLeft(d, 30)
        w7 = rotateLeft(w4 ^ w15 ^ w9 ^ w7, 1)
        a &+= rotateLeft(b, 5) &+ k1 &+ w7
        a &+= c ^ d ^ e
        c = rotateLeft(c, 30)
        w8 = rotateLeft(w5 ^ w0 ^ w10 ^ w8, 1)
        e &+= rotateLeft(a, 5) &+ k2 &+ w8
        e &+= (b & c) | (d & (b | c))
        b = rotateLeft(b, 30)
        w9 = rotateLeft(w6 ^ w1 ^ w11 ^ w9, 1)
        d &+= rotateLeft(e, 5) &+ k2 &+ w9
        d &+= (a & b) | (c & (a | b))
        a = rotateLeft(a, 30)
        w10 = rotateLeft(w7 ^ w2 ^ w12 ^ w10, 1)
        c &+= rotateLeft(d, 5) &+ k2 &+ w10
        c &+= (e & a) | (b & (e | a))
        e = rotateLeft(e, 30)
        w11 = rotateLeft(w8 ^ w3 ^ w13 ^ w11, 1)
        b &+= rotateLeft(c, 5) &+ k2 &+ w11
        b &+= (d & e) | (a & (d | e))
        d = rotateLeft(d, 30)
        w12 = rotateLeft(w9 ^ w4 ^ w14 ^ w12, 1)
        a &+= rotateLeft(b, 5) &+ k2 &+ w12
        a &+= (c & d) | (e & (c | d))
        c = rotateLeft(c, 30)
        w13 = rotateLeft(w10 ^ w5 ^ w15 ^ w13, 1)
        e &+= rotateLeft(a, 5) &+ k2 &+ w13
        e &+= (b & c) | (d & (b | c))
        b = rotateLeft(b, 30)
        w14 = rotateLeft(w11 ^ w6 ^ w0 ^ w14, 1)
        d &+= rotateLeft(e, 5) &+ k2 &+ w14
        d &+= (a & b) | (c & (a | b))
        a = rotateLeft(a, 30)
        w15 = rotateLeft(w12 ^ w7 ^ w1 ^ w15, 1)
        c &+= rotateLeft(d, 5) &+ k2 &+ w15
        c &+= (e & a) | (b & (e | a))
        e = rotateLeft(e, 30)
        w0 = rotateLeft(w13 ^ w8 ^ w2 ^ w0, 1)
        b &+= rotateLeft(c, 5) &+ k2 &+ w0
        b &+= (d & e) | (a & (d | e))
        d = rotateLeft(d, 30)
        w1 = rotateLeft(w14 ^ w9 ^ w3 ^ w1, 1)
        a &+= rotateLeft(b, 5) &+ k2 &+ w1
        a &+= (c & d) | (e & (c | d))
        c = rotateLeft(c, 30)
        w2 = rotateLeft(w15 ^ w10 ^ w4 ^ w2, 1)
        e &+= rotateLeft(a, 5) &+ k2 &+ w2
        e &+= (b & c) | (d & (b | c))
        b = rotateLeft(b, 30)
        w3 = rotateLeft(w0 ^ w11 ^ w5 ^ w3, 1)
        d &+= rotateLeft(e, 5) &+ k2 &+ w3
        d &+= (a & b) | (c & (a | b))
        a = rotateLeft(a, 30)
        w4 = rotateLeft(w1 ^ w12 ^ w6 ^ w4, 1)
        c &+= rotateLeft(d, 5) &+ k2 &+ w4
        c &+= (e & a) | (b & (e | a))
        e = rotateLeft(e, 30)
        w5 = rotateLeft(w2 ^ w13 ^ w7 ^ w5, 1)
        b &+= rotateLeft(c, 5) &+ k2 &+ w5
        b &+= (d & e) | (a & (d | e))
        d = rotateLeft(d, 30)
        w6 = rotateLeft(w3 ^ w14 ^ w8 ^ w6, 1)
        a &+= rotateLeft(b, 5) &+ k2 &+ w6
        a &+= (c & d) | (e & (c | d))
        c = rotateLeft(c, 30)
        w7 = rotateLeft(w4 ^ w15 ^ w9 ^ w7, 1)
        e &+= rotateLeft(a, 5) &+ k2 &+ w7
        e &+= (b & c) | (d & (b | c))
        b = rotateLeft(b, 30)
        w8 = rotateLeft(w5 ^ w0 ^ w10 ^ w8, 1)
        d &+= rotateLeft(e, 5) &+ k2 &+ w8
        d &+= (a & b) | (c & (a | b))
        a = rotateLeft(a, 30)
        w9 = rotateLeft(w6 ^ w1 ^ w11 ^ w9, 1)
        c &+= rotateLeft(d, 5) &+ k2 &+ w9
        c &+= (e & a) | (b & (e | a))
        e = rotateLeft(e, 30)
        w10 = rotateLeft(w7 ^ w2 ^ w12 ^ w10, 1)
        b &+= rotateLeft(c, 5) &+ k2 &+ w10
        b &+= (d & e) | (a & (d | e))
        d = rotateLeft(d, 30)
        w11 = rotateLeft(w8 ^ w3 ^ w13 ^ w11, 1)
        a &+= rotateLeft(b, 5) &+ k2 &+ w11
        a &+= (c & d) | (e & (c | d))
        c = rotateLeft(c, 30)
        w12 = rotateLeft(w9 ^ w4 ^ w14 ^ w12, 1)
        e &+= rotateLeft(a, 5) &+ k3 &+ w12
        e &+= b ^ c ^ d
        b = rotateLeft(b, 30)
        w13 = rotateLeft(w10 ^ w5 ^ w15 ^ w13, 1)
        d &+= rotateLeft(e, 5) &+ k3 &+ w13
        d &+= a ^ b ^ c
        a = rotateLeft(a, 30)
        w14 = rotateLeft(w11 ^ w6 ^ w0 ^ w14, 1)
        c &+= rotateLeft(d, 5) &+ k3 &+ w14
        c &+= e ^ a ^ b
        e = rotateLeft(e, 30)
        w15 = rotateLeft(w12 ^ w7 ^ w1 ^ w15, 1)
        b &+= rotateLeft(c, 5) &+ k3 &+ w15
        b &+= d ^ e ^ a
        d = rotateLeft(d, 30)
        w0 = rotateLeft(w13 ^ w8 ^ w2 ^ w0, 1)
        a &+= rotateLeft(b, 5) &+ k3 &+ w0
        a &+= c ^ d ^ e
        c = rotateLeft(c, 30)
        w1 = rotateLeft(w14 ^ w9 ^ w3 ^ w1, 1)
        e &+= rotateLeft(a, 5) &+ k3 &+ w1
        e &+= b ^ c ^ d
        b = rotateLeft(b, 30)
        w2 = rotateLeft(w15 ^ w10 ^ w4 ^ w2, 1)
        d &+= rotateLeft(e, 5) &+ k3 &+ w2
        d &+= a ^ b ^ c
        a = rotateLeft(a, 30)
        w3 = rotateLeft(w0 ^ w11 ^ w5 ^ w3, 1)
        c &+= rotateLeft(d, 5) &+ k3 &+ w3
        c &+= e ^ a ^ b
        e = rotateLeft(e, 30)
        w4 = rotateLeft(w1 ^ w12 ^ w6 ^ w4, 1)
        b &+= rotateLeft(c, 5) &+ k3 &+ w4
        b &+= d ^ e ^ a
        d = rotateLeft(d, 30)
        w5 = rotateLeft(w2 ^ w13 ^ w7 ^ w5, 1)
        a &+= rotateLeft(b, 5) &+ k3 &+ w5
        a &+= c ^ d ^ e
        c = rotateLeft(c, 30)
        w6 = rotateLeft(w3 ^ w14 ^ w8 ^ w6, 1)
        e &+= rotateLeft(a, 5) &+ k3 &+ w6
        e &+= b ^ c ^ d
        b = rotateLeft(b, 30)
        w7 = rotateLeft(w4 ^ w15 ^ w9 ^ w7, 1)
        d &+= rotateLeft(e, 5) &+ k3 &+ w7
        d &+= a ^ b ^ c
        a = rotateLeft(a, 30)
        w8 = rotateLeft(w5 ^ w0 ^ w10 ^ w8, 1)
        c &+= rotateLeft(d, 5) &+ k3 &+ w8
        c &+= e ^ a ^ b
        e = rotateLeft(e, 30)
        w9 = rotateLeft(w6 ^ w1 ^ w11 ^ w9, 1)
        b &+= rotateLeft(c, 5) &+ k3 &+ w9
        b &+= d ^ e ^ a
        d = rotateLeft(d, 30)
        w10 = rotateLeft(w7 ^ w2 ^ w12 ^ w10, 1)
        a &+= rotateLeft(b, 5) &+ k3 &+ w10
        a &+= c ^ d ^ e
        c = rotateLeft(c, 30)
        w11 = rotateLeft(w8 ^ w3 ^ w13 ^ w11, 1)
        e &+= rotateLeft(a, 5) &+ k3 &+ w11
        e &+= b ^ c ^ d
        b = rotateLeft(b, 30)
        w12 = rotateLeft(w9 ^ w4 ^ w14 ^ w12, 1)
        d &+= rotateLeft(e, 5) &+ k3 &+ w12
        d &+= a ^ b ^ c
        a = rotateLeft(a, 30)
        w13 = rotateLeft(w10 ^ w5 ^ w15 ^ w13, 1)
        c &+= rotateLeft(d, 5) &+ k3 &+ w13
        c &+= e ^ a ^ b
        e = rotateLeft(e, 30)
        w14 = rotateLeft(w11 ^ w6 ^ w0 ^ w14, 1)
        b &+= rotateLeft(c, 5) &+ k3 &+ w14
        b &+= d ^ e ^ a
        d = rotateLeft(d, 30)
        w15 = rotateLeft(w12 ^ w7 ^ w1 ^ w15, 1)
        a &+= rotateLeft(b, 5) &+ k3 &+ w15
        a &+= c ^ d ^ e
        c = rotateLeft(c, 30)
        h0 &+= a
        h1 &+= b
        h2 &+= c
        h3 &+= d
        h4 &+= e
    }
}

@inline(__always)
private func rotateLeft(_ value: UInt32, _ count: UInt32) -> UInt32 { (value << count) | (value >> (32 - count)) }
