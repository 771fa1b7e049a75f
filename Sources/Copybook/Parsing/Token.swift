/// A lexical token of a data division entry.
struct Token: Equatable {
    enum Kind: Equatable {
        /// A character-string: a COBOL word, a number, a PICTURE string, a level number.
        case word
        /// A quoted literal; `text` has the quotes removed and doubled quotes collapsed.
        case alphanumericLiteral
        /// `X'…'`; `text` holds the hex digits.
        case hexLiteral
        /// The separator period that ends an entry.
        case period
    }

    var kind: Kind
    /// The text as written (for words) or the literal's content.
    var text: String
    var location: SourceLocation

    /// The upper-cased text, for keyword comparison.
    var keyword: String { kind == .word ? text.uppercased() : "" }

    /// How the token is shown in "found …" diagnostics.
    var shown: String {
        switch kind {
        case .word: return "'\(text)'"
        case .alphanumericLiteral: return "literal '\(text)'"
        case .hexLiteral: return "literal X'\(text)'"
        case .period: return "'.'"
        }
    }
}

/// Splits program text into tokens: separators are spaces, `,`/`;` followed by a space, and a period followed by
/// a space or the end of the line (a period inside a PICTURE string such as `9(5).99` stays in the word).
/// Literals may continue on `-` continuation lines; `*>` starts a comment to the end of the line.
struct Lexer {
    let sourceName: String

    func tokens(_ lines: [SourceLine]) throws(CopybookError) -> [Token] {
        var tokens: [Token] = []
        // An open literal carried to the next line: its quote, text so far, and start.
        var open: (quote: Character, text: String, location: SourceLocation, isHex: Bool)?
        for line in lines {
            let text = line.text
            var index = 0
            func column(_ i: Int) -> Int { line.firstColumn + i }
            if line.isContinuation {
                if let pending = open {
                    // The continued literal resumes after the first quote on the continuation line.
                    guard let quoteIndex = text.firstIndex(where: { $0 == "'" || $0 == "\"" }) else {
                        throw .syntax(
                            source: sourceName, location: SourceLocation(line: line.number, column: column(0)),
                            field: Self.entryName(tokens), expected: "a quote starting the continued literal", found: "none")
                    }
                    index = quoteIndex + 1
                    var value = pending.text
                    var closed = false
                    while index < text.count {
                        let c = text[index]
                        if c == pending.quote {
                            if index + 1 < text.count, text[index + 1] == pending.quote {
                                value.append(c); index += 2; continue
                            }
                            closed = true; index += 1; break
                        }
                        value.append(c); index += 1
                    }
                    if closed {
                        tokens.append(Token(
                            kind: pending.isHex ? .hexLiteral : .alphanumericLiteral, text: value,
                            location: pending.location))
                        open = nil
                    } else {
                        open = (pending.quote, value, pending.location, pending.isHex)
                        continue
                    }
                } else if let last = tokens.last, last.kind == .word {
                    // Word continuation: the first character-string continues the previous word.
                    while index < text.count, text[index] == " " { index += 1 }
                    var piece = ""
                    while index < text.count, text[index] != " " { piece.append(text[index]); index += 1 }
                    var merged = tokens.removeLast()
                    if piece.hasSuffix("."), index >= text.count || text[index] == " " {
                        piece.removeLast()
                        merged.text += piece
                        tokens.append(merged)
                        tokens.append(Token(kind: .period, text: ".", location: SourceLocation(
                            line: line.number, column: column(index - 1))))
                    } else {
                        merged.text += piece
                        tokens.append(merged)
                    }
                }
            } else if let pending = open {
                throw .syntax(
                    source: sourceName, location: pending.location, field: Self.entryName(tokens),
                    expected: "the closing \(pending.quote) of the literal (or a '-' continuation line)",
                    found: "the end of the line")
            } else if let first = text.firstIndex(where: { $0 != " " }), text[first] == "*",
                      tokens.last.map({ $0.kind == .period }) ?? true {
                // A line whose text starts with `*` where an entry must begin (column 8 in fixed format, or an
                // indented comment in free format) is a comment: no entry starts with `*`.
                continue
            }
            while index < text.count {
                let c = text[index]
                if c == " " || c == "," || c == ";" { index += 1; continue }
                let location = SourceLocation(line: line.number, column: column(index))
                if c == "*", index + 1 < text.count, text[index + 1] == ">" { break }  // inline comment
                var isHex = false
                var quoteIndex: Int?
                if c == "'" || c == "\"" {
                    quoteIndex = index
                } else if "XxNnZzGg".contains(c), index + 1 < text.count, text[index + 1] == "'" || text[index + 1] == "\"" {
                    isHex = c == "X" || c == "x"
                    quoteIndex = index + 1
                }
                if let q = quoteIndex {
                    let quote = text[q]
                    var value = ""
                    var i = q + 1
                    var closed = false
                    while i < text.count {
                        let d = text[i]
                        if d == quote {
                            if i + 1 < text.count, text[i + 1] == quote { value.append(d); i += 2; continue }
                            closed = true; i += 1; break
                        }
                        value.append(d); i += 1
                    }
                    if !closed {
                        // In fixed format the literal runs to column 72 and continues on a '-' line.
                        let padding = line.firstColumn == 8 ? max(0, 65 - text.count) : 0
                        open = (quote, value + String(repeating: " ", count: padding), location, isHex)
                        index = text.count
                        break
                    }
                    tokens.append(Token(kind: isHex ? .hexLiteral : .alphanumericLiteral, text: value, location: location))
                    index = i
                    continue
                }
                // A character-string up to a space; a trailing `.`, `,` or `;` before a space or the end is a
                // separator.
                var end = index
                while end < text.count, text[end] != " " { end += 1 }
                var word = String(text[index..<end])
                var trailingPeriod = false
                while let last = word.last, last == "." || last == "," || last == ";" {
                    if last == "." {
                        if trailingPeriod { break }
                        trailingPeriod = true
                    }
                    word.removeLast()
                }
                if !word.isEmpty { tokens.append(Token(kind: .word, text: word, location: location)) }
                if trailingPeriod {
                    tokens.append(Token(kind: .period, text: ".", location: SourceLocation(
                        line: line.number, column: column(index + word.count))))
                }
                index = end
            }
        }
        if let pending = open {
            throw .syntax(
                source: sourceName, location: pending.location, field: Self.entryName(tokens),
                expected: "the closing \(pending.quote) of the literal", found: "the end of the copybook")
        }
        return tokens
    }

    /// The name of the entry being read (the word after the level number that follows the last period), for
    /// diagnostics raised while lexing.
    static func entryName(_ tokens: [Token]) -> String? {
        let start = (tokens.lastIndex { $0.kind == .period } ?? -1) + 1
        guard start + 1 < tokens.count, tokens[start].kind == .word, Int(tokens[start].text) != nil,
              tokens[start + 1].kind == .word else { return nil }
        return tokens[start + 1].text
    }
}
