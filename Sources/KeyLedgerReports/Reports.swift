import KeyLedger
