/*
 * check_prom: the live metrics endpoint (gw_prom).
 *
 *  - ADDR:PORT, data-driven: IPv4 and bracketed IPv6 literals, port 0 to
 *    65535, and the malformed ones (names, no port, out of range,
 *    unbracketed IPv6);
 *  - the text of a synthetic snapshot: every line is a valid sample or
 *    HELP/TYPE line of the 0.0.4 format (a small validator below),
 *    label values escaped, histogram buckets cumulative with +Inf ==
 *    _count, schedule_lag in its own family, requests only for request
 *    operations, flow labels only on a flow's own operations, a +1/-1
 *    gauge that wrapped printed as the small number it is;
 *  - the endpoint itself over loopback with a raw socket, while an
 *    engine runs stub jobs (TSan sees the endpoint thread, the collector
 *    and the workers together): 200 with the format's content type,
 *    404 elsewhere, 405 for POST; a second endpoint on the same port
 *    fails with the reason.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "check_main.h"
#include "gw_engine.h"
#include "gw_http.h"
#include "gw_live.h"
#include "gw_metrics.h"
#include "gw_prom.h"
#include "gw_util.h"

static const struct {
	const char *arg;
	int ok;
	unsigned port;
	const char *host;
} listen_cases[] = {
	{ "127.0.0.1:9464", 1, 9464, "127.0.0.1" },
	{ "0.0.0.0:0", 1, 0, "0.0.0.0" },
	{ "[::1]:65535", 1, 65535, "::1" },
	{ "[::]:80", 1, 80, "::" },
	{ "127.0.0.1:080", 1, 80, "127.0.0.1" }, /* decimal, never octal */
	{ "localhost:9464", 0, 0, NULL },	 /* no name lookup */
	{ "127.0.0.1", 0, 0, NULL },
	{ "127.0.0.1:", 0, 0, NULL },
	{ ":9464", 0, 0, NULL },
	{ "127.0.0.1:65536", 0, 0, NULL },
	{ "127.0.0.1:-1", 0, 0, NULL },
	{ "127.0.0.1: 80", 0, 0, NULL },
	{ "127.0.0.1:80x", 0, 0, NULL },
	{ "::1:9464", 0, 0, NULL },
	{ "[::1]9464", 0, 0, NULL },
	{ "[::1:9464", 0, 0, NULL },
	{ "[127.0.0.1]:80", 0, 0, NULL },
	{ "", 0, 0, NULL },
};

START_TEST(test_parse_listen)
{
	struct gw_prom_addr a, b;
	char at[sizeof(a.host) + 16];
	int rc = gw_prom_parse_listen(listen_cases[_i].arg, &a);

	ck_assert_msg((rc == 0) == listen_cases[_i].ok, "%s: rc %d",
		      listen_cases[_i].arg, rc);
	if (!listen_cases[_i].ok)
		return;
	ck_assert_uint_eq(a.port, listen_cases[_i].port);
	ck_assert_str_eq(a.host, listen_cases[_i].host);
	ck_assert_int_eq(a.ss.ss_family,
			 strchr(a.host, ':') ? AF_INET6 : AF_INET);
	/* written back, it parses to the same address */
	gw_prom_addr_str(&a, 0, at, sizeof(at));
	ck_assert_int_eq(gw_prom_parse_listen(at, &b), 0);
	ck_assert_str_eq(b.host, a.host);
	ck_assert_uint_eq(b.port, a.port);
}
END_TEST

/* a shard's endpoint, port + i, brackets kept around an IPv6 host */
START_TEST(test_addr_str)
{
	struct gw_prom_addr a;
	char at[sizeof(a.host) + 16];

	ck_assert_int_eq(gw_prom_parse_listen("[::1]:9464", &a), 0);
	ck_assert_str_eq(gw_prom_addr_str(&a, 0, at, sizeof(at)), "[::1]:9464");
	ck_assert_str_eq(gw_prom_addr_str(&a, 3, at, sizeof(at)), "[::1]:9467");
	ck_assert_int_eq(gw_prom_parse_listen("127.0.0.1:080", &a), 0);
	ck_assert_str_eq(gw_prom_addr_str(&a, 1, at, sizeof(at)),
			 "127.0.0.1:81");
}
END_TEST

/* ---- a validator of the text format (0.0.4) ----------------------------- */

static int name_char(int c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || (!first && c >= '0' && c <= '9');
}

/* One line: "# HELP name text", "# TYPE name type" or a sample
 * name{k="v",...} value.  Returns NULL when valid, else why. */
static const char *bad_line(const char *l)
{
	const char *p = l;
	char *end;

	if (!strncmp(l, "# HELP ", 7) || !strncmp(l, "# TYPE ", 7)) {
		p = l + 7;
		if (!name_char(*p, 1))
			return "bad metric name in a comment";
		while (name_char(*p, 0))
			p++;
		if (*p != ' ')
			return "no text after the name";
		if (!strncmp(l, "# TYPE ", 7) && strcmp(p + 1, "counter") &&
		    strcmp(p + 1, "gauge") && strcmp(p + 1, "histogram"))
			return "unknown type";
		return NULL;
	}
	if (!name_char(*p, 1))
		return "bad metric name";
	while (name_char(*p, 0))
		p++;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			if (!name_char(*p, 1))
				return "bad label name";
			while (name_char(*p, 0))
				p++;
			if (p[0] != '=' || p[1] != '"')
				return "no =\" after a label name";
			p += 2;
			while (*p != '"') {
				if (!*p || *p == '\n')
					return "unterminated label value";
				if (*p == '\\') {
					if (p[1] != '\\' && p[1] != '"' &&
					    p[1] != 'n')
						return "bad escape";
					p++;
				}
				p++;
			}
			p++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return "no , or } after a label";
		}
		p++;
	}
	if (*p != ' ')
		return "no blank before the value";
	strtod(p + 1, &end);
	if (end == p + 1 || *end)
		return "bad value";
	return NULL;
}

/* Every line of text valid; returns the number of lines. */
static int check_text(const char *text)
{
	char *copy = strdup(text), *save = NULL;
	int n = 0;

	ck_assert_ptr_nonnull(copy);
	ck_assert_int_eq(text[strlen(text) - 1], '\n');
	for (char *l = strtok_r(copy, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save), n++) {
		const char *why = bad_line(l);

		ck_assert_msg(!why, "%s: %s", why, l);
	}
	free(copy);
	return n;
}

/* The value of the sample line that starts with prefix (up to the
 * blank before the value), or -1 if there is none. */
static double value_of(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while ((p = strstr(p, prefix))) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return -1;
}

static int count_of(const char *text, const char *s)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, s)); p += strlen(s))
		n++;
	return n;
}

static void add_op(struct gw_live_snap *sn, const char *name, uint64_t attempts,
		   uint64_t n)
{
	struct gw_live_op *o = &sn->op[sn->nops++];

	snprintf(o->name, sizeof(o->name), "%s", name);
	o->attempts = attempts;
	o->produced = o->n = n;
	o->errors = attempts / 10;
	o->sum_s = (double)n * 0.02;
	for (int b = 0; b < GW_LIVE_NBOUNDS; b++)
		o->le[b] = gw_live_bounds_ns[b] >= 10 * GW_NS_PER_MS ? n : 0;
}

static void add_counter(struct gw_live_snap *sn, const char *name, uint64_t v)
{
	snprintf(sn->counter_name[sn->ncounters], GW_NAME_LEN, "%s", name);
	sn->counter[sn->ncounters++] = v;
}

START_TEST(test_format)
{
	static struct gw_live_snap sn;
	static const char *const flows[] = { "chat", "browse" };
	struct gw_prom_labels lab = { .mode = "load",
				      .version = "0.1.0",
				      .target = "http://127.0.0.1:1/x\"y",
				      .shard = "2",
				      .shards = "3",
				      .flows = flows,
				      .nflows = 2 };
	struct gw_prom_self self = { 1.5, 2, 0.25, 0 };
	char *text;
	size_t len;

	memset(&sn, 0, sizeof(sn));
	snprintf(sn.name, sizeof(sn.name), "we\"ird\\name\nx");
	sn.seq = 1;
	sn.workers = 4;
	sn.built_ns = 0;
	sn.build_cpu_s = 0.5;
	add_op(&sn, "chat.submit", 100, 100);
	add_op(&sn, "flow.chat.intended", 0, 7);
	add_op(&sn, "ttfe.intended", 0, 50);
	add_op(&sn, "sse_subscribe", 0, 0);
	add_op(&sn, "schedule_lag", 0, 30);
	add_op(&sn, "chatter.submit", 3, 3); /* not flow "chat" */
	add_counter(&sn, "sse_streams_open", (uint64_t)-1 + 3);
	add_counter(&sn, "flows_started", 12);
	add_counter(&sn, "tasks_submitted", 5);
	snprintf(sn.ext_name[0], GW_NAME_LEN, "offered_starts");
	sn.ext[0] = 40;
	sn.next = 1;
	sn.errclass[GW_E_TIMEOUT] = 3;

	ck_assert_int_eq(gw_prom_format(&lab, &sn, &self, &text, &len), 0);
	ck_assert_uint_eq(strlen(text), len);
	ck_assert_int_gt(check_text(text), 100);
#define RUN "workload=\"we\\\"ird\\\\name\\nx\",shard=\"2\""
	ck_assert_ptr_nonnull(
		strstr(text, "target=\"http://127.0.0.1:1/x\\\"y\""));
	ck_assert_double_eq(
		value_of(text, "gwstress_requests_total{" RUN
			       ",operation=\"chat.submit\",flow=\"chat\"}"),
		100);
	/* no requests line for an operation without attempts */
	ck_assert_ptr_null(strstr(text, "gwstress_requests_total{" RUN
					",operation=\"ttfe.intended\""));
	/* errors for every operation; no flow label on a pooled one */
	ck_assert_double_eq(value_of(text,
				     "gwstress_operation_errors_total{" RUN
				     ",operation=\"ttfe.intended\"}"),
			    0);
	ck_assert_double_eq(value_of(text,
				     "gwstress_operation_errors_total{" RUN
				     ",operation=\"chatter.submit\"}"),
			    0);
	ck_assert_double_eq(value_of(text,
				     "gwstress_latency_seconds_count{" RUN
				     ",operation=\"flow.chat.intended\",flow="
				     "\"chat\"}"),
			    7);
	ck_assert_double_eq(value_of(text,
				     "gwstress_latency_seconds_bucket{" RUN
				     ",operation=\"chat.submit\",flow=\"chat\","
				     "le=\"0.005\"}"),
			    0);
	ck_assert_double_eq(value_of(text,
				     "gwstress_latency_seconds_bucket{" RUN
				     ",operation=\"chat.submit\",flow=\"chat\","
				     "le=\"0.01\"}"),
			    100);
	ck_assert_double_eq(value_of(text,
				     "gwstress_latency_seconds_bucket{" RUN
				     ",operation=\"chat.submit\",flow=\"chat\","
				     "le=\"+Inf\"}"),
			    100);
	ck_assert_double_eq_tol(
		value_of(text, "gwstress_latency_seconds_sum{" RUN
			       ",operation=\"chat.submit\",flow=\"chat\"}"),
		2.0, 1e-12);
	/* no histogram for an operation that never had a sample */
	ck_assert_ptr_null(strstr(text, "operation=\"sse_subscribe\",le="));
	/* schedule lag in its own family only */
	ck_assert_double_eq(value_of(text,
				     "gwstress_schedule_lag_seconds_count{" RUN
				     ",operation=\"schedule_lag\"}"),
			    30);
	ck_assert_ptr_null(strstr(text, "gwstress_latency_seconds_count{" RUN
					",operation=\"schedule_lag\""));
	ck_assert_double_eq(
		value_of(text, "gwstress_sse_streams_open{" RUN "}"), 2);
	ck_assert_double_eq(
		value_of(text, "gwstress_flows_started_total{" RUN "}"), 12);
	ck_assert_double_eq(
		value_of(text, "gwstress_starts_offered_total{" RUN "}"), 40);
	ck_assert_double_eq(value_of(text, "gwstress_counts_total{" RUN
					   ",counter=\"tasks_submitted\"}"),
			    5);
	ck_assert_ptr_null(strstr(text, "counter=\"flows_started\""));
	ck_assert_double_eq(value_of(text, "gwstress_errors_total{" RUN
					   ",class=\"timeout\"}"),
			    3);
	ck_assert_double_eq(value_of(text, "gwstress_workers{" RUN "}"), 4);
	ck_assert_double_eq(
		value_of(text, "gwstress_cpu_seconds_total{shard=\"2\"}"), 1.5);
	ck_assert_double_eq(
		value_of(text,
			 "gwstress_metrics_cpu_seconds_total{shard=\"2\"}"),
		0.75);
	/* one TYPE line per family */
	ck_assert_int_eq(count_of(text, "# TYPE gwstress_latency_seconds "), 1);
	ck_assert_int_eq(count_of(text, "# TYPE "), count_of(text, "# HELP "));
	free(text);

	/* no run yet: the process's series only, still valid */
	lab.mode = "catalogue";
	ck_assert_int_eq(gw_prom_format(&lab, NULL, &self, &text, &len), 0);
	check_text(text);
	ck_assert_ptr_nonnull(strstr(text, "gwstress_run_info{shard=\"2\","
					   "mode=\"catalogue\""));
	ck_assert_ptr_nonnull(strstr(text, ",shards=\"3\"} 1\n"));
	ck_assert_ptr_null(strstr(text, "gwstress_requests_total{"));
	free(text);
}
END_TEST

/* ---- the endpoint over loopback ------------------------------------------ */

/* GET/POST path from 127.0.0.1:port; the whole answer into out. */
static void http(unsigned port, const char *method, const char *path, char *out,
		 size_t n)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	struct timeval tv = { 10, 0 };
	char req[256];
	size_t got = 0;
	ssize_t k;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ne(fd, -1);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(req, sizeof(req),
		 "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		 "Content-Length: 0\r\n\r\n",
		 method, path);
	ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while (got + 1 < n && (k = read(fd, out + got, n - 1 - got)) > 0)
		got += (size_t)k;
	out[got] = '\0';
	close(fd);
}

static const struct gw_http_target target = {
	.base = "http://127.0.0.1:1",
	.max_body_bytes = 4096,
	.max_event_bytes = 4096,
};

static int op_req;
static _Atomic int scraped;

static void stub_job(struct gw_worker *w, void *arg)
{
	long k = (long)(intptr_t)arg;

	for (int i = 0; i < 2000 && !atomic_load(&scraped); i++) {
		gw_attempt(w, op_req);
		gw_rec(w, op_req, (k + 1) * 1000 + i);
		gw_sleep_ns(GW_NS_PER_MS);
	}
}

START_TEST(test_endpoint)
{
	static struct gw_prom p, q;
	static char ans[1 << 20];
	struct gw_prom_labels lab = { .mode = "catalogue",
				      .version = "0.1.0",
				      .target = "http://x",
				      .shard = "0" };
	struct gw_prom_addr a;
	struct gw_engine e;
	struct gw_metrics *m;
	char *body;

	ck_assert_int_eq(gw_http_global_init(), 0);
	ck_assert_int_eq(gw_prom_parse_listen("127.0.0.1:0", &a), 0);
	ck_assert_int_eq(gw_prom_start(&p, &a, &lab), 0);
	ck_assert_uint_ne(p.addr.port, 0);
	ck_assert_ptr_nonnull(strstr(p.url, "http://127.0.0.1:"));

	/* before any engine: the process's series, at once */
	http(p.addr.port, "GET", "/metrics", ans, sizeof(ans));
	ck_assert_ptr_nonnull(strstr(ans, "HTTP/1.1 200"));
	ck_assert_ptr_nonnull(strstr(ans, "text/plain; version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(ans, "gwstress_cpu_cores{shard=\"0\"}"));

	ck_assert_int_eq(gw_engine_start(&e, 4, 1024 * 1024, 8192, &target), 0);
	gw_engine_live(&e, &p.live);
	m = gw_metrics_create("test_stub[5]", "");
	op_req = gw_metrics_op(m, "stub_request");
	gw_engine_attach(&e, m, NULL);
	for (long k = 0; k < 4; k++)
		gw_engine_submit(&e, stub_job, (void *)(intptr_t)k);
	for (int i = 0; i < 5; i++) {
		gw_sleep_ns(20 * GW_NS_PER_MS);
		http(p.addr.port, "GET", "/metrics", ans, sizeof(ans));
		ck_assert_ptr_nonnull(strstr(ans, "HTTP/1.1 200"));
		body = strstr(ans, "\r\n\r\n");
		ck_assert_ptr_nonnull(body);
		check_text(body + 4);
		ck_assert_ptr_nonnull(strstr(body,
					     "gwstress_requests_total{scenario="
					     "\"test_stub[5]\",shard=\"0\","
					     "operation=\"stub_request\"}"));
	}
	atomic_store(&scraped, 1);
	gw_engine_wait(&e, 0, NULL, NULL);
	ck_assert_int_eq(gw_engine_collect(&e, m), 0);
	/* after the run: its final values */
	http(p.addr.port, "GET", "/metrics", ans, sizeof(ans));
	body = strstr(ans, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	ck_assert_double_eq(value_of(body + 4,
				     "gwstress_requests_total{scenario="
				     "\"test_stub[5]\",shard=\"0\","
				     "operation=\"stub_request\"}"),
			    (double)m->op[op_req].attempts);

	http(p.addr.port, "GET", "/", ans, sizeof(ans));
	ck_assert_ptr_nonnull(strstr(ans, "HTTP/1.1 404"));
	http(p.addr.port, "POST", "/metrics", ans, sizeof(ans));
	ck_assert_ptr_nonnull(strstr(ans, "HTTP/1.1 405"));
	ck_assert_ptr_nonnull(strstr(ans, "Allow: GET, HEAD"));

	/* the same port again: one line with the reason, nothing started */
	a.port = p.addr.port;
	((struct sockaddr_in *)&a.ss)->sin_port = htons((uint16_t)a.port);
	ck_assert_int_eq(gw_prom_start(&q, &a, &lab), -1);
	gw_prom_stop(&q);

	gw_prom_stop(&p);
	gw_prom_stop(&p); /* idempotent */
	gw_engine_stop(&e);
	gw_metrics_free(m);
	gw_http_global_cleanup();
}
END_TEST

static Suite *prom_suite(void)
{
	Suite *s = suite_create("prom");
	TCase *tc = tcase_create("prom");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_parse_listen, 0,
			    (int)GW_ARRAY_SIZE(listen_cases));
	tcase_add_test(tc, test_addr_str);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_endpoint);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(prom_suite)
