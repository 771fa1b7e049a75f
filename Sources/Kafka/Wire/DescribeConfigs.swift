public import ByteCoding

extension APIKey {
    public static let describeConfigs = APIKey(rawValue: 32)
}

/// DescribeConfigs (key 32): a topic's (or broker's) configuration. Reference: `DescribeConfigsRequest.json`,
/// `DescribeConfigsResponse.json`. This client can write v1–v4 (v4 flexible), topics only, no synonyms, but
/// offers only v1, the version librdkafka uses: tansu 0.6 answers v3 with no entries and drops the connection
/// (`StringWithoutLength`) for v4 and for any request naming keys, so ``KafkaClient`` always asks for all keys.
public struct DescribeConfigsRequest: KafkaRequest {
    public static let apiKey = APIKey.describeConfigs
    public static let supportedVersions: ClosedRange<Int16> = 1...1
    public static let firstFlexibleVersion: Int16 = 4

    /// Topic names; for each, the keys to describe (nil: all).
    public var topics: [(name: String, keys: [String]?)]
    public init(topics: [(name: String, keys: [String]?)]) { self.topics = topics }

    /// One configuration entry.
    public struct Entry: Hashable, Sendable {
        public var name: String
        public var value: String?
        public var isReadOnly: Bool
        /// `ConfigSource`: 1 topic, 4 static broker, 5 default, …
        public var source: Int8
        public var isSensitive: Bool
    }

    /// One resource's answer.
    public struct Result: Hashable, Sendable {
        public var errorCode: KafkaErrorCode
        public var errorMessage: String?
        public var name: String
        public var entries: [Entry]
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        let flexible = version >= Self.firstFlexibleVersion
        writer.writeArrayCount(topics.count, flexible: flexible)
        for topic in topics {
            writer.writeInt8(2)  // resource_type: topic
            writer.writeString(topic.name, flexible: flexible)
            writer.writeArrayCount(topic.keys?.count, flexible: flexible)
            for key in topic.keys ?? [] { writer.writeString(key, flexible: flexible) }
            writer.writeEmptyTaggedFields(flexible: flexible)
        }
        if version >= 1 { writer.writeBool(false) }  // include_synonyms
        if version >= 3 { writer.writeBool(false) }  // include_documentation
        writer.writeEmptyTaggedFields(flexible: flexible)
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> [Result] {
        let flexible = version >= firstFlexibleVersion
        _ = try reader.readInt32()
        let count = try reader.readArrayCountOrZero(flexible: flexible, minimumElementSize: 6)
        var results: [Result] = []
        for _ in 0..<count {
            let error = KafkaErrorCode(rawValue: try reader.readInt16())
            let message = try reader.readNullableString(flexible: flexible)
            _ = try reader.readInt8()
            let name = try reader.readString(flexible: flexible)
            let entryCount = try reader.readArrayCountOrZero(flexible: flexible, minimumElementSize: 8)
            var entries: [Entry] = []
            for _ in 0..<entryCount {
                let key = try reader.readString(flexible: flexible)
                let value = try reader.readNullableString(flexible: flexible)
                let readOnly = try reader.readBool()
                let source = try reader.readInt8()
                let sensitive = try reader.readBool()
                if version >= 1 {
                    let synonyms = try reader.readArrayCountOrZero(flexible: flexible, minimumElementSize: 4)
                    for _ in 0..<synonyms {
                        _ = try reader.readString(flexible: flexible)
                        _ = try reader.readNullableString(flexible: flexible)
                        _ = try reader.readInt8()
                        if flexible { try reader.skipTaggedFields() }
                    }
                }
                if version >= 3 {
                    _ = try reader.readInt8()  // config_type
                    _ = try reader.readNullableString(flexible: flexible)  // documentation
                }
                if flexible { try reader.skipTaggedFields() }
                entries.append(Entry(name: key, value: value, isReadOnly: readOnly, source: source, isSensitive: sensitive))
            }
            if flexible { try reader.skipTaggedFields() }
            results.append(Result(errorCode: error, errorMessage: message, name: name, entries: entries))
        }
        if flexible { try reader.skipTaggedFields() }
        return results
    }
}
