/// Generates help and usage text from command declarations. Output is deterministic and wrapped to
/// ``width`` columns; it is part of the CLI's interface and covered by golden tests.
public enum HelpFormatter {
    /// The column help text is wrapped to.
    public static let width = 80
    /// Where descriptions start in the parameter and subcommand listings.
    static let descriptionColumn = 26

    /// The full help of the command at the end of `path`.
    public static func help(for path: CommandPath) -> String {
        let configuration = path.leaf.configuration
        var sections: [String] = []
        sections.append(wrap(configuration.abstract, width: width))
        sections.append(usage(for: path))
        if !configuration.discussion.isEmpty { sections.append(wrapParagraphs(configuration.discussion)) }

        let arguments = path.arguments
        if !arguments.isEmpty {
            sections.append("Arguments:\n" + arguments.map { listing(label: $0.helpLabel, text: describe($0)) }
                .joined())
        }
        let helpFlag = listing(label: "-h, --help", text: "Show help for this command.")
        sections.append("Options:\n" + path.options.map { listing(label: $0.helpLabel, text: describe($0)) }
            .joined() + helpFlag)

        let subcommands = path.subcommands
        if !subcommands.isEmpty {
            var lines = subcommands.map { listing(label: $0.configuration.name, text: $0.configuration.abstract) }
            if path.commands.count == 1 {
                lines.append(listing(label: CommandParser.helpWord, text: "Show help for a command."))
            }
            sections.append("Subcommands:\n" + lines.joined())
            let root = path.names[0]
            sections.append(
                wrap("See '\(root) help \(path.names.dropFirst().map { $0 + " " }.joined())<subcommand>' for "
                    + "a subcommand's options.", width: width))
        }
        return sections.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined(separator: "\n")
    }

    /// The usage line of the command at the end of `path`, wrapped with continuation lines aligned after
    /// the command name.
    public static func usage(for path: CommandPath) -> String {
        var tokens = path.options.map(\.usageToken) + path.arguments.map(\.usageToken)
        if !path.subcommands.isEmpty { tokens.append("<subcommand>") }
        let prefix = "Usage: \(path.displayName)"
        let indent = String(repeating: " ", count: min(prefix.count + 1, 40))
        var lines: [String] = []
        var line = prefix
        for token in tokens {
            if line.count + 1 + token.count > width, line != prefix {
                lines.append(line)
                line = indent + token
            } else {
                line += " " + token
            }
        }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The pointer to help printed after a usage error.
    public static func helpPointer(for path: CommandPath) -> String { "See '\(path.displayName) --help'.\n" }

    /// The parameter's help with its default and environment variable appended.
    static func describe(_ spec: ParameterSpec) -> String {
        var notes: [String] = []
        if let defaultText = spec.defaultText { notes.append("default: \(defaultText)") }
        if let environment = spec.environment { notes.append("env: \(environment)") }
        return notes.isEmpty ? spec.help : spec.help + " (" + notes.joined(separator: "; ") + ")"
    }

    /// One entry of a listing: two spaces, the label, the text wrapped in its column.
    static func listing(label: String, text: String) -> String {
        let labelWidth = descriptionColumn - 2
        let textLines = wrapLines(text, width: width - descriptionColumn)
        let pad = String(repeating: " ", count: descriptionColumn)
        var result = "  " + label
        var remaining = textLines[...]
        if label.count <= labelWidth - 2, let first = remaining.popFirst() {
            result += String(repeating: " ", count: labelWidth - label.count) + first
        }
        result += "\n"
        for line in remaining { result += pad + line + "\n" }
        return result
    }

    /// Wraps paragraphs separated by blank lines; lines that start with two spaces are kept as written.
    static func wrapParagraphs(_ text: String) -> String {
        var blocks: [String] = []
        var paragraph: [String] = []
        var output: [String] = []
        func endParagraph() {
            if !paragraph.isEmpty { output.append(wrap(paragraph.joined(separator: " "), width: width)) }
            paragraph = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy({ $0 == " " }) {
                endParagraph()
                if !output.isEmpty {
                    blocks.append(output.joined())
                    output = []
                }
            } else if line.hasPrefix("  ") {
                endParagraph()
                output.append(line + "\n")
            } else {
                paragraph.append(String(line))
            }
        }
        endParagraph()
        if !output.isEmpty { blocks.append(output.joined()) }
        return blocks.joined(separator: "\n")
    }

    /// Greedy word wrap to `width`, each line ending in a newline.
    static func wrap(_ text: String, width: Int) -> String {
        wrapLines(text, width: width).map { $0 + "\n" }.joined()
    }

    /// Greedy word wrap to `width`; a word longer than the width stands alone.
    static func wrapLines(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }
}
