public import Copybook

/// `ferry copybook`: inspect COBOL copybooks.
struct CopybookCommand: CommandGroup {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "copybook",
            abstract: "Inspect COBOL copybooks.",
            discussion: "Reads a copybook (fixed or free reference format) and shows how Ferry lays out its records.",
            subcommands: [CopybookLayoutCommand.self])
    }
}

extension SourceFormat: ArgumentValue {
    public init?(argument: String) { self.init(rawValue: argument) }
    public static var expectation: String { "fixed or free" }
    public var argumentText: String { rawValue }
}

extension BinarySizePolicy: ArgumentValue {
    public init?(argument: String) { self.init(rawValue: argument) }
    public static var expectation: String { "ibm, gnucobol or microfocus" }
    public var argumentText: String { rawValue }
}

extension SynchronizationPolicy: ArgumentValue {
    public init?(argument: String) { self.init(rawValue: argument) }
    public static var expectation: String { "ibm, fujitsu or ignore" }
    public var argumentText: String { rawValue }
}
