/*
 * gw_workload: the workload file (format in gw_workload.h).
 *
 * The profile loader reads the file (gw_config_load_ext); this module is
 * its extension for [load], [flow.NAME] and `threshold` lines, so line
 * numbers, the 197-byte line limit, the "every problem, in file order"
 * rule and the profile keys all behave exactly as in a profile.  What can
 * only be judged once the whole file is read (a flow without steps,
 * weights summing to 0, a threshold naming an operation of a flow defined
 * further down) is checked afterwards and reported with the line of the
 * key it concerns.
 *
 * Steps are one line each, words separated by blanks; a submit's text is
 * the rest of its line (it may carry gwsim's [gwsim:...] directives).
 */
#include "gw_workload.h"
#include "gw_config.h"
#include "gw_util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_WINDOW_MS 15000

/* What the run itself measures, besides the flows' steps. */
static const char *const run_ops[] = {
	"schedule_lag",
	"ttfe",
	"ttfe.intended",
	"task_duration",
	"sse_connect",
	"sse_first_event",
	"sse_event_received",
	"sse_event_gap",
	"sse_ping_gap",
	"sse_subscribe",
	NULL,
};

struct parse {
	struct gw_workload *wl;
	const char *file;
	int model_line, hold_line, probe_line, load_line;
	char hold_name[GW_WL_NAME], probe_name[GW_WL_NAME];
	int have_model;
};

static int fail(char *msg, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *msg, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- words --------------------------------------------------------------- */

struct unit {
	const char *name;
	double mul;
};

/* A number and one of n units after it ("1.5s", "512KiB"), as
 * number x mul <= max, into *out. */
static int parse_unit(const char *s, const struct unit *u, size_t n, double max,
		      double *out)
{
	char num[32];
	size_t k = strspn(s, "0123456789.");
	double v;

	if (!k || k >= sizeof(num))
		return -1;
	memcpy(num, s, k);
	num[k] = '\0';
	if (gw_parse_double(num, 0, 1e12, &v) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s + k, u[i].name)) {
			if (v * u[i].mul > max)
				return -1;
			*out = v * u[i].mul;
			return 0;
		}
	return -1;
}

/* "100us", "500ms", "30s", "2m", "1h", "1.5s" (a unit is required but
 * for "0") -> ns. */
static int parse_dur(const char *s, int64_t *out)
{
	static const struct unit units[] = {
		{ "us", 1e3 }, { "ms", 1e6 },	{ "s", 1e9 },
		{ "m", 60e9 }, { "h", 3600e9 },
	};
	double v;

	if (!strcmp(s, "0")) { /* nothing needs no unit */
		*out = 0;
		return 0;
	}
	if (parse_unit(s, units, GW_ARRAY_SIZE(units), 1e18, &v) < 0)
		return -1;
	*out = (int64_t)llround(v);
	return 0;
}

/* "100", "512KiB", "1MiB", "1GiB", "10KB", "2MB" -> bytes (<= 1 GiB). */
static int parse_size(const char *s, size_t *out)
{
	static const struct unit units[] = {
		{ "", 1 },
		{ "B", 1 },
		{ "KiB", 1024 },
		{ "MiB", 1048576 },
		{ "GiB", 1073741824 },
		{ "KB", 1e3 },
		{ "MB", 1e6 },
		{ "GB", 1e9 },
	};
	double v;

	if (parse_unit(s, units, GW_ARRAY_SIZE(units), 1073741824.0, &v) < 0)
		return -1;
	*out = (size_t)llround(v);
	return 0;
}

/* Split s (modified) into at most max blank-separated words. */
static int split(char *s, char **w, int max)
{
	int n = 0;

	while (n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		w[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
	return n;
}

/* ---- [load] -------------------------------------------------------------- */

static int set_stage(struct gw_workload *wl, const char *v, char *msg, size_t n)
{
	char buf[GW_INI_LINE_MAX + 1], *w[3];
	int64_t dur;
	double target;

	gw_strlcpy(buf, v, sizeof(buf));
	if (split(buf, w, 3) != 2)
		return fail(msg, n,
			    "stage = %s: expected 'DURATION TARGET', "
			    "e.g. 'stage = 30s 50'",
			    v);
	if (parse_dur(w[0], &dur) < 0 || dur <= 0)
		return fail(msg, n,
			    "stage = %s: '%s' is not a duration "
			    "(e.g. 500ms, 30s, 2m, 1h)",
			    v, w[0]);
	if (gw_parse_double(w[1], 0, 1e6, &target) < 0)
		return fail(msg, n,
			    "stage = %s: target '%s' must be a number "
			    "from 0 to 1000000",
			    v, w[1]);
	if (gw_shape_add(&wl->shape, dur, target) < 0)
		return fail(msg, n, "more than %d stages", GW_SHAPE_MAX_STAGES);
	return 0;
}

static int set_dur_key(int64_t *out, const char *key, const char *v,
		       int64_t min, char *msg, size_t n)
{
	if (parse_dur(v, out) < 0 || *out < min)
		return fail(msg, n,
			    "%s = %s: expected a duration%s (e.g. "
			    "500ms, 30s, 2m)",
			    key, v, min > 0 ? " above 0" : "");
	return 0;
}

static int load_key(struct parse *p, const char *key, const char *v, int line,
		    char *msg, size_t n)
{
	struct gw_workload *wl = p->wl;
	long l;

	if (!p->load_line)
		p->load_line = line;
	if (!strcmp(key, "model")) {
		p->model_line = line;
		p->have_model = 1;
		if (!strcmp(v, "closed"))
			wl->model = GW_MODEL_CLOSED;
		else if (!strcmp(v, "open"))
			wl->model = GW_MODEL_OPEN;
		else if (!strcmp(v, "hold"))
			wl->model = GW_MODEL_HOLD;
		else
			return fail(msg, n,
				    "model = %s: expected closed, open "
				    "or hold",
				    v);
		return 0;
	}
	if (!strcmp(key, "stage"))
		return set_stage(wl, v, msg, n);
	if (!strcmp(key, "start")) {
		if (gw_parse_double(v, 0, 1e6, &wl->shape.start) < 0)
			return fail(msg, n,
				    "start = %s: expected a number "
				    "from 0 to 1000000",
				    v);
		return 0;
	}
	if (!strcmp(key, "arrival")) {
		if (strcmp(v, "constant") && strcmp(v, "poisson"))
			return fail(msg, n,
				    "arrival = %s: expected constant "
				    "or poisson",
				    v);
		wl->poisson = !strcmp(v, "poisson");
		return 0;
	}
	if (!strcmp(key, "max_in_flight")) {
		if (gw_parse_long(v, 1, 100000, &wl->max_in_flight) < 0)
			return fail(msg, n,
				    "max_in_flight = %s: expected a "
				    "whole number from 1 to 100000",
				    v);
		return 0;
	}
	if (!strcmp(key, "late_after"))
		return set_dur_key(&wl->late_ns, key, v, 0, msg, n);
	if (!strcmp(key, "start_spin")) {
		if (set_dur_key(&wl->spin_ns, key, v, 0, msg, n))
			return -1;
		if (wl->spin_ns > GW_NS_PER_MS)
			return fail(msg, n, "start_spin = %s: at most 1ms", v);
		return 0;
	}
	if (!strcmp(key, "window")) {
		if (set_dur_key(&wl->window_ns, key, v, GW_NS_PER_MS, msg, n))
			return -1;
		if (wl->window_ns % GW_NS_PER_MS)
			return fail(msg, n,
				    "window = %s: whole milliseconds "
				    "only",
				    v);
		return 0;
	}
	if (!strcmp(key, "graceful_stop"))
		return set_dur_key(&wl->graceful_ns, key, v, 0, msg, n);
	if (!strcmp(key, "cancel_orphans")) {
		if (gw_parse_bool(v, &wl->cancel_orphans) < 0)
			return fail(msg, n,
				    "cancel_orphans = %s: expected true or "
				    "false",
				    v);
		return 0;
	}
	if (!strcmp(key, "probe_rate")) {
		if (gw_parse_double(v, 0, 1e5, &wl->probe_rate) < 0)
			return fail(msg, n,
				    "probe_rate = %s: expected flows "
				    "per second from 0 to 100000",
				    v);
		return 0;
	}
	if (!strcmp(key, "seed")) {
		if (gw_parse_long(v, 0, LONG_MAX, &l) < 0)
			return fail(msg, n,
				    "seed = %s: expected a whole "
				    "number >= 0",
				    v);
		wl->seed = (uint64_t)l;
		return 0;
	}
	if (!strcmp(key, "hold_flow") || !strcmp(key, "probe_flow")) {
		int hold = key[0] == 'h';

		gw_strlcpy(hold ? p->hold_name : p->probe_name, v, GW_WL_NAME);
		*(hold ? &p->hold_line : &p->probe_line) = line;
		return 0;
	}
	if (!strcmp(key, "name")) {
		if (gw_strlcpy(wl->name, v, sizeof(wl->name)) >=
			    sizeof(wl->name) ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			      "0123456789_.-") != strlen(v))
			return fail(msg, n,
				    "name = %s: letters, digits, _ . - "
				    "only, at most %zu",
				    v, sizeof(wl->name) - 1);
		return 0;
	}
	return 1;
}

/* ---- [flow.NAME] --------------------------------------------------------- */

static const char *const step_words[] = {
	[GW_STEP_SUBMIT] = "submit",	 [GW_STEP_COLLECT] = "collect",
	[GW_STEP_REST] = "rest",	 [GW_STEP_UPLOAD] = "upload",
	[GW_STEP_DOWNLOAD] = "download", [GW_STEP_CANCEL] = "cancel",
	[GW_STEP_THINK] = "think",
};

static const char *const rest_words[] = {
	[GW_REST_CONFIG] = "config",
	[GW_REST_AGENT_CARDS] = "agent_cards",
	[GW_REST_SESSIONS] = "sessions",
	[GW_REST_SESSION] = "session",
	[GW_REST_TASK_STATUS] = "task_status",
};

static struct gw_flow *flow_of(struct gw_workload *wl, const char *name,
			       int line, char *msg, size_t n)
{
	size_t len = strlen(name);

	for (int i = 0; i < wl->nflows; i++)
		if (!strcmp(wl->flow[i].name, name))
			return &wl->flow[i];
	if (!len || len >= GW_WL_NAME ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != len) {
		fail(msg, n, "[flow.%s]: a flow name is 1 to %d of a-z 0-9 _ -",
		     name, GW_WL_NAME - 1);
		return NULL;
	}
	if (wl->nflows == GW_WL_MAX_FLOWS) {
		fail(msg, n, "more than %d flows", GW_WL_MAX_FLOWS);
		return NULL;
	}
	memset(&wl->flow[wl->nflows], 0, sizeof(wl->flow[0]));
	gw_strlcpy(wl->flow[wl->nflows].name, name, GW_WL_NAME);
	wl->flow[wl->nflows].weight = 1;
	wl->flow[wl->nflows].line = line;
	return &wl->flow[wl->nflows++];
}

/* The op name of step st in f: <flow>.<kind>, .2 .3 ... when repeated. */
static void name_step(const struct gw_flow *f, struct gw_step *st)
{
	int seen = 1;

	for (int i = 0; i < f->nsteps; i++)
		seen += f->step[i].kind == st->kind;
	if (seen == 1)
		snprintf(st->op_name, sizeof(st->op_name), "%s.%s", f->name,
			 step_words[st->kind]);
	else
		snprintf(st->op_name, sizeof(st->op_name), "%s.%s.%d", f->name,
			 step_words[st->kind], seen);
}

static int step_collect(struct gw_step *st, char **w, int nw, char *msg,
			size_t n)
{
	st->window_ms = DEFAULT_WINDOW_MS;
	for (int i = 1; i < nw; i++) {
		int64_t ns;

		if (!strcmp(w[i], "terminal")) {
			st->until = GW_UNTIL_TERMINAL;
		} else if (!strcmp(w[i], "first")) {
			st->until = GW_UNTIL_FIRST;
		} else if (!strcmp(w[i], "window") && i + 1 < nw) {
			if (parse_dur(w[++i], &ns) < 0 || ns < GW_NS_PER_MS)
				return fail(msg, n,
					    "collect: window '%s' is "
					    "not a duration of at least 1ms",
					    w[i]);
			st->window_ms = (long)(ns / GW_NS_PER_MS);
		} else if (gw_parse_long(w[i], 1, 1000000, &st->events) == 0) {
			st->until = GW_UNTIL_N;
		} else {
			return fail(msg, n,
				    "collect: '%s': expected terminal, "
				    "first, a number of events or 'window "
				    "DURATION'",
				    w[i]);
		}
	}
	return 0;
}

static int step_rest(struct gw_step *st, char **w, int nw, char *msg, size_t n)
{
	if (nw != 2)
		return fail(msg, n,
			    "rest: expected one of config, "
			    "agent_cards, sessions, session, task_status");
	for (size_t i = 0; i < GW_ARRAY_SIZE(rest_words); i++)
		if (!strcmp(w[1], rest_words[i])) {
			st->rest = (enum gw_rest_kind)i;
			return 0;
		}
	return fail(msg, n,
		    "rest %s: expected one of config, agent_cards, "
		    "sessions, session, task_status",
		    w[1]);
}

static int step_think(struct gw_step *st, char **w, int nw, char *msg, size_t n)
{
	if (nw < 2 || nw > 3 || parse_dur(w[1], &st->think_min_ns) < 0)
		return fail(msg, n,
			    "think: expected 'think DURATION' or "
			    "'think MIN MAX' (e.g. think 2s 5s)");
	st->think_max_ns = st->think_min_ns;
	if (nw == 3 && (parse_dur(w[2], &st->think_max_ns) < 0 ||
			st->think_max_ns < st->think_min_ns))
		return fail(msg, n,
			    "think %s %s: the second duration must be "
			    "a duration >= the first",
			    w[1], w[2]);
	return 0;
}

/* Parse one `step = ...` of flow f into a new step. */
static int add_step(struct gw_flow *f, const char *v, char *msg, size_t n)
{
	char buf[GW_INI_LINE_MAX + 1], *w[8];
	struct gw_step st = { 0 };
	int nw, k = -1, rc = 0;
	const char *text;

	if (f->nsteps == GW_WL_MAX_STEPS)
		return fail(msg, n, "[flow.%s]: more than %d steps", f->name,
			    GW_WL_MAX_STEPS);
	gw_strlcpy(buf, v, sizeof(buf));
	nw = split(buf, w, 8);
	for (size_t i = 0; nw && i < GW_ARRAY_SIZE(step_words); i++)
		if (!strcmp(w[0], step_words[i]))
			k = (int)i;
	if (k < 0)
		return fail(msg, n,
			    "step = %s: unknown step (submit, collect, "
			    "rest, upload, download, cancel, think)",
			    v);
	st.kind = (enum gw_step_kind)k;
	switch (st.kind) {
	case GW_STEP_SUBMIT:
		/* words after the first: [new|session] TEXT... */
		text = v + strspn(v, " \t") + strlen("submit");
		text += strspn(text, " \t");
		if (!strncmp(text, "session", 7) &&
		    (!text[7] || text[7] == ' ' || text[7] == '\t')) {
			st.same_session = 1;
			text += 7;
		} else if (!strncmp(text, "new", 3) &&
			   (!text[3] || text[3] == ' ' || text[3] == '\t')) {
			text += 3;
		}
		text += strspn(text, " \t");
		gw_strlcpy(st.text, *text ? text : "Load test message",
			   sizeof(st.text));
		break;
	case GW_STEP_COLLECT:
		rc = step_collect(&st, w, nw, msg, n);
		break;
	case GW_STEP_REST:
		rc = step_rest(&st, w, nw, msg, n);
		break;
	case GW_STEP_UPLOAD:
		if (nw != 2 || parse_size(w[1], &st.bytes) < 0 || !st.bytes)
			rc = fail(msg, n,
				  "upload: expected a size from 1 "
				  "byte to 1GiB (e.g. upload 1MiB)");
		break;
	case GW_STEP_THINK:
		rc = step_think(&st, w, nw, msg, n);
		break;
	default:
		if (nw != 1)
			rc = fail(msg, n, "%s takes no arguments", w[0]);
	}
	if (rc)
		return rc;
	if (st.kind != GW_STEP_THINK)
		name_step(f, &st);
	f->step[f->nsteps++] = st;
	return 0;
}

static int flow_key(struct parse *p, const char *name, const char *key,
		    const char *v, int line, char *msg, size_t n)
{
	struct gw_flow *f = flow_of(p->wl, name, line, msg, n);

	if (!f)
		return -1;
	if (!strcmp(key, "step")) {
		int rc = add_step(f, v, msg, n);

		if (!rc)
			f->step[f->nsteps - 1].line = line;
		return rc;
	}
	if (!strcmp(key, "weight")) {
		if (gw_parse_double(v, 0, 1e6, &f->weight) < 0)
			return fail(msg, n,
				    "weight = %s: expected a number "
				    "from 0 to 1000000",
				    v);
		return 0;
	}
	return 1;
}

/* ---- the extension ------------------------------------------------------- */

static int ext_section(void *ud, const char *s, size_t len)
{
	(void)ud;
	return (len == 4 && !memcmp(s, "load", 4)) ||
	       (len == 6 && !memcmp(s, "search", 6)) ||
	       (len > 5 && !memcmp(s, "flow.", 5));
}

/* ---- [search] ------------------------------------------------------------ */

static int search_key(struct gw_workload *wl, const char *key, const char *v,
		      int line, char *msg, size_t n)
{
	struct gw_search_cfg *sc = &wl->search;
	long l;

	if (!sc->line)
		sc->line = line;
	if (!strcmp(key, "axis")) {
		if (!strcmp(v, "rate"))
			sc->axis = GW_AXIS_RATE;
		else if (!strcmp(v, "streams"))
			sc->axis = GW_AXIS_STREAMS;
		else
			return fail(msg, n,
				    "axis = %s: expected rate or "
				    "streams",
				    v);
		return 0;
	}
	if (!strcmp(key, "lo") || !strcmp(key, "hi")) {
		double *d = key[0] == 'l' ? &sc->lo : &sc->hi;

		if (gw_parse_double(v, 0.001, 1e6, d) < 0)
			return fail(msg, n,
				    "%s = %s: expected a number from "
				    "0.001 to 1000000",
				    key, v);
		return 0;
	}
	if (!strcmp(key, "precision")) {
		char num[32];
		size_t k = strcspn(v, "%");

		if (k >= sizeof(num) || (v[k] && v[k + 1]))
			return fail(msg, n,
				    "precision = %s: expected a "
				    "percentage such as 5%%",
				    v);
		memcpy(num, v, k);
		num[k] = '\0';
		if (gw_parse_double(num, 0.1, 50, &sc->precision) < 0)
			return fail(msg, n,
				    "precision = %s: expected 0.1%% "
				    "to 50%%",
				    v);
		sc->precision /= 100;
		return 0;
	}
	if (!strcmp(key, "warmup"))
		return set_dur_key(&sc->warmup_ns, key, v, 0, msg, n);
	if (!strcmp(key, "measure"))
		return set_dur_key(&sc->measure_ns, key, v, GW_NS_PER_S, msg,
				   n);
	if (!strcmp(key, "max_measure"))
		return set_dur_key(&sc->max_measure_ns, key, v, GW_NS_PER_S,
				   msg, n);
	if (!strcmp(key, "cooldown"))
		return set_dur_key(&sc->cooldown_ns, key, v, 0, msg, n);
	if (!strcmp(key, "ramp_rate")) {
		if (gw_parse_double(v, 1, 1e5, &sc->ramp_rate) < 0)
			return fail(msg, n,
				    "ramp_rate = %s: expected streams "
				    "per second from 1 to 100000",
				    v);
		return 0;
	}
	if (!strcmp(key, "max_probes")) {
		if (gw_parse_long(v, 2, 200, &l) < 0)
			return fail(msg, n,
				    "max_probes = %s: expected 2 to "
				    "200",
				    v);
		sc->max_probes = (int)l;
		return 0;
	}
	return 1;
}

static int ext_setting(void *ud, const char *section, const char *key,
		       const char *value, int line, char *msg, size_t n)
{
	struct parse *p = ud;
	struct gw_workload *wl = p->wl;

	if (!strcmp(section, "load"))
		return load_key(p, key, value, line, msg, n);
	if (!strcmp(section, "search"))
		return search_key(wl, key, value, line, msg, n);
	if (!strncmp(section, "flow.", 5))
		return flow_key(p, section + 5, key, value, line, msg, n);
	if (!strcmp(section, "thresholds") && !strcmp(key, "threshold")) {
		char why[160];

		if (wl->nthresh == GW_WL_MAX_THRESH)
			return fail(msg, n, "more than %d thresholds",
				    GW_WL_MAX_THRESH);
		if (gw_thresh_parse(&wl->thresh[wl->nthresh], value, why,
				    sizeof(why)) < 0)
			return fail(msg, n, "threshold = %s: %s", value, why);
		wl->thresh_line[wl->nthresh++] = line;
		return 0;
	}
	return 1;
}

/* ---- after the file ------------------------------------------------------ */

static int find_flow(const struct gw_workload *wl, const char *name)
{
	for (int i = 0; i < wl->nflows; i++)
		if (!strcmp(wl->flow[i].name, name))
			return i;
	return -1;
}

/* One problem found after the file was read; always 1 (a count). */
static int later(struct gw_errlist *errs, const char *file, int line,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int later(struct gw_errlist *errs, const char *file, int line,
		 const char *fmt, ...)
{
	char buf[GW_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gw_errlist_add(errs, "%s:%d: %s", file, line, buf);
	return 1;
}

/* Find a flow named in [load]; -1 (and a problem) when there is none. */
static int named_flow(const struct gw_workload *wl, const char *name,
		      const char *key, int line, struct gw_errlist *errs,
		      int *bad)
{
	int i = find_flow(wl, name);

	if (i < 0)
		*bad += later(errs, wl->file, line, "%s = %s: no [flow.%s]",
			      key, name, name);
	return i;
}

/* Checks that need the whole file.  Returns the number of problems. */
static int finish(struct parse *p, struct gw_errlist *errs)
{
	struct gw_workload *wl = p->wl;
	const char *f = p->file;
	int bad = 0, at = p->load_line;
	double weights = 0;

	/* a search builds its probes' model and stages itself */
	if (!p->have_model && !wl->search.line)
		bad += later(errs, f, at,
			     "[load] needs model = closed, open or hold");
	if (!wl->shape.n && !wl->search.line)
		bad += later(errs, f, at,
			     "[load] needs at least one 'stage = DURATION "
			     "TARGET'");
	if (!wl->nflows)
		bad += later(errs, f, at,
			     "no [flow.NAME] section: a workload "
			     "needs at least one flow");
	for (int i = 0; i < wl->nflows; i++) {
		weights += wl->flow[i].weight;
		if (!wl->flow[i].nsteps)
			bad += later(errs, f, wl->flow[i].line,
				     "[flow.%s] has no steps",
				     wl->flow[i].name);
	}
	if (wl->nflows && weights <= 0)
		bad += later(errs, f, wl->flow[0].line,
			     "the flows' weights sum to 0");
	if (p->hold_name[0])
		wl->hold_flow = named_flow(wl, p->hold_name, "hold_flow",
					   p->hold_line, errs, &bad);
	if (p->probe_name[0])
		wl->probe_flow = named_flow(wl, p->probe_name, "probe_flow",
					    p->probe_line, errs, &bad);
	if ((wl->model == GW_MODEL_HOLD ||
	     (wl->search.line && wl->search.axis == GW_AXIS_STREAMS)) &&
	    wl->hold_flow < 0 && wl->nflows && !p->hold_name[0])
		wl->hold_flow = 0;
	if (wl->search.line && wl->search.axis == GW_AXIS_STREAMS &&
	    !p->probe_name[0])
		bad += later(errs, f, wl->search.line,
			     "axis = streams needs [load] probe_flow = NAME "
			     "(the new tasks judged while streams are held)");
	if (wl->model == GW_MODEL_HOLD && wl->probe_rate > 0 &&
	    !p->probe_name[0])
		bad += later(errs, f, at, "probe_rate needs probe_flow = NAME");
	if (wl->model == GW_MODEL_OPEN && wl->shape.n &&
	    gw_shape_peak(&wl->shape) <= 0)
		bad += later(errs, f, at,
			     "an open model needs a rate above 0 "
			     "in some stage");
	if (wl->search.line && wl->search.hi <= wl->search.lo)
		bad += later(errs, f, wl->search.line,
			     "[search] needs lo < hi");
	if (wl->search.line &&
	    wl->search.max_measure_ns < wl->search.measure_ns)
		bad += later(errs, f, wl->search.line,
			     "[search] max_measure is shorter than measure");
	for (int i = 0; i < wl->nthresh; i++)
		if (!gw_workload_has_metric(wl, wl->thresh[i].metric))
			bad += later(errs, f, wl->thresh_line[i],
				     "threshold = %s: no metric '%s' in this "
				     "workload",
				     wl->thresh[i].text, wl->thresh[i].metric);
	return bad;
}

static void defaults(struct gw_workload *wl, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	memset(wl, 0, sizeof(*wl));
	gw_strlcpy(wl->file, path, sizeof(wl->file));
	gw_strlcpy(wl->name, base ? base + 1 : path, sizeof(wl->name));
	n = strlen(wl->name);
	if (n > 4 && !strcmp(wl->name + n - 4, ".ini"))
		wl->name[n - 4] = '\0';
	wl->late_ns = 10 * GW_NS_PER_MS;
	wl->window_ns = GW_NS_PER_S;
	wl->graceful_ns = 30 * GW_NS_PER_S;
	wl->cancel_orphans = 1;
	wl->seed = 1;
	wl->nshards = 1;
	wl->hold_flow = wl->probe_flow = -1;
	wl->search.lo = 1;
	wl->search.hi = 1000;
	wl->search.precision = 0.05;
	wl->search.warmup_ns = 5 * GW_NS_PER_S;
	wl->search.measure_ns = 10 * GW_NS_PER_S;
	wl->search.max_measure_ns = 60 * GW_NS_PER_S;
	wl->search.cooldown_ns = 2 * GW_NS_PER_S;
	wl->search.ramp_rate = 200;
	wl->search.max_probes = 20;
}

int gw_workload_load(struct gw_workload *wl, struct gw_config *cfg,
		     const char *path, struct gw_errlist *errs)
{
	struct parse p = { .wl = wl, .file = path, .load_line = 1 };
	struct gw_config_ext ext = { ext_section, ext_setting, &p };
	FILE *fp = fopen(path, "r");
	int bad;

	defaults(wl, path);
	p.load_line = 0;
	if (!fp) {
		gw_errlist_add(errs, "%s: %s", path, strerror(errno));
		return 1;
	}
	bad = gw_config_load_ext(cfg, fp, path, &ext, errs);
	fclose(fp);
	if (!p.load_line)
		p.load_line = 1;
	/* after a bad line too: every problem, not only the first kind */
	return bad + finish(&p, errs);
}

int gw_workload_pool(const struct gw_workload *wl)
{
	int shards = wl->nshards > 1 ? wl->nshards : 1;
	double peak = gw_shape_peak(&wl->shape) / shards, n;
	/* a shard's share of a count is at most one over the even split */
	double extra = shards > 1 ? 1 : 0;

	switch (wl->model) {
	case GW_MODEL_CLOSED:
		n = ceil(peak) + extra;
		break;
	case GW_MODEL_HOLD:
		/* probes may each take up to their collect window */
		n = ceil(peak) + extra + ceil(wl->probe_rate / shards * 30) + 1;
		break;
	default:
		n = wl->max_in_flight ? ceil((double)wl->max_in_flight / shards)
				      : ceil(peak * 10);
	}
	return n < 1 ? 1 : n > 100000 ? 100000 : (int)n;
}

int gw_workload_has_metric(const struct gw_workload *wl, const char *name)
{
	char buf[64];

	for (int i = 0; run_ops[i]; i++)
		if (!strcmp(name, run_ops[i]))
			return 1;
	for (int i = 0; gw_thresh_run_metrics[i]; i++)
		if (!strcmp(name, gw_thresh_run_metrics[i]))
			return 1;
	for (int i = 0; i < wl->nflows; i++) {
		const struct gw_flow *f = &wl->flow[i];

		snprintf(buf, sizeof(buf), "flow.%s", f->name);
		if (!strncmp(name, buf, strlen(buf)) &&
		    (!name[strlen(buf)] ||
		     !strcmp(name + strlen(buf), ".intended")))
			return 1;
		for (int k = 0; k < f->nsteps; k++) {
			size_t len = strlen(f->step[k].op_name);

			if (len && !strncmp(name, f->step[k].op_name, len) &&
			    (!name[len] || !strcmp(name + len, ".intended")))
				return 1;
		}
	}
	return 0;
}

const char *gw_workload_model_name(enum gw_model m)
{
	return m == GW_MODEL_CLOSED ? "closed"
	       : m == GW_MODEL_OPEN ? "open"
				    : "hold";
}
