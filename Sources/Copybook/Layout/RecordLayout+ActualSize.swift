extension RecordLayout {
    /// The actual length in bytes of one record whose OCCURS DEPENDING ON tables hold only their live elements
    /// (true shifting ODO, hard case H12), following the walk described on ``RecordLayout``.
    ///
    /// `countOf` is called once per ODO table occurrence reached, in record order, with the DEPENDING ON object
    /// and that object's actual byte offset in the record; it returns the object's value (the caller decodes
    /// it from the record bytes, or throws when they are invalid or too short). Counts are clamped to
    /// `0…maximum` here: check them against ``Occurs/minimum`` and ``Occurs/maximum`` in `countOf` to flag
    /// or reject them. SYNC padding between occurrences is not recomputed for shifted tables.
    ///
    /// Without ODO the result is ``size`` and `countOf` is never called.
    public func actualSize<E: Error>(
        countOf: (_ object: DataItem, _ actualOffset: Int) throws(E) -> Int
    ) throws(E) -> Int {
        guard hasVariableSize else { return size }
        var visited: [DataItem.ID: Int] = [:]
        return try actualTotalSize(of: 0, at: 0, visited: &visited, countOf: countOf)
    }

    private func actualTotalSize<E: Error>(
        of id: DataItem.ID, at start: Int, visited: inout [DataItem.ID: Int],
        countOf: (DataItem, Int) throws(E) -> Int
    ) throws(E) -> Int {
        let item = items[id]
        visited[id] = start
        guard item.hasVariableSize else { return item.totalSize }
        var occurrences = item.occurs?.maximum ?? 1
        if let occurs = item.occurs, let object = occurs.dependingOn {
            let objectOffset = visited[object.target] ?? staticallyPlacedOffset(of: object.target, visited: visited)
            let count = try countOf(items[object.target], objectOffset)
            occurrences = min(max(count, 0), occurs.maximum)
        }
        if item.isElementary { return item.storageSize * occurrences }
        var total = 0
        for _ in 0..<occurrences {
            total += try actualElementSize(of: item, at: start + total, visited: &visited, countOf: countOf)
        }
        return total
    }

    private func actualElementSize<E: Error>(
        of group: DataItem, at start: Int, visited: inout [DataItem.ID: Int],
        countOf: (DataItem, Int) throws(E) -> Int
    ) throws(E) -> Int {
        var cursor = start
        var end = start
        for childID in group.children {
            let child = items[childID]
            var childStart = cursor
            if let target = child.redefines?.target, let targetStart = visited[target] {
                childStart = targetStart - items[target].slackBytesBefore
            }
            childStart += child.slackBytesBefore
            let size = try actualTotalSize(of: childID, at: childStart, visited: &visited, countOf: countOf)
            cursor = max(cursor, childStart + size)
            end = max(end, childStart + size)
        }
        return end - start
    }

    /// The actual offset of an item not visited by the walk (it lies in a fixed-size group): its nearest visited
    /// ancestor's actual offset plus its static distance from it.
    private func staticallyPlacedOffset(of id: DataItem.ID, visited: [DataItem.ID: Int]) -> Int {
        var ancestor = items[id].parent
        while let a = ancestor {
            if let start = visited[a] { return start + items[id].offset - items[a].offset }
            ancestor = items[a].parent
        }
        return items[id].offset
    }
}
