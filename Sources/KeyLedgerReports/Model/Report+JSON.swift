import Foundation
import JOSE
import KeyLedger

// The JSON form of the report model, which `reports/report.schema.json`
// describes. Absent values are `null` rather than missing members, so every
// object of a type has the same members.

private func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
private func number(_ value: Int64) -> JSONValue { .number(Double(value)) }
private func number(_ value: Int) -> JSONValue { .number(Double(value)) }
/// Hashes in the report's Merkle evidence are standard base64, as C2SP checkpoints write them.
private func base64(_ bytes: [UInt8]) -> JSONValue { .string(Data(bytes).base64EncodedString()) }

extension EntryReference {
    var jsonValue: JSONValue { .object(["seq": number(sequence), "hash": .string(hashHex)]) }
}

extension StepReference {
    var jsonValue: JSONValue {
        .object([
            "seq": number(sequence), "hash": .string(entry.hashHex), "kind": .string(kind), "actor": .string(actor),
            "time": .string(time.description), "recorded_at": .string(recordedAt.description),
            "claimed": .bool(isClaimed), "emergency": optional(emergency),
        ])
    }
}

extension Optional where Wrapped == StepReference {
    var jsonValue: JSONValue { map(\.jsonValue) ?? .null }
}

extension VerificationStep {
    var jsonValue: JSONValue {
        .object(["step": step.jsonValue, "source": optional(source), "jwks_sha256": optional(jwksSHA256)])
    }
}

extension VerificationRun {
    var jsonValue: JSONValue {
        .object([
            "source": optional(source), "jwks_sha256": optional(jwksSHA256), "count": number(count),
            "first": first.jsonValue, "last": last.jsonValue,
        ])
    }
}

extension ReportPeriod {
    var jsonValue: JSONValue {
        .object([
            "label": .string(label), "start": .string(start.description), "end": .string(end.description),
            "first_day": .string(firstDay), "last_day": .string(lastDay),
        ])
    }
}

extension ReportOptions {
    var jsonValue: JSONValue {
        .object([
            "environment": optional(environment),
            "max_key_age_days": number(maximumKeyAgeDays),
            "verify_within_hours": number(verifyWithinHours),
            "sample": sample.map { .object(["size": number($0.size), "seed": .string($0.seed)]) } ?? .null,
            "trust_anchor": optional(trustAnchor),
        ])
    }
}

extension ReportCover {
    var jsonValue: JSONValue {
        .object([
            "title": .string(Self.title),
            "generator": .string(generator),
            "ledger_id": .string(ledgerID),
            "genesis_kid": optional(genesisKeyID),
            "period": period.jsonValue,
            "first_entry": firstEntry?.jsonValue ?? .null,
            "last_entry": lastEntry?.jsonValue ?? .null,
            "previous_entry": previousEntry.jsonValue,
            "head": head?.jsonValue ?? .null,
            "analysed_through": number(analysedThrough),
            "options": options.jsonValue,
            "checkpoint": checkpoint?.jsonValue ?? .null,
            "checkpoint_unavailable": optional(checkpointUnavailable),
            "previous_checkpoint": previousCheckpoint?.jsonValue ?? .null,
        ])
    }
}

extension PeriodCheckpoint {
    var jsonValue: JSONValue {
        .object([
            "origin": .string(checkpoint.origin), "tree_size": number(checkpoint.treeSize),
            "root_hash": base64(checkpoint.rootHash), "text": .string(text),
            "signing": .string(signing.rawValue), "signing_detail": .string(signingDetail),
            "checkpoint_kid": optional(currentKeyID),
        ])
    }
}

extension PreviousCheckpointCheck {
    var jsonValue: JSONValue {
        .object([
            "origin": .string(checkpoint.origin), "tree_size": number(checkpoint.treeSize),
            "root_hash": base64(checkpoint.rootHash), "ledger_root_hash": ledgerRootHash.map(base64) ?? .null,
            "root_matches": .bool(rootMatches), "signature": .string(signature.rawValue),
            "signature_detail": .string(signatureDetail),
            "consistency_proof": .array(consistencyProof.map(base64)), "proof_verified": .bool(proofVerified),
            "holds": .bool(holds),
        ])
    }
}

extension EntryInclusionProof {
    var jsonValue: JSONValue {
        .object([
            "seq": number(entry.sequence), "hash": .string(entry.hashHex), "kind": .string(kind),
            "leaf_index": number(leafIndex), "leaf_hash": base64(leafHash),
            "proof": .array(proof.map(base64)), "verified": .bool(verified),
        ])
    }
}

extension IntegrityAttestation {
    var jsonValue: JSONValue {
        .object([
            "valid": .bool(isValid),
            "entries_checked": number(entriesChecked),
            "signatures_verified": number(signaturesVerified),
            "trust_anchor_checked": .bool(trustAnchorChecked),
            "signers": .array(signers.map { signer in
                .object([
                    "kid": .string(signer.keyID), "alg": .string(signer.algorithm),
                    "introduced_at": number(signer.introducedAt),
                    "first_signed": signer.firstSigned.map(number) ?? .null,
                    "last_signed": signer.lastSigned.map(number) ?? .null,
                ])
            }),
            "handovers": .array(handovers.map { handover in
                .object([
                    "step": handover.step.jsonValue, "previous_kid": optional(handover.previousKeyID),
                    "signed_by": .string(handover.signedBy), "incoming_kid": optional(handover.incomingKeyID),
                    "consistent": .bool(handover.isConsistent),
                ])
            }),
            "failure": failure.map { failure in
                .object([
                    "seq": number(failure.sequence), "reason": .string(failure.reason), "detail": .string(failure.detail),
                    "stored_hash": optional(failure.storedHashHex),
                ])
            } ?? .null,
            "warnings": .array(warnings.map(JSONValue.string)),
        ])
    }
}

extension Population {
    var jsonValue: JSONValue {
        func states(_ counts: [StateCount]) -> JSONValue {
            .array(counts.map { .object(["state": .string($0.state), "count": number($0.count)]) })
        }
        return .object([
            "entries_in_period": number(entriesInPeriod),
            "entries_by_kind": .array(entriesByKind.map { .object(["kind": .string($0.kind), "count": number($0.count)]) }),
            "changes": .object(["total": number(changeCount), "with_activity": number(changesWithActivity), "by_state": states(changesByState)]),
            "keys": .object(["total": number(keyCount), "with_activity": number(keysWithActivity), "by_state": states(keysByState)]),
        ])
    }
}

extension KeyCustody {
    /// The key's members in the order the JSON report writes them; `verification_runs` follows, streamed.
    var jsonMembers: [(String, JSONValue)] {
        [
            ("kid", .string(keyID)), ("env", .string(environment)), ("name", .string(name)),
            ("alg", optional(algorithm)), ("custody", optional(custody)), ("provider_kid", optional(providerKeyID)),
            ("origin", origin.jsonValue), ("origin_change", optional(originChange)),
            ("published", published.jsonValue), ("published_change", optional(publishedChange)),
            ("first_verification", firstVerification?.jsonValue ?? .null),
            ("last_verification", lastVerification?.jsonValue ?? .null),
            ("verifications_in_period", number(verificationsInPeriod)),
            ("ended", ended.jsonValue), ("ended_change", optional(endedChange)),
            ("absence_confirmed", absenceConfirmed.jsonValue),
            ("age_days", ageDays.map(number) ?? .null),
            ("state_at_start", optional(stateAtStart?.rawValue)), ("state_at_end", .string(stateAtEnd.rawValue)),
            ("entries_in_period", number(entriesInPeriod)),
        ]
    }
}

extension ChangeControl {
    var jsonValue: JSONValue {
        .object([
            "id": .string(id), "summary": .string(summary), "technician": .string(technician), "reviewer": .string(reviewer),
            "criticality": optional(criticality), "needs_manager_approval": .bool(needsManagerApproval),
            "window_start": optional(windowStart?.description), "window_end": optional(windowEnd?.description),
            "rollback_plan": optional(rollbackPlan),
            "opened": opened.jsonValue, "approval": approval.jsonValue, "manager_approval": optional(managerApproval),
            "attestations": .array(attestations.map { attestation in
                .object([
                    "item": .string(attestation.item), "result": .string(attestation.passed ? "pass" : "fail"),
                    "evidence": optional(attestation.evidence), "step": attestation.step.jsonValue,
                ])
            }),
            "started": started.jsonValue, "finished": finished.jsonValue, "reason": optional(reason),
            "outcome": .string(outcome), "state_at_start": optional(stateAtStart),
            "rolled_back_keys": .array(rolledBackKeys.map { key in
                .object(["kid": .string(key.keyID), "env": .string(key.environment), "absence_confirmed": key.absenceConfirmed.jsonValue])
            }),
            "restored_keys": .array(restoredKeys.map { key in
                .object(["kid": .string(key.keyID), "env": .string(key.environment), "state": .string(key.state),
                         "served_again": key.servedAgain.jsonValue])
            }),
            "keys": .array(keys.map(JSONValue.string)),
            "entries_in_period": number(entriesInPeriod),
            "sample_rank": sampleRank.map(number) ?? .null,
        ])
    }
}

extension ExceptionRule {
    var jsonValue: JSONValue {
        .object(["id": .string(id), "severity": .string(severity.rawValue), "title": .string(title)])
    }
}

extension Finding {
    var jsonValue: JSONValue {
        .object([
            "rule": .string(rule.id), "severity": .string(rule.severity.rawValue), "title": .string(rule.title),
            "explanation": .string(explanation), "entry": entry.jsonValue,
            "change": optional(change), "kid": optional(keyID), "env": optional(environment),
        ])
    }
}

extension SampleResult {
    var jsonValue: JSONValue {
        .object([
            "method": .string(Self.method), "seed": .string(request.seed), "size": number(request.size),
            "anchor": anchor.jsonValue, "population": number(populationSize),
            "selected": .array(selected.map { selection in
                .object([
                    "rank": number(selection.rank), "change": .string(selection.change), "sha256": .string(selection.digestHex),
                    "inclusion_proofs": .array(selection.inclusionProofs.map(\.jsonValue)),
                ])
            }),
        ])
    }
}

extension AppendixRow {
    var jsonValue: JSONValue {
        .object([
            "seq": number(entry.sequence), "hash": .string(entry.hashHex), "recorded_at": .string(recordedAt.description),
            "occurred_at": optional(occurredAt), "kind": .string(kind), "actor": .string(actor),
            "kid": optional(keyID), "env": optional(environment), "change": optional(change), "emergency": optional(emergency),
        ])
    }
}
