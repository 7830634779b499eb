/*
 * gw_hist_json: a histogram in the JSON report and back, so that reports
 * of several machines merge exactly.
 *
 * Two objects per operation:
 *   "percentiles"  the seed's keys in the seed's order, in ms: p50, p95,
 *                  p99, min, max, mean, count, stddev;
 *   "histogram"    the non-zero buckets as [index, count] pairs (gw_hist's
 *                  layout, ns) with the exact n/min/max/mean/M2, from which
 *                  gw_hist_json_add rebuilds the histogram and adds it
 *                  (gw_hist_add semantics: buckets summed, moments merged
 *                  with Chan's formula).
 *
 * A leaf of the report family: the report writer, the merge and the HTML
 * page use it, and it needs nothing but gw_hist and Jansson.
 */
#ifndef GW_HIST_JSON_H
#define GW_HIST_JSON_H

struct gw_hist;
struct json_t;

/* New objects the caller owns (aborts on OOM, as Jansson's packers). */
struct json_t *gw_hist_json_percentiles(const struct gw_hist *h);
struct json_t *gw_hist_json_buckets(const struct gw_hist *h);
/*
 * Add a "histogram" object into h (initialised by the caller).  Returns
 * 0, or -1 if it is malformed (buckets that do not add up to count,
 * indices out of range); h is unchanged then.
 */
int gw_hist_json_add(struct gw_hist *h, const struct json_t *histogram);

#endif /* GW_HIST_JSON_H */
