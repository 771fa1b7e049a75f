// swift-tools-version: 6.0
//
// Ferry: a bridge between legacy integration estates (MQ, mainframe files, EDI) and event streaming.
// Toolchain only: no third-party packages. Dependencies point inward:
//   ferry (CLI) → FerryCLI → Events, Kafka, StreamLog → ByteCoding
import PackageDescription

/// One settings block for every target: Swift 6 language mode (strict concurrency) plus upcoming features.
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Ferry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ferry", targets: ["ferry"]),
        .library(name: "ByteCoding", targets: ["ByteCoding"]),
        .library(name: "Events", targets: ["Events"]),
        .library(name: "StreamLog", targets: ["StreamLog"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "CodePages", targets: ["CodePages"]),
        .library(name: "Copybook", targets: ["Copybook"]),
        .library(name: "EDI", targets: ["EDI"]),
        .library(name: "MQ", targets: ["MQ"]),
        .library(name: "LegacyQueue", targets: ["LegacyQueue"]),
        .library(name: "STOMP", targets: ["STOMP"]),
        .library(name: "Mapping", targets: ["Mapping"]),
    ],
    targets: [
        // Byte cursors, CRC32C, hex dumps. Pure: no I/O.
        .target(name: "ByteCoding", swiftSettings: settings),
        // The streaming-log interface, the embedded LocalLog and Kafka's keyed partitioner.
        .target(name: "StreamLog", dependencies: ["ByteCoding"], exclude: ["README.md"], swiftSettings: settings),
        // The system zlib (Debian: zlib1g-dev), for gzip record batches.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // The Kafka wire protocol in pure Swift: Wire/ (schemas, RecordBatch v2) and Client/ (connections,
        // producer, consumer, admin, KafkaStreamLog).
        .target(
            name: "Kafka", dependencies: ["ByteCoding", "StreamLog", "CZlib"], exclude: ["README.md"],
            swiftSettings: settings),
        // CloudEvents 1.0, exact decimals, the fast JSON writer, the Kafka protocol binding.
        .target(name: "Events", dependencies: ["ByteCoding", "StreamLog"], swiftSettings: settings),
        // EBCDIC and ASCII code pages as data keyed by CCSID. Pure.
        .target(name: "CodePages", exclude: ["README.md"], swiftSettings: settings),
        // COBOL copybooks: parsing, layout, field codecs, record formats, record decoding and encoding. Pure.
        .target(
            name: "Copybook", dependencies: ["ByteCoding", "CodePages", "Events"], exclude: ["README.md"],
            swiftSettings: settings),
        // X12 and UN/EDIFACT: delimiters, streaming tokenizers, envelopes, guides, validation, acks, writers. Pure.
        .target(
            name: "EDI", dependencies: ["ByteCoding", "Events"], exclude: ["README.md", "Guides/README.md"],
            resources: [.copy("Guides")], swiftSettings: settings),
        // IBM MQ frames: MQMD, MQRFH2, MQDLH, MQXQH, MQCIH, MQIIH, the header chain, frame files, frames to events. Pure.
        .target(
            name: "MQ", dependencies: ["ByteCoding", "CodePages", "Events"], exclude: ["README.md"],
            swiftSettings: settings),
        // POSIX TCP connections with deadlines (and a loopback listener for scripted test peers).
        .target(name: "Transport", swiftSettings: settings),
        // The legacy-queue interface (send, receive with ack/reject, reply-to, browse) and the embedded
        // spool-directory queue that implements it with no broker.
        .target(name: "LegacyQueue", swiftSettings: settings),
        // STOMP 1.2: Wire/ (frames, escaping, incremental decoder; pure) and Client/ (connection, session,
        // reconnect, ActiveMQ mapping) implementing LegacyQueue over Transport.
        .target(
            name: "STOMP", dependencies: ["LegacyQueue", "Transport"], exclude: ["README.md"],
            swiftSettings: settings),
        // Declarative mappings (legacy record → CloudEvent and back), CDC envelopes, event schemas, the test harness.
        .target(
            name: "Mapping", dependencies: ["ByteCoding", "CodePages", "Copybook", "EDI", "MQ", "Events"],
            swiftSettings: settings),
        // The bridge daemon: configuration, queue → stream pipelines with dead letters, lifecycle.
        .target(
            name: "Bridge",
            dependencies: ["Events", "StreamLog", "Kafka", "LegacyQueue", "STOMP", "Mapping"],
            exclude: ["README.md"], swiftSettings: settings),
        // Subcommands and the option-parsing kit.
        .target(
            name: "FerryCLI",
            dependencies: [
                "ByteCoding", "Events", "StreamLog", "Kafka", "CodePages", "Copybook", "EDI", "MQ", "Mapping", "LegacyQueue",
                "STOMP", "Bridge",
            ],
            swiftSettings: settings),
        .executableTarget(name: "ferry", dependencies: ["FerryCLI"], swiftSettings: settings),
        // Release-build benchmarks: `swift run -c release ferry-bench`.
        .executableTarget(
            name: "ferry-bench",
            dependencies: [
                "StreamLog", "Events", "ByteCoding", "CodePages", "Copybook", "EDI", "MQ", "Mapping", "LegacyQueue", "STOMP",
                "Bridge", "Kafka",
            ],
            path: "Benchmarks/ferry-bench", swiftSettings: settings),

        // Release-build Kafka benchmark beside confluent-kafka: `swift run -c release ferry-kafka-bench --bootstrap H:P`.
        .executableTarget(
            name: "ferry-kafka-bench", dependencies: ["Kafka", "StreamLog"], path: "Benchmarks/ferry-kafka-bench",
            exclude: ["confluent_bench.py"], swiftSettings: settings),

        .testTarget(name: "ByteCodingTests", dependencies: ["ByteCoding"], swiftSettings: settings),
        .testTarget(name: "StreamLogTests", dependencies: ["StreamLog", "ByteCoding"], swiftSettings: settings),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "StreamLog", "ByteCoding"], swiftSettings: settings),
        .testTarget(name: "EventsTests", dependencies: ["Events", "StreamLog", "ByteCoding"], swiftSettings: settings),
        .testTarget(name: "CodePagesTests", dependencies: ["CodePages"], swiftSettings: settings),
        .testTarget(
            name: "CopybookTests", dependencies: ["Copybook", "CodePages", "Events", "ByteCoding"],
            exclude: ["Golden", "Conformance/README.md"], swiftSettings: settings),
        .testTarget(name: "MQTests", dependencies: ["MQ", "Events", "StreamLog", "ByteCoding"], swiftSettings: settings),
        .testTarget(name: "TransportTests", dependencies: ["Transport"], swiftSettings: settings),
        .testTarget(name: "LegacyQueueTests", dependencies: ["LegacyQueue"], swiftSettings: settings),
        .testTarget(name: "STOMPTests", dependencies: ["STOMP", "LegacyQueue", "Transport"], swiftSettings: settings),
        .testTarget(name: "MappingTests", dependencies: ["Mapping", "Events", "MQ"], swiftSettings: settings),
        .testTarget(
            name: "BridgeTests", dependencies: ["Bridge", "LegacyQueue", "StreamLog", "Events", "Mapping"], swiftSettings: settings),
        .testTarget(name: "EDITests", dependencies: ["EDI", "Events", "ByteCoding"], swiftSettings: settings),
        .testTarget(
            name: "FerryCLITests", dependencies: ["FerryCLI", "StreamLog", "ByteCoding"], exclude: ["Golden"],
            swiftSettings: settings),
        // Talks to real brokers and to independent Python clients; run by scripts/test.
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Events", "StreamLog", "ByteCoding", "Kafka", "Mapping", "STOMP", "LegacyQueue", "Transport", "Bridge",
            ],
            swiftSettings: settings),
    ],
    swiftLanguageModes: [.v6]
)
