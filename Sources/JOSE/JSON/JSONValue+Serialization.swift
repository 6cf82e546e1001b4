extension JSONValue {
    /// Serializes the value as JSON text with members sorted, for output
    /// meant to be read by people or compared in tests.
    ///
    /// The compact form is the RFC 8785 canonical form. The pretty form puts
    /// each member and element on its own line, indented by two spaces per
    /// level, and differs from the canonical form only in whitespace. Neither
    /// form ends with a newline. To hash or sign a value, use
    /// ``JCS/canonicalize(_:)``, which returns the bytes directly.
    ///
    /// - Parameter pretty: Whether to indent the output.
    /// - Returns: The JSON text.
    /// - Throws: ``JSONError`` for the values that ``JCS/canonicalize(_:)``
    ///   rejects.
    public func serialized(pretty: Bool) throws -> String {
        var writer = JSONWriter(layout: pretty ? .pretty : .compact)
        try writer.write(self)
        return String(decoding: writer.output, as: UTF8.self)
    }
}
