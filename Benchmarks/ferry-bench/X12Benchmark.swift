// X12 benchmark (issue 4, first part): a generated 837P of at least 500 MB with realistic claims, tokenized in one
// pass on one core through the streaming reader (constant memory), then tokenized with envelope checks.
// Then the loop tree alone (X12LoopTreeBuilder over each set: placement only, then with the owned tree of copied
// segments), then SNIP level 2 (X12GuideValidationRun: loop placement and element checks against
// 005010X222A1, the way `ferry edi validate` runs it). The claim passes tokenize, track loop identity and build the
// claims, then also write every claim as a CloudEvent JSON line (into one reused buffer, flushed to /dev/null every
// MiB), all in one pass on one core. The last claim pass (8) runs `X12ClaimEventConversion`, exactly what
// `ferry convert x12` runs (envelope checks, events held per set until its SE), events written per set.
import ByteCoding
import Events
import EDI
import Foundation

enum X12Benchmark {
    struct Figures {
        var name: String
        var bytes: Int
        var segments: Int
        var seconds: Double
        var claims = 0
        var outputBytes = 0
        /// CPU time of the measuring thread (robust to other processes on a shared machine).
        var cpuSeconds = 0.0
    }

    /// CPU seconds used by the calling thread so far.
    static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Writes an 837P interchange of about `targetBytes`: one ISA/GS, transaction sets of 50 claims each, every
    /// claim with a subscriber, a patient, diagnoses and 1–6 service lines; varied ids and amounts.
    static func generate(to path: String, targetBytes: Int) throws -> Int {
        var generator = SplitMix64(seed: 837)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var out = ""
        out.reserveCapacity(8 << 20)
        var written = 0
        func flush() throws {
            let bytes = Array(out.utf8)
            try handle.write(contentsOf: bytes)
            written += bytes.count
            out.removeAll(keepingCapacity: true)
        }
        out += "ISA*00*          *00*          *ZZ*SUBMITTER01    *ZZ*PAYER00001     *261121*1200*^*00501*000000001*0*P*:~\n"
        out += "GS*HC*SUBMITTER01*PAYER00001*20261121*1200*1*X*005010X222A1~\n"
        var sets = 0
        var claims = 0
        while written + out.utf8.count < targetBytes {
            sets += 1
            var segments = 0
            func segment(_ text: String) { out += text + "~\n"; segments += 1 }
            segment("ST*837*\(String(format: "%04d", sets % 10000))*005010X222A1")
            segment("BHT*0019*00*\(sets)*20261121*1200*CH")
            segment("NM1*41*2*CLEARINGHOUSE ONE*****46*CH0001")
            segment("PER*IC*CLAIMS DESK*TE*5555550100")
            segment("NM1*40*2*PAYER ONE*****46*PAYER00001")
            segment("HL*1**20*1")
            segment("NM1*85*2*SPRINGFIELD FAMILY MEDICINE*****XX*1\(String(format: "%09d", Int(generator.next() % 1_000_000_000)))")
            segment("N3*100 MAIN STREET")
            segment("N4*SPRINGFIELD*IL*627010001")
            segment("REF*EI*\(String(format: "%09d", Int(generator.next() % 1_000_000_000)))")
            var hl = 1
            for _ in 0..<50 {
                claims += 1
                hl += 1
                let member = String(format: "M%08d", Int(generator.next() % 100_000_000))
                let patientIsSubscriber = generator.next() % 3 != 0
                segment("HL*\(hl)*1*22*\(patientIsSubscriber ? 0 : 1)")
                segment("SBR*P*\(patientIsSubscriber ? "18" : "")*GRP12345******CI")
                segment("NM1*IL*1*OKAFOR*ADA****MI*\(member)")
                segment("N3*12 HARBOR WAY")
                segment("N4*SPRINGFIELD*IL*62704")
                segment("DMG*D8*19800412*F")
                segment("NM1*PR*2*PAYER ONE*****PI*PAYER00001")
                if !patientIsSubscriber {
                    hl += 1
                    segment("HL*\(hl)*\(hl - 1)*23*0")
                    segment("PAT*19")
                    segment("NM1*QC*1*OKAFOR*SAM")
                    segment("N3*12 HARBOR WAY")
                    segment("N4*SPRINGFIELD*IL*62704")
                    segment("DMG*D8*20120304*M")
                }
                let lines = Int(generator.next() % 6) + 1
                var total = 0
                var charges: [Int] = []
                for _ in 0..<lines {
                    let charge = Int(generator.next() % 90_000) + 1_000
                    charges.append(charge)
                    total += charge
                }
                func money(_ cents: Int) -> String { "\(cents / 100).\(String(format: "%02d", cents % 100))" }
                segment("CLM*CLM\(claims)*\(money(total))***11:B:1*Y*A*Y*Y")
                segment("HI*ABK:J069*ABF:R05")
                segment("NM1*82*1*NGUYEN*MINH****XX*1\(String(format: "%09d", Int(generator.next() % 1_000_000_000)))")
                segment("PRV*PE*PXC*207Q00000X")
                for (index, charge) in charges.enumerated() {
                    segment("LX*\(index + 1)")
                    segment("SV1*HC:99213:25*\(money(charge))*UN*1***1")
                    segment("DTP*472*D8*20261104")
                }
            }
            segment("SE*\(segments + 1)*\(String(format: "%04d", sets % 10000))")
            if out.utf8.count > 4 << 20 { try flush() }
        }
        out += "GE*\(sets)*1~\nIEA*1*000000001~\n"
        try flush()
        try handle.close()
        return claims
    }

    static func run(
        directory: String, targetBytes: Int, runs: Int, passes: Set<Int> = []
    ) throws -> (claims: Int, figures: [Figures]) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/claims.837p.x12"
        let claims = try generate(to: path, targetBytes: targetBytes)
        let bytes = Int((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        var best: [String: Figures] = [:]
        // Passes 0-4 below; 5 and up are the claim passes (ClaimPass order). `--x12-passes 2,4` runs only those (for profiling).
        let names = [
            "tokenize", "tokenize + envelope checks", "tokenize + loop tree (placement)",
            "tokenize + loop tree (owned)", "+ SNIP 2 (guide)",
        ]
        let guide = try X12Guide.bundled("005010X222A1")
        for _ in 0..<runs {
            for level in 0..<names.count where passes.isEmpty || passes.contains(level) {
                let validates = level == 1 || level == 4
                let descriptor = open(path, O_RDONLY)
                var segments = 0
                var validator = X12EnvelopeValidator(retainsTransactionSets: false)
                var guides = X12GuideValidationRun()
                var tree = X12LoopTreeBuilder(guide: guide, retainsSegments: level == 3)
                var inSet = false
                var findings = 0
                var loops = 0
                let clock = ContinuousClock()
                let cpuStart = threadCPUSeconds()
                let elapsed = try clock.measure {
                    try X12Tokenizer.forEachSegment(readingFrom: descriptor, chunkSize: 1 << 20) { segment in
                        segments += 1
                        if validates { validator.consume(segment) }
                        if level == 2 || level == 3 {
                            if segment.hasID("ST") { inSet = true }
                            guard inSet else { return }
                            tree.consume(segment)
                            if segment.hasID("SE") {
                                inSet = false
                                findings += tree.issues.count
                                loops += tree.finish().children.count
                            }
                        }
                        if level == 4 {
                            guides.consume(segment)
                            if segment.hasID("SE") { findings += guides.takeResults().reduce(0) { $0 + $1.findings.count } }
                        }
                    }
                    if validates { validator.finish() }
                }
                close(descriptor)
                if level >= 2 && findings > 0 { print("  (\(names[level]) findings in the generated file: \(findings))") }
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let cpu = threadCPUSeconds() - cpuStart
                let name = names[level]
                if best[name] == nil || seconds < best[name]!.seconds {
                    best[name] = Figures(name: name, bytes: bytes, segments: segments, seconds: seconds, cpuSeconds: cpu)
                }
            }
        }
        // Claim passes are 5, 6, 7… in ClaimPass order (`--x12-passes`).
        for _ in 0..<runs {
            for (index, pass) in ClaimPass.allCases.enumerated() where passes.isEmpty || passes.contains(5 + index) {
                let figures = try claimEvents(path: path, bytes: bytes, pass: pass)
                if best[figures.name] == nil || figures.seconds < best[figures.name]!.seconds {
                    best[figures.name] = figures
                }
            }
        }
        try? FileManager.default.removeItem(atPath: path)
        return (
            claims,
            (names + ClaimPass.allCases.map(\.rawValue)).compactMap { best[$0] }
        )
    }

    /// The claim passes: the model alone, the model written as events, the model-free event writer.
    enum ClaimPass: String, CaseIterable {
        case model = "tokenize + claims (model, no JSON)"
        case modelEvents = "tokenize + claims + events (model writer)"
        case events = "tokenize + claims + events (fast writer)"
        /// `X12ClaimEventConversion` as `ferry convert x12` runs it (same chunk size), events written to /dev/null
        /// per transaction set.
        case command = "ferry convert x12 path: envelope checks + events"
    }

    /// One pass: tokenize, extract claims (loop identity by position and HL chain), write CloudEvents JSON Lines
    /// through the model (`X12ClaimExtractor` + `X12ClaimEvent`) or straight from the segments (`X12ClaimEventWriter`).
    static func claimEvents(path: String, bytes: Int, pass: ClaimPass) throws -> Figures {
        let descriptor = open(path, O_RDONLY)
        let sink = open("/dev/null", O_WRONLY)
        defer {
            close(descriptor)
            close(sink)
        }
        var segments = 0
        var claims = 0
        var output = 0
        var extractor = X12ClaimExtractor()
        var eventWriter = X12ClaimEventWriter()
        var writer = JSONWriter(capacity: 2 << 20)
        let clock = ContinuousClock()
        let cpuStart = threadCPUSeconds()
        if pass == .command {
            var conversion = X12ClaimEventConversion(
                source: path,
                events: { bytes in
                    output += bytes.count
                    bytes.withUnsafeBytes { _ = write(sink, $0.baseAddress, $0.count) }
                },
                diagnostics: { _ in })
            let elapsed = clock.measure { conversion.convert(readingFrom: descriptor) }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            var figures = Figures(name: pass.rawValue, bytes: bytes, segments: conversion.segmentCount, seconds: seconds)
            figures.cpuSeconds = threadCPUSeconds() - cpuStart
            figures.claims = conversion.eventCount
            figures.outputBytes = output
            if conversion.rejections > 0 { print("  (\(pass.rawValue): \(conversion.rejections) rejections)") }
            return figures
        }
        let elapsed = try clock.measure {
            try X12Tokenizer.forEachSegment(readingFrom: descriptor, chunkSize: 1 << 20) { segment in
                segments += 1
                if pass == .events {
                    claims += eventWriter.consume(segment, to: &writer)
                } else {
                    extractor.consume(segment) { record in
                        claims += 1
                        guard pass == .modelEvents else { return }
                        X12ClaimEvent.write(record, to: &writer)
                        writer.endLine()
                    }
                }
                if writer.bytes.count >= 1 << 20 {
                    output += writer.bytes.count
                    writer.bytes.withUnsafeBytes { _ = write(sink, $0.baseAddress, $0.count) }
                    writer.removeAll()
                }
            }
            extractor.finish()
            eventWriter.finish()
            output += writer.bytes.count
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var figures = Figures(name: pass.rawValue, bytes: bytes, segments: segments, seconds: seconds)
        figures.cpuSeconds = threadCPUSeconds() - cpuStart
        figures.claims = claims
        figures.outputBytes = output
        return figures
    }
}
