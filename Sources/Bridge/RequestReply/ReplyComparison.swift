public import Events

/// Field-by-field comparison of a legacy and a modern reply (shadow routing): JSON trees compared member by
/// member, array element by element, numbers by value; members named in the ignore list (by name anywhere, or by
/// JSON path such as `$.data.time`) are skipped.
///
/// The result lists *paths* only, never values: replies carry PHI.
public struct ReplyComparison: Sendable, Hashable {
    /// Member names or JSON paths that are not compared.
    public var ignoredFields: Set<String>

    /// A comparison skipping `ignoredFields`.
    public init(ignoredFields: Set<String> = []) { self.ignoredFields = ignoredFields }

    /// The JSON paths where `legacy` and `modern` differ (a member only one side has counts as a difference),
    /// sorted; empty when they are equal.
    public func differences(legacy: JSONValue, modern: JSONValue) -> [String] {
        var paths: [String] = []
        compare(legacy, modern, at: "$", into: &paths)
        return paths.sorted()
    }

    private func compare(_ left: JSONValue, _ right: JSONValue, at path: String, into paths: inout [String]) {
        switch (left, right) {
        case let (.object(leftMembers), .object(rightMembers)):
            let leftByName = Dictionary(leftMembers.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            let rightByName = Dictionary(rightMembers.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            for name in Set(leftByName.keys).union(rightByName.keys) {
                let memberPath = "\(path).\(name)"
                if ignoredFields.contains(name) || ignoredFields.contains(memberPath) { continue }
                guard let leftValue = leftByName[name], let rightValue = rightByName[name] else {
                    paths.append(memberPath)
                    continue
                }
                compare(leftValue, rightValue, at: memberPath, into: &paths)
            }
        case let (.array(leftItems), .array(rightItems)):
            for index in 0..<max(leftItems.count, rightItems.count) {
                let itemPath = "\(path)[\(index)]"
                guard index < leftItems.count, index < rightItems.count else {
                    paths.append(itemPath)
                    continue
                }
                compare(leftItems[index], rightItems[index], at: itemPath, into: &paths)
            }
        case let (.number(leftText), .number(rightText)):
            if leftText != rightText && Double(leftText) != Double(rightText) { paths.append(path) }
        default:
            if left != right { paths.append(path) }
        }
    }
}
