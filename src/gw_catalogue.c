/*
 * gw_catalogue: every scenario, in the seed's order (scenarios.md 4),
 * assembled from the per-file lists at first use.
 */
#include "gw_sc.h"

#include <stdio.h>
#include <string.h>

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

static const struct {
	const struct gw_scenario *list;
	const size_t *count;
} parts[] = {
	{ gw_sc_sse_list, &gw_sc_sse_count },
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
