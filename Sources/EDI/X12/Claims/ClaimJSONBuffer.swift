import Events
import Foundation

/// Bytes that ``X12ClaimEventWriter`` puts together (JSON parts of a claim, the values of a set's HL levels): one
/// allocation with its own count and capacity, grown by doubling, written with bounds-asserted unchecked stores.
///
/// Replaces `[UInt8]` on the writer's hot path, where every `append(contentsOf:)` was a non-inlined generic call
/// with its own uniqueness and capacity check (about 300 per claim). A class, so the writer's helpers fill it without
/// `inout` access to the writer's own properties; the writer keeps its value semantics by copying its buffers
/// (``ClaimJSONBuffers/copy()``) before it writes whenever another copy of the writer shares them.
final class ClaimJSONBuffer {
    /// The first byte; `count` bytes are initialized.
    private(set) var base: UnsafeMutablePointer<UInt8>
    /// Bytes written.
    private(set) var count = 0
    private var capacity: Int
    /// For the rare values written through `[UInt8]` APIs (escaped strings, decimals).
    private var scratch: [UInt8] = []

    /// An empty buffer with room for `capacity` bytes.
    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// A buffer holding the same bytes.
    func copy() -> ClaimJSONBuffer {
        let copy = ClaimJSONBuffer(capacity: capacity)
        copy.base.update(from: base, count: count)
        copy.count = count
        return copy
    }

    var isEmpty: Bool { count == 0 }

    /// The bytes written so far (valid until the next write).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Bytes `start..<end` of what was written (valid until the next write).
    @inline(__always)
    func bytes(from start: Int, to end: Int) -> UnsafeRawBufferPointer {
        assert(start >= 0 && start <= end && end <= count)
        return UnsafeRawBufferPointer(start: base + start, count: end - start)
    }

    /// Whether every value copied in since the last ``removeAll()`` came from a segment without bytes to escape
    /// (``X12SegmentFields/isPlain``): kept by the writer for its value stores, so values read back from them are
    /// written as JSON strings without being checked again.
    var holdsPlainText = true

    /// Forgets the bytes, keeps the allocation.
    @inline(__always)
    func removeAll() {
        count = 0
        holdsPlainText = true
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private func reserve(_ extra: Int) {
        if capacity - count < extra { grow(to: count + extra) }
    }

    @inline(never)
    private func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ first: UInt8, _ second: UInt8) {
        reserve(2)
        base[count] = first
        base[count + 1] = second
        count += 2
    }

    /// Appends `source` (bytes of another buffer or of the input).
    @inline(__always)
    func append(_ source: UnsafeRawBufferPointer) {
        let length = source.count
        guard length > 0, let from = source.baseAddress else { return }
        reserve(length)
        Self.copyBytes(to: UnsafeMutableRawPointer(base + count), from: from, count: length)
        count += length
    }

    /// Copies `count` bytes; up to 32 with two overlapping pairs of unaligned loads and stores instead of a call to
    /// `memmove` (most values and keys are that short).
    @inline(__always)
    private static func copyBytes(to target: UnsafeMutableRawPointer, from source: UnsafeRawPointer, count: Int) {
        if count >= 8 {
            if count <= 16 {
                let head = source.loadUnaligned(as: UInt64.self)
                let tail = source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                target.storeBytes(of: head, as: UInt64.self)
                target.storeBytes(of: tail, toByteOffset: count - 8, as: UInt64.self)
            } else if count <= 32 {
                let first = source.loadUnaligned(as: UInt64.self)
                let second = source.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                let third = source.loadUnaligned(fromByteOffset: count - 16, as: UInt64.self)
                let fourth = source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                target.storeBytes(of: first, as: UInt64.self)
                target.storeBytes(of: second, toByteOffset: 8, as: UInt64.self)
                target.storeBytes(of: third, toByteOffset: count - 16, as: UInt64.self)
                target.storeBytes(of: fourth, toByteOffset: count - 8, as: UInt64.self)
            } else {
                target.copyMemory(from: source, byteCount: count)
            }
        } else if count >= 4 {
            let head = source.loadUnaligned(as: UInt32.self)
            let tail = source.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
            target.storeBytes(of: head, as: UInt32.self)
            target.storeBytes(of: tail, toByteOffset: count - 4, as: UInt32.self)
        } else {
            for index in 0..<count {
                target.storeBytes(of: source.load(fromByteOffset: index, as: UInt8.self), toByteOffset: index, as: UInt8.self)
            }
        }
    }

    /// Appends the UTF-8 of `text`.
    func appendUTF8(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends what `other` holds.
    @inline(__always)
    func append(_ other: ClaimJSONBuffer) {
        append(other.bytes)
    }

    /// Appends a static ASCII literal in one copy.
    @inline(__always)
    func appendLiteral(_ literal: StaticString) {
        append(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends `value` in decimal (a JSON number token).
    func appendDecimalInteger(_ value: Int) {
        reserve(21)
        var magnitude = value.magnitude
        if value < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        var position = count + digits - 1
        repeat {
            base[position] = UInt8(0x30 + magnitude % 10)
            magnitude /= 10
            position -= 1
        } while magnitude != 0
        count += digits
    }

    /// Appends an exact decimal's canonical text (``ExactDecimal/append(to:)``).
    func appendDecimal(_ value: ExactDecimal) {
        scratch.removeAll(keepingCapacity: true)
        value.append(to: &scratch)
        scratch.withUnsafeBytes { append($0) }
    }

    /// Appends the JSON string of `text`.
    func appendJSONString(_ text: String) {
        var text = text
        text.withUTF8 { appendJSONString(UnsafeRawBufferPointer($0)) }
    }

    /// Appends the JSON string of `value`, known to need no escaping when `isPlain` (else checked).
    @inline(__always)
    func appendJSONString(_ value: UnsafeRawBufferPointer, isPlain: Bool) {
        if isPlain { appendPlainJSONString(value) } else { appendJSONString(value) }
    }

    /// Appends `value` in quotes: printable ASCII without `"` or `\`.
    @inline(__always)
    private func appendPlainJSONString(_ value: UnsafeRawBufferPointer) {
        let length = value.count
        reserve(length + 2)
        base[count] = UInt8(ascii: "\"")
        if length > 0 {
            Self.copyBytes(to: UnsafeMutableRawPointer(base + count + 1), from: value.baseAddress!, count: length)
        }
        base[count + 1 + length] = UInt8(ascii: "\"")
        count += length + 2
    }

    /// Appends the JSON string of segment bytes, as the model writes the `String` it would make of them: ASCII is
    /// escaped as ``JSONWriter`` escapes (RFC 8259 §7); anything else goes through `String(decoding:)` first, so
    /// invalid UTF-8 is repaired exactly as the model repairs it.
    func appendJSONString(_ value: UnsafeRawBufferPointer) {
        switch Self.classify(value) {
        case .plain:
            appendPlainJSONString(value)
        case .ascii:
            scratch.removeAll(keepingCapacity: true)
            JSONWriter.appendQuoted(utf8: value, to: &scratch)
            scratch.withUnsafeBytes { append($0) }
        case .other:
            var text = X12SegmentFields.string(value)
            scratch.removeAll(keepingCapacity: true)
            text.withUTF8 { JSONWriter.appendQuoted(utf8: UnsafeRawBufferPointer($0), to: &scratch) }
            scratch.withUnsafeBytes { append($0) }
        }
    }

    /// Appends `,"key":` (the comma when `comma`) and the JSON string of `value`.
    @inline(__always)
    func appendMember(comma: Bool, key: StaticString, value: UnsafeRawBufferPointer, isPlain: Bool) {
        if comma { append(UInt8(ascii: ",")) }
        appendLiteral(key)
        appendJSONString(value, isPlain: isPlain)
    }

    /// Appends `"CCYY-MM-DD"` of 8 digits `CCYYMMDD`.
    func appendISODate(_ digits: UnsafeRawBufferPointer) {
        precondition(digits.count >= 8)
        reserve(12)
        let out = base + count
        out[0] = UInt8(ascii: "\"")
        out[1] = digits[0]
        out[2] = digits[1]
        out[3] = digits[2]
        out[4] = digits[3]
        out[5] = UInt8(ascii: "-")
        out[6] = digits[4]
        out[7] = digits[5]
        out[8] = UInt8(ascii: "-")
        out[9] = digits[6]
        out[10] = digits[7]
        out[11] = UInt8(ascii: "\"")
        count += 12
    }

    /// Appends the UUID's lower-case text in quotes (as ``JSONWriter/appendUUIDString(_:to:)``).
    func appendUUIDString(_ uuid: UUID) {
        reserve(38)
        JSONWriter.writeUUIDString(uuid, at: base + count)
        count += 38
    }

    /// What a value needs to become a JSON string.
    enum Escaping {
        /// Printable ASCII without `"` or `\`: the value in quotes.
        case plain
        /// ASCII with bytes to escape.
        case ascii
        /// Bytes ≥ 0x80: through `String` (UTF-8 repair), then escaped.
        case other
    }

    /// Classifies `bytes`, eight at a time: a word needs a closer look when one of its bytes is < 0x20, ≥ 0x80,
    /// `"` or `\`.
    @inline(__always)
    static func classify(_ bytes: UnsafeRawBufferPointer) -> Escaping {
        let count = bytes.count
        guard count > 0, let start = bytes.baseAddress else { return .plain }
        var index = 0
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= count {
            let word = start.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            // A high bit set when some byte is ≥ 0x80, < 0x20, `"` or `\` (the usual "has zero byte" tests;
            // borrows can flag a word falsely, never miss one: the exact scan then decides).
            let control = (word &- ones &* 0x20) & ~word
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let quoteZero = (quote &- ones) & ~quote
            let backslashZero = (backslash &- ones) & ~backslash
            if (word | control | quoteZero | backslashZero) & highs != 0 { return classifySlowly(bytes) }
            index += 8
        }
        while index < count {
            let byte = bytes[index]
            if byte < 0x20 || byte >= 0x80 || byte == 0x22 || byte == 0x5C { return classifySlowly(bytes) }
            index += 1
        }
        return .plain
    }

    private static func classifySlowly(_ bytes: UnsafeRawBufferPointer) -> Escaping {
        var plain = true
        for byte in bytes where byte < 0x20 || byte >= 0x80 || byte == 0x22 || byte == 0x5C {
            if byte >= 0x80 { return .other }
            plain = false
        }
        return plain ? .plain : .ascii
    }
}

/// The reused buffers of one ``X12ClaimEventWriter``, shared by copies of the writer until one of them writes
/// (``X12ClaimEventWriter`` copies them first when it is not their only owner).
final class ClaimJSONBuffers {
    /// HL level values of the open set.
    let store = ClaimJSONBuffer(capacity: 1 << 12)
    /// Party JSON rendered once per level (the billing provider's).
    let rendered = ClaimJSONBuffer(capacity: 1 << 10)
    /// Claim values that are not rendered at once (providers, line fields).
    let claimStore = ClaimJSONBuffer(capacity: 1 << 10)
    let diagnoses = ClaimJSONBuffer()
    let codes = ClaimJSONBuffer()
    let dates = ClaimJSONBuffer()
    let references = ClaimJSONBuffer()
    let lines = ClaimJSONBuffer(capacity: 1 << 12)
    let lineDates = ClaimJSONBuffer()
    let lineReferences = ClaimJSONBuffer()
    let teeth = ClaimJSONBuffer()
    /// The event being assembled.
    let event = ClaimJSONBuffer(capacity: 1 << 13)

    init() {}

    private init(copying other: ClaimJSONBuffers) {
        for (target, source) in zip(all, other.all) { target.append(source) }
    }

    private var all: [ClaimJSONBuffer] {
        [store, rendered, claimStore, diagnoses, codes, dates, references, lines, lineDates, lineReferences, teeth, event]
    }

    /// Buffers holding the same bytes.
    func copy() -> ClaimJSONBuffers { ClaimJSONBuffers(copying: self) }
}
