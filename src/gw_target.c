/*
 * gw_target: the gateway under test (see gw_target.h).
 */
#include "gw_target.h"
#include "gw_config.h"
#include "gw_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

int gw_target_token(struct gw_target *t, const struct gw_config *cfg,
		    const char *token_file)
{
	FILE *f;
	size_t len;

	t->http.token = NULL;
	if (!token_file) {
		const char *v = cfg->target.token_env[0]
					? getenv(cfg->target.token_env)
					: NULL;

		t->http.token = v && *v ? v : NULL;
		return 0;
	}
	f = fopen(token_file, "r");
	if (!f)
		return gw_error("--token-file %s: %s", token_file,
				strerror(errno));
	if (!fgets(t->token, (int)sizeof(t->token), f)) {
		fclose(f);
		return gw_error("--token-file %s: empty", token_file);
	}
	fclose(f);
	len = strcspn(t->token, "\r\n");
	t->token[len] = '\0';
	if (!len)
		return gw_error("--token-file %s: empty first line",
				token_file);
	t->http.token = t->token;
	return 0;
}

/* Port of a base URL and whether its host is this machine's loopback. */
static void host_port(const char *url, int *port, int *local)
{
	const char *h = strstr(url, "://");
	char host[256];
	size_t n = 0;
	const char *p;
	long v;

	*port = !strncmp(url, "https", 5) ? 443 : 80;
	h = h ? h + 3 : url;
	if (*h == '[') { /* [::1]:8000 */
		p = strchr(h, ']');
		n = p ? (size_t)(p - h - 1) : 0;
		if (n >= sizeof(host))
			n = 0;
		memcpy(host, h + 1, n);
		p = p ? p + 1 : h;
	} else {
		for (p = h; *p && *p != ':' && *p != '/' && n < 255; p++)
			host[n++] = *p;
	}
	host[n] = '\0';
	if (*p == ':') {
		char digits[8];
		size_t k = strspn(p + 1, "0123456789");

		if (k && k < sizeof(digits)) {
			memcpy(digits, p + 1, k);
			digits[k] = '\0';
			if (gw_parse_long(digits, 1, 65535, &v) == 0)
				*port = (int)v;
		}
	}
	*local = !strcmp(host, "localhost") || !strcmp(host, "::1") ||
		 !strncmp(host, "127.", 4);
}

/*
 * GET /health until it answers 2xx -- or, with any_answer, until it
 * answers at all -- at most `tries` times `gap_ns` apart and not past
 * `deadline` (ns).  Returns 1 when it answered 2xx, 0 when it answered
 * something else (status in r), -1 when it did not answer (why in r).
 */
static int health_poll(const struct gw_http_target *ht, int tries,
		       int64_t gap_ns, int64_t deadline, int any_answer,
		       struct gw_http_result *r)
{
	struct gw_http h;
	int got = -1;

	memset(r, 0, sizeof(*r));
	if (gw_http_init(&h, ht) < 0)
		return -1;
	for (int i = 0; i < tries && !gw_stopping(); i++) {
		if (i && (gw_now_ns() + gap_ns > deadline ||
			  gw_sleep_ns(gap_ns) < 0))
			break;
		if (gw_http_request(&h, "GET", "/health", NULL, 0, r) == 0) {
			got = 1;
			break;
		}
		if (r->status > 0 && any_answer) {
			got = 0;
			break;
		}
	}
	gw_http_release(&h);
	return got;
}

static void fill_http(struct gw_target *t, const struct gw_config *cfg)
{
	struct gw_http_target *h = &t->http;

	h->connect_timeout_ms =
		(long)(cfg->target.connect_timeout_seconds * 1000);
	h->request_timeout_ms =
		(long)(cfg->target.request_timeout_seconds * 1000);
	h->read_timeout_s = (long)(cfg->target.read_timeout_seconds + 0.999);
	h->window_scale = cfg->target.stream_window_scale;
	h->max_body_bytes = (size_t)cfg->engine.max_body_bytes;
	h->max_event_bytes = (size_t)cfg->engine.max_event_bytes;
	h->recv_buffer_bytes = cfg->engine.recv_buffer_bytes;
	h->ca_file = cfg->target.tls_ca_file[0] ? cfg->target.tls_ca_file
						: NULL;
	h->cert_file = cfg->target.tls_cert_file[0] ? cfg->target.tls_cert_file
						    : NULL;
	h->key_file = cfg->target.tls_key_file[0] ? cfg->target.tls_key_file
						  : NULL;
	h->insecure = cfg->target.tls_insecure;
}

/* The base URL: the bundled gateway's, or cfg's without trailing '/'. */
static int locate(struct gw_target *t, const struct gw_config *cfg)
{
	if (!cfg->target.url[0]) {
		char exe[1024];

		if (gw_sim_locate(exe, sizeof(exe)) < 0 ||
		    gw_sim_start(&t->sim, exe, NULL, 10000) < 0)
			return -1;
		snprintf(t->http.base, sizeof(t->http.base),
			 "http://127.0.0.1:%d", t->sim.port);
		t->bundled = 1;
		t->mem_pid = t->sim.pid;
	} else {
		size_t len = gw_strlcpy(t->http.base, cfg->target.url,
					sizeof(t->http.base));

		while (len > 0 && t->http.base[len - 1] == '/')
			t->http.base[--len] = '\0';
	}
	if (cfg->target.pid)
		t->mem_pid = cfg->target.pid;
	return 0;
}

int gw_target_open(struct gw_target *t, const struct gw_config *cfg)
{
	struct gw_http_result r;
	int got;

	if (locate(t, cfg) < 0)
		return -1;
	gw_http_redact(t->display, sizeof(t->display), t->http.base);
	host_port(t->http.base, &t->port, &t->local);
	if (cfg->target.introspect_url[0])
		gw_strlcpy(t->introspect, cfg->target.introspect_url,
			   sizeof(t->introspect));
	else if (t->bundled && /* our own gateway: we know where it is */
		 (size_t)snprintf(t->introspect, sizeof(t->introspect),
				  "%.400s/gwsim/introspect",
				  t->http.base) >= sizeof(t->introspect))
		t->introspect[0] = '\0';
	fill_http(t, cfg);
	if (t->http.insecure && !t->bundled)
		gw_warn("TLS verification is off (--insecure / [target] "
			"tls_insecure): the gateway's certificate and name are "
			"not checked");
	if (t->bundled) {
		/* a fresh gwsim: poll until healthy, at most 10 s */
		got = health_poll(&t->http, 200, 50 * GW_NS_PER_MS,
				  gw_now_ns() + 10 * GW_NS_PER_S, 0, &r);
		if (got < 1)
			return gw_error("bundled gateway at %s did not become "
					"healthy in 10 s: %s",
					t->display, r.msg);
		return 0;
	}
	got = health_poll(&t->http, 3, 200 * GW_NS_PER_MS, INT64_MAX, 1, &r);
	if (got == 0)
		gw_warn("%s/health answered HTTP %ld; running anyway",
			t->display, r.status);
	if (got < 0)
		return gw_error("cannot reach the gateway at %s: %s",
				t->display, r.msg);
	return 0;
}

void gw_target_close(struct gw_target *t)
{
	gw_sim_stop(&t->sim);
	gw_wipe(t->token, sizeof(t->token));
}
