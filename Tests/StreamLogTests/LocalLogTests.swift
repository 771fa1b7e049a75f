import Foundation
import StreamLog
import Testing

@Suite struct LocalLogTests {
    @Test func appendedRecordsReadBackExactlyWithContiguousOffsets() throws {
        let dir = TemporaryDirectory()
        let log = try LocalLog(LocalLogConfiguration(directory: dir.path, fsync: .never))
        try log.createTopic("claims", partitions: 2)
        let odd = StreamRecord(
            key: nil, value: nil, headers: [RecordHeader(name: "é", value: [0, 255])], timestamp: -1)
        let first = try log.append([sampleRecord(0), odd], topic: "claims", partition: 1)
        let second = try log.append((2..<10).map { sampleRecord($0) }, topic: "claims", partition: 1)
        #expect(first == AppendResult(partition: 1, baseOffset: 0, count: 2))
        #expect(second == AppendResult(partition: 1, baseOffset: 2, count: 8))
        let read = try log.read(topic: "claims", partition: 1, from: 0, maxRecords: 100, maxBytes: 1 << 20)
        #expect(read.map(\.offset) == Array(0..<10))
        #expect(read[0].record == sampleRecord(0))
        #expect(read[1].record == odd)
        #expect(read[5].record == sampleRecord(5))
        #expect(try log.offsets(topic: "claims", partition: 1) == PartitionOffsets(earliest: 0, next: 10))
        #expect(try log.offsets(topic: "claims", partition: 0) == PartitionOffsets(earliest: 0, next: 0))
        #expect(try log.read(topic: "claims", partition: 1, from: 10, maxRecords: 5, maxBytes: 100).isEmpty)
    }

    @Test func limitsAreHonouredButAtLeastOneRecordIsReturned() throws {
        let dir = TemporaryDirectory()
        let log = try LocalLog(LocalLogConfiguration(directory: dir.path, fsync: .never))
        try log.createTopic("t", partitions: 1)
        _ = try log.append((0..<20).map { sampleRecord($0, valueSize: 100) }, topic: "t", partition: 0)
        #expect(try log.read(topic: "t", partition: 0, from: 3, maxRecords: 4, maxBytes: 1 << 20).map(\.offset) == [3, 4, 5, 6])
        #expect(try log.read(topic: "t", partition: 0, from: 3, maxRecords: 100, maxBytes: 1).map(\.offset) == [3])
        #expect(try log.read(topic: "t", partition: 0, from: 3, maxRecords: 100, maxBytes: 400).count == 2)
    }

    @Test func reopenContinuesFromTheNextOffset() throws {
        let dir = TemporaryDirectory()
        do {
            let log = try LocalLog(LocalLogConfiguration(directory: dir.path, fsync: .always))
            try log.createTopic("t", partitions: 3)
            _ = try log.append((0..<5).map { sampleRecord($0) }, topic: "t", partition: 2)
            try log.close()
        }
        let log = try LocalLog(LocalLogConfiguration(directory: dir.path))
        #expect(log.recoveryNotes.isEmpty)
        #expect(try log.topics() == [TopicDescription(name: "t", partitionCount: 3)])
        #expect(try log.append([sampleRecord(5)], topic: "t", partition: 2).baseOffset == 5)
        #expect(try log.read(topic: "t", partition: 2, from: 0, maxRecords: 10, maxBytes: 1 << 20).map(\.record)
            == (0..<6).map { sampleRecord($0) })
    }

    @Test func segmentsRollAndSeeksUseTheIndexAcrossSegments() throws {
        let dir = TemporaryDirectory()
        var config = LocalLogConfiguration(directory: dir.path, fsync: .never)
        config.segmentBytes = 4096
        config.indexIntervalBytes = 256
        do {
            let log = try LocalLog(config)
            try log.createTopic("t", partitions: 1)
            for n in 0..<300 { _ = try log.append([sampleRecord(n, valueSize: 60)], topic: "t", partition: 0) }
            #expect(segmentFiles(dir.path, topic: "t").count > 5)
            for start in [0, 1, 57, 150, 298, 299] {
                let got = try log.read(topic: "t", partition: 0, from: Int64(start), maxRecords: 3, maxBytes: 1 << 20)
                #expect(got.first?.offset == Int64(start))
                #expect(got.first?.record == sampleRecord(start, valueSize: 60))
            }
            try log.close()
        }
        // Sealed segments reopen from their index files; the whole partition still reads in order.
        let reopened = try LocalLog(config)
        var offsets: [Int64] = []
        try reopened.scan(topic: "t", partition: 0, from: 0) { view in
            offsets.append(view.offset)
            return true
        }
        #expect(offsets == (0..<300).map(Int64.init))
    }

    @Test func retentionBySizeDropsTheOldestSegments() throws {
        let dir = TemporaryDirectory()
        var config = LocalLogConfiguration(directory: dir.path, fsync: .never)
        config.segmentBytes = 2048
        config.retentionBytes = 6000
        let log = try LocalLog(config)
        try log.createTopic("t", partitions: 1)
        for n in 0..<200 { _ = try log.append([sampleRecord(n, valueSize: 80)], topic: "t", partition: 0) }
        let bounds = try log.offsets(topic: "t", partition: 0)
        #expect(bounds.earliest > 0)
        #expect(bounds.next == 200)
        let total = segmentFiles(dir.path, topic: "t").compactMap {
            (try? FileManager.default.attributesOfItem(atPath: $0))?[.size] as? Int
        }.reduce(0, +)
        #expect(total <= 6000 + 2048)
        #expect(throws: StreamLogError.offsetOutOfRange(
            topic: "t", partition: 0, requested: 0, earliest: bounds.earliest, next: 200)) {
            try log.read(topic: "t", partition: 0, from: 0, maxRecords: 1, maxBytes: 100)
        }
        #expect(try log.read(topic: "t", partition: 0, from: bounds.earliest, maxRecords: 1, maxBytes: 100).first?.record
            == sampleRecord(Int(bounds.earliest), valueSize: 80))
    }

    @Test func retentionByAgeDropsSegmentsOlderThanTheLimit() throws {
        let dir = TemporaryDirectory()
        var config = LocalLogConfiguration(directory: dir.path, fsync: .never)
        config.segmentBytes = 2048
        config.retentionAge = .seconds(3600)
        do {
            let log = try LocalLog(config)
            try log.createTopic("t", partitions: 1)
            for n in 0..<60 { _ = try log.append([sampleRecord(n, valueSize: 80)], topic: "t", partition: 0) }
            try log.close()
        }
        let files = segmentFiles(dir.path, topic: "t")
        #expect(files.count >= 3)
        // Age the two oldest segments by two hours.
        let old = Date().addingTimeInterval(-7200)
        for file in files.prefix(2) {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file)
        }
        let log = try LocalLog(config)
        #expect(segmentFiles(dir.path, topic: "t") == Array(files.dropFirst(2)))
        let expectedEarliest = Int64(files[2].split(separator: "/").last!.dropLast(4))!
        #expect(try log.offsets(topic: "t", partition: 0).earliest == expectedEarliest)
    }

    @Test func aTornTailIsCutAtTheLastWholeRecordAndSaved() throws {
        let dir = TemporaryDirectory()
        do {
            let log = try LocalLog(LocalLogConfiguration(directory: dir.path, fsync: .always))
            try log.createTopic("t", partitions: 1)
            _ = try log.append((0..<4).map { sampleRecord($0) }, topic: "t", partition: 0)
            try log.close()
        }
        let file = segmentFiles(dir.path, topic: "t")[0]
        let whole = try Data(contentsOf: URL(fileURLWithPath: file))
        // Simulate a crash in the middle of writing record 4: only part of its frame reached the file.
        let frame = try frameBytes(of: sampleRecord(4), offset: 4)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.seekToEnd()
        try handle.write(contentsOf: frame.prefix(frame.count / 2))
        try handle.close()

        let log = try LocalLog(LocalLogConfiguration(directory: dir.path))
        #expect(log.recoveryNotes.count == 1)
        #expect(log.recoveryNotes[0].contains("torn tail of \(frame.count / 2) bytes at byte \(whole.count)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == whole)
        #expect(FileManager.default.fileExists(atPath: "\(file).torn-\(whole.count)"))
        #expect(try log.append([sampleRecord(4)], topic: "t", partition: 0).baseOffset == 4)
        #expect(try log.read(topic: "t", partition: 0, from: 0, maxRecords: 10, maxBytes: 1 << 20).map(\.record)
            == (0..<5).map { sampleRecord($0) })
    }

    @Test func aCorruptRecordIsReportedWithFileAndOffsetAndNeverServed() throws {
        let dir = TemporaryDirectory()
        var positions: [Int] = []
        do {
            let log = try LocalLog(LocalLogConfiguration(directory: dir.path, fsync: .always))
            try log.createTopic("t", partitions: 1)
            var at = 16
            for n in 0..<6 {
                positions.append(at)
                at += try frameBytes(of: sampleRecord(n), offset: Int64(n)).count
                _ = try log.append([sampleRecord(n)], topic: "t", partition: 0)
            }
            try log.close()
        }
        let file = segmentFiles(dir.path, topic: "t")[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[positions[2] + 40] ^= 0x01  // one bit flipped inside record 2's body
        try bytes.write(to: URL(fileURLWithPath: file))

        let log = try LocalLog(LocalLogConfiguration(directory: dir.path))
        #expect(log.recoveryNotes.count == 1)
        #expect(log.recoveryNotes[0].contains("corrupt record in \(file) at byte \(positions[2])"))
        #expect(log.recoveryNotes[0].contains("offset 2"))
        #expect(try log.offsets(topic: "t", partition: 0).next == 6)  // nothing truncated
        do {
            _ = try log.read(topic: "t", partition: 0, from: 0, maxRecords: 10, maxBytes: 1 << 20)
            Issue.record("a read over a corrupt record must fail")
        } catch let StreamLogError.corruptRecord(failedFile, position, detail) {
            #expect(failedFile == file)
            #expect(position == Int64(positions[2]))
            #expect(detail.contains("CRC-32C mismatch"))
        }
        // Records after the damaged one are still served, and appends continue.
        #expect(try log.read(topic: "t", partition: 0, from: 3, maxRecords: 10, maxBytes: 1 << 20).map(\.offset) == [3, 4, 5])
        #expect(try log.append([sampleRecord(6)], topic: "t", partition: 0).baseOffset == 6)
    }

    @Test func oneWriterAtATimeButReadersFollowAlong() throws {
        let dir = TemporaryDirectory()
        let writer = try LocalLog(LocalLogConfiguration(directory: dir.path, fsync: .never))
        #expect(throws: StreamLogError.locked(directory: dir.path, holder: "process \(getpid())")) {
            try LocalLog(LocalLogConfiguration(directory: dir.path))
        }
        try writer.createTopic("t", partitions: 1)
        _ = try writer.append([sampleRecord(0)], topic: "t", partition: 0)
        let reader = try LocalLog(LocalLogConfiguration(directory: dir.path, access: .readOnly))
        #expect(try reader.read(topic: "t", partition: 0, from: 0, maxRecords: 10, maxBytes: 1 << 20).count == 1)
        _ = try writer.append([sampleRecord(1), sampleRecord(2)], topic: "t", partition: 0)
        try writer.createTopic("later", partitions: 2)
        #expect(try reader.offsets(topic: "t", partition: 0).next == 3)
        #expect(try reader.read(topic: "t", partition: 0, from: 1, maxRecords: 10, maxBytes: 1 << 20).map(\.record)
            == [sampleRecord(1), sampleRecord(2)])
        #expect(try reader.topics().map(\.name) == ["later", "t"])
        #expect(throws: StreamLogError.self) { try reader.append([sampleRecord(3)], topic: "t", partition: 0) }
        try writer.close()
        let next = try LocalLog(LocalLogConfiguration(directory: dir.path))  // the lock was released
        try next.close()
    }

    @Test func committedOffsetsPersistPerGroup() throws {
        let dir = TemporaryDirectory()
        do {
            let log = try LocalLog(LocalLogConfiguration(directory: dir.path, fsync: .always))
            try log.createTopic("t", partitions: 2)
            _ = try log.append((0..<5).map { sampleRecord($0) }, topic: "t", partition: 1)
            try log.commit(group: "claims-router", topic: "t", partition: 1, offset: 3)
            try log.commit(group: "odd group/name%", topic: "t", partition: 1, offset: 5)
            #expect(throws: StreamLogError.offsetOutOfRange(topic: "t", partition: 1, requested: 6, earliest: 0, next: 5)) {
                try log.commit(group: "claims-router", topic: "t", partition: 1, offset: 6)
            }
            try log.close()
        }
        let log = try LocalLog(LocalLogConfiguration(directory: dir.path))
        #expect(try log.committedOffset(group: "claims-router", topic: "t", partition: 1) == 3)
        #expect(try log.committedOffset(group: "odd group/name%", topic: "t", partition: 1) == 5)
        #expect(try log.committedOffset(group: "claims-router", topic: "t", partition: 0) == nil)
        #expect(try log.committedOffset(group: "nobody", topic: "t", partition: 1) == nil)
    }

    @Test func aDamagedOffsetsFileIsRejectedWithItsByteOffset() throws {
        let dir = TemporaryDirectory()
        do {
            let log = try LocalLog(LocalLogConfiguration(directory: dir.path, fsync: .never))
            try log.createTopic("t", partitions: 1)
            try log.close()
        }
        let file = dir.path + "/groups/g.offsets"
        try "t 0 5\nt zero 7\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: StreamLogError.corruptRecord(
            file: file, position: 6, detail: "line 2 is not 'topic partition offset'")) {
            try LocalLog(LocalLogConfiguration(directory: dir.path))
        }
    }

    @Test func badNamesPartitionsAndSizesAreRejectedWithContext() throws {
        let dir = TemporaryDirectory()
        var config = LocalLogConfiguration(directory: dir.path, fsync: .never)
        config.maxRecordBytes = 1000
        let log = try LocalLog(config)
        #expect(throws: StreamLogError.self) { try log.createTopic("bad/name", partitions: 1) }
        #expect(throws: StreamLogError.self) { try log.createTopic("..", partitions: 1) }
        try log.createTopic("t", partitions: 2)
        try log.createTopic("t", partitions: 2)  // idempotent
        #expect(throws: StreamLogError.partitionCountMismatch(topic: "t", existing: 2, requested: 3)) {
            try log.createTopic("t", partitions: 3)
        }
        #expect(throws: StreamLogError.unknownTopic("nope")) { try log.append([sampleRecord(0)], topic: "nope", partition: 0) }
        #expect(throws: StreamLogError.unknownPartition(topic: "t", partition: 2, partitionCount: 2)) {
            try log.append([sampleRecord(0)], topic: "t", partition: 2)
        }
        let big = StreamRecord(key: nil, value: [UInt8](repeating: 1, count: 1001), timestamp: 0)
        #expect(throws: StreamLogError.recordTooLarge(size: 1001, maximum: 1000)) {
            try log.append([big], topic: "t", partition: 0)
        }
        #expect(try log.offsets(topic: "t", partition: 0).next == 0)
    }

    @Test func publishPlacesKeysLikeKafka() async throws {
        let dir = TemporaryDirectory()
        let log = try LocalLog(LocalLogConfiguration(directory: dir.path, fsync: .never))
        try log.createTopic("members", partitions: 6)
        let records = (0..<30).map { sampleRecord($0) }
        _ = try await log.publish(records, topic: "members")
        for partition in 0..<6 {
            let stored = try log.read(topic: "members", partition: partition, from: 0, maxRecords: 100, maxBytes: 1 << 20)
            for item in stored {
                #expect(KafkaPartitioner.partition(forKey: item.record.key!, partitionCount: 6) == partition)
            }
            // Per-key order is kept within the partition.
            let sequence = stored.map { Int($0.record.header("seq")!.textValue!)! }
            #expect(sequence == sequence.sorted())
        }
    }
}

/// The exact frame the log writes for a record, to build damaged files in tests.
func frameBytes(of record: StreamRecord, offset: Int64) throws -> [UInt8] {
    LogRecordFrame.encodeBatch([record], baseOffset: offset).bytes
}
