import Foundation

/// A broker the integration tests talk to, as `scripts/test` starts it.
struct BrokerEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// What it is, for messages: "ActiveMQ (STOMP)".
    let name: String
    /// The environment variable it came from: "FERRY_STOMP_URL".
    let variable: String
    let host: String
    let port: UInt16

    var description: String { "\(name) at \(host):\(port)" }

    /// Opens a TCP connection, failing within `timeout` with a message that names the broker.
    func connect(timeout: Duration = .seconds(3)) throws(TestEnvironmentError) -> TCPProbe {
        do {
            return try TCPProbe.connect(host: host, port: port, timeout: timeout, peerName: "\(self) (from \(variable))")
        } catch {
            throw .unreachable(self, cause: error)
        }
    }
}

/// Why the integration tests cannot reach what they need. Every message says how to get it: `scripts/test`.
enum TestEnvironmentError: Error, CustomStringConvertible {
    /// The variable `scripts/test` exports is not set (the tests were started some other way).
    case variableMissing(variable: String, what: String, example: String)
    /// The variable is set but does not have the expected form.
    case variableMalformed(variable: String, value: String, expected: String)
    /// The variable names a tool that is not an executable file.
    case toolMissing(variable: String, what: String, path: String)
    /// The broker did not accept a connection.
    case unreachable(BrokerEndpoint, cause: TCPProbeError)

    static let remedy = "run scripts/test, which installs and starts the brokers and tools and exports the FERRY_* variables (see docs/testing.md)"

    var description: String {
        switch self {
        case let .variableMissing(variable, what, example):
            "\(what) is not configured: \(variable) is unset (scripts/test sets e.g. \(variable)=\(example)); \(Self.remedy)"
        case let .variableMalformed(variable, value, expected):
            "\(variable)=\(value) is not \(expected); \(Self.remedy)"
        case let .toolMissing(variable, what, path):
            "\(what) from \(variable) is not an executable file: \(path); \(Self.remedy)"
        case let .unreachable(_, cause):
            "\(cause); \(Self.remedy)"
        }
    }
}

/// What `scripts/test` provides to the integration tests, read from environment variables:
///
/// - `FERRY_STOMP_URL`: ActiveMQ's STOMP listener, `stomp://127.0.0.1:61613`
/// - `FERRY_KAFKA_BOOTSTRAP`: the Kafka-protocol broker (tansu), `127.0.0.1:19092`
/// - `FERRY_PYTHON`: a Python with confluent-kafka, stomp.py and cloudevents, `<repo>/.test-env/venv/bin/python`
/// - `FERRY_KAFKA_DURABLE_BOOTSTRAP`: the durable tansu (s3:// storage on moto), `127.0.0.1:19093`
/// - `FERRY_KAFKA_DURABLE_RESTART`: the script that SIGKILLs and restarts it, `<repo>/scripts/brokers/restart-kafka-durable`
///
/// Each accessor throws a `TestEnvironmentError` naming what is missing, so a test run without the
/// brokers fails at once with a useful message instead of hanging or passing.
struct TestEnvironment: Sendable {
    static let stompURLVariable = "FERRY_STOMP_URL"
    static let kafkaBootstrapVariable = "FERRY_KAFKA_BOOTSTRAP"
    static let pythonVariable = "FERRY_PYTHON"
    static let durableKafkaBootstrapVariable = "FERRY_KAFKA_DURABLE_BOOTSTRAP"
    static let durableKafkaRestartVariable = "FERRY_KAFKA_DURABLE_RESTART"

    /// The variables of this test process.
    static var current: TestEnvironment { TestEnvironment(variables: ProcessInfo.processInfo.environment) }

    /// The repository root, derived from this file's path (Tests/IntegrationTests/TestEnvironment.swift).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    let variables: [String: String]

    init(variables: [String: String]) {
        self.variables = variables
    }

    /// ActiveMQ's STOMP listener, from `FERRY_STOMP_URL` (`stomp://host:port`).
    func stompBroker() throws(TestEnvironmentError) -> BrokerEndpoint {
        let variable = Self.stompURLVariable
        let value = try require(variable, what: "the ActiveMQ STOMP broker", example: "stomp://127.0.0.1:61613")
        guard value.hasPrefix("stomp://"),
            let address = Self.hostAndPort(value.dropFirst("stomp://".count).prefix { $0 != "/" })
        else {
            throw .variableMalformed(variable: variable, value: value, expected: "a stomp://host:port URL")
        }
        return BrokerEndpoint(name: "ActiveMQ (STOMP)", variable: variable, host: address.host, port: address.port)
    }

    /// The Kafka-protocol broker, from the first `host:port` of `FERRY_KAFKA_BOOTSTRAP`.
    func kafkaBroker() throws(TestEnvironmentError) -> BrokerEndpoint {
        let variable = Self.kafkaBootstrapVariable
        let value = try require(variable, what: "the Kafka broker", example: "127.0.0.1:19092")
        guard let first = value.split(separator: ",").first, let address = Self.hostAndPort(first) else {
            throw .variableMalformed(variable: variable, value: value, expected: "a host:port bootstrap list")
        }
        return BrokerEndpoint(name: "Kafka broker", variable: variable, host: address.host, port: address.port)
    }

    /// The durable Kafka-protocol broker (tansu on S3: records survive its restart), from the first
    /// `host:port` of `FERRY_KAFKA_DURABLE_BOOTSTRAP`.
    func durableKafkaBroker() throws(TestEnvironmentError) -> BrokerEndpoint {
        let variable = Self.durableKafkaBootstrapVariable
        let value = try require(variable, what: "the durable Kafka broker", example: "127.0.0.1:19093")
        guard let first = value.split(separator: ",").first, let address = Self.hostAndPort(first) else {
            throw .variableMalformed(variable: variable, value: value, expected: "a host:port bootstrap list")
        }
        return BrokerEndpoint(name: "durable Kafka broker", variable: variable, host: address.host, port: address.port)
    }

    /// The script that SIGKILLs the durable broker and restarts it on the same store, from
    /// `FERRY_KAFKA_DURABLE_RESTART` (an absolute path to an executable); it returns once Metadata is answered.
    func durableKafkaRestartScript() throws(TestEnvironmentError) -> String {
        let variable = Self.durableKafkaRestartVariable
        let what = "the durable Kafka broker's restart script"
        let path = try require(variable, what: what, example: "\(Self.repositoryRoot)/scripts/brokers/restart-kafka-durable")
        guard path.hasPrefix("/"), FileManager.default.isExecutableFile(atPath: path) else {
            throw .toolMissing(variable: variable, what: what, path: path)
        }
        return path
    }

    /// The test tooling's Python interpreter, from `FERRY_PYTHON` (an absolute path to an executable).
    func python() throws(TestEnvironmentError) -> PythonInterpreter {
        let variable = Self.pythonVariable
        let what = "the test tooling's Python (confluent-kafka, stomp.py, cloudevents)"
        let path = try require(variable, what: what, example: "\(Self.repositoryRoot)/.test-env/venv/bin/python")
        guard path.hasPrefix("/"), FileManager.default.isExecutableFile(atPath: path) else {
            throw .toolMissing(variable: variable, what: what, path: path)
        }
        return PythonInterpreter(path: path)
    }

    private func require(_ variable: String, what: String, example: String) throws(TestEnvironmentError) -> String {
        guard let value = variables[variable]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            throw .variableMissing(variable: variable, what: what, example: example)
        }
        return value
    }

    /// Splits `host:port` or `[v6-host]:port`; nil when either part is missing or the port is not 1...65535.
    static func hostAndPort(_ text: Substring) -> (host: String, port: UInt16)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(":") || text.hasPrefix("["),
            let port = UInt16(portText), port > 0
        else { return nil }
        return (host: String(host), port: port)
    }
}

/// The Python interpreter of the test tooling venv, for running independent clients against the brokers.
struct PythonInterpreter: Sendable {
    /// Absolute path of the executable.
    let path: String

    /// What a finished script printed and how it ended.
    struct Run: Sendable {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// Why a script could not be run to completion.
    enum Failure: Error, CustomStringConvertible {
        case launchFailed(path: String, reason: String)
        case timedOut(path: String, after: Duration, standardError: String)

        var description: String {
            switch self {
            case let .launchFailed(path, reason):
                "cannot start \(path): \(reason); \(TestEnvironmentError.remedy)"
            case let .timedOut(path, after, standardError):
                "\(path) did not finish within \(after) and was terminated; stderr: \(standardError)"
            }
        }
    }

    /// Runs `python -c script arguments...` with no standard input; terminates it after `timeout`.
    ///
    /// Output is collected into temporary files, so a chatty script cannot block on a full pipe.
    /// Runs `script` on a thread of its own and waits without holding one of the cooperative pool's threads
    /// (two on a 2-core machine: a test blocking one while a child runs stalls every other test meanwhile).
    func run(script: String, arguments: [String] = [], timeout: Duration = .seconds(30)) async throws -> Run {
        let interpreter = self
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try interpreter.runBlocking(script: script, arguments: arguments, timeout: timeout) })
            }.start()
        }
    }

    /// Runs `script` and blocks the calling thread until it ends (see ``run(script:arguments:timeout:)``).
    func runBlocking(script: String, arguments: [String] = [], timeout: Duration = .seconds(30)) throws -> Run {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-python-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outputURL = scratch.appendingPathComponent("stdout")
        let errorURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        defer {
            try? output.close()
            try? error.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-c", script] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = error
        do {
            try process.run()
        } catch {
            throw Failure.launchFailed(path: path, reason: "\(error)")
        }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let read = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw Failure.timedOut(path: path, after: timeout, standardError: read(errorURL))
        }
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, standardOutput: read(outputURL), standardError: read(errorURL))
    }
}
