/// A JSON value as defined by RFC 8259, restricted to what I-JSON (RFC 7493)
/// can carry: numbers are IEEE 754 doubles and object member names are unique.
///
/// Strings keep the exact Unicode scalars they were given. Nothing here
/// applies Unicode normalization, and equality compares strings and member
/// names scalar by scalar, unlike Swift's `String ==`, which treats
/// canonically equivalent strings as equal. Two values that canonicalize are
/// therefore equal exactly when their RFC 8785 canonical forms are equal.
///
/// An object is a Swift `Dictionary`, whose keys are compared by canonical
/// equivalence, so one object cannot hold two member names that are
/// canonically equivalent but differ in their scalars. The parser rejects such
/// input with ``JSONError/Code/equivalentMemberNames``.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue {
    /// The string, if this value is a string.
    public var stringValue: String? {
        guard case .string(let string) = self else { return nil }
        return string
    }

    /// The members, if this value is an object.
    ///
    /// Look members up with ``subscript(member:)`` to match names exactly;
    /// the dictionary's own subscript also matches canonically equivalent names.
    public var objectValue: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// The elements, if this value is an array.
    public var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The number, if this value is a number.
    public var doubleValue: Double? {
        guard case .number(let number) = self else { return nil }
        return number
    }

    /// The Boolean, if this value is `true` or `false`.
    public var boolValue: Bool? {
        guard case .bool(let bool) = self else { return nil }
        return bool
    }

    /// The number as an integer, if this value is a number with no fractional
    /// part that lies within `Int64.min ... Int64.max`; otherwise `nil`.
    ///
    /// An integer above 2^53 in magnitude may have been rounded when parsed,
    /// because JSON numbers are doubles here, so the result can differ from
    /// the digits in the input text.
    public var int64Value: Int64? {
        guard case .number(let number) = self else { return nil }
        return Int64(exactly: number)
    }

    /// Whether this value is `null`.
    public var isNull: Bool {
        self == .null
    }

    /// Returns the value of the member with exactly this name, or `nil` if
    /// this value is not an object or has no such member.
    ///
    /// The name must match scalar by scalar: `"\u{E9}"` does not find a member
    /// named `"e\u{301}"`.
    public subscript(member: String) -> JSONValue? {
        guard case .object(let members) = self, let index = members.index(forKey: member) else {
            return nil
        }
        // Written as a guard because in `condition ? value : nil` the nil
        // literal would become JSONValue.null, not a missing member.
        let (storedName, value) = members[index]
        guard storedName.utf8.elementsEqual(member.utf8) else {
            return nil
        }
        return value
    }
}

// MARK: - Equatable and Hashable

extension JSONValue {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null):
            return true
        case let (.bool(left), .bool(right)):
            return left == right
        case let (.number(left), .number(right)):
            return left == right
        case let (.string(left), .string(right)):
            return left.utf8.elementsEqual(right.utf8)
        case let (.array(left), .array(right)):
            return left == right
        case let (.object(left), .object(right)):
            return membersEqual(left, right)
        default:
            return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0 as UInt8)
        case .bool(let bool):
            hasher.combine(1 as UInt8)
            hasher.combine(bool)
        case .number(let number):
            // Double's own hashing gives 0.0 and -0.0 the same hash, as == requires.
            hasher.combine(2 as UInt8)
            hasher.combine(number)
        case .string(let string):
            hasher.combine(3 as UInt8)
            Self.hashScalars(of: string, into: &hasher)
        case .array(let elements):
            hasher.combine(4 as UInt8)
            hasher.combine(elements)
        case .object(let members):
            hasher.combine(5 as UInt8)
            hasher.combine(members.count)
            // Dictionary order is unspecified, so combine the member hashes
            // with an order-independent XOR.
            var membersHash = 0
            for (name, value) in members {
                var memberHasher = Hasher()
                Self.hashScalars(of: name, into: &memberHasher)
                value.hash(into: &memberHasher)
                membersHash ^= memberHasher.finalize()
            }
            hasher.combine(membersHash)
        }
    }

    private static func membersEqual(_ left: [String: JSONValue], _ right: [String: JSONValue]) -> Bool {
        guard left.count == right.count else { return false }
        for (name, value) in left {
            // The dictionary lookup matches canonically equivalent names, so
            // confirm that the stored name has the same scalars.
            guard let index = right.index(forKey: name) else { return false }
            let (otherName, otherValue) = right[index]
            guard otherName.utf8.elementsEqual(name.utf8), value == otherValue else { return false }
        }
        return true
    }

    private static func hashScalars(of string: String, into hasher: inout Hasher) {
        hasher.combine(string.utf8.count)
        for byte in string.utf8 {
            hasher.combine(byte)
        }
    }
}
