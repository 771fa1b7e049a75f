import ByteCoding
import Foundation

/// Why ``RecordEventWriter`` could not write a record's event.
public enum RecordEventError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The record has no string or number at the key path (record number from 1, key path as given).
    case missingKey(recordNumber: Int, keyPath: String)
    /// The record's JSON is not one valid JSON object (the adapter wrote something else).
    case malformedRecord(recordNumber: Int, JSONParseError)
    /// An attribute breaks the CloudEvents rules (e.g. the key's text holds a control character): what
    /// ``CloudEvent/init(id:source:type:subject:time:dataContentType:dataSchema:extensions:data:)`` throws.
    case invalidEvent(CloudEventError)

    public var description: String {
        switch self {
        case let .missingKey(recordNumber, keyPath): "record \(recordNumber) has no value for key field \(keyPath)"
        case let .malformedRecord(recordNumber, error): "record \(recordNumber): \(error)"
        case let .invalidEvent(error): "\(error)"
        }
    }
}

/// Writes a structured-mode CloudEvent JSON line around a record's JSON object, keyed by one of its members: what
/// `ferry convert copybook --key FIELD --type NAME` writes for each decoded record.
///
/// The line is the CloudEvents JSON format (``CloudEventJSONFormat``) of the event
/// - `id`: the lower-case UUIDv5 of ``EventIdentity/fileRecord(fileName:recordNumber:)`` (one SHA-1 block for
///   short file names; not a hash of the data),
/// - `source`, `type` as given, `subject` and the `partitionkey` extension = the key's text, `datacontenttype`
///   `application/json`,
/// - `data` = the record's JSON, copied verbatim.
///
/// The key is found without building a tree: the members of the record's object are scanned in place (a dotted
/// path from the top level first, then the whole path inside nested objects, depth first; arrays are not
/// searched; the first string or number found wins, its text unescaped as JSON). The bytes are those of building a
/// ``CloudEvent`` from the parsed record and writing it with ``CloudEventJSONFormat`` (the previous implementation;
/// `RecordEventWriterEquivalenceTests` compares them), and so are the errors.
public struct RecordEventWriter: Sendable {
    /// The key's path: a COBOL name (`MEMBER-ID`) or a dotted path (`MEMBER.MEMBER-ID`), split at the dots.
    public let keyPath: [String]
    /// The key path's components as UTF-8, for comparison with member names.
    private let keyPathUTF8: [[UInt8]]
    /// The name of the input in the event id (the path as given, `stdin` for standard input).
    public let fileName: String
    /// `{"specversion":"1.0","id":`
    private static let head: [UInt8] = Array(#"{"specversion":"1.0","id":"#.utf8)
    /// `,"datacontenttype":"application/json","partitionkey":`
    private static let contentTypeAndPartitionKey: [UInt8] = Array(#","datacontenttype":"application/json","partitionkey":"#.utf8)
    /// `,"data":`
    private static let dataMember: [UInt8] = Array(#","data":"#.utf8)
    /// `,"source":…,"type":…,"subject":`
    private let attributes: [UInt8]
    /// The identity name up to the record number: kind `file.record` and the file name, each length-prefixed.
    private let identityPrefix: [UInt8]
    /// What a ``CloudEvent`` with this source and type would fail on (thrown for the first record, as before).
    private let attributeError: CloudEventError?
    /// The identity name of the current record (reused).
    private var identity: [UInt8] = []

    /// A writer of events of `type` from `source`, keyed by the member at `key` (dots separate path components),
    /// with ids derived from `fileName` and the record number.
    public init(key: String, type: String, fileName: String, source: String) {
        keyPath = key.split(separator: ".").map(String.init)
        keyPathUTF8 = keyPath.map { Array($0.utf8) }
        self.fileName = fileName
        var error: CloudEventError?
        do throws(CloudEventError) {
            // The order of CloudEvent.validate(): id (never empty here), source, type, then subject per record.
            try CloudEvent.validateRequiredString(source, "source")
            try CloudEventAttributeValue.validateURIReference(source, attribute: "source")
            try CloudEvent.validateRequiredString(type, "type")
        } catch let caught {
            error = caught
        }
        attributeError = error
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.writeKey(ascii: "source")
        writer.writeString(source)
        writer.writeKey(ascii: "type")
        writer.writeString(type)
        writer.writeKey(ascii: "subject")
        attributes = [UInt8(ascii: ",")] + writer.bytes.dropFirst()  // `,` for `{`: the id comes before
        var prefix: [UInt8] = []
        Self.appendLengthPrefixed(Array("file.record".utf8), to: &prefix)
        Self.appendLengthPrefixed(Array(fileName.utf8), to: &prefix)
        identityPrefix = prefix
        identity.reserveCapacity(prefix.count + 24)
    }

    /// Appends the event line (newline included) for one record to `output`.
    /// - Parameters:
    ///   - record: the record's JSON object, without a trailing newline. It is trusted to be one valid JSON value
    ///     (the copybook decoder's output is): only the members scanned to find the key are checked.
    ///   - recordNumber: the record's number in its input (from 1): part of the event id.
    /// - Throws: ``RecordEventError``; nothing is appended then.
    public mutating func append(
        record: UnsafeRawBufferPointer, recordNumber: Int, to output: inout [UInt8]
    ) throws(RecordEventError) {
        let found: (range: Range<Int>, isString: Bool)?
        do throws(JSONParseError) {
            var parser = JSONParser(record)
            parser.skipWhitespace()
            guard !parser.reader.isAtEnd else { throw parser.error("a JSON object") }
            found = try find(0, inObjectAt: parser.position, of: record)
        } catch {
            throw .malformedRecord(recordNumber: recordNumber, error)
        }
        guard let key = found else {
            throw .missingKey(recordNumber: recordNumber, keyPath: keyPath.joined(separator: "."))
        }
        // The key's text, as the parsed tree held it: strings unescaped, numbers as written.
        let token = UnsafeRawBufferPointer(rebasing: record[key.range])
        let inner = key.isString ? UnsafeRawBufferPointer(rebasing: token[1..<(token.count - 1)]) : token
        // Printable ASCII without escapes (COBOL keys, numbers): the text is these bytes and a valid subject, so
        // no `String` is made. Anything else is unescaped into a `String` and validated as CloudEvent does.
        let isPlain = !inner.isEmpty && !inner.contains { $0 < 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "\\") }
        var text = ""
        if !isPlain {
            if key.isString {
                var parser = JSONParser(token)
                do throws(JSONParseError) { text = try parser.parseString() } catch {
                    throw .malformedRecord(recordNumber: recordNumber, error)
                }
            } else {
                text = String(decoding: token, as: UTF8.self)
            }
        }
        if let attributeError { throw .invalidEvent(attributeError) }
        if !isPlain {
            do throws(CloudEventError) { try CloudEvent.validateRequiredString(text, "subject") } catch {
                throw .invalidEvent(error)
            }
        }

        identity.removeAll(keepingCapacity: true)
        identity.append(contentsOf: identityPrefix)
        Self.appendLengthPrefixedDecimal(recordNumber, to: &identity)
        let uuid = identity.withUnsafeBytes { UUIDv5.make(namespace: EventIdentity.ferryNamespace, name: $0) }

        Self.head.withUnsafeBufferPointer { output.append(contentsOf: $0) }
        JSONWriter.appendUUIDString(uuid, to: &output)
        attributes.withUnsafeBufferPointer { output.append(contentsOf: $0) }
        func appendKey(_ key: UnsafeRawBufferPointer) {
            JSONWriter.appendQuoted(utf8: key, to: &output)
            Self.contentTypeAndPartitionKey.withUnsafeBufferPointer { output.append(contentsOf: $0) }
            JSONWriter.appendQuoted(utf8: key, to: &output)
        }
        if isPlain {
            appendKey(inner)
        } else {
            text.withUTF8 { appendKey(UnsafeRawBufferPointer($0)) }
        }
        Self.dataMember.withUnsafeBufferPointer { output.append(contentsOf: $0) }
        output.append(contentsOf: record.assumingMemoryBound(to: UInt8.self))
        output.append(UInt8(ascii: "}"))
        output.append(UInt8(ascii: "\n"))
    }

    /// The key token (its byte range in `record`, quotes included for a string) for `keyPath[component...]`
    /// inside the object starting at `start`: members named `keyPath[component]` first (a scalar when it is the
    /// last component, else the rest of the path inside the member's object), then the whole remaining path in
    /// every member's object, depth first. Nil when nothing matches or `start` is not an object.
    private func find(
        _ component: Int, inObjectAt start: Int, of record: UnsafeRawBufferPointer
    ) throws(JSONParseError) -> (range: Range<Int>, isString: Bool)? {
        guard record[start] == UInt8(ascii: "{") else { return nil }
        let name = keyPathUTF8[component]
        let isLast = component == keyPathUTF8.count - 1
        var found: (range: Range<Int>, isString: Bool)?
        try forEachMember(ofObjectAt: start, in: record) { (key: Range<Int>, value: Range<Int>) throws(JSONParseError) -> Bool in
            guard Self.memberName(record, key, equals: name) else { return true }
            let first = record[value.lowerBound]
            if !isLast {
                if first == UInt8(ascii: "{"), let inner = try find(component + 1, inObjectAt: value.lowerBound, of: record) {
                    found = inner
                    return false
                }
                return true
            }
            if first == UInt8(ascii: "\"") {
                found = (value, true)
                return false
            }
            if first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) {
                found = (value, false)
                return false
            }
            return true
        }
        if found != nil { return found }
        try forEachMember(ofObjectAt: start, in: record) { (_: Range<Int>, value: Range<Int>) throws(JSONParseError) -> Bool in
            guard record[value.lowerBound] == UInt8(ascii: "{") else { return true }
            found = try find(component, inObjectAt: value.lowerBound, of: record)
            return found == nil
        }
        return found
    }

    /// Calls `body` with each member's name token and value range of the object starting at `start`, in order,
    /// until it returns false.
    private func forEachMember(
        ofObjectAt start: Int, in record: UnsafeRawBufferPointer,
        _ body: (Range<Int>, Range<Int>) throws(JSONParseError) -> Bool
    ) throws(JSONParseError) {
        var parser = JSONParser(UnsafeRawBufferPointer(rebasing: record[start...]), baseOffset: start)
        parser.advance()  // {
        parser.skipWhitespace()
        if parser.reader.peekByte() == UInt8(ascii: "}") { return }
        while true {
            parser.skipWhitespace()
            let keyStart = start + parser.position
            guard parser.reader.peekByte() == UInt8(ascii: "\"") else { throw parser.error("'\"' starting a member name") }
            try parser.skipString()
            let keyEnd = start + parser.position
            parser.skipWhitespace()
            try parser.expect(UInt8(ascii: ":"), "':' after a member name")
            parser.skipWhitespace()
            let valueStart = start + parser.position
            try parser.skipValue(depth: 1)
            let valueEnd = start + parser.position
            guard try body(keyStart..<keyEnd, valueStart..<valueEnd) else { return }
            parser.skipWhitespace()
            if parser.reader.peekByte() == UInt8(ascii: ",") {
                parser.advance()
                continue
            }
            try parser.expect(UInt8(ascii: "}"), "',' or '}' in an object")
            return
        }
    }

    /// Whether the member name token at `range` (quotes included) is `name` once unescaped.
    private static func memberName(_ record: UnsafeRawBufferPointer, _ range: Range<Int>, equals name: [UInt8]) -> Bool {
        let inner = (range.lowerBound + 1)..<(range.upperBound - 1)
        // ASCII without escapes (COBOL names): bytes compare as the Strings do.
        if !record[inner].contains(where: { $0 == UInt8(ascii: "\\") || $0 >= 0x80 }), !name.contains(where: { $0 >= 0x80 }) {
            return inner.count == name.count && record[inner].elementsEqual(name)
        }
        // Otherwise as `String`s, which compare by canonical equivalence, as the parsed tree's keys did.
        var parser = JSONParser(UnsafeRawBufferPointer(rebasing: record[range]))
        guard let text = try? parser.parseString() else { return false }
        return text == String(decoding: name, as: UTF8.self)
    }

    private static func appendLengthPrefixed(_ part: [UInt8], to name: inout [UInt8]) {
        let count = UInt32(truncatingIfNeeded: part.count)
        for shift in stride(from: 24, through: 0, by: -8) { name.append(UInt8(truncatingIfNeeded: count >> UInt32(shift))) }
        name.append(contentsOf: part)
    }

    /// `value` in decimal (as `String(value)`), preceded by its length as 4 bytes big-endian.
    private static func appendLengthPrefixedDecimal(_ value: Int, to name: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            var rest = value.magnitude
            if value < 0 {
                buffer[0] = UInt8(ascii: "-")
                count = 1
            }
            var length = 1
            var probe = rest / 10
            while probe > 0 {
                length += 1
                probe /= 10
            }
            count += length
            var index = count - 1
            repeat {
                buffer[index] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
                index -= 1
            } while rest > 0
        }
        name.append(contentsOf: [0, 0, 0, UInt8(count)])
        withUnsafeBytes(of: &digits) { name.append(contentsOf: $0.prefix(count)) }
    }
}
