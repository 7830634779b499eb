/*
 * gw_merge: combine the JSON reports of one scenario run as shards on
 * several machines (for example by a Kubernetes Job, each pod running
 * gwstress against the same gateway) into one report, exactly.
 *
 * Exact where the data allows it:
 *   - latency: every operation's histogram buckets are added and its
 *     (n, mean, M2) combined with Chan's formula (gw_hist_add), then the
 *     percentiles are recomputed: the same numbers one process recording
 *     all samples would have printed;
 *   - attempts, errors, dropped samples, counters, samples produced /
 *     received / dropped, error classes: summed; error rates recomputed
 *     from the sums;
 *   - throughput: summed (the shards ran at the same time).
 * Not exact, by nature, and documented in the merged report's "merge"
 * object: gauges are summed (the seed's gauges are counts); memory is the
 * shard whose gateway grew most (the worst case, what a leak check wants);
 * duration is the longest shard's; errors are the first 100 by time, each
 * tagged with its shard.  Every check is made again on the merged data
 * as its "merge" object says (gw_check.h: a quantile of the merged
 * histogram, an error rate or ratio of the sums, a sum, the largest, a
 * workload threshold); a check without one must have held on every
 * shard.  Each merged check lists the shards' own results.
 *
 * Thread safety: none needed (main thread, Jansson objects it owns).
 */
#ifndef GW_MERGE_H
#define GW_MERGE_H

#include <stddef.h>

struct json_t;

/*
 * A workload threshold (its text) judged again on the merged report:
 * sets the check object's status, measured, limit, unit and note and
 * returns 0, or -1 when it cannot (the check then must have held on
 * every shard).  The load layer has one (gw_rejudge_threshold); the
 * report layer does not know thresholds.
 */
typedef int (*gw_merge_rejudge_fn)(const struct json_t *merged,
				   const char *text, struct json_t *check);

/*
 * Merge n (>= 1) parsed reports.  Returns a new report the caller owns,
 * or NULL with a one-line reason in err (different scenarios, unknown
 * schema_version, malformed histogram, shards missing or twice).  rj may
 * be NULL.
 */
struct json_t *gw_merge_json(struct json_t *const *reports, size_t n,
			     gw_merge_rejudge_fn rj, char *err, size_t errlen);

/*
 * Load the report files in[0..n), merge them and write `out` atomically;
 * *passed says whether the merged verdict passed.  Returns 0, or -1 with
 * a message naming the offending file.
 */
int gw_merge_files(const char *out, char *const in[], size_t n,
		   gw_merge_rejudge_fn rj, int *passed);

#endif /* GW_MERGE_H */
