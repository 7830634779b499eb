/*
 * check_merge: merging shard reports is exact.  Samples are dealt at
 * random to three shards; each shard's JSON report is built as gwstress
 * builds it; merging the three must give the same percentiles, counts,
 * min, max, mean and stddev as one report of all samples, and sums of
 * counters, attempts and errors.  Mismatched shards are refused.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gw_config.h"
#include "gw_merge.h"
#include "gw_report.h"
#include "gw_run.h"
#include "gw_scen.h"
#include "check_main.h"

static struct gw_config cfg;
static struct gw_run run;

static const struct gw_scen_def def_t = { .name = "t", .markers = "stress" };
static const struct gw_scen_def def_a = { .name = "a", .markers = "stress" };
static const struct gw_scen_def def_b = { .name = "b", .markers = "stress" };

static struct gw_scen *scen(const struct gw_scen_def *def)
{
	struct gw_scen *s;

	gw_config_defaults(&cfg);
	run.cfg = &cfg;
	s = gw_scen_create(&run, def);
	gw_metrics_start(s->m);
	return s;
}

static void rec(struct gw_metrics *m, int op, int64_t ns)
{
	gw_metrics_record(m, op, ns);
	m->op[op].produced++;
	m->samples_received++;
}

static json_t *report(struct gw_scen *s)
{
	struct gw_report_ctx rc = { &cfg, "http://127.0.0.1:1", 0, "t" };
	json_t *j = gw_report_json(s, &rc);
	char *text = json_dumps(j, 0);
	json_t *back = json_loads(text, 0, NULL);

	json_decref(j);
	free(text);
	return back;
}

static double pct(json_t *r, const char *op, const char *k)
{
	return json_number_value(json_object_get(
		json_object_get(
			json_object_get(json_object_get(r, "operations"), op),
			"percentiles"),
		k));
}

START_TEST(test_exact)
{
	static const char *const keys[] = { "p50", "p95",  "p99",   "min",
					    "max", "mean", "count", "stddev" };
	struct gw_scen *all = scen(&def_t), *sh[3];
	json_t *r[3], *m, *one;
	char err[128];
	uint64_t x = 7;
	int ops[4];

	gw_config_defaults(&cfg);
	run.cfg = &cfg;
	for (int k = 0; k < 3; k++)
		sh[k] = scen(&def_t);
	ops[0] = gw_metrics_op(all->m, "task_submit");
	ops[1] = gw_metrics_op(all->m, "sse_event_received");
	for (int k = 0; k < 3; k++) {
		/* same registration order: the same ids as in `all` */
		int c = gw_metrics_counter(sh[k]->m, "tasks_submitted");

		ck_assert_int_eq(gw_metrics_op(sh[k]->m, "task_submit"),
				 ops[0]);
		ck_assert_int_eq(gw_metrics_op(sh[k]->m, "sse_event_received"),
				 ops[1]);
		sh[k]->m->counter[c] = (uint64_t)(k + 1);
		sh[k]->m->op[ops[0]].attempts = 100;
		sh[k]->m->op[ops[0]].errors = (uint64_t)k;
	}
	for (int i = 0; i < 30000; i++) {
		int op = i % 2, k;
		int64_t v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = (int64_t)(x % 5000000000ULL) + 1;
		k = (int)(x >> 60) % 3;
		rec(all->m, ops[op], v);
		rec(sh[k]->m, ops[op], v);
	}
	for (int k = 0; k < 3; k++)
		r[k] = report(sh[k]);
	one = report(all);
	m = gw_merge_json(r, 3, err, sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
	for (int o = 0; o < 2; o++) {
		const char *op = o ? "sse_event_received" : "task_submit";

		for (size_t k = 0; k < 8; k++) {
			double a = pct(m, op, keys[k]),
			       b = pct(one, op, keys[k]);

			/* mean and stddev via Chan: equal to rounding */
			ck_assert_msg(fabs(a - b) <= 1e-9 * fabs(b) + 1e-12,
				      "%s %s merged %.17g vs one %.17g", op,
				      keys[k], a, b);
		}
	}
	ck_assert_int_eq(json_integer_value(
				 json_object_get(json_object_get(m, "counters"),
						 "tasks_submitted")),
			 1 + 2 + 3);
	ck_assert_int_eq(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(m, "operations"),
					"task_submit"),
			"attempts")),
		300);
	ck_assert(fabs(json_real_value(json_object_get(
			       json_object_get(json_object_get(m, "operations"),
					       "task_submit"),
			       "error_rate_percent")) -
		       1.0) < 1e-12);
	ck_assert_int_eq(json_integer_value(
				 json_object_get(json_object_get(m, "summary"),
						 "samples_received")),
			 30000);
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(m, "merge"), "shards_count")),
			 3);
	json_decref(m);
	json_decref(one);
	for (int k = 0; k < 3; k++) {
		json_decref(r[k]);
		gw_scen_free(sh[k]);
	}
	gw_scen_free(all);
}
END_TEST

START_TEST(test_refused)
{
	struct gw_scen *a = scen(&def_a), *b = scen(&def_b);
	json_t *r[2];
	char err[128];

	gw_config_defaults(&cfg);
	run.cfg = &cfg;
	r[0] = report(a);
	r[1] = report(b);
	ck_assert_ptr_null(gw_merge_json(r, 2, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "scenario 'b'"));
	json_object_set_new(r[1], "schema_version", json_integer(99));
	ck_assert_ptr_null(gw_merge_json(r, 2, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "schema_version 99"));
	ck_assert_ptr_null(gw_merge_json(r, 0, err, sizeof(err)));
	/* a verdict passes only if every shard passed */
	json_decref(r[1]);
	gw_check_gt(&a->checks, "x", 0, 1, "");
	r[1] = report(a);
	json_t *m = gw_merge_json(r, 2, err, sizeof(err));

	ck_assert_ptr_nonnull(m);
	ck_assert(json_is_false(
		json_object_get(json_object_get(m, "verdict"), "passed")));
	json_decref(m);
	json_decref(r[0]);
	json_decref(r[1]);
	gw_scen_free(a);
	gw_scen_free(b);
}
END_TEST

static Suite *merge_suite(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_exact);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(merge_suite)
