/*
 * check_thresh: the expression parser on tables of valid expressions
 * (every parsed field) and invalid ones (the exact error line); measuring
 * on synthetic histograms against a sorted-array oracle; every comparison;
 * the never-recorded rule; the per-window span rule on hand-made
 * sequences of windows; formatting in the limit's unit.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "gw_hist.h"
#include "gw_thresh.h"

#define MS 1000000LL
#define SEC 1000000000LL

static const struct valid {
	const char *text;
	const char *metric;
	enum gw_thresh_stat stat;
	double q;
	enum gw_thresh_cmp cmp;
	double limit;
	enum gw_thresh_kind kind;
	const char *unit;
	int per_window;
	int64_t for_ns;
	int abort;
	int64_t after_ns;
} valid[] = {
	/* the header's examples */
	{ "sse_first_event p99 < 2000 ms", "sse_first_event", GW_TS_QUANTILE,
	  0.99, GW_TC_LT, 2e9, GW_TK_TIME, "ms", 0, 0, 0, 0 },
	{ "ttfe p99 < 2 s per window for 10 s abort", "ttfe", GW_TS_QUANTILE,
	  0.99, GW_TC_LT, 2e9, GW_TK_TIME, "s", 1, 10 * SEC, 1, 0 },
	{ "error_rate < 1 %", "error_rate", GW_TS_VALUE, 0, GW_TC_LT, 0.01,
	  GW_TK_FRACTION, "%", 0, 0, 0, 0 },
	{ "dropped_starts == 0", "dropped_starts", GW_TS_VALUE, 0, GW_TC_EQ, 0,
	  GW_TK_COUNT, "", 0, 0, 0, 0 },
	{ "task_duration p95 <= 30 s abort after 60 s", "task_duration",
	  GW_TS_QUANTILE, 0.95, GW_TC_LE, 30e9, GW_TK_TIME, "s", 0, 0, 1,
	  60 * SEC },
	/* defaults: p99, and ms for a time */
	{ "ttfe < 2000", "ttfe", GW_TS_QUANTILE, 0.99, GW_TC_LT, 2e9,
	  GW_TK_TIME, "ms", 0, 0, 0, 0 },
	{ "ttfe p99 < 2.5", "ttfe", GW_TS_QUANTILE, 0.99, GW_TC_LT, 2.5e6,
	  GW_TK_TIME, "ms", 0, 0, 0, 0 },
	/* spacing: none, several, tabs, around the whole */
	{ "ttfe p50<=2000ms", "ttfe", GW_TS_QUANTILE, 0.50, GW_TC_LE, 2e9,
	  GW_TK_TIME, "ms", 0, 0, 0, 0 },
	{ "ttfe<2s", "ttfe", GW_TS_QUANTILE, 0.99, GW_TC_LT, 2e9, GW_TK_TIME,
	  "s", 0, 0, 0, 0 },
	{ "ttfe\tp90\t>=\t2000 ms", "ttfe", GW_TS_QUANTILE, 0.90, GW_TC_GE, 2e9,
	  GW_TK_TIME, "ms", 0, 0, 0, 0 },
	/* stats and time units */
	{ "ttfe p99.9 < 1.5 s", "ttfe", GW_TS_QUANTILE, 0.999, GW_TC_LT, 1.5e9,
	  GW_TK_TIME, "s", 0, 0, 0, 0 },
	{ "ttfe p12.5 > 100 us", "ttfe", GW_TS_QUANTILE, 0.125, GW_TC_GT, 1e5,
	  GW_TK_TIME, "us", 0, 0, 0, 0 },
	{ "ttfe mean >= 250 ns", "ttfe", GW_TS_MEAN, 0, GW_TC_GE, 250,
	  GW_TK_TIME, "ns", 0, 0, 0, 0 },
	{ "ttfe min > .5 s", "ttfe", GW_TS_MIN, 0, GW_TC_GT, 5e8, GW_TK_TIME,
	  "s", 0, 0, 0, 0 },
	{ "ttfe max < 1e3 ms", "ttfe", GW_TS_MAX, 0, GW_TC_LT, 1e9, GW_TK_TIME,
	  "ms", 0, 0, 0, 0 },
	{ "ttfe count > 100", "ttfe", GW_TS_COUNT, 0, GW_TC_GT, 100,
	  GW_TK_COUNT, "", 0, 0, 0, 0 },
	{ "ttfe rate >= 35.5 /s", "ttfe", GW_TS_RATE, 0, GW_TC_GE, 35.5,
	  GW_TK_RATE, "/s", 0, 0, 0, 0 },
	{ "ttfe rate >= 35.5/s", "ttfe", GW_TS_RATE, 0, GW_TC_GE, 35.5,
	  GW_TK_RATE, "/s", 0, 0, 0, 0 },
	{ "ttfe rate >= 35.5", "ttfe", GW_TS_RATE, 0, GW_TC_GE, 35.5,
	  GW_TK_RATE, "/s", 0, 0, 0, 0 },
	/* run metrics and their kinds */
	{ "dropped_rate <= 0.05", "dropped_rate", GW_TS_VALUE, 0, GW_TC_LE,
	  0.05, GW_TK_FRACTION, "", 0, 0, 0, 0 },
	{ "achieved_rate >= 50 /s", "achieved_rate", GW_TS_VALUE, 0, GW_TC_GE,
	  50, GW_TK_RATE, "/s", 0, 0, 0, 0 },
	{ "memory_growth_mb < 50", "memory_growth_mb", GW_TS_VALUE, 0, GW_TC_LT,
	  50, GW_TK_COUNT, "", 0, 0, 0, 0 },
	{ "late_starts <= 10 per window for 1500 ms abort after 2 m",
	  "late_starts", GW_TS_VALUE, 0, GW_TC_LE, 10, GW_TK_COUNT, "", 1,
	  1500 * MS, 1, 120 * SEC },
	{ "started > 0 per window for 1 h", "started", GW_TS_VALUE, 0, GW_TC_GT,
	  0, GW_TK_COUNT, "", 1, 3600 * SEC, 0, 0 },
	{ "completed >= 1 per window", "completed", GW_TS_VALUE, 0, GW_TC_GE, 1,
	  GW_TK_COUNT, "", 1, 0, 0, 0 },
	{ "ring_drops == 0 abort", "ring_drops", GW_TS_VALUE, 0, GW_TC_EQ, 0,
	  GW_TK_COUNT, "", 0, 0, 1, 0 },
	/* operation names: digits first, / . - inside; a run metric's
	 * name inside a longer one is an operation */
	{ "api/v1-tasks.submit p90 < 300", "api/v1-tasks.submit",
	  GW_TS_QUANTILE, 0.90, GW_TC_LT, 3e8, GW_TK_TIME, "ms", 0, 0, 0, 0 },
	{ "5xx count == 0", "5xx", GW_TS_COUNT, 0, GW_TC_EQ, 0, GW_TK_COUNT, "",
	  0, 0, 0, 0 },
	{ "error_rate2 < 3", "error_rate2", GW_TS_QUANTILE, 0.99, GW_TC_LT, 3e6,
	  GW_TK_TIME, "ms", 0, 0, 0, 0 },
	{ "ttfe p99 < 2 s per window for 0.5 s abort after 10ms", "ttfe",
	  GW_TS_QUANTILE, 0.99, GW_TC_LT, 2e9, GW_TK_TIME, "s", 1, 500 * MS, 1,
	  10 * MS },
};

static const struct invalid {
	const char *text;
	const char *err;
} invalid[] = {
	{ "", "empty threshold" },
	{ " \t ", "empty threshold" },
	{ "< 2", "expected a metric name, not '<'" },
	{ "ttfe", "expected a comparison (< <= > >= ==) after 'ttfe'" },
	{ "ttfe 2000", "expected a comparison (< <= > >= ==) after 'ttfe'" },
	{ "ttfe p99 2000", "expected a comparison (< <= > >= ==) after 'p99'" },
	{ "ttfe per window",
	  "expected a comparison (< <= > >= ==) after 'ttfe'" },
	{ "ttfe{scenario:x} p99 < 2",
	  "expected a comparison (< <= > >= ==) after 'ttfe'" },
	{ "ttfe p99 => 2", "unknown comparison '=>' (< <= > >= ==)" },
	{ "ttfe p99 = 2", "unknown comparison '=' (< <= > >= ==)" },
	{ "ttfe p99 != 2", "unknown comparison '!=' (< <= > >= ==)" },
	{ "ttfe avg < 2",
	  "unknown stat 'avg' (p<q>, mean, min, max, count or rate)" },
	{ "ttfe p < 2",
	  "unknown stat 'p' (p<q>, mean, min, max, count or rate)" },
	{ "ttfe p1e1 < 2",
	  "unknown stat 'p1e1' (p<q>, mean, min, max, count or rate)" },
	{ "ttfe p9.9.9 < 2",
	  "unknown stat 'p9.9.9' (p<q>, mean, min, max, count or rate)" },
	{ "ttfe p100 < 2 s", "p100 is not a percentile (0 < q < 100)" },
	{ "ttfe p0 < 2 s", "p0 is not a percentile (0 < q < 100)" },
	{ "ttfe p0.0 < 2 s", "p0.0 is not a percentile (0 < q < 100)" },
	{ "error_rate p99 < 1 %",
	  "'error_rate' is a run metric and takes no stat ('p99')" },
	{ "ttfe p99 <", "expected a number after '<'" },
	{ "ttfe p99 < abc", "expected a number after '<'" },
	{ "ttfe p99 < -2", "expected a number after '<'" },
	{ "ttfe p99 < 1.2.3 s", "'1.2.3' is not a number" },
	{ "ttfe p99 < 2000 mss", "unknown unit 'mss'" },
	{ "ttfe p99 < 2000mss", "unknown unit 'mss'" },
	{ "ttfe p99 < 2 m", "unknown unit 'm'" },
	{ "ttfe p99 < 2 /m", "unknown unit '/m'" },
	{ "ttfe p99 < 5 %",
	  "'%' is only for a run metric that is a fraction (error_rate, dropped_rate), not 'ttfe p99'" },
	{ "ttfe < 5 %",
	  "'%' is only for a run metric that is a fraction (error_rate, dropped_rate), not 'ttfe'" },
	{ "dropped_starts < 5 %",
	  "'%' is only for a run metric that is a fraction (error_rate, dropped_rate), not 'dropped_starts'" },
	{ "ttfe p99 < 5 /s",
	  "'/s' is only for a rate (rate, achieved_rate), not 'ttfe p99'" },
	{ "ttfe count > 5 /s",
	  "'/s' is only for a rate (rate, achieved_rate), not 'ttfe count'" },
	{ "error_rate < 5 /s",
	  "'/s' is only for a rate (rate, achieved_rate), not 'error_rate'" },
	{ "ttfe count < 5 ms",
	  "'ms' is a time unit, but 'ttfe count' is not a time" },
	{ "ttfe rate < 5 s",
	  "'s' is a time unit, but 'ttfe rate' is not a time" },
	{ "error_rate < 5 ms",
	  "'ms' is a time unit, but 'error_rate' is not a time" },
	{ "memory_growth_mb < 5 ms",
	  "'ms' is a time unit, but 'memory_growth_mb' is not a time" },
	{ "ttfe p99 < 2 s for 10 s", "'for' needs 'per window'" },
	{ "ttfe p99 < 2 s abort for 10 s", "'for' needs 'per window'" },
	{ "ttfe p99 < 2 s after 10 s", "'after' needs 'abort'" },
	{ "ttfe p99 < 2 s per", "expected 'window' after 'per'" },
	{ "ttfe p99 < 2 s per minute", "expected 'window' after 'per'" },
	{ "ttfe p99 < 2 s per window for",
	  "'for' needs a duration (a number with ms, s, m or h)" },
	{ "ttfe p99 < 2 s per window for x",
	  "'for' needs a duration (a number with ms, s, m or h)" },
	{ "ttfe p99 < 2 s per window for 10",
	  "duration '10' needs a unit (ms, s, m or h)" },
	{ "ttfe p99 < 2 s per window for 10 abort",
	  "duration '10' needs a unit (ms, s, m or h)" },
	{ "ttfe p99 < 2 s per window for 10 us",
	  "unknown duration unit 'us' (ms, s, m or h)" },
	{ "ttfe p99 < 2 s per window for 10 %",
	  "unknown duration unit '%' (ms, s, m or h)" },
	{ "ttfe p99 < 2 s per window for 1e12 h",
	  "duration '1e12 h' is too long" },
	{ "ttfe p99 < 2 s abort after",
	  "'after' needs a duration (a number with ms, s, m or h)" },
	{ "ttfe p99 < 2 s abort per window", "unexpected 'per' after 'abort'" },
	{ "ttfe p99 < 2 s per window abort for 10 s",
	  "unexpected 'for' after 'abort'" },
	{ "ttfe p99 < 2 s per window per window",
	  "unexpected 'per' after 'window'" },
	{ "ttfe p99 < 2 s abort abort", "unexpected 'abort' after 'abort'" },
	{ "ttfe p99 < 2 s 3", "unexpected '3' after 's'" },
	{ "ttfe p99 < 2 s junk", "unexpected 'junk' after 's'" },
	{ "ttfe p99 < 2 s per window for 1 s abort after 5 s }",
	  "unexpected '}' after 's'" },
	{ "ttfe p99 < 1e308 s", "limit of 'ttfe p99' out of range" },
};

START_TEST(test_parse_valid)
{
	const struct valid *c = &valid[_i];
	struct gw_thresh t;
	char err[128] = "untouched";

	ck_assert_msg(gw_thresh_parse(&t, c->text, err, sizeof(err)) == 0,
		      "'%s': %s", c->text, err);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(t.text, c->text);
	ck_assert_str_eq(t.metric, c->metric);
	ck_assert_int_eq(t.stat, c->stat);
	if (c->stat == GW_TS_QUANTILE)
		ck_assert_double_eq_tol(t.q, c->q, 1e-12);
	ck_assert_int_eq(t.cmp, c->cmp);
	ck_assert_msg(fabs(t.limit - c->limit) <= 1e-12 * fabs(c->limit),
		      "'%s': limit %.17g, want %.17g", c->text, t.limit,
		      c->limit);
	ck_assert_int_eq(t.kind, c->kind);
	ck_assert_str_eq(t.unit, c->unit);
	ck_assert_int_eq(t.per_window, c->per_window);
	ck_assert_int_eq(t.for_ns, c->for_ns);
	ck_assert_int_eq(t.abort, c->abort);
	ck_assert_int_eq(t.after_ns, c->after_ns);
}
END_TEST

START_TEST(test_parse_trim)
{
	struct gw_thresh t;
	char err[128];

	ck_assert_int_eq(gw_thresh_parse(&t, "  \tttfe   p99 <  2 s \n", err,
					 sizeof(err)),
			 0);
	ck_assert_str_eq(t.text, "ttfe   p99 <  2 s");
	ck_assert_str_eq(t.unit, "s");
	ck_assert(t.limit == 2e9);
}
END_TEST

START_TEST(test_parse_invalid)
{
	const struct invalid *c = &invalid[_i];
	struct gw_thresh t;
	char err[200];

	ck_assert_msg(gw_thresh_parse(&t, c->text, err, sizeof(err)) == -1,
		      "'%s' parsed", c->text);
	ck_assert_msg(!strcmp(err, c->err), "'%s':\n  got  %s\n  want %s",
		      c->text, err, c->err);
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(test_parse_limits)
{
	struct gw_thresh t;
	char text[300], err[200], want[200], small[12];
	char name[sizeof(t.metric) + 1];

	/* the longest metric name fits, one more does not */
	memset(name, 'a', sizeof(t.metric) - 1);
	name[sizeof(t.metric) - 1] = 0;
	snprintf(text, sizeof(text), "%s < 1", name);
	ck_assert_int_eq(gw_thresh_parse(&t, text, err, sizeof(err)), 0);
	ck_assert_str_eq(t.metric, name);
	strcat(name, "a");
	snprintf(text, sizeof(text), "%s < 1", name);
	ck_assert_int_eq(gw_thresh_parse(&t, text, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "metric name '%s' too long (at most 47 characters)", name);
	ck_assert_str_eq(err, want);

	/* the whole text: 199 characters fit, 200 do not */
	memset(text, ' ', 199);
	memcpy(text, "ttfe < 1", 8);
	text[199] = 0;
	text[198] = 's';
	text[197] = '1';
	ck_assert_int_eq(gw_thresh_parse(&t, text, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unexpected '1' after '1'");
	memset(text, 'x', 250);
	text[250] = 0;
	ck_assert_int_eq(gw_thresh_parse(&t, text, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
			 "threshold too long (250 characters, at most 199)");

	/* a short err buffer truncates and terminates; errlen 0 is safe */
	ck_assert_int_eq(gw_thresh_parse(&t, "ttfe p99 < 2 mss", small,
					 sizeof(small)),
			 -1);
	ck_assert_str_eq(small, "unknown uni");
	ck_assert_int_eq(gw_thresh_parse(&t, "ttfe p99 < 2 mss", NULL, 0), -1);
}
END_TEST

/* A scope holding one operation's histogram and one run metric. */
struct fake {
	const char *op;
	const struct gw_hist *h; /* NULL: no samples in this scope */
	const char *run;
	int has_run;
	double run_v;
};

static const struct gw_hist *fake_hist(void *ud, const char *name)
{
	const struct fake *f = ud;

	return f->op && !strcmp(name, f->op) ? f->h : NULL;
}

static int fake_value(void *ud, const char *name, double *v)
{
	const struct fake *f = ud;

	if (!f->has_run || !f->run || strcmp(name, f->run))
		return -1;
	*v = f->run_v;
	return 0;
}

static struct gw_thresh parse_ok(const char *text)
{
	struct gw_thresh t;
	char err[200];

	ck_assert_msg(gw_thresh_parse(&t, text, err, sizeof(err)) == 0,
		      "'%s': %s", text, err);
	return t;
}

static double measure_ok(const char *text, const struct gw_thresh_src *src)
{
	struct gw_thresh t = parse_ok(text);
	double v = -12345;

	ck_assert_msg(gw_thresh_measure(&t, src, &v) == 0, "'%s' no data",
		      text);
	return v;
}

/* t.q of text, checked against the intended q; the oracle's rank uses
 * the parsed one, as the histogram does */
static double parse_q(const char *text, double want)
{
	struct gw_thresh t = parse_ok(text);

	ck_assert_int_eq(t.stat, GW_TS_QUANTILE);
	ck_assert_double_eq_tol(t.q, want, 1e-12);
	return t.q;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

START_TEST(test_measure_hist)
{
	/*
	 * 1,000 values below 2048 ns, where every value has its own bucket
	 * so the histogram's quantiles are exact, then 10,000 values up to
	 * 10 ms, where they are at most 1/1024 above the order statistic.
	 */
	enum { N1 = 1000, N2 = 10000 };
	static int64_t v[N2];
	static const struct {
		const char *stat;
		double q;
	} qs[] = { { "p1", 0.01 },    { "p50", 0.5 },  { "p90", 0.9 },
		   { "p95", 0.95 },   { "p99", 0.99 }, { "p99.9", 0.999 },
		   { "p12.5", 0.125 } };
	uint64_t x = 7;
	struct gw_hist h;
	struct fake f = { .op = "lat", .h = &h };
	struct gw_thresh_src src = { fake_hist, fake_value, 4.0, &f };
	char text[64];
	double sum = 0;

	gw_hist_init(&h);
	for (int i = 0; i < N1; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		v[i] = (int64_t)((x * 2685821657736338717ULL) % 2000);
		ck_assert_int_eq(gw_hist_record(&h, v[i]), 0);
		sum += (double)v[i];
	}
	qsort(v, N1, sizeof(v[0]), cmp64);
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		size_t r;

		snprintf(text, sizeof(text), "lat %s < 1", qs[k].stat);
		r = (size_t)floor(N1 * parse_q(text, qs[k].q));
		ck_assert_msg(measure_ok(text, &src) ==
				      (double)v[r < N1 - 1 ? r : N1 - 1],
			      "%s", text);
	}
	ck_assert(measure_ok("lat < 1", &src) == (double)v[990]);
	ck_assert(measure_ok("lat min < 1", &src) == (double)v[0]);
	ck_assert(measure_ok("lat max < 1", &src) == (double)v[N1 - 1]);
	ck_assert(fabs(measure_ok("lat mean < 1", &src) - sum / N1) < 1e-9);
	ck_assert(measure_ok("lat count < 1", &src) == N1);
	ck_assert(measure_ok("lat rate < 1", &src) == N1 / 4.0);

	gw_hist_reset(&h);
	for (int i = 0; i < N2; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		v[i] = 2048 +
		       (int64_t)((x * 2685821657736338717ULL) % (10 * MS));
		ck_assert_int_eq(gw_hist_record(&h, v[i]), 0);
	}
	qsort(v, N2, sizeof(v[0]), cmp64);
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		size_t r;
		double exact, got;

		snprintf(text, sizeof(text), "lat %s < 1", qs[k].stat);
		r = (size_t)floor(N2 * parse_q(text, qs[k].q));
		exact = (double)v[r < N2 - 1 ? r : N2 - 1];
		got = measure_ok(text, &src);
		ck_assert_msg(got >= exact && got <= exact * (1 + 1.0 / 1024),
			      "%s: %.0f, exact %.0f", text, got, exact);
	}
	ck_assert(measure_ok("lat max < 1", &src) == (double)v[N2 - 1]);
	ck_assert(measure_ok("lat rate < 1", &src) == N2 / 4.0);
	/* a scope of no length has no rate */
	src.seconds = 0;
	{
		struct gw_thresh t = parse_ok("lat rate > 1");
		double out = -7;

		ck_assert_int_eq(gw_thresh_measure(&t, &src, &out), -1);
		ck_assert(out == -7);
	}
	gw_hist_release(&h);
}
END_TEST

START_TEST(test_measure_run_metric)
{
	struct fake f = { .run = "error_rate", .has_run = 1, .run_v = 0.02 };
	struct gw_thresh_src src = { fake_hist, fake_value, 1, &f };

	ck_assert(measure_ok("error_rate < 1 %", &src) == 0.02);
	f.run = "memory_growth_mb";
	f.run_v = 12.5;
	ck_assert(measure_ok("memory_growth_mb < 50", &src) == 12.5);
}
END_TEST

START_TEST(test_never_recorded)
{
	/* a metric with no data measures -1 (and leaves *v alone) */
	static const char *const texts[] = {
		"lat p99 < 1",	 "lat count == 0",   "lat rate < 1",
		"other p50 < 1", "error_rate < 1 %", "dropped_starts == 0",
	};
	struct gw_hist empty;
	struct fake f = { .op = "lat",
			  .h = NULL,
			  .run = "late_starts",
			  .has_run = 1,
			  .run_v = 3 };
	struct gw_thresh_src src = { fake_hist, fake_value, 1, &f };
	struct gw_thresh_src none = { NULL, NULL, 1, NULL };

	gw_hist_init(&empty);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct gw_thresh t = parse_ok(texts[i]);
		double v = -7;

		ck_assert_msg(gw_thresh_measure(&t, &src, &v) == -1, "%s",
			      texts[i]);
		ck_assert_msg(gw_thresh_measure(&t, &none, &v) == -1, "%s",
			      texts[i]);
		/* an empty histogram is no data either */
		f.h = &empty;
		ck_assert_msg(gw_thresh_measure(&t, &src, &v) == -1, "%s",
			      texts[i]);
		f.h = NULL;
		ck_assert(v == -7);
	}
	/* an operation reads only hist(), whatever value() knows */
	f.run = "lat";
	{
		struct gw_thresh t = parse_ok("lat p99 < 1");
		double v;

		ck_assert_int_eq(gw_thresh_measure(&t, &src, &v), -1);
	}
	/* ...and a run metric reads only value() */
	f.op = "late_starts";
	f.h = &empty;
	f.run = "late_starts";
	ck_assert(measure_ok("late_starts < 5", &src) == 3);
	gw_hist_release(&empty);
}
END_TEST

START_TEST(test_holds)
{
	static const struct {
		const char *op;
		int lt, eq, gt; /* holds for limit - 1, limit, limit + 1 */
	} c[] = {
		{ "<", 1, 0, 0 },  { "<=", 1, 1, 0 }, { ">", 0, 0, 1 },
		{ ">=", 0, 1, 1 }, { "==", 0, 1, 0 },
	};
	char text[64];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct gw_thresh t;

		snprintf(text, sizeof(text), "dropped_starts %s 10", c[i].op);
		t = parse_ok(text);
		ck_assert_int_eq(gw_thresh_holds(&t, 9), c[i].lt);
		ck_assert_int_eq(gw_thresh_holds(&t, 10), c[i].eq);
		ck_assert_int_eq(gw_thresh_holds(&t, 11), c[i].gt);
		ck_assert_int_eq(gw_thresh_holds(&t, 9.999999), c[i].lt);
		ck_assert_int_eq(gw_thresh_holds(&t, 10.000001), c[i].gt);
		ck_assert_int_eq(gw_thresh_holds(&t, NAN), 0);
	}
	/* in base units: 2 s is 2e9 ns */
	{
		struct gw_thresh t = parse_ok("ttfe p99 < 2 s");

		ck_assert(gw_thresh_holds(&t, 1999999999));
		ck_assert(!gw_thresh_holds(&t, 2000000000));
	}
}
END_TEST

START_TEST(test_need)
{
	static const struct {
		const char *text;
		int64_t win_ns;
		int need;
	} c[] = {
		{ "ring_drops == 0 per window", SEC, 1 },
		{ "ring_drops == 0 per window for 1 s", SEC, 1 },
		{ "ring_drops == 0 per window for 3 s", SEC, 3 },
		{ "ring_drops == 0 per window for 2500 ms", SEC, 3 },
		{ "ring_drops == 0 per window for 2001 ms", SEC, 3 },
		{ "ring_drops == 0 per window for 10 s", 3 * SEC, 4 },
		{ "ring_drops == 0 per window for 1 ms", SEC, 1 },
		{ "ring_drops == 0 per window for 1 m", 5 * SEC, 12 },
		{ "ring_drops == 0 per window for 1 h", 0, 1 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct gw_thresh t = parse_ok(c[i].text);
		struct gw_thresh_state st;

		memset(&st, 0x55, sizeof(st));
		gw_thresh_state_init(&st, &t, c[i].win_ns);
		ck_assert_msg(st.need == c[i].need, "%s: need %d", c[i].text,
			      st.need);
		ck_assert_int_eq(st.judged, 0);
		ck_assert_int_eq(st.met, 0);
		ck_assert_int_eq(st.run, 0);
		ck_assert_int_eq(st.failed, 0);
		ck_assert_int_eq(st.first_fail_win, -1);
		ck_assert_int_eq(st.have_worst, 0);
	}
}
END_TEST

/*
 * Feed windows to a threshold on run metric `name`: seq[i] < 0 is a
 * window without data, else its value.  want[i] is what
 * gw_thresh_window must return for window i.
 */
static void feed(const char *text, const char *name, const double *seq,
		 const int *want, int n, struct gw_thresh_state *st)
{
	struct gw_thresh t = parse_ok(text);
	struct fake f = { .run = name };
	struct gw_thresh_src src = { fake_hist, fake_value, 1, &f };

	gw_thresh_state_init(st, &t, SEC);
	for (int i = 0; i < n; i++) {
		f.has_run = seq[i] >= 0;
		f.run_v = seq[i];
		ck_assert_msg(gw_thresh_window(&t, st, &src, i) == want[i],
			      "%s: window %d", text, i);
	}
}

START_TEST(test_window_span)
{
	/* need 3: two failing windows, a gap without data, three failing
	 * windows (fails at window 6), then more failures (no second 1) */
	static const double seq[] = { 0, 2, 5, -1, 4, 1, 3, 0, 9, 9, 9, 9 };
	static const int want[] = { 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0 };
	/* a passing window ends a span too */
	static const double seq2[] = { 1, 1, 0, 1, 1, 0, 1, 1, -1, 1, 1, 1 };
	static const int want2[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const int none[12];
	struct gw_thresh_state st;

	feed("ring_drops == 0 per window for 3 s", "ring_drops", seq, want, 12,
	     &st);
	ck_assert_int_eq(st.judged, 11);
	ck_assert_int_eq(st.met, 2);
	ck_assert_int_eq(st.failed, 1);
	ck_assert_int_eq(st.first_fail_win, 6);
	ck_assert_int_eq(st.run, 4);
	ck_assert_int_eq(st.have_worst, 1);
	ck_assert(st.worst == 9);

	feed("ring_drops == 0 per window for 3 s", "ring_drops", seq2, want2,
	     12, &st);
	ck_assert_int_eq(st.judged, 11);
	ck_assert_int_eq(st.met, 2);
	ck_assert_int_eq(st.first_fail_win, 11);

	/* the same windows never fail a span of 4 */
	feed("ring_drops == 0 per window for 4 s", "ring_drops", seq, none, 8,
	     &st);
	ck_assert_int_eq(st.failed, 0);
	ck_assert_int_eq(st.first_fail_win, -1);
	ck_assert_int_eq(st.judged, 7);
	ck_assert_int_eq(st.met, 2);
}
END_TEST

START_TEST(test_window_one)
{
	/* without `for`, the first failing window fails it */
	static const double seq[] = { -1, 0.01, 0.02, 0.08, 0.01, 0.09 };
	static const int want[] = { 0, 0, 0, 1, 0, 0 };
	/* >: the worst is the smallest value */
	static const double seq2[] = { 120, 80, -1, 150, 95, 200 };
	static const int want2[] = { 0, 1, 0, 0, 0, 0 };
	/* only windows without data: nothing judged, nothing failed */
	static const double empty[] = { -1, -1, -1 };
	static const int none[3];
	struct gw_thresh_state st;

	feed("error_rate < 5 % per window", "error_rate", seq, want, 6, &st);
	ck_assert_int_eq(st.judged, 5);
	ck_assert_int_eq(st.met, 3);
	ck_assert_int_eq(st.first_fail_win, 3);
	ck_assert(st.worst == 0.09);

	feed("achieved_rate >= 100 /s per window", "achieved_rate", seq2, want2,
	     6, &st);
	ck_assert_int_eq(st.judged, 5);
	ck_assert_int_eq(st.met, 3);
	ck_assert_int_eq(st.first_fail_win, 1);
	ck_assert(st.worst == 80);

	/* <=: the largest value, even when every window met it */
	feed("late_starts <= 300 per window", "late_starts", seq2, none, 3,
	     &st);
	ck_assert_int_eq(st.failed, 0);
	ck_assert_int_eq(st.met, 2);
	ck_assert(st.worst == 120);

	feed("late_starts <= 3 per window for 2 s", "late_starts", empty, none,
	     3, &st);
	ck_assert_int_eq(st.judged, 0);
	ck_assert_int_eq(st.failed, 0);
	ck_assert_int_eq(st.have_worst, 0);
}
END_TEST

START_TEST(test_window_hist)
{
	/* an operation per window: a window whose histogram is NULL or
	 * empty is no data and breaks the span */
	struct gw_hist slow, fast, empty;
	struct gw_thresh t = parse_ok("ttfe p99 < 2 s per window for 2 s");
	struct fake f = { .op = "ttfe" };
	struct gw_thresh_src src = { fake_hist, fake_value, 1, &f };
	const struct gw_hist *seq[] = { &slow, NULL,  &slow, &empty,
					&slow, &fast, &slow, &slow };
	static const int want[] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	struct gw_thresh_state st;

	gw_hist_init(&slow);
	gw_hist_init(&fast);
	gw_hist_init(&empty);
	gw_hist_record(&slow, 3 * SEC);
	gw_hist_record(&fast, 1 * SEC);
	gw_thresh_state_init(&st, &t, SEC);
	ck_assert_int_eq(st.need, 2);
	for (int i = 0; i < 8; i++) {
		f.h = seq[i];
		ck_assert_int_eq(gw_thresh_window(&t, &st, &src, i), want[i]);
	}
	ck_assert_int_eq(st.judged, 6);
	ck_assert_int_eq(st.met, 1);
	ck_assert_int_eq(st.first_fail_win, 7);
	ck_assert(st.worst == 3e9);
	gw_hist_release(&slow);
	gw_hist_release(&fast);
	gw_hist_release(&empty);
}
END_TEST

START_TEST(test_format)
{
	static const struct {
		const char *text;
		double v;
		const char *out;
	} c[] = {
		{ "ttfe p99 < 2000 ms", 2e9, "2000 ms" },
		{ "ttfe p99 < 2000 ms", 1.5e6, "1.5 ms" },
		{ "ttfe p99 < 2 s", 2.5e9, "2.5 s" },
		{ "ttfe p99 < 2", 2e9, "2000 ms" },
		{ "ttfe p99 < 300 us", 123456, "123.456 us" },
		{ "ttfe p99 < 300 ns", 1234, "1234 ns" },
		{ "ttfe p99 < 2 s", 1234567891, "1.23457 s" },
		{ "error_rate < 1 %", 0.01, "1 %" },
		{ "error_rate < 1 %", 0.07, "7 %" },
		{ "error_rate < 1 %", 0.12345, "12.345 %" },
		{ "error_rate < 1 %", -0.0, "0 %" },
		{ "error_rate < 0.01", 0.02, "0.02" },
		{ "ttfe rate > 35 /s", 35.5, "35.5 /s" },
		{ "achieved_rate > 10", 12, "12 /s" },
		{ "dropped_starts == 0", 1234567, "1234567" },
		{ "memory_growth_mb < 50", 12.5, "12.5" },
	};
	char out[32];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct gw_thresh t = parse_ok(c[i].text);

		gw_thresh_format(&t, c[i].v, out, sizeof(out));
		ck_assert_msg(!strcmp(out, c[i].out), "%s: '%s', want '%s'",
			      c[i].text, out, c[i].out);
	}
	/* the limit formats back as written */
	{
		struct gw_thresh t = parse_ok("ttfe p95 < 1500 us");

		gw_thresh_format(&t, t.limit, out, sizeof(out));
		ck_assert_str_eq(out, "1500 us");
		gw_thresh_format(&t, t.limit, out, 4);
		ck_assert_str_eq(out, "150");
	}
}
END_TEST

START_TEST(test_run_metric_list)
{
	/* every listed name parses as a run metric; the list ends in NULL */
	int n = 0;

	for (; gw_thresh_run_metrics[n]; n++) {
		char text[80];
		struct gw_thresh t;

		snprintf(text, sizeof(text), "%s >= 0",
			 gw_thresh_run_metrics[n]);
		t = parse_ok(text);
		ck_assert_int_eq(t.stat, GW_TS_VALUE);
	}
	ck_assert_int_eq(n, 9);
}
END_TEST

static Suite *thresh_suite(void)
{
	Suite *s = suite_create("thresh");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_parse_valid, 0,
			    (int)(sizeof(valid) / sizeof(valid[0])));
	tcase_add_loop_test(tc, test_parse_invalid, 0,
			    (int)(sizeof(invalid) / sizeof(invalid[0])));
	tcase_add_test(tc, test_parse_trim);
	tcase_add_test(tc, test_parse_limits);
	tcase_add_test(tc, test_measure_hist);
	tcase_add_test(tc, test_measure_run_metric);
	tcase_add_test(tc, test_never_recorded);
	tcase_add_test(tc, test_holds);
	tcase_add_test(tc, test_need);
	tcase_add_test(tc, test_window_span);
	tcase_add_test(tc, test_window_one);
	tcase_add_test(tc, test_window_hist);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_run_metric_list);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(thresh_suite)
