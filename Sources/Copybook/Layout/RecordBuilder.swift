/// Builds laid-out ``RecordLayout``s from parsed entries: the item tree, clause inheritance, reference
/// resolution (REDEFINES, DEPENDING ON, RENAMES), then offsets and sizes (IBM storage rules, with the binary-size
/// and SYNC policies of ``CopybookOptions``).
struct RecordBuilder {
    let sourceName: String
    let options: CopybookOptions

    /// A record's entries grouped by the builder: items (levels 1–49, 77), with 88s and 66s set aside.
    private struct Draft {
        var entries: [DataEntry] = []  // index = item id
        var parents: [Int?] = []
        var children: [[Int]] = []
        var conditions: [[ConditionName]] = []
        var renames: [DataEntry] = []
        var synthesizedRoot = false
    }

    func build(_ entries: [DataEntry]) throws(CopybookError) -> [RecordLayout] {
        var drafts: [Draft] = []
        var stack: [Int] = []  // ids of open items in the current draft
        for entry in entries {
            switch entry.level {
            case 88:
                guard var draft = drafts.popLast(), let last = draft.entries.indices.last else {
                    throw invalid(entry, "a level-88 condition must follow the item it describes")
                }
                draft.conditions[last].append(ConditionName(
                    name: entry.displayName, location: entry.location, values: entry.conditionValues))
                drafts.append(draft)
            case 66:
                guard var draft = drafts.popLast() else {
                    throw invalid(entry, "a level-66 RENAMES entry must follow the record it renames")
                }
                draft.renames.append(entry)
                drafts.append(draft)
            case 1, 77:
                var draft = Draft()
                draft.entries = [entry]
                draft.parents = [nil]
                draft.children = [[]]
                draft.conditions = [[]]
                drafts.append(draft)
                stack = [0]
            default:
                if drafts.isEmpty || drafts[drafts.count - 1].entries[0].level == 77 || !(drafts.last?.renames.isEmpty ?? true) {
                    if let last = drafts.last, last.entries[0].level == 77 {
                        throw invalid(entry, "a level-77 item cannot have subordinate items")
                    }
                    // No 01 level: wrap the items in a synthesized root.
                    var draft = Draft()
                    var root = DataEntry(level: 0, location: entry.location)
                    root.name = RecordLayout.syntheticRootName
                    draft.entries = [root]
                    draft.parents = [nil]
                    draft.children = [[]]
                    draft.conditions = [[]]
                    draft.synthesizedRoot = true
                    drafts.append(draft)
                    stack = [0]
                }
                var draft = drafts.removeLast()
                while let top = stack.last, top != 0, draft.entries[top].level >= entry.level { stack.removeLast() }
                guard let parent = stack.last else { throw invalid(entry, "no containing group") }
                if draft.entries[parent].picture != nil {
                    throw invalid(draft.entries[parent], "an item with a PICTURE cannot have subordinate items "
                        + "(level \(entry.level) \(entry.displayName) follows it)")
                }
                let id = draft.entries.count
                draft.entries.append(entry)
                draft.parents.append(parent)
                draft.children.append([])
                draft.conditions.append([])
                draft.children[parent].append(id)
                stack.append(id)
                drafts.append(draft)
            }
        }
        var records: [RecordLayout] = []
        for draft in drafts {
            records.append(try layOut(draft, previousRecords: records))
        }
        return records
    }

    private func invalid(_ entry: DataEntry, _ reason: String) -> CopybookError {
        .invalidEntry(source: sourceName, location: entry.location, field: entry.name ?? (entry.isFiller ? "FILLER" : nil),
                      reason: reason)
    }

    // MARK: Layout

    private func layOut(_ draft: Draft, previousRecords: [RecordLayout]) throws(CopybookError) -> RecordLayout {
        let entries = draft.entries
        let count = entries.count
        // Paths, inherited clauses.
        var paths: [[String]] = Array(repeating: [], count: count)
        var usages: [Usage] = Array(repeating: .display, count: count)
        var signs: [SignClause?] = Array(repeating: nil, count: count)
        var syncs: [Synchronization?] = Array(repeating: nil, count: count)
        for id in 0..<count {
            let entry = entries[id]
            let parent = draft.parents[id]
            paths[id] = (parent.map { paths[$0] } ?? []) + [entry.displayName]
            var usage = entry.usage ?? parent.map { usages[$0] } ?? .display
            if entry.usage == nil, let picture = entry.picture {
                if picture.category == .national { usage = .national }
                if picture.category == .dbcs { usage = .dbcs }
            }
            usages[id] = usage
            signs[id] = entry.sign ?? parent.flatMap { signs[$0] }
            syncs[id] = entry.synchronization ?? parent.flatMap { syncs[$0] }
            try validate(entry, usage: usage, isGroup: !draft.children[id].isEmpty)
        }

        // References.
        func lookup(_ name: DataEntry.QualifiedName, before limit: Int) -> Int? {
            let wanted = name.name.uppercased()
            let qualifiers = name.qualifiers.map { $0.uppercased() }
            let candidates = (0..<count).filter { id in
                guard entries[id].name?.uppercased() == wanted else { return false }
                var ancestors = paths[id].dropLast().reversed().map { $0.uppercased() }[...]
                for q in qualifiers {
                    guard let found = ancestors.firstIndex(of: q) else { return false }
                    ancestors = ancestors[(found + 1)...]
                }
                return true
            }
            return candidates.last(where: { $0 < limit }) ?? candidates.first
        }
        func reference(_ name: DataEntry.QualifiedName, target: Int) -> ItemReference {
            ItemReference(name: name.name, qualifiers: name.qualifiers, location: name.location, target: target,
                          path: paths[target])
        }
        var redefines: [ItemReference?] = Array(repeating: nil, count: count)
        var occurs: [Occurs?] = Array(repeating: nil, count: count)
        for id in 0..<count {
            let entry = entries[id]
            if let name = entry.redefines {
                if let parent = draft.parents[id] {
                    let siblings = draft.children[parent].prefix { $0 != id }
                    guard let target = siblings.last(where: { entries[$0].name?.uppercased() == name.name.uppercased() }) else {
                        throw .unresolvedReference(
                            source: sourceName, location: name.location, field: entry.displayName,
                            reference: name.written, reason: "REDEFINES must name an earlier item at the same level")
                    }
                    guard entries[target].level == entry.level else {
                        throw .unresolvedReference(
                            source: sourceName, location: name.location, field: entry.displayName,
                            reference: name.written,
                            reason: "the redefined item has level \(entries[target].level), not \(entry.level)")
                    }
                    redefines[id] = reference(name, target: target)
                } else {
                    guard let other = previousRecords.last(where: { $0.name.uppercased() == name.name.uppercased() }) else {
                        throw .unresolvedReference(
                            source: sourceName, location: name.location, field: entry.displayName,
                            reference: name.written, reason: "no earlier 01 record has this name")
                    }
                    redefines[id] = ItemReference(name: name.name, qualifiers: [], location: name.location, target: 0,
                                                  path: other.root.path)
                }
            }
            if let o = entry.occurs {
                var dependingOn: ItemReference?
                if let name = o.dependingOn {
                    guard let target = lookup(name, before: id) else {
                        throw .unresolvedReference(
                            source: sourceName, location: name.location, field: entry.displayName,
                            reference: name.written, reason: "DEPENDING ON names no item of this record")
                    }
                    guard draft.children[target].isEmpty, entries[target].picture?.isNumeric ?? false
                            || [.binary, .nativeBinary, .packedDecimal].contains(usages[target]) else {
                        throw .unresolvedReference(
                            source: sourceName, location: name.location, field: entry.displayName,
                            reference: name.written, reason: "the DEPENDING ON object must be an elementary integer item")
                    }
                    dependingOn = reference(name, target: target)
                }
                if id == 0 {
                    throw invalid(entry, "OCCURS is not allowed on a level-01 or level-77 item")
                }
                occurs[id] = Occurs(minimum: o.minimum, maximum: o.maximum, dependingOn: dependingOn, keys: o.keys,
                                    indexNames: o.indexNames)
            }
        }

        // Sizes of elementary items; alignment of synchronized items.
        var offsets = Array(repeating: 0, count: count)
        var sizes = Array(repeating: 0, count: count)
        var totals = Array(repeating: 0, count: count)
        var slack = Array(repeating: 0, count: count)
        var alignments = Array(repeating: 1, count: count)  // largest alignment needed inside the item
        for id in (0..<count).reversed() {
            if draft.children[id].isEmpty {
                sizes[id] = try elementarySize(entries[id], usage: usages[id], sign: signs[id])
                if syncs[id] != nil, [.binary, .nativeBinary, .singleFloat, .doubleFloat, .index, .pointer].contains(usages[id]) {
                    alignments[id] = options.synchronization.alignment(forSize: sizes[id])
                }
            } else {
                alignments[id] = draft.children[id].map { alignments[$0] }.max() ?? 1
            }
        }
        func place(_ id: Int, at start: Int) {
            var start = start
            if draft.children[id].isEmpty {
                let alignment = alignments[id]
                let padding = (alignment - start % alignment) % alignment
                slack[id] = padding
                start += padding
                offsets[id] = start
            } else {
                offsets[id] = start
                var cursor = start
                var end = start
                for child in draft.children[id] {
                    let childStart = redefines[child].map { offsets[$0.target] - slack[$0.target] } ?? cursor
                    place(child, at: childStart)
                    let childEnd = offsets[child] + totals[child]
                    cursor = max(cursor, childEnd)
                    end = max(end, childEnd)
                }
                sizes[id] = end - start
            }
            if let o = occurs[id] {
                // Each occurrence keeps the alignment of the first: round the element up (IBM slack bytes
                // between occurrences).
                let alignment = alignments[id]
                sizes[id] += (alignment - sizes[id] % alignment) % alignment
                totals[id] = sizes[id] * o.maximum
            } else {
                totals[id] = sizes[id]
            }
        }
        place(0, at: 0)

        // Variable size / position (OCCURS DEPENDING ON).
        var variableSize = Array(repeating: false, count: count)
        var minimumTotals = totals
        for id in (0..<count).reversed() {
            let children = draft.children[id]
            variableSize[id] = occurs[id]?.isVariable == true || children.contains { variableSize[$0] }
            var elementMinimum = sizes[id]
            for child in children where redefines[child] == nil {
                elementMinimum -= totals[child] - minimumTotals[child]
            }
            if let o = occurs[id] {
                minimumTotals[id] = elementMinimum * (o.isVariable ? o.minimum : o.maximum)
            } else {
                minimumTotals[id] = elementMinimum
            }
        }
        var variablyLocated = Array(repeating: false, count: count)
        for id in 0..<count {
            let children = draft.children[id]
            let elementVaries = occurs[id] != nil && children.contains { variableSize[$0] }
            var earlierVariable = false
            for child in children {
                if let target = redefines[child]?.target, draft.parents[target] == id {
                    variablyLocated[child] = variablyLocated[target]
                } else {
                    variablyLocated[child] = variablyLocated[id] || elementVaries || earlierVariable
                    if variableSize[child] { earlierVariable = true }
                }
            }
        }

        // Items.
        var items: [DataItem] = []
        items.reserveCapacity(count)
        for id in 0..<count {
            let entry = entries[id]
            var tables: [Int] = []
            var cursor: Int? = id
            while let c = cursor {
                if occurs[c] != nil { tables.insert(c, at: 0) }
                cursor = draft.parents[c]
            }
            items.append(DataItem(
                id: id, level: id == 0 && draft.synthesizedRoot ? 1 : entry.level, name: entry.displayName,
                isFiller: entry.name == nil, location: entry.location, parent: draft.parents[id],
                children: draft.children[id], path: paths[id], usage: usages[id], picture: entry.picture,
                sign: draft.children[id].isEmpty ? signs[id] : entry.sign, isBlankWhenZero: entry.isBlankWhenZero,
                isJustifiedRight: entry.isJustifiedRight, synchronization: syncs[id], value: entry.value,
                conditions: draft.conditions[id], occurs: occurs[id], redefines: redefines[id], offset: offsets[id],
                storageSize: sizes[id], totalSize: totals[id], slackBytesBefore: slack[id],
                isVariablyLocated: variablyLocated[id], hasVariableSize: variableSize[id], enclosingTables: tables))
        }

        // Flattened elementary fields.
        var fields: [ElementaryField] = []
        for item in items where item.isElementary {
            var redefining: Int?
            var cursor: Int? = item.id
            while let c = cursor {
                if redefines[c] != nil, c != 0 { redefining = c; break }
                cursor = draft.parents[c]
            }
            let dimensions = item.enclosingTables.map { t in
                OccursDimension(
                    table: t, minimum: occurs[t]?.minimum ?? 1, maximum: occurs[t]?.maximum ?? 1, stride: sizes[t],
                    dependingOn: occurs[t]?.dependingOn?.target)
            }
            fields.append(ElementaryField(
                item: item.id, path: item.path, offset: item.offset, size: item.storageSize, dimensions: dimensions,
                redefiningItem: redefining, isVariablyLocated: item.isVariablyLocated))
        }

        // 66 RENAMES.
        var renames: [Renames] = []
        for entry in draft.renames {
            guard let (fromName, throughName) = entry.renames else { continue }
            func resolve(_ name: DataEntry.QualifiedName) throws(CopybookError) -> ItemReference {
                guard let target = lookup(name, before: count), target != 0 else {
                    throw .unresolvedReference(
                        source: sourceName, location: name.location, field: entry.displayName,
                        reference: name.written, reason: "RENAMES names no item of the preceding record")
                }
                if occurs[target] != nil || !items[target].enclosingTables.isEmpty {
                    throw .unresolvedReference(
                        source: sourceName, location: name.location, field: entry.displayName,
                        reference: name.written, reason: "a renamed item cannot be or lie in a table (OCCURS)")
                }
                return reference(name, target: target)
            }
            let from = try resolve(fromName)
            let through = try throughName.map { n throws(CopybookError) in try resolve(n) }
            let start = offsets[from.target]
            let end = through.map { offsets[$0.target] + totals[$0.target] } ?? (start + totals[from.target])
            guard end > start else {
                throw invalid(entry, "RENAMES \(fromName.written) THRU \(throughName?.written ?? ""): "
                    + "the THRU item ends before the first item starts")
            }
            renames.append(Renames(name: entry.displayName, location: entry.location, from: from, through: through,
                                   offset: start, size: end - start))
        }

        return RecordLayout(
            items: items, renames: renames, fields: fields, hasSynthesizedRoot: draft.synthesizedRoot,
            size: totals[0], minimumSize: minimumTotals[0])
    }

    private func validate(_ entry: DataEntry, usage: Usage, isGroup: Bool) throws(CopybookError) {
        if isGroup {
            if entry.picture != nil {
                throw invalid(entry, "a group item cannot have a PICTURE clause")
            }
            return
        }
        let needsPicture = ![.singleFloat, .doubleFloat, .index, .pointer].contains(usage)
        guard let picture = entry.picture else {
            if needsPicture {
                throw .syntax(source: sourceName, location: entry.location, field: entry.displayName,
                              expected: "a PICTURE clause for an elementary \(usage) item", found: "none")
            }
            return
        }
        switch usage {
        case .binary, .nativeBinary, .packedDecimal:
            guard picture.category == .numeric else {
                throw .invalidEntry(source: sourceName, location: entry.pictureLocation ?? entry.location,
                                    field: entry.displayName,
                                    reason: "USAGE \(usage) needs a numeric PICTURE (9, S, V, P), not '\(picture.source)'")
            }
        case .national:
            guard picture.category == .national || picture.isNumeric else {
                throw .invalidEntry(source: sourceName, location: entry.pictureLocation ?? entry.location,
                                    field: entry.displayName, reason: "USAGE NATIONAL needs PIC N")
            }
        default:
            break
        }
        if let sign = entry.sign, sign.isSeparate, picture.category != .numeric {
            throw .invalidEntry(source: sourceName, location: entry.location, field: entry.displayName,
                                reason: "SIGN SEPARATE needs a numeric PICTURE")
        }
    }

    /// Bytes of one occurrence of an elementary item (IBM Enterprise COBOL storage rules).
    private func elementarySize(_ entry: DataEntry, usage: Usage, sign: SignClause?) throws(CopybookError) -> Int {
        let picture = entry.picture
        switch usage {
        case .singleFloat: return 4
        case .doubleFloat: return 8
        case .index, .pointer: return 4
        case .packedDecimal:
            return (picture?.digits ?? 0) / 2 + 1
        case .binary, .nativeBinary:
            let digits = picture?.digits ?? 0
            if let bytes = options.binarySizes.byteCount(digits: digits, signed: picture?.isSigned ?? false) {
                return bytes
            }
            // Beyond 18 digits (not IBM): the fewest bytes holding the value, as cobrix does (9 bytes for 20
            // digits, 16 for 37).
            var bits = 1.0
            var value = 1.0
            for _ in 0..<digits { value *= 10 }
            while pow2(bits) < value { bits += 1 }
            return (Int(bits) + 1 + 7) / 8
        case .national, .dbcs:
            return (picture?.displayLength ?? 0) * 2
        case .display:
            guard let picture else { return 0 }
            let separate = picture.category == .numeric && (sign?.isSeparate ?? false) ? 1 : 0
            return picture.displayLength + separate
        }
    }

    private func pow2(_ bits: Double) -> Double {
        var result = 1.0
        var n = Int(bits)
        while n > 0 { result *= 2; n -= 1 }
        return result
    }
}
