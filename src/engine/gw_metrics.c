/*
 * gw_metrics: one scenario's measurements (design in gw_metrics.h).
 */
#include "gw_metrics.h"
#include "gw_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

struct gw_metrics *gw_metrics_create(const char *test_name, const char *markers)
{
	struct gw_metrics *m = gw_xcalloc(1, sizeof(*m));

	gw_strlcpy(m->test_name, test_name, sizeof(m->test_name));
	gw_strlcpy(m->markers, markers ? markers : "", sizeof(m->markers));
	pthread_mutex_init(&m->err_lock, NULL);
	return m;
}

void gw_metrics_free(struct gw_metrics *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->nops; i++)
		gw_hist_release(&m->op[i].hist);
	pthread_mutex_destroy(&m->err_lock);
	free(m);
}

static int find(const char (*names)[GW_NAME_LEN], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int gw_metrics_find_op(const struct gw_metrics *m, const char *name)
{
	for (int i = 0; i < m->nops; i++)
		if (!strcmp(m->op[i].name, name))
			return i;
	return -1;
}

int gw_metrics_find_counter(const struct gw_metrics *m, const char *name)
{
	return find(m->counter_name, m->ncounters, name);
}

int gw_metrics_op(struct gw_metrics *m, const char *name)
{
	int id = gw_metrics_find_op(m, name);

	if (id >= 0)
		return id;
	if (m->nops >= GW_MAX_OPS || strlen(name) >= GW_NAME_LEN)
		gw_die(70, "internal: operation table full at '%s'", name);
	id = m->nops++;
	gw_strlcpy(m->op[id].name, name, GW_NAME_LEN);
	gw_hist_init(&m->op[id].hist);
	/* release; pairs with the collector's acquire when it builds a
	 * live snapshot: the name and histogram above are complete */
	atomic_store_explicit(&m->nops_pub, m->nops, memory_order_release);
	return id;
}

int gw_metrics_counter(struct gw_metrics *m, const char *name)
{
	int id = gw_metrics_find_counter(m, name);

	if (id >= 0)
		return id;
	if (m->ncounters >= GW_MAX_COUNTERS || strlen(name) >= GW_NAME_LEN)
		gw_die(70, "internal: counter table full at '%s'", name);
	id = m->ncounters++;
	gw_strlcpy(m->counter_name[id], name, GW_NAME_LEN);
	/* release; pairs with the collector's acquire (as for ops) */
	atomic_store_explicit(&m->ncounters_pub, m->ncounters,
			      memory_order_release);
	return id;
}

void gw_metrics_external(struct gw_metrics *m, const char *name,
			 const _Atomic uint64_t *v)
{
	if (m->next >= GW_METRICS_MAX_EXT || strlen(name) >= GW_NAME_LEN)
		gw_die(70, "internal: external counter table full at '%s'",
		       name);
	gw_strlcpy(m->ext_name[m->next], name, GW_NAME_LEN);
	m->ext[m->next++] = v;
}

void gw_metrics_start(struct gw_metrics *m)
{
	struct timeval tv;
	struct tm tm;
	char base[32];

	/* the seed's datetime.now().isoformat(): local, no zone, micros */
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (tv.tv_usec)
		snprintf(m->timestamp, sizeof(m->timestamp), "%s.%06ld", base,
			 (long)tv.tv_usec);
	else
		gw_strlcpy(m->timestamp, base, sizeof(m->timestamp));
	m->start_ns = gw_now_ns();
	m->end_ns = 0;
	m->started = 1;
	m->stopped = 0;
}

void gw_metrics_stop(struct gw_metrics *m)
{
	if (!m->started || m->stopped)
		return;
	m->end_ns = gw_now_ns();
	m->stopped = 1;
}

double gw_metrics_duration(const struct gw_metrics *m)
{
	int64_t end;

	if (!m->started)
		return 0.0;
	end = m->stopped ? m->end_ns : gw_now_ns();
	return (double)(end - m->start_ns) / 1e9;
}

void gw_metrics_gauge(struct gw_metrics *m, const char *name, double v,
		      int is_int)
{
	int i;

	for (i = 0; i < m->ngauges; i++)
		if (!strcmp(m->gauge[i].name, name))
			break;
	if (i == m->ngauges) {
		if (m->ngauges >= GW_MAX_GAUGES)
			gw_die(70, "internal: gauge table full at '%s'", name);
		m->ngauges++;
		gw_strlcpy(m->gauge[i].name, name, GW_NAME_LEN);
	}
	m->gauge[i].value = v;
	m->gauge[i].is_int = is_int;
}

void gw_metrics_memory(struct gw_metrics *m, double rss_mb)
{
	if (m->nmem >= GW_MAX_MEM_SAMPLES) {
		/* keep the last sample current: a growth figure must use
		 * the latest reading */
		m->mem[GW_MAX_MEM_SAMPLES - 1].rss_mb = rss_mb;
		m->mem[GW_MAX_MEM_SAMPLES - 1].t_s = gw_metrics_duration(m);
		return;
	}
	m->mem[m->nmem].t_s = gw_metrics_duration(m);
	m->mem[m->nmem].rss_mb = rss_mb;
	m->nmem++;
}

void gw_metrics_error(struct gw_metrics *m, int op, enum gw_errclass cls,
		      const char *type, const char *message, const char *ctx)
{
	struct gw_error_rec *e;
	int n;

	/* acquire; pairs with the release store below.  Once the log is
	 * full no lock is ever taken again. */
	if (atomic_load_explicit(&m->nerr, memory_order_acquire) >=
	    GW_MAX_ERROR_RECORDS)
		return;
	pthread_mutex_lock(&m->err_lock);
	n = atomic_load_explicit(&m->nerr, memory_order_relaxed);
	if (n < GW_MAX_ERROR_RECORDS) {
		e = &m->err[n];
		e->t_ns = m->started ? gw_now_ns() - m->start_ns : 0;
		e->op = op;
		e->cls = cls;
		gw_strlcpy(e->type, type, sizeof(e->type));
		gw_strlcpy(e->message, message, sizeof(e->message));
		gw_strlcpy(e->context, ctx && *ctx ? ctx : "{}",
			   sizeof(e->context));
		atomic_store_explicit(&m->nerr, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&m->err_lock);
}

uint64_t gw_metrics_total_errors(const struct gw_metrics *m)
{
	uint64_t n = 0;

	for (int i = 0; i < m->nops; i++)
		n += m->op[i].errors;
	return n;
}

uint64_t gw_metrics_count(const struct gw_metrics *m, int op)
{
	return op >= 0 && op < m->nops ? m->op[op].hist.n : 0;
}

double gw_metrics_error_rate(const struct gw_metrics *m, int op)
{
	const struct gw_op *o;
	uint64_t den;

	if (op < 0 || op >= m->nops)
		return 0.0;
	o = &m->op[op];
	/* requests: errors / attempts.  Other operations (no attempts
	 * counted): errors / (samples + errors), each failure counted once,
	 * unlike the seed, which counts a failed request in both terms. */
	den = o->attempts ? o->attempts : o->hist.n + o->errors;
	return den ? 100.0 * (double)o->errors / (double)den : 0.0;
}

double gw_metrics_throughput(const struct gw_metrics *m, int op)
{
	double d = gw_metrics_duration(m);

	return d > 0 ? (double)gw_metrics_count(m, op) / d : 0.0;
}

uint64_t gw_metrics_dropped(const struct gw_metrics *m)
{
	uint64_t n = 0;

	for (int i = 0; i < m->nops; i++)
		n += m->op[i].dropped;
	return n;
}

uint64_t gw_metrics_produced(const struct gw_metrics *m)
{
	uint64_t n = 0;

	for (int i = 0; i < m->nops; i++)
		n += m->op[i].produced;
	return n;
}

uint64_t gw_metrics_counter_value(const struct gw_metrics *m, const char *name)
{
	int id = gw_metrics_find_counter(m, name);

	return id >= 0 ? m->counter[id] : 0;
}

double gw_metrics_quantile_ms(const struct gw_metrics *m, int op, double q)
{
	if (op < 0 || op >= m->nops)
		return 0.0;
	return (double)gw_hist_quantile(&m->op[op].hist, q) / 1e6;
}

void gw_metrics_mem_trend(const struct gw_metrics *m, struct gw_mem_trend *t)
{
	memset(t, 0, sizeof(*t));
	if (!m->nmem)
		return;
	t->start_mb = m->mem[0].rss_mb;
	t->end_mb = m->mem[m->nmem - 1].rss_mb;
	t->max_mb = t->min_mb = t->start_mb;
	for (int i = 1; i < m->nmem; i++) {
		if (m->mem[i].rss_mb > t->max_mb)
			t->max_mb = m->mem[i].rss_mb;
		if (m->mem[i].rss_mb < t->min_mb)
			t->min_mb = m->mem[i].rss_mb;
	}
	t->growth_mb = t->end_mb - t->start_mb;
	t->sample_count = m->nmem;
}

int gw_metrics_ops_in_order(const struct gw_metrics *m, int *ids)
{
	int n = 0;

	for (int seq = 1; seq <= m->nseen; seq++)
		for (int i = 0; i < m->nops; i++)
			if (m->op[i].first_seen == seq && m->op[i].hist.n)
				ids[n++] = i;
	return n;
}

int gw_metrics_nerr(const struct gw_metrics *m)
{
	/* acquire; pairs with gw_metrics_error's release store */
	return atomic_load_explicit(&m->nerr, memory_order_acquire);
}
