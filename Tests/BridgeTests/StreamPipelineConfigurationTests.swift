import Bridge
import Foundation
import Testing

@Suite("Bridge configuration: stream → queue pipelines")
struct StreamPipelineConfigurationTests {
    static let stream =
        #""name": "out", "source": {"log": "kafka://k:9092", "topic": "claims-out"}, "sink": {"queue": "stomp://b:61613/queue/OUT"}, "deadLetter": {"queue": "stomp://b:61613/queue/OUT.DLQ"}"#
    static let queue =
        #""name": "in", "source": {"queue": "spool:/tmp/s/IN"}, "sink": {"log": "/tmp/log", "topic": "t"}, "deadLetter": {"queue": "spool:/tmp/s/DLQ"}"#

    @Test("a source with log makes a stream → queue pipeline with the documented defaults, beside queue → stream ones")
    func parsesBothKinds() throws {
        let json = #"{"pipelines": [{\#(Self.queue)}, {\#(Self.stream), "maxInFlight": 16}]}"#
        let configuration = try BridgeConfiguration(json: Array(json.utf8), file: "b.json")
        #expect(configuration.pipelines.map(\.name) == ["in"])
        let out = try #require(configuration.streamPipelines.first)
        #expect(configuration.streamPipelines.count == 1)
        #expect(out.source == StreamSourceConfiguration(log: "kafka://k:9092", topic: "claims-out", group: "ferry-bridge-out"))
        #expect(out.source.isKafka && out.source.joinsGroup, "a Kafka source joins its group by default")
        #expect(out.sink == "stomp://b:61613/queue/OUT" && out.deadLetter == "stomp://b:61613/queue/OUT.DLQ")
        #expect(out.maxInFlight == 16 && out.mappingFile == nil)
        #expect(out.retryBackoff == .milliseconds(100) && out.maxRetryBackoff == .seconds(5))
        #expect(out.pollInterval == .milliseconds(100))
        #expect(configuration.pipelinePosition(of: "out") == 1)
    }

    @Test("${NAME} expands in the source log; the group can be set")
    func expandsSourceLog() throws {
        let json = #"{"pipelines": [{"name": "o", "source": {"log": "${LOGDIR}/log", "topic": "t", "group": "g1"}, "sink": {"queue": "spool:/tmp/s/OUT"}, "deadLetter": {"queue": "spool:/tmp/s/DLQ"}}]}"#
        let configuration = try BridgeConfiguration(json: Array(json.utf8), file: "b.json", environment: ["LOGDIR": "/var/ferry"])
        #expect(configuration.streamPipelines.first?.source == StreamSourceConfiguration(log: "/var/ferry/log", topic: "t", group: "g1"))
        #expect(configuration.streamPipelines.first?.source.joinsGroup == false)
    }

    @Test(
        "errors name the offending JSON path",
        arguments: [
            (#"{"pipelines": [{\#(stream), "maxAttempts": 3}]}"#, "$.pipelines[0].maxAttempts"),
            (#"{"pipelines": [{"name": "o", "source": {"log": "/l", "topic": "t", "partitions": 2}}]}"#, "$.pipelines[0].source.partitions"),
            (#"{"pipelines": [{"name": "o", "source": {"log": "/l"}}]}"#, "$.pipelines[0].source.topic"),
            (#"{"pipelines": [{"name": "o", "source": {"log": "/l", "topic": "t"}, "deadLetter": {"queue": "spool:/d/DLQ"}}]}"#, "$.pipelines[0].sink"),
            (#"{"pipelines": [{"name": "o", "source": {"log": "/l", "topic": "t"}, "sink": {"log": "/l", "topic": "t"}}]}"#, "$.pipelines[0].sink.log"),
            (#"{"pipelines": [{"name": "o", "source": {"log": "/l", "topic": "t"}, "sink": {"queue": "spool:/d/OUT"}, "deadLetter": {"queue": "spool:/d/OUT"}}]}"#, "$.pipelines[0].deadLetter.queue"),
            (#"{"pipelines": [{\#(queue)}, {\#(stream)}, {\#(stream)}]}"#, "$.pipelines[2].name"),
            (#"{"pipelines": [{"name": "o", "source": {"log": "${NOPE}", "topic": "t"}}]}"#, "$.pipelines[0].source.log"),
            (#"{"pipelines": [{"name": "o", "source": {"log": "/l", "topic": "t", "joinGroup": true}}]}"#, "$.pipelines[0].source.joinGroup"),
            (#"{"pipelines": [{"name": "o", "source": {"log": "kafka://k:1", "topic": "t", "joinGroup": "yes"}}]}"#, "$.pipelines[0].source.joinGroup"),
        ])
    func namesPath(json: String, path: String) throws {
        let error = try #require(throws: BridgeError.self) {
            try BridgeConfiguration(json: Array(json.utf8), file: "b.json", environment: [:])
        }
        guard case let .invalidConfiguration(file, found, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(file == "b.json")
        #expect(found == path)
    }
}

@Suite("Bridge configuration: dead-letter topics")
struct DeadLetterTopicConfigurationTests {
    @Test("deadLetter {topic} defaults to the pipeline's own log; log and partitions can be set")
    func parsesTopics() throws {
        let json = #"""
            {"pipelines": [
              {"name": "in", "source": {"queue": "spool:/s/IN"}, "sink": {"log": "/l", "topic": "t"}, "deadLetter": {"topic": "t.dlq"}},
              {"name": "out", "source": {"log": "kafka://k:9092", "topic": "o"}, "sink": {"queue": "spool:/s/OUT"},
               "deadLetter": {"topic": "o.dlq", "log": "kafka://u:p@k2:9092", "partitions": 2}}
            ]}
            """#
        let configuration = try BridgeConfiguration(json: Array(json.utf8), file: "b.json")
        #expect(configuration.pipelines[0].deadLetterTopic == DeadLetterTopicConfiguration(log: "/l", topic: "t.dlq"))
        #expect(configuration.pipelines[0].deadLetter == "topic:/l#t.dlq")
        let out = try #require(configuration.streamPipelines.first)
        #expect(out.deadLetterTopic == DeadLetterTopicConfiguration(log: "kafka://u:p@k2:9092", topic: "o.dlq", partitions: 2))
        #expect(out.deadLetter == "topic:kafka://k2:9092#o.dlq", "no credentials in the description")
    }

    @Test(
        "errors name the offending JSON path",
        arguments: [
            (#"{"pipelines": [{"name": "in", "source": {"queue": "spool:/s/IN"}, "sink": {"log": "/l", "topic": "t"}, "deadLetter": {"topic": "t"}}]}"#, "$.pipelines[0].deadLetter.topic"),
            (#"{"pipelines": [{"name": "in", "source": {"queue": "spool:/s/IN"}, "sink": {"log": "/l", "topic": "t"}, "deadLetter": {"topic": "d", "queue": "spool:/s/D"}}]}"#, "$.pipelines[0].deadLetter.queue"),
            (#"{"pipelines": [{"name": "o", "source": {"log": "/l", "topic": "o"}, "sink": {"queue": "spool:/s/OUT"}, "deadLetter": {"topic": "o"}}]}"#, "$.pipelines[0].deadLetter.topic"),
            (#"{"pipelines": [{"name": "o", "source": {"log": "/l", "topic": "o"}, "sink": {"queue": "spool:/s/OUT"}, "deadLetter": {"topic": "d", "partitions": 0}}]}"#, "$.pipelines[0].deadLetter.partitions"),
        ])
    func namesPath(json: String, path: String) throws {
        let error = try #require(throws: BridgeError.self) {
            try BridgeConfiguration(json: Array(json.utf8), file: "b.json", environment: [:])
        }
        guard case let .invalidConfiguration(_, found, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(found == path)
    }
}

@Suite("Bridge configuration: operations and secrets")
struct OperationsConfigurationTests {
    static let pipeline =
        #"{"name": "p", "source": {"queue": "spool:/tmp/s/IN"}, "sink": {"log": "/tmp/log", "topic": "t"}, "deadLetter": {"queue": "spool:/tmp/s/DLQ"}}"#

    @Test("http.listen and logFormat; defaults: no endpoint, text logs")
    func parsesOperations() throws {
        let json = #"{"http": {"listen": "127.0.0.1:9464"}, "logFormat": "json", "pipelines": [\#(Self.pipeline)]}"#
        let configuration = try BridgeConfiguration(json: Array(json.utf8), file: "b.json")
        #expect(configuration.http == HTTPEndpointConfiguration(host: "127.0.0.1", port: 9464))
        #expect(configuration.logFormat == .json)
        let plain = try BridgeConfiguration(json: Array(#"{"pipelines": [\#(Self.pipeline)]}"#.utf8), file: "b.json")
        #expect(plain.http == nil && plain.logFormat == .text)
    }

    @Test("${file:PATH} reads a secret file with its trailing newline removed, in queue URLs and logs")
    func secretFiles() throws {
        let directory = try makeTemporaryDirectory()
        try Data("s3cr:et\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/password"))
        try Data("ferry\r\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/user"))
        let json = #"{"pipelines": [{"name": "p", "source": {"queue": "stomp://${file:\#(directory)/user}:${file:\#(directory)/password}@broker:61613/queue/IN"}, "sink": {"log": "/tmp/log", "topic": "t"}, "deadLetter": {"queue": "spool:/tmp/s/DLQ"}}]}"#
        let configuration = try BridgeConfiguration(json: Array(json.utf8), file: "b.json", environment: [:])
        #expect(configuration.pipelines[0].source == "stomp://ferry:s3cr:et@broker:61613/queue/IN")
    }

    @Test(
        "errors name the offending JSON path",
        arguments: [
            (#"{"http": {"listen": "localhost"}, "pipelines": [\#(pipeline)]}"#, "$.http.listen", "expected HOST:PORT"),
            (#"{"http": {"listen": "myhost:9464"}, "pipelines": [\#(pipeline)]}"#, "$.http.listen", "IPv4"),
            (#"{"http": {"port": 9464}, "pipelines": [\#(pipeline)]}"#, "$.http.port", "unknown field"),
            (#"{"logFormat": "xml", "pipelines": [\#(pipeline)]}"#, "$.logFormat", "expected text or json"),
            (#"{"pipelines": [{"name": "p", "source": {"queue": "stomp://u:${file:/no/such/secret}@b:61613/queue/IN"}}]}"#,
             "$.pipelines[0].source.queue", "cannot read the secret file '/no/such/secret'"),
        ])
    func namesPath(json: String, path: String, reason: String) throws {
        let error = try #require(throws: BridgeError.self) {
            try BridgeConfiguration(json: Array(json.utf8), file: "b.json", environment: [:])
        }
        guard case let .invalidConfiguration(_, found, message) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(found == path)
        #expect(message.contains(reason), "\(message)")
    }
}
