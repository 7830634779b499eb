/*
 * gw_http: per-worker blocking libcurl client (design in gw_http.h).
 *
 * Options that never change are set once in gw_http_init; each request
 * then sets only what differs (URL, method, body, headers, timeouts, write
 * callback), so the easy handle keeps its connection cache and reuses the
 * keep-alive connection, as curl's threaded examples do.
 *
 * Timeouts: REST requests get CURLOPT_TIMEOUT_MS = request_timeout_ms.  An
 * SSE stream gets CURLOPT_TIMEOUT_MS = the caller's window (COLLECT's T)
 * and a read timeout through CURLOPT_LOW_SPEED_LIMIT/TIME (less than one
 * byte per second for read_timeout_s seconds); the gateway's pings keep a
 * healthy idle stream above that.
 */
#include "gw_http.h"
#include "gw_util.h"

#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define USER_AGENT "gwstress/" GW_VERSION
#ifndef GW_VERSION
#define GW_VERSION "0.1.0"
#endif

int gw_http_global_init(void)
{
	/* a peer closing mid-write must be an error code, not a signal */
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return gw_error("curl_global_init failed");
	/* Jansson seeds its hash on first use; do it before threads */
	json_object_seed(0);
	return 0;
}

void gw_http_global_cleanup(void)
{
	curl_global_cleanup();
}

int gw_http_escape(char *dst, size_t n, const char *seg)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(dst);

	for (const unsigned char *p = (const unsigned char *)seg; *p; p++) {
		int plain = (*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || strchr("-._~", *p);

		if (len + (plain ? 1 : 3) >= n)
			return -1;
		if (plain) {
			dst[len++] = (char)*p;
		} else {
			dst[len++] = '%';
			dst[len++] = hex[*p >> 4];
			dst[len++] = hex[*p & 15];
		}
	}
	dst[len] = '\0';
	return 0;
}

void gw_http_redact(char *dst, size_t n, const char *url)
{
	const char *scheme = strstr(url, "://");
	const char *host = scheme ? scheme + 3 : url;
	const char *at = strchr(host, '@');
	const char *slash = strchr(host, '/');
	size_t k = 0;

	if (!n)
		return;
	/* drop user:password@ */
	if (at && (!slash || at < slash)) {
		size_t pre = (size_t)(host - url);

		k = pre < n - 1 ? pre : n - 1;
		memcpy(dst, url, k);
		url = at + 1;
	}
	for (; *url && *url != '?' && *url != '#' && k < n - 1; url++)
		dst[k++] = *url;
	dst[k] = '\0';
}

/* ---- callbacks ----------------------------------------------------------- */

static int xferinfo_cb(void *ud, curl_off_t dlt, curl_off_t dln, curl_off_t ult,
		       curl_off_t uln)
{
	(void)ud, (void)dlt, (void)dln, (void)ult, (void)uln;
	return gw_halting() ? 1 : 0;
}

static size_t header_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct gw_http *h = ud;

	size *= n;
	/* the blank line ends a header block; the last block wins (after
	 * a 100 Continue there is a second one) */
	if ((size == 2 && buf[0] == '\r') || (size == 1 && buf[0] == '\n'))
		h->res->t_headers = gw_now_ns();
	return size;
}

static size_t body_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct gw_http *h = ud;
	size_t len = size * n;
	size_t want = h->body_len + len + 1;

	h->res->bytes += len;
	if (want > h->tgt->max_body_bytes) {
		h->overflow = 1;
		return 0; /* abort: CURLE_WRITE_ERROR */
	}
	if (want > h->body_cap) {
		size_t cap = h->body_cap ? h->body_cap : GW_HTTP_BODY_INIT;

		while (cap < want)
			cap *= 2;
		if (cap > h->tgt->max_body_bytes)
			cap = h->tgt->max_body_bytes;
		h->body = gw_xrealloc(h->body, cap);
		h->body_cap = cap;
	}
	memcpy(h->body + h->body_len, buf, len);
	h->body_len += len;
	h->body[h->body_len] = '\0';
	return len;
}

static size_t hash_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct gw_http *h = ud;
	size_t len = size * n;

	h->hash = gw_fnv1a(h->hash, buf, len);
	h->res->bytes += len;
	return len;
}

static int sse_event_cb(void *ud, const struct gw_sse_event *ev)
{
	struct gw_http *h = ud;
	int64_t t = gw_now_ns();

	if (!h->sres->t_first_event)
		h->sres->t_first_event = t;
	h->sres->events++;
	if (h->hook && h->hook(h->hook_ud, ev, t)) {
		h->stop_by_hook = 1;
		return 1;
	}
	return 0;
}

static int sse_comment_cb(void *ud, const char *text, size_t len)
{
	struct gw_http *h = ud;
	struct gw_sse_event ev = { .data = text, .data_len = len };

	h->sres->comments++;
	if (h->hook)
		h->hook(h->hook_ud, &ev, gw_now_ns());
	return 0;
}

/* An event over max_event_bytes was skipped: keep the biggest, so the
 * report can say which event and how big (a whole answer in one
 * final_response is the usual one). */
static int sse_oversize_cb(void *ud, const char *type, size_t bytes)
{
	struct gw_http *h = ud;

	if (bytes >= h->sres->oversize_bytes) {
		h->sres->oversize_bytes = bytes;
		gw_strlcpy(h->sres->oversize_type, type,
			   sizeof(h->sres->oversize_type));
	}
	return 0;
}

static size_t sse_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct gw_http *h = ud;
	size_t len = size * n;

	h->res->bytes += len;
	if (!h->sse_checked) {
		long status = 0;
		char *ct = NULL;

		h->sse_checked = 1;
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(h->curl, CURLINFO_CONTENT_TYPE, &ct);
		if (status != 200)
			return body_cb(buf, size, n, ud);
		if (!ct || strncasecmp(ct, "text/event-stream", 17)) {
			h->bad_ctype = 1;
			return 0;
		}
	} else if (h->body_len) {
		/* non-200: keep collecting the (capped) error body */
		return body_cb(buf, size, n, ud);
	}
	if (gw_sse_feed(&h->sse, buf, len))
		return 0; /* the hook closed the stream */
	if (h->read_pause_ns && !h->stalled && h->sres->events) {
		h->stalled = 1;
		gw_sleep_ns(h->read_pause_ns); /* slow reader on purpose */
	}
	return len;
}

static int sockopt_cb(void *ud, curl_socket_t fd, curlsocktype purpose)
{
	struct gw_http *h = ud;
	int v;

	if (purpose == CURLSOCKTYPE_IPCXN && h->rcvbuf_bytes > 0) {
		v = (int)h->rcvbuf_bytes;
		/* best effort: the kernel doubles and clamps the value */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	}
	return CURL_SOCKOPT_OK;
}

static size_t upload_read_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct gw_http *h = ud;
	size_t len = size * n, left = h->up_len - h->up_pos;

	if (len > left)
		len = left;
	memcpy(buf, h->up_data + h->up_pos, len);
	h->up_pos += len;
	return len;
}

static int upload_seek_cb(void *ud, curl_off_t off, int origin)
{
	struct gw_http *h = ud;

	if (origin != SEEK_SET || off < 0 || (size_t)off > h->up_len)
		return CURL_SEEKFUNC_FAIL;
	h->up_pos = (size_t)off;
	return CURL_SEEKFUNC_OK;
}

/* ---- setup --------------------------------------------------------------- */

/* Setup-time allocation: out of memory is fatal (gw_util's policy). */
static struct curl_slist *add_header(struct curl_slist *l, const char *s)
{
	struct curl_slist *n = curl_slist_append(l, s);

	if (!n)
		gw_die(70, "out of memory building request headers");
	return n;
}

int gw_http_init(struct gw_http *h, const struct gw_http_target *t)
{
	CURL *c;
	struct curl_slist *json = NULL, *auth = NULL;

	memset(h, 0, sizeof(*h));
	h->tgt = t;
	c = curl_easy_init();
	if (!c)
		return gw_error("cannot create a curl handle");
	h->curl = c;
	if (gw_sse_init(&h->sse, t->max_event_bytes, sse_event_cb,
			sse_comment_cb, h) < 0) {
		gw_http_release(h);
		return gw_error("cannot allocate the SSE buffer");
	}
	h->sse.on_oversize = sse_oversize_cb;
	if (t->token && *t->token) {
		char line[4096];

		snprintf(line, sizeof(line), "Authorization: Bearer %s",
			 t->token);
		auth = add_header(auth, line);
		json = add_header(json, line);
		gw_wipe(line, sizeof(line));
	}
	json = add_header(json, "Content-Type: application/json");
	json = add_header(json, "Accept: application/json");
	/* curl would otherwise wait for 100 Continue on large bodies */
	json = add_header(json, "Expect:");
	auth = add_header(auth, "Expect:");
	h->hdr_json = json;
	h->hdr_auth = auth;

	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/* TLS verifies by default (libcurl's own default, kept); proxies come
	 * from http_proxy, HTTPS_PROXY and NO_PROXY as libcurl reads them */
	if (t->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, t->ca_file);
	if (t->cert_file)
		curl_easy_setopt(c, CURLOPT_SSLCERT, t->cert_file);
	if (t->key_file)
		curl_easy_setopt(c, CURLOPT_SSLKEY, t->key_file);
	if (t->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, sockopt_cb);
	curl_easy_setopt(c, CURLOPT_SOCKOPTDATA, h);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	if (t->recv_buffer_bytes > 0)
		curl_easy_setopt(c, CURLOPT_BUFFERSIZE, t->recv_buffer_bytes);
	return 0;
}

void gw_http_release(struct gw_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	h->curl = NULL;
	curl_slist_free_all(h->hdr_json);
	curl_slist_free_all(h->hdr_auth);
	h->hdr_json = h->hdr_auth = NULL;
	gw_sse_release(&h->sse);
	free(h->body);
	h->body = NULL;
	h->body_cap = h->body_len = 0;
}

void gw_http_set_slow_reader(struct gw_http *h, long rcvbuf_bytes,
			     int64_t pause_ns)
{
	h->rcvbuf_bytes = rcvbuf_bytes;
	h->read_pause_ns = pause_ns;
	/* a new socket is needed for SO_RCVBUF to apply before connect */
	curl_easy_setopt(h->curl, CURLOPT_FRESH_CONNECT,
			 rcvbuf_bytes > 0 ? 1L : 0L);
	curl_easy_setopt(h->curl, CURLOPT_FORBID_REUSE,
			 rcvbuf_bytes > 0 ? 1L : 0L);
}

/* ---- one transfer -------------------------------------------------------- */

static void fail(struct gw_http_result *r, enum gw_errclass c, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));

/* The URL of path (see gw_http_request); 0, or -1 with r failed as
 * "URL too long". */
static int set_url(struct gw_http *h, const char *path, int with_token,
		   struct gw_http_result *r)
{
	/* on the stack: libcurl copies it, and a URL with the token in it
	 * is wiped at once instead of living on in the handle */
	char url[2048];
	int n;

	if (with_token && h->tgt->token && *h->tgt->token) {
		/* SAM reads ?token= for EventSource, which cannot send
		 * headers; built here only, never logged */
		char *tok = curl_easy_escape(h->curl, h->tgt->token, 0);

		if (!tok) {
			fail(r, GW_E_PROTOCOL, "out of memory");
			return -1;
		}
		n = snprintf(url, sizeof(url), "%s%s%stoken=%s", h->tgt->base,
			     path, strchr(path, '?') ? "&" : "?", tok);
		curl_free(tok);
	} else if (!strncmp(path, "http://", 7) ||
		   !strncmp(path, "https://", 8)) {
		/* an absolute URL (the optional introspection endpoint) */
		n = snprintf(url, sizeof(url), "%s", path);
	} else {
		n = snprintf(url, sizeof(url), "%s%s", h->tgt->base, path);
	}
	if (n < 0 || (size_t)n >= sizeof(url)) {
		gw_wipe(url, sizeof(url));
		fail(r, GW_E_PROTOCOL, "URL too long");
		return -1;
	}
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	if (with_token)
		gw_wipe(url, sizeof(url));
	return 0;
}

static void begin(struct gw_http *h, struct gw_http_result *r)
{
	memset(r, 0, sizeof(*r));
	h->res = r;
	h->body_len = 0;
	if (h->body_cap > GW_HTTP_BODY_KEEP) {
		/* a big answer (a listing, an error page) is not kept for the
		 * small ones that follow: memory per worker stays small */
		free(h->body);
		h->body = NULL;
		h->body_cap = 0;
	}
	if (h->body)
		h->body[0] = '\0';
	h->overflow = 0;
	h->stop_by_hook = 0;
	h->sse_checked = 0;
	h->bad_ctype = 0;
	h->stalled = 0;
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_LIMIT, 0L);
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_TIME, 0L);
	curl_easy_setopt(h->curl, CURLOPT_MIMEPOST, NULL);
	curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->hdr_json);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS,
			 h->tgt->request_timeout_ms);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, body_cb);
	r->t_start = gw_now_ns();
}

static void fail(struct gw_http_result *r, enum gw_errclass c, const char *fmt,
		 ...)
{
	va_list ap;

	r->err = c;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

/* Turn curl's verdict into a result.  Returns 0 on success, -1 else. */
static int finish(struct gw_http *h, CURLcode cc, const char *errbuf)
{
	struct gw_http_result *r = h->res;
	const char *why = errbuf && *errbuf ? errbuf : curl_easy_strerror(cc);

	char *ct = NULL;

	r->t_end = gw_now_ns();
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(h->curl, CURLINFO_CONTENT_TYPE, &ct) ==
		    CURLE_OK &&
	    ct)
		gw_strlcpy(r->ctype, ct, sizeof(r->ctype));
	switch (cc) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		fail(r, GW_E_CONNECT, "%s", why);
		return -1;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
		/* no TLS session, no request: a failure to connect */
		fail(r, GW_E_CONNECT, "TLS: %s", why);
		return -1;
	case CURLE_OPERATION_TIMEDOUT:
		fail(r, GW_E_TIMEOUT, "%s", why);
		return -1;
	case CURLE_ABORTED_BY_CALLBACK:
		fail(r, GW_E_ABORTED, "interrupted");
		return -1;
	case CURLE_WRITE_ERROR:
		if (h->stop_by_hook)
			break; /* we closed the stream on purpose */
		if (h->overflow)
			fail(r, GW_E_PROTOCOL, "response body over %zu bytes",
			     h->tgt->max_body_bytes);
		else if (h->bad_ctype)
			fail(r, GW_E_PROTOCOL,
			     "not an event stream (Content-Type)");
		else
			fail(r, GW_E_PROTOCOL, "%s", why);
		return -1;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		fail(r, GW_E_DROPPED, "%s", why);
		return -1;
	default:
		fail(r, GW_E_PROTOCOL, "%s", why);
		return -1;
	}
	if (r->status >= 400) {
		fail(r, GW_E_HTTP, "HTTP %ld", r->status);
		return -1;
	}
	return 0;
}

static int perform(struct gw_http *h)
{
	char errbuf[CURL_ERROR_SIZE];
	CURLcode cc;

	errbuf[0] = '\0';
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, errbuf);
	cc = curl_easy_perform(h->curl);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, NULL);
	return finish(h, cc, errbuf);
}

int gw_http_request(struct gw_http *h, const char *method, const char *path,
		    const char *body, size_t body_len, struct gw_http_result *r)
{
	CURL *c = h->curl;

	begin(h, r);
	if (set_url(h, path, 0, r) < 0)
		return -1;
	if (!strcmp(method, "POST") || body) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(body ? body_len : 0));
	}
	if (strcmp(method, "GET") && strcmp(method, "POST"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	return perform(h);
}

int gw_http_upload(struct gw_http *h, const char *path, const char *session_id,
		   const char *filename, const unsigned char *data, size_t len,
		   struct gw_http_result *r)
{
	curl_mime *m;
	curl_mimepart *p;
	int rc;

	begin(h, r);
	if (set_url(h, path, 0, r) < 0)
		return -1;
	m = curl_mime_init(h->curl);
	if (!m) {
		fail(r, GW_E_PROTOCOL, "out of memory");
		return -1;
	}
	h->up_data = data;
	h->up_len = len;
	h->up_pos = 0;
	p = curl_mime_addpart(m);
	curl_mime_name(p, "upload_file");
	curl_mime_filename(p, filename);
	curl_mime_type(p, "application/octet-stream");
	curl_mime_data_cb(p, (curl_off_t)len, upload_read_cb, upload_seek_cb,
			  NULL, h);
	p = curl_mime_addpart(m);
	curl_mime_name(p, "sessionId");
	curl_mime_data(p, session_id ? session_id : "", CURL_ZERO_TERMINATED);
	p = curl_mime_addpart(m);
	curl_mime_name(p, "filename");
	curl_mime_data(p, filename, CURL_ZERO_TERMINATED);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->hdr_auth);
	curl_easy_setopt(h->curl, CURLOPT_MIMEPOST, m);
	rc = perform(h);
	curl_easy_setopt(h->curl, CURLOPT_MIMEPOST, NULL);
	curl_mime_free(m);
	h->up_data = NULL;
	return rc;
}

int gw_http_download(struct gw_http *h, const char *path, uint64_t *hash,
		     struct gw_http_result *r)
{
	int rc;

	begin(h, r);
	if (set_url(h, path, 0, r) < 0)
		return -1;
	h->hash = GW_FNV_INIT;
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->hdr_auth);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, hash_cb);
	/* artifacts are megabytes: a bigger receive buffer for this transfer
	 * only (libcurl reallocates it), back to the small one afterwards */
	if (h->tgt->recv_buffer_bytes > 0 &&
	    h->tgt->recv_buffer_bytes < GW_HTTP_DOWNLOAD_BUFFER)
		curl_easy_setopt(h->curl, CURLOPT_BUFFERSIZE,
				 (long)GW_HTTP_DOWNLOAD_BUFFER);
	rc = perform(h);
	if (h->tgt->recv_buffer_bytes > 0 &&
	    h->tgt->recv_buffer_bytes < GW_HTTP_DOWNLOAD_BUFFER)
		curl_easy_setopt(h->curl, CURLOPT_BUFFERSIZE,
				 h->tgt->recv_buffer_bytes);
	*hash = h->hash;
	return rc;
}

int gw_http_sse(struct gw_http *h, const char *path, long window_ms,
		gw_sse_hook hook, void *ud, struct gw_sse_result *r)
{
	CURL *c = h->curl;
	int rc;

	memset(r, 0, sizeof(*r));
	begin(h, &r->http);
	h->sres = r;
	h->hook = hook;
	h->hook_ud = ud;
	gw_sse_reset(&h->sse);
	if (h->tgt->window_scale > 0)
		window_ms = (long)((double)window_ms * h->tgt->window_scale);
	if (set_url(h, path, 1, &r->http) < 0)
		return -1;
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->hdr_auth);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, window_ms > 0 ? window_ms : 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, h->tgt->read_timeout_s);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sse_cb);
	rc = perform(h);
	r->oversize = h->sse.oversize;
	if (h->stop_by_hook) {
		r->stopped = 1;
		rc = 0;
	} else if (rc == 0) {
		r->server_closed = 1;
		if (gw_sse_finish(&h->sse) && !r->http.err)
			fail(&r->http, GW_E_PROTOCOL,
			     "stream ended inside an event");
	} else if (r->http.err == GW_E_TIMEOUT) {
		r->timed_out = 1;
		if (r->http.t_end - r->http.t_start <
		    (int64_t)window_ms * GW_NS_PER_MS - 50 * GW_NS_PER_MS)
			fail(&r->http, GW_E_TIMEOUT,
			     "no data for %lds (read timeout)",
			     h->tgt->read_timeout_s);
		else
			fail(&r->http, GW_E_TIMEOUT,
			     "no terminal event within %ldms", window_ms);
	}
	if (rc == 0 && r->http.status != 200) {
		fail(&r->http, GW_E_HTTP, "HTTP %ld", r->http.status);
		rc = -1;
	}
	if (r->http.err == GW_E_PROTOCOL && rc == 0)
		rc = -1;
	h->hook = NULL;
	h->sres = NULL;
	return rc;
}
