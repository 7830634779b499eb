/*
 * gw_catalogue: every scenario, in the seed's order (scenarios.md 4),
 * flattened from the per-file lists at first use.  The flat array has a
 * fixed size so that nothing is allocated for it; a catalogue that
 * outgrows it stops the program at once (a programming error, never a
 * silently shorter run).
 */
#include "gw_catalogue.h"
#include "gw_sc.h"

#define GW_CATALOGUE_MAX 128

static const struct gw_scen_def *const lists[] = {
	gw_sc_sse_list,	     gw_sc_isolation_list, gw_sc_artifacts_list,
	gw_sc_sessions_list, gw_sc_soak_list,	   gw_sc_system_list,
};

static struct gw_scen_def all[GW_CATALOGUE_MAX];
static size_t nall;
static int built;

const struct gw_scen_def *gw_catalogue_get(size_t *n)
{
	for (size_t l = 0; !built && l < GW_ARRAY_SIZE(lists); l++)
		for (const struct gw_scen_def *d = lists[l]; d->name; d++) {
			if (nall == GW_ARRAY_SIZE(all))
				gw_die(70,
				       "internal: more than %d scenarios; "
				       "raise GW_CATALOGUE_MAX",
				       GW_CATALOGUE_MAX);
			all[nall++] = *d;
		}
	built = 1;
	*n = nall;
	return all;
}
