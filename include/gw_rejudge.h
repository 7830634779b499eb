/*
 * gw_rejudge: a workload threshold judged again on a merged load report
 * (gw_merge's gw_merge_rejudge_fn), so that N shards' p99 is the p99 of
 * all their samples and a per-window threshold sees every shard's share
 * of each window, exactly as one process running the whole load would
 * have judged it (within histogram precision).
 *
 * The data is the merged report's: the series windows (histograms per
 * operation and the counts of each window, summed over the shards on
 * the wall clock) from series.first_judged on, and for ring_drops and
 * memory_growth_mb the summary and the memory section.
 *
 * Thread safety: none needed (main thread).
 */
#ifndef GW_REJUDGE_H
#define GW_REJUDGE_H

struct json_t;

/*
 * Judge threshold `text` on `merged` and write the outcome into `check`
 * (status, measured, limit, unit, comparison, note).  Returns 0, or -1
 * when text does not parse or the report has no series.
 */
int gw_rejudge_threshold(const struct json_t *merged, const char *text,
			 struct json_t *check);

#endif /* GW_REJUDGE_H */
