/*
 * gw_engine: worker pool, job queue and collector (design in gw_engine.h).
 *
 * Collector loop: one pass empties every ring in batches of 256 and
 * records each sample into the attached scenario's histogram.  A pass
 * that drained a whole batch or more goes again at once; one that drained
 * less sleeps COLLECT_IDLE_NS; one that found nothing completes any
 * pending flush request (every push made before the request is visible by
 * then, see gw_engine_collect) and sleeps twice as long as the last time,
 * up to COLLECT_IDLE_MAX_NS: streams that trickle events (a sample a
 * millisecond) wake the collector a thousand times a second, not five
 * thousand.  Any samples reset the sleep to the shortest, so only
 * passes that found nothing one after another lengthen it (a producer
 * writing in bursts, each drained at once, keeps it short).  The longest
 * sleep bounds the rate per ring at ring_size per
 * millisecond (16 M samples/s with 16 Ki-sample rings, 0.5 M with the 512
 * of 5,000 workers), far above what one worker produces, and a busy ring
 * is drained without sleeping; drops, if any, are counted.
 */
#include "gw_engine.h"
#include "gw_util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COLLECT_BATCH 256
#define COLLECT_IDLE_NS (200 * 1000)
#define COLLECT_IDLE_MAX_NS (1000 * 1000)

uint64_t gw_worker_rand(struct gw_worker *w)
{
	uint64_t x = w->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->rng = x;
	return x * 2685821657736338717ULL;
}

void gw_worker_fail(struct gw_worker *w, int op, enum gw_errclass cls,
		    const char *message, const char *ctx_fmt, ...)
{
	char ctx[192];

	gw_stat_add(&w->errors[op], 1);
	gw_stat_add(&w->errclass[cls], 1);
	if (!w->m || atomic_load_explicit(&w->m->nerr, memory_order_relaxed) >=
			     GW_MAX_ERROR_RECORDS)
		return;
	ctx[0] = '\0';
	if (ctx_fmt) {
		va_list ap;

		va_start(ap, ctx_fmt);
		vsnprintf(ctx, sizeof(ctx), ctx_fmt, ap);
		va_end(ap);
	}
	gw_metrics_error(w->m, op, cls, gw_errclass_type(cls), message, ctx);
}

/* ---- collector ----------------------------------------------------------- */

static size_t drain_all(struct gw_engine *e, struct gw_metrics *m,
			struct gw_series *s)
{
	uint64_t buf[COLLECT_BATCH];
	size_t total = 0;

	for (int i = 0; i < e->started_workers; i++) {
		size_t n;

		while ((n = gw_ring_pop(&e->w[i].ring, buf, COLLECT_BATCH))) {
			total += n;
			if (!m) {
				atomic_fetch_add_explicit(&e->orphan_samples, n,
							  memory_order_relaxed);
				continue;
			}
			for (size_t k = 0; k < n; k++) {
				unsigned op = (unsigned)(buf[k] >>
							 GW_SAMPLE_OP_SHIFT);
				unsigned tag = (unsigned)(buf[k] >>
							  GW_SAMPLE_TAG_SHIFT) &
					       0xFFu;
				int64_t v = (int64_t)(buf[k] & GW_SAMPLE_VMASK);

				if (op >= (unsigned)m->nops) {
					m->samples_invalid++;
					continue;
				}
				gw_metrics_record(m, (int)op, v);
				if (s)
					gw_series_record(s, (int)op, tag, v);
			}
			m->samples_received += n;
		}
	}
	return total;
}

/* ---- live snapshots (gw_live.h) ----------------------------------------- */

static uint64_t peek(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * GW_NS_PER_S + ts.tv_nsec;
}

/* Build a snapshot of m into lv's back buffer and publish it.  Collector
 * only: the histograms are its own; the workers' counters are read with
 * relaxed loads (single writers, see gw_stat_add). */
static void live_build(struct gw_engine *e, struct gw_live *lv,
		       struct gw_metrics *m)
{
	struct gw_live_snap *sn = gw_live_back(lv);
	int64_t cpu0 = thread_cpu_ns();
	/* acquire; pairs with the release in gw_metrics_op/_counter */
	int nops = atomic_load_explicit(&m->nops_pub, memory_order_acquire);
	int nctr =
		atomic_load_explicit(&m->ncounters_pub, memory_order_acquire);
	memset(sn, 0, sizeof(*sn));
	gw_strlcpy(sn->name, m->test_name, sizeof(sn->name));
	sn->workers = e->nworkers;
	sn->nops = nops;
	sn->ncounters = nctr;
	for (int k = 0; k < nops; k++) {
		struct gw_live_op *o = &sn->op[k];
		const struct gw_hist *h = &m->op[k].hist;

		gw_strlcpy(o->name, m->op[k].name, sizeof(o->name));
		o->n = h->n;
		o->sum_s = h->mean * (double)h->n / 1e9;
		gw_live_buckets(h, o->le);
	}
	for (int k = 0; k < nctr; k++)
		gw_strlcpy(sn->counter_name[k], m->counter_name[k],
			   GW_NAME_LEN);
	for (int i = 0; i < e->started_workers; i++) {
		const struct gw_worker *w = &e->w[i];

		for (int k = 0; k < nops; k++) {
			sn->op[k].attempts += peek(&w->attempts[k]);
			sn->op[k].errors += peek(&w->errors[k]);
			sn->op[k].produced += peek(&w->produced[k]);
			sn->op[k].dropped += peek(&w->dropped[k]);
		}
		for (int k = 0; k < nctr; k++)
			sn->counter[k] += peek(&w->ctr[k]);
		for (int k = 0; k < GW_E_NCLASS; k++)
			sn->errclass[k] += peek(&w->errclass[k]);
	}
	sn->next = m->next;
	for (int k = 0; k < m->next; k++) {
		gw_strlcpy(sn->ext_name[k], m->ext_name[k], GW_NAME_LEN);
		sn->ext[k] = peek(m->ext[k]);
	}
	sn->samples_received = m->samples_received;
	sn->built_ns = gw_now_ns();
	sn->seq = ++e->live_seq;
	e->live_cpu_ns += thread_cpu_ns() - cpu0;
	sn->build_cpu_s = (double)e->live_cpu_ns / 1e9;
	gw_live_publish(lv);
}

/* Answer an open request: with a new snapshot while m is attached, else
 * with the last one (between runs). */
static void live_poll(struct gw_engine *e, struct gw_live *lv,
		      struct gw_metrics *m)
{
	uint64_t ticket;

	if (!gw_live_pending(lv, &ticket))
		return;
	if (m)
		live_build(e, lv, m);
	gw_live_answer(lv, ticket);
}

static void *collector_main(void *arg)
{
	struct gw_engine *e = arg;
	long idle_ns = COLLECT_IDLE_NS;

	while (!atomic_load_explicit(&e->col_quit, memory_order_acquire)) {
		/* acquire; pairs with gw_engine_collect's release of
		 * flush_req: the pushes made before it are visible now */
		uint64_t req = atomic_load_explicit(&e->flush_req,
						    memory_order_acquire);
		struct gw_metrics *m =
			atomic_load_explicit(&e->cur, memory_order_acquire);
		struct gw_series *s =
			atomic_load_explicit(&e->series, memory_order_acquire);
		/* acquire; pairs with gw_engine_live's release */
		struct gw_live *lv =
			atomic_load_explicit(&e->live, memory_order_acquire);
		size_t got;
		struct timespec ts = { 0, 0 };

		if (s)
			gw_series_tick(s, gw_now_ns());
		if (lv)
			live_poll(e, lv, m);
		got = drain_all(e, m, m ? s : NULL);
		if (got >= COLLECT_BATCH) {
			/* busy: the rings are filling, drain again; the
			 * empty pass that may follow starts from the
			 * shortest sleep, not from where idleness left it */
			idle_ns = COLLECT_IDLE_NS;
			continue;
		}
		if (got) {
			idle_ns = COLLECT_IDLE_NS;
		} else if (req != atomic_load_explicit(&e->flush_done,
						       memory_order_relaxed)) {
			/* everything pushed before the flush is in m: the
			 * live reader gets it too (a run's final values) */
			if (lv && m)
				live_build(e, lv, m);
			/* release; pairs with the acquire in flush() so
			 * the histograms written above are visible */
			atomic_store_explicit(&e->flush_done, req,
					      memory_order_release);
			continue;
		} else if (idle_ns < COLLECT_IDLE_MAX_NS) {
			/* nothing came: wake less often, up to 1 ms */
			idle_ns *= 2;
			if (idle_ns > COLLECT_IDLE_MAX_NS)
				idle_ns = COLLECT_IDLE_MAX_NS;
		}
		ts.tv_nsec = idle_ns;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* Ask the collector for one empty pass after everything pushed so far. */
static int flush(struct gw_engine *e)
{
	uint64_t req =
		atomic_load_explicit(&e->flush_req, memory_order_relaxed) + 1;
	int64_t deadline = gw_now_ns() + 30 * GW_NS_PER_S;
	struct timespec ts = { 0, 100 * 1000 };

	atomic_store_explicit(&e->flush_req, req, memory_order_release);
	while (atomic_load_explicit(&e->flush_done, memory_order_acquire) !=
	       req) {
		if (gw_now_ns() > deadline)
			return gw_error("internal: collector did not drain "
					"within 30 s");
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* ---- workers ------------------------------------------------------------- */

static void *worker_main(void *arg)
{
	struct gw_worker *w = arg;
	struct gw_engine *e = w->eng;

	pthread_mutex_lock(&e->lock);
	for (;;) {
		struct gw_job job;

		while (!e->quit && e->qlen == 0)
			pthread_cond_wait(&e->cv_job, &e->lock);
		if (e->qlen == 0)
			break; /* quit with nothing left to run */
		job = e->q[e->qhead];
		e->qhead = (e->qhead + 1) % e->qcap;
		e->qlen--;
		e->running++;
		if (e->running > e->busy_peak)
			e->busy_peak = e->running;
		w->m = atomic_load_explicit(&e->cur, memory_order_relaxed);
		w->series =
			atomic_load_explicit(&e->series, memory_order_relaxed);
		pthread_mutex_unlock(&e->lock);

		job.fn(w, job.arg);

		pthread_mutex_lock(&e->lock);
		e->running--;
		if (e->running == 0 && e->qlen == 0)
			pthread_cond_broadcast(&e->cv_idle);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

/* Append a job; the caller holds the pool lock. */
static void enqueue(struct gw_engine *e, gw_job_fn fn, void *arg)
{
	if (e->qlen == e->qcap) {
		size_t cap = e->qcap ? e->qcap * 2 : 64;
		struct gw_job *q = gw_xcalloc(cap, sizeof(*q));

		for (size_t i = 0; i < e->qlen; i++)
			q[i] = e->q[(e->qhead + i) % e->qcap];
		free(e->q);
		e->q = q;
		e->qcap = cap;
		e->qhead = 0;
	}
	e->q[(e->qhead + e->qlen) % e->qcap] = (struct gw_job){ fn, arg };
	e->qlen++;
	pthread_cond_signal(&e->cv_job);
}

void gw_engine_submit(struct gw_engine *e, gw_job_fn fn, void *arg)
{
	pthread_mutex_lock(&e->lock);
	enqueue(e, fn, arg);
	pthread_mutex_unlock(&e->lock);
}

int gw_engine_try_submit(struct gw_engine *e, gw_job_fn fn, void *arg)
{
	int full;

	pthread_mutex_lock(&e->lock);
	full = e->running + (int)e->qlen >= e->nworkers;
	if (!full)
		enqueue(e, fn, arg);
	pthread_mutex_unlock(&e->lock);
	return full ? -1 : 0;
}

int gw_engine_busy(struct gw_engine *e)
{
	int n;

	pthread_mutex_lock(&e->lock);
	n = e->running + (int)e->qlen;
	pthread_mutex_unlock(&e->lock);
	return n;
}

static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

void gw_engine_wait(struct gw_engine *e, long tick_ms, void (*tick)(void *),
		    void *ud)
{
	pthread_mutex_lock(&e->lock);
	while (e->running || e->qlen) {
		struct timespec ts;

		if (!tick) {
			pthread_cond_wait(&e->cv_idle, &e->lock);
			continue;
		}
		deadline_in(&ts, tick_ms);
		if (pthread_cond_timedwait(&e->cv_idle, &e->lock, &ts) ==
		    ETIMEDOUT) {
			pthread_mutex_unlock(&e->lock);
			tick(ud);
			pthread_mutex_lock(&e->lock);
		}
	}
	pthread_mutex_unlock(&e->lock);
}

int gw_engine_busy_peak(struct gw_engine *e)
{
	int n;

	pthread_mutex_lock(&e->lock);
	n = e->busy_peak;
	e->busy_peak = 0;
	pthread_mutex_unlock(&e->lock);
	return n;
}

void gw_engine_peek(const struct gw_engine *e, int nops,
		    struct gw_engine_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < e->started_workers; i++) {
		for (int k = 0; k < nops && k < GW_MAX_OPS; k++) {
			t->samples += peek(&e->w[i].produced[k]);
			t->dropped += peek(&e->w[i].dropped[k]);
			t->errors += peek(&e->w[i].errors[k]);
			t->attempts += peek(&e->w[i].attempts[k]);
		}
		t->aborted += peek(&e->w[i].errclass[GW_E_ABORTED]);
	}
}

void gw_engine_peek_op_errors(const struct gw_engine *e, int nops,
			      uint64_t *errors)
{
	memset(errors, 0, (size_t)nops * sizeof(errors[0]));
	for (int i = 0; i < e->started_workers; i++)
		for (int k = 0; k < nops && k < GW_MAX_OPS; k++)
			errors[k] += peek(&e->w[i].errors[k]);
}

uint64_t gw_engine_peek_counter(const struct gw_engine *e, int ctr)
{
	uint64_t n = 0;

	for (int i = 0; i < e->started_workers; i++)
		n += peek(&e->w[i].ctr[ctr]);
	return n;
}

void gw_engine_live(struct gw_engine *e, struct gw_live *lv)
{
	struct gw_live *old =
		atomic_load_explicit(&e->live, memory_order_relaxed);

	if (old && old != lv) {
		gw_live_serve(old, 0);
		/* a pass that began after the store no longer holds old */
		atomic_store_explicit(&e->live, NULL, memory_order_release);
		if (e->started_collector)
			flush(e);
	}
	/* release; pairs with the collector's acquire: lv is set up */
	atomic_store_explicit(&e->live, lv, memory_order_release);
	if (lv)
		gw_live_serve(lv, e->started_collector);
}

void gw_engine_attach(struct gw_engine *e, struct gw_metrics *m,
		      struct gw_series *s)
{
	flush(e); /* anything stray goes to the previous target */
	atomic_store_explicit(&e->series, s, memory_order_release);
	atomic_store_explicit(&e->cur, m, memory_order_release);
}

static uint64_t take(_Atomic uint64_t *c)
{
	uint64_t v = atomic_load_explicit(c, memory_order_relaxed);

	atomic_store_explicit(c, 0, memory_order_relaxed);
	return v;
}

int gw_engine_collect(struct gw_engine *e, struct gw_metrics *m)
{
	uint64_t produced, dropped;
	int rc = 0;

	/* Every job has returned (gw_engine_wait took the pool lock after
	 * the workers' last pushes), so one flush sees all samples. */
	if (flush(e) < 0)
		rc = -1;
	atomic_store_explicit(&e->cur, NULL, memory_order_release);
	atomic_store_explicit(&e->series, NULL, memory_order_release);
	/* a second pass, begun after the stores above, means no pass still
	 * holds the series: the caller may close it */
	if (flush(e) < 0)
		rc = -1;
	for (int i = 0; i < e->started_workers; i++) {
		struct gw_worker *w = &e->w[i];

		for (int k = 0; k < GW_MAX_OPS; k++) {
			uint64_t a = take(&w->attempts[k]);
			uint64_t er = take(&w->errors[k]);
			uint64_t p = take(&w->produced[k]);
			uint64_t d = take(&w->dropped[k]);

			if (k < m->nops) {
				m->op[k].attempts += a;
				m->op[k].errors += er;
				m->op[k].produced += p;
				m->op[k].dropped += d;
			}
		}
		for (int k = 0; k < GW_MAX_COUNTERS; k++) {
			uint64_t v = take(&w->ctr[k]);

			if (k < m->ncounters)
				m->counter[k] += v;
		}
		for (int k = 0; k < GW_E_NCLASS; k++)
			m->err_by_class[k] += take(&w->errclass[k]);
		w->m = NULL;
		w->series = NULL;
	}
	produced = gw_metrics_produced(m);
	dropped = gw_metrics_dropped(m);
	if (produced != m->samples_received + dropped) {
		gw_error("internal: sample accounting off in %s: produced "
			 "%llu != received %llu + dropped %llu",
			 m->test_name, (unsigned long long)produced,
			 (unsigned long long)m->samples_received,
			 (unsigned long long)dropped);
		rc = -1;
	}
	return rc;
}

/* ---- lifecycle ----------------------------------------------------------- */

int gw_engine_start(struct gw_engine *e, int nworkers, size_t stack_bytes,
		    size_t ring_size, const struct gw_http_target *t)
{
	pthread_attr_t attr;
	pthread_condattr_t ca;
	int err, i;

	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cv_job, NULL);
	/* cv_idle is waited on with CLOCK_MONOTONIC deadlines */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->cv_idle, &ca);
	pthread_condattr_destroy(&ca);
	e->nworkers = nworkers;
	e->w = gw_xcalloc((size_t)nworkers, sizeof(*e->w));
	if (stack_bytes < (size_t)PTHREAD_STACK_MIN)
		stack_bytes = (size_t)PTHREAD_STACK_MIN;
	pthread_attr_init(&attr);
	err = pthread_attr_setstacksize(&attr, stack_bytes);
	if (err) {
		gw_error("thread stack size %zu: %s", stack_bytes,
			 strerror(err));
		goto fail;
	}
	for (i = 0; i < nworkers; i++) {
		struct gw_worker *w = &e->w[i];

		w->id = i;
		w->eng = e;
		w->rng = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)i << 32) ^
			 (uint64_t)gw_now_ns() ^ (uint64_t)getpid();
		if (gw_ring_init(&w->ring, ring_size) < 0 ||
		    gw_http_init(&w->http, t) < 0) {
			gw_error("cannot set up worker %d", i);
			goto fail_worker;
		}
		/* pthread_* return the error number; errno is not set */
		err = pthread_create(&w->th, &attr, worker_main, w);
		if (err) {
			gw_error("cannot start worker %d of %d: %s", i,
				 nworkers, strerror(err));
			goto fail_worker;
		}
		e->started_workers++;
	}
	err = pthread_create(&e->collector, &attr, collector_main, e);
	if (err) {
		gw_error("cannot start the collector: %s", strerror(err));
		goto fail;
	}
	e->started_collector = 1;
	pthread_attr_destroy(&attr);
	return 0;

fail_worker:
	/* worker i was set up (maybe partly) but is not counted as started */
	gw_http_release(&e->w[i].http);
	gw_ring_release(&e->w[i].ring);
fail:
	pthread_attr_destroy(&attr);
	gw_engine_stop(e);
	return -1;
}

void gw_engine_stop(struct gw_engine *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->quit = 1;
	pthread_cond_broadcast(&e->cv_job);
	pthread_mutex_unlock(&e->lock);
	for (int i = 0; i < e->started_workers; i++)
		pthread_join(e->w[i].th, NULL);
	if (e->started_collector) {
		atomic_store_explicit(&e->col_quit, 1, memory_order_release);
		pthread_join(e->collector, NULL);
	}
	if (atomic_load_explicit(&e->live, memory_order_relaxed)) {
		gw_live_serve(atomic_load_explicit(&e->live,
						   memory_order_relaxed),
			      0);
		atomic_store_explicit(&e->live, NULL, memory_order_relaxed);
	}
	for (int i = 0; i < e->started_workers; i++) {
		gw_http_release(&e->w[i].http);
		gw_ring_release(&e->w[i].ring);
	}
	free(e->w);
	free(e->q);
	e->w = NULL;
	e->q = NULL;
	e->started_workers = 0;
	e->started_collector = 0;
	pthread_cond_destroy(&e->cv_job);
	pthread_cond_destroy(&e->cv_idle);
	pthread_mutex_destroy(&e->lock);
}
