extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) {
        self = .null
    }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    /// Creates a number from an integer literal.
    ///
    /// - Precondition: The literal is exactly representable as a `Double`,
    ///   which every integer up to 2^53 in magnitude is.
    public init(integerLiteral value: Int) {
        guard let number = Double(exactly: value) else {
            preconditionFailure("integer literal \(value) is not exactly representable as a JSON number (an IEEE 754 double)")
        }
        self = .number(number)
    }
}

extension JSONValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self = .number(value)
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// Creates an object from a dictionary literal.
    ///
    /// - Precondition: No two names are equal as Swift strings, the same
    ///   rule a `Dictionary` literal enforces.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(uniqueKeysWithValues: elements))
    }
}
