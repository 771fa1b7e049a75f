public import ByteCoding
import CodePages

/// A header in the chain after the MQMD, chosen by the `Format` of the structure in front of it.
public enum MQHeader: Hashable, Sendable {
    /// `MQHRF2  `: ``RFH2``.
    case rfh2(RFH2)
    /// `MQDEAD  `: ``MQDLH``.
    case deadLetter(MQDLH)
    /// `MQXMIT  `: ``MQXQH``.
    case transmission(MQXQH)
    /// `MQCICS  `: ``MQCIH``.
    case cics(MQCIH)
    /// `MQIMS   `: ``MQIIH``.
    case ims(MQIIH)
    /// `MQHRF   `, `MQHMDE  `, `MQHDIST `, `MQHREF  `, `MQHWIH  `: kept as bytes.
    case other(MQUnknownHeader)

    /// The structure's spec name: `MQRFH2`, `MQDLH`, `MQXQH`, `MQCIH`, `MQIIH`, or the announcing format.
    public var name: String {
        switch self {
        case .rfh2: "MQRFH2"
        case .deadLetter: "MQDLH"
        case .transmission: "MQXQH"
        case .cics: "MQCIH"
        case .ims: "MQIIH"
        case .other(let header): header.announcedFormat.name
        }
    }

    /// What follows the header.
    public var next: MQDataDescription {
        switch self {
        case .rfh2(let h): h.next
        case .deadLetter(let h): h.next
        case .transmission(let h): h.next
        case .cics(let h): h.next
        case .ims(let h): h.next
        case .other(let h): h.next
        }
    }

    /// Appends the header's bytes.
    public func write(to writer: inout ByteWriter) {
        switch self {
        case .rfh2(let h): h.write(to: &writer)
        case .deadLetter(let h): h.write(to: &writer)
        case .transmission(let h): h.write(to: &writer)
        case .cics(let h): h.write(to: &writer)
        case .ims(let h): h.write(to: &writer)
        case .other(let h): h.write(to: &writer)
        }
    }

    /// Where the fields describing what follows sit (no String made).
    var nextLocation: MQChain.Next {
        func location(_ fields: MQStructureBytes, _ encoding: Int, _ ccsid: Int, _ format: Int) -> MQChain.Next {
            MQChain.Next(
                encoding: MQEncoding(rawValue: fields.long(encoding)), codedCharacterSetID: fields.long(ccsid),
                formatOffset: fields.base + format, characterSet: fields.characterSet)
        }
        switch self {
        case .rfh2(let h): return location(h.fields, 12, 16, 20)
        case .deadLetter(let h): return location(h.fields, 108, 112, 116)
        case .transmission(let h):
            let md = h.messageDescriptor
            return location(md.fields, 24, 28, 32)
        case .cics(let h): return location(h.fields, 12, 16, 20)
        case .ims(let h): return location(h.fields, 12, 16, 20)
        case .other(let h): return location(h.fields, 12, 16, 20)
        }
    }

    var length: Int {
        switch self {
        case .rfh2(let h): h.fields.count
        case .deadLetter(let h): h.fields.count
        case .transmission(let h): h.fields.count
        case .cics(let h): h.fields.count
        case .ims(let h): h.fields.count
        case .other(let h): h.fields.count
        }
    }
}

/// The message data after the last header: bytes, with the format, encoding and CCSID the chain gave them.
public struct MQPayload: Hashable, Sendable {
    private var storage: [UInt8]
    private var range: Range<Int>
    /// Where the `Format` field describing the data sits in `storage` (read when asked), or nil when `storedFormat`
    /// holds it.
    private var formatLocation: (offset: Int, characterSet: MQCharacterSet)?
    private var storedFormat: MQFormat
    /// `Format` of the data (from the last structure in the chain).
    public var format: MQFormat {
        get {
            guard let location = formatLocation else { return storedFormat }
            return MQFormat(rawValue: MQText.decode(storage[location.offset..<(location.offset + 8)], location.characterSet, trimming: false))
        }
        set {
            formatLocation = nil
            storedFormat = newValue
        }
    }
    /// `Encoding` of the data: integer, packed-decimal and float layout for a mapping (e.g. a copybook record).
    public var encoding: MQEncoding
    /// The effective `CodedCharSetId` of the data (`MQCCSI_INHERIT` resolved along the chain; 0 means the queue
    /// manager's CCSID, unknown here).
    public var codedCharacterSetID: Int32

    /// Payload `bytes` described by `format`, `encoding` and `codedCharacterSetID`.
    public init(bytes: [UInt8], format: MQFormat, encoding: MQEncoding = .native, codedCharacterSetID: Int32 = 1208) {
        storage = bytes
        range = 0..<bytes.count
        storedFormat = format
        self.encoding = encoding
        self.codedCharacterSetID = codedCharacterSetID
    }

    init(frame: [UInt8], from start: Int, next: MQChain.Next, codedCharacterSetID: Int32) {
        storage = frame
        range = start..<frame.count
        formatLocation = (next.formatOffset, next.characterSet)
        storedFormat = .none
        encoding = next.encoding
        self.codedCharacterSetID = codedCharacterSetID
    }

    /// The payload's bytes.
    public var bytes: [UInt8] { Array(storage[range]) }
    /// The payload's length in bytes.
    public var count: Int { range.count }
    /// Offset of the payload in its frame.
    public var offset: Int { range.lowerBound }

    /// Runs `body` over the payload's bytes without copying them.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.storage[lhs.range] == rhs.storage[rhs.range] && lhs.format == rhs.format && lhs.encoding == rhs.encoding
            && lhs.codedCharacterSetID == rhs.codedCharacterSetID
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage[range]) }

    /// True when `Format` is `MQSTR   `: the data is text in ``codedCharacterSetID``.
    public var isText: Bool {
        guard let location = formatLocation else { return storedFormat == .string }
        return MQChain.FormatKind(storage, at: location.offset, location.characterSet) == .string
    }

    /// The payload as text when `Format` is `MQSTR   `, else nil. CCSID 1208 must be valid UTF-8; 1200/13488/17584
    /// are UTF-16 in the integer order of ``encoding``; others go through `CodePages`.
    /// - Parameter queueManagerCCSID: the CCSID to use when the data's is 0 (`MQCCSI_Q_MGR`). Default: 1208.
    /// Throws ``MQError/Reason/unknownCCSID`` for a CCSID with no code page and ``MQError/Reason/unmappableText`` for
    /// bytes the code page does not define.
    public func text(queueManagerCCSID: Int32 = 1208) throws(MQError) -> String? {
        guard isText else { return nil }
        let ccsid = codedCharacterSetID == 0 ? queueManagerCCSID : codedCharacterSetID
        switch ccsid {
        case 1208:
            guard let text = String(validating: storage[range], as: UTF8.self) else {
                throw MQError(.unmappableText, offset: offset, header: "payload", field: "", expected: "UTF-8 (CCSID 1208)", found: "invalid UTF-8")
            }
            return text
        case 1200, 13488, 17584:
            guard count % 2 == 0 else {
                throw MQError(.unmappableText, offset: offset, header: "payload", field: "", expected: "UTF-16 (an even byte count)", found: "\(count) bytes")
            }
            let bigEndian = encoding.integersAreBigEndian ?? true
            var units: [UInt16] = []
            for index in stride(from: range.lowerBound, to: range.upperBound, by: 2) {
                units.append(bigEndian ? UInt16(storage[index]) << 8 | UInt16(storage[index + 1]) : UInt16(storage[index + 1]) << 8 | UInt16(storage[index]))
            }
            return String(decoding: units, as: UTF16.self)
        default:
            guard let page = try? CodePage(ccsid: Int(ccsid)) else {
                throw MQError(
                    .unknownCCSID, offset: offset, header: "payload", field: "CodedCharSetId",
                    expected: "1208, 1200 or a CCSID in CodePages (037, 273–297, 437, 500, 819, 850, 1047, 1140–1149, …)", found: String(ccsid))
            }
            var output: [UInt8] = []
            let undefined = withUnsafeBytes { page.appendUTF8(decoding: $0, to: &output) }
            guard undefined == 0 else {
                throw MQError(
                    .unmappableText, offset: offset, header: "payload", field: "", expected: "bytes defined in CCSID \(ccsid)",
                    found: "\(undefined) undefined bytes")
            }
            return String(decoding: output, as: UTF8.self)
        }
    }
}

/// One MQ message as it lies on a queue or in a dump: the MQMD, the chain of headers its `Format` fields announce,
/// and the message data.
///
/// Parsing follows the chain: after each structure, its `Format` names the next (`MQHRF2  ` → MQRFH2, `MQDEAD  ` →
/// MQDLH, `MQXMIT  ` → MQXQH, `MQCICS  ` → MQCIH, `MQIMS   ` → MQIIH; `MQHRF   `, `MQHMDE  `, `MQHDIST `, `MQHREF  `,
/// `MQHWIH  ` kept as bytes), whose integers are in that structure's `Encoding`; any other format is the payload.
/// Writing gives back the same bytes.
public struct MQFrame: Hashable, Sendable {
    /// The message descriptor.
    public var descriptor: MQMD
    /// The first header, held inline so the common one-header frame needs no array.
    private var firstHeader: MQHeader?
    /// The headers after the first.
    private var moreHeaders: [MQHeader]

    /// The headers after the descriptor, in order.
    public var headers: [MQHeader] {
        get {
            guard let firstHeader else { return [] }
            return moreHeaders.isEmpty ? [firstHeader] : [firstHeader] + moreHeaders
        }
        set {
            firstHeader = newValue.first
            moreHeaders = Array(newValue.dropFirst())
        }
    }

    /// The number of headers in the chain.
    public var headerCount: Int { firstHeader == nil ? 0 : 1 + moreHeaders.count }
    /// The message data.
    public var payload: MQPayload

    /// The most headers a chain may hold (a loop guard).
    public static let maximumHeaderCount = 64

    /// A frame from its parts. The caller keeps the `Format`/`Encoding`/`CodedCharSetId` fields consistent.
    public init(descriptor: MQMD, headers: [MQHeader] = [], payload: MQPayload) {
        self.descriptor = descriptor
        firstHeader = headers.first
        moreHeaders = Array(headers.dropFirst())
        self.payload = payload
    }

    /// Parses a whole frame (MQMD, headers, payload) from `bytes`, sharing the array (no copy).
    public init(parsing bytes: [UInt8]) throws(MQError) {
        // Built in locals and assigned once: assigning `self`'s parts inside the loop costs copies.
        let descriptor = try MQMD(frame: bytes, at: 0)
        var at = descriptor.length
        var next = MQChain.Next(
            encoding: descriptor.encoding, codedCharacterSetID: descriptor.codedCharacterSetID, formatOffset: 32,
            characterSet: descriptor.characterSet)
        var ccsid = next.codedCharacterSetID
        var first: MQHeader?
        var more: [MQHeader] = []
        while true {
            let header: MQHeader
            // The format is matched on its 8 bytes (ASCII or EBCDIC), without making a String.
            switch MQChain.FormatKind(bytes, at: next.formatOffset, next.characterSet) {
            case .rfh2: header = .rfh2(try RFH2(frame: bytes, at: at, encoding: next.encoding))
            case .deadLetter: header = .deadLetter(try MQDLH(frame: bytes, at: at, encoding: next.encoding))
            case .transmission: header = .transmission(try MQXQH(frame: bytes, at: at, encoding: next.encoding))
            case .cics: header = .cics(try MQCIH(frame: bytes, at: at, encoding: next.encoding))
            case .ims: header = .ims(try MQIIH(frame: bytes, at: at, encoding: next.encoding))
            case .otherHeader:
                let format = MQFormat(rawValue: MQText.decode(bytes[next.formatOffset..<(next.formatOffset + 8)], next.characterSet, trimming: false))
                header = .other(try MQUnknownHeader(frame: bytes, at: at, encoding: next.encoding, format: format))
            case .string, .data:
                self.init(
                    descriptor: consume descriptor, first: consume first, more: consume more,
                    payload: MQPayload(frame: bytes, from: at, next: next, codedCharacterSetID: ccsid))
                return
            }
            guard more.count + 1 < Self.maximumHeaderCount else {
                throw MQError(
                    .badLength, offset: at, header: header.name, field: "", expected: "at most \(Self.maximumHeaderCount) chained headers",
                    found: "more")
            }
            at += header.length
            next = header.nextLocation
            if next.codedCharacterSetID != -2 { ccsid = next.codedCharacterSetID }
            if first == nil { first = header } else { more.append(header) }
        }
    }

    private init(descriptor: consuming MQMD, first: consuming MQHeader?, more: consuming [MQHeader], payload: consuming MQPayload) {
        self.descriptor = descriptor
        firstHeader = first
        moreHeaders = more
        self.payload = payload
    }

    /// Parses a whole frame from every byte left in `reader` (a frame has no length of its own).
    public init(parsing reader: inout ByteReader) throws(MQError) {
        let start = reader.absoluteOffset
        let bytes = Array(UnsafeRawBufferPointer(rebasing: reader.buffer[reader.position...]))
        do {
            try self.init(parsing: bytes)
        } catch {
            var located = error
            located.offset += start
            throw located
        }
        try? reader.skip(bytes.count)
    }

    /// Appends the frame's bytes.
    public func write(to writer: inout ByteWriter) {
        descriptor.write(to: &writer)
        firstHeader?.write(to: &writer)
        for header in moreHeaders { header.write(to: &writer) }
        payload.withUnsafeBytes { writer.writeBytes($0) }
    }

    /// The frame's bytes.
    public var bytes: [UInt8] {
        var writer = ByteWriter(capacity: descriptor.length + payload.count + (firstHeader?.length ?? 0) + moreHeaders.reduce(0) { $0 + $1.length })
        write(to: &writer)
        return writer.bytes
    }

    /// The first MQRFH2 in the chain, if any.
    public var rfh2: RFH2? {
        if case .rfh2(let value)? = firstHeader { return value }
        for header in moreHeaders { if case .rfh2(let value) = header { return value } }
        return nil
    }

    /// The first MQDLH in the chain, if any.
    public var deadLetterHeader: MQDLH? {
        if case .deadLetter(let value)? = firstHeader { return value }
        for header in moreHeaders { if case .deadLetter(let value) = header { return value } }
        return nil
    }
}
