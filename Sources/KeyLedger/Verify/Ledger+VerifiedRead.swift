/// The outcome of a read that runs only on a ledger that verified.
public enum VerifiedRead<Value> {
    /// The ledger verified, and the read returned `value`.
    case valid(VerificationResult, Value)
    /// The ledger failed verification, and nothing was read.
    case invalid(VerificationResult)

    /// The verification result, in either case.
    public var verification: VerificationResult {
        switch self {
        case .valid(let verification, _), .invalid(let verification): verification
        }
    }
}

extension Ledger {
    /// Verifies the whole ledger, as ``verify(_:progress:)`` does, and runs
    /// `read` only when it is valid, both in one read transaction, which is
    /// the caller's when there is one.
    ///
    /// Records read from a ledger file are only as trustworthy as its
    /// verification: someone who can write the file but has none of its
    /// keys can swap a public key or delete a record. Reading in the same
    /// transaction means that no other process's write can come between the
    /// verification and the read.
    /// - Parameter options: The verification options. Give `trustAnchor`, the
    ///   genesis signing key's id kept outside the ledger: without it the
    ///   ledger is checked against its own genesis key only.
    /// - Throws: What verifying or `read` throws. A ledger that fails
    ///   verification is not an error here but ``VerifiedRead/invalid(_:)``.
    public func readVerified<Value>(_ options: VerifyOptions, _ read: () throws -> Value) throws -> VerifiedRead<Value> {
        if !connection.isAutocommit {
            return try verifyThenRead(options, read)
        }
        return try withReadTransaction { try verifyThenRead(options, read) }
    }

    private func verifyThenRead<Value>(_ options: VerifyOptions, _ read: () throws -> Value) throws -> VerifiedRead<Value> {
        let verification = try verify(options)
        guard verification.isValid else { return .invalid(verification) }
        return .valid(verification, try read())
    }
}
