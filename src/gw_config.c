/*
 * gw_config: defaults, INI profiles, environment and command-line values,
 * all driven by one table (gw_config_keys).  See gw_config.h for the API.
 *
 * Workload: read once at start-up, before any thread exists: about 40 keys,
 * five shipped profiles of ~200 lines, maybe one user file.  Nothing here is
 * fast or thread-safe, and nothing needs to be.
 *
 * The table.  Each row names section, key, offset into struct gw_config,
 * range, environment variable, help and default-as-text.  The value type is
 * not written by hand: GW_KEY() derives it from the C type of the field
 * with _Generic (long, double, int = boolean, char[] = string), so a row
 * cannot disagree with the struct.  Defaults go through the same parser as
 * every other source, so they are range-checked too (by the unit test).
 *
 * INI parsing: inih, as shipped by Debian 12 (libinih r55), measured here:
 *  - ini_parse_stream() calls the reader with num = 200 (INI_MAX_LINE is
 *    compiled into the library; the Debian "ini_max_line"/"ini_use_stack"
 *    variables do not change it).  A longer line reaches inih in pieces,
 *    the tail is parsed as a line of its own and every later line number is
 *    off by one (fixed upstream in r59).
 *  - INI_HANDLER_LINENO must not be defined against the distro library: the
 *    header would declare a 5-argument handler the compiled code never
 *    passes.  So the handler gets no line number from inih.
 *  - ini_parse_stream() returns only the first bad line; a '[' without ']'
 *    or a line without '=' or ':' is never shown to the handler.
 *  - An indented line after a key is a continuation of that key's value
 *    (INI_ALLOW_MULTILINE=1): "  indented = 1" silently becomes a second
 *    value of the previous key.
 *  - Inline comments (INI_ALLOW_INLINE_COMMENTS=1) start at a ';' preceded
 *    by a blank: "k = v ; c" gives "v", "k = v;c" gives "v;c".  A '#' is a
 *    comment only at the start of a line.
 * Hence our reader (ini_read_line) hands inih exactly one physical line per
 * call and does the rest itself:
 *  - counts physical lines, so the handler knows the line it is called for;
 *  - rejects lines longer than GW_INI_LINE_MAX (197 bytes, what r55 holds
 *    with its documented 3 bytes of slack) and skips the rest of the line;
 *  - strips the LF/CRLF, a leading UTF-8 BOM and leading blanks (so there
 *    are no continuation lines: an indented line is an ordinary line);
 *  - checks section headers ('[' without ']', text after ']', unknown
 *    section) and key lines (no '=' or ':', empty key), so that every bad
 *    line gets its own message with the right line number;
 *  - hands inih an empty line in place of every line it rejected, so inih
 *    never sees a syntax error and its return value is only a cross-check.
 * Keys under a rejected or unknown section header are skipped silently:
 * the header's message explains them, one line instead of a cascade.
 * Inline comments are inih's: documented in gw_config.h and tested.
 *
 * Alternatives rejected:
 *  - Lifting the limit to 1024 bytes by parsing key/value ourselves and
 *    feeding inih a short stand-in: then inih parses nothing and is dead
 *    weight.  The only value that could plausibly pass 190 bytes is a URL,
 *    and those can come from GWSTRESS_URL or the command line.
 *  - iniparser: its getint turns "080" and "abc" into 0 without an error.
 *  - A private copy of inih r59+: no fetched code may be committed, and
 *    the distro library is what the build links.
 *
 * Loading is all or nothing: the file is applied to a scratch copy and
 * copied back only when it produced no problem at all.
 */
#include "gw_config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#define GW_KEY_TYPE(fld) \
	_Generic(((struct gw_config *)0)->fld, \
	long: GW_KEY_LONG, double: GW_KEY_DOUBLE, int: GW_KEY_BOOL, \
	char *: GW_KEY_STR)

#define GW_KEY(sec, fld, lo, hi, envvar, def_, help_)                          \
	{                                                                      \
		.section = #sec, .name = #fld, .type = GW_KEY_TYPE(sec.fld),   \
		.offset = offsetof(struct gw_config, sec.fld),                 \
		.size = sizeof(((struct gw_config *)0)->sec.fld), .min = (lo), \
		.max = (hi), .env = (envvar), .help = (help_), .def = (def_)   \
	}

#define GIB 1073741824.0
#define MIB 1048576.0
#define WEEK 604800.0 /* longest run or soak, seconds */
#define DAY 86400.0
#define HOUR 3600.0
#define PID_MAX 4194304.0 /* Linux PID_MAX_LIMIT (2^22) */

const struct gw_config_key gw_config_keys[] = {
	/* [profile]: Python StressTestConfig, same names and defaults */
	GW_KEY(profile, name, 0, 0, NULL, "default",
	       "profile label echoed in reports (smoke, small, medium, "
	       "large, soak)"),
	GW_KEY(profile, concurrent_sse_connections, 1, 100000,
	       "STRESS_CONCURRENT_SSE", "10",
	       "SSE streams at once; churn runs 2x this many cycles in "
	       "batches of this size, burst submits this many tasks"),
	GW_KEY(profile, concurrent_sessions, 1, 100000,
	       "STRESS_CONCURRENT_SESSIONS", "5",
	       "sessions at once (profile table only: no seed scenario "
	       "reads it)"),
	GW_KEY(profile, concurrent_http_requests, 1, 100000, NULL, "20",
	       "REST requests at once (no seed scenario reads it)"),
	GW_KEY(profile, test_duration_seconds, 0.001, WEEK, "STRESS_DURATION",
	       "30",
	       "seconds; mixed workload runs min(this, 30), sustained "
	       "sessions min(this, 20)"),
	GW_KEY(profile, soak_duration_seconds, 0.001, WEEK,
	       "STRESS_SOAK_DURATION", "300",
	       "seconds; length of the extended streaming soak"),
	GW_KEY(profile, warmup_seconds, 0, HOUR, NULL, "2",
	       "seconds of warm-up before measuring (no seed scenario "
	       "reads it)"),
	GW_KEY(profile, events_per_second, 1, 10000000, NULL, "100",
	       "target SSE events per second (no seed scenario reads it)"),
	GW_KEY(profile, requests_per_second, 1, 10000000, NULL, "50",
	       "target REST requests per second (no seed scenario reads "
	       "it)"),
	GW_KEY(profile, small_artifact_size_bytes, 1, 4 * GIB, NULL, "1024",
	       "bytes; small artifact (no seed scenario reads it)"),
	GW_KEY(profile, medium_artifact_size_bytes, 1, 4 * GIB, NULL, "1048576",
	       "bytes; medium artifact, 1 MiB (no seed scenario "
	       "reads it)"),
	GW_KEY(profile, large_artifact_size_bytes, 1, 4 * GIB, NULL, "10485760",
	       "bytes; large artifact, 10 MiB (no seed scenario "
	       "reads it)"),
	GW_KEY(profile, max_artifact_size_bytes, 1, 4 * GIB, NULL, "52428800",
	       "bytes; artifact tests skip sizes above this, "
	       "50 MiB"),
	GW_KEY(profile, sse_queue_timeout_seconds, 0.001, HOUR, NULL, "0.1",
	       "seconds; SSE client queue poll timeout (no seed scenario "
	       "reads it)"),
	GW_KEY(profile, max_sse_queue_size, 1, 10000000, NULL, "200",
	       "events; SSE client queue bound (no seed scenario reads it; "
	       "the gateway's own default is 1000)"),
	GW_KEY(profile, sse_event_timeout_seconds, 0.001, DAY, NULL, "120",
	       "seconds; wait for one SSE event (no seed scenario reads it)"),
	GW_KEY(profile, max_retries, 0, 1000, NULL, "3",
	       "retries of a failed request (no seed scenario reads it)"),
	GW_KEY(profile, retry_delay_seconds, 0, HOUR, NULL, "0.5",
	       "seconds between retries (no seed scenario reads it)"),

	/* [thresholds] */
	GW_KEY(thresholds, max_p99_latency_ms, 0.001, 1000 * HOUR,
	       "STRESS_MAX_P99_LATENCY", "500",
	       "ms; task submit p99 limit (burst 2x, SSE during upload 4x)"),
	GW_KEY(thresholds, max_error_rate_percent, 0, 100,
	       "STRESS_MAX_ERROR_RATE", "1",
	       "percent; error rate limit (the seed parses it, never "
	       "reads it)"),
	GW_KEY(thresholds, memory_increase_threshold_mb, 0, MIB, NULL, "50",
	       "MB; gateway RSS growth limit in the soak and leak tests"),
	GW_KEY(thresholds, min_success_rate_percent, 0, 100, NULL, "95",
	       "percent; success rate floor (SSE-concurrent and burst)"),

	/* [target] */
	GW_KEY(target, url, 0, 0, "GWSTRESS_URL", "",
	       "gateway base URL, http://host:port; empty = start the "
	       "bundled gwsim"),
	GW_KEY(target, agent_name, 0, 0, "GWSTRESS_AGENT", "TestAgent",
	       "metadata.agent_name of every submitted task"),
	GW_KEY(target, token_env, 0, 0, NULL, "GWSTRESS_TOKEN",
	       "NAME of the environment variable holding a bearer token "
	       "(the token never goes in a file); unset = no token"),
	GW_KEY(target, introspect_url, 0, 0, NULL, "",
	       "URL of the server's bookkeeping JSON (SSE cache, active "
	       "connections); empty = none"),
	GW_KEY(target, connect_timeout_seconds, 0.001, HOUR, NULL, "30",
	       "seconds; connect limit of every request"),
	GW_KEY(target, read_timeout_seconds, 0.001, DAY, NULL, "120",
	       "seconds; an SSE stream idle this long is an error"),
	GW_KEY(target, request_timeout_seconds, 0.001, DAY, NULL, "30",
	       "seconds; total limit of one REST request"),
	GW_KEY(target, stream_window_scale, 0.1, 1000, "GWSTRESS_WINDOW_SCALE",
	       "1",
	       "factor on every SSE collection window (the seed's 5-30 s "
	       "wait for a task's terminal event); raise it for a slow, "
	       "LLM-backed gateway"),
	GW_KEY(target, pid, 0, PID_MAX, "GWSTRESS_TARGET_PID", "0",
	       "gateway process id whose RSS the memory tests sample; "
	       "0 = none"),
	GW_KEY(target, tls_ca_file, 0, 0, NULL, "",
	       "PEM file of the CA certificates that verify an https:// "
	       "gateway; empty = the system's"),
	GW_KEY(target, tls_cert_file, 0, 0, NULL, "",
	       "PEM client certificate for a gateway that asks for one; "
	       "empty = none"),
	GW_KEY(target, tls_key_file, 0, 0, NULL, "",
	       "PEM private key of tls_cert_file (unencrypted); empty = in "
	       "tls_cert_file"),
	GW_KEY(target, tls_insecure, 0, 1, NULL, "false",
	       "boolean; do not verify the gateway's certificate or name "
	       "(said in the banner and every report)"),

	/* [engine] */
	GW_KEY(engine, workers, 0, 100000, NULL, "0",
	       "worker threads; 0 = sized from the profile"),
	GW_KEY(engine, thread_stack_kib, 32, 65536, NULL, "256",
	       "KiB; stack size of each worker thread"),
	GW_KEY(engine, ring_size, 0, 16777216, NULL, "0",
	       "samples per worker ring, a power of two >= 64; a full ring "
	       "drops and counts; 0 = 16384, less from 257 workers on (all "
	       "rings together at most 4 Mi samples)"),
	GW_KEY(engine, max_event_bytes, 256, 16 * MIB, NULL, "1048576",
	       "bytes; cap on one SSE event (the buffer grows to it only for "
	       "an event that needs it), bigger ones are counted and skipped"),
	GW_KEY(engine, processes, 0, 1000, NULL, "0",
	       "gwstress load: worker processes the run is split over as "
	       "shards and merged; 0 = as many as the descriptor limit "
	       "needs, 1 = one"),
	GW_KEY(engine, recv_buffer_bytes, 1024, 524288, NULL, "4096",
	       "bytes; libcurl receive buffer of each worker "
	       "(CURLOPT_BUFFERSIZE); smaller saves memory per stream "
	       "(artifact downloads use 64 KiB while they last)"),
	GW_KEY(engine, max_body_bytes, 4096, GIB, NULL, "1048576",
	       "bytes; cap on one REST response body"),
	GW_KEY(engine, progress, 0, 1, NULL, "true",
	       "boolean; live progress line when stderr is a terminal"),

	/* [report] */
	GW_KEY(report, dir, 0, 0, "GWSTRESS_REPORT_DIR", "reports",
	       "directory for the JSON reports when path is empty"),
	GW_KEY(report, path, 0, 0, NULL, "",
	       "like --stress-report=PATH: each report goes to "
	       "<base>_<test><ext>; empty = use dir"),
};

const size_t gw_config_nkeys = GW_ARRAY_SIZE(gw_config_keys);

_Static_assert(GW_ARRAY_SIZE(gw_config_keys) <=
		       sizeof(((struct gw_config *)0)->src),
	       "struct gw_config.src[] has fewer slots than gw_config_keys");

/* Why a value was refused; turned into words by describe(). */
enum bad { BAD_NONE, BAD_INT, BAD_NUM, BAD_RANGE, BAD_BOOL, BAD_LONG };

static void *field(struct gw_config *c, const struct gw_config_key *k)
{
	return (char *)c + k->offset;
}

/* "+12", "-3", "080": the shape of a decimal integer, whatever its size. */
static int is_decimal_int(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* A decimal number that strtod reads whole but that over/underflows. */
static int is_decimal_overflow(const char *s)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return 0;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p) && !strchr("+-.eE", *p))
			return 0;
	errno = 0;
	(void)strtod(s, &end);
	return !*end && end != s && errno == ERANGE;
}

/*
 * Parse value into key k of *c; on success record src and return BAD_NONE.
 * On failure *c is untouched.
 */
static enum bad set_value(struct gw_config *c, size_t i, const char *value,
			  enum gw_src src)
{
	const struct gw_config_key *k = &gw_config_keys[i];
	long l, *lp = field(c, k);
	double d, *dp = field(c, k);
	int b, *bp = field(c, k);

	switch (k->type) {
	case GW_KEY_LONG:
		if (gw_parse_long(value, LONG_MIN, LONG_MAX, &l))
			return is_decimal_int(value) ? BAD_RANGE : BAD_INT;
		if (l < (long)k->min || l > (long)k->max)
			return BAD_RANGE;
		*lp = l;
		break;
	case GW_KEY_DOUBLE:
		if (gw_parse_double(value, -HUGE_VAL, HUGE_VAL, &d))
			return is_decimal_overflow(value) ? BAD_RANGE : BAD_NUM;
		if (d < k->min || d > k->max)
			return BAD_RANGE;
		*dp = d;
		break;
	case GW_KEY_BOOL:
		if (gw_parse_bool(value, &b))
			return BAD_BOOL;
		*bp = b;
		break;
	case GW_KEY_STR:
		if (strlen(value) >= k->size)
			return BAD_LONG;
		gw_strlcpy(field(c, k), value, k->size);
		break;
	}
	c->src[i] = (unsigned char)src;
	return BAD_NONE;
}

static void fmt_bound(char *buf, size_t len, const struct gw_config_key *k,
		      double v)
{
	if (k->type == GW_KEY_LONG)
		snprintf(buf, len, "%ld", (long)v);
	else
		snprintf(buf, len, "%.15g", v);
}

/*
 * Put into buf the reason key k refused value: "'name' must be ...".
 * with_got appends ", got VALUE" (the environment shows the value itself).
 */
static void describe(char *buf, size_t len, const struct gw_config_key *k,
		     enum bad why, const char *value, int with_got)
{
	char lo[32], hi[32];
	const char *quote = "'";
	int n = 0;

	switch (why) {
	case BAD_NONE:
		buf[0] = '\0';
		return;
	case BAD_INT:
		n = snprintf(buf, len, "'%s' must be an integer", k->name);
		break;
	case BAD_NUM:
		n = snprintf(buf, len, "'%s' must be a number", k->name);
		break;
	case BAD_RANGE:
		fmt_bound(lo, sizeof(lo), k, k->min);
		fmt_bound(hi, sizeof(hi), k, k->max);
		n = snprintf(buf, len, "'%s' must be between %s and %s",
			     k->name, lo, hi);
		quote = "";
		break;
	case BAD_BOOL:
		n = snprintf(buf, len,
			     "'%s' must be true or false (or "
			     "yes/no, on/off, 1/0)",
			     k->name);
		break;
	case BAD_LONG:
		snprintf(buf, len, "'%s' is longer than %zu bytes", k->name,
			 k->size - 1);
		return; /* never echo a value that is too long */
	}
	if (with_got && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", got %s%s%s", quote, value,
			 quote);
}

static int find_index(const char *section, const char *name)
{
	for (size_t i = 0; i < gw_config_nkeys; i++)
		if (!strcmp(gw_config_keys[i].section, section) &&
		    !strcmp(gw_config_keys[i].name, name))
			return (int)i;
	return -1;
}

/* Is the section name (len bytes, not NUL-terminated) in the table? */
static int section_known(const char *s, size_t len)
{
	for (size_t i = 0; i < gw_config_nkeys; i++)
		if (strlen(gw_config_keys[i].section) == len &&
		    !memcmp(gw_config_keys[i].section, s, len))
			return 1;
	return 0;
}

const struct gw_config_key *gw_config_find(const char *section,
					   const char *name)
{
	int i = find_index(section, name);

	return i < 0 ? NULL : &gw_config_keys[i];
}

const char *gw_config_src_name(enum gw_src s)
{
	switch (s) {
	case GW_SRC_DEFAULT:
		return "default";
	case GW_SRC_INI:
		return "ini";
	case GW_SRC_ENV:
		return "env";
	case GW_SRC_CLI:
		return "cli";
	}
	return "?";
}

void gw_config_defaults(struct gw_config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < gw_config_nkeys; i++) {
		/* a bad default is a bug in the table above */
		if (set_value(c, i, gw_config_keys[i].def, GW_SRC_DEFAULT))
			gw_die(70,
			       "internal error: bad default '%s' for "
			       "[%s] %s",
			       gw_config_keys[i].def, gw_config_keys[i].section,
			       gw_config_keys[i].name);
	}
}

int gw_config_set(struct gw_config *c, const char *section, const char *name,
		  const char *value, enum gw_src src, char *err, size_t errlen)
{
	int i = find_index(section, name);
	enum bad why;
	char buf[GW_ERRMSG_MAX];

	if (i < 0) {
		if (!section_known(section, strlen(section)))
			snprintf(buf, sizeof(buf), "unknown section [%s]",
				 section);
		else
			snprintf(buf, sizeof(buf), "unknown key '%s' in [%s]",
				 name, section);
	} else {
		why = set_value(c, (size_t)i, value, src);
		if (why == BAD_NONE)
			return 0;
		describe(buf, sizeof(buf), &gw_config_keys[i], why, value, 1);
	}
	if (err && errlen)
		gw_strlcpy(err, buf, errlen);
	return -1;
}

int gw_config_apply_env(struct gw_config *c, gw_getenv_fn getenv_fn,
			struct gw_errlist *errs)
{
	int problems = 0;

	for (size_t i = 0; i < gw_config_nkeys; i++) {
		const struct gw_config_key *k = &gw_config_keys[i];
		const char *v;
		enum bad why;
		char buf[GW_ERRMSG_MAX];

		if (!k->env)
			continue;
		v = getenv_fn(k->env);
		if (!v || !*v)
			continue;
		why = set_value(c, i, v, GW_SRC_ENV);
		if (why == BAD_NONE)
			continue;
		describe(buf, sizeof(buf), k, why, v, 0);
		if (why == BAD_LONG)
			gw_errlist_add(errs, "environment %s: %s", k->env, buf);
		else
			gw_errlist_add(errs, "environment %s=%s: %s", k->env, v,
				       buf);
		problems++;
	}
	return problems;
}

/* ---- INI ----------------------------------------------------------------- */

/* State shared by the reader and the handler (inih's stream and user). */
struct ini_state {
	FILE *fp;
	const char *name;
	struct gw_config *c; /* scratch copy being filled */
	struct gw_errlist *errs;
	int problems;
	int lineno; /* physical line last read */
	int skip;   /* keys under a rejected header */
	int limit;  /* effective line limit, bytes */
	int read_failed;
	const struct gw_config_ext *ext; /* NULL: the profile alone */
	int first_line[sizeof(((struct gw_config *)0)->src)];
};

static void problem(struct ini_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct ini_state *st, const char *fmt, ...)
{
	char buf[GW_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gw_errlist_add(st->errs, "%s:%d: %s", st->name, st->lineno, buf);
	st->problems++;
}

/*
 * Where inih r55 ends a key: the first '=' or ':', or an inline comment
 * (';' after a blank), whichever comes first.  Returns a pointer to that
 * character or to the terminating NUL.
 */
static const char *key_end(const char *s)
{
	int was_space = 0;

	for (; *s; s++) {
		if (*s == '=' || *s == ':' || (was_space && *s == ';'))
			return s;
		was_space = isspace((unsigned char)*s) != 0;
	}
	return s;
}

/*
 * Check one line (terminator, BOM and leading blanks already removed).
 * Returns 0 if inih may see it, -1 if it was reported and must be blanked.
 * A good section header is cut after its ']' in place.
 */
static int check_line(struct ini_state *st, char *s)
{
	const char *end, *rest;
	size_t n;

	if (!*s || *s == ';' || *s == '#')
		return 0;
	if (*s == '[') {
		st->skip = 1; /* until proven good */
		end = strchr(s + 1, ']');
		if (!end) {
			problem(st, "missing ']' in section header");
			return -1;
		}
		for (rest = end + 1; isspace((unsigned char)*rest); rest++)
			;
		if (*rest && *rest != ';' && *rest != '#') {
			problem(st, "unexpected text after ']'");
			return -1;
		}
		n = (size_t)(end - (s + 1));
		if (!section_known(s + 1, n) &&
		    !(st->ext && st->ext->section(st->ext->ud, s + 1, n))) {
			problem(st, "unknown section [%.*s]", (int)n, s + 1);
			return -1;
		}
		s[n + 2] = '\0'; /* inih gets "[name]" alone */
		st->skip = 0;
		return 0;
	}
	end = key_end(s);
	if (*end != '=' && *end != ':') {
		problem(st, "expected 'key = value' or '[section]'");
		return -1;
	}
	if (end == s) {
		problem(st, "missing key name before '%c'", *end);
		return -1;
	}
	return 0;
}

/*
 * inih's reader: one physical line per call, whatever num is.  Returns str
 * holding the (possibly blanked) line, or NULL at end of file or on a read
 * error (reported).  See the design comment at the top.
 */
static char *ini_read_line(char *str, int num, void *stream)
{
	struct ini_state *st = stream;
	char buf[GW_INI_LINE_MAX + 2]; /* the line, its CR, a NUL */
	size_t len = 0, cap = sizeof(buf) - 1;
	int ch, has_nul = 0, limit = st->limit;
	char *s;

	if (num - 3 < limit) /* a smaller inih build than measured */
		limit = num - 3 > 0 ? num - 3 : 0;
	ch = getc(st->fp);
	if (ch == EOF) {
		if (ferror(st->fp) && !st->read_failed) {
			st->read_failed = 1;
			gw_errlist_add(st->errs, "%s: read error: %s", st->name,
				       strerror(errno));
			st->problems++;
		}
		return NULL;
	}
	for (; ch != EOF && ch != '\n'; ch = getc(st->fp)) {
		if (len < cap)
			buf[len] = (char)ch;
		has_nul |= ch == '\0';
		len++;
	}
	st->lineno++;
	if (len && len <= cap && buf[len - 1] == '\r')
		len--;
	s = buf;
	if (len <= cap) {
		buf[len] = '\0';
		if (st->lineno == 1 && len >= 3 &&
		    !memcmp(buf, "\xEF\xBB\xBF", 3)) {
			s += 3;
			len -= 3;
		}
	}
	str[0] = '\0';
	if (len > (size_t)limit) {
		problem(st, "line longer than %d bytes", limit);
		return str;
	}
	if (has_nul) {
		problem(st, "line contains a NUL byte");
		return str;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (check_line(st, s) == 0)
		gw_strlcpy(str, s, (size_t)num);
	return str;
}

static int ini_handle(void *user, const char *section, const char *name,
		      const char *value)
{
	struct ini_state *st = user;
	int i;
	enum bad why;
	char buf[GW_ERRMSG_MAX];

	if (st->skip)
		return 1;
	if (!*section) {
		problem(st, "key '%s' before any [section]", name);
		return 1;
	}
	i = find_index(section, name);
	if (i < 0 && st->ext) {
		int r = st->ext->setting(st->ext->ud, section, name, value,
					 st->lineno, buf, sizeof(buf));

		if (r < 0)
			problem(st, "%s", buf);
		if (r <= 0)
			return 1;
	}
	if (i < 0) {
		problem(st, "unknown key '%s' in [%s]", name, section);
		return 1;
	}
	if (st->first_line[i]) {
		problem(st, "duplicate key '%s' in [%s] (first set on line %d)",
			name, section, st->first_line[i]);
		return 1;
	}
	st->first_line[i] = st->lineno;
	why = set_value(st->c, (size_t)i, value, GW_SRC_INI);
	if (why != BAD_NONE) {
		describe(buf, sizeof(buf), &gw_config_keys[i], why, value, 1);
		problem(st, "%s", buf);
	}
	return 1; /* problems are ours to report, not inih's */
}

int gw_config_load_stream(struct gw_config *c, FILE *fp, const char *name,
			  struct gw_errlist *errs)
{
	return gw_config_load_ext(c, fp, name, NULL, errs);
}

int gw_config_load_ext(struct gw_config *c, FILE *fp, const char *name,
		       const struct gw_config_ext *ext, struct gw_errlist *errs)
{
	struct ini_state st;
	struct gw_config *tmp = gw_xmalloc(sizeof(*tmp));
	int rc;

	memset(&st, 0, sizeof(st));
	*tmp = *c;
	st.fp = fp;
	st.name = name;
	st.c = tmp;
	st.errs = errs;
	st.ext = ext;
	st.limit = GW_INI_LINE_MAX;
	rc = ini_parse_stream(ini_read_line, &st, ini_handle, &st);
	if (rc != 0 && !st.read_failed) {
		/*
		 * Cannot happen: the reader blanks every line inih could
		 * reject and the handler never fails.  Say so rather than
		 * pass a file we did not understand.
		 */
		gw_errlist_add(errs, "%s:%d: syntax error (inih)", name, rc);
		st.problems++;
	}
	if (!st.problems) {
		*c = *tmp;
		gw_strlcpy(c->source_file, name, sizeof(c->source_file));
	}
	free(tmp);
	return st.problems;
}

int gw_config_load(struct gw_config *c, const char *path,
		   struct gw_errlist *errs)
{
	FILE *fp = fopen(path, "r");
	int n;

	if (!fp) {
		gw_errlist_add(errs, "%s: %s", path, strerror(errno));
		return 1;
	}
	n = gw_config_load_stream(c, fp, path, errs);
	fclose(fp);
	return n;
}

/* ---- validate ------------------------------------------------------------ */

static int valid_env_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static int http_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* A file named by [target] key (if any) can be opened for reading:
 * 0, or 1 with the reason added. */
static int readable(struct gw_errlist *errs, const char *key, const char *flag,
		    const char *path)
{
	FILE *f;

	if (!path[0])
		return 0;
	f = fopen(path, "r");
	if (f) {
		fclose(f);
		return 0;
	}
	gw_errlist_add(errs, "[target] %s (%s) '%s': %s", key, flag, path,
		       strerror(errno));
	return 1;
}

int gw_config_validate(const struct gw_config *c, struct gw_errlist *errs)
{
	static const char *const size_name[] = {
		"small_artifact_size_bytes",
		"medium_artifact_size_bytes",
		"large_artifact_size_bytes",
		"max_artifact_size_bytes",
	};
	const long size[] = {
		c->profile.small_artifact_size_bytes,
		c->profile.medium_artifact_size_bytes,
		c->profile.large_artifact_size_bytes,
		c->profile.max_artifact_size_bytes,
	};
	long r = c->engine.ring_size;
	int problems = 0;

	if (r != 0 && (r < 64 || (r & (r - 1)) != 0)) {
		gw_errlist_add(errs,
			       "[engine] ring_size must be 0 or a power "
			       "of two from 64, got %ld",
			       r);
		problems++;
	}
	for (size_t i = 0; i + 1 < GW_ARRAY_SIZE(size); i++) {
		if (size[i] > size[i + 1]) {
			gw_errlist_add(errs,
				       "[profile] %s (%ld) must not "
				       "exceed %s (%ld)",
				       size_name[i], size[i], size_name[i + 1],
				       size[i + 1]);
			problems++;
		}
	}
	if (c->target.url[0] && !http_url(c->target.url)) {
		gw_errlist_add(errs,
			       "[target] url must start with http:// "
			       "or https://, got '%s'",
			       c->target.url);
		problems++;
	}
	if (c->target.introspect_url[0] &&
	    !http_url(c->target.introspect_url)) {
		gw_errlist_add(errs,
			       "[target] introspect_url must start with "
			       "http:// or https://, got '%s'",
			       c->target.introspect_url);
		problems++;
	}
	problems += readable(errs, "tls_ca_file", "--cacert",
			     c->target.tls_ca_file);
	problems += readable(errs, "tls_cert_file", "--cert",
			     c->target.tls_cert_file);
	problems +=
		readable(errs, "tls_key_file", "--key", c->target.tls_key_file);
	if (c->target.tls_key_file[0] && !c->target.tls_cert_file[0]) {
		gw_errlist_add(errs, "[target] tls_key_file (--key) needs "
				     "tls_cert_file (--cert)");
		problems++;
	}
	if (c->target.token_env[0] && !valid_env_name(c->target.token_env)) {
		gw_errlist_add(errs,
			       "[target] token_env must be an "
			       "environment variable name, got '%s'",
			       c->target.token_env);
		problems++;
	}
	return problems;
}

void gw_config_print(FILE *f, const struct gw_config *cfg)
{
	fprintf(f, "Effective configuration (%s):\n",
		cfg->source_file[0] ? cfg->source_file : "built-in defaults");
	for (size_t i = 0; i < gw_config_nkeys; i++) {
		const struct gw_config_key *k = &gw_config_keys[i];
		const char *base = (const char *)cfg + k->offset;

		fprintf(f, "  %-12s %-30s = ", k->section, k->name);
		switch (k->type) {
		case GW_KEY_LONG:
			fprintf(f, "%ld", *(const long *)(const void *)base);
			break;
		case GW_KEY_DOUBLE:
			fprintf(f, "%g", *(const double *)(const void *)base);
			break;
		case GW_KEY_BOOL:
			fprintf(f, "%s",
				*(const int *)(const void *)base ? "true"
								 : "false");
			break;
		default:
			fprintf(f, "%s", base);
		}
		fprintf(f, "  (%s)\n",
			gw_config_src_name((enum gw_src)cfg->src[i]));
	}
}
