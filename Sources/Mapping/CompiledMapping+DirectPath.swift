import Copybook
import Events
import Foundation

/// The direct path of a ``CompiledMapping``: for a fixed-shape data object whose rules each read one field (text,
/// decimal, date or code table) or write a constant, every field is written by its reader straight into the event's
/// data, at its place between the object's literals, and converted where it lies (a date rewritten as ISO, a code
/// replaced by its value, a decimal padded to its scale), in one buffer that is also the id's hashed name. Fields
/// are not first decoded into slots and copied; only the fields of templates and the event time, and fields no rule
/// reads (checked for invalid data), are.
///
/// Anything unusual in a record (a value with escapes, a blank required value, a code not in the table, a text
/// rule over a number with a default …) hands the record to the slot path (``appendEventLine(record:metadata:to:buffers:)``'s
/// general loop), which handles every case the plan handles and passes the rest to the interpreter. The bytes are
/// the same on every path (`CompiledMappingTests`).
extension CompiledMapping {
    /// Per rule in order, the reader of the one field it reads (nil for a constant); nil when a rule is of another
    /// kind or the data object is not fixed-shape.
    static func directReaders(rules: [Rule], slotReaders: [RecordFieldReader], isFixedShape: Bool) -> [RecordFieldReader?]? {
        guard isFixedShape else { return nil }
        var readers: [RecordFieldReader?] = []
        for rule in rules {
            switch (rule.origin, rule.conversion) {
            case (.constant, _):
                readers.append(nil)
            case let (.source(.field(slot)), conversion):
                switch conversion {
                case .text, .decimal, .date, .codes: readers.append(slotReaders[slot])
                case .general: return nil
                }
            default:
                return nil
            }
        }
        return readers
    }

    /// The outcome of one rule on the direct path.
    enum DirectOutcome {
        case written
        /// The record needs the slot path.
        case unusual
    }

    /// Appends the record's event line to `output` on the direct path: true when written, false when the record
    /// needs the interpreter (a field is invalid), nil when it needs the slot path (or the mapping has no direct path).
    /// - Parameter defersID: write the line with a placeholder id and keep its hashed name, so that the ids of
    ///   ``idBatchSize`` lines are hashed together (``finishPendingIDs(in:buffers:)``, called here when the batch is
    ///   full); the caller hands lines on only when ``Buffers/hasPendingIDs`` is false.
    func appendEventLineDirectly(
        record: UnsafeRawBufferPointer, metadata: [String: String], to output: inout [UInt8], buffers: inout Buffers,
        defersID: Bool = false
    ) -> Bool? {
        guard let directReaders, record.count >= recordSize else { return nil }
        if buffers.fieldEnd.count != slotReaders.count || buffers.fields.count != fieldsCapacity {
            buffers.fieldEnd = Array(repeating: 0, count: slotReaders.count)
            buffers.fields = Array(repeating: 0, count: fieldsCapacity)
        }
        // The few slots templates, the time and validation need.
        var fieldBytes: [UInt8] = []
        var fieldEnd: [Int] = []
        swap(&fieldBytes, &buffers.fields)
        swap(&fieldEnd, &buffers.fieldEnd)
        defer {
            swap(&fieldBytes, &buffers.fields)
            swap(&fieldEnd, &buffers.fieldEnd)
        }
        let decoded = fieldBytes.withUnsafeMutableBufferPointer { bytes -> Bool in
            guard let base = bytes.baseAddress else { return true }
            for slot in directSlots {
                var at = slotStart[slot]
                let written = unretainedSlotReaders[slot]._withUnsafeGuaranteedRef {
                    $0.writeJSON(record, to: base, at: &at, scratch: &buffers.scratch)
                }
                guard written else { return false }
                fieldEnd[slot] = at
            }
            return true
        }
        guard decoded else { return false }

        // The hashed name: kind, mapping name, correlation id, the data's length, the data.
        let correlation = metadata.isEmpty ? nil : metadata["mq.correlationId"]
        var correlationCount = 0
        if let correlation { correlationCount = correlation.utf8.count }
        let stride = identityPrefix.count + 8 + correlationCount + maximumDataCount
        if buffers.pendingCount > 0 && (!defersID || buffers.nameStride != stride) { finishPendingIDs(in: &output, buffers: &buffers) }
        let slotBase = defersID ? buffers.pendingCount * stride : 0
        if buffers.nameStride != stride || buffers.name.count < Self.idBatchSize * stride {
            buffers.nameStride = stride
            buffers.name = Array(repeating: 0, count: Self.idBatchSize * stride)
        }
        var name: [UInt8] = []
        swap(&name, &buffers.name)
        defer { swap(&name, &buffers.name) }
        var scratch: [UInt8] = []
        swap(&scratch, &buffers.scratch)
        defer { swap(&scratch, &buffers.scratch) }
        let written = name.withUnsafeMutableBufferPointer { buffer -> (dataStart: Int, dataEnd: Int)? in
            var cursor = DataCursor(out: buffer.baseAddress! + slotBase)
            identityPrefix.withUnsafeBufferPointer { cursor.put($0) }
            if var correlation {
                cursor.putLength(correlationCount)
                correlation.withUTF8 { cursor.put($0) }
            } else {
                cursor.putLength(0)
            }
            cursor.at += 4
            let dataStart = cursor.at
            let complete = dataFramePool.withUnsafeBufferPointer { literals -> Bool in
                var literalStart = 0
                for index in directReaders.indices {
                    cursor.put(UnsafeBufferPointer(rebasing: literals[literalStart..<dataFrameEnds[index]]))
                    literalStart = dataFrameEnds[index]
                    let outcome = unretainedRules[index]._withUnsafeGuaranteedRef { rule -> DirectOutcome in
                        guard let reader = directReaders[index] else {
                            if case let .constant(bytes) = rule.origin { bytes.withUnsafeBufferPointer { cursor.put($0) } }
                            return .written
                        }
                        return reader._withUnsafeGuaranteedRef { writeDirect(rule, $0, record, &cursor, &scratch) }
                    }
                    guard case .written = outcome else { return false }
                }
                cursor.put(UnsafeBufferPointer(rebasing: literals[literalStart...]))
                return true
            }
            guard complete else { return nil }
            let dataEnd = cursor.at
            cursor.at = dataStart - 4
            cursor.putLength(dataEnd - dataStart)
            return (dataStart, dataEnd)
        }
        guard let (dataStart, dataEnd) = written else { return nil }
        let uuid = defersID ? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) : name.withUnsafeBytes {
            UUIDv5.make(namespace: EventIdentity.ferryNamespace, name: UnsafeRawBufferPointer(rebasing: $0[0..<dataEnd]))
        }
        let mark = output.count
        let appended = fieldBytes.withUnsafeBufferPointer { bytes in
            fieldEnd.withUnsafeBufferPointer { ends in
                name.withUnsafeBufferPointer { nameBytes in
                    appendEnvelope(
                        uuid: uuid, data: UnsafeBufferPointer(rebasing: nameBytes[(slotBase + dataStart)..<(slotBase + dataEnd)]),
                        correlation: correlation, fields: DecodedFields(bytes: bytes, starts: slotStart, ends: ends),
                        metadata: metadata, to: &output, buffers: &buffers)
                }
            }
        }
        guard appended, defersID else { return appended }
        let slot = buffers.pendingCount
        if buffers.pendingNameEnds.count < Self.idBatchSize {
            buffers.pendingNameEnds = Array(repeating: 0, count: Self.idBatchSize)
            buffers.pendingIDOffsets = Array(repeating: 0, count: Self.idBatchSize)
        }
        buffers.pendingNameEnds[slot] = dataEnd
        buffers.pendingIDOffsets[slot] = mark + Self.idOffsetInLine
        buffers.pendingCount = slot + 1
        if buffers.pendingCount == Self.idBatchSize {
            swap(&name, &buffers.name)
            finishPendingIDs(in: &output, buffers: &buffers)
            swap(&name, &buffers.name)
        }
        return true
    }

    /// Lines whose ids are hashed together on the direct path (see `UUIDv5.make(namespace:names:into:)`).
    static let idBatchSize = 8
    /// Where a line's quoted id starts: after `{"specversion":"1.0","id":`.
    static let idOffsetInLine = #"{"specversion":"1.0","id":"#.utf8.count

    /// Hashes the names of the lines written with a placeholder id and writes their ids into `output`.
    func finishPendingIDs(in output: inout [UInt8], buffers: inout Buffers) {
        let count = buffers.pendingCount
        guard count > 0 else { return }
        buffers.pendingCount = 0
        let stride = buffers.nameStride
        withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer.self, capacity: count) { names in
            withUnsafeTemporaryAllocation(of: UUID.self, capacity: count) { uuids in
                buffers.name.withUnsafeBytes { storage in
                    for index in 0..<count {
                        names.initializeElement(
                            at: index, to: UnsafeRawBufferPointer(rebasing: storage[(index * stride)..<(index * stride + buffers.pendingNameEnds[index])]))
                    }
                    UUIDv5.make(namespace: EventIdentity.ferryNamespace, names: UnsafeBufferPointer(names), into: uuids)
                }
                output.withUnsafeMutableBufferPointer { line in
                    for index in 0..<count { JSONWriter.writeUUIDString(uuids[index], at: line.baseAddress! + buffers.pendingIDOffsets[index]) }
                }
            }
        }
    }

    /// Where the direct path writes: a position in a buffer sized for the largest name.
    struct DataCursor {
        let out: UnsafeMutablePointer<UInt8>
        var at = 0

        @inline(__always)
        mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            if let source = bytes.baseAddress, !bytes.isEmpty { (out + at).update(from: source, count: bytes.count) }
            at += bytes.count
        }

        @inline(__always)
        mutating func putLength(_ count: Int) {
            let value = UInt32(truncatingIfNeeded: count)
            out[at] = UInt8(truncatingIfNeeded: value >> 24)
            out[at + 1] = UInt8(truncatingIfNeeded: value >> 16)
            out[at + 2] = UInt8(truncatingIfNeeded: value >> 8)
            out[at + 3] = UInt8(truncatingIfNeeded: value)
            at += 4
        }
    }

    /// One rule's value written at the cursor from its field's bytes: the reader's JSON value, converted in place.
    @inline(__always)
    private func writeDirect(
        _ rule: Rule, _ reader: RecordFieldReader, _ record: UnsafeRawBufferPointer, _ cursor: inout DataCursor,
        _ scratch: inout [UInt8]
    ) -> DirectOutcome {
        let out = cursor.out
        var at = cursor.at
        defer { cursor.at = at }
        let start = at
        guard reader.writeJSON(record, to: out, at: &at, scratch: &scratch) else { return .unusual }
        let end = at
        let first = out[start]
        // The value's text: a number as written, a string's content (without escapes) trimmed as the rule says.
        var low = start
        var high = end
        let isNumber: Bool
        switch first {
        case UInt8(ascii: "\""):
            low = start + 1
            high = end - 1
            for index in low..<high where out[index] == 0x5C { return .unusual }
            if rule.trims {
                while low < high, out[low] == 0x20 || out[low] == 0x09 { low += 1 }
                while high > low, out[high - 1] == 0x20 || out[high - 1] == 0x09 { high -= 1 }
            }
            isNumber = false
        case UInt8(ascii: "n"):
            return blank(rule, out, start, &at)
        default:
            isNumber = true
        }
        if !isNumber && low == high { return blank(rule, out, start, &at) }
        switch rule.conversion {
        case .text:
            let count = high - low
            if isNumber {
                // A number as a string: quoted.
                (out + start + 1).update(from: out + start, count: count)
            } else if low != start + 1 {
                (out + start + 1).update(from: out + low, count: count)
            }
            out[start] = 0x22
            out[start + 1 + count] = 0x22
            at = start + 2 + count
            return .written
        case let .decimal(scale):
            guard isNumber, let (point, zeros) = Self.decimalRescaling(UnsafeBufferPointer(start: out + start, count: end - start), scale: scale)
            else { return .unusual }
            if point { out[at] = UInt8(ascii: "."); at += 1 }
            for _ in 0..<zeros { out[at] = 0x30; at += 1 }
            return .written
        case let .date(format, pivot):
            guard let (year, month, day) = LegacyDate.dateParts(UnsafeBufferPointer(start: out + low, count: high - low), format: format, centuryPivot: pivot),
                (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day)
            else { return .unusual }
            out[start] = 0x22
            out[start + 1] = UInt8(truncatingIfNeeded: 0x30 + year / 1000)
            out[start + 2] = UInt8(truncatingIfNeeded: 0x30 + year / 100 % 10)
            out[start + 3] = UInt8(truncatingIfNeeded: 0x30 + year / 10 % 10)
            out[start + 4] = UInt8(truncatingIfNeeded: 0x30 + year % 10)
            out[start + 5] = 0x2D
            out[start + 6] = UInt8(truncatingIfNeeded: 0x30 + month / 10)
            out[start + 7] = UInt8(truncatingIfNeeded: 0x30 + month % 10)
            out[start + 8] = 0x2D
            out[start + 9] = UInt8(truncatingIfNeeded: 0x30 + day / 10)
            out[start + 10] = UInt8(truncatingIfNeeded: 0x30 + day % 10)
            out[start + 11] = 0x22
            at = start + 12
            return .written
        case let .codes(entries):
            let code = UnsafeBufferPointer(start: out + low, count: high - low)
            for entry in entries where entry.code.elementsEqual(code) {
                guard entry.isFinal else { return .unusual }
                at = start
                entry.encoded.withUnsafeBufferPointer { (out + start).update(from: $0.baseAddress!, count: $0.count) }
                at = start + entry.encoded.count
                return .written
            }
            guard let fallback = rule.fallback, rule.isString else { return .unusual }
            fallback.withUnsafeBufferPointer { (out + start).update(from: $0.baseAddress!, count: $0.count) }
            at = start + fallback.count
            return .written
        case .general:
            return .unusual
        }
    }

    /// A blank value at `start`: the default, null, or the slot path when the value is required.
    @inline(__always)
    private func blank(_ rule: Rule, _ out: UnsafeMutablePointer<UInt8>, _ start: Int, _ at: inout Int) -> DirectOutcome {
        if let fallback = rule.fallback {
            fallback.withUnsafeBufferPointer { (out + start).update(from: $0.baseAddress!, count: $0.count) }
            at = start + fallback.count
            return .written
        }
        if rule.isRequired { return .unusual }
        out[start] = UInt8(ascii: "n")
        out[start + 1] = UInt8(ascii: "u")
        out[start + 2] = UInt8(ascii: "l")
        out[start + 3] = UInt8(ascii: "l")
        at = start + 4
        return .written
    }
}
