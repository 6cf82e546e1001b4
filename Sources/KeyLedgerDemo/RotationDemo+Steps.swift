import Foundation
import JOSE
import KeyLedger
import KeyLedgerReports
import LoopbackHTTP

extension RotationDemo {
    /// A key the demo generated: its id, environment and private key file.
    struct DemoKey {
        let keyID: String
        let environment: String
        let privateKeyPath: String
    }

    /// The demo's steps, each one library call with the same arguments a CLI command would pass.
    struct Steps {
        let ledger: Ledger
        let signingKey: SigningKey
        let server: LoopbackHTTPServer
        let keysDirectory: URL
        let transport: any JWKSTransport
        let log: (String) -> Void

        private func context(_ actor: String) -> StepContext {
            StepContext(actor: actor)
        }

        /// Opens, attests, approves and starts a change whose window runs from an hour ago to four hours from now.
        private func openAndStart(_ id: String, summary: String, criticality: Criticality) throws {
            let now = Timestamp.now()
            let hour: Int64 = 3_600_000
            let request = ChangeRequest(
                id: id, summary: summary, technician: RotationDemo.technician, reviewer: RotationDemo.reviewer,
                criticality: criticality,
                windowStart: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - hour),
                windowEnd: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 4 * hour),
                rollbackPlan: "Remove the new keys from the JWKS, redeploy the previous credentials, and roll the change back in keyledger")
            try ledger.openChange(request, context: context(RotationDemo.technician), signingKey: signingKey)
            try ledger.attestChange(id: id, item: .testedInStaging, evidence: "token issue and verify passed against the staging JWKS",
                                    context: context(RotationDemo.technician), signingKey: signingKey)
            try ledger.attestChange(id: id, item: .dryRun, evidence: "dry run of the deploy pipeline, no errors",
                                    context: context(RotationDemo.technician), signingKey: signingKey)
            try ledger.attestChange(id: id, item: .rollbackPlanReviewed, evidence: "reviewed with the service owner",
                                    context: context(RotationDemo.reviewer), signingKey: signingKey)
            try ledger.approveChange(id: id, managerApproval: criticality.needsManagerApproval ? RotationDemo.manager : nil,
                                     context: context(RotationDemo.reviewer), signingKey: signingKey)
            try ledger.startChange(id: id, context: context(RotationDemo.technician), signingKey: signingKey)
            log("\(id): opened, checklist attested, approved by \(RotationDemo.reviewer), started")
        }

        private func generate(_ environment: String, change: String, fileName: String) throws -> DemoKey {
            let path = keysDirectory.appendingPathComponent(fileName).path
            let request = KeyGenerationRequest(
                name: RotationDemo.keyName, environment: environment, algorithm: .rs256, rsaBits: 2048,
                outputPath: path, change: change, custody: "credentials.yml.enc (\(environment))")
            let entry = try ledger.generateKey(request, context: context(RotationDemo.technician), signingKey: signingKey)
            let key = DemoKey(keyID: entry.keyID ?? "", environment: environment, privateKeyPath: path)
            log("\(change): generated RS256 key \(key.keyID) for \(environment), private key in \(path) (mode 0600)")
            return key
        }

        private func publish(_ key: DemoKey, change: String) throws {
            try ledger.publishKey(id: key.keyID, environment: key.environment, change: change,
                                  context: context(RotationDemo.technician), signingKey: signingKey)
        }

        /// Serves the environment's expected JWKS, or `override` in its place, at /ENV/jwks.json.
        private func serveJWKS(_ environment: String, override: JWKS? = nil) throws {
            let set = try override ?? ledger.expectedJWKS(environment: environment)
            server.serve("/\(environment)/jwks.json", body: Array(try set.jsonValue.serialized(pretty: true).utf8))
        }

        /// Fetches the served JWKS over HTTP and records the check.
        @discardableResult
        private func check(_ environment: String, change: String?) throws -> JWKSCheckResult {
            let url = server.url("/\(environment)/jwks.json")
            let observation = try JWKSObservation.fetch(url, with: JWKSFetcher(timeout: 5, transport: transport))
            let result = try ledger.checkJWKS(environment: environment, observation: observation, change: change,
                                              context: context(RotationDemo.monitor), signingKey: signingKey)
            if result.matched {
                var line = "\(change ?? "-"): JWKS check of \(url) passed: \(countOf(result.expected.count, "expected key")) served"
                if !result.absentConfirmed.isEmpty {
                    line += ", \(countOf(result.absentConfirmed.count, "retired or rolled-back key")) confirmed gone"
                }
                log(line)
            } else {
                log("\(change ?? "-"): JWKS check of \(url) FAILED: missing \(result.missing), unexpected \(result.unexpected)")
            }
            return result
        }

        /// Records CHG-0990, the change that puts the current production key in service.
        ///
        /// Its steps carry no claimed times. Dated before the new ledger's
        /// genesis entry, they would each be `step.claimed_before_ledger` in the report.
        func recordKeyInService() throws -> DemoKey {
            try openAndStart("CHG-0990", summary: "Initial JWT signing key for SOX audit events reporting", criticality: .c3)
            let key = try generate("production", change: "CHG-0990", fileName: "production-previous.pem")
            try publish(key, change: "CHG-0990")
            try serveJWKS("production")
            try check("production", change: "CHG-0990")
            try ledger.completeChange(id: "CHG-0990", context: context(RotationDemo.technician), signingKey: signingKey)
            log("CHG-0990: recorded the production key in service")
            return key
        }

        /// CHG-1001: new keys for staging and production, published, checked, used and monitored.
        func rotate() throws -> (staging: DemoKey, production: DemoKey) {
            try openAndStart("CHG-1001", summary: "New JWT signing keys for SOX audit events reporting", criticality: .c2)
            let staging = try generate("staging", change: "CHG-1001", fileName: "staging.pem")
            let production = try generate("production", change: "CHG-1001", fileName: "production.pem")
            try publish(staging, change: "CHG-1001")
            try publish(production, change: "CHG-1001")
            try serveJWKS("staging")
            try serveJWKS("production")
            try check("staging", change: "CHG-1001")
            try check("production", change: "CHG-1001")

            // An API token signed with the new production key, verified against the served JWKS.
            let privateKey = try KeyFile.loadPrivateKey(path: production.privateKeyPath)
            let token = try JWT.issue(claims: ["sub": "sox-audit-events-reporter", "aud": "sox-audit-events"],
                                      key: privateKey, algorithm: .rs256, keyID: production.keyID, timeToLive: 300)
            let served = try JWKSFetcher(timeout: 5, transport: transport).fetch(URL(string: server.url("/production/jwks.json"))!)
            let verified = try JWTValidator(keySet: JWKS(json: JSONValue(parsing: served.body))).validate(token)
            log("CHG-1001: issued an API token with the new production key and verified it against the served JWKS (kid \(verified.header.keyID ?? "-"))")

            try ledger.attestChange(id: "CHG-1001", item: .monitoring,
                                    evidence: "HTTP 401 rate at the validating service: 0.02% before, 0.02% after (15-minute windows)",
                                    context: context(RotationDemo.technician), signingKey: signingKey)
            try ledger.completeChange(id: "CHG-1001", context: context(RotationDemo.technician), signingKey: signingKey)
            log("CHG-1001: 401 rate recorded as monitoring evidence; change complete")
            return (staging, production)
        }

        /// CHG-1002: a further production key the endpoint never serves, so the check fails and the change is rolled back.
        func failedRotation() throws {
            try openAndStart("CHG-1002", summary: "Further rotation of the production JWT signing key", criticality: .c2)
            let extra = try generate("production", change: "CHG-1002", fileName: "production-rolled-back.pem")
            let servedBefore = try ledger.expectedJWKS(environment: "production")
            try publish(extra, change: "CHG-1002")
            // The deploy did not reach the endpoint: it still serves the keys from before this change.
            let stale = JWKS(keys: servedBefore.keys)
            try serveJWKS("production", override: stale)
            try check("production", change: "CHG-1002")
            try ledger.rollbackChange(id: "CHG-1002", reason: "the JWKS endpoint does not serve the new key",
                                      context: context(RotationDemo.technician), signingKey: signingKey)
            log("CHG-1002: rolled back; key \(extra.keyID) is now rolled_back")
            try serveJWKS("production")
            try check("production", change: "CHG-1002")
        }

        /// CHG-1003: retire the key from CHG-0990 and prove that the endpoint no longer serves it.
        func retire(_ old: DemoKey, keeping current: DemoKey) throws {
            try openAndStart("CHG-1003", summary: "Retire the previous production JWT signing key", criticality: .c3)
            try ledger.retireKey(id: old.keyID, environment: "production", change: "CHG-1003",
                                 context: context(RotationDemo.technician), signingKey: signingKey)
            try serveJWKS("production")
            try check("production", change: "CHG-1003")
            try ledger.completeChange(id: "CHG-1003", context: context(RotationDemo.technician), signingKey: signingKey)
            log("CHG-1003: retired \(old.keyID); the endpoint serves only \(current.keyID)")
        }

        /// Writes the report for the current calendar quarter in every format, records each
        /// report in the ledger, and returns the files written.
        func writeReports(into directory: URL, trustAnchor: String) throws -> [String] {
            let today = Timestamp.now().description
            let month = Int(today.dropFirst(5).prefix(2)) ?? 1
            let quarter = try ReportPeriod(quarter: "\(today.prefix(4))-Q\((month - 1) / 3 + 1)")
            let options = ReportOptions(period: quarter, trustAnchor: trustAnchor)
            // All four reports are written before any is recorded, so they describe the same head.
            let outcomes = try ReportFormat.allCases.map { format in
                try ReportGenerator(ledger: ledger, options: options).write(format, to: directory)
            }
            for outcome in outcomes {
                try ledger.append(outcome.recordEvent(actor: "auditor@example.com"), signingKey: signingKey)
            }
            let files = outcomes.flatMap { $0.files.map(\.url.path) + [$0.manifest.url.path] }
            let findings = outcomes.first?.report.findings.count ?? 0
            log("wrote the \(quarter.label) report as \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")) with \(countOf(findings, "exception")), and recorded each in the ledger")
            return files
        }
    }
}

/// "1 key", "2 keys".
func countOf(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
