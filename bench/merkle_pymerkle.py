#!/usr/bin/env python3
"""Measure pymerkle on the leaves that keyledger-merkle-bench wrote, and
combine both sides' results into the Markdown table of bench/merkle.

Usage:
  merkle_pymerkle.py measure LEAF_FILE INDEX_FILE
      Build a pymerkle InmemoryTree from LEAF_FILE (32-byte leaf inputs in
      leaf order) and time one inclusion and one consistency proof per line
      of INDEX_FILE ("leaf_index old_size", leaf indices counted from 0).
      Prints one "name value" line per result, like keyledger-merkle-bench.
  merkle_pymerkle.py report SWIFT_RESULTS PYTHON_RESULTS
      Print the results table in Markdown.

The tree uses pymerkle's defaults: SHA-256 with security on, so leaves are
hashed as SHA-256(0x00 || input) and interior nodes as
SHA-256(0x01 || left || right), the RFC 9162 hashes. The root is printed so
that the report can check it against keyledger's.
"""

import statistics
import sys
import time


def summarize(name, seconds):
    """Print the median, p99 (nearest rank), max and mean of `seconds` in microseconds."""
    ordered = sorted(seconds)
    rank = max(1, -(-99 * len(ordered) // 100))
    values = {
        "median": statistics.median(ordered),
        "p99": ordered[rank - 1],
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }
    for suffix, value in values.items():
        print(f"{name}.{suffix}_us {value * 1e6:.2f}")


def measure(leaf_file, index_file):
    import pymerkle
    from pymerkle import InmemoryTree

    with open(leaf_file, "rb") as handle:
        data = handle.read()
    if len(data) % 32:
        raise SystemExit(f"merkle_pymerkle.py: {leaf_file} is {len(data)} bytes, not a whole number of 32-byte leaf inputs")
    inputs = [data[offset:offset + 32] for offset in range(0, len(data), 32)]
    size = len(inputs)
    with open(index_file) as handle:
        pairs = [tuple(int(field) for field in line.split()) for line in handle if line.strip()]

    print(f"pymerkle_version {pymerkle.__version__}")
    print(f"python_version {sys.version.split()[0]}")
    tree = InmemoryTree(algorithm="sha256")
    start = time.perf_counter()
    tree.append_entries(inputs)
    print(f"tree_build_s {time.perf_counter() - start:.2f}")
    print(f"leaves {tree.get_size()}")
    print(f"root {tree.get_root(size).hex()}")

    inclusion = []
    for leaf_index, _ in pairs:
        start = time.perf_counter()
        proof = tree.prove_inclusion(leaf_index + 1, size)  # pymerkle counts leaves from 1
        inclusion.append(time.perf_counter() - start)
    summarize("inclusion", inclusion)
    pymerkle.verify_inclusion(tree.get_leaf(pairs[-1][0] + 1), tree.get_root(size), proof)

    consistency = []
    for _, old_size in pairs:
        start = time.perf_counter()
        proof = tree.prove_consistency(old_size, size)
        consistency.append(time.perf_counter() - start)
    summarize("consistency", consistency)
    pymerkle.verify_consistency(tree.get_root(pairs[-1][1]), tree.get_root(size), proof)


def read_results(path):
    results = {}
    with open(path) as handle:
        for line in handle:
            name, _, value = line.rstrip("\n").partition(" ")
            results[name] = value
    return results


def report(swift_path, python_path):
    swift = read_results(swift_path)
    python = read_results(python_path)

    def number(results, name):
        return float(results[name])

    print("| Figure | keyledger | Target | Ratio to target |")
    print("|---|---:|---|---:|")
    for durability, label in (("full", "FULL"), ("normal", "NORMAL")):
        prefix = f"append_{durability}"
        # Half of the tree steps write no row, so the times are bimodal and
        # the shares use 10 % trimmed means rather than medians.
        append = number(swift, f"{prefix}.library.trimmed_mean_us")
        append_median = number(swift, f"{prefix}.library.median_us")
        work = number(swift, f"{prefix}.tree_work.trimmed_mean_us")
        control = number(swift, f"{prefix}.control_transaction.trimmed_mean_us")
        commit = number(swift, f"{prefix}.tree_transaction.trimmed_mean_us") - control
        print(f"| Single append, {label}, trimmed mean (median) | {append:.0f} µs ({append_median:.0f} µs) | | |")
        print(f"| Control transaction (entry row only), {label}, trimmed mean | {control:.1f} µs | | |")
        print(f"| Tree work per append, {label}, trimmed mean | {work:.1f} µs = {100 * work / append:.1f} % | ≤ 5 % | {work / append / 0.05:.2f} |")
        print(f"| Tree cost with commit, {label}, trimmed mean difference | {commit:.1f} µs = {100 * commit / append:.1f} % | ≤ 5 % | {commit / append / 0.05:.2f} |")
    for kind in ("inclusion", "consistency"):
        for statistic in ("median", "p99", "max"):
            value = number(swift, f"{kind}.{statistic}_us")
            print(f"| {kind.capitalize()} proof at {int(swift['leaves']):,} leaves, {statistic} | {value:.1f} µs | < 1,000 µs | {value / 1000:.3f} |")

    print()
    print("| Operation | keyledger | pymerkle | pymerkle ÷ keyledger (target ≥ 10) |")
    print("|---|---:|---:|---:|")
    build_keyledger = number(swift, "tree_build_s")
    build_pymerkle = number(python, "tree_build_s")
    print(f"| Tree build, {int(swift['leaves']):,} leaves | {build_keyledger:.2f} s | {build_pymerkle:.2f} s | {build_pymerkle / build_keyledger:.1f} |")
    for kind in ("inclusion", "consistency"):
        for statistic in ("median", "p99", "max"):
            ours = number(swift, f"{kind}.{statistic}_us")
            theirs = number(python, f"{kind}.{statistic}_us")
            print(f"| {kind.capitalize()} proof, {statistic} | {ours:.1f} µs | {theirs:.1f} µs | {theirs / ours:.1f} |")
    # The same proofs from a tree that MerkleTree.loadIntoMemory() read first,
    # which is how pymerkle's InmemoryTree keeps its nodes.
    load_keyledger = number(swift, "tree_load_s")
    print(f"| Tree loaded into memory from the ledger (keyledger) or built (pymerkle), {int(swift['leaves']):,} leaves "
          f"| {load_keyledger:.2f} s | {build_pymerkle:.2f} s | {build_pymerkle / load_keyledger:.1f} |")
    for kind in ("inclusion", "consistency"):
        for statistic in ("median", "p99", "max"):
            ours = number(swift, f"in_memory.{kind}.{statistic}_us")
            theirs = number(python, f"{kind}.{statistic}_us")
            print(f"| {kind.capitalize()} proof, tree in memory, {statistic} | {ours:.1f} µs | {theirs:.1f} µs | {theirs / ours:.1f} |")
    print()
    same_root = swift["root"] == python["root"]
    print(f"Roots at {int(swift['leaves']):,} leaves: keyledger {swift['root']}, pymerkle {python['root']}: "
          + ("equal." if same_root else "DIFFERENT, so the two trees are not comparable."))
    print(f"Signing algorithm: {swift['signing_algorithm']}; pymerkle {python['pymerkle_version']} on Python {python['python_version']}.")


def main(arguments):
    if len(arguments) == 3 and arguments[0] == "measure":
        measure(arguments[1], arguments[2])
    elif len(arguments) == 3 and arguments[0] == "report":
        report(arguments[1], arguments[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
