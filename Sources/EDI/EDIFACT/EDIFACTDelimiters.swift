/// The service characters of an EDIFACT interchange (ISO 9735 service string advice, `UNA`).
///
/// `UNA` carries six characters in this order: component data element separator, data element separator,
/// decimal mark, release character, repetition separator (space = none; "reserved" before syntax version 4)
/// and segment terminator. Without `UNA` the defaults of the syntax level apply (``defaults(syntaxVersion:)``,
/// ``levelB``).
public struct EDIFACTDelimiters: Sendable, Hashable {
    /// Component data element separator (UNA1). Default `:`.
    public var component: UInt8
    /// Data element separator (UNA2). Default `+`.
    public var element: UInt8
    /// Decimal mark (UNA3), `.` or `,`. Default `.`.
    public var decimalMark: UInt8
    /// Release character (UNA4); `nil` when the interchange has none (level B without UNA). Default `?`.
    public var release: UInt8?
    /// Repetition separator (UNA5); `nil` when none (space in UNA, or syntax version below 4 without UNA).
    public var repetition: UInt8?
    /// Segment terminator (UNA6). Default `'`.
    public var segmentTerminator: UInt8

    /// Creates a delimiter set from its parts.
    public init(
        component: UInt8, element: UInt8, decimalMark: UInt8, release: UInt8?, repetition: UInt8?,
        segmentTerminator: UInt8
    ) {
        self.component = component
        self.element = element
        self.decimalMark = decimalMark
        self.release = release
        self.repetition = repetition
        self.segmentTerminator = segmentTerminator
    }

    /// The level A defaults `:+.? '` (ISO 9735 clause 7.1); repetition `*` only from syntax version 4.
    public static func defaults(syntaxVersion: Int) -> EDIFACTDelimiters {
        EDIFACTDelimiters(
            component: UInt8(ascii: ":"), element: UInt8(ascii: "+"), decimalMark: UInt8(ascii: "."),
            release: UInt8(ascii: "?"), repetition: syntaxVersion >= 4 ? UInt8(ascii: "*") : nil,
            segmentTerminator: UInt8(ascii: "'"))
    }

    /// Level B (UNOB) information separators used without UNA: IS1 0x1F, IS3 0x1D, IS4 0x1C, no release character.
    public static let levelB = EDIFACTDelimiters(
        component: 0x1F, element: 0x1D, decimalMark: UInt8(ascii: "."), release: nil, repetition: nil,
        segmentTerminator: 0x1C)

    /// Reads the six characters that follow `UNA` (ISO 9735 `UNA1`…`UNA6`).
    ///
    /// A space in position 5 means "no repetition separator". Throws when two service characters coincide,
    /// when the decimal mark is neither `.` nor `,`, or when a separator is a letter or digit.
    public init(serviceStringAdvice six: some Collection<UInt8>, byteOffset: Int) throws(EDIFACTError) {
        let bytes = Array(six)
        guard bytes.count == 6 else {
            throw .invalidServiceStringAdvice(byteOffset: byteOffset, reason: "expected 6 characters after UNA")
        }
        let space = UInt8(ascii: " ")
        component = bytes[0]
        element = bytes[1]
        decimalMark = bytes[2]
        release = bytes[3] == space ? nil : bytes[3]
        repetition = bytes[4] == space ? nil : bytes[4]
        segmentTerminator = bytes[5]
        var seen: [UInt8] = []
        for (index, value) in [component, element, release, repetition, segmentTerminator].enumerated() {
            guard let value else { continue }
            let isAlphanumeric = (0x30...0x39).contains(value) || (0x41...0x5A).contains(value)
                || (0x61...0x7A).contains(value)
            if isAlphanumeric {
                throw .invalidServiceStringAdvice(
                    byteOffset: byteOffset + index, reason: "service character is a letter or digit")
            }
            if seen.contains(value) {
                throw .invalidServiceStringAdvice(
                    byteOffset: byteOffset + index, reason: "service character used twice")
            }
            seen.append(value)
        }
        if decimalMark != UInt8(ascii: ".") && decimalMark != UInt8(ascii: ",") {
            throw .invalidServiceStringAdvice(byteOffset: byteOffset + 2, reason: "decimal mark must be '.' or ','")
        }
    }

    /// The six UNA characters for this set (space for an absent release or repetition character).
    public var serviceStringAdvice: [UInt8] {
        let space = UInt8(ascii: " ")
        return [component, element, decimalMark, release ?? space, repetition ?? space, segmentTerminator]
    }

    @inlinable func isSeparator(_ byte: UInt8) -> Bool {
        byte == component || byte == element || byte == segmentTerminator || byte == repetition
    }
}

/// The character repertoire named by the syntax identifier in UNB (S001 0001), and how its bytes decode.
public enum EDIFACTCharacterSet: Sendable, Hashable {
    /// `UNOA`: upper-case letters, digits, space and `.,-()/='+:?!"%&*;<>` (ISO 646 subset).
    case levelA
    /// `UNOB`: level A plus lower-case letters (ISO 646).
    case levelB
    /// `UNOC`…`UNOK` and the like: an ISO 8859 part, decoded here as ISO 8859-1 (Latin-1).
    case latin1(identifier: String)
    /// `UNOW` / `UNOY`: ISO 10646 as UTF-8.
    case utf8(identifier: String)
    /// Any other identifier (e.g. `ANSI`): UTF-8 when the bytes are valid UTF-8, otherwise Latin-1, with a warning.
    case unknown(identifier: String)

    /// Maps a syntax identifier (UNB S001 0001) to its repertoire.
    public init(syntaxIdentifier: String) {
        switch syntaxIdentifier {
        case "UNOA": self = .levelA
        case "UNOB": self = .levelB
        case "UNOC", "UNOD", "UNOE", "UNOF", "UNOG", "UNOH", "UNOI", "UNOJ", "UNOK": self = .latin1(identifier: syntaxIdentifier)
        case "UNOW", "UNOX", "UNOY": self = .utf8(identifier: syntaxIdentifier)
        default: self = .unknown(identifier: syntaxIdentifier)
        }
    }

    /// Whether `byte` belongs to the repertoire (level A and B only; other sets accept every byte).
    @inlinable public func contains(_ byte: UInt8) -> Bool {
        switch self {
        case .levelA: return EDIFACTCharacterSet.levelATable[Int(byte)]
        case .levelB: return EDIFACTCharacterSet.levelATable[Int(byte)] || (0x61...0x7A).contains(byte)
        default: return true
        }
    }

    @usableFromInline static let levelATable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for scalar in " .,-()/='+:?!\"%&*;<>".utf8 { table[Int(scalar)] = true }
        return table
    }()

    /// Decodes component bytes as text: Latin-1 for ISO 8859 sets, UTF-8 (Latin-1 fallback) otherwise.
    public func decode(_ bytes: [UInt8]) -> String {
        switch self {
        case .latin1: return EDIFACTCharacterSet.decodeLatin1(bytes)
        default:
            if bytes.allSatisfy({ $0 < 0x80 }) || String(validating: bytes, as: UTF8.self) != nil {
                return String(decoding: bytes, as: UTF8.self)
            }
            return EDIFACTCharacterSet.decodeLatin1(bytes)
        }
    }

    static func decodeLatin1(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }
}
