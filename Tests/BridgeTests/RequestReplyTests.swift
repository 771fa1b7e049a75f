import Bridge
import Events
import LegacyQueue
import MQ
import Mapping
import StreamLog
import Foundation
import Testing

@Suite("Request-reply routes")
struct RequestRouteTests {
    @Test("route names parse, canary percentages from 0 to 100 only", arguments: [
        ("legacy", RequestRoute.legacy), ("modern", .modern), ("shadow", .shadow), ("canary:10", .canary(percent: 10)),
        ("canary 25%", .canary(percent: 25)), ("canary:0", .canary(percent: 0)), ("canary:100", .canary(percent: 100)),
    ])
    func parses(text: String, route: RequestRoute) {
        #expect(RequestRoute(parsing: text) == route)
        #expect(RequestRoute(parsing: route.description) == route)
    }

    @Test("bad route names are refused", arguments: ["", "Legacy", "canary", "canary:101", "canary:-1", "canary:x", "shadow2"])
    func refuses(text: String) {
        #expect(RequestRoute(parsing: text) == nil)
    }

    @Test("the canary bucket is FNV-1a of the key modulo 100 (fixed values: stable across runs and instances)")
    func bucketValues() {
        // FNV-1a 64 of "" is the offset basis 0xcbf29ce484222325 = 14695981039346656037; mod 100 = 37.
        #expect(RouteTable.canaryBucket(forKey: "") == 37)
        // "a": (basis ^ 0x61) * prime = 0xaf63dc4c8601ec8c = 12638187200555641996; mod 100 = 96.
        #expect(RouteTable.canaryBucket(forKey: "a") == 96)
    }

    @Test("a canary sends one key always the same way and about its share of keys to modern", arguments: [0, 10, 50, 90, 100])
    func canarySplit(percent: Int) {
        let table = RouteTable(defaultRoute: .legacy, routes: ["claim-status": .canary(percent: percent)])
        var modern = 0
        let keys = (0..<10_000).map { "M\(100_000 + $0 * 7)" }
        for key in keys {
            let route = table.resolve(messageType: "claim-status", key: key)
            #expect(route == table.resolve(messageType: "claim-status", key: key))
            #expect(route == (RouteTable.canaryBucket(forKey: key) < percent ? .modern : .legacy))
            if route == .modern { modern += 1 }
        }
        // Binomial spread over 10,000 keys: within 3 percentage points of the share.
        #expect(abs(modern - percent * 100) <= 300, "modern \(modern) of 10000 at \(percent)%")
        if percent == 0 { #expect(modern == 0) }
        if percent == 100 { #expect(modern == 10_000) }
    }

    @Test("types without a route take the default; a request without a key is bucket 99")
    func defaults() {
        let table = RouteTable(defaultRoute: .shadow, routes: ["a": .modern, "c": .canary(percent: 99)])
        #expect(table.resolve(messageType: "a", key: nil) == .modern)
        #expect(table.resolve(messageType: "b", key: "k") == .shadow)
        #expect(table.resolve(messageType: nil, key: "k") == .shadow)
        #expect(table.resolve(messageType: "c", key: nil) == .legacy)
    }
}

@Suite("Pending correlations")
struct PendingCorrelationsTests {
    typealias Table = PendingCorrelations<String>
    let far = ContinuousClock.now + .seconds(60)

    func body(_ text: String) -> Table.ReplyBody { Table.ReplyBody(bytes: Array(text.utf8)) }

    @Test("a modern reply answers its own caller once; a second copy is unknown")
    func modernAnswer() {
        let table = Table()
        table.register("1", caller: "caller-1", route: .modern, deadline: far)
        table.register("2", caller: "caller-2", route: .modern, deadline: far)
        guard case let .answer(caller, reply, compareWith) = table.complete("2", from: .modern, reply: body("r2")) else {
            Issue.record("expected an answer"); return
        }
        #expect(caller == "caller-2" && reply == body("r2") && compareWith == nil)
        guard case .unknown = table.complete("2", from: .modern, reply: body("r2")) else { Issue.record("duplicate delivered"); return }
        #expect(table.count == 1)
    }

    @Test("a reply from the side the request did not go to is not delivered")
    func wrongSide() {
        let table = Table()
        table.register("1", caller: "c", route: .legacy, deadline: far)
        guard case .unknown = table.complete("1", from: .modern, reply: body("x")) else { Issue.record("delivered"); return }
        #expect(table.count == 1)
    }

    @Test("shadow, legacy first: the caller is answered at once, the comparison comes with the modern reply")
    func shadowLegacyFirst() {
        let table = Table()
        table.register("1", caller: "c", route: .shadow, deadline: far)
        guard case let .answer(caller, reply, nil) = table.complete("1", from: .legacy, reply: body("L")) else {
            Issue.record("expected an answer without comparison"); return
        }
        #expect(caller == "c" && reply == body("L"))
        guard case let .compare(_, legacy, modern) = table.complete("1", from: .modern, reply: body("M")) else {
            Issue.record("expected a comparison"); return
        }
        #expect(legacy == body("L") && modern == body("M") && table.count == 0)
    }

    @Test("shadow, modern first: held, then the legacy reply answers and is compared")
    func shadowModernFirst() {
        let table = Table()
        table.register("1", caller: "c", route: .shadow, deadline: far)
        guard case .held = table.complete("1", from: .modern, reply: body("M")) else { Issue.record("expected held"); return }
        guard case let .answer(_, reply, compareWith) = table.complete("1", from: .legacy, reply: body("L")) else {
            Issue.record("expected an answer"); return
        }
        #expect(reply == body("L") && compareWith == body("M") && table.count == 0)
    }

    @Test("expired entries are returned once; their late replies are told apart from unknown ones")
    func expiry() {
        let table = Table(expiredMemory: 2)
        let now = ContinuousClock.now
        table.register("old", caller: "a", route: .modern, deadline: now - .milliseconds(1))
        table.register("new", caller: "b", route: .modern, deadline: far)
        let expired = table.expire(now: now)
        #expect(expired.map(\.id) == ["old"] && expired.first?.entry.caller == "a")
        #expect(table.expire(now: now).isEmpty)
        guard case .late = table.complete("old", from: .modern, reply: body("x")) else { Issue.record("expected late"); return }
        guard case .unknown = table.complete("never", from: .modern, reply: body("x")) else { Issue.record("expected unknown"); return }
        // Memory is bounded: after two more expiries the first id is forgotten.
        table.register("e2", caller: "c", route: .modern, deadline: now)
        table.register("e3", caller: "d", route: .modern, deadline: now)
        #expect(table.expire(now: now).count == 2)
        guard case .unknown = table.complete("old", from: .modern, reply: body("x")) else { Issue.record("still remembered"); return }
        guard case .late = table.complete("e3", from: .modern, reply: body("x")) else { Issue.record("expected late"); return }
    }

    @Test("a rerouted (fallback) entry waits for the legacy reply and refuses the modern one")
    func reroute() {
        let table = Table()
        let now = ContinuousClock.now
        table.register("1", caller: "c", route: .modern, deadline: now)
        #expect(table.expire(now: now).count == 1)
        table.reroute("1", caller: "c", route: .legacy, deadline: far)
        guard case .unknown = table.complete("1", from: .modern, reply: body("M")) else { Issue.record("modern delivered"); return }
        guard case .answer = table.complete("1", from: .legacy, reply: body("L")) else { Issue.record("legacy refused"); return }
    }
}

@Suite("Reply comparison")
struct ReplyComparisonTests {
    func json(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

    @Test("equal replies differ nowhere, whatever the member order and number spelling")
    func equal() throws {
        let comparison = ReplyComparison()
        #expect(comparison.differences(
            legacy: try json(#"{"a":1,"b":{"c":[1,2.50]}}"#), modern: try json(#"{"b":{"c":[1,2.5]},"a":1.0}"#)).isEmpty)
    }

    @Test("differences are paths: changed values, missing members, extra elements; ignored fields skipped")
    func differences() throws {
        let comparison = ReplyComparison(ignoredFields: ["time", "$.meta.id"])
        let legacy = try json(#"{"status":"paid","time":"1","amount":"10.00","meta":{"id":"x","v":1},"lines":[1,2]}"#)
        let modern = try json(#"{"status":"denied","time":"2","meta":{"id":"y","v":1},"lines":[1,2,3],"extra":true}"#)
        #expect(comparison.differences(legacy: legacy, modern: modern) == ["$.amount", "$.extra", "$.lines[2]", "$.status"])
    }
}

@Suite("Inbound requests")
struct InboundRequestTests {
    static let configurationJSON = """
        {"requestReply": [{"name": "claim-status", "requests": {"queue": "stomp://b:61613/queue/REQ"},
          "kafka": "kafka://k:9092", "requestTopic": "req", "replyTopic": "rep", "replyPartition": 2,
          "deadLetterQueue": "/queue/DLQ", "legacyServiceQueue": "/queue/LEGACY", "keyProperty": "memberId",
          "defaultRoute": "modern", "routes": {"claim-status": "shadow", "claim-history": "canary:10"},
          "shadow": {"ignoreFields": ["time"], "mismatchTopic": "mm"}, "timeoutMilliseconds": 1500, "onTimeout": "legacy"}]}
        """

    func configuration(format: RequestReplyConfiguration.Format = .jms) throws -> RequestReplyConfiguration {
        var endpoint = try #require(try BridgeConfiguration(json: Array(Self.configurationJSON.utf8), file: "b.json").requestReply.first)
        endpoint.format = format
        return endpoint
    }

    @Test("the requestReply section keeps every value and the documented defaults")
    func parsesConfiguration() throws {
        let endpoint = try configuration()
        #expect(endpoint.replyPartition == 2 && endpoint.timeout == .milliseconds(1500) && endpoint.onTimeout == .legacy)
        #expect(endpoint.headers.correlationID == "kafka_correlationId" && endpoint.headers.replyTopic == "kafka_replyTopic")
        #expect(endpoint.routes == RouteTable(defaultRoute: .modern, routes: ["claim-status": .shadow, "claim-history": .canary(percent: 10)]))
        #expect(endpoint.shadowIgnoredFields == ["time"] && endpoint.mismatchTopic == "mm" && endpoint.maxInFlight == 1000)
        #expect(endpoint.messageTypeProperty == "type" && endpoint.legacyReplyQueue == "/queue/FERRY.REPLIES.claim-status")
    }

    @Test("configuration errors name the field", arguments: [
        (#""defaultRoute": "canary:200""#, "$.requestReply[0].defaultRoute"),
        (#""routes": {"x": "both"}"#, "$.requestReply[0].routes.x"),
        (#""legacyServiceQueue": "stomp://b/queue/D""#, "$.requestReply[0].legacyServiceQueue"),
        (#""format": "xml""#, "$.requestReply[0].format"),
        (#""surprise": 1"#, "$.requestReply[0].surprise"),
    ])
    func errors(field: String, path: String) {
        let json = """
            {"requestReply": [{"name": "n", "requests": {"queue": "spool:/tmp/q/REQ"}, "kafka": "kafka://k:9092",
              "requestTopic": "a", "replyTopic": "b", "deadLetterQueue": "DLQ", \(field)}]}
            """
        #expect(throws: BridgeError.self) { try BridgeConfiguration(json: Array(json.utf8), file: "b.json") }
        do { _ = try BridgeConfiguration(json: Array(json.utf8), file: "b.json") } catch {
            guard case let .invalidConfiguration(_, errorPath, _) = error else { Issue.record("\(error)"); return }
            #expect(errorPath == path)
        }
    }

    @Test("a route to the legacy service needs its queue")
    func legacyQueueRequired() {
        let json = """
            {"requestReply": [{"name": "n", "requests": {"queue": "spool:/tmp/q/REQ"}, "kafka": "kafka://k:9092",
              "requestTopic": "a", "replyTopic": "b", "deadLetterQueue": "DLQ", "defaultRoute": "shadow"}]}
            """
        #expect(throws: BridgeError.invalidConfiguration(
            file: "b.json", path: "$.requestReply[0].legacyServiceQueue",
            reason: "required: a route or onTimeout sends requests to the legacy service")) {
            try BridgeConfiguration(json: Array(json.utf8), file: "b.json")
        }
    }

    func received(_ message: QueueMessage, id: String = "ID:broker-1") -> ReceivedMessage {
        ReceivedMessage(message: message, messageID: id, destination: "/queue/REQ", deliveryToken: DeliveryToken(value: "a"))
    }

    @Test("JMS request: the caller's correlation id is echoed, else its message id; Spring headers on the record")
    func jmsRequest() throws {
        let endpoint = try configuration()
        var message = QueueMessage(text: #"{"claimId":"C1"}"#, properties: ["type": "claim-status", "memberId": "M7"])
        message.replyTo = "/queue/CALLER.1"
        message.correlationID = "caller-42"
        let request = try InboundRequest(received(message), configuration: endpoint, isSTOMP: true)
        #expect(request.caller.destination == "/queue/CALLER.1" && request.caller.correlationID == "caller-42")
        #expect(request.messageType == "claim-status" && request.key == "M7")
        let record = try request.record(correlationID: "abc-01", configuration: endpoint, mapping: nil, timestamp: 5)
        func header(_ name: String) -> [UInt8]? { record.headers.last { $0.name == name }?.value }
        #expect(header("kafka_correlationId") == Array("abc-01".utf8))
        #expect(header("kafka_replyTopic") == Array("rep".utf8))
        #expect(header("kafka_replyPartition") == [0, 0, 0, 2])
        #expect(header("ce_id") == Array("abc-01".utf8) && header("ce_specversion") == Array("1.0".utf8))
        #expect(record.value == message.body && record.key == Array("M7".utf8))
        message.correlationID = nil
        #expect(try InboundRequest(received(message), configuration: endpoint, isSTOMP: true).caller.correlationID == "ID:broker-1")
        let copy = request.legacyCopy(correlationID: "abc-01", configuration: endpoint)
        #expect(copy.correlationID == "abc-01" && copy.replyTo == endpoint.legacyReplyQueue && copy.body == message.body)
    }

    @Test("a JMS request without reply-to is refused (it is dead-lettered)")
    func noReplyTo() throws {
        let endpoint = try configuration()
        #expect(throws: InboundRequestError.self) {
            try InboundRequest(received(QueueMessage(text: "{}")), configuration: endpoint, isSTOMP: true)
        }
    }

    func mqRequest(passCorrelationID: Bool) -> [UInt8] {
        var descriptor = MQMD()
        descriptor.messageType = .request
        descriptor.messageID = MQIdentifier(paddedText: "REQUEST-MSGID")!
        descriptor.correlationID = MQIdentifier(paddedText: "CALLER-CORREL")!
        descriptor.replyToQueue = "PORTAL.REPLY"
        descriptor.format = "MQSTR"
        if passCorrelationID { descriptor.report = [.passCorrelationID] }
        return MQFrame(descriptor: descriptor, payload: MQPayload(bytes: Array("CLAIM C1".utf8), format: "MQSTR")).bytes
    }

    @Test("MQ request: reply CorrelId = request MsgId, or the request CorrelId under PASS_CORREL_ID", arguments: [false, true])
    func mqCorrelation(passCorrelationID: Bool) throws {
        let endpoint = try configuration(format: .mq)
        let request = try InboundRequest(
            received(QueueMessage(body: mqRequest(passCorrelationID: passCorrelationID), bodyKind: .bytes)),
            configuration: endpoint, isSTOMP: true)
        let expected = MQIdentifier(paddedText: passCorrelationID ? "CALLER-CORREL" : "REQUEST-MSGID")!
        let descriptor = try #require(request.caller.replyDescriptor)
        #expect(descriptor.correlationID == expected && descriptor.messageType == .reply)
        #expect(request.caller.destination == "/queue/PORTAL.REPLY")
        // The record carries the payload; the reply built for the caller is an MQ reply frame with that CorrelId.
        let record = try request.record(correlationID: "abc-02", configuration: endpoint, mapping: nil, timestamp: 0)
        #expect(record.value == Array("CLAIM C1".utf8))
        let encoder = ReplyEncoder(format: .mq, mapping: nil)
        let reply = try encoder.message(
            answering: request.caller, with: .init(bytes: Array("PAID".utf8)), from: .modern)
        let frame = try MQFrame(parsing: reply.body)
        #expect(frame.descriptor.correlationID == expected && frame.descriptor.messageType == .reply)
        #expect(frame.payload.bytes == Array("PAID".utf8))
        // The legacy copy replies to the bridge under the bridge's id as MsgId, without PASS_CORREL_ID.
        let copy = try MQFrame(parsing: request.legacyCopy(correlationID: "abc-02", configuration: endpoint).body)
        #expect(copy.descriptor.messageID == MQIdentifier(paddedText: "abc-02"))
        #expect(copy.descriptor.replyToQueue == "FERRY.REPLIES.claim-status")
        #expect(!copy.descriptor.report.contains(.passCorrelationID))
    }

    @Test("a datagram MQ frame is not a request")
    func mqDatagram() throws {
        var descriptor = MQMD()
        descriptor.messageType = MQMessageType(rawValue: 8)
        let body = MQFrame(descriptor: descriptor, payload: MQPayload(bytes: [1], format: "MQSTR")).bytes
        #expect(throws: InboundRequestError.self) {
            try InboundRequest(received(QueueMessage(body: body, bodyKind: .bytes)), configuration: try configuration(format: .mq), isSTOMP: true)
        }
    }
}

@Suite("Request-reply in the daemon")
struct RequestReplyDaemonTests {
    func configuration(routes: String, directory: String) -> String {
        """
        {"requestReply": [{"name": "rr", "requests": {"queue": "spool:\(directory)/REQ"}, "kafka": "kafka://127.0.0.1:1",
          "requestTopic": "a", "replyTopic": "b", "deadLetterQueue": "DLQ", "legacyServiceQueue": "LEGACY", \(routes)}]}
        """
    }

    @Test("the daemon opens one router per endpoint; a reload applies changed routes only, by endpoint name")
    func reload() async throws {
        let directory = NSTemporaryDirectory() + "ferry-rr-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try BridgeConfiguration(
            json: Array(configuration(routes: #""defaultRoute": "legacy""#, directory: directory).utf8), file: "b.json")
        let daemon = try await BridgeDaemon.open(first)
        let router = try #require(daemon.requestReplyRouters.first)
        #expect(daemon.requestReplyRouters.count == 1 && router.routes == RouteTable(defaultRoute: .legacy))
        #expect(daemon.reloadRoutes(from: first).isEmpty)
        let second = try BridgeConfiguration(
            json: Array(configuration(routes: #""defaultRoute": "canary:25", "routes": {"x": "shadow"}"#, directory: directory).utf8),
            file: "b.json")
        #expect(daemon.reloadRoutes(from: second) == ["rr"])
        #expect(router.routes == RouteTable(defaultRoute: .canary(percent: 25), routes: ["x": .shadow]))
    }
}

@Suite("Request-reply through the claim-status mappings")
struct RequestReplyMappingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func frames(_ file: String) throws -> [[UInt8]] {
        var decoder = MQFrameFileDecoder()
        decoder.append(Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + file))))
        var frames: [[UInt8]] = []
        while let frame = try decoder.nextFrame() { frames.append(frame) }
        return frames
    }

    static func engine(_ name: String) throws -> MappingEngine {
        MappingEngine(mapping: try MappingDefinition(contentsOf: root + "/mappings/\(name)/mapping.json"))
    }

    @Test("an MQ claim-status request becomes the mapped event; the modern reply event goes back as an MQ reply frame correlated to the request's MsgId")
    func claimStatusRoundTrip() throws {
        let requestFrame = try #require(try Self.frames("samples/mq/claim-status.requests.mqf").first)
        var endpoint = RequestReplyConfiguration(
            name: "claim-status", requests: "stomp://b:61613/queue/CLAIMS.STATUS.REQUEST", kafka: "kafka://k:9092",
            requestTopic: "req", replyTopic: "rep", deadLetterQueue: "/queue/DLQ")
        endpoint.format = .mq
        let received = ReceivedMessage(
            message: QueueMessage(body: requestFrame, bodyKind: .bytes), messageID: "ID:1", destination: "/queue/CLAIMS.STATUS.REQUEST",
            deliveryToken: DeliveryToken(value: "a"))
        let request = try InboundRequest(received, configuration: endpoint, isSTOMP: true)
        let parsed = try MQFrame(parsing: requestFrame)
        #expect(request.caller.destination == "/queue/PORTAL.CLAIM.STATUS.REPLY")
        #expect(request.caller.replyDescriptor?.correlationID == parsed.descriptor.messageID)

        let record = try request.record(correlationID: "abc-03", configuration: endpoint, mapping: try Self.engine("claim-status-request"), timestamp: 0)
        let event = try CloudEventKafkaBinding.decode(record)
        #expect(event.type == "org.example.payer.claim.status.requested.v1" && event.subject == "PCN0001")
        #expect(record.headers.first { $0.name == "kafka_correlationId" }?.textValue == "abc-03")

        // The responder's reply event: the first answer of the reply mapping's own test case.
        let cases = try JSONValue(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: Self.root + "/mappings/claim-status-reply/tests/replies.json"))))
        guard case let .array(events)? = cases["expect"]?["events"], let replyEvent = events.first else {
            Issue.record("no expected reply event"); return
        }
        let replyEngine = try Self.engine("claim-status-reply")
        let encoder = ReplyEncoder(format: .mq, mapping: replyEngine)
        let body = PendingCorrelations<RequestCaller>.ReplyBody(
            bytes: [], attributes: [ReplyEncoder.eventJSONAttribute: String(decoding: replyEvent.encoded(), as: UTF8.self)])
        let reply = try encoder.message(answering: request.caller, with: body, from: .modern)
        let frame = try MQFrame(parsing: reply.body)
        #expect(frame.descriptor.messageType == .reply)
        #expect(frame.descriptor.correlationID == parsed.descriptor.messageID)
        #expect(frame.payload.format.rawValue.hasPrefix("CLMSTRPL"))
        // Read back through the reply mapping, the frame carries the event's data.
        let readBack = try #require(encoder.comparable(.init(bytes: reply.body), from: .legacy))
        let original = try #require(replyEvent["data"])
        #expect(ReplyComparison().differences(legacy: readBack, modern: original) == [])
    }
}
