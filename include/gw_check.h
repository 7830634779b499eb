/*
 * gw_check: a scenario's assertions and its verdict.  Each check records
 * what was measured, the comparison, the limit and, when it failed or was
 * skipped, a sentence a user understands ("streams that reached their
 * terminal event: 3 of 5 (60.0%), need >= 95%").  The console, the JSON
 * report, the HTML page and the JUnit file all print these same records.
 *
 * A check that could not be made is SKIP, with the reason, never PASS:
 * a p99 of an operation that has no samples, a memory check without a
 * memory source.
 *
 * The outcome of a run is derived here and only here: interrupted wins,
 * then skipped, then passed if no check failed.
 *
 * Thread safety: none needed (the main thread owns a list).
 */
#ifndef GW_CHECK_H
#define GW_CHECK_H

struct gw_metrics;

enum gw_check_status { GW_CHECK_PASS, GW_CHECK_FAIL, GW_CHECK_SKIP };

/*
 * How a check is made again when shard reports merge (gw_merge): on the
 * merged data where that is possible, so that a p99 over all shards is
 * judged, not the AND of the shards' verdicts.
 */
enum gw_check_merge {
	GW_MERGE_ALL,	     /* held on every shard (the default) */
	GW_MERGE_QUANTILE,   /* quantile `q` of operation `arg` (ms) */
	GW_MERGE_ERROR_RATE, /* errors / attempts of operation `arg` (%) */
	GW_MERGE_RATIO,	     /* counter / counter, `arg` "num/den" (%) */
	GW_MERGE_SUM,	     /* measured and limit add up over shards */
	GW_MERGE_MAX,	     /* the largest measured against the limit */
	GW_MERGE_THRESHOLD   /* a workload threshold, `arg` its text */
};

struct gw_check {
	char name[96]; /* e.g. "p99(task_submit)" */
	char cmp[4];   /* "<", "<=", ">=", ">", "==" */
	double limit;
	double measured;
	char unit[8]; /* "ms", "%", "MB", "" */
	enum gw_check_status status;
	char note[200]; /* why it failed or was skipped */
	enum gw_check_merge merge;
	double merge_q;
	char merge_arg[200];
};

#define GW_MAX_CHECKS 32

/* The checks of one scenario, in the order they were made. */
struct gw_checks {
	int n;
	struct gw_check c[GW_MAX_CHECKS];
};

/* How a scenario ended; GW_NOUTCOME sizes a tally. */
enum gw_outcome {
	GW_PASSED,
	GW_FAILED,
	GW_SKIPPED,
	GW_INTERRUPTED,
	GW_NOUTCOME
};

/*
 * Add a check comparing measured with limit.  More than GW_MAX_CHECKS in
 * one list is a programming error and aborts.
 */
void gw_check_lt(struct gw_checks *k, const char *name, double measured,
		 double limit, const char *unit);
void gw_check_le(struct gw_checks *k, const char *name, double measured,
		 double limit, const char *unit);
void gw_check_ge(struct gw_checks *k, const char *name, double measured,
		 double limit, const char *unit);
void gw_check_gt(struct gw_checks *k, const char *name, double measured,
		 double limit, const char *unit);
void gw_check_eq(struct gw_checks *k, const char *name, double measured,
		 double expected, const char *unit);
/* A check whose comparison the caller made (a threshold expression):
 * its cmp is shown, ok decides pass or fail.  Returns it, so the caller
 * can replace its note. */
struct gw_check *gw_check_add(struct gw_checks *k, const char *name,
			      const char *cmp, double measured, double limit,
			      const char *unit, int ok);
/* p99 of op in m < limit_ms; skipped (not passed) when op has no
 * samples. */
void gw_check_p99(struct gw_checks *k, const struct gw_metrics *m, int op,
		  double limit_ms);
/* Say how the most recent check is made again in a shard merge (the
 * default is GW_MERGE_ALL; gw_check_p99 sets its quantile itself). */
void gw_check_merge(struct gw_checks *k, enum gw_check_merge how,
		    const char *arg, double q);
/* "all", "quantile", ... (the report's merge.how), and back: -1 if
 * unknown. */
const char *gw_check_merge_name(enum gw_check_merge how);
int gw_check_merge_parse(const char *name);
/* A check that could not be made, with the reason. */
void gw_check_skip(struct gw_checks *k, const char *name, const char *why);
/* Replace the note of the most recent check, if it failed, by a human
 * explanation. */
void gw_check_note(struct gw_checks *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* 1 if no check failed. */
int gw_check_passed(const struct gw_checks *k);
/* The outcome: interrupted, else skipped (a skip reason for the whole
 * scenario), else passed if `passed` (no check failed), else failed. */
enum gw_outcome gw_check_outcome(int passed, int skipped, int interrupted);

/* "passed", "failed", "skipped", "interrupted" (reports, HTML). */
const char *gw_check_outcome_name(enum gw_outcome o);
/* "PASSED", ... (the console's VERDICT line). */
const char *gw_check_outcome_word(enum gw_outcome o);
/* A check's status in the JSON report: "pass", "fail", "skipped". */
const char *gw_check_status_name(enum gw_check_status st);
/* ... and on the console: "PASS", "FAIL", "SKIP". */
const char *gw_check_status_tag(enum gw_check_status st);

#endif /* GW_CHECK_H */
