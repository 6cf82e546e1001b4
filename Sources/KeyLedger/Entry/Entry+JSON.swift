import JOSE

extension Entry {
    /// The entry as one JSON object, the form `keyledger log --json` prints one per line.
    ///
    /// Hashes are lowercase hex. `canonical` is left out because it repeats
    /// the other members; read it from the ledger file to check a hash.
    public var jsonValue: JSONValue {
        .object([
            "seq": .number(Double(sequence)),
            "recorded_at": .string(recordedAt.description),
            "kind": .string(kind.rawValue),
            "actor": .string(actor),
            "body": .object(body),
            "ledger": .string(ledgerID),
            "prev_hash": .string(previousHashHex),
            "hash": .string(hashHex),
            "signer": .string(signerKeyID),
            "alg": .string(algorithm),
            "signature": .string(signature),
        ])
    }
}

extension VerificationResult {
    /// The result as one JSON object, the form `keyledger verify --json` prints.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "valid": .bool(isValid),
            "ledger": .string(ledgerID),
            "entries_checked": .number(Double(entriesChecked)),
            "signatures_verified": .number(Double(signaturesVerified)),
            "trust_anchor_checked": .bool(trustAnchorChecked),
            "expected_head_checked": .bool(expectedHeadChecked),
            "warnings": .array(warnings.map(JSONValue.string)),
            "signers": .array(signers.map { signer in
                var member: [String: JSONValue] = [
                    "kid": .string(signer.keyID),
                    "alg": .string(signer.algorithm),
                    "introduced_at": .number(Double(signer.introducedAt)),
                ]
                if let first = signer.firstSigned { member["first_signed"] = .number(Double(first)) }
                if let last = signer.lastSigned { member["last_signed"] = .number(Double(last)) }
                return .object(member)
            }),
        ]
        if let genesisKeyID { object["genesis_kid"] = .string(genesisKeyID) }
        if let head {
            // On a failed ledger this is only the last entry that verified, not a head to keep.
            object[isValid ? "head" : "last_verified"] = .string(head.description)
        }
        if let failure {
            object["failure"] = .object([
                "seq": .number(Double(failure.sequence)),
                "reason": .string(failure.reason.rawValue),
                "detail": .string(failure.detail),
            ])
        }
        return .object(object)
    }
}
