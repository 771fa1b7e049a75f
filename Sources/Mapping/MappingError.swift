/// An error in a mapping definition, or in applying one to an input: it names the mapping file and the JSON path
/// of the offending part (`mappings/x/mapping.json: $.fields[3].from: unknown field CLAIM-IDD`).
///
/// Messages never carry a field's value (records are PHI); they name fields, paths and positions.
public struct MappingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The mapping (or test case) file.
    public var file: String
    /// The JSON path inside it, e.g. `$.fields[3].from`.
    public var path: String
    /// What is wrong.
    public var message: String

    /// An error at `path` of `file`.
    public init(file: String, path: String, _ message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String { "\(file): \(path): \(message)" }
}
