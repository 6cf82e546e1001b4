/// A report template from `reports/layouts`: literal text with `{{slot}}`
/// placeholders that a renderer fills.
///
/// The layouts are embedded into the binary at build time, so editing them
/// changes the report after a rebuild, without code changes. A slot name is
/// lowercase letters and underscores. The renderer, not the layout, escapes
/// what it writes into a slot.
struct Layout {
    enum Piece: Equatable {
        case text(String)
        case slot(String)
    }

    let name: String
    let pieces: [Piece]

    var slots: [String] {
        pieces.compactMap { piece in
            if case .slot(let name) = piece { return name }
            return nil
        }
    }

    /// Parses `source`.
    ///
    /// - Throws: `ReportError.Code.layout` for a `{{` that does not start a
    ///   well-formed slot, which catches a misspelt placeholder at build-time testing.
    init(name: String, source: String) throws {
        self.name = name
        var pieces: [Piece] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex {
                pieces.append(.text(String(rest[..<open.lowerBound])))
            }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw ReportError(.layout, "layout \(name) has a {{ without a closing }}")
            }
            let slot = String(rest[open.upperBound..<close.lowerBound])
            guard !slot.isEmpty, slot.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || $0 == "_" }) else {
                throw ReportError(.layout, "layout \(name) has a slot {{\(slot)}} whose name is not lowercase letters and underscores")
            }
            pieces.append(.slot(slot))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        self.pieces = pieces
    }

    /// Parses the embedded layout file `fileName`, such as `report.html`.
    static func embedded(_ fileName: String) throws -> Layout {
        try Layout(name: fileName, source: embeddedText(fileName))
    }

    /// Returns the embedded text of `fileName`.
    static func embeddedText(_ fileName: String) throws -> String {
        guard let file = embeddedReportLayouts.first(where: { $0.fileName == fileName }) else {
            throw ReportError(.layout, "no layout \(fileName) was embedded: check reports/layouts and rebuild")
        }
        return file.text
    }

    /// Throws unless the layout uses every slot in `required`, no other, and
    /// each slot in `single` only once (those stream from the ledger, and a
    /// second use would read it again).
    func check(slots required: Set<String>, single: Set<String>) throws {
        let used = slots
        if let unknown = used.first(where: { !required.contains($0) }) {
            throw ReportError(.layout, "layout \(name) uses the slot {{\(unknown)}}, which the renderer does not fill; it fills \(required.sorted().joined(separator: ", "))")
        }
        for slot in required.sorted() {
            let count = used.filter { $0 == slot }.count
            guard count >= 1 else {
                throw ReportError(.layout, "layout \(name) does not use the slot {{\(slot)}}: every section must appear in the report")
            }
            guard count == 1 || !single.contains(slot) else {
                throw ReportError(.layout, "layout \(name) uses the slot {{\(slot)}} \(count) times: use it once")
            }
        }
    }

    /// Writes the layout to `writer`, calling `fill` with each slot's name where it occurs.
    func render(into writer: ReportFileWriter, _ fill: (String) throws -> Void) throws {
        for piece in pieces {
            switch piece {
            case .text(let text): writer.write(text)
            case .slot(let slot): try fill(slot)
            }
        }
    }
}
