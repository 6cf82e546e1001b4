/// The version of this keyledger build.
public enum KeyLedgerVersion {
    public static let current = "0.1.0"
}
