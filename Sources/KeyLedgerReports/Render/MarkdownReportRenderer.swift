import KeyLedger

/// Writes a report as one Markdown file (CommonMark with GitHub's tables) from the layout `report.md`.
///
/// Every value from the ledger passes through `MarkdownText.escape` with the
/// context it is placed in, so no content can add a table cell, a block, a
/// link, emphasis or raw HTML.
struct MarkdownReportRenderer {
    static let slots: Set<String> = [
        "title", "subtitle", "status", "cover", "integrity", "population", "keys", "changes", "exceptions", "sample", "appendix",
    ]
    static let singleSlots: Set<String> = ["keys", "appendix"]

    let report: Report
    let stream: ReportStream

    func render(to writer: ReportFileWriter) throws {
        let layout = try Layout.embedded("report.md")
        try layout.check(slots: Self.slots, single: Self.singleSlots)
        try layout.render(into: writer) { slot in
            switch slot {
            case "title": writer.write(md(ReportFacts.title(report.cover), .heading))
            case "subtitle": writer.write(md(ReportFacts.subtitle(report.cover), .lineStart))
            case "status": writer.write(status())
            case "cover": writer.write(factsTable(ReportFacts.cover(report.cover)))
            case "integrity": writer.write(integrity())
            case "population": writer.write(population())
            case "keys": try keys(writer)
            case "changes": writer.write(changes())
            case "exceptions": writer.write(exceptions())
            case "sample": writer.write(sample())
            case "appendix": try appendix(writer)
            default: throw ReportError(.layout, "report.md has an unknown slot {{\(slot)}}")
            }
        }
    }

    private func md(_ text: String, _ context: MarkdownText.Context) -> String { MarkdownText.escape(text, in: context) }

    private func cell(_ text: String) -> String { md(text, .tableCell) }

    private func tableHeader(_ headers: [String]) -> String {
        "| " + headers.map(cell).joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: headers.count) + "\n"
    }

    private func row(_ cells: [String]) -> String {
        "| " + cells.map { $0.isEmpty ? " " : cell($0) }.joined(separator: " | ") + " |\n"
    }

    private func table(_ headers: [String], _ rows: [[String]]) -> String {
        tableHeader(headers) + rows.map(row).joined() + "\n"
    }

    private func factsTable(_ facts: [Fact]) -> String {
        table(["Field", "Value"], facts.map { [$0.label, $0.value] })
    }

    private func paragraph(_ text: String) -> String { md(text, .lineStart) + "\n\n" }

    private func status() -> String {
        let (_, lines) = ReportFacts.status(report)
        var text = ""
        for (index, line) in lines.enumerated() {
            text += index == 0 ? "> **\(md(line, .inline))**\n" : ">\n> \(md(line, .lineStart))\n"
        }
        return text
    }

    private func integrity() -> String {
        let integrity = report.integrity
        var text = factsTable(ReportFacts.integrity(integrity, cover: report.cover))
        text += "### Ledger signing keys\n\n"
        text += table(["Key id", "Algorithm", "Introduced at entry", "Signed entries"], integrity.signers.map { signer in
            [signer.keyID, signer.algorithm, "\(signer.introducedAt)", ReportFacts.signerRange(signer)]
        })
        text += "### Signing-key handovers\n\n"
        if integrity.handovers.isEmpty {
            text += paragraph("No handovers: the genesis key signed every entry checked.")
        } else {
            text += table(["Entry", "Recorded at", "Previous key named", "Signed by", "Incoming key", "Consistent"],
                          integrity.handovers.map { handover in
                ["\(handover.step.sequence)", handover.step.recordedAt.description, handover.previousKeyID ?? ReportFacts.none,
                 handover.signedBy, handover.incomingKeyID ?? ReportFacts.none, handover.isConsistent ? "yes" : "NO"]
            })
        }
        if !integrity.warnings.isEmpty {
            text += "### Warnings\n\n" + integrity.warnings.map { "- \(md($0, .lineStart))\n" }.joined() + "\n"
        }
        return text
    }

    private func population() -> String {
        let population = report.population
        var text = table(["Population", "Count"], [
            ["Entries recorded in the period", "\(population.entriesInPeriod)"],
            ["Changes in scope", "\(population.changeCount)"],
            ["Changes with entries in the period", "\(population.changesWithActivity)"],
            ["Keys in scope", "\(population.keyCount)"],
            ["Keys with entries in the period", "\(population.keysWithActivity)"],
        ])
        text += "### Entries by kind\n\n"
        text += population.entriesByKind.isEmpty ? paragraph("No entries were recorded in the period.")
            : table(["Kind", "Entries"], population.entriesByKind.map { [$0.kind, "\($0.count)"] })
        text += "### Changes by state at the end of the period\n\n"
        text += table(["State", "Changes"], population.changesByState.map { [$0.state, "\($0.count)"] })
        text += "### Keys by state at the end of the period\n\n"
        text += table(["State", "Keys"], population.keysByState.map { [$0.state, "\($0.count)"] })
        text += "### Changes in scope\n\n"
        text += report.changes.isEmpty ? paragraph("No changes.")
            : table(["Change", "Summary", "At start", "At end", "Entries"], report.changes.map { change in
                [change.id, change.summary, change.stateAtStart ?? "not yet opened", change.outcome, "\(change.entriesInPeriod)"]
            })
        text += "### Keys in scope\n\n"
        text += report.keys.isEmpty ? paragraph("No keys.")
            : table(["Key id", "Environment", "Name", "At start", "At end", "Entries"], report.keys.map { key in
                [key.keyID, key.environment, key.name, ReportFacts.keyState(key.stateAtStart), key.stateAtEnd.rawValue, "\(key.entriesInPeriod)"]
            })
        return text
    }

    private func keys(_ writer: ReportFileWriter) throws {
        guard !report.keys.isEmpty else {
            writer.write(paragraph("No keys were in scope in the period."))
            return
        }
        for key in report.keys {
            let title = ReportFacts.keyTitle(key)
            writer.write("### \(md(title, .heading))\n\n")
            writer.write(factsTable(ReportFacts.key(key, cover: report.cover)))
            writer.write("Verifications in the period:\n\n")
            var wroteRun = false
            try stream.forEachVerificationRun(of: key) { run in
                if !wroteRun {
                    writer.write(tableHeader(["From", "To", "Checks", "Served by", "JWKS SHA-256", "Entries"]))
                    wroteRun = true
                }
                writer.write(row([
                    run.first.time.description, run.last.time.description, "\(run.count)", run.source ?? ReportFacts.none,
                    run.jwksSHA256 ?? ReportFacts.none,
                    run.count == 1 ? "\(run.first.sequence)" : "\(run.first.sequence) to \(run.last.sequence)",
                ]))
            }
            writer.write(wroteRun ? "\n" : paragraph("No verifications in the period."))
        }
    }

    private func changes() -> String {
        guard !report.changes.isEmpty else { return paragraph("No changes were in scope in the period.") }
        var text = ""
        for change in report.changes {
            let title = change.summary.isEmpty ? change.id : "\(change.id): \(change.summary)"
            text += "### \(md(title, .heading))\n\n"
            text += factsTable(ReportFacts.change(change))
            text += "Attestations:\n\n"
            text += change.attestations.isEmpty ? paragraph("No attestations.")
                : table(["Item", "Result", "Evidence", "By", "Time", "Entry"], change.attestations.map { attestation in
                    [attestation.item, attestation.passed ? "pass" : "FAIL", attestation.evidence ?? ReportFacts.none,
                     attestation.step.actor, attestation.step.time.description, "\(attestation.step.sequence)"]
                })
            if change.outcome == "rolled_back" {
                text += "Rollback, keys shown absent from the JWKS:\n\n"
                text += change.rolledBackKeys.isEmpty ? paragraph("The rollback named no keys.")
                    : table(["Key id", "Environment", "Shown absent"], change.rolledBackKeys.map { key in
                        [key.keyID, key.environment, ReportFacts.absence(key)]
                    })
                if !change.restoredKeys.isEmpty {
                    text += "Rollback, retired keys restored to the JWKS:\n\n"
                    text += table(["Key id", "Environment", "Restored to", "Shown served"], change.restoredKeys.map { key in
                        [key.keyID, key.environment, key.state, ReportFacts.servedAgain(key)]
                    })
                }
            }
        }
        return text
    }

    private func exceptions() -> String {
        var text = paragraph(ReportFacts.exceptionSummary(report.findings))
        if !report.findings.isEmpty {
            text += table(["Severity", "Rule", "Entry", "Entry hash", "Explanation"], report.findings.map { finding in
                [finding.rule.severity.rawValue, finding.rule.id, "\(finding.entry.sequence)", finding.entry.hashHex, finding.explanation]
            })
        }
        text += "### Rules checked\n\n"
        text += table(["Rule", "Severity", "Finds"], ExceptionRule.all.map { [$0.id, $0.severity.rawValue, $0.title] })
        return text
    }

    private func sample() -> String {
        guard let sample = report.sample else {
            return paragraph("No sample was requested. Generate the report with --sample N --seed TEXT to select changes for detailed testing.")
        }
        var text = paragraph(SampleResult.method)
        text += factsTable([
            Fact(label: "Seed", value: sample.request.seed),
            Fact(label: "Anchor", value: ReportFacts.entry(sample.anchor)),
            Fact(label: "Changes in scope", value: "\(sample.populationSize)"),
            Fact(label: "Requested", value: "\(sample.request.size)"),
            Fact(label: "Selected", value: "\(sample.selected.count)"),
        ])
        if !sample.selected.isEmpty {
            text += table(["Rank", "Change", "SHA-256"], sample.selected.map { ["\($0.rank)", $0.change, $0.digestHex] })
            text += inclusionProofs(sample)
        }
        return text
    }

    /// Writes each sampled change's inclusion proofs, or why there are none.
    private func inclusionProofs(_ sample: SampleResult) -> String {
        var text = "### Inclusion proofs of the sampled changes\n\n"
        guard let checkpoint = report.cover.checkpoint else {
            return text + paragraph("No inclusion proofs: \(report.cover.checkpointUnavailable ?? "the report has no checkpoint").")
        }
        text += paragraph(ReportFacts.inclusionMethod)
        text += paragraph("Tree size \(checkpoint.checkpoint.treeSize), root hash \(checkpoint.rootHashBase64).")
        for selection in sample.selected {
            text += "#### \(md(selection.change, .heading))\n\n"
            if selection.inclusionProofs.isEmpty {
                text += paragraph("The change has no entries up to the checkpoint.")
                continue
            }
            text += table(["Seq", "Kind", "Leaf index", "Leaf hash (base64)", "Proof (base64, leaf to root)", "Verified"],
                          selection.inclusionProofs.map { proof in
                ["\(proof.entry.sequence)", proof.kind, "\(proof.leafIndex)", ReportFacts.base64(proof.leafHash),
                 ReportFacts.hashLines(proof.proof), proof.verified ? "yes" : "NO"]
            })
        }
        return text
    }

    private func appendix(_ writer: ReportFileWriter) throws {
        let cover = report.cover
        guard let first = cover.firstEntry, let last = cover.lastEntry else {
            writer.write(paragraph("No entries were recorded in the period."))
            return
        }
        writer.write(paragraph("\(report.population.entriesInPeriod) entries, sequence \(first.sequence) to \(last.sequence), in sequence order. Claimed times come from --at."))
        writer.write(tableHeader(["Seq", "Recorded at", "Claimed time", "Kind", "Actor", "Key (environment)", "Change", "Hash"]))
        try stream.forEachAppendixRow { entry in
            var kind = entry.kind
            if entry.emergency != nil { kind += " (emergency)" }
            writer.write(row([
                "\(entry.entry.sequence)", entry.recordedAt.description, entry.occurredAt ?? "", kind, entry.actor,
                ReportFacts.appendixKey(entry), entry.change ?? "", entry.entry.hashHex,
            ]))
        }
        writer.write("\n")
    }
}
