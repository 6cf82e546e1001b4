import KeyLedgerReports
print("keyledger")
