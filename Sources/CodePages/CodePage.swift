/// A character set for record text, keyed by its IBM CCSID (Coded Character Set Identifier, IBM CDRA).
///
/// Single-byte pages (the EBCDIC pages, US-ASCII, Latin-1) are 256-entry tables generated from glibc's iconv
/// converters by `scripts/codepages/generate` (see `CodePage+Tables.swift` for the provenance). Each page also keeps
/// precomputed per-byte UTF-8 and JSON-escaped UTF-8 sequences, so decoding is one table lookup per byte with no
/// per-byte `String` work. CCSID 1208 (UTF-8) is the one multi-byte page: its decode validates and copies.
///
/// Control characters: by default (``ControlCharacterPolicy/preserve``) every byte decodes to the character IBM's
/// table gives it, C0 and C1 controls included (EBCDIC 0x25 is LF U+000A, 0x15 is NEL U+0085, 0x0D is CR), so
/// decode → encode reproduces the bytes. ``withControlCharacters(_:)`` derives a page that turns controls into
/// spaces or rejects them (decoded as U+FFFD and counted like undefined bytes).
public struct CodePage: Sendable, Hashable, CustomStringConvertible {
    /// The IBM CCSID (`37`, `273`, `1140`, `819`, `1208`).
    public let ccsid: Int
    /// The canonical name, `IBM037`, `IBM1140`, `US-ASCII`, `ISO-8859-1` or `UTF-8`.
    public let name: String
    /// What the page is for ("EBCDIC US/Canada").
    public let title: String
    /// True for EBCDIC pages (digits at 0xF0–0xF9, space 0x40); false for ASCII-based pages.
    public let isEBCDIC: Bool
    /// How control characters decode. Default: ``ControlCharacterPolicy/preserve``.
    public let controlCharacters: ControlCharacterPolicy
    let storage: CodePageStorage

    /// What decoding does with C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls (U+0080–U+009F).
    public enum ControlCharacterPolicy: Sendable, Hashable {
        /// Decode to the character the table gives (JSON output escapes C0 as `\n`, `\u0015`…; C1 is plain UTF-8).
        case preserve
        /// Decode every control character to a space, as cobrix's `common` pages do (not reversible).
        case replaceWithSpace
        /// Treat control characters like undefined bytes: U+FFFD, and counted in the decode's return value.
        case reject
    }

    // MARK: Lookup

    /// The page for a CCSID. Also accepts 646 (ISO 646) and 20127 for the US-ASCII page (CCSID 367).
    public init(ccsid: Int) throws(CodePageError) {
        let key = CodePage.ccsidAliases[ccsid] ?? ccsid
        guard let page = CodePage.registry[key] else { throw .unknownCCSID(ccsid, known: CodePage.knownCCSIDs) }
        self = page
    }

    /// The page for a name: `cp037`, `IBM-037`, `IBM037`, `037`, `37`, `ibm1047`, `IBM01140`, `CCSID500`, `ascii`,
    /// `latin-1`, `ISO-8859-1`, `utf-8` (case, `-`, `_` and spaces are ignored).
    public init(named name: String) throws(CodePageError) {
        guard let ccsid = CodePage.ccsid(forName: name), let page = CodePage.registry[ccsid] else {
            throw .unknownCodePage(name, known: CodePage.knownNames)
        }
        self = page
    }

    /// Every page this target knows, ordered by CCSID.
    public static var all: [CodePage] { registry.values.sorted { $0.ccsid < $1.ccsid } }

    /// The names a page answers to, beyond ``name`` (`cp037`, `IBM-037`, `037`, …).
    public var aliases: [String] { storage.aliases }

    /// True for single-byte pages (everything except UTF-8).
    public var isSingleByte: Bool { storage.scalars != nil }

    /// The byte that decodes to U+0020 (0x40 in EBCDIC, 0x20 otherwise).
    public var spaceByte: UInt8 { storage.spaceByte }

    /// The scalar a byte decodes to, or nil when the byte is undefined in this page (or for UTF-8).
    public func scalar(for byte: UInt8) -> Unicode.Scalar? {
        guard let scalars = storage.scalars else { return byte < 0x80 ? Unicode.Scalar(byte) : nil }
        let value = scalars[Int(byte)]
        return value == CodePage.undefinedScalar ? nil : Unicode.Scalar(value)
    }

    /// This page with another control-character policy (tables are derived once, here).
    public func withControlCharacters(_ policy: ControlCharacterPolicy) -> CodePage {
        guard policy != controlCharacters else { return self }
        return CodePage(
            ccsid: ccsid, name: name, title: title, isEBCDIC: isEBCDIC, controlCharacters: policy,
            storage: CodePageStorage(derivedFrom: storage, controls: policy))
    }

    public var description: String { "\(name) (CCSID \(ccsid), \(title))" }

    public static func == (lhs: CodePage, rhs: CodePage) -> Bool {
        lhs.ccsid == rhs.ccsid && lhs.controlCharacters == rhs.controlCharacters
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ccsid)
        hasher.combine(controlCharacters)
    }

    init(
        ccsid: Int, name: String, title: String, isEBCDIC: Bool, controlCharacters: ControlCharacterPolicy,
        storage: CodePageStorage
    ) {
        self.ccsid = ccsid
        self.name = name
        self.title = title
        self.isEBCDIC = isEBCDIC
        self.controlCharacters = controlCharacters
        self.storage = storage
    }
}

// MARK: - Registry

extension CodePage {
    /// CCSIDs accepted as synonyms: ISO 646 (646) and 20127 (Windows' US-ASCII number) for CCSID 367.
    static let ccsidAliases: [Int: Int] = [646: 367, 20127: 367]

    static let registry: [Int: CodePage] = {
        var pages: [Int: CodePage] = [:]
        for table in generatedTables {
            let ccsid = table.ccsid
            let isEBCDIC = table.source.hasPrefix("IBM")
            let name: String
            var aliases: [String]
            switch ccsid {
            case 367:
                name = "US-ASCII"
                aliases = ["ASCII", "ANSI_X3.4-1968", "ISO646-US", "646", "367", "cp367", "IBM367"]
            case 819:
                name = "ISO-8859-1"
                aliases = ["latin-1", "latin1", "ISO8859-1", "819", "cp819", "IBM819"]
            default:
                let digits = String(ccsid)
                let padded = digits.count < 3 ? String(repeating: "0", count: 3 - digits.count) + digits : digits
                name = "IBM" + padded
                aliases = ["cp" + padded, "IBM-" + padded, padded, "ibm" + padded.lowercased(), "CCSID" + digits]
                if digits != padded { aliases.append(digits) }
                if digits.count == 4 { aliases.append("IBM0" + digits) }  // Java's IBM01140
            }
            let storage = CodePageStorage(scalars: table.scalars, aliases: aliases, controls: .preserve)
            pages[ccsid] = CodePage(
                ccsid: ccsid, name: name, title: table.description, isEBCDIC: isEBCDIC, controlCharacters: .preserve,
                storage: storage)
        }
        pages[1208] = CodePage(
            ccsid: 1208, name: "UTF-8", title: "Unicode UTF-8", isEBCDIC: false, controlCharacters: .preserve,
            storage: CodePageStorage(utf8Aliases: ["utf8", "1208", "cp1208", "IBM1208"]))
        return pages
    }()

    static let nameIndex: [String: Int] = {
        var index: [String: Int] = [:]
        for page in registry.values {
            index[normalizedName(page.name)] = page.ccsid
            for alias in page.aliases { index[normalizedName(alias)] = page.ccsid }
        }
        index["usascii"] = 367
        index["iso88591"] = 819
        return index
    }()

    static var knownCCSIDs: [Int] { registry.keys.sorted() }

    static var knownNames: [String] { all.map(\.name) }

    static func normalizedName(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { $0 != "-" && $0 != "_" && $0 != " " && $0 != "." })
    }

    static func ccsid(forName name: String) -> Int? {
        let key = normalizedName(name)
        if let ccsid = nameIndex[key] { return ccsid }
        // "ibm1047", "cp01140", "ccsid37", "x-ibm875": a known prefix followed by the CCSID digits.
        for prefix in ["xibm", "ibm", "cp", "ccsid"] where key.hasPrefix(prefix) {
            if let number = Int(key.dropFirst(prefix.count)) {
                let ccsid = ccsidAliases[number] ?? number
                if registry[ccsid] != nil { return ccsid }
            }
        }
        if let number = Int(key) {
            let ccsid = ccsidAliases[number] ?? number
            if registry[ccsid] != nil { return ccsid }
        }
        return nil
    }
}

// MARK: - Errors

/// What went wrong looking up a code page or converting text.
public enum CodePageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No page answers to the name; `known` lists the canonical names.
    case unknownCodePage(String, known: [String])
    /// No page has the CCSID; `known` lists the CCSIDs.
    case unknownCCSID(Int, known: [Int])
    /// A character of the text has no byte in the page; `position` counts Unicode scalars from 0.
    case unmappableCharacter(Unicode.Scalar, position: Int, codePage: String)

    public var description: String {
        switch self {
        case .unknownCodePage(let name, let known):
            return "unknown code page '\(name)'; known: \(known.joined(separator: ", ")) (or cpNNN / IBM-NNN / NNN)"
        case .unknownCCSID(let ccsid, let known):
            return "unknown CCSID \(ccsid); known: \(known.map(String.init).joined(separator: ", "))"
        case .unmappableCharacter(let scalar, let position, let codePage):
            let hex = String(scalar.value, radix: 16, uppercase: true)
            let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            let shown = scalar.properties.generalCategory == .control ? "" : " '\(Character(scalar))'"
            return "character \(code)\(shown) at position \(position) has no byte in \(codePage)"
        }
    }
}
