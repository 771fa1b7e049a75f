import Testing

@Suite struct TestEnvironmentTests {
    @Test func readsTheAddressesScriptsTestExports() throws {
        let environment = TestEnvironment(variables: [
            "FERRY_STOMP_URL": "stomp://127.0.0.1:61613",
            "FERRY_KAFKA_BOOTSTRAP": "127.0.0.1:19092,127.0.0.2:19093",
        ])
        let stomp = try environment.stompBroker()
        #expect(stomp.host == "127.0.0.1" && stomp.port == 61613 && stomp.variable == "FERRY_STOMP_URL")
        let kafka = try environment.kafkaBroker()
        #expect(kafka.host == "127.0.0.1" && kafka.port == 19092)
    }

    @Test(arguments: [
        ("[::1]:61613", "::1", UInt16(61613)), ("localhost:1", "localhost", 1), ("broker-1.example:65535", "broker-1.example", 65535),
    ])
    func splitsHostAndPort(text: String, host: String, port: UInt16) throws {
        let address = try #require(TestEnvironment.hostAndPort(Substring(text)))
        #expect(address.host == host && address.port == port)
    }

    @Test(arguments: ["127.0.0.1", ":19092", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "::1:9092", "[::1]9092"])
    func rejectsAddressesWithoutAUsablePort(text: String) {
        #expect(TestEnvironment.hostAndPort(Substring(text)) == nil)
    }

    @Test func missingVariablesFailWithTheVariableAndTheRemedy() {
        let empty = TestEnvironment(variables: [:])
        for (variable, attempt) in [
            ("FERRY_STOMP_URL", { _ = try empty.stompBroker() }),
            ("FERRY_KAFKA_BOOTSTRAP", { _ = try empty.kafkaBroker() }),
            ("FERRY_PYTHON", { _ = try empty.python() }),
        ] as [(String, () throws -> Void)] {
            #expect {
                try attempt()
            } throws: { error in
                let text = "\(error)"
                return text.contains("\(variable) is unset") && text.contains("run scripts/test")
            }
        }
    }

    @Test func malformedOrMissingValuesAreNamed() {
        let environment = TestEnvironment(variables: [
            "FERRY_STOMP_URL": "tcp://127.0.0.1:61613", "FERRY_PYTHON": "/nonexistent/python",
        ])
        #expect { _ = try environment.stompBroker() } throws: { "\($0)".contains("FERRY_STOMP_URL=tcp://127.0.0.1:61613") }
        #expect { _ = try environment.python() } throws: { "\($0)".contains("/nonexistent/python") }
    }
}
