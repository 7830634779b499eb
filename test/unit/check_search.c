/*
 * check_search: the capacity search's procedure and statistics on
 * synthetic probes (no gateway, no engine).
 *
 *  - a gateway that passes up to a known capacity: the search brackets by
 *    doubling, bisects, and reports a capacity within its precision of the
 *    true one, in at most 15 probes from a blind [1, 1000];
 *  - a probe that straddles its limit is run once more, and the re-run
 *    decides;
 *  - thresholds failing at the lowest probe, the top of the bracket
 *    passing, a generator-bound probe, the probe budget, the streams
 *    axis's whole values, and the monotonicity check;
 *  - the statistics: the quantile interval holds the exact quantile and
 *    narrows with n, Wilson's interval, the samples a percentile needs, and
 *    the over-saturation rule.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "gw_hist.h"
#include "gw_load.h"
#include "gw_search.h"
#include "gw_thresh.h"
#include "gw_workload.h"

/* A synthetic gateway: passes up to `cap`, straddles within `band` of it
 * on a first run, is generator-bound from `invalid_from`, and fails one
 * value `hole` out of order. */
struct fake {
	double cap, band, invalid_from, hole;
	int calls;
};

static void fake_probe(void *ud, double x, int rerun, struct gw_probe *p)
{
	struct fake *f = ud;

	f->calls++;
	p->passed = x <= f->cap && x != f->hole;
	p->r.outcome = p->passed ? GW_PASSED : GW_FAILED;
	p->r.straddled = !rerun && fabs(x - f->cap) < f->band;
	if (f->invalid_from > 0 && x >= f->invalid_from) {
		p->r.invalid = 1;
		p->passed = 0;
		strcpy(p->r.gen, "gwstress used 97% of the CPU");
	}
	if (!p->passed)
		strcpy(p->r.broke.name, "ttfe p99 < 500 ms");
}

static struct gw_workload wl;
static struct gw_search s;

static void setup_wl(double lo, double hi, enum gw_axis axis)
{
	memset(&wl, 0, sizeof(wl));
	wl.search.axis = axis;
	wl.search.lo = lo;
	wl.search.hi = hi;
	wl.search.precision = 0.05;
	wl.search.max_probes = 30;
}

START_TEST(test_finds_capacity)
{
	/* capacities from low to high, each from the blind bracket */
	static const double caps[] = { 3, 37, 100, 333, 640, 999 };

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct fake f = { .cap = caps[i] };

		setup_wl(1, 1000, GW_AXIS_RATE);
		gw_search_drive(&s, &wl, fake_probe, &f);
		ck_assert_int_eq(s.end, GW_SEARCH_FOUND);
		ck_assert(s.have_pass);
		ck_assert_double_le(s.pass, caps[i]);
		ck_assert_double_gt(s.fail, caps[i]);
		ck_assert_msg((s.fail - s.pass) / s.fail <= 0.05,
			      "cap %g: bracket [%g, %g]", caps[i], s.pass,
			      s.fail);
		ck_assert_double_ge(s.pass, 0.95 * caps[i]);
		ck_assert_int_le(s.nprobes, 15);
		ck_assert(s.monotonic);
		ck_assert_int_eq(f.calls, s.nprobes);
	}
}
END_TEST

START_TEST(test_straddle_reruns)
{
	struct fake f = { .cap = 100, .band = 6 };
	int reruns = 0;

	setup_wl(1, 1000, GW_AXIS_RATE);
	gw_search_drive(&s, &wl, fake_probe, &f);
	for (int i = 0; i < s.nprobes; i++)
		if (s.probe[i].rerun) {
			reruns++;
			/* the re-run is of the value just probed */
			ck_assert_double_eq(s.probe[i].value,
					    s.probe[i - 1].value);
			ck_assert(s.probe[i - 1].r.straddled);
		}
	ck_assert_int_gt(reruns, 0);
	ck_assert_int_eq(s.end, GW_SEARCH_FOUND);
	ck_assert_double_le(s.pass, 100);
	ck_assert_double_ge(s.pass, 95);
	ck_assert(s.monotonic);
}
END_TEST

START_TEST(test_fails_at_lowest)
{
	struct fake f = { .cap = 0.5 };

	setup_wl(1, 1000, GW_AXIS_RATE);
	gw_search_drive(&s, &wl, fake_probe, &f);
	ck_assert_int_eq(s.end, GW_SEARCH_NONE);
	ck_assert(!s.have_pass);
	ck_assert_int_eq(s.nprobes, 1);
	ck_assert_double_eq(s.fail, 1);
}
END_TEST

START_TEST(test_top_passes)
{
	struct fake f = { .cap = 1e9 };

	setup_wl(3, 50, GW_AXIS_RATE);
	gw_search_drive(&s, &wl, fake_probe, &f);
	ck_assert_int_eq(s.end, GW_SEARCH_AT_TOP);
	ck_assert_double_eq(s.pass, 50);
	/* 3 6 12 24 48 50 */
	ck_assert_int_eq(s.nprobes, 6);
}
END_TEST

START_TEST(test_invalid_stops)
{
	struct fake f = { .cap = 500, .invalid_from = 64 };

	setup_wl(1, 1000, GW_AXIS_RATE);
	gw_search_drive(&s, &wl, fake_probe, &f);
	ck_assert_int_eq(s.end, GW_SEARCH_INVALID);
	/* the gateway is never blamed: no fail recorded, the pass kept */
	ck_assert_double_eq(s.fail, 0);
	ck_assert_double_eq(s.pass, 32);
	ck_assert_ptr_nonnull(strstr(s.why, "CPU"));
}
END_TEST

START_TEST(test_budget)
{
	struct fake f = { .cap = 100 };

	setup_wl(1, 1000, GW_AXIS_RATE);
	wl.search.max_probes = 4;
	gw_search_drive(&s, &wl, fake_probe, &f);
	ck_assert_int_eq(s.end, GW_SEARCH_BUDGET);
	ck_assert_int_eq(s.nprobes, 4);
}
END_TEST

START_TEST(test_streams_whole_values)
{
	struct fake f = { .cap = 2000 };

	setup_wl(100, 5000, GW_AXIS_STREAMS);
	gw_search_drive(&s, &wl, fake_probe, &f);
	ck_assert_int_eq(s.end, GW_SEARCH_FOUND);
	for (int i = 0; i < s.nprobes; i++)
		ck_assert_double_eq(s.probe[i].value, floor(s.probe[i].value));
	ck_assert_double_ge(s.pass, 1900);
	ck_assert_double_le(s.pass, 2000);
}
END_TEST

START_TEST(test_not_monotonic)
{
	/* 16 fails, but 32 and 64 would pass: a gateway that changed */
	struct fake f = { .cap = 100, .hole = 16 };

	setup_wl(1, 1000, GW_AXIS_RATE);
	gw_search_drive(&s, &wl, fake_probe, &f);
	ck_assert_double_eq(s.fail, 16);
	/* bisection within [8, 16] passes above nothing that failed... */
	ck_assert(s.monotonic);
	/* ...but a later pass above a fail is caught */
	s.probe[s.nprobes].value = 20;
	s.probe[s.nprobes].passed = 1;
	s.nprobes++;
	ck_assert(!gw_search_monotonic(&s));
}
END_TEST

/* ---- statistics ------------------------------------------------------- */

START_TEST(test_quantile_interval)
{
	struct gw_hist h;
	double lo, hi, w1, w2;

	gw_hist_init(&h);
	ck_assert_int_eq(gw_thresh_quantile_interval(&h, 0.99, &lo, &hi), -1);
	for (int64_t v = 1; v <= 1000; v++)
		gw_hist_record(&h, v * 1000);
	ck_assert_int_eq(gw_thresh_quantile_interval(&h, 0.99, &lo, &hi), 0);
	/* the exact p99 is 990000 ns: inside, with room on both sides */
	ck_assert_double_le(lo, 990000);
	ck_assert_double_ge(hi, 990000);
	ck_assert_double_lt(lo, hi);
	w1 = hi - lo;
	for (int64_t v = 1; v <= 100000; v++)
		gw_hist_record(&h, (v % 1000 + 1) * 1000);
	ck_assert_int_eq(gw_thresh_quantile_interval(&h, 0.99, &lo, &hi), 0);
	w2 = hi - lo;
	ck_assert_double_lt(w2, w1); /* more samples, a narrower interval */
	gw_hist_release(&h);
}
END_TEST

START_TEST(test_wilson)
{
	double lo, hi;

	gw_thresh_wilson(0, 60, &lo, &hi);
	ck_assert_double_eq(lo, 0);
	/* 0 of 60: the 95 % upper bound is about 6 % (rule of three: 5 %) */
	ck_assert_double_gt(hi, 0.05);
	ck_assert_double_lt(hi, 0.07);
	gw_thresh_wilson(50, 100, &lo, &hi);
	ck_assert_double_eq_tol(lo, 0.4038, 1e-3);
	ck_assert_double_eq_tol(hi, 0.5962, 1e-3);
	gw_thresh_wilson(0, 10000, &lo, &hi);
	ck_assert_double_lt(hi, 0.001);
}
END_TEST

START_TEST(test_samples_needed)
{
	ck_assert_double_eq(gw_thresh_samples_needed(0.99), 368);
	ck_assert_double_eq(gw_thresh_samples_needed(0.95), 72);
	ck_assert_double_eq(gw_thresh_samples_needed(0.50), 6);
	ck_assert_double_eq(gw_thresh_samples_needed(0.999), 3688);
	ck_assert_double_eq(gw_thresh_samples_needed(1), 0);
}
END_TEST

START_TEST(test_saturation_rule)
{
	static const double flat[] = { 10, 12, 9, 11, 10, 12, 10, 11, 9 };
	static const double grow[] = { 10, 12, 15, 19, 24, 30, 37, 45, 54 };
	static const double small[] = { 1, 1, 2, 2, 3, 3, 4, 4, 5 };
	static const double short_[] = { 10, 50, 90, 130, 170 };

	ck_assert(!gw_judge_saturated(flat, 9));
	ck_assert(gw_judge_saturated(grow, 9));
	/* grows, but by fewer than 5 flows: noise at a low rate */
	ck_assert(!gw_judge_saturated(small, 9));
	/* fewer than 6 windows: no verdict */
	ck_assert(!gw_judge_saturated(short_, 5));
}
END_TEST

static Suite *search_suite(void)
{
	Suite *su = suite_create("search");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_finds_capacity);
	tcase_add_test(tc, test_straddle_reruns);
	tcase_add_test(tc, test_fails_at_lowest);
	tcase_add_test(tc, test_top_passes);
	tcase_add_test(tc, test_invalid_stops);
	tcase_add_test(tc, test_budget);
	tcase_add_test(tc, test_streams_whole_values);
	tcase_add_test(tc, test_not_monotonic);
	tcase_add_test(tc, test_quantile_interval);
	tcase_add_test(tc, test_wilson);
	tcase_add_test(tc, test_samples_needed);
	tcase_add_test(tc, test_saturation_rule);
	suite_add_tcase(su, tc);
	return su;
}

GW_CHECK_MAIN(search_suite)
