import ByteCoding
import Testing

@Suite struct CRC32CTests {
    /// RFC 3720 (iSCSI) appendix B.4 test vectors and the common "123456789" check value.
    @Test(arguments: [
        (Array("123456789".utf8), UInt32(0xE306_9283)),
        ([UInt8](repeating: 0, count: 32), UInt32(0x8A91_36AA)),
        ([UInt8](repeating: 0xFF, count: 32), UInt32(0x62A8_AB43)),
        ((0..<32).map { UInt8($0) }, UInt32(0x46DD_794E)),
        ((0..<32).map { UInt8(31 - $0) }, UInt32(0x113F_DB5C)),
        ([], UInt32(0)),
    ])
    func knownVectors(input: [UInt8], expected: UInt32) {
        #expect(CRC32C.checksum(input) == expected)
    }

    @Test func incrementalEqualsWhole() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let first = data[..<split].withUnsafeBytes { CRC32C.update(0, $0) }
            let both = data[split...].withUnsafeBytes { CRC32C.update(first, $0) }
            #expect(both == CRC32C.checksum(data), "split at \(split)")
        }
    }
}
