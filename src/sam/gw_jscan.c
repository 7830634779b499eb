/*
 * gw_jscan: the zero-allocation validating JSON scanner (contract in
 * gw_jscan.h).
 *
 * Why it exists.  gw_proto_event classifies every SSE event of every
 * stream, and needs five members of result plus the presence of a
 * top-level error.  With json_loadb building a tree of each event, perf
 * showed about 26 % of the CPU in Jansson and 12 % in malloc/free on a
 * 2,000-events-per-task workload.  Here one pass over the bytes validates
 * the document and hands out tokens; the caller decodes only the few
 * strings it wants, and nothing is allocated.  Jansson stays for
 * everything else (requests, responses, reports), where a tree is what
 * the code needs and one parse per request is noise.
 *
 * Why not jsmn (Debian libjsmn-dev 1.1.0), the small tokenizer that
 * allocates nothing either: it does not validate numbers, literals,
 * escapes or UTF-8 -- even with JSMN_STRICT it takes [01, tru, 1.2.3, -,
 * 1e999, "\ud800", "\u0000", and a raw 0xFF byte in a string] (tried
 * with 1.1.0-2) -- so what counts as "not JSON", an error that gwstress
 * counts and reports, would drift from what Jansson and the rest of
 * gwstress call not JSON; and it needs a token array sized for the
 * largest event: a 1 MiB final_response (max_event_bytes) has thousands
 * of tokens, and a stream's memory must not pay for its rarest event.  A
 * validating scanner with no token array keeps Jansson's exact
 * acceptance, and the differential tests (check_proto, check_jscan,
 * fuzz_proto) hold it there.
 *
 * What it costs: this file (about 530 lines of code besides comments,
 * 5.3 KiB of text at gcc 12 -O2) and 130 lines of gw_proto_event on top;
 * a second definition of "valid JSON" that must stay equal to Jansson's
 * (the price is the oracle tests, and a Jansson upgrade means running
 * them again); and Jansson's NUL quirk, copied on purpose.
 *
 * What it buys (make bench-proto: CPU time per event, best of 15 runs,
 * gcc 12 -O2, the project's 2-core machine while other jobs kept its
 * load average between 18 and 77: the ranges are five runs, and the
 * ratios mean more than the times):
 *
 *   SAM event                          bytes   Jansson      gw_jscan
 *   status-update, state change          319   6.0-8.1 us   0.61-0.91 us
 *   status-update, text chunk            389   7.6-10.3 us  0.83-1.06 us
 *   status-update, text + tool_result   2332   40-55 us     2.0-2.7 us
 *   final_response, whole answer      300570   5.1-6.1 ms   0.13-0.15 ms
 *
 * that is 7 to 12 times faster on the small events that make up a
 * stream, 20 to 28 on 2 KB and 35 to 46 on the big answer, and 0 malloc
 * calls where Jansson made 43 to 124 per event (reallocs not counted).
 *
 * How it matches Jansson (src/load.c and src/utf.c of 2.14, read, not
 * copied):
 *  - Jansson checks UTF-8 for every byte of the stream; outside strings a
 *    byte >= 0x80 is an invalid token anyway, so only strings check it.
 *  - Jansson counts depth per value (parse_value), containers and scalars
 *    alike, and refuses a value at level 2049; so a value may start only
 *    while fewer than GW_JSCAN_MAX_DEPTH containers are open.
 *  - Integers overflow exactly when strtoll would (ERANGE): 19 digits
 *    compared with 9223372036854775807 (or ...808 after a minus).
 *  - Reals overflow exactly when glibc's correctly rounded strtod returns
 *    HUGE_VAL: when the value is at least 2^1024 - 2^970, the midpoint
 *    between DBL_MAX and 2^1024 (a tie rounds to even, which is 2^1024).
 *    The value's decimal exponent decides all but the numbers between
 *    10^308 and 10^309; those are compared digit by digit with that
 *    midpoint's 309 digits.  No strtod call: the number need not be
 *    copied to be NUL-terminated, and its length is unbounded.
 *  - The NUL quirk: after a number or a literal, Jansson's lexer pushes
 *    back the byte that ended it, and its one-byte look-ahead buffer
 *    (NUL-terminated) cannot hold a pushed-back NUL, so that NUL is lost.
 *    "[1\0]" is therefore valid and "[1\0\0]" is not; we skip one NUL at
 *    the same two places.
 *
 * Speed: strings, where the bytes of a big event are, are scanned eight
 * bytes at a time while no byte is a quote, a backslash, a control byte
 * or non-ASCII (one 64-bit word test), then byte by byte over the special
 * byte.  Containers are tracked with one bit each, so 2048 levels cost
 * 256 bytes of the caller's stack and no recursion (worker stacks are
 * 256 KiB by default, thread_stack_kib, and may be as small as 32 KiB).
 */
#include "gw_jscan.h"

#include <stdint.h>
#include <string.h>

enum {
	ST_TOP,		   /* the document's value: { or [ */
	ST_VALUE,	   /* a value (after a colon or an array's comma) */
	ST_VALUE_OR_CLOSE, /* right after [ */
	ST_KEY,		   /* a member name (after an object's comma) */
	ST_KEY_OR_CLOSE,   /* right after { */
	ST_AFTER,	   /* after a value: comma, close, or the end */
	ST_DONE,	   /* GW_JSCAN_END returned */
	ST_ERROR	   /* GW_JSCAN_ERROR returned */
};

/* 2^1024 - 2^970: a real at or above it rounds to infinity. */
static const char overflow_digits[] =
	"17976931348623158079372897140530341507993413271003782693617377898"
	"04449682927647509466490179775872070963302864166928879109465555478"
	"51940402630657488671505820681908902000708383676273854845817711531"
	"76447573027006985557136695962284291481986083493647529271907416844"
	"4365510704342711559699508093042880177904174497792";
#define OVERFLOW_EXP10 309 /* overflow_digits has this many digits */
_Static_assert(sizeof(overflow_digits) - 1 == OVERFLOW_EXP10,
	       "2^1024 - 2^970 has 309 decimal digits");

static int is_digit(unsigned c)
{
	return c - '0' < 10;
}

static int is_alpha(unsigned c)
{
	return (c | 0x20) - 'a' < 26;
}

static const unsigned char *skip_ws(const unsigned char *p,
				    const unsigned char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/* Four hex digits at p into *v; -1 unless the next four bytes are. */
static int hex4(const unsigned char *p, const unsigned char *end, unsigned *v)
{
	unsigned x = 0;
	int i;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		unsigned c = p[i], d;

		if (is_digit(c))
			d = c - '0';
		else if ((c | 0x20) - 'a' < 6)
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		x = x << 4 | d;
	}
	*v = x;
	return 0;
}

/*
 * The escape after a backslash at p: returns the byte after it, or NULL
 * when Jansson refuses it (an unknown escape, fewer than four hex digits,
 * \u0000, an unpaired or reversed surrogate).
 */
static const unsigned char *scan_escape(const unsigned char *p,
					const unsigned char *end)
{
	unsigned u, lo;

	if (p == end)
		return NULL;
	switch (*p) {
	case '"':
	case '\\':
	case '/':
	case 'b':
	case 'f':
	case 'n':
	case 'r':
	case 't':
		return p + 1;
	case 'u':
		break;
	default:
		return NULL;
	}
	if (hex4(p + 1, end, &u) || u == 0 || (u >= 0xDC00 && u <= 0xDFFF))
		return NULL;
	p += 5;
	if (u >= 0xD800 && u <= 0xDBFF) {
		if (end - p < 2 || p[0] != '\\' || p[1] != 'u' ||
		    hex4(p + 2, end, &lo) || lo < 0xDC00 || lo > 0xDFFF)
			return NULL;
		p += 6;
	}
	return p;
}

/*
 * The UTF-8 sequence starting with the byte >= 0x80 at p: returns the byte
 * after it, or NULL if it is not well-formed (Unicode's table 3-7, which
 * is what Jansson's utf8_check_first and utf8_check_full accept).
 */
static const unsigned char *scan_utf8(const unsigned char *p,
				      const unsigned char *end)
{
	unsigned c = p[0], lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return NULL;
	}
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return NULL;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return NULL;
	return p + n;
}

#define ONES 0x0101010101010101ull
#define HIGH 0x8080808080808080ull

/*
 * Nonzero if one of the eight bytes of w is a quote, a backslash, below
 * 0x20 or above 0x7F.  (x - ONES) & ~x & HIGH is nonzero exactly when a
 * byte of x is 0 (Hacker's Delight 6-1; only the answer "some byte" is
 * used, not which one).
 */
static uint64_t special8(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) |
		((w - ONES * 0x20) & ~w) | w) &
	       HIGH;
}

/*
 * The string whose opening quote was just read; p is the byte after it.
 * Returns its closing quote, or NULL; *plain says whether it had no
 * escape.
 */
static const unsigned char *scan_string(const unsigned char *p,
					const unsigned char *end, int *plain)
{
	int esc = 0;

	for (;;) {
		unsigned c;

		while (end - p >= 8) {
			uint64_t w;

			memcpy(&w, p, 8);
			if (special8(w))
				break;
			p += 8;
		}
		if (p == end)
			return NULL;
		c = *p;
		if (c == '"') {
			*plain = !esc;
			return p;
		} else if (c == '\\') {
			esc = 1;
			p = scan_escape(p + 1, end);
		} else if (c < 0x20) {
			return NULL;
		} else if (c < 0x80) {
			p++;
		} else {
			p = scan_utf8(p, end);
		}
		if (!p)
			return NULL;
	}
}

/* The digits of a number's integer part, then of its fraction. */
struct digits {
	const unsigned char *p, *end;	    /* the part being read */
	const unsigned char *frac, *frac_e; /* the fraction, or NULL */
};

/* The next digit's value, or -1 past the last one. */
static int next_digit(struct digits *d)
{
	if (d->p == d->end) {
		if (!d->frac)
			return -1;
		d->p = d->frac;
		d->end = d->frac_e;
		d->frac = NULL;
	}
	return *d->p++ - '0';
}

/*
 * 1 if the real with integer digits [ip, ie), fraction digits [fp, fe)
 * (fp NULL: none) and decimal exponent e rounds to +-infinity.  With the
 * leading zeros gone the value is 0.d1d2... x 10^E, E = integer digits -
 * leading zeros + e; it overflows when E > 309, or when E == 309 and
 * d1d2... >= overflow_digits.  A document is far shorter than 2^60 bytes
 * and e is clamped to +-10^18, so E cannot overflow an int64 (a clamped e
 * decides the answer alone).
 */
static int real_overflows(const unsigned char *ip, const unsigned char *ie,
			  const unsigned char *fp, const unsigned char *fe,
			  int64_t e)
{
	struct digits d = { ip, ie, fp, fe };
	int64_t exp10 = ie - ip;
	int c;
	size_t i;

	while ((c = next_digit(&d)) == 0)
		exp10--;
	if (c < 0)
		return 0; /* zero, whatever the exponent */
	exp10 += e;
	if (exp10 != OVERFLOW_EXP10)
		return exp10 > OVERFLOW_EXP10;
	for (i = 0; i < OVERFLOW_EXP10; i++) {
		int t = overflow_digits[i] - '0';

		if (c != t)
			return c > t; /* past the last digit, c is -1 */
		c = next_digit(&d);
	}
	return 1; /* the midpoint itself, or more digits after it */
}

/*
 * The number starting at p ('-' or a digit): returns the byte after it
 * (after the NUL Jansson would lose there, see the top), or NULL.
 */
static const unsigned char *scan_number(const unsigned char *p,
					const unsigned char *end)
{
	const unsigned char *ip, *ie, *fp = NULL, *fe = NULL;
	int neg = 0, real = 0;
	int64_t e = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	ip = p;
	if (p == end || !is_digit(*p))
		return NULL;
	if (*p == '0') {
		if (++p < end && is_digit(*p))
			return NULL;
	} else {
		while (p < end && is_digit(*p))
			p++;
	}
	ie = p;
	if (p < end && *p == '.') {
		fp = ++p;
		if (p == end || !is_digit(*p))
			return NULL;
		while (p < end && is_digit(*p))
			p++;
		fe = p;
		real = 1;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0;

		if (++p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p == end || !is_digit(*p))
			return NULL;
		for (; p < end && is_digit(*p); p++)
			if (e < 100000000000000000) /* clamp at 10^18 */
				e = e * 10 + (*p - '0');
		if (eneg)
			e = -e;
		real = 1;
	}
	if (real) {
		if (real_overflows(ip, ie, fp, fe, e))
			return NULL;
	} else if (ie - ip > 19 ||
		   (ie - ip == 19 &&
		    memcmp(ip,
			   neg ? "9223372036854775808" : "9223372036854775807",
			   19) > 0)) {
		return NULL; /* strtoll's ERANGE */
	}
	if (p < end && *p == '\0')
		p++;
	return p;
}

/*
 * The literal starting with the letter at p: Jansson reads the whole run
 * of letters, then wants exactly true, false or null.
 */
static const unsigned char *scan_literal(const unsigned char *p,
					 const unsigned char *end,
					 enum gw_jscan_tok *tok)
{
	const unsigned char *q = p;
	size_t n;

	while (q < end && is_alpha(*q))
		q++;
	n = (size_t)(q - p);
	if (n == 4 && !memcmp(p, "true", 4))
		*tok = GW_JSCAN_TRUE;
	else if (n == 5 && !memcmp(p, "false", 5))
		*tok = GW_JSCAN_FALSE;
	else if (n == 4 && !memcmp(p, "null", 4))
		*tok = GW_JSCAN_NULL;
	else
		return NULL;
	if (q < end && *q == '\0')
		q++;
	return q;
}

static int top_is_object(const struct gw_jscan *js)
{
	unsigned d = js->depth - 1;

	return js->in_object[d / 8] >> (d % 8) & 1;
}

void gw_jscan_init(struct gw_jscan *js, const char *data, size_t len)
{
	js->p = (const unsigned char *)data;
	js->end = js->p ? js->p + len : NULL;
	js->str = NULL;
	js->str_len = 0;
	js->str_plain = 1;
	js->state = data ? ST_TOP : ST_ERROR;
	js->depth = 0;
	/* in_object is written before it is read: bit d when depth d opens */
}

static enum gw_jscan_tok scan(struct gw_jscan *js)
{
	const unsigned char *p, *q, *end = js->end;
	enum gw_jscan_tok tok;
	unsigned c, d;

	if (js->state == ST_ERROR)
		return GW_JSCAN_ERROR;
	if (js->state == ST_DONE)
		return GW_JSCAN_END;
	p = skip_ws(js->p, end);
	switch (js->state) {
	case ST_AFTER:
		if (!js->depth) {
			if (p != end)
				goto fail; /* trailing garbage */
			js->p = p;
			js->state = ST_DONE;
			return GW_JSCAN_END;
		}
		if (p == end)
			goto fail;
		if (*p != ',')
			goto close;
		p = skip_ws(p + 1, end);
		if (top_is_object(js))
			goto key;
		goto value;
	case ST_KEY_OR_CLOSE:
		if (p < end && *p == '}')
			goto close;
		goto key;
	case ST_KEY:
		goto key;
	case ST_VALUE_OR_CLOSE:
		if (p < end && *p == ']')
			goto close;
		goto value;
	case ST_TOP:
		if (p == end || (*p != '{' && *p != '['))
			goto fail; /* no JSON_DECODE_ANY */
		goto value;
	default:
		goto value;
	}

key:
	if (p == end || *p != '"')
		goto fail;
	q = scan_string(p + 1, end, &js->str_plain);
	if (!q)
		goto fail;
	js->str = p + 1;
	js->str_len = (size_t)(q - (p + 1));
	p = skip_ws(q + 1, end);
	if (p == end || *p != ':')
		goto fail;
	js->p = p + 1;
	js->state = ST_VALUE;
	return GW_JSCAN_KEY;

value:
	if (p == end || js->depth >= GW_JSCAN_MAX_DEPTH)
		goto fail;
	c = *p;
	if (c == '{' || c == '[') {
		d = js->depth++;
		if (c == '{')
			js->in_object[d / 8] |= (unsigned char)(1u << (d % 8));
		else
			js->in_object[d / 8] &= (unsigned char)~(1u << (d % 8));
		js->p = p + 1;
		js->state = c == '{' ? ST_KEY_OR_CLOSE : ST_VALUE_OR_CLOSE;
		return c == '{' ? GW_JSCAN_OBJECT : GW_JSCAN_ARRAY;
	}
	if (c == '"') {
		q = scan_string(p + 1, end, &js->str_plain);
		if (!q)
			goto fail;
		js->str = p + 1;
		js->str_len = (size_t)(q - (p + 1));
		q++;
		tok = GW_JSCAN_STRING;
	} else if (c == '-' || is_digit(c)) {
		q = scan_number(p, end);
		tok = GW_JSCAN_NUMBER;
	} else if (is_alpha(c)) {
		q = scan_literal(p, end, &tok);
	} else {
		goto fail;
	}
	if (!q)
		goto fail;
	js->p = q;
	js->state = ST_AFTER;
	return tok;

close:
	/* p < end here */
	if (*p != (top_is_object(js) ? '}' : ']'))
		goto fail;
	tok = top_is_object(js) ? GW_JSCAN_OBJECT_END : GW_JSCAN_ARRAY_END;
	js->depth--;
	js->p = p + 1;
	js->state = ST_AFTER;
	return tok;

fail:
	js->p = p;
	js->state = ST_ERROR;
	return GW_JSCAN_ERROR;
}

enum gw_jscan_tok gw_jscan_next(struct gw_jscan *js)
{
	return scan(js);
}

enum gw_jscan_tok gw_jscan_skip(struct gw_jscan *js, enum gw_jscan_tok tok)
{
	unsigned depth;

	if (tok != GW_JSCAN_OBJECT && tok != GW_JSCAN_ARRAY)
		return tok;
	depth = js->depth; /* the container tok opened */
	while (js->depth >= depth) {
		tok = scan(js);
		if (tok == GW_JSCAN_ERROR)
			return tok;
	}
	return tok;
}

/*
 * The escape after the backslash at *pp (validated by scan_escape) as
 * UTF-8 into out; returns its length and moves *pp past it.
 */
static size_t unescape(const unsigned char **pp, unsigned char out[4])
{
	const unsigned char *p = *pp;
	unsigned u, lo;

	switch (*p) {
	case 'b':
		out[0] = '\b';
		break;
	case 'f':
		out[0] = '\f';
		break;
	case 'n':
		out[0] = '\n';
		break;
	case 'r':
		out[0] = '\r';
		break;
	case 't':
		out[0] = '\t';
		break;
	case 'u':
		hex4(p + 1, p + 5, &u);
		p += 5;
		if (u >= 0xD800 && u <= 0xDBFF) {
			hex4(p + 2, p + 6, &lo);
			u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
			p += 6;
		}
		*pp = p;
		if (u < 0x80) {
			out[0] = (unsigned char)u;
			return 1;
		} else if (u < 0x800) {
			out[0] = (unsigned char)(0xC0 | u >> 6);
			out[1] = (unsigned char)(0x80 | (u & 0x3F));
			return 2;
		} else if (u < 0x10000) {
			out[0] = (unsigned char)(0xE0 | u >> 12);
			out[1] = (unsigned char)(0x80 | (u >> 6 & 0x3F));
			out[2] = (unsigned char)(0x80 | (u & 0x3F));
			return 3;
		}
		out[0] = (unsigned char)(0xF0 | u >> 18);
		out[1] = (unsigned char)(0x80 | (u >> 12 & 0x3F));
		out[2] = (unsigned char)(0x80 | (u >> 6 & 0x3F));
		out[3] = (unsigned char)(0x80 | (u & 0x3F));
		return 4;
	default: /* " \ / */
		out[0] = *p;
		break;
	}
	*pp = p + 1;
	return 1;
}

int gw_jscan_str_eq(const struct gw_jscan *js, const char *s)
{
	const unsigned char *p = js->str, *end = p + js->str_len;
	const unsigned char *t = (const unsigned char *)s;

	if (js->str_plain) /* s ends at a NUL the value cannot hold */
		return !strncmp(s, (const char *)p, js->str_len) &&
		       !s[js->str_len];
	while (p < end) {
		unsigned char buf[4];
		size_t n, i;

		if (*p != '\\') {
			if (*t++ != *p++)
				return 0;
			continue;
		}
		p++;
		n = unescape(&p, buf);
		for (i = 0; i < n; i++)
			if (*t++ != buf[i]) /* stops at s's NUL */
				return 0;
	}
	return !*t;
}

size_t gw_jscan_str_copy(const struct gw_jscan *js, char *dst, size_t n)
{
	const unsigned char *p = js->str, *end = p + js->str_len;
	size_t len = 0, room = n ? n - 1 : 0;

	if (js->str_plain) {
		len = js->str_len;
		if (n) {
			size_t k = len < room ? len : room;

			memcpy(dst, p, k);
			dst[k] = '\0';
		}
		return len;
	}
	while (p < end) {
		unsigned char buf[4];
		size_t k, i;

		if (*p != '\\') {
			buf[0] = *p++;
			k = 1;
		} else {
			p++;
			k = unescape(&p, buf);
		}
		for (i = 0; i < k; i++, len++)
			if (len < room)
				dst[len] = (char)buf[i];
	}
	if (n)
		dst[len < room ? len : room] = '\0';
	return len;
}

int gw_jscan_valid(const char *data, size_t len)
{
	struct gw_jscan js;
	enum gw_jscan_tok tok;

	gw_jscan_init(&js, data, len);
	do
		tok = scan(&js);
	while (tok != GW_JSCAN_END && tok != GW_JSCAN_ERROR);
	return tok == GW_JSCAN_END;
}
