/*
 * gw_jscan: a validating JSON scanner that allocates nothing: it walks a
 * document once, as a stream of tokens (pull-style: the caller asks for
 * the next one), and accepts exactly the documents Jansson 2.14's
 * json_loadb(data, len, 0, NULL) accepts.  The SSE hot path classifies
 * every event with it (gw_proto_event) and skips everything it does not
 * need without building a tree.  Why hand-rolled and what it costs: see
 * the design comment of src/sam/gw_jscan.c.
 *
 * What "exactly" covers (flags 0, Jansson's lexer and parser):
 *  - the top-level value is an object or an array, with only whitespace
 *    (space, tab, LF, CR) around it; empty input is refused;
 *  - strings: valid UTF-8 (no overlong forms, no encoded surrogates,
 *    nothing above U+10FFFF), no raw byte below 0x20, the standard escapes
 *    only, \uXXXX surrogates paired, and no \u0000 (in keys as in values);
 *  - numbers: the JSON grammar; an integer (no fraction, no exponent) must
 *    fit a long long, and a real must not round to +-infinity (strtod's
 *    HUGE_VAL); a real that underflows is fine;
 *  - nesting: at most GW_JSCAN_MAX_DEPTH levels, counting every value, so
 *    a scalar needs a level too: 2048 nested empty arrays are fine, 2048
 *    arrays around a number are not;
 *  - Jansson's one quirk: a single NUL byte right after a number or a
 *    literal (true, false, null) is skipped, "[1\0]" is accepted;
 *  - duplicate keys are allowed (Jansson keeps the last value; what they
 *    mean is the caller's business: the scanner reports every member).
 *
 * Use: gw_jscan_init(), then gw_jscan_next() until GW_JSCAN_END (the
 * document was valid) or GW_JSCAN_ERROR (it was not; sticky).  A member
 * of an object comes as GW_JSCAN_KEY (the colon is consumed) followed by
 * its value's tokens.  gw_jscan_skip() consumes the rest of a value.
 * Validation is complete only at GW_JSCAN_END: a caller that stops early
 * has not learnt whether the document is JSON.
 *
 * Memory: struct gw_jscan is about 300 bytes (a bit per open container),
 * meant for the stack; nothing is allocated and the data is only read,
 * never copied.  The data need not be NUL-terminated.
 *
 * Thread safety: none needed; a scanner is used by one thread at a time.
 */
#ifndef GW_JSCAN_H
#define GW_JSCAN_H

#include <stddef.h>

/* Jansson 2.14's JSON_PARSER_MAX_DEPTH (jansson_config.h), checked by
 * check_jscan against the library. */
#define GW_JSCAN_MAX_DEPTH 2048

enum gw_jscan_tok {
	GW_JSCAN_ERROR = -1, /* not JSON as Jansson reads it */
	GW_JSCAN_END = 0,    /* the document is complete and valid */
	GW_JSCAN_OBJECT,     /* { */
	GW_JSCAN_OBJECT_END, /* } */
	GW_JSCAN_ARRAY,	     /* [ */
	GW_JSCAN_ARRAY_END,  /* ] */
	GW_JSCAN_KEY,	     /* a member name and its colon: gw_jscan_str_* */
	GW_JSCAN_STRING,     /* a string value: gw_jscan_str_* */
	GW_JSCAN_NUMBER,     /* validated, not converted */
	GW_JSCAN_TRUE,
	GW_JSCAN_FALSE,
	GW_JSCAN_NULL
};

struct gw_jscan {
	const unsigned char *p;	  /* the next byte to read */
	const unsigned char *end; /* one past the last byte */
	const unsigned char *str; /* last KEY or STRING: between its quotes */
	size_t str_len;		  /* ... its length as written */
	int str_plain;		  /* ... no escape in it: bytes are the value */
	int state;		  /* what may come next (gw_jscan.c) */
	unsigned depth;		  /* containers open */
	/* bit d: the container at depth d (0 = outermost) is an object */
	unsigned char in_object[GW_JSCAN_MAX_DEPTH / 8];
};

/*
 * Start scanning data[0, len).  data may be NULL (the document is then
 * refused, as json_loadb refuses a NULL buffer).  The scanner points into
 * data, which must outlive it; nothing to release.
 */
void gw_jscan_init(struct gw_jscan *js, const char *data, size_t len);

/*
 * The next token.  After GW_JSCAN_END every call returns GW_JSCAN_END,
 * after GW_JSCAN_ERROR every call returns GW_JSCAN_ERROR.
 */
enum gw_jscan_tok gw_jscan_next(struct gw_jscan *js);

/*
 * Consume the rest of a value whose first token, tok, gw_jscan_next() just
 * returned: for GW_JSCAN_OBJECT or GW_JSCAN_ARRAY everything up to and
 * including the matching end, which is returned; any other tok is returned
 * as it is (a scalar is complete already).  Returns GW_JSCAN_ERROR if the
 * document is not valid on the way.
 */
enum gw_jscan_tok gw_jscan_skip(struct gw_jscan *js, enum gw_jscan_tok tok);

/*
 * For the last GW_JSCAN_KEY or GW_JSCAN_STRING: 1 if its value (escapes
 * decoded) is exactly the C string s, else 0.  Valid until the next call
 * of gw_jscan_next or gw_jscan_skip.
 */
int gw_jscan_str_eq(const struct gw_jscan *js, const char *s);

/*
 * For the last GW_JSCAN_KEY or GW_JSCAN_STRING: copy its value (escapes
 * decoded to UTF-8) into dst, cut to n - 1 bytes and NUL-terminated (the
 * cut may split a UTF-8 sequence; nothing is written when n is 0), as
 * gw_strlcpy does.  Returns the whole value's length; the value never
 * contains NUL (\u0000 is refused).
 */
size_t gw_jscan_str_copy(const struct gw_jscan *js, char *dst, size_t n);

/* 1 if data[0, len) is a document json_loadb(data, len, 0, NULL) accepts,
 * else 0: a whole scan. */
int gw_jscan_valid(const char *data, size_t len);

#endif /* GW_JSCAN_H */
