/*
 * gw_sse: a streaming parser for text/event-stream (Server-Sent Events),
 * following the WHATWG HTML "event stream interpretation" rules.
 *
 * Workload: one parser per live SSE stream (up to 10,000 per process), fed
 * whatever byte runs libcurl's write callback delivers (1 byte .. 16 KiB).
 * Memory per parser is fixed at init: one buffer of max_event_bytes holding
 * the data of the event being assembled plus the current line, and small
 * fixed buffers for the event type and last event id.  Nothing is allocated
 * after gw_sse_init().
 *
 * Parsing rules (WHATWG, "Interpreting an event stream"):
 *  - A single UTF-8 BOM (EF BB BF) at the very start of the stream is
 *    skipped, even when split across feeds.
 *  - Lines end with CRLF, LF or CR; a CR at the end of one feed followed by
 *    LF at the start of the next is one line end.
 *  - A blank line dispatches the event: if the data buffer is empty, the
 *    data and event type buffers are reset and nothing is dispatched;
 *    otherwise one trailing LF is removed from the data and the event is
 *    delivered with type "message" when no `event` field was seen.
 *  - A line starting with ':' is a comment (delivered to on_comment, the
 *    text after the colon with one leading space removed).
 *  - "field:value" (one space after the colon removed) or "field" alone
 *    (value empty).  Only the first colon splits; names are
 *    case-sensitive.  Fields: event (sets the type), data (appends value
 *    and LF), id (sets the last event id buffer at once unless the value
 *    contains NUL; it is never reset, so it persists across events), retry
 *    (one or more ASCII digits: sets retry_ms, saturating at INT64_MAX;
 *    anything else, including an empty value, is ignored); any other field
 *    is ignored.
 *  - At end of stream an incomplete event is discarded (gw_sse_finish).
 * Bytes are passed through as they are: no UTF-8 validation or U+FFFD
 * replacement is done (the SAM gateway sends ASCII-escaped JSON).
 *
 * Bounds: when the current line plus the data assembled so far would exceed
 * max_event_bytes, the event is "oversize": `oversize` is incremented once
 * for it, bytes are discarded up to the blank line that ends it, and
 * nothing is dispatched for it.  An event type longer than
 * GW_SSE_TYPE_MAX-1 or an id longer than GW_SSE_ID_MAX-1 makes the event
 * oversize as well.  Parsing resumes normally with the next event.
 * Precisely: "the current line" is the raw line (field name, colon, value;
 * the line end excluded) and "the data" is the sum of value+1 over the
 * data lines so far, so one "data: V" line fits iff 6 + len(V) <= max,
 * and dispatched data is always shorter than max.  An id containing NUL
 * is ignored whatever its length, as WHATWG says.  The rule applies to
 * every line, comments included: a comment that does not fit is not
 * delivered truncated, it makes the event around it (or, between events,
 * the lines up to the next blank line) oversize.  Lines after the point of
 * overflow are not parsed, so an id or retry field there is lost with the
 * event; an id that came before it has already been applied.
 *
 * Thread safety: a parser is owned by one thread; distinct parsers share
 * nothing.
 */
#ifndef GW_SSE_H
#define GW_SSE_H

#include <stddef.h>
#include <stdint.h>

#define GW_SSE_TYPE_MAX 64
#define GW_SSE_ID_MAX 256

struct gw_sse_event {
	const char *type; /* NUL-terminated; "message" by default */
	size_t type_len;
	const char *data; /* NUL-terminated, lines joined with '\n' */
	size_t data_len;
	const char *id; /* last event id (may be ""), NUL-terminated */
};

/*
 * Callbacks return 0 to continue or nonzero to stop: gw_sse_feed() then
 * returns at once with that value, the remaining bytes of the feed unread.
 * Pointers passed to callbacks are valid only during the call.  The
 * comment text is not NUL-terminated (use len); event strings are.
 */
typedef int (*gw_sse_event_fn)(void *ud, const struct gw_sse_event *ev);
typedef int (*gw_sse_comment_fn)(void *ud, const char *text, size_t len);

struct gw_sse_parser {
	char *buf;  /* [0,dlen) data, [dlen,dlen+llen) line */
	size_t cap; /* max_event_bytes */
	size_t dlen;
	size_t llen; /* while skipping: 1 if line non-empty */
	char type[GW_SSE_TYPE_MAX];
	size_t type_len;
	char id[GW_SSE_ID_MAX]; /* last event id buffer, persists */
	unsigned bom_seen;	/* BOM bytes matched so far (0..3) */
	unsigned started : 1;	/* any byte after the BOM check seen */
	unsigned last_cr : 1;	/* previous byte was CR */
	unsigned skipping : 1;	/* inside an oversize event */
	int64_t retry_ms;	/* last valid retry field, -1 if none */
	uint64_t events;	/* events dispatched */
	uint64_t comments;	/* comment lines that fitted */
	uint64_t oversize;	/* events (or lines) discarded for size */
	uint64_t bytes;		/* bytes consumed (see gw_sse_feed) */
	gw_sse_event_fn on_event;
	gw_sse_comment_fn on_comment; /* may be NULL */
	void *ud;
};

/*
 * Set up *p with a buffer of max_event_bytes (>= 16).  Returns 0, or -1 if
 * max_event_bytes < 16, on_event is NULL or the buffer cannot be allocated
 * (malloc, not an aborting allocator); *p is then safe to release.
 */
int gw_sse_init(struct gw_sse_parser *p, size_t max_event_bytes,
		gw_sse_event_fn on_event, gw_sse_comment_fn on_comment,
		void *ud);
/* Free the buffer; *p may then be re-initialised.  NULL-safe. */
void gw_sse_release(struct gw_sse_parser *p);
/*
 * Forget all stream state (for a new connection); keeps buffer and
 * callbacks, zeroes the statistics and the last event id, sets retry_ms
 * to -1.
 */
void gw_sse_reset(struct gw_sse_parser *p);
/*
 * Feed n bytes (bytes may be NULL when n is 0).  Returns 0, or the nonzero
 * value a callback returned.  After a stop the parser is consistent and
 * p->bytes has grown by exactly the bytes consumed (up to and including
 * the line end that triggered the callback), so a caller may feed the rest
 * later.  Never fails otherwise: malformed input is parsed per WHATWG or
 * counted in `oversize`.
 */
int gw_sse_feed(struct gw_sse_parser *p, const char *bytes, size_t n);
/*
 * End of stream: discards a pending incomplete event and returns the
 * parser to the start of a stream (a BOM is skipped again), keeping the
 * last event id, retry_ms and the counters, as a reconnect needs.
 * Returns 1 if the stream did not end on an event boundary (a partial
 * line, data or an event type not yet dispatched, part of a BOM, or the
 * tail of an oversize event was discarded), else 0.
 */
int gw_sse_finish(struct gw_sse_parser *p);

#endif /* GW_SSE_H */
