import Bridge
import Events
import Foundation
import LegacyQueue
import Mapping
import StreamLog
import Synchronization
import Testing

@Suite("Outbound request-reply: request topic → legacy queue, legacy reply → requester's reply topic")
struct OutboundRequestReplyTests {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A LocalLog with `requests` (2 partitions) and `replies` (3 partitions), a spool with LEGACY, REPLIES and DLQ.
    struct Rig {
        let root: String
        let spool: SpoolDirectoryQueue
        let local: LocalLog

        init() async throws {
            root = try makeTemporaryDirectory()
            spool = try SpoolDirectoryQueue(root: "\(root)/spool", configuration: SpoolConfiguration(maxRetries: 1000))
            local = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .never))
            try local.createTopic("requests", partitions: 2)
            try local.createTopic("replies", partitions: 3)
        }

        func bridge(
            timeout: Duration = .seconds(60), mapped: Bool = false, journal: OutboundCorrelationJournal? = nil
        ) throws -> OutboundRequestReplyBridge {
            let configuration = OutboundRequestReplyConfiguration(
                name: "outbound", requests: StreamSourceConfiguration(log: "\(root)/log", topic: "requests", group: "g"),
                legacyQueue: "spool:\(root)/spool/LEGACY", replyQueue: "spool:\(root)/spool/REPLIES",
                deadLetter: "spool:\(root)/spool/DLQ", timeout: timeout,
                errorReply: OutboundRequestReplyConfiguration.ErrorReply(type: "org.example.request.timed-out.v1", source: "ferry-test"),
                pollInterval: .milliseconds(10), retryBackoff: .milliseconds(5), maxRetryBackoff: .milliseconds(20))
            let requestEngine = mapped ? MappingEngine(mapping: try MappingDefinition(
                contentsOf: OutboundRequestReplyTests.repositoryRoot + "/mappings/claim-status-request/mapping.json")) : nil
            let replyEngine = mapped ? MappingEngine(mapping: try MappingDefinition(
                contentsOf: OutboundRequestReplyTests.repositoryRoot + "/mappings/claim-status-reply/mapping.json")) : nil
            return OutboundRequestReplyBridge(
                configuration: configuration,
                requestSource: LogStreamSource(log: local, topic: "requests", group: "g"), replyLog: local,
                legacyQueue: spool, legacyDestination: "LEGACY", replyQueue: spool, replyDestination: "REPLIES",
                deadLetters: spool, deadLetterDestination: "DLQ", requestEngine: requestEngine, replyEngine: replyEngine,
                journal: journal)
        }

        /// Publishes request `n` (binary mode) with Spring reply headers: `replies`, partition `n % 3`,
        /// correlation id 16 bytes ending in `n`. `replyTopic: false` leaves the reply topic out.
        func publishRequest(
            _ n: Int, data: String? = nil, replyTopic: Bool = true, topicName: String = "replies", partition: Int? = nil
        ) async throws {
            let body = data ?? #"{"seq":\#(n)}"#
            let event = try CloudEventJSONFormat.decode(Array(
                #"{"specversion":"1.0","id":"request-\#(n)","source":"/portal","type":"org.example.request","partitionkey":"member-\#(n)","datacontenttype":"application/json","data":\#(body)}"#.utf8))
            var record = try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: 0)
            if replyTopic { record.headers.append(RecordHeader(name: "kafka_replyTopic", text: topicName)) }
            record.headers.append(RecordHeader(name: "kafka_replyPartition", value: [0, 0, 0, UInt8(partition ?? n % 3)]))
            record.headers.append(RecordHeader(name: "kafka_correlationId", value: Self.correlation(n)))
            _ = try await local.publish([record], topic: "requests")
        }

        static func correlation(_ n: Int) -> [UInt8] { Array(repeating: 0xC0, count: 14) + [UInt8(n >> 8), UInt8(n & 0xFF)] }

        /// Every record of `topic`, with its partition.
        func records(of topic: String) throws -> [StoredRecord] {
            var all: [StoredRecord] = []
            let partitions = try local.topics().first { $0.name == topic }?.partitionCount ?? 0
            for partition in 0..<partitions {
                all += try local.read(topic: topic, partition: partition, from: 0, maxRecords: 10_000, maxBytes: 64 << 20)
            }
            return all
        }

        /// Takes `count` messages from `queue` (waiting for them), acknowledging each.
        func take(_ count: Int, from queue: String) async throws -> [ReceivedMessage] {
            var taken: [ReceivedMessage] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while taken.count < count, ContinuousClock.now < deadline {
                if let message = try spool.receiveNow(from: queue) {
                    taken.append(message)
                    try await spool.acknowledge(message)
                } else {
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            return taken
        }
    }

    /// `name{labels} value` lines of a Prometheus text as a dictionary keyed by `name{labels}`.
    static func samples(_ text: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            result[String(line[..<space])] = value
        }
        return result
    }

    static func header(_ record: StoredRecord, _ name: String) -> [UInt8]? {
        record.record.headers.first { $0.name == name }?.value
    }

    @Test("each legacy reply, answered out of order, reaches its own requester's topic and partition with its correlation id")
    func routesRepliesByCorrelation() async throws {
        let rig = try await Rig()
        for n in 0..<12 { try await rig.publishRequest(n) }
        let bridge = try rig.bridge()
        let task = Task { try await bridge.run() }

        let requests = try await rig.take(12, from: "LEGACY")
        #expect(requests.count == 12)
        #expect(try await eventually { bridge.statistics.committed == 12 })
        #expect(bridge.pending.count == 12)
        // The legacy service answers in reverse order; each reply says which request it answers in its data.
        for request in requests.reversed() {
            #expect(request.message.replyTo == "REPLIES")
            let correlation = try #require(request.message.correlationID)
            #expect(correlation.count == 48)
            let asked = try CloudEventJSONFormat.decode(request.message.body)
            let seq = try #require(asked.id.split(separator: "-").last.flatMap { Int($0) })
            var reply = QueueMessage(text: #"{"specversion":"1.0","id":"reply-\#(seq)","source":"/legacy","type":"org.example.reply","datacontenttype":"application/json","data":{"answers":\#(seq)}}"#)
            reply.correlationID = correlation
            try await rig.spool.send(reply, to: try #require(request.message.replyTo))
        }
        #expect(try await eventually { bridge.statistics.repliesDelivered == 12 })
        bridge.requestStop()
        try await task.value

        let replies = try rig.records(of: "replies")
        #expect(replies.count == 12)
        var answered: Set<Int> = []
        for stored in replies {
            let event = try CloudEventKafkaBinding.decode(stored.record)
            guard case let .object(members)? = try JSONValue(parsing: try CloudEventJSONFormat.encode(event))["data"],
                let answers = members.first(where: { $0.key == "answers" })?.value.int64Value
            else { Issue.record("reply without data.answers"); continue }
            let n = Int(answers)
            #expect(Self.header(stored, "kafka_correlationId") == Rig.correlation(n))
            #expect(stored.partition == n % 3)
            #expect(event.causationID == "request-\(n)")
            answered.insert(n)
        }
        #expect(answered == Set(0..<12))
        let committed0 = try rig.local.committedOffset(group: "g", topic: "requests", partition: 0) ?? 0
        let committed1 = try rig.local.committedOffset(group: "g", topic: "requests", partition: 1) ?? 0
        #expect(committed0 + committed1 == 12)

        // /metrics: 12 round trips and 12 held requests and replies, Ferry's share smaller than the round trip.
        let values = Self.samples(BridgeDaemon.requestReplyText([], outbound: [bridge]))
        #expect(values[#"ferry_request_reply_seconds_count{route="outbound"}"#] == 12)
        #expect(values[#"ferry_request_reply_seconds_bucket{route="outbound",le="+Inf"}"#] == 12)
        #expect(values[#"ferry_request_reply_held_seconds_count{route="outbound",direction="request"}"#] == 12)
        #expect(values[#"ferry_request_reply_held_seconds_count{route="outbound",direction="reply"}"#] == 12)
        let replyHeld = try #require(values[#"ferry_request_reply_held_seconds_sum{route="outbound",direction="reply"}"#])
        let roundTrip = try #require(values[#"ferry_request_reply_seconds_sum{route="outbound"}"#])
        #expect(replyHeld > 0 && replyHeld < roundTrip)
        #expect(bridge.statistics.timedOut == 0 && bridge.statistics.unknownReplies == 0)
    }

    @Test("claim-status through the shipped mappings: an MQ REQUEST frame with ReplyToQ and MsgId; the reply matched by its CorrelId")
    func mqFramesThroughMappings() async throws {
        let rig = try await Rig()
        try await rig.publishRequest(
            4, data: #"{"claimId":"PCN0001","memberId":"MBR0000001","providerNpi":"1234567893","serviceDate":"2026-12-01"}"#)
        let bridge = try rig.bridge(mapped: true)
        let task = Task { try await bridge.run() }

        let request = try #require(try await rig.take(1, from: "LEGACY").first)
        // The legacy side reads the frame through the request mapping: ReplyToQ and MsgId come from the MQMD.
        let requestEngine = MappingEngine(mapping: try MappingDefinition(
            contentsOf: Self.repositoryRoot + "/mappings/claim-status-request/mapping.json"))
        let decoded = try #require(try requestEngine.events(from: request.message.body, inputName: "request").first)
        let data = try #require(decoded["data"])
        #expect(data["claimId"]?.stringValue == "PCN0001")
        #expect(data["replyTo"]?.stringValue == "REPLIES")
        #expect(data["requestMessageId"]?.stringValue == request.message.correlationID)

        // It answers with an MQ reply frame whose CorrelId is the request's MsgId, without a queue correlation id.
        let replyEngine = MappingEngine(mapping: try MappingDefinition(
            contentsOf: Self.repositoryRoot + "/mappings/claim-status-reply/mapping.json"))
        let messageID = try #require(data["requestMessageId"]?.stringValue)
        let answer = try JSONValue(parsing: #"{"specversion":"1.0","id":"7a0f1c52-2f4e-4d8e-9c1b-3d6e5f7a8b9c","source":"/legacy","type":"x","correlationid":"\#(messageID)","data":{"claimId":"PCN0001","memberId":"MBR0000001","status":"paid","statusDate":"2026-12-12","statusTime":"08:30:00","paidAmount":125.00,"checkNumber":"EFT2026121","adjudicated":"2026-12-10"}}"#)
        let frame = replyEngine.encodedFileHeader + (try replyEngine.encode(event: answer))
        try await rig.spool.send(QueueMessage(body: frame, bodyKind: .bytes), to: "REPLIES")

        #expect(try await eventually { bridge.statistics.repliesDelivered == 1 })
        bridge.requestStop()
        try await task.value
        let replies = try rig.records(of: "replies")
        let stored = try #require(replies.first)
        #expect(replies.count == 1)
        #expect(stored.partition == 1)
        #expect(Self.header(stored, "kafka_correlationId") == Rig.correlation(4))
        let event = try CloudEventKafkaBinding.decode(stored.record)
        #expect(event.type == "org.example.payer.claim.status.answered.v1")
        #expect(event.correlationID == messageID)
        #expect(event.causationID == "request-4")
        let replyData = try #require(try JSONValue(parsing: try CloudEventJSONFormat.encode(event))["data"])
        #expect(replyData["status"]?.stringValue == "paid")
        #expect(replyData["checkNumber"]?.stringValue == "EFT2026121")
    }

    @Test("a request past its deadline gets the error reply; its late reply and an unknown one are dead-lettered, never delivered")
    func timeoutLateAndUnknown() async throws {
        let rig = try await Rig()
        try await rig.publishRequest(5)
        try await rig.publishRequest(6, replyTopic: false)
        let bridge = try rig.bridge(timeout: .milliseconds(300))
        let task = Task { try await bridge.run() }

        let request = try #require(try await rig.take(1, from: "LEGACY").first)
        #expect(try await eventually { bridge.statistics.timedOut == 1 })
        let errorReplies = try rig.records(of: "replies")
        #expect(errorReplies.count == 1)
        let error = try #require(errorReplies.first)
        #expect(error.partition == 2)
        #expect(Self.header(error, "kafka_correlationId") == Rig.correlation(5))
        let errorEvent = try CloudEventKafkaBinding.decode(error.record)
        #expect(errorEvent.type == "org.example.request.timed-out.v1")
        #expect(errorEvent.source == "ferry-test")
        #expect(errorEvent.causationID == "request-5")
        let errorData = try #require(try JSONValue(parsing: try CloudEventJSONFormat.encode(errorEvent))["data"])
        #expect(errorData["error"]?.stringValue == "timeout")
        #expect(errorData["timeoutMilliseconds"]?.int64Value == 300)

        // The legacy answer comes after the deadline, and a reply nobody asked for.
        var late = QueueMessage(text: #"{"specversion":"1.0","id":"late","source":"/legacy","type":"org.example.reply","data":{}}"#)
        late.correlationID = request.message.correlationID
        try await rig.spool.send(late, to: "REPLIES")
        var stranger = QueueMessage(text: #"{"specversion":"1.0","id":"stranger","source":"/legacy","type":"org.example.reply","data":{}}"#)
        stranger.correlationID = String(repeating: "ab", count: 24)
        try await rig.spool.send(stranger, to: "REPLIES")
        #expect(try await eventually { bridge.statistics.lateReplies == 1 && bridge.statistics.unknownReplies == 1 })
        bridge.requestStop()
        try await task.value

        #expect(try rig.records(of: "replies").count == 1)
        let letters = try await rig.take(3, from: "DLQ")
        #expect(letters.count == 3)
        let classes = Dictionary(letters.map { ($0.message.properties["ferry.error.class"] ?? "?", $0.message.properties) }) { first, _ in first }
        #expect(classes["LateReply"]?["ferry.error.stage"] == "reply")
        #expect(classes["UnknownCorrelation"]?["ferry.error.stage"] == "reply")
        #expect(classes["ReplyAddressError"]?["ferry.error.offset"] != nil)
        #expect(classes["ReplyAddressError"]?["ferry.error.stage"] == "request")
        #expect(bridge.statistics.repliesDelivered == 0)
        #expect(bridge.statistics.committed == 2)
        // The timeout is the requester's round trip (at least the 300 ms deadline); no reply was held.
        let values = Self.samples(BridgeDaemon.requestReplyText([], outbound: [bridge]))
        #expect(values[#"ferry_request_reply_seconds_count{route="outbound"}"#] == 1)
        #expect(values[#"ferry_request_reply_seconds_bucket{route="outbound",le="0.25"}"#] == 0)
        #expect((values[#"ferry_request_reply_seconds_sum{route="outbound"}"#] ?? 0) >= 0.3)
        #expect(values[#"ferry_request_reply_held_seconds_count{route="outbound",direction="reply"}"#] == 0)
        #expect(values[#"ferry_request_reply_held_seconds_count{route="outbound",direction="request"}"#] == 1)
    }

    @Test("a pending request is taken out once: by its reply or by its deadline, never both")
    func pendingTableResolvesOnce() {
        let table = PendingRequestTable(rememberedExpiries: 2)
        let now = ContinuousClock.now
        let address = ReplyAddress(topic: "t", partition: 0, correlationID: [1])
        for (index, key) in ["a", "b", "c", "d"].enumerated() {
            table.record(key, .init(address: address, deadline: now + .seconds(index), requestEventID: key))
        }
        #expect(table.resolve("a") == .pending(.init(address: address, deadline: now, requestEventID: "a")))
        #expect(table.resolve("a") == .unknown)
        #expect(table.expire(at: now + .seconds(2)).map(\.key) == ["b", "c"])
        #expect(table.resolve("b") == .late)
        #expect(table.expire(at: now + .seconds(3)).map(\.key) == ["d"])
        // Only the two most recent expiries are remembered.
        #expect(table.resolve("b") == .unknown)
        #expect(table.resolve("d") == .late)
        #expect(table.count == 0)
    }

    @Test("configuration: an outboundRequestReply route is read with its defaults; errors name the JSON path")
    func configuration() throws {
        let json = #"""
            {"pipelines": [], "outboundRequestReply": [{
              "name": "claim-status", "requests": {"log": "kafka://broker:9092", "topic": "claim-status.requests"},
              "legacyQueue": {"queue": "stomp://broker:61613/queue/CLAIMS.STATUS.REQUEST"},
              "replyQueue": {"queue": "stomp://broker:61613/queue/FERRY.REPLY"},
              "deadLetter": {"queue": "stomp://broker:61613/queue/FERRY.DLQ"}, "timeoutMilliseconds": 1500}]}
            """#
        let configuration = try BridgeConfiguration(json: Array(json.utf8), file: "c.json", environment: [:])
        let route = try #require(configuration.outboundRequestReply.first)
        #expect(route.timeout == .milliseconds(1500))
        #expect(route.requests.group == "ferry-bridge-claim-status")
        #expect(route.requests.joinsGroup)
        #expect(route.errorReply == .init(type: "org.ferry.bridge.request.timed-out.v1", source: "ferry-bridge/claim-status"))
        let broken = json.replacingOccurrences(of: #""replyQueue""#, with: #""replyQueues""#)
        #expect(throws: BridgeError.invalidConfiguration(
            file: "c.json", path: "$.outboundRequestReply[0].replyQueues",
            reason: "unknown field (expected one of deadLetter, errorReply, instanceId, journal, lagRefreshMilliseconds, legacyQueue, maxInFlight, maxPending, maxRetryBackoffMilliseconds, name, pollIntervalMilliseconds, replyMapping, replyQueue, requestMapping, requests, retryBackoffMilliseconds, timeoutMilliseconds)")) {
            try BridgeConfiguration(json: Array(broken.utf8), file: "c.json", environment: [:])
        }
    }

    @Test("the daemon runs a route from its JSON configuration and drains it on stop")
    func daemonRunsConfiguredRoute() async throws {
        let rig = try await Rig()
        for n in 0..<5 { try await rig.publishRequest(n) }
        try rig.local.close()
        let root = rig.root
        let json = """
            {"pipelines": [], "drainTimeoutSeconds": 30, "outboundRequestReply": [{"name": "route",
              "requests": {"log": "\(root)/log", "topic": "requests", "group": "g"},
              "legacyQueue": {"queue": "spool:\(root)/spool/LEGACY"}, "replyQueue": {"queue": "spool:\(root)/spool/REPLIES"},
              "deadLetter": {"queue": "spool:\(root)/spool/DLQ"}, "pollIntervalMilliseconds": 10, "timeoutMilliseconds": 60000}]}
            """
        let configuration = try BridgeConfiguration(json: Array(json.utf8), file: "bridge.json", environment: [:])
        let daemon = try await BridgeDaemon.open(configuration)
        let route = try #require(daemon.outboundRoutes.first)
        let stop = Mutex(false)
        let running = Task { try await daemon.run { stop.withLock { $0 } } }
        // Stop is asked while the requests still wait for their replies: the route keeps answering until none wait.
        #expect(try await eventually { route.statistics.committed == 5 })
        stop.withLock { $0 = true }
        for request in try await rig.take(5, from: "LEGACY") {
            var reply = QueueMessage(text: #"{"specversion":"1.0","id":"r-\#(request.messageID)","source":"/legacy","type":"org.example.reply","data":{}}"#)
            reply.correlationID = request.message.correlationID
            try await rig.spool.send(reply, to: try #require(request.message.replyTo))
        }
        #expect(try await running.value == .drained)
        #expect(route.statistics.repliesDelivered == 5)
        let metrics = daemon.prometheusMetrics()
        #expect(metrics.contains("ferry_bridge_received_total{pipeline=\"route\",kind=\"outbound-request-reply\"} 5\n"))
        #expect(metrics.contains("ferry_bridge_in_flight{pipeline=\"route\",kind=\"outbound-request-reply\"} 0\n"))
        #expect(metrics.contains("ferry_bridge_replies_delivered_total{route=\"route\"} 5\n"))
        #expect(metrics.contains("ferry_bridge_requests_timed_out_total{route=\"route\"} 0\n"))
        #expect(daemon.operationsResponse(method: "GET", path: "/readyz").status == 200)
        let reopened = try LocalLog(LocalLogConfiguration(directory: "\(root)/log"))
        defer { try? reopened.close() }
        var correlations: Set<[UInt8]> = []
        for partition in 0..<3 {
            for stored in try reopened.read(topic: "replies", partition: partition, from: 0, maxRecords: 100, maxBytes: 1 << 20) {
                let correlation = try #require(Self.header(stored, "kafka_correlationId"))
                #expect(Int(correlation[15]) % 3 == partition)
                correlations.insert(correlation)
            }
        }
        #expect(correlations == Set((0..<5).map(Rig.correlation)))
    }

    @Test("a request whose reply topic or partition does not exist is dead-lettered before it is sent; the others flow")
    func unreachableReplyAddress() async throws {
        let rig = try await Rig()
        try await rig.publishRequest(0, partition: 7)
        try await rig.publishRequest(1, topicName: "no-such-topic")
        try await rig.publishRequest(2)
        let bridge = try rig.bridge()
        let task = Task { try await bridge.run() }
        #expect(try await eventually { bridge.statistics.committed == 3 })
        let sent = try await rig.take(1, from: "LEGACY")
        #expect(sent.first?.message.properties["ce_id"] == "request-2")
        var reply = QueueMessage(text: #"{"specversion":"1.0","id":"reply-2","source":"/legacy","type":"org.example.reply","data":{}}"#)
        reply.correlationID = sent.first?.message.correlationID
        try await rig.spool.send(reply, to: "REPLIES")
        #expect(try await eventually { bridge.statistics.repliesDelivered == 1 })
        bridge.requestStop()
        try await task.value
        #expect(try rig.spool.receiveNow(from: "LEGACY") == nil)
        let letters = try await rig.take(2, from: "DLQ")
        let reasons = Dictionary(letters.map { ($0.message.properties["ce_id"] ?? "?", $0.message.properties["ferry.error.message"] ?? "") }) { first, _ in first }
        #expect(reasons["request-0"] == "reply partition 7 is beyond the reply topic's 3 partitions")
        #expect(reasons["request-1"] == "the reply topic does not exist")
        #expect(try rig.records(of: "replies").map(\.partition) == [2])
    }

    @Test("consumer lag of the request topic: the requests the route holds back at maxPending, 0 once they are answered")
    func requestTopicLag() async throws {
        let rig = try await Rig()
        for n in 0..<10 { try await rig.publishRequest(n) }
        var configuration = OutboundRequestReplyConfiguration(
            name: "outbound", requests: StreamSourceConfiguration(log: "\(rig.root)/log", topic: "requests", group: "g"),
            legacyQueue: "spool:\(rig.root)/spool/LEGACY", replyQueue: "spool:\(rig.root)/spool/REPLIES",
            deadLetter: "spool:\(rig.root)/spool/DLQ", timeout: .seconds(60), maxPending: 3, maxInFlight: 3,
            pollInterval: .milliseconds(10), retryBackoff: .milliseconds(5), maxRetryBackoff: .milliseconds(20))
        configuration.lagRefreshInterval = .milliseconds(20)
        let bridge = OutboundRequestReplyBridge(
            configuration: configuration, requestSource: LogStreamSource(log: rig.local, topic: "requests", group: "g"),
            replyLog: rig.local, legacyQueue: rig.spool, legacyDestination: "LEGACY", replyQueue: rig.spool,
            replyDestination: "REPLIES", deadLetters: rig.spool, deadLetterDestination: "DLQ", requestEngine: nil, replyEngine: nil)
        let task = Task { try await bridge.run() }
        defer { task.cancel() }
        var ends: [Int64] = []
        for partition in 0..<2 { ends.append(try rig.local.offsets(topic: "requests", partition: partition).next) }
        // Three requests wait for replies, so the route reads no more: the other 7 are the lag.
        #expect(try await eventually { bridge.statistics.committed == 3 })
        #expect(try await eventually { bridge.consumerLag.map(\.lag).reduce(0, +) == 7 })
        #expect(bridge.consumerLag.map(\.logEnd) == ends)
        var answered = 0
        while answered < 10 {
            for request in try await rig.take(1, from: "LEGACY") {
                var reply = QueueMessage(text: #"{"specversion":"1.0","id":"r-\#(answered)","source":"/legacy","type":"t","data":{}}"#)
                reply.correlationID = request.message.correlationID
                try await rig.spool.send(reply, to: "REPLIES")
                answered += 1
            }
        }
        #expect(try await eventually { bridge.statistics.repliesDelivered == 10 })
        #expect(try await eventually { bridge.consumerLag.count == 2 && bridge.consumerLag.allSatisfy { $0.lag == 0 } })
        let daemon = BridgeDaemon(configuration: BridgeConfiguration(pipelines: []), pipelines: [], outboundRoutes: [bridge])
        #expect(daemon.prometheusMetrics().contains("ferry_consumer_lag{pipeline=\"outbound\",topic=\"requests\",partition=\"1\"} 0\n"))
        bridge.requestStop()
        try await task.value
    }
}
