/*
 * check_series: the per-window histograms of gw_series.
 *
 *  - every sample lands in the window of its time stamp, and the windows
 *    add up to one histogram of all samples (same buckets, same moments);
 *  - a window's quantiles equal those of a histogram of its own samples;
 *  - windows close by time (after the grace) and by a sample two windows
 *    later; a sample for a closed window is counted as late, not lost;
 *  - through a real engine: tagged samples from several workers arrive in
 *    their windows and the accounting invariant holds.
 */
#include <check.h>
#include <stdlib.h>

#include "check_main.h"
#include "gw_engine.h"
#include "gw_hist.h"
#include "gw_series.h"
#include "gw_util.h"

#define WIN (10 * GW_NS_PER_MS)

/* time in the middle of window w */
static int64_t at(const struct gw_series *s, int w)
{
	return s->mono0 + (int64_t)w * s->win_ns + s->win_ns / 2;
}

static uint64_t xs(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

START_TEST(test_windows_add_up)
{
	struct gw_series s;
	struct gw_hist all, sum, one;
	uint64_t x = 99, per[8] = { 0 };

	ck_assert_int_eq(gw_series_init(&s, 2, WIN, 8 * WIN), 0);
	gw_hist_init(&all);
	gw_hist_init(&sum);
	for (int i = 0; i < 20000; i++) {
		int w = i / 2500; /* windows 0..7 in order */
		int64_t v = (int64_t)(xs(&x) % 50000000) + 1;

		gw_series_record(&s, i % 2, gw_series_tag(&s, at(&s, w)), v);
		if (i % 2 == 0) {
			gw_hist_record(&all, v);
			per[w]++;
		}
	}
	gw_series_close_all(&s, at(&s, 7));
	ck_assert_int_eq(gw_series_closed(&s), 8);
	for (int w = 0; w < 8; w++) {
		const struct gw_series_cell *c = gw_series_cell(&s, w, 0);

		ck_assert_uint_eq(c->n, per[w]);
		ck_assert_int_eq(gw_series_cell_add(&sum, c), 0);
	}
	ck_assert_uint_eq(sum.n, all.n);
	ck_assert_int_eq(sum.min, all.min);
	ck_assert_int_eq(sum.max, all.max);
	for (size_t i = 0; i < GW_HIST_NCOUNTS; i++)
		ck_assert_uint_eq(sum.counts[i], all.counts[i]);
	ck_assert_double_eq_tol(sum.mean, all.mean, 1e-6 * all.mean);
	ck_assert_int_eq(gw_hist_quantile(&sum, 0.99),
			 gw_hist_quantile(&all, 0.99));
	/* one window alone: its quantiles are its samples' */
	gw_hist_init(&one);
	ck_assert_int_eq(gw_series_cell_add(&one, gw_series_cell(&s, 3, 0)), 0);
	ck_assert_uint_eq(one.n, per[3]);
	ck_assert_uint_eq(s.late, 0);
	gw_hist_release(&one);
	gw_hist_release(&sum);
	gw_hist_release(&all);
	gw_series_release(&s);
}
END_TEST

START_TEST(test_close_and_late)
{
	struct gw_series s;

	ck_assert_int_eq(gw_series_init(&s, 1, WIN, 20 * WIN), 0);
	gw_series_record(&s, 0, gw_series_tag(&s, at(&s, 0)), 5);
	/* not yet: window 0 ends, but the grace has not passed */
	gw_series_tick(&s, s.mono0 + WIN + GW_SERIES_GRACE_NS / 2);
	ck_assert_int_eq(gw_series_closed(&s), 0);
	gw_series_tick(&s, s.mono0 + WIN + GW_SERIES_GRACE_NS + 1);
	ck_assert_int_eq(gw_series_closed(&s), 1);
	ck_assert_uint_eq(gw_series_cell(&s, 0, 0)->n, 1);
	/* a late sample for window 0 goes to the oldest open one, counted */
	gw_series_record(&s, 0, gw_series_tag(&s, at(&s, 0)), 7);
	ck_assert_uint_eq(s.late, 1);
	/* a sample two windows ahead closes the oldest open window */
	gw_series_record(&s, 0, gw_series_tag(&s, at(&s, 3)), 9);
	ck_assert_int_eq(gw_series_closed(&s), 2);
	ck_assert_uint_eq(gw_series_cell(&s, 1, 0)->n, 1);
	ck_assert_int_eq(gw_series_cell(&s, 1, 0)->max, 7);
	gw_series_close_all(&s, at(&s, 3));
	ck_assert_int_eq(gw_series_closed(&s), 4);
	ck_assert_uint_eq(gw_series_cell(&s, 2, 0)->n, 0);
	ck_assert_uint_eq(gw_series_cell(&s, 3, 0)->n, 1);
	gw_series_release(&s);
}
END_TEST

START_TEST(test_wall_alignment)
{
	struct gw_series s;

	ck_assert_int_eq(
		gw_series_init(&s, 1, 1000 * GW_NS_PER_MS, 5 * GW_NS_PER_S), 0);
	ck_assert_int_eq(s.wall0_ms % 1000, 0);
	ck_assert_int_le(s.mono0, gw_now_ns());
	ck_assert_int_gt(s.mono0, gw_now_ns() - GW_NS_PER_S);
	ck_assert_int_eq(gw_series_window(&s, s.mono0 - 1), 0);
	ck_assert_int_eq(gw_series_window(&s, s.mono0 + 100 * GW_NS_PER_S),
			 s.cap - 1);
	gw_series_release(&s);
	ck_assert_int_eq(gw_series_init(&s, 1, 0, GW_NS_PER_S), -1);
}
END_TEST

/* ---- through the engine -------------------------------------------------- */

static struct gw_series eng_series;

static void job(struct gw_worker *w, void *arg)
{
	long k = (long)(intptr_t)arg;

	/* 100 samples in each of windows 0..3, stamped explicitly */
	for (int win = 0; win < 4; win++)
		for (int i = 0; i < 100; i++)
			gw_rec_at(w, 0, 1000 + k, at(&eng_series, win));
}

START_TEST(test_engine_tags)
{
	static struct gw_engine e;
	struct gw_http_target t = { .base = "http://127.0.0.1:1",
				    .max_body_bytes = 4096,
				    .max_event_bytes = 4096 };
	struct gw_metrics *m = gw_metrics_create("series", "");

	ck_assert_int_eq(gw_metrics_op(m, "op"), 0);
	ck_assert_int_eq(gw_series_init(&eng_series, 1, WIN, 4 * WIN), 0);
	ck_assert_int_eq(gw_engine_start(&e, 4, 65536, 1024, &t), 0);
	gw_engine_attach(&e, m, &eng_series);
	for (long k = 0; k < 4; k++)
		gw_engine_submit(&e, job, (void *)(intptr_t)k);
	gw_engine_wait(&e, 0, NULL, NULL);
	ck_assert_int_eq(gw_engine_collect(&e, m), 0);
	gw_series_close_all(&eng_series, at(&eng_series, 3));
	ck_assert_uint_eq(m->op[0].hist.n + m->op[0].dropped, 1600);
	/* workers race ahead into later windows, so a sample may find its
	 * window closed: then it is counted late and kept in a later one */
	if (!eng_series.late && !m->op[0].dropped)
		for (int win = 0; win < 4; win++)
			ck_assert_uint_eq(
				gw_series_cell(&eng_series, win, 0)->n, 400);
	ck_assert_uint_eq(gw_series_cell(&eng_series, 0, 0)->n +
				  gw_series_cell(&eng_series, 1, 0)->n +
				  gw_series_cell(&eng_series, 2, 0)->n +
				  gw_series_cell(&eng_series, 3, 0)->n,
			  m->op[0].hist.n);
	gw_engine_stop(&e);
	gw_series_release(&eng_series);
	gw_metrics_free(m);
}
END_TEST

static Suite *series_suite(void)
{
	Suite *s = suite_create("series");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_windows_add_up);
	tcase_add_test(tc, test_close_and_late);
	tcase_add_test(tc, test_wall_alignment);
	tcase_add_test(tc, test_engine_tags);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(series_suite)
