import ByteCoding
import Testing

@testable import MQ

@Suite struct RFH2Tests {
    static let mcd = HandBuiltRFH2.folder("<mcd><Msd>jms_bytes</Msd></mcd>")
    static let jms = HandBuiltRFH2.folder(
        "<jms><Dst>queue:///TEST.QUEUE</Dst><Tms>1733443200123</Tms><Cid>order-7</Cid><Dlv>2</Dlv></jms>")
    static let usr = HandBuiltRFH2.folder(
        "<usr><ContentEncoding>gzip</ContentEncoding><ContentLength dt='i8'>32</ContentLength>"
            + "<S dt='string'>text &amp; more</S><B dt='boolean'>1</B><F dt=\"boolean\">0</F><H dt='bin.hex'>0A1bFF</H>"
            + "<I1 dt='i1'>-128</I1><I2 dt='i2'>32767</I2><I4 dt='i4'>-2147483648</I4><I8 dt='i8'>9223372036854775807</I8>"
            + "<N dt='int'>42</N><R4 dt='r4'>1.5</R4><R8 dt='r8'>-2.25E3</R8><Z xsi:nil='true'/>"
            + "<grp><inner dt='i4'>7</inner></grp></usr>")

    static func frame(bigEndian: Bool, folders: [[UInt8]] = [mcd, jms, usr], payload: String = "hello") -> [UInt8] {
        SampleMQMD.bytes(bigEndian: bigEndian, format: "MQHRF2", encoding: bigEndian ? 0x111 : 0x222)
            + HandBuiltRFH2.bytes(bigEndian: bigEndian, folders: folders) + Array(payload.utf8)
    }

    @Test(arguments: [false, true])
    func fixedPartAndFoldersReadFromAHandBuiltHeader(_ bigEndian: Bool) throws {
        let bytes = Self.frame(bigEndian: bigEndian)
        let frame = try MQFrame(parsing: bytes)
        #expect(frame.headers.count == 1)
        let rfh2 = try #require(frame.rfh2)
        #expect(rfh2.structureID == "RFH ")
        #expect(rfh2.version == 2)
        #expect(Int(rfh2.structureLength) == 36 + 12 + Self.mcd.count + Self.jms.count + Self.usr.count)
        #expect(rfh2.encoding.rawValue == (bigEndian ? 0x111 : 0x222))
        #expect(rfh2.codedCharacterSetID == 1208)
        #expect(rfh2.format == .string)
        #expect(rfh2.flags == 0)
        #expect(rfh2.nameValueCCSID == 1208)
        #expect(rfh2.folderCount == 3)
        #expect(rfh2.folders.map(\.name) == ["mcd", "jms", "usr"])
        #expect(rfh2.folders[0].offset == 364 + 36 + 4)
        #expect(frame.payload.offset == 364 + Int(rfh2.structureLength))
        #expect(try frame.payload.text() == "hello")
        #expect(frame.bytes == bytes)
    }

    @Test func ebcdicHeadersFromZOSReadAndRoundTrip() throws {
        let bytes = SampleMQMD.bytes(bigEndian: true, ebcdic: true, format: "MQHRF2", encoding: 0x311, ccsid: 500)
            + HandBuiltRFH2.bytes(bigEndian: true, folders: [Self.usr], ccsid: 37, encoding: 0x311, ebcdic: true)
            + [0xC8, 0x89]  // "Hi" in CCSID 037
        let frame = try MQFrame(parsing: bytes)
        #expect(frame.descriptor.format == .rfHeader2)
        let rfh2 = try #require(frame.rfh2)
        #expect(rfh2.structureID == "RFH ")
        #expect(rfh2.format == .string)
        #expect(rfh2.encoding == .s390)
        #expect(try rfh2.property(folder: "usr", name: "ContentLength") == .int64(32))
        #expect(frame.payload.codedCharacterSetID == 37)
        #expect(try frame.payload.text() == "Hi")
        #expect(frame.bytes == bytes)
    }

    @Test func headersParseFromAByteReaderAndLeaveTheRest() throws {
        let rfh2Bytes = HandBuiltRFH2.bytes(bigEndian: false, folders: [Self.mcd])
        let dlhBytes = HandBuiltDLH.bytes(bigEndian: true, format: "MQSTR")
        let bytes = rfh2Bytes + dlhBytes + [0xAA]
        try bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            let rfh2 = try RFH2(parsing: &reader, encoding: .reversed)
            #expect(rfh2.bytes == rfh2Bytes)
            #expect(rfh2.folders.map(\.name) == ["mcd"])
            let dlh = try MQDLH(parsing: &reader, encoding: .normal)
            #expect(dlh.destinationQueueName == "CLAIMS.IN")
            #expect(reader.remaining == 1)
            var wrong = ByteReader(raw)
            let error = #expect(throws: MQError.self) { try MQDLH(parsing: &wrong, encoding: .normal) }
            #expect(error?.reason == .unknownStructure)
        }
        let framed = SampleMQMD.bytes(bigEndian: false) + Array("tail".utf8)
        try framed.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            let frame = try MQFrame(parsing: &reader)
            #expect(reader.isAtEnd)
            #expect(try frame.payload.text() == "tail")
        }
    }

    @Test func everyDTTypeIsTyped() throws {
        let frame = try MQFrame(parsing: Self.frame(bigEndian: false))
        let rfh2 = try #require(frame.rfh2)
        let usr = try #require(rfh2.folder(named: "usr")).properties()
        let expected: [RFH2Property] = [
            .init(name: "ContentEncoding", value: .string("gzip")),
            .init(name: "ContentLength", value: .int64(32)),
            .init(name: "S", value: .string("text & more")),
            .init(name: "B", value: .boolean(true)),
            .init(name: "F", value: .boolean(false)),
            .init(name: "H", value: .binary([0x0A, 0x1B, 0xFF])),
            .init(name: "I1", value: .int8(-128)),
            .init(name: "I2", value: .int16(32767)),
            .init(name: "I4", value: .int32(-2_147_483_648)),
            .init(name: "I8", value: .int64(Int64.max)),
            .init(name: "N", value: .int64(42)),
            .init(name: "R4", value: .float32(1.5)),
            .init(name: "R8", value: .float64(-2250)),
            .init(name: "Z", value: .null),
            .init(name: "grp.inner", value: .int32(7)),
        ]
        #expect(usr == expected)
        #expect(try rfh2.property(folder: "jms", name: "Dst") == .string("queue:///TEST.QUEUE"))
        #expect(try rfh2.property(folder: "mcd", name: "Msd") == .string("jms_bytes"))
        #expect(try rfh2.property(folder: "usr", name: "Missing") == nil)
        #expect(try rfh2.property(folder: "mqps", name: "Top") == nil)
    }

    @Test func paddingAndWhitespaceSurviveARoundTrip() throws {
        let odd = HandBuiltRFH2.folder("<usr>\n  <A dt='i4'> 1 </A>\t</usr>", pad: 0)
        let other = HandBuiltRFH2.folder("<other><x>kept verbatim</x></other>") + Array("        ".utf8)
        let bytes = Self.frame(bigEndian: false, folders: [odd, other])
        var frame = try MQFrame(parsing: bytes)
        #expect(frame.bytes == bytes)
        var rfh2 = try #require(frame.rfh2)
        #expect(try rfh2.folders[0].properties() == [RFH2Property(name: "A", value: .int32(1))])
        #expect(rfh2.folders[1].name == "other")
        rfh2.folders = rfh2.folders
        frame.headers = [.rfh2(rfh2)]
        #expect(frame.bytes == bytes)
    }

    @Test func replacingAFolderRewritesStrucLength() throws {
        var frame = try MQFrame(parsing: Self.frame(bigEndian: true))
        var rfh2 = try #require(frame.rfh2)
        var folders = rfh2.folders
        folders[2] = try RFH2Folder(name: "usr", properties: [RFH2Property(name: "MemberId", value: .string("M-1"))])
        rfh2.folders = folders
        frame.headers = [.rfh2(rfh2)]
        let reread = try MQFrame(parsing: frame.bytes)
        let again = try #require(reread.rfh2)
        #expect(Int(again.structureLength) == 36 + 12 + Self.mcd.count + Self.jms.count + folders[2].data.count)
        #expect(Int(again.structureLength) % 4 == 0)
        #expect(try again.property(folder: "usr", name: "MemberId") == .string("M-1"))
        #expect(try reread.payload.text() == "hello")
    }

    @Test func builtFoldersWriteEveryTypeAndReadBack() throws {
        let properties: [RFH2Property] = [
            .init(name: "s", value: .string("a<b>&c")), .init(name: "b", value: .boolean(true)),
            .init(name: "h", value: .binary([0, 255])), .init(name: "i1", value: .int8(-1)),
            .init(name: "i2", value: .int16(-300)), .init(name: "i4", value: .int32(70000)),
            .init(name: "i8", value: .int64(-5_000_000_000)), .init(name: "r4", value: .float32(0.5)),
            .init(name: "r8", value: .float64(1e300)), .init(name: "n", value: .null),
        ]
        let folder = try RFH2Folder(name: "usr", properties: properties)
        #expect(folder.data.count % 4 == 0)
        #expect(try folder.properties() == properties)
        #expect(throws: MQError.self) { try RFH2Folder(name: "usr", properties: [.init(name: "bad name", value: .null)]) }
    }

    @Test func utf16NameValueDataDecodes() throws {
        let xml = "<usr><Name>Zoë</Name></usr>"
        var utf16: [UInt8] = []
        for unit in xml.utf16 { utf16 += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        while utf16.count % 4 != 0 { utf16 += [0x00, 0x20] }
        let bytes = SampleMQMD.bytes(bigEndian: true, format: "MQHRF2", encoding: 0x111)
            + HandBuiltRFH2.bytes(bigEndian: true, folders: [utf16], nameValueCCSID: 1200)
        let rfh2 = try #require(try MQFrame(parsing: bytes).rfh2)
        #expect(rfh2.folders[0].name == "usr")
        #expect(try rfh2.property(folder: "usr", name: "Name") == .string("Zoë"))
    }

    @Test(arguments: [
        ("<usr><A>unclosed</usr>", "well-formed XML"),
        ("<usr><A>1</A>", "well-formed XML"),
        ("<usr><A>1</A></usr><extra>", "well-formed XML (one root element)"),
        ("<usr><A dt='i4'>twelve</A></usr>", "a i4 value in <A>"),
        ("<usr><A dt='i1'>300</A></usr>", "a i1 value in <A>"),
        ("<usr><A dt='boolean'>yes</A></usr>", "a boolean value in <A>"),
        ("<usr><A dt='bin.hex'>ABC</A></usr>", "a bin.hex value in <A>"),
        ("<usr><A dt='decimal'>1</A></usr>", "a dt of string, boolean, bin.hex, i1, i2, i4, i8, int, r4 or r8"),
    ])
    func malformedFoldersAreLocatedErrors(_ xml: String, _ expected: String) throws {
        let bytes = Self.frame(bigEndian: false, folders: [Self.mcd, HandBuiltRFH2.folder(xml)])
        let rfh2 = try #require(try MQFrame(parsing: bytes).rfh2)
        let error = try #require(throws: MQError.self) { try rfh2.folders[1].properties() }
        #expect(error.reason == .malformedFolder)
        #expect(error.header == "MQRFH2")
        #expect(error.field == "NameValueData")
        #expect(error.offset == 364 + 36 + 4 + Self.mcd.count + 4)
        #expect(error.expected == expected)
    }

    @Test func invalidUTF8InAFolderIsAnError() throws {
        let bytes = Self.frame(bigEndian: false, folders: [[0x3C, 0x75, 0xFF, 0x3E]])
        let rfh2 = try #require(try MQFrame(parsing: bytes).rfh2)
        let error = try #require(throws: MQError.self) { try rfh2.folders[0].properties() }
        #expect(error.reason == .malformedFolder)
        #expect(error.found == "invalid UTF-8")
    }

    @Test func unknownNameValueCCSIDIsAnError() throws {
        let bytes = SampleMQMD.bytes(bigEndian: false, format: "MQHRF2")
            + HandBuiltRFH2.bytes(bigEndian: false, folders: [Self.mcd], nameValueCCSID: 4242)
        let rfh2 = try #require(try MQFrame(parsing: bytes).rfh2)
        let error = try #require(throws: MQError.self) { try rfh2.folders[0].properties() }
        #expect(error.reason == .unknownCCSID)
        #expect(error.found == "4242")
    }
}
