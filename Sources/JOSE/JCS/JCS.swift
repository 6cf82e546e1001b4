/// The JSON Canonicalization Scheme of RFC 8785: one exact byte sequence for
/// each JSON value, so that the bytes can be hashed and signed.
///
/// Canonical output has no whitespace, orders object members by the UTF-16
/// code units of their names, writes numbers as ECMAScript's
/// `Number.prototype.toString` does, and escapes in strings only `"`, `\` and
/// the control characters below U+0020. All other characters, including
/// U+007F and everything outside ASCII, are written as raw UTF-8.
///
/// Every value that ``canonicalize(_:)`` accepts parses back with
/// ``JSONValue/init(parsing:)-([UInt8])`` to an equal value, so it rejects
/// what the parser would reject: non-finite numbers, Unicode noncharacters,
/// and nesting deeper than ``JSONValue/maximumNestingDepth``.
public enum JCS {
    /// Serializes a value to its RFC 8785 canonical form.
    ///
    /// - Parameter value: The value to serialize.
    /// - Returns: The canonical JSON text, encoded as UTF-8 with no trailing newline.
    /// - Throws: ``JSONError`` with code ``JSONError/Code/nonFiniteNumber``
    ///   for NaN or an infinity, ``JSONError/Code/noncharacter`` for a string
    ///   or member name that contains a Unicode noncharacter, or
    ///   ``JSONError/Code/nestingTooDeep`` for nesting deeper than
    ///   ``JSONValue/maximumNestingDepth``.
    public static func canonicalize(_ value: JSONValue) throws -> [UInt8] {
        var writer = JSONWriter(layout: .compact)
        try writer.write(value)
        return writer.output
    }

    /// Serializes a value to its RFC 8785 canonical form as a string.
    ///
    /// - Parameter value: The value to serialize.
    /// - Returns: The canonical JSON text; its `utf8` view is the output of
    ///   ``canonicalize(_:)``.
    /// - Throws: ``JSONError``, as ``canonicalize(_:)`` does.
    public static func canonicalString(_ value: JSONValue) throws -> String {
        String(decoding: try canonicalize(value), as: UTF8.self)
    }
}
