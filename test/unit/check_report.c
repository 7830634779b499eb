/*
 * check_report: the JSON report against the seed's schema (scenarios.md
 * 3.6) and our additions, the round trip of histograms through the JSON
 * buckets (what makes sharded runs mergeable), file naming, atomic
 * writes, the console layout (3.7) and check (threshold) evaluation.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gw_atomic.h"
#include "gw_config.h"
#include "gw_report.h"
#include "gw_run.h"
#include "gw_scen.h"
#include "check_main.h"

static struct gw_config cfg;
static struct gw_run run;

static const struct gw_scen_def def = {
	.name = "test_concurrent_sse_connections[5]",
	.markers = "stress",
};

static struct gw_scen *make_scen(void)
{
	gw_config_defaults(&cfg);
	run.cfg = &cfg;
	return gw_scen_create(&run, &def);
}

static void free_scen(struct gw_scen *s)
{
	gw_scen_free(s);
}

/* Record like the collector does, keeping first-seen order. */
static void rec(struct gw_metrics *m, int op, int64_t ns)
{
	gw_metrics_record(m, op, ns);
	m->op[op].produced++;
	m->samples_received++;
}

/* A scenario with known content. */
static struct gw_scen *sample_scen(void)
{
	struct gw_scen *s = make_scen();
	struct gw_metrics *m = s->m;
	int sub = gw_metrics_op(m, "task_submit");
	int ev = gw_metrics_op(m, "event_received");
	int c = gw_metrics_counter(m, "tasks_submitted");

	gw_metrics_start(m);
	for (int i = 1; i <= 4; i++)
		rec(m, sub, (int64_t)i * 10 * 1000000); /* 10..40 ms */
	m->op[sub].attempts = 5;
	m->op[sub].errors = 1;
	rec(m, ev, 5 * 1000000);
	m->counter[c] = 4;
	gw_metrics_gauge(m, "successful_connections", 5, 1);
	gw_metrics_gauge(m, "upload_throughput_mbps", 12.5, 0);
	gw_metrics_memory(m, 100.0);
	gw_metrics_memory(m, 112.5);
	m->mem_source = 1;
	gw_metrics_error(m, sub, GW_E_HTTP, "HTTPStatusError", "HTTP 500",
			 "{\"path\":\"/api/v1/message:stream\"}");
	m->err_by_class[GW_E_HTTP] = 1;
	gw_metrics_stop(m);
	gw_check_lt(&s->checks, "p99(task_submit)", 40, 1000, "ms");
	gw_check_ge(&s->checks, "success rate", 80, 95, "%");
	gw_check_skip(&s->checks, "memory growth", "not measured");
	return s;
}

static json_t *report_of(struct gw_scen *s)
{
	struct gw_report_ctx rc = { &cfg, "http://127.0.0.1:1",
				    1,	  "gwstress test",
				    0,	  0 };
	json_t *j = gw_report_json(s, &rc);
	char *text = json_dumps(j, JSON_INDENT(2));
	json_t *back;

	/* round trip through text, as a reader of the file would */
	json_decref(j);
	ck_assert_ptr_nonnull(text);
	back = json_loads(text, 0, NULL);
	free(text);
	ck_assert_ptr_nonnull(back);
	return back;
}

START_TEST(test_seed_schema)
{
	static const char *const pkeys[] = { "p50", "p95",  "p99",   "min",
					     "max", "mean", "count", "stddev" };
	struct gw_scen *s = sample_scen();
	json_t *j = report_of(s), *meta, *op, *p, *mem, *err;
	const char *key;
	json_t *v;
	size_t i = 0;

	meta = json_object_get(j, "metadata");
	ck_assert_str_eq(json_string_value(json_object_get(meta, "test_name")),
			 "test_concurrent_sse_connections[5]");
	ck_assert(json_is_string(json_object_get(meta, "timestamp")));
	ck_assert(json_is_real(json_object_get(meta, "duration_seconds")));
	ck_assert_int_eq(json_integer_value(
				 json_object_get(json_object_get(j, "summary"),
						 "total_errors")),
			 1);
	ck_assert_int_eq(json_integer_value(
				 json_object_get(json_object_get(j, "summary"),
						 "operations_count")),
			 2);

	op = json_object_get(json_object_get(j, "operations"), "task_submit");
	ck_assert_ptr_nonnull(op);
	p = json_object_get(op, "percentiles");
	/* the seed's key order */
	json_object_foreach(p, key, v)
	{
		ck_assert_uint_lt(i, 8);
		ck_assert_str_eq(key, pkeys[i]);
		i++;
	}
	ck_assert_uint_eq(i, 8);
	/* n = 4: p50 is index 2 (30 ms), p95 = p99 = max */
	ck_assert(fabs(json_real_value(json_object_get(p, "p50")) - 30) < 0.05);
	ck_assert(fabs(json_real_value(json_object_get(p, "p99")) - 40) < 1e-9);
	ck_assert(fabs(json_real_value(json_object_get(p, "mean")) - 25) <
		  1e-9);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "count")), 4);
	ck_assert(json_is_real(json_object_get(p, "stddev")));
	/* errors / attempts, each failure once */
	ck_assert(fabs(json_real_value(
			       json_object_get(op, "error_rate_percent")) -
		       20.0) < 1e-9);
	ck_assert(json_is_real(json_object_get(op, "throughput_per_sec")));

	/* record_error's side effects: errors_<op> and total_errors */
	ck_assert_int_eq(json_integer_value(
				 json_object_get(json_object_get(j, "counters"),
						 "errors_task_submit")),
			 1);
	ck_assert_int_eq(json_integer_value(
				 json_object_get(json_object_get(j, "counters"),
						 "total_errors")),
			 1);
	ck_assert_int_eq(json_integer_value(
				 json_object_get(json_object_get(j, "counters"),
						 "tasks_submitted")),
			 4);
	/* gauges keep ints as ints */
	ck_assert(json_is_integer(json_object_get(json_object_get(j, "gauges"),
						  "successful_connections")));
	ck_assert(json_is_real(json_object_get(json_object_get(j, "gauges"),
					       "upload_throughput_mbps")));

	mem = json_object_get(j, "memory");
	ck_assert(fabs(json_real_value(json_object_get(mem, "growth_mb")) -
		       12.5) < 1e-9);
	ck_assert_int_eq(
		json_integer_value(json_object_get(mem, "sample_count")), 2);
	ck_assert(json_is_true(json_object_get(mem, "measured")));

	err = json_array_get(json_object_get(j, "errors"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(err, "operation")),
			 "task_submit");
	ck_assert_str_eq(json_string_value(json_object_get(err, "error_type")),
			 "HTTPStatusError");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(err, "context"), "path")),
			 "/api/v1/message:stream");
	ck_assert(json_is_real(json_object_get(err, "timestamp")));
	json_decref(j);
	free_scen(s);
}
END_TEST

START_TEST(test_additions)
{
	struct gw_scen *s = sample_scen();
	json_t *j = report_of(s), *checks, *c;

	ck_assert_int_eq(
		json_integer_value(json_object_get(j, "schema_version")),
		GW_REPORT_SCHEMA_VERSION);
	ck_assert(json_is_false(
		json_object_get(json_object_get(j, "verdict"), "passed")));
	checks = json_object_get(json_object_get(j, "verdict"), "checks");
	ck_assert_uint_eq(json_array_size(checks), 3);
	c = json_array_get(checks, 1);
	ck_assert_str_eq(json_string_value(json_object_get(c, "status")),
			 "fail");
	ck_assert(json_real_value(json_object_get(c, "limit")) == 95.0);
	ck_assert(json_real_value(json_object_get(c, "measured")) == 80.0);
	/* a skipped check says skipped, never pass */
	c = json_array_get(checks, 2);
	ck_assert_str_eq(json_string_value(json_object_get(c, "status")),
			 "skipped");
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(json_object_get(j, "summary"),
						 "errors_by_class"),
				 "http_status")),
			 1);
	ck_assert_int_eq(json_integer_value(
				 json_object_get(json_object_get(j, "summary"),
						 "samples_dropped")),
			 0);
	/* the effective configuration is echoed, token name only */
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_object_get(json_object_get(j, "config"), "target"),
			"token_env")),
		"GWSTRESS_TOKEN");
	json_decref(j);
	free_scen(s);
}
END_TEST

/* Rebuild each histogram from its JSON buckets: identical percentiles,
 * which is the property a cross-machine merge needs. */
START_TEST(test_histogram_round_trip)
{
	struct gw_scen *s = make_scen();
	struct gw_metrics *m = s->m;
	int op = gw_metrics_op(m, "sse_event_received");
	json_t *j, *h, *b;
	struct gw_hist back;
	size_t i;
	json_t *pair;

	gw_metrics_start(m);
	for (int k = 0; k < 20000; k++)
		rec(m, op, 1000 + (int64_t)k * k * 37);
	gw_metrics_stop(m);
	j = report_of(s);
	h = json_object_get(json_object_get(json_object_get(j, "operations"),
					    "sse_event_received"),
			    "histogram");
	b = json_object_get(h, "buckets");
	gw_hist_init(&back);
	json_array_foreach(b, i, pair) ck_assert_int_eq(
		gw_hist_add_bucket(
			&back,
			(size_t)json_integer_value(json_array_get(pair, 0)),
			(uint64_t)json_integer_value(json_array_get(pair, 1))),
		0);
	back.n = (uint64_t)json_integer_value(json_object_get(h, "count"));
	back.min = json_integer_value(json_object_get(h, "min"));
	back.max = json_integer_value(json_object_get(h, "max"));
	back.mean = json_real_value(json_object_get(h, "mean"));
	back.m2 = json_real_value(json_object_get(h, "m2"));
	for (double q = 0; q <= 1.0; q += 0.01)
		ck_assert_int_eq(gw_hist_quantile(&back, q),
				 gw_hist_quantile(&m->op[op].hist, q));
	ck_assert(gw_hist_stddev(&back) == gw_hist_stddev(&m->op[op].hist));
	gw_hist_release(&back);
	json_decref(j);
	free_scen(s);
}
END_TEST

START_TEST(test_paths)
{
	char out[256];

	gw_config_defaults(&cfg);
	ck_assert_int_eq(gw_report_path(&cfg, "t[5]", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "reports/stress_report_t[5].json");
	strcpy(cfg.report.path, "out/stress_report.json");
	gw_report_path(&cfg, "test_large_upload_during_streaming[10]", out,
		       sizeof(out));
	ck_assert_str_eq(out, "out/stress_report_test_large_upload_during_"
			      "streaming[10].json");
	strcpy(cfg.report.path, "out.d/report"); /* no extension */
	gw_report_path(&cfg, "x", out, sizeof(out));
	ck_assert_str_eq(out, "out.d/report_x");
	strcpy(cfg.report.path, "dir/.hidden"); /* dotfile: no ext */
	gw_report_path(&cfg, "x", out, sizeof(out));
	ck_assert_str_eq(out, "dir/.hidden_x");
	ck_assert_int_eq(gw_report_path(&cfg, "x", out, 8), -1);
}
END_TEST

START_TEST(test_atomic_write)
{
	char dir[] = "/tmp/gwstress-check-XXXXXX";
	char path[512], probe[600];
	struct stat st;
	json_t *j = json_pack("{s:i}", "a", 1), *back;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/deeper/r.json", dir);
	ck_assert_int_eq(gw_atomic_probe(path), 0);
	ck_assert_int_eq(gw_atomic_write_json(path, j), 0);
	back = json_load_file(path, 0, NULL);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(json_integer_value(json_object_get(back, "a")), 1);
	/* no temporary file left behind */
	snprintf(probe, sizeof(probe), "%s.tmp.%ld", path, (long)getpid());
	ck_assert_int_eq(stat(probe, &st), -1);
	unlink(path);
	/* an unwritable place is reported, not crashed on */
	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "/proc/gwstress/r.json");
		ck_assert_int_eq(gw_atomic_probe(path), -1);
	}
	ck_assert_int_eq(gw_atomic_probe("/proc/self/status/x/r.json"), -1);
	json_decref(j);
	json_decref(back);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

START_TEST(test_console_layout)
{
	struct gw_scen *s = sample_scen();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	gw_report_console(f, s);
	fclose(f);
	/* rules of exactly 70 characters, the seed's column header */
	ck_assert_ptr_nonnull(strstr(
		buf,
		"\n=================================="
		"====================================\n  STRESS TEST REPORT: "
		"test_concurrent_sse_connections[5]\n"));
	ck_assert_ptr_nonnull(strstr(buf,
				     "Operation                    Count"
				     "      P50      P95      P99   Err%\n"));
	ck_assert_ptr_nonnull(strstr(buf,
				     "task_submit                      4"
				     "     30.0     40.0     40.0  20.0%\n"));
	ck_assert_ptr_nonnull(strstr(buf, "  tasks_submitted: 4\n"));
	ck_assert_ptr_nonnull(strstr(buf, "  Growth: +12.5 MB\n"));
	ck_assert_ptr_nonnull(strstr(buf, "] task_submit: HTTPStatusError - "
					  "HTTP 500\n"));
	ck_assert_ptr_nonnull(strstr(buf, "VERDICT: FAILED"));
	ck_assert_ptr_nonnull(strstr(buf, "[SKIP] memory growth: not "
					  "measured"));
	free(buf);
	free_scen(s);
}
END_TEST

START_TEST(test_checks)
{
	struct gw_scen *s = make_scen();
	int op = gw_metrics_op(s->m, "burst_submit");

	gw_check_lt(&s->checks, "a", 1.0, 1.0, "ms"); /* strict: fails at equal
						       */
	ck_assert_int_eq(s->checks.c[0].status, GW_CHECK_FAIL);
	gw_check_le(&s->checks, "b", 1.0, 1.0, "ms");
	ck_assert_int_eq(s->checks.c[1].status, GW_CHECK_PASS);
	gw_check_ge(&s->checks, "c", 95.0, 95.0, "%");
	ck_assert_int_eq(s->checks.c[2].status, GW_CHECK_PASS);
	gw_check_gt(&s->checks, "d", 0, 0, "");
	ck_assert_int_eq(s->checks.c[3].status, GW_CHECK_FAIL);
	gw_check_eq(&s->checks, "e", 5, 5, "");
	ck_assert_int_eq(s->checks.c[4].status, GW_CHECK_PASS);
	/* p99 of an operation with no samples: skipped, never passed */
	gw_check_p99(&s->checks, s->m, op, 1000);
	ck_assert_int_eq(s->checks.c[5].status, GW_CHECK_SKIP);
	rec(s->m, op, 1500LL * 1000000);
	gw_check_p99(&s->checks, s->m, op, 1000);
	ck_assert_int_eq(s->checks.c[6].status, GW_CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(s->checks.c[6].note, "p99(burst_submit)"));
	ck_assert_int_eq(gw_check_passed(&s->checks), 0);
	free_scen(s);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_seed_schema);
	tcase_add_test(tc, test_additions);
	tcase_add_test(tc, test_histogram_round_trip);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_atomic_write);
	tcase_add_test(tc, test_console_layout);
	tcase_add_test(tc, test_checks);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(report_suite)
