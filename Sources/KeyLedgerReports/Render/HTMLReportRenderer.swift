import KeyLedger

/// Writes a report as one self-contained HTML file: the layout `report.html`
/// with the stylesheet `report.css` inlined, tables, and an inline SVG
/// timeline. The file has no script and loads nothing.
///
/// Every value from the ledger passes through `HTMLText.escape`, so no
/// content can add, close or change an element.
struct HTMLReportRenderer {
    static let slots: Set<String> = [
        "generator", "title", "subtitle", "stylesheet", "status", "cover", "integrity", "population",
        "keys", "changes", "exceptions", "sample", "appendix",
    ]
    /// Slots that stream from the ledger and may appear only once.
    static let singleSlots: Set<String> = ["keys", "appendix"]

    let report: Report
    let stream: ReportStream

    func render(to writer: ReportFileWriter) throws {
        let layout = try Layout.embedded("report.html")
        try layout.check(slots: Self.slots, single: Self.singleSlots)
        let stylesheet = try Layout.embeddedText("report.css")
        guard !stylesheet.lowercased().contains("</style") else {
            throw ReportError(.layout, "report.css contains </style, which would end the inline stylesheet")
        }
        try layout.render(into: writer) { slot in
            switch slot {
            case "generator": writer.write(h(report.cover.generator))
            case "title": writer.write(h(ReportFacts.title(report.cover)))
            case "subtitle": writer.write(h(ReportFacts.subtitle(report.cover)))
            case "stylesheet": writer.write(stylesheet)
            case "status": writer.write(status())
            case "cover": writer.write(factsTable(ReportFacts.cover(report.cover)))
            case "integrity": writer.write(integrity())
            case "population": writer.write(population())
            case "keys": try keys(writer)
            case "changes": writer.write(changes())
            case "exceptions": writer.write(exceptions())
            case "sample": writer.write(sample())
            case "appendix": try appendix(writer)
            default: throw ReportError(.layout, "report.html has an unknown slot {{\(slot)}}")
            }
        }
    }

    // MARK: - Building blocks

    private func h(_ text: String) -> String { HTMLText.escape(text) }

    /// One table cell's content and how to show it.
    private struct Cell {
        var text: String
        var isCode = false
        /// Markup written as is, for badges; never built from ledger text without escaping.
        var markup: String?
        var className: String?

        init(_ text: String, code: Bool = false, className: String? = nil) {
            self.text = text
            self.isCode = code
            self.className = className
        }

        static func markup(_ markup: String) -> Cell {
            var cell = Cell("")
            cell.markup = markup
            return cell
        }
    }

    private func cellHTML(_ cell: Cell, tag: String = "td") -> String {
        let classAttribute = cell.className.map { " class=\"\($0)\"" } ?? ""
        let content = cell.markup ?? (cell.isCode ? "<code>\(h(cell.text))</code>" : h(cell.text))
        return "<\(tag)\(classAttribute)>\(content)</\(tag)>"
    }

    private func tableStart(_ headers: [String], className: String? = nil, columns: [String]? = nil) -> String {
        var html = "<table\(className.map { " class=\"\($0)\"" } ?? "")>\n"
        if let columns {
            html += "<colgroup>" + columns.map { "<col class=\"\($0)\">" }.joined() + "</colgroup>\n"
        }
        html += "<thead><tr>" + headers.map { "<th>\(h($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        return html
    }

    private func row(_ cells: [Cell]) -> String {
        "<tr>" + cells.map { cellHTML($0) }.joined() + "</tr>\n"
    }

    private func table(_ headers: [String], _ rows: [[Cell]], className: String? = nil) -> String {
        tableStart(headers, className: className) + rows.map(row).joined() + "</tbody>\n</table>\n"
    }

    private func factsTable(_ facts: [Fact]) -> String {
        var html = "<table class=\"facts\">\n<tbody>\n"
        for fact in facts {
            let value = fact.isCode ? "<code>\(h(fact.value))</code>" : h(fact.value)
            html += "<tr><th scope=\"row\">\(h(fact.label))</th><td class=\"multiline\">\(value)</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    private func paragraph(_ text: String, className: String? = nil) -> String {
        "<p\(className.map { " class=\"\($0)\"" } ?? "")>\(h(text))</p>\n"
    }

    private func badge(_ text: String, _ className: String) -> String {
        "<span class=\"badge \(className)\">\(h(text))</span>"
    }

    // MARK: - Sections

    private func status() -> String {
        let (isValid, lines) = ReportFacts.status(report)
        var html = "<div class=\"status \(isValid ? "valid" : "invalid")\" role=\"status\">\n"
        for (index, line) in lines.enumerated() {
            html += paragraph(line, className: index == 0 ? "headline" : nil)
        }
        return html + "</div>\n"
    }

    private func integrity() -> String {
        let integrity = report.integrity
        var html = factsTable(ReportFacts.integrity(integrity, cover: report.cover))
        html += "<h3>Ledger signing keys</h3>\n"
        html += table(["Key id", "Algorithm", "Introduced at entry", "Signed entries"], integrity.signers.map { signer in
            [Cell(signer.keyID, code: true), Cell(signer.algorithm), Cell("\(signer.introducedAt)", className: "number"),
             Cell(ReportFacts.signerRange(signer))]
        }, className: "signers")
        html += "<h3>Signing-key handovers</h3>\n"
        if integrity.handovers.isEmpty {
            html += paragraph("No handovers: the genesis key signed every entry checked.")
        } else {
            html += table(["Entry", "Recorded at", "Previous key named", "Signed by", "Incoming key", "Consistent"],
                          integrity.handovers.map { handover in
                [Cell("\(handover.step.sequence)", className: "number"), Cell(handover.step.recordedAt.description),
                 Cell(handover.previousKeyID ?? ReportFacts.none, code: true), Cell(handover.signedBy, code: true),
                 Cell(handover.incomingKeyID ?? ReportFacts.none, code: true),
                 .markup(handover.isConsistent ? badge("yes", "pass") : badge("no", "fail"))]
            }, className: "handovers")
        }
        if !integrity.warnings.isEmpty {
            html += "<h3>Warnings</h3>\n<ul>\n" + integrity.warnings.map { "<li>\(h($0))</li>\n" }.joined() + "</ul>\n"
        }
        return html
    }

    private func population() -> String {
        let population = report.population
        var html = table(["Population", "Count"], [
            [Cell("Entries recorded in the period"), Cell("\(population.entriesInPeriod)", className: "number")],
            [Cell("Changes in scope"), Cell("\(population.changeCount)", className: "number")],
            [Cell("Changes with entries in the period"), Cell("\(population.changesWithActivity)", className: "number")],
            [Cell("Keys in scope"), Cell("\(population.keyCount)", className: "number")],
            [Cell("Keys with entries in the period"), Cell("\(population.keysWithActivity)", className: "number")],
        ], className: "counts")
        html += "<h3>Entries by kind</h3>\n"
        html += population.entriesByKind.isEmpty ? paragraph("No entries were recorded in the period.")
            : table(["Kind", "Entries"], population.entriesByKind.map { [Cell($0.kind), Cell("\($0.count)", className: "number")] }, className: "counts")
        html += "<h3>Changes by state at the end of the period</h3>\n"
        html += table(["State", "Changes"], population.changesByState.map { [Cell($0.state), Cell("\($0.count)", className: "number")] }, className: "counts")
        html += "<h3>Keys by state at the end of the period</h3>\n"
        html += table(["State", "Keys"], population.keysByState.map { [Cell($0.state), Cell("\($0.count)", className: "number")] }, className: "counts")
        html += "<h3>Changes in scope</h3>\n"
        html += report.changes.isEmpty ? paragraph("No changes.")
            : table(["Change", "Summary", "At start", "At end", "Entries"], report.changes.map { change in
                [Cell(change.id, code: true), Cell(change.summary), Cell(change.stateAtStart ?? "not yet opened"),
                 Cell(change.outcome), Cell("\(change.entriesInPeriod)", className: "number")]
            }, className: "scope")
        html += "<h3>Keys in scope</h3>\n"
        html += report.keys.isEmpty ? paragraph("No keys.")
            : table(["Key id", "Environment", "Name", "At start", "At end", "Entries"], report.keys.map { key in
                [Cell(key.keyID, code: true), Cell(key.environment), Cell(key.name), Cell(ReportFacts.keyState(key.stateAtStart)),
                 Cell(key.stateAtEnd.rawValue), Cell("\(key.entriesInPeriod)", className: "number")]
            }, className: "scope")
        return html
    }

    private func keys(_ writer: ReportFileWriter) throws {
        guard !report.keys.isEmpty else {
            writer.write(paragraph("No keys were in scope in the period."))
            return
        }
        writer.write("<div class=\"timeline\">\n")
        writer.write(TimelineSVG.render(keys: report.keys, period: report.cover.period))
        writer.write("</div>\n")
        for key in report.keys {
            let title = ReportFacts.keyTitle(key)
            writer.write("<article class=\"key\">\n<h3>\(h(title))</h3>\n")
            writer.write(factsTable(ReportFacts.key(key, cover: report.cover)))
            writer.write("<h4>Verifications in the period</h4>\n")
            var wroteRun = false
            try stream.forEachVerificationRun(of: key) { run in
                if !wroteRun {
                    writer.write(tableStart(["From", "To", "Checks", "Served by", "JWKS SHA-256", "Entries"], className: "runs"))
                    wroteRun = true
                }
                writer.write(row([
                    Cell(run.first.time.description), Cell(run.last.time.description), Cell("\(run.count)", className: "number"),
                    Cell(run.source ?? ReportFacts.none), Cell(run.jwksSHA256 ?? ReportFacts.none, code: true),
                    Cell(run.count == 1 ? "\(run.first.sequence)" : "\(run.first.sequence) to \(run.last.sequence)"),
                ]))
            }
            writer.write(wroteRun ? "</tbody>\n</table>\n" : paragraph("No verifications in the period."))
            writer.write("</article>\n")
        }
    }

    private func changes() -> String {
        guard !report.changes.isEmpty else { return paragraph("No changes were in scope in the period.") }
        var html = ""
        for change in report.changes {
            let title = change.summary.isEmpty ? change.id : "\(change.id): \(change.summary)"
            html += "<article class=\"change\">\n<h3>\(h(title))</h3>\n"
            html += factsTable(ReportFacts.change(change))
            html += "<h4>Attestations</h4>\n"
            html += change.attestations.isEmpty ? paragraph("No attestations.")
                : table(["Item", "Result", "Evidence", "By", "Time", "Entry"], change.attestations.map { attestation in
                    [Cell(attestation.item), .markup(attestation.passed ? badge("pass", "pass") : badge("fail", "fail")),
                     Cell(attestation.evidence ?? ReportFacts.none), Cell(attestation.step.actor),
                     Cell(attestation.step.time.description), Cell("\(attestation.step.sequence)", className: "number")]
                }, className: "attestations")
            if change.outcome == "rolled_back" {
                html += "<h4>Rollback: keys shown absent from the JWKS</h4>\n"
                html += change.rolledBackKeys.isEmpty ? paragraph("The rollback named no keys.")
                    : table(["Key id", "Environment", "Shown absent"], change.rolledBackKeys.map { key in
                        [Cell(key.keyID, code: true), Cell(key.environment), Cell(ReportFacts.absence(key))]
                    }, className: "rollback")
                if !change.restoredKeys.isEmpty {
                    html += "<h4>Rollback: retired keys restored to the JWKS</h4>\n"
                    html += table(["Key id", "Environment", "Restored to", "Shown served"], change.restoredKeys.map { key in
                        [Cell(key.keyID, code: true), Cell(key.environment), Cell(key.state), Cell(ReportFacts.servedAgain(key))]
                    }, className: "rollback")
                }
            }
            html += "</article>\n"
        }
        return html
    }

    private func exceptions() -> String {
        var html = paragraph(ReportFacts.exceptionSummary(report.findings))
        if !report.findings.isEmpty {
            html += table(["Severity", "Rule", "Entry", "Entry hash", "Explanation"], report.findings.map { finding in
                [.markup(badge(finding.rule.severity.rawValue, finding.rule.severity.rawValue)), Cell(finding.rule.id, code: true),
                 Cell("\(finding.entry.sequence)", className: "number"), Cell(finding.entry.hashHex, code: true),
                 Cell(finding.explanation)]
            }, className: "exceptions")
        }
        html += "<h3>Rules checked</h3>\n"
        html += table(["Rule", "Severity", "Finds"], ExceptionRule.all.map { rule in
            [Cell(rule.id, code: true), Cell(rule.severity.rawValue), Cell(rule.title)]
        }, className: "rules")
        return html
    }

    private func sample() -> String {
        guard let sample = report.sample else {
            return paragraph("No sample was requested. Generate the report with --sample N --seed TEXT to select changes for detailed testing.")
        }
        var html = paragraph(SampleResult.method)
        html += factsTable([
            Fact(label: "Seed", value: sample.request.seed, isCode: true),
            Fact(label: "Anchor", value: ReportFacts.entry(sample.anchor), isCode: true),
            Fact(label: "Changes in scope", value: "\(sample.populationSize)"),
            Fact(label: "Requested", value: "\(sample.request.size)"),
            Fact(label: "Selected", value: "\(sample.selected.count)"),
        ])
        if !sample.selected.isEmpty {
            html += table(["Rank", "Change", "SHA-256"], sample.selected.map { selection in
                [Cell("\(selection.rank)", className: "number"), Cell(selection.change, code: true), Cell(selection.digestHex, code: true)]
            }, className: "sample")
            html += inclusionProofs(sample)
        }
        return html
    }

    /// Writes each sampled change's inclusion proofs, or why there are none.
    private func inclusionProofs(_ sample: SampleResult) -> String {
        var html = "<h3>Inclusion proofs of the sampled changes</h3>\n"
        guard let checkpoint = report.cover.checkpoint else {
            return html + paragraph("No inclusion proofs: \(report.cover.checkpointUnavailable ?? "the report has no checkpoint").")
        }
        html += paragraph(ReportFacts.inclusionMethod)
        html += paragraph("Tree size \(checkpoint.checkpoint.treeSize), root hash \(checkpoint.rootHashBase64).")
        for selection in sample.selected {
            html += "<h4>\(h(selection.change))</h4>\n"
            if selection.inclusionProofs.isEmpty {
                html += paragraph("The change has no entries up to the checkpoint.")
                continue
            }
            html += table(["Seq", "Kind", "Leaf index", "Leaf hash (base64)", "Proof (base64, leaf to root)", "Verified"],
                          selection.inclusionProofs.map { proof in
                [Cell("\(proof.entry.sequence)", className: "number"), Cell(proof.kind),
                 Cell("\(proof.leafIndex)", className: "number"), Cell(ReportFacts.base64(proof.leafHash), code: true),
                 Cell(ReportFacts.hashLines(proof.proof), code: true, className: "multiline"),
                 .markup(proof.verified ? badge("yes", "pass") : badge("no", "fail"))]
            }, className: "proofs")
        }
        return html
    }

    private func appendix(_ writer: ReportFileWriter) throws {
        let cover = report.cover
        guard let first = cover.firstEntry, let last = cover.lastEntry else {
            writer.write(paragraph("No entries were recorded in the period."))
            return
        }
        writer.write(paragraph("\(report.population.entriesInPeriod) entries, sequence \(first.sequence) to \(last.sequence), in sequence order. Claimed times come from --at."))
        writer.write(tableStart(["Seq", "Recorded at", "Claimed time", "Kind", "Actor", "Key (environment)", "Change", "Hash"],
                                className: "appendix",
                                columns: ["sequence", "time", "time", "kind", "actor", "key", "change", "hash"]))
        try stream.forEachAppendixRow { entry in
            var kind = entry.kind
            if entry.emergency != nil { kind += " (emergency)" }
            writer.write(row([
                Cell("\(entry.entry.sequence)", className: "number"), Cell(entry.recordedAt.description),
                Cell(entry.occurredAt ?? ""), Cell(kind), Cell(entry.actor), Cell(ReportFacts.appendixKey(entry), code: true),
                Cell(entry.change ?? "", code: true), Cell(entry.entry.hashHex, code: true),
            ]))
        }
        writer.write("</tbody>\n</table>\n")
    }
}
