import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge
import XCTest

/// The generic append path (`Event(kind:actor:body:)` and `Ledger.append`)
/// takes only `note` and `x-` kinds, and every other built-in kind comes only
/// from its own library call.
final class GenericAppendTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!
    private var ledger: Ledger!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.edDSA)
        ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "init")
    }

    /// Each built-in kind other than `note`, with the call the rejection must name.
    private static let dedicatedKinds: [(kind: EntryKind, call: String)] = [
        (.genesis, "Ledger.create("),
        (.signingKeyRotated, "Ledger.rotateSigningKey("),
        (.checkpointKeyRotated, "Ledger.rotateCheckpointKey("),
        (.generated, "Ledger.generateKey("),
        (.imported, "Ledger.importKeys("),
        (.published, "Ledger.publishKey("),
        (.verified, "Ledger.checkJWKS("),
        (.retired, "Ledger.retireKey("),
        (.rolledBack, "Ledger.rollbackChange("),
        (.restored, "Ledger.rollbackChange("),
        (.jwksChecked, "Ledger.checkJWKS("),
        (.verificationFailed, "Ledger.checkJWKS("),
        (.changeOpened, "Ledger.openChange("),
        (.changeApproved, "Ledger.approveChange("),
        (.changeAttested, "Ledger.attestChange("),
        (.changeStarted, "Ledger.startChange("),
        (.changeCompleted, "Ledger.completeChange("),
        (.changeAborted, "Ledger.abortChange("),
        (.changeRolledBack, "Ledger.rollbackChange("),
        (.reportGenerated, "ReportOutcome.recordEvent("),
    ]

    private func entryCount() throws -> Int64 { try XCTUnwrap(ledger.head()).sequence }

    private func kinds(after sequence: Int64) throws -> [EntryKind] {
        var kinds: [EntryKind] = []
        try ledger.entries(EntryFilter(sequences: (sequence + 1)...Int64.max)) { kinds.append($0.kind) }
        return kinds
    }

    func testTableCoversEveryBuiltInKindButNote() {
        let listed = Set(Self.dedicatedKinds.map(\.kind))
        let expected = Set(EntryKind.builtIn).subtracting([.note])
        XCTAssertEqual(listed, expected)
    }

    func testTypedInitRejectsDedicatedKinds() throws {
        // A body that the dedicated call would write, for a key and a change that were never recorded.
        let body: [String: JSONValue] = ["kid": "never-generated", "env": "production", "change": "CHG-404"]
        for (kind, call) in Self.dedicatedKinds {
            XCTAssertThrowsError(try Event(kind: kind, actor: "mallory", body: body), kind.rawValue) { error in
                let ledgerError = error as? LedgerError
                XCTAssertEqual(ledgerError?.code, .invalidKind, "\(kind): \(error)")
                let message = ledgerError?.message ?? ""
                XCTAssertTrue(message.contains("\"\(kind.rawValue)\""), "\(kind): \(message)")
                XCTAssertTrue(message.contains("`\(call)"), "\(kind) does not name \(call): \(message)")
            }
        }
    }

    func testTypedInitUsesStringPathCode() throws {
        for (kind, _) in Self.dedicatedKinds {
            var stringCode: LedgerError.Code?
            var typedCode: LedgerError.Code?
            XCTAssertThrowsError(try Event(kind: kind.rawValue, actor: "mallory", bodyJSON: Array("{}".utf8))) { error in
                stringCode = (error as? LedgerError)?.code
            }
            XCTAssertThrowsError(try Event(kind: kind, actor: "mallory")) { error in
                typedCode = (error as? LedgerError)?.code
            }
            XCTAssertNotNil(typedCode, kind.rawValue)
            XCTAssertEqual(typedCode, stringCode, kind.rawValue)
        }
    }

    func testRejectedKindsAppendNothing() throws {
        let before = try entryCount()
        for (kind, _) in Self.dedicatedKinds {
            XCTAssertThrowsError(try ledger.append(Event(kind: kind, actor: "mallory", body: ["change": "CHG-404"]),
                                                   signingKey: signingKey), kind.rawValue)
            // The batch form: a valid note first must not be appended either.
            XCTAssertThrowsError(try ledger.append([Event(kind: .note, actor: "mallory"),
                                                    Event(kind: kind, actor: "mallory")], signingKey: signingKey), kind.rawValue)
            // The form that builds its events inside the write transaction.
            XCTAssertThrowsError(try ledger.append(signingKey: signingKey) {
                [try Event(kind: .note, actor: "mallory"), try Event(kind: kind, actor: "mallory")]
            }, kind.rawValue)
        }
        XCTAssertEqual(try entryCount(), before, "a rejected kind appended an entry")
        XCTAssertNil(try ledger.change(id: "CHG-404"))
    }

    func testPackageInitTakesOnlyStepKinds() throws {
        for kind in [EntryKind.note, EntryKind(rawValue: "x-deploy"), .genesis, .signingKeyRotated, .checkpointKeyRotated] {
            XCTAssertThrowsError(try Event(dedicatedKind: kind, actor: "tom", body: [:]), kind.rawValue) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .invalidKind, "\(kind): \(error)")
            }
        }
        let event = try Event(dedicatedKind: .published, actor: "tom", body: ["kid": "k1", "env": "production", "change": "CHG-1"])
        XCTAssertEqual(event.kind, .published)
        XCTAssertThrowsError(try Event(dedicatedKind: .published, actor: " tom", body: [:])) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .invalidActor, "\(error)")
        }
        let large: [String: JSONValue] = ["text": .string(String(repeating: "x", count: Event.maximumBodyBytes))]
        XCTAssertThrowsError(try Event(dedicatedKind: .changeOpened, actor: "tom", body: large)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .bodyTooLarge, "\(error)")
        }
    }

    func testUnknownKindNamesNoteAndCustomKinds() throws {
        for text in ["deployed", "x-Deploy", "X-deploy", "x-", ""] {
            XCTAssertThrowsError(try Event(kind: EntryKind(rawValue: text), actor: "alice"), text) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .invalidKind, "\(text): \(error)")
                XCTAssertTrue("\(error)".contains("\"note\""), "\(text): \(error)")
                XCTAssertTrue("\(error)".contains("\"x-deploy\""), "\(text): \(error)")
            }
        }
    }

    func testNoteAndCustomKindsAppend() throws {
        let before = try entryCount()
        let note = try ledger.append(Event(kind: .note, actor: "alice", body: ["text": "quarter closed"]), signingKey: signingKey)
        let custom = try ledger.append([Event(kind: EntryKind(rawValue: "x-deploy"), actor: "ci", body: ["change": "CHG-1"]),
                                        Event(kind: EntryKind(rawValue: "x-published.v2_a-b"), actor: "ci")],
                                       signingKey: signingKey)
        XCTAssertEqual(note.sequence, before + 1)
        XCTAssertEqual(custom.map(\.sequence), [before + 2, before + 3])
        XCTAssertEqual(try kinds(after: before).map(\.rawValue), ["note", "x-deploy", "x-published.v2_a-b"])
        XCTAssertEqual(try ledger.entry(sequence: before + 1)?.body["text"]?.stringValue, "quarter closed")
        XCTAssertTrue(try ledger.verify(VerifyOptions(trustAnchor: signingKey.keyID)).isValid)
    }

    func testDedicatedCallsAppendTheirKinds() throws {
        let start = try entryCount()
        let tom = StepContext(actor: "tom")
        let rita = StepContext(actor: "rita")
        let monitor = StepContext(actor: "jwks-monitor")
        let url = "https://api.example.com/.well-known/jwks.json"

        func observe(_ keyIDs: [String]) throws -> JWKSObservation {
            let served = JWKS(keys: try ledger.keys(environment: "production")
                .filter { keyIDs.contains($0.keyID) }.compactMap(\.publicJWK))
            return JWKSObservation(source: .url(url), body: Array(try served.jsonValue.serialized(pretty: false).utf8))
        }
        func generate(_ change: String) throws -> String {
            let request = KeyGenerationRequest(name: "api_signing_key", environment: "production", algorithm: .es256,
                                               outputPath: directory.path("\(UUID().uuidString).pem"), change: change)
            return try XCTUnwrap(ledger.generateKey(request, context: tom, signingKey: signingKey).keyID)
        }
        func openApproveStart(_ id: String) throws {
            try ledger.openChange(ChangeRequest(id: id, summary: "Rotate", technician: "tom", reviewer: "rita"),
                                  context: tom, signingKey: signingKey)
            try ledger.attestChange(id: id, item: .testedInStaging, evidence: "staging run 7", context: tom, signingKey: signingKey)
            try ledger.approveChange(id: id, context: rita, signingKey: signingKey)
            try ledger.startChange(id: id, context: tom, signingKey: signingKey)
        }

        try openApproveStart("CHG-1")
        let first = try generate("CHG-1")
        try ledger.publishKey(id: first, environment: "production", change: "CHG-1", context: tom, signingKey: signingKey)
        let imported = try JWK(publicKey: PrivateKey.generate(.ec(.p256)).publicKey())
        try ledger.importKeys([imported], name: "idp_signing_key", environment: "staging", change: "CHG-1", source: "kms",
                              context: tom, signingKey: signingKey)
        let mismatch = try ledger.checkJWKS(environment: "production", observation: observe([]), change: "CHG-1",
                                            context: monitor, signingKey: signingKey)
        XCTAssertFalse(mismatch.matched)
        let match = try ledger.checkJWKS(environment: "production", observation: observe([first]), change: "CHG-1",
                                         context: monitor, signingKey: signingKey)
        XCTAssertTrue(match.matched)
        try ledger.completeChange(id: "CHG-1", context: tom, signingKey: signingKey)

        try openApproveStart("CHG-2")
        let second = try generate("CHG-2")
        try ledger.publishKey(id: second, environment: "production", change: "CHG-2", context: tom, signingKey: signingKey)
        let both = try ledger.checkJWKS(environment: "production", observation: observe([first, second]), change: "CHG-2",
                                        context: monitor, signingKey: signingKey)
        XCTAssertTrue(both.matched)
        try ledger.retireKey(id: first, environment: "production", change: "CHG-2", context: tom, signingKey: signingKey)
        try ledger.rollbackChange(id: "CHG-2", reason: "clients failed", context: tom, signingKey: signingKey)

        try ledger.openChange(ChangeRequest(id: "CHG-3", summary: "Not needed", technician: "tom", reviewer: "rita"),
                              context: tom, signingKey: signingKey)
        try ledger.abortChange(id: "CHG-3", reason: "not needed", context: tom, signingKey: signingKey)

        let appended = Set(try kinds(after: start))
        let lifecycleAndChangeKinds = Set(Self.dedicatedKinds.map(\.kind))
            .subtracting(EntryKind.reserved).subtracting([.reportGenerated])
        XCTAssertEqual(lifecycleAndChangeKinds.subtracting(appended), [], "kinds no dedicated call appended")
        XCTAssertEqual(try ledger.key(id: first, environment: "production")?.state, .verified, "the rollback restored the first key")
        XCTAssertEqual(try ledger.key(id: second, environment: "production")?.state, .rolledBack)
        XCTAssertTrue(try ledger.verify(VerifyOptions(trustAnchor: signingKey.keyID)).isValid)
    }
}
