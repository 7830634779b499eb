/*
 * gw_junit: JUnit XML from the JSON reports (see gw_junit.h).
 *
 * A failure's message is "interrupted; <skip reason>; <note of each failed
 * check, or its name>", at most 511 bytes: JUnit viewers show it on one
 * line, and the report file has the rest.
 */
#include "gw_junit.h"
#include "gw_atomic.h"
#include "gw_check.h"
#include "gw_report.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* XML text with the five predefined entities; control bytes dropped. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
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
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' ||
			    *s == '\t')
				fputc(*s, f);
		}
	}
}

static const char *str(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

/* One line on why a scenario did not pass (see the file comment). */
static void explain(const json_t *r, char *out, size_t n)
{
	const json_t *v = json_object_get(r, "verdict"), *c;
	size_t len = 0, i;

	out[0] = '\0';
	if (json_is_true(json_object_get(json_object_get(r, "metadata"),
					 "interrupted")))
		len = (size_t)snprintf(out, n, "interrupted; ");
	if (*str(v, "skip_reason") && len < n)
		len += (size_t)snprintf(out + len, n - len, "%s; ",
					str(v, "skip_reason"));
	json_array_foreach(json_object_get(v, "checks"), i, c)
	{
		if (len >= n)
			break;
		if (strcmp(str(c, "status"), "fail"))
			continue;
		len += (size_t)snprintf(out + len, n - len, "%s; ",
					*str(c, "note") ? str(c, "note")
							: str(c, "name"));
	}
	if (len >= 2 && len < n)
		out[len - 2] = '\0'; /* drop the last "; " */
}

static void testcase(FILE *f, const json_t *r)
{
	const json_t *m = json_object_get(r, "metadata");
	enum gw_outcome o = gw_report_outcome(r);
	char why[512];

	fputs("    <testcase classname=\"gwstress.", f);
	/* markers as a dotted class */
	for (const char *p = str(m, "markers"); *p; p++)
		if (*p == ' ')
			fputc('.', f);
		else if (*p != '&' && *p != '<' && *p != '"')
			fputc(*p, f);
	fputs("\" name=\"", f);
	xml_text(f, str(m, "test_name"));
	fprintf(f, "\" time=\"%.3f\"",
		json_number_value(json_object_get(m, "duration_seconds")));
	if (o == GW_PASSED) {
		fputs("/>\n", f);
		return;
	}
	explain(r, why, sizeof(why));
	fputs(">\n      <", f);
	fputs(o == GW_SKIPPED ? "skipped" : "failure", f);
	fputs(" message=\"", f);
	xml_text(f, why[0] ? why : "failed");
	fputs("\"/>\n    </testcase>\n", f);
}

int gw_junit_write(const char *path, json_t *const *reports, size_t n,
		   const char *suite)
{
	struct gw_atomic_file a;
	size_t fails = 0, skips = 0;
	double total = 0;

	if (gw_atomic_open(&a, path) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		enum gw_outcome o = gw_report_outcome(reports[i]);

		fails += o == GW_FAILED || o == GW_INTERRUPTED;
		skips += o == GW_SKIPPED;
		total += json_number_value(
			json_object_get(json_object_get(reports[i], "metadata"),
					"duration_seconds"));
	}
	fprintf(a.f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" "
		"time=\"%.3f\">\n  <testsuite name=\"",
		n, fails, skips, total);
	xml_text(a.f, suite);
	fprintf(a.f,
		"\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"%zu\" time=\"%.3f\">\n",
		n, fails, skips, total);
	for (size_t i = 0; i < n; i++)
		testcase(a.f, reports[i]);
	fputs("  </testsuite>\n</testsuites>\n", a.f);
	return gw_atomic_commit(&a, 1);
}
