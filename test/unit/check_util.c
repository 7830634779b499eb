/*
 * check_util: gw_util's strict parsers, data-driven (every spelling that
 * must be accepted, with its value, and every one that must be refused:
 * blanks, junk, other bases, range ends, overflow), gw_strlcpy and its
 * truncation, the error list's cap and its dropped count, gw_sleep_ns
 * returning early when another thread requests a stop, and gw_exe_dir.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gw_util.h"
#include "check_main.h"

/* ---- gw_parse_long ------------------------------------------------------- */

static const struct {
	const char *s;
	long min, max;
	int rc;
	long want; /* when rc == 0 */
} long_cases[] = {
	{ "0", 0, 10, 0, 0 },
	{ "7", 0, 10, 0, 7 },
	{ "080", 0, 100, 0, 80 }, /* decimal, never octal */
	{ "007", 0, 10, 0, 7 },
	{ "+5", -10, 10, 0, 5 },
	{ "-5", -10, 10, 0, -5 },
	{ "-0", 0, 0, 0, 0 },
	{ "10", 0, 10, 0, 10 }, /* range ends are inclusive */
	{ "-10", -10, 10, 0, -10 },
	{ "11", 0, 10, -1, 0 },
	{ "-1", 0, 10, -1, 0 },
	{ "-11", -10, 10, -1, 0 },
	{ "99999999999999999999999", LONG_MIN, LONG_MAX, -1, 0 },
	{ "-99999999999999999999999", LONG_MIN, LONG_MAX, -1, 0 },
	{ "", 0, 10, -1, 0 },
	{ " ", 0, 10, -1, 0 },
	{ " 5", 0, 10, -1, 0 },
	{ "5 ", 0, 10, -1, 0 },
	{ "\t5", 0, 10, -1, 0 },
	{ "5\n", 0, 10, -1, 0 },
	{ "1 0", 0, 100, -1, 0 },
	{ "5x", 0, 10, -1, 0 },
	{ "x5", 0, 10, -1, 0 },
	{ "abc", 0, 10, -1, 0 },
	{ "0x10", 0, 100, -1, 0 },
	{ "1e3", 0, 10000, -1, 0 },
	{ "1.0", 0, 10, -1, 0 },
	{ "+", 0, 10, -1, 0 },
	{ "-", 0, 10, -1, 0 },
	{ "--5", -10, 10, -1, 0 },
	{ "+-5", -10, 10, -1, 0 },
	{ "5-", 0, 10, -1, 0 },
};

START_TEST(test_parse_long)
{
	long v = 12345;
	int rc = gw_parse_long(long_cases[_i].s, long_cases[_i].min,
			       long_cases[_i].max, &v);

	ck_assert_msg(rc == long_cases[_i].rc, "\"%s\" in [%ld, %ld]: rc %d",
		      long_cases[_i].s, long_cases[_i].min, long_cases[_i].max,
		      rc);
	if (rc == 0)
		ck_assert_int_eq(v, long_cases[_i].want);
	else /* a refused string leaves the output alone */
		ck_assert_int_eq(v, 12345);
}
END_TEST

/* The ends of long itself, whatever its width: LONG_MAX and LONG_MIN
 * parse, one digit more overflows. */
START_TEST(test_parse_long_limits)
{
	char buf[64];
	long v = 0;

	snprintf(buf, sizeof(buf), "%ld", LONG_MAX);
	ck_assert_int_eq(gw_parse_long(buf, LONG_MIN, LONG_MAX, &v), 0);
	ck_assert_int_eq(v, LONG_MAX);
	snprintf(buf, sizeof(buf), "%ld", LONG_MIN);
	ck_assert_int_eq(gw_parse_long(buf, LONG_MIN, LONG_MAX, &v), 0);
	ck_assert_int_eq(v, LONG_MIN);
	v = 1;
	snprintf(buf, sizeof(buf), "%ld0", LONG_MAX);
	ck_assert_int_eq(gw_parse_long(buf, LONG_MIN, LONG_MAX, &v), -1);
	snprintf(buf, sizeof(buf), "%ld0", LONG_MIN);
	ck_assert_int_eq(gw_parse_long(buf, LONG_MIN, LONG_MAX, &v), -1);
	ck_assert_int_eq(v, 1);
}
END_TEST

/* ---- gw_parse_double ----------------------------------------------------- */

static const struct {
	const char *s;
	double min, max;
	int rc;
	double want;
} double_cases[] = {
	{ "0", 0, 1, 0, 0.0 },
	{ "0.5", 0, 1, 0, 0.5 },
	{ "1", 0, 1, 0, 1.0 }, /* range ends are inclusive */
	{ "0.0", 0, 1, 0, 0.0 },
	{ ".5", 0, 1, 0, 0.5 },
	{ "5.", 0, 10, 0, 5.0 },
	{ "080", 0, 100, 0, 80.0 },
	{ "080.5", 0, 100, 0, 80.5 },
	{ "1e3", 0, 1e4, 0, 1000.0 },
	{ "1E-3", 0, 1, 0, 0.001 },
	{ "2.5e+2", 0, 1000, 0, 250.0 },
	{ "-2.5", -10, 10, 0, -2.5 },
	{ "+2.5", -10, 10, 0, 2.5 },
	{ "-10", -10, 10, 0, -10.0 },
	{ "1.0001", 0, 1, -1, 0 },
	{ "-0.1", 0, 1, -1, 0 },
	{ "1e400", 0, 1e308, -1, 0 }, /* overflow */
	{ "-1e400", -1e308, 0, -1, 0 },
	{ "", 0, 1, -1, 0 },
	{ " ", 0, 1, -1, 0 },
	{ " 0.5", 0, 1, -1, 0 },
	{ "0.5 ", 0, 1, -1, 0 },
	{ "0.5\n", 0, 1, -1, 0 },
	{ "abc", 0, 1, -1, 0 },
	{ "0.5x", 0, 1, -1, 0 },
	{ "0x1p-1", 0, 1, -1, 0 },  /* no hex floats */
	{ "inf", 0, 1e308, -1, 0 }, /* no inf or nan spellings */
	{ "infinity", 0, 1e308, -1, 0 },
	{ "nan", 0, 1, -1, 0 },
	{ ".", 0, 1, -1, 0 },
	{ "e5", 0, 1e6, -1, 0 },
	{ "1e", 0, 10, -1, 0 },
	{ "1e+", 0, 10, -1, 0 },
	{ "1..2", 0, 10, -1, 0 },
	{ "1.2.3", 0, 10, -1, 0 },
	{ "--1", -10, 10, -1, 0 },
	{ "1-", -10, 10, -1, 0 },
	{ "0,5", 0, 1, -1, 0 },
};

START_TEST(test_parse_double)
{
	double v = 12345.0;
	int rc = gw_parse_double(double_cases[_i].s, double_cases[_i].min,
				 double_cases[_i].max, &v);

	ck_assert_msg(rc == double_cases[_i].rc, "\"%s\" in [%g, %g]: rc %d",
		      double_cases[_i].s, double_cases[_i].min,
		      double_cases[_i].max, rc);
	/* exact comparison: strtod and the compiler round the same decimal
	 * to the same nearest double */
	if (rc == 0)
		ck_assert_msg(v == double_cases[_i].want, "\"%s\": %.17g",
			      double_cases[_i].s, v);
	else
		ck_assert_msg(v == 12345.0, "\"%s\": output written",
			      double_cases[_i].s);
}
END_TEST

/* ---- gw_parse_bool ------------------------------------------------------- */

static const struct {
	const char *s;
	int rc, want;
} bool_cases[] = {
	{ "1", 0, 1 },	    { "true", 0, 1 },	 { "yes", 0, 1 },
	{ "on", 0, 1 },	    { "0", 0, 0 },	 { "false", 0, 0 },
	{ "no", 0, 0 },	    { "off", 0, 0 },	 { "TRUE", 0, 1 },
	{ "Yes", 0, 1 },    { "oN", 0, 1 },	 { "FALSE", 0, 0 },
	{ "No", 0, 0 },	    { "OFF", 0, 0 },	 { "", -1, 0 },
	{ " ", -1, 0 },	    { " true", -1, 0 },	 { "true ", -1, 0 },
	{ "yes\n", -1, 0 }, { "2", -1, 0 },	 { "-1", -1, 0 },
	{ "01", -1, 0 },    { "00", -1, 0 },	 { "y", -1, 0 },
	{ "n", -1, 0 },	    { "t", -1, 0 },	 { "f", -1, 0 },
	{ "truee", -1, 0 }, { "enable", -1, 0 }, { "nope", -1, 0 },
};

START_TEST(test_parse_bool)
{
	int v = 7;
	int rc = gw_parse_bool(bool_cases[_i].s, &v);

	ck_assert_msg(rc == bool_cases[_i].rc, "\"%s\": rc %d",
		      bool_cases[_i].s, rc);
	ck_assert_msg(v == (rc == 0 ? bool_cases[_i].want : 7), "\"%s\": %d",
		      bool_cases[_i].s, v);
}
END_TEST

/* ---- gw_strlcpy ---------------------------------------------------------- */

/* Copy src with size n into a 16-byte buffer of 'X's: the return value,
 * the text, and that nothing at or past dst[n] was written. */
static void strlcpy_case(const char *src, size_t n, const char *want)
{
	char dst[16];
	size_t len = gw_strlcpy(memset(dst, 'X', sizeof(dst)), src, n);

	ck_assert_uint_eq(len, strlen(src));
	if (n)
		ck_assert_str_eq(dst, want);
	for (size_t i = n; i < sizeof(dst); i++)
		ck_assert_msg(dst[i] == 'X', "\"%s\", n %zu: dst[%zu] written",
			      src, n, i);
}

START_TEST(test_strlcpy)
{
	strlcpy_case("abc", 8, "abc");
	strlcpy_case("", 8, "");
	strlcpy_case("abcdefg", 8, "abcdefg");	/* exactly fits */
	strlcpy_case("abcdefgh", 8, "abcdefg"); /* one too many */
	strlcpy_case("hello world", 6, "hello");
	strlcpy_case("hello", 1, "");
	strlcpy_case("hello", 0, NULL); /* writes nothing */
	/* truncation is seen as a result >= n, as with BSD strlcpy */
	{
		char dst[4];

		ck_assert_uint_ge(gw_strlcpy(dst, "abcd", sizeof(dst)),
				  sizeof(dst));
		ck_assert_uint_lt(gw_strlcpy(dst, "abc", sizeof(dst)),
				  sizeof(dst));
	}
}
END_TEST

/* ---- gw_errlist ---------------------------------------------------------- */

START_TEST(test_errlist)
{
	static struct gw_errlist e; /* 16 KiB: not on the stack */
	char longmsg[2 * GW_ERRMSG_MAX], last[32];

	memset(&e, 0, sizeof(e));
	gw_errlist_add(&e, "f.ini:%d: bad %s", 3, "key");
	ck_assert_int_eq(e.n, 1);
	ck_assert_int_eq(e.dropped, 0);
	ck_assert_str_eq(e.msg[0], "f.ini:3: bad key");
	/* a message longer than a slot is cut, still terminated */
	memset(longmsg, 'm', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	gw_errlist_add(&e, "%s", longmsg);
	ck_assert_uint_eq(strlen(e.msg[1]), GW_ERRMSG_MAX - 1);
	for (int i = 2; i < GW_ERRLIST_MAX; i++)
		gw_errlist_add(&e, "error %d", i);
	ck_assert_int_eq(e.n, GW_ERRLIST_MAX);
	ck_assert_int_eq(e.dropped, 0);
	/* past the capacity: counted, and the stored ones stay as they are */
	for (int i = 0; i < 5; i++)
		gw_errlist_add(&e, "overflow %d", i);
	ck_assert_int_eq(e.n, GW_ERRLIST_MAX);
	ck_assert_int_eq(e.dropped, 5);
	ck_assert_str_eq(e.msg[0], "f.ini:3: bad key");
	snprintf(last, sizeof(last), "error %d", GW_ERRLIST_MAX - 1);
	ck_assert_str_eq(e.msg[GW_ERRLIST_MAX - 1], last);
}
END_TEST

/* gw_errlist_print: every message with the program's prefix, then the
 * dropped count.  stderr goes to a temporary file for the call. */
START_TEST(test_errlist_print)
{
	static struct gw_errlist e;
	FILE *f = tmpfile();
	char out[256];
	size_t n;
	int saved;

	ck_assert_ptr_nonnull(f);
	memset(&e, 0, sizeof(e));
	gw_errlist_add(&e, "first");
	gw_errlist_add(&e, "second");
	e.dropped = 3;
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ne(saved, -1);
	ck_assert_int_ne(dup2(fileno(f), STDERR_FILENO), -1);
	gw_errlist_print(&e);
	fflush(stderr);
	ck_assert_int_ne(dup2(saved, STDERR_FILENO), -1);
	close(saved);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	ck_assert_str_eq(out, "gwstress: first\ngwstress: second\n"
			      "gwstress: ... and 3 more errors\n");
}
END_TEST

/* ---- gw_sleep_ns --------------------------------------------------------- */

START_TEST(test_sleep_full)
{
	int64_t t0;

	atomic_store(&gw_stop, 0);
	ck_assert_int_eq(gw_sleep_ns(0), 0);
	ck_assert_int_eq(gw_sleep_ns(-GW_NS_PER_S), 0);
	t0 = gw_now_ns();
	ck_assert_int_eq(gw_sleep_ns(20 * GW_NS_PER_MS), 0);
	/* a full sleep never ends early (a lower bound, not a timing) */
	ck_assert_int_ge(gw_now_ns() - t0, 20 * GW_NS_PER_MS);
}
END_TEST

#define LONG_SLEEP (20 * GW_NS_PER_S)
#define EARLY (5 * GW_NS_PER_S)

static void *stopper(void *arg)
{
	(void)arg;
	/* Not a synchronisation: the stop may land before gw_sleep_ns
	 * starts or while it sleeps, and either way it must return -1
	 * early.  The delay only makes "while it sleeps" the usual case. */
	nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
	gw_request_stop();
	return NULL;
}

START_TEST(test_sleep_stopped)
{
	pthread_t th;
	int64_t t0, took;
	int rc;

	atomic_store(&gw_stop, 0);
	ck_assert_int_eq(gw_stopping(), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, stopper, NULL), 0);
	t0 = gw_now_ns();
	rc = gw_sleep_ns(LONG_SLEEP);
	took = gw_now_ns() - t0;
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(gw_stopping(), 1);
	ck_assert_msg(took < EARLY, "returned after %lld ms of %lld",
		      (long long)(took / GW_NS_PER_MS),
		      (long long)(LONG_SLEEP / GW_NS_PER_MS));
	/* once stopping, a sleep does not start at all */
	t0 = gw_now_ns();
	ck_assert_int_eq(gw_sleep_ns(LONG_SLEEP), -1);
	ck_assert_int_lt(gw_now_ns() - t0, EARLY);
	atomic_store(&gw_stop, 0); /* for CK_FORK=no runs */
}
END_TEST

/* ---- gw_exe_dir ---------------------------------------------------------- */

/* The directory holds this very program: same inode as /proc/self/exe. */
START_TEST(test_exe_dir)
{
	char dir[4096], path[4200];
	struct stat self, found;
	size_t need;

	ck_assert_int_eq(gw_exe_dir(dir, sizeof(dir)), 0);
	ck_assert_msg(dir[0] == '/', "not absolute: %s", dir);
	ck_assert_msg(dir[strlen(dir) - 1] != '/', "trailing '/': %s", dir);
	snprintf(path, sizeof(path), "%s/check_util", dir);
	ck_assert_int_eq(stat("/proc/self/exe", &self), 0);
	ck_assert_msg(stat(path, &found) == 0, "%s: %s", path, strerror(errno));
	ck_assert(self.st_dev == found.st_dev && self.st_ino == found.st_ino);
	/* the buffer must hold the whole executable path and its NUL */
	need = strlen(path) + 1;
	ck_assert_int_eq(gw_exe_dir(dir, need - 1), -1);
	ck_assert_int_eq(gw_exe_dir(dir, need), 0);
	ck_assert_int_eq(gw_exe_dir(dir, 0), -1);
}
END_TEST

static Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_parse_long, 0,
			    (int)GW_ARRAY_SIZE(long_cases));
	tcase_add_test(tc, test_parse_long_limits);
	tcase_add_loop_test(tc, test_parse_double, 0,
			    (int)GW_ARRAY_SIZE(double_cases));
	tcase_add_loop_test(tc, test_parse_bool, 0,
			    (int)GW_ARRAY_SIZE(bool_cases));
	tcase_add_test(tc, test_strlcpy);
	tcase_add_test(tc, test_errlist);
	tcase_add_test(tc, test_errlist_print);
	tcase_add_test(tc, test_sleep_full);
	tcase_add_test(tc, test_sleep_stopped);
	tcase_add_test(tc, test_exe_dir);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(util_suite)
