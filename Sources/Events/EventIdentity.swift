public import Foundation

/// Name-based UUIDs, version 5 (RFC 9562 §5.5): SHA-1 over namespace UUID bytes followed by the name.
public enum UUIDv5 {
    /// The RFC 9562 Appendix C namespace for DNS names (`6ba7b810-9dad-11d1-80b4-00c04fd430c8`).
    public static let dnsNamespace = UUID(uuid: (
        0x6B, 0xA7, 0xB8, 0x10, 0x9D, 0xAD, 0x11, 0xD1, 0x80, 0xB4, 0x00, 0xC0, 0x4F, 0xD4, 0x30, 0xC8))
    /// The RFC 9562 Appendix C namespace for URLs (`6ba7b811-9dad-11d1-80b4-00c04fd430c8`).
    public static let urlNamespace = UUID(uuid: (
        0x6B, 0xA7, 0xB8, 0x11, 0x9D, 0xAD, 0x11, 0xD1, 0x80, 0xB4, 0x00, 0xC0, 0x4F, 0xD4, 0x30, 0xC8))

    /// The version-5 UUID of `name` (raw bytes) in `namespace`.
    public static func make(namespace: UUID, name: some Sequence<UInt8>) -> UUID {
        var hasher = SHA1()
        withUnsafeBytes(of: namespace.uuid) { hasher.update($0) }
        hasher.update(name)
        let digest = hasher.finalize()
        // RFC 9562 §5.5: take the first 16 bytes, set the version (0101) and the variant (10).
        return UUID(uuid: (
            digest[0], digest[1], digest[2], digest[3], digest[4], digest[5],
            (digest[6] & 0x0F) | 0x50, digest[7],
            (digest[8] & 0x3F) | 0x80, digest[9], digest[10], digest[11],
            digest[12], digest[13], digest[14], digest[15]))
    }

    /// The version-5 UUID of `name` in UTF-8.
    public static func make(namespace: UUID, name: String) -> UUID { make(namespace: namespace, name: name.utf8) }
}

extension UUID {
    /// The RFC 9562 §4 text form in lower case, as Ferry writes event ids (Foundation's `uuidString` is upper case).
    public var lowercasedString: String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        withUnsafeBytes(of: uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
                text.append(hex[Int(byte >> 4)])
                text.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// What identifies the legacy occurrence behind an event, so that re-reading the same input yields the same
/// CloudEvents `id` (consumers treat equal `source` + `id` as duplicates: CloudEvents 1.0 §3.1.1 `id`).
///
/// The identity is serialised as a kind tag and a list of components, each preceded by its length as a 4-byte
/// big-endian integer, so `("ab", "c")` and `("a", "bc")` never collide. The UUID is the RFC 9562 version-5 UUID of
/// that serialisation under ``ferryNamespace``. Same input, same id, on every run and every machine.
public struct EventIdentity: Hashable, Sendable {
    /// Ferry's namespace for event ids: the UUIDv5 of `urn:ferry:event-id` in the URL namespace
    /// (`751afe33-18c0-5139-a0bf-f77f1774de9a`). Fixed forever: changing it changes every event id.
    public static let ferryNamespace = UUID(uuid: (
        0x75, 0x1A, 0xFE, 0x33, 0x18, 0xC0, 0x51, 0x39, 0xA0, 0xBF, 0xF7, 0x7F, 0x17, 0x74, 0xDE, 0x9A))

    /// Which kind of source identity this is; part of the hashed name, so equal components of different kinds differ.
    public let kind: String
    /// The identifying components, in order.
    public let components: [[UInt8]]

    private init(kind: String, components: [[UInt8]]) {
        self.kind = kind
        self.components = components
    }

    /// An IBM MQ message: its MQMD `MsgId` (exactly 24 bytes). Throws when the length is not 24.
    public static func mqMessageID(_ messageID: some Collection<UInt8>) throws(CloudEventError) -> EventIdentity {
        guard messageID.count == 24 else {
            throw .invalidEventIdentity(reason: "MQMD MsgId must be 24 bytes, found \(messageID.count)")
        }
        return EventIdentity(kind: "mq.msgid", components: [Array(messageID)])
    }

    /// A record of a file: the file's name and the record's number (as the reader counts them, e.g. from 1).
    public static func fileRecord(fileName: String, recordNumber: Int64) -> EventIdentity {
        EventIdentity(kind: "file.record", components: [Array(fileName.utf8), Array(String(recordNumber).utf8)])
    }

    /// A claim in an X12 interchange: ISA13 (interchange control number), GS06 (group control number),
    /// ST02 (transaction set control number) and the claim's id (e.g. CLM01), each as written in the file.
    public static func x12Claim(
        interchangeControlNumber: String, groupControlNumber: String, transactionSetControlNumber: String,
        claimID: String
    ) -> EventIdentity {
        EventIdentity(
            kind: "x12.claim",
            components: [interchangeControlNumber, groupControlNumber, transactionSetControlNumber, claimID]
                .map { Array($0.utf8) })
    }

    /// The `occurrence`-th claim with this CLM01 in its transaction set. The first (`occurrence` 1) is exactly
    /// ``x12Claim(interchangeControlNumber:groupControlNumber:transactionSetControlNumber:claimID:)``; later ones
    /// add the occurrence, so a CLM01 repeated inside a set still gives distinct, re-run-stable ids.
    public static func x12Claim(
        interchangeControlNumber: String, groupControlNumber: String, transactionSetControlNumber: String,
        claimID: String, occurrence: Int
    ) -> EventIdentity {
        let first = x12Claim(
            interchangeControlNumber: interchangeControlNumber, groupControlNumber: groupControlNumber,
            transactionSetControlNumber: transactionSetControlNumber, claimID: claimID)
        guard occurrence > 1 else { return first }
        return EventIdentity(kind: first.kind, components: first.components + [Array(String(occurrence).utf8)])
    }

    /// The `occurrence`-th claim payment (835 CLP) with this CLP01 in its transaction set: ISA13, GS06, ST02, CLP01
    /// and, from the second occurrence on, the occurrence.
    public static func x12ClaimPayment(
        interchangeControlNumber: String, groupControlNumber: String, transactionSetControlNumber: String,
        claimID: String, occurrence: Int
    ) -> EventIdentity {
        var parts = [interchangeControlNumber, groupControlNumber, transactionSetControlNumber, claimID]
        if occurrence > 1 { parts.append(String(occurrence)) }
        return EventIdentity(kind: "x12.claim-payment", components: parts.map { Array($0.utf8) })
    }

    /// Any other identity: an ordered list of text components.
    public static func components(_ parts: [String]) -> EventIdentity {
        EventIdentity(kind: "generic", components: parts.map { Array($0.utf8) })
    }

    /// Any other identity: an ordered list of byte components.
    public static func components(bytes parts: [[UInt8]]) -> EventIdentity {
        EventIdentity(kind: "generic", components: parts)
    }

    /// The hashed name: length-prefixed kind, then each length-prefixed component.
    public var serializedName: [UInt8] {
        var name: [UInt8] = []
        name.reserveCapacity(components.reduce(8 + kind.utf8.count) { $0 + 4 + $1.count })
        func appendPart(_ part: some Collection<UInt8>) {
            let count = UInt32(truncatingIfNeeded: part.count)
            name.append(UInt8(truncatingIfNeeded: count >> 24))
            name.append(UInt8(truncatingIfNeeded: count >> 16))
            name.append(UInt8(truncatingIfNeeded: count >> 8))
            name.append(UInt8(truncatingIfNeeded: count))
            name.append(contentsOf: part)
        }
        appendPart(kind.utf8)
        for component in components { appendPart(component) }
        return name
    }

    /// The deterministic UUIDv5 for this identity under ``ferryNamespace``.
    public var uuid: UUID { UUIDv5.make(namespace: Self.ferryNamespace, name: serializedName) }

    /// The CloudEvents `id` for this identity: the UUID in lower-case text form.
    public var eventID: String { uuid.lowercasedString }
}
