import Testing

@Suite("The test tooling's Python has the independent clients (from scripts/test)")
struct PythonToolingTests {
    /// Prints `name version` per client; exits non-zero with a traceback if one is missing.
    static let probeScript = """
        import confluent_kafka, stomp, cloudevents
        from cloudevents.core.bindings import kafka as binding
        print("confluent_kafka", confluent_kafka.version()[0])
        print("librdkafka", confluent_kafka.libversion()[0])
        print("stomp", ".".join(str(part) for part in stomp.__version__))
        print("cloudevents", cloudevents.__version__)
        names = ("to_binary", "from_binary", "to_structured", "from_structured")
        print("kafka-binding", ",".join(name for name in names if callable(getattr(binding, name, None))))
        """

    @Test func importsConfluentKafkaStompAndCloudEvents() async throws {
        let python = try TestEnvironment.current.python()
        let run = try await python.run(script: Self.probeScript, timeout: .seconds(60))
        try #require(
            run.status == 0,
            "\(python.path) (FERRY_PYTHON) could not import the clients; \(TestEnvironmentError.remedy). \(run.standardError)")
        var versions: [String: String] = [:]
        for line in run.standardOutput.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { versions[String(parts[0])] = String(parts[1]) }
        }
        #expect(versions["confluent_kafka"]?.isEmpty == false)
        #expect(versions["stomp"]?.isEmpty == false)
        // scripts/crosscheck/cloudevents_kafka.py uses the 2.x Kafka binding (cloudevents.core.bindings.kafka).
        let cloudevents = try #require(versions["cloudevents"]).split(separator: ".").compactMap { Int($0) }
        #expect(cloudevents.first.map { $0 >= 2 } == true, "cloudevents \(cloudevents) is older than 2.0")
        #expect(versions["kafka-binding"] == "to_binary,from_binary,to_structured,from_structured")
        // librdkafka before 2.2.0 misreads tansu's ApiVersions v3 reply (tagged fields); the wheel must bundle a newer one.
        let librdkafka = try #require(versions["librdkafka"]).split(separator: ".").compactMap { Int($0) }
        #expect(librdkafka.lexicographicallyPrecedes([2, 2, 0]) == false, "librdkafka \(librdkafka) is older than 2.2.0")
    }
}
