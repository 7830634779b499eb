/*
 * gw_load_report: a workload run's JSON report and console summary.
 *
 * The JSON shares the catalogue report's schema (schema_version,
 * metadata, summary, operations, counters, gauges, memory, errors,
 * verdict, config) so the HTML page, the JUnit file and the merge read it
 * as they read any report, and adds:
 *
 *   metadata.kind "load", metadata.workload_file, metadata.aborted
 *   load       the model, stages, flows and their steps as parsed, and the
 *              run's totals: offered, started, completed, failed, cut,
 *              dropped and late starts, offered and achieved rates
 *   generator  whether gwstress itself was the bottleneck, and why
 *   series     one object per window: its wall-clock start, the run's
 *              counts in it (offered, started, completed, errors,
 *              attempts, dropped, late), what was in flight and open at
 *              its end, gwstress's CPU, and per operation its count,
 *              p50, p99 and histogram (the whole-run format, so windows
 *              of several shards add up exactly)
 *   verdict.checks[] one per threshold expression, per-window ones with
 *              how many windows met the condition
 *
 * The CSV (gw_load_report_csv) is the same series, one row per window and
 * operation, from the same windows and counters, plus each operation's
 * errors per window (the JSON series has the window's only).
 */
#include "gw_load_int.h"
#include "gw_atomic.h"
#include "gw_config.h"
#include "gw_csv.h"
#include "gw_hist_json.h"
#include "gw_report.h"
#include "gw_util.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const step_words[] = {
	[GW_STEP_SUBMIT] = "submit",	 [GW_STEP_COLLECT] = "collect",
	[GW_STEP_REST] = "rest",	 [GW_STEP_UPLOAD] = "upload",
	[GW_STEP_DOWNLOAD] = "download", [GW_STEP_CANCEL] = "cancel",
	[GW_STEP_THINK] = "think",
};

static json_t *flows_json(const struct gw_workload *wl)
{
	json_t *flows = json_array();

	for (int f = 0; f < wl->nflows; f++) {
		const struct gw_flow *fl = &wl->flow[f];
		json_t *steps = json_array();

		for (int k = 0; k < fl->nsteps; k++)
			json_array_append_new(
				steps,
				json_pack("{s:s, s:s}", "kind",
					  step_words[fl->step[k].kind],
					  "operation", fl->step[k].op_name));
		json_array_append_new(
			flows, json_pack("{s:s, s:f, s:o}", "name", fl->name,
					 "weight", fl->weight, "steps", steps));
	}
	return flows;
}

static json_t *load_json(const struct gw_load *L,
			 const struct gw_load_result *r)
{
	const struct gw_workload *wl = L->wl;
	const struct gw_load_win *end = &L->win[L->nwin - 1];
	json_t *stages = json_array();
	double secs =
		(double)(L->t_stop ? L->t_stop - L->t0 : L->t_end - L->t0) /
		1e9;

	for (int i = 0; i < wl->shape.n; i++)
		json_array_append_new(
			stages, json_pack("{s:f, s:f}", "duration_s",
					  (double)wl->shape.st[i].dur_ns / 1e9,
					  "target", wl->shape.st[i].target));
	json_t *o;

	o = json_pack("{s:s, s:s, s:f, s:o, s:o, s:f, s:f, s:f, s:I, s:I, s:I,"
		      " s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:i}",
		      "model", gw_workload_model_name(wl->model), "arrival",
		      wl->poisson ? "poisson" : "constant", "start",
		      wl->shape.start, "stages", stages, "flows",
		      flows_json(wl), "window_s", (double)wl->window_ns / 1e9,
		      "graceful_stop_s", (double)wl->graceful_ns / 1e9,
		      "start_spin_s", (double)wl->spin_ns / 1e9, "offered",
		      (json_int_t)end->offered, "started",
		      (json_int_t)end->started, "completed",
		      (json_int_t)end->completed, "failed",
		      (json_int_t)end->failed, "cut", (json_int_t)end->cut,
		      "dropped_starts", (json_int_t)end->dropped, "late_starts",
		      (json_int_t)end->late, "offered_rate",
		      secs > 0 ? (double)end->offered / secs : 0.0,
		      "achieved_rate", r->achieved_rate, "judged_seconds",
		      r->seconds, "pool", L->eng->nworkers);
	/* tasks failed and cut flows left running, and their cancels */
	json_object_set_new(o, "orphan_tasks",
			    json_integer((json_int_t)L->orph_left));
	json_object_set_new(o, "orphans_cancelled",
			    json_integer((json_int_t)L->orph_cancelled));
	json_object_set_new(o, "orphans_already_ended",
			    json_integer((json_int_t)L->orph_gone));
	json_object_set_new(o, "orphans_cancel_failed",
			    json_integer((json_int_t)L->orph_failed));
	return o;
}

static json_t *generator_json(const struct gw_load_result *r)
{
	return json_pack("{s:b, s:s, s:f, s:f, s:f, s:b, s:I}", "valid",
			 !r->invalid, "why", r->gen, "cpu_percent_peak",
			 r->cpu_percent, "cpu_seconds", r->cpu_seconds,
			 "schedule_lag_p99_ms", r->lag_p99_ms, "saturated",
			 r->saturated, "peak_rss_kb",
			 (json_int_t)r->peak_rss_kb);
}

/* One operation in one window: count, p50, p99 and the histogram. */
static json_t *cell_json(const struct gw_series_cell *c, struct gw_hist *h)
{
	json_t *o;

	gw_hist_reset(h);
	gw_series_cell_add(h, c);
	o = json_pack("{s:I, s:f, s:f}", "count", (json_int_t)c->n, "p50",
		      (double)gw_hist_quantile(h, 0.50) / 1e6, "p99",
		      (double)gw_hist_quantile(h, 0.99) / 1e6);
	json_object_set_new(o, "histogram", gw_hist_json_buckets(h));
	return o;
}

/* Seconds from the run's start to window w's start (0 for the first,
 * partial window). */
static double start_s(const struct gw_load *L, int w)
{
	int64_t t = L->series.mono0 + (int64_t)w * L->series.win_ns - L->t0;

	return t > 0 ? (double)t / 1e9 : 0;
}

static json_t *series_json(const struct gw_load *L)
{
	const struct gw_series *s = &L->series;
	int n = gw_series_closed(s);
	json_t *wins = json_array();
	struct gw_hist h;

	gw_hist_init(&h);
	for (int w = 0; w < n && w + 1 < L->nwin; w++) {
		const struct gw_load_win *a = &L->win[w], *b = &L->win[w + 1];
		json_t *ops = json_object();

		for (int op = 0; op < s->nops; op++) {
			const struct gw_series_cell *c =
				gw_series_cell(s, w, op);

			if (c->n)
				json_object_set_new(ops, L->m->op[op].name,
						    cell_json(c, &h));
		}
		json_array_append_new(
			wins,
			json_pack(
				"{s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
				"s:I, s:I, s:I, s:f, s:o}",
				"wall_ms",
				(json_int_t)(s->wall0_ms +
					     (int64_t)w * s->win_ns /
						     GW_NS_PER_MS),
				"t_s", start_s(L, w), "offered",
				(json_int_t)(b->offered - a->offered),
				"started",
				(json_int_t)(b->started - a->started),
				"completed",
				(json_int_t)(b->completed - a->completed),
				"failed", (json_int_t)(b->failed - a->failed),
				"errors",
				(json_int_t)((b->errors - a->errors) -
					     (b->aborted - a->aborted)),
				"attempts",
				(json_int_t)(b->attempts - a->attempts),
				"dropped_starts",
				(json_int_t)(b->dropped - a->dropped),
				"late_starts", (json_int_t)(b->late - a->late),
				"in_flight", (json_int_t)b->in_flight,
				"open_streams", (json_int_t)b->open_streams,
				"users", (json_int_t)b->users, "cpu_percent",
				b->cpu, "ops", ops));
	}
	gw_hist_release(&h);
	return json_pack("{s:f, s:I, s:i, s:I, s:o}", "window_s",
			 (double)s->win_ns / 1e9, "wall0_ms",
			 (json_int_t)s->wall0_ms, "first_judged",
			 L->first_judged, "late_samples",
			 (json_int_t)atomic_load(&s->late), "windows", wins);
}

json_t *gw_load_report_json(struct gw_load *L, const struct gw_load_result *r,
			    const struct gw_report_ctx *rc)
{
	int passed = r->outcome == GW_PASSED;
	json_t *root = json_object(), *meta, *sources;

	meta = json_pack("{s:s, s:s, s:f, s:s, s:s, s:s, s:b, s:s, s:s, s:s, "
			 "s:b, s:b, s:b}",
			 "test_name", L->m->test_name, "timestamp",
			 L->m->timestamp, "duration_seconds",
			 gw_metrics_duration(L->m), "kind", "load", "tool",
			 rc->tool, "target", rc->target, "bundled_gateway",
			 rc->bundled, "markers", "load", "profile",
			 L->cfg->profile.name, "workload_file", L->wl->file,
			 "interrupted", L->interrupted, "aborted", L->aborted,
			 "passed", passed);
	json_object_set_new(root, "schema_version",
			    json_integer(GW_REPORT_SCHEMA_VERSION));
	if (L->wl->nshards > 1)
		json_object_set_new(meta, "shard",
				    json_pack("{s:i, s:i}", "index",
					      L->wl->shard, "count",
					      L->wl->nshards));
	json_object_set_new(root, "metadata", meta);
	gw_report_add_metrics(root, L->m, passed);
	json_object_set_new(root, "load", load_json(L, r));
	json_object_set_new(root, "generator", generator_json(r));
	json_object_set_new(root, "series", series_json(L));
	json_object_set_new(root, "verdict",
			    gw_report_verdict(&L->checks, passed, ""));
	json_object_set_new(root, "config", gw_report_config(L->cfg, &sources));
	json_object_set_new(root, "config_sources", sources);
	return root;
}

/* ---- CSV ----------------------------------------------------------------- */

static const char *const csv_head[] = {
	"window_start",	  "t_s",	 "flow",      "operation",
	"count",	  "errors",	 "p50_ms",    "p90_ms",
	"p99_ms",	  "offered",	 "started",   "completed",
	"dropped_starts", "late_starts", "in_flight", "open_streams",
};

/* The flow index of each operation, -1 for the pooled ones. */
static void flow_of_ops(const struct gw_load *L, int *flow)
{
	for (int op = 0; op < GW_MAX_OPS; op++)
		flow[op] = -1;
	for (int f = 0; f < L->wl->nflows; f++) {
		flow[L->op_flow[f]] = flow[L->op_flow_int[f]] = f;
		for (int k = 0; k < L->wl->flow[f].nsteps; k++) {
			if (L->op_step[f][k] >= 0)
				flow[L->op_step[f][k]] = f;
			if (L->op_step_int[f][k] >= 0)
				flow[L->op_step_int[f][k]] = f;
		}
	}
}

/* "2024-05-01T12:00:01.500Z" for epoch milliseconds ms. */
static void iso_utc(int64_t ms, char *out, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%03dZ", base, (int)(ms % 1000));
}

/* The window columns of window w (deltas a -> b, b's gauges). */
static void csv_window(struct gw_csv *c, const struct gw_load_win *a,
		       const struct gw_load_win *b)
{
	gw_csv_fmt(c, "%llu", (unsigned long long)(b->offered - a->offered));
	gw_csv_fmt(c, "%llu", (unsigned long long)(b->started - a->started));
	gw_csv_fmt(c, "%llu",
		   (unsigned long long)(b->completed - a->completed));
	gw_csv_fmt(c, "%llu", (unsigned long long)(b->dropped - a->dropped));
	gw_csv_fmt(c, "%llu", (unsigned long long)(b->late - a->late));
	gw_csv_fmt(c, "%lld", (long long)b->in_flight);
	gw_csv_fmt(c, "%lld", (long long)b->open_streams);
}

int gw_load_report_csv(const struct gw_load *L, const char *path)
{
	const struct gw_series *s = &L->series;
	int n = gw_series_closed(s), flow[GW_MAX_OPS];
	struct gw_atomic_file af;
	struct gw_csv c;
	struct gw_hist h;

	if (gw_atomic_open(&af, path) < 0)
		return -1;
	flow_of_ops(L, flow);
	gw_csv_init(&c, af.f);
	for (size_t k = 0; k < GW_ARRAY_SIZE(csv_head); k++)
		gw_csv_str(&c, csv_head[k]);
	gw_csv_end(&c);
	gw_hist_init(&h);
	for (int w = 0; w < n && w + 1 < L->nwin; w++) {
		const struct gw_load_win *a = &L->win[w], *b = &L->win[w + 1];
		const uint64_t *ea = &L->win_err[(size_t)w * GW_MAX_OPS];
		const uint64_t *eb = &L->win_err[(size_t)(w + 1) * GW_MAX_OPS];
		char when[40], t_s[32];
		int rows = 0;

		iso_utc(s->wall0_ms + (int64_t)w * s->win_ns / GW_NS_PER_MS,
			when, sizeof(when));
		snprintf(t_s, sizeof(t_s), "%.3f", start_s(L, w));
		for (int op = 0; op <= s->nops; op++) {
			const struct gw_series_cell *cell =
				op < s->nops ? gw_series_cell(s, w, op) : NULL;
			uint64_t err = op < s->nops ? eb[op] - ea[op] : 0;

			if (op < s->nops && !cell->n && !err)
				continue;
			if (op == s->nops && rows)
				break; /* the empty row only for a bare window
					*/
			gw_csv_str(&c, when);
			gw_csv_str(&c, t_s);
			gw_csv_str(&c, op < s->nops && flow[op] >= 0
					       ? L->wl->flow[flow[op]].name
					       : "");
			gw_csv_str(&c, op < s->nops ? L->m->op[op].name : "");
			gw_csv_fmt(&c, "%llu",
				   (unsigned long long)(cell ? cell->n : 0));
			gw_csv_fmt(&c, "%llu", (unsigned long long)err);
			gw_hist_reset(&h);
			if (cell && cell->n && !gw_series_cell_add(&h, cell)) {
				gw_csv_fmt(&c, "%.3f",
					   (double)gw_hist_quantile(&h, 0.50) /
						   1e6);
				gw_csv_fmt(&c, "%.3f",
					   (double)gw_hist_quantile(&h, 0.90) /
						   1e6);
				gw_csv_fmt(&c, "%.3f",
					   (double)gw_hist_quantile(&h, 0.99) /
						   1e6);
			} else {
				gw_csv_str(&c, "");
				gw_csv_str(&c, "");
				gw_csv_str(&c, "");
			}
			csv_window(&c, a, b);
			gw_csv_end(&c);
			rows++;
		}
	}
	gw_hist_release(&h);
	return gw_atomic_commit(&af, !ferror(af.f));
}

void gw_load_report_console(FILE *f, const struct gw_load *L,
			    const struct gw_load_result *r)
{
	const struct gw_load_win *end = &L->win[L->nwin - 1];

	gw_report_console_head(f, L->m);
	fprintf(f, "\nLOAD (%s model)\n", gw_workload_model_name(L->wl->model));
	fprintf(f,
		"  offered %llu, started %llu, completed %llu, failed %llu, "
		"cut %llu\n",
		(unsigned long long)end->offered,
		(unsigned long long)end->started,
		(unsigned long long)end->completed,
		(unsigned long long)end->failed, (unsigned long long)end->cut);
	fprintf(f,
		"  dropped starts %llu, late starts %llu, achieved %.2f "
		"flows/s\n",
		(unsigned long long)end->dropped, (unsigned long long)end->late,
		r->achieved_rate);
	if (L->orph_left)
		fprintf(f,
			"  tasks left running by failed or cut flows %llu: cancelled "
			"%llu, already ended %llu, cancel failed %llu\n",
			(unsigned long long)L->orph_left,
			(unsigned long long)L->orph_cancelled,
			(unsigned long long)L->orph_gone,
			(unsigned long long)L->orph_failed);
	fprintf(f,
		"  generator: %s (CPU peak %.0f%%, p99 schedule lag %.2f "
		"ms, peak RSS %.1f MiB)\n",
		r->invalid ? r->gen : "valid", r->cpu_percent, r->lag_p99_ms,
		(double)r->peak_rss_kb / 1024);
	fprintf(f, "\nVERDICT: %s%s\n", gw_check_outcome_word(r->outcome),
		r->aborted ? " (aborted)" : "");
	for (int i = 0; i < L->checks.n; i++) {
		const struct gw_check *c = &L->checks.c[i];

		fprintf(f, "  [%s] %s: %.6g%s%s%s\n",
			gw_check_status_tag(c->status), c->name, c->measured,
			c->unit, c->note[0] ? " -- " : "", c->note);
	}
	if (r->aborted)
		fprintf(f, "  %s\n", L->abort_why);
}
