/// Why a CloudEvent is invalid or could not be decoded. Every case names the attribute (or header, or JSON offset)
/// and the rule broken. Attribute values are never echoed, since they may carry PHI.
public enum CloudEventError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A REQUIRED attribute (`id`, `source`, `specversion`, `type`) is absent.
    case missingAttribute(String)
    /// An attribute that must be a non-empty string is empty.
    case emptyAttribute(String)
    /// `specversion` is not "1.0" (the value is a version string, safe to show).
    case unsupportedSpecVersion(String)
    /// An extension name breaks CloudEvents 1.0 §2 "Naming Conventions" or is reserved.
    case invalidAttributeName(String, reason: String)
    /// A value breaks its type's rules (bad URI, Integer out of range, bad Base64 …).
    case invalidAttributeValue(attribute: String, reason: String)
    /// A value has the wrong type (in a JSON event or against the declared extension types).
    case wrongAttributeType(attribute: String, expected: String, found: String)
    /// The same attribute appears twice.
    case duplicateAttribute(String)
    /// `data` does not fit the event (e.g. JSON data with a non-JSON `datacontenttype`, both `data` and
    /// `data_base64`).
    case invalidData(reason: String)
    /// The JSON event format text is not well-formed JSON.
    case malformedJSON(JSONParseError)
    /// A Kafka header breaks the protocol binding.
    case invalidHeader(name: String, reason: String)
    /// The source identity for a deterministic id is malformed.
    case invalidEventIdentity(reason: String)

    public var description: String {
        switch self {
        case let .missingAttribute(name): "CloudEvent attribute '\(name)' is required but absent"
        case let .emptyAttribute(name): "CloudEvent attribute '\(name)' must be a non-empty string"
        case let .unsupportedSpecVersion(version): "CloudEvents specversion '\(version)' is not supported (expected '1.0')"
        case let .invalidAttributeName(name, reason): "invalid CloudEvent attribute name '\(name)': \(reason)"
        case let .invalidAttributeValue(attribute, reason): "invalid value for CloudEvent attribute '\(attribute)': \(reason)"
        case let .wrongAttributeType(attribute, expected, found):
            "CloudEvent attribute '\(attribute)' must be \(expected), found \(found)"
        case let .duplicateAttribute(name): "CloudEvent attribute '\(name)' appears more than once"
        case let .invalidData(reason): "invalid CloudEvent data: \(reason)"
        case let .malformedJSON(error): "malformed CloudEvent JSON: \(error)"
        case let .invalidHeader(name, reason): "invalid Kafka header '\(name)': \(reason)"
        case let .invalidEventIdentity(reason): "invalid event identity: \(reason)"
        }
    }
}
