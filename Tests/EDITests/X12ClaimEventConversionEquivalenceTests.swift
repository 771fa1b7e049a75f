import EDI
import Events
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ``X12ClaimEventConversion`` (what `ferry convert x12` runs now) against ``X12ConversionReference`` (the loop the
/// command ran before): the same events byte for byte, the same diagnostics, the same counts, read from a file as
/// the command reads it.
enum ConversionEquivalence {
    struct Outcome: Equatable {
        var events: [UInt8]
        var diagnostics: [UInt8]
        var rejections: Int
        var eventCount: Int
    }

    /// `bytes` written to a temporary file, then `body` with the file open for reading.
    static func withFile<T>(_ bytes: [UInt8], _ body: (Int32) -> T) -> T {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("x12-conversion-\(UUID().uuidString).x12").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        return body(descriptor)
    }

    /// The old loop, driven as the command drove it.
    static func reference(_ bytes: [UInt8]) -> Outcome {
        withFile(bytes) { descriptor in
            var conversion = X12ConversionReference(source: "input.x12")
            do throws(X12Error) {
                try X12Tokenizer.forEachSegment(readingFrom: descriptor) { (segment: X12SegmentView) throws(X12Error) in
                    conversion.consume(segment)
                }
                conversion.finish()
            } catch {
                conversion.abandon(error)
            }
            return Outcome(
                events: conversion.output.bytes, diagnostics: conversion.errors.bytes,
                rejections: conversion.rejections, eventCount: conversion.eventCount)
        }
    }

    /// The library conversion (`chunkSize` small to cross chunk boundaries inside segments).
    static func library(_ bytes: [UInt8], chunkSize: Int = 1 << 20) -> Outcome {
        withFile(bytes) { descriptor in
            // Reference boxes: the conversion's closures outlive no call here.
            final class Sink { var bytes: [UInt8] = [] }
            let events = Sink()
            let diagnostics = Sink()
            var conversion = X12ClaimEventConversion(
                source: "input.x12", events: { events.bytes += $0 }, diagnostics: { diagnostics.bytes += Array($0.utf8) })
            conversion.convert(readingFrom: descriptor, chunkSize: chunkSize)
            return Outcome(
                events: events.bytes, diagnostics: diagnostics.bytes, rejections: conversion.rejections,
                eventCount: conversion.eventCount)
        }
    }

    /// Expects equal outcomes (also with 7-byte chunks); returns the reference's outcome.
    @discardableResult
    static func expectEqual(_ bytes: [UInt8], _ label: String) -> Outcome {
        let old = reference(bytes)
        let new = library(bytes)
        #expect(new.events == old.events, "\(label): events differ")
        #expect(
            String(decoding: new.diagnostics, as: UTF8.self) == String(decoding: old.diagnostics, as: UTF8.self),
            "\(label): diagnostics differ")
        #expect(new.rejections == old.rejections && new.eventCount == old.eventCount, "\(label): counts differ")
        #expect(library(bytes, chunkSize: 7) == new, "\(label): depends on the chunk size")
        return old
    }

    /// `bytes` cut and corrupted at deterministic places, as the writer's corpus equivalence test does.
    static func damaged(_ original: [UInt8], rounds: Int) -> [[UInt8]] {
        guard original.count > 10 else { return [] }
        var random = ClaimEventEquivalence.Random(state: UInt64(original.count))
        return (0..<rounds).map { round in
            var bytes = Array(original.prefix(1 + random.below(original.count)))
            if round % 2 == 1 {
                for _ in 0..<8 { bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next()) }
            }
            return bytes
        }
    }
}

@Suite struct X12ClaimEventConversionEquivalenceTests {
    /// Generated 837 interchanges (random members, bad amounts, sets without SE, a final invalid segment) whole and
    /// damaged: same events, diagnostics and counts.
    @Test(arguments: 0..<12)
    func generatedInterchanges(seed: Int) {
        let bytes = ClaimEventEquivalence.generated(seed: UInt64(seed), sets: 1 + seed % 4)
        ConversionEquivalence.expectEqual(bytes, "seed \(seed)")
        for (round, damaged) in ConversionEquivalence.damaged(bytes, rounds: 4).enumerated() {
            ConversionEquivalence.expectEqual(damaged, "seed \(seed) round \(round)")
        }
    }

    /// Envelope errors (a wrong SE01, a wrong SE02, a segment outside any set, a second ISA without IEA) beside
    /// sound sets, and a set of another type: rejections are reported and counted alike, the sound sets' events
    /// are the same.
    @Test func envelopeErrorsBesideSoundSets() {
        let claim = ClaimFixture.billing + ClaimFixture.subscriber("2")
            + ["CLM*A1*10.00***11:B:1*Y*A*Y*Y", "LX*1", "SV1*HC:99213*10.00*UN*1***1"]
        let sound = ClaimFixture.professional(claim)
        var text = sound
        let wrongCount = sound.replacingOccurrences(of: "SE*", with: "SE*9")
        text += wrongCount.replacingOccurrences(of: "~IEA", with: "~NTE*X~IEA")
        text += "ISA*00*          *00*          *ZZ*S              *ZZ*R              *261121*1200*^*00501*000000007*0*P*:~"
        text += "GS*FA*S*R*20261121*1200*8*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~"
        text += "AK9*A*1*1*1~SE*4*0002~GE*1*8~"
        let outcome = ConversionEquivalence.expectEqual(Array(text.utf8), "envelope errors")
        #expect(outcome.rejections >= 3 && outcome.eventCount >= 1)
    }
}

/// Every corpus X12 input (837, 835, 999, 270 … and the broken ones), whole and cut and corrupted.
@Suite(.enabled(if: X12Conformance.available, "\(X12Conformance.skipMessage)"))
struct X12ClaimEventConversionCorpusEquivalenceTests {
    @Test(arguments: X12Conformance.inputs)
    func corpusInput(input: String) throws {
        let original = try Array(Data(contentsOf: X12Conformance.root.appendingPathComponent(input)))
        ConversionEquivalence.expectEqual(original, input)
        for (round, bytes) in ConversionEquivalence.damaged(original, rounds: 6).enumerated() {
            ConversionEquivalence.expectEqual(bytes, "\(input) round \(round)")
        }
    }

    /// The corpus gives events and rejections both (so the comparison above compares something).
    @Test func corpusHasEventsAndRejections() throws {
        var events = 0
        var rejections = 0
        for input in X12Conformance.inputs {
            let outcome = ConversionEquivalence.reference(
                try Array(Data(contentsOf: X12Conformance.root.appendingPathComponent(input))))
            events += outcome.eventCount
            rejections += outcome.rejections
        }
        // Most corpus inputs are broken on purpose or hold sets that give one event each; what matters is that
        // both outcomes occur (the generated interchanges above give many more events).
        #expect(events > 0 && rejections > 0)
    }
}
