/*
 * fuzz_sse: libFuzzer harness for gw_sse, the streaming text/event-stream
 * parser (see gw_sse.h for the contract checked here).
 *
 * Input layout (every byte is the fuzzer's):
 *   bytes 0-1  max_event_bytes = 16 + ((b0 << 8) | b1) % 4081, so 16..4096:
 *              small enough that ordinary inputs reach the oversize paths
 *   byte 2     bits 0-2: number k of piece lengths that follow;
 *              bit 3: the event callback asks the parser to stop;
 *              bit 4: the comment callback asks it to stop;
 *              bit 5: what the k pieces leave is fed one byte at a time;
 *              bits 6-7: unused
 *   k bytes    piece lengths, 0..255 (0 is an empty feed)
 *   the rest   the stream
 *
 * The stream is parsed three times:
 *  1. whole, in one gw_sse_feed(), callbacks never stop;
 *  2. split as the header says, on a second parser; a feed that a callback
 *     stopped is resumed with the bytes it did not consume (the growth of
 *     p->bytes says how many it did, as gw_sse.h promises);
 *  3. whole again on the second parser after gw_sse_reset(), no stops.
 *
 * Invariants, abort() on violation:
 *  - event: data_len < max_event_bytes, data NUL-terminated at data_len,
 *    no CR in it; 0 < type_len < GW_SSE_TYPE_MAX, type NUL-terminated at
 *    type_len, no CR or LF in it; id NUL-terminated within GW_SSE_ID_MAX,
 *    no CR or LF in it;
 *  - comment: len < max_event_bytes, no CR or LF;
 *  - after every feed: dlen + llen <= cap (gw_sse.c's invariant);
 *  - a stopped feed consumed at least one byte and at most what it was
 *    given; a feed that was not stopped consumed all of it;
 *  - counters match the callbacks seen;
 *  - the three runs agree: the same callback sequence (type, data, id,
 *    comment text, in order), events/comments/oversize/bytes counters,
 *    retry_ms, last event id and gw_sse_finish() result, whatever the
 *    split and the stops.
 *
 * Memory is fixed apart from input-sized copies: callbacks are folded into
 * a 64-bit FNV-1a digest rather than recorded, the parser buffer is at most
 * 4096 bytes, and each piece is copied into its own malloc block of its
 * exact size so that ASan catches a read past a piece.  Run with
 * -max_len=8192 (make fuzz does).
 *
 * Rejected: comparing against a model of the WHATWG rules, which
 * test/check_sse.c already does on generated streams.  The properties here
 * need no model (independence from splits and stops, bounds), so they also
 * catch what a model and the parser would get wrong together.
 */
#include "gw_sse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                      \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_sse: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                          \
			abort();                                           \
		}                                                          \
	} while (0)

#define HDR_BYTES 3
#define PIECES_MASK 0x07
#define STOP_EVENT 0x08
#define STOP_COMMENT 0x10
#define BYTEWISE 0x20

struct run {
	struct gw_sse_parser p;
	uint64_t digest;       /* FNV-1a over the callback sequence */
	uint64_t nev, ncom;    /* callbacks seen */
	int stop_ev, stop_com; /* callbacks return 1 (stop) */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void mix(uint64_t *h, const void *s, size_t n)
{
	const unsigned char *b = s;

	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ULL;
	}
}

static void mix_len(uint64_t *h, size_t n)
{
	uint64_t v = n;

	mix(h, &v, sizeof(v));
}

static int no_eol(const char *s, size_t n)
{
	return !memchr(s, '\r', n) && !memchr(s, '\n', n);
}

static int on_event(void *ud, const struct gw_sse_event *ev)
{
	struct run *r = ud;
	const char *nul = memchr(ev->id, '\0', GW_SSE_ID_MAX);

	REQUIRE(ev->data_len < r->p.cap);
	REQUIRE(ev->data[ev->data_len] == '\0');
	REQUIRE(!memchr(ev->data, '\r', ev->data_len));
	REQUIRE(ev->type_len > 0 && ev->type_len < GW_SSE_TYPE_MAX);
	REQUIRE(ev->type[ev->type_len] == '\0');
	REQUIRE(no_eol(ev->type, ev->type_len));
	REQUIRE(nul != NULL);
	REQUIRE(no_eol(ev->id, (size_t)(nul - ev->id)));
	r->nev++;
	mix(&r->digest, "E", 1);
	mix_len(&r->digest, ev->type_len);
	mix(&r->digest, ev->type, ev->type_len);
	mix_len(&r->digest, ev->data_len);
	mix(&r->digest, ev->data, ev->data_len);
	mix(&r->digest, ev->id, (size_t)(nul - ev->id) + 1);
	return r->stop_ev;
}

static int on_comment(void *ud, const char *text, size_t len)
{
	struct run *r = ud;

	REQUIRE(len < r->p.cap);
	REQUIRE(no_eol(text, len));
	r->ncom++;
	mix(&r->digest, "C", 1);
	mix_len(&r->digest, len);
	mix(&r->digest, text, len);
	return r->stop_com;
}

static void run_init(struct run *r, size_t cap, int stop_ev, int stop_com)
{
	memset(r, 0, sizeof(*r));
	if (gw_sse_init(&r->p, cap, on_event, on_comment, r))
		abort(); /* cap >= 16: only OOM can fail */
	r->digest = 0xcbf29ce484222325ULL;
	r->stop_ev = stop_ev;
	r->stop_com = stop_com;
}

/*
 * Feed s[0, n) from buf, a malloc block of exactly n bytes, resuming after
 * every stop.
 */
static void feed(struct run *r, char *buf, const uint8_t *s, size_t n)
{
	size_t off = 0;

	memcpy(buf, s, n);
	for (;;) {
		uint64_t before = r->p.bytes;
		int rc = gw_sse_feed(&r->p, buf + off, n - off);
		uint64_t used = r->p.bytes - before;

		REQUIRE(r->p.dlen + r->p.llen <= r->p.cap);
		if (!rc) {
			REQUIRE(used == n - off);
			break;
		}
		REQUIRE(used > 0 && used <= n - off);
		off += (size_t)used;
		if (off == n)
			break;
	}
}

/* Same, with a block of its own (freed before returning). */
static void feed_copy(struct run *r, const uint8_t *s, size_t n)
{
	char *buf = malloc(n ? n : 1);

	if (!buf)
		abort();
	feed(r, buf, s, n);
	free(buf);
}

/* Everything a run leaves behind must match between the runs. */
static void same(const struct run *a, const struct run *b)
{
	REQUIRE(a->digest == b->digest);
	REQUIRE(a->nev == b->nev && a->ncom == b->ncom);
	REQUIRE(a->p.events == b->p.events);
	REQUIRE(a->p.comments == b->p.comments);
	REQUIRE(a->p.oversize == b->p.oversize);
	REQUIRE(a->p.bytes == b->p.bytes);
	REQUIRE(a->p.retry_ms == b->p.retry_ms);
	REQUIRE(!strcmp(a->p.id, b->p.id));
}

/* Counters against callbacks, then end of stream; returns finish(). */
static int finish(struct run *r, size_t n)
{
	REQUIRE(r->p.events == r->nev);
	REQUIRE(r->p.comments == r->ncom);
	REQUIRE(r->p.bytes == n);
	return gw_sse_finish(&r->p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run whole, split;
	size_t cap, k, n, off = 0;
	const uint8_t *lens, *s;
	int mode, fin_whole, fin_split;

	if (size < HDR_BYTES)
		return 0;
	cap = 16 + (((size_t)data[0] << 8) | data[1]) % 4081;
	mode = data[2];
	k = (size_t)(mode & PIECES_MASK);
	if (size < HDR_BYTES + k)
		return 0;
	lens = data + HDR_BYTES;
	s = lens + k;
	n = size - HDR_BYTES - k;

	run_init(&whole, cap, 0, 0);
	feed_copy(&whole, s, n);
	fin_whole = finish(&whole, n);

	run_init(&split, cap, !!(mode & STOP_EVENT), !!(mode & STOP_COMMENT));
	for (size_t i = 0; i < k; i++) {
		size_t len = lens[i] < n - off ? lens[i] : n - off;

		feed_copy(&split, s + off, len);
		off += len;
	}
	if (mode & BYTEWISE) {
		/* one block for all: a malloc per byte would dominate */
		char *one = malloc(1);

		if (!one)
			abort();
		for (; off < n; off++)
			feed(&split, one, s + off, 1);
		free(one);
	} else {
		feed_copy(&split, s + off, n - off);
	}
	fin_split = finish(&split, n);
	same(&whole, &split);
	REQUIRE(fin_whole == fin_split);

	/* reset forgets everything: a second pass must repeat the first */
	gw_sse_reset(&split.p);
	REQUIRE(split.p.events == 0 && split.p.bytes == 0);
	REQUIRE(split.p.retry_ms == -1 && split.p.id[0] == '\0');
	split.digest = 0xcbf29ce484222325ULL;
	split.nev = split.ncom = 0;
	split.stop_ev = split.stop_com = 0;
	feed_copy(&split, s, n);
	REQUIRE(finish(&split, n) == fin_whole);
	same(&whole, &split);

	gw_sse_release(&whole.p);
	gw_sse_release(&split.p);
	return 0;
}
