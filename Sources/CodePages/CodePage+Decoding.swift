extension CodePage {
    /// Decodes `bytes` and appends the text as UTF-8 to `output`.
    ///
    /// Undefined bytes (and controls under ``ControlCharacterPolicy/reject``) become U+FFFD. Returns how many bytes
    /// had no character (for UTF-8: how many invalid sequences were replaced); 0 means the text is exact.
    @discardableResult
    public func appendUTF8(decoding bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) -> Int {
        guard isSingleByte else { return CodePage.appendValidatedUTF8(bytes, to: &output, escaped: false) }
        return storage.utf8.withUnsafeBufferPointer { table in
            CodePage.translate(bytes, table: table, to: &output)
        }
    }

    /// Decodes `bytes` and appends the text as the *content* of a JSON string (no quotes) to `output`: `"` and `\`
    /// are backslash-escaped and C0 controls are written as `\b \f \n \r \t` or `\u00xx`, exactly as Events'
    /// `JSONWriter` escapes strings. Returns the unmapped-byte count as ``appendUTF8(decoding:to:)`` does.
    @discardableResult
    public func appendJSONEscaped(decoding bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) -> Int {
        guard isSingleByte else { return CodePage.appendValidatedUTF8(bytes, to: &output, escaped: true) }
        return storage.json.withUnsafeBufferPointer { table in
            CodePage.translate(bytes, table: table, to: &output)
        }
    }

    /// Decodes `bytes` into a `String` (undefined bytes as U+FFFD). For tests and diagnostics; the hot path is
    /// ``appendUTF8(decoding:to:)``.
    public func decode(_ bytes: UnsafeRawBufferPointer) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        appendUTF8(decoding: bytes, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes a byte array into a `String`.
    public func decode(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { decode($0) }
    }

    /// Input bytes translated per chunk: each table entry is stored whole (4 or 8 bytes) into a stack buffer and the
    /// write position advances by the entry's length; the buffer is appended to `output` once per chunk.
    @inline(__always)
    static func translate<Entry: FixedWidthInteger & UnsignedInteger>(
        _ bytes: UnsafeRawBufferPointer, table: UnsafeBufferPointer<Entry>, to output: inout [UInt8]
    ) -> Int {
        let count = bytes.count
        guard count > 0, let source = bytes.baseAddress, let entries = table.baseAddress else { return 0 }
        let lengthShift = Entry.bitWidth - 8
        let maximumLength = Entry.bitWidth == 64 ? 6 : 3
        let chunk = 512
        var unmapped = 0
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk * maximumLength + 8) { buffer in
            let target = UnsafeMutableRawPointer(buffer.baseAddress!)
            var start = 0
            while start < count {
                let end = min(count, start + chunk)
                var written = 0
                var index = start
                while index < end {
                    let entry = entries[Int(source.load(fromByteOffset: index, as: UInt8.self))]
                    target.storeBytes(of: entry.littleEndian, toByteOffset: written, as: Entry.self)
                    written &+= Int(truncatingIfNeeded: (entry >> lengthShift) & 0x0F)
                    unmapped &+= Int(truncatingIfNeeded: entry >> (Entry.bitWidth - 1))
                    index &+= 1
                }
                output.append(contentsOf: UnsafeRawBufferPointer(start: target, count: written))
                start = end
            }
        }
        return unmapped
    }

    /// UTF-8 input: runs of valid bytes are copied (escaped for JSON when asked); invalid sequences become U+FFFD.
    static func appendValidatedUTF8(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8], escaped: Bool) -> Int {
        var replaced = 0
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if escaped && encoded.count == 1 {
                    output.append(contentsOf: CodePageStorage.jsonEscaped([encoded.first!]))
                } else {
                    output.append(contentsOf: encoded)
                }
            case .error:
                replaced += 1
                output.append(contentsOf: CodePageStorage.replacementUTF8)
            case .emptyInput:
                break loop
            }
        }
        return replaced
    }
}
