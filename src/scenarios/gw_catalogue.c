/*
 * gw_catalogue: every scenario, in the seed's order (scenarios.md 4),
 * assembled from the per-file lists at first use.
 */
#include "gw_sc.h"

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
