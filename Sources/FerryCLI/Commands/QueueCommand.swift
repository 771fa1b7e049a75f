import LegacyQueue
import STOMP

/// `ferry queue`: send to, receive from and browse a legacy queue: a STOMP broker or a spool directory.
struct QueueCommand: CommandGroup {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "queue",
            abstract: "Send, receive and browse messages on a STOMP broker queue or a spool directory.",
            discussion: """
                QUEUE is one of:
                  stomp://[user[:password]@]host[:port]/queue/NAME
                      a queue on a STOMP 1.2 broker (ActiveMQ); /topic/NAME for a topic
                  spool:/path/to/dir/NAME, or the plain path /path/to/dir/NAME
                      the spool-directory queue NAME under /path/to/dir
                Messages print as JSON Lines: the canonical attributes, application properties, and the body as \
                text (valid UTF-8) or as body_base64. Messages are persistent unless --non-persistent.
                """,
            subcommands: [QueueSendCommand.self, QueueReceiveCommand.self, QueueBrowseCommand.self])
    }

    static let queue = Argument<String>("queue", help: "stomp://host:port/queue/NAME, spool:/dir/NAME or a directory path.")
    static let maxRetries = Option<NonNegative>(
        "max-retries", valueName: "N", default: NonNegative(5),
        help: "Rejections of a message that are retried before the next one dead-letters it.")
    static let deadLetter = Option<String>(
        "dead-letter", valueName: "DEST", default: "/queue/ferry.DLQ",
        help: "STOMP destination for dead letters (a spool queue uses its dead/ folder).")

    /// An opened queue and the destination within it.
    struct Endpoint {
        let queue: any LegacyQueue
        let destination: String
    }

    /// Opens the queue a QUEUE argument names.
    static func open(_ text: String, maxRetries: Int, deadLetter: String) async throws -> Endpoint {
        if text.hasPrefix("stomp://") {
            var (configuration, destination) = try STOMPConfiguration.parse(url: text)
            guard let destination, destination.count > 1 else {
                throw UsageError.invalid("the STOMP URL \(text) names no destination (expected stomp://host:port/queue/NAME)")
            }
            configuration.maxRetries = maxRetries
            configuration.deadLetterDestination = deadLetter
            configuration.reconnect.maximumAttempts = 3
            return Endpoint(queue: try await STOMPClient.connect(configuration), destination: destination)
        }
        var path = text.hasPrefix("spool:") ? String(text.dropFirst("spool:".count)) : text
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard let slash = path.lastIndex(of: "/") else {
            return Endpoint(
                queue: try SpoolDirectoryQueue(root: ".", configuration: SpoolConfiguration(maxRetries: maxRetries)),
                destination: path)
        }
        let root = slash == path.startIndex ? "/" : String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        guard !name.isEmpty else { throw UsageError.invalid("the spool queue \(text) has no queue name") }
        return Endpoint(
            queue: try SpoolDirectoryQueue(root: root, configuration: SpoolConfiguration(maxRetries: maxRetries)),
            destination: name)
    }

    /// One message as a JSON line.
    static func jsonLine(_ received: ReceivedMessage) -> [UInt8] {
        let message = received.message
        var line = JSONLine()
        line.field("destination", received.destination)
        line.field("message_id", received.messageID)
        line.field("redelivered", json: Array((received.isRedelivered ? "true" : "false").utf8))
        line.field("retry_count", received.retryCount)
        line.field("persistent", json: Array((message.isPersistent ? "true" : "false").utf8))
        line.field("kind", message.bodyKind.rawValue)
        if let value = message.contentType { line.field("content_type", value) }
        if let value = message.correlationID { line.field("correlation_id", value) }
        if let value = message.replyTo { line.field("reply_to", value) }
        if let value = message.priority { line.field("priority", value) }
        if let value = message.groupID { line.field("group_id", value) }
        if let value = received.expiresAtMilliseconds, value > 0 { line.field("expires", value) }
        if let value = received.timestampMilliseconds { line.field("timestamp", value) }
        var properties: [UInt8] = [UInt8(ascii: "{")]
        for (index, (name, value)) in message.properties.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { properties.append(UInt8(ascii: ",")) }
            JSONLine.appendString(name.utf8, to: &properties)
            properties.append(UInt8(ascii: ":"))
            JSONLine.appendString(value.utf8, to: &properties)
        }
        properties.append(UInt8(ascii: "}"))
        line.field("properties", json: properties)
        line.field("body", bytes: message.body)
        return line.finish()
    }
}

extension Duration: ArgumentValue {
    /// `250ms`, `5s`, `2m`, or a plain number of seconds.
    public init?(argument: String) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for (suffix, factor) in units where argument.hasSuffix(suffix) {
            guard let number = Int64(argument.dropLast(suffix.count)), number >= 0 else { return nil }
            self = .milliseconds(number * factor)
            return
        }
        guard let seconds = Int64(argument), seconds >= 0 else { return nil }
        self = .seconds(seconds)
    }
    public static var expectation: String { "a duration such as 250ms, 5s or 2m" }
    public var argumentText: String {
        let (seconds, attoseconds) = components
        return attoseconds == 0 ? "\(seconds)s" : "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms"
    }
}

/// `ferry queue send QUEUE`: one message per input line, or one message from `--file`.
struct QueueSendCommand: Command {
    static let file = Option<String>("file", valueName: "PATH", help: "Send the whole file as one message instead of reading lines from standard input.")
    static let header = Option<String>("header", short: "H", valueName: "K=V", help: "Add an application property (repeatable).")
    static let persistent = Flag("persistent", help: "Send persistent messages (the default; ActiveMQ drops non-persistent ones on NACK or restart).")
    static let nonPersistent = Flag("non-persistent", help: "Send non-persistent messages.")
    static let replyTo = Option<String>("reply-to", valueName: "DEST", help: "JMSReplyTo: where replies go.")
    static let correlationID = Option<String>("correlation-id", valueName: "ID", help: "JMSCorrelationID.")
    static let priority = Option<NonNegative>("priority", valueName: "0-9", help: "JMSPriority.")
    static let groupID = Option<String>("group-id", valueName: "ID", help: "JMSXGroupID: the message group.")
    static let ttl = Option<Duration>("ttl", valueName: "DURATION", help: "Time to live; sent as an absolute expiry time.")
    static let contentType = Option<String>("content-type", valueName: "TYPE", help: "MIME type of the bodies.")
    static let bytes = Flag("bytes", help: "Send BytesMessages instead of TextMessages (amq-msg-type:bytes).")
    static let batch = Option<Positive>(
        "batch", valueName: "N", default: Positive(100),
        help: "Lines sent per STOMP transaction (one receipt each) or spool write.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "send", abstract: "Send messages: one per input line, or one whole file.",
            discussion: "Returns once the queue has accepted every message (STOMP receipts; files fsynced in a spool).",
            parameters: [
                QueueCommand.queue, file, header, persistent, nonPersistent, replyTo, correlationID, priority, groupID,
                ttl, contentType, bytes, batch,
            ])
    }

    let target: String
    let filePath: String?
    let template: QueueMessage
    let batchSize: Int

    init(parsing values: ParsedValues) throws(UsageError) {
        target = try values.value(of: QueueCommand.queue)
        filePath = try values.valueIfPresent(of: Self.file)
        if values.isSet(Self.persistent) && values.isSet(Self.nonPersistent) {
            throw .invalid("options '--persistent' and '--non-persistent' cannot be used together")
        }
        var properties: [String: String] = [:]
        for pair in try values.values(of: Self.header) {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw .invalid("--header expects NAME=VALUE, got '\(pair)'")
            }
            properties[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        let priority = try values.valueIfPresent(of: Self.priority)?.value
        if let priority, priority > 9 { throw .invalid("--priority must be 0 to 9, got \(priority)") }
        template = QueueMessage(
            body: [], bodyKind: values.isSet(Self.bytes) ? .bytes : .text,
            contentType: try values.valueIfPresent(of: Self.contentType),
            correlationID: try values.valueIfPresent(of: Self.correlationID),
            replyTo: try values.valueIfPresent(of: Self.replyTo), priority: priority,
            groupID: try values.valueIfPresent(of: Self.groupID), isPersistent: !values.isSet(Self.nonPersistent),
            timeToLive: try values.valueIfPresent(of: Self.ttl), properties: properties)
        batchSize = try values.value(of: Self.batch).value
    }

    /// The bytes of the file at `path`, exactly (at most `maximum`).
    static func readWhole(_ path: String, maximum: Int) throws(CommandError) -> [UInt8] {
        let descriptor = POSIX.open(path)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, reason: POSIX.message(POSIX.lastError)) }
        defer { POSIX.close(descriptor) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { POSIX.read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 { throw .io(operation: "read", path: path, reason: POSIX.message(POSIX.lastError)) }
            if count == 0 { return result }
            result += chunk[..<count]
            if result.count > maximum { throw .io(operation: "read", path: path, reason: "larger than \(maximum) bytes") }
        }
    }

    func run(_ context: CommandContext) async throws {
        let endpoint = try await QueueCommand.open(target, maxRetries: 5, deadLetter: "/queue/ferry.DLQ")
        do {
            if let filePath {
                let body = try Self.readWhole(filePath, maximum: 64 << 20)
                var message = template
                message.body = body
                try await endpoint.queue.send(message, to: endpoint.destination)
            } else {
                let reader = try LineReader(path: "-", maxLineBytes: 16 << 20)
                var batch: [QueueMessage] = []
                while let line = try reader.nextLine() {
                    var message = template
                    message.body = line
                    batch.append(message)
                    if batch.count >= batchSize || !reader.hasBufferedLine {
                        try await endpoint.queue.send(batch, to: endpoint.destination)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { try await endpoint.queue.send(batch, to: endpoint.destination) }
            }
        } catch {
            try? await endpoint.queue.close()
            throw error
        }
        try await endpoint.queue.close()
    }
}

/// `ferry queue receive QUEUE`: take messages, print them, acknowledge (or reject) them.
struct QueueReceiveCommand: Command {
    static let count = Option<NonNegative>(
        "count", short: "n", valueName: "N", default: NonNegative(1), help: "Messages to take; 0 takes all until --timeout passes with none.")
    static let timeout = Option<Duration>(
        "timeout", valueName: "DURATION", default: .seconds(5), help: "How long to wait for each next message.")
    static let nack = Flag("nack", help: "Reject the messages instead of acknowledging them (retried, then dead-lettered).")
    static let reason = Option<String>("reason", valueName: "TEXT", default: "rejected by ferry queue receive --nack", help: "The reason recorded when a rejection dead-letters a message.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "receive", abstract: "Take messages, print them as JSON Lines and acknowledge them.",
            discussion: """
                Each message is printed and flushed before it is acknowledged, so a message is never lost: if \
                ferry stops in between, the queue delivers it again. With --nack the message goes back to the \
                queue with its retry count raised, or to the dead-letter destination after --max-retries.
                """,
            parameters: [QueueCommand.queue, count, timeout, nack, reason, QueueCommand.maxRetries, QueueCommand.deadLetter])
    }

    let target: String
    let limit: Int
    let wait: Duration
    let rejects: Bool
    let rejectReason: String
    let maxRetries: Int
    let deadLetter: String

    init(parsing values: ParsedValues) throws(UsageError) {
        target = try values.value(of: QueueCommand.queue)
        limit = try values.value(of: Self.count).value
        wait = try values.value(of: Self.timeout)
        rejects = values.isSet(Self.nack)
        rejectReason = try values.value(of: Self.reason)
        maxRetries = try values.value(of: QueueCommand.maxRetries).value
        deadLetter = try values.value(of: QueueCommand.deadLetter)
    }

    func run(_ context: CommandContext) async throws {
        let endpoint = try await QueueCommand.open(target, maxRetries: maxRetries, deadLetter: deadLetter)
        var taken = 0
        do {
            while limit == 0 || taken < limit {
                guard let message = try await endpoint.queue.receive(from: endpoint.destination, timeout: wait) else { break }
                context.output.write(bytes: QueueCommand.jsonLine(message))
                context.output.flush()
                if rejects {
                    try await endpoint.queue.reject(message, reason: rejectReason)
                } else {
                    try await endpoint.queue.acknowledge(message)
                }
                taken += 1
            }
        } catch {
            try? await endpoint.queue.close()
            throw error
        }
        try await endpoint.queue.close()
        if limit > 0 && taken < limit {
            context.errorOutput.write("note: \(taken) of \(limit) messages arrived within \(wait.argumentText) each\n")
        }
    }
}

/// `ferry queue browse QUEUE`: print waiting messages without taking them.
struct QueueBrowseCommand: Command {
    static let count = Option<Positive>("count", short: "n", valueName: "N", default: Positive(100), help: "Messages to show at most.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "browse", abstract: "Print waiting messages as JSON Lines without consuming them.",
            parameters: [QueueCommand.queue, count])
    }

    let target: String
    let limit: Int

    init(parsing values: ParsedValues) throws(UsageError) {
        target = try values.value(of: QueueCommand.queue)
        limit = try values.value(of: Self.count).value
    }

    func run(_ context: CommandContext) async throws {
        let endpoint = try await QueueCommand.open(target, maxRetries: 5, deadLetter: "/queue/ferry.DLQ")
        do {
            for message in try await endpoint.queue.browse(endpoint.destination, limit: limit) {
                context.output.write(bytes: QueueCommand.jsonLine(message))
            }
        } catch {
            try? await endpoint.queue.close()
            throw error
        }
        try await endpoint.queue.close()
    }
}
