/*
 * gw_prom: the live metrics endpoint (--metrics-listen ADDR:PORT) -- GET
 * /metrics in the Prometheus text exposition format while a run goes, in
 * every mode (catalogue, load, search).
 *
 *   Prometheus ──GET /metrics──▶ libmicrohttpd's one internal thread
 *                                  │ gw_live_request / wait (<= 500 ms)
 *                                  ▼
 *        collector (gw_engine) builds a snapshot ─▶ triple buffer (gw_live)
 *                                  │ gw_live_read
 *                                  ▼
 *                      gw_prom_format ─▶ text/plain; version=0.0.4
 *
 * The hot path never sees it: the workers keep their single-writer
 * counters and rings as ever, the collector builds a snapshot only when
 * a scrape asks (gw_live.h), and this thread formats text from its own
 * copy.  One internal thread (no thread pool, no thread per connection)
 * because gw_live has one reader; epoll because by the time a scraper
 * connects thousands of descriptors are open (select stops at 1024).
 *
 * Format: Prometheus text format 0.0.4 whatever the scraper's Accept
 * header asks (the content negotiation lets a server answer with any
 * format the client lists, and Prometheus, promtool, Grafana Agent,
 * VictoriaMetrics and the OpenTelemetry collector all read 0.0.4).
 * OpenMetrics would add nothing these series use -- no exemplars, no
 * created timestamps, no info or stateset types -- and cost a second
 * writer to keep right (its `_total` handling in TYPE lines, `# EOF`,
 * unit metadata).
 *
 * Series (every run-level one labelled scenario="<name>" in the
 * catalogue or workload="<name>" in load and search -- a probe's name is
 * <name>-probe-NN --, and shard="I" of `gwstress load --shard I/N`, "0"
 * for a run that is not sharded; per-operation ones add
 * operation="<op>" as the JSON report names it and, for a workload
 * flow's own operations, flow="<flow>"):
 *
 *   gwstress_run_info                gauge 1, with mode, version, target,
 *                                    shards (N of --shard I/N)
 *   gwstress_requests_total          counter: attempts, operations that
 *                                    send requests
 *   gwstress_operation_errors_total  counter: failures, every operation
 *   gwstress_errors_total            counter by class="connect|timeout|
 *                                    http_status|protocol|parse|
 *                                    dropped_stream|aborted"
 *   gwstress_latency_seconds         histogram per operation with samples
 *   gwstress_schedule_lag_seconds    histogram (load: open starts)
 *   gwstress_samples_total, gwstress_samples_dropped_total   counters
 *   gwstress_sse_streams_open        gauge
 *   gwstress_flows_in_flight         gauge (load)
 *   gwstress_starts_offered_total, gwstress_starts_dropped_total,
 *   gwstress_starts_late_total, gwstress_flows_started_total,
 *   gwstress_flows_completed_total, gwstress_flows_failed_total,
 *   gwstress_flows_cut_total         counters (load)
 *   gwstress_counts_total           counter by counter="<name>": the
 *                                    report's other counters
 *   gwstress_workers                 gauge: the pool
 *   gwstress_cpu_seconds_total       counter: gwstress's CPU, all threads
 *   gwstress_cpu_cores               gauge: online cores
 *   gwstress_metrics_cpu_seconds_total  counter: this endpoint's own
 *                                    CPU (its thread's, all of it, and
 *                                    the collector's building snapshots)
 *   gwstress_metrics_snapshot_age_seconds  gauge: how old the data is
 *
 * Histogram buckets: le = 0.0001 .. 300 s (gw_live_bounds_ns) and +Inf,
 * cumulative, from the run's HDR-style histogram (a bucket counts when
 * its highest value is <= le); _count is the histogram's sample count
 * (the report's percentiles.count) and _sum their exact sum.  Counters
 * start at 0 with each scenario, workload run or probe, each a series
 * of its own; between two of them the last one's final values are
 * served.
 *
 * Errors: a malformed ADDR:PORT is a usage error naming the option
 * (gw_prom_parse_listen); an address that cannot be bound (in use, not
 * this host's) one line naming the option and the reason
 * (gw_prom_start).  main exits 2 for both, before anything runs.
 *
 * Thread safety: gw_prom_parse_listen, _start and _stop on the main
 * thread; gw_prom_format is pure (any thread, its own buffers).
 */
#ifndef GW_PROM_H
#define GW_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "gw_live.h"

struct MHD_Daemon;

/* A parsed ADDR:PORT. */
struct gw_prom_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char host[64]; /* as written, IPv6 without brackets */
	unsigned port;
};

/* What the run is, for labels: set by main before gw_prom_start. */
struct gw_prom_labels {
	const char *mode;	  /* "catalogue", "load" or "search" */
	const char *version;	  /* gwstress's */
	const char *target;	  /* the gateway's URL as displayed */
	const char *shard;	  /* --shard I/N's I, "0" without one */
	const char *shards;	  /* ... its N, "1" without one */
	const char *const *flows; /* a workload's flow names, or NULL */
	int nflows;
};

/* The process's own figures, read at each scrape. */
struct gw_prom_self {
	double cpu_s;	       /* user + system, every thread */
	int ncpu;	       /* online cores */
	double endpoint_cpu_s; /* the endpoint thread's, all of it */
	int64_t now_ns;	       /* CLOCK_MONOTONIC */
};

struct gw_prom {
	struct MHD_Daemon *d;
	struct gw_live live; /* the collector's snapshots */
	struct gw_prom_labels lab;
	struct gw_prom_addr addr; /* port: the bound one once started */
	char url[96];		  /* http://ADDR:PORT/metrics */
	uint64_t scrapes;	  /* the endpoint thread's */
};

/*
 * Parse "ADDR:PORT" -- an IPv4 literal (127.0.0.1, 0.0.0.0) or a
 * bracketed IPv6 one ([::1]), PORT 0..65535 (0: any free port) -- into
 * a.  No name is looked up.  Returns 0, or -1 with one line naming the
 * option.
 */
int gw_prom_parse_listen(const char *arg, struct gw_prom_addr *a);

/* a's host and port + off as written on a command line or in a URL,
 * "127.0.0.1:9464" or "[::1]:9464", into buf (n bytes); returns buf. */
char *gw_prom_addr_str(const struct gw_prom_addr *a, unsigned off, char *buf,
		       size_t n);

/*
 * Bind a (close-on-exec), start the endpoint's thread, fill p->url with
 * the bound port.  lab is copied (its strings borrowed: they must outlive
 * p).  Hand &p->live to the engine (gw_engine_live) to serve data.
 * Returns 0, or -1 with one line naming the option and the reason
 * ("Address already in use").
 */
int gw_prom_start(struct gw_prom *p, const struct gw_prom_addr *a,
		  const struct gw_prom_labels *lab);
/* Stop the thread and close the socket; NULL-safe, idempotent. */
void gw_prom_stop(struct gw_prom *p);

/*
 * The exposition text of snapshot sn (NULL: no run yet) for lab and self
 * into *out (malloc'd, the caller frees; NUL-terminated), its length in
 * *len.  Returns 0, or -1 when memory runs out or the text would exceed
 * GW_PROM_MAX_BYTES (nothing returned).
 */
#define GW_PROM_MAX_BYTES (16u << 20)
int gw_prom_format(const struct gw_prom_labels *lab,
		   const struct gw_live_snap *sn,
		   const struct gw_prom_self *self, char **out, size_t *len);

#endif /* GW_PROM_H */
