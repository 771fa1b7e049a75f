import EDI
import Foundation
import Testing

/// Builders for synthetic X12 input shared by the X12 suites, and a check that they build what they claim.
enum X12Fixture {
    /// A fixed-width (106-byte) ISA.
    static func isa(
        element: String = "*", repetition: String = "^", version: String = "00501", controlNumber: String = "000000001",
        component: String = ":", terminator: String = "~"
    ) -> String {
        ["ISA", "00", "          ", "00", "          ", "ZZ", "SENDER         ", "ZZ", "RECEIVER       ",
         "210101", "1253", repetition, version, controlNumber, "0", "T", component].joined(separator: element)
            + terminator
    }

    /// One interchange with `groups` groups of `sets` transaction sets, counts and control numbers right.
    static func interchange(
        element: String = "*", component: String = ":", repetition: String = "^", terminator: String = "~",
        suffix: String = "", controlNumber: String = "000000001", groups: Int = 1, sets: Int = 1,
        body: [String] = ["BHT*0019*00*0123*20210101*1253*CH", "NM1*IL*1*ISAAC*JOHN"]
    ) -> String {
        var out = isa(element: element, repetition: repetition, controlNumber: controlNumber, component: component, terminator: terminator) + suffix
        func seg(_ text: String) { out += text.replacingOccurrences(of: "*", with: element) + terminator + suffix }
        for g in 0..<groups {
            seg("GS*HC*SENDER*RECEIVER*20210101*1253*\(g + 1)*X*005010X222A1")
            for s in 0..<sets {
                let st = String(format: "%04d", (g + 1) * 100 + s + 1)
                seg("ST*837*\(st)*005010X222A1")
                body.forEach(seg)
                seg("SE*\(body.count + 2)*\(st)")
            }
            seg("GE*\(sets)*\(g + 1)")
        }
        seg("IEA*\(groups)*\(controlNumber)")
        return out
    }
}

/// A segment as the tests keep it: where it was and its exact bytes.
struct TokenizedSegment: Equatable, CustomStringConvertible {
    var id: String
    var position: Int
    var byteOffset: Int
    var bytes: [UInt8]
    var delimiters: X12Delimiters
    var description: String { "\(position)@\(byteOffset) \(String(decoding: bytes, as: UTF8.self))" }

    init(_ view: X12SegmentView) {
        id = view.id
        position = view.position
        byteOffset = view.byteOffset
        bytes = Array(view.bytes)
        delimiters = view.delimiters
    }
}

/// Tokenizes in memory; the result or the error.
func tokenizeInMemory(_ bytes: [UInt8], allowsUnterminatedFinalSegment: Bool = false) -> Result<[TokenizedSegment], X12Error> {
    bytes.withUnsafeBytes { raw in
        var segments: [TokenizedSegment] = []
        do throws(X12Error) {
            try X12SegmentFramer.forEachSegment(in: raw, allowsUnterminatedFinalSegment: allowsUnterminatedFinalSegment) { segments.append(TokenizedSegment($0)) }
            return .success(segments)
        } catch {
            return .failure(error)
        }
    }
}

/// Calls `body` with every segment view of `text` (tokenizing must succeed).
func withEachSegment(_ text: String, _ body: (X12SegmentView) -> Void) throws {
    let result: Result<Void, X12Error> = Array(text.utf8).withUnsafeBytes { raw in
        Result { () throws(X12Error) in try X12SegmentFramer.forEachSegment(in: raw) { body($0) } }
    }
    try result.get()
}

/// Tokenizes by feeding `X12Tokenizer` chunks whose sizes come from `nextChunkSize`.
func tokenizeChunked(
    _ bytes: [UInt8], maximumSegmentLength: Int = 1 << 20, allowsUnterminatedFinalSegment: Bool = false,
    nextChunkSize: () -> Int
) -> Result<[TokenizedSegment], X12Error> {
    var tokenizer = X12Tokenizer(maximumSegmentLength: maximumSegmentLength, allowsUnterminatedFinalSegment: allowsUnterminatedFinalSegment)
    var segments: [TokenizedSegment] = []
    var offset = 0
    do throws(X12Error) {
        while true {
            while let segment = try tokenizer.nextSegment({ TokenizedSegment($0) }) { segments.append(segment) }
            if tokenizer.isFinished { return .success(segments) }
            if offset == bytes.count {
                tokenizer.finish()
            } else {
                let end = min(bytes.count, offset + max(1, nextChunkSize()))
                tokenizer.append(contentsOf: bytes[offset..<end])
                offset = end
            }
        }
    } catch {
        return .failure(error)
    }
}

@Suite("X12 fixtures")
struct X12FixtureTests {
    @Test func isaIsFixedWidth() {
        #expect(X12Fixture.isa().utf8.count == 106)
    }
}
