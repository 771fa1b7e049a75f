import ByteCoding
import Foundation
import StreamLog
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The acceptance crash test of the embedded log: a child `ferry log append --fsync always` process is
/// SIGKILLed at 50 random moments; after each kill the log reopens with every acknowledged record present, in
/// order, CRC-intact, no partial record visible, and the next run continues at the next offset.
@Suite(.serialized) struct LocalLogCrashTests {
    static let rounds = 50

    /// Line `offset` of the input: the record value written at that offset. Lengths vary so frames straddle
    /// page and index boundaries.
    static func line(for offset: Int64) -> String {
        let padding = String(repeating: "x", count: Int((offset &* 7919) % 300))
        return "record-\(offset)-\(padding)"
    }

    @Test func acknowledgedRecordsSurviveSIGKILL() throws {
        let ferry = try FerryProcess.executable().path
        let work = NSTemporaryDirectory() + "ferry-crash-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: work) }
        let logDirectory = work + "/log"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        do {
            let log = try LocalLog(LocalLogConfiguration(directory: logDirectory, fsync: .always))
            try log.createTopic("crash", partitions: 1)
            try log.close()
        }
        var generator = SplitMix64(seed: 0xFE22_7C0D)
        var next: Int64 = 0
        var totalAcked = 0
        var tornTails = 0
        for round in 0..<Self.rounds {
            // Input for this run starts at the offset the log will give its first record.
            let input = work + "/input-\(round).txt"
            let lines = (next..<(next + 20_000)).map(Self.line(for:)).joined(separator: "\n") + "\n"
            try lines.write(toFile: input, atomically: true, encoding: .utf8)
            let acksPath = work + "/acks-\(round).jsonl"
            _ = FileManager.default.createFile(atPath: acksPath, contents: nil)
            let acks = try FileHandle(forWritingTo: URL(fileURLWithPath: acksPath))

            let child = Process()
            child.executableURL = URL(fileURLWithPath: ferry)
            child.arguments = [
                "log", "append", "crash", "--log", logDirectory, "--partition", "0", "--fsync", "always",
                "--batch-size", "1", "--acks", input,
            ]
            child.standardOutput = acks
            child.standardError = FileHandle.nullDevice
            try child.run()
            usleep(UInt32.random(in: 15_000...250_000, using: &generator))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            try acks.close()
            #expect(child.terminationReason == .uncaughtSignal, "round \(round): the child must die by SIGKILL")

            // Acknowledgements that reached the file as whole lines.
            let text = try String(contentsOfFile: acksPath, encoding: .utf8)
            var acked: [Int64] = []
            for ackLine in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                let ack = try #require(
                    try JSONSerialization.jsonObject(with: Data(ackLine.utf8)) as? [String: Any],
                    "round \(round): ack line is not JSON: \(ackLine)")
                acked.append(try #require((ack["offset"] as? NSNumber)?.int64Value))
            }
            // The new run continued exactly where the log ended.
            if let first = acked.first { #expect(first == next, "round \(round): first ack \(first), log end was \(next)") }
            #expect(acked == Array(next..<(next + Int64(acked.count))), "round \(round): acks are not contiguous")
            totalAcked += acked.count

            // Reopen: every acknowledged record is there, in order, intact; nothing partial is visible.
            let log = try LocalLog(LocalLogConfiguration(directory: logDirectory, fsync: .always))
            for note in log.recoveryNotes {
                #expect(note.contains("torn tail"), "round \(round): unexpected recovery note: \(note)")
                tornTails += 1
            }
            let end = try log.offsets(topic: "crash", partition: 0).next
            let lastAcked = acked.last ?? (next - 1)
            #expect(end > lastAcked, "round \(round): acknowledged offset \(lastAcked) lost (log ends at \(end))")
            var expected: Int64 = 0
            try log.scan(topic: "crash", partition: 0, from: 0) { view in
                #expect(view.offset == expected)
                let value = view.value.map { String(decoding: $0, as: UTF8.self) }
                #expect(value == Self.line(for: view.offset), "round \(round): offset \(view.offset) differs")
                expected += 1
                return true
            }
            #expect(expected == end, "round \(round): read \(expected) records, log end is \(end)")
            try log.close()
            next = end
        }
        #expect(totalAcked > Self.rounds, "the child must have acknowledged records before being killed")
        print("crash test: \(Self.rounds) SIGKILLs, \(totalAcked) acknowledged records, \(next) in the log, "
            + "\(tornTails) torn tails repaired")
    }
}
