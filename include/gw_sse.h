/*
 * gw_sse: a streaming parser for text/event-stream (Server-Sent Events),
 * following the WHATWG HTML "event stream interpretation" rules.
 *
 * Workload: one parser per live SSE stream (up to 10,000 per process), fed
 * whatever byte runs libcurl's write callback delivers (1 byte .. 16 KiB).
 * Memory per parser: one buffer holding the data of the event being
 * assembled plus the current line, GW_SSE_INIT_CAP bytes at first and
 * doubled on demand up to max_event_bytes (a SAM final_response can carry
 * a whole answer, hundreds of KiB, where every other event is a few
 * hundred bytes: memory per stream must not pay for the rare big one),
 * shrunk back by gw_sse_reset; and small fixed buffers for the event type
 * and the last event id.  A growth is the only allocation after
 * gw_sse_init(); one that fails makes the event oversize.
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
 *    contains NUL; it is never reset, so it persists across events; the
 *    last event ID string takes its value when an event is dispatched --
 *    at every blank line -- so an event left unfinished at the end of a
 *    stream never sets it), retry
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
 * event; an id that came before it has already been applied.  When the
 * blank line ending an oversize event arrives, on_oversize (if set) gets
 * its event type (when an `event` line came before the overflow, as SAM
 * sends it) and about how many bytes it had (line ends counted as one).
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
#define GW_SSE_INIT_CAP 2048

struct gw_sse_event {
	const char *type; /* NUL-terminated; "message" by default */
	size_t type_len;
	const char *data; /* NUL-terminated, lines joined with '\n' */
	size_t data_len;
	const char *id; /* last event id (may be ""), NUL-terminated */
};

/* An oversize event ended: its type ("" if none came first) and size. */
typedef int (*gw_sse_oversize_fn)(void *ud, const char *type, size_t bytes);

/*
 * Callbacks return 0 to continue or nonzero to stop: gw_sse_feed() then
 * returns at once with that value, the remaining bytes of the feed unread.
 * Pointers passed to callbacks are valid only during the call.  The
 * comment text is not NUL-terminated (use len); event strings are.
 */
typedef int (*gw_sse_event_fn)(void *ud, const struct gw_sse_event *ev);
typedef int (*gw_sse_comment_fn)(void *ud, const char *text, size_t len);

struct gw_sse_parser {
	char *buf;	 /* [0,dlen) data, [dlen,dlen+llen) line */
	size_t cap;	 /* its size now */
	size_t max;	 /* max_event_bytes: what it may grow to */
	size_t init_cap; /* what it starts at and shrinks back to */
	size_t dlen;
	size_t llen; /* while skipping: 1 if line non-empty */
	char type[GW_SSE_TYPE_MAX];
	size_t type_len;
	char id[GW_SSE_ID_MAX];		 /* last event id buffer, persists */
	char last_id[GW_SSE_ID_MAX];	 /* last event ID string (dispatched) */
	char skip_type[GW_SSE_TYPE_MAX]; /* of the oversize event */
	size_t skip_bytes;		 /* ... its bytes so far */
	unsigned bom_seen;		 /* BOM bytes matched so far (0..3) */
	unsigned started : 1;		 /* any byte after the BOM check seen */
	unsigned last_cr : 1;		 /* previous byte was CR */
	unsigned skipping : 1;		 /* inside an oversize event */
	int64_t retry_ms;  /* last valid retry field, -1 if none */
	uint64_t events;   /* events dispatched */
	uint64_t comments; /* comment lines that fitted */
	uint64_t oversize; /* events (or lines) discarded for size */
	uint64_t bytes;	   /* bytes consumed (see gw_sse_feed) */
	gw_sse_event_fn on_event;
	gw_sse_comment_fn on_comment;	/* may be NULL */
	gw_sse_oversize_fn on_oversize; /* may be NULL; set after init */
	void *ud;
};

/*
 * Set up *p for events of up to max_event_bytes (>= 16), with a buffer of
 * GW_SSE_INIT_CAP (or max_event_bytes if smaller) that grows on demand.
 * Returns 0, or -1 if max_event_bytes < 16, on_event is NULL or the
 * buffer cannot be allocated (malloc, not an aborting allocator); *p is
 * then safe to release.
 */
int gw_sse_init(struct gw_sse_parser *p, size_t max_event_bytes,
		gw_sse_event_fn on_event, gw_sse_comment_fn on_comment,
		void *ud);
/* Free the buffer; *p may then be re-initialised.  NULL-safe. */
void gw_sse_release(struct gw_sse_parser *p);
/*
 * Forget all stream state (for a new connection); keeps the callbacks,
 * zeroes the statistics and the last event id, sets retry_ms to -1, and
 * shrinks a buffer a big event grew back to its first size.
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
 * End of stream: discards a pending incomplete event (its id included: the
 * last event id is the last dispatched one's) and returns the parser to
 * the start of a stream (a BOM is skipped again), keeping the last event
 * id, retry_ms and the counters, as a reconnect needs.
 * Returns 1 if the stream did not end on an event boundary (a partial
 * line, data, an event type or an id not yet dispatched, part of a BOM, or the
 * tail of an oversize event was discarded), else 0.
 */
int gw_sse_finish(struct gw_sse_parser *p);

#endif /* GW_SSE_H */
