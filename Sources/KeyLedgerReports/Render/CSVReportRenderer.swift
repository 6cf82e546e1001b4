import KeyLedger

/// Writes a report as RFC 4180 CSV files, one per table: cover, population,
/// keys, changes, exceptions, the sampled changes' inclusion proofs and appendix.
///
/// Each file starts with a header record, every field is quoted, records end
/// with CRLF, and `CSVText.field` neutralizes text a spreadsheet would run as
/// a formula. Times are RFC 3339 UTC; an empty field means the value is absent.
struct CSVReportRenderer {
    /// The tables, in the order their files are written.
    static let tables = ["cover", "population", "keys", "changes", "exceptions", "proofs", "appendix"]

    let report: Report
    let stream: ReportStream

    /// Writes the table `table` to `writer`.
    func render(_ table: String, to writer: ReportFileWriter) throws {
        switch table {
        case "cover": cover(writer)
        case "population": population(writer)
        case "keys": keys(writer)
        case "changes": changes(writer)
        case "exceptions": exceptions(writer)
        case "proofs": proofs(writer)
        case "appendix": try appendix(writer)
        default: throw ReportError(.output, "there is no CSV table named \(table)")
        }
    }

    private func text(_ value: String?) -> String { value ?? "" }
    private func time(_ value: Timestamp?) -> String { value?.description ?? "" }
    private func sequence(_ step: StepReference?) -> String { step.map { "\($0.sequence)" } ?? "" }

    /// Writes the cover and the integrity attestation as (section, field, value) records.
    private func cover(_ writer: ReportFileWriter) {
        let cover = report.cover
        let integrity = report.integrity
        var records: [[String]] = [
            ["cover", "title", ReportFacts.title(cover)],
            ["cover", "generator", cover.generator],
            ["cover", "ledger_id", cover.ledgerID],
            ["cover", "trust_anchor", text(cover.options.trustAnchor)],
            ["cover", "genesis_kid", text(cover.genesisKeyID)],
            ["cover", "period", cover.period.label],
            ["cover", "period_start", cover.period.start.description],
            ["cover", "period_end_exclusive", cover.period.end.description],
            ["cover", "first_entry_seq", cover.firstEntry.map { "\($0.sequence)" } ?? ""],
            ["cover", "first_entry_hash", cover.firstEntry?.hashHex ?? ""],
            ["cover", "last_entry_seq", cover.lastEntry.map { "\($0.sequence)" } ?? ""],
            ["cover", "last_entry_hash", cover.lastEntry?.hashHex ?? ""],
            ["cover", "previous_entry_seq", "\(cover.previousEntry.sequence)"],
            ["cover", "previous_entry_hash", cover.previousEntry.hashHex],
            ["cover", "head_seq", cover.head.map { "\($0.sequence)" } ?? ""],
            ["cover", "head_hash", cover.head?.hashHex ?? ""],
            ["cover", "analysed_through", "\(cover.analysedThrough)"],
            ["options", "environment", text(cover.options.environment)],
            ["options", "max_key_age_days", "\(cover.options.maximumKeyAgeDays)"],
            ["options", "verify_within_hours", "\(cover.options.verifyWithinHours)"],
            ["options", "sample_size", cover.options.sample.map { "\($0.size)" } ?? ""],
            ["options", "sample_seed", text(cover.options.sample?.seed)],
            ["integrity", "valid", integrity.isValid ? "true" : "false"],
            ["integrity", "entries_checked", "\(integrity.entriesChecked)"],
            ["integrity", "signatures_verified", "\(integrity.signaturesVerified)"],
            ["integrity", "trust_anchor_checked", integrity.trustAnchorChecked ? "true" : "false"],
        ]
        if let failure = integrity.failure {
            records += [
                ["integrity", "failure_seq", "\(failure.sequence)"],
                ["integrity", "failure_reason", failure.reason],
                ["integrity", "failure_detail", failure.detail],
                ["integrity", "failure_stored_hash", text(failure.storedHashHex)],
            ]
        }
        for signer in integrity.signers {
            records.append(["signer", signer.keyID, "\(signer.algorithm), introduced at entry \(signer.introducedAt), signed entries \(ReportFacts.signerRange(signer))"])
        }
        for handover in integrity.handovers {
            records.append(["handover", "\(handover.step.sequence)",
                            "previous \(handover.previousKeyID ?? "none"), signed by \(handover.signedBy), incoming \(handover.incomingKeyID ?? "none"), \(handover.isConsistent ? "consistent" : "INCONSISTENT")"])
        }
        records += checkpointRecords()
        for warning in integrity.warnings { records.append(["warning", "", warning]) }
        if let sample = report.sample {
            records += [
                ["sample", "method", SampleResult.method],
                ["sample", "anchor_seq", "\(sample.anchor.sequence)"],
                ["sample", "anchor_hash", sample.anchor.hashHex],
                ["sample", "population", "\(sample.populationSize)"],
            ]
        }
        writer.write(CSVText.record(["section", "field", "value"]))
        for record in records { writer.write(CSVText.record(record)) }
    }

    private func population(_ writer: ReportFileWriter) {
        writer.write(CSVText.record(["type", "id", "environment", "label", "state_at_start", "state_at_end", "entries_in_period", "sample_rank"]))
        for change in report.changes {
            writer.write(CSVText.record([
                "change", change.id, "", change.summary, text(change.stateAtStart), change.outcome,
                "\(change.entriesInPeriod)", change.sampleRank.map { "\($0)" } ?? "",
            ]))
        }
        for key in report.keys {
            writer.write(CSVText.record([
                "key", key.keyID, key.environment, key.name, text(key.stateAtStart?.rawValue), key.stateAtEnd.rawValue,
                "\(key.entriesInPeriod)", "",
            ]))
        }
    }

    private func keys(_ writer: ReportFileWriter) {
        writer.write(CSVText.record([
            "kid", "env", "name", "alg", "custody", "provider_kid",
            "origin_kind", "origin_time", "origin_actor", "origin_change", "origin_seq",
            "published_time", "published_actor", "published_change", "published_seq",
            "first_verified_time", "first_verified_seq", "first_verified_source", "first_verified_jwks_sha256",
            "verifications_in_period", "last_verified_time", "last_verified_seq",
            "ended_kind", "ended_time", "ended_actor", "ended_change", "ended_seq",
            "absence_confirmed_time", "absence_confirmed_seq", "age_days", "state_at_start", "state_at_end", "entries_in_period",
        ]))
        for key in report.keys {
            writer.write(CSVText.record([
                key.keyID, key.environment, key.name, text(key.algorithm), text(key.custody), text(key.providerKeyID),
                text(key.origin?.kind), time(key.origin?.time), text(key.origin?.actor), text(key.originChange), sequence(key.origin),
                time(key.published?.time), text(key.published?.actor), text(key.publishedChange), sequence(key.published),
                time(key.firstVerification?.step.time), sequence(key.firstVerification?.step),
                text(key.firstVerification?.source), text(key.firstVerification?.jwksSHA256),
                "\(key.verificationsInPeriod)", time(key.lastVerification?.step.time), sequence(key.lastVerification?.step),
                text(key.ended?.kind), time(key.ended?.time), text(key.ended?.actor), text(key.endedChange), sequence(key.ended),
                time(key.absenceConfirmed?.time), sequence(key.absenceConfirmed), key.ageDays.map { "\($0)" } ?? "",
                text(key.stateAtStart?.rawValue), key.stateAtEnd.rawValue, "\(key.entriesInPeriod)",
            ]))
        }
    }

    private func changes(_ writer: ReportFileWriter) {
        writer.write(CSVText.record([
            "id", "summary", "technician", "reviewer", "criticality", "window_start", "window_end", "rollback_plan",
            "opened_time", "opened_actor", "opened_seq", "approved_time", "approved_by", "approval_seq", "manager_approval",
            "started_time", "started_seq", "finished_kind", "finished_time", "finished_seq", "outcome", "reason",
            "attestations", "rolled_back_keys", "restored_keys", "keys", "state_at_start", "entries_in_period", "sample_rank",
        ]))
        for change in report.changes {
            let attestations = change.attestations.map { attestation in
                "\(attestation.item)=\(attestation.passed ? "pass" : "fail")@\(attestation.step.sequence)"
                    + (attestation.evidence.map { " (\($0))" } ?? "")
            }
            let rolledBack = change.rolledBackKeys.map { key in
                "\(key.keyID) (\(key.environment)) absent " + (key.absenceConfirmed.map { "@\($0.sequence)" } ?? "unconfirmed")
            }
            let restored = change.restoredKeys.map { key in
                "\(key.keyID) (\(key.environment)) \(key.state) served " + (key.servedAgain.map { "@\($0.sequence)" } ?? "unconfirmed")
            }
            writer.write(CSVText.record([
                change.id, change.summary, change.technician, change.reviewer, text(change.criticality),
                time(change.windowStart), time(change.windowEnd), text(change.rollbackPlan),
                time(change.opened?.time), text(change.opened?.actor), sequence(change.opened),
                time(change.approval?.time), text(change.approval?.actor), sequence(change.approval), text(change.managerApproval),
                time(change.started?.time), sequence(change.started),
                text(change.finished?.kind), time(change.finished?.time), sequence(change.finished), change.outcome, text(change.reason),
                attestations.joined(separator: "; "), rolledBack.joined(separator: "; "), restored.joined(separator: "; "),
                change.keys.joined(separator: "; "),
                text(change.stateAtStart), "\(change.entriesInPeriod)", change.sampleRank.map { "\($0)" } ?? "",
            ]))
        }
    }

    private func exceptions(_ writer: ReportFileWriter) {
        writer.write(CSVText.record(["rule", "severity", "seq", "hash", "change", "kid", "env", "explanation"]))
        for finding in report.findings {
            writer.write(CSVText.record([
                finding.rule.id, finding.rule.severity.rawValue, "\(finding.entry.sequence)", finding.entry.hashHex,
                text(finding.change), text(finding.keyID), text(finding.environment), finding.explanation,
            ]))
        }
    }

    /// The cover records of the period's checkpoint and the previous quarter's; hashes in standard base64.
    private func checkpointRecords() -> [[String]] {
        let cover = report.cover
        var records: [[String]] = []
        if let period = cover.checkpoint {
            records += [
                ["checkpoint", "origin", period.checkpoint.origin],
                ["checkpoint", "tree_size", "\(period.checkpoint.treeSize)"],
                ["checkpoint", "root_hash", period.rootHashBase64],
                ["checkpoint", "signing", period.signing.rawValue],
                ["checkpoint", "signing_detail", period.signingDetail],
                ["checkpoint", "checkpoint_kid", text(period.currentKeyID)],
                ["checkpoint", "text", period.text],
            ]
        } else {
            records.append(["checkpoint", "unavailable", text(cover.checkpointUnavailable)])
        }
        if let previous = cover.previousCheckpoint {
            records += [
                ["previous_checkpoint", "origin", previous.checkpoint.origin],
                ["previous_checkpoint", "tree_size", "\(previous.checkpoint.treeSize)"],
                ["previous_checkpoint", "root_hash", ReportFacts.base64(previous.checkpoint.rootHash)],
                ["previous_checkpoint", "ledger_root_hash", previous.ledgerRootHash.map(ReportFacts.base64) ?? ""],
                ["previous_checkpoint", "root_matches", previous.rootMatches ? "true" : "false"],
                ["previous_checkpoint", "signature", previous.signature.rawValue],
                ["previous_checkpoint", "signature_detail", previous.signatureDetail],
                ["previous_checkpoint", "consistency_proof", previous.consistencyProof.map(ReportFacts.base64).joined(separator: " ")],
                ["previous_checkpoint", "proof_verified", previous.proofVerified ? "true" : "false"],
            ]
        }
        return records
    }

    /// Writes one record per inclusion proof of a sampled change's entry; proof hashes are base64, separated by spaces.
    private func proofs(_ writer: ReportFileWriter) {
        writer.write(CSVText.record(["rank", "change", "seq", "hash", "kind", "leaf_index", "leaf_hash", "tree_size", "proof", "verified"]))
        let treeSize = report.cover.checkpoint.map { "\($0.checkpoint.treeSize)" } ?? ""
        for selection in report.sample?.selected ?? [] {
            for proof in selection.inclusionProofs {
                writer.write(CSVText.record([
                    "\(selection.rank)", selection.change, "\(proof.entry.sequence)", proof.entry.hashHex, proof.kind,
                    "\(proof.leafIndex)", ReportFacts.base64(proof.leafHash), treeSize,
                    proof.proof.map(ReportFacts.base64).joined(separator: " "), proof.verified ? "true" : "false",
                ]))
            }
        }
    }

    private func appendix(_ writer: ReportFileWriter) throws {
        writer.write(CSVText.record(["seq", "recorded_at", "occurred_at", "kind", "actor", "kid", "env", "change", "emergency", "hash"]))
        try stream.forEachAppendixRow { row in
            writer.write(CSVText.record([
                "\(row.entry.sequence)", row.recordedAt.description, text(row.occurredAt), row.kind, row.actor,
                text(row.keyID), text(row.environment), text(row.change), text(row.emergency), row.entry.hashHex,
            ]))
        }
    }
}
