import KeyLedger

/// The parts of a report read from the ledger while rendering, one entry at a
/// time, so that their size never has to fit in memory: the appendix and each
/// key's verifications.
///
/// Renderers call it inside the read transaction that produced the `Report`,
/// so both see the same entries.
struct ReportStream {
    let ledger: Ledger
    let period: ReportPeriod
    /// The last sequence number the report covers.
    let analysedThrough: Int64
    /// Called with the number of appendix rows written so far.
    var appendixProgress: ((Int64) -> Void)?

    /// Calls `body` with each entry recorded in the period, in sequence order.
    func forEachAppendixRow(_ body: (AppendixRow) throws -> Void) throws {
        guard analysedThrough >= 1 else { return }
        var written: Int64 = 0
        try ledger.entries(EntryFilter(since: period.start, until: period.end, sequences: 1...analysedThrough)) { entry in
            try body(AppendixRow(entry))
            written += 1
            if written % 1024 == 0 { appendixProgress?(written) }
        }
        appendixProgress?(written)
    }

    /// Calls `body` with each run of the key's `verified` entries in the period that share a source and a JWKS digest.
    func forEachVerificationRun(of key: KeyCustody, _ body: (VerificationRun) throws -> Void) throws {
        guard analysedThrough >= 1 else { return }
        var current: (first: VerificationStep, last: VerificationStep, count: Int64)?
        let filter = EntryFilter(kinds: [.verified], since: period.start, until: period.end, keyID: key.keyID,
                                 sequences: 1...analysedThrough)
        try ledger.entries(filter) { entry in
            guard entry.body["env"]?.stringValue == key.environment else { return }
            let verification = VerificationStep(entry)
            if let run = current, run.first.source == verification.source, run.first.jwksSHA256 == verification.jwksSHA256 {
                current = (run.first, verification, run.count + 1)
                return
            }
            if let run = current {
                try body(VerificationRun(source: run.first.source, jwksSHA256: run.first.jwksSHA256, count: run.count,
                                         first: run.first.step, last: run.last.step))
            }
            current = (verification, verification, 1)
        }
        if let run = current {
            try body(VerificationRun(source: run.first.source, jwksSHA256: run.first.jwksSHA256, count: run.count,
                                     first: run.first.step, last: run.last.step))
        }
    }
}
