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
        throw CopybookError.unsupported(
            source: sourceName, location: SourceLocation(line: 1, column: 1), field: nil,
            feature: "the copybook parser is not written yet")
    }
}
