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
    /// Cf (format), Zl (line separator) and Zp (paragraph separator), and every
    /// default ignorable code point, such as the variation selector U+FE0F or the
    /// Hangul filler U+3164, which display as nothing.
    static func needsMarker(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return scalar.properties.isDefaultIgnorableCodePoint
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

/// Escaping for text inside Markdown (CommonMark with GitHub's tables and strikethrough).
///
/// Only characters that would change how the text renders in its position
/// get a backslash, so the raw file stays readable: `snake_case`, times,
/// URLs, `a < b` and `R&D` are written as they are. CommonMark (0.31.2, the
/// sections on backslash escapes, emphasis, entities and raw HTML) defines
/// which characters those are.
enum MarkdownText {
    /// Where the escaped text is placed, which decides what can change its meaning.
    enum Context {
        /// Inside a line, after other text, for example between `**` and `**`.
        case inline
        /// A GitHub table cell, where `|` also ends the cell.
        case tableCell
        /// At the start of a line: a paragraph, a list item's text or a block quote's line,
        /// where `#`, `>`, `-`, `+`, `1.` and indentation start blocks.
        case lineStart
        /// The text of an ATX heading, where a trailing run of `#` would be dropped as its closing sequence.
        case heading
    }

    /// Escapes `text` for `context`.
    ///
    /// Hidden characters become `[U+XXXX]` markers first, and line feeds become
    /// `<br>`, so the text stays on one line and no line of it can start a block.
    /// A backslash goes before:
    /// - every `` ` `` (code spans), `*` and `~` (emphasis, strikethrough) and `[` (links, images, reference definitions);
    /// - `_` unless it sits between two letters or digits, because an intraword `_` never delimits emphasis;
    /// - `<` unless a space, a tab or the end follows, because every tag, comment and autolink starts otherwise;
    /// - `&` when an entity or a numeric character reference follows;
    /// - `\\` when ASCII punctuation, a line feed or the end follows.
    ///
    /// GitHub still turns a bare URL into a link, which shows the same text.
    static func escape(_ text: String, in context: Context) -> String {
        let scalars = Array(VisibleText.make(text, keepingLineFeeds: true).unicodeScalars)
        // Scalars, not Characters, for the reason given in `HTMLText.escape`.
        var result = ""
        result.reserveCapacity(scalars.count + 8)
        var index = 0
        if context == .lineStart {
            index = appendLineStart(scalars, to: &result)
        }
        let headingEnd = context == .heading ? trailingHashRunStart(scalars) : scalars.count
        while index < scalars.count {
            let scalar = scalars[index]
            let previous = index > 0 ? scalars[index - 1] : nil
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            if scalar == "\n" {
                result += "<br>"
            } else if needsBackslash(scalar, previous: previous, next: next, rest: scalars[index...], context: context)
                        || (index >= headingEnd && scalar == "#") {
                result += "\\"
                result.unicodeScalars.append(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
            index += 1
        }
        return result
    }

    private static func needsBackslash(_ scalar: Unicode.Scalar, previous: Unicode.Scalar?, next: Unicode.Scalar?,
                                       rest: ArraySlice<Unicode.Scalar>, context: Context) -> Bool {
        switch scalar {
        case "`", "*", "~", "[":
            return true
        case "|":
            return context == .tableCell
        case "_":
            return !(isAlphanumeric(previous) && isAlphanumeric(next))
        case "<":
            return !(next == nil || next == " " || next == "\t")
        case "&":
            return startsReference(rest.dropFirst())
        case "\\":
            guard let next else { return true }
            return next == "\n" || isASCIIPunctuation(next)
        default:
            return false
        }
    }

    /// Appends what would start a block at the start of a line, escaped, and
    /// returns the index of the first scalar left for the inline rules.
    private static func appendLineStart(_ scalars: [Unicode.Scalar], to result: inout String) -> Int {
        // Four columns of indentation start an indented code block: the first
        // space or tab is written as a character reference, which is text.
        let indentation = scalars.prefix { $0 == " " || $0 == "\t" }
        if indentation.count >= 4 || indentation.contains("\t") {
            result += scalars[0] == "\t" ? "&#9;" : "&#32;"
            return 1
        }
        var index = indentation.count
        result += String(repeating: " ", count: index)
        guard index < scalars.count else { return index }
        switch scalars[index] {
        case "#", ">", "-", "+":
            // A heading, a block quote, a bullet list item or a thematic break.
            result += "\\"
            result.unicodeScalars.append(scalars[index])
            return index + 1
        default:
            break
        }
        // An ordered list item: one to nine digits, then `.` or `)`.
        let digits = scalars[index...].prefix { ("0"..."9").contains($0) }
        if (1...9).contains(digits.count), index + digits.count < scalars.count,
           scalars[index + digits.count] == "." || scalars[index + digits.count] == ")" {
            for digit in digits { result.unicodeScalars.append(digit) }
            index += digits.count
            result += "\\"
            result.unicodeScalars.append(scalars[index])
            return index + 1
        }
        return index
    }

    /// Returns the index where a trailing run of `#` begins that an ATX heading would take as
    /// its closing sequence (it follows a space or tab, or is the whole text), or `scalars.count`.
    private static func trailingHashRunStart(_ scalars: [Unicode.Scalar]) -> Int {
        var end = scalars.count
        while end > 0, scalars[end - 1] == " " || scalars[end - 1] == "\t" { end -= 1 }
        var start = end
        while start > 0, scalars[start - 1] == "#" { start -= 1 }
        guard start < end, start == 0 || scalars[start - 1] == " " || scalars[start - 1] == "\t" else { return scalars.count }
        return start
    }

    /// Returns whether `rest`, the text after an `&`, begins an entity or a numeric character
    /// reference: `name;`, `#digits;` or `#xhex;`. Any name counts, known to HTML or not.
    private static func startsReference(_ rest: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = rest.first else { return false }
        if first == "#" {
            let body = rest.dropFirst()
            let hex = body.first == "x" || body.first == "X"
            let digits = (hex ? body.dropFirst() : body).prefix { hex ? $0.properties.isASCIIHexDigit : ("0"..."9").contains($0) }
            let terminatorIndex = digits.endIndex
            return (1...(hex ? 6 : 7)).contains(digits.count) && terminatorIndex < rest.endIndex && rest[terminatorIndex] == ";"
        }
        guard first.isASCII, first.properties.isAlphabetic else { return false }
        let name = rest.prefix { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        return name.count <= 32 && name.endIndex < rest.endIndex && rest[name.endIndex] == ";"
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    private static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        (0x21...0x2F).contains(scalar.value) || (0x3A...0x40).contains(scalar.value)
            || (0x5B...0x60).contains(scalar.value) || (0x7B...0x7E).contains(scalar.value)
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
