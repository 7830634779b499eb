/*
 * check_engine: the worker pool, the job queue and the collector, with
 * stub jobs that never send a request (the target, 127.0.0.1:1, is only
 * needed to create the workers' easy handles).  Asserts that what the
 * jobs did -- samples (gw_rec), counters (gw_count), attempts
 * (gw_attempt), failures -- is exactly what gw_engine_collect sums into
 * the metrics, that produced == received + dropped, that follow-up jobs
 * submitted by jobs run before gw_engine_wait returns, the busy peak, and
 * that a 2-slot ring under a burst counts every sample it drops.
 *
 * No test depends on timing: rings are sized so that they cannot
 * overflow unless overflow is the point, the busy peak is forced with a
 * barrier, and the burst test pushes until drops have happened (bounded
 * by a push count).  Run under ThreadSanitizer by
 * `make SANITIZE=thread check-unit`.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "gw_engine.h"
#include "gw_http.h"
#include "gw_metrics.h"
#include "gw_ring.h"
#include "gw_util.h"
#include "check_main.h"

#define STACK (1024 * 1024)
#define RING 4096 /* more than any test below pushes in all */

static const struct gw_http_target target = {
	.base = "http://127.0.0.1:1",
	.max_body_bytes = 4096,
	.max_event_bytes = 4096,
};

/* Checked fixture: runs in each test's own process, as the engine needs
 * curl_global_init before any thread. */
static void setup(void)
{
	ck_assert_int_eq(gw_http_global_init(), 0);
}

static void teardown(void)
{
	gw_http_global_cleanup();
}

/* Ids of the stub scenario's operations and counters. */
static int op_req, op_stream, ctr_bytes, ctr_jobs;

/*
 * A new stub scenario, attached to e: its samples go to the metrics
 * returned (caller frees).  The suite's only call of gw_engine_attach(),
 * kept here: main gives it a third argument (a time series, NULL here),
 * and a merge then touches this line alone.
 */
static struct gw_metrics *stub_scenario(struct gw_engine *e, const char *name)
{
	struct gw_metrics *m = gw_metrics_create(name, "");

	op_req = gw_metrics_op(m, "stub_request");
	op_stream = gw_metrics_op(m, "stub_stream");
	ctr_bytes = gw_metrics_counter(m, "stub_bytes");
	ctr_jobs = gw_metrics_counter(m, "stub_jobs");
	gw_engine_attach(e, m, NULL);
	return m;
}

/*
 * The suite's only call of gw_worker_fail(), kept in one place: main is
 * renaming it gw_worker_fail(), and a merge then touches this line alone.
 */
static void stub_fail(struct gw_worker *w, int op, long job)
{
	gw_worker_fail(w, op, GW_E_TIMEOUT, "stub timeout", "{\"job\":%ld}",
		       job);
}

/*
 * Job k (k = 0 .. jobs-1) tries k % 5 + 1 requests, records a sample of
 * (k + 1) us for each, fails one stream when k % 3 == 0, counts k bytes
 * and itself.  expect() works the same totals out from the job numbers.
 */
static void stub_job(struct gw_worker *w, void *arg)
{
	long k = (long)(intptr_t)arg;

	for (long i = 0; i < k % 5 + 1; i++) {
		gw_attempt(w, op_req);
		gw_rec(w, op_req, (k + 1) * 1000);
	}
	if (k % 3 == 0)
		stub_fail(w, op_stream, k);
	gw_count(w, ctr_bytes, (uint64_t)k);
	gw_count(w, ctr_jobs, 1);
}

struct totals {
	uint64_t samples, fails, bytes;
};

static struct totals expect(long jobs)
{
	struct totals t = { 0, 0, 0 };

	for (long k = 0; k < jobs; k++) {
		t.samples += (uint64_t)(k % 5 + 1);
		t.fails += k % 3 == 0;
		t.bytes += (uint64_t)k;
	}
	return t;
}

/* Run `jobs` stub jobs into m, the attached scenario, and check every
 * sum against expect(). */
static void run_stub_jobs(struct gw_engine *e, struct gw_metrics *m, long jobs)
{
	struct totals t = expect(jobs);

	ck_assert_uint_le(t.samples, RING); /* no drop is possible */
	for (long k = 0; k < jobs; k++)
		gw_engine_submit(e, stub_job, (void *)(intptr_t)k);
	gw_engine_wait(e, 0, NULL, NULL);
	ck_assert_int_eq(gw_engine_collect(e, m), 0);

	ck_assert_uint_eq(gw_metrics_produced(m),
			  m->samples_received + gw_metrics_dropped(m));
	ck_assert_uint_eq(gw_metrics_dropped(m), 0);
	ck_assert_uint_eq(m->samples_received, t.samples);
	ck_assert_uint_eq(m->samples_invalid, 0);
	ck_assert_uint_eq(m->op[op_req].produced, t.samples);
	ck_assert_uint_eq(gw_metrics_count(m, op_req), t.samples);
	ck_assert_uint_eq(m->op[op_req].attempts, t.samples);
	ck_assert_uint_eq(m->op[op_req].errors, 0);
	ck_assert_int_eq(m->op[op_req].hist.min, 1000);
	ck_assert_int_eq(m->op[op_req].hist.max, jobs * 1000);
	ck_assert_uint_eq(m->op[op_stream].errors, t.fails);
	ck_assert_uint_eq(m->op[op_stream].attempts, 0);
	ck_assert_uint_eq(gw_metrics_count(m, op_stream), 0);
	ck_assert_uint_eq(m->err_by_class[GW_E_TIMEOUT], t.fails);
	ck_assert_uint_eq(gw_metrics_total_errors(m), t.fails);
	ck_assert_int_eq(m->nerr, t.fails < GW_MAX_ERROR_RECORDS
					  ? (int)t.fails
					  : GW_MAX_ERROR_RECORDS);
	ck_assert_str_eq(m->err[0].message, "stub timeout");
	ck_assert_str_eq(m->err[0].type, gw_errclass_type(GW_E_TIMEOUT));
	ck_assert_uint_eq(gw_metrics_counter_value(m, "stub_bytes"), t.bytes);
	ck_assert_uint_eq(gw_metrics_counter_value(m, "stub_jobs"),
			  (uint64_t)jobs);
}

/* 1, 3 and 8 workers; two scenarios in a row on the same pool, each
 * seeing only its own jobs (collect takes and resets the per-worker
 * statistics). */
START_TEST(test_accounting)
{
	static const int workers[] = { 1, 3, 8 };
	struct gw_engine e;
	struct gw_metrics *m1, *m2;

	ck_assert_int_eq(gw_engine_start(&e, workers[_i], STACK, RING, &target),
			 0);
	m1 = stub_scenario(&e, "first");
	run_stub_jobs(&e, m1, 400);
	m2 = stub_scenario(&e, "second");
	run_stub_jobs(&e, m2, 150);
	gw_engine_stop(&e);
	gw_metrics_free(m1);
	gw_metrics_free(m2);
}
END_TEST

/* A job of depth d > 0 submits two of depth d - 1 before it returns. */
static void tree_job(struct gw_worker *w, void *arg)
{
	long depth = (long)(intptr_t)arg;
	void *child = (void *)(intptr_t)(depth - 1);

	gw_count(w, ctr_jobs, 1);
	gw_rec(w, op_req, (depth + 1) * 1000);
	if (depth > 0) {
		gw_engine_submit(w->eng, tree_job, child);
		gw_engine_submit(w->eng, tree_job, child);
	}
}

#define TREE_DEPTH 8 /* 2^9 - 1 = 511 jobs */

START_TEST(test_follow_up_jobs)
{
	struct gw_engine e;
	struct gw_metrics *m;
	uint64_t n = (UINT64_C(1) << (TREE_DEPTH + 1)) - 1;

	ck_assert_int_eq(gw_engine_start(&e, 4, STACK, RING, &target), 0);
	m = stub_scenario(&e, "tree");
	gw_engine_submit(&e, tree_job, (void *)(intptr_t)TREE_DEPTH);
	gw_engine_wait(&e, 0, NULL, NULL);
	ck_assert_int_eq(gw_engine_collect(&e, m), 0);
	ck_assert_uint_eq(gw_metrics_counter_value(m, "stub_jobs"), n);
	ck_assert_uint_eq(gw_metrics_count(m, op_req), n);
	ck_assert_uint_eq(m->samples_received, n);
	ck_assert_uint_eq(gw_metrics_dropped(m), 0);
	ck_assert_int_eq(m->op[op_req].hist.min, 1000);
	ck_assert_int_eq(m->op[op_req].hist.max, (TREE_DEPTH + 1) * 1000);
	gw_engine_stop(&e);
	gw_metrics_free(m);
}
END_TEST

/* Every job waits for all the others: they can only pass the barrier if
 * nworkers of them run at once. */
static pthread_barrier_t all_running;

static void barrier_job(struct gw_worker *w, void *arg)
{
	(void)arg;
	pthread_barrier_wait(&all_running);
	gw_count(w, ctr_jobs, 1);
}

static void nop_job(struct gw_worker *w, void *arg)
{
	(void)arg;
	gw_count(w, ctr_jobs, 1);
}

#define PEAK_WORKERS 6

START_TEST(test_busy_peak)
{
	struct gw_engine e;
	struct gw_metrics *m;

	ck_assert_int_eq(pthread_barrier_init(&all_running, NULL, PEAK_WORKERS),
			 0);
	ck_assert_int_eq(
		gw_engine_start(&e, PEAK_WORKERS, STACK, RING, &target), 0);
	ck_assert_int_eq(gw_engine_busy_peak(&e), 0);
	m = stub_scenario(&e, "peak");
	for (int i = 0; i < PEAK_WORKERS; i++)
		gw_engine_submit(&e, barrier_job, NULL);
	gw_engine_wait(&e, 0, NULL, NULL);
	ck_assert_int_eq(gw_engine_busy_peak(&e), PEAK_WORKERS);
	ck_assert_int_eq(gw_engine_busy_peak(&e), 0); /* reads reset */
	/* one job at a time: a peak of exactly one */
	for (int i = 0; i < 3; i++) {
		gw_engine_submit(&e, nop_job, NULL);
		gw_engine_wait(&e, 0, NULL, NULL);
	}
	ck_assert_int_eq(gw_engine_busy_peak(&e), 1);
	/* more jobs than workers: never more than the pool at once */
	for (int i = 0; i < 5 * PEAK_WORKERS; i++)
		gw_engine_submit(&e, nop_job, NULL);
	gw_engine_wait(&e, 0, NULL, NULL);
	ck_assert_int_le(gw_engine_busy_peak(&e), PEAK_WORKERS);
	ck_assert_int_eq(gw_engine_collect(&e, m), 0);
	ck_assert_uint_eq(gw_metrics_counter_value(m, "stub_jobs"),
			  PEAK_WORKERS + 3 + 5 * PEAK_WORKERS);
	gw_engine_stop(&e);
	gw_metrics_free(m);
	pthread_barrier_destroy(&all_running);
}
END_TEST

/*
 * A 2-slot ring and jobs that push as fast as they can: the collector
 * cannot keep up, so samples are dropped.  Each job pushes until its
 * worker's drop counter has grown by BURST_DROPS (at most BURST_MAX
 * pushes) and writes how many it pushed in its slot; nothing may be lost
 * on the way.
 */
#define BURST_JOBS 4
#define BURST_DROPS 1000
#define BURST_MAX 10000000L
#define BURST_NS 1234

static long pushed[BURST_JOBS];

static void burst_job(struct gw_worker *w, void *arg)
{
	long *slot = arg, n = 0;
	/* the worker's own counter: it is the only writer */
	uint64_t d0 = atomic_load_explicit(&w->dropped[op_stream],
					   memory_order_relaxed);

	while (n < BURST_MAX && atomic_load_explicit(&w->dropped[op_stream],
						     memory_order_relaxed) -
						d0 <
					BURST_DROPS) {
		gw_rec(w, op_stream, BURST_NS);
		n++;
	}
	*slot = n;
}

START_TEST(test_tiny_ring_burst)
{
	struct gw_engine e;
	struct gw_metrics *m;
	uint64_t sent = 0, ring_drops = 0;

	ck_assert_int_eq(gw_engine_start(&e, 2, STACK, 2, &target), 0);
	m = stub_scenario(&e, "burst");
	for (int i = 0; i < BURST_JOBS; i++)
		gw_engine_submit(&e, burst_job, &pushed[i]);
	gw_engine_wait(&e, 0, NULL, NULL);
	ck_assert_int_eq(gw_engine_collect(&e, m), 0);
	for (int i = 0; i < BURST_JOBS; i++)
		sent += (uint64_t)pushed[i];
	for (int i = 0; i < e.nworkers; i++)
		ring_drops += gw_ring_dropped(&e.w[i].ring);

	ck_assert_uint_eq(m->op[op_stream].produced, sent);
	ck_assert_uint_eq(m->samples_received + gw_metrics_dropped(m), sent);
	/* each job ended after its BURST_DROPS drops */
	ck_assert_uint_ge(gw_metrics_dropped(m), BURST_JOBS * BURST_DROPS);
	ck_assert_uint_eq(gw_metrics_dropped(m), ring_drops);
	ck_assert_uint_eq(gw_metrics_count(m, op_stream), m->samples_received);
	ck_assert_uint_gt(m->samples_received, 0);
	ck_assert_int_eq(m->op[op_stream].hist.min, BURST_NS);
	ck_assert_int_eq(m->op[op_stream].hist.max, BURST_NS);
	gw_engine_stop(&e);
	gw_metrics_free(m);
}
END_TEST

static Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_accounting, 0, 3);
	tcase_add_test(tc, test_follow_up_jobs);
	tcase_add_test(tc, test_busy_peak);
	tcase_add_test(tc, test_tiny_ring_burst);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(engine_suite)
