/*
 * gw_util: diagnostics, aborting allocators, strict number parsing and the
 * process-wide stop flag.  See gw_util.h for the conventions.
 */
#include "gw_util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *gw_progname = "gwstress";
_Atomic int gw_stop;
_Atomic int gw_halt;

int gw_stopping(void)
{
	return atomic_load_explicit(&gw_stop, memory_order_relaxed);
}

void gw_request_stop(void)
{
	atomic_store_explicit(&gw_stop, 1, memory_order_relaxed);
}

int gw_halting(void)
{
	return atomic_load_explicit(&gw_halt, memory_order_relaxed) ||
	       gw_stopping();
}

void gw_request_halt(int on)
{
	atomic_store_explicit(&gw_halt, on, memory_order_relaxed);
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "%s: %s%s\n", gw_progname, prefix, buf);
}

int gw_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	return -1;
}

void gw_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void gw_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	exit(status);
}

static void *oom(size_t n)
{
	fprintf(stderr, "%s: out of memory allocating %zu bytes\n", gw_progname,
		n);
	abort();
}

void *gw_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	return p ? p : oom(n);
}

void *gw_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	return p ? p : oom(nmemb * size);
}

void *gw_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	return q ? q : oom(n);
}

char *gw_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(gw_xmalloc(n), s, n);
}

void *gw_xaligned(size_t align, size_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, align, n ? n : 1) != 0)
		return oom(n);
	return p;
}

int gw_sleep_ns(int64_t ns)
{
	int64_t end = gw_now_ns() + ns;

	for (;;) {
		int64_t left = end - gw_now_ns();
		struct timespec ts;

		if (gw_halting())
			return -1;
		if (left <= 0)
			return 0;
		if (left > 50 * GW_NS_PER_MS)
			left = 50 * GW_NS_PER_MS;
		ts.tv_sec = left / GW_NS_PER_S;
		ts.tv_nsec = left % GW_NS_PER_S;
		nanosleep(&ts, NULL); /* EINTR: loop re-checks */
	}
}

void gw_wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

size_t gw_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (n) {
		size_t k = len < n - 1 ? len : n - 1;

		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return len;
}

void gw_errlist_add(struct gw_errlist *e, const char *fmt, ...)
{
	va_list ap;

	if (e->n >= GW_ERRLIST_MAX) {
		e->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(e->msg[e->n], sizeof(e->msg[0]), fmt, ap);
	va_end(ap);
	e->n++;
}

void gw_errlist_print(const struct gw_errlist *e)
{
	for (int i = 0; i < e->n; i++)
		fprintf(stderr, "%s: %s\n", gw_progname, e->msg[i]);
	if (e->dropped)
		fprintf(stderr, "%s: ... and %d more errors\n", gw_progname,
			e->dropped);
}

/* Reject what strtol/strtod would quietly accept: blanks, empty strings. */
static int plain_token(const char *s)
{
	return *s && !isspace((unsigned char)s[0]) &&
	       !isspace((unsigned char)s[strlen(s) - 1]);
}

int gw_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!plain_token(s))
		return -1;
	for (const char *p = s; *p; p++) /* decimal digits only */
		if (!isdigit((unsigned char)*p) &&
		    !(p == s && (*p == '-' || *p == '+')))
			return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int gw_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!plain_token(s))
		return -1;
	/* decimal only: no hex floats, no inf/nan spellings */
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p) && !strchr("+-.eE", *p))
			return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int gw_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (size_t i = 0; i < GW_ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]))
			return *out = 1, 0;
		if (!strcasecmp(s, no[i]))
			return *out = 0, 0;
	}
	return -1;
}

int gw_exe_dir(char *out, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", out, n);
	char *slash;

	if (len <= 0 || (size_t)len >= n)
		return -1;
	out[len] = '\0';
	slash = strrchr(out, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	return 0;
}

uint64_t gw_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
