/*
 * sim_http: the libmicrohttpd daemon and the request contexts.
 *
 * Server model: MHD 0.9.75 with an internal thread pool (--threads, default
 * 2) on epoll, MHD_ALLOW_SUSPEND_RESUME for the SSE streams (see
 * sim_sse.c), a connection limit of 20,000 (or RLIMIT_NOFILE - 64), a
 * listen backlog of 2048 (uvicorn's default) and no daemon-wide timeout.
 * uvicorn closes keep-alive connections idle for 5 s; gwsim does the same
 * per connection (--keepalive-s) for every non-SSE request, while SSE
 * streams get no timeout.  The daemon-wide timeout has to stay 0: MHD
 * 0.9.75 walks every connection whose timeout differs from the daemon's on
 * each event-loop turn, and the thousands of SSE streams must not be those.
 *
 * Request flow (MHD's access handler is called at least twice): the first
 * call sees the headers and sets up the body sink; body calls append to a
 * buffer capped at --max-body-bytes (10,000,000, SAM's
 * gateway_max_message_size_bytes; beyond it the rest is read and dropped)
 * or feed the multipart parser; the last call routes and replies.  Bodies
 * are always read to the end before answering, also for 401/413/422, so
 * the connection stays usable and clients never see a reset (uvicorn
 * behaves the same way for the cases SAM hits).
 *
 * Routing follows Starlette's router as SAM mounts it without a frontend
 * bundle: routes are tried in SAM's registration order; a route whose
 * path matches but not its method makes the answer 405, no path match is
 * 404, and (redirect_slashes) a path that would match with a trailing
 * slash added or removed gets a 307 to that path.  HEAD is served by GET
 * routes.  The table and its matcher are in sim_route.c.  Authentication
 * (--token) is the outermost layer as in SAM's middleware stack, so it
 * answers 401 before any routing for /api paths.
 *
 * The --pause-s stall: a request whose answer would be produced during
 * the stall (its last access-handler call, when the body is in) is
 * suspended with MHD_suspend_connection() and put on a list; a sim_timer
 * entry at the end of the stall resumes them all, and MHD then calls the
 * handler once more, which answers as usual.  Nothing polls in between
 * (MHD does not watch a suspended socket).  The list and the "stall is
 * over" flag change only under http.lock, and a request is listed and
 * suspended in the same critical section, so the timer never misses one;
 * resume always follows suspend, and nothing touches a request after its
 * resume (a worker thread may answer and free it at once).
 * sim_http_stop() resumes any that are still held (MHD 0.9.75 panics when
 * stopped with suspended connections).  /gwsim/... is never held: a test
 * must be able to read the counters while the gateway stands still.
 *
 * TLS (--tls-cert / --tls-key, as SAM's uvicorn ssl_* settings): MHD with
 * GnuTLS (MHD_USE_TLS) serves HTTPS from the PEM texts main() read; the
 * rest of gwsim does not change, the SSE disconnect watcher included (it
 * watches the TCP socket).  Before listening, sim_http_tls_check() starts
 * a daemon with no listen socket and the same certificate and key: it
 * fails only when GnuTLS rejects them, so that error is told apart from
 * an address in use, and GnuTLS' reason (caught through MHD's logger) is
 * the one line printed.
 *
 * Workload: thousands of requests per second across the pool, each with a
 * small heap context; JSON bodies up to 10 MB; uploads streamed.  Measured
 * on 2 cores: 40,000 keep-alive GETs from 100 connections in 1.1 s
 * (~37,000/s, bounded by the Python client) for 0.43 s of gwsim CPU.
 *
 * Rejected: one thread per connection (see sim_sse.c), a select() loop
 * (FD_SETSIZE caps at 1024 connections), parsing HTTP ourselves.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "sim.h"

static struct {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	struct sim_req *held; /* requests suspended by the stall */
	bool stall_over;      /* the end-of-stall timer ran (or shutdown) */
	bool stall_armed;     /* that timer is scheduled */
} http = { .lock = PTHREAD_MUTEX_INITIALIZER };

static enum sim_method parse_method(const char *m)
{
	static const struct {
		const char *name;
		enum sim_method m;
	} tab[] = {
		{ "GET", SIM_GET },	    { "HEAD", SIM_HEAD },
		{ "POST", SIM_POST },	    { "PUT", SIM_PUT },
		{ "PATCH", SIM_PATCH },	    { "DELETE", SIM_DELETE },
		{ "OPTIONS", SIM_OPTIONS },
	};
	size_t i;

	for (i = 0; i < SIM_ARRAY_SIZE(tab); i++)
		if (!strcmp(m, tab[i].name))
			return tab[i].m;
	return SIM_OTHER;
}

/* 401 from the auth middleware: {"detail": ...} bodies, no CORS. */
static enum MHD_Result reply_auth(struct sim_req *r, const char *detail,
				  const char *type)
{
	json_t *o = json_object();

	json_object_set_new(o, "detail", json_string(detail));
	json_object_set_new(o, "error_type", json_string(type));
	return sim_reply_json(r, 401, o);
}

/* ---- request handling -------------------------------------------------- */

static bool auth_exempt(const char *path)
{
	static const char *const skip[] = {
		"/api/v1/config",
		"/api/v1/auth/callback",
		"/api/v1/auth/tool/callback",
		"/api/v1/auth/login",
		"/api/v1/auth/refresh",
		"/api/v1/csrf-token",
		"/api/v1/platform/",
		"/health",
	};
	size_t i;

	for (i = 0; i < SIM_ARRAY_SIZE(skip); i++)
		if (!strncmp(path, skip[i], strlen(skip[i])))
			return true;
	return false;
}

/* shared/auth/middleware.py: Bearer header, then ?token=. */
static enum MHD_Result check_auth(struct sim_req *r, bool *denied)
{
	const char *h = sim_req_header(r, "Authorization");
	const char *tok = NULL;

	*denied = false;
	if (h && !strncmp(h, "Bearer ", 7))
		tok = h + 7;
	if (!tok || !*tok)
		tok = sim_req_arg(r, "token");
	if (!tok || !*tok) {
		*denied = true;
		return reply_auth(r, "Not authenticated",
				  "authentication_required");
	}
	if (strcmp(tok, sim_cfg.token)) {
		*denied = true;
		return reply_auth(r, "Invalid token", "invalid_token");
	}
	return MHD_YES;
}

struct redirect_ctx {
	struct sim_buf *b;
	bool first;
};

static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind,
				     const char *key, size_t klen,
				     const char *value, size_t vlen)
{
	struct redirect_ctx *rc = cls;

	(void)kind;
	(void)klen;
	(void)vlen;
	sim_buf_adds(rc->b, rc->first ? "?" : "&");
	rc->first = false;
	sim_pct_encode(rc->b, key);
	if (value) {
		sim_buf_adds(rc->b, "=");
		sim_pct_encode(rc->b, value);
	}
	return MHD_YES;
}

/* Starlette redirect_slashes: 307 to the path with / added or removed. */
static enum MHD_Result try_redirect(struct sim_req *r, bool *done)
{
	size_t n = strlen(r->path);
	char *alt;
	bool ok;

	*done = false;
	if (!strcmp(r->path, "/"))
		return MHD_YES;
	if (r->path[n - 1] == '/') {
		alt = sim_xstrndup(r->path, n - 1);
	} else {
		alt = sim_xmalloc(n + 2);
		memcpy(alt, r->path, n);
		alt[n] = '/';
		alt[n + 1] = '\0';
	}
	ok = alt[0] && sim_route_exists(alt);
	if (ok) {
		struct sim_buf loc;
		struct redirect_ctx rc = { &loc, true };
		const char *host = sim_req_header(r, "Host");
		struct MHD_Response *resp;

		sim_buf_init(&loc, 64 * 1024);
		sim_buf_addf(&loc, "%s://%s",
			     sim_cfg.tls_cert ? "https" : "http",
			     host ? host : "localhost");
		sim_pct_encode(&loc, alt);
		MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND,
					    add_query_arg, &rc);
		resp = MHD_create_response_from_buffer(0, NULL,
						       MHD_RESPMEM_PERSISTENT);
		if (resp)
			MHD_add_response_header(resp, "location",
						loc.p ? loc.p : "/");
		sim_buf_release(&loc);
		free(alt);
		*done = true;
		return sim_reply(r, 307, resp);
	}
	free(alt);
	return MHD_YES;
}

static enum MHD_Result dispatch(struct sim_req *r)
{
	bool is_api = !strncmp(r->path, "/api", 4);
	enum MHD_Result rc;
	bool stop;

	if (is_api && sim_cfg.token && r->method != SIM_OPTIONS &&
	    !auth_exempt(r->path)) {
		rc = check_auth(r, &stop);
		if (stop)
			return rc;
	}
	if (is_api && sim_fault_fail())
		return sim_reply_error(r, 500, "Injected failure");
	if (r->route)
		return r->route->fn(r);
	if (r->wrong_method)
		return sim_reply_error(r, 405, "Method Not Allowed");
	rc = try_redirect(r, &stop);
	if (stop)
		return rc;
	return sim_reply_error(r, 404, "Not Found");
}

/* ---- the --pause-s stall ---------------------------------------------- */

/* Timer: the stall is over, resume every held request. */
static void stall_end(uint64_t unused)
{
	struct sim_req *r, *next;

	(void)unused;
	pthread_mutex_lock(&http.lock);
	http.stall_over = true;
	for (r = http.held; r; r = next) {
		next = r->hnext;
		/* a worker may answer and free r from here on */
		MHD_resume_connection(r->conn);
	}
	http.held = NULL;
	pthread_mutex_unlock(&http.lock);
}

/* Hold r if the gateway is stalled now; true when it was suspended. */
static bool stall_hold(struct sim_req *r)
{
	uint64_t end;

	if (r->held || !strncmp(r->path, "/gwsim/", 7))
		return false;
	end = sim_fault_paused(sim_now_ns());
	if (!end)
		return false;
	pthread_mutex_lock(&http.lock);
	if (http.stall_over) {
		pthread_mutex_unlock(&http.lock);
		return false;
	}
	r->held = true;
	r->hnext = http.held;
	http.held = r;
	MHD_suspend_connection(r->conn);
	if (!http.stall_armed) {
		http.stall_armed = true;
		sim_timer_at(end, stall_end, 0);
	}
	pthread_mutex_unlock(&http.lock);
	SIM_COUNT(paused_requests);
	return true;
}

/* The socket was just accepted and the headers read: --reset-rate. */
static void reset_connection(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	struct linger lg = { 1, 0 };

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci)
		setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &lg,
			   sizeof(lg));
}

/*
 * MHD_OPTION_URI_LOG_CALLBACK: the request line is read, the headers are
 * not (MHD calls on_completed for what this returns, whatever happens).
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct sim_req *r = sim_xcalloc(1, sizeof(*r));

	(void)cls;
	(void)uri;
	r->conn = c;
	r->t0_ns = sim_now_ns();
	return r;
}

static void req_begin(struct sim_req *r, const char *url, const char *method)
{
	struct MHD_Connection *c = r->conn;
	const char *cl;

	r->begun = true;
	r->method = parse_method(method);
	r->path = sim_xstrdup(url);
	r->route =
		sim_route_find(r->path, r->method, r->param, &r->wrong_method);
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		unsigned long long v = strtoull(cl, &end, 10);

		if (end != cl && !*end) {
			r->content_length = v;
			r->has_content_length = true;
		}
	}
	sim_buf_init(&r->body, sim_cfg.max_body_bytes);
	if (r->route && r->route->body)
		r->route->body->begin(r);
	if (!r->route || !r->route->stream)
		MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT,
					  sim_cfg.keepalive_s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct sim_req *r = *con_cls;

	(void)cls;
	(void)version;
	if (!r)
		return MHD_NO; /* on_uri made one for every request */
	if (!r->begun) {
		SIM_COUNT(requests_total);
		/* an arrival is logged whatever its answer, faults included */
		if (sim_cfg.arrivals && !strcmp(method, "POST") &&
		    !strcmp(url, "/api/v1/message:stream"))
			sim_arrival_log(r->t0_ns);
		if (sim_cfg.reset_rate > 0 && sim_fault_reset()) {
			reset_connection(c);
			return MHD_NO;
		}
		req_begin(r, url, method);
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (r->route && r->route->body) {
			r->route->body->feed(r, upload_data, *upload_data_size);
		} else if (!r->body_over && sim_buf_add(&r->body, upload_data,
							*upload_data_size)) {
			/* over the cap: keep reading, drop the bytes */
			r->body_over = true;
			sim_buf_release(&r->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (stall_hold(r))
		return MHD_YES;
	return dispatch(r);
}

static const char *method_name(enum sim_method m)
{
	static const char *const names[] = { "GET",	"HEAD",	 "POST",
					     "PUT",	"PATCH", "DELETE",
					     "OPTIONS", "OTHER" };

	return names[m];
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct sim_req *r = *con_cls;

	(void)cls;
	(void)c;
	if (!r)
		return;
	if (sim_cfg.verbose && r->begun)
		sim_log("%s %s -> %u%s (%.3f ms)", method_name(r->method),
			r->path, r->status,
			toe == MHD_REQUEST_TERMINATED_COMPLETED_OK
				? ""
				: " [terminated]",
			(double)(sim_now_ns() - r->t0_ns) / 1e6);
	sim_buf_release(&r->body);
	if (r->route && r->route->body)
		r->route->body->end(r);
	free(r->param[0]);
	free(r->param[1]);
	free(r->param[2]);
	free(r->path);
	free(r);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		SIM_COUNT(connections_total);
		SIM_ADD(connections_open, 1);
		if (sim_cfg.sndbuf > 0) {
			const union MHD_ConnectionInfo *ci;

			ci = MHD_get_connection_info(
				c, MHD_CONNECTION_INFO_CONNECTION_FD);
			if (ci)
				setsockopt(ci->connect_fd, SOL_SOCKET,
					   SO_SNDBUF, &sim_cfg.sndbuf,
					   sizeof(sim_cfg.sndbuf));
		}
	} else {
		SIM_SUB(connections_open, 1);
	}
}

static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr,
				 socklen_t addrlen)
{
	(void)cls;
	(void)addr;
	(void)addrlen;
	if (sim_cfg.refuse) {
		SIM_COUNT(connections_refused);
		return MHD_NO;
	}
	return MHD_YES;
}

#define TLS_MSG_MAX 256

/*
 * MHD_OPTION_EXTERNAL_LOGGER of the TLS check: keep the first message
 * (GnuTLS' reason; MHD's "Failed to initialize TLS support" follows it).
 */
static void tls_logger(void *cls, const char *fmt, va_list ap)
{
	char *msg = cls;
	size_t n;

	if (*msg)
		return;
	vsnprintf(msg, TLS_MSG_MAX, fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '.'))
		msg[--n] = '\0';
}

int sim_http_tls_check(void)
{
	struct MHD_Daemon *d;
	char msg[TLS_MSG_MAX] = "";

	if (!sim_cfg.tls_cert)
		return 0;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return sim_error("--tls-cert: libmicrohttpd %s was built "
				 "without TLS support",
				 MHD_get_version());
	/* no socket, no thread: only the credentials are set up */
	/* one option and its values a line (clang-format would pack them) */
	/* clang-format off */
	d = MHD_start_daemon(MHD_USE_TLS | MHD_USE_NO_LISTEN_SOCKET |
		MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, NULL,
		MHD_OPTION_EXTERNAL_LOGGER, tls_logger, msg,
		MHD_OPTION_HTTPS_MEM_CERT, sim_cfg.tls_cert_pem,
		MHD_OPTION_HTTPS_MEM_KEY, sim_cfg.tls_key_pem,
		MHD_OPTION_END);
	/* clang-format on */
	if (!d)
		return sim_error("--tls-cert %s, --tls-key %s: %s",
				 sim_cfg.tls_cert, sim_cfg.tls_key,
				 *msg ? msg : "not accepted by GnuTLS");
	MHD_stop_daemon(d);
	return 0;
}

int sim_http_start(unsigned *bound_port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *sa;
	const union MHD_DaemonInfo *di;
	unsigned int flags;
	unsigned limit = 20000;
	struct rlimit rl;
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, sim_cfg.tls_cert_pem },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, sim_cfg.tls_key_pem },
		{ MHD_OPTION_END, 0, NULL }
	};

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
		MHD_ALLOW_SUSPEND_RESUME;
	if (inet_pton(AF_INET, sim_cfg.listen, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)sim_cfg.port);
		sa = (const struct sockaddr *)&sin;
	} else if (inet_pton(AF_INET6, sim_cfg.listen, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)sim_cfg.port);
		sa = (const struct sockaddr *)&sin6;
		flags |= MHD_USE_IPv6;
	} else {
		return sim_error("--listen %s: not an IPv4 or IPv6 address",
				 sim_cfg.listen);
	}
	if (sim_cfg.verbose)
		flags |= MHD_USE_ERROR_LOG;
	if (sim_cfg.reset_rate > 0)
		/* no shutdown(SHUT_WR) before close: a clean RST */
		flags |= MHD_USE_TURBO;
	if (sim_cfg.tls_cert)
		flags |= MHD_USE_TLS;
	else
		tls[0].option = MHD_OPTION_END;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)limit + 64)
		limit = rl.rlim_cur > 128 ? (unsigned)rl.rlim_cur - 64 : 64;
	/* one option and its values a line (clang-format would pack them) */
	/* clang-format off */
	http.d = MHD_start_daemon(flags, (uint16_t)sim_cfg.port, on_accept,
		NULL, on_request, NULL,
		MHD_OPTION_SOCK_ADDR, sa,
		MHD_OPTION_THREAD_POOL_SIZE, sim_cfg.threads,
		MHD_OPTION_CONNECTION_LIMIT, limit,
		MHD_OPTION_CONNECTION_TIMEOUT, 0U,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 2048U,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
		MHD_OPTION_ARRAY, tls,
		MHD_OPTION_END);
	/* clang-format on */
	if (!http.d)
		return sim_error("cannot listen on %s port %u (MHD_start_daemon"
				 " failed; address in use?)",
				 sim_cfg.listen, sim_cfg.port);
	di = MHD_get_daemon_info(http.d, MHD_DAEMON_INFO_BIND_PORT);
	*bound_port = di ? di->port : sim_cfg.port;
	return 0;
}

void sim_http_stop(void)
{
	if (!http.d)
		return;
	/* a timer that fires later finds stall_over and nothing to resume */
	stall_end(0);
	MHD_stop_daemon(http.d);
	http.d = NULL;
}
