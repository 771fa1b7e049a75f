/// The human-readable layout table of a copybook, as printed by `ferry copybook layout` and kept as golden files.
///
/// One block per record. Columns: LEVEL and FIELD (indented by depth, COBOL name as written), START and END
/// (**1-based**, END inclusive, covering all occurrences), LENGTH (one occurrence, in bytes), OCCURS (`n` or
/// `m..n`), and TYPE (the PICTURE and USAGE, or `group`, plus REDEFINES, DEPENDING ON, SIGN, SYNC and slack).
/// A `*` after END marks an item whose actual position depends on an OCCURS DEPENDING ON count.
public enum LayoutTable {
    /// Renders every record of `copybook`. The text ends with a newline.
    public static func render(_ copybook: Copybook) -> String {
        var out = "# \(copybook.sourceName): format \(copybook.sourceFormat.rawValue), binary sizes "
            + "\(copybook.options.binarySizes.rawValue), sync \(copybook.options.synchronization.rawValue)\n"
        out += "# START and END are 1-based byte positions (END inclusive, all occurrences); LENGTH is one occurrence;\n"
        out += "# '*' after END: the position depends on an OCCURS DEPENDING ON count (shown at the maximum).\n"
        for record in copybook.records {
            out += "\n"
            out += render(record)
        }
        return out
    }

    /// Renders one record: a title line, a header line and one line per item, 66 RENAMES last.
    public static func render(_ record: RecordLayout) -> String {
        var rows: [[String]] = [["LEVEL", "FIELD", "START", "END", "LENGTH", "OCCURS", "TYPE"]]
        func depth(_ item: DataItem) -> Int {
            var d = 0
            var parent = item.parent
            while let p = parent { d += 1; parent = record.items[p].parent }
            return d
        }
        for item in record.items {
            let level = item.level < 10 ? "0\(item.level)" : "\(item.level)"
            let end = item.offset + item.totalSize
            var occurs = ""
            if let o = item.occurs { occurs = o.isVariable ? "\(o.minimum)..\(o.maximum)" : "\(o.maximum)" }
            rows.append([
                level, String(repeating: "  ", count: depth(item)) + item.name, "\(item.offset + 1)",
                "\(end)" + (item.isVariablyLocated ? "*" : ""), "\(item.storageSize)", occurs, describe(item),
            ])
            for condition in item.conditions {
                rows.append(["88", String(repeating: "  ", count: depth(item) + 1) + condition.name, "", "", "", "",
                             "condition (\(condition.values.count) value\(condition.values.count == 1 ? "" : "s"))"])
            }
        }
        for r in record.renames {
            rows.append(["66", "  " + r.name, "\(r.offset + 1)", "\(r.offset + r.size)", "\(r.size)", "",
                         "RENAMES \(r.from.name)" + (r.through.map { " THRU \($0.name)" } ?? "")])
        }
        var widths = Array(repeating: 0, count: 7)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = "RECORD \(record.name): \(record.size) bytes"
        if record.hasVariableSize { out += " (\(record.minimumSize) to \(record.size), OCCURS DEPENDING ON)" }
        if record.hasSynthesizedRoot { out += " (synthesized root: the copybook has no 01 level)" }
        if let r = record.redefinesRecord { out += " (REDEFINES \(r.name))" }
        out += "\n"
        for row in rows {
            var line = ""
            for (i, cell) in row.enumerated() {
                let rightAligned = (2...4).contains(i)
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                line += (i == 0 ? "" : "  ") + (rightAligned ? pad + cell : cell + (i == 6 ? "" : pad))
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    static func describe(_ item: DataItem) -> String {
        var parts: [String] = []
        if item.isGroup {
            parts.append("group")
        } else {
            if let picture = item.picture { parts.append(picture.source.uppercased()) }
            parts.append(usageName(item.usage))
            if let sign = item.sign, item.picture?.isSigned ?? false {
                parts.append("SIGN \(sign.position == .leading ? "LEADING" : "TRAILING")" + (sign.isSeparate ? " SEPARATE" : ""))
            }
            if item.isBlankWhenZero { parts.append("BLANK WHEN ZERO") }
            if item.isJustifiedRight { parts.append("JUSTIFIED") }
            if item.synchronization != nil {
                parts.append("SYNC" + (item.slackBytesBefore > 0 ? " (+\(item.slackBytesBefore) slack)" : ""))
            }
        }
        if let r = item.redefines { parts.append("REDEFINES \(r.name)") }
        if let d = item.occurs?.dependingOn { parts.append("DEPENDING ON \(d.name)") }
        return parts.joined(separator: " ")
    }

    static func usageName(_ usage: Usage) -> String {
        switch usage {
        case .display: return "DISPLAY"
        case .binary: return "COMP"
        case .nativeBinary: return "COMP-5"
        case .packedDecimal: return "COMP-3"
        case .singleFloat: return "COMP-1"
        case .doubleFloat: return "COMP-2"
        case .national: return "NATIONAL"
        case .dbcs: return "DISPLAY-1"
        case .index: return "INDEX"
        case .pointer: return "POINTER"
        }
    }
}
