#include "keyledger_curl.h"

#include <dlfcn.h>
#include <pthread.h>

/* The libcurl functions, looked up once by keyledger_curl_load. The
 * variadic ones are called with exactly one argument of the type that the
 * option or information number takes. */
static struct {
    int (*global_init)(long flags);
    void *(*easy_init)(void);
    void (*easy_cleanup)(void *handle);
    int (*easy_setopt)(void *handle, int option, ...);
    int (*easy_perform)(void *handle);
    int (*easy_getinfo)(void *handle, int info, ...);
    const char *(*easy_strerror)(int code);
    void *(*slist_append)(void *list, const char *text);
    void (*slist_free_all)(void *list);
} curl;

static const char *load_failure = "libcurl was not loaded";
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

#if defined(__APPLE__)
static const char *const library_names[] = {"libcurl.4.dylib", "libcurl.dylib"};
#else
static const char *const library_names[] = {"libcurl.so.4", "libcurl.so"};
#endif

/* CURL_GLOBAL_ALL: initialize TLS as well. */
static const long global_init_all = 3;

static void load(void) {
    void *library = NULL;
    for (size_t i = 0; i < sizeof library_names / sizeof *library_names && library == NULL; i++) {
        library = dlopen(library_names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (library == NULL) {
        load_failure = "cannot load libcurl (libcurl.so.4): install libcurl, for example Debian's libcurl4 package";
        return;
    }
    curl.global_init = (int (*)(long))dlsym(library, "curl_global_init");
    curl.easy_init = (void *(*)(void))dlsym(library, "curl_easy_init");
    curl.easy_cleanup = (void (*)(void *))dlsym(library, "curl_easy_cleanup");
    curl.easy_setopt = (int (*)(void *, int, ...))dlsym(library, "curl_easy_setopt");
    curl.easy_perform = (int (*)(void *))dlsym(library, "curl_easy_perform");
    curl.easy_getinfo = (int (*)(void *, int, ...))dlsym(library, "curl_easy_getinfo");
    curl.easy_strerror = (const char *(*)(int))dlsym(library, "curl_easy_strerror");
    curl.slist_append = (void *(*)(void *, const char *))dlsym(library, "curl_slist_append");
    curl.slist_free_all = (void (*)(void *))dlsym(library, "curl_slist_free_all");
    if (!curl.global_init || !curl.easy_init || !curl.easy_cleanup || !curl.easy_setopt || !curl.easy_perform
        || !curl.easy_getinfo || !curl.easy_strerror || !curl.slist_append || !curl.slist_free_all) {
        load_failure = "the loaded libcurl lacks a function of the easy interface: install libcurl 7.19 or later";
        return;
    }
    if (curl.global_init(global_init_all) != 0) {
        load_failure = "curl_global_init failed";
        return;
    }
    load_failure = NULL;
}

const char *keyledger_curl_load(void) {
    pthread_once(&load_once, load);
    return load_failure;
}

void *keyledger_curl_easy_init(void) { return curl.easy_init(); }

void keyledger_curl_easy_cleanup(void *handle) { curl.easy_cleanup(handle); }

int keyledger_curl_setopt_long(void *handle, int option, long value) {
    return curl.easy_setopt(handle, option, value);
}

int keyledger_curl_setopt_pointer(void *handle, int option, const void *value) {
    return curl.easy_setopt(handle, option, value);
}

int keyledger_curl_setopt_callback(void *handle, int option, keyledger_curl_data_callback callback) {
    return curl.easy_setopt(handle, option, callback);
}

int keyledger_curl_easy_perform(void *handle) { return curl.easy_perform(handle); }

int keyledger_curl_getinfo_long(void *handle, int info, long *value) {
    return curl.easy_getinfo(handle, info, value);
}

int keyledger_curl_getinfo_off_t(void *handle, int info, int64_t *value) {
    return curl.easy_getinfo(handle, info, value);
}

const char *keyledger_curl_easy_strerror(int code) { return curl.easy_strerror(code); }

void *keyledger_curl_slist_append(void *list, const char *text) { return curl.slist_append(list, text); }

void keyledger_curl_slist_free_all(void *list) { curl.slist_free_all(list); }
