import Foundation

/// Multi-buffer SHA-1 (FIPS 180-4 §6.1): four independent messages hashed at once, one message per lane of a
/// `SIMD4<UInt32>` (SSE2 on x86-64, NEON on arm64; no target flags), for the batched UUIDv5 path
/// ``UUIDv5/make(namespace:names:into:)``.
///
/// SHA-1 is a chain of dependent rounds, so one message keeps a core's vector units idle; four messages of similar
/// length run the same 80 rounds per block side by side, each round computing the five working variables of all four
/// with vector adds, logic ops and shift pairs for the rotates. A group runs to the block count of its longest
/// message; a lane whose message has ended keeps its hash value (its update is masked to zero) until the group ends.
/// Each lane's blocks are read in place from its name, except the first (the 16-byte namespace and the name's first
/// 48 bytes) and the last one or two (the name's end and the FIPS 180-4 §5.1.1 padding), which are assembled in a
/// fixed scratch area of ``scratchBytesPerLane`` bytes a lane: no heap allocation, whatever the names' lengths.
///
/// The generated code is vector code: `compress` is SSE2 `paddd`/`pxor`/`pand`/`por`/`pslld`/`psrld` with no call
/// and no scalar `rol` (check with `objdump -d --no-show-raw-insn .build/release/ferry-bench`). On this machine one
/// call (a block of each of four messages) takes about 128 ns against 84 ns for one scalar block; eight lanes
/// (`SIMD8`, two SSE2 registers interleaved) measured only 4 % faster per block, not worth a second copy.
enum SHA1MultiBuffer {
    /// One 32-bit word of each of the four messages.
    typealias Lanes = SIMD4<UInt32>

    /// The five working variables (FIPS 180-4 §6.1.2 H0…H4) of four messages.
    struct State {
        var h0 = Lanes(repeating: 0x6745_2301)
        var h1 = Lanes(repeating: 0xEFCD_AB89)
        var h2 = Lanes(repeating: 0x98BA_DCFE)
        var h3 = Lanes(repeating: 0x1032_5476)
        var h4 = Lanes(repeating: 0xC3D2_E1F0)
    }

    /// Scratch a lane needs: one 64-byte first block and up to two 64-byte final (padded) blocks.
    static let scratchBytesPerLane = 192

    /// Where one lane's message (namespace, then name) lives, and how its blocks are found.
    struct LaneMessage {
        /// The name's first byte (any pointer when the name is empty).
        var name: UnsafeRawPointer
        /// Blocks lying wholly in the message, read from `head` (block 0) and `name` (blocks 1…).
        var wholeBlocks: Int
        /// All blocks, with the padding.
        var blockCount: Int
        /// The first block (namespace and the name's first 48 bytes), when `wholeBlocks > 0`.
        var head: UnsafeRawPointer
        /// The last `blockCount - wholeBlocks` blocks (1 or 2): the message's rest and the padding.
        var tail: UnsafeRawPointer

        /// Lays out the first and final blocks of `namespace` (16 bytes) followed by `name` in `scratch`
        /// (``scratchBytesPerLane`` bytes).
        @inline(__always)
        init(namespace: UnsafeRawPointer, name: UnsafeRawBufferPointer, scratch: UnsafeMutableRawPointer) {
            let nameCount = name.count
            let length = 16 + nameCount
            self.name = name.baseAddress ?? namespace
            wholeBlocks = length / 64
            // Padding (FIPS 180-4 §5.1.1): 0x80, zeros, the 64-bit bit length, to a multiple of 64 bytes.
            blockCount = (length + 8) / 64 + 1
            head = UnsafeRawPointer(scratch)
            let tail = scratch + 64
            self.tail = UnsafeRawPointer(tail)
            if wholeBlocks > 0 {
                scratch.copyMemory(from: namespace, byteCount: 16)
                (scratch + 16).copyMemory(from: name.baseAddress!, byteCount: 48)
            }
            let tailBytes = 64 * (blockCount - wholeBlocks)
            // Zero both possible final blocks with fixed-size stores rather than a `memset` call.
            for offset in stride(from: 0, to: 128, by: 16) {
                tail.storeBytes(of: SIMD16<UInt8>(), toByteOffset: offset, as: SIMD16<UInt8>.self)
            }
            // The message's bytes from the first partial block on: [64 * wholeBlocks, length).
            var start = 64 * wholeBlocks
            var written = 0
            if start < 16 {
                tail.copyMemory(from: namespace + start, byteCount: 16 - start)
                written = 16 - start
                start = 16
            }
            if length > start {
                (tail + written).copyMemory(from: name.baseAddress! + (start - 16), byteCount: length - start)
                written += length - start
            }
            tail.storeBytes(of: 0x80, toByteOffset: written, as: UInt8.self)
            tail.storeBytes(of: (UInt64(length) &* 8).bigEndian, toByteOffset: tailBytes - 8, as: UInt64.self)
        }

        /// Block `index` (0-based); past the last block, the last block again (its result is masked out).
        @inline(__always)
        func block(_ index: Int) -> UnsafeRawPointer {
            if index < wholeBlocks { return index == 0 ? head : name + (64 * index - 16) }
            return tail + 64 * (min(index, blockCount - 1) - wholeBlocks)
        }
    }

    /// The version-5 UUIDs of `namespace` (16 bytes) followed by each of `names` (1 to 4 of them) into `uuids`;
    /// `scratch` holds `4 * scratchBytesPerLane` bytes. Missing lanes repeat the first name and are discarded.
    static func versionFiveUUIDs(
        namespace: UnsafeRawPointer, names: UnsafeBufferPointer<UnsafeRawBufferPointer>,
        scratch: UnsafeMutableRawPointer, into uuids: UnsafeMutablePointer<UUID>
    ) {
        let count = names.count
        assert(count >= 1 && count <= 4, "one to four messages a group")
        let lane0 = LaneMessage(namespace: namespace, name: names[0], scratch: scratch)
        let lane1 = count > 1 ? LaneMessage(namespace: namespace, name: names[1], scratch: scratch + scratchBytesPerLane) : lane0
        let lane2 = count > 2 ? LaneMessage(namespace: namespace, name: names[2], scratch: scratch + 2 * scratchBytesPerLane) : lane0
        let lane3 = count > 3 ? LaneMessage(namespace: namespace, name: names[3], scratch: scratch + 3 * scratchBytesPerLane) : lane0
        let longest = max(lane0.blockCount, lane1.blockCount, lane2.blockCount, lane3.blockCount)
        // Touch every cache line of the names up front, so that when they are not in cache their misses overlap
        // instead of costing a memory latency at each block step (the four lanes read four separate places, which
        // the hardware prefetchers do not follow): 0.38 -> 0.34 µs per id for 520-byte names read from memory.
        var touched: UInt8 = 0
        for lane in 0..<count {
            let name = names[lane]
            var offset = 0
            while offset < name.count {
                touched ^= name.load(fromByteOffset: offset, as: UInt8.self)
                offset += 64
            }
        }
        keepAlive(touched)
        var state = State()
        for index in 0..<longest {
            // All ones in the lanes whose message has block `index`, zero in those already finished.
            let active = Lanes(
                index < lane0.blockCount ? ~0 : 0, index < lane1.blockCount ? ~0 : 0,
                index < lane2.blockCount ? ~0 : 0, index < lane3.blockCount ? ~0 : 0)
            compress((lane0.block(index), lane1.block(index), lane2.block(index), lane3.block(index)), &state, active: active)
        }
        for lane in 0..<count { uuids[lane] = versionFiveUUID(state, lane: lane) }
    }

    /// Lane `lane`'s digest (after its last block) as an RFC 9562 §5.5 version-5 UUID: the first 16 bytes, with the
    /// version and variant bits set.
    @inline(__always)
    static func versionFiveUUID(_ state: State, lane: Int) -> UUID {
        SHA1.versionFiveUUID(state.h0[lane], state.h1[lane], state.h2[lane], state.h3[lane])
    }

    /// Word `offset / 4` (big-endian) of each lane's block.
    @inline(__always)
    static func bigEndianWords(
        _ blocks: (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer), at offset: Int
    ) -> Lanes {
        Lanes(
            UInt32(bigEndian: blocks.0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)),
            UInt32(bigEndian: blocks.1.loadUnaligned(fromByteOffset: offset, as: UInt32.self)),
            UInt32(bigEndian: blocks.2.loadUnaligned(fromByteOffset: offset, as: UInt32.self)),
            UInt32(bigEndian: blocks.3.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }

    /// The compression function (FIPS 180-4 §6.1.2) over one 64-byte block of each lane, added to `state` in the
    /// lanes where `active` is all ones. Laid out as the scalar ``SHA1`` compression (fully unrolled, sixteen
    /// schedule words in locals, working variables renamed instead of shifted), on four lanes. Generated: round `t`
    /// is `e += W[t] + K; e += f(b, c, d); e += rotl(a, 5); b = rotl(b, 30)` with (a, b, c, d, e) rotated one place
    /// right after it; f is `d ^ (b & (c ^ d))` for t < 20, the majority `(b & c) | (d & (b | c))` for 40 ≤ t < 60,
    /// `b ^ c ^ d` otherwise.
    @inline(never)
    static func compress(
        _ blocks: (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer), _ state: inout State,
        active: Lanes
    ) {
        let k0 = Lanes(repeating: 0x5A82_7999)
        let k1 = Lanes(repeating: 0x6ED9_EBA1)
        let k2 = Lanes(repeating: 0x8F1B_BCDC)
        let k3 = Lanes(repeating: 0xCA62_C1D6)
        var w0 = SHA1MultiBuffer.bigEndianWords(blocks, at: 0)
        var w1 = SHA1MultiBuffer.bigEndianWords(blocks, at: 4)
        var w2 = SHA1MultiBuffer.bigEndianWords(blocks, at: 8)
        var w3 = SHA1MultiBuffer.bigEndianWords(blocks, at: 12)
        var w4 = SHA1MultiBuffer.bigEndianWords(blocks, at: 16)
        var w5 = SHA1MultiBuffer.bigEndianWords(blocks, at: 20)
        var w6 = SHA1MultiBuffer.bigEndianWords(blocks, at: 24)
        var w7 = SHA1MultiBuffer.bigEndianWords(blocks, at: 28)
        var w8 = SHA1MultiBuffer.bigEndianWords(blocks, at: 32)
        var w9 = SHA1MultiBuffer.bigEndianWords(blocks, at: 36)
        var w10 = SHA1MultiBuffer.bigEndianWords(blocks, at: 40)
        var w11 = SHA1MultiBuffer.bigEndianWords(blocks, at: 44)
        var w12 = SHA1MultiBuffer.bigEndianWords(blocks, at: 48)
        var w13 = SHA1MultiBuffer.bigEndianWords(blocks, at: 52)
        var w14 = SHA1MultiBuffer.bigEndianWords(blocks, at: 56)
        var w15 = SHA1MultiBuffer.bigEndianWords(blocks, at: 60)
        var a = state.h0, b = state.h1, c = state.h2, d = state.h3, e = state.h4
        e &+= w0 &+ k0
        e &+= (d ^ (b & (c ^ d)))
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        d &+= w1 &+ k0
        d &+= (c ^ (a & (b ^ c)))
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        c &+= w2 &+ k0
        c &+= (b ^ (e & (a ^ b)))
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        b &+= w3 &+ k0
        b &+= (a ^ (d & (e ^ a)))
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        a &+= w4 &+ k0
        a &+= (e ^ (c & (d ^ e)))
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        e &+= w5 &+ k0
        e &+= (d ^ (b & (c ^ d)))
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        d &+= w6 &+ k0
        d &+= (c ^ (a & (b ^ c)))
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        c &+= w7 &+ k0
        c &+= (b ^ (e & (a ^ b)))
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        b &+= w8 &+ k0
        b &+= (a ^ (d & (e ^ a)))
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        a &+= w9 &+ k0
        a &+= (e ^ (c & (d ^ e)))
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        e &+= w10 &+ k0
        e &+= (d ^ (b & (c ^ d)))
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        d &+= w11 &+ k0
        d &+= (c ^ (a & (b ^ c)))
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        c &+= w12 &+ k0
        c &+= (b ^ (e & (a ^ b)))
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        b &+= w13 &+ k0
        b &+= (a ^ (d & (e ^ a)))
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        a &+= w14 &+ k0
        a &+= (e ^ (c & (d ^ e)))
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        e &+= w15 &+ k0
        e &+= (d ^ (b & (c ^ d)))
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w0 = rotateLeft(w0 ^ w13 ^ w8 ^ w2, 1)
        d &+= w0 &+ k0
        d &+= (c ^ (a & (b ^ c)))
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w1 = rotateLeft(w1 ^ w14 ^ w9 ^ w3, 1)
        c &+= w1 &+ k0
        c &+= (b ^ (e & (a ^ b)))
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w2 = rotateLeft(w2 ^ w15 ^ w10 ^ w4, 1)
        b &+= w2 &+ k0
        b &+= (a ^ (d & (e ^ a)))
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w3 = rotateLeft(w3 ^ w0 ^ w11 ^ w5, 1)
        a &+= w3 &+ k0
        a &+= (e ^ (c & (d ^ e)))
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        w4 = rotateLeft(w4 ^ w1 ^ w12 ^ w6, 1)
        e &+= w4 &+ k1
        e &+= (b ^ c ^ d)
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w5 = rotateLeft(w5 ^ w2 ^ w13 ^ w7, 1)
        d &+= w5 &+ k1
        d &+= (a ^ b ^ c)
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w6 = rotateLeft(w6 ^ w3 ^ w14 ^ w8, 1)
        c &+= w6 &+ k1
        c &+= (e ^ a ^ b)
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w7 = rotateLeft(w7 ^ w4 ^ w15 ^ w9, 1)
        b &+= w7 &+ k1
        b &+= (d ^ e ^ a)
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w8 = rotateLeft(w8 ^ w5 ^ w0 ^ w10, 1)
        a &+= w8 &+ k1
        a &+= (c ^ d ^ e)
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        w9 = rotateLeft(w9 ^ w6 ^ w1 ^ w11, 1)
        e &+= w9 &+ k1
        e &+= (b ^ c ^ d)
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w10 = rotateLeft(w10 ^ w7 ^ w2 ^ w12, 1)
        d &+= w10 &+ k1
        d &+= (a ^ b ^ c)
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w11 = rotateLeft(w11 ^ w8 ^ w3 ^ w13, 1)
        c &+= w11 &+ k1
        c &+= (e ^ a ^ b)
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w12 = rotateLeft(w12 ^ w9 ^ w4 ^ w14, 1)
        b &+= w12 &+ k1
        b &+= (d ^ e ^ a)
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w13 = rotateLeft(w13 ^ w10 ^ w5 ^ w15, 1)
        a &+= w13 &+ k1
        a &+= (c ^ d ^ e)
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        w14 = rotateLeft(w14 ^ w11 ^ w6 ^ w0, 1)
        e &+= w14 &+ k1
        e &+= (b ^ c ^ d)
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w15 = rotateLeft(w15 ^ w12 ^ w7 ^ w1, 1)
        d &+= w15 &+ k1
        d &+= (a ^ b ^ c)
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w0 = rotateLeft(w0 ^ w13 ^ w8 ^ w2, 1)
        c &+= w0 &+ k1
        c &+= (e ^ a ^ b)
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w1 = rotateLeft(w1 ^ w14 ^ w9 ^ w3, 1)
        b &+= w1 &+ k1
        b &+= (d ^ e ^ a)
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w2 = rotateLeft(w2 ^ w15 ^ w10 ^ w4, 1)
        a &+= w2 &+ k1
        a &+= (c ^ d ^ e)
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        w3 = rotateLeft(w3 ^ w0 ^ w11 ^ w5, 1)
        e &+= w3 &+ k1
        e &+= (b ^ c ^ d)
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w4 = rotateLeft(w4 ^ w1 ^ w12 ^ w6, 1)
        d &+= w4 &+ k1
        d &+= (a ^ b ^ c)
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w5 = rotateLeft(w5 ^ w2 ^ w13 ^ w7, 1)
        c &+= w5 &+ k1
        c &+= (e ^ a ^ b)
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w6 = rotateLeft(w6 ^ w3 ^ w14 ^ w8, 1)
        b &+= w6 &+ k1
        b &+= (d ^ e ^ a)
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w7 = rotateLeft(w7 ^ w4 ^ w15 ^ w9, 1)
        a &+= w7 &+ k1
        a &+= (c ^ d ^ e)
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        w8 = rotateLeft(w8 ^ w5 ^ w0 ^ w10, 1)
        e &+= w8 &+ k2
        e &+= ((b & c) | (d & (b | c)))
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w9 = rotateLeft(w9 ^ w6 ^ w1 ^ w11, 1)
        d &+= w9 &+ k2
        d &+= ((a & b) | (c & (a | b)))
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w10 = rotateLeft(w10 ^ w7 ^ w2 ^ w12, 1)
        c &+= w10 &+ k2
        c &+= ((e & a) | (b & (e | a)))
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w11 = rotateLeft(w11 ^ w8 ^ w3 ^ w13, 1)
        b &+= w11 &+ k2
        b &+= ((d & e) | (a & (d | e)))
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w12 = rotateLeft(w12 ^ w9 ^ w4 ^ w14, 1)
        a &+= w12 &+ k2
        a &+= ((c & d) | (e & (c | d)))
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        w13 = rotateLeft(w13 ^ w10 ^ w5 ^ w15, 1)
        e &+= w13 &+ k2
        e &+= ((b & c) | (d & (b | c)))
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w14 = rotateLeft(w14 ^ w11 ^ w6 ^ w0, 1)
        d &+= w14 &+ k2
        d &+= ((a & b) | (c & (a | b)))
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w15 = rotateLeft(w15 ^ w12 ^ w7 ^ w1, 1)
        c &+= w15 &+ k2
        c &+= ((e & a) | (b & (e | a)))
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w0 = rotateLeft(w0 ^ w13 ^ w8 ^ w2, 1)
        b &+= w0 &+ k2
        b &+= ((d & e) | (a & (d | e)))
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w1 = rotateLeft(w1 ^ w14 ^ w9 ^ w3, 1)
        a &+= w1 &+ k2
        a &+= ((c & d) | (e & (c | d)))
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        w2 = rotateLeft(w2 ^ w15 ^ w10 ^ w4, 1)
        e &+= w2 &+ k2
        e &+= ((b & c) | (d & (b | c)))
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w3 = rotateLeft(w3 ^ w0 ^ w11 ^ w5, 1)
        d &+= w3 &+ k2
        d &+= ((a & b) | (c & (a | b)))
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w4 = rotateLeft(w4 ^ w1 ^ w12 ^ w6, 1)
        c &+= w4 &+ k2
        c &+= ((e & a) | (b & (e | a)))
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w5 = rotateLeft(w5 ^ w2 ^ w13 ^ w7, 1)
        b &+= w5 &+ k2
        b &+= ((d & e) | (a & (d | e)))
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w6 = rotateLeft(w6 ^ w3 ^ w14 ^ w8, 1)
        a &+= w6 &+ k2
        a &+= ((c & d) | (e & (c | d)))
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        w7 = rotateLeft(w7 ^ w4 ^ w15 ^ w9, 1)
        e &+= w7 &+ k2
        e &+= ((b & c) | (d & (b | c)))
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w8 = rotateLeft(w8 ^ w5 ^ w0 ^ w10, 1)
        d &+= w8 &+ k2
        d &+= ((a & b) | (c & (a | b)))
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w9 = rotateLeft(w9 ^ w6 ^ w1 ^ w11, 1)
        c &+= w9 &+ k2
        c &+= ((e & a) | (b & (e | a)))
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w10 = rotateLeft(w10 ^ w7 ^ w2 ^ w12, 1)
        b &+= w10 &+ k2
        b &+= ((d & e) | (a & (d | e)))
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w11 = rotateLeft(w11 ^ w8 ^ w3 ^ w13, 1)
        a &+= w11 &+ k2
        a &+= ((c & d) | (e & (c | d)))
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        w12 = rotateLeft(w12 ^ w9 ^ w4 ^ w14, 1)
        e &+= w12 &+ k3
        e &+= (b ^ c ^ d)
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w13 = rotateLeft(w13 ^ w10 ^ w5 ^ w15, 1)
        d &+= w13 &+ k3
        d &+= (a ^ b ^ c)
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w14 = rotateLeft(w14 ^ w11 ^ w6 ^ w0, 1)
        c &+= w14 &+ k3
        c &+= (e ^ a ^ b)
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w15 = rotateLeft(w15 ^ w12 ^ w7 ^ w1, 1)
        b &+= w15 &+ k3
        b &+= (d ^ e ^ a)
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w0 = rotateLeft(w0 ^ w13 ^ w8 ^ w2, 1)
        a &+= w0 &+ k3
        a &+= (c ^ d ^ e)
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        w1 = rotateLeft(w1 ^ w14 ^ w9 ^ w3, 1)
        e &+= w1 &+ k3
        e &+= (b ^ c ^ d)
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w2 = rotateLeft(w2 ^ w15 ^ w10 ^ w4, 1)
        d &+= w2 &+ k3
        d &+= (a ^ b ^ c)
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w3 = rotateLeft(w3 ^ w0 ^ w11 ^ w5, 1)
        c &+= w3 &+ k3
        c &+= (e ^ a ^ b)
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w4 = rotateLeft(w4 ^ w1 ^ w12 ^ w6, 1)
        b &+= w4 &+ k3
        b &+= (d ^ e ^ a)
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w5 = rotateLeft(w5 ^ w2 ^ w13 ^ w7, 1)
        a &+= w5 &+ k3
        a &+= (c ^ d ^ e)
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        w6 = rotateLeft(w6 ^ w3 ^ w14 ^ w8, 1)
        e &+= w6 &+ k3
        e &+= (b ^ c ^ d)
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w7 = rotateLeft(w7 ^ w4 ^ w15 ^ w9, 1)
        d &+= w7 &+ k3
        d &+= (a ^ b ^ c)
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w8 = rotateLeft(w8 ^ w5 ^ w0 ^ w10, 1)
        c &+= w8 &+ k3
        c &+= (e ^ a ^ b)
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w9 = rotateLeft(w9 ^ w6 ^ w1 ^ w11, 1)
        b &+= w9 &+ k3
        b &+= (d ^ e ^ a)
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w10 = rotateLeft(w10 ^ w7 ^ w2 ^ w12, 1)
        a &+= w10 &+ k3
        a &+= (c ^ d ^ e)
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        w11 = rotateLeft(w11 ^ w8 ^ w3 ^ w13, 1)
        e &+= w11 &+ k3
        e &+= (b ^ c ^ d)
        e &+= rotateLeft(a, 5)
        b = rotateLeft(b, 30)
        w12 = rotateLeft(w12 ^ w9 ^ w4 ^ w14, 1)
        d &+= w12 &+ k3
        d &+= (a ^ b ^ c)
        d &+= rotateLeft(e, 5)
        a = rotateLeft(a, 30)
        w13 = rotateLeft(w13 ^ w10 ^ w5 ^ w15, 1)
        c &+= w13 &+ k3
        c &+= (e ^ a ^ b)
        c &+= rotateLeft(d, 5)
        e = rotateLeft(e, 30)
        w14 = rotateLeft(w14 ^ w11 ^ w6 ^ w0, 1)
        b &+= w14 &+ k3
        b &+= (d ^ e ^ a)
        b &+= rotateLeft(c, 5)
        d = rotateLeft(d, 30)
        w15 = rotateLeft(w15 ^ w12 ^ w7 ^ w1, 1)
        a &+= w15 &+ k3
        a &+= (c ^ d ^ e)
        a &+= rotateLeft(b, 5)
        c = rotateLeft(c, 30)
        state.h0 &+= a & active
        state.h1 &+= b & active
        state.h2 &+= c & active
        state.h3 &+= d & active
        state.h4 &+= e & active
    }
}

/// `value` rotated left by `count` bits in each lane. Written with `&+` (the two halves share no bit): LLVM turns
/// the usual `|` form into a vector rotate, which SSE2 lacks and which it then lowers lane by lane to scalar `rol`s.
@inline(__always)
private func rotateLeft(_ value: SHA1MultiBuffer.Lanes, _ count: UInt32) -> SHA1MultiBuffer.Lanes {
    (value &<< count) &+ (value &>> (32 - count))
}

/// Keeps the loads that produced `value` (an unoptimized, empty call: Swift has no prefetch instruction).
@inline(never) @_optimize(none)
private func keepAlive(_ value: UInt8) {}
