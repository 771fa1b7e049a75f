import ByteCoding
import Testing

/// The Kafka ApiVersions exchange (api key 18) at version 0, written and parsed by hand.
///
/// Request: `size:int32, api_key:int16, api_version:int16, correlation_id:int32, client_id:nullable string`
/// (request header v1; the v0 body is empty). Response: `size:int32, correlation_id:int32` (response header
/// v0), then `error_code:int16, api_keys:[api_key:int16, min_version:int16, max_version:int16]`.
/// Reference: the Kafka protocol guide, "ApiVersions API (Key: 18)".
struct ApiVersionsExchange {
    static let apiKey: Int16 = 18

    /// One supported API with its version range.
    struct SupportedAPI: Equatable {
        let apiKey: Int16
        let minVersion: Int16
        let maxVersion: Int16
    }

    /// A parsed v0 response.
    struct Response {
        let correlationID: Int32
        let errorCode: Int16
        let apis: [SupportedAPI]
    }

    /// The request frame, size prefix included.
    static func request(correlationID: Int32, clientID: String) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeBigEndian(Int32(0))  // size, patched below
        writer.writeBigEndian(apiKey)
        writer.writeBigEndian(Int16(0))  // api_version
        writer.writeBigEndian(correlationID)
        writer.writeBigEndian(Int16(clientID.utf8.count))
        writer.writeUTF8(clientID)
        writer.setBigEndian(Int32(writer.count - 4), at: 0)
        return writer.bytes
    }

    /// Parses a response body (the bytes after the size prefix); every byte must be accounted for.
    static func parseResponse(_ reader: inout ByteReader) throws(ByteCodingError) -> Response {
        let correlationID: Int32 = try reader.readBigEndian()
        let errorCode: Int16 = try reader.readBigEndian()
        let count = try reader.readLength(bigEndian: Int32.self, maximum: reader.remaining / 6)
        var apis: [SupportedAPI] = []
        apis.reserveCapacity(count)
        for _ in 0..<count {
            apis.append(
                SupportedAPI(
                    apiKey: try reader.readBigEndian(), minVersion: try reader.readBigEndian(),
                    maxVersion: try reader.readBigEndian()))
        }
        return Response(correlationID: correlationID, errorCode: errorCode, apis: apis)
    }
}

@Suite("The Kafka broker answers ApiVersions (real broker from scripts/test)")
struct KafkaApiVersionsTests {
    @Test func apiVersionsV0ListsTheCoreAPIs() throws {
        let broker = try TestEnvironment.current.kafkaBroker()
        let probe = try broker.connect()
        let correlationID = Int32.random(in: 1...Int32.max)
        try probe.write(ApiVersionsExchange.request(correlationID: correlationID, clientID: "ferry-integration-probe"))

        let sizeBytes = try probe.read(exactly: 4, timeout: .seconds(5), waitingFor: "an ApiVersions response size")
        let size = try sizeBytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            return try reader.readLength(bigEndian: Int32.self, maximum: 1 << 20)
        }
        let body = try probe.read(exactly: size, timeout: .seconds(5), waitingFor: "an ApiVersions response body")
        let (response, leftover) = try body.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            return (try ApiVersionsExchange.parseResponse(&reader), reader.remaining)
        }

        #expect(response.correlationID == correlationID)
        #expect(response.errorCode == 0)
        #expect(leftover == 0, "a v0 response ends after the api_keys array")
        let byKey = Dictionary(response.apis.map { ($0.apiKey, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byKey.count == response.apis.count, "an API key is listed twice")
        for (key, name) in [(Int16(0), "Produce"), (1, "Fetch"), (2, "ListOffsets"), (3, "Metadata"), (18, "ApiVersions")] {
            let api = try #require(byKey[key], "\(broker) does not list \(name) (\(key))")
            #expect(0 <= api.minVersion && api.minVersion <= api.maxVersion, "\(name): \(api)")
        }
        // Record batches (magic 2) need Produce v3+ and Fetch v4+.
        #expect((byKey[0]?.maxVersion ?? -1) >= 3)
        #expect((byKey[1]?.maxVersion ?? -1) >= 4)
    }
}

@Suite struct ApiVersionsExchangeTests {
    @Test func requestIsSizePrefixedHeaderV1WithClientID() {
        let bytes = ApiVersionsExchange.request(correlationID: 0x0102_0304, clientID: "ab")
        #expect(bytes == [0, 0, 0, 12, 0, 18, 0, 0, 1, 2, 3, 4, 0, 2, 0x61, 0x62])
    }

    @Test func parsesAResponseAndLeavesTrailingBytes() throws {
        let body: [UInt8] = [0, 0, 0, 7, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 9, 0, 18, 0, 0, 0, 3, 0xEE]
        try body.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            let response = try ApiVersionsExchange.parseResponse(&reader)
            #expect(response.correlationID == 7)
            #expect(response.errorCode == 0)
            #expect(response.apis == [.init(apiKey: 0, minVersion: 3, maxVersion: 9), .init(apiKey: 18, minVersion: 0, maxVersion: 3)])
            #expect(reader.remaining == 1)
        }
    }

    @Test func rejectsACountLargerThanTheBytesLeft() {
        let body: [UInt8] = [0, 0, 0, 7, 0, 0, 0, 0, 0, 3, 0, 0, 0, 3, 0, 9]
        body.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            #expect(throws: ByteCodingError.lengthOutOfRange(offset: 6, length: 3, maximum: 1)) {
                try ApiVersionsExchange.parseResponse(&reader)
            }
        }
    }
}
