import Foundation
import JOSE
import KeyLedger
import XCTest

extension Scenario {
    /// Builds a quarter with the situations a real one has. A key is carried in
    /// from the quarter before and a C2 rotation retires it. A staging key is
    /// published under an emergency, and a rotation is rolled back after clients
    /// rejected its key. The ledger's signing key is handed over, and a change
    /// is still waiting when the quarter ends.
    ///
    /// The report on 2026-Q4 has two exceptions: the emergency step and the open change.
    func buildSampleQuarter() throws {
        // 2026-Q3: the production key in service when the quarter begins.
        let day0 = "2026-09-21"
        try open("CHG-0990", at: "\(day0)T08:00:00Z", window: ("\(day0)T09:00:00Z", "\(day0)T12:00:00Z"),
                 summary: "Initial JWT signing key for SOX audit events")
        try attest("CHG-0990", at: "\(day0)T08:10:00Z")
        try approve("CHG-0990", at: "\(day0)T08:30:00Z")
        try start("CHG-0990", at: "\(day0)T09:00:00Z")
        let oldKey = try generate("CHG-0990", at: "\(day0)T09:05:00Z", name: "sox_audit_events_jwt_signing_key")
        try publish(oldKey.keyID, "CHG-0990", at: "\(day0)T09:10:00Z")
        try checkJWKS(at: "\(day0)T09:15:00Z", change: "CHG-0990")
        try complete("CHG-0990", at: "\(day0)T09:30:00Z")

        // CHG-1001: the quarterly rotation, C2 with a manager's approval.
        let day1 = "2026-10-06"
        try open("CHG-1001", at: "\(day1)T07:30:00Z", criticality: .c2, window: ("\(day1)T09:00:00Z", "\(day1)T13:00:00Z"),
                 summary: "Rotate the JWT signing key for SOX audit events")
        try attest("CHG-1001", at: "\(day1)T07:40:00Z", item: .testedInStaging, evidence: "staging run 481")
        try attest("CHG-1001", at: "\(day1)T07:45:00Z", item: .rollbackPlanReviewed, evidence: "runbook RB-12 rev 4")
        try attest("CHG-1001", at: "\(day1)T07:50:00Z", item: .monitoring, evidence: "401 rate alert on api-gateway")
        try approve("CHG-1001", at: "\(day1)T08:15:00Z", manager: "maria")
        try start("CHG-1001", at: "\(day1)T09:02:00Z")
        let newKey = try generate("CHG-1001", at: "\(day1)T09:10:00Z", name: "sox_audit_events_jwt_signing_key")
        try publish(newKey.keyID, "CHG-1001", at: "\(day1)T09:20:00Z")
        try checkJWKS(at: "\(day1)T09:25:00Z", change: "CHG-1001")
        try retire(oldKey.keyID, "CHG-1001", at: "\(day1)T11:00:00Z")
        try checkJWKS(at: "\(day1)T11:05:00Z", change: "CHG-1001")
        try complete("CHG-1001", at: "\(day1)T11:30:00Z")

        // CHG-1002: a staging key published under an emergency.
        let day2 = "2026-10-21"
        try open("CHG-1002", at: "\(day2)T08:00:00Z", window: nil, summary: "Staging signing key for the load test")
        try approve("CHG-1002", at: "\(day2)T08:20:00Z")
        try start("CHG-1002", at: "\(day2)T08:30:00Z")
        let stagingKey = try generate("CHG-1002", at: "\(day2)T08:35:00Z", name: "sox_audit_events_jwt_signing_key",
                                      environment: "staging", custody: "vault: kv/staging/jwt")
        try publish(stagingKey.keyID, "CHG-1002", at: "\(day2)T08:40:00Z", environment: "staging",
                    emergency: "load test started before the publish window")
        try checkJWKS(at: "\(day2)T08:45:00Z", environment: "staging",
                      url: "https://staging.example.com/.well-known/jwks.json", change: "CHG-1002")
        try complete("CHG-1002", at: "\(day2)T09:00:00Z")

        // The ledger's own signing key is handed over.
        try handOver(at: "2026-11-02T10:00:00Z", to: try SigningKey.generate(.es256), previousKeyID: signingKey.keyID)

        // CHG-1003: a rotation rolled back after clients rejected the new key, and the check that shows it gone.
        let day3 = "2026-11-03"
        try open("CHG-1003", at: "\(day3)T08:00:00Z", window: ("\(day3)T09:00:00Z", "\(day3)T12:00:00Z"),
                 summary: "Move production signing to ES256")
        try attest("CHG-1003", at: "\(day3)T08:05:00Z", item: .dryRun, evidence: "dry run 12")
        try approve("CHG-1003", at: "\(day3)T08:30:00Z")
        try start("CHG-1003", at: "\(day3)T09:00:00Z")
        let rejected = try generate("CHG-1003", at: "\(day3)T09:05:00Z", name: "sox_audit_events_jwt_signing_key_es256")
        try publish(rejected.keyID, "CHG-1003", at: "\(day3)T09:10:00Z")
        try checkJWKS(at: "\(day3)T09:15:00Z", change: "CHG-1003")
        try step(at: "\(day3)T09:40:00Z") { ledger, key in
            try ledger.rollbackChange(id: "CHG-1003", reason: "mobile clients rejected ES256 tokens",
                                      context: StepContext(actor: "tina"), signingKey: key)
        }
        try checkJWKS(at: "\(day3)T09:50:00Z", change: "CHG-1003")
        try raw(at: "\(day3)T10:30:00Z", .note, actor: "rui", ["text": "post-incident review scheduled"])

        // CHG-1004: approved in December, not started before the quarter ended.
        try open("CHG-1004", at: "2026-12-15T08:00:00Z", window: ("2027-01-12T09:00:00Z", "2027-01-12T12:00:00Z"),
                 summary: "Annual rotation of the staging signing key")
        try approve("CHG-1004", at: "2026-12-16T10:00:00Z")
    }
}
