/// One line of copybook source reduced to its program text: the sequence area, indicator and identification
/// area removed (fixed format), tabs expanded, comments dropped.
struct SourceLine {
    /// 1-based line number.
    var number: Int
    /// The program-text characters (area A and B in fixed format, the whole line in free format).
    var text: [Character]
    /// The 1-based column of `text[0]`.
    var firstColumn: Int
    /// `true` when column 7 held `-`: the line continues a literal or word of the previous line.
    var isContinuation: Bool
}

/// Splits copybook text into ``SourceLine``s for the reference format.
enum SourceReader {
    /// Tab stops every 8 columns, as fixed-format compilers (GnuCOBOL `tab-width`) expand them.
    static let tabWidth = 8

    /// The raw lines with tabs expanded (columns are character positions after expansion).
    static func expandedLines(_ text: String) -> [[Character]] {
        var lines: [[Character]] = []
        var current: [Character] = []
        var previousWasCR = false
        for character in text {
            switch character {
            case "\r\n", "\n":
                if !(previousWasCR && character == "\n") { lines.append(current) }
                current = []
                previousWasCR = false
                continue
            case "\r":
                lines.append(current)
                current = []
                previousWasCR = true
                continue
            case "\t":
                let next = (current.count / tabWidth + 1) * tabWidth
                current += Array(repeating: " ", count: next - current.count)
            default:
                current.append(character)
            }
            previousWasCR = false
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// Detects the reference format: free when a line that is not a fixed-format comment has program text in
    /// column 7 (the fixed-format indicator column accepts only space, `*`, `/`, `-`, `D`, `$`), starts with
    /// `*>` in the first columns, or ends an entry (`.`) within columns 1–6; fixed otherwise.
    static func detectFormat(_ lines: [[Character]]) -> SourceFormat {
        for line in lines {
            guard line.contains(where: { $0 != " " }) else { continue }
            let leading = line.prefix(while: { $0 == " " }).count
            if leading + 1 < line.count, line[leading] == "*", line[leading + 1] == ">", leading < 6 {
                return .free
            }
            if line.count < 7 {
                if line.contains(".") { return .free }
                continue
            }
            let indicator = line[6]
            if !" */-dD$".contains(indicator) { return .free }
            if indicator == " ", line[..<6].contains("."), line[..<6].contains(where: { $0.isLetter }) { return .free }
        }
        return .fixed
    }

    /// The program text of every non-comment line.
    static func programLines(_ lines: [[Character]], format: SourceFormat) -> [SourceLine] {
        var result: [SourceLine] = []
        for (index, line) in lines.enumerated() {
            let number = index + 1
            switch format {
            case .fixed:
                guard line.count > 6 else { continue }
                let indicator = line[6]
                if "*/dD".contains(indicator) { continue }
                let end = min(line.count, 72)
                let text = end > 7 ? Array(line[7..<end]) : []
                result.append(SourceLine(number: number, text: text, firstColumn: 8, isContinuation: indicator == "-"))
            case .free:
                let leading = line.prefix(while: { $0 == " " }).count
                if leading == 0, let first = line.first, first == "*" || first == "/" { continue }
                // A free-format continuation line starts with `-` as its first non-blank character followed by
                // a quote (literal continuation).
                var isContinuation = false
                var text = line
                var firstColumn = 1
                if leading + 1 < line.count, line[leading] == "-", line[leading + 1] == "'" || line[leading + 1] == "\"" {
                    isContinuation = true
                    text = Array(line[(leading + 1)...])
                    firstColumn = leading + 2
                }
                result.append(SourceLine(number: number, text: text, firstColumn: firstColumn, isContinuation: isContinuation))
            }
        }
        return result
    }
}
