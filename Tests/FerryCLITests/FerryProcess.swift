import Foundation
import Testing

/// Runs the built `ferry` executable, the way users and scripts do, and captures what it prints.
struct FerryProcess {
    /// What one run produced.
    struct Result: CustomStringConvertible {
        var status: Int32
        var output: String
        /// Standard output as bytes (for binary output such as `convert copybook --encode`).
        var outputBytes = Data()
        var errorOutput: String
        var outputLines: [String] { output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
        var description: String { "exit \(status)\n--- stdout\n\(output)--- stderr\n\(errorOutput)" }
    }

    /// The repository root, three levels above this file (Tests/FerryCLITests/FerryProcess.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `ferry` executable in the build products directory that holds the running test bundle.
    static func executable() throws -> URL {
        var searched: [String] = []
        let starts = [
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
            Bundle.main.executableURL, Bundle.main.bundleURL,
            URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL,
        ].compactMap { $0 }
        for start in starts {
            var directory = start.deletingLastPathComponent()
            while directory.path != "/" && !directory.path.isEmpty {
                let candidate = directory.appendingPathComponent("ferry")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    FileManager.default.isExecutableFile(atPath: candidate.path)
                {
                    return candidate
                }
                searched.append(directory.path)
                if directory.lastPathComponent == ".build" { break }
                directory = directory.deletingLastPathComponent()
            }
        }
        throw FerryNotBuilt(searched: searched)
    }

    struct FerryNotBuilt: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "the ferry executable was not found next to the test bundle (searched: "
                + Set(searched).sorted().joined(separator: ", ") + "); build it with 'swift build --build-tests'"
        }
    }

    /// Runs `ferry arguments…` with `input` on standard input and extra environment variables, and waits.
    static func run(
        _ arguments: [String], input: Data = Data(), environment: [String: String] = [:],
        directory: URL? = nil
    ) throws -> Result {
        let process = try start(arguments, environment: environment, directory: directory)
        let stdin = process.standardInput as! Pipe
        let stdout = process.standardOutput as! Pipe
        let stderr = process.standardError as! Pipe
        // Drain both pipes while writing input so a chatty child never blocks on a full pipe.
        let collected = Collected()
        let group = DispatchGroup()
        for (pipe, isError) in [(stdout, false), (stderr, true)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.store(data, isError: isError)
                group.leave()
            }
        }
        try stdin.fileHandleForWriting.write(contentsOf: input)
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return Result(
            status: process.terminationStatus, output: String(decoding: collected.output, as: UTF8.self),
            outputBytes: collected.output, errorOutput: String(decoding: collected.errorOutput, as: UTF8.self))
    }

    /// Starts `ferry arguments…` with pipes on all three streams, without waiting.
    static func start(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws
        -> Process
    {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged["FERRY_LOG_DIR"] = nil
        for (name, value) in environment { merged[name] = value }
        process.environment = merged
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = Pipe()
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var output = Data()
        private(set) var errorOutput = Data()
        func store(_ data: Data, isError: Bool) {
            lock.lock()
            defer { lock.unlock() }
            if isError { errorOutput = data } else { output = data }
        }
    }
}

/// A fresh directory under the system's temporary directory, removed when the test ends.
final class TemporaryDirectory {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
