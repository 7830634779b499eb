/*
 * lean_sse: the "lean thread-per-stream" yardstick of make bench-clients.
 * N blocking POSIX threads, one stream each, raw sockets, no libcurl: each
 * thread submits one task (POST /api/v1/message:stream), subscribes to its
 * stream on the same keep-alive connection (GET /api/v1/sse/subscribe/ID)
 * and counts SSE events (blank-line separated blocks with at least one
 * field; comments such as pings are not events) until `event:
 * final_response`, then closes.  It records nothing per event but a
 * count: it is the floor a thread-per-stream client can reach, and
 * gwstress's cost is read against it.
 *
 *   build/test/lean_sse -p PORT -n STREAMS -t PROMPT [-w TIMEOUT_S]
 *                       [-k STACK_KIB] [-a AGENT]
 *
 * It prints one line, `streams= completed= events= span_s= peak_open=
 * errors=`, and exits 0 when every stream reached final_response, 1 when
 * one did not, 2 on a usage error.  span_s runs from the first submit to
 * the last final_response.  Only 127.0.0.1 is ever contacted.
 *
 * Memory per stream is the point: a 64 KiB stack by default (-k), of which
 * the touched part is the 4 KiB receive buffer and a few frames; no heap
 * per stream but one 48-byte result slot.  HTTP/1.1 is the minimum SAM
 * and gwsim need: a status line, headers (Content-Length, Transfer-Encoding:
 * chunked, Connection: close), and bodies that are Content-Length,
 * chunked (gwsim's and uvicorn's SSE) or close-delimited.  Lines of the SSE
 * stream are not stored: only their first 31 bytes, enough to see the
 * event name, so a long `data:` line costs nothing.
 *
 * Every blocking call is bounded: SO_RCVTIMEO/SO_SNDTIMEO of -w seconds
 * (default 120) on each socket, and the same deadline over a whole stream.
 *
 * Rejected: epoll (that is another design, not the thread-per-stream
 * yardstick); reading the body through a second buffer (the chunk decoder
 * hands out spans of the receive buffer instead).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RBUF 4096
#define PREFIX 32
#define BODY_MAX 2048

struct result {
	int64_t t_submit, t_end; /* CLOCK_MONOTONIC ns */
	long events;
	int done; /* saw final_response */
	int err;  /* nonzero: why it did not */
};

/* Set once in main before any thread starts, read-only afterwards. */
static int port, timeout_s = 120;
static const char *agent = "TestAgent";
static char *submit_req; /* the whole POST, the same for every stream */
static size_t submit_len;
static atomic_int open_now, open_peak;

/* A connection and its receive buffer; lives on its thread's stack. */
struct conn {
	int fd;
	size_t off, len;
	char buf[RBUF];
};

/* A response body being read: Content-Length, chunked or until close. */
struct body {
	struct conn *c;
	int chunked, until_close, done;
	long left; /* bytes left in this chunk or of the Content-Length */
};

enum { E_CONNECT = 1, E_IO, E_HTTP, E_PROTO, E_TIMEOUT };

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Connect to 127.0.0.1:port with both timeouts set; -1 on failure. */
static int conn_open(struct conn *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = timeout_s };
	int one = 1;

	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->off = c->len = 0;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		return -1;
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ==
		    -1 ||
	    connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

static int send_all(struct conn *c, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);

		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Refill an empty buffer: bytes read, 0 at EOF, -1 on error or timeout. */
static int conn_fill(struct conn *c)
{
	ssize_t k;

	do
		k = recv(c->fd, c->buf, sizeof(c->buf), 0);
	while (k == -1 && errno == EINTR);
	if (k < 0)
		return -1;
	c->off = 0;
	c->len = (size_t)k;
	return (int)k;
}

/*
 * One line (CRLF or LF) into out, truncated to cap - 1 bytes and
 * NUL-terminated; the rest of a long line is consumed.  Returns its full
 * length, or -1 on EOF or error before the line ended.
 */
static long conn_line(struct conn *c, char *out, size_t cap)
{
	size_t n = 0;
	long total = 0;

	for (;;) {
		char *nl;
		size_t k;

		if (c->off == c->len && conn_fill(c) <= 0)
			return -1;
		nl = memchr(c->buf + c->off, '\n', c->len - c->off);
		k = (nl ? (size_t)(nl - c->buf) : c->len) - c->off;
		if (n + 1 < cap) {
			size_t m = k < cap - 1 - n ? k : cap - 1 - n;

			memcpy(out + n, c->buf + c->off, m);
			n += m;
		}
		total += (long)k;
		c->off += k + (nl != NULL);
		if (nl)
			break;
	}
	if (n && out[n - 1] == '\r') {
		n--;
		total--;
	}
	out[n] = '\0';
	return total;
}

/*
 * Status line and headers.  Sets the body's framing; *keep is 0 when the
 * server said Connection: close.  Returns the status code, -1 on error.
 */
static int read_head(struct conn *c, struct body *b, int *keep)
{
	char line[256];
	int status = -1;

	memset(b, 0, sizeof(*b));
	b->c = c;
	b->left = -1;
	*keep = 1;
	if (conn_line(c, line, sizeof(line)) < 0 ||
	    sscanf(line, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	for (;;) {
		long n = conn_line(c, line, sizeof(line));
		char *v;

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		v = strchr(line, ':');
		if (!v)
			continue;
		*v++ = '\0';
		v += strspn(v, " \t");
		if (!strcasecmp(line, "content-length"))
			b->left = strtol(v, NULL, 10);
		else if (!strcasecmp(line, "transfer-encoding") &&
			 strcasestr(v, "chunked"))
			b->chunked = 1;
		else if (!strcasecmp(line, "connection") &&
			 !strncasecmp(v, "close", 5))
			*keep = 0;
	}
	if (b->chunked)
		b->left = 0;
	else if (b->left < 0) {
		b->until_close = 1;
		*keep = 0;
	}
	b->done = !b->chunked && !b->until_close && b->left == 0;
	return status;
}

/*
 * The next span of body bytes, in the receive buffer: *p and the length,
 * 0 at the end of the body, -1 on error (a chunked or sized body cut off).
 */
static long body_next(struct body *b, const char **p)
{
	struct conn *c = b->c;
	size_t k;
	long n;

	if (b->done)
		return 0;
	if (b->chunked && b->left == 0) {
		char line[64];

		if (conn_line(c, line, sizeof(line)) < 0)
			return -1;
		if (!line[0] && conn_line(c, line, sizeof(line)) < 0)
			return -1; /* the CRLF after the previous chunk */
		b->left = strtol(line, NULL, 16);
		if (b->left < 0)
			return -1;
		if (b->left == 0) {
			/* trailers, up to the blank line ending the body */
			while ((n = conn_line(c, line, sizeof(line))) > 0)
				;
			if (n < 0)
				return -1;
			b->done = 1;
			return 0;
		}
	}
	if (c->off == c->len) {
		int r = conn_fill(c);

		if (r == 0 && b->until_close) {
			b->done = 1;
			return 0;
		}
		if (r <= 0)
			return -1;
	}
	k = c->len - c->off;
	if (!b->until_close && (long)k > b->left)
		k = (size_t)b->left;
	*p = c->buf + c->off;
	c->off += k;
	if (!b->until_close) {
		b->left -= (long)k;
		if (!b->chunked && b->left == 0)
			b->done = 1;
	}
	return (long)k;
}

/* The task id of a submit response: result.id, one level inside result. */
static int task_id(const char *js, char *id, size_t cap)
{
	const char *p = strstr(js, "\"result\"");
	int depth = 0;

	if (!p || !(p = strchr(p, '{')))
		return -1;
	for (; *p; p++) {
		if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return -1;
		} else if (*p == '"') {
			const char *s = ++p;

			while (*p && *p != '"')
				p += *p == '\\' && p[1] ? 2 : 1;
			if (!*p)
				return -1;
			if (depth == 1 && p - s == 2 && !strncmp(s, "id", 2) &&
			    p[1 + strspn(p + 1, " \t")] == ':') {
				const char *v = p + 1;
				size_t n;

				v += strspn(v, " \t:");
				if (*v++ != '"')
					return -1;
				n = strcspn(v, "\"\\");
				if (n == 0 || n >= cap || v[n] != '"')
					return -1;
				memcpy(id, v, n);
				id[n] = '\0';
				return 0;
			}
		}
	}
	return -1;
}

/* The SSE reader's state across body spans. */
struct sse {
	char prefix[PREFIX];
	size_t plen;  /* bytes of this line kept in prefix */
	long linelen; /* bytes of this line so far */
	int fields;   /* the event being assembled has a field */
	int final;    /* ... and it is `event: final_response` */
	int cr;	      /* the last byte was a CR (CRLF counts once) */
};

/* End of one line: 1 when it dispatched final_response, else 0. */
static int sse_line(struct sse *s, long *events)
{
	int ret = 0;

	s->prefix[s->plen] = '\0';
	if (s->linelen == 0) {
		if (s->fields) {
			(*events)++;
			ret = s->final;
		}
		s->fields = s->final = 0;
	} else if (s->prefix[0] != ':') {
		s->fields = 1;
		if (!strncmp(s->prefix, "event:", 6)) {
			const char *v = s->prefix + 6;

			v += *v == ' ';
			s->final = !strcmp(v, "final_response");
		}
	}
	s->plen = 0;
	s->linelen = 0;
	return ret;
}

/* Feed bytes; 1 once final_response was dispatched. */
static int sse_feed(struct sse *s, const char *p, size_t n, long *events)
{
	while (n) {
		const char *e = p, *end = p + n;
		size_t k, m;

		while (e < end && *e != '\n' && *e != '\r')
			e++;
		k = (size_t)(e - p);
		if (k) {
			s->cr = 0;
			m = PREFIX - 1 - s->plen;
			m = k < m ? k : m;
			memcpy(s->prefix + s->plen, p, m);
			s->plen += m;
			s->linelen += (long)k;
		}
		if (e == end)
			break;
		if (*e == '\n' && s->cr) {
			s->cr = 0; /* the LF of a CRLF: the line already ended
				    */
		} else {
			s->cr = *e == '\r';
			if (sse_line(s, events))
				return 1;
		}
		p = e + 1;
		n = (size_t)(end - p);
	}
	return 0;
}

static void peak_update(void)
{
	int n = atomic_fetch_add(&open_now, 1) + 1;
	int peak = atomic_load(&open_peak);

	while (n > peak && !atomic_compare_exchange_weak(&open_peak, &peak, n))
		;
}

/* One stream, submit to final_response; the outcome goes into *r. */
static void *stream_main(void *arg)
{
	struct result *r = arg;
	struct conn c = { .fd = -1 };
	struct body b;
	struct sse s = { .plen = 0 };
	char body[BODY_MAX], id[128], req[256];
	int keep, status, opened = 0;
	size_t blen = 0;
	const char *p;
	long n;
	int64_t deadline;

	r->t_submit = now_ns();
	deadline = r->t_submit + (int64_t)timeout_s * 1000000000;
	if (conn_open(&c) < 0) {
		r->err = E_CONNECT;
		goto out;
	}
	if (send_all(&c, submit_req, submit_len) < 0 ||
	    (status = read_head(&c, &b, &keep)) < 0) {
		r->err = E_IO;
		goto out;
	}
	while ((n = body_next(&b, &p)) > 0) {
		size_t m = (size_t)n < sizeof(body) - 1 - blen
				   ? (size_t)n
				   : sizeof(body) - 1 - blen;

		memcpy(body + blen, p, m);
		blen += m;
	}
	body[blen] = '\0';
	if (n < 0 || status != 200) {
		r->err = n < 0 ? E_IO : E_HTTP;
		goto out;
	}
	if (task_id(body, id, sizeof(id)) < 0) {
		r->err = E_PROTO;
		goto out;
	}
	if (!keep) {
		conn_close(&c);
		if (conn_open(&c) < 0) {
			r->err = E_CONNECT;
			goto out;
		}
	}
	n = snprintf(req, sizeof(req),
		     "GET /api/v1/sse/subscribe/%s HTTP/1.1\r\n"
		     "Host: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n\r\n",
		     id, port);
	if (n < 0 || (size_t)n >= sizeof(req) ||
	    send_all(&c, req, (size_t)n) < 0 ||
	    (status = read_head(&c, &b, &keep)) < 0) {
		r->err = E_IO;
		goto out;
	}
	if (status != 200) {
		r->err = E_HTTP;
		goto out;
	}
	peak_update();
	opened = 1;
	while ((n = body_next(&b, &p)) > 0) {
		if (sse_feed(&s, p, (size_t)n, &r->events)) {
			r->done = 1;
			break;
		}
		if (now_ns() > deadline) {
			r->err = E_TIMEOUT;
			break;
		}
	}
	if (!r->done && !r->err)
		r->err = n < 0 ? E_IO : E_PROTO; /* ended before final */
out:
	r->t_end = now_ns();
	if (opened)
		atomic_fetch_sub(&open_now, 1);
	conn_close(&c);
	return NULL;
}

/* A decimal in [lo, hi], or exit 2 with the option named. */
static long arg_num(const char *s, char opt, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "lean_sse: -%c wants a number in [%ld, %ld]\n",
			opt, lo, hi);
		exit(2);
	}
	return v;
}

/* The POST of every stream; its JSON string escapes " and \ of TEXT. */
static void build_submit(const char *text)
{
	size_t tl = strlen(text), cap = 2 * tl + 512, bl = 0;
	char *json = malloc(cap), *req;
	int n;

	if (!json) {
		fprintf(stderr, "lean_sse: out of memory\n");
		exit(1);
	}
	bl += (size_t)snprintf(json, cap,
			       "{\"jsonrpc\":\"2.0\",\"id\":\"lean\","
			       "\"method\":\"message/stream\",\"params\":{"
			       "\"message\":{\"role\":\"user\",\"messageId\":"
			       "\"lean-msg\",\"kind\":\"message\",\"parts\":[{"
			       "\"kind\":\"text\",\"text\":\"");
	for (const char *t = text; *t; t++) {
		if ((unsigned char)*t < 0x20) {
			fprintf(stderr, "lean_sse: -t: control character\n");
			exit(2);
		}
		if (*t == '"' || *t == '\\')
			json[bl++] = '\\';
		json[bl++] = *t;
	}
	n = snprintf(json + bl, cap - bl,
		     "\"}],\"metadata\":{\"agent_name\":\"%s\"}}}}", agent);
	if (n < 0 || (size_t)n >= cap - bl) {
		fprintf(stderr, "lean_sse: -a: agent name too long\n");
		exit(2);
	}
	bl += (size_t)n;
	cap = bl + 256;
	req = malloc(cap);
	if (!req) {
		fprintf(stderr, "lean_sse: out of memory\n");
		exit(1);
	}
	n = snprintf(req, cap,
		     "POST /api/v1/message:stream HTTP/1.1\r\n"
		     "Host: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
		     "Content-Length: %zu\r\n\r\n%s",
		     port, bl, json);
	free(json);
	submit_req = req;
	submit_len = (size_t)n;
}

static void usage(void)
{
	fputs("usage: lean_sse -p PORT -n STREAMS -t PROMPT [-w TIMEOUT_S] "
	      "[-k STACK_KIB] [-a AGENT]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	long nstreams = 0, stack_kib = 64, completed = 0, events = 0;
	long errors[E_TIMEOUT + 1] = { 0 }, started = 0;
	const char *text = NULL;
	struct result *res;
	pthread_t *tid;
	pthread_attr_t attr;
	struct rlimit rl;
	int64_t t0 = INT64_MAX, t1 = 0;
	int opt, err;

	while ((opt = getopt(argc, argv, "p:n:t:w:k:a:")) != -1) {
		switch (opt) {
		case 'p':
			port = (int)arg_num(optarg, 'p', 1, 65535);
			break;
		case 'n':
			nstreams = arg_num(optarg, 'n', 1, 100000);
			break;
		case 't':
			text = optarg;
			break;
		case 'w':
			timeout_s = (int)arg_num(optarg, 'w', 1, 86400);
			break;
		case 'k':
			stack_kib = arg_num(optarg, 'k', 16, 65536);
			break;
		case 'a':
			agent = optarg;
			break;
		default:
			usage();
		}
	}
	if (!port || !nstreams || !text || optind != argc)
		usage();
	signal(SIGPIPE, SIG_IGN);
	/* one descriptor per stream: take the hard limit */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	build_submit(text);
	res = calloc((size_t)nstreams, sizeof(*res));
	tid = calloc((size_t)nstreams, sizeof(*tid));
	if (!res || !tid) {
		fprintf(stderr, "lean_sse: out of memory\n");
		return 1;
	}
	err = pthread_attr_init(&attr);
	if (!err)
		err = pthread_attr_setstacksize(&attr,
						(size_t)stack_kib * 1024);
	if (err) {
		fprintf(stderr, "lean_sse: thread attributes: %s\n",
			strerror(err));
		return 1;
	}
	for (; started < nstreams; started++) {
		err = pthread_create(&tid[started], &attr, stream_main,
				     &res[started]);
		if (err) {
			fprintf(stderr, "lean_sse: thread %ld: %s\n", started,
				strerror(err));
			break;
		}
	}
	pthread_attr_destroy(&attr);
	for (long i = 0; i < started; i++) {
		struct result *r = &res[i];

		pthread_join(tid[i], NULL);
		events += r->events;
		errors[r->err]++;
		if (r->t_submit < t0)
			t0 = r->t_submit;
		if (r->done) {
			completed++;
			if (r->t_end > t1)
				t1 = r->t_end;
		}
	}
	printf("streams=%ld completed=%ld events=%ld span_s=%.3f "
	       "peak_open=%d errors=%ld (connect %ld io %ld http %ld "
	       "protocol %ld timeout %ld not_started %ld)\n",
	       nstreams, completed, events,
	       t1 > t0 ? (double)(t1 - t0) / 1e9 : 0.0, atomic_load(&open_peak),
	       nstreams - completed, errors[E_CONNECT], errors[E_IO],
	       errors[E_HTTP], errors[E_PROTO], errors[E_TIMEOUT],
	       nstreams - started);
	free(tid);
	free(res);
	free(submit_req);
	return completed == nstreams ? 0 : 1;
}
