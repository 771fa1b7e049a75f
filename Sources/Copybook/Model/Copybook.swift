/// A parsed and laid-out COBOL copybook: one ``RecordLayout`` per level-01 record (or per group of items when
/// the copybook has no 01 level), with every item's byte offset and storage size computed.
///
/// Build one with `Copybook(parsing:sourceName:options:)` (in `Parsing/`). The value is immutable and `Sendable`:
/// parse once, share it with every decoder and encoder.
///
/// Reference: IBM Enterprise COBOL for z/OS Language Reference, "Data division—data description entry".
public struct Copybook: Sendable, Hashable {
    /// The name used in diagnostics, usually the file name (`claims.cpy`).
    public var sourceName: String
    /// The reference format the source was read in (given, or detected).
    public var sourceFormat: SourceFormat
    /// The options the layout was computed with.
    public var options: CopybookOptions
    /// The record layouts in source order: one per level-01 (or level-77) entry. A copybook that starts at a
    /// higher level (`05`, `10`) without a 01 gets one synthesized root (``RecordLayout/hasSynthesizedRoot``).
    public var records: [RecordLayout]

    /// Creates a copybook from already laid-out records (the parser uses this).
    public init(sourceName: String, sourceFormat: SourceFormat, options: CopybookOptions, records: [RecordLayout]) {
        self.sourceName = sourceName
        self.sourceFormat = sourceFormat
        self.options = options
        self.records = records
    }

    /// The record whose root has the COBOL name `name` (compared case-insensitively, as COBOL does).
    public func record(named name: String) -> RecordLayout? {
        records.first { $0.name.uppercased() == name.uppercased() }
    }

    /// The size in bytes of the largest record (with every OCCURS DEPENDING ON at its maximum).
    public var maximumRecordSize: Int { records.map(\.size).max() ?? 0 }
}

/// The COBOL reference format of a copybook's source text.
public enum SourceFormat: String, Sendable, Hashable, CaseIterable {
    /// Fixed format: columns 1–6 sequence area (ignored), column 7 indicator (`*` `/` comment, `-` continuation,
    /// `D` debugging line), columns 8–72 areas A and B, columns 73–80 ignored.
    case fixed
    /// Free format: the program text starts in column 1 and may run to the end of the line; `*>` starts a comment
    /// anywhere; a line starting with `*` or `/` in column 1 is a comment.
    case free
}

/// How binary (`COMP`, `COMP-4`, `BINARY`, `COMP-5`) items are sized by their number of digits (hard case H9).
public enum BinarySizePolicy: String, Sendable, Hashable, CaseIterable {
    /// IBM Enterprise COBOL (and GnuCOBOL `-std=ibm`/`mvs`): 2, 4 or 8 bytes for 1–4, 5–9 and 10–18 digits.
    /// Default.
    case ibm
    /// GnuCOBOL's default `binary-size: 1-2-4-8`: 1 byte for 1–2 digits, 2 for 3–4, 4 for 5–9, 8 for 10–18.
    case gnuCOBOL = "gnucobol"
    /// Micro Focus (and GnuCOBOL `-std=mf`, `binary-size: 1--8`): the fewest bytes that hold the largest value
    /// of the PICTURE, so unsigned items get more digits per byte (`9(3)` takes 2 bytes, `9(2)` takes 1).
    case microFocus = "microfocus"

    /// The storage size in bytes of a binary item with `digits` digit positions, or `nil` beyond 18 digits
    /// (IBM allows at most 18; the caller reports that as an error).
    public func byteCount(digits: Int, signed: Bool) -> Int? {
        guard digits >= 1, digits <= 18 else { return nil }
        switch self {
        case .ibm:
            return digits <= 4 ? 2 : digits <= 9 ? 4 : 8
        case .gnuCOBOL:
            return digits <= 2 ? 1 : digits <= 4 ? 2 : digits <= 9 ? 4 : 8
        case .microFocus:
            // Smallest n with 10^digits - 1 ≤ max value of n bytes (2^(8n-1) - 1 signed, 2^(8n) - 1 unsigned).
            var largest: UInt64 = 1
            for _ in 0..<digits { largest *= 10 }
            largest -= 1
            for n in 1...8 {
                let bits = UInt64(8 * n - (signed ? 1 : 0))
                let capacity: UInt64 = bits >= 64 ? UInt64.max : (UInt64(1) << bits) - 1
                if largest <= capacity { return n }
            }
            return 8
        }
    }
}

/// Where SYNCHRONIZED binary and floating-point items are aligned (hard case H10). Slack bytes are inserted
/// before an aligned item so that its offset from the start of the record (a level-01 item is doubleword
/// aligned) is a multiple of its alignment.
public enum SynchronizationPolicy: String, Sendable, Hashable, CaseIterable {
    /// IBM: an aligned item is aligned to its own size: 2-byte binaries to halfwords, 4-byte binaries and
    /// COMP-1 to fullwords, 8-byte binaries and COMP-2 to doublewords (GnuCOBOL `-std=mvs`, JRecord's
    /// `mvsCompSync` fixture: 224-byte records). Default. TIBCO's IBM example aligns `S9(10) COMP SYNC` to a
    /// fullword instead; use ``eightByteToFour`` when a compiler listing shows that.
    case ibm
    /// As ``ibm`` but 8-byte items align only to 4 bytes (Fujitsu; JRecord's `fjCompSync` fixture).
    case eightByteToFour = "fujitsu"
    /// SYNC is parsed and recorded but inserts no slack bytes.
    case ignore

    /// The alignment in bytes for a synchronized item of `size` bytes.
    public func alignment(forSize size: Int) -> Int {
        switch self {
        case .ignore: return 1
        case .ibm: return size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1
        case .eightByteToFour: return size >= 4 ? 4 : size >= 2 ? 2 : 1
        }
    }
}

/// Options for reading and laying out a copybook. A `Sendable` value; every property has a default.
public struct CopybookOptions: Sendable, Hashable {
    /// The reference format, or `nil` to detect it: a copybook is read as fixed format unless a line has program
    /// text in the indicator column 7 (anything but space `*` `/` `-` `D` `$`), starts with `*>`, or ends an
    /// entry within columns 1–6. Default: `nil` (detect).
    public var sourceFormat: SourceFormat?
    /// Binary item sizes. Default: ``BinarySizePolicy/ibm``.
    public var binarySizes: BinarySizePolicy
    /// Slack bytes for SYNCHRONIZED items. Default: ``SynchronizationPolicy/ibm``.
    public var synchronization: SynchronizationPolicy

    public init(
        sourceFormat: SourceFormat? = nil, binarySizes: BinarySizePolicy = .ibm,
        synchronization: SynchronizationPolicy = .ibm
    ) {
        self.sourceFormat = sourceFormat
        self.binarySizes = binarySizes
        self.synchronization = synchronization
    }
}
