/*
 * gw_util: the few helpers every module shares.
 *
 * Error convention (git's error()): functions return 0 on success and -1 on
 * failure; gw_error() prints "gwstress: <message>" on stderr and returns -1,
 * so callers write `return gw_error("...")`.  Out-of-memory policy (redis'
 * zmalloc): setup allocations go through gw_xmalloc() and friends, which
 * abort with a message; nothing is allocated on the measuring hot path.
 *
 * Time: integer nanoseconds from CLOCK_MONOTONIC only (gw_now_ns).  Wall
 * clock time is used for report timestamps and nothing else.
 */
#ifndef GW_UTIL_H
#define GW_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <time.h>

#define GW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define GW_NS_PER_MS 1000000LL
#define GW_NS_PER_S 1000000000LL

/* Program name used as the prefix of every diagnostic ("gwstress"). */
extern const char *gw_progname;

/* Print "<prog>: <fmt>" and a newline on stderr; always returns -1. */
int gw_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like gw_error, but prefixed "warning: "; returns nothing. */
void gw_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print and exit(status). */
_Noreturn void gw_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Allocators that abort with a message on OOM; never return NULL. */
void *gw_xmalloc(size_t n);
void *gw_xcalloc(size_t nmemb, size_t size);
void *gw_xrealloc(void *p, size_t n);
char *gw_xstrdup(const char *s);
/* Aligned allocation (alignment a power of two >= sizeof(void *)). */
void *gw_xaligned(size_t align, size_t n);

/* Monotonic clock in integer nanoseconds (CLOCK_MONOTONIC). */
static inline int64_t gw_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * GW_NS_PER_S + ts.tv_nsec;
}

/*
 * Process-wide stop request: 0 = run, 1 = stop starting work and abort
 * in-flight transfers (first SIGINT/SIGTERM).  Written by the signal handler
 * (a lock-free atomic store is async-signal-safe), read everywhere with
 * relaxed loads: it is a flag, it orders nothing.
 */
extern _Atomic int gw_stop;
int gw_stopping(void);
void gw_request_stop(void);

/*
 * A halt: the end of a workload run (or of a capacity probe) that must not
 * wait for in-flight transfers any longer.  It aborts them and cuts
 * sleeps as a stop does, but it is no interruption: gw_stopping() stays 0.
 * gw_halting() is true during a halt or a stop.  gw_request_halt(0) ends
 * the halt (before the next probe).  Same memory order as the stop flag.
 */
extern _Atomic int gw_halt;
int gw_halting(void);
void gw_request_halt(int on);

/* Sleep for ns nanoseconds in slices of at most 50 ms, returning early
 * (-1) as soon as a stop or a halt is requested; 0 when the full time
 * elapsed. */
int gw_sleep_ns(int64_t ns);

/* Copy src into dst of size n, always NUL-terminating; returns strlen(src)
 * (truncation happened if the result is >= n), like BSD strlcpy. */
size_t gw_strlcpy(char *dst, const char *src, size_t n);
/* Zero n bytes at p in a way the compiler may not drop (secrets). */
void gw_wipe(void *p, size_t n);

/* FNV-1a 64 over a buffer, continuing from h (start with GW_FNV_INIT):
 * the artifact checks hash uploads and downloads with it. */
#define GW_FNV_INIT 0xcbf29ce484222325ULL
uint64_t gw_fnv1a(uint64_t h, const void *data, size_t len);

/* Directory of the running executable (from /proc/self/exe), without a
 * trailing '/'.  Returns 0, or -1 if it cannot be read or does not fit. */
int gw_exe_dir(char *out, size_t n);

/*
 * A bounded list of error messages, so that a config loader can report
 * every problem instead of just the first one.  Messages past the capacity
 * are counted in `dropped`, never silently lost.
 */
#define GW_ERRLIST_MAX 64
#define GW_ERRMSG_MAX 256
struct gw_errlist {
	int n;
	int dropped;
	char msg[GW_ERRLIST_MAX][GW_ERRMSG_MAX];
};
void gw_errlist_add(struct gw_errlist *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print each message as "<prog>: <msg>" on stderr. */
void gw_errlist_print(const struct gw_errlist *e);

/*
 * Strict number parsing: decimal only, whole string, no trailing junk,
 * leading/trailing blanks rejected, range-checked.  Return 0 or -1.
 * gw_parse_long accepts an optional sign; "080" is 80 (decimal, never octal).
 */
int gw_parse_long(const char *s, long min, long max, long *out);
int gw_parse_double(const char *s, double min, double max, double *out);
/* "true/false/yes/no/on/off/1/0", case-insensitive. */
int gw_parse_bool(const char *s, int *out);

#endif /* GW_UTIL_H */
