/*
 * gw_check: checks and the outcome (see gw_check.h).  The words of the
 * outcome and of a check's status are spelled once, in the tables below:
 * the JSON report's values on the left, the console's on the right.
 */
#include "gw_check.h"
#include "gw_metrics.h"
#include "gw_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct gw_check *new_check(struct gw_checks *k, const char *name,
				  const char *cmp, double measured,
				  double limit, const char *unit)
{
	struct gw_check *c;

	if (k->n >= GW_MAX_CHECKS)
		gw_die(70, "internal: more than %d checks in a scenario",
		       GW_MAX_CHECKS);
	c = &k->c[k->n++];
	memset(c, 0, sizeof(*c));
	gw_strlcpy(c->name, name, sizeof(c->name));
	gw_strlcpy(c->cmp, cmp, sizeof(c->cmp));
	gw_strlcpy(c->unit, unit ? unit : "", sizeof(c->unit));
	c->measured = measured;
	c->limit = limit;
	return c;
}

struct gw_check *gw_check_add(struct gw_checks *k, const char *name,
			      const char *cmp, double measured, double limit,
			      const char *unit, int ok)
{
	struct gw_check *c = new_check(k, name, cmp, measured, limit, unit);

	c->status = ok ? GW_CHECK_PASS : GW_CHECK_FAIL;
	if (!ok)
		snprintf(c->note, sizeof(c->note),
			 "%s = %g%s, expected %s %g%s", name, measured, c->unit,
			 cmp, limit, c->unit);
	return c;
}

static void add_cmp(struct gw_checks *k, const char *name, const char *cmp,
		    double measured, double limit, const char *unit, int ok)
{
	gw_check_add(k, name, cmp, measured, limit, unit, ok);
}

void gw_check_lt(struct gw_checks *k, const char *name, double measured,
		 double limit, const char *unit)
{
	add_cmp(k, name, "<", measured, limit, unit, measured < limit);
}

void gw_check_le(struct gw_checks *k, const char *name, double measured,
		 double limit, const char *unit)
{
	add_cmp(k, name, "<=", measured, limit, unit, measured <= limit);
}

void gw_check_ge(struct gw_checks *k, const char *name, double measured,
		 double limit, const char *unit)
{
	add_cmp(k, name, ">=", measured, limit, unit, measured >= limit);
}

void gw_check_gt(struct gw_checks *k, const char *name, double measured,
		 double limit, const char *unit)
{
	add_cmp(k, name, ">", measured, limit, unit, measured > limit);
}

void gw_check_eq(struct gw_checks *k, const char *name, double measured,
		 double expected, const char *unit)
{
	add_cmp(k, name, "==", measured, expected, unit, measured == expected);
}

void gw_check_skip(struct gw_checks *k, const char *name, const char *why)
{
	struct gw_check *c = new_check(k, name, "", 0, 0, "");

	c->status = GW_CHECK_SKIP;
	gw_strlcpy(c->note, why, sizeof(c->note));
}

void gw_check_p99(struct gw_checks *k, const struct gw_metrics *m, int op,
		  double limit_ms)
{
	char name[96];

	snprintf(name, sizeof(name), "p99(%s)", m->op[op].name);
	if (gw_metrics_count(m, op) == 0) {
		gw_check_skip(k, name,
			      "no samples: the operation never "
			      "completed");
		return;
	}
	gw_check_lt(k, name, gw_metrics_quantile_ms(m, op, 0.99), limit_ms,
		    "ms");
	gw_check_merge(k, GW_MERGE_QUANTILE, m->op[op].name, 0.99);
}

static const char *const merge_names[] = {
	[GW_MERGE_ALL] = "all",
	[GW_MERGE_QUANTILE] = "quantile",
	[GW_MERGE_ERROR_RATE] = "error_rate",
	[GW_MERGE_RATIO] = "ratio",
	[GW_MERGE_SUM] = "sum",
	[GW_MERGE_MAX] = "max",
	[GW_MERGE_THRESHOLD] = "threshold",
};

void gw_check_merge(struct gw_checks *k, enum gw_check_merge how,
		    const char *arg, double q)
{
	struct gw_check *c;

	if (!k->n)
		return;
	c = &k->c[k->n - 1];
	c->merge = how;
	c->merge_q = q;
	gw_strlcpy(c->merge_arg, arg ? arg : "", sizeof(c->merge_arg));
}

const char *gw_check_merge_name(enum gw_check_merge how)
{
	return (unsigned)how < GW_ARRAY_SIZE(merge_names) ? merge_names[how]
							  : "all";
}

int gw_check_merge_parse(const char *name)
{
	for (size_t i = 0; name && i < GW_ARRAY_SIZE(merge_names); i++)
		if (!strcmp(name, merge_names[i]))
			return (int)i;
	return -1;
}

void gw_check_note(struct gw_checks *k, const char *fmt, ...)
{
	struct gw_check *c;
	va_list ap;

	if (!k->n)
		return;
	c = &k->c[k->n - 1];
	if (c->status != GW_CHECK_FAIL)
		return;
	va_start(ap, fmt);
	vsnprintf(c->note, sizeof(c->note), fmt, ap);
	va_end(ap);
}

int gw_check_passed(const struct gw_checks *k)
{
	for (int i = 0; i < k->n; i++)
		if (k->c[i].status == GW_CHECK_FAIL)
			return 0;
	return 1;
}

enum gw_outcome gw_check_outcome(int passed, int skipped, int interrupted)
{
	if (interrupted)
		return GW_INTERRUPTED;
	if (skipped)
		return GW_SKIPPED;
	return passed ? GW_PASSED : GW_FAILED;
}

static const char *const outcome_words[GW_NOUTCOME][2] = {
	[GW_PASSED] = { "passed", "PASSED" },
	[GW_FAILED] = { "failed", "FAILED" },
	[GW_SKIPPED] = { "skipped", "SKIPPED" },
	[GW_INTERRUPTED] = { "interrupted", "INTERRUPTED" },
};

static const char *const status_words[][2] = {
	[GW_CHECK_PASS] = { "pass", "PASS" },
	[GW_CHECK_FAIL] = { "fail", "FAIL" },
	[GW_CHECK_SKIP] = { "skipped", "SKIP" },
};

const char *gw_check_outcome_name(enum gw_outcome o)
{
	return outcome_words[o][0];
}

const char *gw_check_outcome_word(enum gw_outcome o)
{
	return outcome_words[o][1];
}

const char *gw_check_status_name(enum gw_check_status st)
{
	return status_words[st][0];
}

const char *gw_check_status_tag(enum gw_check_status st)
{
	return status_words[st][1];
}
