/// Parses PICTURE character-strings into ``Picture`` values (IBM Enterprise COBOL Language Reference, "PICTURE
/// clause": symbols, repetition counts, categories, P scaling).
enum PictureParser {
    /// Symbols allowed in a PICTURE string (`CR`/`DB` are checked as pairs, `E` floating-point editing is not
    /// supported).
    static let symbols: Set<Character> = [
        "A", "B", "G", "N", "P", "S", "V", "X", "Z", "9", "0", "/", ",", ".", "+", "-", "*", "$",
    ]

    static func parse(_ text: String, source: String, location: SourceLocation, field: String?)
        throws(CopybookError) -> Picture
    {
        func invalid(_ reason: String) -> CopybookError {
            .invalidPicture(source: source, location: location, field: field, picture: text, reason: reason)
        }
        let characters = Array(text.uppercased())
        // 1. Expand repetitions into one symbol per position ("CR" and "DB" are one symbol).
        var expandedSymbols: [String] = []
        var i = 0
        while i < characters.count {
            let c = characters[i]
            var symbol = String(c)
            if c == "C" || c == "D" {
                guard i + 1 < characters.count, characters[i + 1] == (c == "C" ? "R" : "B") else {
                    throw invalid("'\(c)' is only valid as part of CR or DB")
                }
                symbol = c == "C" ? "CR" : "DB"
                i += 2
            } else if symbols.contains(c) {
                i += 1
            } else if c == "E" {
                throw invalid("floating-point editing (E) is not supported")
            } else {
                throw invalid("unexpected character '\(c)' at position \(i + 1)")
            }
            var count = 1
            if i < characters.count, characters[i] == "(" {
                guard let close = characters[i...].firstIndex(of: ")"),
                      let n = Int(String(characters[(i + 1)..<close])) else {
                    throw invalid("a repetition count must be an unsigned integer in parentheses")
                }
                guard n >= 1 else { throw invalid("a repetition count must be at least 1") }
                guard n <= 1_000_000 else { throw invalid("repetition count \(n) is too large") }
                guard symbol != "CR", symbol != "DB", symbol != "S", symbol != "V" else {
                    throw invalid("'\(symbol)' cannot be repeated")
                }
                count = n
                i = close + 1
            }
            expandedSymbols += Array(repeating: symbol, count: count)
        }
        guard !expandedSymbols.isEmpty else { throw invalid("empty PICTURE string") }

        // 2. Category.
        func has(_ s: String) -> Bool { expandedSymbols.contains(s) }
        let counts = Dictionary(expandedSymbols.map { ($0, 1) }, uniquingKeysWith: +)
        guard (counts["S"] ?? 0) <= 1 else { throw invalid("S may appear only once") }
        guard (counts["V"] ?? 0) + (counts["."] ?? 0) <= 1 else {
            throw invalid("only one assumed (V) or actual (.) decimal point is allowed")
        }
        if has("S"), expandedSymbols.first != "S" { throw invalid("S must be the first symbol") }
        let editing: Set<String> = ["Z", "*", "+", "-", "CR", "DB", ".", ",", "$"]
        let insertion: Set<String> = ["B", "0", "/"]
        let hasText = has("X") || has("A")
        let hasEditing = expandedSymbols.contains { editing.contains($0) }
        let hasInsertion = expandedSymbols.contains { insertion.contains($0) }
        let category: Picture.Category
        if has("N") {
            guard expandedSymbols.allSatisfy({ $0 == "N" || $0 == "B" }) else {
                throw invalid("N can only be combined with B")
            }
            category = .national
        } else if has("G") {
            guard expandedSymbols.allSatisfy({ $0 == "G" || $0 == "B" }) else {
                throw invalid("G can only be combined with B")
            }
            category = .dbcs
        } else if hasText {
            if hasEditing || has("S") || has("V") || has("P") {
                throw invalid("X and A cannot be combined with S, V, P or numeric editing symbols")
            }
            if hasInsertion {
                category = .alphanumericEdited
            } else if expandedSymbols.allSatisfy({ $0 == "A" }) {
                category = .alphabetic
            } else {
                category = .alphanumeric
            }
        } else if hasEditing || hasInsertion {
            // `S` in a picture with an actual point (`S9(3).99`) is not IBM but cobrix and others accept it:
            // an overpunched sign, taking no position.
            if has("S"), expandedSymbols.contains(where: { ["+", "-", "CR", "DB"].contains($0) }) {
                throw invalid("S cannot be combined with the sign symbols + - CR DB")
            }
            category = .numericEdited
        } else {
            category = .numeric
        }

        // 3. Digits, scale, sign, length.
        var digits = 0
        var scale = 0
        var isSigned = has("S")
        var displayLength = 0
        let scalingPositions = counts["P"] ?? 0
        switch category {
        case .numeric:
            guard has("9") else { throw invalid("a numeric picture needs at least one 9") }
            digits = counts["9"] ?? 0
            displayLength = digits
            // Scale: digit positions (9 and P) right of the point minus P positions left of it. Without V the
            // point is at the right end, or at the left end when the picture starts with P (leading scaling).
            let places = expandedSymbols.filter { $0 == "9" || $0 == "P" || $0 == "V" }
            if let firstP = places.firstIndex(of: "P"), let first9 = places.firstIndex(of: "9"),
               let lastP = places.lastIndex(of: "P"), let last9 = places.lastIndex(of: "9"),
               firstP < first9, lastP > last9 {
                throw invalid("P may appear only at the left or the right of the digit positions")
            }
            let pointIndex: Int
            if let v = places.firstIndex(of: "V") {
                pointIndex = v
            } else if places.first == "P" {
                pointIndex = -1
            } else {
                pointIndex = places.count
            }
            for (index, place) in places.enumerated() where place != "V" {
                if index > pointIndex { scale += 1 } else if place == "P" { scale -= 1 }
            }
        case .numericEdited:
            isSigned = has("S") || has("+") || has("-") || has("CR") || has("DB")
            // Floating insertion strings: two or more of the same +, - or $ — the first is the symbol,
            // the others are digit positions.
            var floating: String?
            for symbol in ["+", "-", "$"] where (counts[symbol] ?? 0) >= 2 { floating = symbol }
            var seenFloating = false
            var afterPoint = false
            for symbol in expandedSymbols {
                switch symbol {
                case "V", ".":
                    afterPoint = true
                    if symbol == "." { displayLength += 1 }
                    continue
                case "P":
                    scale += afterPoint ? 1 : -1
                    continue
                case "S":
                    continue
                case "CR", "DB":
                    displayLength += 2
                    continue
                default:
                    displayLength += 1
                }
                let isDigit: Bool
                if symbol == "9" || symbol == "Z" || symbol == "*" {
                    isDigit = true
                } else if let f = floating, symbol == f {
                    isDigit = seenFloating
                    seenFloating = true
                } else {
                    isDigit = false
                }
                if isDigit {
                    digits += 1
                    if afterPoint { scale += 1 }
                }
            }
            guard digits >= 1 else { throw invalid("a numeric-edited picture needs at least one digit position") }
        case .alphanumeric, .alphabetic, .alphanumericEdited, .national, .dbcs:
            displayLength = expandedSymbols.count
        }
        guard digits <= 38 else { throw invalid("\(digits) digits; at most 38 are supported") }
        return Picture(
            source: text, expanded: expandedSymbols.joined(), category: category, digits: digits, scale: scale,
            isSigned: isSigned, displayLength: displayLength, scalingPositions: scalingPositions)
    }
}
