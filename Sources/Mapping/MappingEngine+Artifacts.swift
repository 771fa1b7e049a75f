import Copybook
import Synchronization

/// What an engine builds once for its mapping and keeps for every input it maps: the compiled plan and the copybook
/// decoder. Building them costs tens of microseconds (the decoder's program, the plan's tables), which a caller
/// mapping one queue message at a time would otherwise pay per message. Shared by copies of the engine; built on
/// first use, under a lock.
final class MappingEngineArtifacts: Sendable {
    private struct State {
        var planBuilt = false
        var plan: CompiledMapping?
        var decoders: [String: RecordDecoder] = [:]
    }

    private let state = Mutex(State())

    /// The mapping's compiled plan (nil when it does not compile), built by `build` on the first call.
    func plan(_ build: () -> CompiledMapping?) -> CompiledMapping? {
        state.withLock { state in
            if !state.planBuilt {
                state.plan = build()
                state.planBuilt = true
            }
            return state.plan
        }
    }

    /// The decoder for a copybook source (by its key: the mapping has one copybook source, an MQ mapping's payload
    /// is one too), built by `build` on the first call; a copy, for the caller to use on its own.
    func decoder(_ key: String, _ build: () throws -> RecordDecoder) rethrows -> RecordDecoder {
        try state.withLock { state in
            if let decoder = state.decoders[key] { return decoder }
            let decoder = try build()
            state.decoders[key] = decoder
            return decoder
        }
    }
}

extension MappingEngine {
    /// Whether ``writeEventLines(from:inputName:metadata:_:)`` maps through a compiled plan (copybook and MQ-copybook
    /// mappings that compile, with ``usesCompiledPlan`` on); otherwise it runs the interpreter record by record and
    /// its callers may as well call ``events(from:inputName:metadata:)``.
    public var hasCompiledPlan: Bool { usesCompiledPlan && compiledPlan != nil }

    /// The mapping's compiled plan, built once per engine (copies share it); nil when the mapping does not compile.
    var compiledPlan: CompiledMapping? {
        // The plan keeps an engine of its own (for the conversions it leaves to the engine), without these
        // artifacts: no reference cycle.
        artifacts.plan { CompiledMapping(engine: MappingEngine(mapping: mapping)) }
    }

    /// The decoder of the mapping's copybook source or MQ copybook payload, built once per engine; nil for other
    /// sources (or when it cannot be built: the caller then builds one and reports the error).
    var cachedDecoder: RecordDecoder? {
        switch mapping.source.adapter {
        case let .copybook(source), let .mq(_, .copybook(source)): try? decoder(for: source)
        default: nil
        }
    }

    /// A decoder for `source`, built once per engine.
    func decoder(for source: CopybookSource) throws -> RecordDecoder {
        try artifacts.decoder("copybook") { try RecordDecoder(layout: source.layout, options: source.options) }
    }
}
