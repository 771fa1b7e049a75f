import Copybook
import Events
import MQ

extension MappingEngine {
    /// Writes the event of every record of `input` as a JSON line (newline included), handing the lines to `body`
    /// in input order, one or more complete lines per call. The bytes are those of ``events(from:inputName:metadata:)`` written with
    /// `JSONWriter.writeValue` and a newline.
    ///
    /// Copybook mappings go record by record, through the ``CompiledMapping`` when the mapping compiles and the
    /// record allows (``usesCompiledPlan``), else through the interpreter; the lines of the records before a
    /// failing one have then been handed over when the error is thrown (``events(from:inputName:metadata:)``
    /// reads every record before mapping any). Other adapters map the whole input, then hand the lines over.
    public func writeEventLines(
        from input: [UInt8], inputName: String, metadata: [String: String] = [:], _ body: ([UInt8]) -> Void
    ) throws(MappingError) {
        var stream = try EventLineStream(engine: self, inputName: inputName, metadata: metadata)
        try stream.append(input, body)
        try stream.finish(body)
    }
}

/// A mapping's events as JSON lines from input that arrives in pieces (a file read in chunks, standard input).
///
/// Copybook mappings keep only a partial record between pieces: memory stays constant however large the input.
/// Other adapters (X12, EDIFACT and MQ frame files) read the whole input at ``finish(_:)``, as their envelopes
/// and frame files are checked as a whole; MQ frames with a copybook payload then go through the compiled plan.
public struct EventLineStream {
    let engine: MappingEngine
    let inputName: String
    let metadata: [String: String]
    var copybook: (lines: CopybookEventLineWriter, splitter: CopybookRecordSplitter)?
    var pending: [UInt8] = []
    var line: [UInt8] = []

    /// A stream for `engine`'s mapping; `inputName` names the input in metadata and errors.
    public init(engine: MappingEngine, inputName: String, metadata: [String: String] = [:]) throws(MappingError) {
        self.engine = engine
        self.inputName = inputName
        self.metadata = metadata
        if case let .copybook(source) = engine.mapping.source.adapter {
            copybook = (try CopybookEventLineWriter(engine: engine, source: source), CopybookRecordSplitter(source: source, inputName: inputName))
        }
    }

    /// Whether records are mapped as they arrive (copybook sources).
    public var streamsRecords: Bool { copybook != nil }

    /// Adds the next piece of input, handing `body` the lines of the records it completes (one or more complete
    /// lines per call; copybook lines gather while their ids are hashed together).
    public mutating func append(_ bytes: [UInt8], _ body: ([UInt8]) -> Void) throws(MappingError) {
        guard let splitter = copybook?.splitter else {
            pending.append(contentsOf: bytes)
            return
        }
        // A record cut at the end of the previous piece: completed with as few bytes as it needs (the RDW first).
        var consumed = 0
        while !pending.isEmpty, consumed < bytes.count {
            let take = min(splitter.bytesToComplete(pending.count, header: pending), bytes.count - consumed)
            pending.append(contentsOf: bytes[consumed..<(consumed + take)])
            consumed += take
            try drain(isFinal: false, body)
        }
        guard pending.isEmpty else { return }
        // Nothing left over: the records are read where they lie, and only a cut record's bytes are kept.
        let start = consumed
        defer { if consumed < bytes.count { pending.append(contentsOf: bytes[consumed...]) } }
        var failure: MappingError?
        bytes.withUnsafeBytes { raw in
            do throws(MappingError) {
                consumed = start + (try drain(UnsafeRawBufferPointer(rebasing: raw[start...]), isFinal: false, body))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Ends the input: the remaining records' lines, or an error for a record cut short.
    public mutating func finish(_ body: ([UInt8]) -> Void) throws(MappingError) {
        if case let .mq(format, .copybook(source)) = engine.mapping.source.adapter, engine.usesCompiledPlan,
            let plan = engine.compiledPlan
        {
            let input = pending
            pending = []
            try Self.mapFrames(input, format: format, source: source, plan: plan, engine: engine, inputName: inputName, metadata: metadata, body)
            return
        }
        guard copybook != nil else {
            var writer = JSONWriter(capacity: 1 << 14)
            let input = pending
            pending = []
            for event in try engine.events(from: input, inputName: inputName, metadata: metadata) {
                writer.removeAll()
                writer.writeValue(event)
                writer.endLine()
                body(writer.bytes)
            }
            return
        }
        try drain(isFinal: true, body)
    }

    /// MQ frames with a copybook payload, frame by frame: through `plan`, else through the interpreter.
    private static func mapFrames(
        _ input: [UInt8], format: String, source: CopybookSource, plan: CompiledMapping, engine: MappingEngine,
        inputName: String, metadata: [String: String], _ body: ([UInt8]) -> Void
    ) throws(MappingError) {
        var decoder: RecordDecoder
        do { decoder = try engine.decoder(for: source) } catch {
            throw MappingError(file: inputName, path: "$", "\(error)")
        }
        var buffers = CompiledMapping.Buffers()
        var writer = JSONWriter(capacity: 4096)
        var line: [UInt8] = []
        try MQRecords.forEachFrame(from: input, format: format, inputName: inputName) { (frame, number, frameMetadata) throws(MappingError) in
            var merged = frameMetadata
            if !metadata.isEmpty { merged.merge(metadata) { _, given in given } }
            line.removeAll(keepingCapacity: true)
            let payload = frame.payload.bytes
            let compiled = payload.withUnsafeBytes { plan.appendEventLine(record: $0, metadata: merged, to: &line, buffers: &buffers) }
            if !compiled {
                var record = try source.decode(payload, decoder: &decoder, number: number, offset: frame.payload.offset, inputName: inputName)
                record.position = "frame \(number)"
                record.metadata = merged
                writer.removeAll()
                writer.writeValue(try engine.event(for: record))
                writer.endLine()
                line.append(contentsOf: writer.bytes)
            }
            body(line)
        }
    }

    private mutating func drain(isFinal: Bool, _ body: ([UInt8]) -> Void) throws(MappingError) {
        var input: [UInt8] = []
        swap(&input, &pending)
        var consumed = 0
        defer {
            swap(&input, &pending)
            if consumed > 0 { pending.removeSubrange(0..<consumed) }
        }
        var failure: MappingError?
        input.withUnsafeBytes { raw in
            do throws(MappingError) { consumed = try drain(raw, isFinal: isFinal, body) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Maps the complete records of `raw` (the input from ``CopybookRecordSplitter/base``), handing their lines to
    /// `body`; returns the bytes consumed (nothing is consumed when it throws).
    private mutating func drain(
        _ raw: UnsafeRawBufferPointer, isFinal: Bool, _ body: ([UInt8]) -> Void
    ) throws(MappingError) -> Int {
        // Moved out of `self` while in use, so that their buffers are not copied on write.
        guard var (lines, splitter) = copybook else { return 0 }
        copybook = nil
        var line = self.line
        self.line = []
        defer {
            copybook = (lines, splitter)
            self.line = line
        }
        var consumed = 0
        let metadata = self.metadata
        let inputName = self.inputName
        var failure: MappingError?
        // Lines gather in `line` while their ids wait to be hashed together (at most `idBatchSize`), then go to
        // `body` together.
        func handOver() {
            lines.finishPendingIDs(in: &line)
            if !line.isEmpty { body(line) }
            line.removeAll(keepingCapacity: true)
        }
        do throws(MappingError) {
            while let (range, number) = try splitter.nextRecord(in: raw, from: &consumed, isFinal: isFinal) {
                try lines.appendEventLine(
                    record: UnsafeRawBufferPointer(rebasing: raw[range]), number: number,
                    offset: splitter.offset(of: range), metadata: metadata, inputName: inputName, to: &line,
                    defersIDs: true)
                if !lines.hasPendingIDs { handOver() }
            }
        } catch {
            failure = error
        }
        handOver()
        if let failure { throw failure }
        splitter.base += consumed
        return consumed
    }
}

/// Splits copybook input (`fixed` or `rdw`) into records, incrementally: a record cut by the end of the bytes so
/// far is left for the next call, unless the input is final (then it is an error, as in the interpreter).
struct CopybookRecordSplitter {
    let source: CopybookSource
    let inputName: String
    /// Records found so far.
    private(set) var number = 0
    /// Bytes of the input before the buffer handed to the next call.
    var base = 0

    /// Whether records carry an RDW, and the size of fixed records: read once, not per record.
    let isRDW: Bool
    let recordSize: Int

    init(source: CopybookSource, inputName: String) {
        self.source = source
        self.inputName = inputName
        isRDW = source.recordFormat == "rdw"
        recordSize = source.layout.size
    }

    func offset(of range: Range<Int>) -> Int { base + range.lowerBound }

    /// How many more bytes a record cut after `count` bytes (`header` holding them) needs before it can be split:
    /// the rest of a fixed record, the rest of an RDW, or the rest of the record the RDW announces (at least 1).
    func bytesToComplete(_ count: Int, header: [UInt8]) -> Int {
        guard isRDW else { return max(1, recordSize - count) }
        guard count >= 4 else { return 4 - count }
        let total = Int(header[0]) << 8 | Int(header[1])
        return max(1, total - count)
    }

    /// The next record's byte range in `bytes` (from `consumed`, which moves past it) and its number; nil when
    /// `bytes` holds no further complete record.
    mutating func nextRecord(
        in bytes: UnsafeRawBufferPointer, from consumed: inout Int, isFinal: Bool
    ) throws(MappingError) -> (Range<Int>, Int)? {
        let offset = consumed
        guard offset < bytes.count else { return nil }
        if isRDW {
            guard offset + 4 <= bytes.count else {
                if !isFinal { return nil }
                throw MappingError(file: inputName, path: "record \(number + 1)", "truncated RDW at byte \(base + offset)")
            }
            let total = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            guard total >= 4 else {
                throw MappingError(file: inputName, path: "record \(number + 1)", "RDW length \(total) at byte \(base + offset) runs past the input")
            }
            guard offset + total <= bytes.count else {
                if !isFinal { return nil }
                throw MappingError(file: inputName, path: "record \(number + 1)", "RDW length \(total) at byte \(base + offset) runs past the input")
            }
            number += 1
            consumed = offset + total
            return ((offset + 4)..<(offset + total), number)
        }
        let size = recordSize
        guard offset + size <= bytes.count else {
            if !isFinal { return nil }
            throw MappingError(
                file: inputName, path: "record \(number + 1)",
                "short record: \(bytes.count - offset) of \(size) bytes at byte \(base + offset)")
        }
        number += 1
        consumed = offset + size
        return (offset..<(offset + size), number)
    }
}

/// The events of a copybook mapping as JSON lines, one record at a time: through the ``CompiledMapping`` when
/// the mapping compiles and the record allows, else through the interpreter (decoder, source record, rules).
public struct CopybookEventLineWriter {
    let engine: MappingEngine
    let source: CopybookSource
    let plan: CompiledMapping?
    var decoder: RecordDecoder
    var buffers = CompiledMapping.Buffers()
    var writer = JSONWriter(capacity: 4096)
    /// Records written through the compiled plan.
    public private(set) var compiledRecords = 0
    /// Records written through the interpreter.
    public private(set) var interpretedRecords = 0

    init(engine: MappingEngine, source: CopybookSource) throws(MappingError) {
        self.engine = engine
        self.source = source
        plan = engine.usesCompiledPlan ? engine.compiledPlan : nil
        do { decoder = try engine.decoder(for: source) } catch {
            throw MappingError(file: engine.mapping.file, path: "$.source", "\(error)")
        }
    }

    /// Whether the mapping compiled to a plan.
    public var isCompiled: Bool { plan != nil }

    /// Records of ``compiledRecords`` written on the plan's direct path (the rest went through its slot path).
    public var directRecords: Int { buffers.directRecords }

    /// Whether lines appended with `defersIDs` still wait for their ids.
    var hasPendingIDs: Bool { buffers.hasPendingIDs }

    /// Writes the ids of the lines appended with `defersIDs` that wait for them into `output`.
    mutating func finishPendingIDs(in output: inout [UInt8]) {
        plan?.finishPendingIDs(in: &output, buffers: &buffers)
    }

    /// Appends the event line of one record (the bytes after any RDW) to `output`.
    /// - Parameter defersIDs: lines of the compiled plan's direct path may be left with a placeholder id, hashed
    ///   with the next lines' (``hasPendingIDs``); ``finishPendingIDs(in:)`` writes them into `output`.
    mutating func appendEventLine(
        record: UnsafeRawBufferPointer, number: Int, offset: Int, metadata: [String: String], inputName: String,
        to output: inout [UInt8], defersIDs: Bool = false
    ) throws(MappingError) {
        if let plan, plan.appendEventLine(record: record, metadata: metadata, to: &output, buffers: &buffers, defersID: defersIDs) {
            compiledRecords += 1
            return
        }
        interpretedRecords += 1
        var sourceRecord = try source.decode(Array(record), decoder: &decoder, number: number, offset: offset, inputName: inputName)
        if !metadata.isEmpty { sourceRecord.metadata.merge(metadata) { _, given in given } }
        let event = try engine.event(for: sourceRecord)
        writer.removeAll()
        writer.writeValue(event)
        writer.endLine()
        output.append(contentsOf: writer.bytes)
    }
}
