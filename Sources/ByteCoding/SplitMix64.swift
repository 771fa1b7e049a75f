/// SplitMix64 (Steele, Lea, Flood 2014): a small seeded pseudo-random generator, the same on every platform, for
/// reproducible generated data — benchmark files, fuzz inputs, crash-test timings — so a failing run can be
/// replayed from its seed. Not for anything that needs unpredictability.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's state; the next value depends only on it.
    public private(set) var state: UInt64

    /// A generator that always produces the same sequence for `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
