/*
 * gw_merge: merge shard reports of one scenario (see gw_merge.h).
 *
 * The merged report starts as a copy of shard 0 (so metadata, config and
 * any key this code does not know survive) and every section the shards
 * measured is then recomputed from all of them.
 */
#include "gw_merge.h"
#include "gw_atomic.h"
#include "gw_check.h"
#include "gw_hist.h"
#include "gw_hist_json.h"
#include "gw_report.h"
#include "gw_util.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

static json_int_t int_at(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static double num_at(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* dst[k] += src[k] for every integer or real member. */
static void add_numbers(json_t *dst, json_t *src)
{
	const char *k;
	json_t *v;

	json_object_foreach(src, k, v)
	{
		json_t *d = json_object_get(dst, k);

		if (json_is_integer(v) && (!d || json_is_integer(d)))
			json_object_set_new(
				dst, k,
				json_integer(json_integer_value(d) +
					     json_integer_value(v)));
		else if (json_is_number(v))
			json_object_set_new(dst, k,
					    json_real(json_number_value(d) +
						      json_number_value(v)));
	}
}

static int merge_operations(json_t *out, json_t *const *in, size_t n, char *err,
			    size_t errlen)
{
	json_t *ops = json_object();
	const char *name;
	json_t *v;

	/* union of the operation names, in first-seen order */
	for (size_t s = 0; s < n; s++)
		json_object_foreach(json_object_get(in[s], "operations"), name,
				    v) if (!json_object_get(ops, name))
			json_object_set_new(ops, name, json_null());
	json_object_foreach(ops, name, v)
	{
		struct gw_hist h;
		json_int_t attempts = 0, errors = 0, dropped = 0;
		double tput = 0, den;
		json_t *o;

		gw_hist_init(&h);
		for (size_t s = 0; s < n; s++) {
			json_t *so = json_object_get(
				json_object_get(in[s], "operations"), name);

			if (!so)
				continue;
			if (gw_hist_json_add(
				    &h, json_object_get(so, "histogram"))) {
				gw_hist_release(&h);
				json_decref(ops);
				return fail(err, errlen,
					    "report %zu: operation "
					    "'%s' has no valid histogram",
					    s, name);
			}
			attempts += int_at(so, "attempts");
			errors += int_at(so, "errors");
			dropped += int_at(so, "dropped_samples");
			tput += num_at(so, "throughput_per_sec");
		}
		den = attempts ? (double)attempts
			       : (double)h.n + (double)errors;
		o = json_pack("{s:o, s:f, s:f, s:I, s:I, s:I, s:o}",
			      "percentiles", gw_hist_json_percentiles(&h),
			      "throughput_per_sec", tput, "error_rate_percent",
			      den > 0 ? 100.0 * (double)errors / den : 0.0,
			      "attempts", attempts, "errors", errors,
			      "dropped_samples", dropped, "histogram",
			      gw_hist_json_buckets(&h));
		gw_hist_release(&h);
		json_object_set_new(ops, name, o);
	}
	json_object_set_new(out, "operations", ops);
	return 0;
}

/* ---- workload reports ---------------------------------------------------- */

/* The window counts that add up across shards, and the gauges that do
 * too (what is open on each shard at once). */
static const char *const win_summed[] = {
	"offered",   "started",	     "completed",      "failed",
	"errors",    "attempts",     "dropped_starts", "late_starts",
	"in_flight", "open_streams", "users",
};

/* Add window src (of one shard) into dst (the merged window). */
static int add_window(json_t *dst, json_t *src)
{
	json_t *dops = json_object_get(dst, "ops"), *so;
	const char *name;

	for (size_t k = 0; k < GW_ARRAY_SIZE(win_summed); k++)
		json_object_set_new(dst, win_summed[k],
				    json_integer(int_at(dst, win_summed[k]) +
						 int_at(src, win_summed[k])));
	/* every shard has its own CPU: the merged window shows the busiest */
	if (num_at(src, "cpu_percent") > num_at(dst, "cpu_percent"))
		json_object_set_new(dst, "cpu_percent",
				    json_real(num_at(src, "cpu_percent")));
	json_object_foreach(json_object_get(src, "ops"), name, so)
	{
		struct gw_hist h;
		json_t *d = json_object_get(dops, name), *o;

		gw_hist_init(&h);
		if ((d &&
		     gw_hist_json_add(&h, json_object_get(d, "histogram"))) ||
		    gw_hist_json_add(&h, json_object_get(so, "histogram"))) {
			gw_hist_release(&h);
			return -1;
		}
		o = json_pack("{s:I, s:f, s:f}", "count", (json_int_t)h.n,
			      "p50", (double)gw_hist_quantile(&h, 0.50) / 1e6,
			      "p99", (double)gw_hist_quantile(&h, 0.99) / 1e6);
		json_object_set_new(o, "histogram", gw_hist_json_buckets(&h));
		json_object_set_new(dops, name, o);
		gw_hist_release(&h);
	}
	return 0;
}

static int cmp_wall(const void *a, const void *b)
{
	json_int_t x = int_at(*(json_t *const *)a, "wall_ms");
	json_int_t y = int_at(*(json_t *const *)b, "wall_ms");

	return x < y ? -1 : x > y;
}

/*
 * The series of the shards, window by window on the wall clock: windows
 * with the same wall_ms add up (gw_series.h aligns every process's
 * windows to multiples of the window length).  The merged t_s counts
 * from the earliest shard's first window.  The judged span starts after
 * the last window some shard left out (a search probe's warm-up,
 * first_judged > 0); a shard that left none out excludes nothing, however
 * late it started: shards of a Job start when their pods do, and a
 * window before a shard's first is not one it declined to judge.
 */
static int merge_series(json_t *out, json_t *const *in, size_t n, char *err,
			size_t errlen)
{
	json_t *all = json_array(), *w, *merged = json_array();
	double ws = num_at(json_object_get(in[0], "series"), "window_s");
	json_int_t wall0 = 0, judged_wall = 0;
	size_t nall, i, first = 0;
	json_t **v;

	for (size_t s = 0; s < n; s++) {
		json_t *ser = json_object_get(in[s], "series");

		if (num_at(ser, "window_s") != ws) {
			json_decref(all);
			json_decref(merged);
			return fail(err, errlen,
				    "report %zu: windows of %g s, "
				    "report 0's are %g s",
				    s, num_at(ser, "window_s"), ws);
		}
		json_array_foreach(json_object_get(ser, "windows"), i, w)
			json_array_append(all, w);
		/* the judged span starts where every shard judges */
		w = int_at(ser, "first_judged") > 0
			    ? json_array_get(json_object_get(ser, "windows"),
					     (size_t)int_at(ser,
							    "first_judged"))
			    : NULL;
		if (w && int_at(w, "wall_ms") > judged_wall)
			judged_wall = int_at(w, "wall_ms");
	}
	nall = json_array_size(all);
	v = gw_xcalloc(nall ? nall : 1, sizeof(*v));
	json_array_foreach(all, i, w) v[i] = w;
	qsort(v, nall, sizeof(*v), cmp_wall);
	if (nall)
		wall0 = int_at(v[0], "wall_ms");
	for (i = 0; i < nall; i++) {
		json_t *last =
			json_array_get(merged, json_array_size(merged) - 1);

		if (!last ||
		    int_at(last, "wall_ms") != int_at(v[i], "wall_ms")) {
			last = json_pack(
				"{s:I, s:f, s:f, s:o}", "wall_ms",
				int_at(v[i], "wall_ms"), "t_s",
				(double)(int_at(v[i], "wall_ms") - wall0) /
					1000.0,
				"cpu_percent", 0.0, "ops", json_object());
			json_array_append_new(merged, last);
		}
		if (add_window(last, v[i]) < 0) {
			/* read before v and the windows in all are freed */
			long long wall = (long long)int_at(v[i], "wall_ms");

			free(v);
			json_decref(all);
			json_decref(merged);
			return fail(err, errlen,
				    "a window at wall_ms %lld has "
				    "a malformed histogram",
				    wall);
		}
	}
	free(v);
	json_decref(all);
	json_array_foreach(merged, i, w) if (int_at(w, "wall_ms") < judged_wall)
		first = i + 1;
	json_object_set_new(out, "series",
			    json_pack("{s:f, s:I, s:I, s:o}", "window_s", ws,
				      "wall0_ms", wall0, "first_judged",
				      (json_int_t)first, "windows", merged));
	return 0;
}

/* The load section: totals and rates add up; the pool is the fleet's. */
static void merge_load(json_t *out, json_t *const *in, size_t n)
{
	static const char *const summed[] = {
		"offered",
		"started",
		"completed",
		"failed",
		"cut",
		"dropped_starts",
		"late_starts",
		"offered_rate",
		"achieved_rate",
		"pool",
		"orphan_tasks",
		"orphans_cancelled",
		"orphans_already_ended",
		"orphans_cancel_failed",
	};
	json_t *load = json_object_get(out, "load");
	json_t *gen = json_object_get(out, "generator");
	int valid = 1;
	json_int_t rss = 0;
	char why[512] = "";

	for (size_t k = 0; k < GW_ARRAY_SIZE(summed); k++)
		json_object_set_new(load, summed[k], json_integer(0));
	for (size_t s = 0; s < n; s++) {
		json_t *l = json_object_get(in[s], "load");
		json_t *g = json_object_get(in[s], "generator");

		for (size_t k = 0; k < GW_ARRAY_SIZE(summed); k++) {
			json_t *d = json_object_get(load, summed[k]);
			json_t *v = json_object_get(l, summed[k]);

			json_object_set_new(
				load, summed[k],
				json_is_integer(v) && json_is_integer(d)
					? json_integer(json_integer_value(d) +
						       json_integer_value(v))
					: json_real(json_number_value(d) +
						    json_number_value(v)));
		}
		rss += int_at(g, "peak_rss_kb");
		if (!json_is_true(json_object_get(g, "valid"))) {
			size_t len = strlen(why);

			valid = 0;
			snprintf(why + len, sizeof(why) - len,
				 "%sshard %zu: %s", len ? "; " : "", s,
				 json_string_value(json_object_get(g, "why"))
					 ? json_string_value(
						   json_object_get(g, "why"))
					 : "");
		}
	}
	if (gen) {
		json_object_set_new(gen, "valid", json_boolean(valid));
		json_object_set_new(gen, "why", json_string(why));
		/* the shards' peaks added: the fleet's at most */
		json_object_set_new(gen, "peak_rss_kb", json_integer(rss));
	}
}

static int cmp_error_time(const void *a, const void *b)
{
	double x = num_at(*(json_t *const *)a, "timestamp");
	double y = num_at(*(json_t *const *)b, "timestamp");

	return (x > y) - (x < y);
}

/* errors: every shard's, tagged, the first 100 by time */
static void merge_errors(json_t *out, json_t *const *in, size_t n)
{
	json_t *all = json_array(), *e, *first = json_array();
	json_t **v;
	size_t k, count;

	for (size_t s = 0; s < n; s++)
		json_array_foreach(json_object_get(in[s], "errors"), k, e)
		{
			json_t *c = json_deep_copy(e);

			json_object_set_new(c, "shard",
					    json_integer((json_int_t)s));
			json_array_append_new(all, c);
		}
	count = json_array_size(all);
	v = gw_xcalloc(count ? count : 1, sizeof(*v));
	for (k = 0; k < count; k++)
		v[k] = json_array_get(all, k);
	qsort(v, count, sizeof(*v), cmp_error_time);
	for (k = 0; k < count && k < 100; k++)
		json_array_append(first, v[k]);
	free(v);
	json_decref(all);
	json_object_set_new(out, "errors", first);
}

/* What the merged metadata takes from all shards. */
struct scan {
	const char *name;
	double duration; /* the longest shard's */
	int passed, interrupted;
	json_t *worst_mem; /* the largest growth, borrowed */
	json_t *shards;	   /* the "merge.shards" list */
};

/*
 * Reports made with --shard I/N say so (metadata.shard); those must be N
 * reports of the shards 0..N-1, each once, or the merge would not be the
 * whole run.  Reports without it (older, or shards run by hand) merge as
 * they are.
 */
static int check_shard(json_t *const *in, size_t n, size_t s, char *err,
		       size_t errlen)
{
	json_t *sh =
		json_object_get(json_object_get(in[s], "metadata"), "shard");
	json_int_t idx = int_at(sh, "index"), cnt = int_at(sh, "count");

	if (!sh)
		return 0;
	if (cnt != (json_int_t)n)
		return fail(err, errlen,
			    "report %zu is shard %lld of %lld, but %zu "
			    "reports were given: every shard, once",
			    s, (long long)idx, (long long)cnt, n);
	for (size_t r = 0; r < s; r++)
		if (int_at(json_object_get(json_object_get(in[r], "metadata"),
					   "shard"),
			   "index") == idx)
			return fail(err, errlen,
				    "reports %zu and %zu are both shard %lld",
				    r, s, (long long)idx);
	return 0;
}

/* Check that every report is one of the same scenario, and collect the
 * metadata.  Returns 0, or -1 with the reason in err. */
static int scan_shards(json_t *const *in, size_t n, struct scan *sc, char *err,
		       size_t errlen)
{
	double worst = -1e300;

	for (size_t s = 0; s < n; s++) {
		json_t *m = json_object_get(in[s], "metadata");
		const char *t =
			json_string_value(json_object_get(m, "test_name"));
		json_t *mem = json_object_get(in[s], "memory");
		int ok = json_is_true(json_object_get(
			json_object_get(in[s], "verdict"), "passed"));

		if (int_at(in[s], "schema_version") != GW_REPORT_SCHEMA_VERSION)
			return fail(err, errlen,
				    "report %zu: schema_version "
				    "%lld, expected %d",
				    s,
				    (long long)int_at(in[s], "schema_version"),
				    GW_REPORT_SCHEMA_VERSION);
		if (!t || (sc->name && strcmp(t, sc->name)))
			return fail(err, errlen,
				    "report %zu is of scenario "
				    "'%s', not '%s'",
				    s, t ? t : "?", sc->name ? sc->name : "?");
		sc->name = t;
		if (num_at(m, "duration_seconds") > sc->duration)
			sc->duration = num_at(m, "duration_seconds");
		sc->passed &= ok;
		sc->interrupted |=
			json_is_true(json_object_get(m, "interrupted"));
		if (json_is_true(json_object_get(mem, "measured")) &&
		    num_at(mem, "growth_mb") > worst) {
			worst = num_at(mem, "growth_mb");
			sc->worst_mem = mem;
		}
		if (check_shard(in, n, s, err, errlen) < 0)
			return -1;
		json_array_append_new(
			sc->shards,
			json_pack("{s:i, s:O, s:O, s:b}", "shard", (int)s,
				  "timestamp", json_object_get(m, "timestamp"),
				  "target", json_object_get(m, "target"),
				  "passed", ok));
	}
	return 0;
}

/* Counters, gauges, error classes and the summary sums. */
static void merge_sums(json_t *out, json_t *const *in, size_t n)
{
	static const char *const summed[] = {
		"total_errors",
		"samples_produced",
		"samples_received",
		"samples_dropped",
	};
	json_t *ctr = json_object(), *gauges = json_object();
	json_t *classes = json_object();
	json_t *sum = json_object_get(out, "summary");

	for (size_t k = 0; k < GW_ARRAY_SIZE(summed); k++)
		json_object_set_new(sum, summed[k], json_integer(0));
	for (size_t s = 0; s < n; s++) {
		json_t *ss = json_object_get(in[s], "summary");

		add_numbers(ctr, json_object_get(in[s], "counters"));
		add_numbers(gauges, json_object_get(in[s], "gauges"));
		add_numbers(classes, json_object_get(ss, "errors_by_class"));
		for (size_t q = 0; q < GW_ARRAY_SIZE(summed); q++)
			json_object_set_new(
				sum, summed[q],
				json_integer(int_at(sum, summed[q]) +
					     int_at(ss, summed[q])));
	}
	json_object_set_new(sum, "operations_count",
			    json_integer((json_int_t)json_object_size(
				    json_object_get(out, "operations"))));
	json_object_set_new(sum, "errors_by_class", classes);
	json_object_set_new(out, "counters", ctr);
	json_object_set_new(out, "gauges", gauges);
}

/* ---- checks, made again on the merged data -------------------------- */

static int holds(const char *cmp, double v, double lim)
{
	if (!strcmp(cmp, "<"))
		return v < lim;
	if (!strcmp(cmp, "<="))
		return v <= lim;
	if (!strcmp(cmp, ">"))
		return v > lim;
	if (!strcmp(cmp, ">="))
		return v >= lim;
	return v == lim;
}

/* The shards' check of that name, or NULL. */
static json_t *check_named(json_t *report, const char *name)
{
	json_t *c;
	size_t k;

	json_array_foreach(
		json_object_get(json_object_get(report, "verdict"), "checks"),
		k, c) if (!strcmp(json_string_value(json_object_get(c, "name")),
				  name)) return c;
	return NULL;
}

/* The merged value of how on the merged report out; 0, or -1 when it
 * cannot be made there (then every shard must have held). */
static int remeasure(json_t *out, json_t *const *per, size_t n, int how,
		     json_t *mg, double *v, double *lim)
{
	const char *arg = json_string_value(json_object_get(mg, "arg"));
	json_t *op = json_object_get(json_object_get(out, "operations"),
				     arg ? arg : "");
	struct gw_hist h;
	double num = 0, den = 0;

	switch (how) {
	case GW_MERGE_QUANTILE:
		gw_hist_init(&h);
		if (!op ||
		    gw_hist_json_add(&h, json_object_get(op, "histogram")) ||
		    !h.n) {
			gw_hist_release(&h);
			return -1;
		}
		*v = (double)gw_hist_quantile(&h, num_at(mg, "q")) / 1e6;
		gw_hist_release(&h);
		return 0;
	case GW_MERGE_ERROR_RATE:
		if (!op || !int_at(op, "attempts"))
			return -1;
		*v = 100.0 * (double)int_at(op, "errors") /
		     (double)int_at(op, "attempts");
		return 0;
	case GW_MERGE_RATIO:
		for (size_t s = 0; s < n; s++) {
			const char *a = json_string_value(json_object_get(
				json_object_get(per[s], "merge"), "arg"));
			double x, y;

			if (!per[s])
				continue;
			if (!a || sscanf(a, "%lf/%lf", &x, &y) != 2)
				return -1;
			num += x;
			den += y;
		}
		if (den <= 0)
			return -1;
		*v = 100.0 * num / den;
		return 0;
	case GW_MERGE_SUM:
		*v = *lim = 0;
		for (size_t s = 0; s < n; s++)
			if (per[s]) {
				*v += num_at(per[s], "measured");
				*lim += num_at(per[s], "limit");
			}
		return 0;
	case GW_MERGE_MAX:
		*v = -1e300;
		for (size_t s = 0; s < n; s++)
			if (per[s] && num_at(per[s], "measured") > *v)
				*v = num_at(per[s], "measured");
		return 0;
	default:
		return -1;
	}
}

/*
 * One merged check from the shards' checks of that name (per[s], NULL
 * where a shard has none): made again on the merged data as its "merge"
 * says, else held on every shard that made it.
 */
static json_t *merge_check(json_t *out, json_t *const *per, size_t n,
			   gw_merge_rejudge_fn rj)
{
	json_t *c0 = NULL, *c, *mg, *shards = json_array();
	int how, all = 1, made = 0, skipped = 0;
	double v = 0, lim;

	for (size_t s = 0; s < n; s++) {
		const char *st;

		if (!per[s])
			continue;
		st = json_string_value(json_object_get(per[s], "status"));
		if (!c0 ||
		    (c0 &&
		     !strcmp(json_string_value(json_object_get(c0, "status")),
			     "skipped")))
			c0 = per[s];
		skipped += !strcmp(st, "skipped");
		made += strcmp(st, "skipped") != 0;
		all &= strcmp(st, "fail") != 0;
		json_array_append_new(
			shards, json_pack("{s:i, s:s, s:O?}", "shard", (int)s,
					  "status", st, "measured",
					  json_object_get(per[s], "measured")));
	}
	c = json_deep_copy(c0);
	json_object_set_new(c, "shards", shards);
	if (!made) /* skipped everywhere: the first reason */
		return c;
	mg = json_object_get(c, "merge");
	how = gw_check_merge_parse(
		json_string_value(json_object_get(mg, "how")));
	lim = num_at(c, "limit");
	if (how == GW_MERGE_THRESHOLD && rj &&
	    rj(out, json_string_value(json_object_get(mg, "arg")), c) == 0)
		return c;
	if (how <= GW_MERGE_ALL || how == GW_MERGE_THRESHOLD ||
	    remeasure(out, per, n, how, mg, &v, &lim) < 0) {
		json_object_set_new(c, "status",
				    json_string(all ? "pass" : "fail"));
		json_object_set_new(
			c, "note",
			json_sprintf("held on %s of the %d shards that made "
				     "it (judged per shard)",
				     all ? "each" : "not every", made));
		return c;
	}
	json_object_set_new(c, "measured", json_real(v));
	json_object_set_new(c, "limit", json_real(lim));
	all = holds(json_string_value(json_object_get(c, "comparison")), v,
		    lim);
	json_object_set_new(c, "status", json_string(all ? "pass" : "fail"));
	json_object_set_new(
		c, "note",
		json_sprintf("made again on the merged data (%s)%s",
			     gw_check_merge_name((enum gw_check_merge)how),
			     skipped ? "; some shards could not make it" : ""));
	return c;
}

/* The check of that name in list, or NULL. */
static json_t *in_list(json_t *list, const char *name)
{
	json_t *c;
	size_t k;

	json_array_foreach(
		list, k,
		c) if (!strcmp(json_string_value(json_object_get(c, "name")),
			       name)) return c;
	return NULL;
}

/* Every check of every shard, once, in the order they first appear. */
static json_t *merge_checks(json_t *out, json_t *const *in, size_t n,
			    gw_merge_rejudge_fn rj, int *passed)
{
	json_t *checks = json_array(), **per = gw_xcalloc(n, sizeof(*per));

	*passed = 1;
	for (size_t s = 0; s < n; s++) {
		json_t *c;
		size_t k;

		json_array_foreach(
			json_object_get(json_object_get(in[s], "verdict"),
					"checks"),
			k, c)
		{
			const char *name =
				json_string_value(json_object_get(c, "name"));
			json_t *m;

			if (!name || in_list(checks, name))
				continue; /* an earlier shard had it */
			for (size_t r = 0; r < n; r++)
				per[r] = r < s ? NULL
					       : check_named(in[r], name);
			m = merge_check(out, per, n, rj);
			*passed &= strcmp(json_string_value(
						  json_object_get(m, "status")),
					  "fail") != 0;
			json_array_append_new(checks, m);
		}
	}
	free(per);
	return checks;
}

json_t *gw_merge_json(json_t *const *in, size_t n, gw_merge_rejudge_fn rj,
		      char *err, size_t errlen)
{
	struct scan sc = { .passed = 1, .shards = json_array() };
	json_t *out = NULL, *meta, *checks, *gen;
	int passed;

	if (!n) {
		fail(err, errlen, "nothing to merge");
		goto fail;
	}
	if (scan_shards(in, n, &sc, err, errlen) < 0)
		goto fail;
	out = json_deep_copy(in[0]);
	if (merge_operations(out, in, n, err, errlen) < 0)
		goto fail;
	if (json_object_get(out, "series")) {
		if (merge_series(out, in, n, err, errlen) < 0)
			goto fail;
		merge_load(out, in, n);
	}
	merge_sums(out, in, n);
	if (sc.worst_mem)
		json_object_set(out, "memory", sc.worst_mem);
	merge_errors(out, in, n);
	checks = merge_checks(out, in, n, rj, &passed);
	/* a load run's generator that was the bottleneck on any shard
	 * makes the whole run say nothing of the gateway */
	gen = json_object_get(out, "generator");
	if (gen && !json_is_true(json_object_get(gen, "valid")))
		passed = 0;
	meta = json_object_get(out, "metadata");
	json_object_set_new(meta, "duration_seconds", json_real(sc.duration));
	json_object_set_new(meta, "interrupted", json_boolean(sc.interrupted));
	json_object_set_new(meta, "passed", json_boolean(passed));
	json_object_del(meta, "shard");
	json_object_set_new(json_object_get(out, "summary"), "passed",
			    json_boolean(passed));
	json_object_set_new(out, "verdict",
			    json_pack("{s:b, s:s, s:o}", "passed", passed,
				      "skip_reason", "", "checks", checks));
	json_object_set_new(
		out, "merge",
		json_pack(
			"{s:i, s:o, s:s}", "shards_count", (int)n, "shards",
			sc.shards, "rules",
			"histograms, attempts, errors, counters and throughput summed "
			"exactly; every check made again on the merged data where "
			"its 'merge' says how (a quantile of the merged histogram, "
			"an error rate or a ratio of the sums, a sum, the largest, "
			"a workload threshold re-judged window by window), else "
			"held on every shard; gauges summed; memory of the shard "
			"with the largest growth; duration of the longest shard"));
	return out;

fail:
	json_decref(out);
	json_decref(sc.shards);
	return NULL;
}

int gw_merge_files(const char *out, char *const in[], size_t n,
		   gw_merge_rejudge_fn rj, int *passed)
{
	json_t **r = gw_xcalloc(n ? n : 1, sizeof(*r));
	json_t *m = NULL;
	char err[256];
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		json_error_t je;
		const char *t, *t0;

		r[i] = json_load_file(in[i], 0, &je);
		if (!r[i]) {
			gw_error("%s:%d: %s", in[i], je.line, je.text);
			goto out;
		}
		/* the same checks as gw_merge_json, named by file */
		t = json_string_value(json_object_get(
			json_object_get(r[i], "metadata"), "test_name"));
		t0 = json_string_value(json_object_get(
			json_object_get(r[0], "metadata"), "test_name"));
		if (int_at(r[i], "schema_version") !=
			    GW_REPORT_SCHEMA_VERSION ||
		    !t) {
			gw_error("%s: not a gwstress report (schema_version "
				 "%d)",
				 in[i], GW_REPORT_SCHEMA_VERSION);
			goto out;
		}
		if (strcmp(t, t0)) {
			gw_error("%s: scenario '%s', but %s is '%s': merge "
				 "shards of one scenario",
				 in[i], t, in[0], t0);
			goto out;
		}
	}
	m = gw_merge_json(r, n, rj, err, sizeof(err));
	if (!m) {
		gw_error("--merge: %s", err);
		goto out;
	}
	rc = gw_atomic_write_json(out, m);
	*passed = json_is_true(
		json_object_get(json_object_get(m, "verdict"), "passed"));
out:
	json_decref(m);
	for (size_t i = 0; i < n; i++)
		json_decref(r[i]);
	free(r);
	return rc;
}
