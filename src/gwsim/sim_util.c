/*
 * sim_util: diagnostics, allocators, clocks, ids, capped buffers and MD5.
 *
 * Workload: ids are minted per task (two per submit: task and message ids,
 * plus one per event), so at 10,000 submits/s this is ~100k ids/s.
 * getrandom() costs ~0.3 us per 16-byte call, which is fine; it is still
 * per-thread buffered (256 bytes) to keep the syscall rate down.
 * sim_rand01() (fault decisions) uses a per-thread xorshift64* seeded from
 * getrandom: no lock, no shared state.
 *
 * Rejected: rand()/random() (global lock or not thread-safe), a shared
 * atomic counter for ids (predictable, and SAM's ids are random uuid4 hex).
 * MD5 is here only because SAM's artifact ETag is md5("<file>-v<n>"); a
 * 60-line RFC 1321 implementation beats a libcrypto dependency.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "sim.h"

int sim_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("gwsim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return -1;
}

void sim_log(const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	if (!sim_cfg.verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one fprintf so concurrent lines do not interleave */
	fprintf(stderr, "gwsim: %s\n", line);
}

static _Noreturn void oom(size_t n)
{
	fprintf(stderr, "gwsim: out of memory allocating %zu bytes\n", n);
	abort();
}

void *sim_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *sim_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *sim_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *sim_xstrdup(const char *s)
{
	return sim_xstrndup(s, strlen(s));
}

char *sim_xstrndup(const char *s, size_t n)
{
	char *p = sim_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

uint64_t sim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SIM_NS_PER_S + (uint64_t)ts.tv_nsec;
}

int64_t sim_epoch_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sim_time_iso(char *buf, size_t n, char sep)
{
	struct timespec ts;
	struct tm tm;
	char date[32];
	long usec;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	usec = ts.tv_nsec / 1000;
	if (usec)
		snprintf(buf, n, "%s%c%02d:%02d:%02d.%06ld+00:00", date, sep,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
	else
		snprintf(buf, n, "%s%c%02d:%02d:%02d+00:00", date, sep,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Per-thread pool of random bytes, refilled 256 bytes at a time. */
static _Thread_local unsigned char rnd_pool[256];
static _Thread_local size_t rnd_left;

static void random_bytes(unsigned char *out, size_t n)
{
	while (n) {
		size_t take;

		if (!rnd_left) {
			size_t got = 0;

			while (got < sizeof(rnd_pool)) {
				ssize_t r = getrandom(rnd_pool + got,
						      sizeof(rnd_pool) - got,
						      0);

				if (r == -1) {
					if (errno == EINTR)
						continue;
					/* cannot happen on Linux >= 3.17 */
					abort();
				}
				got += (size_t)r;
			}
			rnd_left = sizeof(rnd_pool);
		}
		take = n < rnd_left ? n : rnd_left;
		memcpy(out, rnd_pool + sizeof(rnd_pool) - rnd_left, take);
		rnd_left -= take;
		out += take;
		n -= take;
	}
}

void sim_hex_id(char *out, size_t outsz, const char *prefix)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[16];
	size_t plen = strlen(prefix), i;

	if (outsz < plen + 33) {
		if (outsz)
			out[0] = '\0';
		return;
	}
	random_bytes(r, sizeof(r));
	/* uuid4 version and variant bits, as uuid.uuid4().hex has them */
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	memcpy(out, prefix, plen);
	for (i = 0; i < 16; i++) {
		out[plen + 2 * i] = hex[r[i] >> 4];
		out[plen + 2 * i + 1] = hex[r[i] & 15];
	}
	out[plen + 32] = '\0';
}

static _Thread_local uint64_t xs_state;

double sim_rand01(void)
{
	uint64_t x;

	if (!xs_state) {
		random_bytes((unsigned char *)&xs_state, sizeof(xs_state));
		xs_state |= 1;
	}
	x = xs_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	xs_state = x;
	return (double)((x * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
}

bool sim_chance(double p)
{
	if (p <= 0.0)
		return false;
	if (p >= 1.0)
		return true;
	return sim_rand01() < p;
}

long sim_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6)) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* ---- capped buffer ----------------------------------------------------- */

void sim_buf_init(struct sim_buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

int sim_buf_add(struct sim_buf *b, const void *data, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = sim_xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int sim_buf_adds(struct sim_buf *b, const char *s)
{
	return sim_buf_add(b, s, strlen(s));
}

int sim_buf_addf(struct sim_buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return sim_buf_add(b, small, (size_t)n);
	{
		char *big = sim_xmalloc((size_t)n + 1);
		int rc;

		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		rc = sim_buf_add(b, big, (size_t)n);
		free(big);
		return rc;
	}
}

char *sim_buf_detach(struct sim_buf *b, size_t *len)
{
	char *p = b->p;

	if (!p) {
		p = sim_xmalloc(1);
		p[0] = '\0';
	}
	if (len)
		*len = b->len;
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

void sim_buf_release(struct sim_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

int sim_pct_encode(struct sim_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		char esc[3];

		/* Python's always-safe set plus the default safe "/" */
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
		    *p == '-' || *p == '~' || *p == '/') {
			if (sim_buf_add(b, p, 1))
				return -1;
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[*p >> 4];
		esc[2] = hex[*p & 15];
		if (sim_buf_add(b, esc, 3))
			return -1;
	}
	return 0;
}

/* ---- MD5 (RFC 1321) ---------------------------------------------------- */

static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
	0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
	0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
	0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
	0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391
};

static const unsigned md5_r[64] = { 7,	12, 17, 22, 7,	12, 17, 22, 7,	12, 17,
				    22, 7,  12, 17, 22, 5,  9,	14, 20, 5,  9,
				    14, 20, 5,	9,  14, 20, 5,	9,  14, 20, 4,
				    11, 16, 23, 4,  11, 16, 23, 4,  11, 16, 23,
				    4,	11, 16, 23, 6,	10, 15, 21, 6,	10, 15,
				    21, 6,  10, 15, 21, 6,  10, 15, 21 };

static void md5_block(uint32_t h[4], const unsigned char *blk)
{
	uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3];
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)blk[4 * i] | (uint32_t)blk[4 * i + 1] << 8 |
		       (uint32_t)blk[4 * i + 2] << 16 |
		       (uint32_t)blk[4 * i + 3] << 24;
	for (i = 0; i < 64; i++) {
		uint32_t f, t;
		unsigned g;

		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) % 16;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) % 16;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) % 16;
		}
		t = d;
		d = c;
		c = b;
		f = a + f + md5_k[i] + w[g];
		b = b + ((f << md5_r[i]) | (f >> (32 - md5_r[i])));
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

void sim_md5_hex(const void *buf, size_t len, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	uint32_t h[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
	const unsigned char *p = buf;
	unsigned char tail[128];
	uint64_t bits = (uint64_t)len * 8;
	size_t rest, tl, i;

	for (rest = len; rest >= 64; rest -= 64, p += 64)
		md5_block(h, p);
	memset(tail, 0, sizeof(tail));
	memcpy(tail, p, rest);
	tail[rest] = 0x80;
	tl = rest + 1 + 8 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[tl - 8 + i] = (unsigned char)(bits >> (8 * i));
	md5_block(h, tail);
	if (tl == 128)
		md5_block(h, tail + 64);
	for (i = 0; i < 16; i++) {
		unsigned char byte = (unsigned char)(h[i / 4] >> (8 * (i % 4)));

		out[2 * i] = hex[byte >> 4];
		out[2 * i + 1] = hex[byte & 15];
	}
	out[32] = '\0';
}
