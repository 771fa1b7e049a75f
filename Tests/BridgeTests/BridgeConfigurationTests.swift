import Bridge
import StreamLog
import Testing

@Suite("Bridge configuration")
struct BridgeConfigurationTests {
    static let valid = """
        {"drainTimeoutSeconds": 2.5, "pipelines": [
          {"name": "a", "source": {"queue": "spool:/tmp/s/IN"}, "sink": {"log": "/tmp/log", "topic": "t", "partitions": 3},
           "deadLetter": {"queue": "spool:/tmp/s/DLQ"}, "maxAttempts": 4, "maxInFlight": 32},
          {"name": "b", "source": {"queue": "stomp://broker:61613/queue/CLAIMS"}, "sink": {"log": "kafka://k:9092", "topic": "claims"},
           "deadLetter": {"queue": "stomp://broker:61613/queue/CLAIMS.DLQ"}}
        ]}
        """

    @Test("a valid configuration keeps every value and fills the documented defaults")
    func parsesValid() throws {
        let configuration = try BridgeConfiguration(json: Array(Self.valid.utf8), file: "bridge.json")
        #expect(configuration.drainTimeout == .milliseconds(2500))
        #expect(configuration.pipelines.count == 2)
        let a = configuration.pipelines[0]
        #expect(a.name == "a")
        #expect(a.source == "spool:/tmp/s/IN")
        #expect(a.sink.log == "/tmp/log" && a.sink.topic == "t" && a.sink.partitions == 3 && a.sink.fsync == .always)
        #expect(a.maxAttempts == 4 && a.maxInFlight == 32 && a.mappingFile == nil)
        let b = configuration.pipelines[1]
        #expect(b.sink.isKafka && b.sink.partitions == 1)
        #expect(b.maxAttempts == 3 && b.maxInFlight == 256)
        #expect(b.retryBackoff == .milliseconds(100) && b.maxRetryBackoff == .seconds(5))
        #expect(try QueueEndpoint(parsing: a.source) == QueueEndpoint(parsing: "spool:/tmp/s/IN"))
        #expect(try QueueEndpoint(parsing: a.source).destination == "IN")
        #expect(try QueueEndpoint(parsing: b.source).destination == "/queue/CLAIMS")
    }

    static let pipeline =
        #""name": "p", "source": {"queue": "spool:/tmp/s/IN"}, "sink": {"log": "/tmp/log", "topic": "t"}, "deadLetter": {"queue": "spool:/tmp/s/DLQ"}"#

    @Test(
        "errors name the offending JSON path",
        arguments: [
            ("[]", "$"),
            (#"{"pipelines": []}"#, "$.pipelines"),
            (#"{"pipeline": []}"#, "$.pipeline"),
            (#"{"pipelines": [{\#(pipeline)}], "drainTimeoutSeconds": 0}"#, "$.drainTimeoutSeconds"),
            (#"{"pipelines": [{\#(pipeline), "maxInFlight": 0}]}"#, "$.pipelines[0].maxInFlight"),
            (#"{"pipelines": [{\#(pipeline), "maxAttempts": "3"}]}"#, "$.pipelines[0].maxAttempts"),
            (#"{"pipelines": [{\#(pipeline), "mapping": "/no/such/mapping.json"}]}"#, "$.pipelines[0].mapping"),
            (#"{"pipelines": [{\#(pipeline)}, {\#(pipeline)}]}"#, "$.pipelines[1].name"),
            (#"{"pipelines": [{\#(pipeline), "sinks": 1}]}"#, "$.pipelines[0].sinks"),
            (#"{"pipelines": [{"name": "p", "source": {"queue": "amqp://x/q"}}]}"#, "$.pipelines[0].source.queue"),
            (#"{"pipelines": [{"name": "p", "source": {"queue": "spool:/tmp/s/IN"}, "deadLetter": {"queue": "spool:/tmp/s/DLQ"}}]}"#, "$.pipelines[0].sink"),
            (#"{"pipelines": [{"name": "p", "source": {"queue": "spool:/tmp/s/IN"}, "sink": {"log": "/l"}}]}"#, "$.pipelines[0].sink.topic"),
            (#"{"pipelines": [{"name": "p", "source": {"queue": "spool:/tmp/s/IN"}, "sink": {"log": "/l", "topic": "t", "fsync": "often"}}]}"#, "$.pipelines[0].sink.fsync"),
            (#"{"pipelines": [{"name": "p", "source": {"queue": "spool:/tmp/s/IN"}, "sink": {"log": "kafka://k:9092", "topic": "t", "fsync": "always"}}]}"#, "$.pipelines[0].sink.fsync"),
            (#"{"pipelines": [{"name": "p", "source": {"queue": "spool:/tmp/s/IN"}, "sink": {"log": "/l", "topic": "t"}, "deadLetter": {"queue": "spool:/tmp/s/IN"}}]}"#, "$.pipelines[0].deadLetter.queue"),
            (#"{"pipelines": [{"name": "", "source": {"queue": "spool:/tmp/s/IN"}}]}"#, "$.pipelines[0].name"),
        ])
    func namesPath(json: String, path: String) throws {
        let error = try #require(throws: BridgeError.self) { try BridgeConfiguration(json: Array(json.utf8), file: "b.json") }
        guard case let .invalidConfiguration(file, found, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(file == "b.json")
        #expect(found == path)
    }

    @Test(
        "URLs lose their credentials before they appear in headers",
        arguments: [
            ("stomp://bridge:s3cret@broker:61613/queue/CLAIMS", "stomp://broker:61613/queue/CLAIMS"),
            ("stomp://bridge@broker:61613/queue/A@B", "stomp://broker:61613/queue/A@B"),
            ("stomp://broker:61613/queue/CLAIMS", "stomp://broker:61613/queue/CLAIMS"),
            ("spool:/var/spool/IN", "spool:/var/spool/IN"),
        ])
    func redactsCredentials(url: String, expected: String) {
        #expect(QueueEndpoint.redacted(url) == expected)
    }

    @Test("${NAME} in queue URLs and sink.log comes from the environment; a missing variable names the field")
    func expandsEnvironment() throws {
        let json = #"{"pipelines": [{"name": "p", "source": {"queue": "stomp://${U}:${P}@broker:61613/queue/IN"}, "sink": {"log": "${DATA}/log", "topic": "t"}, "deadLetter": {"queue": "spool:${DATA}/DLQ"}}]}"#
        let configuration = try BridgeConfiguration(
            json: Array(json.utf8), file: "b.json", environment: ["U": "bridge", "P": "p@ss", "DATA": "/srv/ferry"])
        #expect(configuration.pipelines[0].source == "stomp://bridge:p@ss@broker:61613/queue/IN")
        #expect(configuration.pipelines[0].sink.log == "/srv/ferry/log")
        #expect(configuration.pipelines[0].deadLetter == "spool:/srv/ferry/DLQ")
        #expect(QueueEndpoint.redacted(configuration.pipelines[0].source) == "stomp://broker:61613/queue/IN")
        let error = try #require(throws: BridgeError.self) {
            try BridgeConfiguration(json: Array(json.utf8), file: "b.json", environment: ["U": "bridge", "DATA": "/d"])
        }
        #expect(error == .invalidConfiguration(file: "b.json", path: "$.pipelines[0].source.queue", reason: "environment variable P is not set"))
    }
}
