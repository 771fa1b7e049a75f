/// What a command line asks for.
public enum ParseOutcome: Sendable {
    /// Run the command at the end of the path with these values.
    case run(CommandPath, ParsedValues)
    /// Print the help of the command at the end of the path (`--help`, `-h`, `ferry help …`).
    case help(CommandPath)
}

/// A usage error and the command whose usage line should follow it.
public struct UsageFailure: Error, Sendable {
    /// What was wrong.
    public let error: UsageError
    /// How far the command line got: its usage line and help pointer are printed.
    public let path: CommandPath
}

/// Turns a command line into a ``ParseOutcome`` against a tree of ``Command`` declarations.
///
/// Accepted forms: `--name value`, `--name=value`, `-s value`, `-svalue`, `--flag`, `-s`, bundled short flags
/// `-ab`, `--` to end options (every later word is positional, even `-x`), `-` as a positional word (stdin by
/// convention), `-h`/`--help` anywhere before `--`, and `help <command…>` as the root's first word. Options
/// may come before or after positional arguments. A repeated option keeps every value (see
/// ``ParsedValues/values(of:)``).
public enum CommandParser {
    /// The word that asks for help as a subcommand of the root.
    public static let helpWord = "help"

    /// Parses `arguments` (without the program name) for `root`.
    ///
    /// A help request wins over usage errors: with `-h` or `--help` before any `--`, a command line that
    /// fails to parse shows the help of the command it reached instead.
    /// - Parameter environment: consulted for options that declare an environment variable.
    public static func parse(
        _ arguments: [String], root: any Command.Type, environment: [String: String] = [:]
    ) throws(UsageFailure) -> ParseOutcome {
        do {
            return try parseStrictly(arguments, root: root, environment: environment)
        } catch {
            let options = arguments.prefix { $0 != "--" }
            if options.contains("-h") || options.contains("--help") { return .help(error.path) }
            throw error
        }
    }

    private static func parseStrictly(
        _ arguments: [String], root: any Command.Type, environment: [String: String]
    ) throws(UsageFailure) -> ParseOutcome {
        var path = CommandPath([root])
        var values = ParsedValues()
        var positionals: [String] = []
        var optionsEnded = false
        var index = 0

        /// The value of an option: the inline text, else the next word unless it looks like an option.
        func takeValue(inline: String?, option: String) throws(UsageFailure) -> String {
            if let inline { return inline }
            guard index < arguments.count, !looksLikeOption(arguments[index]) else {
                throw UsageFailure(error: .missingValue(option: option), path: path)
            }
            defer { index += 1 }
            return arguments[index]
        }

        func record(_ text: String, for spec: ParameterSpec, as label: String) throws(UsageFailure) {
            if let expected = spec.check(text) {
                throw UsageFailure(error: .invalidValue(text, for: label, expected: expected), path: path)
            }
            values.append(text, for: spec)
        }

        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if !optionsEnded {
                if word == "--" {
                    optionsEnded = true
                    continue
                }
                if word == "-h" || word == "--help" { return .help(path) }
                if word.hasPrefix("--") {
                    let body = word.dropFirst(2)
                    let name = String(body.prefix { $0 != "=" })
                    let inline = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
                    guard let spec = path.options.first(where: { $0.name == name }) else {
                        let candidates = path.options.map { "--\($0.name)" } + ["--help"]
                        throw UsageFailure(
                            error: .unknownOption("--\(name)", suggestion: closest(to: "--\(name)", in: candidates)),
                            path: path)
                    }
                    if spec.kind == .flag {
                        if let inline {
                            throw UsageFailure(error: .unexpectedValue(flag: "--\(name)", value: inline), path: path)
                        }
                        values.append("", for: spec)
                    } else {
                        try record(try takeValue(inline: inline, option: "--\(name)"), for: spec, as: "--\(name)")
                    }
                    continue
                }
                if looksLikeOption(word) {
                    var letters = Substring(word.dropFirst())
                    while let letter = letters.popFirst() {
                        guard let spec = path.options.first(where: { $0.shortName == letter }) else {
                            throw UsageFailure(error: .unknownOption("-\(letter)", suggestion: nil), path: path)
                        }
                        if spec.kind == .flag {
                            values.append("", for: spec)
                            continue
                        }
                        let inline = letters.isEmpty ? nil : String(letters)
                        try record(try takeValue(inline: inline, option: "-\(letter)"), for: spec, as: "-\(letter)")
                        break
                    }
                    continue
                }
            }
            // A positional word: a subcommand while the selected command has subcommands, else an argument.
            // A command with both subcommands and arguments (`convert --mapping FILE INPUT`) takes a word that
            // names no subcommand, and every word after it, as arguments.
            let subcommands = path.subcommands
            guard !subcommands.isEmpty, positionals.isEmpty else {
                positionals.append(word)
                continue
            }
            if word == helpWord, path.commands.count == 1 {
                return .help(try helpPath(for: Array(arguments[index...]), root: path))
            }
            guard let next = subcommands.first(where: { $0.configuration.name == word }) else {
                if !path.arguments.isEmpty {
                    positionals.append(word)
                    continue
                }
                let names = subcommands.map { $0.configuration.name }
                throw UsageFailure(
                    error: .unknownSubcommand(word, suggestion: closest(to: word, in: names)), path: path)
            }
            path = path.appending(next)
        }

        let arguments = path.arguments
        if positionals.count > arguments.count, arguments.last?.isVariadic != true {
            throw UsageFailure(error: .unexpectedArgument(positionals[arguments.count]), path: path)
        }
        for (spec, text) in zip(arguments, positionals) { try record(text, for: spec, as: spec.helpLabel) }
        if positionals.count > arguments.count, let last = arguments.last {
            for text in positionals[arguments.count...] { try record(text, for: last, as: last.helpLabel) }
        }
        if let missing = arguments.dropFirst(positionals.count).first(where: \.isRequired) {
            throw UsageFailure(error: .missingArgument(missing.helpLabel), path: path)
        }
        for spec in path.options where spec.kind == .option && !values.isGiven(spec.key) {
            guard let variable = spec.environment, let text = environment[variable], !text.isEmpty else { continue }
            try record(text, for: spec, as: "environment variable \(variable)")
        }
        if let missing = path.options.first(where: { $0.isRequired && !values.isGiven($0.key) }) {
            throw UsageFailure(error: .missingOption("--\(missing.name)"), path: path)
        }
        return .run(path, values)
    }

    /// Resolves the words after `help` to a command; options among them are ignored.
    private static func helpPath(for words: [String], root: CommandPath) throws(UsageFailure) -> CommandPath {
        var path = root
        for word in words where !looksLikeOption(word) && word != "--" {
            let subcommands = path.subcommands
            guard let next = subcommands.first(where: { $0.configuration.name == word }) else {
                let names = subcommands.map { $0.configuration.name }
                throw UsageFailure(
                    error: .unknownSubcommand(word, suggestion: closest(to: word, in: names)), path: path)
            }
            path = path.appending(next)
        }
        return path
    }

    /// A word starting with `-` that is not `-` alone (stdin).
    static func looksLikeOption(_ word: String) -> Bool { word.hasPrefix("-") && word != "-" }

    /// The candidate nearest to `word` by edit distance (transpositions count one), if within 2 edits and
    /// nearer than rewriting the whole word. Ties go to the earlier candidate.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(Array(word), Array(candidate))
            guard distance <= 2, distance < max(word.count, candidate.count) else { continue }
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, table[i - 2][j - 2] + 1)
                }
                table[i][j] = value
            }
        }
        return table[a.count][b.count]
    }
}

extension ParsedValues {
    func isGiven(_ key: String) -> Bool { texts[key] != nil }
}
