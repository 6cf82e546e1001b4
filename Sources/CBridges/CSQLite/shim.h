#ifndef KEYLEDGER_CSQLITE_SHIM_H
#define KEYLEDGER_CSQLITE_SHIM_H

#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer, which Swift
// cannot import. Binding text or blobs with it makes SQLite copy the bytes
// before the call returns, so Swift buffers may be freed right after.
static inline sqlite3_destructor_type keyledger_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}


#endif
