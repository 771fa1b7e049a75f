public import Events

/// One EDIFACT data element: its repetitions, each a list of components (ISO 9735 simple/composite element).
///
/// Components hold the data bytes with release characters removed.
public struct EDIFACTElement: Sendable, Hashable {
    /// Repetitions (one unless the repetition separator occurred), each a list of component bytes.
    public var repetitions: [[[UInt8]]]

    /// Creates an element from its repetitions.
    public init(repetitions: [[[UInt8]]]) { self.repetitions = repetitions }

    /// Creates a non-repeated element from component texts (UTF-8).
    public init(_ components: String...) { repetitions = [components.map { Array($0.utf8) }] }

    /// The components of the first repetition.
    public var components: [[UInt8]] { repetitions.first ?? [] }

    /// Whether every component of every repetition is empty.
    public var isEmpty: Bool { repetitions.allSatisfy { $0.allSatisfy(\.isEmpty) } }
}

/// Where one component's bytes end in ``EDIFACTSegment``'s flat storage, and which element/repetition/component it is.
struct EDIFACTComponentSlot: Sendable, Hashable {
    /// End index (exclusive) in the data bytes; the start is the previous slot's end.
    var end: Int
    /// 0 for the tag element, then 1-based data element index.
    var element: Int
    /// 0-based repetition index.
    var repetition: Int
    /// 0-based component index.
    var component: Int
}

/// One segment read from an interchange: tag, elements, where it was and how to decode its text.
///
/// Storage is flat (all component bytes, releases removed, in one array plus one boundary table), so reading a
/// segment costs two allocations whatever its shape; ``elements`` builds the nested view on demand.
public struct EDIFACTSegment: Sendable, Hashable {
    /// Segment tag (ISO 9735 0013, e.g. `UNH`, `NAD`).
    public var tag: String
    var data: [UInt8]
    var slots: [EDIFACTComponentSlot]
    /// 1-based position of the segment in the input (UNA counts as a position when present).
    public var position: Int
    /// Byte offset of the first tag byte from the start of the input.
    public var byteOffset: Int
    /// Decimal mark of the interchange (UNA3), used by ``decimal(_:_:)``.
    public var decimalMark: UInt8
    /// Repertoire of the interchange, used by ``text(_:_:repetition:)``.
    public var characterSet: EDIFACTCharacterSet

    /// Creates a segment (for writing); position and offset are 0.
    public init(
        _ tag: String, _ elements: [EDIFACTElement], decimalMark: UInt8 = UInt8(ascii: "."),
        characterSet: EDIFACTCharacterSet = .utf8(identifier: "UNOY")
    ) {
        self.init(
            tag: tag, tagQualifiers: [], elements: elements, position: 0, byteOffset: 0, decimalMark: decimalMark,
            characterSet: characterSet)
    }

    init(
        tag: String, tagQualifiers: [[UInt8]], elements: [EDIFACTElement], position: Int, byteOffset: Int,
        decimalMark: UInt8, characterSet: EDIFACTCharacterSet
    ) {
        self.tag = tag
        (data, slots) = EDIFACTSegment.storage(tag: tag, tagQualifiers: tagQualifiers, elements: elements)
        self.position = position
        self.byteOffset = byteOffset
        self.decimalMark = decimalMark
        self.characterSet = characterSet
    }

    init(
        tag: String, data: [UInt8], slots: [EDIFACTComponentSlot], position: Int, byteOffset: Int,
        decimalMark: UInt8, characterSet: EDIFACTCharacterSet
    ) {
        self.tag = tag
        self.data = data
        self.slots = slots
        self.position = position
        self.byteOffset = byteOffset
        self.decimalMark = decimalMark
        self.characterSet = characterSet
    }

    static func storage(tag: String, tagQualifiers: [[UInt8]], elements: [EDIFACTElement])
        -> ([UInt8], [EDIFACTComponentSlot])
    {
        var data = Array(tag.utf8)
        var slots = [EDIFACTComponentSlot(end: data.count, element: 0, repetition: 0, component: 0)]
        for (index, qualifier) in tagQualifiers.enumerated() {
            data += qualifier
            slots.append(EDIFACTComponentSlot(end: data.count, element: 0, repetition: 0, component: index + 1))
        }
        for (elementIndex, element) in elements.enumerated() {
            let repetitions = element.repetitions.isEmpty ? [[[]]] : element.repetitions
            for (repetitionIndex, components) in repetitions.enumerated() {
                for (componentIndex, component) in (components.isEmpty ? [[]] : components).enumerated() {
                    data += component
                    slots.append(
                        EDIFACTComponentSlot(
                            end: data.count, element: elementIndex + 1, repetition: repetitionIndex,
                            component: componentIndex))
                }
            }
        }
        return (data, slots)
    }

    func range(ofSlot index: Int) -> Range<Int> {
        (index == 0 ? 0 : slots[index - 1].end)..<slots[index].end
    }

    /// Further components of the tag element (syntax version 4 nesting/repetition indicators), usually empty.
    public var tagQualifiers: [[UInt8]] {
        var result: [[UInt8]] = []
        for index in 1..<slots.count where slots[index].element == 0 { result.append(Array(data[range(ofSlot: index)])) }
        return result
    }

    /// Number of data elements after the tag.
    public var elementCount: Int { slots.last?.element ?? 0 }

    /// Data elements after the tag (built on demand from the flat storage; setting rebuilds it).
    public var elements: [EDIFACTElement] {
        get {
            var result: [EDIFACTElement] = []
            result.reserveCapacity(elementCount)
            for index in slots.indices where slots[index].element > 0 {
                let slot = slots[index]
                let bytes = Array(data[range(ofSlot: index)])
                if slot.element > result.count { result.append(EDIFACTElement(repetitions: [])) }
                if slot.repetition >= result[result.count - 1].repetitions.count {
                    result[result.count - 1].repetitions.append([])
                }
                let last = result[result.count - 1].repetitions.count - 1
                result[result.count - 1].repetitions[last].append(bytes)
            }
            return result
        }
        set {
            (data, slots) = EDIFACTSegment.storage(tag: tag, tagQualifiers: tagQualifiers, elements: newValue)
        }
    }

    /// Calls `body` for every data component in order with its 1-based element and component indexes and its bytes.
    public func forEachComponent(_ body: (_ element: Int, _ repetition: Int, _ component: Int, _ bytes: ArraySlice<UInt8>) -> Void) {
        for index in slots.indices where slots[index].element > 0 {
            let slot = slots[index]
            body(slot.element, slot.repetition + 1, slot.component + 1, data[range(ofSlot: index)])
        }
    }

    /// Raw component bytes; indexes are 1-based like the spec's `NAD04`/`C080.3036` numbering. `nil` when absent.
    public func bytes(_ element: Int, _ component: Int = 1, repetition: Int = 1) -> [UInt8]? {
        for index in slots.indices {
            let slot = slots[index]
            if slot.element < element { continue }
            if slot.element > element { return nil }
            if slot.repetition == repetition - 1 && slot.component == component - 1 {
                return Array(data[range(ofSlot: index)])
            }
        }
        return nil
    }

    /// Component text decoded with the interchange's repertoire; 1-based indexes; `nil` when absent.
    public func text(_ element: Int, _ component: Int = 1, repetition: Int = 1) -> String? {
        bytes(element, component, repetition: repetition).map { characterSet.decode($0) }
    }

    /// A numeric component as an exact decimal, read with the interchange's decimal mark (either `.` or `,` is
    /// accepted, ISO 9735 clause 10). `nil` when absent or empty; throws when it is not a number.
    public func decimal(_ element: Int, _ component: Int = 1) throws(EDIFACTValueError) -> ExactDecimal? {
        guard let raw = bytes(element, component), !raw.isEmpty else { return nil }
        guard let text = EDIFACTSegment.normalisedNumber(raw) else {
            throw EDIFACTValueError(segmentPosition: position, tag: tag, element: element, component: component)
        }
        do { return try ExactDecimal(parsing: text) } catch {
            throw EDIFACTValueError(segmentPosition: position, tag: tag, element: element, component: component)
        }
    }

    /// Text of a numeric component with the decimal mark replaced by `.` (e.g. `19,9` → `19.9`); `nil` if not numeric.
    public func normalisedNumber(_ element: Int, _ component: Int = 1) -> String? {
        bytes(element, component).flatMap(EDIFACTSegment.normalisedNumber)
    }

    static func normalisedNumber(_ raw: [UInt8]) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count + 1)
        var sawMark = false
        var digits = 0
        for (index, byte) in raw.enumerated() {
            switch byte {
            case UInt8(ascii: "-") where index == 0: out.append(byte)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.append(byte)
                digits += 1
            case UInt8(ascii: "."), UInt8(ascii: ","):
                if sawMark { return nil }
                sawMark = true
                if digits == 0 { out.append(UInt8(ascii: "0")) }
                out.append(UInt8(ascii: "."))
            default: return nil
            }
        }
        guard digits > 0 else { return nil }
        if out.last == UInt8(ascii: ".") { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A component that should be numeric is not (ISO 9735 syntax error 19/37); never carries the value itself.
public struct EDIFACTValueError: Error, Sendable, Hashable {
    /// 1-based segment position.
    public var segmentPosition: Int
    /// Segment tag.
    public var tag: String
    /// 1-based element index.
    public var element: Int
    /// 1-based component index.
    public var component: Int
}

extension EDIFACTSegment {
    /// A number written with `.` or `,` as decimal mark, normalised to `.` (e.g. `19,9` → `19.9`); `nil` if not numeric.
    public static func normalisedNumberText(_ text: String) -> String? { normalisedNumber(Array(text.utf8)) }
}
