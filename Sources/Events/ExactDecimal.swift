/// An exact decimal number for money and scaled quantities: `significand × 10^-scale`, with at most 38 significant
/// digits and a scale of 0...38 (the range of SQL `DECIMAL(38, s)` and COBOL packed decimals widened to 38).
///
/// - Backed by an `Int128` significand; never converted through `Double`.
/// - The scale is part of the value's text (`1.50` keeps two places) but not of its identity: `==`, `<` and
///   hashing compare numeric value, so `1.50 == 1.5` and both hash alike. Zero has no sign: `-0.00` is `0.00`.
/// - Arithmetic is exact or throws ``ExactDecimalError``: sums align to the larger scale, products add scales;
///   a result beyond 38 digits or scale 38 throws rather than rounding. Rounding happens only in
///   ``rescaled(to:rounding:)``, with the rule spelled out.
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The unscaled value; `|significand| <= 10^38 - 1`.
    public let significand: Int128
    /// Digits after the decimal point, 0...38.
    public var scale: Int { Int(storedScale) }
    private let storedScale: UInt8

    /// The most significant digits a value may have.
    public static let maximumDigits = 38
    /// The largest scale.
    public static let maximumScale = 38
    /// 10^38 - 1, the largest significand magnitude.
    static let maximumSignificand: Int128 = powerOfTen[38] - 1

    /// The value `unscaled × 10^-scale`. Throws when `unscaled` has more than 38 digits or the scale is outside 0...38.
    public init(unscaled: Int128, scale: Int) throws(ExactDecimalError) {
        guard (0...Self.maximumScale).contains(scale) else { throw .scaleOutOfRange(scale) }
        guard unscaled >= -Self.maximumSignificand, unscaled <= Self.maximumSignificand else {
            throw .tooManyDigits(operation: "init")
        }
        self.significand = unscaled
        self.storedScale = UInt8(scale)
    }

    /// An integer value (scale 0).
    public init(_ value: Int64) {
        significand = Int128(value)
        storedScale = 0
    }

    private init(checked significand: Int128, scale: Int, operation: String) throws(ExactDecimalError) {
        guard scale <= Self.maximumScale else { throw .scaleOutOfRange(scale) }
        guard significand >= -Self.maximumSignificand, significand <= Self.maximumSignificand else {
            throw .overflow(operation: operation)
        }
        self.significand = significand
        self.storedScale = UInt8(scale)
    }

    /// Zero, scale 0.
    public static let zero = ExactDecimal(0)

    /// True for any zero, whatever its scale.
    public var isZero: Bool { significand == 0 }

    // MARK: Parsing

    /// Parses decimal text. Accepted: an optional `+` or `-`, digits with an optional `.` (`"-00123.4500"`, `"+1"`,
    /// `".5"`, `"5."`), and an optional exponent (`"1.5e3"`, `"25E-4"`). Leading zeros are not significant; trailing
    /// fraction zeros are kept in the scale. No spaces, no thousands separators, no `NaN`/`Infinity`.
    public init(parsing text: String) throws(ExactDecimalError) {
        var copy = text
        let result: Result<ExactDecimal, ExactDecimalError> = copy.withUTF8 { bytes in
            do throws(ExactDecimalError) {
                return .success(try ExactDecimal(parsing: UnsafeRawBufferPointer(bytes)))
            } catch { return .failure(error) }
        }
        self = try result.get()
    }

    /// Parses decimal text from UTF-8 bytes (see ``init(parsing:)-(String)``); error offsets count from the first byte.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(ExactDecimalError) {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var magnitude: Int128 = 0
        var significantDigits = 0
        var mantissaDigits = 0
        var fractionDigits = 0
        var seenPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x30, byte <= 0x39 {
                mantissaDigits += 1
                if seenPoint { fractionDigits += 1 }
                if magnitude != 0 || byte != 0x30 {
                    significantDigits += 1
                    guard significantDigits <= Self.maximumDigits else { throw .tooManyDigits(operation: "parse") }
                    magnitude = magnitude * 10 + Int128(byte - 0x30)
                }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                break
            }
            index += 1
        }
        guard mantissaDigits > 0 else { throw .malformed(offset: index, reason: "expected digits") }
        var exponent = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                guard exponent < 10_000 else { throw .malformed(offset: index, reason: "exponent too large") }
                exponent = exponent * 10 + Int(bytes[index] - 0x30)
                index += 1
            }
            guard index > start else { throw .malformed(offset: index, reason: "expected exponent digits") }
            if exponentNegative { exponent = -exponent }
        }
        guard index == bytes.count else { throw .malformed(offset: index, reason: "unexpected character") }
        var scale = fractionDigits - exponent
        if scale < 0 {
            // A positive exponent beyond the fraction: scale up into the significand (exactly, or overflow).
            guard -scale <= Self.maximumDigits else { throw .tooManyDigits(operation: "parse") }
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: powerOfTen[-scale])
            guard !overflow, product <= Self.maximumSignificand else { throw .tooManyDigits(operation: "parse") }
            magnitude = product
            scale = 0
        }
        guard scale <= Self.maximumScale else { throw .scaleOutOfRange(scale) }
        significand = negative ? -magnitude : magnitude
        storedScale = UInt8(scale)
    }

    // MARK: Text

    /// The canonical text: optional `-`, at least one integer digit, and exactly `scale` fraction digits
    /// (`"-123.4500"`, `"0.05"`, `"7"`). Never an exponent; always a valid JSON number token.
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(42)
        append(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the canonical text (see ``description``) as UTF-8 without building a `String`.
    public func append(to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { digits in
            // Digits of the magnitude, least significant first, in 19-digit chunks to keep 128-bit divisions few.
            var count = 0
            var magnitude = significand.magnitude
            repeat {
                let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: 10_000_000_000_000_000_000)
                var chunk = UInt64(remainder)
                magnitude = quotient
                for _ in 0..<19 {
                    digits[count] = UInt8(0x30 + chunk % 10)
                    chunk /= 10
                    count += 1
                    if chunk == 0 && magnitude == 0 { break }
                }
            } while magnitude != 0
            while count > 1 && digits[count - 1] == 0x30 { count -= 1 }
            if significand < 0 { bytes.append(UInt8(ascii: "-")) }
            let scale = self.scale
            if count <= scale {
                bytes.append(UInt8(ascii: "0"))
                bytes.append(UInt8(ascii: "."))
                for _ in 0..<(scale - count) { bytes.append(UInt8(ascii: "0")) }
                for position in stride(from: count - 1, through: 0, by: -1) { bytes.append(digits[position]) }
            } else {
                for position in stride(from: count - 1, through: scale, by: -1) { bytes.append(digits[position]) }
                if scale > 0 {
                    bytes.append(UInt8(ascii: "."))
                    for position in stride(from: scale - 1, through: 0, by: -1) { bytes.append(digits[position]) }
                }
            }
        }
    }

    // MARK: Arithmetic

    /// `self + other`, at the larger of the two scales.
    public func adding(_ other: ExactDecimal) throws(ExactDecimalError) -> ExactDecimal {
        let scale = max(self.scale, other.scale)
        let lhs = try self.significand(atScale: scale, operation: "add")
        let rhs = try other.significand(atScale: scale, operation: "add")
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        guard !overflow else { throw .overflow(operation: "add") }
        return try ExactDecimal(checked: sum, scale: scale, operation: "add")
    }

    /// `self - other`, at the larger of the two scales.
    public func subtracting(_ other: ExactDecimal) throws(ExactDecimalError) -> ExactDecimal {
        try adding(other.negated())
    }

    /// `self × other`, at the sum of the two scales (which must not exceed 38).
    public func multiplied(by other: ExactDecimal) throws(ExactDecimalError) -> ExactDecimal {
        let (product, overflow) = significand.multipliedReportingOverflow(by: other.significand)
        guard !overflow else { throw .overflow(operation: "multiply") }
        return try ExactDecimal(checked: product, scale: scale + other.scale, operation: "multiply")
    }

    /// `-self` (zero stays zero).
    public func negated() -> ExactDecimal {
        ExactDecimal(uncheckedSignificand: -significand, scale: storedScale)
    }

    private init(uncheckedSignificand: Int128, scale: UInt8) {
        significand = uncheckedSignificand
        storedScale = scale
    }

    /// How to drop digits in ``rescaled(to:rounding:)``.
    public enum RoundingRule: Sendable, Hashable {
        /// Round to nearest; ties to the even neighbour (banker's rounding; IEEE 754 `roundTiesToEven`).
        case halfEven
        /// Round to nearest; ties away from zero (`2.5 → 3`, `-2.5 → -3`; COBOL `ROUNDED`).
        case halfUp
        /// Truncate toward zero (`2.9 → 2`, `-2.9 → -2`; COBOL default truncation).
        case down
    }

    /// The same value at `scale`: exact when adding places (throws if that exceeds 38 digits), rounded by `rounding`
    /// when removing places.
    public func rescaled(to scale: Int, rounding: RoundingRule) throws(ExactDecimalError) -> ExactDecimal {
        guard (0...Self.maximumScale).contains(scale) else { throw .scaleOutOfRange(scale) }
        if scale >= self.scale {
            return try ExactDecimal(
                checked: try significand(atScale: scale, operation: "rescale"), scale: scale, operation: "rescale")
        }
        let divisor = powerOfTen[self.scale - scale]
        let (truncated, remainder) = significand.quotientAndRemainder(dividingBy: divisor)
        var quotient = truncated
        let doubled = remainder.magnitude * 2  // < 2 × 10^38, fits UInt128
        let half = divisor.magnitude
        let awayFromZero: Bool
        switch rounding {
        case .down: awayFromZero = false
        case .halfUp: awayFromZero = doubled >= half
        case .halfEven: awayFromZero = doubled > half || (doubled == half && truncated % 2 != 0)
        }
        if awayFromZero && remainder != 0 { quotient += significand < 0 ? -1 : 1 }
        return ExactDecimal(uncheckedSignificand: quotient, scale: UInt8(scale))
    }

    /// The significand expressed at a larger `scale`.
    private func significand(atScale scale: Int, operation: String) throws(ExactDecimalError) -> Int128 {
        if scale == self.scale { return significand }
        let (scaled, overflow) = significand.multipliedReportingOverflow(by: powerOfTen[scale - self.scale])
        guard !overflow, scaled >= -Self.maximumSignificand, scaled <= Self.maximumSignificand else {
            throw .overflow(operation: operation)
        }
        return scaled
    }

    /// Throwing `+` (see ``adding(_:)``).
    public static func + (lhs: ExactDecimal, rhs: ExactDecimal) throws(ExactDecimalError) -> ExactDecimal {
        try lhs.adding(rhs)
    }

    /// Throwing `-` (see ``subtracting(_:)``).
    public static func - (lhs: ExactDecimal, rhs: ExactDecimal) throws(ExactDecimalError) -> ExactDecimal {
        try lhs.subtracting(rhs)
    }

    /// Throwing `*` (see ``multiplied(by:)``).
    public static func * (lhs: ExactDecimal, rhs: ExactDecimal) throws(ExactDecimalError) -> ExactDecimal {
        try lhs.multiplied(by: rhs)
    }

    // MARK: Numeric identity

    /// Both significands brought to the common scale as 256-bit products (never overflows).
    private static func aligned(_ lhs: ExactDecimal, _ rhs: ExactDecimal) -> ((Int128, UInt128), (Int128, UInt128)) {
        let scale = max(lhs.scale, rhs.scale)
        let left = lhs.significand.multipliedFullWidth(by: powerOfTen[scale - lhs.scale])
        let right = rhs.significand.multipliedFullWidth(by: powerOfTen[scale - rhs.scale])
        return ((left.high, left.low), (right.high, right.low))
    }

    /// Numeric equality across scales: `1.50 == 1.5`.
    public static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.storedScale == rhs.storedScale { return lhs.significand == rhs.significand }
        let (left, right) = aligned(lhs, rhs)
        return left == right
    }

    /// Numeric order across scales.
    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.storedScale == rhs.storedScale { return lhs.significand < rhs.significand }
        let (left, right) = aligned(lhs, rhs)
        return left < right
    }

    /// Hashes the value with trailing fraction zeros removed, so numerically equal values hash alike.
    public func hash(into hasher: inout Hasher) {
        let normal = normalized()
        hasher.combine(normal.significand)
        hasher.combine(normal.storedScale)
    }

    /// The same value with trailing fraction zeros removed (`1.500` → `1.5`, `0.00` → `0`).
    public func normalized() -> ExactDecimal {
        if significand == 0 { return .zero }
        var value = significand
        var scale = storedScale
        while scale > 0 {
            let (quotient, remainder) = value.quotientAndRemainder(dividingBy: 10)
            if remainder != 0 { break }
            value = quotient
            scale -= 1
        }
        return ExactDecimal(uncheckedSignificand: value, scale: scale)
    }
}

/// Why an exact decimal could not be made or computed.
public enum ExactDecimalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The text is not a decimal number: byte offset and what was expected.
    case malformed(offset: Int, reason: String)
    /// More than 38 significant digits were given.
    case tooManyDigits(operation: String)
    /// A scale outside 0...38 was asked for or would result.
    case scaleOutOfRange(Int)
    /// An arithmetic result does not fit 38 digits.
    case overflow(operation: String)

    public var description: String {
        switch self {
        case let .malformed(offset, reason): "malformed decimal at byte \(offset): \(reason)"
        case let .tooManyDigits(operation): "decimal \(operation): more than 38 significant digits"
        case let .scaleOutOfRange(scale): "decimal scale \(scale) is outside 0...38"
        case let .overflow(operation): "decimal \(operation) overflows 38 digits"
        }
    }
}

/// 10^0 ... 10^38.
private let powerOfTen: [Int128] = {
    var powers: [Int128] = [1]
    for _ in 1...38 { powers.append(powers[powers.count - 1] * 10) }
    return powers
}()
