/// The values the parser collected for one command line, read by a command's ``Command/init(parsing:)``.
///
/// Every value was already checked against its declared type during parsing, so reading it back only fails
/// for a declaration the command never listed (a programming error, reported as a usage error rather than a
/// crash).
public struct ParsedValues: Sendable {
    /// Raw texts by ``ParameterSpec/key``, in command-line order. Flags store one empty string per occurrence.
    var texts: [String: [String]] = [:]

    public init() {}

    /// The option's last value on the command line, else its environment variable, else its default.
    public func value<V>(of option: Option<V>) throws(UsageError) -> V {
        guard let value = try valueIfPresent(of: option) else { throw .missingOption(option.spec.helpLabel) }
        return value
    }

    /// Like ``value(of:)-swift.method`` but nil when the option has no value from any source.
    public func valueIfPresent<V>(of option: Option<V>) throws(UsageError) -> V? {
        guard let text = texts[option.spec.key]?.last else { return option.defaultValue }
        return try convert(text, option.spec)
    }

    /// Every value the option was given, in order (empty when absent; the default is not included).
    public func values<V>(of option: Option<V>) throws(UsageError) -> [V] {
        var result: [V] = []
        for text in texts[option.spec.key] ?? [] { result.append(try convert(text, option.spec)) }
        return result
    }

    /// Whether the option was given on the command line or through its environment variable.
    public func isGiven(_ declaration: some ParameterDeclaration) -> Bool { texts[declaration.spec.key] != nil }

    /// Whether the flag was given.
    public func isSet(_ flag: Flag) -> Bool { texts[flag.spec.key] != nil }

    /// How many times the flag was given.
    public func count(of flag: Flag) -> Int { texts[flag.spec.key]?.count ?? 0 }

    /// The argument's value, or its default.
    public func value<V>(of argument: Argument<V>) throws(UsageError) -> V {
        guard let value = try valueIfPresent(of: argument) else { throw .missingArgument(argument.spec.helpLabel) }
        return value
    }

    /// The argument's value, its default, or nil.
    public func valueIfPresent<V>(of argument: Argument<V>) throws(UsageError) -> V? {
        guard let text = texts[argument.spec.key]?.last else { return argument.defaultValue }
        return try convert(text, argument.spec)
    }

    /// Every value a variadic argument (``ParameterSpec/isVariadic``) was given, in order; empty when absent.
    public func values<V>(of argument: Argument<V>) throws(UsageError) -> [V] {
        var result: [V] = []
        for text in texts[argument.spec.key] ?? [] { result.append(try convert(text, argument.spec)) }
        return result
    }

    private func convert<V: ArgumentValue>(_ text: String, _ spec: ParameterSpec) throws(UsageError) -> V {
        guard let value = V(argument: text) else {
            throw .invalidValue(text, for: spec.helpLabel, expected: V.expectation)
        }
        return value
    }

    mutating func append(_ text: String, for spec: ParameterSpec) { texts[spec.key, default: []].append(text) }
}
