/// MQ `Encoding` (MQENC_*): how integers, packed decimals and floats are laid out in the data that a structure
/// describes. The value packs three fields: integer (mask 0x00F), packed decimal (0x0F0) and float (0xF00).
///
/// Named composites: `MQENC_NORMAL` 0x111 (273), `MQENC_REVERSED` 0x222 (546, `MQENC_NATIVE` on Linux x86 and
/// Windows), `MQENC_S390` 0x311 (785), `MQENC_TNS` 0x411 (1041).
public struct MQEncoding: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The MQLONG value.
    public var rawValue: Int32
    /// An encoding from its MQLONG value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `MQENC_NORMAL` (0x111): big-endian integers and packed decimals, IEEE floats big-endian.
    public static let normal = MQEncoding(rawValue: 0x111)
    /// `MQENC_REVERSED` (0x222): little-endian integers and packed decimals, IEEE floats little-endian.
    public static let reversed = MQEncoding(rawValue: 0x222)
    /// `MQENC_S390` (0x311): big-endian integers, S/390 hexadecimal floats.
    public static let s390 = MQEncoding(rawValue: 0x311)
    /// `MQENC_TNS` (0x411): big-endian integers, Tandem NonStop floats.
    public static let tns = MQEncoding(rawValue: 0x411)
    /// `MQENC_NATIVE` as defined by the Linux x86 header (0x222).
    public static let native = reversed

    /// Integer byte order (`MQENC_INTEGER_*`, mask 0x00F).
    public enum IntegerOrder: Int32, Hashable, Sendable {
        /// `MQENC_INTEGER_UNDEFINED` (0).
        case undefined = 0
        /// `MQENC_INTEGER_NORMAL` (1): big-endian.
        case normal = 1
        /// `MQENC_INTEGER_REVERSED` (2): little-endian.
        case reversed = 2
    }

    /// Packed-decimal byte order (`MQENC_DECIMAL_*`, mask 0x0F0).
    public enum DecimalOrder: Int32, Hashable, Sendable {
        /// `MQENC_DECIMAL_UNDEFINED` (0x00).
        case undefined = 0
        /// `MQENC_DECIMAL_NORMAL` (0x10).
        case normal = 0x10
        /// `MQENC_DECIMAL_REVERSED` (0x20).
        case reversed = 0x20
    }

    /// Floating-point representation (`MQENC_FLOAT_*`, mask 0xF00).
    public enum FloatFormat: Int32, Hashable, Sendable {
        /// `MQENC_FLOAT_UNDEFINED` (0x000).
        case undefined = 0
        /// `MQENC_FLOAT_IEEE_NORMAL` (0x100): IEEE 754, big-endian.
        case ieeeNormal = 0x100
        /// `MQENC_FLOAT_IEEE_REVERSED` (0x200): IEEE 754, little-endian.
        case ieeeReversed = 0x200
        /// `MQENC_FLOAT_S390` (0x300): IBM hexadecimal floating point.
        case s390 = 0x300
        /// `MQENC_FLOAT_TNS` (0x400): Tandem NonStop.
        case tns = 0x400
    }

    /// The integer part; nil for a value outside the defined ones (e.g. 3).
    public var integer: IntegerOrder? { IntegerOrder(rawValue: rawValue & 0x00F) }
    /// The packed-decimal part; nil for a value outside the defined ones.
    public var decimal: DecimalOrder? { DecimalOrder(rawValue: rawValue & 0x0F0) }
    /// The float part; nil for a value outside the defined ones.
    public var float: FloatFormat? { FloatFormat(rawValue: rawValue & 0xF00) }

    /// True when integers are big-endian, false when little-endian, nil when the integer part is undefined.
    public var integersAreBigEndian: Bool? {
        switch integer {
        case .normal: true
        case .reversed: false
        default: nil
        }
    }

    public var description: String { "0x" + String(rawValue, radix: 16, uppercase: true) }
}

/// How the MQCHAR fields of a structure are encoded: detected from its `StrucId`, which is ASCII on distributed
/// platforms and EBCDIC on z/OS (`"MD  "` is `4D 44 20 20` or `D4 C4 40 40`).
public enum MQCharacterSet: String, Hashable, Sendable {
    /// ASCII / ISO 8859-1 (CCSID 819): each byte is the Unicode scalar of the same value.
    case ascii
    /// EBCDIC (read and written through CCSID 500, the international EBCDIC page).
    case ebcdic
}
