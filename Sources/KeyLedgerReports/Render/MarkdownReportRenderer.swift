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

    /// Formats a row of typed cells. Markdown has no colour, so a failed
    /// result is written in capitals to stand out.
    private func row(_ cells: [ReportCell]) -> String {
        row(cells.map { cell -> String in
            switch cell {
            case .text(let text), .code(let text), .codeLines(let text), .number(let text): return text
            case .result(let passed, let pass, let fail): return passed ? pass : fail.uppercased()
            case .severity(let severity): return severity.rawValue
            }
        })
    }

    private func table(_ headers: [String], _ rows: [[String]]) -> String {
        tableHeader(headers) + rows.map(row).joined() + "\n"
    }

    private func table(_ table: ReportTable) -> String {
        tableHeader(table.headers) + table.rows.map(row).joined() + "\n"
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
        text += table(ReportFacts.signers(integrity.signers))
        text += "### Signing-key handovers\n\n"
        if integrity.handovers.isEmpty {
            text += paragraph("No handovers: the genesis key signed every entry checked.")
        } else {
            text += table(ReportFacts.handovers(integrity.handovers))
        }
        if !integrity.warnings.isEmpty {
            text += "### Warnings\n\n" + integrity.warnings.map { "- \(md($0, .lineStart))\n" }.joined() + "\n"
        }
        return text
    }

    private func population() -> String {
        let population = report.population
        var text = table(ReportFacts.populationCounts(population))
        text += "### Entries by kind\n\n"
        text += population.entriesByKind.isEmpty ? paragraph("No entries were recorded in the period.")
            : table(ReportFacts.entriesByKind(population))
        text += "### Changes by state at the end of the period\n\n"
        text += table(ReportFacts.stateCounts(population.changesByState, itemsHeader: "Changes"))
        text += "### Keys by state at the end of the period\n\n"
        text += table(ReportFacts.stateCounts(population.keysByState, itemsHeader: "Keys"))
        text += "### Changes in scope\n\n"
        text += report.changes.isEmpty ? paragraph("No changes.")
            : table(ReportFacts.changesInScope(report.changes))
        text += "### Keys in scope\n\n"
        text += report.keys.isEmpty ? paragraph("No keys.")
            : table(ReportFacts.keysInScope(report.keys))
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
                    writer.write(tableHeader(ReportFacts.verificationRunHeaders))
                    wroteRun = true
                }
                writer.write(row(ReportFacts.verificationRunRow(run)))
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
                : table(ReportFacts.attestations(change))
            if change.outcome == "rolled_back" {
                text += "Rollback, keys shown absent from the JWKS:\n\n"
                text += change.rolledBackKeys.isEmpty ? paragraph("The rollback named no keys.")
                    : table(ReportFacts.rolledBackKeys(change))
                if !change.restoredKeys.isEmpty {
                    text += "Rollback, retired keys restored to the JWKS:\n\n"
                    text += table(ReportFacts.restoredKeys(change))
                }
            }
        }
        return text
    }

    private func exceptions() -> String {
        var text = paragraph(ReportFacts.exceptionSummary(report.findings))
        if !report.findings.isEmpty {
            text += table(ReportFacts.findings(report.findings))
        }
        text += "### Rules checked\n\n"
        text += table(ReportFacts.rules())
        return text
    }

    private func sample() -> String {
        guard let sample = report.sample else {
            return paragraph("No sample was requested. Generate the report with --sample N --seed TEXT to select changes for detailed testing.")
        }
        var text = paragraph(SampleResult.method)
        text += factsTable(ReportFacts.sample(sample))
        if !sample.selected.isEmpty {
            text += table(ReportFacts.sampleSelections(sample))
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
            text += table(ReportFacts.inclusionProofs(selection))
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
        writer.write(tableHeader(ReportFacts.appendixHeaders))
        try stream.forEachAppendixRow { entry in
            writer.write(row(ReportFacts.appendixRow(entry)))
        }
        writer.write("\n")
    }
}
