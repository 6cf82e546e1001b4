import KeyLedger

/// The entry that gave a key id one of its roles.
struct KeyRoleEntry {
    let sequence: Int64
    /// The role, such as "ledger signing key" or "JWT signing key generated in production".
    let role: String
}

/// The rule that no key is both one of the ledger's own keys and a managed JWT signing key.
extension LedgerAnalysis {
    /// Notes the key roles `entry` gives and flags, in the period, an entry
    /// that gives a key id its second role.
    ///
    /// Ledger keys come from the genesis entry (`signing_key`, `checkpoint_key`),
    /// signing-key handovers and checkpoint-key rotations. Managed keys come from
    /// `generated` and `imported` entries. `importKeys` and both key rotations
    /// reject such reuse when they append, but older versions and other
    /// software wrote ledgers without that check.
    mutating func checkKeyRoles(_ entry: Entry, inPeriod: Bool) {
        for (keyID, role) in Self.ledgerKeyRoles(of: entry) {
            if inPeriod, let managed = managedKeyEntries[keyID] {
                addFinding(.keyReusedAsLedgerKey, entry,
                           "key \(keyID) became the \(role) at entry \(entry.sequence), but it is a \(managed.role) since entry \(managed.sequence)")
            }
            if ledgerKeyEntries[keyID] == nil {
                ledgerKeyEntries[keyID] = KeyRoleEntry(sequence: entry.sequence, role: role)
            }
        }
        guard entry.kind == .generated || entry.kind == .imported, let keyID = entry.keyID else { return }
        let environment = entry.body["env"]?.stringValue
        let role = "JWT signing key \(entry.kind) in \(environment ?? "no environment")"
        if inPeriod, let ledgerKey = ledgerKeyEntries[keyID] {
            addFinding(.keyReusedAsLedgerKey, entry,
                       "key \(keyID) became a \(role) at entry \(entry.sequence), but it is the \(ledgerKey.role) since entry \(ledgerKey.sequence)",
                       change: entry.changeID, keyID: environment == nil ? nil : keyID, environment: environment)
        }
        if managedKeyEntries[keyID] == nil {
            managedKeyEntries[keyID] = KeyRoleEntry(sequence: entry.sequence, role: role)
        }
    }

    /// Returns the key ids to which `entry` gives a ledger role, each with that role.
    private static func ledgerKeyRoles(of entry: Entry) -> [(String, String)] {
        var roles: [(String, String)] = []
        switch entry.kind {
        case .genesis, .signingKeyRotated:
            if let keyID = entry.body["signing_key"]?["kid"]?.stringValue {
                roles.append((keyID, "ledger signing key"))
            }
            if let keyID = entry.body["checkpoint_key"]?["kid"]?.stringValue {
                roles.append((keyID, "ledger checkpoint key"))
            }
        case .checkpointKeyRotated:
            if let keyID = entry.body["checkpoint_key"]?["kid"]?.stringValue {
                roles.append((keyID, "ledger checkpoint key"))
            }
        default:
            break
        }
        return roles
    }
}
