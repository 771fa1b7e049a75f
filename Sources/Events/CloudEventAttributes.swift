/// The context attributes of an event being decoded, gathered one by one from whichever representation carries
/// them (JSON event format members, Kafka `ce_` headers), then checked and turned into a ``CloudEvent``.
struct CloudEventAttributes {
    private var seen: Set<String> = []
    var specVersion: String?
    var id: String?
    var source: String?
    var type: String?
    var subject: String?
    var time: RFC3339Timestamp?
    var dataContentType: String?
    var dataSchema: String?
    var extensions = CloudEventExtensions()

    /// The context attributes other than data, with their names in every representation.
    static let contextAttributeNames: Set<String> = [
        "specversion", "id", "source", "type", "subject", "datacontenttype", "dataschema", "time",
    ]

    /// Records that attribute `name` was met; a second occurrence is an error.
    mutating func markSeen(_ name: String) throws(CloudEventError) {
        guard seen.insert(name).inserted else { throw .duplicateAttribute(name) }
    }

    /// Sets a context attribute (everything but data and extensions) from its string form; nil is absent.
    /// Returns false when `name` is not a context attribute (so it is an extension, or data).
    mutating func setContextAttribute(_ name: String, text: String?) throws(CloudEventError) -> Bool {
        switch name {
        case "specversion": specVersion = text
        case "id": id = text
        case "source": source = text
        case "type": type = text
        case "subject": subject = text
        case "datacontenttype": dataContentType = text
        case "dataschema": dataSchema = text
        case "time":
            guard let text else { time = nil; return true }
            do throws(RFC3339TimestampError) {
                time = try RFC3339Timestamp(parsing: text)
            } catch {
                throw .invalidAttributeValue(attribute: "time", reason: error.description)
            }
        default:
            return false
        }
        return true
    }

    /// The event, once the required attributes are known to be present and the spec version supported.
    func makeEvent(data: CloudEventData?) throws(CloudEventError) -> CloudEvent {
        guard let specVersion else { throw .missingAttribute("specversion") }
        guard specVersion == CloudEvent.specVersion else { throw .unsupportedSpecVersion(specVersion) }
        guard let id else { throw .missingAttribute("id") }
        guard let source else { throw .missingAttribute("source") }
        guard let type else { throw .missingAttribute("type") }
        return try CloudEvent(
            id: id, source: source, type: type, subject: subject, time: time, dataContentType: dataContentType,
            dataSchema: dataSchema, extensions: extensions, data: data)
    }
}
