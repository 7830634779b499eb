/*
 * gwsim: the bundled reference gateway of gwstress.
 *
 * A C stand-in for the Solace Agent Mesh WebUI HTTP SSE gateway: the same
 * endpoints, status codes, bodies and SSE bytes as SAM (see
 * spec/sam-gateway-protocol.md), an in-memory SQL-mode session/artifact
 * store and a built-in agent that streams deterministic answers.  gwstress
 * starts it as a child when no target URL is configured (learning the
 * ephemeral port through --ready-fd) and the integration tests use it as
 * the server over loopback.  The gwsim-only extras are /gwsim/stats,
 * /gwsim/introspect, the [gwsim:...] prompt directives and the fault
 * injection flags; everything else is SAM's behaviour.
 *
 * This file: options, process setup, start and stop order.
 *   start: note the start time (--pause-at-s counts from it); open the
 *          --arrivals log, read the --tls-cert / --tls-key files and have
 *          GnuTLS check them (any failure: one line, exit 2, as for a
 *          bad option); ignore SIGPIPE; block SIGINT/SIGTERM before any
 *          thread exists (every thread inherits the mask, so only
 *          sigwait() in main sees them); raise RLIMIT_NOFILE to the hard
 *          limit (thousands of streams); seed Jansson's hash once before
 *          threads; then
 *          sessions, artifacts, agent, timer, SSE, HTTP; finally report
 *          the port on --ready-fd.
 *   stop:  SSE first (resume every suspended connection: MHD 0.9.75
 *          panics when stopped with suspended connections), then the
 *          daemon (which resumes the requests --pause-s holds), then the
 *          timer thread, then free everything and write out the
 *          --arrivals buffer, exit 0.
 *
 * Options are parsed once into sim_cfg and validated strictly: decimal
 * only, ranges checked, every error reported (not just the first).  The
 * token is never printed.  One table (opts[]) drives getopt_long and
 * --help, the way gw_config's key table drives gwstress' options; a
 * second table (requires[]) names the options that need another one.
 *
 * Rejected: a signal handler that sets a flag (sigwait in the main thread
 * is simpler and async-signal-safety is not a concern), a config file
 * (the flag set is small and gwstress builds the command line).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sim.h"

struct sim_config sim_cfg;
struct sim_stats sim_stats;

/*
 * The options, one row each: long name, short name, type, the sim_cfg
 * field it sets, the range of a number, and the --help line (argument
 * name and text; a '\n' in the text continues it on the next line).  Rows
 * without a name are --help text: group headings and notes.  getopt_long's
 * table and the whole --help output are generated from these rows, in
 * this order, so an option cannot be parsed one way and documented
 * another.  Defaults are not a column: defaults() and parse_args() set
 * them before the options are read (the help texts name them), and one of
 * them is outside its option's range (--ready-fd -1 = none).
 */
enum opt_type {
	OPT_TEXT,      /* no option: a line of --help */
	OPT_FLAG,      /* no argument: the bool becomes true */
	OPT_UINT,      /* unsigned, decimal, in [lo, hi] */
	OPT_U64,       /* uint64_t, decimal, in [lo, hi] */
	OPT_INT,       /* int, decimal, in [lo, hi] (hi <= INT_MAX) */
	OPT_RATE,      /* double, a fraction in [0, 1] */
	OPT_ADDR,      /* the listen address, copied into sim_cfg.listen */
	OPT_STR,       /* a copy, NULL when empty (--token) */
	OPT_PATH,      /* a file name, copied; it must not be empty */
	OPT_LIST,      /* comma-separated names (--agents) */
	OPT_MALFORMED, /* a name of malformed_names */
	OPT_GARBAGE,   /* a name of garbage_names */
	OPT_VERSION,   /* print the version, exit 0 */
	OPT_HELP       /* print --help, exit 0 */
};

struct opt {
	const char *name; /* long option; NULL for OPT_TEXT */
	char shrt;	  /* short option, 0 = none */
	enum opt_type type;
	union { /* the field, by type; none for some types */
		bool *flag;
		unsigned *u;
		uint64_t *u64;
		int *i;
		double *rate;
		char **str;
		enum sim_malformed *malformed;
		enum sim_garbage *garbage;
	} to;
	uint64_t lo, hi; /* range of OPT_UINT, OPT_U64, OPT_INT */
	const char *arg; /* argument name in --help; NULL = none taken */
	const char *help;
};

/* Mode names in enum order (sim.h); "none" is accepted, never listed. */
static const char *const malformed_names[] = { "none",	   "nocolon", "badjson",
					       "longline", "barecr",  "bom" };
static const char *const garbage_names[] = { "none", "nonjson", "ctype" };

_Static_assert(SIM_ARRAY_SIZE(malformed_names) == SIM_MAL_BOM + 1,
	       "malformed_names must follow enum sim_malformed");
_Static_assert(SIM_ARRAY_SIZE(garbage_names) == SIM_GARBAGE_CTYPE + 1,
	       "garbage_names must follow enum sim_garbage");

/* One option a row, as --help reads (clang-format would split the rows). */
/* clang-format off */
static const struct opt opts[] = {
	{ .help = "Server:" },
	{ "listen", 0, OPT_ADDR, { 0 }, 0, 0, "ADDR",
	  "IPv4 or IPv6 address (default 127.0.0.1)" },
	{ "port", 0, OPT_UINT, { .u = &sim_cfg.port }, 0, 65535, "N",
	  "TCP port, 0 = ephemeral (default 8000)" },
	{ "ready-fd", 0, OPT_INT, { .i = &sim_cfg.ready_fd }, 0, INT_MAX, "FD",
	  "after listening write \"<port>\\n\" to FD" },
	{ "threads", 0, OPT_UINT, { .u = &sim_cfg.threads }, 1, 64, "N",
	  "MHD worker threads (default 2)" },
	{ "keepalive-s", 0, OPT_UINT, { .u = &sim_cfg.keepalive_s }, 0, 86400,
	  "N", "idle keep-alive timeout, 0 = none (default 5,\n"
	  "uvicorn's); SSE streams never time out" },
	{ "tls-cert", 0, OPT_PATH, { .str = &sim_cfg.tls_cert }, 0, 0, "FILE",
	  "serve HTTPS with this PEM certificate (chain)" },
	{ "tls-key", 0, OPT_PATH, { .str = &sim_cfg.tls_key }, 0, 0, "FILE",
	  "... and this PEM private key (both read at start)" },
	{ "sndbuf", 0, OPT_INT, { .i = &sim_cfg.sndbuf }, 0, INT_MAX, "BYTES",
	  "SO_SNDBUF of accepted sockets (0 = default)" },
	{ "token", 0, OPT_STR, { .str = &sim_cfg.token }, 0, 0, "T",
	  "require Authorization: Bearer T or ?token=T on\n"
	  "/api (except /api/v1/config); env GWSIM_TOKEN too" },
	{ "verbose", 'v', OPT_FLAG, { .flag = &sim_cfg.verbose }, 0, 0, NULL,
	  "one log line per request on stderr" },
	{ "version", 0, OPT_VERSION, { 0 }, 0, 0, NULL,
	  "print the version and exit" },
	{ "help", 'h', OPT_HELP, { 0 }, 0, 0, NULL,
	  "print this help and exit" },

	{ .help = "\nGateway (SAM configuration equivalents):" },
	{ "queue-size", 0, OPT_UINT, { .u = &sim_cfg.queue_size }, 1, 1000000,
	  "N", "sse_max_queue_size (default 200, SAM template)" },
	{ "ping-s", 0, OPT_UINT, { .u = &sim_cfg.ping_s }, 1, 86400, "N",
	  "SSE ping interval (default 15)" },
	{ "buffer-max-age-s", 0, OPT_UINT, { .u = &sim_cfg.buffer_max_age_s },
	  1, 86400 * 7, "N", "sse_buffer_max_age_seconds (default 600)" },
	{ "max-upload-bytes", 0, OPT_U64, { .u64 = &sim_cfg.max_upload_bytes },
	  1, (uint64_t)1 << 40, "N",
	  "gateway_max_upload_size_bytes (default 52428800)" },
	{ "max-body-bytes", 0, OPT_U64, { .u64 = &sim_cfg.max_body_bytes },
	  1, (uint64_t)1 << 32, "N",
	  "gateway_max_message_size_bytes (default 10000000)" },
	{ "max-streams", 0, OPT_UINT, { .u = &sim_cfg.max_streams }, 1,
	  1000000, "N", "gwsim only: answer a subscribe 503 at once\n"
	  "while N SSE streams are open (default: no limit)" },
	{ "persistent-buffer", 0, OPT_FLAG,
	  { .flag = &sim_cfg.persistent_buffer }, 0, 0, NULL,
	  "SAM with SQL persistence: every task enters\n"
	  "SSEManager._background_task_cache (never\n"
	  "pruned) and events of a task whose subscriber\n"
	  "left go to the DB only; default off: the\n"
	  "cache stays empty, they are buffered in memory" },

	{ .help = "\nBuilt-in agent:" },
	{ "agents", 0, OPT_LIST, { 0 }, 0, 0, "LIST",
	  "comma list (default TestAgent,TestPeerAgentA)" },
	{ "events", 0, OPT_UINT, { .u = &sim_cfg.events }, 0, 1000000, "N",
	  "status updates per task (default 5)" },
	{ "first-delay-ms", 0, OPT_UINT, { .u = &sim_cfg.first_delay_ms },
	  0, 86400000, "N", "delay before the first event (default 20)" },
	{ "interval-ms", 0, OPT_UINT, { .u = &sim_cfg.interval_ms },
	  0, 86400000, "N", "delay between events (default 10)" },
	{ "chunk-bytes", 0, OPT_UINT, { .u = &sim_cfg.chunk_bytes },
	  1, 1 << 24, "N", "text per status update (default 32)" },
	{ "final-bytes", 0, OPT_UINT, { .u = &sim_cfg.final_bytes }, 1,
	  SIM_FINAL_MAX, "N", "final_response carries N bytes of text\n"
	  "(default: the answer itself, a few hundred)" },
	{ "status-lag-ms", 0, OPT_UINT, { .u = &sim_cfg.status_lag_ms }, 1,
	  86400000, "N", "tasks/{id}/status says running for N ms after\n"
	  "the final event (SAM's task logger lags)" },
	{ "service-workers", 0, OPT_UINT, { .u = &sim_cfg.service_workers },
	  1, 100000, "K", "tasks queue FIFO for K agents; the schedule\n"
	  "(first_delay first) starts when one takes it" },
	{ "service-ms", 0, OPT_UINT, { .u = &sim_cfg.service_ms }, 0, 86400000,
	  "S", "an agent holds its task S ms, or to its\n"
	  "schedule's end if later (default 0): K/S per ms" },
	{ .help =
	  "  prompt directives override per task: [gwsim:events=N] "
	  "[gwsim:chunk=N]\n"
	  "  [gwsim:interval_ms=N] [gwsim:first_delay_ms=N] "
	  "[gwsim:final_bytes=N];\n"
	  "  prompts containing \"weather\" or \"delegate\" get the "
	  "tool-call /\n"
	  "  peer-delegation flows." },

	{ .help = "\nFault injection (gwsim only, all off by default):" },
	{ "fail-rate", 0, OPT_RATE, { .rate = &sim_cfg.fail_rate }, 0, 0, "F",
	  "answer this fraction of /api requests with 500" },
	{ "cut-rate", 0, OPT_RATE, { .rate = &sim_cfg.cut_rate }, 0, 0, "F",
	  "cut this fraction of SSE streams after 1 event" },
	{ "malformed", 0, OPT_MALFORMED, { .malformed = &sim_cfg.malformed },
	  0, 0, "MODE", "nocolon | badjson | longline | barecr | bom" },
	{ "stall-s", 0, OPT_UINT, { .u = &sim_cfg.stall_s }, 0, 86400, "N",
	  "SSE: headers + comment, then N s of silence" },
	{ "trickle-ms", 0, OPT_UINT, { .u = &sim_cfg.trickle_ms }, 0, 60000,
	  "N", "SSE: one byte every N ms" },
	{ "garbage", 0, OPT_GARBAGE, { .garbage = &sim_cfg.garbage }, 0, 0,
	  "MODE", "message:stream 200 bodies: nonjson | ctype" },
	{ "never-final", 0, OPT_FLAG, { .flag = &sim_cfg.never_final }, 0, 0,
	  NULL, "tasks never send final_response" },
	{ "leak-kb", 0, OPT_UINT, { .u = &sim_cfg.leak_kb }, 0, 1 << 20, "N",
	  "keep N KiB per submitted task (RSS growth)" },
	{ "refuse", 0, OPT_FLAG, { .flag = &sim_cfg.refuse }, 0, 0, NULL,
	  "close every connection right after accept" },
	{ "reset-rate", 0, OPT_RATE, { .rate = &sim_cfg.reset_rate }, 0, 0,
	  "F", "reset (RST) this fraction of connections after\n"
	  "their request headers" },
	{ "pause-at-s", 0, OPT_UINT, { .u = &sim_cfg.pause_at_s }, 0, 86400,
	  "A", "stall the whole gateway A s after start ..." },
	{ "pause-s", 0, OPT_UINT, { .u = &sim_cfg.pause_s }, 1, 86400, "D",
	  "... for D s: requests (but /gwsim/*) are held\n"
	  "and SSE streams send nothing until it ends" },

	{ .help = "\nMeasurement (gwsim only, all off by default):" },
	{ "arrivals", 0, OPT_PATH, { .str = &sim_cfg.arrivals }, 0, 0, "FILE",
	  "append the CLOCK_MONOTONIC ns of every POST\n"
	  "/api/v1/message:stream to FILE, one a line\n"
	  "(written at exit and every ~3,000 lines)" },
	{ "stamp-events", 0, OPT_FLAG, { .flag = &sim_cfg.stamp_events }, 0,
	  0, NULL, "precede each SSE event with the comment\n"
	  "\": gwsim-sent <CLOCK_MONOTONIC ns>\", the moment\n"
	  "it is handed to MHD, in the same write" },

	{ .help = "\nExtras: GET /gwsim/stats, GET /gwsim/introspect." },
};
/* clang-format on */

/*
 * Options that mean nothing alone: a row's option given without the
 * option it needs is a usage error (both are named in the message).
 */
/* One pair a line (clang-format would pack them). */
/* clang-format off */
static const struct {
	const char *opt, *needs;
} requires[] = {
	{ "pause-at-s", "pause-s" },
	{ "pause-s", "pause-at-s" },
	{ "service-ms", "service-workers" },
	{ "tls-cert", "tls-key" },
	{ "tls-key", "tls-cert" },
};
/* clang-format on */

/* given[i]: opts[i] was on the command line (for requires[]). */
static bool given[SIM_ARRAY_SIZE(opts)];

/* Column of the help text, as in the hand-written --help before it. */
#define HELP_COL 27

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: gwsim [options]\n"
	      "Reference SAM WebUI gateway (HTTP + SSE) for gwstress.\n\n",
	      f);
	for (i = 0; i < SIM_ARRAY_SIZE(opts); i++) {
		const struct opt *o = &opts[i];
		const char *p, *nl;
		char label[64];
		int n = 0;

		if (o->type == OPT_TEXT) {
			fprintf(f, "%s\n", o->help);
			continue;
		}
		if (o->shrt)
			n = snprintf(label, sizeof(label), "-%c, ", o->shrt);
		snprintf(label + n, sizeof(label) - (size_t)n, "--%s%s%s",
			 o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-*s", HELP_COL - 2, label);
		for (p = o->help; (nl = strchr(p, '\n')); p = nl + 1)
			fprintf(f, "%.*s\n%*s", (int)(nl - p), p, HELP_COL, "");
		fprintf(f, "%s\n", p);
	}
}

/* Strict decimal parse into [lo, hi]; -1 on error. */
static int parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi,
		     uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return sim_error("%s: '%s' is not a decimal number", opt, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return sim_error("%s: '%s' is not a decimal number", opt, s);
	if (v < lo || v > hi)
		return sim_error("%s: %llu is out of range [%llu, %llu]", opt,
				 v, (unsigned long long)lo,
				 (unsigned long long)hi);
	*out = v;
	return 0;
}

static int parse_rate(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0.0 && v <= 1.0))
		return sim_error("%s: '%s' is not a fraction in [0, 1]", opt,
				 s);
	*out = v;
	return 0;
}

static void free_agents(void)
{
	size_t i;

	for (i = 0; sim_cfg.agents && i < sim_cfg.n_agents; i++)
		free(sim_cfg.agents[i]);
	free(sim_cfg.agents);
	sim_cfg.agents = NULL;
	sim_cfg.n_agents = 0;
}

static int parse_agents(const char *list)
{
	const char *p = list;

	free_agents();
	sim_cfg.agents = sim_xcalloc(strlen(list) + 2, sizeof(char *));
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n)
			sim_cfg.agents[sim_cfg.n_agents++] = sim_xstrndup(p, n);
		p += n;
		if (*p == ',')
			p++;
	}
	if (!sim_cfg.n_agents)
		return sim_error("--agents: empty list");
	return 0;
}

/* The index of s in names[n]; else -1, naming the option and the modes. */
static int parse_name(const char *opt, const char *s, const char *const *names,
		      size_t n, size_t *out)
{
	char list[128] = "";
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	for (i = 1; i < n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i > 1 ? ", " : "", names[i]);
	return sim_error("%s: unknown mode '%s' (%s)", opt, s, list);
}

/*
 * Jansson's version as loaded (the shared object may be newer than the
 * headers); jansson_version_str() arrived in 2.13, before it the headers'.
 */
static const char *jansson_runtime_version(void)
{
#if JANSSON_VERSION_HEX >= 0x020d00
	return jansson_version_str();
#else
	return JANSSON_VERSION;
#endif
}

/*
 * Apply option o with its argument (NULL when it takes none).  0 done, -1
 * bad value (reported), 1 printed --help or --version: exit 0.
 */
static int opt_set(const struct opt *o, const char *arg)
{
	char name[32];
	uint64_t v;
	size_t i;

	snprintf(name, sizeof(name), "--%s", o->name);
	switch (o->type) {
	case OPT_FLAG:
		*o->to.flag = true;
		return 0;
	case OPT_UINT:
		if (parse_u64(name, arg, o->lo, o->hi, &v))
			return -1;
		*o->to.u = (unsigned)v;
		return 0;
	case OPT_U64:
		return parse_u64(name, arg, o->lo, o->hi, o->to.u64);
	case OPT_INT:
		if (parse_u64(name, arg, o->lo, o->hi, &v))
			return -1;
		*o->to.i = (int)v;
		return 0;
	case OPT_RATE:
		return parse_rate(name, arg, o->to.rate);
	case OPT_ADDR:
		if (strlen(arg) >= sizeof(sim_cfg.listen))
			return sim_error("%s: address too long", name);
		snprintf(sim_cfg.listen, sizeof(sim_cfg.listen), "%s", arg);
		return 0;
	case OPT_STR:
		free(*o->to.str);
		*o->to.str = *arg ? sim_xstrdup(arg) : NULL;
		return 0;
	case OPT_PATH:
		if (!*arg)
			return sim_error("%s: empty file name", name);
		free(*o->to.str);
		*o->to.str = sim_xstrdup(arg);
		return 0;
	case OPT_LIST:
		return parse_agents(arg);
	case OPT_MALFORMED:
		if (parse_name(name, arg, malformed_names,
			       SIM_ARRAY_SIZE(malformed_names), &i))
			return -1;
		*o->to.malformed = (enum sim_malformed)i;
		return 0;
	case OPT_GARBAGE:
		if (parse_name(name, arg, garbage_names,
			       SIM_ARRAY_SIZE(garbage_names), &i))
			return -1;
		*o->to.garbage = (enum sim_garbage)i;
		return 0;
	case OPT_VERSION:
		printf("gwsim %s (libmicrohttpd %s, Jansson %s)\n", SIM_VERSION,
		       MHD_get_version(), jansson_runtime_version());
		return 1;
	case OPT_HELP:
		usage(stdout);
		return 1;
	case OPT_TEXT:
		break;
	}
	return -1;
}

/* getopt_long returns OPT_VAL0 + row for a long option. */
#define OPT_VAL0 256

/* The row getopt_long's return value c stands for; NULL for '?'. */
static const struct opt *opt_of(int c)
{
	size_t i;

	if (c >= OPT_VAL0)
		return &opts[c - OPT_VAL0];
	for (i = 0; i < SIM_ARRAY_SIZE(opts); i++)
		if (opts[i].shrt && opts[i].shrt == c)
			return &opts[i];
	return NULL;
}

static void defaults(void)
{
	snprintf(sim_cfg.listen, sizeof(sim_cfg.listen), "127.0.0.1");
	sim_cfg.port = 8000;
	sim_cfg.ready_fd = -1;
	sim_cfg.threads = 2;
	sim_cfg.events = 5;
	sim_cfg.first_delay_ms = 20;
	sim_cfg.interval_ms = 10;
	sim_cfg.chunk_bytes = 32;
	sim_cfg.queue_size = 200;
	sim_cfg.ping_s = 15;
	sim_cfg.max_upload_bytes = 52428800;
	sim_cfg.buffer_max_age_s = 600;
	sim_cfg.keepalive_s = 5;
	sim_cfg.max_body_bytes = 10000000;
}

static bool was_given(const char *name)
{
	size_t i;

	for (i = 0; i < SIM_ARRAY_SIZE(opts); i++)
		if (opts[i].name && !strcmp(opts[i].name, name))
			return given[i];
	return false;
}

/* Every requires[] row broken is reported; -1 when there was one. */
static int check_requires(void)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < SIM_ARRAY_SIZE(requires); i++)
		if (was_given(requires[i].opt) && !was_given(requires[i].needs))
			rc = sim_error("--%s needs --%s", requires[i].opt,
				       requires[i].needs);
	return rc;
}

/* 0 ok, 1 exit 0 (help/version), -1 usage error. */
static int parse_args(int argc, char **argv)
{
	struct option longopts[SIM_ARRAY_SIZE(opts) + 1];
	char shortopts[2 * SIM_ARRAY_SIZE(opts) + 1];
	const char *env = getenv("GWSIM_TOKEN");
	size_t i, n = 0, ns = 0;
	int c, rc, bad = 0;

	for (i = 0; i < SIM_ARRAY_SIZE(opts); i++) {
		const struct opt *o = &opts[i];

		if (o->type == OPT_TEXT)
			continue;
		longopts[n].name = o->name;
		longopts[n].has_arg = o->arg ? required_argument : no_argument;
		longopts[n].flag = NULL;
		longopts[n].val = OPT_VAL0 + (int)i;
		n++;
		if (o->shrt) {
			shortopts[ns++] = o->shrt;
			if (o->arg)
				shortopts[ns++] = ':';
		}
	}
	memset(&longopts[n], 0, sizeof(longopts[n]));
	shortopts[ns] = '\0';

	defaults();
	if (parse_agents("TestAgent,TestPeerAgentA"))
		return -1;
	if (env && *env)
		sim_cfg.token = sim_xstrdup(env);
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct opt *o = opt_of(c);

		/* '?': getopt_long has reported it */
		if (o)
			given[o - opts] = true;
		rc = o ? opt_set(o, optarg) : -1;
		if (rc > 0)
			return 1;
		if (rc)
			bad = 1;
	}
	if (optind < argc) {
		sim_error("unexpected argument '%s'", argv[optind]);
		bad = 1;
	}
	if (check_requires())
		bad = 1;
	if (bad) {
		fputs("Try 'gwsim --help'.\n", stderr);
		return -1;
	}
	return 0;
}

/* The strings of sim_cfg (at exit). */
static void free_cfg(void)
{
	free_agents();
	free(sim_cfg.token);
	free(sim_cfg.arrivals);
	free(sim_cfg.tls_cert);
	free(sim_cfg.tls_key);
	free(sim_cfg.tls_cert_pem);
	if (sim_cfg.tls_key_pem)
		/* the private key does not linger in freed memory */
		explicit_bzero(sim_cfg.tls_key_pem,
			       strlen(sim_cfg.tls_key_pem));
	free(sim_cfg.tls_key_pem);
	sim_cfg.token = sim_cfg.arrivals = NULL;
	sim_cfg.tls_cert = sim_cfg.tls_key = NULL;
	sim_cfg.tls_cert_pem = sim_cfg.tls_key_pem = NULL;
}

/*
 * A PEM certificate chain or key is a few KiB; 1 MiB is surely not one
 * (and bounds what a wrong path, say a log file, makes gwsim read).
 */
#define PEM_MAX ((size_t)1 << 20)

/* The contents of --OPT PATH as a string (caller frees); NULL after a line. */
static char *read_pem(const char *opt, const char *path)
{
	struct sim_buf b;
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1) {
		sim_error("--%s %s: %s", opt, path, strerror(errno));
		return NULL;
	}
	sim_buf_init(&b, PEM_MAX);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			sim_error("--%s %s: %s", opt, path, strerror(errno));
			goto fail;
		}
		if (sim_buf_add(&b, chunk, (size_t)n)) {
			sim_error("--%s %s: over 1 MiB, not a PEM file", opt,
				  path);
			goto fail;
		}
	}
	/* MHD takes the PEM text as a C string */
	if (!b.len || memchr(b.p, '\0', b.len)) {
		sim_error("--%s %s: %s", opt, path,
			  b.len ? "NUL bytes, not a PEM file" : "empty file");
		goto fail;
	}
	close(fd);
	return sim_buf_detach(&b, NULL);
fail:
	close(fd);
	if (b.p)
		explicit_bzero(b.p, b.len);
	sim_buf_release(&b);
	return NULL;
}

/* Read --tls-cert and --tls-key (when given); -1 after a line. */
static int load_tls(void)
{
	if (!sim_cfg.tls_cert)
		return 0;
	sim_cfg.tls_cert_pem = read_pem("tls-cert", sim_cfg.tls_cert);
	if (!sim_cfg.tls_cert_pem)
		return -1;
	sim_cfg.tls_key_pem = read_pem("tls-key", sim_cfg.tls_key);
	return sim_cfg.tls_key_pem ? 0 : -1;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			sim_error("warning: cannot raise RLIMIT_NOFILE: %s",
				  strerror(errno));
	}
}

static void report_port(unsigned port)
{
	char line[16];
	int n;

	if (sim_cfg.ready_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%u\n", port);
	if (write(sim_cfg.ready_fd, line, (size_t)n) != n)
		sim_error("warning: --ready-fd %d: %s", sim_cfg.ready_fd,
			  strerror(errno));
	close(sim_cfg.ready_fd);
}

int main(int argc, char **argv)
{
	sigset_t set;
	unsigned port = 0;
	int rc, sig = 0, status = 1;

	sim_cfg.start_ns = sim_now_ns();
	rc = parse_args(argc, argv);
	if (rc) {
		free_cfg();
		return rc > 0 ? 0 : 2;
	}
	/* files named on the command line are usage errors too: exit 2 */
	if (sim_arrival_open(sim_cfg.arrivals) || load_tls() ||
	    sim_http_tls_check()) {
		sim_arrival_close();
		free_cfg();
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	raise_nofile();
	json_object_seed(0);

	if (sim_session_init() || sim_artifact_init() || sim_agent_init() ||
	    sim_timer_start())
		goto out;
	if (sim_sse_init())
		goto out_timer;
	if (sim_http_start(&port))
		goto out_sse;
	report_port(port);
	/* a human at a terminal wants the port; gwstress and tests do not */
	if (sim_cfg.verbose || isatty(STDERR_FILENO)) {
		fprintf(stderr,
			"gwsim: listening on %s port %u (%u threads, "
			"agents",
			sim_cfg.listen, port, sim_cfg.threads);
		for (rc = 0; rc < (int)sim_cfg.n_agents; rc++)
			fprintf(stderr, "%s%s", rc ? "," : " ",
				sim_cfg.agents[rc]);
		fprintf(stderr, ")\n");
	}

	while (sigwait(&set, &sig) != 0)
		;
	sim_log("signal %d: shutting down", sig);
	status = 0;
	sim_sse_shutdown();
	sim_http_stop();
out_sse:
	sim_sse_shutdown();
out_timer:
	sim_timer_stop();
	sim_sse_release();
out:
	sim_agent_release();
	sim_artifact_release();
	sim_session_release();
	sim_fault_release();
	sim_arrival_close();
	free_cfg();
	return status;
}
