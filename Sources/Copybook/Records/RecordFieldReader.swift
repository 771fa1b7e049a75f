/// One elementary field of a fixed-shape layout, found once by name and then read straight from each record's
/// bytes as the JSON value ``RecordDecoder`` would write for it (the compiled step of its ``RecordProgram``).
///
/// Like a program step, a reader never reports errors: ``appendJSON(_:to:)`` either appends a perfectly valid
/// value or returns false, and the caller then decodes the whole record with ``RecordDecoder``, which owns every
/// error message, null and policy. Compiled mappings use readers to convert fields without the record's JSON.
/// A class with constant fields: a plan passes readers around per field and record without copying the program.
public final class RecordFieldReader: Sendable {
    let program: RecordProgram
    let step: RecordProgram.Step
    let node: RecordDecoder.Node
    /// The field's position among the record's fields in output order: equal positions, the same field.
    public let position: Int

    init(program: RecordProgram, step: RecordProgram.Step, node: RecordDecoder.Node, position: Int) {
        self.program = program
        self.step = step
        self.node = node
        self.position = position
    }

    /// The COBOL name of the field.
    public var name: String { node.name }
    /// The field's byte offset in the record.
    public var offset: Int { Int(step.offset) }
    /// The field's size in bytes.
    public var size: Int { Int(step.size) }
    /// Bytes a record needs for the reader (the layout's size, as the compiled program requires).
    public var recordSize: Int { program.recordSize }
    /// Whether every byte pattern decodes (text through the code page): such a field never makes a record fail.
    public var alwaysDecodes: Bool { step.operation == .text }

    /// For a numeric field read by a compiled step (packed, zoned or binary): the most digits its value can have and
    /// its scale. Such a value is always written as `-?(0|[1-9][0-9]*)` followed, when the scale is not zero, by `.`
    /// and exactly `scale` digits. Nil for other fields.
    public var numericForm: (digits: Int, scale: Int)? {
        switch step.operation {
        case .packed: (Int(step.digits), Int(step.scale))
        case .zoned, .zonedASCII: (Int(step.size), Int(step.scale))
        case .binary: (20, Int(step.scale))
        case .text, .codec, .literal: nil
        }
    }

    /// Whether the field is text through the code page (its value depends on its bytes alone, each byte by itself).
    public var isText: Bool { step.operation == .text }

    /// Whether the field is read as plain ASCII digits without sign or scale: such a value is written as the number
    /// the digits make (leading zeros dropped), and any other byte makes the reader fail.
    public var isUnsignedASCIIDigits: Bool { step.operation == .zonedASCII && step.scale == 0 }

    /// The most bytes ``writeJSON(_:to:at:scratch:)`` writes for the field.
    public var maximumJSONCount: Int { Int(step.size) * 6 + 48 }

    /// Writes the field's JSON value (a string, a number or `null`) for `record` at `output + at` and advances
    /// `at`; false, with `at` unchanged, when the value is not perfectly valid or the record is shorter than the
    /// layout. `output` must have room for ``maximumJSONCount`` bytes from `at`; `scratch` is reused by fields
    /// that go through their codec. The same bytes as ``appendJSON(_:to:)``, without a buffer per call.
    public func writeJSON(
        _ record: UnsafeRawBufferPointer, to output: UnsafeMutablePointer<UInt8>, at: inout Int, scratch: inout [UInt8]
    ) -> Bool {
        guard record.count >= program.recordSize, let base = record.baseAddress else { return false }
        let field = UnsafeRawBufferPointer(start: base + Int(step.offset), count: Int(step.size))
        var end = at
        switch step.operation {
        case .packed:
            guard RecordProgram.packed(field, Int(step.digits), Int(step.scale), step.isSigned, output, &end) else { return false }
        case .zoned:
            guard RecordProgram.zoned(field, Int(step.scale), step.isSigned, output, &end) else { return false }
        case .zonedASCII:
            guard RecordProgram.zoned(field, Int(step.scale), false, output, &end, digitZone: 0x3) else { return false }
        case .binary:
            guard RecordProgram.binary(field, Int(step.scale), step.isSigned, output, &end) else { return false }
        case .text:
            program.textTable.withUnsafeBufferPointer { table in program.text(field, table.baseAddress!, output, &end) }
        case .codec:
            scratch.removeAll(keepingCapacity: true)
            guard RecordProgram.codec(node, field, &scratch, lowValuesAsNull: program.lowValuesAsNull),
                scratch.count <= maximumJSONCount
            else { return false }
            if !scratch.isEmpty { scratch.withUnsafeBufferPointer { (output + end).update(from: $0.baseAddress!, count: $0.count) } }
            end += scratch.count
        case .literal:
            return false
        }
        at = end
        return true
    }

    /// Appends the field's JSON value (a string, a number or `null`) for `record` to `output`; false, with
    /// nothing appended, when the value is not perfectly valid or the record is shorter than the layout.
    public func appendJSON(_ record: UnsafeRawBufferPointer, to output: inout [UInt8]) -> Bool {
        guard record.count >= program.recordSize, let base = record.baseAddress else { return false }
        let field = UnsafeRawBufferPointer(start: base + Int(step.offset), count: Int(step.size))
        if step.operation == .codec {
            // The codec writes into an emptied buffer: the output itself when it is empty.
            if output.isEmpty {
                guard RecordProgram.codec(node, field, &output, lowValuesAsNull: program.lowValuesAsNull) else {
                    output.removeAll(keepingCapacity: true)
                    return false
                }
                return true
            }
            var scratch: [UInt8] = []
            guard RecordProgram.codec(node, field, &scratch, lowValuesAsNull: program.lowValuesAsNull) else { return false }
            output.append(contentsOf: scratch)
            return true
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(step.size) * 6 + 48) { buffer -> Bool in
            let out = buffer.baseAddress!
            var at = 0
            switch step.operation {
            case .packed:
                guard RecordProgram.packed(field, Int(step.digits), Int(step.scale), step.isSigned, out, &at) else { return false }
            case .zoned:
                guard RecordProgram.zoned(field, Int(step.scale), step.isSigned, out, &at) else { return false }
            case .zonedASCII:
                guard RecordProgram.zoned(field, Int(step.scale), false, out, &at, digitZone: 0x3) else { return false }
            case .binary:
                guard RecordProgram.binary(field, Int(step.scale), step.isSigned, out, &at) else { return false }
            case .text:
                program.textTable.withUnsafeBufferPointer { table in program.text(field, table.baseAddress!, out, &at) }
            case .literal, .codec:
                return false
            }
            output.append(contentsOf: UnsafeBufferPointer(start: out, count: at))
            return true
        }
    }
}

extension RecordDecoder {
    /// The reader of the field `reference` names in the record's JSON, resolved as a mapping resolves it: a dotted
    /// path walks objects (and array indices) from the root; otherwise, or when the path finds nothing, the first
    /// member so named at any depth (a level's own members before its groups', arrays not searched). Nil when the
    /// layout has no compiled program, or the name finds nothing or a group or table.
    public func fieldReader(for reference: String) -> RecordFieldReader? {
        guard let program else { return nil }
        typealias Shape = RecordProgram.Shape
        func member(_ shape: Shape?, _ key: String) -> Shape? {
            guard case let .object(members)? = shape else { return nil }
            return members.first { $0.key == key }?.value
        }
        func firstMember(named name: String, in shape: Shape) -> Shape? {
            guard case let .object(members) = shape else { return nil }
            for member in members where member.key == name { return member.value }
            for member in members {
                if case .object = member.value, let found = firstMember(named: name, in: member.value) { return found }
            }
            return nil
        }
        var found: Shape?
        if reference.utf8.contains(UInt8(ascii: ".")) {
            var current: Shape? = program.shape
            for part in reference.split(separator: ".") {
                let key = String(part)
                if let index = Int(key), case let .array(items)? = current {
                    current = index < items.count ? items[index] : nil
                } else {
                    current = member(current, key)
                }
            }
            found = current
        }
        if found == nil { found = firstMember(named: reference, in: program.shape) }
        guard case let .field(index)? = found else { return nil }
        return reader(step: index)
    }

    /// A reader for every field the record's JSON holds, in output order (nil without a compiled program).
    public var fieldReaders: [RecordFieldReader]? {
        guard let program else { return nil }
        return program.steps.indices.compactMap { program.steps[$0].operation == .literal ? nil : reader(step: $0) }
    }

    private func reader(step index: Int) -> RecordFieldReader? {
        guard let program else { return nil }
        let step = program.steps[index]
        return RecordFieldReader(program: program, step: step, node: nodes[Int(step.node)], position: index)
    }
}
