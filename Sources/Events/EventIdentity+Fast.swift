public import Foundation

extension SHA1 {
    /// The SHA-1 digest of `prefix` followed by `message`, computed in one fixed stack buffer (no heap
    /// allocation): the name-based UUID hot path. Same result as `update(prefix); update(message); finalize()`.
    static func digest(prefix: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> SHA1 {
        var hasher = SHA1()
        let length = prefix.count + message.count
        // Padding (FIPS 180-4 §5.1.1): 0x80, zeros, the 64-bit bit length, to a multiple of 64 bytes.
        let padded = (length + 9 + 63) / 64 * 64
        withUnsafeTemporaryAllocation(byteCount: padded, alignment: 8) { buffer in
            let base = UnsafeMutableRawBufferPointer(buffer)
            base.initializeMemory(as: UInt8.self, repeating: 0)
            if !prefix.isEmpty {
                UnsafeMutableRawBufferPointer(rebasing: base[0..<prefix.count]).copyMemory(from: prefix)
            }
            if !message.isEmpty {
                UnsafeMutableRawBufferPointer(rebasing: base[prefix.count..<length]).copyMemory(from: message)
            }
            base[length] = 0x80
            let bitLength = UInt64(length) &* 8
            for index in 0..<8 {
                base[padded - 1 - index] = UInt8(truncatingIfNeeded: bitLength >> UInt64(8 * index))
            }
            var offset = 0
            while offset < padded {
                hasher.compressBlock(UnsafeRawBufferPointer(rebasing: base[offset..<(offset + 64)]))
                offset += 64
            }
        }
        return hasher
    }
}

extension UUIDv5 {
    /// The version-5 UUID of `name` (raw bytes) in `namespace`, hashed in a stack buffer without heap allocation;
    /// equal to the `some Sequence<UInt8>` overload for the same bytes.
    public static func make(namespace: UUID, name: UnsafeRawBufferPointer) -> UUID {
        withUnsafeBytes(of: namespace.uuid) { namespaceBytes in
            SHA1.digest(prefix: namespaceBytes, message: name).versionFiveUUID
        }
    }
}

extension EventIdentity {
    /// The UUID of a four- or five-component identity of `kind` (the ``serializedName`` layout: each part preceded
    /// by its 4-byte big-endian length), built in a stack buffer: no `[UInt8]` per component, no heap allocation.
    /// `occurrence` is appended as a fifth component (decimal text) when it is greater than 1, as
    /// ``x12Claim(interchangeControlNumber:groupControlNumber:transactionSetControlNumber:claimID:occurrence:)``
    /// and ``x12ClaimPayment(interchangeControlNumber:groupControlNumber:transactionSetControlNumber:claimID:occurrence:)`` do.
    public static func uuid(
        kind: StaticString, _ first: String, _ second: String, _ third: String, _ fourth: String, occurrence: Int
    ) -> UUID {
        // The occurrence as decimal text, most significant digit first (an Int has at most 19 digits).
        var occurrenceDigits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var occurrenceCount = 0
        if occurrence > 1 {
            var remaining = occurrence
            while remaining > 0 {
                occurrenceCount += 1
                remaining /= 10
            }
            withUnsafeMutableBytes(of: &occurrenceDigits) { digits in
                var rest = occurrence
                var index = occurrenceCount - 1
                while index >= 0 {
                    digits[index] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                    rest /= 10
                    index -= 1
                }
            }
        }
        let total = 4 + kind.utf8CodeUnitCount + 16 + first.utf8.count + second.utf8.count + third.utf8.count
            + fourth.utf8.count + (occurrenceCount > 0 ? 4 + occurrenceCount : 0)
        return withUnsafeTemporaryAllocation(byteCount: total, alignment: 1) { buffer in
            var offset = 0
            func append(_ part: UnsafeRawBufferPointer) {
                let count = UInt32(truncatingIfNeeded: part.count)
                buffer[offset] = UInt8(truncatingIfNeeded: count >> 24)
                buffer[offset + 1] = UInt8(truncatingIfNeeded: count >> 16)
                buffer[offset + 2] = UInt8(truncatingIfNeeded: count >> 8)
                buffer[offset + 3] = UInt8(truncatingIfNeeded: count)
                offset += 4
                if !part.isEmpty {
                    UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + part.count)]).copyMemory(from: part)
                }
                offset += part.count
            }
            func append(_ text: String) {
                var text = text
                text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
            }
            append(UnsafeRawBufferPointer(start: kind.utf8Start, count: kind.utf8CodeUnitCount))
            append(first)
            append(second)
            append(third)
            append(fourth)
            if occurrenceCount > 0 {
                withUnsafeBytes(of: occurrenceDigits) {
                    append(UnsafeRawBufferPointer(rebasing: $0[0..<occurrenceCount]))
                }
            }
            return UUIDv5.make(namespace: ferryNamespace, name: UnsafeRawBufferPointer(buffer))
        }
    }
}


extension UUIDv5 {
    /// The version-5 UUIDs of many names in one `namespace`: `uuids[i]` is
    /// ``make(namespace:name:)-(_,UnsafeRawBufferPointer)`` of `names[i]`. For callers that hash a batch of names
    /// at once (a mapping's event ids, several records at a time), so that the hashes can share the work.
    ///
    /// The names are hashed four at a time by multi-buffer SHA-1 (one message per `SIMD4<UInt32>` lane, the 80
    /// rounds run once for all four; see `SHA1MultiBuffer`): for batches of four or more names of similar length an
    /// id costs about 0.45 of the one-at-a-time path (520-byte names: 0.31–0.34 µs against 0.75 µs; `ferry-bench
    /// uuid`). A group runs to its longest name's block count, so names of very different lengths in one group waste
    /// lanes but still get their own ids. A single name left over after the groups of four is hashed alone (a
    /// one-lane group would cost four lanes); two or three share one partly filled group (0.61 and 0.41 µs per id).
    /// No heap allocation.
    /// - Precondition: `uuids.count >= names.count`.
    public static func make(
        namespace: UUID, names: UnsafeBufferPointer<UnsafeRawBufferPointer>, into uuids: UnsafeMutableBufferPointer<UUID>
    ) {
        precondition(uuids.count >= names.count, "one UUID per name")
        let count = names.count
        guard count > 0, let output = uuids.baseAddress else { return }
        if count == 1 {
            uuids[0] = make(namespace: namespace, name: names[0])
            return
        }
        withUnsafeBytes(of: namespace.uuid) { namespaceBytes in
            let namespacePointer = namespaceBytes.baseAddress!
            withUnsafeTemporaryAllocation(byteCount: 4 * SHA1MultiBuffer.scratchBytesPerLane, alignment: 16) { scratch in
                var index = 0
                while index < count {
                    let groupSize = min(4, count - index)
                    if groupSize == 1 {
                        output[index] = make(namespace: namespace, name: names[index])
                    } else {
                        SHA1MultiBuffer.versionFiveUUIDs(
                            namespace: namespacePointer, names: UnsafeBufferPointer(rebasing: names[index..<(index + groupSize)]),
                            scratch: scratch.baseAddress!, into: output + index)
                    }
                    index += groupSize
                }
            }
        }
    }
}
