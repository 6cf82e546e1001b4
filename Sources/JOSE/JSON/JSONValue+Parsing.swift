extension JSONValue {
    /// The deepest nesting of arrays and objects that the parser accepts.
    ///
    /// A top-level array is at depth 1. The limit keeps the recursive parser's
    /// stack use small and fixed; RFC 8259 section 9 lets a parser set one.
    public static let maximumNestingDepth = 128

    /// Parses one JSON text from UTF-8 bytes.
    ///
    /// The parser accepts exactly the JSON text of RFC 8259 that is also an
    /// I-JSON message (RFC 7493), with no extensions. It rejects:
    /// - a UTF-8 byte-order mark, and bytes that are not well-formed UTF-8,
    ///   including overlong forms, encoded surrogates and values above U+10FFFF;
    /// - `\u` escapes that leave a surrogate unpaired, and Unicode
    ///   noncharacters, whether escaped or not;
    /// - unescaped control characters (U+0000 to U+001F) in strings;
    /// - duplicate member names in one object, compared after unescaping;
    /// - numbers with leading zeros or outside the RFC 8259 grammar, and
    ///   numbers whose magnitude overflows a `Double`;
    /// - anything but whitespace after the value, and nesting deeper than
    ///   ``maximumNestingDepth``.
    ///
    /// Numbers are rounded to the nearest `Double`, so an integer above 2^53
    /// may change value, and a number too small for a `Double` becomes zero.
    /// Strings keep their scalars as written; no Unicode normalization is applied.
    ///
    /// - Parameter bytes: The JSON text, encoded as UTF-8.
    /// - Throws: ``JSONError`` with the byte offset of the first problem found.
    public init(parsing bytes: [UInt8]) throws {
        var parser = JSONParser(bytes: bytes)
        self = try parser.parseText()
    }

    /// Parses one JSON text like ``init(parsing:)-([UInt8])``, and with
    /// `rejectingUnsafeIntegers` also rejects every integer literal (digits
    /// with no fraction and no exponent) outside ±9007199254740991 (2^53 − 1).
    ///
    /// Such an integer would be rounded to the nearest `Double` without a
    /// word, so a caller that stores what it was sent uses this to have the
    /// sender send the value as a string instead (RFC 7493 section 2.2).
    /// Numbers with a fraction or an exponent are parsed as before.
    ///
    /// - Throws: ``JSONError``; for an integer out of range its code is
    ///   ``JSONError/Code/unsafeInteger`` and its reason names the value and its path, such as `$.amounts[2]`.
    public init(parsing bytes: [UInt8], rejectingUnsafeIntegers: Bool) throws {
        var parser = JSONParser(bytes: bytes, rejectsUnsafeIntegers: rejectingUnsafeIntegers)
        self = try parser.parseText()
    }

    /// Parses one JSON text from a string, with the same rules as
    /// ``init(parsing:)-([UInt8])``.
    ///
    /// - Parameter text: The JSON text.
    /// - Throws: ``JSONError`` with the offset of the problem in `text.utf8`.
    public init(parsing text: String) throws {
        try self.init(parsing: Array(text.utf8))
    }
}
