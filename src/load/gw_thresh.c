/*
 * gw_thresh: threshold expressions, parsed once and judged on a whole run
 * or window by window (design and grammar in gw_thresh.h).
 *
 * A profile holds a few dozen thresholds, judged once per closed window
 * (1 s by default) on the main thread: a judgement is a histogram lookup
 * and a comparison, so nothing here is hot and clarity wins.
 *
 * The parser is a hand-written lexer with six token kinds (word, number,
 * comparison, %-or-/s unit, other, end) under a recursive-descent reader
 * that needs one token of lookahead.  The metric, which may hold '/' and
 * '-' and start with a digit, is scanned on its own before the lexer
 * takes over.  Every error is one line naming the token where parsing
 * stopped, or the token after which something is missing.
 *
 * Rejected:
 *   - sscanf patterns: they accept trailing junk and cannot say which
 *     token was wrong;
 *   - POSIX regex: one pattern for the whole grammar either matches or
 *     not, again with no token to blame;
 *   - k6's approach (JavaScript expressions): a language where a
 *     one-line grammar will do.
 */
#include "gw_thresh.h"
#include "gw_hist.h"
#include "gw_util.h"

#include <ctype.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One metric a line, in run_kind's order (clang-format would pack them). */
/* clang-format off */
const char *const gw_thresh_run_metrics[] = {
	"error_rate",
	"dropped_starts",
	"late_starts",
	"dropped_rate",
	"achieved_rate",
	"started",
	"completed",
	"ring_drops",
	"memory_growth_mb",
	NULL,
};

/* The kind of each run metric, in gw_thresh_run_metrics' order. */
static const enum gw_thresh_kind run_kind[] = {
	GW_TK_FRACTION, /* error_rate */
	GW_TK_COUNT,	/* dropped_starts */
	GW_TK_COUNT,	/* late_starts */
	GW_TK_FRACTION, /* dropped_rate */
	GW_TK_RATE,	/* achieved_rate */
	GW_TK_COUNT,	/* started */
	GW_TK_COUNT,	/* completed */
	GW_TK_COUNT,	/* ring_drops */
	GW_TK_COUNT,	/* memory_growth_mb: MB, a plain number */
};
/* clang-format on */
_Static_assert(GW_ARRAY_SIZE(run_kind) + 1 ==
		       GW_ARRAY_SIZE(gw_thresh_run_metrics),
	       "one kind per run metric");

struct unit {
	const char *name;
	double scale;
};

/* A limit's time units, and a DUR's, in ns. */
static const struct unit time_units[] = {
	{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { NULL, 0 }
};
static const struct unit dur_units[] = {
	{ "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 }, { NULL, 0 }
};

/* A DUR above this (~31 years) is a typo, and would not fit int64_t
 * once doubled. */
#define DUR_MAX_NS 1e18

enum tok_type { T_END, T_WORD, T_NUM, T_OP, T_UNIT, T_OTHER };

struct tok {
	enum tok_type type;
	const char *s;
	int len;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print an error into err (one line, truncated to errlen) and return -1. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* May c be part of an operation's name?  Cannot fail. */
static int is_metric_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '/' || c == '-';
}

/* The next token at *p, which moves past it.  Cannot fail: anything the
 * grammar has no token for is T_OTHER, up to the next blank. */
static struct tok lex(const char **p)
{
	const char *s = *p, *e;
	struct tok t;

	while (isspace((unsigned char)*s))
		s++;
	e = s;
	if (!*s) {
		t.type = T_END;
	} else if (isalpha((unsigned char)*s) || *s == '_') {
		t.type = T_WORD;
		while (isalnum((unsigned char)*e) || *e == '_' || *e == '.')
			e++;
	} else if (isdigit((unsigned char)*s) ||
		   (*s == '.' && isdigit((unsigned char)s[1]))) {
		t.type = T_NUM;
		while (isdigit((unsigned char)*e) || *e == '.')
			e++;
		/* an exponent only when digits follow: "5e" is 5 and a unit */
		if ((*e == 'e' || *e == 'E') &&
		    (isdigit((unsigned char)e[1]) ||
		     ((e[1] == '+' || e[1] == '-') &&
		      isdigit((unsigned char)e[2])))) {
			e += 2;
			while (isdigit((unsigned char)*e))
				e++;
		}
	} else if (strchr("<>=!", *s)) {
		t.type = T_OP;
		while (*e && strchr("<>=!", *e))
			e++;
	} else if (*s == '%') {
		t.type = T_UNIT;
		e++;
	} else if (*s == '/') {
		t.type = T_UNIT;
		for (e++; isalpha((unsigned char)*e); e++)
			;
	} else {
		t.type = T_OTHER;
		while (*e && !isspace((unsigned char)*e))
			e++;
	}
	t.s = s;
	t.len = (int)(e - s);
	*p = e;
	return t;
}

/* Is t the word or unit `word`?  Cannot fail. */
static int tok_is(struct tok t, const char *word)
{
	return (t.type == T_WORD || t.type == T_UNIT) &&
	       (size_t)t.len == strlen(word) &&
	       !memcmp(t.s, word, (size_t)t.len);
}

/* The grammar's keywords, which end a limit without a unit.  Cannot
 * fail. */
static int is_keyword(struct tok t)
{
	return tok_is(t, "per") || tok_is(t, "window") || tok_is(t, "for") ||
	       tok_is(t, "abort") || tok_is(t, "after");
}

/* Scale of unit token t in table u, or 0 when it is not there (the only
 * failure). */
static double unit_scale(const struct unit *u, struct tok t)
{
	for (; u->name; u++)
		if (tok_is(t, u->name))
			return u->scale;
	return 0;
}

/* The number in t's text from offset skip on, into *v.  Returns 0, or -1
 * when it is no decimal number or too long to be one. */
static int tok_double(struct tok t, int skip, double *v)
{
	char buf[64];
	size_t n = (size_t)(t.len - skip);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, t.s + skip, n);
	buf[n] = 0;
	return gw_parse_double(buf, 0, DBL_MAX, v);
}

/* The value of number token t.  Returns 0, or -1 with err set. */
static int tok_number(struct tok t, double *v, char *err, size_t errlen)
{
	if (tok_double(t, 0, v) == -1)
		return fail(err, errlen, "'%.*s' is not a number", t.len, t.s);
	return 0;
}

/* Index of name in gw_thresh_run_metrics, or -1 when it is not a run
 * metric. */
static int run_metric(const char *name)
{
	for (int i = 0; gw_thresh_run_metrics[i]; i++)
		if (!strcmp(name, gw_thresh_run_metrics[i]))
			return i;
	return -1;
}

/* Stat word tk into t.  Returns 0, or -1 with err set. */
static int parse_stat(struct gw_thresh *t, struct tok tk, char *err,
		      size_t errlen)
{
	static const struct {
		const char *name;
		enum gw_thresh_stat stat;
	} named[] = {
		{ "mean", GW_TS_MEAN }, { "min", GW_TS_MIN },
		{ "max", GW_TS_MAX },	{ "count", GW_TS_COUNT },
		{ "rate", GW_TS_RATE },
	};
	double q;
	int i;

	for (size_t k = 0; k < GW_ARRAY_SIZE(named); k++) {
		if (tok_is(tk, named[k].name)) {
			t->stat = named[k].stat;
			return 0;
		}
	}
	/* p<q>: digits and a dot only, so p1e1 is no percentile */
	for (i = 1; i < tk.len; i++)
		if (!isdigit((unsigned char)tk.s[i]) && tk.s[i] != '.')
			break;
	if (tk.s[0] != 'p' || tk.len < 2 || i < tk.len ||
	    tok_double(tk, 1, &q) == -1)
		return fail(err, errlen,
			    "unknown stat '%.*s' (p<q>, mean, min, max, count "
			    "or rate)",
			    tk.len, tk.s);
	if (!(q > 0 && q < 100))
		return fail(err, errlen,
			    "%.*s is not a percentile (0 < q < 100)", tk.len,
			    tk.s);
	t->stat = GW_TS_QUANTILE;
	t->q = q / 100;
	return 0;
}

/*
 * The limit's unit: token u (T_END when there is none) applied to the
 * number v, for t->kind; what names the metric for messages.  Returns
 * 0, or -1 with err set.
 */
static int parse_unit(struct gw_thresh *t, struct tok u, double v,
		      const char *what, char *err, size_t errlen)
{
	double scale = u.type == T_END ? 0 : unit_scale(time_units, u);

	if (u.type == T_END) {
		/* no unit: a time is in ms, the rest in base units */
		if (t->kind == GW_TK_TIME) {
			scale = 1e6;
			gw_strlcpy(t->unit, "ms", sizeof(t->unit));
		} else {
			scale = 1;
			gw_strlcpy(t->unit, t->kind == GW_TK_RATE ? "/s" : "",
				   sizeof(t->unit));
		}
	} else if (scale > 0) {
		if (t->kind != GW_TK_TIME)
			return fail(err, errlen,
				    "'%.*s' is a time unit, but '%s' is not a "
				    "time",
				    u.len, u.s, what);
		/* a time unit is at most 2 characters: it fits */
		memcpy(t->unit, u.s, (size_t)u.len);
		t->unit[u.len] = 0;
	} else if (tok_is(u, "%")) {
		if (t->kind != GW_TK_FRACTION)
			return fail(err, errlen,
				    "'%%' is only for a run metric that is a "
				    "fraction (error_rate, dropped_rate), not "
				    "'%s'",
				    what);
		scale = 0.01;
		gw_strlcpy(t->unit, "%", sizeof(t->unit));
	} else if (tok_is(u, "/s")) {
		if (t->kind != GW_TK_RATE)
			return fail(err, errlen,
				    "'/s' is only for a rate (rate, "
				    "achieved_rate), not '%s'",
				    what);
		scale = 1;
		gw_strlcpy(t->unit, "/s", sizeof(t->unit));
	} else {
		return fail(err, errlen, "unknown unit '%.*s'", u.len, u.s);
	}
	t->limit = v * scale;
	if (!isfinite(t->limit))
		return fail(err, errlen, "limit of '%s' out of range", what);
	return 0;
}

/*
 * DUR after keyword kw (the lexer at *p): a number with ms, s, m or h.
 * Returns 0 with *ns and *last (its unit token), or -1 with err set.
 */
static int parse_dur(const char **p, struct tok kw, int64_t *ns,
		     struct tok *last, char *err, size_t errlen)
{
	struct tok n = lex(p), u;
	double v, scale;

	if (n.type != T_NUM)
		return fail(err, errlen,
			    "'%.*s' needs a duration (a number with ms, s, m "
			    "or h)",
			    kw.len, kw.s);
	if (tok_number(n, &v, err, errlen) == -1)
		return -1;
	u = lex(p);
	if ((u.type != T_WORD && u.type != T_UNIT) || is_keyword(u))
		return fail(err, errlen,
			    "duration '%.*s' needs a unit (ms, s, m or h)",
			    n.len, n.s);
	scale = unit_scale(dur_units, u);
	if (scale == 0)
		return fail(err, errlen,
			    "unknown duration unit '%.*s' (ms, s, m or h)",
			    u.len, u.s);
	if (v * scale > DUR_MAX_NS)
		return fail(err, errlen, "duration '%.*s %.*s' is too long",
			    n.len, n.s, u.len, u.s);
	*ns = (int64_t)llround(v * scale);
	*last = u;
	return 0;
}

int gw_thresh_parse(struct gw_thresh *t, const char *text, char *err,
		    size_t errlen)
{
	static const char *const ops[] = { "<", "<=", ">", ">=", "==" };
	const char *p, *save;
	struct tok tk, prev, stat = { T_END, "", 0 };
	char what[sizeof(t->metric) + 40];
	size_t len, mlen;
	double v;
	int run, i;

	memset(t, 0, sizeof(*t));
	if (errlen)
		err[0] = 0;
	while (isspace((unsigned char)*text))
		text++;
	len = strlen(text);
	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	if (!len)
		return fail(err, errlen, "empty threshold");
	if (len >= sizeof(t->text))
		return fail(err, errlen,
			    "threshold too long (%zu characters, at most %zu)",
			    len, sizeof(t->text) - 1);
	memcpy(t->text, text, len);
	p = t->text;

	/* metric */
	for (mlen = 0; is_metric_char((unsigned char)p[mlen]); mlen++)
		;
	if (!mlen) {
		tk = lex(&p);
		return fail(err, errlen, "expected a metric name, not '%.*s'",
			    tk.len, tk.s);
	}
	if (mlen >= sizeof(t->metric))
		return fail(err, errlen,
			    "metric name '%.*s' too long (at most %zu "
			    "characters)",
			    (int)mlen, p, sizeof(t->metric) - 1);
	memcpy(t->metric, p, mlen);
	prev = (struct tok){ T_WORD, p, (int)mlen };
	p += mlen;
	run = run_metric(t->metric);

	/* [stat] */
	tk = lex(&p);
	if (tk.type == T_WORD && !is_keyword(tk)) {
		if (run >= 0)
			return fail(err, errlen,
				    "'%s' is a run metric and takes no stat "
				    "('%.*s')",
				    t->metric, tk.len, tk.s);
		if (parse_stat(t, tk, err, errlen) == -1)
			return -1;
		stat = prev = tk;
		tk = lex(&p);
	} else if (run >= 0) {
		t->stat = GW_TS_VALUE;
	} else {
		t->stat = GW_TS_QUANTILE;
		t->q = 0.99;
	}
	if (run >= 0)
		t->kind = run_kind[run];
	else if (t->stat == GW_TS_COUNT)
		t->kind = GW_TK_COUNT;
	else if (t->stat == GW_TS_RATE)
		t->kind = GW_TK_RATE;
	else
		t->kind = GW_TK_TIME;
	snprintf(what, sizeof(what), "%s%s%.*s", t->metric, stat.len ? " " : "",
		 stat.len, stat.s);

	/* cmp */
	if (tk.type != T_OP)
		return fail(err, errlen,
			    "expected a comparison (< <= > >= ==) after "
			    "'%.*s'",
			    prev.len, prev.s);
	for (i = 0; i < (int)GW_ARRAY_SIZE(ops); i++)
		if ((size_t)tk.len == strlen(ops[i]) &&
		    !memcmp(tk.s, ops[i], (size_t)tk.len))
			break;
	if (i == (int)GW_ARRAY_SIZE(ops))
		return fail(err, errlen,
			    "unknown comparison '%.*s' (< <= > >= ==)", tk.len,
			    tk.s);
	/* ops[] is in enum gw_thresh_cmp's order */
	t->cmp = (enum gw_thresh_cmp)i;
	prev = tk;

	/* number [unit] */
	tk = lex(&p);
	if (tk.type != T_NUM)
		return fail(err, errlen, "expected a number after '%.*s'",
			    prev.len, prev.s);
	if (tok_number(tk, &v, err, errlen) == -1)
		return -1;
	prev = tk;
	save = p;
	tk = lex(&p);
	if ((tk.type == T_WORD && !is_keyword(tk)) || tk.type == T_UNIT) {
		prev = tk;
	} else {
		p = save;
		tk.type = T_END;
	}
	if (parse_unit(t, tk, v, what, err, errlen) == -1)
		return -1;

	/* [per window [for DUR]] [abort [after DUR]] */
	tk = lex(&p);
	if (tok_is(tk, "per")) {
		prev = tk;
		tk = lex(&p);
		if (!tok_is(tk, "window"))
			return fail(err, errlen,
				    "expected 'window' after 'per'");
		t->per_window = 1;
		prev = tk;
		tk = lex(&p);
		if (tok_is(tk, "for")) {
			if (parse_dur(&p, tk, &t->for_ns, &prev, err, errlen) ==
			    -1)
				return -1;
			tk = lex(&p);
		}
	}
	if (tok_is(tk, "abort")) {
		t->abort = 1;
		prev = tk;
		tk = lex(&p);
		if (tok_is(tk, "after")) {
			if (parse_dur(&p, tk, &t->after_ns, &prev, err,
				      errlen) == -1)
				return -1;
			tk = lex(&p);
		}
	}
	if (tok_is(tk, "for") && !t->per_window)
		return fail(err, errlen, "'for' needs 'per window'");
	if (tok_is(tk, "after") && !t->abort)
		return fail(err, errlen, "'after' needs 'abort'");
	if (tk.type != T_END)
		return fail(err, errlen, "unexpected '%.*s' after '%.*s'",
			    tk.len, tk.s, prev.len, prev.s);
	return 0;
}

int gw_thresh_measure(const struct gw_thresh *t,
		      const struct gw_thresh_src *src, double *v)
{
	const struct gw_hist *h;
	double x;

	/*
	 * The parser made the choice: a run metric (GW_TS_VALUE) reads
	 * value(), anything else is an operation and reads hist().  A
	 * run metric has no stat to apply to a histogram, and an
	 * operation's stat means nothing on a bare value.
	 */
	if (t->stat == GW_TS_VALUE) {
		if (!src->value || src->value(src->ud, t->metric, &x) != 0)
			return -1;
		*v = x;
		return 0;
	}
	h = src->hist ? src->hist(src->ud, t->metric) : NULL;
	if (!h || h->n == 0)
		return -1;
	switch (t->stat) {
	case GW_TS_QUANTILE:
		*v = (double)gw_hist_quantile(h, t->q);
		break;
	case GW_TS_MEAN:
		*v = gw_hist_mean(h);
		break;
	case GW_TS_MIN:
		*v = (double)h->min;
		break;
	case GW_TS_MAX:
		*v = (double)h->max;
		break;
	case GW_TS_COUNT:
		*v = (double)h->n;
		break;
	case GW_TS_RATE:
		/* a scope of no length has no rate: no data */
		if (!(src->seconds > 0))
			return -1;
		*v = (double)h->n / src->seconds;
		break;
	case GW_TS_VALUE:
		return -1; /* handled above */
	}
	return 0;
}

int gw_thresh_holds(const struct gw_thresh *t, double v)
{
	/* NaN meets no condition */
	switch (t->cmp) {
	case GW_TC_LT:
		return v < t->limit;
	case GW_TC_LE:
		return v <= t->limit;
	case GW_TC_GT:
		return v > t->limit;
	case GW_TC_GE:
		return v >= t->limit;
	case GW_TC_EQ:
		return v == t->limit;
	}
	return 0;
}

void gw_thresh_state_init(struct gw_thresh_state *st, const struct gw_thresh *t,
			  int64_t win_ns)
{
	memset(st, 0, sizeof(*st));
	st->first_fail_win = -1;
	st->need = 1;
	if (t->for_ns > 0 && win_ns > 0) {
		int64_t need = t->for_ns / win_ns + (t->for_ns % win_ns != 0);

		st->need = need > INT_MAX ? INT_MAX : (int)need;
	}
}

/* Is a further from t's condition than b?  For ==, the distance from
 * the limit either way.  Cannot fail. */
static int worse(const struct gw_thresh *t, double a, double b)
{
	switch (t->cmp) {
	case GW_TC_LT:
	case GW_TC_LE:
		return a > b;
	case GW_TC_GT:
	case GW_TC_GE:
		return a < b;
	case GW_TC_EQ:
		return fabs(a - t->limit) > fabs(b - t->limit);
	}
	return 0;
}

int gw_thresh_window(const struct gw_thresh *t, struct gw_thresh_state *st,
		     const struct gw_thresh_src *src, int win)
{
	double v;

	if (gw_thresh_measure(t, src, &v) == -1) {
		/* no data: neither passes nor fails, but ends the span */
		st->run = 0;
		return 0;
	}
	st->judged++;
	if (!st->have_worst || worse(t, v, st->worst)) {
		st->worst = v;
		st->have_worst = 1;
	}
	if (gw_thresh_holds(t, v)) {
		st->met++;
		st->run = 0;
		return 0;
	}
	st->run++;
	if (st->failed || st->run < st->need)
		return 0;
	st->failed = 1;
	st->first_fail_win = win;
	return 1;
}

void gw_thresh_format(const struct gw_thresh *t, double v, char *out, size_t n)
{
	struct tok u = { T_UNIT, t->unit, (int)strlen(t->unit) };
	const char *unit = t->unit;
	double x = v, scale;

	if (t->kind == GW_TK_TIME) {
		/* a struct not from gw_thresh_parse may have no unit: ms */
		scale = unit_scale(time_units, u);
		if (scale == 0) {
			scale = 1e6;
			unit = "ms";
		}
		x = v / scale;
	} else if (t->kind == GW_TK_FRACTION && !strcmp(unit, "%")) {
		x = v * 100;
	}
	if (x == 0)
		x = 0; /* no "-0" */
	snprintf(out, n,
		 x == floor(x) && fabs(x) < 1e15 ? "%.0f%s%s" : "%.6g%s%s", x,
		 *unit ? " " : "", unit);
}

/* ---- statistics ---------------------------------------------------------- */

/* The value at rank k (1-based) of h's n samples. */
static double at_rank(const struct gw_hist *h, double k)
{
	double q = k / (double)h->n;

	return (double)gw_hist_quantile(h, q < 0 ? 0 : q > 1 ? 1 : q);
}

int gw_thresh_quantile_interval(const struct gw_hist *h, double q, double *lo,
				double *hi)
{
	double n, half;

	if (!h || !h->n)
		return -1;
	n = (double)h->n;
	half = 1.96 * sqrt(n * q * (1 - q));
	*lo = at_rank(h, floor(n * q - half));
	*hi = at_rank(h, ceil(n * q + half) + 1);
	return 0;
}

void gw_thresh_wilson(double k, double n, double *lo, double *hi)
{
	const double z = 1.96;
	double p = k / n, c, w;

	c = (p + z * z / (2 * n)) / (1 + z * z / n);
	w = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
	*lo = c - w < 0 ? 0 : c - w;
	*hi = c + w > 1 ? 1 : c + w;
}

double gw_thresh_samples_needed(double q)
{
	return q > 0 && q < 1 ? ceil(log(0.025) / log(q)) : 0;
}
