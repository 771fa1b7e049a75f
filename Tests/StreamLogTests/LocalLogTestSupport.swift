import Foundation
import StreamLog

/// A fresh temporary directory removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "ferry-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A record whose content is a function of `n`, so a reader can check every byte.
func sampleRecord(_ n: Int, valueSize: Int = 40) -> StreamRecord {
    var value = Array("record-\(n)-".utf8)
    while value.count < valueSize { value.append(UInt8(truncatingIfNeeded: n &+ value.count)) }
    return StreamRecord(
        key: Array("member-\(n % 7)".utf8), value: value,
        headers: [RecordHeader(name: "seq", text: String(n)), RecordHeader(name: "seq", value: nil)],
        timestamp: 1_700_000_000_000 + Int64(n))
}

func segmentFiles(_ directory: String, topic: String, partition: Int = 0) -> [String] {
    let dir = "\(directory)/topics/\(topic)/\(partition)"
    return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
        .filter { $0.hasSuffix(".log") }.sorted().map { "\(dir)/\($0)" }
}
