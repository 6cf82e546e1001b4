/// The parts of ``JOSEError`` and ``JWTError`` that work the same way: a
/// stable code that callers match on, a reason, and the lower-layer error
/// behind it.
///
/// Conforming errors compare equal when their codes are equal, so new codes
/// and reworded reasons do not break callers.
protocol CodedError: Error, CustomStringConvertible, Equatable {
    associatedtype Code: Equatable

    var code: Code { get }
    var reason: String { get }
    var underlyingError: (any Error)? { get }

    init(code: Code, reason: String, underlyingError: (any Error)?)
}

extension CodedError {
    init(_ code: Code, _ reason: String, underlyingError: (any Error)? = nil) {
        self.init(code: code, reason: reason, underlyingError: underlyingError)
    }

    /// The reason and its cause, without the type or code name, because
    /// command-line messages print it as it is. Match on ``code`` instead.
    public var description: String {
        guard let underlyingError else {
            return reason
        }
        return "\(reason); caused by \(underlyingError)"
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code
    }
}
