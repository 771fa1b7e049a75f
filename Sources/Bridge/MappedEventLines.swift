import Events
import Mapping

/// The events a mapping makes of one input (a queue message body, a dropped file), as CloudEvent JSON lines in one
/// buffer, written by the mapping's compiled plan through ``MappingEngine/writeEventLines(from:inputName:metadata:_:)``
/// (which goes through the interpreter by itself for mappings and records the plan does not handle).
///
/// The lines are byte for byte the interpreter's events (``MappingEngine/events(from:inputName:metadata:)``)
/// written with `JSONWriter.writeValue`, which is what `JSONValue.encoded()` writes: decoding a line gives the
/// event the interpreter path decoded. No source metadata is passed, as on the interpreter path before.
///
/// All or nothing: either every record of the input is mapped, or nothing is kept. `writeEventLines` hands over
/// the lines of the records before a failing one before it throws; they stay in this value's buffer, which is
/// dropped.
struct MappedEventLines {
    /// The lines, each followed by its newline (JSON text holds no raw newline: strings escape it).
    private let bytes: [UInt8]
    /// Where each line is in ``bytes``, newline excluded.
    private let lineRanges: [Range<Int>]

    /// The lines of `input`, or an error that is the interpreter's.
    ///
    /// When the compiled path fails, the input is mapped once more by the interpreter and its error thrown: the
    /// interpreter reads every record before mapping any, so for an input of several records its first error
    /// may be a later record's read error where the record-by-record path stops at an earlier record's rule
    /// error. Should the interpreter map the input after all, its events are the lines. Failures are dead-lettered
    /// and rare; the second pass costs nothing on the path that succeeds.
    init(engine: MappingEngine, input: [UInt8], inputName: String) throws(MappingError) {
        if let lines = Self.compiled(engine: engine, input: input, inputName: inputName) {
            self = lines
            return
        }
        var bytes: [UInt8] = []
        for event in try engine.events(from: input, inputName: inputName) {
            bytes.append(contentsOf: event.encoded())
            bytes.append(0x0A)
        }
        self.init(lines: bytes)
    }

    /// The lines of `input` through ``MappingEngine/writeEventLines(from:inputName:metadata:_:)``; nil when it
    /// throws, for the caller to map the input with the interpreter and report the interpreter's failure, and nil
    /// when the mapping has no compiled plan (the interpreter then maps the input directly: the same events,
    /// without writing and reading back lines).
    static func compiled(engine: MappingEngine, input: [UInt8], inputName: String) -> MappedEventLines? {
        guard engine.hasCompiledPlan else { return nil }
        var bytes: [UInt8] = []
        do throws(MappingError) {
            try engine.writeEventLines(from: input, inputName: inputName) { bytes.append(contentsOf: $0) }
        } catch {
            return nil
        }
        return MappedEventLines(lines: bytes)
    }

    private init(lines bytes: [UInt8]) {
        var ranges: [Range<Int>] = []
        var start = 0
        bytes.withUnsafeBufferPointer { buffer in
            for index in buffer.indices where buffer[index] == 0x0A {
                ranges.append(start..<index)
                start = index + 1
            }
        }
        // `writeEventLines` ends every line with a newline; a last line without one is kept all the same.
        if start < bytes.count { ranges.append(start..<bytes.count) }
        self.bytes = bytes
        lineRanges = ranges
    }

    /// How many events (lines) the input made.
    var count: Int { lineRanges.count }

    /// Line `index` decoded as a CloudEvent in JSON format, straight from the line's bytes.
    func event(at index: Int) throws(CloudEventError) -> CloudEvent {
        let range = lineRanges[index]
        let result: Result<CloudEvent, CloudEventError> = bytes.withUnsafeBytes { raw in
            do throws(CloudEventError) {
                return .success(try CloudEventJSONFormat.decode(UnsafeRawBufferPointer(rebasing: raw[range])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
