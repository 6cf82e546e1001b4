import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge
import XCTest

final class KeyLifecycleTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!
    private var ledger: Ledger!
    private let tom = StepContext(actor: "tom")

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.edDSA)
        ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "init")
    }

    /// Opens, approves and starts change `id`.
    private func startChange(_ id: String = "CHG-1") throws {
        try ledger.openChange(ChangeRequest(id: id, summary: "Rotate", technician: "tom", reviewer: "rita"), context: tom, signingKey: signingKey)
        try ledger.approveChange(id: id, context: StepContext(actor: "rita"), signingKey: signingKey)
        try ledger.startChange(id: id, context: tom, signingKey: signingKey)
    }

    private func generate(_ env: String = "production", algorithm: JWSAlgorithm = .es256, out: String? = nil,
                          change: String = "CHG-1", context: StepContext? = nil) throws -> String {
        let request = KeyGenerationRequest(name: "api_signing_key", environment: env, algorithm: algorithm,
                                           outputPath: out ?? directory.path("\(UUID().uuidString).pem"), change: change,
                                           custody: "credentials.yml.enc (\(env))")
        let entry = try ledger.generateKey(request, context: context ?? tom, signingKey: signingKey)
        return entry.keyID ?? ""
    }

    private func entryCount() throws -> Int64 { try ledger.head()?.sequence ?? 0 }

    private func assertRejected(_ code: LedgerError.Code = .notAllowed, _ fragment: String? = nil,
                                file: StaticString = #filePath, line: UInt = #line, _ step: () throws -> Any) throws {
        let before = try entryCount()
        XCTAssertThrowsError(try step(), file: file, line: line) { error in
            XCTAssertEqual((error as? LedgerError)?.code, code, "\(error)", file: file, line: line)
            if let fragment { XCTAssertTrue("\(error)".contains(fragment), "\(error)", file: file, line: line) }
        }
        XCTAssertEqual(try entryCount(), before, "a rejected step appended an entry", file: file, line: line)
    }

    func testGenerateWritesKeyFileAndRecordsPublicKey() throws {
        try startChange()
        let out = directory.path("new.pem")
        let kid = try generate(algorithm: .rs256, out: out)
        let attributes = try FileManager.default.attributesOfItem(atPath: out)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)

        let pem = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let privateKey = try PrivateKey(pem: pem)
        XCTAssertEqual(try JWK(publicKey: privateKey.publicKey()).thumbprint(), kid)

        let record = try XCTUnwrap(ledger.key(id: kid, environment: "production"))
        XCTAssertEqual(record.state, .generated)
        XCTAssertEqual(record.algorithm, "RS256")
        XCTAssertEqual(record.custody, "credentials.yml.enc (production)")
        XCTAssertEqual(record.origin?.change, "CHG-1")
        XCTAssertEqual(record.origin?.actor, "tom")
        XCTAssertEqual(try record.publicJWK?.thumbprint(), kid)
    }

    func testPrivateKeyNeverEntersLedger() throws {
        try startChange()
        let out = directory.path("secret.pem")
        _ = try generate(algorithm: .rs256, out: out)
        let pem = try String(contentsOfFile: out, encoding: .utf8)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        var ledgerBytes = try Data(contentsOf: URL(fileURLWithPath: directory.path("ledger.db")))
        if let wal = FileManager.default.contents(atPath: directory.path("ledger.db") + "-wal") { ledgerBytes += wal }
        let ledgerText = String(decoding: ledgerBytes, as: UTF8.self)
        XCTAssertFalse(ledgerText.contains(String(body.prefix(40))))
        XCTAssertFalse(ledgerText.contains(String(body.suffix(40))))
    }

    func testLifecycleTransitions() throws {
        try startChange()
        let kid = try generate()
        try assertRejected(.notAllowed, "may move to published or rolled_back") {
            try ledger.retireKey(id: kid, environment: "production", change: "CHG-1", context: tom, signingKey: signingKey)
        }
        try ledger.publishKey(id: kid, environment: "production", change: "CHG-1", context: tom, signingKey: signingKey)
        XCTAssertEqual(try ledger.key(id: kid, environment: "production")?.state, .published)
        try assertRejected(.notAllowed, "published") {
            try ledger.publishKey(id: kid, environment: "production", change: "CHG-1", context: tom, signingKey: signingKey)
        }
        try assertRejected(.notAllowed, "verified or rolled_back") {
            try ledger.retireKey(id: kid, environment: "production", change: "CHG-1", context: tom, signingKey: signingKey)
        }
    }

    func testKeyStepsNeedInProgressChange() throws {
        try ledger.openChange(ChangeRequest(id: "CHG-1", summary: "Rotate", technician: "tom", reviewer: "rita"), context: tom, signingKey: signingKey)
        let out = directory.path("unapproved.pem")
        try assertRejected(.notAllowed, "approve") { try generate(out: out) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a rejected generate left a key file")

        try assertRejected(.notAllowed, "does not exist") { try generate(change: "CHG-404") }

        let kid = try generate(out: out, context: StepContext(actor: "tom", emergency: "signing key leaked"))
        let record = try XCTUnwrap(ledger.key(id: kid, environment: "production"))
        XCTAssertEqual(record.origin?.emergency, "signing key leaked")
    }

    func testGenerateRejectsExistingOutput() throws {
        try startChange()
        let out = directory.path("exists.pem")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: out))
        try assertRejected(.invalidInput, "already exists") { try generate(out: out) }
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "keep me")
    }

    func testGenerateRejectsWeakRSA() throws {
        try startChange()
        let request = KeyGenerationRequest(name: "k", environment: "production", algorithm: .rs256, rsaBits: 1024,
                                           outputPath: directory.path("weak.pem"), change: "CHG-1")
        try assertRejected(.invalidInput, "2048") { try ledger.generateKey(request, context: tom, signingKey: signingKey) }
    }

    func testRollbackMarksChangeKeys() throws {
        try startChange()
        let staged = try generate("staging")
        let produced = try generate("production")
        try ledger.publishKey(id: produced, environment: "production", change: "CHG-1", context: tom, signingKey: signingKey)
        let entries = try ledger.rollbackChange(id: "CHG-1", reason: "JWKS check failed", context: tom, signingKey: signingKey)
        XCTAssertEqual(entries.map(\.kind), [.rolledBack, .rolledBack, .changeRolledBack])
        XCTAssertEqual(try ledger.key(id: staged, environment: "staging")?.state, .rolledBack)
        XCTAssertEqual(try ledger.key(id: produced, environment: "production")?.state, .rolledBack)
        let change = try XCTUnwrap(ledger.change(id: "CHG-1"))
        XCTAssertEqual(change.state, .aborted)
        XCTAssertTrue(change.rolledBack)
        XCTAssertEqual(try ledger.expectedJWKS(environment: "production").keys.count, 0)
    }

    func testSecondRollbackNamesRolledBackState() throws {
        try startChange()
        try ledger.rollbackChange(id: "CHG-1", context: tom, signingKey: signingKey)
        try assertRejected(.notAllowed, "it is rolled back,") {
            try ledger.rollbackChange(id: "CHG-1", context: tom, signingKey: signingKey)
        }
    }

    /// Records a JWKS check in which the endpoint serves exactly the expected set.
    private func checkServedAsExpected(_ env: String = "production", change: String) throws {
        let served = try ledger.expectedJWKS(environment: env).jsonValue.serialized(pretty: false)
        let observation = JWKSObservation(source: .file("jwks.json"), body: Array(served.utf8))
        let result = try ledger.checkJWKS(environment: env, observation: observation, change: change, context: tom, signingKey: signingKey)
        XCTAssertTrue(result.matched)
    }

    /// Puts a verified key in service under CHG-1, then rotates to a new key under CHG-2, which retires it.
    private func rotateRetiringOldKey() throws -> (old: String, new: String, retired: Entry) {
        try startChange("CHG-1")
        let old = try generate(change: "CHG-1")
        try ledger.publishKey(id: old, environment: "production", change: "CHG-1", context: tom, signingKey: signingKey)
        try checkServedAsExpected(change: "CHG-1")
        try ledger.completeChange(id: "CHG-1", context: tom, signingKey: signingKey)

        try startChange("CHG-2")
        let new = try generate(change: "CHG-2")
        try ledger.publishKey(id: new, environment: "production", change: "CHG-2", context: tom, signingKey: signingKey)
        try checkServedAsExpected(change: "CHG-2")
        let retired = try ledger.retireKey(id: old, environment: "production", change: "CHG-2", context: tom, signingKey: signingKey)
        return (old, new, retired)
    }

    func testRollbackRestoresKeyTheChangeRetired() throws {
        let (old, new, retired) = try rotateRetiringOldKey()
        XCTAssertEqual(try ledger.expectedJWKS(environment: "production").keys.map { try $0.thumbprint() }, [new])

        let entries = try ledger.rollbackChange(id: "CHG-2", reason: "clients rejected the new key", context: tom, signingKey: signingKey)
        XCTAssertEqual(entries.map(\.kind), [.rolledBack, .restored, .changeRolledBack])
        XCTAssertEqual(entries[0].keyID, new)
        XCTAssertEqual(entries[1].keyID, old)
        XCTAssertEqual(entries[1].body["state"], .string("verified"))
        XCTAssertEqual(entries[1].body["change"], .string("CHG-2"))
        XCTAssertEqual(entries[1].body["retired_seq"], .number(Double(retired.sequence)))
        XCTAssertEqual(entries[2].body["restored"], .array([
            .object(["kid": .string(old), "env": .string("production"), "state": .string("verified")]),
        ]))
        XCTAssertEqual(entries[2].body["keys"], .array([.object(["kid": .string(new), "env": .string("production")])]))

        let record = try XCTUnwrap(ledger.key(id: old, environment: "production"))
        XCTAssertEqual(record.state, .verified)
        XCTAssertNil(record.ended)
        XCTAssertEqual(record.restored?.sequence, entries[1].sequence)
        XCTAssertEqual(try ledger.key(id: new, environment: "production")?.state, .rolledBack)
        XCTAssertEqual(try ledger.expectedJWKS(environment: "production").keys.map { try $0.thumbprint() }, [old])
        XCTAssertTrue(try ledger.verify().isValid)
    }

    func testRestoredKeyContinuesItsLifecycle() throws {
        let (old, _, _) = try rotateRetiringOldKey()
        try ledger.rollbackChange(id: "CHG-2", context: tom, signingKey: signingKey)
        try startChange("CHG-3")
        try checkServedAsExpected(change: "CHG-3")
        try ledger.retireKey(id: old, environment: "production", change: "CHG-3", context: tom, signingKey: signingKey)
        XCTAssertEqual(try ledger.key(id: old, environment: "production")?.state, .retired)
        try assertRejected(.notAllowed, "retired and cannot become published") {
            try ledger.publishKey(id: old, environment: "production", change: "CHG-3", context: tom, signingKey: signingKey)
        }
    }

    func testRollbackKeepsRetiredKeyTheChangeCreated() throws {
        try startChange()
        let kid = try generate()
        try ledger.publishKey(id: kid, environment: "production", change: "CHG-1", context: tom, signingKey: signingKey)
        try checkServedAsExpected(change: "CHG-1")
        try ledger.retireKey(id: kid, environment: "production", change: "CHG-1", context: tom, signingKey: signingKey)

        let entries = try ledger.rollbackChange(id: "CHG-1", context: tom, signingKey: signingKey)
        XCTAssertEqual(entries.map(\.kind), [.changeRolledBack], "a key that was not served before the change stays retired")
        XCTAssertNil(entries[0].body["restored"])
        XCTAssertEqual(try ledger.key(id: kid, environment: "production")?.state, .retired)
    }

    func testRollbackRejectsKeyRetiredByLaterChange() throws {
        let (old, _, _) = try rotateRetiringOldKey()
        try assertRejected(.notAllowed, "retired by change CHG-2: roll back change CHG-2 first") {
            try ledger.rollbackChange(id: "CHG-1", context: tom, signingKey: signingKey)
        }
        XCTAssertFalse(try XCTUnwrap(ledger.change(id: "CHG-1")).rolledBack)
        XCTAssertEqual(try ledger.key(id: old, environment: "production")?.state, .retired)

        // In the order the error names, both rollbacks succeed and the old key ends rolled back.
        try ledger.rollbackChange(id: "CHG-2", context: tom, signingKey: signingKey)
        let entries = try ledger.rollbackChange(id: "CHG-1", context: tom, signingKey: signingKey)
        XCTAssertEqual(entries.map(\.kind), [.rolledBack, .changeRolledBack])
        XCTAssertEqual(try ledger.key(id: old, environment: "production")?.state, .rolledBack)
        XCTAssertEqual(try ledger.expectedJWKS(environment: "production").keys.count, 0)
    }

    func testRollbackAllowsKeyRetiredByAbortedChange() throws {
        let (old, _, _) = try rotateRetiringOldKey()
        try ledger.abortChange(id: "CHG-2", context: tom, signingKey: signingKey)
        let entries = try ledger.rollbackChange(id: "CHG-1", context: tom, signingKey: signingKey)
        XCTAssertEqual(entries.map(\.kind), [.changeRolledBack], "an aborted change cannot be rolled back, so its retirement is final")
        XCTAssertEqual(try ledger.key(id: old, environment: "production")?.state, .retired)
    }

    func testRestoredKindOnlyThroughRollback() throws {
        XCTAssertThrowsError(try EntryKind(validatingForGenericAppend: "restored")) { error in
            XCTAssertTrue("\(error)".contains("keyledger change rollback"), "\(error)")
        }
    }

    func testExpectedJWKSHoldsPublishedKeysOnly() throws {
        try startChange()
        let generatedOnly = try generate()
        let published = try generate()
        try ledger.publishKey(id: published, environment: "production", change: "CHG-1", context: tom, signingKey: signingKey)
        let set = try ledger.expectedJWKS(environment: "production")
        XCTAssertEqual(try set.keys.map { try $0.thumbprint() }, [published])
        XCTAssertFalse(try set.keys.map { try $0.thumbprint() }.contains(generatedOnly))
        XCTAssertEqual(try ledger.expectedJWKS(environment: "staging").keys.count, 0)
    }

    func testImportKeepsProviderKidAndRejectsPrivateMembers() throws {
        try startChange("CHG-7")
        let privateKey = try PrivateKey.generate(.ec(.p256))
        var jwk = try JWK(publicKey: privateKey.publicKey(), algorithm: "ES256")
        jwk.keyID = "provider-key-1"
        let entries = try ledger.importKeys([jwk], name: "idp", environment: "production", change: "CHG-7", source: "test",
                                            context: tom, signingKey: signingKey)
        let kid = try jwk.thumbprint()
        XCTAssertEqual(entries.first?.keyID, kid)
        XCTAssertEqual(entries.first?.body["provider_kid"]?.stringValue, "provider-key-1")
        try assertRejected(.notAllowed, "already recorded") {
            try ledger.importKeys([jwk], name: "idp", environment: "production", change: "CHG-7", source: "test",
                                  context: tom, signingKey: signingKey)
        }

        var privateMembers = try XCTUnwrap(jwk.jsonValue.objectValue)
        privateMembers["d"] = "c2VjcmV0"
        let json = try JCS.canonicalize(.object(privateMembers))
        XCTAssertThrowsError(try KeyImportFormat.jwk.keys(from: json, source: "leaky.json")) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .invalidInput)
            XCTAssertTrue("\(error)".contains("\"d\"") || "\(error)".contains("d"), "\(error)")
            XCTAssertFalse("\(error)".contains("c2VjcmV0"), "the error repeats the private value")
        }
    }

    func testImportNeedsInProgressChange() throws {
        let jwk = try JWK(publicKey: PrivateKey.generate(.ec(.p256)).publicKey())
        try assertRejected(.notAllowed, "change \"CHG-9\" does not exist") {
            try ledger.importKeys([jwk], name: "idp", environment: "production", change: "CHG-9", source: "test",
                                  context: tom, signingKey: signingKey)
        }
        try ledger.openChange(ChangeRequest(id: "CHG-9", summary: "Import", technician: "tom", reviewer: "rita"),
                              context: tom, signingKey: signingKey)
        try assertRejected(.notAllowed, "cannot import a key under change CHG-9, which is open") {
            try ledger.importKeys([jwk], name: "idp", environment: "production", change: "CHG-9", source: "test",
                                  context: tom, signingKey: signingKey)
        }

        let emergency = StepContext(actor: "tom", emergency: "provider rotated its key overnight")
        let entries = try ledger.importKeys([jwk], name: "idp", environment: "production", change: "CHG-9", source: "test",
                                            context: emergency, signingKey: signingKey)
        XCTAssertEqual(entries.first?.body["emergency"]?.stringValue, "provider rotated its key overnight")
    }

    func testImportRejectsLedgerOwnKeys() throws {
        let checkpointKey = try PrivateKey.generate(.ed25519)
        let earlierSigner = try SigningKey.generate(.es256)
        ledger = try Ledger.create(at: directory.path("own-keys.db"), signingKey: earlierSigner, actor: "init",
                                   checkpointKey: checkpointKey)
        try ledger.rotateSigningKey(to: signingKey, actor: "init", signingKey: earlierSigner)
        try startChange()

        let cases: [(name: String, key: PublicKey, fragment: String)] = [
            ("current signing key", try signingKey.privateKey.publicKey(), "is a signing key of this ledger"),
            ("earlier signing key", try earlierSigner.privateKey.publicKey(), "is a signing key of this ledger"),
            ("checkpoint key", try checkpointKey.publicKey(), "is a checkpoint key of this ledger"),
        ]
        for (name, key, fragment) in cases {
            let jwk = try JWK(publicKey: key)
            let before = try entryCount()
            XCTAssertThrowsError(try ledger.importKeys([jwk], name: "idp", environment: "production", change: "CHG-1",
                                                       source: "test", context: tom, signingKey: signingKey), name) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(name): \(error)")
                XCTAssertTrue("\(error)".contains("key \((try? jwk.thumbprint()) ?? "") \(fragment)"), "\(name): \(error)")
            }
            XCTAssertEqual(try entryCount(), before, "\(name): a rejected import appended an entry")
        }
    }

    func testLedgerKeysCannotBeManagedKeys() throws {
        try startChange()
        let generatedPath = directory.path("generated.pem")
        let generatedKeyID = try generate(algorithm: .es256, out: generatedPath)
        let generated = try SigningKey(privateKey: PrivateKey(pem: String(contentsOfFile: generatedPath, encoding: .utf8)))
        XCTAssertEqual(generated.keyID, generatedKeyID)
        try assertRejected(.invalidInput, "the new signing key (kid \(generatedKeyID)) is a JWT signing key of this ledger, generated at entry 5") {
            try ledger.rotateSigningKey(to: generated, actor: "tom", signingKey: signingKey)
        }

        let imported = try PrivateKey.generate(.ed25519)
        let importedJWK = try JWK(publicKey: imported.publicKey())
        let entries = try ledger.importKeys([importedJWK], name: "idp", environment: "production", change: "CHG-1",
                                            source: "test", context: tom, signingKey: signingKey)
        let importedAt = try XCTUnwrap(entries.first?.sequence)
        try assertRejected(.invalidInput, "is a JWT signing key of this ledger, imported at entry \(importedAt)") {
            try ledger.rotateSigningKey(to: SigningKey(privateKey: imported), actor: "tom", signingKey: signingKey)
        }
        try assertRejected(.invalidInput, "the new checkpoint key (kid \(try importedJWK.thumbprint())) is a JWT signing key") {
            try ledger.rotateCheckpointKey(to: imported, previous: nil, actor: "tom", signingKey: signingKey)
        }
    }

    func testEmergencyNeedsReason() throws {
        for reason in ["", "   "] {
            let emergency = StepContext(actor: "tom", emergency: reason)
            let out = directory.path("emergency.pem")
            try assertRejected(.invalidInput, "the emergency reason is empty") {
                try generate(out: out, change: "CHG-404", context: emergency)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a rejected generate left its key file")

            let jwk = try JWK(publicKey: PrivateKey.generate(.ec(.p256)).publicKey())
            try assertRejected(.invalidInput, "the emergency reason is empty") {
                try ledger.importKeys([jwk], name: "idp", environment: "production", change: "CHG-404", source: "test",
                                      context: emergency, signingKey: signingKey)
            }
        }
    }
}
