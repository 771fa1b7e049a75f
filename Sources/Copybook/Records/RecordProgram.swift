import CodePages

/// A record layout compiled to a flat list of steps: JSON punctuation and keys merged into literals, then one
/// step per field occurrence at its static offset. Used for layouts whose shape does not vary per record (no
/// OCCURS DEPENDING ON, no segment-selected REDEFINES, no debug hex); the tree walker in ``RecordDecoder`` does
/// the rest.
///
/// A step never reports errors: it either writes a perfectly valid value or gives up, and the record is then
/// decoded again by the tree walker, which owns every error message, null and policy.
struct RecordProgram: Sendable {
    enum Operation: UInt8, Sendable {
        /// Copy `literalCount` bytes of the literal pool from `literalStart`.
        case literal
        /// Packed decimal (COMP-3) with a sign nibble.
        case packed
        /// EBCDIC zoned decimal, sign in the last byte's zone.
        case zoned
        /// Text through the code page's JSON-escaped table.
        case text
        /// Big-endian binary of 2, 4 or 8 bytes.
        case binary
        /// Any other field: the node's codec through a scratch buffer.
        case codec
        /// ASCII zoned decimal without a sign: every byte a plain digit (0x30–0x39); anything else (an overpunch,
        /// spaces, low-values) goes to the codec through the tree walker.
        case zonedASCII
    }

    struct Step: Sendable {
        var operation: Operation
        var offset: Int32 = 0
        var size: Int32 = 0
        var literalStart: Int32 = 0
        var literalCount: Int32 = 0
        var digits: Int16 = 0
        var scale: Int16 = 0
        var isSigned = false
        var node: Int32 = 0
    }

    /// The JSON a record becomes, as a tree: objects, arrays and fields (by step index). Mappings locate fields
    /// in it by name (``RecordFieldReader``).
    indirect enum Shape: Sendable {
        case object([(key: String, value: Shape)])
        case array([Shape])
        case field(step: Int)
    }

    let steps: [Step]
    let shape: Shape
    let literals: [UInt8]
    /// For each byte, its JSON-escaped UTF-8 (up to 6 bytes) in 8-byte slots, the length in slot byte 7.
    let textTable: [UInt8]
    let spaceByte: UInt8
    let trimsRight: Bool
    let trimsLeft: Bool
    let lowValuesAsNull: Bool
    /// The most bytes one record can produce (text can grow six-fold when every byte needs `\u00XX`).
    let maximumOutput: Int
    let recordSize: Int

    /// Compiles `nodes` when the layout's shape is the same for every record, else nil.
    init?(nodes: [RecordDecoder.Node], layout: RecordLayout, options: RecordDecodingOptions) {
        guard !layout.hasVariableSize, !options.debugHex, options.fieldCodePages.isEmpty,
            layout.items.allSatisfy({ $0.occurs?.dependingOn == nil })
        else { return nil }
        if case .segmentField = options.redefines { return nil }
        var steps: [Step] = []
        var literals: [UInt8] = []
        var pending: [UInt8] = []
        var maximum = 0
        func literal(_ bytes: [UInt8]) { pending.append(contentsOf: bytes) }
        func flush() {
            guard !pending.isEmpty else { return }
            steps.append(Step(
                operation: .literal, literalStart: Int32(literals.count), literalCount: Int32(pending.count)))
            literals.append(contentsOf: pending)
            maximum += pending.count
            pending.removeAll()
        }
        func field(_ node: RecordDecoder.Node, at offset: Int) -> Shape {
            flush()
            var step = Step(operation: .codec, offset: Int32(offset), size: Int32(node.storageSize), node: Int32(node.id))
            switch node.codec {
            case let .packed(codec)? where codec.hasSignNibble && codec.shape.scale >= 0
                && codec.shape.scale <= codec.shape.digits:
                step.operation = .packed
                step.digits = Int16(codec.shape.digits)
                step.scale = Int16(codec.shape.scale)
                step.isSigned = codec.shape.isSigned
            case let .zoned(codec)? where codec.convention == .ebcdic && codec.signPosition == .trailing
                && codec.shape.scale >= 0 && codec.shape.scale <= codec.shape.digits:
                step.operation = .zoned
                step.scale = Int16(codec.shape.scale)
                step.isSigned = codec.shape.isSigned
            case let .zoned(codec)? where codec.convention != .ebcdic && !codec.shape.isSigned
                && codec.shape.scale >= 0 && codec.shape.scale <= codec.shape.digits:
                step.operation = .zonedASCII
                step.scale = Int16(codec.shape.scale)
            case let .text(codec)? where codec.codePage == options.codePage && !codec.isJustifiedRight:
                step.operation = .text
            case let .binary(codec)? where codec.byteOrder == .bigEndian && [2, 4, 8].contains(codec.byteCount)
                && codec.shape.scale >= 0 && codec.shape.scale <= 18:
                step.operation = .binary
                step.scale = Int16(codec.shape.scale)
                step.isSigned = codec.shape.isSigned
            default:
                break
            }
            steps.append(step)
            maximum += node.storageSize * 6 + 48
            return .field(step: steps.count - 1)
        }
        func group(_ node: RecordDecoder.Node, at start: Int) -> Shape {
            literal([UInt8(ascii: "{")])
            var members: [(key: String, value: Shape)] = []
            var first = true
            for childID in node.children {
                let child = nodes[childID]
                guard child.isEmitted else { continue }
                if !first { literal([UInt8(ascii: ",")]) }
                first = false
                literal(child.key)
                members.append((child.name, member(child, at: start + child.relativeOffset)))
            }
            literal([UInt8(ascii: "}")])
            return .object(members)
        }
        func member(_ node: RecordDecoder.Node, at start: Int) -> Shape {
            if let occurs = node.occurs {
                literal([UInt8(ascii: "[")])
                var elements: [Shape] = []
                for index in 0..<occurs.maximum {
                    if index > 0 { literal([UInt8(ascii: ",")]) }
                    elements.append(occurrence(node, at: start + index * node.storageSize))
                }
                literal([UInt8(ascii: "]")])
                return .array(elements)
            } else {
                return occurrence(node, at: start)
            }
        }
        func occurrence(_ node: RecordDecoder.Node, at start: Int) -> Shape {
            if node.codec == nil { group(node, at: start) } else { field(node, at: start) }
        }
        if !options.collapseRoot {
            literal([UInt8(ascii: "{")])
            literal(nodes[0].key)
        }
        let body = group(nodes[0], at: 0)
        if !options.collapseRoot { literal([UInt8(ascii: "}")]) }
        shape = options.collapseRoot ? body : .object([(nodes[0].name, body)])
        literal([UInt8(ascii: "\n")])
        flush()

        var table = [UInt8](repeating: 0, count: 256 * 8)
        for byte in 0...255 {
            var escaped: [UInt8] = []
            _ = [UInt8(byte)].withUnsafeBytes { options.codePage.appendJSONEscaped(decoding: $0, to: &escaped) }
            guard escaped.count <= 7 else { return nil }
            for (i, value) in escaped.enumerated() { table[byte * 8 + i] = value }
            table[byte * 8 + 7] = UInt8(escaped.count)
        }
        self.steps = steps
        self.literals = literals
        self.textTable = table
        self.spaceByte = options.codePage.spaceByte
        self.trimsRight = options.trimming == .right || options.trimming == .both
        self.trimsLeft = options.trimming == .left || options.trimming == .both
        self.lowValuesAsNull = options.lowValuesAsNull
        self.maximumOutput = maximum
        self.recordSize = layout.size
    }

    /// Appends the record's JSON line to `output`; false (nothing appended) when some field is not perfectly
    /// valid or the record is shorter than the layout.
    func run(_ record: UnsafeRawBufferPointer, nodes: [RecordDecoder.Node], into output: inout [UInt8]) -> Bool {
        guard record.count >= recordSize, let base = record.baseAddress else { return false }
        var scratch: [UInt8] = []
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumOutput) { buffer -> Bool in
            let out = buffer.baseAddress!
            var at = 0
            return literals.withUnsafeBufferPointer { pool in
                textTable.withUnsafeBufferPointer { table in
                    for step in steps {
                        let field = UnsafeRawBufferPointer(start: base + Int(step.offset), count: Int(step.size))
                        switch step.operation {
                        case .literal:
                            Self.copy(pool.baseAddress! + Int(step.literalStart), Int(step.literalCount), to: out + at)
                            at += Int(step.literalCount)
                        case .packed:
                            guard Self.packed(field, Int(step.digits), Int(step.scale), step.isSigned, out, &at) else { return false }
                        case .zoned:
                            guard Self.zoned(field, Int(step.scale), step.isSigned, out, &at) else { return false }
                        case .zonedASCII:
                            guard Self.zoned(field, Int(step.scale), false, out, &at, digitZone: 0x3) else { return false }
                        case .binary:
                            guard Self.binary(field, Int(step.scale), step.isSigned, out, &at) else { return false }
                        case .text:
                            text(field, table.baseAddress!, out, &at)
                        case .codec:
                            guard Self.codec(nodes[Int(step.node)], field, &scratch, lowValuesAsNull: lowValuesAsNull) else {
                                return false
                            }
                            guard at + scratch.count <= maximumOutput else { return false }
                            scratch.withUnsafeBufferPointer { (out + at).update(from: $0.baseAddress!, count: $0.count) }
                            at += scratch.count
                        }
                    }
                    output.append(contentsOf: UnsafeBufferPointer(start: out, count: at))
                    return true
                }
            }
        }
    }

    // The steps. Each writes at `out + at` and advances `at`, or returns false having written nothing useful.

    /// Copies a short run without a call into `memmove`: keys and punctuation are a few dozen bytes.
    @inline(__always)
    static func copy(_ source: UnsafePointer<UInt8>, _ count: Int, to target: UnsafeMutablePointer<UInt8>) {
        guard count <= 64 else {
            target.update(from: source, count: count)
            return
        }
        var i = 0
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(target)
        while i + 8 <= count {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count {
            target[i] = source[i]
            i += 1
        }
    }

    /// For each byte of packed digits, its two ASCII digits (high nibble first, as stored little-endian in the
    /// UInt16), or 0 when a nibble is not a digit.
    static let digitPairs: [UInt16] = (0...255).map { byte in
        let high = byte >> 4
        let low = byte & 0x0F
        guard high <= 9, low <= 9 else { return 0 }
        return UInt16(0x30 | high) | UInt16(0x30 | low) << 8
    }

    @inline(__always)
    static func packed(
        _ bytes: UnsafeRawBufferPointer, _ digits: Int, _ scale: Int, _ isSigned: Bool,
        _ out: UnsafeMutablePointer<UInt8>, _ at: inout Int
    ) -> Bool {
        let count = bytes.count
        let pad = count * 2 - 1 - digits
        guard pad == 0 || pad == 1, count <= 20 else { return false }
        let last = bytes[count - 1]
        let sign = last & 0x0F
        // Signed fields: C, D, or F (positive, not preferred but valid); unsigned: F only.
        guard isSigned ? (sign == 0xC || sign == 0xD || sign == 0xF) : sign == 0xF else { return false }
        guard last >> 4 <= 9 else { return false }
        // All nibbles as ASCII digits into a local buffer, two per byte, validating as we go.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { local -> Bool in
            let text = local.baseAddress!
            return digitPairs.withUnsafeBufferPointer { pairs -> Bool in
                var valid = true
                for index in 0..<(count - 1) {
                    let pair = pairs[Int(bytes[index])]
                    valid = valid && pair != 0
                    UnsafeMutableRawPointer(text).storeBytes(of: pair, toByteOffset: index * 2, as: UInt16.self)
                }
                text[count * 2 - 2] = 0x30 | (last >> 4)
                guard valid else { return false }
                // Digits start after the pad nibble, which must be zero.
                if pad == 1 && text[0] != 0x30 { return false }
                let digitsStart = text + pad
                let integerDigits = digits - scale
                var first = 0
                while first < integerDigits - 1 && digitsStart[first] == 0x30 { first += 1 }
                if sign == 0xD {
                    var nonZero = false
                    for i in first..<digits where digitsStart[i] != 0x30 { nonZero = true; break }
                    if nonZero { out[at] = 0x2D; at += 1 }
                }
                if integerDigits == 0 { out[at] = 0x30; at += 1 }
                for i in first..<integerDigits { out[at] = digitsStart[i]; at += 1 }
                if scale > 0 {
                    out[at] = 0x2E
                    at += 1
                    for i in integerDigits..<digits { out[at] = digitsStart[i]; at += 1 }
                }
                return true
            }
        }
    }

    @inline(__always)
    static func zoned(
        _ bytes: UnsafeRawBufferPointer, _ scale: Int, _ isSigned: Bool, _ out: UnsafeMutablePointer<UInt8>,
        _ at: inout Int, digitZone: UInt8 = 0xF
    ) -> Bool {
        let digits = bytes.count
        let zone = bytes[digits - 1] >> 4
        guard isSigned ? (zone == 0xC || zone == 0xD || zone == 0xF) : zone == digitZone else { return false }
        var nonZero: UInt8 = 0
        for index in 0..<digits {
            let byte = bytes[index]
            if byte & 0x0F > 9 || (index < digits - 1 && byte >> 4 != digitZone) { return false }
            nonZero |= byte & 0x0F
        }
        if zone == 0xD && nonZero != 0 { out[at] = 0x2D; at += 1 }
        let integerDigits = digits - scale
        if integerDigits == 0 { out[at] = 0x30; at += 1 }
        var started = false
        for position in 0..<digits {
            let digit = bytes[position] & 0x0F
            if position == integerDigits {
                if !started && integerDigits > 0 { out[at] = 0x30; at += 1 }
                out[at] = 0x2E
                at += 1
                started = true
            }
            if !started && digit == 0 && position < integerDigits - 1 { continue }
            started = true
            out[at] = 0x30 | digit
            at += 1
        }
        return true
    }

    @inline(__always)
    static func binary(
        _ bytes: UnsafeRawBufferPointer, _ scale: Int, _ isSigned: Bool, _ out: UnsafeMutablePointer<UInt8>,
        _ at: inout Int
    ) -> Bool {
        var negative = false
        var magnitude: UInt64
        switch bytes.count {
        case 2:
            let raw = UInt16(bigEndian: bytes.loadUnaligned(as: UInt16.self))
            if isSigned, Int16(bitPattern: raw) < 0 { negative = true; magnitude = UInt64(Int16(bitPattern: raw).magnitude) }
            else { magnitude = UInt64(raw) }
        case 4:
            let raw = UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self))
            if isSigned, Int32(bitPattern: raw) < 0 { negative = true; magnitude = UInt64(Int32(bitPattern: raw).magnitude) }
            else { magnitude = UInt64(raw) }
        default:
            let raw = UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
            if isSigned, Int64(bitPattern: raw) < 0 { negative = true; magnitude = Int64(bitPattern: raw).magnitude }
            else { magnitude = raw }
        }
        // Digits, least significant first.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            var value = magnitude
            repeat {
                raw[count] = UInt8(value % 10)
                value /= 10
                count += 1
            } while value != 0
            while count <= scale {
                raw[count] = 0
                count += 1
            }
            if negative && magnitude != 0 { out[at] = 0x2D; at += 1 }
            for index in stride(from: count - 1, through: 0, by: -1) {
                if index == scale - 1 { out[at] = 0x2E; at += 1 }
                out[at] = 0x30 | raw[index]
                at += 1
            }
        }
        return true
    }

    @inline(__always)
    func text(
        _ bytes: UnsafeRawBufferPointer, _ table: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, _ at: inout Int
    ) {
        var start = 0
        var end = bytes.count
        if lowValuesAsNull {
            var zero = true
            for byte in bytes where byte != 0 { zero = false; break }
            if zero {
                for (i, letter) in "null".utf8.enumerated() { out[at + i] = letter }
                at += 4
                return
            }
        }
        // As AlphanumericCodec trims: spaces, and LOW-VALUES too when they mean null.
        let dropsLow = lowValuesAsNull
        if trimsRight {
            while end > start && (bytes[end - 1] == spaceByte || (dropsLow && bytes[end - 1] == 0)) { end -= 1 }
        }
        if trimsLeft {
            while start < end && (bytes[start] == spaceByte || (dropsLow && bytes[start] == 0)) { start += 1 }
        }
        out[at] = 0x22
        at += 1
        for index in start..<end {
            let slot = table + Int(bytes[index]) * 8
            let length = Int(slot[7])
            if length == 1 {
                out[at] = slot[0]
            } else {
                for i in 0..<length { out[at + i] = slot[i] }
            }
            at += length
        }
        out[at] = 0x22
        at += 1
    }

    /// Other fields through their codec into `scratch`; false unless the result is a written value (or a null
    /// LOW-VALUES text).
    static func codec(
        _ node: RecordDecoder.Node, _ bytes: UnsafeRawBufferPointer, _ scratch: inout [UInt8], lowValuesAsNull: Bool
    ) -> Bool {
        scratch.removeAll(keepingCapacity: true)
        do throws(FieldCodecError) {
            let outcome: FieldJSONOutcome
            switch node.codec {
            case let .text(c)?: outcome = try c.appendJSON(bytes, to: &scratch).outcome
            case let .zoned(c)?: outcome = try c.appendJSON(bytes, to: &scratch)
            case let .packed(c)?: outcome = try c.appendJSON(bytes, to: &scratch)
            case let .binary(c)?: outcome = try c.appendJSON(bytes, to: &scratch)
            case let .edited(c)?: outcome = try c.appendJSON(bytes, to: &scratch)
            case let .float(c)?:
                try c.appendJSON(bytes, to: &scratch)
                outcome = .written([])
            default: return false
            }
            switch outcome {
            case .written: return true
            case .lowValues:
                scratch.append(contentsOf: "null".utf8)
                return lowValuesAsNull
            case .blank: return false
            }
        } catch {
            return false
        }
    }
}
