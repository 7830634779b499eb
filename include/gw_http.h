/*
 * gw_http: one worker's HTTP client, a single blocking libcurl easy handle
 * reused for every request the worker makes (keep-alive), as the user's
 * design fixes: no multi interface, no event loop.
 *
 * Per handle memory is fixed at init: the curl handle with its receive
 * buffer (CURLOPT_BUFFERSIZE), one response body buffer capped at
 * max_body_bytes (grown on demand up to the cap, never beyond), one SSE
 * parser that grows up to max_event_bytes, a URL buffer.  A response body over
 * the cap or an SSE event over max_event_bytes is a counted protocol error,
 * never unbounded growth.  Artifact downloads are hashed as they stream and
 * never stored; uploads read from one shared read-only buffer through a
 * curl_mime data callback, never copied per worker.
 *
 * Every request ends in a struct gw_http_result: the HTTP status (0 if
 * none), an error class (transport failures classified from the CURLcode,
 * HTTP >= 400, protocol and parse errors), a short message that never
 * contains the bearer token or the query string, and monotonic timestamps.
 *
 * A process-wide stop request (gw_stopping()) aborts a transfer in flight
 * within about a second (curl calls the progress callback at least once
 * per second even on an idle stream) with class GW_E_ABORTED.
 *
 * Thread safety: a struct gw_http belongs to one thread.  The target
 * (struct gw_http_target) is shared read-only by all of them.
 * gw_http_global_init() must run once before any thread starts.
 */
#ifndef GW_HTTP_H
#define GW_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "gw_errclass.h"
#include "gw_sse.h"

struct curl_slist;

#define GW_HTTP_BODY_INIT 1024	       /* first size of the body buffer */
#define GW_HTTP_BODY_KEEP (64 * 1024)  /* bigger ones are freed after use */
#define GW_HTTP_DOWNLOAD_BUFFER 65536L /* receive buffer of a download */

struct gw_http_target {
	char base[512];	   /* scheme://host:port, no trailing '/' */
	const char *token; /* bearer token or NULL; never printed */
	long connect_timeout_ms;
	long request_timeout_ms; /* REST total */
	long read_timeout_s;	 /* SSE: no byte for this long */
	double window_scale;	 /* factor on every SSE window */
	size_t max_body_bytes;
	size_t max_event_bytes;
	long recv_buffer_bytes; /* CURLOPT_BUFFERSIZE, 0 = default */
	const char *ca_file;	/* CURLOPT_CAINFO, NULL = system's */
	const char *cert_file;	/* client certificate, or NULL */
	const char *key_file;	/* its key, or NULL */
	int insecure;		/* no peer or host verification */
};

struct gw_http_result {
	long status; /* HTTP status, 0 if none */
	enum gw_errclass err;
	char msg[160];	   /* "" on success */
	int64_t t_start;   /* ns, just before the request */
	int64_t t_headers; /* ns, end of response headers, or 0 */
	int64_t t_end;	   /* ns, transfer finished */
	uint64_t bytes;	   /* response body bytes received */
	char ctype[64];	   /* Content-Type, "" if none */
};

/* SSE stream outcome (gw_http_sse). */
struct gw_sse_result {
	struct gw_http_result http;
	int64_t t_first_event; /* ns, or 0 */
	uint64_t events;       /* dispatched events */
	uint64_t comments;
	uint64_t oversize;	/* events over max_event_bytes */
	size_t oversize_bytes;	/* the biggest of them, about */
	char oversize_type[32]; /* its event type, "" if none came first */
	int stopped;		/* a hook asked to stop: we closed */
	int server_closed;	/* server ended the body cleanly */
	int timed_out;		/* the window ended first */
};

/*
 * Per-event hook: t is the arrival time (ns, CLOCK_MONOTONIC).  Return 0
 * to go on, nonzero to stop reading and close the stream ourselves.  A
 * comment line (the gateway's keep-alive pings) calls it with ev->type
 * NULL and ev->data its text (data_len bytes, no NUL promised); its return
 * value is ignored then.
 */
typedef int (*gw_sse_hook)(void *ud, const struct gw_sse_event *ev, int64_t t);

struct gw_http {
	void *curl; /* CURL *, which curl.h defines as void */
	const struct gw_http_target *tgt;
	char *body; /* response body, NUL-terminated */
	size_t body_len, body_cap;
	struct gw_sse_parser sse;
	/* per-request state used by the callbacks */
	struct gw_http_result *res;
	struct gw_sse_result *sres;
	gw_sse_hook hook;
	void *hook_ud;
	int overflow; /* body over the cap */
	int stop_by_hook;
	int sse_checked; /* status/content type looked at */
	int bad_ctype;
	uint64_t hash;		      /* download hash (FNV-1a 64) */
	const unsigned char *up_data; /* upload source (shared) */
	size_t up_len, up_pos;
	struct curl_slist *hdr_json, *hdr_auth;
	int sndbuf_small; /* SO_RCVBUF request for slow reads */
	long rcvbuf_bytes;
	int64_t read_pause_ns; /* slow reader: one stall */
	int stalled;	       /* the stall happened */
};

/* Once per process, before any thread: curl_global_init, SIGPIPE
 * ignored, Jansson hash seed.  Returns 0 or -1. */
int gw_http_global_init(void);
void gw_http_global_cleanup(void);

/* Set up h for target t (kept by pointer).  Returns 0, or -1 with a
 * message printed (curl handle creation failed). */
int gw_http_init(struct gw_http *h, const struct gw_http_target *t);
/* Free everything; NULL-safe; h may be re-initialised. */
void gw_http_release(struct gw_http *h);

/*
 * Plain request.  `path` is relative to the target's base URL, or an
 * absolute http(s) URL.  method "GET", "POST", "PATCH", "DELETE"; body may be
 * NULL; content_type applies to the body.  The response body (capped) is
 * in h->body / h->body_len afterwards.  Returns 0 when a response with
 * status < 400 arrived, else -1 (r->err says why).
 */
int gw_http_request(struct gw_http *h, const char *method, const char *path,
		    const char *body, size_t body_len,
		    struct gw_http_result *r);

/*
 * Multipart upload to `path`: file part `upload_file` (filename, type
 * application/octet-stream) streamed from data[0..len) without copying,
 * plus form fields sessionId and filename.  Response body in h->body.
 */
int gw_http_upload(struct gw_http *h, const char *path, const char *session_id,
		   const char *filename, const unsigned char *data, size_t len,
		   struct gw_http_result *r);

/* GET `path`, hashing the body as it streams (FNV-1a 64 in *hash, byte
 * count in r->bytes); nothing is stored.  Returns as gw_http_request. */
int gw_http_download(struct gw_http *h, const char *path, uint64_t *hash,
		     struct gw_http_result *r);

/*
 * Subscribe to an SSE stream at `path` for at most window_ms (times the
 * target's window_scale when that is set), calling hook
 * for every event.  Ends when the hook asks to stop (we close), the server
 * ends the body, the window passes, nothing arrives for read_timeout_s, or
 * on error.  Returns 0 when the stream was 200 text/event-stream and ended
 * by the hook or by the server without error; else -1 with r->http.err set
 * (GW_E_TIMEOUT when the window ran out).
 */
int gw_http_sse(struct gw_http *h, const char *path, long window_ms,
		gw_sse_hook hook, void *ud, struct gw_sse_result *r);

/* Slow-reader mode for the next gw_http_sse call: ask for a small
 * SO_RCVBUF (on a fresh connection) and stop reading for pause_ns once the
 * first event arrived, so the server's queue for the stream fills while it
 * cannot write.  0, 0 to clear. */
void gw_http_set_slow_reader(struct gw_http *h, long rcvbuf_bytes,
			     int64_t pause_ns);

/* Append a percent-encoded path segment to dst (size n).  Returns 0, or
 * -1 if it does not fit. */
int gw_http_escape(char *dst, size_t n, const char *seg);

/* Copy a URL for display with the query string and any userinfo removed,
 * so tokens never reach logs or reports. */
void gw_http_redact(char *dst, size_t n, const char *url);

#endif /* GW_HTTP_H */
