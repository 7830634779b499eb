/*
 * gwstress: stress tester for the Solace Agent Mesh HTTP SSE gateway.
 *
 * main() is the pipeline, in the order that keeps every user error cheap:
 *
 *   command line -> configuration -> selection, report paths, token
 *     (gw_cli, gw_config; any problem exits 2 before anything runs)
 *   -> signals, HTTP -> the gateway (gw_target: gwsim or the URL; an
 *     unreachable gateway exits 3) -> the metrics endpoint (gw_prom,
 *     --metrics-listen: an address that cannot be bound exits 2) -> the
 *     worker pool (gw_engine)
 *   -> every selected scenario (gw_run) -> HTML and JUnit -> the tally.
 *
 * Exit codes: 0 all passed, 1 a check failed (or a report could not be
 * written), 2 usage or configuration error, 3 target unreachable at
 * start, 130/143 interrupted by SIGINT/SIGTERM (reports still written).
 */
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw_atomic.h"
#include "gw_catalogue.h"
#include "gw_cli.h"
#include "gw_config.h"
#include "gw_engine.h"
#include "gw_html.h"
#include "gw_http.h"
#include "gw_junit.h"
#include "gw_load.h"
#include "gw_fleet.h"
#include "gw_merge.h"
#include "gw_prom.h"
#include "gw_rejudge.h"
#include "gw_report.h"
#include "gw_ring.h"
#include "gw_run.h"
#include "gw_search.h"
#include "gw_scen.h"
#include "gw_target.h"
#include "gw_util.h"
#include "gw_workload.h"

#ifndef GW_VERSION
#define GW_VERSION "0.1.0"
#endif

enum {
	EXIT_PASS = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,
	EXIT_ABORTED = 4,
	EXIT_INVALID = 5,
	EXIT_NO_CAPACITY = 6,
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	if (got_signal)
		_exit(128 + sig); /* second Ctrl-C: leave at once */
	got_signal = sig;
	gw_request_stop();
}

static void list_catalogue(void)
{
	size_t n;
	const struct gw_scen_def *cat = gw_catalogue_get(&n);

	for (size_t i = 0; i < n; i++)
		printf("%-56s [%s]\n    %s\n", cat[i].name, cat[i].markers,
		       cat[i].what);
}

/*
 * Each worker holds up to three descriptors: its socket and the
 * socketpair libcurl's internal multi handle keeps for wake-ups.  Raise the
 * soft limit to what the pool needs (and the hard limit too, when we are
 * allowed to); warn when it stays too low, before anything runs.
 */
/* The hard descriptor limit, for messages. */
static int hard_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max > INT_MAX)
		return INT_MAX;
	return (int)rl.rlim_max;
}

static void raise_nofile(int workers)
{
	rlim_t need = (rlim_t)workers * 3 + 256;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
		return;
	if (rl.rlim_max < need) {
		struct rlimit up = { need, need };

		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			return;
	}
	rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < need)
		gw_warn("%d workers need about %llu file descriptors, the limit "
			"is %llu: raise it (ulimit -n) or expect connect errors",
			workers, (unsigned long long)need,
			(unsigned long long)rl.rlim_cur);
}

static int worker_count(const struct gw_config *cfg, const struct gw_cli *c,
			const struct gw_workload *wl)
{
	size_t n;
	const struct gw_scen_def *cat = gw_catalogue_get(&n);
	int need = 1;

	if (cfg->engine.workers > 0)
		return (int)cfg->engine.workers;
	if (wl && c->mode == GW_MODE_SEARCH)
		return gw_search_pool(wl);
	if (wl)
		return gw_workload_pool(wl);
	for (size_t i = 0; i < n; i++)
		if (gw_cli_selected(c, &cat[i])) {
			int k = gw_scen_def_need(&cat[i], cfg);

			if (k > need)
				need = k;
		}
	return need;
}

/* Nothing to run, or a report that could not be written: usage errors,
 * found before anything starts. */
/* A workload run's or a search's report: --report PATH as it is, else
 * <report.dir>/load_report_<name>.json (search_report_ for a search). */
static int load_report_path(const struct gw_config *cfg,
			    const struct gw_workload *wl, const char *kind,
			    char *out, size_t n)
{
	int k = cfg->report.path[0] ? snprintf(out, n, "%s", cfg->report.path)
				    : snprintf(out, n, "%s/%s_report_%s.json",
					       cfg->report.dir, kind, wl->name);

	return k < 0 || (size_t)k >= n ? -1 : 0;
}

static int check_outputs(const struct gw_cli *c, const struct gw_config *cfg,
			 const struct gw_workload *wl)
{
	size_t n, nsel = 0;
	const struct gw_scen_def *cat = gw_catalogue_get(&n);
	char first[1024];

	for (size_t i = 0; i < n && !wl; i++)
		nsel += gw_cli_selected(c, &cat[i]);
	if (!nsel && !wl)
		return gw_error("no scenario matches the -s/-m selection "
				"(see --list)");
	if ((wl ? load_report_path(cfg, wl, c->mode_name, first, sizeof(first))
		: gw_report_path(cfg, cat[0].name, first, sizeof(first))) < 0 ||
	    gw_atomic_probe(first) < 0 ||
	    (c->junit && gw_atomic_probe(c->junit) < 0) ||
	    (c->html && gw_atomic_probe(c->html) < 0) ||
	    (c->csv && gw_atomic_probe(c->csv) < 0))
		return -1;
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The pool, sized from the selection, and the banner.  Returns 0 or -1. */
static int start_engine(struct gw_engine *e, const struct gw_cli *c,
			const struct gw_config *cfg, const struct gw_target *t,
			const struct gw_workload *wl, struct gw_prom *prom)
{
	int nworkers = worker_count(cfg, c, wl);
	size_t ring = cfg->engine.ring_size ? (size_t)cfg->engine.ring_size
					    : gw_ring_auto_size(nworkers);
	size_t n, nsel = 0;
	const struct gw_scen_def *cat = gw_catalogue_get(&n);

	raise_nofile(nworkers);
	if (gw_engine_start(e, nworkers,
			    (size_t)cfg->engine.thread_stack_kib * 1024, ring,
			    &t->http) < 0)
		return -1;
	if (prom)
		gw_engine_live(e, &prom->live);
	/* with -q too: with port 0 it is the only way to learn the port */
	if (prom && c->quiet)
		printf("metrics: %s\n", prom->url);
	if (c->quiet) {
		fflush(stdout);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		nsel += gw_cli_selected(c, &cat[i]);
	if (wl)
		printf("gwstress %s: workload %s (%s), %s model over %.0f s, "
		       "%d workers (rings of %zu samples)\n",
		       GW_VERSION, wl->name, wl->file,
		       gw_workload_model_name(wl->model),
		       (double)gw_shape_duration(&wl->shape) / 1e9, e->nworkers,
		       ring);
	else
		printf("gwstress %s: profile %s (%s), %zu scenario%s, %d "
		       "workers (rings of %zu samples)\n",
		       GW_VERSION, cfg->profile.name, cfg->source_file, nsel,
		       nsel == 1 ? "" : "s", e->nworkers, ring);
	if (wl && wl->nshards > 1)
		printf("shard %d of %d (0-based): its share of the users, "
		       "streams and arrivals; merge the %d reports with "
		       "--merge\n",
		       wl->shard, wl->nshards, wl->nshards);
	if (t->bundled)
		printf("target: bundled reference gateway gwsim (pid %ld) at %s "
		       "-- set [target] url or -u to test a real gateway\n",
		       (long)t->sim.pid, t->display);
	else
		printf("target: %s%s%s\n", t->display,
		       t->http.token ? " (bearer token set)" : "",
		       t->http.insecure ? " -- TLS NOT VERIFIED (--insecure): "
					  "anyone in the path can pose as it"
					: "");
	if (!t->mem_pid)
		printf("gateway memory: not measured (use --target-pid on the "
		       "gateway host)\n");
	if (prom)
		printf("metrics: %s (Prometheus text format 0.0.4)\n",
		       prom->url);
	fflush(stdout);
	return 0;
}

/*
 * --metrics-listen: bind the endpoint before the pool starts (so a port
 * in use stops everything with exit 2), labelled with the mode, the
 * target and, for a workload, its flows.  Returns 0 (nothing asked, or
 * started) or -1 with one line.
 */
static int start_metrics(struct gw_prom *p, int *started,
			 const struct gw_cli *c, const struct gw_target *t,
			 const struct gw_workload *wl)
{
	static const char *flows[GW_WL_MAX_FLOWS];
	static char shard[16], shards[16];
	struct gw_prom_labels lab = {
		.mode = c->mode == GW_MODE_SEARCH ? "search"
			: c->mode == GW_MODE_LOAD ? "load"
						  : "catalogue",
		.version = GW_VERSION,
		.target = t->display,
		.shard = shard,
		.shards = shards,
	};
	struct gw_prom_addr a;

	if (!c->metrics_listen)
		return 0;
	/* --shard I/N (load only): shard I; anything else is shard 0 of 1 */
	snprintf(shard, sizeof(shard), "%d",
		 wl && wl->nshards > 1 ? wl->shard : 0);
	snprintf(shards, sizeof(shards), "%d",
		 wl && wl->nshards > 1 ? wl->nshards : 1);
	for (int f = 0; wl && f < wl->nflows; f++)
		flows[f] = wl->flow[f].name;
	lab.flows = wl ? flows : NULL;
	lab.nflows = wl ? wl->nflows : 0;
	if (gw_prom_parse_listen(c->metrics_listen, &a) < 0 ||
	    gw_prom_start(p, &a, &lab) < 0)
		return -1;
	*started = 1;
	return 0;
}

/* The HTML page and the JUnit file, from the reports.  Returns 0, or -1
 * if one could not be written. */
static int write_extras(const struct gw_cli *c, const struct gw_config *cfg,
			const struct gw_target *t, struct gw_result *res,
			size_t n, const char *tool)
{
	json_t **jr = gw_xcalloc(n ? n : 1, sizeof(*jr));
	char title[700];
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		jr[i] = res[i].report;
	snprintf(title, sizeof(title), "%s: profile %s against %s", tool,
		 cfg->profile.name, t->display);
	if (c->junit && gw_junit_write(c->junit, jr, n, tool) < 0)
		rc = -1;
	if (c->html && gw_html_write(c->html, jr, n, title) < 0)
		rc = -1;
	free(jr);
	return rc;
}

/* Every selected scenario in catalogue order, the extra outputs and the
 * tally.  Returns the exit code. */
static int run_all(const struct gw_cli *c, const struct gw_config *cfg,
		   struct gw_engine *e, const struct gw_target *t)
{
	struct gw_run run = { .cfg = cfg,
			      .eng = e,
			      .target = t,
			      .quiet = c->quiet,
			      .shard = c->shard,
			      .nshards = c->nshards };
	size_t ncat, nres = 0;
	const struct gw_scen_def *cat = gw_catalogue_get(&ncat);
	struct gw_result *res = gw_xcalloc(ncat, sizeof(*res));
	int tally[GW_NOUTCOME] = { 0 }, reports_ok = 1;
	char tool[64];
	struct gw_report_ctx rc = { cfg,  t->display, t->bundled,
				    tool, c->shard,   c->nshards };

	snprintf(tool, sizeof(tool), "gwstress %s", GW_VERSION);
	run.progress = cfg->engine.progress && !c->quiet && isatty(2);
	for (size_t i = 0; i < ncat && !gw_stopping(); i++) {
		if (!gw_cli_selected(c, &cat[i]))
			continue;
		tally[gw_run_scenario(&run, &cat[i], &rc, c->quiet,
				      &res[nres])]++;
		reports_ok &= res[nres++].report_ok;
	}
	if (write_extras(c, cfg, t, res, nres, tool) < 0)
		reports_ok = 0;
	for (size_t i = 0; i < nres; i++)
		json_decref(res[i].report);
	free(res);
	printf("gwstress: %d passed, %d failed, %d skipped%s%s\n",
	       tally[GW_PASSED], tally[GW_FAILED], tally[GW_SKIPPED],
	       tally[GW_INTERRUPTED] || gw_stopping() ? ", interrupted" : "",
	       reports_ok ? "" : " (some reports could not be written)");
	return tally[GW_FAILED] || !reports_ok ? EXIT_FAIL : EXIT_PASS;
}

/* What the subcommand needs of the workload file beyond its syntax. */
static int check_mode(const struct gw_cli *c, struct gw_workload *wl)
{
	if (c->mode == GW_MODE_LOAD && !wl->shape.n)
		return gw_error("%s: [load] has no stage (a file for 'gwstress "
				"search'?)",
				wl->file);
	if (c->nshards) {
		wl->shard = c->shard;
		wl->nshards = c->nshards;
	}
	if (c->mode != GW_MODE_SEARCH)
		return 0;
	if (c->axis)
		wl->search.axis = strcmp(c->axis, "rate") ? GW_AXIS_STREAMS
							  : GW_AXIS_RATE;
	if (!wl->search.line)
		wl->search.line = 1; /* the defaults of gw_workload.h */
	if (wl->search.axis == GW_AXIS_STREAMS && wl->probe_flow < 0)
		return gw_error("%s: axis streams needs [load] probe_flow = "
				"NAME (the tasks judged while streams are "
				"held)",
				wl->file);
	if (wl->search.axis == GW_AXIS_STREAMS && wl->probe_rate <= 0)
		return gw_error("%s: axis streams needs [load] probe_rate > 0",
				wl->file);
	if (wl->search.axis == GW_AXIS_STREAMS && wl->hold_flow < 0)
		wl->hold_flow = 0;
	return 0;
}

/* A workload run's console: quiet, or a progress line on a terminal. */
static struct gw_load_opts load_opts(const struct gw_cli *c,
				     const struct gw_config *cfg)
{
	struct gw_load_opts o = { .quiet = c->quiet,
				  .progress = cfg->engine.progress &&
					      !c->quiet && isatty(2) };

	return o;
}

/* A workload run: the report, the extras, the exit code. */
/* A load run's report (saying where) and the --html/--junit extras;
 * -1 when one could not be written (its line already said why). */
static int save_load_outputs(const struct gw_cli *c,
			     const struct gw_config *cfg,
			     const struct gw_workload *wl,
			     const struct gw_target *t, struct gw_result *res,
			     const char *tool)
{
	char path[1024];
	int ok = 1;

	if (load_report_path(cfg, wl, c->mode_name, path, sizeof(path)) < 0 ||
	    gw_atomic_write_json(path, res->report) < 0)
		ok = 0;
	else if (!c->quiet)
		printf("Saved load report to %s\n", path);
	if (write_extras(c, cfg, t, res, 1, tool) < 0)
		ok = 0;
	return ok ? 0 : -1;
}

static int run_load(const struct gw_cli *c, const struct gw_config *cfg,
		    const struct gw_workload *wl, struct gw_engine *e,
		    const struct gw_target *t)
{
	struct gw_load_opts o = load_opts(c, cfg);
	struct gw_load *L = gw_load_create(wl, cfg, e, t);
	const char *at = getenv("GWSTRESS_START_AT_MS");
	struct gw_load_result r;
	struct gw_result res = { 0 };
	char tool[64];
	struct gw_report_ctx rc = { cfg, t->display, t->bundled, tool, 0, 0 };
	int ok = 1;

	if (!L)
		return EXIT_USAGE;
	snprintf(tool, sizeof(tool), "gwstress %s", GW_VERSION);
	if (at)
		o.start_at_ms = strtoll(at, NULL, 10);
	gw_load_run(L, &o, &r);
	res.report = gw_load_report_json(L, &r, &rc);
	if (!c->quiet)
		gw_load_report_console(stdout, L, &r);
	if (save_load_outputs(c, cfg, wl, t, &res, tool) < 0)
		ok = 0;
	if (c->csv && gw_load_report_csv(L, c->csv) < 0)
		ok = 0;
	else if (c->csv && !c->quiet)
		printf("Saved time series CSV to %s\n", c->csv);
	json_decref(res.report);
	gw_load_free(L);
	printf("gwstress load: %s%s%s\n", gw_check_outcome_name(r.outcome),
	       r.aborted ? ", aborted" : "",
	       r.invalid ? ", generator-bound (invalid)" : "");
	if (r.invalid)
		return EXIT_INVALID;
	if (r.aborted)
		return EXIT_ABORTED;
	return r.outcome == GW_FAILED || !ok ? EXIT_FAIL : EXIT_PASS;
}

/*
 * What a run split over n worker processes can serve and write: each
 * process has its own collector, so --metrics-listen ADDR:PORT becomes one
 * endpoint per shard, shard i at PORT + i (gw_fleet passes it on); port 0
 * would leave the ports unknown (the shards' output is not shown).  --csv
 * needs one process's series in memory: a fleet only has the shards'
 * merged JSON.  Returns 0, or -1 with one line (a usage error).
 */
static int fleet_outputs(const struct gw_cli *c, int n)
{
	struct gw_prom_addr a;

	if (c->csv)
		return gw_error("--csv: this run is split over %d worker "
				"processes, and --csv needs one process's "
				"time series ([engine] processes = 1 if "
				"its descriptors allow; the JSON report has "
				"the merged series)",
				n);
	if (!c->metrics_listen)
		return 0;
	if (gw_prom_parse_listen(c->metrics_listen, &a) < 0)
		return -1;
	if (!a.port || a.port + (unsigned)n - 1 > 65535)
		return gw_error("--metrics-listen %s: this run is split over "
				"%d worker processes, each serving its own "
				"metrics at PORT + its shard: name a port "
				"from 1 to %d",
				c->metrics_listen, n, 65536 - n);
	return 0;
}

/* The endpoints of a fleet's shards (see fleet_outputs), as the banner
 * says them. */
static void fleet_metrics_banner(const struct gw_cli *c, int n)
{
	struct gw_prom_addr a;
	char at[sizeof(a.host) + 16];

	if (!c->metrics_listen ||
	    gw_prom_parse_listen(c->metrics_listen, &a) < 0)
		return;
	for (int i = 0; i < n; i++)
		printf("metrics: shard %d at http://%s/metrics\n", i,
		       gw_prom_addr_str(&a, (unsigned)i, at, sizeof(at)));
}

/* A load run split over n local shard processes (gw_fleet). */
static int run_fleet(int n, const struct gw_cli *c, const struct gw_config *cfg,
		     const struct gw_workload *wl, const struct gw_target *t)
{
	struct gw_result res = { 0 };
	char tool[64];
	int code, ok, passed, valid;

	snprintf(tool, sizeof(tool), "gwstress %s", GW_VERSION);
	if (!c->quiet) {
		char why[160];

		if (cfg->engine.processes > 0)
			snprintf(why, sizeof(why), "[engine] processes = %d",
				 n);
		else
			snprintf(why, sizeof(why),
				 "one process's %d-descriptor limit does not "
				 "hold the pool of %d workers",
				 hard_nofile(), gw_workload_pool(wl));
		printf("gwstress %s: workload %s (%s), %s model over %.0f s, "
		       "split over %d worker processes (shards 0..%d of %d, "
		       "merged exactly): %s\n",
		       GW_VERSION, wl->name, wl->file,
		       gw_workload_model_name(wl->model),
		       (double)gw_shape_duration(&wl->shape) / 1e9, n, n - 1, n,
		       why);
		printf("target: %s%s\n", t->display,
		       t->bundled ? " (the bundled gwsim, shared)" : "");
	}
	/* with -q too, as a single process's line */
	fleet_metrics_banner(c, n);
	fflush(stdout);
	res.report = gw_fleet_run(n, c, cfg, wl, t, &code);
	if (!res.report)
		return code ? code : EXIT_FAIL;
	passed = json_is_true(json_object_get(
		json_object_get(res.report, "verdict"), "passed"));
	valid = json_is_true(json_object_get(
		json_object_get(res.report, "generator"), "valid"));
	if (!c->quiet)
		gw_fleet_console(stdout, res.report);
	ok = save_load_outputs(c, cfg, wl, t, &res, tool) == 0;
	printf("gwstress load: %s (%d processes)%s\n",
	       json_is_true(json_object_get(
		       json_object_get(res.report, "metadata"), "interrupted"))
		       ? "interrupted"
	       : passed ? "passed"
			: "failed",
	       n, valid ? "" : ", generator-bound (invalid)");
	json_decref(res.report);
	if (code)
		return code;
	if (!valid)
		return EXIT_INVALID;
	return passed && ok ? EXIT_PASS : EXIT_FAIL;
}

/* A capacity search: every probe, the search report, the exit code. */
static int run_search(const struct gw_cli *c, const struct gw_config *cfg,
		      const struct gw_workload *wl, struct gw_engine *e,
		      const struct gw_target *t)
{
	struct gw_load_opts o = load_opts(c, cfg);
	static struct gw_search s;
	char tool[64], path[1024], dir[1100];
	struct gw_report_ctx rc = { cfg, t->display, t->bundled, tool, 0, 0 };
	json_t *j;
	int ok = 1;

	snprintf(tool, sizeof(tool), "gwstress %s", GW_VERSION);
	if (load_report_path(cfg, wl, c->mode_name, path, sizeof(path)) < 0)
		return EXIT_USAGE;
	snprintf(dir, sizeof(dir), "%s/search_%s", cfg->report.dir, wl->name);
	gw_search_run(&s, wl, cfg, e, t, &o, &rc, dir);
	j = gw_search_json(&s, cfg, &rc);
	if (!c->quiet)
		gw_search_console(stdout, &s);
	if (gw_atomic_write_json(path, j) < 0)
		ok = 0;
	else if (!c->quiet)
		printf("Saved search report to %s (probes in %s/)\n", path,
		       dir);
	if (c->html && gw_html_write(c->html, &j, 1, tool) < 0)
		ok = 0;
	json_decref(j);
	printf("gwstress search: %s", gw_search_end_name(s.end));
	if (s.have_pass)
		printf(", capacity %.2f", s.pass);
	printf("\n");
	switch (s.end) {
	case GW_SEARCH_NONE:
		return EXIT_NO_CAPACITY;
	case GW_SEARCH_INVALID:
		return EXIT_INVALID;
	default:
		return ok ? EXIT_PASS : EXIT_FAIL;
	}
}

int main(int argc, char **argv)
{
	static struct gw_cli cli;
	static struct gw_config cfg;
	static struct gw_target tgt;
	static struct gw_engine eng;
	static struct gw_workload wl;
	static struct gw_prom prom;
	struct gw_workload *w;
	int code = EXIT_UNREACHABLE, engine_started = 0, prom_started = 0;

	gw_progname = "gwstress";
	if (gw_cli_parse(&cli, argc, argv) < 0)
		return EXIT_USAGE;
	if (cli.list) {
		list_catalogue();
		return EXIT_PASS;
	}
	if (cli.merge) {
		int passed = 0;

		if (gw_merge_files(cli.merge, cli.inputs, (size_t)cli.ninputs,
				   gw_rejudge_threshold, &passed) < 0)
			return EXIT_USAGE;
		return passed ? EXIT_PASS : EXIT_FAIL;
	}
	w = cli.mode == GW_MODE_CATALOGUE ? NULL : &wl;
	if (gw_cli_config(&cli, &cfg, w) < 0 || (w && check_mode(&cli, w) < 0))
		return EXIT_USAGE;
	if (cli.verbose)
		gw_config_print(stdout, &cfg);
	if (check_outputs(&cli, &cfg, w) < 0 ||
	    gw_target_token(&tgt, &cfg, cli.token_file) < 0)
		return EXIT_USAGE;

	install_signals();
	if (gw_http_global_init() < 0)
		return EXIT_FAIL;
	if (gw_target_open(&tgt, &cfg) < 0)
		goto out;
	code = EXIT_FAIL;
	if (cli.mode == GW_MODE_LOAD) {
		int n = gw_fleet_size(w, &cfg);

		if (n < 0) {
			code = EXIT_USAGE;
			goto out;
		}
		if (n > 1) {
			code = fleet_outputs(&cli, n) < 0
				       ? EXIT_USAGE
				       : run_fleet(n, &cli, &cfg, w, &tgt);
			goto out;
		}
	}
	code = EXIT_USAGE;
	if (start_metrics(&prom, &prom_started, &cli, &tgt, w) < 0)
		goto out;
	code = EXIT_FAIL;
	if (start_engine(&eng, &cli, &cfg, &tgt, w,
			 prom_started ? &prom : NULL) < 0)
		goto out;
	engine_started = 1;
	code = cli.mode == GW_MODE_SEARCH
		       ? run_search(&cli, &cfg, w, &eng, &tgt)
	       : w ? run_load(&cli, &cfg, w, &eng, &tgt)
		   : run_all(&cli, &cfg, &eng, &tgt);
out:
	/* the endpoint first: it reads the engine's snapshots to the end */
	if (prom_started)
		gw_prom_stop(&prom);
	if (engine_started)
		gw_engine_stop(&eng);
	gw_target_close(&tgt);
	gw_http_global_cleanup();
	if (gw_stopping())
		code = 128 + (got_signal ? got_signal : SIGINT);
	return code;
}
