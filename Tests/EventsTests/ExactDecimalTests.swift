import Events
import Testing

@Suite struct ExactDecimalTests {
    static let thirtyEightNines = String(repeating: "9", count: 38)

    @Test(arguments: [
        ("-00123.4500", "-123.4500", Int128(-1_234_500), 4),
        ("+1", "1", 1, 0),
        (".5", "0.5", 5, 1),
        ("5.", "5", 5, 0),
        ("0.000", "0.000", 0, 3),
        ("-0.00", "0.00", 0, 2),
        ("1.5e3", "1500", 1500, 0),
        ("25E-4", "0.0025", 25, 4),
        ("1.250E+1", "12.50", 1250, 2),
        ("0.05", "0.05", 5, 2),
        ("10000000000000000000", "10000000000000000000", 10_000_000_000_000_000_000, 0),
    ])
    func parsesAndWritesCanonicalText(text: String, canonical: String, significand: Int128, scale: Int) throws {
        let value = try ExactDecimal(parsing: text)
        #expect(value.description == canonical)
        #expect(value.significand == significand)
        #expect(value.scale == scale)
    }

    @Test func thirtyEightDigitsAcceptedThirtyNineRejected() throws {
        let max = try ExactDecimal(parsing: Self.thirtyEightNines)
        #expect(max.description == Self.thirtyEightNines)
        let negativeFraction = try ExactDecimal(parsing: "-0." + Self.thirtyEightNines)
        #expect(negativeFraction.scale == 38)
        #expect(negativeFraction.description == "-0." + Self.thirtyEightNines)
        // Leading zeros are not significant digits.
        #expect(try ExactDecimal(parsing: "000" + Self.thirtyEightNines).description == Self.thirtyEightNines)
        #expect(throws: ExactDecimalError.tooManyDigits(operation: "parse")) {
            try ExactDecimal(parsing: "1" + Self.thirtyEightNines)
        }
        #expect(throws: ExactDecimalError.tooManyDigits(operation: "parse")) {
            try ExactDecimal(parsing: "9." + Self.thirtyEightNines)
        }
        #expect(throws: ExactDecimalError.scaleOutOfRange(39)) {
            try ExactDecimal(parsing: "0." + String(repeating: "0", count: 38) + "1")
        }
        let maxSignificand = try #require(Int128(Self.thirtyEightNines))
        #expect(try ExactDecimal(unscaled: maxSignificand, scale: 38).description == "0." + Self.thirtyEightNines)
        #expect(throws: ExactDecimalError.tooManyDigits(operation: "init")) {
            try ExactDecimal(unscaled: maxSignificand + 1, scale: 0)
        }
        #expect(throws: ExactDecimalError.scaleOutOfRange(39)) { try ExactDecimal(unscaled: 1, scale: 39) }
        #expect(throws: ExactDecimalError.scaleOutOfRange(-1)) { try ExactDecimal(unscaled: 1, scale: -1) }
    }

    @Test(arguments: [("", 0), ("-", 1), ("1.2.3", 3), ("1e", 2), ("1e+", 3), ("12a", 2), (" 1", 0), ("NaN", 0), ("1,000", 1)])
    func rejectsMalformedText(text: String, offset: Int) {
        #expect {
            try ExactDecimal(parsing: text)
        } throws: { error in
            if case let .malformed(at, _) = error as? ExactDecimalError { return at == offset }
            return false
        }
    }

    @Test func arithmeticIsExact() throws {
        let a = try ExactDecimal(parsing: "0.1")
        let b = try ExactDecimal(parsing: "0.2")
        #expect(try (a + b).description == "0.3")
        func d(_ text: String) throws -> ExactDecimal { try ExactDecimal(parsing: text) }
        #expect(try d("1.50").adding(d("2.125")).description == "3.625")
        #expect(try d("1.50").subtracting(d("2.125")).description == "-0.625")
        #expect(try d("-1.5").multiplied(by: d("2.25")).description == "-3.375")
        #expect(try d("19.99").multiplied(by: ExactDecimal(3)).description == "59.97")
        #expect(try (a - a).description == "0.0")
    }

    @Test func overflowIsReported() throws {
        let big = try ExactDecimal(parsing: Self.thirtyEightNines)
        #expect(throws: ExactDecimalError.overflow(operation: "add")) { try big + ExactDecimal(1) }
        #expect(throws: ExactDecimalError.overflow(operation: "add")) { try big.negated() - ExactDecimal(1) }
        #expect(try (big - ExactDecimal(1)).description == String(repeating: "9", count: 37) + "8")
        let tenToThe19 = try ExactDecimal(parsing: "1e19")
        let tenToThe20 = try ExactDecimal(parsing: "1e20")
        #expect(throws: ExactDecimalError.overflow(operation: "multiply")) { try tenToThe19 * tenToThe20 }
        #expect(throws: ExactDecimalError.overflow(operation: "multiply")) { try big * big }  // Int128 itself overflows
        #expect(throws: ExactDecimalError.overflow(operation: "multiply")) { try tenToThe19 * tenToThe19 }  // 10^38
        #expect(try (ExactDecimal(parsing: "1e18") * tenToThe19).description == "1" + String(repeating: "0", count: 37))
        // Scales add up past 38.
        let tiny = try ExactDecimal(parsing: "0." + String(repeating: "0", count: 19) + "1")
        #expect(throws: ExactDecimalError.scaleOutOfRange(40)) { try tiny * tiny }
        // Aligning a large integer to a long scale overflows.
        #expect(throws: ExactDecimalError.overflow(operation: "add")) {
            try big + ExactDecimal(parsing: "0.1")
        }
    }

    @Test(arguments: [
        ("2.5", ExactDecimal.RoundingRule.halfEven, "2"), ("3.5", .halfEven, "4"), ("-2.5", .halfEven, "-2"),
        ("-3.5", .halfEven, "-4"), ("2.5", .halfUp, "3"), ("-2.5", .halfUp, "-3"), ("2.49", .halfUp, "2"),
        ("2.9", .down, "2"), ("-2.9", .down, "-2"), ("2.51", .halfEven, "3"), ("0.05", .halfEven, "0"),
        ("-0.4", .halfUp, "0"),
    ])
    func roundsToInteger(text: String, rule: ExactDecimal.RoundingRule, expected: String) throws {
        #expect(try ExactDecimal(parsing: text).rescaled(to: 0, rounding: rule).description == expected)
    }

    @Test func rescaleKeepsOrRoundsDigits() throws {
        let value = try ExactDecimal(parsing: "1.2345")
        #expect(try value.rescaled(to: 6, rounding: .down).description == "1.234500")
        #expect(try value.rescaled(to: 2, rounding: .halfUp).description == "1.23")
        #expect(try value.rescaled(to: 3, rounding: .halfEven).description == "1.234")
        #expect(try value.rescaled(to: 3, rounding: .halfUp).description == "1.235")
        #expect(try ExactDecimal(parsing: "0." + Self.thirtyEightNines).rescaled(to: 0, rounding: .halfUp)
            .description == "1")
        #expect(throws: ExactDecimalError.overflow(operation: "rescale")) {
            try ExactDecimal(parsing: Self.thirtyEightNines).rescaled(to: 1, rounding: .down)
        }
    }

    @Test func equalityAndHashingIgnoreScale() throws {
        let values = try ["1.5", "1.50", "1.500000000000000000000000000000000000", "15e-1"].map(ExactDecimal.init(parsing:))
        for value in values {
            #expect(value == values[0])
            #expect(value.hashValue == values[0].hashValue)
        }
        #expect(Set(values).count == 1)
        let zeros = try ["0", "-0", "0.000", "-0.0", "0e5"].map(ExactDecimal.init(parsing:))
        #expect(Set(zeros).count == 1)
        #expect(zeros.allSatisfy { $0 == .zero && $0.isZero })
        #expect(try ExactDecimal(parsing: "1.5") != ExactDecimal(parsing: "1.51"))
    }

    @Test func orderingAcrossScales() throws {
        let sorted = try ["-2", "-1.999", "0", "0.0001", "1.49", "1.5", "1.50001", Self.thirtyEightNines]
            .map(ExactDecimal.init(parsing:))
        #expect(sorted.shuffled().sorted() == sorted)
        #expect(try ExactDecimal(parsing: "0." + Self.thirtyEightNines) < ExactDecimal(1))
        #expect(try ExactDecimal(parsing: Self.thirtyEightNines) > ExactDecimal(parsing: "0.1"))
    }
}
