/*
 * gwstress: stress tester for the Solace Agent Mesh HTTP SSE gateway.
 *
 * main() is the setup sequence, in the order that keeps every user error
 * cheap: parse the command line, build and validate the configuration
 * (defaults < INI < environment < CLI), select scenarios, probe the report
 * path, and only then start the bundled gateway (or reach the given one),
 * the engine, and the scenarios.  Anything wrong before the first request
 * exits 2 (usage/config) or 3 (target unreachable) without running.
 *
 * Exit codes: 0 all passed, 1 a check failed (or a report could not be
 * written), 2 usage or configuration error, 3 target unreachable at
 * start, 130/143 interrupted by SIGINT/SIGTERM (reports still written).
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "gw_atomic.h"
#include "gw_catalogue.h"
#include "gw_config.h"
#include "gw_engine.h"
#include "gw_html.h"
#include "gw_http.h"
#include "gw_junit.h"
#include "gw_merge.h"
#include "gw_report.h"
#include "gw_ring.h"
#include "gw_run.h"
#include "gw_scen.h"
#include "gw_target.h"
#include "gw_util.h"

#ifndef GW_VERSION
#define GW_VERSION "0.1.0"
#endif

enum {
	EXIT_PASS = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3,
};

#define MAX_SEL 64
#define MAX_SETS 64

struct cli {
	const char *config;		/* -c FILE */
	const char *scale;		/* --scale NAME */
	const char *sets[MAX_SETS][4];	/* section, key, value, flag */
	int nsets;
	const char *sel[MAX_SEL];	/* -s */
	int nsel;
	const char *markers[MAX_SEL];	/* -m */
	int nmarkers;
	const char *token_file;		/* --token-file */
	const char *junit;		/* --junit PATH */
	const char *html;		/* --html PATH */
	const char *merge;		/* --merge OUT, inputs follow */
	char **inputs;
	int ninputs;
	int list, verbose, quiet;
	char setbuf[MAX_SETS][GW_INI_LINE_MAX + 64];
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	if (got_signal)
		_exit(128 + sig);	/* second Ctrl-C: leave at once */
	got_signal = sig;
	gw_request_stop();
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: gwstress [options]\n"
"\n"
"Stress-tests a Solace Agent Mesh HTTP SSE gateway (or the bundled\n"
"reference gateway when no URL is configured) and passes or fails each\n"
"scenario against the profile's thresholds.\n"
"\n"
"  -c, --config FILE      profile INI file (default: conf/<scale>.ini)\n"
"      --scale NAME       smoke, small, medium, large or soak (default small)\n"
"  -u, --url URL          gateway base URL, e.g. http://127.0.0.1:8000\n"
"      --agent NAME       metadata.agent_name of submitted tasks\n"
"      --token-env VAR    environment variable holding a bearer token\n"
"      --token-file FILE  read the bearer token from FILE (first line)\n"
"      --report PATH      write reports as PATH's base_<scenario>.ext\n"
"      --report-dir DIR   directory of the default report files\n"
"      --junit PATH       also write a JUnit XML file for CI systems\n"
"      --html PATH        also write an HTML page with charts\n"
"      --merge OUT IN...  merge shard reports of one scenario into OUT\n"
"      --duration S       override [profile] test_duration_seconds\n"
"      --soak-duration S  override [profile] soak_duration_seconds\n"
"      --target-pid PID   sample this gateway process's memory (same host)\n"
"      --workers N        worker threads (0 = sized from the profile)\n"
"      --set SEC.KEY=VAL  override any INI key (repeatable)\n"
"  -s, --scenario NAME    run scenarios matching NAME or glob (repeatable)\n"
"  -m, --marker MARKER    run scenarios carrying MARKER (repeatable)\n"
"      --list             list scenarios with markers and exit\n"
"  -v, --verbose          print the effective configuration\n"
"  -q, --quiet            print only the final tally and errors\n"
"  -h, --help             this help\n"
"  -V, --version          print the version\n"
"\n"
"Environment: STRESS_CONCURRENT_SSE, STRESS_CONCURRENT_SESSIONS,\n"
"STRESS_DURATION, STRESS_SOAK_DURATION, STRESS_MAX_P99_LATENCY,\n"
"STRESS_MAX_ERROR_RATE, GWSTRESS_URL, GWSTRESS_AGENT,\n"
"GWSTRESS_TARGET_PID, GWSTRESS_WINDOW_SCALE, GWSTRESS_REPORT_DIR,\n"
"GWSTRESS_TOKEN (default token variable).\n"
"Precedence: command line > environment > INI > defaults.\n"
"\n"
"Exit status: 0 all passed, 1 a check failed, 2 usage or configuration\n"
"error, 3 gateway unreachable, 130/143 interrupted.\n");
}

/* Remember a CLI override as section/key/value (applied last); flag is
 * how the user spelled it, for messages. */
static int add_flag(struct cli *c, const char *flag, const char *sec,
		    const char *key, const char *val)
{
	if (c->nsets >= MAX_SETS)
		return gw_error("too many overrides (max %d)", MAX_SETS);
	c->sets[c->nsets][0] = sec;
	c->sets[c->nsets][1] = key;
	c->sets[c->nsets][2] = val;
	c->sets[c->nsets][3] = flag;
	c->nsets++;
	return 0;
}

#define add_set(c, sec, key, val) add_flag(c, NULL, sec, key, val)

/* --set section.key=value */
static int add_set_arg(struct cli *c, const char *arg)
{
	char *buf, *dot, *eq;

	if (c->nsets >= MAX_SETS)
		return gw_error("too many --set options (max %d)", MAX_SETS);
	buf = c->setbuf[c->nsets];
	if (gw_strlcpy(buf, arg, sizeof(c->setbuf[0])) >= sizeof(c->setbuf[0]))
		return gw_error("--set %.40s...: too long", arg);
	dot = strchr(buf, '.');
	eq = strchr(buf, '=');
	if (!dot || !eq || dot > eq)
		return gw_error("--set %s: expected SECTION.KEY=VALUE", arg);
	*dot = '\0';
	*eq = '\0';
	return add_set(c, buf, dot + 1, eq + 1);
}

static int parse_cli(int argc, char **argv, struct cli *c)
{
	enum {
		O_SCALE = 256, O_REPORT, O_REPORT_DIR, O_DURATION, O_SOAK,
		O_PID, O_LIST, O_SET, O_AGENT, O_TOKEN_ENV, O_WORKERS,
		O_TOKEN_FILE, O_JUNIT, O_MERGE, O_HTML,
	};
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "scale", required_argument, NULL, O_SCALE },
		{ "url", required_argument, NULL, 'u' },
		{ "agent", required_argument, NULL, O_AGENT },
		{ "token-env", required_argument, NULL, O_TOKEN_ENV },
		{ "token-file", required_argument, NULL, O_TOKEN_FILE },
		{ "junit", required_argument, NULL, O_JUNIT },
		{ "html", required_argument, NULL, O_HTML },
		{ "merge", required_argument, NULL, O_MERGE },
		{ "report", required_argument, NULL, O_REPORT },
		{ "report-dir", required_argument, NULL, O_REPORT_DIR },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "soak-duration", required_argument, NULL, O_SOAK },
		{ "target-pid", required_argument, NULL, O_PID },
		{ "workers", required_argument, NULL, O_WORKERS },
		{ "set", required_argument, NULL, O_SET },
		{ "scenario", required_argument, NULL, 's' },
		{ "marker", required_argument, NULL, 'm' },
		{ "list", no_argument, NULL, O_LIST },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int o, rc = 0;

	opterr = 0;
	while ((o = getopt_long(argc, argv, ":c:u:s:m:vqhV", opts, NULL)) !=
	       -1) {
		switch (o) {
		case 'c': c->config = optarg; break;
		case O_SCALE: c->scale = optarg; break;
		case 'u': rc |= add_flag(c, "-u", "target", "url", optarg); break;
		case O_AGENT:
			rc |= add_flag(c, "--agent", "target", "agent_name", optarg);
			break;
		case O_TOKEN_ENV:
			rc |= add_flag(c, "--token-env", "target", "token_env", optarg);
			break;
		case O_TOKEN_FILE: c->token_file = optarg; break;
		case O_JUNIT: c->junit = optarg; break;
		case O_HTML: c->html = optarg; break;
		case O_MERGE: c->merge = optarg; break;
		case O_REPORT: rc |= add_flag(c, "--report", "report", "path", optarg); break;
		case O_REPORT_DIR:
			rc |= add_flag(c, "--report-dir", "report", "dir", optarg);
			break;
		case O_DURATION:
			rc |= add_flag(c, "--duration", "profile",
				       "test_duration_seconds", optarg);
			break;
		case O_SOAK:
			rc |= add_flag(c, "--soak-duration", "profile",
				       "soak_duration_seconds", optarg);
			break;
		case O_PID: rc |= add_flag(c, "--target-pid", "target", "pid", optarg); break;
		case O_WORKERS:
			rc |= add_flag(c, "--workers", "engine", "workers", optarg);
			break;
		case O_SET: rc |= add_set_arg(c, optarg); break;
		case 's':
			if (c->nsel >= MAX_SEL)
				return gw_error("too many -s options");
			c->sel[c->nsel++] = optarg;
			break;
		case 'm':
			if (c->nmarkers >= MAX_SEL)
				return gw_error("too many -m options");
			c->markers[c->nmarkers++] = optarg;
			break;
		case O_LIST: c->list = 1; break;
		case 'v': c->verbose = 1; break;
		case 'q': c->quiet = 1; break;
		case 'h': usage(stdout); exit(EXIT_PASS);
		case 'V':
			printf("gwstress %s\n", GW_VERSION);
			exit(EXIT_PASS);
		case ':':
			return gw_error("option %s needs a value (see --help)",
					argv[optind - 1]);
		default:
			return gw_error("unknown option %s (see --help)",
					argv[optind - 1]);
		}
	}
	if (c->merge) {
		c->inputs = argv + optind;
		c->ninputs = argc - optind;
		if (!c->ninputs)
			return gw_error("--merge %s: name the reports to merge "
					"after it", c->merge);
	} else if (optind < argc) {
		return gw_error("unexpected argument '%s' (see --help)",
				argv[optind]);
	}
	return rc;
}

/* conf/NAME.ini relative to the working directory, else next to the
 * executable, else <exe>/../conf (an installed layout). */
static int find_profile(const char *scale, char *out, size_t n)
{
	static const char *const dirs[] = { "", "/..", };
	char self[PATH_MAX];

	for (const char *p = scale; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-'))
			return gw_error("--scale %s: expected a profile name "
					"like smoke, small, medium, large, "
					"soak", scale);
	snprintf(out, n, "conf/%s.ini", scale);
	if (access(out, R_OK) == 0)
		return 0;
	for (size_t i = 0; i < GW_ARRAY_SIZE(dirs) &&
			   gw_exe_dir(self, sizeof(self)) == 0; i++) {
		int k = snprintf(out, n, "%s%s/conf/%s.ini", self, dirs[i],
				 scale);

		if (k > 0 && (size_t)k < n && access(out, R_OK) == 0)
			return 0;
	}
	return gw_error("--scale %s: no profile conf/%s.ini (known: smoke, "
			"small, medium, large, soak)", scale, scale);
}

static const char *env_lookup(const char *name)
{
	return getenv(name);
}

static int build_config(const struct cli *c, struct gw_config *cfg)
{
	struct gw_errlist *errs = gw_xcalloc(1, sizeof(*errs));
	char path[PATH_MAX];
	int bad = 0;

	gw_config_defaults(cfg);
	if (c->config) {
		gw_strlcpy(path, c->config, sizeof(path));
	} else if (find_profile(c->scale ? c->scale : "small", path,
				sizeof(path)) < 0) {
		free(errs);
		return -1;
	}
	bad += gw_config_load(cfg, path, errs);
	bad += gw_config_apply_env(cfg, env_lookup, errs);
	for (int i = 0; i < c->nsets; i++) {
		char why[256];
		const struct gw_config_key *k = gw_config_find(c->sets[i][0],
							       c->sets[i][1]);

		if (gw_config_set(cfg, c->sets[i][0], c->sets[i][1],
				  c->sets[i][2], GW_SRC_CLI, why,
				  sizeof(why)) < 0) {
			/* name the flag the user typed */
			if (c->sets[i][3])
				gw_errlist_add(errs, "%s %s: %s", c->sets[i][3],
					       c->sets[i][2], why);
			else
				gw_errlist_add(errs, "--set %s.%s=%s: %s",
					       k ? k->section : c->sets[i][0],
					       c->sets[i][1], c->sets[i][2], why);
			bad++;
		}
	}
	if (!bad)
		bad += gw_config_validate(cfg, errs);
	if (bad)
		gw_errlist_print(errs);
	free(errs);
	return bad ? -1 : 0;
}

static int has_marker(const struct gw_scen_def *d, const char *marker)
{
	size_t n = strlen(marker);

	for (const char *p = d->markers; (p = strstr(p, marker)); p += n)
		if ((p == d->markers || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static int selected(const struct cli *c, const struct gw_scen_def *d)
{
	int name_ok = c->nsel == 0, marker_ok = c->nmarkers == 0;

	/* exact names first: "[5]" would be a glob character class */
	for (int i = 0; i < c->nsel && !name_ok; i++)
		name_ok = !strcmp(c->sel[i], d->name) ||
			  !fnmatch(c->sel[i], d->name, 0);
	for (int i = 0; i < c->nmarkers && !marker_ok; i++)
		marker_ok = has_marker(d, c->markers[i]);
	return name_ok && marker_ok;
}

static void list_catalogue(void)
{
	size_t n;
	const struct gw_scen_def *cat = gw_catalogue_get(&n);

	for (size_t i = 0; i < n; i++)
		printf("%-56s [%s]\n    %s\n", cat[i].name, cat[i].markers,
		       cat[i].what);
}

static void print_config(const struct gw_config *cfg)
{
	printf("Effective configuration (%s):\n",
	       cfg->source_file[0] ? cfg->source_file : "built-in defaults");
	for (size_t i = 0; i < gw_config_nkeys; i++) {
		const struct gw_config_key *k = &gw_config_keys[i];
		const char *base = (const char *)cfg + k->offset;

		printf("  %-12s %-30s = ", k->section, k->name);
		switch (k->type) {
		case GW_KEY_LONG:
			printf("%ld", *(const long *)(const void *)base);
			break;
		case GW_KEY_DOUBLE:
			printf("%g", *(const double *)(const void *)base);
			break;
		case GW_KEY_BOOL:
			printf("%s", *(const int *)(const void *)base ?
					     "true" : "false");
			break;
		default:
			printf("%s", base);
		}
		printf("  (%s)\n", gw_src_name((enum gw_src)cfg->src[i]));
	}
}

/*
 * Each worker holds up to three descriptors: its socket and the
 * socketpair libcurl's internal multi handle keeps for wake-ups.  Raise the
 * soft limit to what the pool needs (and the hard limit too, when we are
 * allowed to); warn when it stays too low, before anything runs.
 */
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

static int worker_count(const struct gw_config *cfg, const struct cli *c)
{
	size_t n;
	const struct gw_scen_def *cat = gw_catalogue_get(&n);
	int need = 1;

	if (cfg->engine.workers > 0)
		return (int)cfg->engine.workers;
	for (size_t i = 0; i < n; i++)
		if (selected(c, &cat[i])) {
			int k = gw_scen_def_need(&cat[i], cfg);

			if (k > need)
				need = k;
		}
	return need;
}

/* Nothing to run, or a report that could not be written: usage errors,
 * found before anything starts. */
static int check_outputs(const struct cli *c, const struct gw_config *cfg)
{
	size_t n, nsel = 0;
	const struct gw_scen_def *cat = gw_catalogue_get(&n);
	char first[1024];

	for (size_t i = 0; i < n; i++)
		nsel += selected(c, &cat[i]);
	if (!nsel)
		return gw_error("no scenario matches the -s/-m selection "
				"(see --list)");
	if (gw_report_path(cfg, cat[0].name, first, sizeof(first)) < 0 ||
	    gw_atomic_probe(first) < 0 ||
	    (c->junit && gw_atomic_probe(c->junit) < 0) ||
	    (c->html && gw_atomic_probe(c->html) < 0))
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
static int start_engine(struct gw_engine *e, const struct cli *c,
			const struct gw_config *cfg,
			const struct gw_target *t)
{
	int nworkers = worker_count(cfg, c);
	size_t ring = cfg->engine.ring_size ? (size_t)cfg->engine.ring_size :
					      gw_ring_auto_size(nworkers);
	size_t n, nsel = 0;
	const struct gw_scen_def *cat = gw_catalogue_get(&n);

	raise_nofile(nworkers);
	if (gw_engine_start(e, nworkers,
			    (size_t)cfg->engine.thread_stack_kib * 1024, ring,
			    &t->http) < 0)
		return -1;
	if (c->quiet)
		return 0;
	for (size_t i = 0; i < n; i++)
		nsel += selected(c, &cat[i]);
	printf("gwstress %s: profile %s (%s), %zu scenario%s, %d workers "
	       "(rings of %zu samples)\n", GW_VERSION, cfg->profile.name,
	       cfg->source_file, nsel, nsel == 1 ? "" : "s", e->nworkers,
	       ring);
	if (t->bundled)
		printf("target: bundled reference gateway gwsim (pid %ld) at %s "
		       "-- set [target] url or -u to test a real gateway\n",
		       (long)t->sim.pid, t->display);
	else
		printf("target: %s%s\n", t->display,
		       t->http.token ? " (bearer token set)" : "");
	if (!t->mem_pid)
		printf("gateway memory: not measured (use --target-pid on the "
		       "gateway host)\n");
	fflush(stdout);
	return 0;
}

/* The HTML page and the JUnit file, from the reports.  Returns 0, or -1
 * if one could not be written. */
static int write_extras(const struct cli *c, const struct gw_config *cfg,
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
static int run_all(const struct cli *c, const struct gw_config *cfg,
		   struct gw_engine *e, const struct gw_target *t)
{
	struct gw_run run = { .cfg = cfg, .eng = e, .target = t,
			      .quiet = c->quiet };
	size_t ncat, nres = 0;
	const struct gw_scen_def *cat = gw_catalogue_get(&ncat);
	struct gw_result *res = gw_xcalloc(ncat, sizeof(*res));
	int tally[GW_NOUTCOME] = { 0 }, reports_ok = 1;
	char tool[64];
	struct gw_report_ctx rc = { cfg, t->display, t->bundled, tool };

	snprintf(tool, sizeof(tool), "gwstress %s", GW_VERSION);
	run.progress = cfg->engine.progress && !c->quiet && isatty(2);
	for (size_t i = 0; i < ncat && !gw_stopping(); i++) {
		if (!selected(c, &cat[i]))
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

int main(int argc, char **argv)
{
	static struct cli cli;
	static struct gw_config cfg;
	static struct gw_target tgt;
	static struct gw_engine eng;
	int code = EXIT_UNREACHABLE, engine_started = 0;

	gw_progname = "gwstress";
	if (parse_cli(argc, argv, &cli) < 0)
		return EXIT_USAGE;
	if (cli.list) {
		list_catalogue();
		return EXIT_PASS;
	}
	if (cli.merge)
		return gw_merge_files(cli.merge, cli.inputs,
				      (size_t)cli.ninputs) < 0 ? EXIT_USAGE :
								 EXIT_PASS;
	if (build_config(&cli, &cfg) < 0)
		return EXIT_USAGE;
	if (cli.verbose)
		print_config(&cfg);
	if (check_outputs(&cli, &cfg) < 0 ||
	    gw_target_token(&tgt, &cfg, cli.token_file) < 0)
		return EXIT_USAGE;

	install_signals();
	if (gw_http_global_init() < 0)
		return EXIT_FAIL;
	if (gw_target_open(&tgt, &cfg) < 0)
		goto out;
	code = EXIT_FAIL;
	if (start_engine(&eng, &cli, &cfg, &tgt) < 0)
		goto out;
	engine_started = 1;
	code = run_all(&cli, &cfg, &eng, &tgt);
out:
	if (engine_started)
		gw_engine_stop(&eng);
	gw_target_close(&tgt);
	gw_http_global_cleanup();
	if (gw_stopping())
		code = 128 + (got_signal ? got_signal : SIGINT);
	return code;
}
