/*
 * check_jscan: the JSON scanner on its own -- the token stream, the
 * string helpers (decoding, cutting, comparing), skipping, stickiness --
 * and its acceptance against Jansson's json_loadb(data, len, 0, NULL),
 * the oracle, exhaustively where the input space is small:
 *  - every byte inside a string, after a backslash, after a number, a
 *    literal, a string and a close, and before and after the document;
 *  - every first two bytes of a UTF-8 sequence (with continuation bytes
 *    after them), and every third and fourth byte after valid leads;
 *  - every \uXXXX, alone and after a high surrogate;
 *  - nesting at GW_JSCAN_MAX_DEPTH and one past it, and at the limit on
 *    a thread with the smallest stack gwstress allows (32 KiB), which
 *    Jansson's recursive parser overflows;
 *  - RANDOM_NUMBERS numbers from a seeded generator, drawn around the
 *    integer limits and the real overflow threshold.
 * About 400,000 comparisons, well under a second at -O2.
 */
#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_jscan.h"
#include "check_main.h"

/* What json_loadb says of data[0, n), and the scanner must say too. */
static void same_as_jansson(const char *what, const char *data, size_t n)
{
	char *copy = malloc(n ? n : 1); /* exactly n bytes, for ASan */
	json_t *j;
	int ok;

	ck_assert_ptr_nonnull(copy);
	if (n)
		memcpy(copy, data, n);
	j = json_loadb(copy, n, 0, NULL);
	ok = gw_jscan_valid(copy, n);
	ck_assert_msg(ok == !!j, "%s: scanner %d, Jansson %d", what, ok, !!j);
	json_decref(j);
	free(copy);
}

#define TOKS_MAX 64

/* The tokens of a string literal's bytes, up to END or ERROR. */
static int tokens(const char *data, size_t n, enum gw_jscan_tok *t)
{
	struct gw_jscan js;
	int k = 0;

	gw_jscan_init(&js, data, n);
	do
		t[k] = gw_jscan_next(&js);
	while (t[k] != GW_JSCAN_END && t[k] != GW_JSCAN_ERROR &&
	       ++k < TOKS_MAX);
	return k;
}

START_TEST(test_tokens)
{
	static const char doc[] =
		" {\"a\" : [1, -2.5e3, \"x\", true, false, null, {}, []],"
		" \"b\\u0021\": {\"c\": \"d\"}} \r\n";
	static const enum gw_jscan_tok want[] = {
		GW_JSCAN_OBJECT,     GW_JSCAN_KEY,	  GW_JSCAN_ARRAY,
		GW_JSCAN_NUMBER,     GW_JSCAN_NUMBER,	  GW_JSCAN_STRING,
		GW_JSCAN_TRUE,	     GW_JSCAN_FALSE,	  GW_JSCAN_NULL,
		GW_JSCAN_OBJECT,     GW_JSCAN_OBJECT_END, GW_JSCAN_ARRAY,
		GW_JSCAN_ARRAY_END,  GW_JSCAN_ARRAY_END,  GW_JSCAN_KEY,
		GW_JSCAN_OBJECT,     GW_JSCAN_KEY,	  GW_JSCAN_STRING,
		GW_JSCAN_OBJECT_END, GW_JSCAN_OBJECT_END, GW_JSCAN_END,
	};
	enum gw_jscan_tok t[TOKS_MAX];
	struct gw_jscan js;
	size_t i, n = (size_t)tokens(doc, sizeof(doc) - 1, t);

	ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]) - 1);
	for (i = 0; i <= n; i++)
		ck_assert_int_eq(t[i], want[i]);
	/* strings and keys as they come */
	gw_jscan_init(&js, doc, sizeof(doc) - 1);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_OBJECT);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_KEY);
	ck_assert(gw_jscan_str_eq(&js, "a"));
	ck_assert_int_eq(gw_jscan_skip(&js, gw_jscan_next(&js)),
			 GW_JSCAN_ARRAY_END);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_KEY);
	ck_assert(gw_jscan_str_eq(&js, "b!"));
	ck_assert(!gw_jscan_str_eq(&js, "b\\u0021"));
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_OBJECT);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_KEY);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_STRING);
	ck_assert(gw_jscan_str_eq(&js, "d"));
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_OBJECT_END);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_OBJECT_END);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_END);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_END); /* sticky */
}
END_TEST

START_TEST(test_errors_sticky)
{
	enum gw_jscan_tok t[TOKS_MAX];
	struct gw_jscan js;

	/* the error comes where the document stops being JSON */
	ck_assert_int_eq(tokens("[1, 2 x]", 8, t), 3);
	ck_assert_int_eq(t[3], GW_JSCAN_ERROR);
	ck_assert_int_eq(tokens("[1]  [", 6, t), 3);
	ck_assert_int_eq(t[3], GW_JSCAN_ERROR);
	gw_jscan_init(&js, "{\"a\" 1}", 7);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_OBJECT);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_ERROR);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_ERROR);
	ck_assert_int_eq(gw_jscan_skip(&js, GW_JSCAN_OBJECT), GW_JSCAN_ERROR);
	/* NULL data, and empty data */
	gw_jscan_init(&js, NULL, 0);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_ERROR);
	ck_assert(!gw_jscan_valid(NULL, 0));
	ck_assert(!gw_jscan_valid("", 0));
	/* the length counts, not a NUL */
	ck_assert(gw_jscan_valid("[1]xyz", 3));
	ck_assert(!gw_jscan_valid("[1]xyz", 2));
}
END_TEST

START_TEST(test_skip)
{
	static const char doc[] = "[{\"a\":[[],{\"b\":[1,{}]}]},\"s\",3,[]]";
	struct gw_jscan js;

	gw_jscan_init(&js, doc, sizeof(doc) - 1);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_ARRAY);
	ck_assert_int_eq(gw_jscan_skip(&js, gw_jscan_next(&js)),
			 GW_JSCAN_OBJECT_END);
	ck_assert_int_eq(gw_jscan_skip(&js, gw_jscan_next(&js)),
			 GW_JSCAN_STRING);
	ck_assert(gw_jscan_str_eq(&js, "s"));
	ck_assert_int_eq(gw_jscan_skip(&js, gw_jscan_next(&js)),
			 GW_JSCAN_NUMBER);
	ck_assert_int_eq(gw_jscan_skip(&js, gw_jscan_next(&js)),
			 GW_JSCAN_ARRAY_END);
	ck_assert_int_eq(gw_jscan_skip(&js, gw_jscan_next(&js)),
			 GW_JSCAN_ARRAY_END); /* the outer one: a token */
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_END);
	/* an invalid byte deep inside what is skipped */
	gw_jscan_init(&js, "[[[[1,]]]]", 10);
	ck_assert_int_eq(gw_jscan_next(&js), GW_JSCAN_ARRAY);
	ck_assert_int_eq(gw_jscan_skip(&js, gw_jscan_next(&js)),
			 GW_JSCAN_ERROR);
}
END_TEST

/* The value of the single string in "[\"...\"]" data. */
static void first_string(struct gw_jscan *js, const char *data)
{
	gw_jscan_init(js, data, strlen(data));
	ck_assert_int_eq(gw_jscan_next(js), GW_JSCAN_ARRAY);
	ck_assert_int_eq(gw_jscan_next(js), GW_JSCAN_STRING);
}

START_TEST(test_strings)
{
	struct gw_jscan js;
	char b[16];

	/* plain: the bytes are the value */
	first_string(&js, "[\"gdk-task-1\"]");
	ck_assert(gw_jscan_str_eq(&js, "gdk-task-1"));
	ck_assert(!gw_jscan_str_eq(&js, "gdk-task-"));
	ck_assert(!gw_jscan_str_eq(&js, "gdk-task-10"));
	ck_assert(!gw_jscan_str_eq(&js, ""));
	ck_assert_uint_eq(gw_jscan_str_copy(&js, b, sizeof(b)), 10);
	ck_assert_str_eq(b, "gdk-task-1");
	ck_assert_uint_eq(gw_jscan_str_copy(&js, b, 5), 10);
	ck_assert_str_eq(b, "gdk-");
	ck_assert_uint_eq(gw_jscan_str_copy(&js, b, 1), 10);
	ck_assert_str_eq(b, "");
	b[0] = 'x';
	ck_assert_uint_eq(gw_jscan_str_copy(&js, b, 0), 10);
	ck_assert_int_eq(b[0], 'x'); /* n 0 writes nothing */
	/* escaped: decoded, to UTF-8 */
	first_string(&js, "[\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac"
			  "\\ud83d\\ude00z\"]");
	ck_assert(gw_jscan_str_eq(&js, "a\"\\/\b\f\n\r\tA\xc3\xa9\xe2\x82\xac"
				       "\xf0\x9f\x98\x80z"));
	ck_assert(!gw_jscan_str_eq(&js, "a\"\\/\b\f\n\r\tA\xc3\xa9\xe2\x82\xac"
					"\xf0\x9f\x98\x80"));
	ck_assert(!gw_jscan_str_eq(&js, "a"));
	ck_assert_uint_eq(gw_jscan_str_copy(&js, b, sizeof(b)), 20);
	ck_assert_str_eq(b, "a\"\\/\b\f\n\r\tA\xc3\xa9\xe2\x82\xac");
	ck_assert_uint_eq(gw_jscan_str_copy(&js, b, 12), 20);
	ck_assert_str_eq(b, "a\"\\/\b\f\n\r\tA\xc3"); /* cut mid-sequence */
	ck_assert_uint_eq(gw_jscan_str_copy(&js, b, 1), 20);
	ck_assert_str_eq(b, "");
	/* empty */
	first_string(&js, "[\"\"]");
	ck_assert(gw_jscan_str_eq(&js, ""));
	ck_assert(!gw_jscan_str_eq(&js, "a"));
	ck_assert_uint_eq(gw_jscan_str_copy(&js, b, sizeof(b)), 0);
	ck_assert_str_eq(b, "");
	/* a long plain string, scanned eight bytes at a time */
	first_string(&js, "[\"0123456789abcdef0123456789abcdef0\"]");
	ck_assert(gw_jscan_str_eq(&js, "0123456789abcdef0123456789abcdef0"));
	ck_assert(!gw_jscan_str_eq(&js, "0123456789abcdef0123456789abcdef1"));
}
END_TEST

/* Every byte b at the place of the @ in each form. */
START_TEST(test_every_byte)
{
	static const char *const forms[] = {
		"[\"@\"]",    "[\"\\@\"]", "[1@]",    "[1.5@]",
		"[-1e3@]",    "[true@]",   "[null@]", "[0@1]",
		"[\"a\"@]",   "[[]@]",	   "@[]",     "[]@",
		"{\"a\"@:1}", "{\"a\":@}", "[1@ ]",   "[\"ab@cd\"]",
		"{@}",	      "[@]",	   "[1,@]",   "[-@1]",
	};
	size_t f;
	int b;

	for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		const char *at = strchr(forms[f], '@');
		size_t n = strlen(forms[f]);

		for (b = 0; b < 256; b++) {
			char buf[16], what[64];

			memcpy(buf, forms[f], n);
			buf[at - forms[f]] = (char)b;
			snprintf(what, sizeof(what), "%s with byte 0x%02x",
				 forms[f], b);
			same_as_jansson(what, buf, n);
		}
	}
}
END_TEST

/* UTF-8: every lead and second byte, then the third and fourth. */
START_TEST(test_utf8)
{
	static const unsigned char leads[] = { 0xC2, 0xDF, 0xE0, 0xE1, 0xED,
					       0xEE, 0xEF, 0xF0, 0xF1, 0xF4 };
	char buf[16], what[64];
	int b0, b1, b, i;

	for (b0 = 0x80; b0 < 256; b0++) {
		for (b1 = 0; b1 < 256; b1++) {
			/* ["..."] with b0 b1 80 80 inside */
			memcpy(buf, "[\"..\x80\x80\"]", 8);
			buf[2] = (char)b0;
			buf[3] = (char)b1;
			snprintf(what, sizeof(what), "UTF-8 %02x %02x 80 80",
				 b0, b1);
			same_as_jansson(what, buf, 8);
		}
	}
	for (i = 0; i < (int)sizeof(leads); i++) {
		/* a second byte each lead accepts */
		unsigned char second = leads[i] == 0xF4	  ? 0x8F
				       : leads[i] == 0xED ? 0x9F
							  : 0xA0;

		for (b = 0; b < 256; b++) {
			memcpy(buf, "[\"....\"]", 8);
			buf[2] = (char)leads[i];
			buf[3] = (char)second;
			buf[4] = (char)b;
			buf[5] = (char)0x80;
			snprintf(what, sizeof(what), "UTF-8 %02x %02x %02x 80",
				 leads[i], second, b);
			same_as_jansson(what, buf, 8);
			buf[4] = (char)0x80;
			buf[5] = (char)b;
			snprintf(what, sizeof(what), "UTF-8 %02x %02x 80 %02x",
				 leads[i], second, b);
			same_as_jansson(what, buf, 8);
		}
	}
}
END_TEST

/* Every \uXXXX alone; after a high surrogate, every low value's edges. */
START_TEST(test_unicode_escapes)
{
	static const unsigned seconds[] = { 0x0041, 0xD7FF, 0xD800, 0xDBFF,
					    0xDC00, 0xDC01, 0xDFFE, 0xDFFF,
					    0xE000, 0xFFFF };
	char buf[32];
	unsigned u;
	size_t i;

	for (u = 0; u < 0x10000; u++) {
		snprintf(buf, sizeof(buf), "[\"\\u%04x\"]", u);
		same_as_jansson(buf, buf, strlen(buf));
		if (u % 0x1000 == 0xD00) { /* and uppercase, sometimes */
			snprintf(buf, sizeof(buf), "{\"\\u%04X\":1}", u);
			same_as_jansson(buf, buf, strlen(buf));
		}
	}
	for (u = 0xD800; u < 0xDC00; u += 0x3F)
		for (i = 0; i < sizeof(seconds) / sizeof(seconds[0]); i++) {
			snprintf(buf, sizeof(buf), "[\"\\u%04X\\u%04x\"]", u,
				 seconds[i]);
			same_as_jansson(buf, buf, strlen(buf));
		}
}
END_TEST

START_TEST(test_depth)
{
	size_t n, cap = 2 * GW_JSCAN_MAX_DEPTH + 16;
	char *b = malloc(cap), what[64];

	ck_assert_ptr_nonnull(b);
	for (n = GW_JSCAN_MAX_DEPTH - 1; n <= GW_JSCAN_MAX_DEPTH + 1; n++) {
		int scalar;

		for (scalar = 0; scalar <= 1; scalar++) {
			size_t k = 0;

			memset(b, '[', n);
			k = n;
			if (scalar)
				b[k++] = '7';
			memset(b + k, ']', n);
			k += n;
			snprintf(what, sizeof(what), "%zu arrays%s", n,
				 scalar ? " around a number" : "");
			same_as_jansson(what, b, k);
			ck_assert_int_eq(gw_jscan_valid(b, k),
					 n + (size_t)scalar <=
						 GW_JSCAN_MAX_DEPTH);
		}
	}
	free(b);
}
END_TEST

struct deep {
	char *b;
	size_t n;
	int valid;
};

static void *scan_deep(void *arg)
{
	struct deep *d = arg;

	d->valid = gw_jscan_valid(d->b, d->n);
	return NULL;
}

/*
 * No recursion: the deepest valid document on a 32 KiB stack (the least
 * thread_stack_kib takes).  Jansson needs more than 128 KiB for it.
 */
START_TEST(test_small_stack)
{
	struct deep d = { NULL, 2 * GW_JSCAN_MAX_DEPTH, -1 };
	pthread_attr_t at;
	pthread_t t;

	d.b = malloc(d.n);
	ck_assert_ptr_nonnull(d.b);
	memset(d.b, '[', GW_JSCAN_MAX_DEPTH);
	memset(d.b + GW_JSCAN_MAX_DEPTH, ']', GW_JSCAN_MAX_DEPTH);
	ck_assert_int_eq(pthread_attr_init(&at), 0);
	ck_assert_int_eq(pthread_attr_setstacksize(&at, 32 * 1024), 0);
	ck_assert_int_eq(pthread_create(&t, &at, scan_deep, &d), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&at);
	ck_assert_int_eq(d.valid, 1);
	free(d.b);
}
END_TEST

#define RANDOM_NUMBERS 100000

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static unsigned pick(uint64_t *s, unsigned n)
{
	return (unsigned)(splitmix64(s) % n);
}

/*
 * Numbers, mostly well-formed, drawn where the rules bite: 18 to 20
 * digits near 9223372036854775807, and reals whose value lands near the
 * overflow threshold 2^1024 - 2^970 (its digits with one changed, the
 * point and exponent moved so that the value stays put or moves by one
 * power of ten), with leading zeros, fractions and signs.
 */
START_TEST(test_numbers)
{
	static const char mid[] =
		"17976931348623158079372897140530341507993413271003782693617377"
		"89804449682927647509466490179775872070963302864166928879109465"
		"55547851940402630657488671505820681908902000708383676273854845"
		"81771153176447573027006985557136695962284291481986083493647529"
		"2719074168444365510704342711559699508093042880177904174497792";
	static const char imax[] = "9223372036854775807";
	static const char *const odd[] = { "",	"",  "",  "",  ".",  "e",
					   "-", "+", "x", "0", "00", "E+" };
	uint64_t seed = 1024970;
	char buf[512];
	unsigned i;

	for (i = 0; i < RANDOM_NUMBERS; i++) {
		size_t k = 0, nd, j;
		int zeros = 0, point, exp10;

		buf[k++] = '[';
		if (pick(&seed, 2))
			buf[k++] = '-';
		if (pick(&seed, 2)) { /* an integer near the long long limit */
			nd = 18 + pick(&seed, 3);
			for (j = 0; j < nd; j++)
				buf[k++] =
					j < 19 && pick(&seed, 8)
						? imax[j]
						: (char)('0' + pick(&seed, 10));
		} else { /* a real near the overflow threshold */
			nd = 1 + pick(&seed, sizeof(mid) - 1);
			if (pick(&seed, 4) == 0) {
				zeros = (int)pick(&seed, 4);
				buf[k++] = '0';
				buf[k++] = '.';
				for (j = 0; j < (size_t)zeros; j++)
					buf[k++] = '0';
				point = -1;
			} else {
				point = 1 + (int)pick(&seed, (unsigned)nd);
			}
			for (j = 0; j < nd; j++) {
				if ((int)j == point)
					buf[k++] = '.';
				buf[k++] =
					pick(&seed, 64)
						? mid[j]
						: (char)('0' + pick(&seed, 10));
			}
			if (point >= (int)nd)
				point = (int)nd;
			/* value about 1.79 x 10^(exp10 + point - 1) */
			exp10 = 309 - (point < 0 ? -zeros : point) - 1 +
				(int)pick(&seed, 3);
			if (pick(&seed, 8))
				k += (size_t)snprintf(buf + k, sizeof(buf) - k,
						      "e%d", exp10);
		}
		if (pick(&seed, 16) == 0) { /* break the grammar now and then */
			const char *o =
				odd[pick(&seed, sizeof(odd) / sizeof(odd[0]))];
			size_t at = 1 + pick(&seed, (unsigned)k - 1),
			       ol = strlen(o);

			memmove(buf + at + ol, buf + at, k - at);
			memcpy(buf + at, o, ol);
			k += ol;
		}
		buf[k++] = ']';
		buf[k] = '\0';
		same_as_jansson(buf, buf, k);
	}
}
END_TEST

static Suite *jscan_suite(void)
{
	Suite *s = suite_create("jscan");
	TCase *tc = tcase_create("api");

	tcase_add_test(tc, test_tokens);
	tcase_add_test(tc, test_errors_sticky);
	tcase_add_test(tc, test_skip);
	tcase_add_test(tc, test_strings);
	suite_add_tcase(s, tc);
	tc = tcase_create("jansson");
	tcase_set_timeout(tc, 120); /* seconds under ASan on a busy machine */
	tcase_add_test(tc, test_every_byte);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_unicode_escapes);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_small_stack);
	tcase_add_test(tc, test_numbers);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(jscan_suite)
