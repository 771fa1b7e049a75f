import EDI
import Foundation
import Testing

/// One test per X12 hard case of `edi-anchors.md` §5 (1–16), each on the corpus file the anchors name where there
/// is one (skipped when `../shared/conformance/edi` is absent) and on a hand-written interchange otherwise.
/// Case 7's validator half and case 22 are SNIP level 2 findings: `X12GuideValidatorTests`. EDIFACT cases
/// 11 and 17–21: `EDIFACTHardCaseTests`.
@Suite("X12 hard cases (edi-anchors.md §5)")
struct X12HardCaseTests {
    static func corpus(_ path: String) throws -> [UInt8]? {
        let url = X12Conformance.root.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            print("\(X12Conformance.skipMessage) (\(path))")
            return nil
        }
        return Array(try Data(contentsOf: url))
    }

    /// Envelope check of in-memory bytes: the interchanges and every issue, or the fatal syntax error.
    static func envelope(_ bytes: [UInt8], lenient: Bool = false) -> (interchanges: [X12Interchange], issues: [X12Error], fatal: X12Error?) {
        var validator = X12EnvelopeValidator()
        var fatal: X12Error?
        bytes.withUnsafeBytes { raw in
            do throws(X12Error) {
                try X12SegmentFramer.forEachSegment(in: raw, allowsUnterminatedFinalSegment: lenient) { validator.consume($0) }
            } catch {
                fatal = error
            }
        }
        validator.finish()
        return (validator.takeCompletedInterchanges(), validator.issues, fatal)
    }

    static func ids(_ segments: [TokenizedSegment]) -> [String] { segments.map(\.id) }

    @Test("1: CR/LF and tabs after the terminator are not data")
    func terminatorFollowedByLineBreaks() throws {
        guard let bytes = try Self.corpus("x12-5010-270-oopfactory-gs-0x1d-terminator-crlf/input.x12") else { return }
        let segments = try tokenizeInMemory(bytes).get()
        #expect(segments.first?.delimiters.segmentTerminator == [0x1D])
        #expect(segments.allSatisfy { !$0.bytes.contains(0x0D) && !$0.bytes.contains(0x0A) })
        #expect(Self.ids(segments).first == "ISA" && Self.ids(segments).last == "IEA")
        let plain = try tokenizeInMemory(Array(X12Fixture.interchange().utf8)).get()
        let tabbed = try tokenizeInMemory(Array(X12Fixture.interchange(suffix: "\r\n\t\t").utf8)).get()
        #expect(tabbed.map(\.bytes) == plain.map(\.bytes))
    }

    @Test("2: a terminator that is itself LF, or CR followed by LF")
    func terminatorIsWhitespace() throws {
        guard let lf = try Self.corpus("x12-837-staedi-newline-terminator-indented/input.x12") else { return }
        let segments = try tokenizeInMemory(lf).get()
        #expect(segments.first?.delimiters.segmentTerminator == [0x0A])
        #expect(segments.allSatisfy { $0.bytes.first != 0x20 && $0.bytes.first != 0x09 }, "indentation is not data")
        #expect(Self.envelope(lf).issues.filter { !$0.isWarning }.isEmpty)
        guard let cr = try Self.corpus("x12-5010-837p-oopfactory-cr-terminator-bom/input.x12") else { return }
        // This file ends with `IEA…` and no terminator: strict reading rejects it, lenient reading warns.
        #expect(Self.envelope(cr).fatal != nil)
        let lenient = Self.envelope(cr, lenient: true)
        #expect(lenient.fatal == nil)
        #expect(lenient.interchanges.first?.delimiters.segmentTerminator == [0x0D])
        #expect(lenient.issues.contains { if case .unterminatedFinalSegment = $0 { true } else { false } })
    }

    @Test("3: exotic terminators: 0x1D, U+2026, `_` with `~` elements, `|` components")
    func exoticTerminators() throws {
        guard let ellipsis = try Self.corpus("x12-4010-214-staedi-unicode-segment-terminator/input.x12") else { return }
        let segments = try tokenizeInMemory(ellipsis).get()
        #expect(segments.first?.delimiters.segmentTerminator == [0xE2, 0x80, 0xA6])
        #expect(Self.ids(segments).contains("ST") && Self.ids(segments).last == "IEA")
        #expect(segments.allSatisfy { !$0.bytes.contains(0xE2) }, "the multi-byte terminator never leaks into data")
        guard let underscore = try Self.corpus("x12-5010-837p-imsweb-valid/input-different-separators.x12") else { return }
        let different = try tokenizeInMemory(underscore).get()
        #expect(different.first?.delimiters.element == UInt8(ascii: "~"))
        #expect(different.first?.delimiters.segmentTerminator == [UInt8(ascii: "_")])
        #expect(different.first?.delimiters.component == UInt8(ascii: "^"))
        guard let standard = try Self.corpus("x12-5010-837p-imsweb-valid/input.x12") else { return }
        #expect(different.count == (try tokenizeInMemory(standard).get()).count, "same document, other separators")
        guard let pipe = try Self.corpus("x12-5010-999-imsweb-rejected/input.x12") else { return }
        #expect(try tokenizeInMemory(pipe).get().first?.delimiters.component == UInt8(ascii: "|"))
    }

    @Test("4: a non-padded ISA is read with a warning; an ISA without terminator or no ISA is fatal")
    func isaFixedWidthVersusReality() throws {
        guard let tigershark = try Self.corpus("x12-4010-837i-tigershark-patient-is-subscriber-nonfixed-isa/input.x12") else { return }
        let result = Self.envelope(tigershark)
        #expect(result.fatal == nil)
        #expect(result.issues.contains { if case .isaNotFixedWidth = $0 { true } else { false } })
        #expect(result.issues.allSatisfy { $0.isWarning })
        // The byte after ISA16 is the terminator, here a LF; the interchange then ends without GS or IEA: rejected.
        guard let cut = try Self.corpus("x12-badx12-isa-without-segment-terminator/input.x12") else { return }
        let truncated = Self.envelope(cut)
        #expect(truncated.fatal != nil || truncated.issues.contains { if case .missingTrailer(_, "IEA", _) = $0 { true } else { false } })
        #expect(X12AckValidationResult(validating: cut).isAccepted == false)
        guard let missing = try Self.corpus("x12-5010-837p-imsweb-missing-isa/input.x12") else { return }
        let fatal = try #require(Self.envelope(missing).fatal)
        guard case .missingISA = fatal else { Issue.record("expected missingISA, got \(fatal)"); return }
    }

    @Test("5: ISA11 is a repetition separator only from 00402 and when not alphanumeric")
    func repetitionSeparator() throws {
        guard let bang = try Self.corpus("x12-5010-834-pyx12-bang-repetition-separator/input.x12") else { return }
        #expect(try tokenizeInMemory(bang).get().first?.delimiters.repetition == UInt8(ascii: "!"))
        // 5010 with `U` (imsweb fixtures): no repetition separator, a `U` in a value is data.
        var repetitions: [Int] = []
        try withEachSegment(X12Fixture.interchange(repetition: "U", body: ["NM1*IL*1*UNGER*URSULA"])) { view in
            if view.id == "NM1" { repetitions = (1...4).map { view.element($0)?.repetitionCount ?? -1 } }
        }
        #expect(repetitions == [1, 1, 1, 1])
        var split = 0
        try withEachSegment(X12Fixture.interchange(repetition: "^", body: ["HI*ABK:J449^ABF:E119"])) { view in
            if view.id == "HI" { split = view.element(1)?.repetitionCount ?? 0 }
        }
        #expect(split == 2)
    }

    @Test("6: ISA16 component separators `:` `>` `^` `|` split composites", arguments: [":", ">", "^", "|"])
    func componentSeparator(separator: String) throws {
        let repetition = separator == "^" ? "!" : "^"
        var components: [String] = []
        try withEachSegment(X12Fixture.interchange(component: separator, repetition: repetition, body: ["CLM*C1*100***11\(separator)B\(separator)1"])) { view in
            if view.id == "CLM" { components = (1...3).map { view.element(5)?.component($0)?.text ?? "?" } }
        }
        #expect(components == ["11", "B", "1"])
    }

    @Test("7: empty and trailing elements keep their positions")
    func emptyAndTrailingElements() throws {
        var counts: [String: Int] = [:]
        var frequency: String?
        try withEachSegment(X12Fixture.interchange(body: ["CLM*C1*100***11:B:1*Y*A********", "HI*BK:1739**"])) { view in
            counts[view.id] = view.elementCount
            if view.id == "CLM" { frequency = view.element(5)?.component(3)?.text }
        }
        #expect(counts["CLM"] == 15)
        #expect(counts["HI"] == 3)
        #expect(frequency == "1")
        var se = 0
        try withEachSegment(X12Fixture.isa() + "SE**~IEA*0*000000001~") { if $0.id == "SE" { se = $0.elementCount } }
        #expect(se == 2)
    }

    @Test("8: a UTF-8 BOM is stripped; UTF-16 is rejected with a clear error")
    func encodings() throws {
        guard let bom = try Self.corpus("x12-5010-837p-oopfactory-cr-terminator-bom/input.x12") else { return }
        #expect(Array(bom.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let segments = try tokenizeInMemory(bom, allowsUnterminatedFinalSegment: true).get()
        #expect(segments.first?.id == "ISA" && segments.first?.byteOffset == 3)
        guard let utf16 = try Self.corpus("x12-5010-837p-oopfactory-utf16le/input.x12") else { return }
        #expect(tokenizeInMemory(utf16) == .failure(.unsupportedEncoding(encoding: "UTF-16LE", offset: 0)))
    }

    @Test("9: many interchanges, groups and sets; one bad set leaves its siblings intact")
    func envelopeMultiplicity() throws {
        guard let mixed = try Self.corpus("x12-4010-mixed-pyx12-multi-isa-multi-gs/input.x12") else { return }
        let result = Self.envelope(mixed)
        #expect(result.interchanges.count > 1)
        #expect(result.interchanges.contains { $0.groups.count > 1 })
        guard let counts = try Self.corpus("x12-4010-837i-pyx12-trailer-count-errors/input.x12") else { return }
        let ack = X12AckValidationResult(validating: counts)
        let sets = ack.interchanges.flatMap(\.groups).flatMap(\.transactionSets)
        #expect(sets.count == 2)
        #expect(sets.first?.errorCodes.contains(.segmentCountMismatch) == true)
        #expect(sets.last?.findings.isEmpty == true, "the second set's envelope is fine")
    }

    @Test("10: SE01 counts ST..SE, GE01 sets, IEA01 groups; control numbers compare as strings")
    func countsAndControlNumbers() {
        let trailingSpace = X12Fixture.isa() + "GS*HC*S*R*20210101*1253*1*X*005010X222A1~ST*837*0001 ~BHT*0019~SE*3*0001~GE*1*1~IEA*1*000000001~"
        #expect(Self.envelope(Array(trailingSpace.utf8)).issues == [
            .controlNumberMismatch(position: 5, element: "SE02", header: "0001 ", trailer: "0001"),
        ])
        let leadingZeros = X12Fixture.isa() + "GS*HC*S*R*20210101*1253*01*X*005010X222A1~ST*837*0001~SE*2*0001~GE*2*1~IEA*2*1~"
        #expect(Self.envelope(Array(leadingZeros.utf8)).issues == [
            .transactionSetCountMismatch(position: 5, controlNumber: "01", declared: 2, actual: 1),
            .controlNumberMismatch(position: 5, element: "GE02", header: "01", trailer: "1"),
            .functionalGroupCountMismatch(position: 6, controlNumber: "000000001", declared: 2, actual: 1),
            .controlNumberMismatch(position: 6, element: "IEA02", header: "000000001", trailer: "1"),
        ])
    }

    @Test("11: a file cut short ends with located missing-trailer errors, never a hang")
    func truncation() throws {
        guard let missing = try Self.corpus("x12-4010-837p-pyx12-missing-iea/input.x12") else { return }
        let result = Self.envelope(missing)
        #expect(result.issues.contains { if case .missingTrailer(_, "IEA", _) = $0 { true } else { false } })
        #expect(X12AckValidationResult(validating: missing).interchanges.first?.noteCode == .prematureEndOfFile)
        // Cut mid-claim at every 97th byte: always a located error or trailer findings, and it returns.
        let whole = Array(X12Fixture.interchange(sets: 3).utf8)
        for end in stride(from: 110, to: whole.count - 1, by: 97) {
            let cut = Self.envelope(Array(whole[..<end]))
            #expect(cut.fatal != nil || cut.issues.contains { if case .missingTrailer = $0 { true } else { false } })
        }
    }

    @Test("12: HL parent pointers, not order, build the hierarchy; duplicates and unknown parents reported")
    func hierarchicalStructure() throws {
        let (tree, issues) = X12LoopTreeFixture.build("""
            ST*837*0001*005010X222A1~BHT*0019*00*1*20240101*1200*CH~HL*1**20*1~
            HL*2*1*22*1~HL*4*1*22*0~HL*3*2*23*0~HL*5*7*22*0~HL*2*1*22*0~SE*9*0001~
            """)
        let detail = try #require(tree.loops.first { $0.id == "DETAIL" })
        #expect(X12LoopTreeFixture.loopOutline(detail) == ["DETAIL", "  2000A", "    2000B", "      2000C", "    2000B", "    2000B", "    2000B"])
        #expect(issues.map(\.kind) == [.hierarchicalParentUnknown("7"), .hierarchicalIDDuplicate("2")])
    }

    @Test("13: without 2000C the claim hangs off 2000B; with it, off 2000C")
    func patientIsSubscriber() throws {
        guard let same = try Self.corpus("x12-4010-837i-tigershark-patient-is-subscriber-nonfixed-isa/input.x12"),
            let other = try Self.corpus("x12-4010-837i-tigershark-patient-not-subscriber-nonfixed-isa/input.x12")
        else { return }
        func claimParents(_ bytes: [UInt8]) throws -> [String] {
            var builder = X12LoopTreeBuilder(guide: X12LoopTreeFixture.institutional)
            var parents: [String] = []
            try bytes.withUnsafeBytes { raw in
                try X12SegmentFramer.forEachSegment(in: raw) { view in
                    switch view.id {
                    case "ISA", "GS", "GE", "IEA": return
                    case "SE":
                        builder.consume(view)
                        parents += Self.parentsOf("2300", in: builder.finish())
                    default: builder.consume(view)
                    }
                }
            }
            return parents
        }
        #expect(Set(try claimParents(same)) == ["2000B"])
        #expect(Set(try claimParents(other)) == ["2000C"])
    }

    static func parentsOf(_ id: String, in loop: X12Loop) -> [String] {
        loop.loops.flatMap { child in (child.id == id ? [loop.id] : []) + parentsOf(id, in: child) }
    }

    @Test("14: the same NM1*82 is 2310B or 2420A by position; a second SBR in 2300 is 2320")
    func positionDependentLoops() throws {
        let (tree, issues) = X12LoopTreeFixture.build(X12LoopTreeTests.header + X12LoopTreeTests.subscriber + """
            CLM*C1*100***11:B:1*Y*A*Y*Y~HI*ABK:J449~NM1*82*1*RENDER*ANN****XX*1234567893~
            SBR*S*18*******CI~NM1*IL*1*DOE*JOHN****MI*M2~NM1*PR*2*OTHER*****PI*P2~
            LX*1~SV1*HC:99213*100*UN*1***1~DTP*472*D8*20240101~NM1*82*1*LINE*BOB****XX*1234567893~SE*27*0001~
            """)
        #expect(issues.isEmpty, "\(issues)")
        let placements = X12LoopTreeFixture.placements(tree)
        #expect(placements[17] == "ST_LOOP/DETAIL/2000A/2000B/2300/2310B NM1")
        #expect(placements[18] == "ST_LOOP/DETAIL/2000A/2000B/2300/2320 SBR")
        #expect(placements[19] == "ST_LOOP/DETAIL/2000A/2000B/2300/2320/2330A NM1")
        #expect(placements[24] == "ST_LOOP/DETAIL/2000A/2000B/2300/2400/2420A NM1")
        #expect(tree.descendants("2000B").count == 1)
    }

    @Test("15: repeat limits: 2010AA once, more than 50 service lines")
    func repeatLimits() throws {
        guard let repeated = try Self.corpus("x12-5010-837p-imsweb-loop-2010AA-repeated/input.x12") else { return }
        var builder = X12LoopTreeBuilder(guide: X12LoopTreeFixture.professional)
        var issues: [X12LoopTreeIssue] = []
        try repeated.withUnsafeBytes { raw in
            try X12SegmentFramer.forEachSegment(in: raw) { view in
                guard !["ISA", "GS", "GE", "IEA"].contains(view.id) else { return }
                builder.consume(view)
                if view.id == "SE" { issues += builder.issues; _ = builder.finish() }
            }
        }
        #expect(issues.contains { $0.loopID == "2010AA" && $0.kind == .loopRepeatExceeded(maximum: 1, count: 2) })
        let lines = (1...51).map { "LX*\($0)~SV1*HC:99213*1*UN*1***1~" }.joined()
        let (_, over) = X12LoopTreeFixture.build(
            X12LoopTreeTests.header + X12LoopTreeTests.subscriber + "CLM*C1*51***11:B:1*Y*A*Y*Y~" + lines + "SE*118*0001~")
        #expect(over.map(\.kind) == [.loopRepeatExceeded(maximum: 50, count: 51)])
    }

    @Test("16: the guide is chosen by ST03, then GS08, with the same base for other releases")
    func versionMix() throws {
        #expect(X12Guide.bundled(forConvention: "005010X223A2", transactionSet: "837")?.id == "005010X223A2")
        #expect(X12Guide.bundled(forConvention: "005010X222A2", transactionSet: "837")?.id == "005010X222A1")
        #expect(X12Guide.bundled(forConvention: "005010X222", transactionSet: "837")?.id == "005010X222A1")
        #expect(X12Guide.bundled(forConvention: "005010X221A1", transactionSet: "835")?.id == "005010X221A1")
        #expect(X12Guide.bundled(forConvention: "005010X222A1", transactionSet: "835")?.id == nil, "the set id must agree")
    }
}
