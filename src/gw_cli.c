/*
 * gw_cli: the command line and the configuration it yields (see
 * gw_cli.h).
 *
 * The table below is the only list of options: getopt's array is built
 * from it, parse dispatches on its rows, and --help prints it.  A row
 * with an INI key is an override of that key (the common case, no code);
 * the others are handled by name in parse_one().
 */
#include "gw_cli.h"
#include "gw_prom.h"
#include "gw_workload.h"
#include "gw_scen.h"
#include "gw_util.h"

#include <curl/curl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef GW_VERSION
#define GW_VERSION "0.1.0"
#endif

enum opt {
	OPT_CONFIG,
	OPT_SCALE,
	OPT_URL,
	OPT_AGENT,
	OPT_TOKEN_ENV,
	OPT_TOKEN_FILE,
	OPT_CACERT,
	OPT_CERT,
	OPT_KEY,
	OPT_INSECURE,
	OPT_REPORT,
	OPT_REPORT_DIR,
	OPT_JUNIT,
	OPT_HTML,
	OPT_CSV,
	OPT_METRICS,
	OPT_MERGE,
	OPT_DURATION,
	OPT_SOAK,
	OPT_PID,
	OPT_WORKERS,
	OPT_SET,
	OPT_SCENARIO,
	OPT_MARKER,
	OPT_LIST,
	OPT_VERBOSE,
	OPT_QUIET,
	OPT_HELP,
	OPT_VERSION,
	OPT_AXIS,
	OPT_SHARD,
	OPT_COUNT
};

struct cli_opt {
	const char *name;    /* long name */
	int letter;	     /* short option, or 0 */
	const char *arg;     /* the argument in --help; NULL: none */
	const char *section; /* the INI key it overrides, or NULL */
	const char *key;
	const char *help;
};

/* In --help order. */
static const struct cli_opt opts[OPT_COUNT] = {
	[OPT_CONFIG] = { "config", 'c', "FILE", NULL, NULL,
			 "profile INI file (default: conf/<scale>.ini)" },
	[OPT_SCALE] = { "scale", 0, "NAME", NULL, NULL,
			"smoke, small, medium, large or soak (default small)" },
	[OPT_URL] = { "url", 'u', "URL", "target", "url",
		      "gateway base URL, e.g. http://127.0.0.1:8000" },
	[OPT_AGENT] = { "agent", 0, "NAME", "target", "agent_name",
			"metadata.agent_name of submitted tasks" },
	[OPT_TOKEN_ENV] = { "token-env", 0, "VAR", "target", "token_env",
			    "environment variable holding a bearer token" },
	[OPT_TOKEN_FILE] = { "token-file", 0, "FILE", NULL, NULL,
			     "read the bearer token from FILE (first line)" },
	[OPT_CACERT] = { "cacert", 0, "FILE", "target", "tls_ca_file",
			 "verify an https:// gateway with these CA certs" },
	[OPT_CERT] = { "cert", 0, "FILE", "target", "tls_cert_file",
		       "client certificate (PEM) for TLS" },
	[OPT_KEY] = { "key", 0, "FILE", "target", "tls_key_file",
		      "private key (PEM) of the client certificate" },
	[OPT_INSECURE] = { "insecure", 'k', NULL, "target", "tls_insecure",
			   "do not verify the gateway's certificate (loud)" },
	[OPT_REPORT] = { "report", 0, "PATH", "report", "path",
			 "write reports as PATH's base_<scenario>.ext" },
	[OPT_REPORT_DIR] = { "report-dir", 0, "DIR", "report", "dir",
			     "directory of the default report files" },
	[OPT_JUNIT] = { "junit", 0, "PATH", NULL, NULL,
			"also write a JUnit XML file for CI systems" },
	[OPT_HTML] = { "html", 0, "PATH", NULL, NULL,
		       "also write an HTML page with charts" },
	[OPT_CSV] = { "csv", 0, "PATH", NULL, NULL,
		      "load: also write the time series as CSV" },
	[OPT_METRICS] = { "metrics-listen", 0, "ADDR:PORT", NULL, NULL,
			  "serve live metrics at http://ADDR:PORT/metrics" },
	[OPT_MERGE] = { "merge", 0, "OUT IN...", NULL, NULL,
			"merge shard reports of one scenario into OUT" },
	[OPT_DURATION] = { "duration", 0, "S", "profile",
			   "test_duration_seconds",
			   "override [profile] test_duration_seconds" },
	[OPT_SOAK] = { "soak-duration", 0, "S", "profile",
		       "soak_duration_seconds",
		       "override [profile] soak_duration_seconds" },
	[OPT_PID] = { "target-pid", 0, "PID", "target", "pid",
		      "sample this gateway process's memory (same host)" },
	[OPT_WORKERS] = { "workers", 0, "N", "engine", "workers",
			  "worker threads (0 = sized from the profile)" },
	[OPT_SET] = { "set", 0, "SEC.KEY=VAL", NULL, NULL,
		      "override any INI key (repeatable)" },
	[OPT_SCENARIO] = { "scenario", 's', "NAME", NULL, NULL,
			   "run scenarios matching NAME or glob (repeatable)" },
	[OPT_MARKER] = { "marker", 'm', "MARKER", NULL, NULL,
			 "run scenarios carrying MARKER (repeatable)" },
	[OPT_LIST] = { "list", 0, NULL, NULL, NULL,
		       "list scenarios with markers and exit" },
	[OPT_VERBOSE] = { "verbose", 'v', NULL, NULL, NULL,
			  "print the effective configuration" },
	[OPT_QUIET] = { "quiet", 'q', NULL, NULL, NULL,
			"print only the final tally and errors" },
	[OPT_HELP] = { "help", 'h', NULL, NULL, NULL, "this help" },
	[OPT_VERSION] = { "version", 'V', NULL, NULL, NULL,
			  "print the version and the libraries' versions" },
	[OPT_AXIS] = { "axis", 0, "rate|streams", NULL, NULL,
		       "search: what to vary (default [search] axis)" },
	[OPT_SHARD] = { "shard", 0, "I/N", NULL, NULL,
			"run shard I of N (0-based) of the load" },
};

static void usage(FILE *f)
{
	fputs("usage: gwstress [options]\n"
	      "       gwstress load -c WORKLOAD.ini [options]\n"
	      "       gwstress search -c WORKLOAD.ini [--axis rate|streams] "
	      "[options]\n\n"
	      "Stress-tests a Solace Agent Mesh HTTP SSE gateway (or the "
	      "bundled\nreference gateway when no URL is configured) and "
	      "passes or fails each\nscenario against the profile's "
	      "thresholds.  `load` runs a workload file\ninstead: flows "
	      "under a closed, open or held-stream load model, judged\nby "
	      "its threshold expressions; `search` finds the highest rate or "
	      "the\nmost held streams at which they still hold.\n\n",
	      f);
	for (int i = 0; i < OPT_COUNT; i++) {
		char left[40];

		snprintf(left, sizeof(left), "%s%c%s--%s%s%s",
			 opts[i].letter ? "-" : " ",
			 opts[i].letter ? opts[i].letter : ' ',
			 opts[i].letter ? ", " : "  ", opts[i].name,
			 opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		/* a long option and its argument get a line of their own */
		if (strlen(left) > 22)
			fprintf(f, "  %s\n  %-22s %s\n", left, "",
				opts[i].help);
		else
			fprintf(f, "  %-22s %s\n", left, opts[i].help);
	}
	fputs("\nEnvironment: STRESS_CONCURRENT_SSE, STRESS_CONCURRENT_SESSIONS,"
	      "\nSTRESS_DURATION, STRESS_SOAK_DURATION, STRESS_MAX_P99_LATENCY,"
	      "\nSTRESS_MAX_ERROR_RATE, GWSTRESS_URL, GWSTRESS_AGENT,\n"
	      "GWSTRESS_TARGET_PID, GWSTRESS_WINDOW_SCALE, GWSTRESS_REPORT_DIR,"
	      "\nGWSTRESS_TOKEN (default token variable).\n"
	      "Precedence: command line > environment > INI > defaults.\n\n"
	      "Exit status: 0 all passed, 1 a check failed, 2 usage or "
	      "configuration\nerror, 3 gateway unreachable, 4 a threshold "
	      "aborted the load run, 5 the\ngenerator was the bottleneck "
	      "(its numbers say nothing of the gateway), 6 a\nsearch found "
	      "the thresholds failing already at its lowest probe,\n"
	      "130/143 interrupted.\n",
	      f);
}

/*
 * --version: ours and the libraries' as they run (the shared objects
 * loaded, which may differ from the headers built against): libcurl with
 * its TLS backend, and Jansson.  A bug report needs all three.
 */
static void print_version(void)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	/* jansson_version_str() arrived in 2.13; before it, the headers' */
#if JANSSON_VERSION_HEX >= 0x020d00
	const char *jv = jansson_version_str();
#else
	const char *jv = JANSSON_VERSION;
#endif

	printf("gwstress %s (libcurl %s%s%s, Jansson %s)\n", GW_VERSION,
	       cv->version, cv->ssl_version ? ", " : "",
	       cv->ssl_version ? cv->ssl_version : "", jv);
}

/* Remember a CLI override as section/key/value (applied last); flag is
 * how the user spelled it, for messages. */
static int add_flag(struct gw_cli *c, const char *flag, const char *sec,
		    const char *key, const char *val)
{
	if (c->nsets >= GW_CLI_MAX_SETS)
		return gw_error("too many overrides (max %d)", GW_CLI_MAX_SETS);
	c->sets[c->nsets][0] = sec;
	c->sets[c->nsets][1] = key;
	c->sets[c->nsets][2] = val;
	c->sets[c->nsets][3] = flag;
	c->nsets++;
	return 0;
}

#define add_set(c, sec, key, val) add_flag(c, NULL, sec, key, val)

/* --set section.key=value */
static int add_set_arg(struct gw_cli *c, const char *arg)
{
	char *buf, *dot, *eq;

	if (c->nsets >= GW_CLI_MAX_SETS)
		return gw_error("too many --set options (max %d)",
				GW_CLI_MAX_SETS);
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

/* "I/N": shard I (0-based) of N, 1 <= N <= GW_CLI_MAX_SHARDS.  what names
 * where it came from in the message. */
static int parse_shard(struct gw_cli *c, const char *what, const char *arg)
{
	long i, n;
	char *end;

	i = strtol(arg, &end, 10);
	if (end == arg || *end != '/')
		return gw_error("%s %s: expected I/N, e.g. 0/4", what, arg);
	arg = end + 1;
	n = strtol(arg, &end, 10);
	if (end == arg || *end || n < 1 || n > GW_CLI_MAX_SHARDS || i < 0 ||
	    i >= n)
		return gw_error("%s %ld/%s: expected 0 <= I < N <= %d", what, i,
				arg, GW_CLI_MAX_SHARDS);
	c->shard = (int)i;
	c->nshards = (int)n;
	return 0;
}

/*
 * A Kubernetes Indexed Job gives each pod JOB_COMPLETION_INDEX; the shard
 * count is the Job's completions, which the pod learns from
 * GWSTRESS_SHARDS (deploy/k8s sets both).  --shard wins.
 */
static int shard_from_env(struct gw_cli *c)
{
	const char *idx = getenv("JOB_COMPLETION_INDEX");
	const char *cnt = getenv("GWSTRESS_SHARDS");
	char buf[64];

	if (c->nshards || !idx || !*idx)
		return 0;
	if (!cnt || !*cnt)
		return gw_error("JOB_COMPLETION_INDEX=%s (an Indexed Job) but "
				"GWSTRESS_SHARDS is not set: set it to the "
				"Job's completions, or pass --shard I/N",
				idx);
	snprintf(buf, sizeof(buf), "%s/%s", idx, cnt);
	return parse_shard(c, "JOB_COMPLETION_INDEX/GWSTRESS_SHARDS", buf);
}

/* One option (its table index) with its argument.  Returns 0 or -1. */
static int parse_one(struct gw_cli *c, enum opt o, const char *arg)
{
	static char flag[OPT_COUNT][24];

	if (opts[o].section) {
		/* messages name the flag: "-u" or "--agent" */
		if (opts[o].letter)
			snprintf(flag[o], sizeof(flag[o]), "-%c",
				 opts[o].letter);
		else
			snprintf(flag[o], sizeof(flag[o]), "--%s",
				 opts[o].name);
		/* a switch (no argument) sets its boolean key */
		return add_flag(c, flag[o], opts[o].section, opts[o].key,
				arg ? arg : "true");
	}
	switch (o) {
	case OPT_CONFIG:
		c->config = arg;
		break;
	case OPT_SCALE:
		c->scale = arg;
		break;
	case OPT_TOKEN_FILE:
		c->token_file = arg;
		break;
	case OPT_JUNIT:
		c->junit = arg;
		break;
	case OPT_HTML:
		c->html = arg;
		break;
	case OPT_CSV:
		c->csv = arg;
		break;
	case OPT_METRICS: {
		struct gw_prom_addr a;

		/* checked now, parsed again by main: a usage error */
		if (gw_prom_parse_listen(arg, &a) < 0)
			return -1;
		c->metrics_listen = arg;
		break;
	}
	case OPT_MERGE:
		c->merge = arg;
		break;
	case OPT_SET:
		return add_set_arg(c, arg);
	case OPT_SCENARIO:
		if (c->nsel >= GW_CLI_MAX_SEL)
			return gw_error("too many -s options");
		c->sel[c->nsel++] = arg;
		break;
	case OPT_MARKER:
		if (c->nmarkers >= GW_CLI_MAX_SEL)
			return gw_error("too many -m options");
		c->markers[c->nmarkers++] = arg;
		break;
	case OPT_LIST:
		c->list = 1;
		break;
	case OPT_VERBOSE:
		c->verbose = 1;
		break;
	case OPT_QUIET:
		c->quiet = 1;
		break;
	case OPT_HELP:
		usage(stdout);
		exit(0);
	case OPT_VERSION:
		print_version();
		exit(0);
	case OPT_SHARD:
		return parse_shard(c, "--shard", arg);
	case OPT_AXIS:
		if (strcmp(arg, "rate") && strcmp(arg, "streams"))
			return gw_error("--axis %s: expected rate or streams",
					arg);
		c->axis = arg;
		break;
	default:
		break;
	}
	return 0;
}

/* Options of the catalogue only. */
static int catalogue_only(enum opt o)
{
	return o == OPT_SCALE || o == OPT_SCENARIO || o == OPT_MARKER ||
	       o == OPT_LIST || o == OPT_MERGE || o == OPT_DURATION ||
	       o == OPT_SOAK;
}

int gw_cli_parse(struct gw_cli *c, int argc, char **argv)
{
	struct option lopts[OPT_COUNT + 1];
	char shorts[2 + 2 * OPT_COUNT + 1] = ":";
	size_t ns = 1;
	int o, rc = 0;

	memset(lopts, 0, sizeof(lopts));
	for (int i = 0; i < OPT_COUNT; i++) {
		lopts[i] = (struct option){
			opts[i].name,
			opts[i].arg ? required_argument : no_argument, NULL,
			opts[i].letter ? opts[i].letter : 256 + i
		};
		if (opts[i].letter) {
			shorts[ns++] = (char)opts[i].letter;
			if (opts[i].arg)
				shorts[ns++] = ':';
		}
	}
	shorts[ns] = '\0';
	if (argc > 1 &&
	    (!strcmp(argv[1], "load") || !strcmp(argv[1], "search"))) {
		c->mode = argv[1][0] == 'l' ? GW_MODE_LOAD : GW_MODE_SEARCH;
		c->mode_name = argv[1];
		argc--;
		argv++; /* getopt reads "load" as the program name */
	}
	opterr = 0;
	while ((o = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		int i = o >= 256 ? o - 256 : -1;

		for (int k = 0; i < 0 && k < OPT_COUNT; k++)
			if (opts[k].letter == o)
				i = k;
		if (o == ':')
			return gw_error("option %s needs a value (see --help)",
					argv[optind - 1]);
		if (i < 0)
			return gw_error("unknown option %s (see --help)",
					argv[optind - 1]);
		if (c->mode != GW_MODE_CATALOGUE && catalogue_only((enum opt)i))
			return gw_error("%s is not an option of 'gwstress %s' "
					"(see --help)",
					argv[optind - 1], c->mode_name);
		if (c->mode == GW_MODE_SEARCH && i == OPT_SHARD)
			return gw_error("--shard is not an option of 'gwstress "
					"search': a search's probes judge one "
					"process (see --help)");
		if (c->mode != GW_MODE_SEARCH && i == OPT_AXIS)
			return gw_error("--axis is an option of 'gwstress "
					"search' only (see --help)");
		if (c->mode != GW_MODE_LOAD && i == OPT_CSV)
			return gw_error("--csv is an option of 'gwstress "
					"load' only (see --help)");
		rc |= parse_one(c, (enum opt)i, optarg);
	}
	if (c->merge) {
		c->inputs = argv + optind;
		c->ninputs = argc - optind;
		if (!c->ninputs)
			return gw_error("--merge %s: name the reports to merge "
					"after it",
					c->merge);
	} else if (optind < argc) {
		return gw_error("unexpected argument '%s' (see --help)",
				argv[optind]);
	}
	if (!rc && c->mode != GW_MODE_SEARCH && !c->merge && !c->list)
		rc = shard_from_env(c);
	return rc;
}

/*
 * Where a --scale profile is looked for, in order:
 *
 *   conf/                      the working directory (a source tree)
 *   <exe>/conf/                next to the executable (./gwstress of a
 *                              tree, started from elsewhere)
 *   <exe>/../conf/             a bin/ + conf/ unpacked side by side
 *   <exe>/../share/gwstress/conf/   where `make install` puts them
 *
 * <exe> is the executable's directory (from /proc/self/exe, so symlinks
 * are resolved), and <exe>/.. is written as that directory's parent.
 * Being relative to the executable, an install found under DESTDIR, or
 * moved to another prefix, still finds its own profiles.
 *
 * Rejected: a compile-time datadir from the Makefile's PREFIX.  It would
 * put PREFIX into the build's flags, so `make` then `make install
 * PREFIX=/opt` would have to rebuild (as root, with root's flags), and
 * the relative lookup already finds every layout install makes.
 */
#define PROFILE_DIRS 4

/* Fills dirs with the directories above, in that order (whether they
 * exist is not checked); returns how many.  One whose name would not fit
 * is left out. */
static int profile_dirs(char dirs[PROFILE_DIRS][PATH_MAX])
{
	char self[PATH_MAX];
	char *up;
	int nd = 0;

	gw_strlcpy(dirs[nd++], "conf", PATH_MAX);
	if (gw_exe_dir(self, sizeof(self)) < 0)
		return nd;
	if (snprintf(dirs[nd], PATH_MAX, "%s/conf", self) < PATH_MAX)
		nd++;
	up = strrchr(self, '/');
	if (!up)
		return nd;
	*up = '\0'; /* "/bin" becomes "": its parent is the root */
	if (snprintf(dirs[nd], PATH_MAX, "%s/conf", self) < PATH_MAX)
		nd++;
	if (snprintf(dirs[nd], PATH_MAX, "%s/share/gwstress/conf", self) <
	    PATH_MAX)
		nd++;
	return nd;
}

/* The path of profile `scale` into out (n bytes).  Returns 0, or -1 with
 * one line listing every directory looked in. */
static int find_profile(const char *scale, char *out, size_t n)
{
	char dirs[PROFILE_DIRS][PATH_MAX];
	char looked[2048] = "";
	size_t len = 0;
	int nd;

	for (const char *p = scale; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-'))
			return gw_error("--scale %s: expected a profile name "
					"like smoke, small, medium, large, "
					"soak",
					scale);
	nd = profile_dirs(dirs);
	for (int i = 0; i < nd; i++) {
		int k = snprintf(out, n, "%s/%s.ini", dirs[i], scale);

		if (k > 0 && (size_t)k < n && access(out, R_OK) == 0)
			return 0;
		if (len < sizeof(looked))
			len += (size_t)snprintf(looked + len,
						sizeof(looked) - len, "%s%s/",
						i ? ", " : "", dirs[i]);
	}
	return gw_error("--scale %s: no profile %s.ini in %s (known: smoke, "
			"small, medium, large, soak)",
			scale, scale, looked);
}

static const char *env_lookup(const char *name)
{
	return getenv(name);
}

int gw_cli_config(const struct gw_cli *c, struct gw_config *cfg,
		  struct gw_workload *wl)
{
	struct gw_errlist *errs = gw_xcalloc(1, sizeof(*errs));
	char path[PATH_MAX];
	int bad = 0;

	gw_config_defaults(cfg);
	if (c->config) {
		gw_strlcpy(path, c->config, sizeof(path));
	} else if (wl) {
		free(errs);
		return gw_error("%s: name the workload file with -c FILE (see "
				"conf/load-*.ini)",
				c->mode_name);
	} else if (find_profile(c->scale ? c->scale : "small", path,
				sizeof(path)) < 0) {
		free(errs);
		return -1;
	}
	if (wl)
		bad += gw_workload_load(wl, cfg, path, errs);
	else
		bad += gw_config_load(cfg, path, errs);
	bad += gw_config_apply_env(cfg, env_lookup, errs);
	for (int i = 0; i < c->nsets; i++) {
		char why[256];
		const struct gw_config_key *k =
			gw_config_find(c->sets[i][0], c->sets[i][1]);

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
					       c->sets[i][1], c->sets[i][2],
					       why);
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

/* marker is one of the space-separated words of d->markers */
static int has_marker(const struct gw_scen_def *d, const char *marker)
{
	size_t n = strlen(marker);

	for (const char *p = d->markers; (p = strstr(p, marker)); p += n)
		if ((p == d->markers || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

int gw_cli_selected(const struct gw_cli *c, const struct gw_scen_def *d)
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
