extension CodePage {
    /// The byte for a scalar, or nil when the page has none (for UTF-8: ASCII scalars only).
    public func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        guard isSingleByte else { return value < 0x80 ? UInt8(value) : nil }
        if value < 256 {
            let byte = storage.encodeLow[Int(value)]
            return byte < 0 ? nil : UInt8(byte)
        }
        return storage.encodeHigh[value]
    }

    /// Encodes `text` and appends the bytes to `output`. Throws ``CodePageError/unmappableCharacter(_:position:codePage:)``
    /// naming the first character the page cannot represent and its position (in Unicode scalars); on a throw
    /// `output` is left as it was.
    public func encode(_ text: String, appendingTo output: inout [UInt8]) throws(CodePageError) {
        if !isSingleByte {
            output.append(contentsOf: text.utf8)
            return
        }
        let start = output.count
        var position = 0
        for scalar in text.unicodeScalars {
            guard let byte = byte(for: scalar) else {
                output.removeSubrange(start...)
                throw .unmappableCharacter(scalar, position: position, codePage: name)
            }
            output.append(byte)
            position += 1
        }
    }

    /// Encodes `text` into a new byte array.
    public func encode(_ text: String) throws(CodePageError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        try encode(text, appendingTo: &output)
        return output
    }

    /// Encodes UTF-8 text (for example a JSON string's content after unescaping) and appends the bytes.
    /// Invalid UTF-8 is reported as an unmappable U+FFFD at its position.
    public func encode(utf8 text: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws(CodePageError) {
        let start = output.count
        var position = 0
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = text.makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if !isSingleByte {
                    output.append(contentsOf: encoded)
                } else if let byte = byte(for: scalar) {
                    output.append(byte)
                } else {
                    output.removeSubrange(start...)
                    throw .unmappableCharacter(scalar, position: position, codePage: name)
                }
            case .error:
                output.removeSubrange(start...)
                throw .unmappableCharacter("\u{FFFD}", position: position, codePage: name)
            case .emptyInput:
                return
            }
            position += 1
        }
    }
}
