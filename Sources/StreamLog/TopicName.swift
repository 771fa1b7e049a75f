/// Kafka's rules for topic names, applied to LocalLog topics too so a topic moves to Kafka unchanged.
enum TopicName {
    static func validate(_ name: String) throws(StreamLogError) {
        if name.isEmpty { throw .invalidTopicName(name, reason: "is empty") }
        if name == "." || name == ".." { throw .invalidTopicName(name, reason: "'.' and '..' are reserved") }
        if name.utf8.count > 249 { throw .invalidTopicName(name, reason: "is longer than 249 characters") }
        for byte in name.utf8 {
            let ok = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
            if !ok { throw .invalidTopicName(name, reason: "may contain only ASCII letters, digits, '.', '_' and '-'") }
        }
    }
}
