import JOSE

extension ChangeRecord.Step {
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "kind": .string(kind.rawValue), "actor": .string(actor), "time": .string(time.description),
            "seq": .number(Double(sequence)), "hash": .string(hexString(hash)),
        ]
        if let emergency { object["emergency"] = .string(emergency) }
        return .object(object)
    }
}

extension ChangeRecord {
    /// The change as JSON, the form `keyledger change show --json` prints.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "summary": .string(summary), "technician": .string(technician),
            "reviewer": .string(reviewer), "state": .string(state.rawValue), "rolled_back": .bool(rolledBack),
            "steps": .array(steps.map(\.jsonValue)),
            "attestations": .array(attestations.map { attestation in
                var member: [String: JSONValue] = [
                    "item": .string(attestation.item), "result": .string(attestation.passed ? "pass" : "fail"),
                    "actor": .string(attestation.actor), "time": .string(attestation.time.description),
                    "seq": .number(Double(attestation.sequence)),
                ]
                if let evidence = attestation.evidence { member["evidence"] = .string(evidence) }
                return .object(member)
            }),
        ]
        if let criticality { object["criticality"] = .string(criticality.rawValue) }
        if let windowStart { object["window_start"] = .string(windowStart.description) }
        if let windowEnd { object["window_end"] = .string(windowEnd.description) }
        if let rollbackPlan { object["rollback_plan"] = .string(rollbackPlan) }
        if let approvedBy { object["approved_by"] = .string(approvedBy) }
        if let managerApproval { object["manager_approval"] = .string(managerApproval) }
        return .object(object)
    }
}
