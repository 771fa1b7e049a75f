import Events
import Foundation
import Testing

@Suite struct SHA1Tests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// FIPS 180-2 Appendix A examples and RFC 3174 §7.3 tests (TEST1…TEST4).
    @Test(arguments: [
        ("", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("a", 1_000_000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"),
        ("0123456701234567012345670123456701234567012345670123456701234567", 10,
         "dea356a2cddd90c7a7ecedc5ebb563934f460452"),
    ])
    func knownVectors(text: String, repeats: Int, expected: String) {
        let message = Array(repeating: Array(text.utf8), count: repeats).flatMap { $0 }
        #expect(Self.hex(SHA1.hash(message)) == expected)
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        let whole = SHA1.hash(message)
        for split in [0, 1, 55, 56, 63, 64, 65, 127, 128, 999, 1000] {
            var hasher = SHA1()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            #expect(hasher.finalize() == whole, "split at \(split)")
        }
        // Many tiny pieces.
        var hasher = SHA1()
        for byte in message { hasher.update([byte]) }
        #expect(hasher.finalize() == whole)
    }

    /// Lengths around the padding boundary (55/56/64 bytes) change the digest and never crash.
    @Test func paddingBoundariesGiveDistinctDigests() {
        let digests = Set((50...130).map { SHA1.hash([UInt8](repeating: 0x61, count: $0)) })
        #expect(digests.count == 81)
    }
}
