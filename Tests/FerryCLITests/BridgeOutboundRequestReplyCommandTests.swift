import Foundation
import Testing

/// `ferry bridge --check` with an outbound request-reply route.
@Suite struct BridgeOutboundRequestReplyCommandTests {
    @Test func checkAcceptsTheOutboundRequestReplySample() throws {
        let environment = ["FERRY_STOMP_HOST": "broker:61613", "FERRY_KAFKA_BOOTSTRAP": "kafka:9092"]
        let result = try FerryProcess.run(
            ["bridge", "--check", "--config", "samples/bridge/outbound-request-reply.json"], environment: environment,
            directory: FerryProcess.repositoryRoot)
        #expect(result.status == 0, "\(result)")
        #expect(
            result.output
                == "samples/bridge/outbound-request-reply.json: valid (0 pipelines: ; 1 outbound request-reply route: claim-status-inquiry)\n")
    }

    @Test func checkRejectsAnIrreversibleRequestMapping() throws {
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ferry-outbound-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = FerryProcess.repositoryRoot.path
        let file = scratch.appendingPathComponent("bridge.json").path
        // member-eligibility-cdc is not reversible: it cannot encode a request.
        let json = """
            {"pipelines": [], "outboundRequestReply": [{"name": "r", "requests": {"log": "\(scratch.path)/log", "topic": "q"},
              "requestMapping": "\(root)/mappings/member-eligibility-cdc/mapping.json",
              "legacyQueue": {"queue": "spool:\(scratch.path)/spool/LEGACY"}, "replyQueue": {"queue": "spool:\(scratch.path)/spool/REPLY"},
              "deadLetter": {"queue": "spool:\(scratch.path)/spool/DLQ"}}]}
            """
        try Data(json.utf8).write(to: URL(fileURLWithPath: file))
        let result = try FerryProcess.run(["bridge", "--check", "--config", file])
        #expect(result.status == 1)
        #expect(
            result.errorOutput
                == "error: \(file): $.outboundRequestReply[0].requestMapping: the mapping is not reversible, so it cannot encode request events\n")
    }
}
