// swift-tools-version:5.10
//
// keyledger: a tamper-evident ledger of JWT signing-key lifecycles.
//
// Dependencies point one way only:
//   keyledger (CLI) -> KeyLedgerReports -> KeyLedger -> JOSE -> OpenSSLBridge -> CLibcrypto
//                                                    \-> SQLiteBridge -> CSQLite
// Only the two bridge modules import a C module, so everything above them
// works with Swift values and never with C pointers.
import PackageDescription

// `-static-stdlib` only at the link step: the modules are compiled against the
// toolchain's shared Foundation, whose autolink entries leave out the
// libraries that libFoundation.so contains but libFoundation.a does not.
// They are named here, after Foundation, as static archives must be.
let staticFoundationLinkerFlags = [
    "-static-stdlib",
    "-lCoreFoundation", "-l_FoundationCShims", "-l_FoundationCollections", "-l_FoundationICU",
    "-lswiftSynchronization",
]
// FoundationNetworking's static archive also needs its libcurl glue and libcurl itself.
let staticFoundationNetworkingLinkerFlags = staticFoundationLinkerFlags + ["-l_CFURLSessionInterface", "-l:libcurl.so.4"]

let package = Package(
    name: "keyledger",
    products: [
        .library(name: "KeyLedger", targets: ["KeyLedger", "KeyLedgerReports", "JOSE"]),
        .executable(name: "keyledger", targets: ["keyledger"]),
        .executable(name: "keyledger-fetch", targets: ["keyledger-fetch"]),
    ],
    targets: [
        // C bridges: the system libraries, found with pkg-config.
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CBridges/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CLibcrypto",
            path: "Sources/CBridges/CLibcrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "SQLiteBridge", dependencies: ["CSQLite"], path: "Sources/CBridges/SQLiteBridge"),
        .target(name: "OpenSSLBridge", dependencies: ["CLibcrypto"], path: "Sources/CBridges/OpenSSLBridge"),

        // JOSE: base64url, RFC 8785 canonical JSON, JWK, RFC 7638 thumbprints, JWS.
        .target(name: "JOSE", dependencies: ["OpenSSLBridge"]),

        // The ledger: store, append, verify, key lifecycle, change control, JWKS.
        .target(
            name: "KeyLedger",
            dependencies: ["JOSE", "OpenSSLBridge", "SQLiteBridge"],
            plugins: ["EmbedSchema"]
        ),
        // Build-time embedding of schema/*.sql, the single source of truth for the tables.
        .executableTarget(name: "schema-embedder", path: "Sources/Tools/SchemaEmbedder"),
        .plugin(name: "EmbedSchema", capability: .buildTool(), dependencies: ["schema-embedder"]),

        // The program that `keyledger` runs for each HTTP fetch. It is the only
        // target that imports FoundationNetworking, so libcurl and its TLS
        // libraries never load in a process that has a signing key.
        .executableTarget(
            name: "keyledger-fetch",
            dependencies: ["KeyLedger"],
            path: "Sources/FetchHelper",
            linkerSettings: [.unsafeFlags(staticFoundationNetworkingLinkerFlags, .when(configuration: .release))]
        ),

        // Audit reports built from a verified ledger.
        .target(name: "KeyLedgerReports", dependencies: ["KeyLedger"], plugins: ["EmbedReportLayouts"]),
        // Build-time embedding of reports/layouts (templates and stylesheet) into the reports module.
        .executableTarget(name: "report-layout-embedder", path: "Sources/Tools/ReportLayoutEmbedder"),
        .plugin(name: "EmbedReportLayouts", capability: .buildTool(), dependencies: ["report-layout-embedder"]),

        // The guided key rotation that `keyledger demo` runs, and the
        // loopback HTTP server it publishes JWKS documents from.
        .target(name: "LoopbackHTTP", path: "Sources/Support/LoopbackHTTP"),
        .target(name: "KeyLedgerDemo", dependencies: ["KeyLedgerReports", "LoopbackHTTP"]),

        // The command-line tool: argument parsing and output only.
        .executableTarget(
            name: "keyledger",
            // keyledger-fetch is a build dependency only: the CLI runs it, and
            // links none of its code.
            dependencies: ["KeyLedgerReports", "KeyLedgerDemo", "keyledger-fetch"],
            // Release builds link the Swift runtime and Foundation statically
            // (from the toolchain's lib/swift_static), so the dynamic loader
            // maps and relocates a handful of libraries at start-up instead of
            // about twenty. Debug builds, which the tests link, stay dynamic.
            linkerSettings: [.unsafeFlags(staticFoundationLinkerFlags, .when(configuration: .release))]
        ),
        .executableTarget(name: "keyledger-bench", dependencies: ["KeyLedger", "SQLiteBridge", "OpenSSLBridge", "JOSE"], path: "Sources/Benchmarks/KeyLedgerBench"),
        // One durable, signed, chained append in plain C against the same libraries, timed beside `keyledger append`.
        .executableTarget(
            name: "keyledger-append-floor",
            dependencies: ["CSQLite", "CLibcrypto"],
            path: "Sources/Benchmarks/AppendFloor",
            linkerSettings: [.linkedLibrary("sqlite3"), .linkedLibrary("crypto")]
        ),
        .executableTarget(name: "keyledger-merkle-bench", dependencies: ["KeyLedger", "SQLiteBridge", "OpenSSLBridge", "JOSE"], path: "Sources/Benchmarks/MerkleBench"),

        .testTarget(name: "SQLiteBridgeTests", dependencies: ["SQLiteBridge"]),
        .testTarget(name: "OpenSSLBridgeTests", dependencies: ["OpenSSLBridge"], resources: [.copy("Fixtures")]),
        .testTarget(name: "JOSETests", dependencies: ["JOSE"], resources: [.copy("Fixtures")]),
        // Helpers shared by the test targets: a local HTTP server for JWKS fetches, and finding built programs.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "KeyLedgerTests", dependencies: ["KeyLedger", "keyledger-fetch", "OpenSSLBridge", "SQLiteBridge", "TestSupport"], resources: [.copy("Fixtures")]),
        // Runs the built `keyledger` binary as a user would.
        .testTarget(name: "KeyLedgerCLITests", dependencies: ["keyledger", "KeyLedger", "SQLiteBridge", "TestSupport"], resources: [.copy("Fixtures")]),
        // The reports: every exception rule, determinism, escaping, the JSON Schema and a Chromium rendering.
        .testTarget(name: "KeyLedgerReportsTests", dependencies: ["KeyLedgerReports", "KeyLedger", "JOSE", "OpenSSLBridge", "SQLiteBridge", "keyledger", "TestSupport"], resources: [.copy("Fixtures")]),
    ]
)
