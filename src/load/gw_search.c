/*
 * gw_search: capacity search over workload probes (design in
 * gw_search.h).
 *
 * A probe is the user's workload with its load replaced: a copy of the
 * struct with the model and stages of the probe's value, run through
 * gw_load like any workload, with the warm-up (and a streams probe's
 * ramp) left out of judging.  The user's flows, thresholds and [target]
 * settings are untouched, so a probe's report reads like a load report.
 */
#include "gw_search.h"
#include "gw_atomic.h"
#include "gw_config.h"
#include "gw_engine.h"
#include "gw_report.h"
#include "gw_util.h"
#include "gw_workload.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GW_VERSION
#define GW_VERSION "0.1.0"
#endif

/* Completed flows the thresholds' highest percentile needs (0: none). */
static double samples_needed(const struct gw_workload *wl)
{
	double n = 0;

	for (int i = 0; i < wl->nthresh; i++) {
		const struct gw_thresh *t = &wl->thresh[i];

		if (t->stat == GW_TS_QUANTILE &&
		    gw_thresh_samples_needed(t->q) > n)
			n = gw_thresh_samples_needed(t->q);
	}
	return n;
}

/* The measured span of a probe at x: long enough for the samples the
 * thresholds need (with 20 % to spare), within [measure, max_measure]. */
static int64_t measure_for(const struct gw_workload *wl, double x)
{
	const struct gw_search_cfg *sc = &wl->search;
	double per_s = sc->axis == GW_AXIS_RATE ? x : wl->probe_rate;
	double need = per_s > 0 ? 1.2 * samples_needed(wl) / per_s : 0;
	int64_t m = (int64_t)(need * 1e9);

	if (m < sc->measure_ns)
		m = sc->measure_ns;
	if (m > sc->max_measure_ns)
		m = sc->max_measure_ns;
	return m;
}

const char *gw_search_end_name(enum gw_search_end e)
{
	static const char *const names[] = {
		[GW_SEARCH_FOUND] = "found",
		[GW_SEARCH_AT_TOP] = "at the top of the bracket",
		[GW_SEARCH_NONE] = "thresholds fail at the lowest probe",
		[GW_SEARCH_INVALID] = "stopped: a probe was generator-bound",
		[GW_SEARCH_BUDGET] = "stopped: max_probes reached",
		[GW_SEARCH_INTERRUPTED] = "interrupted",
	};

	return names[e];
}

int gw_search_pool(const struct gw_workload *wl)
{
	const struct gw_search_cfg *sc = &wl->search;
	double n;

	if (sc->axis == GW_AXIS_STREAMS)
		n = ceil(sc->hi) + ceil(wl->probe_rate * 30) + 1;
	else if (wl->max_in_flight)
		n = (double)wl->max_in_flight;
	else
		n = ceil(2 * (sc->hi > 50 ? sc->hi : 50));
	return n > 10000 ? 10000 : n < 1 ? 1 : (int)n;
}

/* Everything one probe needs besides its value. */
struct ctx {
	struct gw_search *s;
	const struct gw_config *cfg;
	struct gw_engine *eng;
	const struct gw_target *tgt;
	const struct gw_load_opts *o;
	const struct gw_report_ctx *rc;
	const char *dir;
};

/* The user's workload at value x, measuring for m ns.  Caller frees. */
static struct gw_workload *probe_workload(const struct gw_workload *wl,
					  double x, int64_t m, int64_t *skip)
{
	struct gw_workload *pw = gw_xmalloc(sizeof(*pw));
	const struct gw_search_cfg *sc = &wl->search;

	*pw = *wl;
	memset(&pw->shape, 0, sizeof(pw->shape));
	if (sc->axis == GW_AXIS_RATE) {
		pw->model = GW_MODEL_OPEN;
		pw->shape.start = x;
		gw_shape_add(&pw->shape, sc->warmup_ns + m, x);
		*skip = sc->warmup_ns;
	} else {
		int64_t ramp = (int64_t)(x / sc->ramp_rate * 1e9) + 1;

		pw->model = GW_MODEL_HOLD;
		gw_shape_add(&pw->shape, ramp, x);
		gw_shape_add(&pw->shape, sc->warmup_ns + m, x);
		*skip = ramp + sc->warmup_ns;
	}
	if (pw->graceful_ns > 5 * GW_NS_PER_S)
		pw->graceful_ns = 5 * GW_NS_PER_S;
	return pw;
}

static void write_probe(struct ctx *c, struct gw_load *L,
			const struct gw_probe *p, int k)
{
	char path[1100];
	json_t *j;

	if (!c->dir)
		return;
	snprintf(path, sizeof(path), "%s/probe_%02d.json", c->dir, k);
	j = gw_load_report_json(L, &p->r, c->rc);
	json_object_set_new(json_object_get(j, "metadata"), "probe_value",
			    json_real(p->value));
	gw_atomic_write_json(path, j);
	json_decref(j);
}

/* One run at x into p (the search's next probe): gw_search_probe_fn. */
static void run_probe(void *ud, double x, int rerun, struct gw_probe *p)
{
	struct ctx *c = ud;
	struct gw_search *s = c->s;
	int64_t m = measure_for(s->wl, x) * (rerun ? 2 : 1), skip;
	struct gw_workload *pw = probe_workload(s->wl, x, m, &skip);
	struct gw_load_opts o = *c->o;
	struct gw_load *L;

	snprintf(pw->name, sizeof(pw->name), "%.40s-probe-%02d", s->wl->name,
		 s->nprobes + 1);
	o.skip_ns = skip;
	o.sat_abort = 1;
	L = gw_load_create(pw, c->cfg, c->eng, c->tgt);
	if (!L) {
		p->r.outcome = GW_FAILED;
		free(pw);
		return;
	}
	gw_load_run(L, &o, &p->r);
	p->seconds = p->r.seconds;
	p->passed = p->r.outcome == GW_PASSED && !p->r.invalid;
	write_probe(c, L, p, s->nprobes + 1);
	gw_load_free(L);
	free(pw);
	if (!c->o->quiet)
		printf("  probe %2d: %8.2f %-8s %s%s  ttfe p50 %.1f ms p99 %.1f "
		       "ms, gap p99 %.1f ms, errors %.2f%%, achieved %.2f/s%s%s"
		       "\n",
		       s->nprobes, x,
		       s->wl->search.axis == GW_AXIS_RATE ? "flows/s"
							  : "streams",
		       p->r.invalid ? "INVALID"
		       : p->passed  ? "pass"
				    : "FAIL",
		       rerun ? " (re-run)" : "", p->r.ttfe_p50_ms,
		       p->r.ttfe_p99_ms, p->r.gap_p99_ms, 100 * p->r.error_rate,
		       p->r.achieved_rate,
		       p->r.broke.name[0] ? "; broke: " : "", p->r.broke.name);
	fflush(stdout);
	if (!gw_stopping() && s->wl->search.cooldown_ns)
		gw_sleep_ns(s->wl->search.cooldown_ns);
}

/* The next probe, run by the search's probe function. */
static const struct gw_probe *probe(struct gw_search *s, double x, int rerun)
{
	struct gw_probe *p = &s->probe[s->nprobes];

	memset(p, 0, sizeof(*p));
	p->value = x;
	p->rerun = rerun;
	s->fn(s->ud, x, rerun, p);
	s->nprobes++;
	return p;
}

/*
 * The verdict at x: a probe, and one longer re-run when it straddles its
 * limit.  Returns 1 pass, 0 fail, -1 invalid or interrupted (s->end set)
 * or out of probes.
 */
static int judge_value(struct gw_search *s, double x)
{
	const struct gw_probe *p;

	if (s->nprobes >= s->wl->search.max_probes)
		return -1;
	p = probe(s, x, 0);
	if (p->r.straddled && !p->r.invalid && !gw_stopping() &&
	    s->nprobes < s->wl->search.max_probes)
		p = probe(s, x, 1);
	if (gw_stopping()) {
		s->end = GW_SEARCH_INTERRUPTED;
		return -1;
	}
	if (p->r.invalid) {
		s->end = GW_SEARCH_INVALID;
		snprintf(s->why, sizeof(s->why), "%.0f: %s", x, p->r.gen);
		return -1;
	}
	return p->passed;
}

/* The next value to try inside the bracket. */
static double midpoint(const struct gw_search *s)
{
	double mid = (s->pass + s->fail) / 2;

	return s->wl->search.axis == GW_AXIS_STREAMS ? floor(mid) : mid;
}

static int narrow_enough(const struct gw_search *s)
{
	if (s->wl->search.axis == GW_AXIS_STREAMS && s->fail - s->pass <= 1)
		return 1;
	return (s->fail - s->pass) / s->fail <= s->wl->search.precision;
}

/* No pass above a fail, over the deciding probe of each value. */
int gw_search_monotonic(const struct gw_search *s)
{
	for (int i = 0; i < s->nprobes; i++)
		for (int k = 0; k < s->nprobes; k++) {
			const struct gw_probe *a = &s->probe[i];
			const struct gw_probe *b = &s->probe[k];

			/* a re-run decides its value: skip what it replaced */
			if ((i + 1 < s->nprobes && s->probe[i + 1].rerun) ||
			    (k + 1 < s->nprobes && s->probe[k + 1].rerun))
				continue;
			if (a->passed && !b->passed && !b->r.invalid &&
			    a->value > b->value)
				return 0;
		}
	return 1;
}

void gw_search_drive(struct gw_search *s, const struct gw_workload *wl,
		     gw_search_probe_fn fn, void *ud)
{
	const struct gw_search_cfg *sc = &wl->search;
	double x = sc->axis == GW_AXIS_STREAMS ? ceil(sc->lo) : sc->lo;
	int v = 0;

	memset(s, 0, sizeof(*s));
	s->wl = wl;
	s->fn = fn;
	s->ud = ud;
	s->end = GW_SEARCH_FOUND;
	/* bracket: double until a probe fails or the top passes */
	for (;;) {
		v = judge_value(s, x);
		if (v < 0)
			break;
		if (!v) {
			s->fail = x;
			break;
		}
		s->pass = x;
		s->have_pass = 1;
		if (x >= sc->hi) {
			s->end = GW_SEARCH_AT_TOP;
			break;
		}
		x = 2 * x > sc->hi ? sc->hi : 2 * x;
	}
	if (v >= 0 && !s->have_pass)
		s->end = GW_SEARCH_NONE;
	/* bisect [pass, fail] */
	while (v >= 0 && s->end == GW_SEARCH_FOUND && !narrow_enough(s)) {
		x = midpoint(s);
		v = judge_value(s, x);
		if (v > 0)
			s->pass = x;
		else if (v == 0)
			s->fail = x;
	}
	if (v < 0 && s->end == GW_SEARCH_FOUND)
		s->end = GW_SEARCH_BUDGET;
	s->monotonic = gw_search_monotonic(s);
}

void gw_search_run(struct gw_search *s, const struct gw_workload *wl,
		   const struct gw_config *cfg, struct gw_engine *e,
		   const struct gw_target *t, const struct gw_load_opts *o,
		   const struct gw_report_ctx *rc, const char *probe_dir)
{
	struct ctx c = { s, cfg, e, t, o, rc, probe_dir };

	gw_search_drive(s, wl, run_probe, &c);
}

/* ---- output -------------------------------------------------------------- */

static json_t *probe_json(const struct gw_probe *p)
{
	const struct gw_load_result *r = &p->r;

	return json_pack(
		"{s:f, s:b, s:b, s:b, s:b, s:b, s:f, s:I, s:I, s:I, "
		"s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:s, s:f, s:f, "
		"s:s, s:s}",
		"value", p->value, "passed", p->passed, "rerun", p->rerun,
		"invalid", r->invalid, "saturated", r->saturated || r->aborted,
		"straddled", r->straddled, "seconds", p->seconds, "started",
		(json_int_t)r->started, "completed", (json_int_t)r->completed,
		"dropped_starts", (json_int_t)r->dropped, "achieved_rate",
		r->achieved_rate, "ttfe_p50_ms", r->ttfe_p50_ms, "ttfe_p99_ms",
		r->ttfe_p99_ms, "gap_p99_ms", r->gap_p99_ms,
		"error_rate_percent", 100 * r->error_rate,
		"schedule_lag_p99_ms", r->lag_p99_ms, "cpu_percent_peak",
		r->cpu_percent, "broke", r->broke.name, "broke_measured",
		r->broke.measured, "broke_limit", r->broke.limit, "broke_unit",
		r->broke.unit, "why", r->why);
}

/* The probe that decided x (its re-run when there was one). */
static const struct gw_probe *decider(const struct gw_search *s, double x)
{
	const struct gw_probe *d = NULL;

	for (int i = 0; i < s->nprobes; i++)
		if (s->probe[i].value == x)
			d = &s->probe[i];
	return d;
}

json_t *gw_search_json(const struct gw_search *s, const struct gw_config *cfg,
		       const struct gw_report_ctx *rc)
{
	const struct gw_search_cfg *sc = &s->wl->search;
	const struct gw_probe *f = s->fail > 0 ? decider(s, s->fail) : NULL;
	json_t *probes = json_array(), *root, *sources, *res;

	for (int i = 0; i < s->nprobes; i++)
		json_array_append_new(probes, probe_json(&s->probe[i]));
	res = json_pack("{s:s, s:s, s:b, s:f, s:b, s:f, s:f, s:f, s:b, s:i, "
			"s:o}",
			"axis", sc->axis == GW_AXIS_RATE ? "rate" : "streams",
			"end", gw_search_end_name(s->end), "found",
			s->have_pass, "capacity", s->have_pass ? s->pass : 0.0,
			"failed_somewhere", s->fail > 0, "first_failing",
			s->fail, "lo", sc->lo, "hi", sc->hi, "monotonic",
			s->monotonic, "probes_run", s->nprobes, "probes",
			probes);
	if (f)
		json_object_set_new(res, "broke",
				    json_pack("{s:s, s:f, s:f, s:s}",
					      "threshold", f->r.broke.name,
					      "measured", f->r.broke.measured,
					      "limit", f->r.broke.limit, "unit",
					      f->r.broke.unit));
	json_object_set_new(res, "why", json_string(s->why));
	root = json_pack("{s:i, s:{s:s, s:s, s:s, s:s, s:s, s:b, s:b}}",
			 "schema_version", GW_REPORT_SCHEMA_VERSION, "metadata",
			 "test_name", s->wl->name, "kind", "search", "tool",
			 rc->tool, "target", rc->target, "workload_file",
			 s->wl->file, "bundled_gateway", rc->bundled,
			 "interrupted", s->end == GW_SEARCH_INTERRUPTED);
	json_object_set_new(root, "search", res);
	json_object_set_new(root, "config", gw_report_config(cfg, &sources));
	json_object_set_new(root, "config_sources", sources);
	return root;
}

void gw_search_console(FILE *f, const struct gw_search *s)
{
	const struct gw_search_cfg *sc = &s->wl->search;
	const char *unit = sc->axis == GW_AXIS_RATE ? "flows/s" : "streams";
	const struct gw_probe *p = s->fail > 0 ? decider(s, s->fail) : NULL;

	fprintf(f, "\nCAPACITY SEARCH (%s): %s\n",
		sc->axis == GW_AXIS_RATE ? "rate" : "streams",
		gw_search_end_name(s->end));
	if (s->have_pass)
		fprintf(f,
			"  capacity: %.2f %s (the highest value at which "
			"every threshold held)\n",
			s->pass, unit);
	if (p)
		fprintf(f,
			"  first failing: %.2f %s; broke: %s = %.6g%s "
			"(limit %.6g%s)\n",
			s->fail, unit, p->r.broke.name, p->r.broke.measured,
			p->r.broke.unit, p->r.broke.limit, p->r.broke.unit);
	if (s->why[0])
		fprintf(f, "  %s\n", s->why);
	fprintf(f, "  %d probes, %s\n", s->nprobes,
		s->monotonic
			? "monotonic"
			: "NOT monotonic (a pass above a fail: the "
			  "gateway's behaviour changed during the search)");
}
