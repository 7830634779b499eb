/*
 * check_config: the key table, the INI loader against data files with
 * their expected messages, the environment, precedence, ranges, validate()
 * and the shipped profiles.
 *
 * Data-driven cases live in test/data/ini (paths relative to the repo root;
 * make runs the suites from there):
 *  - bad-*.ini carries its expected messages as "; expect: " comment lines,
 *    in order, written as "<basename>:<line>: <message>".  The file must
 *    produce exactly those messages and leave the config untouched.
 *  - good-*.ini must load with no message; its values are checked by a
 *    test of its own below.
 * Boundary cases that need exact bytes (NUL, no final newline) are built
 * in memory with fmemopen.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_config.h"
#include "check_main.h"

#define INI_DIR "test/data/ini/"
#define EXPECT "; expect: "

static char *bad_files[64];
static int nbad;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect test/data/ini/bad-*.ini, sorted, before the runner forks. */
static void scan_bad_files(void)
{
	DIR *d = opendir(INI_DIR);
	struct dirent *e;

	if (!d)
		return; /* test_data_present says so */
	while ((e = readdir(d)) && nbad < (int)GW_ARRAY_SIZE(bad_files)) {
		size_t n = strlen(e->d_name);

		if (!strncmp(e->d_name, "bad-", 4) && n > 4 &&
		    !strcmp(e->d_name + n - 4, ".ini"))
			bad_files[nbad++] = gw_xstrdup(e->d_name);
	}
	closedir(d);
	qsort(bad_files, (size_t)nbad, sizeof(bad_files[0]), cmp_str);
}

static int key_index(const char *section, const char *name)
{
	const struct gw_config_key *k = gw_config_find(section, name);

	ck_assert_msg(k, "no key [%s] %s", section, name);
	return (int)(k - gw_config_keys);
}

static enum gw_src src_of(const struct gw_config *c, const char *section,
			  const char *name)
{
	return (enum gw_src)c->src[key_index(section, name)];
}

/* Messages of errs, with the INI_DIR prefix removed. */
static const char *msg(const struct gw_errlist *e, int i)
{
	const char *m = e->msg[i];

	return strncmp(m, INI_DIR, strlen(INI_DIR)) ? m : m + strlen(INI_DIR);
}

static void dump(const struct gw_errlist *e)
{
	for (int i = 0; i < e->n; i++)
		fprintf(stderr, "  got: %s\n", e->msg[i]);
}

/* Load text from memory (fmemopen) on top of *c. */
static int load_text(struct gw_config *c, const char *text, size_t len,
		     struct gw_errlist *errs)
{
	FILE *fp = fmemopen((void *)(uintptr_t)text, len, "r");
	int n;

	ck_assert_ptr_nonnull(fp);
	n = gw_config_load_stream(c, fp, "mem.ini", errs);
	fclose(fp);
	return n;
}

/* ---- the table ----------------------------------------------------------- */

START_TEST(test_table)
{
	struct gw_config c;

	ck_assert_uint_le(gw_config_nkeys, sizeof(c.src));
	for (size_t i = 0; i < gw_config_nkeys; i++) {
		const struct gw_config_key *k = &gw_config_keys[i];

		ck_assert_msg(k->help && *k->help, "%s: no help", k->name);
		ck_assert_msg(k->def, "%s: no default", k->name);
		ck_assert_ptr_eq(gw_config_find(k->section, k->name), k);
		ck_assert_uint_le(k->offset + k->size, sizeof(c));
		switch (k->type) {
		case GW_KEY_LONG:
			ck_assert_uint_eq(k->size, sizeof(long));
			ck_assert(k->min <= k->max);
			break;
		case GW_KEY_DOUBLE:
			ck_assert_uint_eq(k->size, sizeof(double));
			ck_assert(k->min <= k->max);
			break;
		case GW_KEY_BOOL:
			ck_assert_uint_eq(k->size, sizeof(int));
			break;
		case GW_KEY_STR:
			ck_assert_uint_gt(k->size, 1);
			break;
		}
		for (size_t j = 0; j < i; j++) {
			const struct gw_config_key *o = &gw_config_keys[j];

			ck_assert_msg(strcmp(k->section, o->section) ||
					      strcmp(k->name, o->name),
				      "duplicate key %s", k->name);
			ck_assert_msg(!k->env || !o->env ||
					      strcmp(k->env, o->env),
				      "duplicate env %s", k->env);
		}
	}
	ck_assert_ptr_null(gw_config_find("profile", "nope"));
	ck_assert_ptr_null(gw_config_find("nope", "name"));
	ck_assert_str_eq(gw_config_src_name(GW_SRC_DEFAULT), "default");
	ck_assert_str_eq(gw_config_src_name(GW_SRC_INI), "ini");
	ck_assert_str_eq(gw_config_src_name(GW_SRC_ENV), "env");
	ck_assert_str_eq(gw_config_src_name(GW_SRC_CLI), "cli");
}
END_TEST

START_TEST(test_defaults)
{
	struct gw_config c;
	struct gw_errlist errs = { 0 };

	memset(&c, 0xA5, sizeof(c));
	gw_config_defaults(&c);
	/* scenarios.md 2.1: the Python StressTestConfig defaults */
	ck_assert_str_eq(c.profile.name, "default");
	ck_assert_int_eq(c.profile.concurrent_sse_connections, 10);
	ck_assert_int_eq(c.profile.concurrent_sessions, 5);
	ck_assert_int_eq(c.profile.concurrent_http_requests, 20);
	ck_assert(c.profile.test_duration_seconds == 30.0);
	ck_assert(c.profile.soak_duration_seconds == 300.0);
	ck_assert(c.profile.warmup_seconds == 2.0);
	ck_assert_int_eq(c.profile.events_per_second, 100);
	ck_assert_int_eq(c.profile.requests_per_second, 50);
	ck_assert_int_eq(c.profile.small_artifact_size_bytes, 1024);
	ck_assert_int_eq(c.profile.medium_artifact_size_bytes, 1048576);
	ck_assert_int_eq(c.profile.large_artifact_size_bytes, 10485760);
	ck_assert_int_eq(c.profile.max_artifact_size_bytes, 52428800);
	ck_assert(c.profile.sse_queue_timeout_seconds == 0.1);
	ck_assert_int_eq(c.profile.max_sse_queue_size, 200);
	ck_assert(c.profile.sse_event_timeout_seconds == 120.0);
	ck_assert_int_eq(c.profile.max_retries, 3);
	ck_assert(c.profile.retry_delay_seconds == 0.5);
	ck_assert(c.thresholds.max_p99_latency_ms == 500.0);
	ck_assert(c.thresholds.max_error_rate_percent == 1.0);
	ck_assert(c.thresholds.memory_increase_threshold_mb == 50.0);
	ck_assert(c.thresholds.min_success_rate_percent == 95.0);
	ck_assert_str_eq(c.target.url, "");
	ck_assert_str_eq(c.target.agent_name, "TestAgent");
	ck_assert_str_eq(c.target.token_env, "GWSTRESS_TOKEN");
	ck_assert_str_eq(c.target.introspect_url, "");
	ck_assert(c.target.connect_timeout_seconds == 30.0);
	ck_assert(c.target.read_timeout_seconds == 120.0);
	ck_assert(c.target.request_timeout_seconds == 30.0);
	ck_assert_int_eq(c.target.pid, 0);
	ck_assert_int_eq(c.engine.workers, 0);
	ck_assert_int_eq(c.engine.thread_stack_kib, 256);
	ck_assert_int_eq(c.engine.ring_size, 0);
	ck_assert_int_eq(c.engine.max_event_bytes, 1048576);
	ck_assert_int_eq(c.engine.max_body_bytes, 1048576);
	ck_assert_int_eq(c.engine.progress, 1);
	ck_assert_str_eq(c.report.dir, "reports");
	ck_assert_str_eq(c.report.path, "");
	ck_assert_str_eq(c.source_file, "");
	for (size_t i = 0; i < sizeof(c.src); i++)
		ck_assert_int_eq(c.src[i], GW_SRC_DEFAULT);
	ck_assert_int_eq(gw_config_validate(&c, &errs), 0);
}
END_TEST

/* ---- INI data files ------------------------------------------------------ */

START_TEST(test_data_present)
{
	/* guards against a wrong cwd turning the loop below into nothing */
	ck_assert_msg(nbad >= 10,
		      "found %d bad-*.ini in " INI_DIR
		      " (run from the repository root)",
		      nbad);
}
END_TEST

START_TEST(test_bad_file)
{
	char path[256], line[512];
	char expect[GW_ERRLIST_MAX][GW_ERRMSG_MAX];
	int nexp = 0, n;
	struct gw_config c, before;
	struct gw_errlist errs = { 0 };
	FILE *fp;

	ck_assert_int_lt(_i, nbad);
	snprintf(path, sizeof(path), INI_DIR "%s", bad_files[_i]);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, EXPECT, strlen(EXPECT)))
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		ck_assert_int_lt(nexp, GW_ERRLIST_MAX);
		gw_strlcpy(expect[nexp++], line + strlen(EXPECT),
			   sizeof(expect[0]));
	}
	fclose(fp);
	ck_assert_msg(nexp > 0, "%s has no '" EXPECT "' lines", path);

	gw_config_defaults(&c);
	before = c;
	n = gw_config_load(&c, path, &errs);
	if (n != nexp || errs.n != nexp)
		dump(&errs);
	ck_assert_int_eq(n, nexp);
	ck_assert_int_eq(errs.n, nexp);
	ck_assert_int_eq(errs.dropped, 0);
	for (int i = 0; i < nexp; i++)
		ck_assert_str_eq(msg(&errs, i), expect[i]);
	/* all or nothing: a file with problems changes nothing */
	ck_assert(!memcmp(&c, &before, sizeof(c)));
}
END_TEST

START_TEST(test_good_basic)
{
	struct gw_config c;
	struct gw_errlist errs = { 0 };

	gw_config_defaults(&c);
	ck_assert_int_eq(gw_config_load(&c, INI_DIR "good-basic.ini", &errs),
			 0);
	ck_assert_int_eq(errs.n, 0);
	ck_assert_str_eq(c.source_file, INI_DIR "good-basic.ini");
	ck_assert_str_eq(c.profile.name, "basic");
	/* decimal only: "080" is 80, never octal */
	ck_assert_int_eq(c.profile.concurrent_sse_connections, 80);
	/* an indented line is a key of its own, not a continuation */
	ck_assert_int_eq(c.profile.concurrent_sessions, 4);
	ck_assert_int_eq(c.profile.concurrent_http_requests, 21);
	/* " ; ..." after a value is an inline comment */
	ck_assert(c.profile.test_duration_seconds == 12.5);
	ck_assert(c.profile.soak_duration_seconds == 1000.0);
	ck_assert(c.profile.warmup_seconds == 0.0);
	ck_assert_int_eq(c.profile.max_retries, 7);
	ck_assert(c.thresholds.max_p99_latency_ms == 750.25);
	ck_assert(c.thresholds.max_error_rate_percent == 0.0);
	ck_assert_str_eq(c.target.url, "");
	/* ';' without a blank before it is part of the value */
	ck_assert_str_eq(c.target.agent_name, "a;b");
	ck_assert_str_eq(c.target.token_env, "MY_TOKEN");
	ck_assert_str_eq(c.target.introspect_url,
			 "http://127.0.0.1:9/introspect");
	ck_assert_int_eq(c.target.pid, 4242);
	ck_assert_int_eq(c.engine.progress, 0);
	ck_assert_int_eq(c.engine.ring_size, 1024);
	/* '#' is a comment only at the start of a line */
	ck_assert_str_eq(c.report.dir, "out # not a comment");
	/* "path = ;" : the value is an empty string */
	ck_assert_str_eq(c.report.path, "");

	/* set in the file, even to the default value or to "" */
	ck_assert_int_eq(src_of(&c, "target", "url"), GW_SRC_INI);
	ck_assert_int_eq(src_of(&c, "report", "path"), GW_SRC_INI);
	ck_assert_int_eq(src_of(&c, "profile", "warmup_seconds"), GW_SRC_INI);
	/* not in the file */
	ck_assert_int_eq(src_of(&c, "engine", "workers"), GW_SRC_DEFAULT);
	ck_assert_int_eq(c.engine.workers, 0);
	ck_assert_int_eq(gw_config_validate(&c, &errs), 0);
}
END_TEST

START_TEST(test_good_crlf)
{
	struct gw_config c;
	struct gw_errlist errs = { 0 };

	gw_config_defaults(&c);
	ck_assert_int_eq(gw_config_load(&c, INI_DIR "good-crlf.ini", &errs), 0);
	ck_assert_int_eq(errs.n, 0);
	ck_assert_int_eq(c.profile.concurrent_sse_connections, 33);
	ck_assert_str_eq(c.profile.name, "crlf"); /* no stray '\r' */
	ck_assert_str_eq(c.target.agent_name, "CrlfAgent");
	ck_assert_str_eq(c.target.url, "http://localhost:8000");
}
END_TEST

START_TEST(test_good_maxline)
{
	struct gw_config c;
	struct gw_errlist errs = { 0 };

	gw_config_defaults(&c);
	ck_assert_int_eq(gw_config_load(&c, INI_DIR "good-maxline.ini", &errs),
			 0);
	/* the whole value made it through inih's 200-byte buffer */
	ck_assert_uint_eq(strlen(c.target.url), GW_INI_LINE_MAX - 6);
	ck_assert_uint_eq(strlen(c.target.introspect_url),
			  GW_INI_LINE_MAX - 17);
	ck_assert(c.target.url[strlen(c.target.url) - 1] == 'u');
	ck_assert(c.target.introspect_url[GW_INI_LINE_MAX - 18] == 'i');
}
END_TEST

/* Every good-*.ini loads cleanly and has no expect lines. */
START_TEST(test_good_files_clean)
{
	static const char *const good[] = {
		"good-basic.ini",
		"good-crlf.ini",
		"good-maxline.ini",
	};

	for (size_t i = 0; i < GW_ARRAY_SIZE(good); i++) {
		char path[256], line[512];
		struct gw_config c;
		struct gw_errlist errs = { 0 };
		FILE *fp;

		snprintf(path, sizeof(path), INI_DIR "%s", good[i]);
		fp = fopen(path, "r");
		ck_assert_ptr_nonnull(fp);
		while (fgets(line, sizeof(line), fp))
			ck_assert(strncmp(line, EXPECT, strlen(EXPECT)));
		fclose(fp);
		gw_config_defaults(&c);
		if (gw_config_load(&c, path, &errs))
			dump(&errs);
		ck_assert_int_eq(errs.n, 0);
	}
}
END_TEST

START_TEST(test_missing_file)
{
	struct gw_config c;
	struct gw_errlist errs = { 0 };

	gw_config_defaults(&c);
	ck_assert_int_eq(gw_config_load(&c, INI_DIR "no-such.ini", &errs), 1);
	ck_assert_int_eq(errs.n, 1);
	ck_assert_str_eq(errs.msg[0],
			 INI_DIR "no-such.ini: No such file or directory");
	ck_assert_str_eq(c.source_file, "");
	/* fopen() of a directory succeeds; the first read fails */
	memset(&errs, 0, sizeof(errs));
	ck_assert_int_eq(gw_config_load(&c, "test/data/ini", &errs), 1);
	ck_assert_str_eq(errs.msg[0],
			 "test/data/ini: read error: Is a directory");
}
END_TEST

/* ---- INI boundaries built in memory -------------------------------------- */

/* A comment line of n bytes, then "pid = x" to check the numbering. */
static void line_of(size_t n, const char *eol, int *nerr, char *first,
		    size_t firstlen)
{
	char text[600];
	size_t len = 0;
	struct gw_config c;
	struct gw_errlist errs = { 0 };

	ck_assert_uint_lt(n, 400);
	len += (size_t)snprintf(text, sizeof(text), "[target]\n;");
	memset(text + len, 'c', n - 1);
	len += n - 1;
	len += (size_t)snprintf(text + len, sizeof(text) - len, "%spid = x\n",
				eol);
	gw_config_defaults(&c);
	*nerr = load_text(&c, text, len, &errs);
	gw_strlcpy(first, errs.n ? errs.msg[0] : "", firstlen);
	/* whatever happened to line 2, the next line is line 3 */
	ck_assert_int_ge(errs.n, 1);
	ck_assert_str_eq(errs.msg[errs.n - 1],
			 "mem.ini:3: 'pid' must be an integer, got 'x'");
}

START_TEST(test_line_limit)
{
	static const char *const eols[] = { "\n", "\r\n" };
	char first[GW_ERRMSG_MAX], want[GW_ERRMSG_MAX];
	int n;

	snprintf(want, sizeof(want), "mem.ini:2: line longer than %d bytes",
		 GW_INI_LINE_MAX);
	for (size_t i = 0; i < GW_ARRAY_SIZE(eols); i++) {
		line_of(GW_INI_LINE_MAX, eols[i], &n, first, sizeof(first));
		ck_assert_int_eq(n, 1);
		line_of(GW_INI_LINE_MAX + 1, eols[i], &n, first, sizeof(first));
		ck_assert_int_eq(n, 2);
		ck_assert_str_eq(first, want);
		/* far beyond inih's buffer: still one line */
		line_of(399, eols[i], &n, first, sizeof(first));
		ck_assert_int_eq(n, 2);
		ck_assert_str_eq(first, want);
	}
}
END_TEST

START_TEST(test_nul_and_eof)
{
	static const char nul[] = "[target]\nagent_name = a\0b\npid = x\n";
	static const char noeol[] = "[target]\nagent_name = last";
	static const char bare_cr[] = "[target]\nagent_name = cr\r";
	struct gw_config c;
	struct gw_errlist errs = { 0 };

	gw_config_defaults(&c);
	ck_assert_int_eq(load_text(&c, nul, sizeof(nul) - 1, &errs), 2);
	ck_assert_str_eq(errs.msg[0], "mem.ini:2: line contains a NUL byte");
	ck_assert_str_eq(errs.msg[1],
			 "mem.ini:3: 'pid' must be an integer, got 'x'");

	memset(&errs, 0, sizeof(errs));
	ck_assert_int_eq(load_text(&c, noeol, sizeof(noeol) - 1, &errs), 0);
	ck_assert_str_eq(c.target.agent_name, "last");
	ck_assert_str_eq(c.source_file, "mem.ini");
	ck_assert_int_eq(load_text(&c, bare_cr, sizeof(bare_cr) - 1, &errs), 0);
	ck_assert_str_eq(c.target.agent_name, "cr");
	ck_assert_int_eq(load_text(&c, "", 0, &errs), 0);
}
END_TEST

START_TEST(test_error_cap)
{
	char text[8192];
	size_t len = 0;
	struct gw_config c;
	struct gw_errlist errs = { 0 };

	len += (size_t)snprintf(text, sizeof(text), "[profile]\n");
	for (int i = 0; i < GW_ERRLIST_MAX + 10; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"bad%d = 1\n", i);
	gw_config_defaults(&c);
	/* all problems counted, the list keeps the first ones */
	ck_assert_int_eq(load_text(&c, text, len, &errs), GW_ERRLIST_MAX + 10);
	ck_assert_int_eq(errs.n, GW_ERRLIST_MAX);
	ck_assert_int_eq(errs.dropped, 10);
	ck_assert_str_eq(errs.msg[0],
			 "mem.ini:2: unknown key 'bad0' in [profile]");
}
END_TEST

/* ---- gw_config_set and ranges -------------------------------------------- */

START_TEST(test_set_messages)
{
	struct gw_config c;
	char err[GW_ERRMSG_MAX];
	char big[600];

	gw_config_defaults(&c);
	ck_assert_int_eq(gw_config_set(&c, "profile", "concurrent_sessions",
				       "7", GW_SRC_CLI, err, sizeof(err)),
			 0);
	ck_assert_int_eq(c.profile.concurrent_sessions, 7);
	ck_assert_int_eq(src_of(&c, "profile", "concurrent_sessions"),
			 GW_SRC_CLI);

	ck_assert_int_eq(gw_config_set(&c, "foo", "bar", "1", GW_SRC_CLI, err,
				       sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "unknown section [foo]");
	ck_assert_int_eq(gw_config_set(&c, "profile", "bar", "1", GW_SRC_CLI,
				       err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "unknown key 'bar' in [profile]");
	ck_assert_int_eq(gw_config_set(&c, "engine", "progress", "2",
				       GW_SRC_CLI, err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "'progress' must be true or false (or yes/no, "
			      "on/off, 1/0), got '2'");
	ck_assert_int_eq(gw_config_set(&c, "engine", "progress", "", GW_SRC_CLI,
				       err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "'progress' must be true or false (or yes/no, "
			      "on/off, 1/0), got ''");
	ck_assert_int_eq(gw_config_set(&c, "engine", "progress", "YES",
				       GW_SRC_CLI, err, sizeof(err)),
			 0);
	ck_assert_int_eq(c.engine.progress, 1);
	ck_assert_int_eq(gw_config_set(&c, "profile", "warmup_seconds", " 1",
				       GW_SRC_CLI, err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "'warmup_seconds' must be a number, got ' 1'");

	/* a refused value leaves value and source alone */
	ck_assert_int_eq(gw_config_set(&c, "profile", "concurrent_sessions",
				       "0", GW_SRC_ENV, err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "'concurrent_sessions' must be between 1 and "
			      "100000, got 0");
	ck_assert_int_eq(c.profile.concurrent_sessions, 7);
	ck_assert_int_eq(src_of(&c, "profile", "concurrent_sessions"),
			 GW_SRC_CLI);

	/* strings: up to size - 1 bytes, never echoed when too long */
	memset(big, 'u', sizeof(big));
	big[GW_URL_MAX - 1] = '\0';
	ck_assert_int_eq(gw_config_set(&c, "target", "url", big, GW_SRC_CLI,
				       err, sizeof(err)),
			 0);
	ck_assert_uint_eq(strlen(c.target.url), GW_URL_MAX - 1);
	big[GW_URL_MAX - 1] = 'u';
	big[GW_URL_MAX] = '\0';
	ck_assert_int_eq(gw_config_set(&c, "target", "url", big, GW_SRC_CLI,
				       err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "'url' is longer than 511 bytes");
	ck_assert_uint_eq(strlen(c.target.url), GW_URL_MAX - 1);

	/* err may be NULL or short */
	ck_assert_int_eq(gw_config_set(&c, "x", "y", "z", GW_SRC_CLI, NULL, 0),
			 -1);
	ck_assert_int_eq(gw_config_set(&c, "x", "y", "z", GW_SRC_CLI, err, 5),
			 -1);
	ck_assert_str_eq(err, "unkn");
}
END_TEST

/* min and max are accepted, one step beyond is refused; every key. */
START_TEST(test_ranges)
{
	for (size_t i = 0; i < gw_config_nkeys; i++) {
		const struct gw_config_key *k = &gw_config_keys[i];
		struct gw_config c;
		char v[64], err[GW_ERRMSG_MAX];

		if (k->type != GW_KEY_LONG && k->type != GW_KEY_DOUBLE)
			continue;
		gw_config_defaults(&c);
		for (int side = 0; side < 4; side++) {
			double x = side == 0   ? k->min
				   : side == 1 ? k->max
				   : side == 2 ? k->min - 1
					       : k->max + 1;
			int rc;

			if (k->type == GW_KEY_LONG)
				snprintf(v, sizeof(v), "%ld", (long)x);
			else
				snprintf(v, sizeof(v), "%.17g", x);
			rc = gw_config_set(&c, k->section, k->name, v,
					   GW_SRC_CLI, err, sizeof(err));
			ck_assert_msg(rc == (side < 2 ? 0 : -1),
				      "[%s] %s = %s: rc %d (%s)", k->section,
				      k->name, v, rc, err);
			if (side >= 2)
				ck_assert_msg(strstr(err, "must be between"),
					      "%s", err);
		}
	}
}
END_TEST

/* ---- environment --------------------------------------------------------- */

/* NAME, VALUE pairs ending with NULL; NULL = empty environment */
static const char *const *fake_env;

static const char *fake_getenv(const char *name)
{
	for (const char *const *p = fake_env; p && *p; p += 2)
		if (!strcmp(p[0], name))
			return p[1];
	return NULL;
}

START_TEST(test_env_all)
{
	static const char *const env[] = {
		"STRESS_CONCURRENT_SSE",
		"50",
		"STRESS_CONCURRENT_SESSIONS",
		"20",
		"STRESS_DURATION",
		"60.5",
		"STRESS_SOAK_DURATION",
		"600",
		"STRESS_MAX_P99_LATENCY",
		"1000",
		"STRESS_MAX_ERROR_RATE",
		"5",
		"GWSTRESS_URL",
		"http://gw:8000",
		"GWSTRESS_AGENT",
		"EnvAgent",
		"GWSTRESS_TARGET_PID",
		"1234",
		"GWSTRESS_WINDOW_SCALE",
		"2.5",
		"GWSTRESS_REPORT_DIR",
		"/tmp/r",
		"GWSTRESS_TOKEN",
		"secret-is-never-read-here",
		NULL,
	};
	static const char *const keys[][2] = {
		{ "profile", "concurrent_sse_connections" },
		{ "profile", "concurrent_sessions" },
		{ "profile", "test_duration_seconds" },
		{ "profile", "soak_duration_seconds" },
		{ "thresholds", "max_p99_latency_ms" },
		{ "thresholds", "max_error_rate_percent" },
		{ "target", "url" },
		{ "target", "agent_name" },
		{ "target", "pid" },
		{ "target", "stream_window_scale" },
		{ "report", "dir" },
	};
	struct gw_config c;
	struct gw_errlist errs = { 0 };
	int nenv = 0;

	fake_env = env;
	gw_config_defaults(&c);
	ck_assert_int_eq(gw_config_apply_env(&c, fake_getenv, &errs), 0);
	ck_assert_int_eq(errs.n, 0);
	ck_assert_int_eq(c.profile.concurrent_sse_connections, 50);
	ck_assert_int_eq(c.profile.concurrent_sessions, 20);
	ck_assert(c.profile.test_duration_seconds == 60.5);
	ck_assert(c.profile.soak_duration_seconds == 600.0);
	ck_assert(c.thresholds.max_p99_latency_ms == 1000.0);
	ck_assert(c.thresholds.max_error_rate_percent == 5.0);
	ck_assert_str_eq(c.target.url, "http://gw:8000");
	ck_assert_str_eq(c.target.agent_name, "EnvAgent");
	ck_assert_int_eq(c.target.pid, 1234);
	ck_assert(c.target.stream_window_scale == 2.5);
	ck_assert_str_eq(c.report.dir, "/tmp/r");
	ck_assert_str_eq(c.target.token_env, "GWSTRESS_TOKEN");
	for (size_t i = 0; i < GW_ARRAY_SIZE(keys); i++)
		ck_assert_int_eq(src_of(&c, keys[i][0], keys[i][1]),
				 GW_SRC_ENV);
	/* exactly these eleven keys have a variable */
	for (size_t i = 0; i < gw_config_nkeys; i++) {
		if (!gw_config_keys[i].env)
			continue;
		nenv++;
		ck_assert_int_eq(c.src[i], GW_SRC_ENV);
	}
	ck_assert_int_eq(nenv, 11);
	ck_assert_int_eq(src_of(&c, "engine", "workers"), GW_SRC_DEFAULT);
}
END_TEST

START_TEST(test_env_empty_and_bad)
{
	static const char *const env[] = {
		"STRESS_CONCURRENT_SSE",
		"12.5",
		"STRESS_CONCURRENT_SESSIONS",
		"", /* ignored */
		"STRESS_DURATION",
		"0",
		"STRESS_SOAK_DURATION",
		"abc",
		"STRESS_MAX_P99_LATENCY",
		"750", /* still applied */
		"STRESS_MAX_ERROR_RATE",
		"101",
		"GWSTRESS_URL",
		"", /* ignored */
		"GWSTRESS_TARGET_PID",
		"0x10",
		NULL,
	};
	struct gw_config c;
	struct gw_errlist errs = { 0 };

	fake_env = env;
	gw_config_defaults(&c);
	ck_assert_int_eq(gw_config_apply_env(&c, fake_getenv, &errs), 5);
	ck_assert_int_eq(errs.n, 5);
	ck_assert_str_eq(errs.msg[0],
			 "environment STRESS_CONCURRENT_SSE=12.5:"
			 " 'concurrent_sse_connections' must be an integer");
	ck_assert_str_eq(errs.msg[1],
			 "environment STRESS_DURATION=0: "
			 "'test_duration_seconds' must be between 0.001 "
			 "and 604800");
	ck_assert_str_eq(errs.msg[2],
			 "environment STRESS_SOAK_DURATION=abc: "
			 "'soak_duration_seconds' must be a number");
	ck_assert_str_eq(errs.msg[3],
			 "environment STRESS_MAX_ERROR_RATE=101: "
			 "'max_error_rate_percent' must be between 0 and 100");
	ck_assert_str_eq(errs.msg[4], "environment GWSTRESS_TARGET_PID=0x10: "
				      "'pid' must be an integer");
	ck_assert_int_eq(c.profile.concurrent_sse_connections, 10);
	ck_assert_int_eq(src_of(&c, "profile", "concurrent_sse_connections"),
			 GW_SRC_DEFAULT);
	ck_assert_int_eq(c.profile.concurrent_sessions, 5);
	ck_assert_int_eq(src_of(&c, "profile", "concurrent_sessions"),
			 GW_SRC_DEFAULT);
	ck_assert_str_eq(c.target.url, "");
	ck_assert(c.thresholds.max_p99_latency_ms == 750.0);
	ck_assert_int_eq(src_of(&c, "thresholds", "max_p99_latency_ms"),
			 GW_SRC_ENV);

	/* no environment at all */
	fake_env = NULL;
	memset(&errs, 0, sizeof(errs));
	gw_config_defaults(&c);
	ck_assert_int_eq(gw_config_apply_env(&c, fake_getenv, &errs), 0);
	for (size_t i = 0; i < gw_config_nkeys; i++)
		ck_assert_int_eq(c.src[i], GW_SRC_DEFAULT);
}
END_TEST

START_TEST(test_env_too_long)
{
	static char url[GW_URL_MAX + 10];
	static const char *env[] = { "GWSTRESS_URL", url, NULL };
	struct gw_config c;
	struct gw_errlist errs = { 0 };

	memset(url, 'h', sizeof(url) - 1);
	fake_env = env;
	gw_config_defaults(&c);
	ck_assert_int_eq(gw_config_apply_env(&c, fake_getenv, &errs), 1);
	ck_assert_str_eq(errs.msg[0], "environment GWSTRESS_URL: 'url' is "
				      "longer than 511 bytes");
}
END_TEST

/* ---- precedence ---------------------------------------------------------- */

START_TEST(test_precedence)
{
	static const char *const env[] = {
		"STRESS_CONCURRENT_SSE",
		"8",
		"GWSTRESS_AGENT",
		"EnvAgent",
		NULL,
	};
	struct gw_config c;
	struct gw_errlist errs = { 0 };
	char err[GW_ERRMSG_MAX];

	gw_config_defaults(&c);
	ck_assert_int_eq(c.profile.concurrent_sse_connections, 10);
	ck_assert_int_eq(src_of(&c, "profile", "concurrent_sse_connections"),
			 GW_SRC_DEFAULT);

	ck_assert_int_eq(gw_config_load(&c, INI_DIR "good-basic.ini", &errs),
			 0);
	ck_assert_int_eq(c.profile.concurrent_sse_connections, 80);
	ck_assert_int_eq(src_of(&c, "profile", "concurrent_sse_connections"),
			 GW_SRC_INI);

	fake_env = env;
	ck_assert_int_eq(gw_config_apply_env(&c, fake_getenv, &errs), 0);
	ck_assert_int_eq(c.profile.concurrent_sse_connections, 8);
	ck_assert_int_eq(src_of(&c, "profile", "concurrent_sse_connections"),
			 GW_SRC_ENV);
	ck_assert_str_eq(c.target.agent_name, "EnvAgent");
	/* what env did not name keeps the file's value */
	ck_assert_int_eq(c.profile.concurrent_sessions, 4);
	ck_assert_int_eq(src_of(&c, "profile", "concurrent_sessions"),
			 GW_SRC_INI);

	ck_assert_int_eq(gw_config_set(&c, "profile",
				       "concurrent_sse_connections", "9",
				       GW_SRC_CLI, err, sizeof(err)),
			 0);
	ck_assert_int_eq(c.profile.concurrent_sse_connections, 9);
	ck_assert_int_eq(src_of(&c, "profile", "concurrent_sse_connections"),
			 GW_SRC_CLI);
	ck_assert_int_eq(src_of(&c, "target", "agent_name"), GW_SRC_ENV);
	ck_assert_int_eq(src_of(&c, "engine", "workers"), GW_SRC_DEFAULT);
}
END_TEST

/* ---- validate ------------------------------------------------------------ */

START_TEST(test_validate)
{
	struct gw_config c;
	struct gw_errlist errs = { 0 };
	char err[GW_ERRMSG_MAX];

	gw_config_defaults(&c);
	ck_assert_int_eq(gw_config_set(&c, "engine", "ring_size", "1000",
				       GW_SRC_CLI, err, sizeof(err)),
			 0);
	ck_assert_int_eq(gw_config_validate(&c, &errs), 1);
	ck_assert_str_eq(errs.msg[0], "[engine] ring_size must be 0 or a "
				      "power of two from 64, got 1000");
	for (long r = 64; r <= 16777216; r *= 2) {
		c.engine.ring_size = r;
		memset(&errs, 0, sizeof(errs));
		ck_assert_int_eq(gw_config_validate(&c, &errs), 0);
	}
	for (long r = 1; r <= 32; r *= 2) { /* powers of two below 64 */
		c.engine.ring_size = r;
		memset(&errs, 0, sizeof(errs));
		ck_assert_int_eq(gw_config_validate(&c, &errs), 1);
	}
	c.engine.ring_size = 65;
	memset(&errs, 0, sizeof(errs));
	ck_assert_int_eq(gw_config_validate(&c, &errs), 1);
	c.engine.ring_size = 0; /* automatic */
	memset(&errs, 0, sizeof(errs));
	ck_assert_int_eq(gw_config_validate(&c, &errs), 0);

	c.profile.medium_artifact_size_bytes = 100;
	c.profile.max_artifact_size_bytes = 1000;
	strcpy(c.target.url, "ftp://gw");
	strcpy(c.target.introspect_url, "gw:8000/introspect");
	strcpy(c.target.token_env, "MY-TOKEN");
	memset(&errs, 0, sizeof(errs));
	ck_assert_int_eq(gw_config_validate(&c, &errs), 5);
	ck_assert_str_eq(errs.msg[0],
			 "[profile] small_artifact_size_bytes "
			 "(1024) must not exceed medium_artifact_size_bytes "
			 "(100)");
	ck_assert_str_eq(errs.msg[1],
			 "[profile] large_artifact_size_bytes "
			 "(10485760) must not exceed max_artifact_size_bytes "
			 "(1000)");
	ck_assert_str_eq(errs.msg[2], "[target] url must start with http:// "
				      "or https://, got 'ftp://gw'");
	ck_assert_str_eq(errs.msg[3],
			 "[target] introspect_url must start "
			 "with http:// or https://, got 'gw:8000/introspect'");
	ck_assert_str_eq(errs.msg[4],
			 "[target] token_env must be an "
			 "environment variable name, got 'MY-TOKEN'");

	gw_config_defaults(&c);
	strcpy(c.target.url, "https://gw");
	c.target.token_env[0] = '\0'; /* no token */
	memset(&errs, 0, sizeof(errs));
	ck_assert_int_eq(gw_config_validate(&c, &errs), 0);
}
END_TEST

/* ---- shipped profiles ---------------------------------------------------- */

static const struct {
	const char *name;
	long sse, sessions;
	double duration, p99;
} profiles[] = {
	/* scenarios.md 2.2 */
	{ "smoke", 3, 2, 5.0, 1000.0 },	   { "small", 5, 3, 10.0, 500.0 },
	{ "medium", 25, 10, 30.0, 500.0 }, { "large", 100, 50, 60.0, 500.0 },
	{ "soak", 10, 5, 60.0, 500.0 },
};

START_TEST(test_shipped_profile)
{
	static const char *const per_profile[][2] = {
		{ "profile", "name" },
		{ "profile", "concurrent_sse_connections" },
		{ "profile", "concurrent_sessions" },
		{ "profile", "test_duration_seconds" },
		{ "thresholds", "max_p99_latency_ms" },
	};
	char path[64];
	struct gw_config c, d;
	struct gw_errlist errs = { 0 };

	snprintf(path, sizeof(path), "conf/%s.ini", profiles[_i].name);
	gw_config_defaults(&c);
	gw_config_defaults(&d);
	if (gw_config_load(&c, path, &errs))
		dump(&errs);
	ck_assert_int_eq(errs.n, 0);
	ck_assert_int_eq(gw_config_validate(&c, &errs), 0);
	ck_assert_str_eq(c.source_file, path);
	ck_assert_str_eq(c.profile.name, profiles[_i].name);
	ck_assert_int_eq(c.profile.concurrent_sse_connections,
			 profiles[_i].sse);
	ck_assert_int_eq(c.profile.concurrent_sessions, profiles[_i].sessions);
	ck_assert(c.profile.test_duration_seconds == profiles[_i].duration);
	ck_assert(c.profile.soak_duration_seconds == 300.0);
	ck_assert(c.thresholds.max_p99_latency_ms == profiles[_i].p99);
	ck_assert_str_eq(c.target.url, "");

	/* every key is spelled out in the file ... */
	for (size_t i = 0; i < gw_config_nkeys; i++)
		ck_assert_msg(c.src[i] == GW_SRC_INI, "%s lacks [%s] %s", path,
			      gw_config_keys[i].section,
			      gw_config_keys[i].name);
	/* ... and all but the profile-table ones keep the default */
	for (size_t i = 0; i < GW_ARRAY_SIZE(per_profile); i++) {
		const struct gw_config_key *k =
			gw_config_find(per_profile[i][0], per_profile[i][1]);

		memcpy((char *)&d + k->offset, (char *)&c + k->offset, k->size);
	}
	memcpy(d.src, c.src, sizeof(d.src));
	gw_strlcpy(d.source_file, c.source_file, sizeof(d.source_file));
	ck_assert_msg(!memcmp(&c, &d, sizeof(c)),
		      "%s: a key outside the profile table differs from its "
		      "default",
		      path);
}
END_TEST

/* Unchecked teardown: runs once, in the runner, after the last test. */
static void free_bad_files(void)
{
	for (int i = 0; i < nbad; i++) {
		free(bad_files[i]);
		bad_files[i] = NULL;
	}
}

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	/* before the loop test below: nbad is its range */
	scan_bad_files();
	tcase_add_unchecked_fixture(tc, NULL, free_bad_files);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_data_present);
	tcase_add_loop_test(tc, test_bad_file, 0, nbad);
	tcase_add_test(tc, test_good_basic);
	tcase_add_test(tc, test_good_crlf);
	tcase_add_test(tc, test_good_maxline);
	tcase_add_test(tc, test_good_files_clean);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_line_limit);
	tcase_add_test(tc, test_nul_and_eof);
	tcase_add_test(tc, test_error_cap);
	tcase_add_test(tc, test_set_messages);
	tcase_add_test(tc, test_ranges);
	tcase_add_test(tc, test_env_all);
	tcase_add_test(tc, test_env_empty_and_bad);
	tcase_add_test(tc, test_env_too_long);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_validate);
	tcase_add_loop_test(tc, test_shipped_profile, 0,
			    (int)GW_ARRAY_SIZE(profiles));
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(config_suite)
