import Bridge
import Testing

@Suite("Latency histogram: buckets, sum, count and the Prometheus exposition")
struct LatencyHistogramTests {
    @Test("observations land in the first bucket whose bound they do not exceed; buckets are cumulative, +Inf = count")
    func buckets() {
        let histogram = LatencyHistogram(bounds: [0.001, 0.01, 0.1])
        for duration: Duration in [.microseconds(200), .milliseconds(1), .microseconds(1_001), .milliseconds(50), .seconds(2)] {
            histogram.observe(duration)
        }
        let snapshot = histogram.snapshot
        #expect(snapshot.bucketCounts == [2, 1, 1, 1])
        #expect(snapshot.cumulativeCounts == [2, 3, 4, 5])
        #expect(snapshot.count == 5)
        #expect(snapshot.sumNanoseconds == 200_000 + 1_000_000 + 1_001_000 + 50_000_000 + 2_000_000_000)
    }

    @Test("the exposition has one _bucket line per bound and +Inf, then _sum in seconds and _count, labels first")
    func exposition() {
        let histogram = LatencyHistogram(bounds: [0.0005, 0.01, 2.5])
        histogram.observe(.microseconds(300))
        histogram.observe(.milliseconds(3))
        histogram.observe(.milliseconds(3))
        histogram.observe(.seconds(4))
        let text = histogram.exposition(name: "x_seconds", labels: #"endpoint="e",route="modern""#)
        #expect(text == """
            x_seconds_bucket{endpoint="e",route="modern",le="0.0005"} 1
            x_seconds_bucket{endpoint="e",route="modern",le="0.01"} 3
            x_seconds_bucket{endpoint="e",route="modern",le="2.5"} 3
            x_seconds_bucket{endpoint="e",route="modern",le="+Inf"} 4
            x_seconds_sum{endpoint="e",route="modern"} 4.0063
            x_seconds_count{endpoint="e",route="modern"} 4

            """)
    }

    @Test("sampling keeps the exact values of the next observations, in order, up to its capacity")
    func sampling() {
        let histogram = LatencyHistogram()
        histogram.observe(.milliseconds(9))  // before sampling: counted, not kept
        histogram.startSampling(capacity: 2)
        histogram.observe(.microseconds(1_500))
        histogram.observe(.microseconds(700))
        histogram.observe(.microseconds(800))
        #expect(histogram.samplesNanoseconds == [1_500_000, 700_000])
        #expect(histogram.snapshot.count == 4)
    }
}
