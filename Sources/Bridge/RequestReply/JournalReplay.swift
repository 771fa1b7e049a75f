import Foundation
import StreamLog

/// The replay rule both request-reply journals share: a journal topic holds JSON "open" records keyed by an id and
/// tombstones (no value) that close an id. Reading it from the start gives the ids opened and never closed, in the
/// order they were opened; a close wins wherever it stands, since each id is opened once.
enum JournalReplay {
    /// Reads partition 0 of `topic` in `log` from offset 0.
    /// - Parameters:
    ///   - entryName: what an open record is, for the error naming an unreadable one ("journaled correlation").
    ///   - id: the id an open entry is closed by.
    ///   - control: offered every record first (key, value); returns true when it consumed the record itself
    ///     (e.g. a position marker), so it is neither an entry nor a close.
    static func openEntries<Entry: Decodable>(
        _ entryType: Entry.Type, in log: LocalLog, topic: String, entryName: String, id: (Entry) -> String,
        control: (String, [UInt8]?) -> Bool = { _, _ in false }
    ) throws(CorrelationJournalError) -> [Entry] {
        var open: [String: (order: Int, entry: Entry)] = [:]
        var closed: Set<String> = []
        var order = 0
        var failure: CorrelationJournalError?
        do {
            try log.scan(topic: topic, partition: 0, from: 0) { view in
                let record = view.materialize()
                let key = String(decoding: record.key ?? [], as: UTF8.self)
                if control(key, record.value) { return true }
                if let value = record.value {
                    guard let entry = try? JSONDecoder().decode(Entry.self, from: Data(value)) else {
                        failure = .unreadableRecord(topic: topic, offset: view.offset, reason: "not a \(entryName)")
                        return false
                    }
                    let entryID = id(entry)
                    if !closed.contains(entryID) { open[entryID] = (order, entry) }
                    order += 1
                } else {
                    open[key] = nil
                    closed.insert(key)
                }
                return true
            }
        } catch let error as StreamLogError {
            throw .log(error)
        } catch {
            throw .unreadableRecord(topic: topic, offset: -1, reason: "\(error)")
        }
        if let failure { throw failure }
        return open.values.sorted { $0.order < $1.order }.map(\.entry)
    }
}
