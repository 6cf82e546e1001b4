import Foundation
import KeyLedger

/// keyledger-merkle-bench: the Merkle tree's share of an append and its
/// proof times. bench/merkle runs it and describes the output.
///
/// Usage: keyledger-merkle-bench --work-dir DIR [--appends N] [--leaves N] [--proofs N]
///
/// Prints one `name value` line per result. Times are in microseconds
/// unless the name ends in `_s`. It writes the leaf inputs to
/// DIR/leaf-inputs.bin and the proof indices to DIR/proof-indices.txt, so
/// that the pymerkle side measures the same leaves and proofs.
let usage = "usage: keyledger-merkle-bench --work-dir DIR [--appends N] [--leaves N] [--proofs N]"

func parseOptions(_ arguments: [String]) throws -> [String: String] {
    var options: [String: String] = [:]
    var remaining = arguments[...]
    while let name = remaining.popFirst() {
        guard name.hasPrefix("--"), let value = remaining.popFirst() else {
            throw BenchFailure("invalid argument \"\(name)\": \(usage)")
        }
        options[String(name.dropFirst(2))] = value
    }
    return options
}

func positiveInteger(_ options: [String: String], _ name: String, default defaultValue: Int) throws -> Int {
    guard let text = options[name] else { return defaultValue }
    guard let value = Int(text), value > 0 else {
        throw BenchFailure("--\(name) must be a positive whole number, not \"\(text)\"")
    }
    return value
}

do {
    let options = try parseOptions(Array(CommandLine.arguments.dropFirst()))
    guard let directory = options["work-dir"] else { throw BenchFailure("missing --work-dir: \(usage)") }
    let appends = try positiveInteger(options, "appends", default: 300)
    let leaves = try positiveInteger(options, "leaves", default: 1_000_000)
    let proofs = try positiveInteger(options, "proofs", default: 2_000)
    guard leaves >= 2 else { throw BenchFailure("--leaves must be at least 2 for consistency proofs") }

    // EdDSA is the fastest signer, so the tree's share of an append is the largest it gets.
    let signingKey = try SigningKey.generate(.edDSA)
    printResult("signing_algorithm", signingKey.algorithm.rawValue)
    try TreeStepCost.run(directory: directory, appends: appends, signingKey: signingKey)
    try ProofTimes.run(directory: directory, leaves: leaves, proofs: proofs, signingKey: signingKey,
                       leafFile: "\(directory)/leaf-inputs.bin", indexFile: "\(directory)/proof-indices.txt")
} catch {
    FileHandle.standardError.write(Data("keyledger-merkle-bench: \(error)\n".utf8))
    exit(1)
}
