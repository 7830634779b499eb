/*
 * gw_catalogue: every scenario of the seed harness, in the seed's order
 * (scenarios.md 4), assembled from the lists of the scenario files in
 * src/scenarios/.
 */
#ifndef GW_CATALOGUE_H
#define GW_CATALOGUE_H

#include <stddef.h>

struct gw_scen_def;

/* The whole catalogue; *n receives its length.  Main thread. */
const struct gw_scen_def *gw_catalogue_get(size_t *n);

#endif /* GW_CATALOGUE_H */
