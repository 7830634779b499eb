/*
 * gw_rejudge: workload thresholds on a merged load report (see
 * gw_rejudge.h).  The same measure (gw_thresh) and the same check
 * wording (gw_judge_check_*) as a run, over a source that reads JSON.
 */
#include "gw_rejudge.h"
#include "gw_check.h"
#include "gw_hist.h"
#include "gw_hist_json.h"
#include "gw_load_int.h"
#include "gw_thresh.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Windows [from, to) of the merged series. */
struct jscope {
	const json_t *report;
	const json_t *windows;
	size_t from, to;
	struct gw_hist h; /* scratch */
};

static json_int_t win_int(const struct jscope *sc, const char *k)
{
	json_int_t v = 0;

	for (size_t w = sc->from; w < sc->to; w++)
		v += json_integer_value(
			json_object_get(json_array_get(sc->windows, w), k));
	return v;
}

static const struct gw_hist *jhist(void *ud, const char *name)
{
	struct jscope *sc = ud;

	gw_hist_reset(&sc->h);
	for (size_t w = sc->from; w < sc->to; w++) {
		const json_t *op = json_object_get(
			json_object_get(json_array_get(sc->windows, w), "ops"),
			name);

		if (op &&
		    gw_hist_json_add(&sc->h, json_object_get(op, "histogram")))
			return NULL;
	}
	return sc->h.n ? &sc->h : NULL;
}

static double frac(json_int_t a, json_int_t b)
{
	return b ? (double)a / (double)b : 0;
}

/* The run metrics as gw_judge's scope_value reads them from a run. */
static int jvalue(void *ud, const char *name, double *v)
{
	struct jscope *sc = ud;
	double ws = json_number_value(json_object_get(
		json_object_get(sc->report, "series"), "window_s"));
	double secs = ws * (double)(sc->to - sc->from);
	const json_t *mem = json_object_get(sc->report, "memory");

	if (!strcmp(name, "error_rate")) {
		if (!win_int(sc, "attempts"))
			return -1;
		*v = frac(win_int(sc, "errors"), win_int(sc, "attempts"));
	} else if (!strcmp(name, "dropped_starts")) {
		*v = (double)win_int(sc, "dropped_starts");
	} else if (!strcmp(name, "late_starts")) {
		*v = (double)win_int(sc, "late_starts");
	} else if (!strcmp(name, "dropped_rate")) {
		if (!win_int(sc, "offered"))
			return -1;
		*v = frac(win_int(sc, "dropped_starts"),
			  win_int(sc, "offered"));
	} else if (!strcmp(name, "achieved_rate")) {
		if (secs <= 0)
			return -1;
		*v = (double)win_int(sc, "completed") / secs;
	} else if (!strcmp(name, "started")) {
		*v = (double)win_int(sc, "started");
	} else if (!strcmp(name, "completed")) {
		*v = (double)win_int(sc, "completed");
	} else if (!strcmp(name, "ring_drops")) {
		*v = (double)json_integer_value(
			json_object_get(json_object_get(sc->report, "summary"),
					"samples_dropped"));
	} else if (!strcmp(name, "memory_growth_mb")) {
		if (!json_is_true(json_object_get(mem, "measured")))
			return -1;
		*v = json_number_value(json_object_get(mem, "growth_mb"));
	} else {
		return -1;
	}
	return 0;
}

static struct gw_thresh_src jsrc(struct jscope *sc, double ws)
{
	return (struct gw_thresh_src){ jhist, jvalue,
				       ws * (double)(sc->to - sc->from), sc };
}

int gw_rejudge_threshold(const json_t *merged, const char *text, json_t *check)
{
	const json_t *ser = json_object_get(merged, "series");
	struct jscope sc = {
		merged, json_object_get(ser, "windows"), 0, 0, { 0 }
	};
	double ws = json_number_value(json_object_get(ser, "window_s"));
	struct gw_thresh t;
	struct gw_checks k = { 0 };
	struct gw_thresh_state st;
	struct gw_thresh_src src;
	const struct gw_check *c;
	char err[160];
	size_t first, n;

	if (!text || !json_is_array(sc.windows) || ws <= 0 ||
	    gw_thresh_parse(&t, text, err, sizeof(err)) < 0)
		return -1;
	n = json_array_size(sc.windows);
	first = (size_t)json_integer_value(
		json_object_get(ser, "first_judged"));
	if (first > n)
		first = n;
	gw_hist_init(&sc.h);
	if (t.per_window) {
		gw_thresh_state_init(&st, &t, (int64_t)(ws * 1e9));
		for (size_t w = first; w < n; w++) {
			sc.from = w;
			sc.to = w + 1;
			src = jsrc(&sc, ws);
			gw_thresh_window(&t, &st, &src, (int)w);
		}
		gw_judge_check_window(&k, &t, &st, (int)first,
				      (int64_t)(ws * 1e9));
	} else {
		sc.from = first;
		sc.to = n;
		src = jsrc(&sc, ws);
		gw_judge_check_whole(&k, &t, &src);
	}
	gw_hist_release(&sc.h);
	c = &k.c[0];
	json_object_set_new(check, "status",
			    json_string(gw_check_status_name(c->status)));
	json_object_set_new(check, "comparison", json_string(c->cmp));
	json_object_set_new(check, "limit", json_real(c->limit));
	json_object_set_new(check, "measured", json_real(c->measured));
	json_object_set_new(check, "unit", json_string(c->unit));
	json_object_set_new(check, "note",
			    json_sprintf("made again on the merged data%s%s",
					 c->note[0] ? ": " : "", c->note));
	return 0;
}
