import StreamLog
import Testing

@Suite struct KafkaPartitionerTests {
    /// Apache Kafka `clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java`, `testMurmur2`.
    @Test(arguments: [
        ("21", Int32(-973_932_308)),
        ("foobar", -790_332_482),
        ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
        ("abc", 479_470_107),
    ])
    func murmur2MatchesKafkaUtilsTest(key: String, expected: Int32) {
        #expect(KafkaPartitioner.murmur2(Array(key.utf8)) == expected)
    }

    /// Partition = `Utils.toPositive(murmur2(key)) % numPartitions`, as in Kafka's `BuiltInPartitioner.partitionForKey`.
    @Test func partitionIsPositiveModulo() {
        // toPositive(-973932308) = 1173551340; 1173551340 % 3 = 0, % 4 = 0, % 7 = 1173551340 % 7.
        let positive = Int(Int32(-973_932_308) & 0x7FFF_FFFF)
        #expect(positive == 1_173_551_340)
        for count in [1, 3, 4, 7, 12, 100] {
            #expect(KafkaPartitioner.partition(forKey: Array("21".utf8), partitionCount: count) == positive % count)
        }
        #expect(KafkaPartitioner.toPositive(Int32.min) == 0)
    }
}
