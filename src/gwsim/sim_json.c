/*
 * sim_json: JSON bytes exactly as SAM's Python stack writes them, and the
 * error positions Python's json.loads() reports.
 *
 * Two output styles are needed on the wire:
 *   - SSE data: sse_manager.py does json.dumps(obj) with the defaults,
 *     i.e. separators ", " and ": " and ensure_ascii=True, which escapes
 *     every code point outside 0x20..0x7e as a *lowercase* \uXXXX (with
 *     surrogate pairs above U+FFFF);
 *   - REST bodies: Starlette's JSONResponse, json.dumps(ensure_ascii=False,
 *     separators=(",", ":")), which keeps UTF-8 and escapes only '"', '\\'
 *     and control characters.
 * Jansson's own dumper was measured against Python 3 first: JSON_INDENT(0)
 * without JSON_COMPACT does give the ", " / ": " separators, but
 * JSON_ENSURE_ASCII writes *uppercase* hex (\u00E9 where Python writes
 * \u00e9) and leaves DEL (0x7f) raw where Python escapes it, so byte
 * equality with SAM needs this small serializer.  Values are still built
 * with Jansson (objects keep insertion order since 2.8, which is what lets
 * us emit pydantic's field order).
 *
 * Floats follow Python's repr(): the shortest round-tripping digits, fixed
 * notation for 1e-4 <= |x| < 1e16, else d.ddde+XX.  NaN/Inf become null
 * (SAM's _sanitize_json does the same before dumping).
 *
 * sim_json_check() mirrors CPython's _json scanner (Modules/_json.c,
 * Lib/json/decoder.py): the same grammar quirks ("1." is "1" plus extra
 * data, NaN/Infinity are accepted) and the same error positions, counted
 * in code points like Python's str indices.  Workload: request bodies up to
 * 10 MB, checked once each; recursion is bounded at 900 levels, which is
 * where CPython hits its recursion limit (RecursionError, not a
 * JSONDecodeError, hence SIM_JSON_OTHER_ERROR).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* ---- dumping ----------------------------------------------------------- */

static const char hexdig[] = "0123456789abcdef";

/* Decode one UTF-8 sequence; returns its length (1 on invalid bytes). */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0 && n >= 2) {
		*cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		return 2;
	}
	if ((p[0] & 0xf0) == 0xe0 && n >= 3) {
		*cp = (uint32_t)(p[0] & 0x0f) << 12 |
		      (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		return 3;
	}
	if ((p[0] & 0xf8) == 0xf0 && n >= 4) {
		*cp = (uint32_t)(p[0] & 0x07) << 18 |
		      (uint32_t)(p[1] & 0x3f) << 12 |
		      (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
		return 4;
	}
	*cp = 0xfffd;
	return 1;
}

static int put_u(struct sim_buf *b, uint32_t cp)
{
	char esc[6];

	esc[0] = '\\';
	esc[1] = 'u';
	esc[2] = hexdig[(cp >> 12) & 15];
	esc[3] = hexdig[(cp >> 8) & 15];
	esc[4] = hexdig[(cp >> 4) & 15];
	esc[5] = hexdig[cp & 15];
	return sim_buf_add(b, esc, 6);
}

static bool needs_escape(unsigned char c, bool ascii)
{
	return c == '"' || c == '\\' || c < 0x20 || (ascii && c >= 0x7f);
}

static int dump_string(const char *s, size_t n, bool ascii, struct sim_buf *b)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (sim_buf_add(b, "\"", 1))
		return -1;
	while (i < n) {
		unsigned char c = p[i];
		const char *short_esc = NULL;
		uint32_t cp;
		size_t run;

		if (!needs_escape(c, ascii)) {
			/* batch runs of plain bytes */
			run = i;
			while (i < n && !needs_escape(p[i], ascii))
				i++;
			if (sim_buf_add(b, p + run, i - run))
				return -1;
			continue;
		}
		switch (c) {
		case '"':
			short_esc = "\\\"";
			break;
		case '\\':
			short_esc = "\\\\";
			break;
		case '\n':
			short_esc = "\\n";
			break;
		case '\r':
			short_esc = "\\r";
			break;
		case '\t':
			short_esc = "\\t";
			break;
		case '\b':
			short_esc = "\\b";
			break;
		case '\f':
			short_esc = "\\f";
			break;
		default:
			break;
		}
		if (short_esc) {
			if (sim_buf_adds(b, short_esc))
				return -1;
			i++;
			continue;
		}
		if (c < 0x80) {
			/* other control characters and DEL */
			if (put_u(b, c))
				return -1;
			i++;
			continue;
		}
		/* non-ASCII with ensure_ascii: UTF-16 escapes */
		i += utf8_decode(p + i, n - i, &cp);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			if (put_u(b, 0xd800 | (cp >> 10)) ||
			    put_u(b, 0xdc00 | (cp & 0x3ff)))
				return -1;
		} else if (put_u(b, cp)) {
			return -1;
		}
	}
	return sim_buf_add(b, "\"", 1);
}

/* Python repr(float). */
static int dump_real(double d, struct sim_buf *b)
{
	char digits[40], out[64];
	int prec, exp10, nd, i;
	char *e;

	if (isnan(d) || isinf(d))
		return sim_buf_adds(b, "null");
	if (d == 0.0)
		return sim_buf_adds(b, signbit(d) ? "-0.0" : "0.0");
	for (prec = 1; prec <= 17; prec++) {
		snprintf(digits, sizeof(digits), "%.*e", prec - 1, d);
		if (strtod(digits, NULL) == d)
			break;
	}
	/* digits = "[-]d.ddde[+-]XX"; split mantissa digits and exponent */
	e = strchr(digits, 'e');
	exp10 = atoi(e + 1);
	{
		char mant[32];
		int m = 0;
		const char *q;

		for (q = digits; q < e; q++)
			if (*q >= '0' && *q <= '9')
				mant[m++] = *q;
		mant[m] = '\0';
		nd = m;
		i = 0;
		if (d < 0)
			out[i++] = '-';
		if (exp10 >= 16 || exp10 < -4) {
			out[i++] = mant[0];
			if (nd > 1) {
				out[i++] = '.';
				memcpy(out + i, mant + 1, (size_t)nd - 1);
				i += nd - 1;
			}
			i += snprintf(out + i, sizeof(out) - (size_t)i,
				      "e%c%02d", exp10 < 0 ? '-' : '+',
				      exp10 < 0 ? -exp10 : exp10);
		} else if (exp10 < 0) {
			int z;

			out[i++] = '0';
			out[i++] = '.';
			for (z = 0; z < -exp10 - 1; z++)
				out[i++] = '0';
			memcpy(out + i, mant, (size_t)nd);
			i += nd;
		} else {
			int k;

			for (k = 0; k <= exp10; k++)
				out[i++] = k < nd ? mant[k] : '0';
			out[i++] = '.';
			if (nd > exp10 + 1) {
				memcpy(out + i, mant + exp10 + 1,
				       (size_t)(nd - exp10 - 1));
				i += nd - exp10 - 1;
			} else {
				out[i++] = '0';
			}
		}
		out[i] = '\0';
	}
	return sim_buf_adds(b, out);
}

static int dump(const json_t *v, enum sim_json_style st, struct sim_buf *b)
{
	const char *sep = st == SIM_JSON_PY ? ", " : ",";
	const char *colon = st == SIM_JSON_PY ? ": " : ":";
	bool ascii = st == SIM_JSON_PY;

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *val;
		bool first = true;

		if (sim_buf_add(b, "{", 1))
			return -1;
		json_object_foreach((json_t *)v, key, val)
		{
			if (!first && sim_buf_adds(b, sep))
				return -1;
			first = false;
			if (dump_string(key, strlen(key), ascii, b) ||
			    sim_buf_adds(b, colon) || dump(val, st, b))
				return -1;
		}
		return sim_buf_add(b, "}", 1);
	}
	case JSON_ARRAY: {
		size_t i;

		if (sim_buf_add(b, "[", 1))
			return -1;
		for (i = 0; i < json_array_size(v); i++) {
			if (i && sim_buf_adds(b, sep))
				return -1;
			if (dump(json_array_get(v, i), st, b))
				return -1;
		}
		return sim_buf_add(b, "]", 1);
	}
	case JSON_STRING:
		return dump_string(json_string_value(v), json_string_length(v),
				   ascii, b);
	case JSON_INTEGER:
		return sim_buf_addf(b, "%" JSON_INTEGER_FORMAT,
				    json_integer_value(v));
	case JSON_REAL:
		return dump_real(json_real_value(v), b);
	case JSON_TRUE:
		return sim_buf_adds(b, "true");
	case JSON_FALSE:
		return sim_buf_adds(b, "false");
	case JSON_NULL:
	default:
		return sim_buf_adds(b, "null");
	}
}

int sim_json_dump(const json_t *v, enum sim_json_style style, struct sim_buf *b)
{
	return dump(v, style, b);
}

char *sim_json_dumps(const json_t *v, enum sim_json_style style, size_t *len)
{
	struct sim_buf b;

	sim_buf_init(&b, SIM_JSON_MAX);
	if (dump(v, style, &b))
		sim_error("JSON output over %zu bytes cut short", SIM_JSON_MAX);
	return sim_buf_detach(&b, len);
}

/* ---- Python-compatible syntax check ------------------------------------ */

#define CHECK_MAX_DEPTH 900

struct scan {
	const unsigned char *s;
	size_t n;
	size_t err; /* byte offset of the error */
	bool other; /* not a JSONDecodeError */
};

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const struct scan *sc, size_t i)
{
	while (i < sc->n && is_ws(sc->s[i]))
		i++;
	return i;
}

static int fail(struct scan *sc, size_t at)
{
	sc->err = at;
	return -1;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* i points just after the opening quote; returns the index after the end. */
static int scan_string(struct scan *sc, size_t i, size_t *next)
{
	size_t begin = i - 1;

	for (;;) {
		unsigned char c = 0;

		while (i < sc->n) {
			c = sc->s[i];
			if (c == '"' || c == '\\')
				break;
			if (c <= 0x1f)
				return fail(sc, i); /* Invalid control char */
			i++;
		}
		if (i >= sc->n)
			return fail(sc, begin); /* Unterminated string */
		if (c == '"') {
			*next = i + 1;
			return 0;
		}
		/* backslash */
		i++;
		if (i >= sc->n)
			return fail(sc, begin);
		c = sc->s[i];
		if (c != 'u') {
			if (!strchr("\"\\/bfnrt", c))
				return fail(sc, i - 1); /* Invalid \escape */
			i++;
			continue;
		}
		/* \uXXXX: CPython reports errors at the 'u' */
		if (i + 5 > sc->n)
			return fail(sc, i);
		if (!is_hex(sc->s[i + 1]) || !is_hex(sc->s[i + 2]) ||
		    !is_hex(sc->s[i + 3]) || !is_hex(sc->s[i + 4]))
			return fail(sc, i);
		i += 5;
	}
}

static int scan_value(struct scan *sc, size_t i, size_t *next, int depth);

static int scan_object(struct scan *sc, size_t i, size_t *next, int depth)
{
	i = skip_ws(sc, i);
	if (i < sc->n && sc->s[i] == '}') {
		*next = i + 1;
		return 0;
	}
	for (;;) {
		if (i >= sc->n || sc->s[i] != '"')
			return fail(sc, i); /* Expecting property name */
		if (scan_string(sc, i + 1, &i))
			return -1;
		i = skip_ws(sc, i);
		if (i >= sc->n || sc->s[i] != ':')
			return fail(sc, i); /* Expecting ':' delimiter */
		i = skip_ws(sc, i + 1);
		if (scan_value(sc, i, &i, depth + 1))
			return -1;
		i = skip_ws(sc, i);
		if (i < sc->n && sc->s[i] == '}')
			break;
		if (i >= sc->n || sc->s[i] != ',')
			return fail(sc, i); /* Expecting ',' delimiter */
		i = skip_ws(sc, i + 1);
	}
	*next = i + 1;
	return 0;
}

static int scan_array(struct scan *sc, size_t i, size_t *next, int depth)
{
	i = skip_ws(sc, i);
	if (i < sc->n && sc->s[i] == ']') {
		*next = i + 1;
		return 0;
	}
	for (;;) {
		if (scan_value(sc, i, &i, depth + 1))
			return -1;
		i = skip_ws(sc, i);
		if (i < sc->n && sc->s[i] == ']')
			break;
		if (i >= sc->n || sc->s[i] != ',')
			return fail(sc, i); /* Expecting ',' delimiter */
		i = skip_ws(sc, i + 1);
	}
	*next = i + 1;
	return 0;
}

static bool word_at(const struct scan *sc, size_t i, const char *w)
{
	size_t l = strlen(w);

	return i + l <= sc->n && !memcmp(sc->s + i, w, l);
}

static int scan_number(struct scan *sc, size_t i, size_t *next)
{
	size_t start = i;

	if (i < sc->n && sc->s[i] == '-')
		i++;
	if (i < sc->n && sc->s[i] == '0') {
		i++;
	} else if (i < sc->n && sc->s[i] >= '1' && sc->s[i] <= '9') {
		while (i < sc->n && is_digit(sc->s[i]))
			i++;
	} else {
		return fail(sc, start); /* Expecting value */
	}
	if (i + 1 < sc->n && sc->s[i] == '.' && is_digit(sc->s[i + 1])) {
		i += 2;
		while (i < sc->n && is_digit(sc->s[i]))
			i++;
	}
	if (i < sc->n && (sc->s[i] == 'e' || sc->s[i] == 'E')) {
		size_t e = i + 1;

		if (e < sc->n && (sc->s[e] == '+' || sc->s[e] == '-'))
			e++;
		if (e < sc->n && is_digit(sc->s[e])) {
			while (e < sc->n && is_digit(sc->s[e]))
				e++;
			i = e;
		}
	}
	*next = i;
	return 0;
}

static int scan_value(struct scan *sc, size_t i, size_t *next, int depth)
{
	if (depth > CHECK_MAX_DEPTH) {
		sc->other = true;
		return fail(sc, i);
	}
	if (i >= sc->n)
		return fail(sc, i);
	switch (sc->s[i]) {
	case '"':
		return scan_string(sc, i + 1, next);
	case '{':
		return scan_object(sc, i + 1, next, depth);
	case '[':
		return scan_array(sc, i + 1, next, depth);
	case 'n':
		if (word_at(sc, i, "null"))
			return *next = i + 4, 0;
		break;
	case 't':
		if (word_at(sc, i, "true"))
			return *next = i + 4, 0;
		break;
	case 'f':
		if (word_at(sc, i, "false"))
			return *next = i + 5, 0;
		break;
	case 'N':
		if (word_at(sc, i, "NaN"))
			return *next = i + 3, 0;
		break;
	case 'I':
		if (word_at(sc, i, "Infinity"))
			return *next = i + 8, 0;
		break;
	case '-':
		if (word_at(sc, i, "-Infinity"))
			return *next = i + 9, 0;
		break;
	default:
		break;
	}
	return scan_number(sc, i, next);
}

/* Strict UTF-8 validation, surrogates allowed ('surrogatepass'). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len, k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff)
			return false;
		i += len;
	}
	return true;
}

enum sim_json_check sim_json_check(const char *s, size_t n, size_t *pos)
{
	struct scan sc;
	size_t i, k, chars;

	sc.s = (const unsigned char *)s;
	sc.n = n;
	sc.err = 0;
	sc.other = false;
	/* json.loads(bytes) detects "utf-8-sig" and drops the BOM */
	if (n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) {
		sc.s += 3;
		sc.n -= 3;
	}
	if (!utf8_valid(sc.s, sc.n))
		return SIM_JSON_OTHER_ERROR;
	i = skip_ws(&sc, 0);
	if (scan_value(&sc, i, &i, 0) == 0) {
		i = skip_ws(&sc, i);
		if (i == sc.n)
			return SIM_JSON_OK;
		sc.err = i; /* Extra data */
	}
	if (sc.other)
		return SIM_JSON_OTHER_ERROR;
	/* byte offset -> code point offset (skip continuation bytes) */
	for (k = 0, chars = 0; k < sc.err && k < sc.n; k++)
		if ((sc.s[k] & 0xc0) != 0x80)
			chars++;
	*pos = chars;
	return SIM_JSON_DECODE_ERROR;
}
