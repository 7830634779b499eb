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
 *   start: ignore SIGPIPE; block SIGINT/SIGTERM before any thread exists
 *          (every thread inherits the mask, so only sigwait() in main sees
 *          them); raise RLIMIT_NOFILE to the hard limit (thousands of
 *          streams); seed Jansson's hash once before threads; then store,
 *          agent, timer, SSE, HTTP; finally report the port on --ready-fd.
 *   stop:  SSE first (resume every suspended connection: MHD 0.9.75
 *          panics when stopped with suspended connections), then the
 *          daemon, then the timer thread, then free everything, exit 0.
 *
 * Options are parsed once into sim_cfg and validated strictly: decimal
 * only, ranges checked, every error reported (not just the first).  The
 * token is never printed.
 *
 * Rejected: a signal handler that sets a flag (sigwait in the main thread
 * is simpler and async-signal-safety is not a concern), a config file
 * (the flag set is small and gwstress builds the command line).
 */
#include <errno.h>
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

enum {
	OPT_LISTEN = 256, OPT_PORT, OPT_READY_FD, OPT_THREADS, OPT_AGENTS,
	OPT_EVENTS, OPT_FIRST_DELAY, OPT_INTERVAL, OPT_CHUNK, OPT_QUEUE,
	OPT_PING, OPT_MAX_UPLOAD, OPT_BUF_AGE, OPT_KEEPALIVE, OPT_MAX_BODY,
	OPT_TOKEN, OPT_SNDBUF, OPT_VERSION, OPT_FAIL_RATE, OPT_CUT_RATE,
	OPT_MALFORMED, OPT_STALL, OPT_TRICKLE, OPT_GARBAGE, OPT_NEVER_FINAL,
	OPT_LEAK_KB, OPT_REFUSE, OPT_RESET_RATE, OPT_PERSISTENT
};

static const struct option long_opts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "ready-fd", required_argument, NULL, OPT_READY_FD },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "agents", required_argument, NULL, OPT_AGENTS },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "first-delay-ms", required_argument, NULL, OPT_FIRST_DELAY },
	{ "interval-ms", required_argument, NULL, OPT_INTERVAL },
	{ "chunk-bytes", required_argument, NULL, OPT_CHUNK },
	{ "queue-size", required_argument, NULL, OPT_QUEUE },
	{ "ping-s", required_argument, NULL, OPT_PING },
	{ "max-upload-bytes", required_argument, NULL, OPT_MAX_UPLOAD },
	{ "buffer-max-age-s", required_argument, NULL, OPT_BUF_AGE },
	{ "keepalive-s", required_argument, NULL, OPT_KEEPALIVE },
	{ "max-body-bytes", required_argument, NULL, OPT_MAX_BODY },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "sndbuf", required_argument, NULL, OPT_SNDBUF },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ "fail-rate", required_argument, NULL, OPT_FAIL_RATE },
	{ "cut-rate", required_argument, NULL, OPT_CUT_RATE },
	{ "malformed", required_argument, NULL, OPT_MALFORMED },
	{ "stall-s", required_argument, NULL, OPT_STALL },
	{ "trickle-ms", required_argument, NULL, OPT_TRICKLE },
	{ "garbage", required_argument, NULL, OPT_GARBAGE },
	{ "never-final", no_argument, NULL, OPT_NEVER_FINAL },
	{ "persistent-buffer", no_argument, NULL, OPT_PERSISTENT },
	{ "leak-kb", required_argument, NULL, OPT_LEAK_KB },
	{ "refuse", no_argument, NULL, OPT_REFUSE },
	{ "reset-rate", required_argument, NULL, OPT_RESET_RATE },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *f)
{
	fputs(
"usage: gwsim [options]\n"
"Reference SAM WebUI gateway (HTTP + SSE) for gwstress.\n"
"\n"
"Server:\n"
"  --listen ADDR            IPv4 or IPv6 address (default 127.0.0.1)\n"
"  --port N                 TCP port, 0 = ephemeral (default 8000)\n"
"  --ready-fd FD            after listening write \"<port>\\n\" to FD\n"
"  --threads N              MHD worker threads (default 2)\n"
"  --keepalive-s N          idle keep-alive timeout, 0 = none (default 5,\n"
"                           uvicorn's); SSE streams never time out\n"
"  --sndbuf BYTES           SO_SNDBUF of accepted sockets (0 = default)\n"
"  --token T                require Authorization: Bearer T or ?token=T on\n"
"                           /api (except /api/v1/config); env GWSIM_TOKEN too\n"
"  -v, --verbose            one log line per request on stderr\n"
"  --version, -h/--help\n"
"\n"
"Gateway (SAM configuration equivalents):\n"
"  --queue-size N           sse_max_queue_size (default 200, SAM template)\n"
"  --ping-s N               SSE ping interval (default 15)\n"
"  --buffer-max-age-s N     sse_buffer_max_age_seconds (default 600)\n"
"  --max-upload-bytes N     gateway_max_upload_size_bytes (default 52428800)\n"
"  --max-body-bytes N       gateway_max_message_size_bytes (default 10000000)\n"
"  --persistent-buffer      SAM with SQL persistence: every task enters\n"
"                           SSEManager._background_task_cache (never\n"
"                           pruned) and events of a task whose subscriber\n"
"                           left go to the DB only; default off: the\n"
"                           cache stays empty, they are buffered in memory\n"
"\n"
"Built-in agent:\n"
"  --agents LIST            comma list (default TestAgent,TestPeerAgentA)\n"
"  --events N               status updates per task (default 5)\n"
"  --first-delay-ms N       delay before the first event (default 20)\n"
"  --interval-ms N          delay between events (default 10)\n"
"  --chunk-bytes N          text per status update (default 32)\n"
"  prompt directives override per task: [gwsim:events=N] [gwsim:chunk=N]\n"
"  [gwsim:interval_ms=N] [gwsim:first_delay_ms=N]; prompts containing\n"
"  \"weather\" or \"delegate\" get the tool-call / peer-delegation flows.\n"
"\n"
"Fault injection (gwsim only, all off by default):\n"
"  --fail-rate F            answer this fraction of /api requests with 500\n"
"  --cut-rate F             cut this fraction of SSE streams after 1 event\n"
"  --malformed MODE         nocolon | badjson | longline | barecr | bom\n"
"  --stall-s N              SSE: headers + comment, then N s of silence\n"
"  --trickle-ms N           SSE: one byte every N ms\n"
"  --garbage MODE           message:stream 200 bodies: nonjson | ctype\n"
"  --never-final            tasks never send final_response\n"
"  --leak-kb N              keep N KiB per submitted task (RSS growth)\n"
"  --refuse                 close every connection right after accept\n"
"  --reset-rate F           reset (RST) this fraction of connections after\n"
"                           their request headers\n"
"\n"
"Extras: GET /gwsim/stats, GET /gwsim/introspect.\n", f);
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
			v, (unsigned long long)lo, (unsigned long long)hi);
	*out = v;
	return 0;
}

static int parse_uint(const char *opt, const char *s, unsigned lo,
	unsigned hi, unsigned *out)
{
	uint64_t v;

	if (parse_u64(opt, s, lo, hi, &v))
		return -1;
	*out = (unsigned)v;
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
			sim_cfg.agents[sim_cfg.n_agents++] =
				sim_xstrndup(p, n);
		p += n;
		if (*p == ',')
			p++;
	}
	if (!sim_cfg.n_agents)
		return sim_error("--agents: empty list");
	return 0;
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

/* 0 ok, 1 exit 0 (help/version), -1 usage error. */
static int parse_args(int argc, char **argv)
{
	const char *env = getenv("GWSIM_TOKEN");
	int c, bad = 0;
	unsigned u;
	uint64_t v;

	defaults();
	if (parse_agents("TestAgent,TestPeerAgentA"))
		return -1;
	if (env && *env)
		sim_cfg.token = sim_xstrdup(env);
	while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		const char *o = optarg;
		int rc = 0;

		switch (c) {
		case OPT_LISTEN:
			if (strlen(o) >= sizeof(sim_cfg.listen))
				rc = sim_error("--listen: address too long");
			else
				snprintf(sim_cfg.listen, sizeof(sim_cfg.listen),
					"%s", o);
			break;
		case OPT_PORT:
			rc = parse_uint("--port", o, 0, 65535, &sim_cfg.port);
			break;
		case OPT_READY_FD:
			rc = parse_uint("--ready-fd", o, 0, INT_MAX, &u);
			sim_cfg.ready_fd = (int)u;
			break;
		case OPT_THREADS:
			rc = parse_uint("--threads", o, 1, 64,
				&sim_cfg.threads);
			break;
		case OPT_AGENTS:
			rc = parse_agents(o);
			break;
		case OPT_EVENTS:
			rc = parse_uint("--events", o, 0, 1000000,
				&sim_cfg.events);
			break;
		case OPT_FIRST_DELAY:
			rc = parse_uint("--first-delay-ms", o, 0, 86400000,
				&sim_cfg.first_delay_ms);
			break;
		case OPT_INTERVAL:
			rc = parse_uint("--interval-ms", o, 0, 86400000,
				&sim_cfg.interval_ms);
			break;
		case OPT_CHUNK:
			rc = parse_uint("--chunk-bytes", o, 1, 1 << 24,
				&sim_cfg.chunk_bytes);
			break;
		case OPT_QUEUE:
			rc = parse_uint("--queue-size", o, 1, 1000000,
				&sim_cfg.queue_size);
			break;
		case OPT_PING:
			rc = parse_uint("--ping-s", o, 1, 86400,
				&sim_cfg.ping_s);
			break;
		case OPT_MAX_UPLOAD:
			rc = parse_u64("--max-upload-bytes", o, 1,
				(uint64_t)1 << 40, &sim_cfg.max_upload_bytes);
			break;
		case OPT_BUF_AGE:
			rc = parse_uint("--buffer-max-age-s", o, 1, 86400 * 7,
				&sim_cfg.buffer_max_age_s);
			break;
		case OPT_KEEPALIVE:
			rc = parse_uint("--keepalive-s", o, 0, 86400,
				&sim_cfg.keepalive_s);
			break;
		case OPT_MAX_BODY:
			rc = parse_u64("--max-body-bytes", o, 1,
				(uint64_t)1 << 32, &v);
			sim_cfg.max_body_bytes = v;
			break;
		case OPT_TOKEN:
			free(sim_cfg.token);
			sim_cfg.token = *o ? sim_xstrdup(o) : NULL;
			break;
		case OPT_SNDBUF:
			rc = parse_uint("--sndbuf", o, 0, INT_MAX, &u);
			sim_cfg.sndbuf = (int)u;
			break;
		case 'v':
			sim_cfg.verbose = 1;
			break;
		case OPT_VERSION:
			printf("gwsim %s (libmicrohttpd %s, jansson %s)\n",
				SIM_VERSION, MHD_get_version(),
				JANSSON_VERSION);
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		case OPT_FAIL_RATE:
			rc = parse_rate("--fail-rate", o, &sim_cfg.fail_rate);
			break;
		case OPT_CUT_RATE:
			rc = parse_rate("--cut-rate", o, &sim_cfg.cut_rate);
			break;
		case OPT_RESET_RATE:
			rc = parse_rate("--reset-rate", o,
				&sim_cfg.reset_rate);
			break;
		case OPT_MALFORMED:
			if (sim_fault_parse_malformed(o, &sim_cfg.malformed))
				rc = sim_error("--malformed: unknown mode '%s' "
					"(nocolon, badjson, longline, barecr, "
					"bom)", o);
			break;
		case OPT_STALL:
			rc = parse_uint("--stall-s", o, 0, 86400,
				&sim_cfg.stall_s);
			break;
		case OPT_TRICKLE:
			rc = parse_uint("--trickle-ms", o, 0, 60000,
				&sim_cfg.trickle_ms);
			break;
		case OPT_GARBAGE:
			if (sim_fault_parse_garbage(o, &sim_cfg.garbage))
				rc = sim_error("--garbage: unknown mode '%s' "
					"(nonjson, ctype)", o);
			break;
		case OPT_PERSISTENT:
			sim_cfg.persistent_buffer = true;
			break;
		case OPT_NEVER_FINAL:
			sim_cfg.never_final = true;
			break;
		case OPT_LEAK_KB:
			rc = parse_uint("--leak-kb", o, 0, 1 << 20,
				&sim_cfg.leak_kb);
			break;
		case OPT_REFUSE:
			sim_cfg.refuse = true;
			break;
		default:
			rc = -1;
			break;
		}
		if (rc)
			bad = 1;
	}
	if (optind < argc) {
		sim_error("unexpected argument '%s'", argv[optind]);
		bad = 1;
	}
	if (bad) {
		fputs("Try 'gwsim --help'.\n", stderr);
		return -1;
	}
	return 0;
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

	rc = parse_args(argc, argv);
	if (rc) {
		free_agents();
		free(sim_cfg.token);
		return rc > 0 ? 0 : 2;
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
		fprintf(stderr, "gwsim: listening on %s port %u (%u threads, "
			"agents", sim_cfg.listen, port, sim_cfg.threads);
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
	free_agents();
	free(sim_cfg.token);
	return status;
}
