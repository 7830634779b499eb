/*
 * gw_prom: the live metrics endpoint (design in gw_prom.h).
 *
 * A scrape: ask the collector for a snapshot and wait for it (at most
 * SNAP_WAIT_NS; a collector that does not answer in time -- there is
 * none before the engine starts -- leaves the last one), format it into
 * a fresh buffer, hand the buffer to libmicrohttpd (which frees it).  A
 * scrape of a load run's 40 operations is about 90 KiB of text.
 *
 * The text is built line by line into a growable buffer capped at
 * GW_PROM_MAX_BYTES; running out of memory answers 503, never aborts the
 * run.  Label values are escaped as the format says (backslash, double
 * quote, line feed); HELP texts are fixed strings of ours.
 *
 * Rejected: a second listening thread pool (one scraper a second needs
 * none, and gw_live has one reader); formatting in the collector (it
 * would spend its time on text while rings fill); answering from
 * cumulative state kept here (the collector's snapshot is already that).
 */
#include "gw_prom.h"
#include "gw_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define SNAP_WAIT_NS (500 * GW_NS_PER_MS)
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- ADDR:PORT ----------------------------------------------------------- */

int gw_prom_parse_listen(const char *arg, struct gw_prom_addr *a)
{
	const char *colon, *host = arg;
	size_t hlen;
	long port;

	memset(a, 0, sizeof(*a));
	if (arg[0] == '[') {
		const char *end = strchr(arg, ']');

		if (!end || end[1] != ':')
			goto bad;
		host = arg + 1;
		hlen = (size_t)(end - host);
		colon = end + 1;
	} else {
		colon = strrchr(arg, ':');
		if (!colon)
			goto bad;
		hlen = (size_t)(colon - arg);
	}
	if (!hlen || hlen >= sizeof(a->host) ||
	    gw_parse_long(colon + 1, 0, 65535, &port) < 0)
		goto bad;
	memcpy(a->host, host, hlen);
	a->host[hlen] = '\0';
	a->port = (unsigned)port;
	if (arg[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;

		if (inet_pton(AF_INET6, a->host, &s6->sin6_addr) != 1)
			goto bad;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		a->len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;

		if (inet_pton(AF_INET, a->host, &s4->sin_addr) != 1)
			goto bad;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		a->len = sizeof(*s4);
	}
	return 0;
bad:
	return gw_error("--metrics-listen %s: expected ADDR:PORT with a "
			"numeric address, e.g. 127.0.0.1:9464, [::1]:9464 or "
			"0.0.0.0:0 (port 0: any free port)",
			arg);
}

/* ---- the text ------------------------------------------------------------ */

struct buf {
	char *p;
	size_t len, cap;
	int bad; /* out of memory or over GW_PROM_MAX_BYTES */
};

static void put(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->bad)
		return;
	for (;;) {
		size_t room = b->cap - b->len;
		char *q;

		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->bad = 1;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		if (b->cap * 2 > GW_PROM_MAX_BYTES) {
			b->bad = 1;
			return;
		}
		q = realloc(b->p, b->cap * 2);
		if (!q) {
			b->bad = 1;
			return;
		}
		b->p = q;
		b->cap *= 2;
	}
}

/* A label value, escaped: \ -> \\, " -> \", line feed -> \n. */
static void put_value(struct buf *b, const char *v)
{
	for (const char *s = v; *s; s++) {
		if (*s == '\\')
			put(b, "\\\\");
		else if (*s == '"')
			put(b, "\\\"");
		else if (*s == '\n')
			put(b, "\\n");
		else
			put(b, "%c", *s);
	}
}

static void put_label(struct buf *b, const char *key, const char *v)
{
	put(b, ",%s=\"", key);
	put_value(b, v);
	put(b, "\"");
}

static void family(struct buf *b, const char *name, const char *type,
		   const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* What a scrape's lines share: the run's labels, already escaped. */
struct ctx {
	struct buf *b;
	const struct gw_prom_labels *lab;
	const struct gw_live_snap *sn;
	char run[400]; /* scenario="..",shard=".." */
};

/* Start a sample line: name{run labels[,key="v"][,key2="v2"] */
static void line(const struct ctx *c, const char *name, const char *k1,
		 const char *v1, const char *k2, const char *v2)
{
	put(c->b, "%s{%s", name, c->run);
	if (k1)
		put_label(c->b, k1, v1);
	if (k2 && v2)
		put_label(c->b, k2, v2);
}

static void end_u64(const struct ctx *c, uint64_t v)
{
	put(c->b, "} %llu\n", (unsigned long long)v);
}

static void end_dbl(const struct ctx *c, double v)
{
	put(c->b, "} %.17g\n", v);
}

/* The flow operation op belongs to ("chat" for chat.submit.intended and
 * flow.chat), into out; NULL for the run's pooled ones (ttfe, sse_*). */
static const char *flow_of(const struct gw_prom_labels *lab, const char *op,
			   char *out, size_t n)
{
	const char *s = !strncmp(op, "flow.", 5) ? op + 5 : op;
	size_t len = strcspn(s, ".");

	for (int f = 0; f < lab->nflows; f++)
		if (strlen(lab->flows[f]) == len &&
		    !strncmp(lab->flows[f], s, len) &&
		    (s != op || s[len] == '.')) {
			snprintf(out, n, "%s", lab->flows[f]);
			return out;
		}
	return NULL;
}

static int is_lag(const char *op)
{
	return !strcmp(op, "schedule_lag");
}

static void histogram(const struct ctx *c, const char *name,
		      const struct gw_live_op *o, const char *flow)
{
	char le[32];

	for (int k = 0; k < GW_LIVE_NBOUNDS; k++) {
		snprintf(le, sizeof(le), "%g",
			 (double)gw_live_bounds_ns[k] / 1e9);
		line(c, name, "operation", o->name, "flow", flow);
		put_label(c->b, "le", le);
		end_u64(c, o->le[k]);
	}
	line(c, name, "operation", o->name, "flow", flow);
	put_label(c->b, "le", "+Inf");
	end_u64(c, o->n);
}

/* The sums and counts of every histogram line of family name. */
static void histogram_tail(const struct ctx *c, const char *name,
			   const struct gw_live_op *o, const char *flow)
{
	char n[96];

	snprintf(n, sizeof(n), "%s_sum", name);
	line(c, n, "operation", o->name, "flow", flow);
	end_dbl(c, o->sum_s);
	snprintf(n, sizeof(n), "%s_count", name);
	line(c, n, "operation", o->name, "flow", flow);
	end_u64(c, o->n);
}

static void latencies(const struct ctx *c, int lag)
{
	const char *name = lag ? "gwstress_schedule_lag_seconds"
			       : "gwstress_latency_seconds";
	char bucket[64], fl[GW_NAME_LEN];

	snprintf(bucket, sizeof(bucket), "%s_bucket", name);
	for (int k = 0; k < c->sn->nops; k++) {
		const struct gw_live_op *o = &c->sn->op[k];
		const char *flow = flow_of(c->lab, o->name, fl, sizeof(fl));

		if (is_lag(o->name) != lag || (!lag && !o->produced))
			continue;
		histogram(c, bucket, o, flow);
		histogram_tail(c, name, o, flow);
	}
}

/* Counters shown under a name of their own, or as gauges: not repeated
 * in gwstress_counts_total. */
static const struct {
	const char *counter, *series, *type, *help;
} named[] = {
	{ "sse_streams_open", "gwstress_sse_streams_open", "gauge",
	  "SSE streams open now." },
	{ "in_flight", "gwstress_flows_in_flight", "gauge",
	  "Workload flows running now." },
	{ "open_streams", NULL, NULL, NULL }, /* = sse_streams_open */
	{ "flows_started", "gwstress_flows_started_total", "counter",
	  "Workload flows started (open starts and closed iterations)." },
	{ "late_starts", "gwstress_starts_late_total", "counter",
	  "Open starts begun later than late_after after their intended "
	  "time." },
	{ "flows_completed", "gwstress_flows_completed_total", "counter",
	  "Workload flows that ran every step." },
	{ "flows_failed", "gwstress_flows_failed_total", "counter",
	  "Workload flows ended by a failed step." },
	{ "flows_cut", "gwstress_flows_cut_total", "counter",
	  "Workload flows still running when the run ended." },
};

static const struct {
	const char *ext, *series, *help;
} externals[] = {
	{ "offered_starts", "gwstress_starts_offered_total",
	  "Open starts the schedule asked for." },
	{ "dropped_starts", "gwstress_starts_dropped_total",
	  "Open starts dropped because every worker was busy." },
};

static int named_counter(const char *name)
{
	for (size_t i = 0; i < GW_ARRAY_SIZE(named); i++)
		if (!strcmp(named[i].counter, name))
			return (int)i;
	return -1;
}

static void run_series(const struct ctx *c)
{
	const struct gw_live_snap *sn = c->sn;
	char fl[GW_NAME_LEN];
	uint64_t produced = 0, dropped = 0;

	family(c->b, "gwstress_requests_total", "counter",
	       "Requests attempted, by operation.");
	for (int k = 0; k < sn->nops; k++)
		if (sn->op[k].attempts) {
			line(c, "gwstress_requests_total", "operation",
			     sn->op[k].name, "flow",
			     flow_of(c->lab, sn->op[k].name, fl, sizeof(fl)));
			end_u64(c, sn->op[k].attempts);
		}
	family(c->b, "gwstress_operation_errors_total", "counter",
	       "Failures, by operation (HTTP >= 400 included).");
	for (int k = 0; k < sn->nops; k++) {
		line(c, "gwstress_operation_errors_total", "operation",
		     sn->op[k].name, "flow",
		     flow_of(c->lab, sn->op[k].name, fl, sizeof(fl)));
		end_u64(c, sn->op[k].errors);
	}
	family(c->b, "gwstress_errors_total", "counter",
	       "Failures, by error class.");
	for (int k = 0; k < GW_E_NCLASS; k++) {
		if (k == GW_E_NONE)
			continue;
		line(c, "gwstress_errors_total", "class",
		     gw_errclass_name((enum gw_errclass)k), NULL, NULL);
		end_u64(c, sn->errclass[k]);
	}
	family(c->b, "gwstress_latency_seconds", "histogram",
	       "Latency of each operation with samples, seconds.");
	latencies(c, 0);
	for (int k = 0; k < sn->nops; k++)
		if (is_lag(sn->op[k].name)) {
			family(c->b, "gwstress_schedule_lag_seconds",
			       "histogram",
			       "Actual minus intended start of open starts, "
			       "seconds.");
			latencies(c, 1);
			break;
		}
	for (int k = 0; k < sn->nops; k++) {
		produced += sn->op[k].produced;
		dropped += sn->op[k].dropped;
	}
	family(c->b, "gwstress_samples_total", "counter",
	       "Latency samples the workers produced.");
	line(c, "gwstress_samples_total", NULL, NULL, NULL, NULL);
	end_u64(c, produced);
	family(c->b, "gwstress_samples_dropped_total", "counter",
	       "Latency samples a full ring dropped (they distort the "
	       "figures).");
	line(c, "gwstress_samples_dropped_total", NULL, NULL, NULL, NULL);
	end_u64(c, dropped);
	for (size_t i = 0; i < GW_ARRAY_SIZE(named); i++)
		for (int k = 0; named[i].series && k < sn->ncounters; k++)
			if (!strcmp(sn->counter_name[k], named[i].counter)) {
				family(c->b, named[i].series, named[i].type,
				       named[i].help);
				line(c, named[i].series, NULL, NULL, NULL,
				     NULL);
				/* a +1/-1 gauge sums to a wrapped uint64 */
				if (!strcmp(named[i].type, "gauge"))
					put(c->b, "} %lld\n",
					    (long long)(int64_t)sn->counter[k]);
				else
					end_u64(c, sn->counter[k]);
				break;
			}
	for (size_t i = 0; i < GW_ARRAY_SIZE(externals); i++)
		for (int k = 0; k < sn->next; k++)
			if (!strcmp(sn->ext_name[k], externals[i].ext)) {
				family(c->b, externals[i].series, "counter",
				       externals[i].help);
				line(c, externals[i].series, NULL, NULL, NULL,
				     NULL);
				end_u64(c, sn->ext[k]);
				break;
			}
	family(c->b, "gwstress_counts_total", "counter",
	       "The run's other counters, as its report names them.");
	for (int k = 0; k < sn->ncounters; k++)
		if (named_counter(sn->counter_name[k]) < 0) {
			line(c, "gwstress_counts_total", "counter",
			     sn->counter_name[k], NULL, NULL);
			end_u64(c, sn->counter[k]);
		}
}

/* v escaped as a label value into out[n]; -1 if it does not fit. */
static int escape_into(char *out, size_t n, const char *v)
{
	struct buf b = { malloc(256), 0, 256, 0 };
	int rc = -1;

	if (!b.p)
		return -1;
	put_value(&b, v);
	if (!b.bad && b.len < n) {
		memcpy(out, b.p, b.len + 1);
		rc = 0;
	}
	free(b.p);
	return rc;
}

int gw_prom_format(const struct gw_prom_labels *lab,
		   const struct gw_live_snap *sn,
		   const struct gw_prom_self *self, char **out, size_t *len)
{
	struct buf b = { malloc(64 * 1024), 0, 64 * 1024, 0 };
	struct ctx c = { &b, lab, sn, "" };
	char name[300], shard[64];
	int k;

	*out = NULL;
	*len = 0;
	if (!b.p || escape_into(shard, sizeof(shard), lab->shard) < 0 ||
	    (sn && escape_into(name, sizeof(name), sn->name) < 0)) {
		free(b.p);
		return -1;
	}
	/* the run's labels, escaped once: scenario= in the catalogue,
	 * workload= in load and search */
	k = sn ? snprintf(c.run, sizeof(c.run), "%s=\"%s\",shard=\"%s\"",
			  strcmp(lab->mode, "catalogue") ? "workload"
							 : "scenario",
			  name, shard)
	       : snprintf(c.run, sizeof(c.run), "shard=\"%s\"", shard);
	if (k < 0 || (size_t)k >= sizeof(c.run)) {
		free(b.p);
		return -1;
	}
	family(&b, "gwstress_run_info", "gauge",
	       "What this gwstress process runs (always 1).");
	line(&c, "gwstress_run_info", "mode", lab->mode, "version",
	     lab->version);
	put_label(&b, "target", lab->target);
	put_label(&b, "shards", lab->shards ? lab->shards : "1");
	end_u64(&c, 1);
	if (sn) {
		run_series(&c);
		family(&b, "gwstress_workers", "gauge",
		       "Worker threads in the pool.");
		line(&c, "gwstress_workers", NULL, NULL, NULL, NULL);
		end_u64(&c, (uint64_t)sn->workers);
		family(&b, "gwstress_metrics_snapshot_age_seconds", "gauge",
		       "Age of the figures served (grows between runs).");
		line(&c, "gwstress_metrics_snapshot_age_seconds", NULL, NULL,
		     NULL, NULL);
		end_dbl(&c, (double)(self->now_ns - sn->built_ns) / 1e9);
	}
	/* the process's own: shard only, no run label */
	snprintf(c.run, sizeof(c.run), "shard=\"%s\"", shard);
	family(&b, "gwstress_cpu_seconds_total", "counter",
	       "CPU gwstress used, user and system, every thread.");
	line(&c, "gwstress_cpu_seconds_total", NULL, NULL, NULL, NULL);
	end_dbl(&c, self->cpu_s);
	family(&b, "gwstress_cpu_cores", "gauge",
	       "Online CPU cores (rate(gwstress_cpu_seconds_total) / this "
	       "= share of the machine).");
	line(&c, "gwstress_cpu_cores", NULL, NULL, NULL, NULL);
	end_u64(&c, (uint64_t)self->ncpu);
	family(&b, "gwstress_metrics_cpu_seconds_total", "counter",
	       "CPU this endpoint used: snapshots in the collector, text in "
	       "its thread.");
	line(&c, "gwstress_metrics_cpu_seconds_total", NULL, NULL, NULL, NULL);
	end_dbl(&c, self->endpoint_cpu_s + (sn ? sn->build_cpu_s : 0));
	if (b.bad) {
		free(b.p);
		return -1;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

/* ---- the daemon ---------------------------------------------------------- */

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * GW_NS_PER_S + ts.tv_nsec;
}

static double process_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
			     const char *ctype, char *body, size_t len,
			     const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned status,
				  const char *text, const char *allow)
{
	char *body = strdup(text);

	if (!body)
		return MHD_NO;
	return reply(conn, status, "text/plain; charset=utf-8", body,
		     strlen(body), allow);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **req)
{
	struct gw_prom *p = cls;
	struct gw_prom_self self;
	const struct gw_live_snap *sn;
	char *text;
	size_t len;
	enum MHD_Result rc;

	(void)version;
	(void)upload;
	if (*upload_size) {
		*upload_size = 0; /* a body is read and ignored */
		return MHD_YES;
	}
	*req = p;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "only GET /metrics\n", "GET, HEAD");
	if (strcmp(url, "/metrics"))
		return reply_text(conn, MHD_HTTP_NOT_FOUND,
				  "gwstress serves /metrics only\n", NULL);
	gw_live_wait(&p->live, gw_live_request(&p->live), SNAP_WAIT_NS);
	sn = gw_live_read(&p->live);
	self.cpu_s = process_cpu_s();
	self.ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	self.now_ns = gw_now_ns();
	/* all this thread has used so far: epoll, accepts and sends of
	 * earlier scrapes included, not only the handlers */
	self.endpoint_cpu_s = (double)thread_cpu_ns() / 1e9;
	if (gw_prom_format(&p->lab, sn, &self, &text, &len) < 0)
		rc = reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				"out of memory for the metrics text\n", NULL);
	else
		rc = reply(conn, MHD_HTTP_OK, CONTENT_TYPE, text, len, NULL);
	p->scrapes++;
	return rc;
}

/* A listening socket on a; -1 with errno set. */
static int listen_on(const struct gw_prom_addr *a)
{
	int one = 1;
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (a->ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ==
		     -1) ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1 ||
	    listen(fd, 64) == -1 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

char *gw_prom_addr_str(const struct gw_prom_addr *a, unsigned off, char *buf,
		       size_t n)
{
	int v6 = a->ss.ss_family == AF_INET6;

	snprintf(buf, n, "%s%s%s:%u", v6 ? "[" : "", a->host, v6 ? "]" : "",
		 a->port + off);
	return buf;
}

int gw_prom_start(struct gw_prom *p, const struct gw_prom_addr *a,
		  const struct gw_prom_labels *lab)
{
	char at[sizeof(a->host) + 16];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD;
	int fd;

	memset(p, 0, sizeof(*p));
	gw_live_init(&p->live);
	p->lab = *lab;
	p->addr = *a;
	fd = listen_on(a);
	if (fd == -1)
		return gw_error("--metrics-listen %s: cannot listen: %s",
				gw_prom_addr_str(a, 0, at, sizeof(at)),
				strerror(errno));
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		p->addr.port =
			ntohs(ss.ss_family == AF_INET6
				      ? ((struct sockaddr_in6 *)&ss)->sin6_port
				      : ((struct sockaddr_in *)&ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* a few scrapers at most; an idle one is closed after 30 s */
	p->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, p,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, 32U,
				MHD_OPTION_CONNECTION_TIMEOUT, 30U,
				MHD_OPTION_END);
	if (!p->d) {
		close(fd);
		return gw_error("--metrics-listen %s: cannot start the "
				"HTTP server (libmicrohttpd)",
				gw_prom_addr_str(a, 0, at, sizeof(at)));
	}
	snprintf(p->url, sizeof(p->url), "http://%s/metrics",
		 gw_prom_addr_str(&p->addr, 0, at, sizeof(at)));
	return 0;
}

void gw_prom_stop(struct gw_prom *p)
{
	if (!p || !p->d)
		return;
	MHD_stop_daemon(p->d); /* joins its thread, closes the socket */
	p->d = NULL;
}
