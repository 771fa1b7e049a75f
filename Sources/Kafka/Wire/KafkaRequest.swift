public import ByteCoding

/// A Kafka API key (protocol guide, "Api Keys").
public struct APIKey: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = APIKey(rawValue: 0)
    public static let fetch = APIKey(rawValue: 1)
    public static let listOffsets = APIKey(rawValue: 2)
    public static let metadata = APIKey(rawValue: 3)
    public static let offsetCommit = APIKey(rawValue: 8)
    public static let offsetFetch = APIKey(rawValue: 9)
    public static let findCoordinator = APIKey(rawValue: 10)
    public static let apiVersions = APIKey(rawValue: 18)
    public static let createTopics = APIKey(rawValue: 19)
    public static let initProducerId = APIKey(rawValue: 22)

    static let names: [Int16: String] = [
        0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit", 9: "OffsetFetch",
        10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
        18: "ApiVersions", 19: "CreateTopics", 22: "InitProducerId", 32: "DescribeConfigs",
    ]
    public var description: String { Self.names[rawValue] ?? "ApiKey\(rawValue)" }
}

/// One request of the Kafka protocol: its API, the versions this client can write and read, the body encoder
/// and the response decoder. Headers and framing are ``KafkaFrame``'s.
public protocol KafkaRequest: Sendable {
    associatedtype Response: Sendable
    /// The API this request belongs to.
    static var apiKey: APIKey { get }
    /// The versions this client implements; the highest one the broker also offers is used.
    static var supportedVersions: ClosedRange<Int16> { get }
    /// The first flexible version (compact encodings, tagged fields, request header v2, response header v1).
    static var firstFlexibleVersion: Int16 { get }
    /// Writes the request body at `version`.
    func write(to writer: inout ByteWriter, version: Int16)
    /// Reads the response body at `version` (after the response header).
    static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response
    /// Parses the response body from `reader`, a cursor over all of `frame` (the response body as received,
    /// correlation id included, `reader.position` indexing `frame`), so that large byte fields (Fetch's
    /// records) can be kept as slices of `frame` instead of copies. Default: ``parseResponse(_:version:)``.
    static func parseResponse(_ reader: inout ByteReader, in frame: [UInt8], version: Int16) throws(ByteCodingError)
        -> Response
}

extension KafkaRequest {
    public static func parseResponse(_ reader: inout ByteReader, in frame: [UInt8], version: Int16)
        throws(ByteCodingError) -> Response
    {
        try parseResponse(&reader, version: version)
    }
}

extension KafkaRequest {
    /// Response header version: v1 (with tagged fields) for flexible versions, v0 otherwise. ApiVersions
    /// always answers with header v0 so that a client of any version can read it.
    static func responseHeaderVersion(_ version: Int16) -> Int {
        apiKey == .apiVersions ? 0 : (version >= firstFlexibleVersion ? 1 : 0)
    }
}

/// The highest version both sides support, or nil.
public func highestCommonVersion(client: ClosedRange<Int16>, broker: ClosedRange<Int16>) -> Int16? {
    let low = max(client.lowerBound, broker.lowerBound)
    let high = min(client.upperBound, broker.upperBound)
    return low <= high ? high : nil
}

/// Size-prefixed request frames and response headers (protocol guide, "Headers").
public enum KafkaFrame {
    /// Encodes `size:int32` then request header v1 (`api_key, api_version, correlation_id, client_id`) or v2
    /// (v1 plus empty tagged fields) for flexible versions, then the body.
    public static func encode<R: KafkaRequest>(
        _ request: R, version: Int16, correlationID: Int32, clientID: String?, into writer: inout ByteWriter
    ) {
        let start = writer.count
        writer.writeInt32(0)
        writer.writeInt16(R.apiKey.rawValue)
        writer.writeInt16(version)
        writer.writeInt32(correlationID)
        writer.writeNullableString(clientID, flexible: false)  // client_id is never compact
        writer.writeEmptyTaggedFields(flexible: version >= R.firstFlexibleVersion)
        request.write(to: &writer, version: version)
        writer.setBigEndian(Int32(truncatingIfNeeded: writer.count - start - 4), at: start)
    }

    /// A request frame as bytes.
    public static func encode<R: KafkaRequest>(_ request: R, version: Int16, correlationID: Int32, clientID: String?)
        -> [UInt8]
    {
        var writer = ByteWriter(capacity: 128)
        encode(request, version: version, correlationID: correlationID, clientID: clientID, into: &writer)
        return writer.bytes
    }

    /// The correlation id of a response body (the bytes after the size prefix).
    public static func correlationID(of body: UnsafeRawBufferPointer) throws(ByteCodingError) -> Int32 {
        var reader = ByteReader(body)
        return try reader.readInt32()
    }

    /// Decodes a response body (after the size prefix): the header for `R` at `version`, then the body, which
    /// must use every byte.
    public static func decodeResponse<R: KafkaRequest>(_: R.Type, version: Int16, body: UnsafeRawBufferPointer)
        throws(KafkaError) -> (correlationID: Int32, response: R.Response)
    {
        try decodeResponse(R.self, version: version, body: body, frame: nil)
    }

    /// Decodes a response body received as `frame` (the bytes after the size prefix); large byte fields of the
    /// response (Fetch's records) are slices of `frame`, not copies.
    public static func decodeResponse<R: KafkaRequest>(_: R.Type, version: Int16, frame: [UInt8])
        throws(KafkaError) -> (correlationID: Int32, response: R.Response)
    {
        try withKafkaErrors("\(R.apiKey) v\(version) response") {
            try frame.withUnsafeBytes { raw in try decodeResponse(R.self, version: version, body: raw, frame: frame) }
        }
    }

    private static func decodeResponse<R: KafkaRequest>(
        _: R.Type, version: Int16, body: UnsafeRawBufferPointer, frame: [UInt8]?
    ) throws(KafkaError) -> (correlationID: Int32, response: R.Response) {
        var reader = ByteReader(body)
        let context = "\(R.apiKey) v\(version) response"
        do {
            let correlationID = try reader.readInt32()
            if R.responseHeaderVersion(version) >= 1 { try reader.skipTaggedFields() }
            let response: R.Response
            if let frame {
                response = try R.parseResponse(&reader, in: frame, version: version)
            } else {
                response = try R.parseResponse(&reader, version: version)
            }
            guard reader.isAtEnd else {
                throw KafkaError.invalid(context: context, detail: "\(reader.remaining) bytes left after the response")
            }
            return (correlationID, response)
        } catch let error as ByteCodingError {
            throw .malformed(context: context, cause: error)
        } catch let error as KafkaError {
            throw error
        } catch {
            throw .invalid(context: context, detail: "\(error)")
        }
    }
}

/// Splits a byte stream into size-prefixed Kafka frames, incrementally.
///
/// ``nextFrameLength(in:)`` returns nil while the frame is incomplete ("need more bytes") and consumes nothing;
/// a size prefix above `maximumFrameSize` or below 4 (a frame holds at least a correlation id) throws.
public struct KafkaFrameDecoder: Sendable {
    /// The largest frame accepted, in bytes after the size prefix.
    public let maximumFrameSize: Int
    public init(maximumFrameSize: Int) { self.maximumFrameSize = maximumFrameSize }

    /// The body length of the frame at the start of `buffer`, when all of it is there; nil otherwise.
    public func nextFrameLength(in buffer: UnsafeRawBufferPointer) throws(KafkaError) -> Int? {
        guard let size = try declaredFrameLength(in: buffer) else { return nil }
        return buffer.count - 4 >= size ? size : nil
    }

    /// The size the frame at the start of `buffer` declares (without its 4-byte prefix), checked like
    /// ``nextFrameLength(in:)`` whether or not the frame is complete; nil while fewer than 4 bytes are there.
    public func declaredFrameLength(in buffer: UnsafeRawBufferPointer) throws(KafkaError) -> Int? {
        guard buffer.count >= 4 else { return nil }
        let size = Int(Int32(bigEndian: buffer.loadUnaligned(as: Int32.self)))
        guard size >= 4 else { throw .invalid(context: "response frame", detail: "size prefix \(size) is below 4") }
        guard size <= maximumFrameSize else { throw .tooLarge(what: "response frame", size: size, maximum: maximumFrameSize) }
        return size
    }
}
