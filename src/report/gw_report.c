/*
 * gw_report: console summary and JSON report (see gw_report.h).
 *
 * Jansson keeps object keys in insertion order (2.8+), which gives the
 * seed's key order: p50, p95, p99, min, max, mean, count, stddev.
 * JSON floats are written with 17 significant digits (full precision, as
 * Python's json module) and the file is ASCII with indent 2.
 */
#include "gw_report.h"
#include "gw_config.h"
#include "gw_hist_json.h"
#include "gw_metrics.h"
#include "gw_scen.h"
#include "gw_util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char rule_eq[] =
	"======================================================================";
static const char rule_dash[] =
	"----------------------------------------------------------------------";

/* ---- console ------------------------------------------------------------- */

/* 1234567 -> "1,234,567" */
static void thousands(char *out, size_t n, uint64_t v)
{
	char digits[32];
	size_t len, k = 0;

	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	len = strlen(digits);
	for (size_t i = 0; i < len && k + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	out[k] = '\0';
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void console_latency(FILE *f, const struct gw_metrics *m)
{
	int order[GW_MAX_OPS];
	int nord = gw_metrics_ops_in_order(m, order);

	if (!nord)
		return;
	fprintf(f, "\nLATENCY STATISTICS (milliseconds)\n%s\n", rule_dash);
	fprintf(f, "%-25s %8s %8s %8s %8s %6s\n%s\n", "Operation", "Count",
		"P50", "P95", "P99", "Err%", rule_dash);
	for (int k = 0; k < nord; k++) {
		int i = order[k];

		fprintf(f, "%-25s %8llu %8.1f %8.1f %8.1f %5.1f%%\n",
			m->op[i].name, (unsigned long long)m->op[i].hist.n,
			gw_metrics_quantile_ms(m, i, 0.50),
			gw_metrics_quantile_ms(m, i, 0.95),
			gw_metrics_quantile_ms(m, i, 0.99),
			gw_metrics_error_rate(m, i));
	}
	fprintf(f, "\nTHROUGHPUT (operations/second)\n%s\n", rule_dash);
	for (int k = 0; k < nord; k++)
		fprintf(f, "  %s: %.2f ops/sec\n", m->op[order[k]].name,
			gw_metrics_throughput(m, order[k]));
}

/* counters with a value, sorted by name (the seed's layout) */
static void console_counters(FILE *f, const struct gw_metrics *m)
{
	const char *names[GW_MAX_COUNTERS];
	int nnames = 0;
	char buf[40];

	for (int i = 0; i < m->ncounters; i++)
		if (m->counter[i])
			names[nnames++] = m->counter_name[i];
	if (!nnames && !gw_metrics_total_errors(m))
		return;
	qsort(names, (size_t)nnames, sizeof(names[0]), cmp_names);
	fprintf(f, "\nCOUNTERS\n%s\n", rule_dash);
	for (int i = 0; i < nnames; i++) {
		thousands(buf, sizeof(buf),
			  gw_metrics_counter_value(m, names[i]));
		fprintf(f, "  %s: %s\n", names[i], buf);
	}
}

static void console_memory_errors(FILE *f, const struct gw_metrics *m)
{
	struct gw_mem_trend mt;
	int nerr = gw_metrics_nerr(m);

	gw_metrics_mem_trend(m, &mt);
	if (mt.sample_count > 0)
		fprintf(f,
			"\nMEMORY USAGE\n%s\n  Start:  %.1f MB\n"
			"  End:    %.1f MB\n  Max:    %.1f MB\n"
			"  Growth: %+.1f MB\n",
			rule_dash, mt.start_mb, mt.end_mb, mt.max_mb,
			mt.growth_mb);
	if (nerr <= 0)
		return;
	fprintf(f, "\nERRORS (first 10)\n%s\n", rule_dash);
	for (int i = 0; i < nerr && i < 10; i++) {
		const struct gw_error_rec *e = &m->err[i];

		fprintf(f, "  [%.2fs] %s: %s - %.50s\n", (double)e->t_ns / 1e9,
			m->op[e->op].name, e->type, e->message);
	}
}

/* addition: the verdict, every check with its limit */
static void console_verdict(FILE *f, const struct gw_scen *s)
{
	fprintf(f, "\nVERDICT: %s\n%s\n",
		gw_check_outcome_word(gw_scen_outcome(s)), rule_dash);
	if (s->skip_reason[0])
		fprintf(f, "  %s\n", s->skip_reason);
	for (int i = 0; i < s->checks.n; i++) {
		const struct gw_check *c = &s->checks.c[i];
		int failed = c->status == GW_CHECK_FAIL;

		if (c->status == GW_CHECK_SKIP)
			fprintf(f, "  [SKIP] %s: %s\n", c->name, c->note);
		else
			fprintf(f, "  [%s] %s = %.6g%s (%s %s %.6g%s)%s%s\n",
				gw_check_status_tag(c->status), c->name,
				c->measured, c->unit,
				strcmp(c->cmp, "==") ? "limit" : "expected",
				c->cmp, c->limit, c->unit,
				failed && c->note[0] ? ": " : "",
				failed ? c->note : "");
	}
	if (s->m->interrupted)
		fprintf(f, "  (interrupted: the run was stopped early)\n");
}

void gw_report_console_head(FILE *f, const struct gw_metrics *m)
{
	uint64_t dropped = gw_metrics_dropped(m);

	fprintf(f, "\n%s\n  STRESS TEST REPORT: %s\n%s\n", rule_eq,
		m->test_name, rule_eq);
	fprintf(f, "  Duration: %.2f seconds\n", gw_metrics_duration(m));
	fprintf(f, "  Total Errors: %llu\n",
		(unsigned long long)gw_metrics_total_errors(m));
	/* addition: sample accounting, next to the numbers it qualifies */
	fprintf(f, "  Samples: %llu recorded, %llu dropped%s\n",
		(unsigned long long)m->samples_received,
		(unsigned long long)dropped,
		dropped ? " (ring full: percentiles exclude them)" : "");
	fprintf(f, "%s\n", rule_eq);
	console_latency(f, m);
	console_counters(f, m);
	console_memory_errors(f, m);
}

void gw_report_console(FILE *f, const struct gw_scen *s)
{
	gw_report_console_head(f, s->m);
	console_verdict(f, s);
	fprintf(f, "\n%s\n", rule_eq);
}

/* ---- JSON ---------------------------------------------------------------- */

json_t *gw_report_config(const struct gw_config *cfg, json_t **sources)
{
	json_t *root = json_object();

	*sources = json_object();
	for (size_t i = 0; i < gw_config_nkeys; i++) {
		const struct gw_config_key *k = &gw_config_keys[i];
		const char *base = (const char *)cfg + k->offset;
		json_t *sec = json_object_get(root, k->section), *v;

		if (!sec) {
			sec = json_object();
			json_object_set_new(root, k->section, sec);
		}
		switch (k->type) {
		case GW_KEY_LONG:
			v = json_integer(*(const long *)(const void *)base);
			break;
		case GW_KEY_DOUBLE:
			v = json_real(*(const double *)(const void *)base);
			break;
		case GW_KEY_BOOL:
			v = json_boolean(*(const int *)(const void *)base);
			break;
		default:
			v = json_string(base);
			break;
		}
		json_object_set_new(sec, k->name, v ? v : json_null());
		if (cfg->src[i] != GW_SRC_DEFAULT) {
			char key[128];

			snprintf(key, sizeof(key), "%s.%s", k->section,
				 k->name);
			json_object_set_new(*sources, key,
					    json_string(gw_config_src_name(
						    (enum gw_src)cfg->src[i])));
		}
	}
	return root;
}

/* metadata: the seed's three keys, then ours */
static json_t *report_metadata(const struct gw_metrics *m,
			       const struct gw_report_ctx *c, int passed)
{
	json_t *meta = json_pack("{s:s, s:s, s:f}", "test_name", m->test_name,
				 "timestamp", m->timestamp, "duration_seconds",
				 gw_metrics_duration(m));

	json_object_set_new(meta, "tool", json_string(c->tool));
	json_object_set_new(meta, "markers", json_string(m->markers));
	json_object_set_new(meta, "target", json_string(c->target));
	json_object_set_new(meta, "bundled_gateway", json_boolean(c->bundled));
	json_object_set_new(meta, "profile", json_string(c->cfg->profile.name));
	json_object_set_new(meta, "profile_file",
			    json_string(c->cfg->source_file));
	json_object_set_new(meta, "interrupted", json_boolean(m->interrupted));
	json_object_set_new(meta, "passed", json_boolean(passed));
	return meta;
}

/* as the seed: only operations with samples, first-recorded order */
static json_t *report_operations(const struct gw_metrics *m)
{
	json_t *ops = json_object();
	int order[GW_MAX_OPS];
	int nops = gw_metrics_ops_in_order(m, order);

	for (int k = 0; k < nops; k++) {
		int i = order[k];
		const struct gw_op *o = &m->op[i];

		json_object_set_new(
			ops, o->name,
			json_pack("{s:o, s:f, s:f, s:I, s:I, s:I, s:o}",
				  "percentiles",
				  gw_hist_json_percentiles(&o->hist),
				  "throughput_per_sec",
				  gw_metrics_throughput(m, i),
				  "error_rate_percent",
				  gw_metrics_error_rate(m, i), "attempts",
				  (json_int_t)o->attempts, "errors",
				  (json_int_t)o->errors, "dropped_samples",
				  (json_int_t)o->dropped, "histogram",
				  gw_hist_json_buckets(&o->hist)));
	}
	return ops;
}

static json_t *report_summary(const struct gw_metrics *m, int nops, int passed)
{
	json_t *classes = json_object();

	for (int k = 1; k < GW_E_NCLASS; k++)
		json_object_set_new(
			classes, gw_errclass_name((enum gw_errclass)k),
			json_integer((json_int_t)m->err_by_class[k]));
	return json_pack("{s:I, s:i, s:b, s:I, s:I, s:I, s:o}", "total_errors",
			 (json_int_t)gw_metrics_total_errors(m),
			 "operations_count", nops, "passed", passed,
			 "samples_produced", (json_int_t)gw_metrics_produced(m),
			 "samples_received", (json_int_t)m->samples_received,
			 "samples_dropped", (json_int_t)gw_metrics_dropped(m),
			 "errors_by_class", classes);
}

/* counters: the seed's record_error adds errors_<op> and total_errors;
 * we derive them from the per-op error counts */
static json_t *report_counters(const struct gw_metrics *m)
{
	json_t *ctrs = json_object();

	for (int i = 0; i < m->ncounters; i++)
		json_object_set_new(ctrs, m->counter_name[i],
				    json_integer((json_int_t)m->counter[i]));
	for (int i = 0; i < m->nops; i++)
		if (m->op[i].errors) {
			char key[GW_NAME_LEN + 8];

			snprintf(key, sizeof(key), "errors_%s", m->op[i].name);
			json_object_set_new(
				ctrs, key,
				json_integer((json_int_t)m->op[i].errors));
		}
	if (gw_metrics_total_errors(m))
		json_object_set_new(
			ctrs, "total_errors",
			json_integer((json_int_t)gw_metrics_total_errors(m)));
	return ctrs;
}

static json_t *report_gauges(const struct gw_metrics *m)
{
	json_t *gauges = json_object();

	for (int i = 0; i < m->ngauges; i++)
		json_object_set_new(
			gauges, m->gauge[i].name,
			m->gauge[i].is_int
				? json_integer((json_int_t)m->gauge[i].value)
				: json_real(m->gauge[i].value));
	return gauges;
}

static json_t *report_memory(const struct gw_metrics *m)
{
	struct gw_mem_trend mt;
	json_t *samples = json_array();

	gw_metrics_mem_trend(m, &mt);
	for (int i = 0; i < m->nmem; i++)
		json_array_append_new(samples,
				      json_pack("[f, f]", m->mem[i].t_s,
						m->mem[i].rss_mb));
	return json_pack(
		"{s:f, s:f, s:f, s:f, s:f, s:i, s:b, s:s, s:o}", "start_mb",
		mt.start_mb, "end_mb", mt.end_mb, "max_mb", mt.max_mb, "min_mb",
		mt.min_mb, "growth_mb", mt.growth_mb, "sample_count",
		mt.sample_count, "measured", mt.sample_count > 0, "source",
		m->mem_source ? "/proc/<pid>/status VmRSS" : "not measured",
		"samples", samples);
}

static json_t *report_errors(const struct gw_metrics *m)
{
	json_t *errs = json_array();
	int nerr = gw_metrics_nerr(m);

	for (int i = 0; i < nerr; i++) {
		const struct gw_error_rec *e = &m->err[i];
		json_t *ctx = json_loads(e->context, 0, NULL);

		/* ids from a hostile gateway may break the JSON text: keep
		 * it as a string rather than lose it */
		if (!json_is_object(ctx)) {
			json_decref(ctx);
			ctx = json_pack("{s:s}", "raw", e->context);
		}
		json_array_append_new(
			errs,
			json_pack("{s:f, s:s, s:s, s:s, s:o, s:s}", "timestamp",
				  (double)e->t_ns / 1e9, "operation",
				  m->op[e->op].name, "error_type", e->type,
				  "error_message", e->message, "context",
				  ctx ? ctx : json_object(), "error_class",
				  gw_errclass_name(e->cls)));
	}
	return errs;
}

json_t *gw_report_verdict(const struct gw_checks *k, int passed,
			  const char *skip_reason)
{
	json_t *checks = json_array();

	for (int i = 0; i < k->n; i++) {
		const struct gw_check *c = &k->c[i];
		json_t *o = json_pack("{s:s, s:s}", "name", c->name, "status",
				      gw_check_status_name(c->status));

		if (c->status != GW_CHECK_SKIP) {
			json_object_set_new(o, "comparison",
					    json_string(c->cmp));
			json_object_set_new(o, "limit", json_real(c->limit));
			json_object_set_new(o, "measured",
					    json_real(c->measured));
			json_object_set_new(o, "unit", json_string(c->unit));
		}
		if (c->note[0])
			json_object_set_new(o, "note", json_string(c->note));
		if (c->status != GW_CHECK_SKIP) {
			/* how a shard merge makes it again (gw_merge) */
			json_t *mg = json_pack("{s:s}", "how",
					       gw_check_merge_name(c->merge));

			if (c->merge_arg[0])
				json_object_set_new(mg, "arg",
						    json_string(c->merge_arg));
			if (c->merge == GW_MERGE_QUANTILE)
				json_object_set_new(mg, "q",
						    json_real(c->merge_q));
			json_object_set_new(o, "merge", mg);
		}
		json_array_append_new(checks, o);
	}
	return json_pack("{s:b, s:s, s:o}", "passed", passed, "skip_reason",
			 skip_reason, "checks", checks);
}

void gw_report_add_metrics(json_t *root, const struct gw_metrics *m, int passed)
{
	json_t *ops = report_operations(m);

	json_object_set_new(root, "summary",
			    report_summary(m, (int)json_object_size(ops),
					   passed));
	json_object_set_new(root, "operations", ops);
	json_object_set_new(root, "counters", report_counters(m));
	json_object_set_new(root, "gauges", report_gauges(m));
	json_object_set_new(root, "memory", report_memory(m));
	json_object_set_new(root, "errors", report_errors(m));
}

json_t *gw_report_json(const struct gw_scen *s, const struct gw_report_ctx *c)
{
	const struct gw_metrics *m = s->m;
	/* an interrupted run did not finish: it cannot have passed */
	int passed = gw_scen_outcome(s) == GW_PASSED;
	json_t *root = json_object(), *sources;

	json_object_set_new(root, "schema_version",
			    json_integer(GW_REPORT_SCHEMA_VERSION));
	json_object_set_new(root, "metadata", report_metadata(m, c, passed));
	gw_report_add_metrics(root, m, passed);
	json_object_set_new(root, "verdict",
			    gw_report_verdict(&s->checks, passed,
					      s->skip_reason));
	json_object_set_new(root, "config", gw_report_config(c->cfg, &sources));
	json_object_set_new(root, "config_sources", sources);
	return root;
}

/* ---- files --------------------------------------------------------------- */

int gw_report_path(const struct gw_config *cfg, const char *test_name,
		   char *out, size_t n)
{
	const char *p = cfg->report.path;
	int len;

	if (p[0]) {
		/* splitext: the last dot of the last path component */
		const char *slash = strrchr(p, '/');
		const char *dot = strrchr(slash ? slash + 1 : p, '.');
		int base = dot && dot != (slash ? slash + 1 : p)
				   ? (int)(dot - p)
				   : (int)strlen(p);

		len = snprintf(out, n, "%.*s_%s%s", base, p, test_name,
			       p + base);
	} else {
		len = snprintf(out, n, "%s/stress_report_%s.json",
			       cfg->report.dir, test_name);
	}
	return len < 0 || (size_t)len >= n ? -1 : 0;
}

enum gw_outcome gw_report_outcome(const json_t *report)
{
	const json_t *v = json_object_get(report, "verdict");
	const char *skip = json_string_value(json_object_get(v, "skip_reason"));

	return gw_check_outcome(
		json_is_true(json_object_get(v, "passed")), skip && *skip,
		json_is_true(json_object_get(
			json_object_get(report, "metadata"), "interrupted")));
}
