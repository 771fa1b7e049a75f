/// Hexadecimal renderings of bytes for error messages and dumps.
public enum HexDump {
    /// `bytes` as uppercase hex pairs separated by spaces, cut after `limit` bytes with "…".
    public static func pairs(_ bytes: some Collection<UInt8>, limit: Int = 32) -> String {
        var out = ""
        out.reserveCapacity(min(bytes.count, limit) * 3)
        for (i, byte) in bytes.enumerated() {
            if i == limit { out += " …"; break }
            if i > 0 { out += " " }
            out += hexDigits[Int(byte >> 4)]
            out += hexDigits[Int(byte & 0xF)]
        }
        return out
    }

    /// `bytes` as lowercase hex with no separators.
    public static func compact(_ bytes: some Collection<UInt8>) -> String {
        var out = ""
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.unicodeScalars.append(lower[Int(byte >> 4)])
            out.unicodeScalars.append(lower[Int(byte & 0xF)])
        }
        return out
    }

    private static let hexDigits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
    private static let lower: [Unicode.Scalar] = Array("0123456789abcdef".unicodeScalars)
}
