extension Copybook {
    /// Parses copybook source text and lays out its records.
    ///
    /// - Parameters:
    ///   - text: the copybook source (fixed or free reference format, see ``CopybookOptions/sourceFormat``).
    ///   - sourceName: the name used in errors, usually the file name.
    ///   - options: format, binary sizes and SYNC policy.
    /// - Throws: ``CopybookError`` naming the line, column and field of the first problem.
    public init(parsing text: String, sourceName: String = "copybook", options: CopybookOptions = CopybookOptions())
        throws(CopybookError)
    {
        let rawLines = SourceReader.expandedLines(text)
        let format = options.sourceFormat ?? SourceReader.detectFormat(rawLines)
        let lines = SourceReader.programLines(rawLines, format: format)
        let tokens = try Lexer(sourceName: sourceName).tokens(lines)
        var parser = EntryParser(sourceName: sourceName, tokens: tokens)
        let entries = try parser.entries()
        guard !entries.isEmpty else {
            throw .syntax(source: sourceName, location: SourceLocation(line: max(1, rawLines.count), column: 1),
                          field: nil, expected: "a data description entry", found: "the end of the copybook")
        }
        let records = try RecordBuilder(sourceName: sourceName, options: options).build(entries)
        self.init(sourceName: sourceName, sourceFormat: format, options: options, records: records)
    }
}
