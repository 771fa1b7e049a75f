public import ByteCoding

/// ApiVersions (key 18): which versions of each API the broker supports. Reference: `ApiVersionsRequest.json`,
/// `ApiVersionsResponse.json`. v3+ is flexible and names the client software.
public struct ApiVersionsRequest: KafkaRequest {
    public static let apiKey = APIKey.apiVersions
    public static let supportedVersions: ClosedRange<Int16> = 0...3
    public static let firstFlexibleVersion: Int16 = 3

    /// `ClientSoftwareName` (v3+).
    public var clientSoftwareName: String
    /// `ClientSoftwareVersion` (v3+).
    public var clientSoftwareVersion: String

    public init(clientSoftwareName: String = "ferry", clientSoftwareVersion: String = "0.1.0") {
        self.clientSoftwareName = clientSoftwareName
        self.clientSoftwareVersion = clientSoftwareVersion
    }

    /// One API the broker supports, with its version range.
    public struct SupportedAPI: Hashable, Sendable {
        public var apiKey: APIKey
        public var versions: ClosedRange<Int16>
        public init(apiKey: APIKey, versions: ClosedRange<Int16>) {
            self.apiKey = apiKey
            self.versions = versions
        }
    }

    /// The response: an error code and the supported APIs.
    public struct Response: Hashable, Sendable {
        public var errorCode: KafkaErrorCode
        public var apis: [SupportedAPI]
        public var throttleTimeMilliseconds: Int32
        /// The version range the broker offers for `key`, nil when it does not offer the API.
        public func versions(of key: APIKey) -> ClosedRange<Int16>? { apis.first { $0.apiKey == key }?.versions }
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        guard version >= 3 else { return }
        writer.writeString(clientSoftwareName, flexible: true)
        writer.writeString(clientSoftwareVersion, flexible: true)
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response {
        let flexible = version >= firstFlexibleVersion
        let errorCode = KafkaErrorCode(rawValue: try reader.readInt16())
        let count = try reader.readArrayCountOrZero(flexible: flexible, minimumElementSize: 6)
        var apis: [SupportedAPI] = []
        apis.reserveCapacity(count)
        for _ in 0..<count {
            let at = reader.absoluteOffset
            let key = try reader.readInt16()
            let low = try reader.readInt16()
            let high = try reader.readInt16()
            guard low <= high else { throw .lengthOutOfRange(offset: at + 2, length: Int(low), maximum: Int(high)) }
            if flexible { try reader.skipTaggedFields() }
            apis.append(SupportedAPI(apiKey: APIKey(rawValue: key), versions: low...high))
        }
        let throttle = version >= 1 ? try reader.readInt32() : 0
        if flexible { try reader.skipTaggedFields() }
        return Response(errorCode: errorCode, apis: apis, throttleTimeMilliseconds: throttle)
    }
}
