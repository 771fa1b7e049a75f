import ByteCoding
import Copybook
public import Events
import Foundation
import MQ

/// Applies a ``MappingDefinition``: input bytes → source records → structured-mode CloudEvents (as JSON objects),
/// and, for reversible mappings, an event back to the adapter's bytes.
public struct MappingEngine: Sendable {
    /// The mapping.
    public let mapping: MappingDefinition

    /// Whether ``writeEventLines(from:inputName:metadata:_:)`` compiles copybook mappings to a ``CompiledMapping``
    /// (same bytes, less work per record). Default: true; tests and benchmarks switch it off to compare.
    public var usesCompiledPlan = true

    /// The compiled plan and decoder, built once and shared by copies of the engine.
    let artifacts = MappingEngineArtifacts()

    /// An engine for `mapping`.
    public init(mapping: MappingDefinition) { self.mapping = mapping }

    /// The events for every record of `input` (structured-mode CloudEvents JSON, in input order).
    /// Errors name the input, the record and the mapping's JSON path of the rule that failed.
    /// - Parameter metadata: source metadata that replaces or adds to what the adapter read (by name without
    ///   the `@`, e.g. `mq.replyToQueue`): what a test case or the bridge knows about the input from outside it.
    public func events(from input: [UInt8], inputName: String, metadata: [String: String] = [:]) throws(MappingError) -> [JSONValue] {
        var result: [JSONValue] = []
        for var record in try mapping.source.records(from: input, inputName: inputName, decoder: cachedDecoder) {
            if !metadata.isEmpty { record.metadata.merge(metadata) { _, given in given } }
            result.append(try event(for: record))
        }
        return result
    }

    /// The event for one source record.
    public func event(for record: SourceRecord) throws(MappingError) -> JSONValue {
        let data: JSONValue
        var time: String?
        if let spec = mapping.event.time { time = try timestamp(spec, record) }
        if let cdc = mapping.changeData {
            data = try changeEnvelope(cdc, record, time: time)
        } else {
            data = try mappedData(record, scope: nil)
        }
        let dataBytes = data.encoded()
        let identity = EventIdentity.components(bytes: [
            Array(mapping.name.utf8), Array((record.metadata["mq.correlationId"] ?? "").utf8), dataBytes,
        ])
        var members: [JSONMember] = [
            JSONMember(key: "specversion", value: .string("1.0")),
            JSONMember(key: "id", value: .string(identity.eventID)),
            JSONMember(key: "source", value: .string(try expand(mapping.event.source, record, path: "$.event.source"))),
            JSONMember(key: "type", value: .string(mapping.event.type)),
        ]
        if let subject = mapping.event.subject {
            members.append(JSONMember(key: "subject", value: .string(try expand(subject, record, path: "$.event.subject"))))
        }
        if let time { members.append(JSONMember(key: "time", value: .string(time))) }
        members.append(JSONMember(key: "datacontenttype", value: .string("application/json")))
        if let key = mapping.event.key {
            members.append(JSONMember(key: "partitionkey", value: .string(try expand(key, record, path: "$.event.key"))))
        }
        if let correlation = record.metadata["mq.correlationId"], correlation != String(repeating: "0", count: 48) {
            members.append(JSONMember(key: "correlationid", value: .string(correlation)))
        }
        members.append(JSONMember(key: "data", value: data))
        return .object(members)
    }

    // MARK: Field rules

    /// The data object for `record` (within `scope`, a CDC image group, when given).
    func mappedData(_ record: SourceRecord, scope: JSONValue?) throws(MappingError) -> JSONValue {
        var data: JSONValue = .object([])
        for (index, rule) in mapping.fields.enumerated() where !rule.isDropped {
            let path = "$.fields[\(index)]"
            if let condition = rule.condition, try !holds(condition, record, scope: scope, path: path + ".when") { continue }
            let value = try evaluate(rule, record, scope: scope, path: path)
            data.set(rule.outputPath, value)
        }
        return data
    }

    private func holds(_ condition: FieldCondition, _ record: SourceRecord, scope: JSONValue?, path: String) throws(MappingError) -> Bool {
        let result: Bool
        if let codes = condition.codes {
            let text = record.value(condition.reference, in: scope)?.scalarText?.trimmingSpaces ?? ""
            result = codes.contains(text)
        } else if let scope, let evaluate = record.conditionInScope, let flag = evaluate(condition.reference, scope) {
            result = flag
        } else {
            guard let flag = record.conditions[condition.reference] else {
                throw failure(record, path, "unknown 88-level condition \(condition.reference)")
            }
            result = flag
        }
        return result != condition.isNegated
    }

    private func failure(_ record: SourceRecord, _ path: String, _ message: String) -> MappingError {
        failure(record.position, path, message)
    }

    private func failure(_ position: String, _ path: String, _ message: String) -> MappingError {
        MappingError(file: mapping.file, path: path, "\(position): \(message)")
    }

    private func evaluate(_ rule: FieldRule, _ record: SourceRecord, scope: JSONValue?, path: String) throws(MappingError) -> JSONValue {
        let raw: JSONValue?
        switch rule.origin {
        case let .field(name):
            raw = record.value(name, in: scope)
        case let .concatenation(parts, separator):
            raw = .string(Self.concatenation(parts, separator: separator, trims: rule.trims) { record.value($0, in: scope) })
        case let .constant(value):
            return value
        }
        return try value(of: rule, raw: raw, position: record.position, path: path)
    }

    /// A `concat` rule's text: quoted literals as they are, values (trimmed when the rule trims) unless blank.
    static func concatenation(_ parts: [String], separator: String, trims: Bool, lookup: (String) -> JSONValue?) -> String {
        var pieces: [String] = []
        for part in parts {
            if part.hasPrefix("'") && part.hasSuffix("'") && part.count >= 2 {
                pieces.append(String(part.dropFirst().dropLast()))
            } else if let text = lookup(part)?.scalarText {
                let piece = trims ? text.trimmingSpaces : text
                if !piece.isEmpty { pieces.append(piece) }
            }
        }
        return pieces.joined(separator: separator)
    }

    /// The event value of `rule` for the source value `raw` (nil: absent): trim, blank and default, code table,
    /// type conversion, protection. Shared by the interpreter and ``CompiledMapping``'s general path.
    func value(of rule: FieldRule, raw: JSONValue?, position: String, path: String) throws(MappingError) -> JSONValue {
        var raw = raw
        if case let .string(text)? = raw, rule.trims { raw = .string(text.trimmingSpaces) }
        let isBlank: Bool
        switch raw {
        case nil, .null?: isBlank = true
        case let .string(text)?: isBlank = text.isEmpty
        default: isBlank = false
        }
        if isBlank {
            if let fallback = rule.defaultValue { return fallback }
            if rule.isRequired { throw failure(position, path + "." + rule.referenceKey, "required value missing") }
            return .null
        }
        var value = raw!
        if let codes = rule.codes {
            let code = value.scalarText ?? ""
            if let mapped = codes[code] {
                value = mapped
            } else if let fallback = rule.defaultValue {
                value = fallback
            } else {
                throw failure(position, path + ".codes", "code not in the table (field \(rule.name))")
            }
            if rule.type == .string || value == .null { return value }
        }
        let converted = try convert(value, rule, position, path: path)
        if let protection = rule.protection, case let .string(text) = converted {
            return .string(protect(text, protection))
        }
        return converted
    }

    private func convert(_ value: JSONValue, _ rule: FieldRule, _ position: String, path: String) throws(MappingError) -> JSONValue {
        let text = value.scalarText ?? ""
        switch rule.type {
        case .json:
            return value
        case .string:
            if case .string = value { return value }
            return .string(text)
        case .integer:
            guard let number = Int64(text) else { throw failure(position, path + ".type", "field \(rule.name) is not an integer") }
            return .number(String(number))
        case .decimal:
            guard var decimal = try? ExactDecimal(parsing: text) else {
                throw failure(position, path + ".type", "field \(rule.name) is not a decimal number")
            }
            if let scale = rule.scale {
                guard let rescaled = try? decimal.rescaled(to: scale, rounding: .down), rescaled == decimal else {
                    throw failure(position, path + ".scale", "field \(rule.name) has more than \(scale) decimal places")
                }
                decimal = rescaled
            }
            return .number(decimal.description)
        case .boolean:
            switch value {
            case .bool: return value
            default:
                let upper = text.uppercased()
                if ["Y", "YES", "TRUE", "1", "T"].contains(upper) { return .bool(true) }
                if ["N", "NO", "FALSE", "0", "F"].contains(upper) { return .bool(false) }
                throw failure(position, path + ".type", "field \(rule.name) is not a boolean code")
            }
        case .date:
            guard let iso = LegacyDate.isoDate(text, format: rule.dateFormat!, centuryPivot: rule.centuryPivot) else {
                throw failure(position, path + ".format", "field \(rule.name) is not a valid \(rule.dateFormat!.rawValue) date")
            }
            return .string(iso)
        case .time:
            guard let iso = LegacyDate.isoTime(text) else {
                throw failure(position, path + ".format", "field \(rule.name) is not a valid HHMMSS time")
            }
            return .string(iso)
        }
    }

    private func protect(_ text: String, _ protection: Protection) -> String {
        switch protection {
        case .mask: return String(repeating: "*", count: text.count)
        case .maskAllButLast4:
            let kept = text.suffix(4)
            return String(repeating: "*", count: max(0, text.count - kept.count)) + kept
        case .hash:
            return SHA1.hash(Array(mapping.name.utf8) + [0] + Array(text.utf8)).hex
        }
    }

    func expand(_ template: String, _ record: SourceRecord, path: String) throws(MappingError) -> String {
        var result = ""
        var reference: String?
        for character in template {
            if character == "{" { reference = ""; continue }
            if character == "}", let name = reference {
                // `{A|B}`: the first alternative with a non-blank value.
                let values = name.split(separator: "|").compactMap {
                    record.value(String($0))?.scalarText?.trimmingSpaces
                }
                guard let value = values.first(where: { !$0.isEmpty }) else { throw failure(record, path, "no value for {\(name)}") }
                result += value
                reference = nil
                continue
            }
            if reference != nil { reference!.append(character) } else { result.append(character) }
        }
        return result
    }

    private func timestamp(_ spec: TimeSpecification, _ record: SourceRecord) throws(MappingError) -> String {
        let text = record.value(spec.date)?.scalarText?.trimmingSpaces ?? ""
        guard let date = LegacyDate.isoDate(text, format: spec.format, centuryPivot: spec.centuryPivot) else {
            throw failure(record, "$.event.time.from", "\(spec.date) is not a valid \(spec.format.rawValue) date")
        }
        var time = "00:00:00"
        if let field = spec.timeOfDay {
            let raw = record.value(field)?.scalarText?.trimmingSpaces ?? ""
            guard let parsed = LegacyDate.isoTime(raw) else {
                throw failure(record, "$.event.time.timeFrom", "\(field) is not a valid HHMMSS time")
            }
            time = parsed
        }
        return date + "T" + time + "Z"
    }

    // MARK: CDC

    private func changeEnvelope(_ cdc: ChangeDataSpecification, _ record: SourceRecord, time: String?) throws(MappingError) -> JSONValue {
        let op: String
        switch cdc.operation {
        case let .field(field, codes):
            let code = record.value(field)?.scalarText?.trimmingSpaces ?? ""
            guard let mapped = codes[code] else { throw failure(record, "$.cdc.op.codes", "operation code not in the table (field \(field))") }
            op = mapped
        case let .conditions(table):
            guard let found = table.sorted(by: { $0.key < $1.key }).first(where: { record.conditions[$0.value] == true }) else {
                throw failure(record, "$.cdc.op.conditions", "none of the operation conditions holds")
            }
            op = found.key
        }
        func image(_ group: String?) throws(MappingError) -> JSONValue {
            guard let group, let scope = record.value(group) else { return .null }
            return try mappedData(record, scope: scope)
        }
        let before = op == "c" || op == "r" ? JSONValue.null : try image(cdc.before)
        let after = op == "d" ? JSONValue.null : try image(cdc.after)
        var tsMilliseconds: JSONValue = .null
        if let time, let stamp = try? RFC3339Timestamp(parsing: time) { tsMilliseconds = .number(String(stamp.epochMilliseconds)) }
        return .object([
            JSONMember(key: "op", value: .string(op)),
            JSONMember(key: "before", value: before),
            JSONMember(key: "after", value: after),
            JSONMember(key: "source", value: .object(cdc.sourceBlock + [JSONMember(key: "connector", value: .string("ferry")), JSONMember(key: "mapping", value: .string(mapping.name))])),
            JSONMember(key: "ts_ms", value: tsMilliseconds),
        ])
    }
}

extension JSONValue {
    /// Sets the member at `path` (creating objects on the way), replacing an existing one.
    mutating func set(_ path: [String], _ value: JSONValue) {
        set(path[...], value)
    }

    private mutating func set(_ path: ArraySlice<String>, _ value: JSONValue) {
        guard let first = path.first, case var .object(members) = self else { return }
        // Drop this value's reference to the array so the mutations below do not copy it.
        self = .null
        let index = members.firstIndex { $0.key == first }
        if path.count == 1 {
            if let index { members[index].value = value } else { members.append(JSONMember(key: first, value: value)) }
        } else {
            var child: JSONValue = .object([])
            if let index, case .object = members[index].value {
                child = members[index].value
                members[index].value = .null
            }
            child.set(path.dropFirst(), value)
            if let index { members[index].value = child } else { members.append(JSONMember(key: first, value: child)) }
        }
        self = .object(members)
    }

    /// The member at `path`.
    func get(_ path: [String]) -> JSONValue? {
        var current: JSONValue? = self
        for part in path { current = current?[part] }
        return current
    }
}
