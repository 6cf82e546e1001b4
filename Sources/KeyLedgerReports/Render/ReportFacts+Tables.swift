import KeyLedger

/// One cell of a report table: its plain text and what kind of value it is.
/// Each renderer escapes the text and presents the kind in its own format.
enum ReportCell {
    case text(String)
    /// An identifier or hash, which reads best in a monospace font.
    case code(String)
    /// Hashes one to a line, in a monospace font.
    case codeLines(String)
    /// A count or an entry's sequence number.
    case number(String)
    /// The result of a check, labelled `pass` when it passed and `fail` when
    /// it did not. Markdown, which has no colour, writes a failure in capitals.
    case result(passed: Bool, pass: String, fail: String)
    /// An exception's severity, which HTML shows as a coloured badge.
    case severity(Severity)

    static func number(_ value: some BinaryInteger) -> ReportCell {
        .number("\(value)")
    }
}

/// A table's column headers and rows, before a renderer formats them.
struct ReportTable {
    let headers: [String]
    let rows: [[ReportCell]]
}

/// The tables the HTML and Markdown renderers share, so both formats list
/// the same columns and values. Tables streamed from the ledger have a
/// header list and a row function instead.
extension ReportFacts {
    static func signers(_ signers: [VerificationResult.SignerPeriod]) -> ReportTable {
        ReportTable(headers: ["Key id", "Algorithm", "Introduced at entry", "Signed entries"], rows: signers.map { signer in
            [.code(signer.keyID), .text(signer.algorithm), .number(signer.introducedAt), .text(signerRange(signer))]
        })
    }

    static func handovers(_ handovers: [IntegrityAttestation.Handover]) -> ReportTable {
        ReportTable(headers: ["Entry", "Recorded at", "Previous key named", "Signed by", "Incoming key", "Consistent"],
                    rows: handovers.map { handover in
            [.number(handover.step.sequence), .text(handover.step.recordedAt.description),
             .code(handover.previousKeyID ?? none), .code(handover.signedBy), .code(handover.incomingKeyID ?? none),
             .result(passed: handover.isConsistent, pass: "yes", fail: "no")]
        })
    }

    static func populationCounts(_ population: Population) -> ReportTable {
        ReportTable(headers: ["Population", "Count"], rows: [
            [.text("Entries recorded in the period"), .number(population.entriesInPeriod)],
            [.text("Changes in scope"), .number(population.changeCount)],
            [.text("Changes with entries in the period"), .number(population.changesWithActivity)],
            [.text("Keys in scope"), .number(population.keyCount)],
            [.text("Keys with entries in the period"), .number(population.keysWithActivity)],
        ])
    }

    static func entriesByKind(_ population: Population) -> ReportTable {
        ReportTable(headers: ["Kind", "Entries"], rows: population.entriesByKind.map { [.text($0.kind), .number($0.count)] })
    }

    /// Counts by state, under the headers "State" and `itemsHeader`.
    static func stateCounts(_ counts: [Population.StateCount], itemsHeader: String) -> ReportTable {
        ReportTable(headers: ["State", itemsHeader], rows: counts.map { [.text($0.state), .number($0.count)] })
    }

    static func changesInScope(_ changes: [ChangeControl]) -> ReportTable {
        ReportTable(headers: ["Change", "Summary", "At start", "At end", "Entries"], rows: changes.map { change in
            [.code(change.id), .text(change.summary), .text(change.stateAtStart ?? "not yet opened"),
             .text(change.outcome), .number(change.entriesInPeriod)]
        })
    }

    static func keysInScope(_ keys: [KeyCustody]) -> ReportTable {
        ReportTable(headers: ["Key id", "Environment", "Name", "At start", "At end", "Entries"], rows: keys.map { key in
            [.code(key.keyID), .text(key.environment), .text(key.name), .text(keyState(key.stateAtStart)),
             .text(key.stateAtEnd.rawValue), .number(key.entriesInPeriod)]
        })
    }

    static let verificationRunHeaders = ["From", "To", "Checks", "Served by", "JWKS SHA-256", "Entries"]

    static func verificationRunRow(_ run: VerificationRun) -> [ReportCell] {
        [
            .text(run.first.time.description), .text(run.last.time.description), .number(run.count),
            .text(run.source ?? none), .code(run.jwksSHA256 ?? none),
            .text(run.count == 1 ? "\(run.first.sequence)" : "\(run.first.sequence) to \(run.last.sequence)"),
        ]
    }

    static func attestations(_ change: ChangeControl) -> ReportTable {
        ReportTable(headers: ["Item", "Result", "Evidence", "By", "Time", "Entry"], rows: change.attestations.map { attestation in
            [.text(attestation.item), .result(passed: attestation.passed, pass: "pass", fail: "fail"),
             .text(attestation.evidence ?? none), .text(attestation.step.actor),
             .text(attestation.step.time.description), .number(attestation.step.sequence)]
        })
    }

    static func rolledBackKeys(_ change: ChangeControl) -> ReportTable {
        ReportTable(headers: ["Key id", "Environment", "Shown absent"], rows: change.rolledBackKeys.map { key in
            [.code(key.keyID), .text(key.environment), .text(absence(key))]
        })
    }

    static func restoredKeys(_ change: ChangeControl) -> ReportTable {
        ReportTable(headers: ["Key id", "Environment", "Restored to", "Shown served"], rows: change.restoredKeys.map { key in
            [.code(key.keyID), .text(key.environment), .text(key.state), .text(servedAgain(key))]
        })
    }

    static func findings(_ findings: [Finding]) -> ReportTable {
        ReportTable(headers: ["Severity", "Rule", "Entry", "Entry hash", "Explanation"], rows: findings.map { finding in
            [.severity(finding.rule.severity), .code(finding.rule.id), .number(finding.entry.sequence),
             .code(finding.entry.hashHex), .text(finding.explanation)]
        })
    }

    static func rules() -> ReportTable {
        ReportTable(headers: ["Rule", "Severity", "Finds"], rows: ExceptionRule.all.map { rule in
            [.code(rule.id), .text(rule.severity.rawValue), .text(rule.title)]
        })
    }

    static func sample(_ sample: SampleResult) -> [Fact] {
        [
            Fact(label: "Seed", value: sample.request.seed, isCode: true),
            Fact(label: "Anchor", value: entry(sample.anchor), isCode: true),
            Fact(label: "Changes in scope", value: "\(sample.populationSize)"),
            Fact(label: "Requested", value: "\(sample.request.size)"),
            Fact(label: "Selected", value: "\(sample.selected.count)"),
        ]
    }

    static func sampleSelections(_ sample: SampleResult) -> ReportTable {
        ReportTable(headers: ["Rank", "Change", "SHA-256"], rows: sample.selected.map { selection in
            [.number(selection.rank), .code(selection.change), .code(selection.digestHex)]
        })
    }

    static func inclusionProofs(_ selection: SampleResult.Selection) -> ReportTable {
        ReportTable(headers: ["Seq", "Kind", "Leaf index", "Leaf hash (base64)", "Proof (base64, leaf to root)", "Verified"],
                    rows: selection.inclusionProofs.map { proof in
            [.number(proof.entry.sequence), .text(proof.kind), .number(proof.leafIndex), .code(base64(proof.leafHash)),
             .codeLines(hashLines(proof.proof)), .result(passed: proof.verified, pass: "yes", fail: "no")]
        })
    }

    static let appendixHeaders = ["Seq", "Recorded at", "Claimed time", "Kind", "Actor", "Key (environment)", "Change", "Hash"]

    static func appendixRow(_ row: AppendixRow) -> [ReportCell] {
        var kind = row.kind
        if row.emergency != nil { kind += " (emergency)" }
        return [
            .number(row.entry.sequence), .text(row.recordedAt.description), .text(row.occurredAt ?? ""), .text(kind),
            .text(row.actor), .code(appendixKey(row)), .code(row.change ?? ""), .code(row.entry.hashHex),
        ]
    }
}
