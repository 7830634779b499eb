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

#include "gw_check.h"
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
	m = gw_merge_json(r, 3, NULL, err, sizeof(err));
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
	ck_assert_ptr_null(gw_merge_json(r, 2, NULL, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "scenario 'b'"));
	json_object_set_new(r[1], "schema_version", json_integer(99));
	ck_assert_ptr_null(gw_merge_json(r, 2, NULL, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "schema_version 99"));
	ck_assert_ptr_null(gw_merge_json(r, 0, NULL, err, sizeof(err)));
	/* a verdict passes only if every shard passed */
	json_decref(r[1]);
	gw_check_gt(&a->checks, "x", 0, 1, "");
	r[1] = report(a);
	json_t *m = gw_merge_json(r, 2, NULL, err, sizeof(err));

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

/* The merged check of that name. */
static json_t *merged_check(json_t *m, const char *name)
{
	json_t *c;
	size_t k;

	json_array_foreach(
		json_object_get(json_object_get(m, "verdict"), "checks"), k,
		c) if (!strcmp(json_string_value(json_object_get(c, "name")),
			       name)) return c;
	return NULL;
}

static const char *status_of(json_t *m, const char *name)
{
	return json_string_value(
		json_object_get(merged_check(m, name), "status"));
}

/*
 * Checks are made again on the merged data: a small shard whose p99 fails
 * does not fail a run whose p99 over all samples holds (the AND of the
 * shards' verdicts would); sums and ratios are of the sums; a check with
 * no rule must hold on every shard.
 */
START_TEST(test_checks_rejudged)
{
	struct gw_scen *a = scen(&def_t), *b = scen(&def_t);
	json_t *r[2], *m;
	char err[128];
	int op;

	op = gw_metrics_op(a->m, "task_submit");
	ck_assert_int_eq(gw_metrics_op(b->m, "task_submit"), op);
	for (int i = 0; i < 1000; i++)
		rec(a->m, op, 1000000);
	for (int i = 0; i < 10; i++)
		rec(b->m, op, i ? 1000000 : 900000000);
	a->m->op[op].attempts = 1000;
	b->m->op[op].attempts = 10;
	gw_check_p99(&a->checks, a->m, op, 500);
	gw_check_p99(&b->checks, b->m, op, 500);
	ck_assert_int_eq(a->checks.c[0].status, GW_CHECK_PASS);
	ck_assert_int_eq(b->checks.c[0].status, GW_CHECK_FAIL);
	gw_check_eq(&a->checks, "streams ended", 5, 5, "");
	gw_check_merge(&a->checks, GW_MERGE_SUM, NULL, 0);
	gw_check_eq(&b->checks, "streams ended", 3, 3, "");
	gw_check_merge(&b->checks, GW_MERGE_SUM, NULL, 0);
	/* 99 of 100 and 40 of 50: 139 of 150 is 92.7 %, under 95 */
	gw_check_ge(&a->checks, "success rate", 99, 95, "%");
	gw_check_merge(&a->checks, GW_MERGE_RATIO, "99/100", 0);
	gw_check_ge(&b->checks, "success rate", 80, 95, "%");
	gw_check_merge(&b->checks, GW_MERGE_RATIO, "40/50", 0);
	gw_check_eq(&a->checks, "healthy", 1, 1, "");
	gw_check_eq(&b->checks, "healthy", 1, 1, "");
	r[0] = report(a);
	r[1] = report(b);
	m = gw_merge_json(r, 2, NULL, err, sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
	ck_assert_str_eq(status_of(m, "p99(task_submit)"), "pass");
	ck_assert(json_number_value(json_object_get(
			  merged_check(m, "p99(task_submit)"), "measured")) <
		  2.0);
	ck_assert_str_eq(status_of(m, "streams ended"), "pass");
	ck_assert(json_number_value(json_object_get(
			  merged_check(m, "streams ended"), "measured")) == 8);
	ck_assert_str_eq(status_of(m, "success rate"), "fail");
	ck_assert(fabs(json_number_value(json_object_get(
			       merged_check(m, "success rate"), "measured")) -
		       100.0 * 139 / 150) < 1e-9);
	ck_assert_str_eq(status_of(m, "healthy"), "pass");
	ck_assert(json_is_false(
		json_object_get(json_object_get(m, "verdict"), "passed")));
	/* each merged check lists the shards' own results */
	ck_assert_int_eq(
		json_array_size(json_object_get(
			merged_check(m, "p99(task_submit)"), "shards")),
		2);
	json_decref(m);
	/* without the ratio check the merged run passes, though shard b's
	 * own verdict failed */
	json_array_remove(
		json_object_get(json_object_get(r[0], "verdict"), "checks"), 2);
	json_array_remove(
		json_object_get(json_object_get(r[1], "verdict"), "checks"), 2);
	m = gw_merge_json(r, 2, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(m);
	ck_assert(json_is_true(
		json_object_get(json_object_get(m, "verdict"), "passed")));
	json_decref(m);
	/* shards named: each once, all of them */
	json_object_set_new(json_object_get(r[0], "metadata"), "shard",
			    json_pack("{s:i, s:i}", "index", 0, "count", 2));
	json_object_set_new(json_object_get(r[1], "metadata"), "shard",
			    json_pack("{s:i, s:i}", "index", 0, "count", 2));
	ck_assert_ptr_null(gw_merge_json(r, 2, NULL, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "both shard 0"));
	json_object_set_new(json_object_get(r[1], "metadata"), "shard",
			    json_pack("{s:i, s:i}", "index", 1, "count", 3));
	ck_assert_ptr_null(gw_merge_json(r, 2, NULL, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "every shard, once"));
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
	tcase_add_test(tc, test_checks_rejudged);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(merge_suite)
