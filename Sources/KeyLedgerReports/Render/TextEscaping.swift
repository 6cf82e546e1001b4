/// Makes characters that display as nothing, or that reorder or break the
/// text around them, visible as `[U+XXXX]` markers.
///
/// Reports print text that anyone who can append to the ledger chose: actors,
/// summaries, evidence, URLs, and with hand-built entries any body member.
/// Control characters, format characters such as the right-to-left override
/// U+202E and line separators could hide or rearrange what an auditor reads,
/// so the human-readable formats show them as markers. The JSON report keeps
/// the exact text.
enum VisibleText {
    /// Returns whether `scalar` is replaced by a marker: categories Cc (control),
    /// Cf (format), Zl (line separator) and Zp (paragraph separator).
    static func needsMarker(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// Returns `text` with every character that `needsMarker` selects replaced by `[U+XXXX]`.
    ///
    /// - Parameter keepingLineFeeds: keep U+000A as it is, for formats that show line breaks safely.
    static func make(_ text: String, keepingLineFeeds: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: needsMarker) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsMarker(scalar) && !(keepingLineFeeds && scalar == "\n") {
                result.append(contentsOf: marker(for: scalar).unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    static func marker(for scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "[U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
    }

    /// Shortens `text` to at most `limit` characters, ending it with "…" when it was cut.
    static func truncated(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - 1))) + "…"
    }
}

/// Escaping for HTML text and attribute values.
enum HTMLText {
    /// Escapes `&`, `<`, `>`, `"` and `'` after making hidden characters visible.
    ///
    /// The result is safe both as element content and inside a quoted
    /// attribute value. Line feeds are kept; they display as spaces unless the
    /// element's style preserves them.
    static func escape(_ text: String) -> String {
        // Scalars, not Characters: a combining mark after "<" forms one
        // Character that is not equal to "<", but an HTML parser still reads "<".
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in VisibleText.make(text, keepingLineFeeds: true).unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// Escaping for text inside Markdown (CommonMark with GitHub's tables).
enum MarkdownText {
    /// ASCII punctuation that could start emphasis, code, links, raw HTML,
    /// entities or table cells. CommonMark lets any ASCII punctuation be
    /// escaped with a backslash. `-`, `+`, `.`, `:`, `/` and `,` matter only at
    /// the start of a line, where reports never place untrusted text, so they
    /// are left alone and timestamps and URLs stay readable.
    private static let escaped: Set<Unicode.Scalar> = [
        "\\", "`", "*", "_", "{", "}", "[", "]", "(", ")", "<", ">", "#", "!", "|", "~", "&", "\"", "'", "$", "^", "=",
    ]

    /// Escapes `text` for a table cell or an inline position.
    ///
    /// Hidden characters become `[U+XXXX]` markers first; line feeds become
    /// `<br>`, the usual line break inside a table cell, so a row stays on one line.
    static func escape(_ text: String) -> String {
        // Scalars, not Characters, for the reason given in `HTMLText.escape`.
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in VisibleText.make(text, keepingLineFeeds: true).unicodeScalars {
            if scalar == "\n" {
                result += "<br>"
            } else if escaped.contains(scalar) {
                result += "\\"
                result.unicodeScalars.append(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// Fields of RFC 4180 CSV files.
enum CSVText {
    /// Characters that make a spreadsheet read a cell as a formula or strip it.
    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// Returns `text` as one quoted field.
    ///
    /// Hidden characters, line feeds included, become `[U+XXXX]` markers, so
    /// each record is one line. A field that would start with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return gets a leading `'`, so that a
    /// spreadsheet shows it as text instead of evaluating it. Quotes are doubled.
    static func field(_ text: String) -> String {
        var visible = VisibleText.make(text)
        if let first = visible.unicodeScalars.first, formulaStarts.contains(first) {
            visible = "'" + visible
        }
        // Doubled scalar by scalar: Foundation's replacingOccurrences compares
        // composed characters and would miss a quote followed by a combining mark.
        var quoted = "\""
        for scalar in visible.unicodeScalars {
            if scalar == "\"" { quoted += "\"" }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }

    /// Returns one record: the fields separated by commas and ended by CRLF.
    static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }
}
