public import Events

extension EDIFACTSegment {
    /// The segment as JSON: `{"tag", "position", "elements"}`. An element is a string when it has one component,
    /// an array of component strings when it is a composite, and `{"repeats": [...]}` when repeated. Values stay
    /// text (`041013` keeps its zero); no guide is known here, so decimal marks are not normalised.
    public var jsonValue: JSONValue {
        func repetition(_ components: [[UInt8]]) -> JSONValue {
            components.count == 1
                ? .string(characterSet.decode(components[0]))
                : .array(components.map { .string(characterSet.decode($0)) })
        }
        let elements: [JSONValue] = elements.map { element in
            element.repetitions.count == 1
                ? repetition(element.repetitions[0])
                : .object([JSONMember(key: "repeats", value: .array(element.repetitions.map(repetition)))])
        }
        return .object([
            JSONMember(key: "tag", value: .string(tag)),
            JSONMember(key: "position", value: .number(String(position))),
            JSONMember(key: "elements", value: .array(elements)),
        ])
    }
}

extension EDIFACTMessage {
    /// The generic per-message representation for events: reference, message identifier (UNH02), segment count,
    /// whether the envelope accepted it, and every segment from UNH to UNT as ``EDIFACTSegment/jsonValue``.
    public var jsonValue: JSONValue {
        var segments = [header.jsonValue] + body.map(\.jsonValue)
        if let trailer { segments.append(trailer.jsonValue) }
        return .object([
            JSONMember(key: "reference", value: .string(reference)),
            JSONMember(key: "identifier", value: .array(identifier.map { .string($0) })),
            JSONMember(key: "segmentCount", value: .number(String(segmentCount))),
            JSONMember(key: "accepted", value: .bool(isAccepted)),
            JSONMember(key: "segments", value: .array(segments)),
        ])
    }
}
