import ByteCoding
import Testing

@testable import Kafka

/// Every response decoder fed seeded random bytes, and random bytes after a valid header: it must end in a
/// typed ``KafkaError`` (or, rarely, a value) without crashing or allocating what a forged count claims.
@Suite struct GarbageResponseTests {
    static func decodeAny(_ key: Int, _ bytes: [UInt8]) throws(KafkaError) {
        switch key {
        case 0: _ = try decode(ApiVersionsRequest.self, version: 3, bytes)
        case 1: _ = try decode(MetadataRequest.self, version: 9, bytes)
        case 2: _ = try decode(ProduceRequest.self, version: 9, bytes)
        case 3: _ = try decode(FetchRequest.self, version: 12, bytes)
        case 4: _ = try decode(ListOffsetsRequest.self, version: 7, bytes)
        case 5: _ = try decode(InitProducerIdRequest.self, version: 4, bytes)
        case 6: _ = try decode(CreateTopicsRequest.self, version: 5, bytes)
        case 7: _ = try decode(FindCoordinatorRequest.self, version: 4, bytes)
        case 8: _ = try decode(OffsetCommitRequest.self, version: 8, bytes)
        case 9: _ = try decode(OffsetFetchRequest.self, version: 7, bytes)
        case 10: _ = try decode(JoinGroupRequest.self, version: 7, bytes)
        case 11: _ = try decode(SyncGroupRequest.self, version: 5, bytes)
        case 12: _ = try decode(HeartbeatRequest.self, version: 4, bytes)
        case 13: _ = try decode(LeaveGroupRequest.self, version: 4, bytes)
        default: _ = try decode(DescribeConfigsRequest.self, version: 1, bytes)
        }
    }

    static func decode<R: KafkaRequest>(_: R.Type, version: Int16, _ bytes: [UInt8]) throws(KafkaError) -> R.Response {
        try withKafkaErrors("test") {
            try bytes.withUnsafeBytes { raw in try KafkaFrame.decodeResponse(R.self, version: version, body: raw).response }
        }
    }

    @Test(arguments: 0..<15)
    func randomBytesAreTypedErrors(api: Int) {
        var generator = SplitMix64(seed: UInt64(api) &* 0x9E37_79B9 &+ 1)
        var accepted = 0
        for round in 0..<400 {
            let count = Int(generator.next() % 96)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            // Half the rounds: a plausible start (correlation id, empty tagged fields, small values).
            if round % 2 == 0, bytes.count > 6 {
                bytes.replaceSubrange(0..<6, with: [0, 0, 0, 1, 0, 0])
            }
            do {
                try Self.decodeAny(api, bytes)
                accepted += 1
            } catch {
                // Typed by construction; the description must name what was being decoded.
                #expect(!error.description.isEmpty)
            }
        }
        #expect(accepted < 40, "random bytes should rarely form a whole valid response (\(accepted) of 400)")
    }

    @Test func forgedHugeCountsDoNotAllocate() {
        // Metadata v9 with a brokers count of 2^31 (uvarint) after the throttle time.
        let bytes: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x08]
        #expect(throws: KafkaError.self) { _ = try Self.decode(MetadataRequest.self, version: 9, bytes) }
        // A tagged field claiming 2^40 bytes.
        let tagged: [UInt8] = [0, 0, 0, 1, 1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]
        #expect(throws: KafkaError.self) { _ = try Self.decode(MetadataRequest.self, version: 9, tagged) }
    }
}
