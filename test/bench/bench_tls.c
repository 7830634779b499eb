/*
 * bench_tls: what a new connection costs one gwstress worker, through its
 * own HTTP client (gw_http: the easy handle, its options, its buffers):
 * GET /health N times over one kept-alive connection, then N times each
 * on a new connection (CURLOPT_FRESH_CONNECT and FORBID_REUSE, what a
 * flow that reconnects per task pays), for the http:// and the https://
 * gateway given.  Prints requests per second for each, side by side, and
 * the handshakes per second one worker can do.  Asserts nothing about
 * time; exits 1 only when a request failed.
 *
 *   bench_tls HTTP_BASE HTTPS_BASE CA_FILE [N]
 */
#include "gw_http.h"
#include "gw_util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Requests per second of n GETs of /health on base; fresh: a new
 * connection for each.  -1 if one failed. */
static double rate(const char *base, const char *ca, int fresh, int n)
{
	struct gw_http_target t = { .connect_timeout_ms = 5000,
				    .request_timeout_ms = 5000,
				    .read_timeout_s = 10,
				    .max_body_bytes = 65536,
				    .max_event_bytes = 65536,
				    .recv_buffer_bytes = 4096,
				    .ca_file = ca };
	struct gw_http h;
	struct gw_http_result r;
	int64_t t0;
	double s;

	gw_strlcpy(t.base, base, sizeof(t.base));
	if (gw_http_init(&h, &t) < 0)
		return -1;
	curl_easy_setopt(h.curl, CURLOPT_FRESH_CONNECT, (long)fresh);
	curl_easy_setopt(h.curl, CURLOPT_FORBID_REUSE, (long)fresh);
	/* one first request outside the clock: the kept-alive case then
	 * measures requests only */
	if (gw_http_request(&h, "GET", "/health", NULL, 0, &r) < 0) {
		fprintf(stderr, "bench_tls: %s/health: %s\n", base, r.msg);
		gw_http_release(&h);
		return -1;
	}
	t0 = gw_now_ns();
	for (int i = 0; i < n; i++)
		if (gw_http_request(&h, "GET", "/health", NULL, 0, &r) < 0) {
			fprintf(stderr, "bench_tls: %s/health: %s\n", base,
				r.msg);
			gw_http_release(&h);
			return -1;
		}
	s = (double)(gw_now_ns() - t0) / 1e9;
	gw_http_release(&h);
	return s > 0 ? n / s : 0;
}

int main(int argc, char **argv)
{
	int n = argc > 4 ? atoi(argv[4]) : 2000;
	double v[4];

	if (argc < 4 || n < 1 || n > 1000000) {
		fprintf(stderr, "usage: bench_tls HTTP_BASE HTTPS_BASE CA_FILE "
				"[N]\n");
		return 2;
	}
	if (gw_http_global_init() < 0)
		return 1;
	v[0] = rate(argv[1], NULL, 0, n);
	v[1] = rate(argv[1], NULL, 1, n);
	v[2] = rate(argv[2], argv[3], 0, n);
	v[3] = rate(argv[2], argv[3], 1, n);
	gw_http_global_cleanup();
	for (int i = 0; i < 4; i++)
		if (v[i] < 0)
			return 1;
	printf("| one worker, GET /health x %d | http | https |\n", n);
	printf("|---|---|---|\n");
	printf("| kept-alive connection, requests/s | %.0f | %.0f |\n", v[0],
	       v[2]);
	printf("| a new connection each, requests/s | %.0f | %.0f |\n", v[1],
	       v[3]);
	printf("| cost of a new connection, ms | %.3f | %.3f |\n",
	       1e3 / v[1] - 1e3 / v[0], 1e3 / v[3] - 1e3 / v[2]);
	printf("\nhandshakes per second one worker can do (TLS, new "
	       "connections): %.0f\n",
	       v[3]);
	return 0;
}
