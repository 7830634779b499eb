/*
 * gw_fleet: one `gwstress load` run over several local worker processes,
 * when one process cannot hold its pool.
 *
 * Each pool worker holds one libcurl easy handle, and each handle holds
 * about three descriptors (its socket and the wake-up pair of the multi
 * handle curl_easy_perform makes); the hard RLIMIT_NOFILE is per process
 * (20,000 on the reference machine: about 6,600 workers).  A pool over
 * that is split: the parent runs N copies of itself as --shard 0/N ..
 * N-1/N against the same gateway (the bundled one is started once, by
 * the parent), each with its own pool, rings and collector, all starting
 * at one wall-clock instant (GWSTRESS_START_AT_MS), and merges their
 * reports exactly as a shard merge does (gw_merge, thresholds re-judged
 * on the merged data by gw_rejudge).  The banner says so.
 *
 * [engine] processes overrides the automatic count (1: never split).
 *
 * Thread safety: main thread only, before any worker thread exists.
 */
#ifndef GW_FLEET_H
#define GW_FLEET_H

#include <stdio.h>

struct gw_cli;
struct gw_config;
struct gw_target;
struct gw_workload;
struct json_t;

/* Descriptors one pool worker needs (see above), and those a process
 * keeps for itself (stdio, reports, the collector, the gateway child). */
#define GW_FLEET_FDS_PER_WORKER 3
#define GW_FLEET_FDS_RESERVE 256

/*
 * Processes wl needs: [engine] processes when set, else 1 when the hard
 * descriptor limit holds the pool, else the fewest shards whose pools it
 * holds.  Never more than GW_CLI_MAX_SHARDS.  An outer shard (--shard)
 * is one process: -1 with a message when its pool does not fit.
 */
int gw_fleet_size(const struct gw_workload *wl, const struct gw_config *cfg);

/*
 * Run wl as n shard processes of this executable against target t, wait
 * for them (SIGINT and SIGTERM are passed on: each writes its report,
 * marked interrupted), and merge their reports.  Returns the merged
 * report (the caller owns it; NULL when no shard wrote one) and in *code
 * the exit code the shards' ends call for beyond the verdict: 3 when one
 * found the gateway unreachable, 4 when one aborted, 2 on a usage error,
 * else 0.  The shards' reports stay in dir (reports/.fleet-<pid>) only
 * when the merge fails.
 */
struct json_t *gw_fleet_run(int n, const struct gw_cli *c,
			    const struct gw_config *cfg,
			    const struct gw_workload *wl,
			    const struct gw_target *t, int *code);

/* The merged report's figures and verdict on f (the console's end). */
void gw_fleet_console(FILE *f, const struct json_t *report);

#endif /* GW_FLEET_H */
