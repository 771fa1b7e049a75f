/// A CloudEvents 1.0 event (https://github.com/cloudevents/spec, `cloudevents/spec.md`): Ferry's canonical event.
///
/// Every adapter turns its legacy input into these, and every sink writes them out (JSON event format, Kafka
/// binding). Construction validates (see ``validate()``); the properties are mutable for convenience, and the
/// encoders validate again before writing.
public struct CloudEvent: Hashable, Sendable {
    /// The only `specversion` supported.
    public static let specVersion = "1.0"
    /// The core attribute names, which extensions may not use (plus the reserved `data`).
    public static let coreAttributeNames: Set<String> = [
        "id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time",
    ]

    /// `id` (REQUIRED, non-empty String): unique per `source`; Ferry derives it with ``EventIdentity``.
    public var id: String
    /// `source` (REQUIRED, non-empty URI-reference): the context the event happened in, e.g. `/mq/QM1/CLAIMS.IN`.
    public var source: String
    /// `type` (REQUIRED, non-empty String): reverse-DNS-prefixed event type, e.g. `org.example.claim.received.v1`.
    public var type: String
    /// `subject` (OPTIONAL, non-empty String): what the event is about within `source`.
    public var subject: String?
    /// `time` (OPTIONAL, Timestamp): when the occurrence happened.
    public var time: RFC3339Timestamp?
    /// `datacontenttype` (OPTIONAL, RFC 2046 media type) of ``data``. Absent means `application/json` in the JSON
    /// event format.
    public var dataContentType: String?
    /// `dataschema` (OPTIONAL, non-empty absolute URI): the schema ``data`` adheres to.
    public var dataSchema: String?
    /// Extension context attributes, in insertion order.
    public var extensions: CloudEventExtensions
    /// The event payload.
    public var data: CloudEventData?

    /// `specversion`: always "1.0".
    public var specVersion: String { Self.specVersion }

    /// An event; throws ``CloudEventError`` when an attribute breaks the spec (see ``validate()``).
    public init(
        id: String, source: String, type: String, subject: String? = nil, time: RFC3339Timestamp? = nil,
        dataContentType: String? = nil, dataSchema: String? = nil, extensions: CloudEventExtensions = [:],
        data: CloudEventData? = nil
    ) throws(CloudEventError) {
        self.init(
            unvalidatedID: id, source: source, type: type, subject: subject, time: time,
            dataContentType: dataContentType, dataSchema: dataSchema, extensions: extensions, data: data)
        try validate()
    }

    init(
        unvalidatedID id: String, source: String, type: String, subject: String?, time: RFC3339Timestamp?,
        dataContentType: String?, dataSchema: String?, extensions: CloudEventExtensions, data: CloudEventData?
    ) {
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.dataContentType = dataContentType
        self.dataSchema = dataSchema
        self.extensions = extensions
        self.data = data
    }

    /// Checks the CloudEvents 1.0 rules:
    /// - `id`, `source`, `type` non-empty; `subject`, `datacontenttype`, `dataschema` non-empty when present;
    /// - String attributes free of control characters; `source` a URI-reference and `dataschema` an absolute URI;
    /// - extension names of 1+ characters `a-z0-9` only (§2 "Naming Conventions"; the SHOULD-limit of 20
    ///   characters is not enforced), not a core attribute name and not `data`; no duplicates; values valid for
    ///   their types; Ferry's extensions (``partitionKey`` …) non-empty Strings;
    /// - ``CloudEventData/json(_:)`` only with an absent or JSON `datacontenttype`; ``CloudEventData/text(_:)``
    ///   only with a present, non-JSON one (absent would mean JSON to a receiver).
    public func validate() throws(CloudEventError) {
        try Self.validateRequiredString(id, "id")
        try Self.validateRequiredString(source, "source")
        try CloudEventAttributeValue.validateURIReference(source, attribute: "source")
        try Self.validateRequiredString(type, "type")
        if let subject { try Self.validateRequiredString(subject, "subject") }
        if let dataContentType { try Self.validateRequiredString(dataContentType, "datacontenttype") }
        if let dataSchema {
            try Self.validateRequiredString(dataSchema, "dataschema")
            try CloudEventAttributeValue.uri(dataSchema).validate(attribute: "dataschema")
        }
        try extensions.validate()
        switch data {
        case .json:
            guard dataContentType.map(MediaType.isJSON) ?? true else {
                throw .invalidData(reason: "JSON data needs an absent or JSON datacontenttype")
            }
        case .text:
            guard let dataContentType, !MediaType.isJSON(dataContentType) else {
                throw .invalidData(reason: "text data needs a non-JSON datacontenttype (absent means JSON)")
            }
        case .binary, nil:
            break
        }
    }

    static func validateRequiredString(_ value: String, _ name: String) throws(CloudEventError) {
        guard !value.isEmpty else { throw .emptyAttribute(name) }
        try CloudEventAttributeValue.validateString(value, attribute: name)
    }
}

/// An event's `data`, in one of the three forms the JSON event format distinguishes (format §3.1).
public enum CloudEventData: Hashable, Sendable {
    /// JSON text in UTF-8, kept verbatim (embedded as a JSON value in the JSON format). Must be one well-formed
    /// JSON value; ``json(validating:)`` checks that.
    case json([UInt8])
    /// Text (written as a JSON string in the JSON format, as UTF-8 bytes in Kafka binary mode).
    case text(String)
    /// Opaque bytes (`data_base64` in the JSON format).
    case binary([UInt8])

    /// JSON data, after checking the bytes are one well-formed JSON value.
    public static func json(validating bytes: [UInt8]) throws(JSONParseError) -> CloudEventData {
        _ = try JSONValue(parsing: bytes)
        return .json(bytes)
    }

    /// JSON data written by `body` into a ``JSONWriter``.
    public static func json(writing body: (inout JSONWriter) -> Void) -> CloudEventData {
        var writer = JSONWriter(capacity: 256)
        body(&writer)
        return .json(writer.takeBytes())
    }

    /// The payload bytes (text in UTF-8).
    public var bytes: [UInt8] {
        switch self {
        case let .json(bytes), let .binary(bytes): bytes
        case let .text(text): Array(text.utf8)
        }
    }
}

/// One extension attribute.
public struct CloudEventExtension: Hashable, Sendable {
    public var name: String
    public var value: CloudEventAttributeValue

    public init(name: String, value: CloudEventAttributeValue) {
        self.name = name
        self.value = value
    }
}

/// Extension context attributes (CloudEvents 1.0 §3.2) in insertion order; setting an existing name replaces its
/// value in place.
public struct CloudEventExtensions: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    private var storage: [CloudEventExtension]

    /// No extensions.
    public init() { storage = [] }

    /// Extensions in the given order (duplicates are reported by ``validate()``).
    public init(_ extensions: [CloudEventExtension]) { storage = extensions }

    public init(dictionaryLiteral elements: (String, CloudEventAttributeValue)...) {
        storage = elements.map { CloudEventExtension(name: $0.0, value: $0.1) }
    }

    /// The value of extension `name`; assigning nil removes it.
    public subscript(name: String) -> CloudEventAttributeValue? {
        get { storage.first { $0.name == name }?.value }
        set {
            if let index = storage.firstIndex(where: { $0.name == name }) {
                if let newValue { storage[index].value = newValue } else { storage.remove(at: index) }
            } else if let newValue {
                storage.append(CloudEventExtension(name: name, value: newValue))
            }
        }
    }

    /// How many extensions there are.
    public var count: Int { storage.count }
    /// True when there are none.
    public var isEmpty: Bool { storage.isEmpty }
    /// Names in order.
    public var names: [String] { storage.map(\.name) }

    public func makeIterator() -> IndexingIterator<[CloudEventExtension]> { storage.makeIterator() }

    /// Checks names (a-z0-9, not core, not `data`, unique) and values.
    public func validate() throws(CloudEventError) {
        for (index, item) in storage.enumerated() {
            try Self.validateName(item.name)
            for earlier in storage[..<index] where earlier.name == item.name { throw .duplicateAttribute(item.name) }
            try item.value.validate(attribute: item.name)
            if CloudEvent.ferryExtensionTypes[item.name] == .string {
                guard case let .string(text) = item.value else {
                    throw .wrongAttributeType(attribute: item.name, expected: "String", found: item.value.type.rawValue)
                }
                guard !text.isEmpty else { throw .emptyAttribute(item.name) }
            }
        }
    }

    /// CloudEvents 1.0 §2 "Naming Conventions" for an extension name.
    public static func validateName(_ name: String) throws(CloudEventError) {
        guard !name.isEmpty else { throw .invalidAttributeName(name, reason: "empty") }
        for byte in name.utf8 where !((byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)) {
            throw .invalidAttributeName(name, reason: "only lower-case ASCII letters a-z and digits 0-9 are allowed")
        }
        guard name != "data", !CloudEvent.coreAttributeNames.contains(name) else {
            throw .invalidAttributeName(name, reason: "reserved for a core attribute or data")
        }
    }
}

/// RFC 2046 media type checks for the JSON format's `data` rules.
enum MediaType {
    /// The `type/subtype` part, trimmed and lower-cased.
    static func essence(_ mediaType: String) -> Substring {
        let end = mediaType.firstIndex(of: ";") ?? mediaType.endIndex
        return mediaType[..<end].trimmingSpaces()
    }

    /// `*/json` or `*/*+json` (CloudEvents JSON format §3.1), parameters ignored, case-insensitive.
    static func isJSON(_ mediaType: String) -> Bool {
        let essence = essence(mediaType).lowercased()
        guard let slash = essence.firstIndex(of: "/") else { return false }
        let subtype = essence[essence.index(after: slash)...]
        return subtype == "json" || subtype.hasSuffix("+json")
    }

    /// Media types whose payload is text: `text/*`, XML (`*/xml`, `*/*+xml`), or any with a `charset` parameter.
    static func isTextual(_ mediaType: String) -> Bool {
        let lowered = mediaType.lowercased()
        let essence = essence(lowered)
        if essence.hasPrefix("text/") || essence.hasSuffix("/xml") || essence.hasSuffix("+xml") { return true }
        return lowered.contains("charset=")
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var result = self
        while result.first == " " || result.first == "\t" { result = result.dropFirst() }
        while result.last == " " || result.last == "\t" { result = result.dropLast() }
        return result
    }
}
