/*
 * check_metrics: one scenario's metrics without the engine.  Operation
 * and counter registration (ids in order; the same name twice gives the
 * first id), gw_metrics_record and the first-seen order the report lists
 * operations in, the error log's cap (also with several threads writing),
 * gauges, and the derived values -- error rate, throughput, dropped and
 * produced sums, counters by name, quantiles -- against values worked out
 * by hand from the data recorded, and the memory trend.
 *
 * Where the engine would sum per-worker statistics into the metrics after
 * a run (attempts, errors, produced, dropped, counters), a test writes
 * those fields directly, as gw_engine_collect does.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_metrics.h"
#include "gw_util.h"
#include "check_main.h"

START_TEST(test_register)
{
	struct gw_metrics *m = gw_metrics_create("test_x", NULL);

	ck_assert_str_eq(m->test_name, "test_x");
	ck_assert_str_eq(m->markers, "");
	ck_assert_int_eq(gw_metrics_op(m, "submit"), 0);
	ck_assert_int_eq(gw_metrics_op(m, "stream"), 1);
	ck_assert_int_eq(gw_metrics_op(m, "submit"), 0); /* again */
	ck_assert_int_eq(m->nops, 2);
	ck_assert_str_eq(m->op[1].name, "stream");
	ck_assert_int_eq(gw_metrics_find_op(m, "stream"), 1);
	ck_assert_int_eq(gw_metrics_find_op(m, "nope"), -1);

	/* counters are a table of their own: "submit" is new there */
	ck_assert_int_eq(gw_metrics_counter(m, "tasks"), 0);
	ck_assert_int_eq(gw_metrics_counter(m, "submit"), 1);
	ck_assert_int_eq(gw_metrics_counter(m, "tasks"), 0); /* again */
	ck_assert_int_eq(m->ncounters, 2);
	ck_assert_int_eq(gw_metrics_find_counter(m, "submit"), 1);
	ck_assert_int_eq(gw_metrics_find_counter(m, "nope"), -1);
	ck_assert_int_eq(m->nops, 2);
	gw_metrics_free(m);
	gw_metrics_free(NULL);
}
END_TEST

/* Operations are listed in the order their first sample arrived, not in
 * registration order; operations without samples are left out. */
START_TEST(test_record_order)
{
	struct gw_metrics *m = gw_metrics_create("t", "stress");
	int a = gw_metrics_op(m, "a"), b = gw_metrics_op(m, "b");
	int c = gw_metrics_op(m, "c"), d = gw_metrics_op(m, "d");
	int ids[GW_MAX_OPS];

	ck_assert_int_eq(gw_metrics_ops_in_order(m, ids), 0);
	gw_metrics_record(m, c, 3000);
	gw_metrics_record(m, a, 1000);
	gw_metrics_record(m, c, 5000);
	gw_metrics_record(m, b, 2000);
	gw_metrics_record(m, a, 4000);
	ck_assert_int_eq(m->op[c].first_seen, 1);
	ck_assert_int_eq(m->op[a].first_seen, 2);
	ck_assert_int_eq(m->op[b].first_seen, 3);
	ck_assert_int_eq(m->op[d].first_seen, 0);
	ck_assert_int_eq(gw_metrics_ops_in_order(m, ids), 3);
	ck_assert_int_eq(ids[0], c);
	ck_assert_int_eq(ids[1], a);
	ck_assert_int_eq(ids[2], b);
	ck_assert_uint_eq(gw_metrics_count(m, a), 2);
	ck_assert_uint_eq(gw_metrics_count(m, c), 2);
	ck_assert_uint_eq(gw_metrics_count(m, d), 0);
	ck_assert_uint_eq(gw_metrics_count(m, -1), 0);
	ck_assert_uint_eq(gw_metrics_count(m, m->nops), 0);
	ck_assert_int_eq(m->op[c].hist.min, 3000);
	ck_assert_int_eq(m->op[c].hist.max, 5000);
	gw_metrics_free(m);
}
END_TEST

/* A sample over the histogram's range is counted there, not recorded: an
 * operation whose only sample is out of range has no samples to list. */
START_TEST(test_record_over_range)
{
	struct gw_metrics *m = gw_metrics_create("t", "");
	int a = gw_metrics_op(m, "a"), b = gw_metrics_op(m, "b");
	int ids[GW_MAX_OPS];

	gw_metrics_record(m, a, GW_HIST_MAX + 1);
	gw_metrics_record(m, b, 1000);
	ck_assert_uint_eq(m->op[a].hist.over_range, 1);
	ck_assert_uint_eq(gw_metrics_count(m, a), 0);
	ck_assert_int_eq(gw_metrics_ops_in_order(m, ids), 1);
	ck_assert_int_eq(ids[0], b);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_error_records)
{
	struct gw_metrics *m = gw_metrics_create("t", "");
	int op = gw_metrics_op(m, "submit");

	gw_metrics_error(m, op, GW_E_HTTP, "HTTPError", "HTTP 500",
			 "{\"status\":500}");
	gw_metrics_error(m, op, GW_E_TIMEOUT, "Timeout", "slow", NULL);
	gw_metrics_error(m, op, GW_E_PARSE, "JSONDecodeError", "bad", "");
	ck_assert_int_eq(m->nerr, 3);
	ck_assert_int_eq(m->err[0].op, op);
	ck_assert_int_eq(m->err[0].cls, GW_E_HTTP);
	ck_assert_str_eq(m->err[0].type, "HTTPError");
	ck_assert_str_eq(m->err[0].message, "HTTP 500");
	ck_assert_str_eq(m->err[0].context, "{\"status\":500}");
	ck_assert_int_eq(m->err[0].t_ns, 0);	   /* not started: no clock */
	ck_assert_str_eq(m->err[1].context, "{}"); /* NULL context */
	ck_assert_str_eq(m->err[2].context, "{}"); /* empty context */
	/* only the details are kept here; counting is the engine's */
	ck_assert_uint_eq(m->op[op].errors, 0);
	gw_metrics_free(m);
}
END_TEST

/* The first GW_MAX_ERROR_RECORDS records are kept, later ones ignored. */
START_TEST(test_error_cap)
{
	struct gw_metrics *m = gw_metrics_create("t", "");
	int op = gw_metrics_op(m, "submit");
	char msg[32];

	for (int i = 0; i < GW_MAX_ERROR_RECORDS + 50; i++) {
		snprintf(msg, sizeof(msg), "e%d", i);
		gw_metrics_error(m, op, GW_E_HTTP, "HTTPError", msg, NULL);
	}
	ck_assert_int_eq(m->nerr, GW_MAX_ERROR_RECORDS);
	ck_assert_str_eq(m->err[0].message, "e0");
	snprintf(msg, sizeof(msg), "e%d", GW_MAX_ERROR_RECORDS - 1);
	ck_assert_str_eq(m->err[GW_MAX_ERROR_RECORDS - 1].message, msg);
	gw_metrics_free(m);
}
END_TEST

#define ERR_THREADS 4
#define ERR_PER_THREAD (GW_MAX_ERROR_RECORDS)

struct err_writer {
	struct gw_metrics *m;
	int id;
	pthread_t th;
};

static void *write_errors(void *arg)
{
	struct err_writer *w = arg;
	char msg[32];

	for (int i = 0; i < ERR_PER_THREAD; i++) {
		snprintf(msg, sizeof(msg), "t%d e%d", w->id, i);
		gw_metrics_error(w->m, 0, GW_E_DROPPED, "Dropped", msg, NULL);
	}
	return NULL;
}

/* Several writers at once: exactly the cap is stored, every record
 * whole, and each writer's records in its own order. */
START_TEST(test_error_cap_threads)
{
	struct gw_metrics *m = gw_metrics_create("t", "");
	struct err_writer w[ERR_THREADS];
	int next[ERR_THREADS] = { 0 };

	gw_metrics_op(m, "stream");
	for (int i = 0; i < ERR_THREADS; i++) {
		w[i] = (struct err_writer){ .m = m, .id = i };
		ck_assert_int_eq(
			pthread_create(&w[i].th, NULL, write_errors, &w[i]), 0);
	}
	for (int i = 0; i < ERR_THREADS; i++)
		ck_assert_int_eq(pthread_join(w[i].th, NULL), 0);
	ck_assert_int_eq(m->nerr, GW_MAX_ERROR_RECORDS);
	for (int i = 0; i < GW_MAX_ERROR_RECORDS; i++) {
		int t, e;

		ck_assert_msg(sscanf(m->err[i].message, "t%d e%d", &t, &e) ==
					      2 &&
				      t >= 0 && t < ERR_THREADS,
			      "record %d: '%s'", i, m->err[i].message);
		ck_assert_int_eq(e, next[t]);
		next[t]++;
		ck_assert_int_eq(m->err[i].cls, GW_E_DROPPED);
		ck_assert_str_eq(m->err[i].context, "{}");
	}
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_gauges)
{
	struct gw_metrics *m = gw_metrics_create("t", "");

	gw_metrics_gauge(m, "peak", 1.5, 0);
	gw_metrics_gauge(m, "other", 3, 1);
	gw_metrics_gauge(m, "peak", 25, 1); /* last write wins */
	ck_assert_int_eq(m->ngauges, 2);
	ck_assert_str_eq(m->gauge[0].name, "peak");
	ck_assert(m->gauge[0].value == 25.0);
	ck_assert_int_eq(m->gauge[0].is_int, 1);
	gw_metrics_free(m);
}
END_TEST

/*
 * Derived values from a run worked out by hand:
 *   get     a request: 10 attempts, 3 failed, 7 samples of 1..7 ms
 *   stream  not a request: 3 samples, 1 error
 *   idle    nothing
 * over a window of exactly 2 s.
 */
START_TEST(test_derived)
{
	struct gw_metrics *m = gw_metrics_create("t", "");
	int get = gw_metrics_op(m, "get"), stream = gw_metrics_op(m, "stream");
	int idle = gw_metrics_op(m, "idle");
	int tasks = gw_metrics_counter(m, "tasks");
	double q50;

	for (int i = 1; i <= 7; i++)
		gw_metrics_record(m, get, i * GW_NS_PER_MS);
	for (int i = 0; i < 3; i++)
		gw_metrics_record(m, stream, 500 * 1000);
	m->op[get].attempts = 10;
	m->op[get].errors = 3;
	m->op[stream].errors = 1;
	m->op[get].produced = 7 + 2; /* 2 samples a full ring dropped */
	m->op[get].dropped = 2;
	m->op[stream].produced = 3;
	m->op[idle].produced = 4;
	m->op[idle].dropped = 4;
	m->counter[tasks] = 42;

	/* not started: no duration, no throughput */
	ck_assert(gw_metrics_duration(m) == 0.0);
	ck_assert(gw_metrics_throughput(m, get) == 0.0);
	m->started = m->stopped = 1;
	m->start_ns = 5 * GW_NS_PER_S;
	m->end_ns = 7 * GW_NS_PER_S;
	ck_assert(gw_metrics_duration(m) == 2.0);

	/* requests: errors / attempts = 3 / 10 */
	ck_assert(gw_metrics_error_rate(m, get) == 30.0);
	/* others: errors / (samples + errors) = 1 / (3 + 1) */
	ck_assert(gw_metrics_error_rate(m, stream) == 25.0);
	ck_assert(gw_metrics_error_rate(m, idle) == 0.0);
	ck_assert(gw_metrics_error_rate(m, -1) == 0.0);
	ck_assert(gw_metrics_error_rate(m, m->nops) == 0.0);
	/* samples recorded / 2 s */
	ck_assert(gw_metrics_throughput(m, get) == 3.5);
	ck_assert(gw_metrics_throughput(m, stream) == 1.5);
	ck_assert(gw_metrics_throughput(m, idle) == 0.0);
	ck_assert_uint_eq(gw_metrics_total_errors(m), 4);
	ck_assert_uint_eq(gw_metrics_produced(m), 9 + 3 + 4);
	ck_assert_uint_eq(gw_metrics_dropped(m), 2 + 4);
	ck_assert_uint_eq(gw_metrics_counter_value(m, "tasks"), 42);
	ck_assert_uint_eq(gw_metrics_counter_value(m, "nope"), 0);
	/* the ends are exact; the median is the 4th of 7 samples, 4 ms, at
	 * most 0.1% above (the histogram's bucket width) */
	ck_assert(gw_metrics_quantile_ms(m, get, 0.0) == 1.0);
	ck_assert(gw_metrics_quantile_ms(m, get, 1.0) == 7.0);
	q50 = gw_metrics_quantile_ms(m, get, 0.5);
	ck_assert_msg(q50 >= 4.0 && q50 <= 4.0 * 1.001, "p50 %.6f ms", q50);
	ck_assert(gw_metrics_quantile_ms(m, idle, 0.5) == 0.0);
	ck_assert(gw_metrics_quantile_ms(m, -1, 0.5) == 0.0);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_mem_trend)
{
	static const double rss[] = { 100, 120, 90, 130, 110 };
	struct gw_metrics *m = gw_metrics_create("t", "");
	struct gw_mem_trend t;

	gw_metrics_mem_trend(m, &t); /* no samples: all zero */
	ck_assert_int_eq(t.sample_count, 0);
	ck_assert(t.start_mb == 0 && t.end_mb == 0 && t.max_mb == 0 &&
		  t.min_mb == 0 && t.growth_mb == 0);

	gw_metrics_memory(m, 64); /* one sample */
	gw_metrics_mem_trend(m, &t);
	ck_assert_int_eq(t.sample_count, 1);
	ck_assert(t.start_mb == 64 && t.end_mb == 64 && t.max_mb == 64 &&
		  t.min_mb == 64 && t.growth_mb == 0);

	m->nmem = 0;
	for (size_t i = 0; i < GW_ARRAY_SIZE(rss); i++)
		gw_metrics_memory(m, rss[i]);
	gw_metrics_mem_trend(m, &t);
	ck_assert_int_eq(t.sample_count, 5);
	ck_assert(t.start_mb == 100);
	ck_assert(t.end_mb == 110);
	ck_assert(t.max_mb == 130);
	ck_assert(t.min_mb == 90);
	ck_assert(t.growth_mb == 10);

	gw_metrics_memory(m, 40); /* shrinking: growth is negative */
	gw_metrics_mem_trend(m, &t);
	ck_assert(t.growth_mb == -60);
	ck_assert(t.min_mb == 40);
	gw_metrics_free(m);
}
END_TEST

/* Past GW_MAX_MEM_SAMPLES the last slot keeps the latest reading, so the
 * growth is measured to the end of the run. */
START_TEST(test_mem_trend_full)
{
	struct gw_metrics *m = gw_metrics_create("t", "");
	struct gw_mem_trend t;

	for (int i = 0; i < GW_MAX_MEM_SAMPLES; i++)
		gw_metrics_memory(m, 100 + i % 7);
	for (int i = 0; i < 10; i++)
		gw_metrics_memory(m, 1000 + i);
	gw_metrics_mem_trend(m, &t);
	ck_assert_int_eq(m->nmem, GW_MAX_MEM_SAMPLES);
	ck_assert_int_eq(t.sample_count, GW_MAX_MEM_SAMPLES);
	ck_assert(t.start_mb == 100);
	ck_assert(t.end_mb == 1009);
	ck_assert(t.max_mb == 1009);
	ck_assert(t.growth_mb == 909);
	gw_metrics_free(m);
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_register);
	tcase_add_test(tc, test_record_order);
	tcase_add_test(tc, test_record_over_range);
	tcase_add_test(tc, test_error_records);
	tcase_add_test(tc, test_error_cap);
	tcase_add_test(tc, test_error_cap_threads);
	tcase_add_test(tc, test_gauges);
	tcase_add_test(tc, test_derived);
	tcase_add_test(tc, test_mem_trend);
	tcase_add_test(tc, test_mem_trend_full);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(metrics_suite)
