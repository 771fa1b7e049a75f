import ByteCoding
public import CodePages
public import Events

/// Encodes records from the JSON that ``RecordDecoder`` writes back to record bytes in the same layout and code
/// page: the reverse of decoding, for replies to legacy programs (issue 3, "Encoding back").
///
/// The JSON has the decoder's shape for the same ``RecordDecodingOptions``: keys are the COBOL names as written,
/// groups are objects, a single 01 level is collapsed when ``RecordDecodingOptions/collapseRoot``, OCCURS are arrays
/// (OCCURS DEPENDING ON: only the live elements), numbers are JSON numbers (or strings holding a decimal), text is
/// a string (trimmed or not). The layout is walked in order exactly as the decoder walks it, so shifting ODO
/// tables move the fields after them.
///
/// Policies (each also in the Copybook README):
/// - **Signs.** Preferred signs only: zone/nibble C or D in signed fields, F in unsigned ones, EBCDIC digits in zone
///   F, `+`/`-` for SIGN SEPARATE; ASCII files use ``RecordDecodingOptions/asciiZonedConvention``.
/// - **Numbers** must fit the picture (digits, scale, sign) or throw
///   ``RecordEncodingError/valueDoesNotFit(record:field:value:capacity:)``; COMP-5 holds its storage's full range.
/// - **Text** is padded with spaces (JUSTIFIED RIGHT pads on the left); text longer than the field throws
///   ``RecordEncodingError/textTooLong(record:field:bytes:capacity:)``, never cut.
/// - **null**: text → LOW-VALUES (X'00') when ``RecordDecodingOptions/lowValuesAsNull``, else spaces; DISPLAY and
///   edited numbers → spaces (what a blank numeric decodes from); national → UTF-16 spaces; COMP-3, binary and
///   floats → ``RecordEncodingError/nullNotEncodable(record:field:usage:)``; a null group makes all its fields null.
/// - **OCCURS DEPENDING ON**: the array's elements are written. `.shifting`: the record is as long as its counts
///   make it. `.maximumSize`: unused slots keep ``fillByte``. The DEPENDING ON field must agree with the array
///   length when the JSON gives it; when it is absent or null it is set from the array length.
/// - **REDEFINES**: every alternative with content (not null, not absent, some non-null field) is encoded; when
///   several are present they must produce the same bytes over the storage they share, or
///   ``RecordEncodingError/alternativesDisagree(record:field:other:offset:)`` names both. When no alternative has
///   content the storage keeps ``fillByte``; when none of them has a key at all (and no segment-id selection is
///   configured) it is a missing field.
/// - **FILLER**: with ``RecordDecodingOptions/keepFiller`` its value is read from the `FILLER` key (a missing
///   `FILLER` key is not an error: the bytes are spaces); otherwise FILLER bytes are the code page's space
///   (0x40 EBCDIC, 0x20 ASCII).
/// - **Keys**: every (non-FILLER) field the decoder would emit must be present (a missing key throws
///   ``RecordEncodingError/missingField(record:field:)``), except DEPENDING ON objects and REDEFINES alternatives
///   as above. Keys the layout does not have (`_errors`, `*_debug`) are ignored.
public struct RecordEncoder: Sendable {
    /// Encoder-only settings; everything about the JSON's shape comes from ``RecordDecodingOptions``.
    public struct Options: Sendable {
        /// How many digits COMP / COMP-4 / BINARY fields may hold (COMP-5 always holds its storage's range).
        public enum BinaryLimit: String, Sendable {
            /// The picture's digits (IBM TRUNC(STD)): `PIC S9(4) COMP` holds at most 9999. Default.
            case picture
            /// The storage's range (TRUNC(BIN), GnuCOBOL `binary-truncate: no`), as the decoder reads them.
            case storage
        }
        /// The byte written where the JSON gives nothing: FILLER when FILLER is not kept, SYNC slack bytes, unused
        /// ODO slots with ``RecordDecodingOptions/VariableOccursStorage/maximumSize``, REDEFINES storage without any
        /// alternative. Default: nil, the code page's space (0x40 EBCDIC, 0x20 ASCII).
        public var fillByte: UInt8?
        /// Default: `.picture`.
        public var binaryLimit: BinaryLimit
        /// For variable-length files whose records end inside REDEFINES storage (multi-segment files where each
        /// segment is only as long as its own view): the record ends after the last byte written from a non-null
        /// value of a REDEFINES alternative (or the last field outside alternatives), and null fields inside
        /// alternatives are not written (the decoder reads fields beyond a short record's end as null).
        /// Default: false (records have their layout's length).
        public var endsAtLastAlternativeValue: Bool

        public init(fillByte: UInt8? = nil, binaryLimit: BinaryLimit = .picture, endsAtLastAlternativeValue: Bool = false) {
            self.fillByte = fillByte
            self.binaryLimit = binaryLimit
            self.endsAtLastAlternativeValue = endsAtLastAlternativeValue
        }
    }

    /// The layout being encoded.
    public let layout: RecordLayout
    /// The options the JSON was decoded with.
    public let options: RecordDecodingOptions
    /// The encoder-only settings.
    public let encoding: Options
    /// The byte written where the JSON gives nothing (``Options/fillByte`` or the code page's space).
    public let fillByte: UInt8
    let nodes: [Node]

    // Per-record scratch, reused.
    private var objectValues: [Int]
    private var objectGiven: [Bool]
    private var actualStarts: [Int]
    private var occurrence: [Int]
    private var includes: [Bool]
    private var chainCovered: [Int]
    private var chainFirst: [Int]
    private var text: [UInt8] = []
    private var snapshot: [UInt8] = []
    private var recordNumber = 0
    /// The end of the last byte that counts for ``Options/endsAtLastAlternativeValue``.
    private var extent = 0

    /// A compiled item.
    struct Node: Sendable {
        var id: Int
        var parent: Int?
        var name: String
        var relativeOffset: Int
        var storageSize: Int
        var totalSize: Int
        var occurs: (minimum: Int, maximum: Int, dependingOn: Int?)?
        var redefines: Int?
        /// For an item that others redefine: the ids of the items redefining it, in order.
        var alternatives: [Int]
        var hasVariableSize: Bool
        var isEmitted: Bool
        var isFiller: Bool
        var isOccursObject: Bool
        /// How many earlier siblings have the same name (JSON objects may repeat `FILLER`).
        var keyOrdinal: Int
        var children: [Int]
        var codec: RecordDecoder.FieldCodec?
        var usage: Usage
        var spaceByte: UInt8
        /// The item is, or lies inside, a member of a REDEFINES chain.
        var isInAlternative: Bool
    }

    /// Compiles `layout` for encoding JSON decoded with `options`.
    public init(
        layout: RecordLayout, options: RecordDecodingOptions = RecordDecodingOptions(),
        encoding: Options = Options()
    ) throws(RecordEncodingError) {
        self.layout = layout
        self.options = options
        self.encoding = encoding
        self.fillByte = encoding.fillByte ?? options.codePage.spaceByte
        let redefined = Set(layout.items.compactMap { $0.redefines?.target })
        let objects = Set(layout.items.compactMap { $0.occurs?.dependingOn?.target })
        var nodes: [Node] = []
        nodes.reserveCapacity(layout.items.count)
        for item in layout.items {
            let parent = item.parent.map { layout.items[$0] }
            var emitted = !item.isFiller || options.keepFiller
            if let parent, !nodes[parent.id].isEmitted { emitted = false }
            var codec: RecordDecoder.FieldCodec?
            if item.isElementary {
                do throws(RecordDecodingError) {
                    codec = try RecordDecoder.codec(for: item, in: layout, options: options)
                } catch {
                    if case let .unsupportedField(field, reason) = error { throw .unsupportedField(field: field, reason: reason) }
                    throw .unsupportedField(field: item.path.joined(separator: "."), reason: error.description)
                }
                if encoding.binaryLimit == .storage, case let .binary(binary)? = codec {
                    do throws(FieldCodecError) {
                        codec = .binary(try BinaryIntegerCodec(
                            shape: binary.shape, byteCount: binary.byteCount, byteOrder: binary.byteOrder,
                            encodeLimit: .storage))
                    } catch {
                        throw .unsupportedField(field: item.path.joined(separator: "."), reason: error.description)
                    }
                }
            }
            let siblings = parent?.children.prefix { $0 != item.id } ?? []
            let page = options.fieldCodePages[item.name] ?? options.fieldCodePages[item.path.joined(separator: ".")]
                ?? options.codePage
            nodes.append(Node(
                id: item.id, parent: item.parent, name: item.name,
                relativeOffset: item.offset - (parent?.offset ?? 0), storageSize: item.storageSize,
                totalSize: item.totalSize, occurs: item.occurs.map { ($0.minimum, $0.maximum, $0.dependingOn?.target) },
                redefines: item.redefines?.target,
                alternatives: layout.items.filter { $0.redefines?.target == item.id }.map(\.id),
                hasVariableSize: item.hasVariableSize, isEmitted: emitted, isFiller: item.isFiller,
                isOccursObject: objects.contains(item.id),
                keyOrdinal: siblings.filter { layout.items[$0].name == item.name }.count,
                children: item.children, codec: codec, usage: item.usage, spaceByte: page.spaceByte,
                isInAlternative: item.redefines != nil || redefined.contains(item.id)
                    || (parent.map { nodes[$0.id].isInAlternative } ?? false)))
        }
        self.nodes = nodes
        let count = layout.items.count
        objectValues = [Int](repeating: 0, count: count)
        objectGiven = [Bool](repeating: false, count: count)
        actualStarts = [Int](repeating: 0, count: count)
        occurrence = [Int](repeating: -1, count: count)
        includes = [Bool](repeating: false, count: count)
        chainCovered = [Int](repeating: 0, count: count)
        chainFirst = [Int](repeating: -1, count: count)
    }

    // MARK: Entry points

    /// Encodes one record from its JSON object.
    ///
    /// - Parameter recordNumber: 1-based, for error messages.
    /// - Returns: the record's bytes (``RecordLayout/size`` long, or as long as its ODO counts make it with
    ///   ``RecordDecodingOptions/VariableOccursStorage/shifting``).
    public mutating func encode(_ json: JSONValue, recordNumber: Int) throws(RecordEncodingError) -> [UInt8] {
        var output: [UInt8] = []
        try encode(json, recordNumber: recordNumber, appendingTo: &output)
        return output
    }

    /// Encodes one record from JSON text (UTF-8), e.g. one line of the decoder's JSON Lines output.
    public mutating func encode(jsonBytes: [UInt8], recordNumber: Int) throws(RecordEncodingError) -> [UInt8] {
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONValue(parsing: jsonBytes)
        } catch {
            throw .invalidJSON(record: recordNumber, offset: error.offset, reason: "expected \(error.expected), found \(error.found)")
        }
        return try encode(value, recordNumber: recordNumber)
    }

    /// Encodes one record and appends its bytes to `output` (nothing is appended when it throws).
    public mutating func encode(
        _ json: JSONValue, recordNumber: Int, appendingTo output: inout [UInt8]
    ) throws(RecordEncodingError) {
        self.recordNumber = recordNumber
        for index in objectGiven.indices {
            objectGiven[index] = false
            occurrence[index] = -1
        }
        let root = nodes[0]
        let rootValue: JSONValue
        if options.collapseRoot {
            rootValue = json
        } else {
            guard case .object = json else { throw mismatch(root, expected: "an object", json) }
            guard let value = lookup(root, in: json) else { throw .missingField(record: recordNumber, field: root.name) }
            rootValue = value
        }
        guard case .object = rootValue else { throw mismatch(root, expected: "an object", rootValue) }
        let base = output.count
        extent = 0
        output.append(contentsOf: repeatElement(fillByte, count: layout.size))
        let result = output.withUnsafeMutableBytes { whole in
            Result { () throws(RecordEncodingError) -> Int in
                let record = UnsafeMutableRawBufferPointer(rebasing: whole[base...])
                return try encodeGroup(root, at: 0, value: rootValue, into: record)
            }
        }
        switch result {
        case var .success(size):
            if encoding.endsAtLastAlternativeValue { size = min(size, extent) }
            output.removeLast(layout.size - min(size, layout.size))
        case let .failure(error):
            output.removeSubrange(base...)
            throw error
        }
    }

    // MARK: Walking the layout

    /// Encodes the members of one occurrence of group `node` at `start`; returns its actual size.
    /// `value`: nil when the group is not emitted (fill), `.null`, or its object.
    private mutating func encodeGroup(
        _ node: Node, at start: Int, value: JSONValue?, into record: UnsafeMutableRawBufferPointer
    ) throws(RecordEncodingError) -> Int {
        if let value {
            switch value {
            case .object, .null: break
            default: throw mismatch(node, expected: "an object", value)
            }
        }
        var shrink = 0
        for childID in node.children {
            let child = nodes[childID]
            var childStart = start + child.relativeOffset - shrink
            if let base = child.redefines { childStart = actualStarts[base] }
            actualStarts[childID] = childStart
            var childValue: JSONValue?
            if value != nil && child.isEmitted {
                childValue = try memberValue(child, in: value!)
            }
            let isInChain = child.redefines != nil || !child.alternatives.isEmpty
            if isInChain, let value {
                if child.redefines == nil { try chooseAlternatives(base: child, in: value) }
                let base = child.redefines ?? child.id
                // An alternative without content is skipped (its storage is another's, or keeps the fill).
                guard includes[childID] else { continue }
                let size = child.totalSize
                let covered = chainFirst[base] >= 0 ? min(chainCovered[base], size) : 0
                snapshot.removeAll(keepingCapacity: true)
                if covered > 0 { snapshot.append(contentsOf: UnsafeRawBufferPointer(rebasing: record[childStart..<(childStart + covered)])) }
                let actual = try encodeMember(child, at: childStart, value: childValue, into: record)
                for index in 0..<covered where record[childStart + index] != snapshot[index] {
                    throw .alternativesDisagree(
                        record: recordNumber, field: path(of: childID), other: path(of: chainFirst[base]),
                        offset: childStart + index)
                }
                if chainFirst[base] < 0 { chainFirst[base] = childID }
                chainCovered[base] = max(chainCovered[base], size)
                if child.hasVariableSize && child.redefines == nil { shrink += child.totalSize - actual }
                continue
            }
            if child.redefines != nil && (value == nil || !child.isEmitted) { continue }
            let actual = try encodeMember(child, at: childStart, value: childValue, into: record)
            if child.hasVariableSize && child.redefines == nil { shrink += child.totalSize - actual }
        }
        return node.storageSize - shrink
    }

    /// The JSON value for an emitted child of a group whose value is `parent` (an object or null).
    private func memberValue(_ child: Node, in parent: JSONValue) throws(RecordEncodingError) -> JSONValue? {
        guard case .object = parent else { return .null }
        if let found = lookup(child, in: parent) { return found }
        // Absent keys that are allowed: FILLER (spaces), DEPENDING ON objects (set from the table), REDEFINES
        // alternatives (decided by `chooseAlternatives`).
        if child.isFiller { return nil }
        if child.isOccursObject { return .null }
        if child.redefines != nil || !child.alternatives.isEmpty { return nil }
        throw .missingField(record: recordNumber, field: path(of: child.id))
    }

    /// Marks which members of the REDEFINES chain starting at `base` are written.
    private mutating func chooseAlternatives(base: Node, in parent: JSONValue) throws(RecordEncodingError) {
        var anyKey = false
        var anyContent = false
        for id in [base.id] + base.alternatives {
            let member = nodes[id]
            var value: JSONValue?
            if member.isEmitted, case .object = parent { value = lookup(member, in: parent) }
            if value != nil { anyKey = true }
            includes[id] = value.map(Self.hasContent) ?? false
            if includes[id] { anyContent = true }
        }
        chainFirst[base.id] = -1
        chainCovered[base.id] = 0
        if !anyContent && !anyKey, case .object = parent, case .all = options.redefines,
            let named = ([base.id] + base.alternatives).first(where: { nodes[$0].isEmitted })
        {
            throw .missingField(record: recordNumber, field: path(of: named))
        }
    }

    /// True when some value below `value` is not null.
    static func hasContent(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case let .object(members): members.contains { !$0.key.hasPrefix("_") && hasContent($0.value) }
        case let .array(elements): elements.contains(where: hasContent)
        case .bool, .number, .string: true
        }
    }

    /// The `keyOrdinal`-th member named like `node`.
    private func lookup(_ node: Node, in object: JSONValue) -> JSONValue? {
        guard case let .object(members) = object else { return nil }
        var seen = 0
        for member in members where member.key == node.name {
            if seen == node.keyOrdinal { return member.value }
            seen += 1
        }
        return nil
    }

    /// Encodes an item (every element of a table); returns the storage it actually takes.
    private mutating func encodeMember(
        _ node: Node, at start: Int, value: JSONValue?, into record: UnsafeMutableRawBufferPointer
    ) throws(RecordEncodingError) -> Int {
        guard let occurs = node.occurs else {
            return try encodeOccurrence(node, at: start, value: value, into: record)
        }
        var elements: [JSONValue]?
        switch value {
        case nil, .null?: elements = nil
        case let .array(array)?: elements = array
        case let other?: throw mismatch(node, expected: "an array", other)
        }
        var count = occurs.maximum
        if let object = occurs.dependingOn {
            if let elements {
                count = elements.count
                if objectGiven[object], objectValues[object] != count {
                    throw .occursCountMismatch(
                        record: recordNumber, field: path(of: node.id), countField: path(of: object),
                        count: objectValues[object], elements: count)
                }
            } else {
                count = objectGiven[object] ? objectValues[object] : 0
            }
            guard count <= occurs.maximum else {
                throw .occursCountOutOfRange(
                    record: recordNumber, field: path(of: node.id), count: count, maximum: occurs.maximum)
            }
            if !objectGiven[object] {
                try setCount(count, of: nodes[object], into: record)
            }
        } else if let elements, elements.count != occurs.maximum {
            throw .tableLengthMismatch(
                record: recordNumber, field: path(of: node.id), expected: occurs.maximum, found: elements.count)
        }
        let shifting = options.variableOccurs == .shifting
        var position = start
        for index in 0..<count {
            occurrence[node.id] = index
            let element: JSONValue? = elements.map { $0[index] } ?? (value == nil ? nil : .null)
            let size = try encodeOccurrence(node, at: position, value: element, into: record)
            position += shifting ? size : node.storageSize
        }
        occurrence[node.id] = -1
        return shifting ? position - start : node.totalSize
    }

    /// Writes a DEPENDING ON object the JSON did not give, from its table's length.
    private mutating func setCount(
        _ count: Int, of object: Node, into record: UnsafeMutableRawBufferPointer
    ) throws(RecordEncodingError) {
        guard let codec = object.codec else { return }
        try encodeField(object, codec, at: actualStarts[object.id], value: .number(String(count)), into: record)
        objectGiven[object.id] = true
        objectValues[object.id] = count
    }

    private mutating func encodeOccurrence(
        _ node: Node, at start: Int, value: JSONValue?, into record: UnsafeMutableRawBufferPointer
    ) throws(RecordEncodingError) -> Int {
        guard let codec = node.codec else {
            return try encodeGroup(node, at: start, value: value, into: record)
        }
        if encoding.endsAtLastAlternativeValue && node.isInAlternative {
            guard let value, value != .null else { return node.storageSize }  // beyond a short record: not written
            extent = max(extent, start + node.storageSize)
        } else {
            extent = max(extent, start + node.storageSize)
        }
        if node.isOccursObject {
            objectGiven[node.id] = false
            actualStarts[node.id] = start
            guard let value, value != .null else { return node.storageSize }
            try encodeField(node, codec, at: start, value: value, into: record)
            guard let count = try wholeNumber(value, node), count >= 0 else {
                throw mismatch(node, expected: "a whole, non-negative count", value)
            }
            objectGiven[node.id] = true
            objectValues[node.id] = count
            return node.storageSize
        }
        if let value {
            try encodeField(node, codec, at: start, value: value, into: record)
        }
        return node.storageSize
    }

    private func wholeNumber(_ value: JSONValue, _ node: Node) throws(RecordEncodingError) -> Int? {
        let decimal = try number(value, node)
        guard let whole = try? decimal.rescaled(to: 0, rounding: .down), whole == decimal else { return nil }
        return Int(exactly: whole.significand)
    }

    // MARK: Fields

    private mutating func encodeField(
        _ node: Node, _ codec: RecordDecoder.FieldCodec, at start: Int, value: JSONValue,
        into record: UnsafeMutableRawBufferPointer
    ) throws(RecordEncodingError) {
        let field = UnsafeMutableRawBufferPointer(rebasing: record[start..<(start + node.storageSize)])
        if value == .null {
            try encodeNull(node, codec, into: field)
            return
        }
        do {
            switch codec {
            case let .text(text):
                guard case let .string(string) = value else { throw mismatch(node, expected: "a string", value) }
                try encodeText(string, node, page: text.codePage, isJustifiedRight: text.isJustifiedRight, into: field)
            case let .zoned(zoned): try zoned.encode(try number(value, node), into: field)
            case let .packed(packed): try packed.encode(try number(value, node), into: field)
            case let .binary(binary): try binary.encode(try number(value, node), into: field)
            case let .edited(edited): try edited.encode(try number(value, node), into: field)
            case let .zonedWithPoint(zoned, point, pointByte):
                let decimal = try number(value, node)
                try withUnsafeTemporaryAllocation(byteCount: field.count - 1, alignment: 1) { digits in
                    Result { () throws(FieldCodecError) in
                        try zoned.encode(decimal, into: digits)
                        for index in 0..<point { field[index] = digits[index] }
                        field[point] = pointByte
                        for index in point..<digits.count { field[index + 1] = digits[index] }
                    }
                }.get()
            case let .float(float):
                try float.encode(try floatingValue(value, node, single: float.width == .single), into: field)
            case .national:
                guard case let .string(string) = value else { throw mismatch(node, expected: "a string", value) }
                let units = Array(string.utf16)
                guard units.count * 2 <= field.count else {
                    throw RecordEncodingError.textTooLong(
                        record: recordNumber, field: path(of: node.id), bytes: units.count * 2, capacity: field.count)
                }
                for index in stride(from: 0, to: field.count - 1, by: 2) {
                    let unit: UInt16 = index / 2 < units.count ? units[index / 2] : 0x0020
                    field[index] = UInt8(unit >> 8)
                    field[index + 1] = UInt8(unit & 0xFF)
                }
            case .hex:
                guard case let .string(string) = value, let bytes = Self.bytes(hex: string), bytes.count == field.count
                else { throw mismatch(node, expected: "\(field.count) bytes in hex", value) }
                for (index, byte) in bytes.enumerated() { field[index] = byte }
            }
        } catch let error as FieldCodecError {
            throw fieldError(error, node)
        } catch let error as RecordEncodingError {
            throw error
        } catch {
            throw .invalidValue(record: recordNumber, field: path(of: node.id), reason: "\(error)")
        }
    }

    private func encodeNull(
        _ node: Node, _ codec: RecordDecoder.FieldCodec, into field: UnsafeMutableRawBufferPointer
    ) throws(RecordEncodingError) {
        switch codec {
        case .text:
            field.initializeMemory(as: UInt8.self, repeating: options.lowValuesAsNull ? 0x00 : node.spaceByte)
        case .zoned, .edited, .zonedWithPoint, .hex:
            field.initializeMemory(as: UInt8.self, repeating: node.spaceByte)
        case .national:
            for index in 0..<field.count { field[index] = index % 2 == 0 ? 0x00 : 0x20 }
        case .packed:
            throw .nullNotEncodable(record: recordNumber, field: path(of: node.id), usage: "COMP-3")
        case .binary:
            throw .nullNotEncodable(record: recordNumber, field: path(of: node.id), usage: "binary")
        case .float:
            throw .nullNotEncodable(
                record: recordNumber, field: path(of: node.id), usage: node.usage == .singleFloat ? "COMP-1" : "COMP-2")
        }
    }

    private mutating func encodeText(
        _ string: String, _ node: Node, page: CodePage, isJustifiedRight: Bool, into field: UnsafeMutableRawBufferPointer
    ) throws(RecordEncodingError) {
        text.removeAll(keepingCapacity: true)
        do throws(CodePageError) {
            try page.encode(string, appendingTo: &text)
        } catch {
            guard case let .unmappableCharacter(scalar, position, pageName) = error else {
                throw .invalidValue(record: recordNumber, field: path(of: node.id), reason: error.description)
            }
            let hex = String(scalar.value, radix: 16, uppercase: true)
            throw .unmappableCharacter(
                record: recordNumber, field: path(of: node.id),
                character: "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex, position: position,
                codePage: pageName)
        }
        guard text.count <= field.count else {
            throw .textTooLong(record: recordNumber, field: path(of: node.id), bytes: text.count, capacity: field.count)
        }
        field.initializeMemory(as: UInt8.self, repeating: page.spaceByte)
        let offset = isJustifiedRight ? field.count - text.count : 0
        for (index, byte) in text.enumerated() { field[offset + index] = byte }
    }

    /// A JSON number, or a string holding one, as an exact decimal.
    private func number(_ value: JSONValue, _ node: Node) throws(RecordEncodingError) -> ExactDecimal {
        let text: String
        switch value {
        case let .number(number): text = number
        case let .string(string): text = string.trimmingSpaces
        default: throw mismatch(node, expected: "a number", value)
        }
        do throws(ExactDecimalError) {
            return try ExactDecimal(parsing: text)
        } catch {
            if case .string = value { throw mismatch(node, expected: "a number", value) }
            throw .valueDoesNotFit(record: recordNumber, field: path(of: node.id), value: text, capacity: error.description)
        }
    }

    /// The value of a COMP-1/COMP-2 field. COMP-1 text that is the shortest form of a `Float` (as the decoder
    /// writes it) is read as that `Float`, so decode → encode gives the same bytes.
    private func floatingValue(_ value: JSONValue, _ node: Node, single: Bool) throws(RecordEncodingError) -> Double {
        let text: String
        switch value {
        case let .number(number): text = number
        case let .string(string): text = string.trimmingSpaces
        default: throw mismatch(node, expected: "a number", value)
        }
        guard let double = Double(text), double.isFinite else { throw mismatch(node, expected: "a finite number", value) }
        if single, let float = Float(text), float.isFinite, float.description == text { return Double(float) }
        return double
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x41...0x46: c - 0x41 + 10
            case 0x61...0x66: c - 0x61 + 10
            default: nil
            }
        }
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    // MARK: Errors

    private func fieldError(_ error: FieldCodecError, _ node: Node) -> RecordEncodingError {
        switch error {
        case let .valueDoesNotFit(value, capacity):
            .valueDoesNotFit(record: recordNumber, field: path(of: node.id), value: value, capacity: capacity)
        case let .unmappableCharacter(character, position, codePage):
            .unmappableCharacter(
                record: recordNumber, field: path(of: node.id), character: character, position: position,
                codePage: codePage)
        default:
            .invalidValue(record: recordNumber, field: path(of: node.id), reason: error.description)
        }
    }

    private func mismatch(_ node: Node, expected: String, _ found: JSONValue) -> RecordEncodingError {
        .typeMismatch(record: recordNumber, field: path(of: node.id), expected: expected, found: found.typeName)
    }

    /// `A.B[2].C`: the item's path with the current occurrence index after each table (as the decoder names it).
    func path(of id: Int) -> String {
        layout.path(of: id, occurrences: occurrence, collapseRoot: options.collapseRoot)
    }
}
