/// Parses the token stream into ``DataEntry`` values, one per data description entry (ending with a period).
struct EntryParser {
    let sourceName: String
    let tokens: [Token]
    var position = 0
    /// The entry being parsed, for diagnostics.
    var currentName: String?

    init(sourceName: String, tokens: [Token]) {
        self.sourceName = sourceName
        self.tokens = tokens
    }

    // MARK: Token access

    var current: Token? { position < tokens.count ? tokens[position] : nil }

    func peekKeyword(_ offset: Int = 0) -> String {
        let i = position + offset
        return i < tokens.count ? tokens[i].keyword : ""
    }

    /// The location for an error at the current token (or just past the last token).
    var here: SourceLocation {
        if let token = current { return token.location }
        if let last = tokens.last {
            return SourceLocation(line: last.location.line, column: last.location.column + max(1, last.text.count))
        }
        return SourceLocation(line: 1, column: 1)
    }

    var foundText: String { current?.shown ?? "the end of the copybook" }

    func syntaxError(_ expected: String) -> CopybookError {
        .syntax(source: sourceName, location: here, field: currentName, expected: expected, found: foundText)
    }

    mutating func advance() { position += 1 }

    /// Consumes `keyword` if it is next.
    mutating func accept(_ keyword: String) -> Bool {
        if peekKeyword() == keyword { advance(); return true }
        return false
    }

    mutating func acceptAny(_ keywords: Set<String>) -> String? {
        let k = peekKeyword()
        if keywords.contains(k) { advance(); return k }
        return nil
    }

    mutating func expectWord(_ expected: String) throws(CopybookError) -> Token {
        guard let token = current, token.kind == .word else { throw syntaxError(expected) }
        advance()
        return token
    }

    mutating func expectInteger(_ expected: String) throws(CopybookError) -> Int {
        guard let token = current, token.kind == .word, let value = Int(token.text), value >= 0 else {
            throw syntaxError(expected)
        }
        advance()
        return value
    }

    static let reservedAfterName: Set<String> = [
        "PIC", "PICTURE", "USAGE", "REDEFINES", "OCCURS", "VALUE", "VALUES", "SIGN", "LEADING", "TRAILING",
        "SYNC", "SYNCHRONIZED", "JUST", "JUSTIFIED", "BLANK", "COMP", "COMPUTATIONAL", "BINARY", "DISPLAY",
        "PACKED-DECIMAL", "COMP-1", "COMP-2", "COMP-3", "COMP-4", "COMP-5", "COMP-0", "COMPUTATIONAL-1",
        "COMPUTATIONAL-2", "COMPUTATIONAL-3", "COMPUTATIONAL-4", "COMPUTATIONAL-5", "COMPUTATIONAL-0",
        "NATIONAL", "DISPLAY-1", "INDEX", "POINTER", "EXTERNAL", "GLOBAL", "RENAMES", "IS",
    ]

    static let usageWords: [String: Usage] = [
        "DISPLAY": .display, "COMP": .binary, "COMPUTATIONAL": .binary, "COMP-4": .binary,
        "COMPUTATIONAL-4": .binary, "BINARY": .binary, "COMP-0": .binary, "COMPUTATIONAL-0": .binary,
        "COMP-5": .nativeBinary, "COMPUTATIONAL-5": .nativeBinary, "COMP-3": .packedDecimal,
        "COMPUTATIONAL-3": .packedDecimal, "PACKED-DECIMAL": .packedDecimal, "COMP-1": .singleFloat,
        "COMPUTATIONAL-1": .singleFloat, "COMP-2": .doubleFloat, "COMPUTATIONAL-2": .doubleFloat,
        "NATIONAL": .national, "DISPLAY-1": .dbcs, "INDEX": .index, "POINTER": .pointer,
    ]

    static let figuratives: [String: FigurativeConstant] = [
        "ZERO": .zero, "ZEROS": .zero, "ZEROES": .zero, "SPACE": .space, "SPACES": .space,
        "HIGH-VALUE": .highValue, "HIGH-VALUES": .highValue, "LOW-VALUE": .lowValue, "LOW-VALUES": .lowValue,
        "QUOTE": .quote, "QUOTES": .quote, "NULL": .null, "NULLS": .null,
    ]

    // MARK: Entries

    mutating func entries() throws(CopybookError) -> [DataEntry] {
        var result: [DataEntry] = []
        while let token = current {
            if token.kind == .period { advance(); continue }  // a stray period
            currentName = nil
            // Compiler-directing statements that may sit in a copybook: skip to their period.
            if ["EJECT", "SKIP1", "SKIP2", "SKIP3"].contains(token.keyword) { advance(); continue }
            guard token.kind == .word, let level = Int(token.text), (1...49).contains(level) || [66, 77, 88].contains(level),
                  token.text.allSatisfy(\.isNumber)
            else {
                throw syntaxError("a level number (01–49, 66, 77 or 88)")
            }
            advance()
            result.append(try entry(level: level, location: token.location))
        }
        return result
    }

    mutating func entry(level: Int, location: SourceLocation) throws(CopybookError) -> DataEntry {
        var entry = DataEntry(level: level, location: location)
        // Name: FILLER, a user word, or nothing (an unnamed item: next is a clause keyword or the period).
        if let token = current, token.kind == .word {
            if token.keyword == "FILLER" {
                entry.isFiller = true
                advance()
            } else if !Self.reservedAfterName.contains(token.keyword) || level == 66 || level == 88 {
                entry.name = token.text
                advance()
            } else {
                entry.isFiller = true
            }
        } else if level == 66 || level == 88 {
            throw syntaxError("a name after level \(level)")
        } else {
            entry.isFiller = true
        }
        currentName = entry.name ?? (entry.isFiller ? "FILLER" : nil)
        switch level {
        case 88: try conditionClause(&entry)
        case 66: try renamesClause(&entry)
        default: try clauses(&entry)
        }
        guard let end = current, end.kind == .period else {
            // Tolerate a missing period before the next level number or at the end of the copybook.
            if current == nil { return entry }
            if let token = current, token.kind == .word, Int(token.text) != nil, token.text.count <= 2,
               token.location.line > location.line {
                return entry
            }
            throw syntaxError("a clause or the '.' ending the entry")
        }
        _ = end
        advance()
        return entry
    }

    mutating func qualifiedName(_ expected: String) throws(CopybookError) -> DataEntry.QualifiedName {
        let token = try expectWord(expected)
        var name = DataEntry.QualifiedName(name: token.text, qualifiers: [], location: token.location)
        while peekKeyword() == "OF" || peekKeyword() == "IN" {
            advance()
            name.qualifiers.append(try expectWord("a qualifying name after OF/IN").text)
        }
        return name
    }

    mutating func clauses(_ entry: inout DataEntry) throws(CopybookError) {
        while let token = current, token.kind == .word {
            let keyword = token.keyword
            switch keyword {
            case "REDEFINES":
                advance()
                entry.redefines = try qualifiedName("the name of the redefined item after REDEFINES")
            case "PIC", "PICTURE":
                advance()
                _ = accept("IS")
                guard let string = current, string.kind == .word else {
                    throw syntaxError("a PICTURE string after \(keyword)")
                }
                advance()
                entry.picture = try PictureParser.parse(
                    string.text, source: sourceName, location: string.location, field: currentName)
                entry.pictureLocation = string.location
            case "USAGE":
                advance()
                _ = accept("IS")
                guard let usage = Self.usageWords[peekKeyword()] else { throw syntaxError("a USAGE (DISPLAY, COMP, COMP-3, …)") }
                entry.usageLocation = current?.location
                advance()
                entry.usage = usage
                _ = acceptAny(["NATIVE"])
            case _ where Self.usageWords[keyword] != nil:
                entry.usageLocation = token.location
                entry.usage = Self.usageWords[keyword]
                advance()
            case "SIGN", "LEADING", "TRAILING":
                if keyword == "SIGN" { advance(); _ = accept("IS") }
                guard let position = acceptAny(["LEADING", "TRAILING"]) else { throw syntaxError("LEADING or TRAILING after SIGN") }
                var separate = false
                if accept("SEPARATE") {
                    separate = true
                    _ = accept("CHARACTER")
                }
                entry.sign = SignClause(position: position == "LEADING" ? .leading : .trailing, isSeparate: separate)
            case "OCCURS":
                entry.occursLocation = token.location
                advance()
                try occursClause(&entry)
            case "SYNC", "SYNCHRONIZED":
                advance()
                if accept("LEFT") { entry.synchronization = .left }
                else if accept("RIGHT") { entry.synchronization = .right }
                else { entry.synchronization = .unspecified }
            case "JUST", "JUSTIFIED":
                advance()
                _ = accept("RIGHT")
                entry.isJustifiedRight = true
            case "BLANK":
                advance()
                _ = accept("WHEN")
                guard acceptAny(["ZERO", "ZEROS", "ZEROES"]) != nil else { throw syntaxError("ZERO after BLANK WHEN") }
                entry.isBlankWhenZero = true
            case "VALUE", "VALUES":
                advance()
                _ = acceptAny(["IS", "ARE"])
                entry.value = try literal()
            case "EXTERNAL", "GLOBAL", "VOLATILE":
                advance()
            case "IS":
                advance()  // `IS` before a clause keyword (`IS EXTERNAL`)
            default:
                throw syntaxError("a clause (PIC, USAGE, OCCURS, REDEFINES, VALUE, SIGN, SYNC, …) or '.'")
            }
        }
    }

    mutating func occursClause(_ entry: inout DataEntry) throws(CopybookError) {
        let first = try expectInteger("an occurrence count after OCCURS")
        var minimum = first
        var maximum = first
        let hasMinimum = accept("TO")
        if hasMinimum {
            maximum = try expectInteger("the maximum occurrence count after TO")
        }
        _ = accept("TIMES")
        var dependingOn: DataEntry.QualifiedName?
        if accept("DEPENDING") {
            _ = accept("ON")
            dependingOn = try qualifiedName("the name of the count item after DEPENDING ON")
        } else if minimum != maximum {
            throw syntaxError("DEPENDING ON after OCCURS \(minimum) TO \(maximum)")
        }
        if dependingOn != nil, !hasMinimum {
            minimum = 0  // OCCURS n TIMES DEPENDING ON (IBM extension): 0 TO n.
        }
        var keys: [Occurs.Key] = []
        var indexNames: [String] = []
        while true {
            if let direction = acceptAny(["ASCENDING", "DESCENDING"]) {
                _ = accept("KEY")
                _ = accept("IS")
                repeat {
                    let name = try expectWord("a key name after \(direction) KEY")
                    keys.append(Occurs.Key(isAscending: direction == "ASCENDING", name: name.text))
                } while current?.kind == .word && !["ASCENDING", "DESCENDING", "INDEXED"].contains(peekKeyword())
                    && !Self.reservedAfterName.contains(peekKeyword())
            } else if accept("INDEXED") {
                _ = accept("BY")
                repeat {
                    indexNames.append(try expectWord("an index name after INDEXED BY").text)
                } while current?.kind == .word && !["ASCENDING", "DESCENDING"].contains(peekKeyword())
                    && !Self.reservedAfterName.contains(peekKeyword())
            } else {
                break
            }
        }
        guard maximum >= 1, minimum <= maximum else {
            throw CopybookError.invalidEntry(
                source: sourceName, location: entry.occursLocation ?? here, field: currentName,
                reason: "OCCURS \(minimum) TO \(maximum): the maximum must be at least 1 and not below the minimum")
        }
        entry.occurs = (minimum, maximum, dependingOn, keys, indexNames)
    }

    mutating func literal() throws(CopybookError) -> Literal {
        guard let token = current else { throw syntaxError("a literal") }
        switch token.kind {
        case .alphanumericLiteral:
            advance()
            return .alphanumeric(token.text)
        case .hexLiteral:
            advance()
            var bytes: [UInt8] = []
            let digits = Array(token.text)
            guard digits.count % 2 == 0 else {
                throw .syntax(source: sourceName, location: token.location, field: currentName,
                              expected: "an even number of hex digits", found: token.shown)
            }
            var i = 0
            while i < digits.count {
                guard let byte = UInt8(String(digits[i...i + 1]), radix: 16) else {
                    throw .syntax(source: sourceName, location: token.location, field: currentName,
                                  expected: "hex digits", found: token.shown)
                }
                bytes.append(byte)
                i += 2
            }
            return .hexadecimal(bytes)
        case .period:
            throw syntaxError("a literal after VALUE")
        case .word:
            if token.keyword == "ALL" {
                advance()
                return .all(try literal())
            }
            if let figurative = Self.figuratives[token.keyword] {
                advance()
                return .figurative(figurative)
            }
            if Self.isNumericLiteral(token.text) {
                advance()
                return .numeric(token.text)
            }
            throw syntaxError("a literal (quoted, numeric, or a figurative constant such as ZERO or SPACES)")
        }
    }

    static func isNumericLiteral(_ text: String) -> Bool {
        var body = Substring(text)
        if let first = body.first, first == "+" || first == "-" { body = body.dropFirst() }
        guard !body.isEmpty else { return false }
        var points = 0
        for c in body {
            if c == "." || c == "," { points += 1 } else if !c.isASCII || !c.isNumber { return false }
        }
        return points <= 1 && body.contains(where: \.isNumber)
    }

    mutating func conditionClause(_ entry: inout DataEntry) throws(CopybookError) {
        guard acceptAny(["VALUE", "VALUES"]) != nil else { throw syntaxError("VALUE or VALUES after the condition name") }
        _ = acceptAny(["IS", "ARE"])
        var first = true
        while let next = current, next.kind != .period {
            // A number on a later line after the values is the next entry's level number (missing period).
            if !first, next.kind == .word, Int(next.text) != nil, !Self.isNumericLiteralToken(next, after: tokens[position - 1]) {
                break
            }
            first = false
            let low = try literal()
            if acceptAny(["THRU", "THROUGH"]) != nil {
                entry.conditionValues.append(.range(low, try literal()))
            } else {
                entry.conditionValues.append(.single(low))
            }
        }
        if first { throw syntaxError("a literal after VALUE") }
    }

    /// A numeric word on a later line after a value is a level number, not another value.
    static func isNumericLiteralToken(_ token: Token, after previous: Token) -> Bool {
        token.location.line == previous.location.line || token.text.contains(".") || token.text.hasPrefix("-")
            || token.text.hasPrefix("+")
    }

    mutating func renamesClause(_ entry: inout DataEntry) throws(CopybookError) {
        guard accept("RENAMES") else { throw syntaxError("RENAMES after the level-66 name") }
        let from = try qualifiedName("the name of the first renamed item")
        var through: DataEntry.QualifiedName?
        if acceptAny(["THRU", "THROUGH"]) != nil {
            through = try qualifiedName("the name of the last renamed item after THRU")
        }
        entry.renames = (from, through)
    }
}
