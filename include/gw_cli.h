/*
 * gw_cli: the command line -- one table of options from which getopt's
 * list, the dispatch and --help are all made, so an option cannot be
 * accepted without being documented -- and the configuration it yields:
 * built-in defaults < INI file < environment < command line, for every
 * key (gw_config does the layering; this module adds the CLI layer and
 * finds the profile file).
 *
 * Options that set an INI key (-u, --duration, ...) are recorded as
 * overrides and applied last, so an error names the flag the user typed;
 * --set SEC.KEY=VAL reaches any key.
 *
 * Thread safety: none needed (main thread, before anything starts).
 */
#ifndef GW_CLI_H
#define GW_CLI_H

#include "gw_config.h"

#define GW_CLI_MAX_SEL 64
#define GW_CLI_MAX_SHARDS 1000
#define GW_CLI_MAX_SETS 64

struct gw_scen_def;
struct gw_workload;

/* What the command line asks for: the catalogue (no subcommand), a
 * workload run (`gwstress load ...`) or a capacity search (`gwstress
 * search ...`). */
enum gw_mode { GW_MODE_CATALOGUE, GW_MODE_LOAD, GW_MODE_SEARCH };

struct gw_cli {
	enum gw_mode mode;
	const char *mode_name;		      /* "load", "search", or NULL */
	const char *axis;		      /* search --axis, or NULL */
	const char *config;		      /* -c FILE */
	const char *scale;		      /* --scale NAME */
	const char *sets[GW_CLI_MAX_SETS][4]; /* section, key, value, flag */
	int nsets;
	const char *sel[GW_CLI_MAX_SEL]; /* -s */
	int nsel;
	const char *markers[GW_CLI_MAX_SEL]; /* -m */
	int nmarkers;
	const char *token_file;	    /* --token-file */
	const char *junit;	    /* --junit PATH */
	const char *html;	    /* --html PATH */
	const char *csv;	    /* --csv PATH (load) */
	const char *metrics_listen; /* --metrics-listen ADDR:PORT (checked) */
	const char *merge;	    /* --merge OUT, inputs follow */
	char **inputs;
	int ninputs;
	int list, verbose, quiet;
	int shard, nshards; /* --shard I/N; nshards 0 = the whole run */
	char setbuf[GW_CLI_MAX_SETS][GW_INI_LINE_MAX + 64];
};

/*
 * Parse argv into c (zeroed by the caller).  -h and -V print and exit 0.
 * Returns 0, or -1 with one line naming the option (a usage error).
 */
int gw_cli_parse(struct gw_cli *c, int argc, char **argv);
/*
 * The effective configuration: defaults, the profile file (-c, or the
 * --scale name looked up in conf/ of the working directory, then in
 * conf/ next to the executable, <exe>/../conf and the installed
 * <exe>/../share/gwstress/conf; an unknown name's error lists them), the
 * environment, then c's overrides; validated.  With wl (a `load` or
 * `search` run) the file is a workload file (-c is then required) and wl
 * is filled too.  Returns 0, or -1 with every problem printed as
 * "file:line: message" or naming the flag or variable.
 */
int gw_cli_config(const struct gw_cli *c, struct gw_config *cfg,
		  struct gw_workload *wl);
/* 1 if scenario def is selected by c's -s and -m (both: AND). */
int gw_cli_selected(const struct gw_cli *c, const struct gw_scen_def *def);

#endif /* GW_CLI_H */
