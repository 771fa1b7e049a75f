/// `ferry convert`: turn legacy bytes into JSON records or CloudEvents, and back.
///
/// One subcommand per legacy format; later issues add theirs (`mq`, `x12`, `edifact`) to ``configuration``'s list.
struct ConvertCommand: CommandGroup {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "convert",
            abstract: "Convert legacy records to JSON Lines or CloudEvents, and back.",
            discussion: """
                Reads a legacy file (or standard input with '-') and writes one JSON object per record to \
                standard output. Exit status 3 when the input is rejected; the message names the record, its byte \
                offset, the field and the bytes in hex.
                """,
            subcommands: [ConvertCopybookCommand.self, ConvertX12Command.self, ConvertEDIFACTCommand.self, ConvertMQCommand.self])
    }
}
