@testable import Copybook
import Events

/// Hex text ("F0 F1 C2" or "f0f1c2") to bytes.
func bytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.unicodeScalars.filter { $0 != " " })
    precondition(digits.count % 2 == 0, "odd hex length in \(hex)")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0]) + String(digits[$0 + 1]), radix: 16)! }
}

func decimal(_ text: String) throws -> ExactDecimal { try ExactDecimal(parsing: text) }

/// The JSON text the fast path appends, or the outcome when nothing is written.
func json(_ codec: some NumericFieldCodec, _ hex: String) throws -> String {
    var output: [UInt8] = []
    let input = bytes(hex)
    let outcome = try input.withUnsafeBytes { try codec.appendJSON($0, to: &output) }
    switch outcome {
    case .written: return String(decoding: output, as: UTF8.self)
    case .blank: return "blank"
    case .lowValues: return "lowValues"
    }
}
