/*
 * gw_html: one self-contained HTML page for a run (--html PATH): the
 * tally, a table of every scenario with its verdict, and per scenario its
 * checks, its latency table and two inline SVG charts drawn from the JSON
 * reports themselves -- latency by percentile (HdrHistogram's "nines"
 * x axis, from the report's histogram buckets, log-scaled ms) and, when
 * measured, the gateway's RSS over time.  No script, no external file,
 * no web font: it opens from a CI artifact store as it is.
 *
 * Built from the reports (json_t *) so what the page shows is exactly what
 * the JSON files say.
 */
#ifndef GW_HTML_H
#define GW_HTML_H

#include <stddef.h>

struct json_t;

/*
 * Write the page for reports[0..n) (json_t *, in run order) to path,
 * atomically.  title names the run (tool and target).  Returns 0, or -1
 * with a message.
 */
int gw_html_write(const char *path, struct json_t *const *reports, size_t n,
		  const char *title);

#endif /* GW_HTML_H */
