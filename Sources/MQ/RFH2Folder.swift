import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import CodePages

/// One MQRFH2 name/value folder: its NameValueData (XML, padding included) in `NameValueCCSID`.
///
/// Properties are typed by the `dt` attribute (IBM "MQRFH2 NameValueData"): none or `string`, `boolean`, `bin.hex`,
/// `i1`, `i2`, `i4`, `i8`, `int`, `r4`, `r8`; `xsi:nil="true"` is null. Nested elements (groups) become dotted
/// names (`grp.child`).
public struct RFH2Folder: Hashable, Sendable {
    /// NameValueData exactly as stored, padding included.
    public var data: [UInt8]
    /// The CCSID of ``data`` (the header's `NameValueCCSID`).
    public let nameValueCCSID: Int32
    /// For UTF-16 CCSIDs: whether the text is big-endian (the header's integer order).
    public let isBigEndian: Bool
    /// Byte offset of ``data`` in the frame it was read from (0 for a folder built here); used in errors.
    public let offset: Int

    /// A folder over stored NameValueData.
    public init(data: [UInt8], nameValueCCSID: Int32 = 1208, bigEndian: Bool = false, offset: Int = 0) {
        self.data = data
        self.nameValueCCSID = nameValueCCSID
        self.isBigEndian = bigEndian
        self.offset = offset
    }

    /// A UTF-8 folder holding `xml`, blank-padded to a multiple of 4.
    public init(xml: String) {
        var bytes = Array(xml.utf8)
        while bytes.count % 4 != 0 { bytes.append(0x20) }
        self.init(data: bytes)
    }

    /// A UTF-8 folder `<name>…</name>` holding `properties` with their `dt` types, blank-padded to a multiple of 4.
    /// Throws ``MQError/Reason/badValue`` when a name is not an XML name (letters, digits, `_`, `-`; no dots).
    public init(name: String, properties: [RFH2Property]) throws(MQError) {
        try Self.checkName(name)
        var xml = "<\(name)>"
        for property in properties {
            try Self.checkName(property.name)
            xml += "<\(property.name)"
            switch property.value {
            case .string(let text): xml += ">" + Self.escaped(text)
            case .boolean(let flag): xml += " dt='boolean'>" + (flag ? "1" : "0")
            case .binary(let bytes): xml += " dt='bin.hex'>" + bytes.map { Self.hexPair($0) }.joined()
            case .int8(let v): xml += " dt='i1'>\(v)"
            case .int16(let v): xml += " dt='i2'>\(v)"
            case .int32(let v): xml += " dt='i4'>\(v)"
            case .int64(let v): xml += " dt='i8'>\(v)"
            case .float32(let v): xml += " dt='r4'>\(v)"
            case .float64(let v): xml += " dt='r8'>\(v)"
            case .null: xml += " xsi:nil='true'>"
            }
            xml += "</\(property.name)>"
        }
        xml += "</\(name)>"
        self.init(xml: xml)
    }

    /// The root element's name (`mcd`, `jms`, `usr`, `mqps`, …); empty when the data has none.
    public var name: String {
        Self.rootName(in: data[...], nameValueCCSID: nameValueCCSID, bigEndian: isBigEndian)
            .map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The NameValueData as text, trailing padding (blanks, NULs) removed.
    public func text() throws(MQError) -> String {
        var text: String
        switch nameValueCCSID {
        case 1208:
            guard let decoded = String(validating: data, as: UTF8.self) else {
                throw MQError(
                    .malformedFolder, offset: offset, header: "MQRFH2", field: "NameValueData",
                    expected: "UTF-8 (NameValueCCSID 1208)", found: "invalid UTF-8")
            }
            text = decoded
        case 1200, 13488, 17584:
            guard data.count % 2 == 0 else {
                throw MQError(
                    .malformedFolder, offset: offset, header: "MQRFH2", field: "NameValueData",
                    expected: "UTF-16 (an even byte count)", found: "\(data.count) bytes")
            }
            var units: [UInt16] = []
            units.reserveCapacity(data.count / 2)
            for index in stride(from: 0, to: data.count, by: 2) {
                let pair = isBigEndian ? UInt16(data[index]) << 8 | UInt16(data[index + 1]) : UInt16(data[index + 1]) << 8 | UInt16(data[index])
                units.append(pair)
            }
            text = String(decoding: units, as: UTF16.self)
        default:
            guard let page = try? CodePage(ccsid: Int(nameValueCCSID)) else {
                throw MQError(
                    .unknownCCSID, offset: offset, header: "MQRFH2", field: "NameValueCCSID",
                    expected: "1208, 1200, 13488, 17584 or a CCSID in CodePages", found: String(nameValueCCSID))
            }
            text = page.decode(data)
        }
        while let last = text.unicodeScalars.last, last == " " || last == "\0" { text.unicodeScalars.removeLast() }
        return text
    }

    /// The folder's properties in document order, typed by `dt`. Parses the XML (FoundationXML `XMLParser`).
    /// Throws ``MQError/Reason/malformedFolder`` for XML that is not well-formed, an unknown `dt` or a value that is
    /// not of its `dt` type.
    public func properties() throws(MQError) -> [RFH2Property] {
        let text = try text()
        let collector = RFH2PropertyCollector()
        // Wrapped in one more element: FoundationXML on Linux stops at the end of the first root element and would
        // not see anything after it.
        let parser = XMLParser(data: Data(("<ferry-folder>" + text + "</ferry-folder>").utf8))
        parser.delegate = collector
        let wellFormed = parser.parse()
        if let failure = collector.failure {
            throw MQError(.malformedFolder, offset: offset, header: "MQRFH2", field: "NameValueData", expected: failure.expected, found: failure.found)
        }
        guard wellFormed else {
            throw MQError(
                .malformedFolder, offset: offset, header: "MQRFH2", field: "NameValueData", expected: "well-formed XML",
                found: "XML error \((parser.parserError as NSError?)?.code ?? -1) at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
        return collector.properties
    }

    /// The root element name's UTF-8 bytes, found by scanning (no XML parse).
    static func rootName(in bytes: ArraySlice<UInt8>, nameValueCCSID: Int32, bigEndian: Bool) -> [UInt8]? {
        if nameValueCCSID == 1208 {
            var index = bytes.startIndex
            while index < bytes.endIndex, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "<") else { return nil }
            index += 1
            let start = index
            while index < bytes.endIndex, bytes[index] != UInt8(ascii: ">"), bytes[index] != 0x20, bytes[index] != UInt8(ascii: "/"),
                bytes[index] != 0x0A, bytes[index] != 0x09, bytes[index] != 0x0D
            { index += 1 }
            return index > start ? Array(bytes[start..<index]) : nil
        }
        let folder = RFH2Folder(data: Array(bytes), nameValueCCSID: nameValueCCSID, bigEndian: bigEndian)
        guard let text = try? folder.text() else { return nil }
        return rootName(in: Array(text.utf8)[...], nameValueCCSID: 1208, bigEndian: bigEndian)
    }

    static func checkName(_ name: String) throws(MQError) {
        let valid = !name.isEmpty && name.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-") && $0 != " "
        } && name.unicodeScalars.first.map { $0.properties.isAlphabetic || $0 == "_" } == true
        guard valid else {
            throw MQError(.badValue, offset: 0, header: "MQRFH2", field: "NameValueData", expected: "an XML element name", found: "'\(name)'")
        }
    }

    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func hexPair(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}

/// A typed MQRFH2 property value (`dt` attribute).
public enum RFH2Value: Hashable, Sendable {
    /// No `dt`, or `dt='string'`.
    case string(String)
    /// `dt='boolean'`: `1`/`0` (also `true`/`false`).
    case boolean(Bool)
    /// `dt='bin.hex'`: hex digits.
    case binary([UInt8])
    /// `dt='i1'`.
    case int8(Int8)
    /// `dt='i2'`.
    case int16(Int16)
    /// `dt='i4'`.
    case int32(Int32)
    /// `dt='i8'` or `dt='int'`.
    case int64(Int64)
    /// `dt='r4'`.
    case float32(Float)
    /// `dt='r8'`.
    case float64(Double)
    /// `xsi:nil='true'`.
    case null

    /// The `dt` attribute value that types this value (`string` for strings, `null` for null).
    public var typeName: String {
        switch self {
        case .string: "string"
        case .boolean: "boolean"
        case .binary: "bin.hex"
        case .int8: "i1"
        case .int16: "i2"
        case .int32: "i4"
        case .int64: "i8"
        case .float32: "r4"
        case .float64: "r8"
        case .null: "null"
        }
    }

    /// Parses `text` as `dt`; nil when it is not a value of that type.
    static func parse(_ text: String, dt: String) -> RFH2Value?? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch dt {
        case "", "string": return .some(.string(text))
        case "boolean":
            switch trimmed {
            case "1", "true": return .some(.boolean(true))
            case "0", "false": return .some(.boolean(false))
            default: return .some(nil)
            }
        case "bin.hex":
            var bytes: [UInt8] = []
            var high: UInt8?
            for scalar in trimmed.unicodeScalars {
                guard let digit = UInt8(String(scalar), radix: 16) else { return .some(nil) }
                if let h = high { bytes.append(h << 4 | digit); high = nil } else { high = digit }
            }
            return .some(high == nil ? .binary(bytes) : nil)
        case "i1": return .some(Int8(trimmed).map { .int8($0) })
        case "i2": return .some(Int16(trimmed).map { .int16($0) })
        case "i4": return .some(Int32(trimmed).map { .int32($0) })
        case "i8", "int": return .some(Int64(trimmed).map { .int64($0) })
        case "r4": return .some(Float(trimmed).map { .float32($0) })
        case "r8": return .some(Double(trimmed).map { .float64($0) })
        default: return nil
        }
    }
}

/// One MQRFH2 property: its element name (dotted for nested groups) and typed value.
public struct RFH2Property: Hashable, Sendable {
    /// Element name, e.g. `ContentLength`, or `group.child` inside a group.
    public var name: String
    /// The typed value.
    public var value: RFH2Value

    public init(name: String, value: RFH2Value) {
        self.name = name
        self.value = value
    }
}

/// SAX delegate collecting leaf elements under the folder's root element.
final class RFH2PropertyCollector: NSObject, XMLParserDelegate {
    struct Failure { var expected: String; var found: String }
    struct Open { var name: String; var dt: String; var isNil: Bool; var text: String; var hasChildren: Bool }

    var properties: [RFH2Property] = []
    var failure: Failure?
    private var stack: [Open] = []
    private var rootName: String?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if stack.count != 1 {
            if !stack.isEmpty { stack[stack.count - 1].hasChildren = true }
        } else if let root = rootName {
            failure = Failure(expected: "well-formed XML (one root element)", found: "<\(elementName)> after </\(root)>")
            parser.abortParsing()
            return
        } else {
            rootName = elementName
        }
        let isNil = attributes["xsi:nil"] == "true"
        stack.append(Open(name: elementName, dt: attributes["dt"] ?? "", isNil: isNil, text: "", hasChildren: false))
    }

    func parserDidEndDocument(_ parser: XMLParser) {
        if failure == nil, let open = stack.last {
            failure = Failure(expected: "well-formed XML", found: "<\(open.name)> not closed")
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let open = stack.popLast() else { return }
        guard open.name == elementName else {
            // FoundationXML on Linux recovers from a mismatched end tag; a folder must be well-formed.
            failure = Failure(expected: "well-formed XML", found: "</\(elementName)> closing <\(open.name)>")
            parser.abortParsing()
            return
        }
        guard stack.count >= 2, !open.hasChildren else { return }  // the wrapper, the root, or a group
        let name = (stack.dropFirst(2).map(\.name) + [open.name]).joined(separator: ".")
        if open.isNil {
            properties.append(RFH2Property(name: name, value: .null))
            return
        }
        switch RFH2Value.parse(open.text, dt: open.dt) {
        case .none:
            failure = Failure(expected: "a dt of string, boolean, bin.hex, i1, i2, i4, i8, int, r4 or r8", found: "dt='\(open.dt)' on <\(open.name)>")
            parser.abortParsing()
        case .some(.none):
            // The value itself is not repeated: properties can carry member data.
            failure = Failure(expected: "a \(open.dt) value in <\(open.name)>", found: "text of \(open.text.count) characters that is not one")
            parser.abortParsing()
        case .some(.some(let value)):
            properties.append(RFH2Property(name: name, value: value))
        }
    }
}
