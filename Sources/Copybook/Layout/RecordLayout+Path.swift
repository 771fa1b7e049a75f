extension RecordLayout {
    /// The item's path for messages: names from the root down, joined by `.`, each table followed by its current
    /// occurrence index (0-based, as in the JSON arrays): `CLAIM.LINES[2].AMOUNT`.
    ///
    /// - Parameters:
    ///   - occurrences: the current occurrence index of each item by id, negative when not inside that table.
    ///   - collapseRoot: leave out the root's name (when the output collapses a single 01 level).
    public func path(of id: DataItem.ID, occurrences: [Int], collapseRoot: Bool) -> String {
        var parts: [String] = []
        var current: DataItem.ID? = id
        while let itemID = current {
            if itemID == 0 && collapseRoot && !parts.isEmpty { break }
            let index = itemID < occurrences.count ? occurrences[itemID] : -1
            parts.append(index >= 0 ? "\(items[itemID].name)[\(index)]" : items[itemID].name)
            current = items[itemID].parent
        }
        return parts.reversed().joined(separator: ".")
    }
}
