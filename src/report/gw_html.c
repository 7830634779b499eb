/*
 * gw_html: the HTML run report (see gw_html.h).
 *
 * Charts are SVG polylines computed here.  Latency by percentile: for each
 * operation, the value at percentiles from 0 to 99.99 (and the max) taken
 * from its histogram, x = log10(1 / (1 - p)) so 90%, 99%, 99.9% are evenly
 * spaced (the max is drawn half a decade past 99.99%), y = log10(ms)
 * between the smallest and largest value shown.
 */
#include "gw_html.h"
#include "gw_atomic.h"
#include "gw_hist.h"
#include "gw_hist_json.h"
#include "gw_report.h"
#include "gw_util.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define W 640
#define H 260
#define PAD_L 56
#define PAD_B 34
#define PAD_T 12
#define PAD_R 150
#define NPTS 33

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
	"#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
};

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static double num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* percentile of the i-th chart point: 0, then 1 - 10^-(4 i / (n-2)) */
static double point_q(int i)
{
	if (i == 0)
		return 0.0;
	if (i == NPTS - 1)
		return 1.0;
	return 1.0 - pow(10.0, -4.0 * (double)i / (double)(NPTS - 2));
}

static double point_x(int i)
{
	/* the max (q = 1) is drawn just right of 99.99% */
	double nines = i == NPTS - 1 ? 4.5 : -log10(1.0 - point_q(i));

	return PAD_L + nines / 4.5 * (W - PAD_L - PAD_R);
}

static void latency_chart(FILE *f, json_t *ops)
{
	struct gw_hist h[10];
	const char *names[10];
	double lo = 1e300, hi = 0, ly, hy;
	const char *name;
	json_t *o;
	int n = 0;

	json_object_foreach(ops, name, o)
	{
		if (n == 10)
			break;
		gw_hist_init(&h[n]);
		if (gw_hist_json_add(&h[n], json_object_get(o, "histogram")) <
			    0 ||
		    !h[n].n) {
			gw_hist_release(&h[n]);
			continue;
		}
		names[n] = name;
		for (int i = 0; i < NPTS; i++) {
			double v = (double)gw_hist_quantile(&h[n], point_q(i)) /
				   1e6;

			if (v > 0 && v < lo)
				lo = v;
			if (v > hi)
				hi = v;
		}
		n++;
	}
	if (!n)
		return;
	if (!(lo < hi)) {
		lo = lo > 0 && lo < 1e300 ? lo / 2 : 0.001;
		hi = lo * 4;
	}
	ly = floor(log10(lo));
	hy = ceil(log10(hi));
	if (hy <= ly)
		hy = ly + 1;
	fprintf(f,
		"<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		"height=\"%d\" role=\"img\"><title>latency by percentile"
		"</title>\n",
		W, H, W, H);
	/* grid: decades of ms, and the nines */
	for (double d = ly; d <= hy; d++) {
		double y = PAD_T + (hy - d) / (hy - ly) * (H - PAD_T - PAD_B);

		fprintf(f,
			"<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
			"class=\"grid\"/><text x=\"%d\" y=\"%.1f\" "
			"class=\"ax\" text-anchor=\"end\">%g ms</text>\n",
			PAD_L, W - PAD_R, y, y, PAD_L - 4, y + 4, pow(10.0, d));
	}
	for (int k = 0; k <= 4; k++) {
		static const char *const lab[] = { "0%", "90%", "99%", "99.9%",
						   "99.99%" };
		double x = PAD_L + (double)k / 4.5 * (W - PAD_L - PAD_R);

		fprintf(f,
			"<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
			"class=\"grid\"/><text x=\"%.1f\" y=\"%d\" class=\"ax\" "
			"text-anchor=\"middle\">%s</text>\n",
			x, x, PAD_T, H - PAD_B, x, H - PAD_B + 16, lab[k]);
	}
	fprintf(f,
		"<text x=\"%.1f\" y=\"%d\" class=\"ax\" "
		"text-anchor=\"middle\">max</text>\n",
		point_x(NPTS - 1), H - PAD_B + 16);
	for (int s = 0; s < n; s++) {
		fprintf(f,
			"<polyline fill=\"none\" stroke=\"%s\" "
			"stroke-width=\"1.6\" points=\"",
			palette[s % 10]);
		for (int i = 0; i < NPTS; i++) {
			double v = (double)gw_hist_quantile(&h[s], point_q(i)) /
				   1e6;
			double lv = log10(v > 0 ? v : pow(10.0, ly));

			if (lv < ly)
				lv = ly;
			fprintf(f, "%.1f,%.1f ", point_x(i),
				PAD_T + (hy - lv) / (hy - ly) *
						(H - PAD_T - PAD_B));
		}
		fputs("\"/>\n", f);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"key\" fill=\"%s\">",
			W - PAD_R + 8, PAD_T + 12 + 15 * s, palette[s % 10]);
		esc(f, names[s]);
		fputs("</text>\n", f);
		gw_hist_release(&h[s]);
	}
	fputs("</svg>\n", f);
}

static void memory_chart(FILE *f, json_t *mem)
{
	json_t *samples = json_object_get(mem, "samples"), *p;
	double t1 = 0, lo = 1e300, hi = -1e300;
	size_t i;

	if (json_array_size(samples) < 2)
		return;
	json_array_foreach(samples, i, p)
	{
		double t = json_number_value(json_array_get(p, 0));
		double v = json_number_value(json_array_get(p, 1));

		t1 = t > t1 ? t : t1;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	if (hi - lo < 1.0) {
		hi += 0.5;
		lo -= 0.5;
	}
	if (t1 <= 0)
		t1 = 1;
	fprintf(f,
		"<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		"height=\"%d\" role=\"img\"><title>gateway RSS</title>\n"
		"<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"end\">"
		"%.1f MB</text><text x=\"%d\" y=\"%d\" class=\"ax\" "
		"text-anchor=\"end\">%.1f MB</text><text x=\"%d\" y=\"%d\" "
		"class=\"ax\" text-anchor=\"end\">%.1f s</text>\n"
		"<polyline fill=\"none\" stroke=\"#d62728\" "
		"stroke-width=\"1.6\" points=\"",
		W, H / 2, W, H / 2, PAD_L - 4, PAD_T + 4, hi, PAD_L - 4,
		H / 2 - PAD_B + 4, lo, W - PAD_R, H / 2 - PAD_B + 16, t1);
	json_array_foreach(samples, i, p)
	{
		double t = json_number_value(json_array_get(p, 0));
		double v = json_number_value(json_array_get(p, 1));

		fprintf(f, "%.1f,%.1f ", PAD_L + t / t1 * (W - PAD_L - PAD_R),
			PAD_T + (hi - v) / (hi - lo) * (H / 2 - PAD_T - PAD_B));
	}
	fputs("\"/></svg>\n", f);
}

/* One line of a time chart. */
struct line {
	const char *label;
	double *y;
};

/*
 * Up to four lines over time (t in seconds, n points), a linear y axis
 * from 0 to the largest value; a gap where a value is NAN (a window
 * without data).
 */
static void time_chart(FILE *f, const char *title, const char *unit,
		       const char *xunit, const double *t, int n,
		       const struct line *l, int nl)
{
	double t1 = n ? t[n - 1] : 1, hi = 0;
	const double ch = H / 2 - PAD_T - PAD_B;

	for (int k = 0; k < nl; k++)
		for (int i = 0; i < n; i++)
			if (!isnan(l[k].y[i]) && l[k].y[i] > hi)
				hi = l[k].y[i];
	if (hi <= 0)
		hi = 1;
	if (t1 <= 0)
		t1 = 1;
	fprintf(f, "<p class=\"cap\">");
	esc(f, title);
	fprintf(f,
		"</p><svg class=\"chart\" viewBox=\"0 0 %d %d\" "
		"width=\"%d\" height=\"%d\" role=\"img\"><title>",
		W, H / 2, W, H / 2);
	esc(f, title);
	fprintf(f,
		"</title>\n<line class=\"grid\" x1=\"%d\" y1=\"%d\" "
		"x2=\"%d\" y2=\"%d\"/><text x=\"%d\" y=\"%d\" class=\"ax\" "
		"text-anchor=\"end\">%.4g %s</text><text x=\"%d\" y=\"%d\" "
		"class=\"ax\" text-anchor=\"end\">0</text><text x=\"%d\" "
		"y=\"%d\" class=\"ax\" text-anchor=\"end\">%.4g %s</text>\n",
		PAD_L, H / 2 - PAD_B, W - PAD_R, H / 2 - PAD_B, PAD_L - 4,
		PAD_T + 4, hi, unit, PAD_L - 4, H / 2 - PAD_B + 4, W - PAD_R,
		H / 2 - PAD_B + 16, t1, xunit);
	for (int k = 0; k < nl; k++) {
		int open = 0;

		for (int i = 0; i < n; i++) {
			double y = l[k].y[i];

			if (isnan(y)) {
				if (open)
					fputs("\"/>\n", f);
				open = 0;
				continue;
			}
			if (!open)
				fprintf(f,
					"<polyline fill=\"none\" "
					"stroke=\"%s\" stroke-width=\"1.6\" "
					"points=\"",
					palette[k]);
			open = 1;
			fprintf(f, "%.1f,%.1f ",
				PAD_L + t[i] / t1 * (W - PAD_L - PAD_R),
				PAD_T + (hi - y) / hi * ch);
		}
		if (open)
			fputs("\"/>\n", f);
		fprintf(f,
			"<text x=\"%d\" y=\"%d\" class=\"key\" "
			"fill=\"%s\">",
			W - PAD_R + 8, PAD_T + 12 + 14 * k, palette[k]);
		esc(f, l[k].label);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n", f);
}

/* The time series of a workload run's report: rate, time to first
 * event, error rate, what was open -- so a reader sees when it broke. */
static void series_charts(FILE *f, json_t *r)
{
	json_t *s = json_object_get(r, "series"), *wins, *w;
	double ws = num(s, "window_s");
	size_t n, i;
	double *v;

	wins = json_object_get(s, "windows");
	n = json_array_size(wins);
	if (!n || ws <= 0)
		return;
	v = gw_xcalloc(10 * n, sizeof(*v));
	json_array_foreach(wins, i, w)
	{
		json_t *tt = json_object_get(json_object_get(w, "ops"), "ttfe");
		double att = num(w, "attempts");

		v[i] = num(w, "t_s") + ws;
		v[n + i] = num(w, "offered") / ws;
		v[2 * n + i] = num(w, "started") / ws;
		v[3 * n + i] = num(w, "completed") / ws;
		v[4 * n + i] = tt ? num(tt, "p50") : NAN;
		v[5 * n + i] = tt ? num(tt, "p99") : NAN;
		v[6 * n + i] = att > 0 ? 100 * num(w, "errors") / att : NAN;
		v[7 * n + i] = num(w, "open_streams");
		v[8 * n + i] = num(w, "in_flight");
		v[9 * n + i] = num(w, "users");
	}
	{
		struct line rate[] = { { "offered/s", v + n },
				       { "started/s", v + 2 * n },
				       { "completed/s", v + 3 * n } };
		struct line ttfe[] = { { "p50", v + 4 * n },
				       { "p99", v + 5 * n } };
		struct line err[] = { { "errors", v + 6 * n } };
		struct line open[] = { { "open streams", v + 7 * n },
				       { "in flight", v + 8 * n },
				       { "users", v + 9 * n } };

		time_chart(f, "flows per second, by window", "/s", "s", v,
			   (int)n, rate, 3);
		time_chart(f, "time to first event (ms), by window", "ms", "s",
			   v, (int)n, ttfe, 2);
		time_chart(f, "error rate (% of attempts), by window", "%", "s",
			   v, (int)n, err, 1);
		time_chart(f, "open streams, flows in flight, users", "", "s",
			   v, (int)n, open, 3);
	}
	free(v);
}

static int cmp_value(const void *a, const void *b)
{
	double x = num(*(json_t *const *)a, "value");
	double y = num(*(json_t *const *)b, "value");

	return x < y ? -1 : x > y;
}

/* A capacity search: the result, the probes, and the capacity curve --
 * each probe's value against what it measured. */
static void search_section(FILE *f, json_t *r, size_t idx)
{
	json_t *s = json_object_get(r, "search"), *p, **v;
	json_t *probes = json_object_get(s, "probes");
	size_t n = json_array_size(probes), i;
	const char *unit = strcmp(str(s, "axis"), "rate") ? "streams"
							  : "flows/s";
	double *d;

	fprintf(f,
		"<section id=\"s%zu\"><h2><span class=\"%s\">search"
		"</span> ",
		idx,
		json_is_true(json_object_get(s, "found")) ? "passed"
							  : "failed");
	esc(f, str(json_object_get(r, "metadata"), "test_name"));
	fprintf(f, "</h2><p class=\"meta\">axis %s &middot; ", str(s, "axis"));
	esc(f, str(s, "end"));
	if (json_is_true(json_object_get(s, "found")))
		fprintf(f, " &middot; capacity <b>%.2f %s</b>",
			num(s, "capacity"), unit);
	if (num(s, "first_failing") > 0)
		fprintf(f, " &middot; first failing %.2f %s",
			num(s, "first_failing"), unit);
	fprintf(f, " &middot; %s</p>\n",
		json_is_true(json_object_get(s, "monotonic"))
			? "monotonic"
			: "<b>not monotonic</b>");
	fputs("<table><tr><th>#</th><th>value</th><th>verdict</th>"
	      "<th>ttfe p50</th><th>ttfe p99</th><th>gap p99</th>"
	      "<th>err%</th><th>achieved/s</th><th>broke</th></tr>\n",
	      f);
	json_array_foreach(probes, i, p)
	{
		fprintf(f,
			"<tr><td>%zu</td><td>%.2f</td><td class=\"%s\">%s%s"
			"</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.2f"
			"</td><td>%.2f</td><td>",
			i + 1, num(p, "value"),
			json_is_true(json_object_get(p, "passed")) ? "pass"
								   : "fail",
			json_is_true(json_object_get(p, "invalid"))  ? "invalid"
			: json_is_true(json_object_get(p, "passed")) ? "pass"
								     : "fail",
			json_is_true(json_object_get(p, "rerun")) ? " (re-run)"
								  : "",
			num(p, "ttfe_p50_ms"), num(p, "ttfe_p99_ms"),
			num(p, "gap_p99_ms"), num(p, "error_rate_percent"),
			num(p, "achieved_rate"));
		esc(f, str(p, "broke"));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (n < 2) {
		fputs("</section>\n", f);
		return;
	}
	v = gw_xcalloc(n, sizeof(*v));
	d = gw_xcalloc(6 * n, sizeof(*d));
	json_array_foreach(probes, i, p) v[i] = p;
	qsort(v, n, sizeof(*v), cmp_value);
	for (i = 0; i < n; i++) {
		d[i] = num(v[i], "value");
		d[n + i] = num(v[i], "ttfe_p50_ms");
		d[2 * n + i] = num(v[i], "ttfe_p99_ms");
		d[3 * n + i] = num(v[i], "gap_p99_ms");
		d[4 * n + i] = num(v[i], "error_rate_percent");
		d[5 * n + i] = num(v[i], "achieved_rate");
	}
	{
		struct line lat[] = { { "ttfe p50", d + n },
				      { "ttfe p99", d + 2 * n },
				      { "gap p99", d + 3 * n } };
		struct line err[] = { { "errors %", d + 4 * n } };
		struct line ach[] = { { "achieved/s", d + 5 * n } };

		time_chart(f, "capacity curve: latency (ms) by probe value",
			   "ms", unit, d, (int)n, lat, 3);
		time_chart(f, "capacity curve: error rate (%) by probe value",
			   "%", unit, d, (int)n, err, 1);
		time_chart(f, "capacity curve: achieved flows/s by probe value",
			   "/s", unit, d, (int)n, ach, 1);
	}
	free(d);
	free(v);
	fputs("</section>\n", f);
}

static const char *verdict(json_t *r)
{
	return gw_check_outcome_name(gw_report_outcome(r));
}

static void scenario(FILE *f, json_t *r, size_t idx)
{
	json_t *m = json_object_get(r, "metadata");
	json_t *ops = json_object_get(r, "operations"), *o, *c;
	json_t *mem = json_object_get(r, "memory");
	const char *name;
	size_t i;

	fprintf(f, "<section id=\"s%zu\"><h2><span class=\"%s\">%s</span> ",
		idx, verdict(r), verdict(r));
	esc(f, str(m, "test_name"));
	fprintf(f, "</h2><p class=\"meta\">%.2f s &middot; markers ",
		num(m, "duration_seconds"));
	esc(f, str(m, "markers"));
	fprintf(f, " &middot; %lld errors &middot; %lld samples dropped</p>\n",
		(long long)json_integer_value(json_object_get(
			json_object_get(r, "summary"), "total_errors")),
		(long long)json_integer_value(json_object_get(
			json_object_get(r, "summary"), "samples_dropped")));
	fputs("<ul class=\"checks\">", f);
	json_array_foreach(
		json_object_get(json_object_get(r, "verdict"), "checks"), i, c)
	{
		fprintf(f, "<li class=\"%s\">", str(c, "status"));
		esc(f, str(c, "name"));
		if (strcmp(str(c, "status"), "skipped"))
			fprintf(f, " = %.6g%s (%s %s %.6g%s)",
				num(c, "measured"), str(c, "unit"),
				strcmp(str(c, "comparison"), "==") ? "limit"
								   : "expected",
				str(c, "comparison"), num(c, "limit"),
				str(c, "unit"));
		if (*str(c, "note")) {
			fputs(": ", f);
			esc(f, str(c, "note"));
		}
		fputs("</li>", f);
	}
	fputs("</ul>\n", f);
	if (json_object_size(ops)) {
		fputs("<table><tr><th>operation</th><th>count</th><th>p50</th>"
		      "<th>p95</th><th>p99</th><th>max</th><th>mean</th>"
		      "<th>err%</th><th>ops/s</th></tr>\n",
		      f);
		json_object_foreach(ops, name, o)
		{
			json_t *p = json_object_get(o, "percentiles");

			fputs("<tr><td>", f);
			esc(f, name);
			fprintf(f,
				"</td><td>%lld</td><td>%.3f</td><td>%.3f</td>"
				"<td>%.3f</td><td>%.3f</td><td>%.3f</td>"
				"<td>%.1f</td><td>%.2f</td></tr>\n",
				(long long)json_integer_value(
					json_object_get(p, "count")),
				num(p, "p50"), num(p, "p95"), num(p, "p99"),
				num(p, "max"), num(p, "mean"),
				num(o, "error_rate_percent"),
				num(o, "throughput_per_sec"));
		}
		fputs("</table>\n<p class=\"cap\">latency (ms) by percentile"
		      "</p>\n",
		      f);
		latency_chart(f, ops);
	}
	if (json_object_get(r, "series"))
		series_charts(f, r);
	if (json_is_true(json_object_get(mem, "measured"))) {
		fprintf(f,
			"<p class=\"cap\">gateway RSS: %.1f &rarr; %.1f MB "
			"(%+.1f MB)</p>\n",
			num(mem, "start_mb"), num(mem, "end_mb"),
			num(mem, "growth_mb"));
		memory_chart(f, mem);
	}
	fputs("</section>\n", f);
}

int gw_html_write(const char *path, json_t *const *reports, size_t n,
		  const char *title)
{
	struct gw_atomic_file a;
	size_t count[GW_NOUTCOME] = { 0 };
	FILE *f;

	if (gw_atomic_open(&a, path) < 0)
		return -1;
	f = a.f;
	for (size_t i = 0; i < n; i++)
		count[gw_report_outcome(reports[i])]++;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8"
	      "\"><title>",
	      f);
	esc(f, title);
	fputs("</title><style>\n"
	      "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
	      "table{border-collapse:collapse;margin:.5em 0}"
	      "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}"
	      "td:first-child,th:first-child{text-align:left}"
	      ".passed,.pass{color:#1a7f37}.failed,.fail{color:#cf222e}"
	      ".skipped,.interrupted{color:#9a6700}"
	      "h2 span{font-size:70%;text-transform:uppercase;margin-right:.5em}"
	      ".meta,.cap{color:#555;margin:.2em 0}"
	      ".checks li.pass::marker{content:'\\2713  '}"
	      ".checks li.fail::marker{content:'\\2717  '}"
	      ".checks li.skipped::marker{content:'\\2013  '}"
	      ".grid{stroke:#ddd;stroke-width:1}.ax{font-size:11px;fill:#555}"
	      ".key{font-size:12px}section{margin-bottom:2.5em}"
	      "</style></head><body>\n<h1>",
	      f);
	esc(f, title);
	fprintf(f,
		"</h1>\n<p>%zu passed, %zu failed, %zu skipped, %zu "
		"interrupted</p>\n<table><tr><th>scenario</th><th>verdict</th>"
		"<th>seconds</th><th>errors</th></tr>\n",
		count[GW_PASSED], count[GW_FAILED], count[GW_SKIPPED],
		count[GW_INTERRUPTED]);
	for (size_t i = 0; i < n; i++) {
		json_t *r = reports[i], *m = json_object_get(r, "metadata");

		fprintf(f, "<tr><td><a href=\"#s%zu\">", i);
		esc(f, str(m, "test_name"));
		fprintf(f,
			"</a></td><td class=\"%s\">%s</td><td>%.2f</td>"
			"<td>%lld</td></tr>\n",
			verdict(r), verdict(r), num(m, "duration_seconds"),
			(long long)json_integer_value(
				json_object_get(json_object_get(r, "summary"),
						"total_errors")));
	}
	fputs("</table>\n", f);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(str(json_object_get(reports[i], "metadata"),
				"kind"),
			    "search"))
			search_section(f, reports[i], i);
		else
			scenario(f, reports[i], i);
	fputs("</body></html>\n", f);
	return gw_atomic_commit(&a, 1);
}
