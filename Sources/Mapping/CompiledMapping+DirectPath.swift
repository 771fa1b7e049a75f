import Copybook
import Events
import Foundation

/// The direct path of a ``CompiledMapping``, for data objects whose leaves come in rule order, each written by one
/// rule (whichever rules apply). Each rule that reads one field (text, decimal, date or code table) has its field
/// written by the reader straight into the event's data and converted where it lies (a date rewritten as ISO, a code
/// replaced by its value, a decimal padded to its scale); one-byte text fields are looked up in a table of their 256
/// outcomes, dates from ASCII digits read in place; constants are copied; any other rule (concatenation, mask, hash,
/// metadata, other types) is converted by the slot path's own code from the few slots such rules and conditions
/// read. When every rule applies, the object's literals are fixed (precomputed); otherwise it is written rule by
/// rule, objects opened and closed as the applied rules' paths change. The data goes into one buffer that is also
/// the id's hashed name, and the ids of eight lines are hashed together.
///
/// Anything unusual in a record (a value with escapes, a blank required value, a code not in the table, a text
/// rule over a number with a default …) hands the record to the slot path (``appendEventLine(record:metadata:to:buffers:defersID:)``'s
/// general loop), which handles every case the plan handles and passes the rest to the interpreter. The bytes are
/// the same on every path (`CompiledMappingTests`).
extension CompiledMapping {
    /// One rule of the direct path, in trivial fields (read per record without retaining anything): what it does,
    /// the field's reader, and its bytes (constant, default, code table) in ``DirectProgram/pool``.
    struct DirectStep {
        enum Kind: UInt8 {
            case constant, text, decimal, date, codes
            /// A one-byte text field: its outcome for each of the 256 byte values, worked out at compile time
            /// (``DirectProgram/byteOutcomes``).
            case byteTable
            /// A date from ASCII digits, read straight from the record.
            case digitsDate
            /// Any other rule (a concatenation, a mask or hash, metadata, a type the steps above do not write):
            /// the slot path's own conversion of the rule, from the record's decoded slots.
            case general
        }
        var kind: Kind
        var reader: Unmanaged<RecordFieldReader>?
        /// The rule has a condition (``CompiledMapping/Rule/condition``), checked on the record's slots.
        var isConditional = false
        var trims = false
        var isRequired = false
        var isString = false
        var hasFallback = false
        /// The default's (or the constant's) encoded bytes in the pool.
        var valueStart: Int32 = 0
        var valueCount: Int32 = 0
        /// The decimal's scale, -1 for none.
        var scale: Int32 = -1
        /// For a decimal whose field always writes its value in the decimal's form (a packed, zoned or binary field
        /// of a scale no greater than the rule's): the zeros to append (and whether a point comes first), with no
        /// check of the text; -1 when the text is checked (``CompiledMapping/decimalRescaling(_:scale:)``).
        var trustedZeros: Int32 = -1
        var trustedPoint = false
        var dateFormat: LegacyDateFormat = .ccyymmdd
        var centuryPivot: Int32 = 0
        /// The rule's entries in ``DirectProgram/codes``.
        var codesStart: Int32 = 0
        var codesCount: Int32 = 0
        /// For `byteTable`: where the field's 256 outcomes start in ``DirectProgram/byteOutcomes``; for
        /// `digitsDate`, the field's offset and size in the record.
        var tableStart: Int32 = 0
        var fieldOffset: Int32 = 0
        var fieldSize: Int32 = 0
    }

    /// A code table entry of the direct path: the code and its encoded value in the pool.
    struct DirectCode {
        var codeStart: Int32
        var codeCount: Int32
        var encodedStart: Int32
        var encodedCount: Int32
        /// Written as it is; otherwise the slot path converts it.
        var isFinal: Bool
    }

    /// The direct path of a mapping: a step per rule, their bytes in one pool.
    struct DirectProgram: @unchecked Sendable {
        // @unchecked: the readers are held (and kept alive) by the plan's `slotReaders`, immutable.
        var steps: [DirectStep] = []
        var codes: [DirectCode] = []
        var pool: [UInt8] = []
        /// Per one-byte field, per byte value: the value's bytes in the pool (`start << 8 | count`), or
        /// ``DirectProgram/unusualByte`` when such a record needs the slot path.
        var byteOutcomes: [UInt32] = []
        static var unusualByte: UInt32 { UInt32.max }

        /// Slots the general and conditional steps read (decoded per record beside the templates').
        var slotsRead: Set<Int> = []
        /// Each output node's key (`"name":`) in the pool: `nodeKeyStart[n]`, `nodeKeyCount[n]`.
        var nodeKeyStart: [Int32] = []
        var nodeKeyCount: [Int32] = []
        /// Each step's output nodes from the top-level member to the leaf: `paths[pathStart[i]..<pathStart[i + 1]]`.
        var paths: [Int32] = []
        var pathStart: [Int32] = [0]
        /// The deepest leaf's depth (top-level members: 1).
        var depth = 1

        /// The program for `rules`, or nil when their leaves are not written in rule order, each by one rule (the
        /// data object is then written by linking nodes, on the slot path).
        init?(rules: [Rule], nodes: [OutputNode], slotReaders: [RecordFieldReader], leavesInRuleOrder: Bool) {
            guard leavesInRuleOrder else { return nil }
            for node in nodes {
                let (start, count) = add(node.key)
                nodeKeyStart.append(start)
                nodeKeyCount.append(count)
            }
            for rule in rules {
                paths += rule.nodes.map { Int32($0) }
                pathStart.append(Int32(paths.count))
                depth = max(depth, rule.nodes.count)
            }
            for rule in rules {
                var step: DirectStep
                switch (rule.origin, rule.conversion) {
                case let (.constant(bytes), _):
                    step = DirectStep(kind: .constant)
                    (step.valueStart, step.valueCount) = add(bytes)
                case let (.source(.field(slot)), conversion) where conversion.isDirect:
                    switch conversion {
                    case .text: step = DirectStep(kind: .text)
                    case let .decimal(scale):
                        step = DirectStep(kind: .decimal, scale: Int32(scale ?? -1))
                        if let (digits, fieldScale) = slotReaders[slot].numericForm {
                            let target = scale ?? fieldScale
                            if target >= fieldScale, digits - fieldScale + target <= 38 {
                                step.trustedZeros = Int32(target - fieldScale)
                                step.trustedPoint = fieldScale == 0 && target > 0
                            }
                        }
                    case let .date(format, pivot): step = DirectStep(kind: .date, dateFormat: format, centuryPivot: Int32(pivot))
                    case let .codes(entries):
                        step = DirectStep(kind: .codes, codesStart: Int32(codes.count), codesCount: Int32(entries.count))
                        for entry in entries {
                            let (codeStart, codeCount) = add(entry.code)
                            let (encodedStart, encodedCount) = add(entry.encoded)
                            codes.append(DirectCode(
                                codeStart: codeStart, codeCount: codeCount, encodedStart: encodedStart,
                                encodedCount: encodedCount, isFinal: entry.isFinal))
                        }
                    case .general: return nil
                    }
                    step.reader = Unmanaged.passUnretained(slotReaders[slot])
                default:
                    step = DirectStep(kind: .general)
                    slotsRead.formUnion(rule.origin.slots)
                }
                if let condition = rule.condition {
                    step.isConditional = true
                    slotsRead.formUnion(condition.slots)
                }
                if step.kind == .constant || step.kind == .general {
                    steps.append(step)
                    continue
                }
                step.trims = rule.trims
                step.isRequired = rule.isRequired
                step.isString = rule.isString
                if let fallback = rule.fallback {
                    step.hasFallback = true
                    (step.valueStart, step.valueCount) = add(fallback)
                }
                let reader = step.reader!.takeUnretainedValue()
                if reader.isText && reader.size == 1 {
                    tabulate(&step, reader)
                } else if step.kind == .date, reader.isUnsignedASCIIDigits, reader.size <= step.dateFormat.digitCount {
                    step.kind = .digitsDate
                    step.fieldOffset = Int32(reader.offset)
                    step.fieldSize = Int32(reader.size)
                }
                steps.append(step)
            }
            pad()
        }

        /// Turns a step over a one-byte text field into a table: for each byte value, the value the general steps
        /// write for a record holding it (the reader's JSON value converted in place), or unusual.
        private mutating func tabulate(_ step: inout DirectStep, _ reader: RecordFieldReader) {
            let general = step
            pad()  // the general steps copy defaults and codes 16 bytes at a time
            var record = [UInt8](repeating: 0, count: reader.recordSize)
            var scratch: [UInt8] = []
            var outcomes: [UInt32] = []
            var value = [UInt8](repeating: 0, count: reader.maximumJSONCount + max(64, Int(general.valueCount)) + 64)
            for byte in 0...255 {
                record[reader.offset] = UInt8(byte)
                let written = record.withUnsafeBytes { bytes in
                    value.withUnsafeMutableBufferPointer { buffer -> Int? in
                        var cursor = DataCursor(out: buffer.baseAddress!)
                        let steps = [general]
                        let outcome = steps.withUnsafeBufferPointer { steps in
                            pool.withUnsafeBufferPointer { pool in
                                codes.withUnsafeBufferPointer { codes in
                                    CompiledMapping.writeGeneral(steps[0], Unmanaged.passUnretained(reader), bytes, pool, codes, &cursor, &scratch)
                                }
                            }
                        }
                        guard case .written = outcome else { return nil }
                        return cursor.at
                    }
                }
                if let written, written < 256 {
                    let start = pool.count
                    pool += value[0..<written]
                    outcomes.append(UInt32(start) << 8 | UInt32(written))
                } else {
                    outcomes.append(Self.unusualByte)
                }
            }
            step.kind = .byteTable
            step.tableStart = Int32(byteOutcomes.count)
            step.fieldOffset = Int32(reader.offset)
            byteOutcomes += outcomes
        }

        /// Calls `body` with the program's arrays as buffers.
        func withTables<Result>(_ body: (DirectTables) -> Result) -> Result {
            steps.withUnsafeBufferPointer { steps in
                pool.withUnsafeBufferPointer { pool in
                    codes.withUnsafeBufferPointer { codes in
                        byteOutcomes.withUnsafeBufferPointer { byteOutcomes in
                            paths.withUnsafeBufferPointer { paths in
                                pathStart.withUnsafeBufferPointer { pathStarts in
                                    nodeKeyStart.withUnsafeBufferPointer { keyStarts in
                                        nodeKeyCount.withUnsafeBufferPointer { keyCounts in
                                            body(DirectTables(
                                                steps: steps, pool: pool, codes: codes, byteOutcomes: byteOutcomes, paths: paths,
                                                pathStarts: pathStarts, keyStarts: keyStarts, keyCounts: keyCounts))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// Pads the pool: short values are copied 16 bytes at a time.
        mutating func pad() { pool += Array(repeating: 0, count: 16) }

        private mutating func add(_ bytes: [UInt8]) -> (Int32, Int32) {
            let start = Int32(pool.count)
            pool += bytes
            return (start, Int32(bytes.count))
        }
    }

    /// A direct program's arrays as buffers, for the records of one call.
    struct DirectTables {
        let steps: UnsafeBufferPointer<DirectStep>
        let pool: UnsafeBufferPointer<UInt8>
        let codes: UnsafeBufferPointer<DirectCode>
        let byteOutcomes: UnsafeBufferPointer<UInt32>
        let paths: UnsafeBufferPointer<Int32>
        let pathStarts: UnsafeBufferPointer<Int32>
        let keyStarts: UnsafeBufferPointer<Int32>
        let keyCounts: UnsafeBufferPointer<Int32>
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
        guard let direct, record.count >= recordSize else { return nil }
        // The few slots templates, the time and validation need.
        var table = SlotTable()
        swap(&table, &buffers.slots)
        defer { swap(&table, &buffers.slots) }
        guard decode(directSlots, of: record, into: &table, scratch: &buffers.scratch) else { return false }

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
            let limit = stride - 32
            let complete = table.withFields(starts: slotStart) { fields in
                writeData(record, fields, metadata, direct, &cursor, limit: limit, &scratch, &buffers)
            }
            guard complete else { return nil }
            let dataEnd = cursor.at
            cursor.at = dataStart - 4
            cursor.putLength(dataEnd - dataStart)
            return (dataStart, dataEnd)
        }
        guard let (dataStart, dataEnd) = written else { return nil }
        let uuid: UUID? = defersID ? nil : name.withUnsafeBytes {
            UUIDv5.make(namespace: EventIdentity.ferryNamespace, name: UnsafeRawBufferPointer(rebasing: $0[0..<dataEnd]))
        }
        let mark = output.count
        let appended = table.withFields(starts: slotStart) { fields in
            name.withUnsafeBufferPointer { nameBytes in
                appendEnvelope(
                    uuid: uuid, data: UnsafeBufferPointer(rebasing: nameBytes[(slotBase + dataStart)..<(slotBase + dataEnd)]),
                    correlation: correlation, fields: fields, metadata: metadata, to: &output, buffers: &buffers)
            }
        }
        if appended { buffers.directRecords += 1 }
        guard appended, defersID else { return appended }
        let slot = buffers.pendingCount
        if buffers.pendingNameEnds.count < Self.idBatchSize {
            buffers.pendingNameEnds = Array(repeating: 0, count: Self.idBatchSize)
            buffers.pendingIDOffsets = Array(repeating: 0, count: Self.idBatchSize)
        }
        buffers.pendingNameEnds[slot] = dataEnd
        buffers.pendingIDOffsets[slot] = mark + envelope.head.count
        buffers.pendingCount = slot + 1
        if buffers.pendingCount == Self.idBatchSize {
            swap(&name, &buffers.name)
            finishPendingIDs(in: &output, buffers: &buffers)
            swap(&name, &buffers.name)
        }
        return true
    }

    /// Lines whose ids are hashed together on the direct path (see `UUIDv5.make(namespace:names:into:)`).
    static var idBatchSize: Int { 8 }

    /// Hashes the names of the lines written with a placeholder id (``appendEventLine(record:metadata:to:buffers:defersID:)``
    /// with `defersID`) and writes their ids into `output`, which must hold those lines where they were written.
    public func finishPendingIDs(in output: inout [UInt8], buffers: inout Buffers) {
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

    /// The data object at the cursor: rule by rule, between the fixed literals when every rule applies, else opening
    /// and closing objects as the applied rules' paths change. False when a record needs the slot path.
    private func writeData(
        _ record: UnsafeRawBufferPointer, _ fields: DecodedFields, _ metadata: [String: String], _ direct: DirectProgram,
        _ cursor: inout DataCursor, limit: Int, _ scratch: inout [UInt8], _ buffers: inout Buffers
    ) -> Bool {
        direct.withTables { tables in
            if dataFrame != nil {
                return writeBetweenLiterals(record, tables, fields, metadata, &cursor, limit, &scratch, &buffers)
            }
            return writeRuleByRule(record, direct, tables, fields, metadata, &cursor, limit, &scratch, &buffers)
        }
    }

    /// Every rule applies: each value after its precomputed literal (keys, commas, braces), the last literal closing
    /// the object.
    @inline(__always)
    private func writeBetweenLiterals(
        _ record: UnsafeRawBufferPointer, _ tables: DirectTables, _ fields: DecodedFields, _ metadata: [String: String],
        _ cursor: inout DataCursor, _ limit: Int, _ scratch: inout [UInt8], _ buffers: inout Buffers
    ) -> Bool {
        dataFramePool.withUnsafeBufferPointer { literals in
            var literalStart = 0
            for index in 0..<tables.steps.count {
                let literalEnd = dataFrameEnds[index]
                cursor.putPadded(UnsafeBufferPointer(rebasing: literals[literalStart..<literalEnd]))
                literalStart = literalEnd
                guard case .written = apply(index, record, tables, fields, metadata, &cursor, limit, &scratch, &buffers) else {
                    return false
                }
            }
            cursor.put(UnsafeBufferPointer(rebasing: literals[literalStart..<(literals.count - 16)]))
            return true
        }
    }

    /// Some rules are conditional: the applied rules in order, each closing the objects the previous one left that
    /// its path does not share, opening those it needs (a comma before every member but an object's first), then
    /// writing its key and value; at the end every open object is closed.
    private func writeRuleByRule(
        _ record: UnsafeRawBufferPointer, _ direct: DirectProgram, _ tables: DirectTables, _ fields: DecodedFields,
        _ metadata: [String: String], _ cursor: inout DataCursor, _ limit: Int, _ scratch: inout [UInt8],
        _ buffers: inout Buffers
    ) -> Bool {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: direct.depth) { open in
            withUnsafeTemporaryAllocation(of: Bool.self, capacity: direct.depth + 1) { hasMember in
                // `open[0..<depth]`: the objects open below the data object; `hasMember[d]`: whether the object at
                // depth d (0: the data object) has a member yet.
                var depth = 0
                hasMember[0] = false
                cursor.putByte(UInt8(ascii: "{"))
                for index in 0..<tables.steps.count {
                    if tables.steps[index].isConditional {
                        let applies = unretainedRules[index]._withUnsafeGuaranteedRef { rule in
                            holds(rule.condition!, fields, metadata, &buffers.text)
                        }
                        guard let applies else { return false }
                        if !applies { continue }
                    }
                    let path = UnsafeBufferPointer(rebasing: tables.paths[Int(tables.pathStarts[index])..<Int(tables.pathStarts[index + 1])])
                    let objects = path.count - 1
                    var common = 0
                    while common < depth, common < objects, open[common] == path[common] { common += 1 }
                    while depth > common {
                        cursor.putByte(UInt8(ascii: "}"))
                        depth -= 1
                    }
                    while depth <= objects {
                        if hasMember[depth] { cursor.putByte(UInt8(ascii: ",")) }
                        hasMember[depth] = true
                        let node = Int(path[depth])
                        let keyStart = Int(tables.keyStarts[node])
                        cursor.putPadded(UnsafeBufferPointer(rebasing: tables.pool[keyStart..<(keyStart + Int(tables.keyCounts[node]))]))
                        if depth == objects { break }
                        cursor.putByte(UInt8(ascii: "{"))
                        open[depth] = path[depth]
                        depth += 1
                        hasMember[depth] = false
                    }
                    guard case .written = apply(index, record, tables, fields, metadata, &cursor, limit, &scratch, &buffers) else {
                        return false
                    }
                }
                while depth >= 0 {
                    cursor.putByte(UInt8(ascii: "}"))
                    depth -= 1
                }
                return true
            }
        }
    }

    /// One step's value at the cursor: written by the step, or by the slot path's conversion of its rule.
    @inline(__always)
    private func apply(
        _ index: Int, _ record: UnsafeRawBufferPointer, _ tables: DirectTables, _ fields: DecodedFields,
        _ metadata: [String: String], _ cursor: inout DataCursor, _ limit: Int, _ scratch: inout [UInt8],
        _ buffers: inout Buffers
    ) -> DirectOutcome {
        let step = tables.steps[index]
        guard step.kind == .general else { return writeDirect(step, record, tables, &cursor, &scratch) }
        buffers.values.removeAll(keepingCapacity: true)
        guard unretainedRules[index]._withUnsafeGuaranteedRef({ write($0, fields, metadata, &buffers) }),
            cursor.at + buffers.values.count <= limit
        else { return .unusual }
        buffers.values.withUnsafeBufferPointer { cursor.put($0) }
        return .written
    }

    /// Where the direct path writes: a position in a buffer sized for the largest name.
    struct DataCursor {
        let out: UnsafeMutablePointer<UInt8>
        var at = 0

        @inline(__always)
        mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            CompiledMapping.copy(bytes, to: out + at)
            at += bytes.count
        }

        /// Puts bytes of a padded pool (16 readable bytes from the start) into a buffer with room for 16 more.
        @inline(__always)
        mutating func putPadded(_ bytes: UnsafeBufferPointer<UInt8>) {
            CompiledMapping.copyPadded(bytes, to: out + at)
            at += bytes.count
        }

        @inline(__always)
        mutating func putByte(_ byte: UInt8) {
            out[at] = byte
            at += 1
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

    /// Copies `bytes` to `target`: the short literals and values of a record (keys, codes, defaults) byte by byte
    /// in line, longer ones with `memmove`.
    @inline(__always)
    static func copy(_ bytes: UnsafeBufferPointer<UInt8>, to target: UnsafeMutablePointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        let count = bytes.count
        if count <= 24 {
            var index = 0
            while index < count {
                target[index] = source[index]
                index += 1
            }
        } else {
            target.update(from: source, count: count)
        }
    }

    /// Copies `bytes` to `target` 16 bytes at a time: `bytes` must have 16 readable bytes from its start (a padded
    /// pool) and `target` room for 16 bytes past the copy (the name buffer's slack).
    @inline(__always)
    static func copyPadded(_ bytes: UnsafeBufferPointer<UInt8>, to target: UnsafeMutablePointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        let count = bytes.count
        if count <= 16 {
            let raw = UnsafeRawPointer(source)
            let first = raw.loadUnaligned(as: UInt64.self)
            let second = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            UnsafeMutableRawPointer(target).storeBytes(of: first, as: UInt64.self)
            UnsafeMutableRawPointer(target).storeBytes(of: second, toByteOffset: 8, as: UInt64.self)
        } else {
            target.update(from: source, count: count)
        }
    }

    /// One rule's value written at the cursor from its field's bytes.
    @inline(__always)
    private func writeDirect(
        _ step: DirectStep, _ record: UnsafeRawBufferPointer, _ tables: DirectTables, _ cursor: inout DataCursor,
        _ scratch: inout [UInt8]
    ) -> DirectOutcome {
        let pool = tables.pool
        guard let reader = step.reader else {
            cursor.putPadded(UnsafeBufferPointer(rebasing: pool[Int(step.valueStart)..<Int(step.valueStart + step.valueCount)]))
            return .written
        }
        switch step.kind {
        case .byteTable:
            let outcome = tables.byteOutcomes[Int(step.tableStart) + Int(record[Int(step.fieldOffset)])]
            guard outcome != DirectProgram.unusualByte else { return .unusual }
            let start = Int(outcome >> 8)
            cursor.putPadded(UnsafeBufferPointer(rebasing: pool[start..<(start + Int(outcome & 0xFF))]))
            return .written
        case .digitsDate:
            // What the reader and the date conversion make of ASCII digits (the number's leading zeros dropped,
            // then padded back), read in place; anything else goes the slow way.
            let digits = UnsafeRawBufferPointer(rebasing: record[Int(step.fieldOffset)..<Int(step.fieldOffset + step.fieldSize)])
            for byte in digits where byte &- 0x30 > 9 { return .unusual }
            guard let (year, month, day) = LegacyDate.dateParts(
                    digits.assumingMemoryBound(to: UInt8.self), format: step.dateFormat, centuryPivot: Int(step.centuryPivot)),
                (0...9999).contains(year)
            else { return .unusual }
            Self.writeISODate(year, month, day, at: cursor.out + cursor.at)
            cursor.at += 12
            return .written
        default:
            return Self.writeGeneral(step, reader, record, pool, tables.codes, &cursor, &scratch)
        }
    }

    /// `"YYYY-MM-DD"`, quoted, over the 12 bytes at `out` (a year of at most four digits; month and day of two).
    @inline(__always)
    static func writeISODate(_ year: Int, _ month: Int, _ day: Int, at out: UnsafeMutablePointer<UInt8>) {
        out[0] = 0x22
        out[1] = UInt8(truncatingIfNeeded: 0x30 + year / 1000)
        out[2] = UInt8(truncatingIfNeeded: 0x30 + year / 100 % 10)
        out[3] = UInt8(truncatingIfNeeded: 0x30 + year / 10 % 10)
        out[4] = UInt8(truncatingIfNeeded: 0x30 + year % 10)
        out[5] = 0x2D
        out[6] = UInt8(truncatingIfNeeded: 0x30 + month / 10)
        out[7] = UInt8(truncatingIfNeeded: 0x30 + month % 10)
        out[8] = 0x2D
        out[9] = UInt8(truncatingIfNeeded: 0x30 + day / 10)
        out[10] = UInt8(truncatingIfNeeded: 0x30 + day % 10)
        out[11] = 0x22
    }

    /// A rule's value through its field's reader: the reader's JSON value at the cursor, converted in place.
    @inline(__always)
    static func writeGeneral(
        _ step: DirectStep, _ reader: Unmanaged<RecordFieldReader>, _ record: UnsafeRawBufferPointer,
        _ pool: UnsafeBufferPointer<UInt8>, _ codes: UnsafeBufferPointer<DirectCode>, _ cursor: inout DataCursor,
        _ scratch: inout [UInt8]
    ) -> DirectOutcome {
        let out = cursor.out
        var at = cursor.at
        defer { cursor.at = at }
        let start = at
        guard reader._withUnsafeGuaranteedRef({ $0.writeJSON(record, to: out, at: &at, scratch: &scratch) }) else { return .unusual }
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
            var index = low
            while index < high {
                if out[index] == 0x5C { return .unusual }
                index += 1
            }
            if step.trims {
                while low < high, out[low] == 0x20 || out[low] == 0x09 { low += 1 }
                while high > low, out[high - 1] == 0x20 || out[high - 1] == 0x09 { high -= 1 }
            }
            isNumber = false
        case UInt8(ascii: "n"):
            return blank(step, pool, out, start, &at)
        default:
            isNumber = true
        }
        if !isNumber && low == high { return blank(step, pool, out, start, &at) }
        switch step.kind {
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
        case .decimal:
            if step.trustedZeros >= 0 {
                if step.trustedPoint { out[at] = UInt8(ascii: "."); at += 1 }
                for _ in 0..<step.trustedZeros { out[at] = 0x30; at += 1 }
                return .written
            }
            guard isNumber,
                let (point, zeros) = decimalRescaling(
                    UnsafeBufferPointer(start: out + start, count: end - start), scale: step.scale < 0 ? nil : Int(step.scale))
            else { return .unusual }
            if point { out[at] = UInt8(ascii: "."); at += 1 }
            for _ in 0..<zeros { out[at] = 0x30; at += 1 }
            return .written
        case .date:
            guard let (year, month, day) = LegacyDate.dateParts(
                    UnsafeBufferPointer(start: out + low, count: high - low), format: step.dateFormat,
                    centuryPivot: Int(step.centuryPivot)),
                (0...9999).contains(year)
            else { return .unusual }
            writeISODate(year, month, day, at: out + start)
            at = start + 12
            return .written
        case .codes:
            let count = high - low
            for index in Int(step.codesStart)..<Int(step.codesStart + step.codesCount) {
                let entry = codes[index]
                guard Int(entry.codeCount) == count else { continue }
                var same = true
                var offset = 0
                while offset < count {
                    if pool[Int(entry.codeStart) + offset] != out[low + offset] { same = false; break }
                    offset += 1
                }
                guard same else { continue }
                guard entry.isFinal else { return .unusual }
                let encoded = Int(entry.encodedStart)..<Int(entry.encodedStart + entry.encodedCount)
                Self.copyPadded(UnsafeBufferPointer(rebasing: pool[encoded]), to: out + start)
                at = start + encoded.count
                return .written
            }
            guard step.hasFallback, step.isString else { return .unusual }
            let fallback = Int(step.valueStart)..<Int(step.valueStart + step.valueCount)
            Self.copyPadded(UnsafeBufferPointer(rebasing: pool[fallback]), to: out + start)
            at = start + fallback.count
            return .written
        case .constant, .byteTable, .digitsDate, .general:
            return .unusual
        }
    }

    /// A blank value at `start`: the default, null, or the slot path when the value is required.
    @inline(__always)
    static func blank(
        _ step: DirectStep, _ pool: UnsafeBufferPointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, _ start: Int, _ at: inout Int
    ) -> DirectOutcome {
        if step.hasFallback {
            let fallback = Int(step.valueStart)..<Int(step.valueStart + step.valueCount)
            Self.copyPadded(UnsafeBufferPointer(rebasing: pool[fallback]), to: out + start)
            at = start + fallback.count
            return .written
        }
        if step.isRequired { return .unusual }
        out[start] = UInt8(ascii: "n")
        out[start + 1] = UInt8(ascii: "u")
        out[start + 2] = UInt8(ascii: "l")
        out[start + 3] = UInt8(ascii: "l")
        at = start + 4
        return .written
    }
}

extension CompiledMapping.Conversion {
    /// Whether the direct path writes this conversion itself (the others go through the slot path's conversion).
    var isDirect: Bool {
        switch self {
        case .text, .decimal, .date, .codes: true
        case .general: false
        }
    }
}

extension CompiledMapping.Origin {
    /// The slots the origin reads.
    var slots: [Int] {
        switch self {
        case let .source(.field(slot)): [slot]
        case .source(.metadata), .constant: []
        case let .concatenation(parts, _):
            parts.compactMap { part in
                if case let .source(.field(slot)) = part { slot } else { nil }
            }
        }
    }
}

extension CompiledMapping.Condition {
    /// The slots the condition reads.
    var slots: [Int] {
        switch self {
        case let .codes(.field(slot), _, _): [slot]
        case .codes(.metadata, _, _): []
        case let .level88(slot, _, _): [slot]
        }
    }
}
