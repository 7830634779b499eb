/*
 * gw_catalogue: every scenario, in the seed's order (scenarios.md 4),
 * assembled from the per-file lists at first use.
 */
#include "gw_sc.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void gw_sc_seed_event_samples(struct gw_worker *w, int op,
			      const struct gw_collect *c)
{
	int64_t total = c->t_end - c->t0;

	for (uint32_t i = 0; i < c->events; i++)
		gw_rec(w, op, total);
}

void gw_sc_check_success(struct gw_scen *s, const char *what, long ok,
			 long n)
{
	double pct = n ? 100.0 * (double)ok / (double)n : 0.0;

	gw_check_ge(s, what, pct,
		    s->run->cfg->thresholds.min_success_rate_percent, "%");
	gw_check_note(s, "%s: %ld of %ld (%.1f%%), need >= %g%%", what, ok, n,
		      pct, s->run->cfg->thresholds.min_success_rate_percent);
}

void gw_pace_init(struct gw_pacer *p, int64_t period_ns, int64_t end_ns)
{
	p->t0 = gw_now_ns();
	p->period = period_ns;
	p->end = end_ns;
	p->k = 0;
}

int gw_pace_next(struct gw_pacer *p, int64_t *intended)
{
	int64_t due = p->t0 + (int64_t)p->k * p->period;
	int64_t now = gw_now_ns();

	if (p->end && due >= p->end)
		return -1;
	if (due > now && gw_sleep_ns(due - now) < 0)
		return -1;
	if (gw_stopping())
		return -1;
	p->k++;
	*intended = due;
	return 0;
}

void gw_sc_gate(_Atomic int *n, int count, int64_t max_ns)
{
	int64_t end = gw_now_ns() + max_ns;
	struct timespec ts = { 0, 200 * 1000 };

	atomic_fetch_add(n, 1);
	while (atomic_load(n) < count && gw_now_ns() < end && !gw_stopping())
		nanosleep(&ts, NULL);
}

int gw_sc_health(struct gw_worker *w, struct gw_scen *s, int op)
{
	struct gw_http_result r;

	return gw_rest(w, s, op, "GET", "/health", NULL, &r) == 0;
}

static const struct {
	const struct gw_scenario *list;
	const size_t *count;
} parts[] = {
	{ gw_sc_sse_list, &gw_sc_sse_count },
	{ gw_sc_isolation_list, &gw_sc_isolation_count },
	{ gw_sc_artifacts_list, &gw_sc_artifacts_count },
	{ gw_sc_sessions_list, &gw_sc_sessions_count },
	{ gw_sc_soak_list, &gw_sc_soak_count },
	{ gw_sc_system_list, &gw_sc_system_count },
};

static struct gw_scenario all[64];
static size_t nall;

const struct gw_scenario *gw_catalogue_get(size_t *n)
{
	if (!nall)
		for (size_t p = 0; p < GW_ARRAY_SIZE(parts); p++)
			for (size_t i = 0; i < *parts[p].count &&
					   nall < GW_ARRAY_SIZE(all); i++)
				all[nall++] = parts[p].list[i];
	*n = nall;
	return all;
}
