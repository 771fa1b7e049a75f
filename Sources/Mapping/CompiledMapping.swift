import Copybook
import Events
import Foundation

/// A copybook mapping compiled for its layout: every rule resolved once to the field's ``RecordFieldReader``
/// (offset, size, codec) and to its place in the data object, every template split into literals and fields, so
/// that each record goes straight from its bytes to the event's JSON line: no record JSON, no `JSONValue` tree,
/// no name lookups, the deterministic id hashed over the data bytes as they were written.
///
/// Two paths: the direct path (`CompiledMapping+DirectPath.swift`), for data objects whose leaves come in rule
/// order, writes each field straight into the data and hashes the ids of several lines together; the slot path
/// (here) decodes the record's fields into slots and links the object node by node, for the other shapes and for
/// any record the direct path finds unusual.
///
/// The plan produces the same bytes as ``MappingEngine/event(for:)`` written with `JSONWriter.writeValue` and a
/// newline (the equivalence tests run every shipped mapping through both). It handles the common case fast
/// (text, decimals, dates, code tables, constants, defaults, conditions) and the rest through the engine's own
/// conversion (``MappingEngine/value(of:raw:position:path:)``); like the decoder's compiled program it never
/// reports an error: a record with anything wrong or unusual (an invalid field anywhere in the record, a required
/// value missing, a code not in the table, a template without a value) makes
/// ``appendEventLine(record:metadata:to:buffers:defersID:)`` return false, and the caller runs the interpreter on
/// that record, which owns every error message.
///
/// Copybook records, and MQ frames with a copybook payload (the frame's metadata passed in), compile.
/// Not compiled (``init(engine:)`` returns nil): other adapters, MQ text payloads, change-data (`cdc`) mappings,
/// layouts without a compiled `RecordProgram` (OCCURS DEPENDING ON, segment-selected REDEFINES), references to
/// groups, tables or unknown names, and output names where one is a prefix of another.
///
/// A class of constants: the per-record call shares the plan instead of copying (and retaining) its tables.
public final class CompiledMapping: Sendable {
    /// Where a value comes from.
    enum ValueSource: Sendable {
        /// A field of the record: its slot in the record's decoded fields.
        case field(Int)
        case metadata(String)
    }

    /// How a rule's value is made.
    enum Conversion: Sendable {
        /// A string from text or a number (no code table, no protection).
        case text
        /// A decimal from a number with at most `scale` fraction digits.
        case decimal(scale: Int?)
        /// A date from digits.
        case date(LegacyDateFormat, centuryPivot: Int)
        /// A code table whose values are written as they are (string rules, or values that are null).
        case codes([CodeEntry])
        /// The engine's conversion of the value as a `JSONValue`.
        case general
    }

    struct CodeEntry: Sendable {
        var code: [UInt8]
        var encoded: [UInt8]
        /// Written as it is (string rules, null values); otherwise converted by the engine.
        var isFinal: Bool
        var value: JSONValue
    }

    enum Condition: Sendable {
        /// The source's text (trimmed) is one of the codes.
        case codes(ValueSource, [[UInt8]], negated: Bool)
        /// An 88-level on a field: one of the values matches.
        case level88(Int, [ConditionName.Value], negated: Bool)
    }

    enum Origin: Sendable {
        case source(ValueSource)
        case concatenation([ConcatenationPart], separator: String)
        case constant([UInt8])
    }

    enum ConcatenationPart: Sendable {
        case literal(String)
        case source(ValueSource)
    }

    /// A compiled rule. A class with constant fields: the per-record loop reads it without copying the rule's
    /// strings and tables.
    final class Rule: Sendable {
        let rule: FieldRule
        let path: String
        let origin: Origin
        let conversion: Conversion
        let condition: Condition?
        /// The encoded default, when the rule has one.
        let fallback: [UInt8]?
        /// Output nodes from the top-level member to the leaf.
        let nodes: [Int]
        let leaf: Int
        let trims: Bool
        let isRequired: Bool
        let isString: Bool

        init(rule: FieldRule, path: String, origin: Origin, conversion: Conversion, condition: Condition?, fallback: [UInt8]?, nodes: [Int]) {
            self.rule = rule
            self.path = path
            self.origin = origin
            self.conversion = conversion
            self.condition = condition
            self.fallback = fallback
            self.nodes = nodes
            leaf = nodes[nodes.count - 1]
            trims = rule.trims
            isRequired = rule.isRequired
            isString = rule.type == .string
        }
    }

    /// A member of the data object: a leaf written by rules, or an object.
    struct OutputNode: Sendable {
        /// `"name":` JSON-escaped.
        var key: [UInt8]
        /// The parent node, -1 for the data object itself.
        var parent: Int
        var isLeaf: Bool
    }

    enum TemplatePart: Sendable {
        case literal([UInt8])
        /// `{A|B}`: the first alternative with a non-blank value.
        case reference([ValueSource])
    }

    let engine: MappingEngine
    let rules: [Rule]
    let outputNodes: [OutputNode]
    /// The fields decoded once per record, by slot: every field the plan reads, and fields no unconditional rule
    /// reads that may hold invalid data (checked so that such a record goes to the interpreter, whose decoder
    /// reports it, as it would without the plan).
    let slotReaders: [RecordFieldReader]
    /// ``rules`` and ``slotReaders`` unretained, for the per-record loops: calling a class's method through an
    /// array element retains and releases it on every call (60 atomic pairs a record for 30 rules). The arrays
    /// above keep them alive for the plan's lifetime.
    let unretainedRules: [Unmanaged<Rule>]
    let unretainedSlotReaders: [Unmanaged<RecordFieldReader>]
    /// Where each slot's JSON value starts in ``Buffers`` `fields` (each slot has room for its maximum).
    let slotStart: [Int]
    /// Bytes of the decoded-fields buffer.
    let fieldsCapacity: Int
    let recordSize: Int
    let source: [TemplatePart]
    let subject: [TemplatePart]?
    let key: [TemplatePart]?
    let time: (date: ValueSource, format: LegacyDateFormat, timeOfDay: ValueSource?, centuryPivot: Int)?
    /// When every rule applies to every record (no conditions) and the data object's leaves come in rule order
    /// (each written by one rule), the object is fixed literals around the rules' values: `dataFrame[i]` (keys,
    /// commas, braces) precedes rule `i`'s value, the last element closes the object. The values are then written
    /// straight into the identity buffer, with no node linking.
    let dataFrame: [[UInt8]]?
    /// ``dataFrame``'s literals in one pool, literal `i` ending at `dataFrameEnds[i]` (read per record without
    /// retaining an array per literal), followed by 16 bytes of padding.
    let dataFramePool: [UInt8]
    let dataFrameEnds: [Int]
    /// `,"type":"…"`.
    let typeMember: [UInt8]
    let envelope: EnvelopeLiterals
    /// The serialized identity name up to the correlation id: the kind and the mapping name, length-prefixed.
    let identityPrefix: [UInt8]
    /// The direct path (see `CompiledMapping+DirectPath.swift`); nil when the mapping has none.
    let direct: DirectProgram?
    /// The slots the direct path decodes per record: fields of templates and the event time, and fields no rule
    /// reads that may hold invalid data.
    let directSlots: [Int]
    /// The most bytes the direct path writes for the data object.
    let maximumDataCount: Int

    /// Per-record scratch, reused across records.
    public struct Buffers: Sendable {
        var text: [UInt8] = []
        var values: [UInt8] = []
        var identity: [UInt8] = []
        var template: [UInt8] = []
        var valueStart: [Int] = []
        var valueEnd: [Int] = []
        var seen: [Int] = []
        var firstChild: [Int] = []
        var lastChild: [Int] = []
        var next: [Int] = []
        var stamp = 0
        /// The data object's first member node (-1: empty), once linked.
        var rootFirst = -1
        /// The record's fields as JSON values.
        var slots = SlotTable()
        /// For fields decoded through their codec.
        var scratch: [UInt8] = []
        /// The direct path's hashed names, holding the data object (``CompiledMapping/idBatchSize`` slots of
        /// `nameStride` bytes, written through a pointer).
        var name: [UInt8] = []
        var nameStride = 0
        /// Records written on the direct path.
        public internal(set) var directRecords = 0
        /// Lines written with a placeholder id, their names in `name`'s first slots.
        var pendingCount = 0
        var pendingNameEnds: [Int] = []
        var pendingIDOffsets: [Int] = []
        /// Whether lines written with ``CompiledMapping/appendEventLine(record:metadata:to:buffers:defersID:)`` still
        /// wait for their ids (``CompiledMapping/finishPendingIDs(in:buffers:)``).
        public var hasPendingIDs: Bool { pendingCount > 0 }
        /// Empty buffers.
        public init() {}
    }

    /// The plan for `engine`'s mapping, or nil when it cannot be compiled (see the type's documentation).
    public init?(engine: MappingEngine) {
        let mapping = engine.mapping
        let copybook: CopybookSource
        switch mapping.source.adapter {
        case let .copybook(source), let .mq(_, .copybook(source)): copybook = source
        default: return nil
        }
        guard mapping.changeData == nil, let decoder = try? RecordDecoder(layout: copybook.layout, options: copybook.options),
            let allFields = decoder.fieldReaders
        else { return nil }
        var slotReaders: [RecordFieldReader] = []
        var slotOfPosition: [Int: Int] = [:]
        func slot(for reader: RecordFieldReader) -> Int {
            if let found = slotOfPosition[reader.position] { return found }
            slotReaders.append(reader)
            slotOfPosition[reader.position] = slotReaders.count - 1
            return slotReaders.count - 1
        }
        func resolve(_ reference: String) -> ValueSource? {
            if reference.utf8.first == UInt8(ascii: "@") { return .metadata(String(reference.dropFirst())) }
            return decoder.fieldReader(for: reference).map { ValueSource.field(slot(for: $0)) }
        }
        func template(_ text: String) -> [TemplatePart]? {
            // As MappingEngine.expand reads a template.
            var parts: [TemplatePart] = []
            var literal: [UInt8] = []
            var reference: String?
            for character in text {
                if character == "{" { reference = ""; continue }
                if character == "}", let name = reference {
                    if !literal.isEmpty { parts.append(.literal(literal)); literal = [] }
                    var sources: [ValueSource] = []
                    for alternative in name.split(separator: "|") {
                        guard let source = resolve(String(alternative)) else { return nil }
                        sources.append(source)
                    }
                    parts.append(.reference(sources))
                    reference = nil
                    continue
                }
                if reference != nil { reference!.append(character) } else { literal.append(contentsOf: character.utf8) }
            }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            return parts
        }
        // 88-level names as the interpreter's `conditions` table holds them: the last item declaring a name wins.
        var levels: [String: (String, [ConditionName.Value])] = [:]
        for item in copybook.layout.items { for condition in item.conditions { levels[condition.name] = (item.name, condition.values) } }

        var rules: [Rule] = []
        var nodes: [OutputNode] = []
        var alwaysRead = Set<Int>()
        for (index, rule) in mapping.fields.enumerated() where !rule.isDropped {
            let path = "$.fields[\(index)]"
            let origin: Origin
            var direct: ValueSource?
            switch rule.origin {
            case let .field(name):
                guard let source = resolve(name) else { return nil }
                origin = .source(source)
                direct = source
            case let .concatenation(names, separator):
                var parts: [ConcatenationPart] = []
                for part in names {
                    if part.hasPrefix("'") && part.hasSuffix("'") && part.count >= 2 {
                        parts.append(.literal(String(part.dropFirst().dropLast())))
                    } else {
                        guard let source = resolve(part) else { return nil }
                        parts.append(.source(source))
                    }
                }
                origin = .concatenation(parts, separator: separator)
            case let .constant(value):
                origin = .constant(value.encoded())
            }
            var condition: Condition?
            if let when = rule.condition {
                if let codes = when.codes {
                    guard let source = resolve(when.reference) else { return nil }
                    condition = .codes(source, codes.map { Array($0.utf8) }, negated: when.isNegated)
                } else {
                    guard let (itemName, values) = levels[when.reference], let reader = decoder.fieldReader(for: itemName) else {
                        return nil
                    }
                    condition = .level88(slot(for: reader), values, negated: when.isNegated)
                }
            } else if case let .field(slot)? = direct {
                alwaysRead.insert(slotReaders[slot].position)
            }
            let conversion: Conversion
            if rule.protection != nil {
                conversion = .general
            } else if let table = rule.codes {
                conversion = .codes(table.map { code, value in
                    CodeEntry(code: Array(code.utf8), encoded: value.encoded(), isFinal: rule.type == .string || value == .null, value: value)
                })
            } else {
                switch rule.type {
                case .string: conversion = .text
                case .decimal: conversion = .decimal(scale: rule.scale)
                case .date: conversion = .date(rule.dateFormat!, centuryPivot: rule.centuryPivot)
                default: conversion = .general
                }
            }
            // The rule's nodes, created in order of first appearance; a name that is both a leaf and an object is
            // left to the interpreter.
            var parent = -1
            var nodePath: [Int] = []
            for (depth, component) in rule.outputPath.enumerated() {
                let isLeaf = depth == rule.outputPath.count - 1
                var keyBytes: [UInt8] = []
                var name = component
                name.withUTF8 { JSONWriter.appendQuoted(utf8: UnsafeRawBufferPointer($0), to: &keyBytes) }
                keyBytes.append(UInt8(ascii: ":"))
                if let found = nodes.indices.first(where: { nodes[$0].parent == parent && nodes[$0].key == keyBytes }) {
                    guard nodes[found].isLeaf == isLeaf else { return nil }
                    parent = found
                } else {
                    nodes.append(OutputNode(key: keyBytes, parent: parent, isLeaf: isLeaf))
                    parent = nodes.count - 1
                }
                nodePath.append(parent)
            }
            rules.append(Rule(
                rule: rule, path: path, origin: origin, conversion: conversion, condition: condition,
                fallback: rule.defaultValue?.encoded(), nodes: nodePath))
        }
        guard let source = template(mapping.event.source) else { return nil }
        var subject: [TemplatePart]?
        if let text = mapping.event.subject {
            guard let parts = template(text) else { return nil }
            subject = parts
        }
        var key: [TemplatePart]?
        if let text = mapping.event.key {
            guard let parts = template(text) else { return nil }
            key = parts
        }
        var timeSources: [ValueSource] = []
        if let spec = mapping.event.time {
            guard let date = resolve(spec.date) else { return nil }
            var timeOfDay: ValueSource?
            if let field = spec.timeOfDay {
                guard let found = resolve(field) else { return nil }
                timeOfDay = found
            }
            time = (date, spec.format, timeOfDay, spec.centuryPivot)
            timeSources = [date] + (timeOfDay.map { [$0] } ?? [])
        } else {
            time = nil
        }
        self.engine = engine
        self.rules = rules
        unretainedRules = rules.map { Unmanaged.passUnretained($0) }
        let templateSlots = Set(([source] + [subject, key].compactMap { $0 }).flatMap { parts in
            parts.flatMap { part -> [Int] in
                guard case let .reference(sources) = part else { return [] }
                return sources.compactMap { if case let .field(slot) = $0 { slot } else { nil } }
            }
        } + timeSources.compactMap { source -> Int? in
            if case let .field(slot) = source { slot } else { nil }
        })
        self.outputNodes = nodes
        let frame = CompiledMapping.dataFrame(rules: rules, nodes: nodes)
        self.dataFrame = frame
        // Padded: the direct path copies short literals 16 bytes at a time.
        dataFramePool = (frame?.flatMap { $0 } ?? []) + Array(repeating: 0, count: 16)
        var frameEnd = 0
        dataFrameEnds = frame?.map { literal in
            frameEnd += literal.count
            return frameEnd
        } ?? []
        for field in allFields where !field.alwaysDecodes && !alwaysRead.contains(field.position) { _ = slot(for: field) }
        self.slotReaders = slotReaders
        let direct = DirectProgram(
            rules: rules, nodes: nodes, slotReaders: slotReaders,
            leavesInRuleOrder: CompiledMapping.leavesInRuleOrder(rules: rules, nodes: nodes))
        self.direct = direct
        let slotsRead = direct?.slotsRead ?? []
        directSlots = slotReaders.indices.filter {
            templateSlots.contains($0) || slotsRead.contains($0) || !alwaysRead.contains(slotReaders[$0].position)
        }
        maximumDataCount = dataFramePool.count + nodes.reduce(0) { $0 + $1.key.count + 3 } + rules.reduce(0) { total, rule in
            var most = max(64, rule.fallback?.count ?? 0)
            if case let .source(.field(slot)) = rule.origin { most += slotReaders[slot].maximumJSONCount }
            if case let .constant(bytes) = rule.origin { most += bytes.count }
            if case let .codes(entries) = rule.conversion { most += entries.reduce(0) { max($0, $1.encoded.count) } }
            if case let .decimal(scale?) = rule.conversion { most += scale + 1 }
            return total + most
        }
        unretainedSlotReaders = slotReaders.map { Unmanaged.passUnretained($0) }
        var starts: [Int] = []
        var capacity = 0
        for reader in slotReaders {
            starts.append(capacity)
            capacity += reader.maximumJSONCount
        }
        slotStart = starts
        fieldsCapacity = capacity
        self.recordSize = allFields.first?.recordSize ?? copybook.layout.size
        self.source = source
        self.subject = subject
        self.key = key
        var member: [UInt8] = Array(#","type":"#.utf8)
        var typeName = mapping.event.type
        typeName.withUTF8 { JSONWriter.appendQuoted(utf8: UnsafeRawBufferPointer($0), to: &member) }
        typeMember = member
        envelope = EnvelopeLiterals(event: mapping.event, typeMember: member)
        var prefix: [UInt8] = []
        func appendPart(_ part: [UInt8]) {
            let count = UInt32(truncatingIfNeeded: part.count)
            prefix += [UInt8(truncatingIfNeeded: count >> 24), UInt8(truncatingIfNeeded: count >> 16), UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count)]
            prefix += part
        }
        appendPart(Array("generic".utf8))
        appendPart(Array(mapping.name.utf8))
        identityPrefix = prefix
    }

    /// Whether the data object's leaves, in the order the interpreter creates them (depth first, in order of first
    /// appearance), are the rules' leaves in rule order, each written by one rule: then the object can be written
    /// rule by rule, opening and closing objects as the rules' paths change, whichever rules apply.
    static func leavesInRuleOrder(rules: [Rule], nodes: [OutputNode]) -> Bool {
        var leafOrder: [Int] = []
        func visit(parent: Int) {
            for node in nodes.indices where nodes[node].parent == parent {
                if nodes[node].isLeaf { leafOrder.append(node) } else { visit(parent: node) }
            }
        }
        visit(parent: -1)
        return leafOrder == rules.map(\.leaf)
    }

    /// The fixed literals of the data object (see ``dataFrame``), or nil when rules are conditional, share a leaf,
    /// or their leaves are not in rule order. With every rule applying, nodes appear in the order they were created.
    static func dataFrame(rules: [Rule], nodes: [OutputNode]) -> [[UInt8]]? {
        guard rules.allSatisfy({ $0.condition == nil }) else { return nil }
        var literals: [[UInt8]] = []
        var literal: [UInt8] = []
        var leafOrder: [Int] = []
        func object(parent: Int) {
            literal.append(UInt8(ascii: "{"))
            var isFirst = true
            for node in nodes.indices where nodes[node].parent == parent {
                if !isFirst { literal.append(UInt8(ascii: ",")) }
                isFirst = false
                literal.append(contentsOf: nodes[node].key)
                if nodes[node].isLeaf {
                    literals.append(literal)
                    literal = []
                    leafOrder.append(node)
                } else {
                    object(parent: node)
                }
            }
            literal.append(UInt8(ascii: "}"))
        }
        object(parent: -1)
        literals.append(literal)
        guard leafOrder == rules.map(\.leaf) else { return nil }
        return literals
    }

    // MARK: Per record

    /// Appends the event's JSON line (newline included) for one record's bytes to `output`; false, with `output`
    /// unchanged, when the record needs the interpreter.
    /// - Parameter metadata: source metadata by name without the `@`, as ``MappingEngine/events(from:inputName:metadata:)`` takes it.
    /// - Parameter defersID: on the direct path, write the line with a placeholder id and keep its hashed name: the
    ///   ids of eight such lines are hashed together when the eighth is written, or at ``finishPendingIDs(in:buffers:)``.
    ///   The caller hands lines on only when `buffers.hasPendingIDs` is false. A record that does not take the direct
    ///   path gets its id at once.
    public func appendEventLine(
        record: UnsafeRawBufferPointer, metadata: [String: String], to output: inout [UInt8], buffers: inout Buffers,
        defersID: Bool = false
    ) -> Bool {
        if let written = appendEventLineDirectly(record: record, metadata: metadata, to: &output, buffers: &buffers, defersID: defersID) {
            return written
        }
        guard record.count >= recordSize else { return false }
        // Each field decoded once, into its slot; the rules, conditions and templates then read the slots.
        var table = SlotTable()
        swap(&table, &buffers.slots)
        defer { swap(&table, &buffers.slots) }
        guard decode(slotReaders.indices, of: record, into: &table, scratch: &buffers.scratch) else { return false }
        return table.withFields(starts: slotStart) { fields in
            appendEventLine(fields: fields, metadata: metadata, to: &output, buffers: &buffers)
        }
    }

    /// A record's fields as JSON values, each slot from its ``CompiledMapping/slotStart``.
    struct SlotTable {
        var bytes: [UInt8] = []
        /// Where each slot's value ends in `bytes`.
        var ends: [Int] = []

        func withFields<Result>(starts: [Int], _ body: (DecodedFields) -> Result) -> Result {
            bytes.withUnsafeBufferPointer { bytes in
                ends.withUnsafeBufferPointer { ends in body(DecodedFields(bytes: bytes, starts: starts, ends: ends)) }
            }
        }
    }

    /// Decodes the `slots` of `record` into `table` (sized for the plan on first use); false when one of them is not
    /// perfectly valid.
    func decode(
        _ slots: some Sequence<Int>, of record: UnsafeRawBufferPointer, into table: inout SlotTable, scratch: inout [UInt8]
    ) -> Bool {
        if table.ends.count != slotReaders.count || table.bytes.count != fieldsCapacity {
            table.ends = Array(repeating: 0, count: slotReaders.count)
            table.bytes = Array(repeating: 0, count: fieldsCapacity)
        }
        return table.bytes.withUnsafeMutableBufferPointer { bytes -> Bool in
            guard let base = bytes.baseAddress else { return true }
            for slot in slots {
                var at = slotStart[slot]
                let written = unretainedSlotReaders[slot]._withUnsafeGuaranteedRef {
                    $0.writeJSON(record, to: base, at: &at, scratch: &scratch)
                }
                guard written else { return false }
                table.ends[slot] = at
            }
            return true
        }
    }

    /// A record's fields as JSON values, by slot.
    struct DecodedFields {
        let bytes: UnsafeBufferPointer<UInt8>
        let starts: [Int]
        let ends: UnsafeBufferPointer<Int>

        func value(_ slot: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: bytes[starts[slot]..<ends[slot]])
        }
    }

    private func appendEventLine(
        fields: DecodedFields, metadata: [String: String], to output: inout [UInt8], buffers: inout Buffers
    ) -> Bool {
        let correlation = metadata.isEmpty ? nil : metadata["mq.correlationId"]
        let dataStart: Int
        if dataFrame != nil {
            // Fixed shape: literals and values straight into the identity name (built in `values`, then swapped).
            buffers.values.removeAll(keepingCapacity: true)
            appendIdentityPrefix(correlation: correlation, to: &buffers.values)
            dataStart = buffers.values.count
            let written = dataFramePool.withUnsafeBufferPointer { literals in
                var literalStart = 0
                for index in rules.indices {
                    buffers.values.append(contentsOf: UnsafeBufferPointer(rebasing: literals[literalStart..<dataFrameEnds[index]]))
                    literalStart = dataFrameEnds[index]
                    guard unretainedRules[index]._withUnsafeGuaranteedRef({ write($0, fields, metadata, &buffers) }) else {
                        return false
                    }
                }
                buffers.values.append(contentsOf: UnsafeBufferPointer(rebasing: literals[literalStart..<(literals.count - 16)]))
                return true
            }
            guard written else { return false }
            swap(&buffers.values, &buffers.identity)
        } else {
            guard linkDataObject(fields: fields, metadata: metadata, buffers: &buffers, correlation: correlation) else { return false }
            dataStart = buffers.identity.count
            writeObject(first: buffers.rootFirst, &buffers)
        }
        let lengthAt = dataStart - 4
        let dataCount = UInt32(truncatingIfNeeded: buffers.identity.count - dataStart)
        for shift in 0..<4 { buffers.identity[lengthAt + shift] = UInt8(truncatingIfNeeded: dataCount >> (24 - 8 * shift)) }
        let uuid = buffers.identity.withUnsafeBytes { UUIDv5.make(namespace: EventIdentity.ferryNamespace, name: $0) }
        var identity: [UInt8] = []
        swap(&identity, &buffers.identity)
        defer { swap(&identity, &buffers.identity) }
        return identity.withUnsafeBufferPointer { name in
            appendEnvelope(
                uuid: uuid, data: UnsafeBufferPointer(rebasing: name[dataStart...]), correlation: correlation, fields: fields,
                metadata: metadata, to: &output, buffers: &buffers)
        }
    }

    /// The identity name up to the data: kind and mapping name, the correlation id, and four bytes for the data's
    /// length (patched once the data is written).
    private func appendIdentityPrefix(correlation: String?, to name: inout [UInt8]) {
        name.appendBytes(of: identityPrefix)
        if var correlation {
            correlation.withUTF8 { Self.appendLengthPrefixed(UnsafeRawBufferPointer($0), to: &name) }
        } else {
            name.append(contentsOf: [0, 0, 0, 0])
        }
        name.append(contentsOf: [0, 0, 0, 0])
    }

    /// Conditional rules or shared leaves: each applied rule's value into `values`, its nodes linked in order of
    /// first appearance; then the identity name's prefix into `identity`, ready for the data object.
    private func linkDataObject(
        fields: DecodedFields, metadata: [String: String], buffers: inout Buffers, correlation: String?
    ) -> Bool {
        // The data object: each applied rule's value into `values`, its nodes linked in order of first appearance.
        if buffers.seen.count != outputNodes.count {
            for list in [\Buffers.valueStart, \.valueEnd, \.seen, \.firstChild, \.lastChild, \.next] {
                buffers[keyPath: list] = Array(repeating: 0, count: outputNodes.count)
            }
        }
        buffers.stamp &+= 1
        let stamp = buffers.stamp
        var rootFirst = -1
        var rootLast = -1
        buffers.values.removeAll(keepingCapacity: true)
        for rule in rules {
            if let condition = rule.condition {
                guard let applies = holds(condition, fields, metadata, &buffers.text) else { return false }
                if !applies { continue }
            }
            let start = buffers.values.count
            guard write(rule, fields, metadata, &buffers) else { return false }
            let leaf = rule.leaf
            buffers.valueStart[leaf] = start
            buffers.valueEnd[leaf] = buffers.values.count
            for node in rule.nodes where buffers.seen[node] != stamp {
                buffers.seen[node] = stamp
                buffers.firstChild[node] = -1
                buffers.next[node] = -1
                let parent = outputNodes[node].parent
                if parent < 0 {
                    if rootLast >= 0 { buffers.next[rootLast] = node } else { rootFirst = node }
                    rootLast = node
                } else {
                    if buffers.firstChild[parent] >= 0 { buffers.next[buffers.lastChild[parent]] = node } else { buffers.firstChild[parent] = node }
                    buffers.lastChild[parent] = node
                }
            }
        }
        buffers.rootFirst = rootFirst
        buffers.identity.removeAll(keepingCapacity: true)
        appendIdentityPrefix(correlation: correlation, to: &buffers.identity)
        return true
    }

    /// The event's JSON line around the data (`buffers.identity` from `dataStart`).
    /// - Parameter uuid: the id; nil writes a placeholder of the same length, patched once the id is known.
    func appendEnvelope(
        uuid: UUID?, data: UnsafeBufferPointer<UInt8>, correlation: String?, fields: DecodedFields, metadata: [String: String],
        to output: inout [UInt8], buffers: inout Buffers
    ) -> Bool {
        let mark = output.count
        output.appendBytes(of: envelope.head)
        if let uuid { JSONWriter.appendUUIDString(uuid, to: &output) } else { output.appendBytes(of: envelope.idPlaceholder) }
        if let sourceAndType = envelope.sourceAndType {
            output.appendBytes(of: sourceAndType)
        } else {
            output.appendBytes(of: envelope.sourceName)
            guard expand(source, fields, metadata, &buffers, to: &output) else { output.removeSubrange(mark...); return false }
            output.appendBytes(of: typeMember)
        }
        var subjectValue = 0..<0
        if let subject {
            output.appendBytes(of: envelope.subjectName)
            let start = output.count
            guard expand(subject, fields, metadata, &buffers, to: &output) else { output.removeSubrange(mark...); return false }
            subjectValue = start..<output.count
        }
        if let time {
            guard let moment = timestamp(time, fields, metadata, &buffers.text) else { output.removeSubrange(mark...); return false }
            output.appendBytes(of: envelope.timeName)
            var text = moment
            text.withUTF8 { JSONWriter.appendQuoted(utf8: UnsafeRawBufferPointer($0), to: &output) }
        }
        output.appendBytes(of: envelope.contentTypeAndKeyName)
        if let key {
            if envelope.keyRepeatsSubject {
                // The same template as the subject: the same text.
                let count = subjectValue.count
                output.reserveCapacity(output.count + count)
                for index in subjectValue { output.append(output[index]) }
            } else {
                guard expand(key, fields, metadata, &buffers, to: &output) else { output.removeSubrange(mark...); return false }
            }
        }
        if let correlation, correlation != Self.zeroCorrelationID {
            output.appendBytes(of: envelope.correlationName)
            var text = correlation
            text.withUTF8 { JSONWriter.appendQuoted(utf8: UnsafeRawBufferPointer($0), to: &output) }
        }
        output.appendBytes(of: envelope.dataName)
        output.append(contentsOf: data)
        output.append(UInt8(ascii: "}"))
        output.append(UInt8(ascii: "\n"))
        return true
    }

    /// The envelope's fixed text, in a few literals: member names, and the source and type when the source is a
    /// literal.
    struct EnvelopeLiterals: Sendable {
        let head = Array(#"{"specversion":"1.0","id":"#.utf8)
        /// A quoted id's 38 bytes, before the id is hashed.
        let idPlaceholder = Array(#""00000000-0000-0000-0000-000000000000""#.utf8)
        let sourceName = Array(#","source":"#.utf8)
        /// `,"source":"…","type":"…"` when the source template is one literal.
        let sourceAndType: [UInt8]?
        let subjectName = Array(#","subject":"#.utf8)
        let timeName = Array(#","time":"#.utf8)
        /// `,"datacontenttype":"application/json"`, then `,"partitionkey":` when the event has a key.
        let contentTypeAndKeyName: [UInt8]
        /// The key's template is the subject's: its text is copied.
        let keyRepeatsSubject: Bool
        let correlationName = Array(#","correlationid":"#.utf8)
        let dataName = Array(#","data":"#.utf8)

        init(event: EventSpecification, typeMember: [UInt8]) {
            if !event.source.contains("{") {
                var member = Array(#","source":"#.utf8)
                var text = event.source
                text.withUTF8 { JSONWriter.appendQuoted(utf8: UnsafeRawBufferPointer($0), to: &member) }
                sourceAndType = member + typeMember
            } else {
                sourceAndType = nil
            }
            contentTypeAndKeyName = Array(#","datacontenttype":"application/json""#.utf8)
                + (event.key != nil ? Array(#","partitionkey":"#.utf8) : [])
            keyRepeatsSubject = event.key != nil && event.key == event.subject
        }
    }

    /// An MQMD `CorrelId` of 24 zero bytes in hex: no correlation id.
    static let zeroCorrelationID = String(repeating: "0", count: 48)

    static func appendLengthPrefixed(_ part: some Collection<UInt8>, to bytes: inout [UInt8]) {
        let count = UInt32(truncatingIfNeeded: part.count)
        bytes.append(UInt8(truncatingIfNeeded: count >> 24))
        bytes.append(UInt8(truncatingIfNeeded: count >> 16))
        bytes.append(UInt8(truncatingIfNeeded: count >> 8))
        bytes.append(UInt8(truncatingIfNeeded: count))
        bytes.append(contentsOf: part)
    }

    /// Writes the object whose first member node is `first` (-1: empty) to `buffers.identity`.
    private func writeObject(first: Int, _ buffers: inout Buffers) {
        buffers.identity.append(UInt8(ascii: "{"))
        var node = first
        var isFirst = true
        while node >= 0 {
            if !isFirst { buffers.identity.append(UInt8(ascii: ",")) }
            isFirst = false
            buffers.identity.append(contentsOf: outputNodes[node].key)
            if outputNodes[node].isLeaf {
                let range = buffers.valueStart[node]..<buffers.valueEnd[node]
                buffers.values.withUnsafeBufferPointer { values in buffers.identity.append(contentsOf: values[range]) }
            } else {
                writeObject(first: buffers.firstChild[node], &buffers)
            }
            node = buffers.next[node]
        }
        buffers.identity.append(UInt8(ascii: "}"))
    }

    /// The kind of a scalar read into a buffer.
    enum Scalar {
        case absent
        case string(Range<Int>)
        case number(Range<Int>)
    }

    /// Reads the source's value into `text` (replacing it): a string's unescaped UTF-8 or a number's text. Nil
    /// when the field is not perfectly valid.
    private func read(_ source: ValueSource, _ fields: DecodedFields, _ metadata: [String: String], _ text: inout [UInt8]) -> Scalar? {
        text.removeAll(keepingCapacity: true)
        switch source {
        case let .metadata(name):
            guard let value = metadata[name] else { return .absent }
            text.append(contentsOf: value.utf8)
            return .string(0..<text.count)
        case let .field(slot):
            text.append(contentsOf: fields.value(slot))
            guard let first = text.first else { return nil }
            switch first {
            case UInt8(ascii: "\""):
                if !text.contains(0x5C) { return .string(1..<(text.count - 1)) }
                guard case let .string(unescaped)? = try? JSONValue(parsing: text) else { return nil }
                text.removeAll(keepingCapacity: true)
                text.append(contentsOf: unescaped.utf8)
                return .string(0..<text.count)
            case UInt8(ascii: "n"):
                return .absent
            default:
                return .number(0..<text.count)
            }
        }
    }

    /// The value as the interpreter sees it (a `JSONValue`), for the general path.
    private func jsonValue(_ scalar: Scalar, _ text: [UInt8]) -> JSONValue? {
        switch scalar {
        case .absent: nil
        case let .string(range): .string(String(decoding: text[range], as: UTF8.self))
        case let .number(range): .number(String(decoding: text[range], as: UTF8.self))
        }
    }

    private static func trimmed<Text: RandomAccessCollection<UInt8>>(_ range: Range<Int>, _ text: Text) -> Range<Int>
    where Text.Index == Int {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end, text[start] == 0x20 || text[start] == 0x09 { start += 1 }
        while end > start, text[end - 1] == 0x20 || text[end - 1] == 0x09 { end -= 1 }
        return start..<end
    }

    func holds(_ condition: Condition, _ fields: DecodedFields, _ metadata: [String: String], _ text: inout [UInt8]) -> Bool? {
        switch condition {
        case let .codes(source, codes, negated):
            guard let scalar = read(source, fields, metadata, &text) else { return nil }
            var range = 0..<0
            switch scalar {
            case .absent: break
            case let .string(found): range = Self.trimmed(found, text)
            case let .number(found): range = Self.trimmed(found, text)
            }
            let found = text[range]
            return codes.contains { $0.elementsEqual(found) } != negated
        case let .level88(slot, values, negated):
            guard let scalar = read(.field(slot), fields, metadata, &text) else { return nil }
            // A field the record holds is a value (null too); `matches` treats JSON null as a value.
            let value = jsonValue(scalar, text) ?? .null
            return values.contains { CopybookSource.matches(value, $0) } != negated
        }
    }

    /// Writes the rule's value to `buffers.values`; false when the record needs the interpreter.
    func write(_ compiled: Rule, _ fields: DecodedFields, _ metadata: [String: String], _ buffers: inout Buffers) -> Bool {
        let scalar: Scalar
        switch compiled.origin {
        case let .constant(encoded):
            buffers.values.appendBytes(of: encoded)
            return true
        case let .concatenation(parts, separator):
            var pieces: [String] = []
            for part in parts {
                switch part {
                case let .literal(text): pieces.append(text)
                case let .source(source):
                    guard let found = read(source, fields, metadata, &buffers.text) else { return false }
                    guard let value = jsonValue(found, buffers.text)?.scalarText else { continue }
                    let piece = compiled.trims ? value.trimmingSpaces : value
                    if !piece.isEmpty { pieces.append(piece) }
                }
            }
            return general(compiled, .string(pieces.joined(separator: separator)), &buffers.values)
        case let .source(source):
            // A decoded field that is a number or a string without escapes: converted where it lies in the
            // record's fields, without a copy. Anything else is read into `buffers.text` first.
            if case let .field(slot) = source {
                let value = fields.value(slot)
                if let first = value.first, first != UInt8(ascii: "n"),
                    first != UInt8(ascii: "\"") || !value.contains(0x5C)
                {
                    let isNumber = first != UInt8(ascii: "\"")
                    return convert(
                        compiled, value, isNumber ? 0..<value.count : 1..<(value.count - 1), isNumber: isNumber,
                        &buffers.values)
                }
            }
            guard let found = read(source, fields, metadata, &buffers.text) else { return false }
            scalar = found
        }
        switch scalar {
        case .absent:
            return blank(compiled, &buffers.values)
        case let .string(found):
            return buffers.text.withUnsafeBufferPointer { convert(compiled, $0, found, isNumber: false, &buffers.values) }
        case let .number(found):
            return buffers.text.withUnsafeBufferPointer { convert(compiled, $0, found, isNumber: true, &buffers.values) }
        }
    }

    /// Converts a present value (`bytes[found]`: a string's unescaped UTF-8 or a number's text) by the rule's
    /// conversion into `values`; false when the record needs the interpreter.
    private func convert(
        _ compiled: Rule, _ bytes: UnsafeBufferPointer<UInt8>, _ found: Range<Int>, isNumber: Bool,
        _ values: inout [UInt8]
    ) -> Bool {
        // Trim and blank, as MappingEngine.value(of:raw:…) does.
        var range = found
        if !isNumber {
            if compiled.trims { range = Self.trimmed(found, bytes) }
            if range.isEmpty { return blank(compiled, &values) }
        }
        switch compiled.conversion {
        case .text:
            JSONWriter.appendQuoted(utf8: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range])), to: &values)
            return true
        case let .decimal(scale):
            if isNumber, Self.appendDecimal(bytes[range], scale: scale, to: &values) { return true }
        case let .date(format, pivot):
            guard let (year, month, day) = LegacyDate.dateParts(bytes[range], format: format, centuryPivot: pivot) else {
                return false
            }
            Self.appendISODate(year, month, day, to: &values)
            return true
        case let .codes(entries):
            let code = bytes[range]
            if let entry = entries.first(where: { $0.code.elementsEqual(code) }) {
                if entry.isFinal {
                    values.appendBytes(of: entry.encoded)
                    return true
                }
            } else if let fallback = compiled.fallback, compiled.isString {
                values.appendBytes(of: fallback)
                return true
            }
        case .general:
            break
        }
        let text = String(decoding: bytes[range], as: UTF8.self)
        return general(compiled, isNumber ? .number(text) : .string(text), &values)
    }

    /// A blank value: the default, null, or the interpreter when the value is required.
    private func blank(_ compiled: Rule, _ values: inout [UInt8]) -> Bool {
        if let fallback = compiled.fallback {
            values.appendBytes(of: fallback)
            return true
        }
        if compiled.isRequired { return false }
        values.append(contentsOf: "null".utf8)
        return true
    }

    private func general(_ compiled: Rule, _ raw: JSONValue, _ values: inout [UInt8]) -> Bool {
        guard let value = try? engine.value(of: compiled.rule, raw: raw, position: "", path: compiled.path) else { return false }
        values.append(contentsOf: value.encoded())
        return true
    }

    /// A number as the decoder wrote it (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`) rescaled to `scale` as `ExactDecimal`
    /// writes it (zeros appended); false for anything else (more fraction digits, other forms), left to the engine.
    static func appendDecimal(_ text: Slice<UnsafeBufferPointer<UInt8>>, scale: Int?, to values: inout [UInt8]) -> Bool {
        guard let (point, zeros) = decimalRescaling(UnsafeBufferPointer(rebasing: text), scale: scale) else { return false }
        values.append(contentsOf: text)
        if point { values.append(UInt8(ascii: ".")) }
        for _ in 0..<zeros { values.append(0x30) }
        return true
    }

    /// What rescales a number as the decoder wrote it (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`) to `scale` as `ExactDecimal`
    /// writes it: whether a point and how many zeros follow the text; nil for anything else (more fraction digits,
    /// other forms), left to the engine.
    @inline(__always)
    static func decimalRescaling(_ text: UnsafeBufferPointer<UInt8>, scale: Int?) -> (point: Bool, zeros: Int)? {
        var index = 0
        let end = text.count
        if index < end, text[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        while index < end, text[index] >= 0x30, text[index] <= 0x39 { index += 1 }
        let integerDigits = index - integerStart
        guard integerDigits > 0, integerDigits == 1 || text[integerStart] != 0x30 else { return nil }
        var fractionDigits = 0
        if index < end {
            guard text[index] == UInt8(ascii: ".") else { return nil }
            index += 1
            let fractionStart = index
            while index < end, text[index] >= 0x30, text[index] <= 0x39 { index += 1 }
            fractionDigits = index - fractionStart
            guard fractionDigits > 0, index == end else { return nil }
        }
        let target = scale ?? fractionDigits
        guard fractionDigits <= target, integerDigits + target <= 38 else { return nil }
        return (fractionDigits == 0 && target > 0, target - fractionDigits)
    }

    /// `"YYYY-MM-DD"`.
    static func appendISODate(_ year: Int, _ month: Int, _ day: Int, to values: inout [UInt8]) {
        if (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day) {
            // The common case in one append: fixed widths, no division loop.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 12) { text in
                writeISODate(year, month, day, at: text.baseAddress!)
                values.append(contentsOf: UnsafeBufferPointer(text))
            }
            return
        }
        values.append(UInt8(ascii: "\""))
        appendDigits(year, width: 4, to: &values)
        values.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2, to: &values)
        values.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2, to: &values)
        values.append(UInt8(ascii: "\""))
    }

    private static func appendDigits(_ value: Int, width: Int, to values: inout [UInt8]) {
        var divisor = 1
        var digits = 1
        while value / divisor >= 10 { divisor *= 10; digits += 1 }
        for _ in digits..<max(width, digits) { values.append(0x30) }
        while divisor > 0 {
            values.append(UInt8(truncatingIfNeeded: 0x30 + (value / divisor) % 10))
            divisor /= 10
        }
    }

    /// A template's text as a JSON string: literals and, per reference, the first non-blank (trimmed) value.
    private func expand(
        _ parts: [TemplatePart], _ fields: DecodedFields, _ metadata: [String: String], _ buffers: inout Buffers,
        to output: inout [UInt8]
    ) -> Bool {
        // One part (`bench://records`, `{MEMBER-ID}`): quoted straight into the output, without the template buffer,
        // when it is a literal or its first non-blank value is a decoded number or unescaped string.
        if parts.count == 1 {
            switch parts[0] {
            case let .literal(bytes):
                bytes.withUnsafeBytes { JSONWriter.appendQuoted(utf8: $0, to: &output) }
                return true
            case let .reference(sources):
                var isPlain = true
                for source in sources {
                    guard case let .field(slot) = source else {
                        isPlain = false
                        break
                    }
                    let value = fields.value(slot)
                    guard let first = value.first, first != UInt8(ascii: "n"),
                        first != UInt8(ascii: "\"") || !value.contains(0x5C)
                    else {
                        isPlain = false
                        break
                    }
                    let range = Self.trimmed(first == UInt8(ascii: "\"") ? 1..<(value.count - 1) : 0..<value.count, value)
                    if range.isEmpty { continue }
                    JSONWriter.appendQuoted(utf8: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: value[range])), to: &output)
                    return true
                }
                // Every alternative blank: no value, as below.
                if isPlain { return false }
            }
        }
        buffers.template.removeAll(keepingCapacity: true)
        for part in parts {
            switch part {
            case let .literal(bytes):
                buffers.template.appendBytes(of: bytes)
            case let .reference(sources):
                var found = false
                for source in sources {
                    guard let scalar = read(source, fields, metadata, &buffers.text) else { return false }
                    let range: Range<Int>
                    switch scalar {
                    case .absent: continue
                    case let .string(text): range = Self.trimmed(text, buffers.text)
                    case let .number(text): range = Self.trimmed(text, buffers.text)
                    }
                    if range.isEmpty { continue }
                    buffers.template.append(contentsOf: buffers.text[range])
                    found = true
                    break
                }
                if !found { return false }
            }
        }
        buffers.template.withUnsafeBytes { JSONWriter.appendQuoted(utf8: $0, to: &output) }
        return true
    }

    /// The event time `YYYY-MM-DDTHH:MM:SSZ`, or nil.
    private func timestamp(
        _ time: (date: ValueSource, format: LegacyDateFormat, timeOfDay: ValueSource?, centuryPivot: Int),
        _ fields: DecodedFields, _ metadata: [String: String], _ text: inout [UInt8]
    ) -> String? {
        func trimmedText(_ source: ValueSource) -> String? {
            guard let scalar = read(source, fields, metadata, &text) else { return nil }
            switch scalar {
            case .absent: return ""
            case let .string(range), let .number(range): return String(decoding: text[Self.trimmed(range, text)], as: UTF8.self)
            }
        }
        guard let dateText = trimmedText(time.date),
            let date = LegacyDate.isoDate(dateText, format: time.format, centuryPivot: time.centuryPivot)
        else { return nil }
        var clock = "00:00:00"
        if let field = time.timeOfDay {
            guard let raw = trimmedText(field), let parsed = LegacyDate.isoTime(raw) else { return nil }
            clock = parsed
        }
        return date + "T" + clock + "Z"
    }
}

extension CopybookSource {
    /// Bytes per fixed-format record (the layout's size).
    var recordSize: Int { layout.size }
}

extension Array where Element == UInt8 {
    /// Appends `bytes` through a borrowed buffer: `append(contentsOf:)` takes its argument owned, which costs a
    /// retain and a release of a stored array on every call.
    @inline(__always)
    fileprivate mutating func appendBytes(of bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
    }
}
