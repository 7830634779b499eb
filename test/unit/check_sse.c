/*
 * check_sse: unit suite for gw_sse, the text/event-stream parser.
 *
 * Every parser result is rendered as text, one line per callback, so that
 * a test states the whole expected callback sequence in one string:
 *
 *   E <type>|<id>|<data>    on_event
 *   C <text>                on_comment
 *   F fin=<gw_sse_finish> ev=<events> com=<comments> over=<oversize>
 *     retry=<retry_ms> id=<last event id>       (one line, after finish)
 *
 * Text is escaped: LF as \n, CR as \r, backslash as \\, other bytes below
 * 0x20 or above 0x7e as \xHH, so expected strings and files are plain
 * ASCII.  The same format is used by the recorded streams in
 * test/data/sse/NAME.sse + NAME.expected.
 *
 * Splitting is the point of a streaming parser, so every small test is run
 * whole, split in two at every point and fed one byte at a time (expect()),
 * and every recorded stream additionally split in three at every pair of
 * points when under 300 bytes.  Each piece is copied into its own malloc
 * block of exactly its size, so ASan catches a read past a piece.
 *
 * Oracle: a naive whole-buffer model of the WHATWG rules plus the cap rule
 * of gw_sse.h (model_run) is compared with the parser on random streams
 * built from SSE tokens, fed in random pieces.
 *
 * Data files are found under GW_TEST_DATA (default "test/data", since make
 * runs the suites from the repository root).
 */
#include "gw_sse.h"
#include "gw_util.h"
#include "check_main.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GW_TEST_DATA
#define GW_TEST_DATA "test/data"
#endif

#define REC_MAX (1 << 16)

/*
 * Check's ck_assert records a checkpoint (a write to its pipe) on every
 * call, which dominates loops of millions of checks; hot loops use this,
 * which only involves Check on failure.
 */
#define CHECK(cond, ...)                           \
	do {                                       \
		if (!(cond))                       \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)
#define DEFAULT_CAP 256

/* ---- recorder ------------------------------------------------------------ */

struct rec {
	char out[REC_MAX];
	size_t len;
	unsigned nev; /* callbacks seen */
	unsigned ncom;
	unsigned stop_ev;  /* event #stop_ev (1-based) returns stop_rc */
	unsigned stop_com; /* same for comments */
	int stop_rc;
};

static void rec_clear(struct rec *r)
{
	r->len = 0;
	r->out[0] = '\0';
	r->nev = 0;
	r->ncom = 0;
	r->stop_ev = 0;
	r->stop_com = 0;
	r->stop_rc = 0;
}

static void rec_putc(struct rec *r, char c)
{
	CHECK(r->len + 1 < REC_MAX, "recorder overflow");
	r->out[r->len++] = c;
	r->out[r->len] = '\0';
}

static void rec_puts(struct rec *r, const char *s)
{
	while (*s)
		rec_putc(r, *s++);
}

static void rec_esc(struct rec *r, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			rec_puts(r, "\\n");
		} else if (c == '\r') {
			rec_puts(r, "\\r");
		} else if (c == '\\') {
			rec_puts(r, "\\\\");
		} else if (c < 0x20 || c > 0x7e) {
			rec_puts(r, "\\x");
			rec_putc(r, hex[c >> 4]);
			rec_putc(r, hex[c & 15]);
		} else {
			rec_putc(r, (char)c);
		}
	}
}

static int rec_event(void *ud, const struct gw_sse_event *ev)
{
	struct rec *r = ud;

	/* the documented string invariants */
	CHECK(ev->type[ev->type_len] == '\0', "type not NUL-terminated");
	CHECK(ev->data[ev->data_len] == '\0', "data not NUL-terminated");
	CHECK(ev->type_len > 0, "empty type");
	CHECK(strlen(ev->id) < GW_SSE_ID_MAX, "id too long");
	rec_puts(r, "E ");
	rec_esc(r, ev->type, ev->type_len);
	rec_putc(r, '|');
	rec_esc(r, ev->id, strlen(ev->id));
	rec_putc(r, '|');
	rec_esc(r, ev->data, ev->data_len);
	rec_putc(r, '\n');
	r->nev++;
	return r->nev == r->stop_ev ? r->stop_rc : 0;
}

static int rec_comment(void *ud, const char *text, size_t len)
{
	struct rec *r = ud;

	rec_puts(r, "C ");
	rec_esc(r, text, len);
	rec_putc(r, '\n');
	r->ncom++;
	return r->ncom == r->stop_com ? r->stop_rc : 0;
}

static void rec_final(struct rec *r, int fin, uint64_t ev, uint64_t com,
		      uint64_t over, int64_t retry, const char *id)
{
	char line[160];

	snprintf(line, sizeof(line),
		 "F fin=%d ev=%" PRIu64 " com=%" PRIu64 " over=%" PRIu64
		 " retry=%" PRId64 " id=",
		 fin, ev, com, over, retry);
	rec_puts(r, line);
	rec_esc(r, id, strlen(id));
	rec_putc(r, '\n');
}

/* Finish the stream and append the F line. */
static void rec_finish(struct rec *r, struct gw_sse_parser *p)
{
	int fin = gw_sse_finish(p);

	rec_final(r, fin, p->events, p->comments, p->oversize, p->retry_ms,
		  p->id);
}

/* ---- feeding ------------------------------------------------------------- */

/* Feed a malloc'd copy of exactly n bytes, so ASan sees over-reads. */
static int feed_copy(struct gw_sse_parser *p, const char *s, size_t n)
{
	char *c = malloc(n ? n : 1);
	int rc;

	CHECK(c != NULL, "out of memory");
	memcpy(c, s, n);
	rc = gw_sse_feed(p, c, n);
	free(c);
	return rc;
}

/*
 * Run in (n bytes) through p, cut at the ncut offsets in cut[] (ascending,
 * each <= n), then finish.  p is reset first; the result is in r->out.
 */
static void run_cuts(struct gw_sse_parser *p, struct rec *r, const char *in,
		     size_t n, const size_t *cut, size_t ncut)
{
	size_t at = 0;

	gw_sse_reset(p);
	rec_clear(r);
	for (size_t k = 0; k <= ncut; k++) {
		size_t to = k < ncut ? cut[k] : n;

		CHECK(feed_copy(p, in + at, to - at) == 0, "feed stopped");
		CHECK(p->dlen + p->llen <= p->cap, "buffer invariant");
		at = to;
	}
	CHECK(p->bytes == n, "bytes %" PRIu64 " != %zu", p->bytes, n);
	rec_finish(r, p);
}

static void check_out(const struct rec *r, const char *want, const char *how,
		      size_t a, size_t b)
{
	CHECK(strcmp(r->out, want) == 0, "%s (cuts %zu,%zu): got\n%s\nwant\n%s",
	      how, a, b, r->out, want);
}

/*
 * Assert that in gives exactly want when fed whole, split in two at every
 * point, one byte at a time and, if three is set, split in three at every
 * pair of points.
 */
static void expect_all(size_t cap, const char *in, size_t n, const char *want,
		       int three)
{
	struct gw_sse_parser p;
	struct rec *r = malloc(sizeof(*r));
	size_t cut[3];

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(gw_sse_init(&p, cap, rec_event, rec_comment, r), 0);

	run_cuts(&p, r, in, n, NULL, 0);
	check_out(r, want, "whole", 0, 0);

	for (size_t i = 0; i <= n; i++) {
		cut[0] = i;
		run_cuts(&p, r, in, n, cut, 1);
		check_out(r, want, "two pieces", i, 0);
	}

	/* one byte at a time: cuts at 1..n-1 */
	gw_sse_reset(&p);
	rec_clear(r);
	for (size_t i = 0; i < n; i++)
		CHECK(feed_copy(&p, in + i, 1) == 0, "feed stopped");
	rec_finish(r, &p);
	check_out(r, want, "bytewise", 0, 0);

	for (size_t i = 0; three && i <= n; i++) {
		for (size_t j = i; j <= n; j++) {
			cut[0] = i;
			cut[1] = j;
			run_cuts(&p, r, in, n, cut, 2);
			check_out(r, want, "three pieces", i, j);
		}
	}
	gw_sse_release(&p);
	free(r);
}

/* String literals may hold NUL: take their size, not strlen. */
#define FEED(p, lit) gw_sse_feed((p), (lit), sizeof(lit) - 1)
#define EXPECT_CAP(cap, lit, want) \
	expect_all((cap), (lit), sizeof(lit) - 1, (want), 1)
#define EXPECT(lit, want) EXPECT_CAP(DEFAULT_CAP, lit, want)

/* The F line of a clean stream with e events and c comments. */
#define F0(e, c) "F fin=0 ev=" #e " com=" #c " over=0 retry=-1 id=\n"

/* ---- line ends ----------------------------------------------------------- */

START_TEST(test_lf)
{
	EXPECT("data: a\n\n", "E message||a\n" F0(1, 0));
}
END_TEST

START_TEST(test_cr)
{
	EXPECT("data: a\r\r", "E message||a\n" F0(1, 0));
}
END_TEST

START_TEST(test_crlf)
{
	EXPECT("data: a\r\n\r\n", "E message||a\n" F0(1, 0));
}
END_TEST

START_TEST(test_mixed_eol)
{
	/* CRLF, CR, LF end lines; "\n\r\n" is LF then a CRLF blank line */
	EXPECT("data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r",
	       "E message||a\\nb\\nc\nE message||d\n" F0(2, 0));
}
END_TEST

START_TEST(test_lf_cr_is_two_ends)
{
	/* LF then CR is two line ends (a blank line), not one */
	EXPECT("data: a\n\rdata: b\n\n",
	       "E message||a\nE message||b\n" F0(2, 0));
}
END_TEST

START_TEST(test_crlf_across_feeds)
{
	struct gw_sse_parser p;
	struct rec r;

	rec_clear(&r);
	ck_assert_int_eq(gw_sse_init(&p, 64, rec_event, rec_comment, &r), 0);
	/* CR | LF is one line end: "a" and "b" are one event */
	ck_assert_int_eq(FEED(&p, "data: a\r"), 0);
	ck_assert_int_eq(FEED(&p, "\ndata: b\r"), 0);
	ck_assert_int_eq(FEED(&p, "\n"), 0);
	ck_assert_str_eq(r.out, "");
	ck_assert_int_eq(FEED(&p, "\r"), 0);
	ck_assert_str_eq(r.out, "E message||a\\nb\n");
	/* CR | CR is two: the second one dispatches at once */
	ck_assert_int_eq(FEED(&p, "data: c\r"), 0);
	ck_assert_int_eq(FEED(&p, "\r"), 0);
	ck_assert_str_eq(r.out, "E message||a\\nb\nE message||c\n");
	/* an LF after a consumed CRLF pair is a new line end */
	ck_assert_int_eq(FEED(&p, "data: d\r\n"), 0);
	ck_assert_int_eq(FEED(&p, "\n"), 0);
	ck_assert_str_eq(r.out,
			 "E message||a\\nb\nE message||c\nE message||d\n");
	ck_assert_int_eq(gw_sse_finish(&p), 0);
	gw_sse_release(&p);
}
END_TEST

/* ---- data ---------------------------------------------------------------- */

START_TEST(test_multiline_data)
{
	EXPECT("data: one\ndata: two\ndata: three\n\n",
	       "E message||one\\ntwo\\nthree\n" F0(1, 0));
}
END_TEST

START_TEST(test_data_space)
{
	EXPECT("data:a\n\ndata: a\n\ndata:  a\n\ndata:   a \n\n",
	       "E message||a\nE message||a\nE message|| a\n"
	       "E message||  a \n" F0(4, 0));
}
END_TEST

START_TEST(test_data_empty_value)
{
	/* "data:" appends "" + LF: buffer "\n" is non-empty -> dispatch "" */
	EXPECT("data:\n\n", "E message||\n" F0(1, 0));
	EXPECT("data: \n\n", "E message||\n" F0(1, 0));
	EXPECT("data:\ndata:\n\n", "E message||\\n\n" F0(1, 0));
	EXPECT("data\ndata: x\ndata\n\n", "E message||\\nx\\n\n" F0(1, 0));
}
END_TEST

START_TEST(test_field_no_colon)
{
	/* "data" alone is field "data" with an empty value */
	EXPECT("data\n\n", "E message||\n" F0(1, 0));
	/* "event" alone sets an empty type, so the default applies */
	EXPECT("event: x\nevent\ndata: d\n\n", "E message||d\n" F0(1, 0));
	/* "id" alone clears the last event id */
	EXPECT("id: 7\ndata: a\n\nid\ndata: b\n\n",
	       "E message|7|a\nE message||b\n"
	       "F fin=0 ev=2 com=0 over=0 retry=-1 id=\n");
}
END_TEST

START_TEST(test_value_colons)
{
	/* only the first colon splits the line */
	EXPECT("data: a:b: c\n\n", "E message||a:b: c\n" F0(1, 0));
	EXPECT("data::x\n\n", "E message||:x\n" F0(1, 0));
}
END_TEST

START_TEST(test_data_with_nul)
{
	/* bytes pass through; data_len counts past an embedded NUL */
	EXPECT("data: a\0b\n\n", "E message||a\\x00b\n" F0(1, 0));
}
END_TEST

/* ---- event type ---------------------------------------------------------- */

START_TEST(test_default_type)
{
	EXPECT("data: x\n\n", "E message||x\n" F0(1, 0));
	EXPECT("event:\ndata: x\n\n", "E message||x\n" F0(1, 0));
}
END_TEST

START_TEST(test_type_reset_after_dispatch)
{
	EXPECT("event: a\ndata: 1\n\ndata: 2\n\nevent: b\nevent: c\n"
	       "data: 3\n\n",
	       "E a||1\nE message||2\nE c||3\n" F0(3, 0));
}
END_TEST

START_TEST(test_empty_data_resets_type)
{
	/* no data: nothing dispatched, but the type is reset */
	EXPECT("event: a\n\ndata: 2\n\n", "E message||2\n" F0(1, 0));
	EXPECT("event: a\nid: 1\nretry: 5\n\n",
	       "F fin=0 ev=0 com=0 over=0 retry=5 id=1\n");
	/* blank lines alone do nothing */
	EXPECT("\n\r\n\r\n\n", F0(0, 0));
}
END_TEST

START_TEST(test_type_space)
{
	EXPECT("event:  t\ndata: x\n\nevent:t\ndata: y\n\n",
	       "E  t||x\nE t||y\n" F0(2, 0));
}
END_TEST

/* ---- comments ------------------------------------------------------------ */

START_TEST(test_comments)
{
	EXPECT(": SSE connection established\r\n\r\n",
	       "C SSE connection established\n" F0(0, 1));
	EXPECT(": ping - 2026-08-12 08:51:50.123456+00:00\r\n\r\n",
	       "C ping - 2026-08-12 08:51:50.123456+00:00\n" F0(0, 1));
	EXPECT(":\n:x\n:  two\n: \n", "C \nC x\nC  two\nC \n" F0(0, 4));
	/* a comment inside an event does not disturb it */
	EXPECT("data: a\n: mid\ndata: b\n\n",
	       "C mid\nE message||a\\nb\n" F0(1, 1));
	/* a colon later in the line does not make a comment */
	EXPECT(" : x\n", F0(0, 0));
}
END_TEST

START_TEST(test_comment_no_callback)
{
	struct gw_sse_parser p;
	struct rec r;

	rec_clear(&r);
	ck_assert_int_eq(gw_sse_init(&p, 64, rec_event, NULL, &r), 0);
	ck_assert_int_eq(FEED(&p, ": hi\n: there\ndata: x\n\n"), 0);
	ck_assert_str_eq(r.out, "E message||x\n");
	ck_assert_uint_eq(p.comments, 2);
	gw_sse_release(&p);
}
END_TEST

/* ---- id ------------------------------------------------------------------ */

START_TEST(test_id_persists)
{
	EXPECT("id: 1\ndata: a\n\ndata: b\n\nid: 2\n\ndata: c\n\n",
	       "E message|1|a\nE message|1|b\nE message|2|c\n"
	       "F fin=0 ev=3 com=0 over=0 retry=-1 id=2\n");
	/* set at once, even in the middle of an event */
	EXPECT("data: a\nid: 9\n\n",
	       "E message|9|a\n"
	       "F fin=0 ev=1 com=0 over=0 retry=-1 id=9\n");
	EXPECT("id:  x\ndata: a\n\n",
	       "E message| x|a\n"
	       "F fin=0 ev=1 com=0 over=0 retry=-1 id= x\n");
}
END_TEST

START_TEST(test_id_with_nul_ignored)
{
	EXPECT("id: 1\nid: a\0b\ndata: x\n\n",
	       "E message|1|x\n"
	       "F fin=0 ev=1 com=0 over=0 retry=-1 id=1\n");
	EXPECT("id: \0\ndata: x\n\n", "E message||x\n" F0(1, 0));
}
END_TEST

/* ---- retry --------------------------------------------------------------- */

START_TEST(test_retry)
{
	EXPECT("retry: 3000\n", "F fin=0 ev=0 com=0 over=0 retry=3000 id=\n");
	EXPECT("retry:0\n", "F fin=0 ev=0 com=0 over=0 retry=0 id=\n");
	EXPECT("retry: 0042\n", "F fin=0 ev=0 com=0 over=0 retry=42 id=\n");
	/* not only digits: ignored, the old value stays */
	EXPECT("retry: 10\nretry: 30a\nretry: -1\nretry: 1.5\nretry:  5\n"
	       "retry: 5 \nretry:\nretry\n",
	       "F fin=0 ev=0 com=0 over=0 retry=10 id=\n");
	/* does not belong to an event: no dispatch, no data */
	EXPECT("retry: 7\n\n", "F fin=0 ev=0 com=0 over=0 retry=7 id=\n");
	/* saturates instead of overflowing */
	EXPECT("retry: 99999999999999999999999\n",
	       "F fin=0 ev=0 com=0 over=0 retry=9223372036854775807 id=\n");
}
END_TEST

/* ---- unknown fields ------------------------------------------------------ */

START_TEST(test_unknown_fields)
{
	/* names are case-sensitive and exact: "data " is not "data" */
	EXPECT("foo: bar\nDATA: x\nData: y\ndata : w\ndat: v\ndataa: u\n"
	       "data: z\n\n",
	       "E message||z\n" F0(1, 0));
	/* an event with only unknown fields is not dispatched */
	EXPECT("foo: bar\n\n", F0(0, 0));
}
END_TEST

/* ---- BOM ----------------------------------------------------------------- */

START_TEST(test_bom)
{
	/* expect_all also splits it 1+2 and 2+1 and bytewise */
	EXPECT("\xEF\xBB\xBF"
	       "data: a\n\n",
	       "E message||a\n" F0(1, 0));
	EXPECT("\xEF\xBB\xBF"
	       ": c\n",
	       "C c\n" F0(0, 1));
	EXPECT("\xEF\xBB\xBF", F0(0, 0));
}
END_TEST

START_TEST(test_bom_split_explicit)
{
	static const char s[] = "\xEF\xBB\xBF"
				": x\n";
	struct gw_sse_parser p;
	struct rec r;

	rec_clear(&r);
	ck_assert_int_eq(gw_sse_init(&p, 64, rec_event, rec_comment, &r), 0);
	/* 1 + 2 */
	ck_assert_int_eq(gw_sse_feed(&p, s, 1), 0);
	ck_assert_int_eq(gw_sse_feed(&p, s + 1, 2), 0);
	ck_assert_int_eq(gw_sse_feed(&p, s + 3, 4), 0);
	ck_assert_str_eq(r.out, "C x\n");
	ck_assert_int_eq(gw_sse_finish(&p), 0);
	/* 2 + 1 (finish started a new stream) */
	ck_assert_int_eq(gw_sse_feed(&p, s, 2), 0);
	ck_assert_int_eq(gw_sse_feed(&p, s + 2, 5), 0);
	ck_assert_str_eq(r.out, "C x\nC x\n");
	ck_assert_uint_eq(p.bytes, 14);
	gw_sse_release(&p);
}
END_TEST

START_TEST(test_bom_partial_is_data)
{
	/*
	 * A partial BOM is ordinary bytes: "\xEF\xBB: hi" is the field
	 * "\xEF\xBB", not a comment, and "\xEF" + "data" is not "data".
	 */
	EXPECT("\xEF\xBB: hi\n", F0(0, 0));
	EXPECT("\xEF: hi\n", F0(0, 0));
	EXPECT("\xEF\xBB"
	       "data: a\n\ndata: b\n\n",
	       "E message||b\n" F0(1, 0));
	EXPECT("\xEF\xBB\xBE: hi\n", F0(0, 0));
	/* the kept bytes are a partial line at the end of the stream */
	EXPECT("\xEF", "F fin=1 ev=0 com=0 over=0 retry=-1 id=\n");
	EXPECT("\xEF\xBB", "F fin=1 ev=0 com=0 over=0 retry=-1 id=\n");
	/* a partial BOM then a line end: the line is not blank */
	EXPECT("\xEF\n", F0(0, 0));
}
END_TEST

START_TEST(test_bom_not_in_middle)
{
	/* BOM bytes inside data are data */
	EXPECT("data: \xEF\xBB\xBF"
	       "a\n\n",
	       "E message||\\xef\\xbb\\xbfa\n" F0(1, 0));
	/* only one BOM is skipped: the second makes "\xEF\xBB\xBF" "data" */
	EXPECT("\xEF\xBB\xBF\xEF\xBB\xBF"
	       "data: a\n\ndata: b\n\n",
	       "E message||b\n" F0(1, 0));
	/* a BOM at the start of a later line is part of that line */
	EXPECT("data: a\n\n\xEF\xBB\xBF"
	       "data: b\n\n",
	       "E message||a\n" F0(1, 0));
}
END_TEST

/* ---- end of stream ------------------------------------------------------- */

START_TEST(test_finish_discards)
{
	EXPECT("data: a\n", "F fin=1 ev=0 com=0 over=0 retry=-1 id=\n");
	EXPECT("data: a", "F fin=1 ev=0 com=0 over=0 retry=-1 id=\n");
	EXPECT("data: a\n\ndata: b\n",
	       "E message||a\n"
	       "F fin=1 ev=1 com=0 over=0 retry=-1 id=\n");
	EXPECT("event: x\n", "F fin=1 ev=0 com=0 over=0 retry=-1 id=\n");
	EXPECT(": partial comment", "F fin=1 ev=0 com=0 over=0 retry=-1 id=\n");
	/* complete events, id/retry lines and a final CR end cleanly */
	EXPECT("data: a\n\n", "E message||a\n" F0(1, 0));
	/* an id in an event never dispatched does not become the last id */
	EXPECT("id: 3\nretry: 4\n", "F fin=1 ev=0 com=0 over=0 retry=4 id=\n");
	EXPECT("id: 3\nretry: 4\n\n",
	       "F fin=0 ev=0 com=0 over=0 retry=4 id=3\n");
	EXPECT("data: a\r\r", "E message||a\n" F0(1, 0));
	EXPECT("", F0(0, 0));
}
END_TEST

START_TEST(test_finish_then_new_stream)
{
	struct gw_sse_parser p;
	struct rec r;

	rec_clear(&r);
	ck_assert_int_eq(gw_sse_init(&p, 64, rec_event, rec_comment, &r), 0);
	ck_assert_int_eq(FEED(&p, "id: 5\nretry: 9\nevent: t\ndata: a"), 0);
	ck_assert_int_eq(gw_sse_finish(&p), 1);
	ck_assert_int_eq(gw_sse_finish(&p), 0); /* nothing left */
	/*
	 * retry persists; data, type, the line and the id of the event never
	 * dispatched do not (WHATWG: only a dispatch sets the last event
	 * ID); a BOM is skipped again.
	 */
	ck_assert_int_eq(FEED(&p, "\xEF\xBB\xBF"
				  "data: b\n\n"),
			 0);
	ck_assert_str_eq(r.out, "E message||b\n");
	ck_assert_int_eq(p.retry_ms, 9);
	ck_assert_int_eq(FEED(&p, "data: c\r"), 0);
	ck_assert_int_eq(gw_sse_finish(&p), 1);
	ck_assert_int_eq(p.last_cr, 0);
	ck_assert_int_eq(FEED(&p, "\ndata: d\n\n"), 0);
	ck_assert_str_eq(r.out, "E message||b\nE message||d\n");
	ck_assert_uint_eq(p.events, 2);
	gw_sse_release(&p);
}
END_TEST

/* ---- callback stop ------------------------------------------------------- */

START_TEST(test_stop_on_event)
{
	static const char s[] = "data: a\r\n\r\ndata: b\n\n: c\n";
	struct gw_sse_parser p;
	struct rec r;
	uint64_t used;

	rec_clear(&r);
	r.stop_ev = 1;
	r.stop_rc = 7;
	ck_assert_int_eq(gw_sse_init(&p, 64, rec_event, rec_comment, &r), 0);
	ck_assert_int_eq(gw_sse_feed(&p, s, sizeof(s) - 1), 7);
	ck_assert_str_eq(r.out, "E message||a\n");
	/* consumed through the CRLF of the blank line, no further */
	used = p.bytes;
	ck_assert_uint_eq(used, 11);
	ck_assert_int_eq(gw_sse_feed(&p, s + used, sizeof(s) - 1 - used), 0);
	ck_assert_str_eq(r.out, "E message||a\nE message||b\nC c\n");
	ck_assert_int_eq(gw_sse_finish(&p), 0);
	gw_sse_release(&p);
}
END_TEST

START_TEST(test_stop_on_comment)
{
	static const char s[] = ": one\r: two\rdata: x\r\r";
	struct gw_sse_parser p;
	struct rec r;

	rec_clear(&r);
	r.stop_com = 2;
	r.stop_rc = -3;
	ck_assert_int_eq(gw_sse_init(&p, 64, rec_event, rec_comment, &r), 0);
	ck_assert_int_eq(gw_sse_feed(&p, s, sizeof(s) - 1), -3);
	ck_assert_str_eq(r.out, "C one\nC two\n");
	ck_assert_uint_eq(p.bytes, 12);
	ck_assert_int_eq(gw_sse_feed(&p, s + 12, sizeof(s) - 1 - 12), 0);
	ck_assert_str_eq(r.out, "C one\nC two\nE message||x\n");
	gw_sse_release(&p);
}
END_TEST

START_TEST(test_stop_at_split_cr)
{
	/*
	 * Stop on a CR that ends the feed: the LF of the next feed is still
	 * recognised as the second half of that CRLF.
	 */
	struct gw_sse_parser p;
	struct rec r;

	rec_clear(&r);
	r.stop_ev = 1;
	r.stop_rc = 1;
	ck_assert_int_eq(gw_sse_init(&p, 64, rec_event, rec_comment, &r), 0);
	ck_assert_int_eq(FEED(&p, "data: a\r\n\r"), 1);
	ck_assert_uint_eq(p.bytes, 10);
	ck_assert_int_eq(FEED(&p, "\ndata: b\r\n\r\n"), 0);
	ck_assert_str_eq(r.out, "E message||a\nE message||b\n");
	gw_sse_release(&p);
}
END_TEST

/* ---- oversize ------------------------------------------------------------ */

/* A "data: " line with v bytes of value, LF-terminated, into buf. */
static size_t data_line(char *buf, const char *prefix, size_t v)
{
	size_t k = strlen(prefix);

	memcpy(buf, prefix, k);
	memset(buf + k, 'v', v);
	buf[k + v] = '\n';
	return k + v + 1;
}

/* k bytes of 'v', NUL-terminated, in a static buffer. */
static const char *vs(size_t k)
{
	static char buf[300];

	ck_assert_uint_lt(k, sizeof(buf));
	memset(buf, 'v', k);
	buf[k] = '\0';
	return buf;
}

START_TEST(test_oversize_boundary)
{
	/* cap 32: "data: " + 26 fits exactly (6 + 26 = 32), 27 does not */
	char in[256], want[512];
	size_t n;

	n = data_line(in, "data: ", 26);
	in[n++] = '\n';
	snprintf(want, sizeof(want), "E message||%s\n" F0(1, 0), vs(26));
	expect_all(32, in, n, want, 1);

	n = data_line(in, "data:", 27); /* no space: 5 + 27 = 32 */
	in[n++] = '\n';
	snprintf(want, sizeof(want), "E message||%s\n" F0(1, 0), vs(27));
	expect_all(32, in, n, want, 1);

	n = data_line(in, "data: ", 27);
	n += (size_t)sprintf(in + n, "\ndata: ok\n\n");
	expect_all(32, in, n,
		   "E message||ok\n"
		   "F fin=0 ev=1 com=0 over=1 retry=-1 id=\n",
		   1);

	/* the same overflow without a space after the colon */
	n = data_line(in, "data:", 28);
	n += (size_t)sprintf(in + n, "\ndata: ok\n\n");
	expect_all(32, in, n,
		   "E message||ok\n"
		   "F fin=0 ev=1 com=0 over=1 retry=-1 id=\n",
		   1);
}
END_TEST

START_TEST(test_oversize_multiline_boundary)
{
	/* dlen 11 after "data: " + 10; then a 21-byte line: 11 + 21 = 32 */
	char in[256];
	size_t n;

	n = data_line(in, "data: ", 10);
	n += data_line(in + n, "data: ", 15);
	in[n++] = '\n';
	expect_all(32, in, n,
		   "E message||vvvvvvvvvv\\nvvvvvvvvvvvvvvv\n" F0(1, 0), 1);

	n = data_line(in, "data: ", 10);
	n += data_line(in + n, "data: ", 16);
	n += (size_t)sprintf(in + n, "data: more\n\ndata: ok\n\n");
	expect_all(32, in, n,
		   "E message||ok\n"
		   "F fin=0 ev=1 com=0 over=1 retry=-1 id=\n",
		   1);
}
END_TEST

START_TEST(test_oversize_skips_whole_event)
{
	/* type and fields before the overflow are dropped with the event;
	 * the following event starts clean (default type) */
	char in[512];
	size_t n = (size_t)sprintf(in, "event: big\ndata: a\n");

	n += data_line(in + n, "data: ", 40);
	n += (size_t)sprintf(in + n, "data: after\nevent: x\n: c\n\n"
				     "data: ok\n\n");
	expect_all(32, in, n,
		   "E message||ok\n"
		   "F fin=0 ev=1 com=0 over=1 retry=-1 id=\n",
		   1);
	/* two oversize events in a row count twice */
	n = data_line(in, "data: ", 40);
	n += (size_t)sprintf(in + n, "\n");
	n += data_line(in + n, ": ", 40);
	n += (size_t)sprintf(in + n, "\r\n\r\n");
	expect_all(32, in, n, "F fin=0 ev=0 com=0 over=2 retry=-1 id=\n", 1);
}
END_TEST

START_TEST(test_oversize_type_and_id)
{
	char in[1024];
	char want[1024];
	size_t n;

	/* type of 63 bytes is fine, 64 makes the event oversize */
	n = data_line(in, "event: ", 63);
	n += (size_t)sprintf(in + n, "data: x\n\n");
	snprintf(want, sizeof(want), "E %s||x\n" F0(1, 0), vs(63));
	expect_all(1024, in, n, want, 0);

	n = data_line(in, "event: ", 64);
	n += (size_t)sprintf(in + n, "data: x\n\ndata: y\n\n");
	expect_all(1024, in, n,
		   "E message||y\n"
		   "F fin=0 ev=1 com=0 over=1 retry=-1 id=\n",
		   0);

	/* id of 255 bytes is fine, 256 is oversize and leaves the id */
	n = data_line(in, "id: ", 255);
	n += (size_t)sprintf(in + n, "data: x\n\n");
	snprintf(want, sizeof(want), "E message|%s|x\n", vs(255));
	snprintf(want + strlen(want), sizeof(want) - strlen(want),
		 "F fin=0 ev=1 com=0 over=0 retry=-1 id=%s\n", vs(255));
	expect_all(1024, in, n, want, 0);

	/* an id with NUL is ignored, not oversize, even when too long */
	n = (size_t)sprintf(in, "id: 1\n");
	n += data_line(in + n, "id: ", 256);
	in[n - 2] = '\0';
	n += (size_t)sprintf(in + n, "data: x\n\n");
	expect_all(1024, in, n,
		   "E message|1|x\n"
		   "F fin=0 ev=1 com=0 over=0 retry=-1 id=1\n",
		   0);

	n = (size_t)sprintf(in, "id: 1\n");
	n += data_line(in + n, "id: ", 256);
	n += (size_t)sprintf(in + n, "data: x\n\ndata: y\n\n");
	expect_all(1024, in, n,
		   "E message|1|y\n"
		   "F fin=0 ev=1 com=0 over=1 retry=-1 id=1\n",
		   0);
}
END_TEST

START_TEST(test_oversize_comment)
{
	/* a comment that does not fit is not delivered truncated */
	char in[256];
	size_t n = data_line(in, ": ", 40);

	n += (size_t)sprintf(in + n, "\n: ok\n");
	expect_all(32, in, n,
		   "C ok\n"
		   "F fin=0 ev=0 com=1 over=1 retry=-1 id=\n",
		   1);
	/* exactly at the cap (2 + 30 = 32) it is delivered */
	n = data_line(in, ": ", 30);
	expect_all(32, in, n, "C vvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\n" F0(0, 1), 1);
}
END_TEST

START_TEST(test_oversize_endless_line)
{
	/* 1 MiB without a line end, in odd-sized chunks, cap 64 */
	static const char *const prefix[] = { "", "data: ", ": ", "id: " };
	char chunk[4093];
	struct gw_sse_parser p;
	struct rec r;

	memset(chunk, 'x', sizeof(chunk));
	rec_clear(&r);
	ck_assert_int_eq(gw_sse_init(&p, 64, rec_event, rec_comment, &r), 0);
	for (size_t k = 0; k < GW_ARRAY_SIZE(prefix); k++) {
		gw_sse_reset(&p);
		ck_assert_int_eq(gw_sse_feed(&p, prefix[k], strlen(prefix[k])),
				 0);
		for (int i = 0; i < 256; i++) {
			ck_assert_int_eq(feed_copy(&p, chunk, sizeof(chunk)),
					 0);
			ck_assert_uint_le(p.dlen + p.llen, p.cap);
		}
		/* line ends without a blank line keep it skipping */
		for (int i = 0; i < 100; i++)
			ck_assert_int_eq(FEED(&p, "data: x\r"), 0);
		ck_assert_uint_eq(p.oversize, 1);
		ck_assert_uint_eq(p.events, 0);
		ck_assert_uint_eq(p.comments, 0);
		ck_assert_int_eq(gw_sse_finish(&p), 1);
		/* after the stream ends, the next one parses normally */
		ck_assert_int_eq(FEED(&p, "data: ok\n\n"), 0);
		ck_assert_uint_eq(p.events, 1);
	}
	ck_assert_str_eq(r.out, "E message||ok\nE message||ok\n"
				"E message||ok\nE message||ok\n");
	gw_sse_release(&p);
}
END_TEST

START_TEST(test_min_cap)
{
	/* cap 16: "data: " + 10 is the largest one-line event */
	EXPECT_CAP(16, "data: 0123456789\n\n",
		   "E message||0123456789\n" F0(1, 0));
	EXPECT_CAP(16, "data: 0123456789a\n\ndata: b\n\n",
		   "E message||b\n"
		   "F fin=0 ev=1 com=0 over=1 retry=-1 id=\n");
}
END_TEST

/* ---- reset / lifecycle --------------------------------------------------- */

START_TEST(test_reset)
{
	struct gw_sse_parser p;
	struct rec r;
	char *buf;

	rec_clear(&r);
	ck_assert_int_eq(gw_sse_init(&p, 32, rec_event, rec_comment, &r), 0);
	buf = p.buf;
	ck_assert_int_eq(FEED(&p, "id: 4\nretry: 8\n: c\ndata: a\n\n"
				  "event: t\ndata: b\ndata"),
			 0);
	ck_assert_uint_eq(p.events, 1);
	ck_assert_uint_gt(p.dlen, 0);
	ck_assert_uint_gt(p.llen, 0);
	gw_sse_reset(&p);
	ck_assert_ptr_eq(p.buf, buf);
	ck_assert_uint_eq(p.cap, 32);
	ck_assert_uint_eq(p.dlen, 0);
	ck_assert_uint_eq(p.llen, 0);
	ck_assert_uint_eq(p.type_len, 0);
	ck_assert_str_eq(p.id, "");
	ck_assert_int_eq(p.retry_ms, -1);
	ck_assert_uint_eq(p.events, 0);
	ck_assert_uint_eq(p.comments, 0);
	ck_assert_uint_eq(p.oversize, 0);
	ck_assert_uint_eq(p.bytes, 0);
	ck_assert_int_eq(gw_sse_finish(&p), 0);
	/* the half-assembled event is gone; callbacks are kept */
	ck_assert_int_eq(FEED(&p, ": x\ndata: c\n\n"), 0);
	ck_assert_str_eq(r.out, "C c\nE message|4|a\nC x\nE message||c\n");

	/* reset inside an oversize event and inside a BOM */
	ck_assert_int_eq(FEED(&p, "data: 0123456789012345678901234567"), 0);
	ck_assert_uint_eq(p.oversize, 1);
	gw_sse_reset(&p);
	ck_assert_int_eq(p.skipping, 0);
	ck_assert_int_eq(FEED(&p, "\xEF\xBB"), 0);
	gw_sse_reset(&p);
	ck_assert_int_eq(FEED(&p, "\xEF\xBB\xBF"
				  "data: d\n"),
			 0);
	ck_assert_int_eq(FEED(&p, "\n"), 0);
	ck_assert_str_eq(r.out, "C c\nE message|4|a\nC x\nE message||c\n"
				"E message||d\n");
	/*
	 * A CR pending before the reset is forgotten (white-box: a leading
	 * LF after a reset is a no-op blank line either way).
	 */
	ck_assert_int_eq(FEED(&p, "data: e\r"), 0);
	ck_assert_int_eq(p.last_cr, 1);
	gw_sse_reset(&p);
	ck_assert_int_eq(p.last_cr, 0);
	ck_assert_int_eq(FEED(&p, "\ndata: f\n\n"), 0);
	ck_assert_uint_eq(p.events, 1);
	gw_sse_release(&p);
}
END_TEST

START_TEST(test_init_release)
{
	struct gw_sse_parser p;
	struct rec r;

	ck_assert_int_eq(gw_sse_init(&p, 15, rec_event, NULL, &r), -1);
	ck_assert_ptr_null(p.buf);
	gw_sse_release(&p);
	ck_assert_int_eq(gw_sse_init(&p, 64, NULL, NULL, &r), -1);
	gw_sse_release(&p);
	ck_assert_int_eq(gw_sse_init(&p, 16, rec_event, NULL, &r), 0);
	ck_assert_ptr_nonnull(p.buf);
	ck_assert_int_eq(p.retry_ms, -1);
	ck_assert_str_eq(p.id, "");
	ck_assert_int_eq(gw_sse_feed(&p, NULL, 0), 0);
	gw_sse_release(&p);
	ck_assert_ptr_null(p.buf);
	gw_sse_release(&p); /* twice is fine */
	gw_sse_release(NULL);
	/* re-initialise after release */
	ck_assert_int_eq(gw_sse_init(&p, 64, rec_event, NULL, &r), 0);
	gw_sse_release(&p);
}
END_TEST

/* ---- recorded streams ---------------------------------------------------- */

struct recorded {
	const char *name;
	size_t cap;
};

static const struct recorded recorded[] = {
	{ "sam_task", 4096 },	/* CRLF, the SAM task stream of spec §5 */
	{ "sam_notify", 4096 }, /* CRLF, /sse/notifications */
	{ "lf_only", 256 },
	{ "cr_only", 256 },
	{ "multiline_id_retry", 256 },
	{ "bom", 256 },
	{ "mixed_eol", 256 }, /* ends inside an event: fin=1 */
	{ "oversize", 48 },
};

static char *read_file(const char *name, const char *ext, size_t *n)
{
	char path[512];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/sse/%s%s", GW_TEST_DATA, name, ext);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	ck_assert_int_ge(len, 0);
	ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
	buf = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	*n = (size_t)len;
	return buf;
}

START_TEST(test_recorded)
{
	const struct recorded *t = &recorded[_i];
	size_t n, wn;
	char *in = read_file(t->name, ".sse", &n);
	char *want = read_file(t->name, ".expected", &wn);

	ck_assert_uint_eq(strlen(want), wn);
	ck_assert_uint_gt(n, 0);
	expect_all(t->cap, in, n, want, n < 300);
	free(in);
	free(want);
}
END_TEST

START_TEST(test_recorded_all_listed)
{
	/* every .sse file in the directory is in the table above */
	DIR *d = opendir(GW_TEST_DATA "/sse");
	struct dirent *e;
	unsigned found = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		size_t k = strlen(e->d_name);
		int listed = 0;

		if (k < 5 || strcmp(e->d_name + k - 4, ".sse") != 0)
			continue;
		for (size_t i = 0; i < GW_ARRAY_SIZE(recorded); i++)
			if (strlen(recorded[i].name) == k - 4 &&
			    !strncmp(recorded[i].name, e->d_name, k - 4))
				listed = 1;
		ck_assert_msg(listed, "%s is not in recorded[]", e->d_name);
		found++;
	}
	closedir(d);
	ck_assert_uint_eq(found, GW_ARRAY_SIZE(recorded));
}
END_TEST

/* ---- growth ---------------------------------------------------------------
 */

struct big {
	size_t events, len, oversize_bytes;
	char type[GW_SSE_TYPE_MAX];
	int ok;
};

static int big_event(void *ud, const struct gw_sse_event *ev)
{
	struct big *b = ud;

	b->events++;
	b->len = ev->data_len;
	b->ok = ev->data[0] == '{' && ev->data[ev->data_len - 1] == '}' &&
		ev->data[ev->data_len] == '\0';
	return 0;
}

static int big_oversize(void *ud, const char *type, size_t bytes)
{
	struct big *b = ud;

	snprintf(b->type, sizeof(b->type), "%s", type);
	b->oversize_bytes = bytes;
	return 0;
}

/* A 300 KB event under a 1 MiB cap: the buffer grows from its first size,
 * the event arrives whole, and a reset gives the memory back. */
START_TEST(test_grow_big_event)
{
	enum { N = 300 * 1000 };
	struct gw_sse_parser p;
	struct big b = { 0 };
	char *line = malloc(N + 16);

	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(gw_sse_init(&p, 1 << 20, big_event, NULL, &b), 0);
	ck_assert_uint_eq(p.cap, GW_SSE_INIT_CAP);
	memcpy(line, "data: {", 7);
	memset(line + 7, 'x', N - 2);
	memcpy(line + 7 + N - 2, "}\n\n", 3);
	/* in 16 KiB pieces, as libcurl delivers them */
	for (size_t at = 0, n = 7 + N - 2 + 3; at < n; at += 16384)
		ck_assert_int_eq(gw_sse_feed(&p, line + at,
					     n - at < 16384 ? n - at : 16384),
				 0);
	ck_assert_uint_eq(b.events, 1);
	ck_assert_uint_eq(b.len, N);
	ck_assert(b.ok);
	ck_assert_uint_eq(p.oversize, 0);
	ck_assert_uint_ge(p.cap, N);
	ck_assert_uint_le(p.cap, 1 << 20);
	gw_sse_reset(&p);
	ck_assert_uint_eq(p.cap, GW_SSE_INIT_CAP);
	/* and after the shrink it still works */
	ck_assert_int_eq(FEED(&p, "data: {}\n\n"), 0);
	ck_assert_uint_eq(b.events, 2);
	ck_assert_uint_eq(b.len, 2);
	gw_sse_release(&p);
	free(line);
}
END_TEST

/* An event over the cap is skipped and reported with its type and size. */
START_TEST(test_oversize_callback)
{
	enum { N = 5000 };
	struct gw_sse_parser p;
	struct big b = { 0 };
	char *in = malloc(N + 64);
	size_t n;

	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(gw_sse_init(&p, 1024, big_event, NULL, &b), 0);
	p.on_oversize = big_oversize;
	n = (size_t)sprintf(in, "event: final_response\ndata: {");
	memset(in + n, 'y', N);
	n += N;
	n += (size_t)sprintf(in + n, "}\n\ndata: {}\n\n");
	for (size_t at = 0; at < n; at += 100)
		ck_assert_int_eq(gw_sse_feed(&p, in + at,
					     n - at < 100 ? n - at : 100),
				 0);
	ck_assert_uint_eq(p.oversize, 1);
	ck_assert_str_eq(b.type, "final_response");
	/* "data: {" + N + "}" and its line end, the blank line: all but the
	 * event line itself, which came before the overflow */
	ck_assert_uint_ge(b.oversize_bytes, N);
	ck_assert_uint_le(b.oversize_bytes, N + 64);
	/* the next event is whole */
	ck_assert_uint_eq(b.events, 1);
	ck_assert_uint_eq(b.len, 2);
	gw_sse_release(&p);
	free(in);
}
END_TEST

/* ---- oracle -------------------------------------------------------------- */

/*
 * The WHATWG algorithm written the obvious way over a whole buffer, with
 * the cap rule of gw_sse.h, emitting the same text as the recorder.
 */
static void model_run(const char *s, size_t n, size_t cap, struct rec *r)
{
	char *data = malloc(cap + 1);
	char type[GW_SSE_TYPE_MAX] = "", id[GW_SSE_ID_MAX] = "";
	char last_id[GW_SSE_ID_MAX] = "";
	size_t i = 0, dlen = 0, tlen = 0;
	int skipping = 0, partial = 0;
	int64_t retry = -1;
	uint64_t events = 0, comments = 0, over = 0;

	CHECK(data != NULL, "out of memory");
	rec_clear(r);
	if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i <= n) {
		size_t j = i, len, flen, vlen;
		const char *line = s + i, *v;

		while (j < n && s[j] != '\r' && s[j] != '\n')
			j++;
		if (j == n) {
			/* the stream ends inside a line; the parser counts a
			 * line that outgrew the buffer before its end came */
			partial = j > i;
			if (!skipping && dlen + (j - i) > cap)
				over++;
			break;
		}
		len = j - i;
		i = j + 1;
		if (s[j] == '\r' && i < n && s[i] == '\n')
			i++;
		if (skipping) {
			if (len == 0) {
				memcpy(last_id, id, sizeof(id));
				skipping = 0;
				dlen = tlen = 0;
			}
			continue;
		}
		if (dlen + len > cap) {
			over++;
			skipping = 1;
			dlen = tlen = 0;
			continue;
		}
		if (len == 0) {
			memcpy(last_id, id, sizeof(id));
			if (dlen) {
				struct gw_sse_event ev;

				data[--dlen] = '\0';
				ev.type = tlen ? type : "message";
				ev.type_len = tlen ? tlen : 7;
				ev.data = data;
				ev.data_len = dlen;
				ev.id = last_id;
				events++;
				rec_event(r, &ev);
			}
			dlen = tlen = 0;
			continue;
		}
		if (line[0] == ':') {
			v = line + 1;
			vlen = len - 1;
			if (vlen && *v == ' ')
				v++, vlen--;
			comments++;
			rec_comment(r, v, vlen);
			continue;
		}
		for (flen = 0; flen < len && line[flen] != ':'; flen++)
			;
		v = line + flen + (flen < len);
		vlen = len - flen - (flen < len);
		if (vlen && *v == ' ')
			v++, vlen--;
		if (flen == 4 && !strncmp(line, "data", 4)) {
			memcpy(data + dlen, v, vlen);
			dlen += vlen;
			data[dlen++] = '\n';
		} else if (flen == 5 && !strncmp(line, "event", 5)) {
			if (vlen >= GW_SSE_TYPE_MAX) {
				over++;
				skipping = 1;
				dlen = tlen = 0;
			} else {
				memcpy(type, v, vlen);
				type[vlen] = '\0';
				tlen = vlen;
			}
		} else if (flen == 2 && !strncmp(line, "id", 2)) {
			if (memchr(v, '\0', vlen)) {
				/* ignored */
			} else if (vlen >= GW_SSE_ID_MAX) {
				over++;
				skipping = 1;
				dlen = tlen = 0;
			} else {
				memcpy(id, v, vlen);
				id[vlen] = '\0';
			}
		} else if (flen == 5 && !strncmp(line, "retry", 5)) {
			size_t k = 0;

			while (k < vlen && v[k] >= '0' && v[k] <= '9')
				k++;
			if (vlen && k == vlen) {
				char num[512];

				/* strtoll saturates at INT64_MAX */
				snprintf(num, sizeof(num), "%.*s", (int)vlen,
					 v);
				retry = strtoll(num, NULL, 10);
			}
		}
	}
	rec_final(r, partial || dlen || tlen || skipping || strcmp(id, last_id),
		  events, comments, over, retry, last_id);
	free(data);
}

static uint64_t rng_next(uint64_t *x)
{
	/* xorshift64: deterministic, so a failure names its iteration */
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

struct tok {
	const char *s;
	size_t n;
};
#define TOK(lit)                       \
	{                              \
		(lit), sizeof(lit) - 1 \
	}

static const struct tok toks[] = {
	TOK("data"),	 TOK("data:"),	      TOK("data: "),
	TOK("event:"),	 TOK("event: "),      TOK("id:"),
	TOK("id: "),	 TOK("retry:"),	      TOK("retry: "),
	TOK(":"),	 TOK(": "),	      TOK(" "),
	TOK("x"),	 TOK("yz"),	      TOK("0"),
	TOK("42"),	 TOK("\n"),	      TOK("\r"),
	TOK("\r\n"),	 TOK("\n\n"),	      TOK("\r\n\r\n"),
	TOK("\r\r"),	 TOK("\0"),	      TOK("\xEF"),
	TOK("\xBB\xBF"), TOK("\xEF\xBB\xBF"), TOK("data: abc\n"),
	TOK("\n\n"),	 TOK("ev"),	      TOK("ent"),
	TOK("\n\n"),	 TOK("data: q\n\n"),  TOK("retry: 250\n"),
	TOK("id: 7\n"),	 TOK("event: e\n"),
};

START_TEST(test_oracle_random)
{
	enum { ITER = 20000, MAXLEN = 600 };
	static const size_t caps[] = { 16, 24, 40, 64, 128, 300, 1000 };
	char *in = malloc(MAXLEN + 300);
	struct rec *want = malloc(sizeof(*want));
	struct rec *got = malloc(sizeof(*got));
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint64_t events = 0, comments = 0, over = 0, unfinished = 0;
	uint64_t with_id = 0, with_retry = 0;

	ck_assert(in && want && got);
	for (int it = 0; it < ITER; it++) {
		struct gw_sse_parser p;
		size_t n = 0, cap = caps[rng_next(&x) % 7];
		size_t target = rng_next(&x) % MAXLEN;
		size_t at = 0;

		/* tokens, sometimes a BOM first, sometimes a long run */
		if (rng_next(&x) % 4 == 0) {
			memcpy(in, "\xEF\xBB\xBF", 3);
			n = 3;
		}
		while (n < target) {
			uint64_t k = rng_next(&x) % (GW_ARRAY_SIZE(toks) + 1);

			if (k == GW_ARRAY_SIZE(toks)) {
				size_t run = rng_next(&x) % 280;

				memset(in + n, 'a' + (int)(run % 3), run);
				n += run;
			} else {
				memcpy(in + n, toks[k].s, toks[k].n);
				n += toks[k].n;
			}
		}
		if (rng_next(&x) % 2) { /* half end on a boundary */
			memcpy(in + n, "\n\n", 2);
			n += 2;
		}
		model_run(in, n, cap, want);

		CHECK(gw_sse_init(&p, cap, rec_event, rec_comment, got) == 0,
		      "init");
		rec_clear(got);
		while (at < n) {
			size_t len = rng_next(&x) % 3 == 0 ? rng_next(&x) % 4
							   : rng_next(&x) % 64;

			if (len > n - at)
				len = n - at;
			CHECK(feed_copy(&p, in + at, len) == 0, "feed stopped");
			CHECK(p.dlen + p.llen <= p.cap, "buffer invariant");
			at += len;
		}
		events += p.events;
		comments += p.comments;
		over += p.oversize;
		rec_finish(got, &p);
		unfinished += strstr(got->out, "F fin=1") != NULL;
		with_id += p.id[0] != '\0';
		with_retry += p.retry_ms >= 0;
		if (strcmp(got->out, want->out) != 0) {
			rec_clear(want);
			rec_esc(want, in, n);
			ck_abort_msg("iteration %d cap %zu input\n%s\ngot\n%s",
				     it, cap, want->out, got->out);
		}
		gw_sse_release(&p);
	}
	/* the generator really reaches every outcome, many times */
	ck_assert_uint_gt(events, ITER);
	ck_assert_uint_gt(comments, ITER / 2);
	ck_assert_uint_gt(over, ITER / 2);
	ck_assert_uint_gt(unfinished, ITER / 10);
	ck_assert_uint_lt(unfinished, ITER - ITER / 10);
	ck_assert_uint_gt(with_id, ITER / 10);
	ck_assert_uint_gt(with_retry, ITER / 10);
	free(in);
	free(want);
	free(got);
}
END_TEST

/* ---- suite --------------------------------------------------------------- */

static Suite *sse_suite(void)
{
	Suite *s = suite_create("sse");
	TCase *tc;

	tc = tcase_create("eol");
	tcase_add_test(tc, test_lf);
	tcase_add_test(tc, test_cr);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_mixed_eol);
	tcase_add_test(tc, test_lf_cr_is_two_ends);
	tcase_add_test(tc, test_crlf_across_feeds);
	suite_add_tcase(s, tc);

	tc = tcase_create("fields");
	tcase_add_test(tc, test_multiline_data);
	tcase_add_test(tc, test_data_space);
	tcase_add_test(tc, test_data_empty_value);
	tcase_add_test(tc, test_field_no_colon);
	tcase_add_test(tc, test_value_colons);
	tcase_add_test(tc, test_data_with_nul);
	tcase_add_test(tc, test_default_type);
	tcase_add_test(tc, test_type_reset_after_dispatch);
	tcase_add_test(tc, test_empty_data_resets_type);
	tcase_add_test(tc, test_type_space);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_comment_no_callback);
	tcase_add_test(tc, test_id_persists);
	tcase_add_test(tc, test_id_with_nul_ignored);
	tcase_add_test(tc, test_retry);
	tcase_add_test(tc, test_unknown_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("bom");
	tcase_add_test(tc, test_bom);
	tcase_add_test(tc, test_bom_split_explicit);
	tcase_add_test(tc, test_bom_partial_is_data);
	tcase_add_test(tc, test_bom_not_in_middle);
	suite_add_tcase(s, tc);

	tc = tcase_create("stream");
	tcase_add_test(tc, test_finish_discards);
	tcase_add_test(tc, test_finish_then_new_stream);
	tcase_add_test(tc, test_stop_on_event);
	tcase_add_test(tc, test_stop_on_comment);
	tcase_add_test(tc, test_stop_at_split_cr);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_init_release);
	suite_add_tcase(s, tc);

	tc = tcase_create("oversize");
	tcase_add_test(tc, test_oversize_boundary);
	tcase_add_test(tc, test_oversize_multiline_boundary);
	tcase_add_test(tc, test_oversize_skips_whole_event);
	tcase_add_test(tc, test_oversize_type_and_id);
	tcase_add_test(tc, test_oversize_comment);
	tcase_add_test(tc, test_oversize_endless_line);
	tcase_add_test(tc, test_min_cap);
	tcase_add_test(tc, test_oversize_callback);
	suite_add_tcase(s, tc);

	tc = tcase_create("growth");
	tcase_add_test(tc, test_grow_big_event);
	suite_add_tcase(s, tc);

	tc = tcase_create("recorded");
	tcase_add_loop_test(tc, test_recorded, 0, GW_ARRAY_SIZE(recorded));
	tcase_add_test(tc, test_recorded_all_listed);
	suite_add_tcase(s, tc);

	tc = tcase_create("oracle");
	tcase_add_test(tc, test_oracle_random);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(sse_suite)
