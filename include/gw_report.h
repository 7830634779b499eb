/*
 * gw_report: the console summary (the seed's print_summary layout,
 * scenarios.md 3.7, plus sample accounting and the verdict) and the JSON
 * report (the seed's schema, 3.6, plus additions that do not break it).
 *
 * JSON additions, all new keys, none renamed or retyped:
 *   schema_version; metadata.{tool, markers, target, bundled_gateway,
 *   profile, profile_file, interrupted, passed}; summary.{passed,
 *   samples_produced, samples_received, samples_dropped, errors_by_class};
 *   operations.<op>.{attempts, errors, dropped_samples, histogram};
 *   memory.{measured, source, samples}; errors[].error_class;
 *   verdict{passed, checks[]}; config (the effective configuration, no
 *   secrets) and config_sources.
 * The histogram object holds the non-zero buckets ([index, count] pairs)
 * with the exact n/min/max/mean/M2, so reports from several machines merge
 * exactly (gw_hist_add semantics).
 *
 * Files are written atomically (gw_atomic.h): a reader never sees half a
 * report.
 */
#ifndef GW_REPORT_H
#define GW_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "gw_check.h"

struct gw_config;
struct gw_metrics;
struct gw_scen;
struct json_t;

#define GW_REPORT_SCHEMA_VERSION 1

/* Context that is the same for every scenario of a run. */
struct gw_report_ctx {
	const struct gw_config *cfg;
	const char *target; /* redacted URL */
	int bundled;
	const char *tool;   /* "gwstress 0.1.0" */
	int shard, nshards; /* --shard I/N (metadata.shard), 0 0 = none */
};

/* Print the console summary of one scenario. */
void gw_report_console(FILE *f, const struct gw_scen *s);
/* ... its first part, from the metrics alone: the header, latency,
 * throughput, counters, memory and the first errors (a workload run's
 * summary begins the same way). */
void gw_report_console_head(FILE *f, const struct gw_metrics *m);

/* Build the JSON report; the caller owns it. */
struct json_t *gw_report_json(const struct gw_scen *s,
			      const struct gw_report_ctx *c);

/* The sections every report shares, built from metrics: summary,
 * operations, counters, gauges, memory, errors (added to root). */
void gw_report_add_metrics(struct json_t *root, const struct gw_metrics *m,
			   int passed);
/* The verdict object: passed, skip_reason, every check. */
struct json_t *gw_report_verdict(const struct gw_checks *k, int passed,
				 const char *skip_reason);
/* The effective configuration (no secret) and, in *sources, where each
 * non-default key came from. */
struct json_t *gw_report_config(const struct gw_config *cfg,
				struct json_t **sources);

/* The outcome a report records (metadata.interrupted, verdict.skip_reason,
 * verdict.passed): what the HTML page and the JUnit file show. */
enum gw_outcome gw_report_outcome(const struct json_t *report);

/*
 * Path of a scenario's report: with cfg->report.path "dir/base.ext" it is
 * "dir/base_<test>.ext" (the seed's splitext rule; no extension stays
 * none), otherwise "<report.dir>/stress_report_<test>.json".  Returns 0,
 * or -1 if it does not fit in n.
 */
int gw_report_path(const struct gw_config *cfg, const char *test_name,
		   char *out, size_t n);

#endif /* GW_REPORT_H */
