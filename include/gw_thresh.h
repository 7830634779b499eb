/*
 * gw_thresh: service-level thresholds written as expressions, judged
 * over a whole run or window by window, optionally aborting the run.
 *
 *   expr   := metric [stat] cmp number [unit] [per window [for DUR]]
 *             [abort [after DUR]]
 *   metric := an operation's name (letters, digits and _ . / -), or a run
 *             metric (error_rate, dropped_starts, ...: see
 *             gw_thresh_run_metrics)
 *   stat   := p50 | p90 | p95 | p99 | p99.9 | p<q> (0 < q < 100) | mean |
 *             min | max | count | rate           (operations only)
 *   cmp    := <  <=  >  >=  ==
 *   unit   := ns us ms s (times; an operation's stat is a time except for
 *             count and rate) | % (a run metric that is a fraction) | /s
 *   DUR    := a number with ms, s, m or h
 *
 * For example:
 *   sse_first_event p99 < 2000 ms
 *   ttfe p99 < 2 s per window for 10 s abort
 *   error_rate < 1 %
 *   dropped_starts == 0
 *   task_duration p95 <= 30 s abort after 60 s
 *
 * A stat defaults to p99 for an operation; a time without a unit is in
 * milliseconds (the profile's convention).  Values are kept in base units:
 * ns for times, a fraction for %, per second for rates.
 *
 * Judging:
 *   - whole run (the default): once, on all the run's data;
 *   - per window: each closed window on its own data; the threshold fails
 *     when the condition is false in every window of a span of at least
 *     DUR (ceil(DUR / window) consecutive windows; without `for`, one
 *     window).  Windows without data for the metric neither pass nor fail
 *     the span: they end it.  The share of judged windows that met the
 *     condition is reported (Gatling Enterprise's "% of seconds met");
 *   - abort: as soon as the threshold fails -- a whole-run one judged on
 *     the data so far at every window, after DUR from the start -- the
 *     run stops (reports written, its own exit code).
 * A threshold on a metric that was never recorded fails: it never passes
 * by default (unlike k6's #1526).
 *
 * Thread safety: none needed (the main thread owns the thresholds and
 * their state).
 */
#ifndef GW_THRESH_H
#define GW_THRESH_H

#include <stddef.h>
#include <stdint.h>

struct gw_hist;

enum gw_thresh_stat {
	GW_TS_QUANTILE, /* q */
	GW_TS_MEAN,
	GW_TS_MIN,
	GW_TS_MAX,
	GW_TS_COUNT,
	GW_TS_RATE, /* count per second of the scope */
	GW_TS_VALUE /* a run metric */
};

enum gw_thresh_cmp { GW_TC_LT, GW_TC_LE, GW_TC_GT, GW_TC_GE, GW_TC_EQ };

/* What the limit's number means, for messages and units. */
enum gw_thresh_kind { GW_TK_TIME, GW_TK_FRACTION, GW_TK_RATE, GW_TK_COUNT };

struct gw_thresh {
	char text[200]; /* as written, trimmed: names the check */
	char metric[48];
	enum gw_thresh_stat stat;
	double q; /* GW_TS_QUANTILE: 0.99 for p99 */
	enum gw_thresh_cmp cmp;
	double limit; /* in base units */
	enum gw_thresh_kind kind;
	/* what gw_thresh_format prints after the number: a time's unit as
	 * written ("ms" when none was), "%" when written, "/s" for a rate,
	 * else "" */
	char unit[4];
	int per_window;
	int64_t for_ns; /* per window: the span; 0 = one window */
	int abort;
	int64_t after_ns; /* abort: not before this long from the start */
};

/*
 * The run metrics, NULL-terminated: names read through gw_thresh_src's
 * value() instead of a histogram.  They take no stat (GW_TS_VALUE); any
 * other name is an operation.
 *   error_rate        fraction: errors / attempts (% or no unit)
 *   dropped_starts    count: starts dropped (no unit)
 *   late_starts       count: starts sent after their intended time
 *   dropped_rate      fraction of the offered starts dropped (% or none)
 *   achieved_rate     flows/s (/s or no unit)
 *   started           count: flows started
 *   completed         count: flows completed
 *   ring_drops        count: samples dropped on full rings
 *   memory_growth_mb  MB the process grew by (no unit; GW_TK_COUNT)
 */
extern const char *const gw_thresh_run_metrics[];

/*
 * Parse text into t.  Returns 0, or -1 with a one-line reason in err
 * ("expected a comparison after 'p99'", "unknown unit 'mss'", ...).
 * Metric names are not checked here (the caller knows which exist).
 */
int gw_thresh_parse(struct gw_thresh *t, const char *text, char *err,
		    size_t errlen);

/* Where a threshold reads its data: a whole run or one window. */
struct gw_thresh_src {
	/* The histogram (ns) of operation `name` in this scope, or NULL when
	 * it has no samples here. */
	const struct gw_hist *(*hist)(void *ud, const char *name);
	/* Run metric `name`: 0 with *v, or -1 when it was not recorded. */
	int (*value)(void *ud, const char *name, double *v);
	double seconds; /* the scope's length, for rate */
	void *ud;
};

/*
 * The measured value of t in src, in base units: 0 with *v, or -1 when
 * the metric has no data there.  Operations are tried first (hist),
 * then run metrics (value).
 */
int gw_thresh_measure(const struct gw_thresh *t,
		      const struct gw_thresh_src *src, double *v);
/* Does v meet t's condition? */
int gw_thresh_holds(const struct gw_thresh *t, double v);

/* Progress of a per-window threshold through the run. */
struct gw_thresh_state {
	int judged;	    /* windows with data */
	int met;	    /* ... where the condition held */
	int run;	    /* current span of failing windows */
	int need;	    /* windows a failing span must last */
	int failed;	    /* the span rule failed the threshold */
	int first_fail_win; /* window where it failed, -1 */
	double worst;	    /* value of the worst judged window */
	int have_worst;
};

/* Start judging t with windows of win_ns. */
void gw_thresh_state_init(struct gw_thresh_state *st, const struct gw_thresh *t,
			  int64_t win_ns);
/*
 * Judge window `win` (data in src).  Returns 1 when this window makes
 * the threshold fail (the first time), else 0.
 */
int gw_thresh_window(const struct gw_thresh *t, struct gw_thresh_state *st,
		     const struct gw_thresh_src *src, int win);

/* "2000 ms", "1 %", "35.5 /s": v in t's units, for messages. */
void gw_thresh_format(const struct gw_thresh *t, double v, char *out, size_t n);

/* ---- the statistics a capacity search decides with ---------------- */

/*
 * The distribution-free 95 % interval of quantile q (0 < q < 1) over h's
 * samples: the order statistics at ranks n*q -+ 1.96 sqrt(n q (1 - q))
 * (the binomial's normal approximation), read from the histogram (so at
 * its 0.1 % precision), ns.  Returns 0, or -1 when h has no sample.
 */
int gw_thresh_quantile_interval(const struct gw_hist *h, double q, double *lo,
				double *hi);
/* Wilson's 95 % interval of a proportion: k events of n trials (n > 0). */
void gw_thresh_wilson(double k, double n, double *lo, double *hi);
/* Samples quantile q needs for its distribution-free 95 % interval to
 * exist: ceil(ln(0.025) / ln(q)), 368 for p99 (guidellm's rule). */
double gw_thresh_samples_needed(double q);

#endif /* GW_THRESH_H */
