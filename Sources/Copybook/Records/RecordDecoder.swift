import ByteCoding
import CodePages
import Events

/// Decodes records laid out by a copybook into JSON, one object per record, straight from the record bytes into
/// an output byte buffer (no per-field `String`s or decimals on the hot path).
///
/// The layout is compiled once (a codec chosen per field); each record is then walked in order with a cursor,
/// which is what makes OCCURS DEPENDING ON tables shift the fields after them (``RecordDecodingOptions/VariableOccursStorage``),
/// REDEFINES alternatives share their storage, and segment ids select alternatives
/// (``RecordDecodingOptions/RedefinesSelection``). Output shape: keys are the COBOL names as written, groups are
/// objects, OCCURS are arrays of the live elements, numbers carry exactly the picture's scale, invalid or absent
/// values are `null` (lenient mode, listed in `_errors`) or an error naming record, offset, field and bytes (strict).
public struct RecordDecoder: Sendable {
    /// The layout being decoded.
    public let layout: RecordLayout
    /// The options it was compiled with.
    public let options: RecordDecodingOptions
    let nodes: [Node]
    let segmentField: Node?
    let segmentAlternatives: [String: String]
    let segmentOtherwise: String?
    /// The layout compiled to flat steps, when its shape is the same for every record.
    let program: RecordProgram?
    /// Tests switch the compiled program off to compare it with the tree walk.
    var allowsCompiledProgram = true
    /// True when a compiled program decodes this layout's valid records.
    public var hasCompiledProgram: Bool { program != nil }

    /// Fields decoded as null because their data was invalid or missing from a short record (lenient mode), since
    /// the decoder was made.
    public private(set) var invalidFieldCount = 0
    /// OCCURS DEPENDING ON counts found below a table's declared minimum (accepted, as IBM does) or above its
    /// maximum (clamped in lenient mode).
    public private(set) var occursCountsOutOfRange = 0

    // Per-record scratch, reused: values of ODO objects, actual starts of items, current occurrence indices.
    private var objectValues: [Int]
    private var actualStarts: [Int]
    private var occurrence: [Int]
    private var errors: [FieldError] = []
    private var selectedAlternative: String?

    struct FieldError {
        var field: String
        var offset: Int
        var bytes: String
        var reason: String
    }

    /// A compiled item. A class with constant fields: the decoder's hot loop passes nodes around by reference
    /// instead of copying their arrays and strings.
    final class Node: Sendable {
        let id: Int
        let parent: Int?
        let name: String
        /// `"NAME":` with the name JSON-escaped.
        let key: [UInt8]
        let debugKey: [UInt8]
        let relativeOffset: Int
        let storageSize: Int
        let totalSize: Int
        let occurs: (minimum: Int, maximum: Int, dependingOn: Int?)?
        let redefines: Int?
        let hasVariableSize: Bool
        let isEmitted: Bool
        let isSegmentControlled: Bool
        let isOccursObject: Bool
        /// The item is, or lies inside, a member of a REDEFINES chain: a view the record may be too short for.
        let isInAlternative: Bool
        /// For an item in a REDEFINES chain: the chain's first item and where its shortest member ends, counted
        /// from that item's start (nil when a member has a variable size). A record that ends before that point
        /// holds no complete alternative, so it is too short rather than a shorter view.
        let alternativeChain: (base: Int, shortestEnd: Int)?
        let children: [Int]
        let codec: FieldCodec?

        init(
            id: Int, parent: Int?, name: String, key: [UInt8], debugKey: [UInt8], relativeOffset: Int,
            storageSize: Int, totalSize: Int, occurs: (minimum: Int, maximum: Int, dependingOn: Int?)?,
            redefines: Int?, hasVariableSize: Bool, isEmitted: Bool, isSegmentControlled: Bool,
            isOccursObject: Bool, isInAlternative: Bool, alternativeChain: (base: Int, shortestEnd: Int)?,
            children: [Int], codec: FieldCodec?
        ) {
            self.id = id
            self.parent = parent
            self.name = name
            self.key = key
            self.debugKey = debugKey
            self.relativeOffset = relativeOffset
            self.storageSize = storageSize
            self.totalSize = totalSize
            self.occurs = occurs
            self.redefines = redefines
            self.hasVariableSize = hasVariableSize
            self.isEmitted = isEmitted
            self.isSegmentControlled = isSegmentControlled
            self.isOccursObject = isOccursObject
            self.isInAlternative = isInAlternative
            self.alternativeChain = alternativeChain
            self.children = children
            self.codec = codec
        }
    }

    /// The codec of an elementary field, chosen once.
    enum FieldCodec: Sendable {
        /// The picture's scale, for DISPLAY numerics that may be read as free-form text.
        var displayScale: Int? {
            switch self {
            case let .zoned(codec): codec.shape.scale
            case let .edited(codec): codec.shape.scale
            case let .zonedWithPoint(codec, _, _): codec.shape.scale
            default: nil
            }
        }

        case text(AlphanumericCodec)
        case zoned(ZonedDecimalCodec)
        case packed(PackedDecimalCodec)
        case binary(BinaryIntegerCodec)
        case edited(EditedNumericCodec)
        /// `S9(n).9(m)`: zoned digits with an actual decimal point at byte `point` (`pointByte` in the code page).
        case zonedWithPoint(ZonedDecimalCodec, point: Int, pointByte: UInt8)
        case float(FloatingPointCodec)
        case national
        case hex
    }

    /// Compiles `layout` for decoding with `options`.
    public init(layout: RecordLayout, options: RecordDecodingOptions = RecordDecodingOptions()) throws(RecordDecodingError) {
        self.layout = layout
        self.options = options
        let objects = Set(layout.items.compactMap { $0.occurs?.dependingOn?.target })
        var alternatives: [String: String] = [:]
        var otherwise: String?
        var segmentName: String?
        if case let .segmentField(field, map, fallback) = options.redefines {
            alternatives = map
            otherwise = fallback
            segmentName = field
        }
        let selectable = Set(alternatives.values).union(otherwise.map { [$0] } ?? [])
        // REDEFINES chains with a member named in the segment map are filtered per record.
        var controlled = Set<Int>()
        if !selectable.isEmpty {
            for item in layout.items where item.redefines != nil || layout.items.contains(where: { $0.redefines?.target == item.id }) {
                let base = item.redefines?.target ?? item.id
                let chain = layout.items.filter { $0.id == base || $0.redefines?.target == base }
                if chain.contains(where: { selectable.contains($0.name) }) { controlled.formUnion(chain.map(\.id)) }
            }
        }
        let redefined = Set(layout.items.compactMap { $0.redefines?.target })
        // Chain base id → shortest member end (nil: variable size). A 01 that REDEFINES another record is no chain
        // here: its reference points into the other record.
        let chainBases = Set(layout.items.dropFirst().compactMap { $0.redefines?.target })
        var chainEnds: [Int: Int?] = [:]
        for item in layout.items where chainBases.contains(item.id) {
            let members = layout.items.filter { $0.id == item.id || $0.redefines?.target == item.id }
            chainEnds[item.id] = members.contains(where: \.hasVariableSize)
                ? nil : members.map { $0.offset - item.offset + $0.totalSize }.min()
        }
        var nodes: [Node] = []
        nodes.reserveCapacity(layout.items.count)
        for item in layout.items {
            let parent = item.parent.map { layout.items[$0] }
            var emitted = !item.isFiller || options.keepFiller
            if let parent, !nodes[parent.id].isEmitted { emitted = false }
            var codec: FieldCodec?
            if item.isElementary { codec = try Self.codec(for: item, in: layout, options: options) }
            var chain: (base: Int, shortestEnd: Int)?
            if item.id != 0, let base = item.redefines?.target ?? (chainBases.contains(item.id) ? item.id : nil) {
                chain = chainEnds[base].flatMap { $0 }.map { (base, $0) }
            } else if let parent {
                chain = nodes[parent.id].alternativeChain
            }
            nodes.append(Node(
                id: item.id, parent: item.parent, name: item.name, key: Self.jsonKey(item.name),
                debugKey: Self.jsonKey(item.name + "_debug"),
                relativeOffset: item.offset - (parent?.offset ?? 0), storageSize: item.storageSize,
                totalSize: item.totalSize,
                occurs: item.occurs.map { ($0.minimum, $0.maximum, $0.dependingOn?.target) },
                redefines: item.redefines?.target, hasVariableSize: item.hasVariableSize, isEmitted: emitted,
                isSegmentControlled: controlled.contains(item.id), isOccursObject: objects.contains(item.id),
                isInAlternative: item.redefines != nil || redefined.contains(item.id)
                    || (parent.map { nodes[$0.id].isInAlternative } ?? false),
                alternativeChain: chain, children: item.children, codec: codec))
        }
        self.nodes = nodes
        if let segmentName {
            let wanted = segmentName.split(separator: ".").map(String.init)
            guard let item = layout.items.first(where: { $0.name == segmentName || Array($0.path.suffix(wanted.count)) == wanted }),
                item.isElementary
            else { throw .unknownSegmentField(segmentName) }
            segmentField = nodes[item.id]
        } else {
            segmentField = nil
        }
        segmentAlternatives = alternatives
        segmentOtherwise = otherwise
        program = RecordProgram(nodes: nodes, layout: layout, options: options)
        objectValues = [Int](repeating: 0, count: layout.items.count)
        actualStarts = [Int](repeating: 0, count: layout.items.count)
        occurrence = [Int](repeating: -1, count: layout.items.count)
    }

    static func jsonKey(_ name: String) -> [UInt8] {
        var writer = JSONWriter(capacity: name.utf8.count + 4)
        writer.writeString(name)
        return writer.takeBytes() + [UInt8(ascii: ":")]
    }

    static func codec(for item: DataItem, in layout: RecordLayout, options: RecordDecodingOptions) throws(RecordDecodingError)
        -> FieldCodec
    {
        let page = options.fieldCodePages[item.name] ?? options.fieldCodePages[item.path.joined(separator: ".")]
            ?? options.codePage
        let field = item.path.joined(separator: ".")
        do throws(FieldCodecError) {
            switch item.usage {
            case .display:
                guard let picture = item.picture else {
                    return .text(AlphanumericCodec(byteCount: item.storageSize, codePage: page))
                }
                switch picture.category {
                case .numeric:
                    let position: ZonedDecimalCodec.SignPosition =
                        switch (item.sign?.position ?? .trailing, item.sign?.isSeparate ?? false) {
                        case (.trailing, false): .trailing
                        case (.leading, false): .leading
                        case (.trailing, true): .trailingSeparate
                        case (.leading, true): .leadingSeparate
                        }
                    let asciiConvention: ZonedDecimalCodec.Convention =
                        switch options.asciiZonedConvention {
                        case .ibmOverpunch: .asciiIBM
                        case .strictASCII: .asciiStrict
                        case .fujitsu: .asciiFujitsu
                        case .gnuCOBOLJRecord: .asciiJRecordGNU
                        }
                    let convention: ZonedDecimalCodec.Convention = page.isEBCDIC ? .ebcdic : asciiConvention
                    // A SIGN clause without `S` in the PICTURE still makes the item signed (as producers write it).
                    var numberShape = shape(picture)
                    if item.sign != nil { numberShape.isSigned = true }
                    return .zoned(try ZonedDecimalCodec(
                        shape: numberShape, signPosition: position, convention: convention,
                        signHandling: options.strictSigns ? .strict : .lenient))
                case .numericEdited:
                    if let pointed = try zonedWithPoint(picture, page: page) { return pointed }
                    return .edited(try EditedNumericCodec(
                        picture: picture.expanded, codePage: page, blankWhenZero: item.isBlankWhenZero))
                case .national:
                    return .national
                case .dbcs:
                    return .hex
                case .alphabetic, .alphanumeric, .alphanumericEdited:
                    return .text(AlphanumericCodec(
                        byteCount: item.storageSize, codePage: page, trimming: trimming(options.trimming),
                        lowValues: options.lowValuesAsNull ? .nullWhenAll : .keep,
                        isJustifiedRight: item.isJustifiedRight))
                }
            case .binary, .nativeBinary:
                guard let picture = item.picture else { throw FieldCodecError.unsupportedLayout("binary item without PICTURE") }
                let native = item.usage == .nativeBinary
                return .binary(try BinaryIntegerCodec(
                    shape: shape(picture), byteCount: item.storageSize,
                    byteOrder: native ? options.nativeBinaryByteOrder : options.binaryByteOrder,
                    encodeLimit: native ? .storage : .picture))
            case .index, .pointer:
                return .binary(try BinaryIntegerCodec(
                    shape: NumericShape(digits: 10, isSigned: true), byteCount: item.storageSize,
                    byteOrder: options.binaryByteOrder, encodeLimit: .storage))
            case .packedDecimal:
                guard let picture = item.picture else { throw FieldCodecError.unsupportedLayout("COMP-3 item without PICTURE") }
                return .packed(try PackedDecimalCodec(
                    shape: shape(picture), signHandling: options.strictSigns ? .strict : .lenient))
            case .singleFloat, .doubleFloat:
                let (format, order): (FloatingPointCodec.Format, BinaryIntegerCodec.ByteOrder) =
                    switch options.floatingPoint {
                    case .ibmHexadecimal: (.ibmHexadecimal, .bigEndian)
                    case .ieee754BigEndian: (.ieee754, .bigEndian)
                    case .ieee754LittleEndian: (.ieee754, .littleEndian)
                    }
                return .float(FloatingPointCodec(
                    width: item.usage == .singleFloat ? .single : .double, format: format, byteOrder: order))
            case .national:
                return .national
            case .dbcs:
                return .hex
            }
        } catch {
            throw .unsupportedField(field: field, reason: error.description)
        }
    }

    /// `[S]9…9.9…9`: a zoned number with an actual decimal point (and an overpunched sign when `S`), which
    /// IBM would call numeric-edited but producers write as zoned digits around a `.`.
    static func zonedWithPoint(_ picture: Picture, page: CodePage) throws(FieldCodecError) -> FieldCodec? {
        var symbols = Substring(picture.expanded)
        let signed = symbols.first == "S"
        if signed { symbols = symbols.dropFirst() }
        let parts = symbols.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy { $0 == "9" } }),
            let pointByte = page.byte(for: ".")
        else { return nil }
        let codec = try ZonedDecimalCodec(
            shape: NumericShape(digits: parts[0].count + parts[1].count, scale: parts[1].count, isSigned: signed),
            convention: page.isEBCDIC ? .ebcdic : .asciiIBM)
        return .zonedWithPoint(codec, point: parts[0].count, pointByte: pointByte)
    }

    static func shape(_ picture: Picture) -> NumericShape {
        NumericShape(digits: max(picture.digits, 1), scale: picture.scale, isSigned: picture.isSigned)
    }

    static func trimming(_ trimming: RecordDecodingOptions.TextTrimming) -> AlphanumericCodec.Trimming {
        switch trimming {
        case .none: .none
        case .left: .left
        case .right: .right
        case .both: .both
        }
    }

    // MARK: Decoding

    /// Appends `record` to `output` as one JSON object followed by a newline.
    ///
    /// - Parameters:
    ///   - recordNumber: 1-based, for error messages.
    ///   - recordOffset: the record's byte offset in its input, for error messages.
    /// - Returns: the number of fields reported in the record's `_errors` (lenient mode).
    @discardableResult
    public mutating func decode(
        _ record: UnsafeRawBufferPointer, recordNumber: Int, recordOffset: Int64, into output: inout [UInt8]
    ) throws(RecordDecodingError) -> Int {
        // The compiled program handles every perfectly valid record of a fixed-shape layout; anything else
        // (invalid data, short records, policies) goes through the tree walk below.
        if allowsCompiledProgram, let program, program.run(record, nodes: nodes, into: &output) { return 0 }
        errors.removeAll(keepingCapacity: true)
        selectedAlternative = nil
        var context = RecordContext(bytes: record, number: recordNumber, offset: recordOffset)
        if let segmentField {
            let id = try segmentValue(segmentField, context)
            selectedAlternative = id.flatMap { segmentAlternatives[$0] } ?? segmentOtherwise
        }
        let start = output.count
        let root = nodes[0]
        if !options.collapseRoot {
            output.append(UInt8(ascii: "{"))
            output.append(contentsOf: root.key)
        }
        _ = try decodeGroup(root, at: 0, emit: true, context: &context, into: &output)
        if !options.collapseRoot { output.append(UInt8(ascii: "}")) }
        if !errors.isEmpty {
            // `_errors` goes inside the top-level object, before its closing brace.
            output.removeLast()
            if output.count > start + 1 { output.append(UInt8(ascii: ",")) }
            appendErrors(to: &output)
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "\n"))
        return errors.count
    }

    struct RecordContext {
        var bytes: UnsafeRawBufferPointer
        var number: Int
        var offset: Int64
    }

    /// Decodes the members of one occurrence of group `node` starting at `start`; returns its actual size.
    private mutating func decodeGroup(
        _ node: Node, at start: Int, emit: Bool, context: inout RecordContext, into output: inout [UInt8]
    ) throws(RecordDecodingError) -> Int {
        if emit { output.append(UInt8(ascii: "{")) }
        var shrink = 0
        var first = true
        for childID in node.children {
            let child = nodes[childID]
            var childStart = start + child.relativeOffset - shrink
            if let base = child.redefines { childStart = actualStarts[base] }
            actualStarts[childID] = childStart
            var emitChild = emit && child.isEmitted
            if child.isSegmentControlled, emitChild { emitChild = child.name == selectedAlternative }
            if emitChild {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
            }
            let actual = try decodeMember(child, at: childStart, emit: emitChild, context: &context, into: &output)
            if child.hasVariableSize && child.redefines == nil { shrink += child.totalSize - actual }
        }
        if emit { output.append(UInt8(ascii: "}")) }
        return node.storageSize - shrink
    }

    /// Decodes an item (every live occurrence of a table); returns the storage it actually takes.
    private mutating func decodeMember(
        _ node: Node, at start: Int, emit: Bool, context: inout RecordContext, into output: inout [UInt8]
    ) throws(RecordDecodingError) -> Int {
        if emit { output.append(contentsOf: node.key) }
        guard let occurs = node.occurs else {
            return try decodeOccurrence(node, at: start, emit: emit, context: &context, into: &output)
        }
        // A strict failure inside this table on an earlier record left its index set; the table itself has none.
        occurrence[node.id] = -1
        var count = occurs.maximum
        if let object = occurs.dependingOn {
            count = objectValues[object]
            if count < occurs.minimum || count > occurs.maximum {
                occursCountsOutOfRange += 1
                if count > occurs.maximum || count < 0 {
                    let error = RecordDecodingError.occursCountOutOfRange(
                        record: context.number, recordOffset: context.offset, field: path(of: node.id),
                        count: count, minimum: occurs.minimum, maximum: occurs.maximum)
                    guard options.invalidData == .lenient else { throw error }
                    errors.append(FieldError(field: path(of: node.id), offset: start, bytes: "", reason: error.description))
                    count = min(max(count, 0), occurs.maximum)
                }
            }
        }
        if emit { output.append(UInt8(ascii: "[")) }
        var position = start
        let shifting = options.variableOccurs == .shifting
        for index in 0..<count {
            occurrence[node.id] = index
            if emit && index > 0 { output.append(UInt8(ascii: ",")) }
            let size = try decodeOccurrence(node, at: position, emit: emit, context: &context, into: &output)
            position += shifting ? size : node.storageSize
        }
        occurrence[node.id] = -1
        if emit { output.append(UInt8(ascii: "]")) }
        return shifting ? position - start : node.totalSize
    }

    private mutating func decodeOccurrence(
        _ node: Node, at start: Int, emit: Bool, context: inout RecordContext, into output: inout [UInt8]
    ) throws(RecordDecodingError) -> Int {
        guard let codec = node.codec else {
            return try decodeGroup(node, at: start, emit: emit, context: &context, into: &output)
        }
        if node.isOccursObject {
            objectValues[node.id] = occursObjectValue(node, codec, at: start, context: context)
        }
        if emit {
            try decodeField(node, codec, at: start, context: context, into: &output)
        }
        return node.storageSize
    }

    private mutating func decodeField(
        _ node: Node, _ codec: FieldCodec, at start: Int, context: RecordContext, into output: inout [UInt8]
    ) throws(RecordDecodingError) {
        let end = start + node.storageSize
        guard end <= context.bytes.count else {
            // A REDEFINES view longer than a variable-length record is simply not this record's view, as long as
            // the record holds at least the shortest alternative.
            if node.isInAlternative,
                node.alternativeChain.map({ actualStarts[$0.base] + $0.shortestEnd <= context.bytes.count }) ?? true
            {
                output.append(contentsOf: Self.null)
                return
            }
            let error = RecordDecodingError.recordTooShort(
                record: context.number, recordOffset: context.offset, field: path(of: node.id), fieldOffset: start,
                needed: node.storageSize, available: context.bytes.count)
            guard options.invalidData == .lenient else { throw error }
            invalidFieldCount += 1
            output.append(contentsOf: Self.null)
            errors.append(FieldError(
                field: path(of: node.id), offset: start,
                bytes: start < context.bytes.count ? HexDump.compact(context.bytes[start...]) : "",
                reason: "the record ends before this field (\(context.bytes.count) bytes)"))
            return
        }
        let bytes = UnsafeRawBufferPointer(rebasing: context.bytes[start..<end])
        let mark = output.count
        do throws(FieldCodecError) {
            let outcome: FieldJSONOutcome
            switch codec {
            case let .text(text): outcome = try text.appendJSON(bytes, to: &output).outcome
            case let .zoned(zoned): outcome = try zoned.appendJSON(bytes, to: &output)
            case let .packed(packed): outcome = try packed.appendJSON(bytes, to: &output)
            case let .binary(binary): outcome = try binary.appendJSON(bytes, to: &output)
            case let .edited(edited): outcome = try edited.appendJSON(bytes, to: &output)
            case let .zonedWithPoint(zoned, point, pointByte):
                guard bytes[point] == pointByte else {
                    throw FieldCodecError.invalid(
                        bytes, offset: point, expected: "the decimal point", found: "X'\(HexDump.pairs([bytes[point]]))'")
                }
                outcome = try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count - 1) { digits in
                    _ = digits.initialize(from: bytes[..<point])
                    _ = UnsafeMutableBufferPointer(rebasing: digits[point...]).initialize(from: bytes[(point + 1)...])
                    return Result { () throws(FieldCodecError) in
                        try zoned.appendJSON(UnsafeRawBufferPointer(digits), to: &output)
                    }
                }.get()
            case let .float(float):
                try float.appendJSON(bytes, to: &output)
                outcome = .written([])
            case .national:
                Self.appendUTF16(bytes, trimming: options.trimming, to: &output)
                outcome = .written([])
            case .hex:
                output.append(UInt8(ascii: "\""))
                output.append(contentsOf: HexDump.compact(bytes).utf8)
                output.append(UInt8(ascii: "\""))
                outcome = .written([])
            }
            switch outcome {
            case .written: break
            case .lowValues: output.append(contentsOf: Self.null)
            case .blank:
                if options.blankNumericAsNull {
                    output.append(contentsOf: Self.null)
                } else {
                    throw FieldCodecError.invalid(
                        bytes, offset: 0, expected: "digits", found: "spaces (a blank numeric field)")
                }
            }
        } catch {
            output.removeSubrange(mark...)
            if options.relaxedDisplayNumbers, let scale = codec.displayScale,
                Self.appendRelaxedNumber(bytes, codePage: codePage(of: node), scale: scale, to: &output)
            {
                return
            }
            let failure = RecordDecodingError.invalidField(
                record: context.number, recordOffset: context.offset, field: path(of: node.id), fieldOffset: start,
                bytes: HexDump.pairs(bytes, limit: 64), reason: error.description)
            guard options.invalidData == .lenient else { throw failure }
            invalidFieldCount += 1
            output.append(contentsOf: Self.null)
            errors.append(FieldError(
                field: path(of: node.id), offset: start, bytes: HexDump.compact(bytes), reason: error.description))
        }
        if options.debugHex {
            output.append(UInt8(ascii: ","))
            output.append(contentsOf: node.debugKey)
            output.append(UInt8(ascii: "\""))
            output.append(contentsOf: HexDump.compact(bytes).uppercased().utf8)
            output.append(UInt8(ascii: "\""))
        }
    }

    static let null: [UInt8] = Array("null".utf8)

    func codePage(of node: Node) -> CodePage {
        let item = layout.items[node.id]
        return options.fieldCodePages[item.name] ?? options.fieldCodePages[item.path.joined(separator: ".")]
            ?? options.codePage
    }

    /// Reads a DISPLAY number written as free-form text (spaces or LOW-VALUES around it, a sign before or after, an optional
    /// point) and appends it with exactly `scale` decimals. False when the text is not such a number or has more
    /// decimals than the picture.
    static func appendRelaxedNumber(
        _ bytes: UnsafeRawBufferPointer, codePage: CodePage, scale: Int, to output: inout [UInt8]
    ) -> Bool {
        guard scale >= 0 else { return false }
        var text: [UInt8] = []
        guard codePage.appendUTF8(decoding: bytes, to: &text) == 0 else { return false }
        var slice = text[...]
        while slice.first == 0x20 || slice.first == 0x00 { slice.removeFirst() }
        while slice.last == 0x20 || slice.last == 0x00 { slice.removeLast() }
        var negative = false
        if let first = slice.first, first == 0x2B || first == 0x2D { negative = first == 0x2D; slice.removeFirst() }
        else if let last = slice.last, last == 0x2B || last == 0x2D { negative = last == 0x2D; slice.removeLast() }
        var integer: [UInt8] = []
        var fraction: [UInt8] = []
        var seenPoint = false
        for byte in slice {
            if byte == 0x2E, !seenPoint { seenPoint = true; continue }
            guard byte >= 0x30 && byte <= 0x39 else { return false }
            if seenPoint { fraction.append(byte) } else { integer.append(byte) }
        }
        guard !integer.isEmpty || !fraction.isEmpty, fraction.count <= scale else { return false }
        if !seenPoint && scale > 0 {
            // No actual point: the digits carry the picture's implied decimal point (V).
            while integer.count < scale { integer.insert(0x30, at: 0) }
            fraction = Array(integer.suffix(scale))
            integer.removeLast(scale)
        }
        while integer.count > 1 && integer.first == 0x30 { integer.removeFirst() }
        if integer.isEmpty { integer = [0x30] }
        while fraction.count < scale { fraction.append(0x30) }
        let isZero = integer == [0x30] && fraction.allSatisfy { $0 == 0x30 }
        if negative && !isZero { output.append(0x2D) }
        output.append(contentsOf: integer)
        if scale > 0 {
            output.append(0x2E)
            output.append(contentsOf: fraction)
        }
        return true
    }

    /// The integer value of an OCCURS DEPENDING ON object (invalid or missing data counts as 0 in lenient mode).
    private func occursObjectValue(_ node: Node, _ codec: FieldCodec, at start: Int, context: RecordContext) -> Int {
        let end = start + node.storageSize
        guard end <= context.bytes.count else { return 0 }
        let bytes = UnsafeRawBufferPointer(rebasing: context.bytes[start..<end])
        do throws(FieldCodecError) {
            let field: NumericField
            switch codec {
            case let .zoned(c): field = try c.decode(bytes)
            case let .packed(c): field = try c.decode(bytes)
            case let .binary(c): field = try c.decode(bytes)
            case let .edited(c): field = try c.decode(bytes)
            default: return 0
            }
            guard case let .number(number) = field, number.scale <= 0 || number.unscaled % pow10(number.scale) == 0
            else { return 0 }
            let whole = number.scale >= 0 ? number.unscaled / pow10(number.scale) : number.unscaled * pow10(-number.scale)
            return Int(clamping: whole)
        } catch {
            // Reported when the field itself is emitted; a table depending on it is then empty.
            return 0
        }
    }

    private func pow10(_ n: Int) -> Int128 {
        var value: Int128 = 1
        for _ in 0..<min(n, 38) { value *= 10 }
        return value
    }

    /// The length of the record at the start of `bytes` when its OCCURS DEPENDING ON tables hold only their live
    /// elements (``RecordDecodingOptions/VariableOccursStorage/shifting``), or nil when `bytes` is too short to
    /// tell yet. For records laid end to end with no length prefix (``RecordFormat/Framing/layout(_:)``).
    public func actualRecordLength(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard layout.hasVariableSize, options.variableOccurs == .shifting else {
            return bytes.count >= layout.size ? layout.size : nil
        }
        struct NeedMoreBytes: Error {}
        let context = RecordContext(bytes: bytes, number: 0, offset: 0)
        do throws(NeedMoreBytes) {
            let size = try layout.actualSize { (object, offset) throws(NeedMoreBytes) -> Int in
                let node = nodes[object.id]
                guard let codec = node.codec, offset + node.storageSize <= bytes.count else { throw NeedMoreBytes() }
                return occursObjectValue(node, codec, at: offset, context: context)
            }
            return size <= bytes.count ? size : nil
        } catch {
            return nil
        }
    }

    /// A ``RecordFormat`` framing for records laid end to end whose length follows from their ODO counts.
    public var layoutLengthFraming: RecordLengthFunction {
        let decoder = self
        return RecordLengthFunction { available in
            if let length = decoder.actualRecordLength(available) { return length }
            // More bytes than a whole maximum-size record and still undecided cannot happen; ask for more.
            return nil
        }
    }

    /// The segment id of the record: the field's trimmed text, or its number as JSON writes it.
    private func segmentValue(_ node: Node, _ context: RecordContext) throws(RecordDecodingError) -> String? {
        let start = layout.items[node.id].offset
        guard let codec = node.codec, start + node.storageSize <= context.bytes.count else { return nil }
        let bytes = UnsafeRawBufferPointer(rebasing: context.bytes[start..<(start + node.storageSize)])
        var text: [UInt8] = []
        do throws(FieldCodecError) {
            switch codec {
            case let .text(c):
                // An id is compared without padding: spaces and LOW-VALUES around it do not count.
                var end = bytes.count
                while end > 0 && (bytes[end - 1] == c.codePage.spaceByte || bytes[end - 1] == 0) { end -= 1 }
                guard end > 0 else { return nil }
                text = []
                _ = c.codePage.appendUTF8(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<end]), to: &text)
                return String(decoding: text, as: UTF8.self).trimmingSpaces
            case let .zoned(c): guard case .written = try c.appendJSON(bytes, to: &text) else { return nil }
            case let .packed(c): guard case .written = try c.appendJSON(bytes, to: &text) else { return nil }
            case let .binary(c): guard case .written = try c.appendJSON(bytes, to: &text) else { return nil }
            default: return nil
            }
        } catch {
            return nil
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `A.B[2].C`: the item's path with the current (0-based, as in the JSON arrays) occurrence index after each table.
    func path(of id: Int) -> String {
        layout.path(of: id, occurrences: occurrence, collapseRoot: options.collapseRoot)
    }

    private func appendErrors(to output: inout [UInt8]) {
        var writer = JSONWriter(capacity: 128 * errors.count)
        writer.writeKey("_errors")
        writer.beginArray()
        for error in errors {
            writer.beginObject()
            writer.writeKey("field")
            writer.writeString(error.field)
            writer.writeKey("offset")
            writer.writeInteger(Int64(error.offset))
            writer.writeKey("bytes")
            writer.writeString(error.bytes.uppercased())
            writer.writeKey("reason")
            writer.writeString(error.reason)
            writer.endObject()
        }
        writer.endArray()
        output.append(contentsOf: writer.takeBytes())
    }

    /// PIC N (USAGE NATIONAL): UTF-16 big-endian, as a JSON string.
    static func appendUTF16(_ bytes: UnsafeRawBufferPointer, trimming: RecordDecodingOptions.TextTrimming, to output: inout [UInt8]) {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = 0
        while i + 1 < bytes.count {
            units.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
            i += 2
        }
        var text = String(decoding: units, as: UTF16.self)
        if trimming == .right || trimming == .both { while text.hasSuffix(" ") { text.removeLast() } }
        if trimming == .left || trimming == .both { while text.hasPrefix(" ") { text.removeFirst() } }
        var writer = JSONWriter(capacity: text.utf8.count + 2)
        writer.writeString(text)
        output.append(contentsOf: writer.takeBytes())
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.hasPrefix(" ") { slice.removeFirst() }
        while slice.hasSuffix(" ") { slice.removeLast() }
        return String(slice)
    }
}
