import Foundation
@testable import KeyLedger
import OpenSSLBridge
import XCTest

/// C2SP tlog-checkpoint and tlog-cosignature: the sum.golang.org tree heads,
/// checkpoint text rules, cosignatures and witness quorums.
final class CheckpointVerificationTests: XCTestCase {
    private static let sumGolangOrgSizes = [3_935_567, 6_476_701, 15_067_302, 19_777_102, 28_891_140, 52_544_510, 65_209_736]

    private func sumGolangOrgKey() throws -> NoteVerifierKey {
        try NoteVerifierKey(TransparencyFixtures.text("checkpoints_sum_golang_org/sum.golang.org.vkey"))
    }

    private func sumGolangOrgNote(_ size: Int) throws -> [UInt8] {
        Array(try TransparencyFixtures.text("checkpoints_sum_golang_org/checkpoint_\(size).txt").utf8)
    }

    private func assertCode(_ code: LedgerError.Code, _ expression: @autoclosure () throws -> some Any, _ message: String = "",
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), message, file: file, line: line) { error in
            XCTAssertEqual((error as? LedgerError)?.code, code, "\(message): \(error)", file: file, line: line)
        }
    }

    // MARK: - sum.golang.org

    func testSumGolangOrgCheckpointsVerify() throws {
        let key = try sumGolangOrgKey()
        for size in Self.sumGolangOrgSizes {
            let verified = try Checkpoint.verify(sumGolangOrgNote(size), logKey: key)
            XCTAssertEqual(verified.checkpoint.origin, "go.sum database tree", "\(size)")
            XCTAssertEqual(verified.checkpoint.treeSize, size)
            XCTAssertEqual(verified.checkpoint.rootHash.count, 32, "\(size)")
            XCTAssertEqual(verified.checkpoint.extensionLines, [], "\(size)")
            XCTAssertEqual(verified.checkpoint.body, verified.note.text, "\(size)")
        }
    }

    func testAlteredSumGolangOrgCheckpointsAreRejected() throws {
        let key = try sumGolangOrgKey()
        for size in Self.sumGolangOrgSizes {
            let original = try sumGolangOrgNote(size)
            // The text, the blank line and the log's own signature line; a
            // later line from an unknown key may change without effect.
            let firstLineEnd = original.indices.first { index in
                index > 0 && original[index] == 0x0A && original[index - 1] == 0x0A
            }.flatMap { blank in original[(blank + 1)...].firstIndex(of: 0x0A) }!
            for offset in 0...firstLineEnd {
                var altered = original
                altered[offset] ^= 0x01
                XCTAssertThrowsError(try Checkpoint.verify(altered, logKey: key), "checkpoint \(size), byte \(offset) changed")
            }
        }
    }

    func testUnknownCosignatureLineIsIgnored() throws {
        let note = try SignedNote(parsing: sumGolangOrgNote(15_067_302))
        XCTAssertEqual(note.signatures.map(\.keyName), ["sum.golang.org", "test.example.com"])
        let verified = try Checkpoint.verify(note, logKey: sumGolangOrgKey())
        XCTAssertEqual(verified.cosignatures.count, 0)
        XCTAssertEqual(verified.checkpoint.treeSize, 15_067_302)
    }

    func testCheckpointSignedByOtherKeyIsRejected() throws {
        let otherLog = try NoteSigner.generate(name: "sum.golang.org")
        assertCode(.integrity, try Checkpoint.verify(sumGolangOrgNote(3_935_567), logKey: otherLog.verifierKey))
    }

    // MARK: - Checkpoint text

    func testC2SPCheckpointExampleParses() throws {
        let note = try SignedNote(parsing: TransparencyFixtures.text("checkpoint_c2sp_example_NO_KEY.txt"))
        let checkpoint = try Checkpoint(body: note.text)
        XCTAssertEqual(checkpoint.origin, "example.com/behind-the-sofa")
        XCTAssertEqual(checkpoint.treeSize, 20_852_163)
        XCTAssertEqual(checkpoint.rootHash, try TransparencyFixtures.base64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="))
        XCTAssertEqual(checkpoint.body, note.text)
    }

    func testCheckpointBodyRoundTripsWithExtensionLines() throws {
        let root = [UInt8](repeating: 7, count: 32)
        let checkpoint = try Checkpoint(origin: "log.example/a", treeSize: 0, rootHash: root, extensionLines: ["ext one", "ext two"])
        XCTAssertEqual(checkpoint.body, "log.example/a\n0\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\next one\next two\n")
        XCTAssertEqual(try Checkpoint(body: checkpoint.body), checkpoint)
    }

    func testMalformedCheckpointBodiesAreRejected() throws {
        let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
        let cases: [(String, String)] = [
            ("two lines", "origin\n5\n"),
            ("no final newline", "origin\n5\n\(root)"),
            ("empty origin", "\n5\n\(root)\n"),
            ("empty extension line", "origin\n5\n\(root)\n\n"),
            ("leading zero", "origin\n05\n\(root)\n"),
            ("sign", "origin\n+5\n\(root)\n"),
            ("negative", "origin\n-5\n\(root)\n"),
            ("empty size", "origin\n\n\(root)\n"),
            ("size beyond Int", "origin\n99999999999999999999\n\(root)\n"),
            ("non-ASCII digit", "origin\n\u{FF15}\n\(root)\n"),
            ("root of 31 bytes", "origin\n5\n\(NoteSyntax.base64([UInt8](repeating: 1, count: 31)))\n"),
            ("root not base64", "origin\n5\nnot-base64\n"),
            ("root without padding", "origin\n5\n\(root.dropLast())\n"),
            ("control character", "origin\u{1}\n5\n\(root)\n"),
        ]
        for (name, body) in cases {
            assertCode(.invalidInput, try Checkpoint(body: body), name)
        }
        XCTAssertEqual(try Checkpoint(body: "origin\n0\n\(root)\n").treeSize, 0)
    }

    func testCheckpointInitializerChecksFields() {
        let root = [UInt8](repeating: 0, count: 32)
        assertCode(.invalidInput, try Checkpoint(origin: "", treeSize: 1, rootHash: root), "empty origin")
        assertCode(.invalidInput, try Checkpoint(origin: "a\nb", treeSize: 1, rootHash: root), "newline in origin")
        assertCode(.invalidInput, try Checkpoint(origin: "a", treeSize: -1, rootHash: root), "negative size")
        assertCode(.invalidInput, try Checkpoint(origin: "a", treeSize: 1, rootHash: [1]), "short root")
        assertCode(.invalidInput, try Checkpoint(origin: "a", treeSize: 1, rootHash: root, extensionLines: [""]), "empty extension line")
    }

    // MARK: - Cosignatures

    private struct Setup {
        let log: NoteSigner
        let note: SignedNote
    }

    private func signedCheckpoint() throws -> Setup {
        let log = try NoteSigner.generate(name: "log.example/tree")
        let checkpoint = try Checkpoint(origin: "log.example/tree", treeSize: 20_852_163,
                                        rootHash: TransparencyFixtures.base64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="))
        return Setup(log: log, note: try checkpoint.sign(with: log))
    }

    func testC2SPCosignatureExampleLayout() throws {
        let note = try SignedNote(parsing: TransparencyFixtures.text("checkpoint_c2sp_cosigned_NO_KEY.txt"))
        XCTAssertEqual(note.signatures.map(\.keyName), ["example.com/behind-the-sofa", "witness.example.com/w1"])
        let cosignature = note.signatures[1]
        XCTAssertEqual(cosignature.keyID, 0x8D66_CF3F)
        XCTAssertEqual(cosignature.signature.count, 72)
        XCTAssertEqual(cosignature.cosignatureTimestamp, 1_679_315_147)
        XCTAssertNil(note.signatures[0].cosignatureTimestamp, "a 64-byte note signature has no timestamp")
    }

    func testCosignatureKeyIDUsesTypeFour() throws {
        let witness = try Cosigner.generate(name: "witness.example/w1")
        let key = witness.verifierKey.publicKey
        XCTAssertEqual(witness.verifierKey.signatureType, .cosignatureEd25519)
        let expected = Digest.sha256(Array("witness.example/w1\n".utf8) + [0x04] + key).prefix(4)
        XCTAssertEqual(NoteSyntax.bigEndianBytes(witness.verifierKey.keyID), Array(expected))
        XCTAssertNotEqual(witness.verifierKey.keyID, try NoteVerifierKey(name: "witness.example/w1", ed25519PublicKey: key).keyID)
        XCTAssertTrue(witness.verifierKey.encoded.hasPrefix("witness.example/w1+"))
        XCTAssertEqual(try NoteVerifierKey(witness.verifierKey.encoded).signatureType, .cosignatureEd25519)
    }

    func testCosignatureSignsTimestampedMessage() throws {
        let setup = try signedCheckpoint()
        let witness = try Cosigner.generate(name: "witness.example/w1")
        let cosignature = try witness.cosign(setup.note, timestamp: 1_679_315_147)

        XCTAssertEqual(cosignature.signature.count, 72)
        XCTAssertEqual(Array(cosignature.signature.prefix(8)), [0, 0, 0, 0, 0x64, 0x18, 0x50, 0xCB])
        XCTAssertEqual(cosignature.cosignatureTimestamp, 1_679_315_147)
        let message = Array("cosignature/v1\ntime 1679315147\nlog.example/tree\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n".utf8)
        let publicKey = try PublicKey(components: .ed25519(publicKey: witness.verifierKey.publicKey))
        XCTAssertTrue(publicKey.verify(signature: Array(cosignature.signature.dropFirst(8)), for: message, scheme: .ed25519))
    }

    func testQuorumOfWitnessesVerifies() throws {
        let setup = try signedCheckpoint()
        let first = try Cosigner.generate(name: "witness.example/w1")
        let second = try Cosigner.generate(name: "witness.example/w2")
        let stranger = try Cosigner.generate(name: "witness.example/w3")
        let note = try setup.note.adding(first.cosign(setup.note, timestamp: 100))
            .adding(stranger.cosign(setup.note, timestamp: 200))
            .adding(second.cosign(setup.note, timestamp: 300))
        let reparsed = try SignedNote(parsing: note.formatted)

        let verified = try Checkpoint.verify(reparsed, logKey: setup.log.verifierKey,
                                             witnesses: [first.verifierKey, second.verifierKey], quorum: 2)
        XCTAssertEqual(verified.cosignatures.map(\.witness.name), ["witness.example/w1", "witness.example/w2"])
        XCTAssertEqual(verified.cosignatures.map(\.timestamp), [100, 300])
        let witnesses = try [first.verifierKey, second.verifierKey, Cosigner.generate(name: "witness.example/w4").verifierKey]
        assertCode(.integrity, try Checkpoint.verify(reparsed, logKey: setup.log.verifierKey, witnesses: witnesses, quorum: 3))
    }

    func testQuorumCountsDistinctKeysOnly() throws {
        let setup = try signedCheckpoint()
        let witness = try Cosigner.generate(name: "witness.example/w1")
        // The same private key under a second name: the cosigned message
        // does not include the name, so this is not a second witness.
        let alias = try Cosigner(name: "witness.example/alias", privateKey: witness.privateKey)
        let note = try setup.note.adding(witness.cosign(setup.note, timestamp: 100))
            .adding(witness.cosign(setup.note, timestamp: 101))
            .adding(alias.cosign(setup.note, timestamp: 102))
        let keys = [witness.verifierKey, alias.verifierKey]

        let verified = try Checkpoint.verify(note, logKey: setup.log.verifierKey, witnesses: keys, quorum: 1)
        XCTAssertEqual(verified.cosignatures.count, 1)
        XCTAssertEqual(verified.cosignatures.first?.timestamp, 100)
        assertCode(.invalidInput, try Checkpoint.verify(note, logKey: setup.log.verifierKey, witnesses: keys, quorum: 2),
                   "one distinct key cannot meet a quorum of two")
    }

    func testInvalidCosignatureFromKnownWitnessIsRejected() throws {
        let setup = try signedCheckpoint()
        let witness = try Cosigner.generate(name: "witness.example/w1")
        let good = try witness.cosign(setup.note, timestamp: 100)
        var laterTime = good.signature
        laterTime[7] ^= 0x01
        let forged = try NoteSignature(keyName: good.keyName, keyID: good.keyID, signature: laterTime)
        let note = try setup.note.adding(forged)
        assertCode(.integrity, try Checkpoint.verify(note, logKey: setup.log.verifierKey, witnesses: [witness.verifierKey]))
        XCTAssertEqual(try Checkpoint.verify(note, logKey: setup.log.verifierKey).cosignatures.count, 0,
                       "without the witness key the line is from an unknown key")
    }

    func testCosignatureTimestampAboveLimitIsRejected() throws {
        let setup = try signedCheckpoint()
        let witness = try Cosigner.generate(name: "witness.example/w1")
        assertCode(.invalidInput, try witness.cosign(setup.note, timestamp: UInt64(Int64.max) + 1))

        let time = UInt64(Int64.max) + 1
        let message = Cosigner.signedMessage(text: Array(setup.note.text.utf8), timestamp: time)
        let signature = try witness.privateKey.sign(message, scheme: .ed25519)
        let line = try NoteSignature(keyName: witness.name, keyID: witness.verifierKey.keyID,
                                     signature: NoteSyntax.bigEndianBytes(time) + signature)
        assertCode(.integrity, try Checkpoint.verify(setup.note.adding(line), logKey: setup.log.verifierKey,
                                                     witnesses: [witness.verifierKey]))
    }

    func testKeysOfWrongTypeAreRejected() throws {
        let setup = try signedCheckpoint()
        let witness = try Cosigner.generate(name: "witness.example/w1")
        assertCode(.invalidInput, try Checkpoint.verify(setup.note, logKey: witness.verifierKey), "cosigner key as log key")
        assertCode(.invalidInput, try Checkpoint.verify(setup.note, logKey: setup.log.verifierKey, witnesses: [setup.log.verifierKey]),
                   "log key as witness key")
        assertCode(.invalidInput, try Checkpoint.verify(setup.note, logKey: setup.log.verifierKey, quorum: -1), "negative quorum")
    }

    func testCosignerRejectsNonCheckpointNote() throws {
        let signer = try NoteSigner.generate(name: "log.example")
        let note = try SignedNote(text: "not a checkpoint\n", signatures: [signer.sign(text: "not a checkpoint\n")])
        assertCode(.invalidInput, try Cosigner.generate(name: "witness.example/w1").cosign(note))
    }
}
