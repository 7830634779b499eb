/*
 * check_live: the collector's live snapshots (gw_live).
 *
 *  - the cumulative bucket counts of a histogram against a sorted-array
 *    oracle: each bound counts exactly the values whose bucket's highest
 *    value is <= the bound, which is never more than the values <= the
 *    bound and never fewer than those 0.1 % below it;
 *  - the triple buffer between a writer and a reader thread: every
 *    snapshot read is whole (all its fields from one publication) and
 *    never older than the one read before (TSan checks the orders);
 *  - a request nobody serves returns at once;
 *  - through a real engine with stub jobs: a scrape while jobs run is
 *    answered, and after gw_engine_collect the last snapshot holds the
 *    run's final values, the same the metrics were given, an external
 *    counter included; between runs a request is answered with it.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "gw_engine.h"
#include "gw_hist.h"
#include "gw_http.h"
#include "gw_live.h"
#include "gw_metrics.h"
#include "gw_util.h"

static uint64_t xs(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

#define NVAL 50000

START_TEST(test_buckets_oracle)
{
	static int64_t v[NVAL];
	struct gw_hist h;
	uint64_t le[GW_LIVE_NBOUNDS], x = 12345;

	gw_hist_init(&h);
	for (int i = 0; i < NVAL; i++) {
		/* log-uniform over 2^10 .. 2^40 ns (1 us .. 18 min) */
		int e = 10 + (int)(xs(&x) % 30);

		v[i] = (int64_t)((UINT64_C(1) << e) +
				 xs(&x) % (UINT64_C(1) << e));
		/* and some values right at a bound */
		if (i % 97 == 0)
			v[i] = gw_live_bounds_ns[i % GW_LIVE_NBOUNDS];
		ck_assert_int_eq(gw_hist_record(&h, v[i]), 0);
	}
	qsort(v, NVAL, sizeof(v[0]), cmp_i64);
	gw_live_buckets(&h, le);
	for (int b = 0; b < GW_LIVE_NBOUNDS; b++) {
		int64_t bound = gw_live_bounds_ns[b];
		uint64_t rule = 0, at_most = 0, below = 0;

		for (int i = 0; i < NVAL; i++) {
			rule += gw_hist_highest(gw_hist_index(v[i])) <= bound;
			at_most += v[i] <= bound;
			below += v[i] <= bound - bound / 1024;
		}
		ck_assert_uint_eq(le[b], rule);
		ck_assert_uint_le(le[b], at_most);
		ck_assert_uint_ge(le[b], below);
		if (b)
			ck_assert_uint_ge(le[b], le[b - 1]);
	}
	ck_assert_uint_le(le[GW_LIVE_NBOUNDS - 1], h.n);
	/* an empty histogram counts nothing */
	gw_hist_reset(&h);
	gw_live_buckets(&h, le);
	ck_assert_uint_eq(le[GW_LIVE_NBOUNDS - 1], 0);
	gw_hist_release(&h);
}
END_TEST

#define NPUB 20000

static void *writer(void *arg)
{
	struct gw_live *lv = arg;

	for (uint64_t s = 1; s <= NPUB; s++) {
		struct gw_live_snap *sn = gw_live_back(lv);

		sn->seq = s;
		for (int k = 0; k < GW_MAX_OPS; k++)
			sn->op[k].n = s;
		sn->counter[GW_MAX_COUNTERS - 1] = s;
		sn->built_ns = (int64_t)s;
		gw_live_publish(lv);
	}
	return NULL;
}

START_TEST(test_triple_buffer)
{
	static struct gw_live lv;
	pthread_t th;
	uint64_t last = 0, reads = 0;

	gw_live_init(&lv);
	ck_assert_ptr_null(gw_live_read(&lv));
	ck_assert_int_eq(pthread_create(&th, NULL, writer, &lv), 0);
	while (last < NPUB) {
		const struct gw_live_snap *sn = gw_live_read(&lv);

		if (!sn)
			continue;
		ck_assert_uint_ge(sn->seq, last);
		for (int k = 0; k < GW_MAX_OPS; k++)
			ck_assert_uint_eq(sn->op[k].n, sn->seq);
		ck_assert_uint_eq(sn->counter[GW_MAX_COUNTERS - 1], sn->seq);
		ck_assert_int_eq(sn->built_ns, (int64_t)sn->seq);
		last = sn->seq;
		reads++;
	}
	pthread_join(th, NULL);
	ck_assert_uint_gt(reads, 0);
}
END_TEST

START_TEST(test_unserved)
{
	static struct gw_live lv;
	int64_t t0 = gw_now_ns();

	gw_live_init(&lv);
	ck_assert_int_eq(gw_live_wait(&lv, gw_live_request(&lv), GW_NS_PER_S),
			 -1);
	ck_assert_int_lt(gw_now_ns() - t0, GW_NS_PER_S / 2);
}
END_TEST

/* ---- through a real engine ---------------------------------------------- */

static const struct gw_http_target target = {
	.base = "http://127.0.0.1:1",
	.max_body_bytes = 4096,
	.max_event_bytes = 4096,
};

static int op_req, ctr_jobs;
static _Atomic int release_jobs;

/* Job k: one attempt and one sample of (k + 1) ms, a counter; the first
 * job waits until the test has scraped once, so the run is still going. */
static void stub_job(struct gw_worker *w, void *arg)
{
	long k = (long)(intptr_t)arg;

	gw_attempt(w, op_req);
	gw_rec(w, op_req, (k + 1) * GW_NS_PER_MS);
	gw_count(w, ctr_jobs, 1);
	if (k == 0)
		for (int i = 0; i < 5000 && !atomic_load(&release_jobs); i++)
			gw_sleep_ns(GW_NS_PER_MS);
}

START_TEST(test_engine)
{
	static struct gw_live lv;
	static _Atomic uint64_t offered;
	struct gw_engine e;
	struct gw_metrics *m;
	const struct gw_live_snap *sn;
	uint64_t n = 300, sum_le = 0;

	ck_assert_int_eq(gw_http_global_init(), 0);
	gw_live_init(&lv);
	ck_assert_int_eq(gw_engine_start(&e, 3, 1024 * 1024, 4096, &target), 0);
	gw_engine_live(&e, &lv);
	m = gw_metrics_create("live-stub", "");
	op_req = gw_metrics_op(m, "stub_request");
	ctr_jobs = gw_metrics_counter(m, "stub_jobs");
	gw_metrics_external(m, "offered", &offered);
	atomic_store(&offered, 7);
	gw_engine_attach(&e, m, NULL);
	for (uint64_t k = 0; k < n; k++)
		gw_engine_submit(&e, stub_job, (void *)(intptr_t)k);

	/* while the first job holds on */
	ck_assert_int_eq(
		gw_live_wait(&lv, gw_live_request(&lv), 5 * GW_NS_PER_S), 0);
	sn = gw_live_read(&lv);
	ck_assert_ptr_nonnull(sn);
	ck_assert_str_eq(sn->name, "live-stub");
	ck_assert_int_eq(sn->nops, m->nops);
	ck_assert_str_eq(sn->op[op_req].name, "stub_request");
	ck_assert_uint_le(sn->op[op_req].attempts, n);
	ck_assert_int_eq(sn->next, 1);
	ck_assert_str_eq(sn->ext_name[0], "offered");
	ck_assert_uint_eq(sn->ext[0], 7);
	atomic_store(&release_jobs, 1);
	atomic_store(&offered, 9);

	gw_engine_wait(&e, 0, NULL, NULL);
	ck_assert_int_eq(gw_engine_collect(&e, m), 0);
	/* nothing attached now: answered with the final snapshot */
	ck_assert_int_eq(
		gw_live_wait(&lv, gw_live_request(&lv), 5 * GW_NS_PER_S), 0);
	sn = gw_live_read(&lv);
	ck_assert_ptr_nonnull(sn);
	ck_assert_uint_eq(sn->op[op_req].attempts, m->op[op_req].attempts);
	ck_assert_uint_eq(sn->op[op_req].attempts, n);
	ck_assert_uint_eq(sn->op[op_req].produced, n);
	ck_assert_uint_eq(sn->op[op_req].n, gw_metrics_count(m, op_req));
	ck_assert_uint_eq(sn->counter[ctr_jobs], n);
	ck_assert_uint_eq(sn->ext[0], 9);
	ck_assert_uint_eq(sn->samples_received, n);
	/* (k + 1) ms for k < 300: 1 ms .. 300 ms.  1 ms itself is in a
	 * bucket whose top is above 1 ms: it counts at 2.5 ms (the rule) */
	ck_assert_uint_eq(sn->op[op_req].le[3], 0); /* <= 1 ms */
	ck_assert_uint_eq(sn->op[op_req].le[4], 2); /* <= 2.5 ms */
	ck_assert_uint_eq(sn->op[op_req].le[GW_LIVE_NBOUNDS - 1], n);
	ck_assert_double_eq_tol(sn->op[op_req].sum_s,
				(double)(n * (n + 1) / 2) / 1e3, 1e-6);
	for (int b = 0; b < GW_LIVE_NBOUNDS; b++)
		sum_le += sn->op[op_req].le[b];
	ck_assert_uint_gt(sum_le, 0);
	gw_engine_stop(&e);
	/* the engine is gone: nobody answers, and nobody is waited for */
	ck_assert_int_eq(
		gw_live_wait(&lv, gw_live_request(&lv), 5 * GW_NS_PER_S), -1);
	gw_metrics_free(m);
	gw_http_global_cleanup();
}
END_TEST

static Suite *live_suite(void)
{
	Suite *s = suite_create("live");
	TCase *tc = tcase_create("live");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_buckets_oracle);
	tcase_add_test(tc, test_triple_buffer);
	tcase_add_test(tc, test_unserved);
	tcase_add_test(tc, test_engine);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(live_suite)
