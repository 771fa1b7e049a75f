// MQ benchmark (issue 5): MQMD + MQRFH2 parse rate on one core. Frames are generated in memory (MQMD v2, an RFH2
// with <mcd>, <jms> and <usr> folders, a short MQSTR body), each its own array as a frame-file reader hands them
// out. The hot path validates the MQMD, the RFH2 fixed part and every folder length and reads MQMD fields; the
// second figure also asks one <usr> property per frame, which parses that folder's XML (FoundationXML).
import ByteCoding
import Foundation
import MQ

enum MQBenchmark {
    struct Figures {
        var name: String
        var frames: Int
        /// Wall-clock seconds.
        var seconds: Double
        /// CPU seconds of the measuring thread: the machine is shared, and this counts only the time the thread ran.
        var cpuSeconds: Double
    }

    static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// `count` distinct frames of about 600 bytes.
    static func frames(count: Int) -> [[UInt8]] {
        var random = SplitMix64(seed: 5)
        var result: [[UInt8]] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            var md = MQMD()
            md.messageType = index % 10 == 0 ? .request : .datagram
            md.persistence = .persistent
            md.priority = Int32(index % 10)
            md.format = .rfHeader2
            md.codedCharacterSetID = 1208
            md.replyToQueue = "CLAIMS.REPLY"
            md.replyToQueueManager = "QM1"
            md.putApplicationName = "claims-sender"
            md.putDate = "20261206"
            md.putTime = "02153047"
            var id = [UInt8](repeating: 0, count: 24)
            for i in 0..<24 { id[i] = UInt8(truncatingIfNeeded: random.next()) }
            md.messageID = MQIdentifier(id) ?? .none
            let folders = [
                RFH2Folder(xml: "<mcd><Msd>jms_text</Msd></mcd>"),
                RFH2Folder(xml: "<jms><Dst>queue:///CLAIMS.IN</Dst><Tms>\(1_733_443_200_000 + index)</Tms><Dlv>2</Dlv></jms>"),
                RFH2Folder(xml: "<usr><MemberId>M-\(100_000 + index)</MemberId><Amount dt='i4'>\(index % 5000)</Amount><Urgent dt='boolean'>\(index % 2)</Urgent></usr>"),
            ]
            let rfh2 = RFH2(folders: folders, next: MQDataDescription(encoding: .native, codedCharacterSetID: 1208, format: .string))
            let frame = MQFrame(
                descriptor: md, headers: [.rfh2(rfh2)],
                payload: MQPayload(bytes: Array("{\"claim\":\"C-\(index)\",\"amount\":\"\(index % 900).25\"}".utf8), format: .string))
            result.append(frame.bytes)
        }
        return result
    }

    static func run(seconds target: Double, runs: Int) throws -> (bytesPerFrame: Int, figures: [Figures]) {
        let frames = Self.frames(count: 10_000)
        var figures: [Figures] = []
        var checksum = 0
        func measure(_ name: String, rounds: Int, _ body: ([UInt8]) throws -> Int) rethrows {
            var best = Double.infinity
            var bestCPU = Double.infinity
            var total = 0
            for _ in 0..<runs {
                let clock = ContinuousClock()
                var count = 0
                let cpuStart = threadCPUSeconds()
                let elapsed = try clock.measure {
                    for _ in 0..<rounds {
                        for frame in frames {
                            checksum &+= try body(frame)
                            count += 1
                        }
                    }
                }
                let cpu = threadCPUSeconds() - cpuStart
                let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                if cpu < bestCPU { bestCPU = cpu; best = s; total = count }
            }
            figures.append(Figures(name: name, frames: total, seconds: best, cpuSeconds: bestCPU))
        }
        // Calibrate the round count so a run lasts about `target` seconds.
        let probe = ContinuousClock().measure { for frame in frames { checksum &+= (try? MQFrame(parsing: frame))?.headerCount ?? 0 } }
        let probeSeconds = Double(probe.components.seconds) + Double(probe.components.attoseconds) / 1e18
        let rounds = max(1, Int(target / max(probeSeconds, 1e-6)))
        try measure("parse MQMD + RFH2 (no XML)", rounds: rounds) { bytes in
            let frame = try MQFrame(parsing: bytes)
            let md = frame.descriptor
            var sum = Int(md.priority) &+ Int(md.persistence.rawValue) &+ Int(md.messageType.rawValue)
            sum &+= md.messageID.isNone ? 0 : 1
            if let rfh2 = frame.rfh2 { sum &+= rfh2.folderCount &+ Int(rfh2.nameValueCCSID) }
            return sum &+ frame.payload.count
        }
        try measure("parse + one <usr> property (XML)", rounds: max(1, rounds / 100)) { bytes in
            let frame = try MQFrame(parsing: bytes)
            guard let rfh2 = frame.rfh2, case .string(let member)? = try rfh2.property(folder: "usr", name: "MemberId") else { return 0 }
            return member.utf8.count
        }
        if checksum == 42 { print("") }  // keeps the work observable
        return (frames.reduce(0) { $0 + $1.count } / frames.count, figures)
    }
}
