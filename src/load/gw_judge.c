/*
 * gw_judge: a workload run's verdict -- its thresholds window by window
 * and over the judged span, the generator's own validity, the saturation
 * guard, and the numbers a capacity search reads (see gw_load.h).
 *
 * The judged span is the series windows from the one holding t0 + skip
 * (a capacity probe's warm-up is left out) to the last; a whole-run
 * threshold reads the sum of their histograms, which without a skip is
 * exactly the run's histogram.  Run metrics (error_rate, dropped_starts,
 * ...) are differences of the counters the main thread recorded at the
 * windows' boundaries (struct gw_load_win), so a window's counts are its
 * own within the main thread's tick (20 ms).
 *
 * error_rate leaves out transfers aborted by the end of the run or a
 * signal: those say nothing about the gateway (they are reported apart,
 * as flows_cut and errors_by_class.aborted).
 */
#include "gw_load_int.h"
#include "gw_config.h"
#include "gw_procmem.h"
#include "gw_util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The limits past which the generator, not the gateway, is measured. */
#define GEN_CPU_PERCENT 90.0
#define GEN_LAG_P99_NS (50 * GW_NS_PER_MS)
#define GEN_DROPPED 0.005 /* of the offered starts */

/* A scope to judge: windows [from, to) of the series, counters of
 * win[from] .. win[to]. */
struct scope {
	struct gw_load *L;
	int from, to;
	struct gw_hist h; /* scratch */
};

static const struct gw_load_win *snap(const struct gw_load *L, int k)
{
	static const struct gw_load_win zero;

	if (k < 0 || !L->nwin)
		return &zero;
	return &L->win[k < L->nwin ? k : L->nwin - 1];
}

static const struct gw_hist *scope_hist(void *ud, const char *name)
{
	struct scope *sc = ud;
	int op = gw_metrics_find_op(sc->L->m, name);

	if (op < 0)
		return NULL;
	gw_hist_reset(&sc->h);
	for (int w = sc->from; w < sc->to; w++)
		gw_series_cell_add(&sc->h,
				   gw_series_cell(&sc->L->series, w, op));
	return sc->h.n ? &sc->h : NULL;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0;
}

static int scope_value(void *ud, const char *name, double *v)
{
	struct scope *sc = ud;
	const struct gw_load_win *a = snap(sc->L, sc->from);
	const struct gw_load_win *b = snap(sc->L, sc->to);
	double secs = (double)(b->t_ns - a->t_ns) / 1e9;
	uint64_t att = b->attempts - a->attempts;
	uint64_t err = (b->errors - a->errors) - (b->aborted - a->aborted);
	struct gw_mem_trend mt;

	if (!strcmp(name, "error_rate")) {
		if (!att)
			return -1;
		*v = ratio(err, att);
	} else if (!strcmp(name, "dropped_starts")) {
		*v = (double)(b->dropped - a->dropped);
	} else if (!strcmp(name, "late_starts")) {
		*v = (double)(b->late - a->late);
	} else if (!strcmp(name, "dropped_rate")) {
		if (b->offered == a->offered)
			return -1;
		*v = ratio(b->dropped - a->dropped, b->offered - a->offered);
	} else if (!strcmp(name, "achieved_rate")) {
		if (secs <= 0)
			return -1;
		*v = (double)(b->completed - a->completed) / secs;
	} else if (!strcmp(name, "started")) {
		*v = (double)(b->started - a->started);
	} else if (!strcmp(name, "completed")) {
		*v = (double)(b->completed - a->completed);
	} else if (!strcmp(name, "ring_drops")) {
		*v = (double)gw_metrics_dropped(sc->L->m);
	} else if (!strcmp(name, "memory_growth_mb")) {
		gw_metrics_mem_trend(sc->L->m, &mt);
		if (mt.sample_count < 2)
			return -1;
		*v = mt.growth_mb;
	} else {
		return -1;
	}
	return 0;
}

static struct gw_thresh_src src_of(struct scope *sc)
{
	const struct gw_load_win *a = snap(sc->L, sc->from);
	const struct gw_load_win *b = snap(sc->L, sc->to);

	return (struct gw_thresh_src){ scope_hist, scope_value,
				       (double)(b->t_ns - a->t_ns) / 1e9, sc };
}

/* The value in the check's unit, and that unit. */
static double shown(const struct gw_thresh *t, double v, const char **unit)
{
	switch (t->kind) {
	case GW_TK_TIME:
		*unit = "ms";
		return v / 1e6;
	case GW_TK_FRACTION:
		*unit = "%";
		return v * 100;
	case GW_TK_RATE:
		*unit = "/s";
		return v;
	default:
		*unit = "";
		return v;
	}
}

static const char *cmp_text(enum gw_thresh_cmp c)
{
	static const char *const s[] = { "<", "<=", ">", ">=", "==" };

	return s[c];
}

static void abort_run(struct gw_load *L, const struct gw_thresh *t,
		      const char *why)
{
	if (L->aborted)
		return;
	L->aborted = 1;
	snprintf(L->abort_why, sizeof(L->abort_why), "aborted by '%s': %s",
		 t->text, why);
}

/* One newly closed window w, every threshold. */
static void judge_window(struct gw_load *L, int w)
{
	const struct gw_workload *wl = L->wl;
	struct scope sc = { L, w, w + 1, { 0 } };
	struct gw_thresh_src src;
	char buf[160];
	double v;

	gw_hist_init(&sc.h);
	src = src_of(&sc);
	for (int i = 0; i < wl->nthresh; i++) {
		const struct gw_thresh *t = &wl->thresh[i];

		if (t->per_window) {
			if (gw_thresh_window(t, &L->ts[i], &src, w) &&
			    t->abort) {
				gw_thresh_format(t, L->ts[i].worst, buf,
						 sizeof(buf));
				abort_run(L, t, buf);
			}
			continue;
		}
		if (!t->abort ||
		    (int64_t)(w + 1 - L->first_judged) * L->window_ns <
			    t->after_ns)
			continue;
		/* a whole-run threshold with abort: the data so far */
		sc.from = L->first_judged;
		src = src_of(&sc);
		if (gw_thresh_measure(t, &src, &v) == 0 &&
		    !gw_thresh_holds(t, v)) {
			gw_thresh_format(t, v, buf, sizeof(buf));
			abort_run(L, t, buf);
		}
		sc.from = w;
		src = src_of(&sc);
	}
	gw_hist_release(&sc.h);
}

int gw_judge_saturated(const double *v, int n)
{
	int third = n / 3;
	double a = 0, b = 0;

	if (third < 2)
		return 0;
	for (int k = 0; k < third; k++) {
		a += v[k];
		b += v[n - third + k];
	}
	a /= third;
	b /= third;
	return b > a * 1.2 && b - a >= 5;
}

/* The open starts in flight (flows in flight less the users and holders,
 * which run by design) in windows [from, to): gw_judge_saturated. */
static int saturated(const struct gw_load *L, int from, int to)
{
	double v[4096];
	int n = 0;

	if (L->wl->model == GW_MODEL_CLOSED)
		return 0;
	if (to - from > (int)GW_ARRAY_SIZE(v))
		from = to - (int)GW_ARRAY_SIZE(v);
	for (int k = from; k < to; k++)
		v[n++] = (double)(snap(L, k)->in_flight - snap(L, k)->users);
	return gw_judge_saturated(v, n);
}

void gw_judge_windows(struct gw_load *L)
{
	int closed = gw_series_closed(&L->series);

	if (!L->judge_ready) {
		L->judge_ready = 1;
		L->judged = L->first_judged;
		for (int i = 0; i < L->wl->nthresh; i++)
			gw_thresh_state_init(&L->ts[i], &L->wl->thresh[i],
					     L->window_ns);
	}
	/* a window's counters are complete once the next one began */
	while (L->judged < closed && L->judged + 1 < L->nwin) {
		judge_window(L, L->judged++);
		if (L->sat_abort && !L->aborted &&
		    saturated(L, L->first_judged + 1, L->judged)) {
			L->aborted = 1;
			snprintf(L->abort_why, sizeof(L->abort_why),
				 "over-saturated: flows in flight grew "
				 "steadily (ended early as a failure)");
		}
	}
}

void gw_judge_check_window(struct gw_checks *k, const struct gw_thresh *t,
			   const struct gw_thresh_state *st, int first,
			   int64_t win_ns)
{
	const char *unit;
	double v = shown(t, st->worst, &unit);
	double lim = shown(t, t->limit, &unit);
	struct gw_check *c;
	char worst[64];

	if (!st->judged) {
		c = gw_check_add(k, t->text, cmp_text(t->cmp), 0, lim, unit, 0);
		snprintf(c->note, sizeof(c->note),
			 "%s: never recorded in any "
			 "window",
			 t->metric);
		gw_check_merge(k, GW_MERGE_THRESHOLD, t->text, 0);
		return;
	}
	c = gw_check_add(k, t->text, cmp_text(t->cmp), v, lim, unit,
			 !st->failed);
	gw_thresh_format(t, st->worst, worst, sizeof(worst));
	snprintf(c->note, sizeof(c->note),
		 "met in %d of %d windows (%.1f%%), worst %s%s%.1fs", st->met,
		 st->judged, 100.0 * st->met / st->judged, worst,
		 st->failed ? "; failed from " : "",
		 st->failed ? (double)(st->first_fail_win - first) *
				      (double)win_ns / 1e9
			    : 0.0);
	if (!st->failed) /* keep only the first part */
		*strstr(c->note, ", worst") = '\0';
	gw_check_merge(k, GW_MERGE_THRESHOLD, t->text, 0);
}

void gw_judge_check_whole(struct gw_checks *k, const struct gw_thresh *t,
			  const struct gw_thresh_src *src)
{
	const char *unit;
	struct gw_check *c;
	char buf[64];
	double v, lim = shown(t, t->limit, &unit), got;

	if (gw_thresh_measure(t, src, &v) < 0) {
		c = gw_check_add(k, t->text, cmp_text(t->cmp), 0, lim, unit, 0);
		snprintf(c->note, sizeof(c->note), "%s: never recorded",
			 t->metric);
	} else {
		got = shown(t, v, &unit);
		c = gw_check_add(k, t->text, cmp_text(t->cmp), got, lim, unit,
				 gw_thresh_holds(t, v));
		if (c->status == GW_CHECK_FAIL) {
			gw_thresh_format(t, v, buf, sizeof(buf));
			snprintf(c->note, sizeof(c->note), "%.130s is %s",
				 t->text, buf);
		}
	}
	gw_check_merge(k, GW_MERGE_THRESHOLD, t->text, 0);
}

/* 1 if [thresholds] key was set (file, environment or command line). */
static int key_set(const struct gw_config *cfg, const char *key)
{
	const struct gw_config_key *k = gw_config_find("thresholds", key);

	return k && cfg->src[k - gw_config_keys] != GW_SRC_DEFAULT;
}

/*
 * The profile's [thresholds] keys, for a workload that sets them: every
 * request step's p99 under max_p99_latency_ms, error_rate under
 * max_error_rate_percent, flows completed / started over
 * min_success_rate_percent, the gateway's memory growth under
 * memory_increase_threshold_mb (skipped when not measured).  Left at
 * their defaults they judge nothing: a workload says what it wants.
 */
static void check_profile_keys(struct gw_load *L, struct scope *sc)
{
	const struct gw_config *cfg = L->cfg;
	const struct gw_thresholds *th = &cfg->thresholds;
	char name[96];
	double v;

	if (key_set(cfg, "max_p99_latency_ms"))
		for (int f = 0; f < L->wl->nflows; f++)
			for (int k = 0; k < L->wl->flow[f].nsteps; k++) {
				int op = L->op_step[f][k];
				const struct gw_hist *h;

				if (op < 0 || L->wl->flow[f].step[k].kind ==
						      GW_STEP_COLLECT)
					continue;
				h = scope_hist(sc, L->m->op[op].name);
				snprintf(name, sizeof(name), "p99(%s)",
					 L->m->op[op].name);
				if (!h) {
					gw_check_skip(&L->checks, name,
						      "no samples: the step "
						      "never answered");
					continue;
				}
				gw_check_lt(&L->checks, name,
					    (double)gw_hist_quantile(h, 0.99) /
						    1e6,
					    th->max_p99_latency_ms, "ms");
				gw_check_merge(&L->checks, GW_MERGE_QUANTILE,
					       L->m->op[op].name, 0.99);
			}
	if (key_set(cfg, "max_error_rate_percent") &&
	    scope_value(sc, "error_rate", &v) == 0) {
		char text[64];

		gw_check_lt(&L->checks, "error rate", 100 * v,
			    th->max_error_rate_percent, "%");
		/* the same rule as the expression, so a merge re-judges it */
		snprintf(text, sizeof(text), "error_rate < %.17g %%",
			 th->max_error_rate_percent);
		gw_check_merge(&L->checks, GW_MERGE_THRESHOLD, text, 0);
	}
	if (key_set(cfg, "min_success_rate_percent") &&
	    scope_value(sc, "started", &v) == 0 && v > 0) {
		double done;
		char arg[64];

		scope_value(sc, "completed", &done);
		gw_check_ge(&L->checks, "flows completed / started",
			    100 * done / v, th->min_success_rate_percent, "%");
		snprintf(arg, sizeof(arg), "%.0f/%.0f", done, v);
		gw_check_merge(&L->checks, GW_MERGE_RATIO, arg, 0);
	}
	if (key_set(cfg, "memory_increase_threshold_mb")) {
		if (scope_value(sc, "memory_growth_mb", &v) == 0) {
			gw_check_lt(&L->checks, "gateway memory growth", v,
				    th->memory_increase_threshold_mb, "MB");
			gw_check_merge(&L->checks, GW_MERGE_MAX, NULL, 0);
		} else
			gw_check_skip(&L->checks, "gateway memory growth",
				      "gateway memory not measured");
	}
}

/* The judged span's thresholds. */
static void check_all(struct gw_load *L)
{
	const struct gw_workload *wl = L->wl;
	struct scope sc = {
		L, L->first_judged, gw_series_closed(&L->series), { 0 }
	};
	struct gw_thresh_src src;

	gw_hist_init(&sc.h);
	src = src_of(&sc);
	for (int i = 0; i < wl->nthresh; i++) {
		const struct gw_thresh *t = &wl->thresh[i];

		if (t->per_window)
			gw_judge_check_window(&L->checks, t, &L->ts[i],
					      L->first_judged, L->window_ns);
		else
			gw_judge_check_whole(&L->checks, t, &src);
	}
	check_profile_keys(L, &sc);
	gw_hist_release(&sc.h);
}

/*
 * Is the measured value too close to call?  For a quantile q of n
 * samples, the distribution-free 95 % interval is the pair of order
 * statistics around rank n*q, +- 1.96 sqrt(n q (1 - q)) (the binomial's
 * normal approximation); for error_rate (a proportion), Wilson's 95 %
 * interval.  A limit inside the interval straddles: the probe's verdict
 * could be chance, and a capacity search runs it again, longer.
 */
static int straddles(struct gw_load *L, struct scope *sc)
{
	for (int i = 0; i < L->wl->nthresh; i++) {
		const struct gw_thresh *t = &L->wl->thresh[i];
		double lo, hi;

		if (t->per_window)
			continue;
		if (t->stat == GW_TS_QUANTILE) {
			if (gw_thresh_quantile_interval(
				    scope_hist(sc, t->metric), t->q, &lo, &hi) <
			    0)
				continue;
		} else if (!strcmp(t->metric, "error_rate")) {
			const struct gw_load_win *a = snap(L, sc->from);
			const struct gw_load_win *b = snap(L, sc->to);
			double n = (double)(b->attempts - a->attempts);

			if (n <= 0)
				continue;
			gw_thresh_wilson((double)((b->errors - a->errors) -
						  (b->aborted - a->aborted)),
					 n, &lo, &hi);
		} else {
			continue;
		}
		if (t->limit >= lo && t->limit <= hi)
			return 1;
	}
	return 0;
}

/* Fewer samples than a quantile threshold needs for its interval to
 * exist at all: n >= ln(0.025) / ln(q), 368 for p99 (guidellm's rule). */
static int underpowered(struct gw_load *L, struct scope *sc)
{
	for (int i = 0; i < L->wl->nthresh; i++) {
		const struct gw_thresh *t = &L->wl->thresh[i];
		const struct gw_hist *h;

		if (t->stat != GW_TS_QUANTILE || t->q >= 1 || t->per_window)
			continue;
		h = scope_hist(sc, t->metric);
		if (!h || (double)h->n < gw_thresh_samples_needed(t->q))
			return 1;
	}
	return 0;
}

static double q_ms(struct scope *sc, const char *op, double q)
{
	const struct gw_hist *h = scope_hist(sc, op);

	return h ? (double)gw_hist_quantile(h, q) / 1e6 : 0;
}

static void add_why(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_why(char *why, size_t size, const char *fmt, ...)
{
	size_t n = strlen(why);
	va_list ap;

	if (n && n + 2 < size) {
		memcpy(why + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(why + n, size - n, fmt, ap);
	va_end(ap);
}

void gw_judge_final(struct gw_load *L, struct gw_load_result *r)
{
	struct scope sc = {
		L, L->first_judged, gw_series_closed(&L->series), { 0 }
	};
	struct gw_thresh_src src;
	double v;

	gw_judge_windows(L);
	/* the last windows: judged now that the run is over */
	while (L->judged < sc.to)
		judge_window(L, L->judged++);
	check_all(L);
	gw_hist_init(&sc.h);
	src = src_of(&sc);
	memset(r, 0, sizeof(*r));
	r->aborted = L->aborted;
	r->seconds = src.seconds;
	r->offered = snap(L, sc.to)->offered - snap(L, sc.from)->offered;
	r->started = snap(L, sc.to)->started - snap(L, sc.from)->started;
	r->completed = snap(L, sc.to)->completed - snap(L, sc.from)->completed;
	r->dropped = snap(L, sc.to)->dropped - snap(L, sc.from)->dropped;
	r->late = snap(L, sc.to)->late - snap(L, sc.from)->late;
	r->achieved_rate = r->seconds > 0 ? (double)r->completed / r->seconds
					  : 0;
	if (scope_value(&sc, "error_rate", &v) == 0)
		r->error_rate = v;
	r->ttfe_p50_ms = q_ms(&sc, "ttfe", 0.50);
	r->ttfe_p99_ms = q_ms(&sc, "ttfe", 0.99);
	r->gap_p99_ms = q_ms(&sc, "sse_event_gap", 0.99);
	r->lag_p99_ms = q_ms(&sc, "schedule_lag", 0.99);
	r->cpu_percent = L->cpu_peak;
	r->cpu_seconds = L->cpu_seconds;
	r->peak_rss_kb = gw_procmem_status_kb(0, "VmHWM:");
	r->saturated = saturated(L, L->first_judged + 1, L->nwin - 1);
	r->straddled = straddles(L, &sc);
	r->underpowered = underpowered(L, &sc);
	gw_hist_release(&sc.h);
	/* the generator's own validity */
	if (L->cpu_peak > GEN_CPU_PERCENT)
		add_why(r->gen, sizeof(r->gen),
			"gwstress used %.0f%% of the "
			"CPU",
			L->cpu_peak);
	if (r->lag_p99_ms * 1e6 > GEN_LAG_P99_NS)
		add_why(r->gen, sizeof(r->gen), "p99 schedule lag %.1f ms",
			r->lag_p99_ms);
	if (gw_metrics_dropped(L->m))
		add_why(r->gen, sizeof(r->gen),
			"%llu samples dropped by full "
			"rings",
			(unsigned long long)gw_metrics_dropped(L->m));
	if (r->offered && (double)r->dropped > GEN_DROPPED * (double)r->offered)
		add_why(r->gen, sizeof(r->gen),
			"%llu of %llu starts dropped: "
			"all %d workers were busy (raise max_in_flight)",
			(unsigned long long)r->dropped,
			(unsigned long long)r->offered, L->eng->nworkers);
	r->invalid = r->gen[0] != '\0';
	if (L->aborted)
		add_why(r->why, sizeof(r->why), "%s", L->abort_why);
	for (int i = 0; i < L->checks.n; i++)
		if (L->checks.c[i].status == GW_CHECK_FAIL)
			add_why(r->why, sizeof(r->why), "%s",
				L->checks.c[i].note[0] ? L->checks.c[i].note
						       : L->checks.c[i].name);
	if (r->invalid)
		add_why(r->why, sizeof(r->why), "generator-bound: %s", r->gen);
	for (int i = 0; i < L->checks.n; i++)
		if (L->checks.c[i].status == GW_CHECK_FAIL) {
			gw_strlcpy(r->broke.name, L->checks.c[i].name,
				   sizeof(r->broke.name));
			r->broke.measured = L->checks.c[i].measured;
			r->broke.limit = L->checks.c[i].limit;
			gw_strlcpy(r->broke.unit, L->checks.c[i].unit,
				   sizeof(r->broke.unit));
			break;
		}
	if (L->aborted && L->sat_abort && !r->broke.name[0])
		gw_strlcpy(r->broke.name,
			   "over-saturation (flows in flight "
			   "grew steadily)",
			   sizeof(r->broke.name));
	/* an over-saturated probe failed, whatever its thresholds said */
	r->outcome = gw_check_outcome(gw_check_passed(&L->checks) &&
					      !(L->aborted && L->sat_abort),
				      0, L->interrupted);
}
