// UUIDv5 benchmark (issue 8): content-derived event ids, one at a time (`UUIDv5.make(namespace:name:)` over a raw
// buffer, scalar SHA-1) and through the batched `UUIDv5.make(namespace:names:into:)` (multi-buffer SHA-1, four
// messages per SIMD4 lane group), for 100,000 names: distinct names of 520 bytes (9 SHA-1 blocks with the namespace;
// 52 MB, so read from memory), the same 1,000 names of 520 bytes over and over (in cache, as a mapping hashes names
// it has just written), and distinct names of 40 bytes (56 with the namespace: 2 blocks, the bit length does not fit)
// and 39 bytes (1 block). Timed on the measuring thread's CPU clock (the machine is shared); best of `runs`.
import ByteCoding
import Events
import Foundation

enum UUIDBenchmark {
    struct Figures {
        var name: String
        var ids: Int
        var cpuSeconds: Double
        var wallSeconds: Double
    }

    /// Ids per CPU second for each way of hashing, for `count` names of `nameLength` bytes, `distinct` of them
    /// different (name `i` is name `i % distinct`). Every way's ids are checked against the one-at-a-time ids.
    static func run(count: Int, distinct: Int, nameLength: Int, runs: Int) -> [Figures] {
        var random = SplitMix64(seed: UInt64(nameLength))
        let bytes = (0..<(distinct * nameLength)).map { _ in UInt8.random(in: 0x20...0x7E, using: &random) }
        let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        var expected = [UUID](repeating: zero, count: count)
        var figures: [Figures] = []
        bytes.withUnsafeBytes { raw in
            let names = (0..<count).map { index in
                let start = index % distinct * nameLength
                return UnsafeRawBufferPointer(rebasing: raw[start..<(start + nameLength)])
            }
            names.withUnsafeBufferPointer { names in
                func measure(_ label: String, _ body: (inout [UUID]) -> Void) {
                    var uuids = [UUID](repeating: zero, count: count)
                    var best = Double.infinity
                    var bestWall = 0.0
                    for _ in 0..<runs {
                        let wall = Date()
                        let start = MQBenchmark.threadCPUSeconds()
                        body(&uuids)
                        let cpu = MQBenchmark.threadCPUSeconds() - start
                        if cpu < best { best = cpu; bestWall = Date().timeIntervalSince(wall) }
                    }
                    if label == "one at a time" { expected = uuids }
                    precondition(uuids == expected, "\(label): ids differ from the one-at-a-time ids")
                    figures.append(Figures(name: label, ids: count, cpuSeconds: best, wallSeconds: bestWall))
                }
                measure("one at a time") { uuids in
                    for index in 0..<count { uuids[index] = UUIDv5.make(namespace: EventIdentity.ferryNamespace, name: names[index]) }
                }
                for batch in [2, 3, 4, 8, 16] {
                    measure("batches of \(batch)") { uuids in
                        uuids.withUnsafeMutableBufferPointer { output in
                            var index = 0
                            while index < count {
                                let end = min(index + batch, count)
                                UUIDv5.make(
                                    namespace: EventIdentity.ferryNamespace, names: UnsafeBufferPointer(rebasing: names[index..<end]),
                                    into: UnsafeMutableBufferPointer(rebasing: output[index..<end]))
                                index = end
                            }
                        }
                    }
                }
            }
        }
        return figures
    }

    static func report(runs: Int) {
        var load = [0.0, 0.0, 0.0]
        getloadavg(&load, 3)
        print("UUIDv5 ids (RFC 9562 §5.5), release, one core, 100,000 ids a row, best of \(runs) (CPU time of the measuring thread); load average \(String(format: "%.2f", load[0]))")
        for (nameLength, distinct) in [(520, 100_000), (520, 1_000), (40, 100_000), (39, 100_000)] {
            let blocks = (16 + nameLength + 8) / 64 + 1
            print("  \(nameLength)-byte names (\(blocks) SHA-1 blocks), \(distinct == 100_000 ? "100,000 distinct" : "1,000 distinct, in cache"):")
            for f in run(count: 100_000, distinct: distinct, nameLength: nameLength, runs: runs) {
                print(String(
                    format: "    %@ %@ ids per CPU second, %.3f µs per id (%.4f s CPU, %.4f s wall)",
                    (f.name + ":").padding(toLength: 15, withPad: " ", startingAt: 0),
                    format(Double(f.ids) / f.cpuSeconds).padding(toLength: 7, withPad: " ", startingAt: 0),
                    1e6 * f.cpuSeconds / Double(f.ids), f.cpuSeconds, f.wallSeconds))
            }
        }
    }
}
