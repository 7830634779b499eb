/*
 * gw_load: the workload run (design in gw_load.h).
 *
 * The open model's starts travel from the scheduler thread to a worker in
 * start records.  A record is busy from the moment the scheduler fills it
 * until its worker has copied it; gw_engine_try_submit admits a start only
 * when jobs running + queued < workers, so at most `workers` records are
 * busy at once and a table of 2 x workers always has a free one.  The
 * scheduler looks for it from where it last found one (acquire, pairing
 * with the worker's release after its copy), fills it, and frees it again
 * itself when the start is dropped.
 *
 * The scheduler sleeps with clock_nanosleep on absolute CLOCK_MONOTONIC
 * deadlines (no drift: every start is computed from its own position,
 * gw_shape.h), in slices of at most 50 ms so a stop is seen.  It hands a
 * start to a worker LEAD_NS (2 ms) before it is due, and the worker waits
 * for the start itself, asleep on a timer.  One wake-up, the worker's own,
 * stands between the schedule and the send instead of two in a row (the
 * scheduler's, then the worker's on the pool's condition variable): at
 * 200/s Poisson the lag p50 went from 63 to 30 us, and the gaps on the
 * wire pass KS as the intended schedule does, p ~ 0.5 (bench-load 2).
 * `start_spin` (off by default) wakes the worker that long early to spin
 * on the clock (cut to 2 % of a core, gw_shape_spin): lag p50 under 1 us,
 * but a spinning worker on busy cores is preempted where a sleeping one
 * would have preempted: beside a test run the gaps as gwsim read them
 * failed KS in 3 of 5 runs with it, 1 of 5 without.  A start that finds
 * every worker busy at hand-over is tried once more when due and dropped
 * only if none is free then either, so dropped starts mean what they
 * meant.
 * When the scheduler falls behind it does not skip: it starts at once and
 * the lag is measured (schedule_lag, late_starts).
 */
#include "gw_load_int.h"
#include "gw_config.h"
#include "gw_procmem.h"
#include "gw_target.h"
#include "gw_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define TICK_NS (20 * GW_NS_PER_MS)
#define SLICE_NS (50 * GW_NS_PER_MS)
#define LEAD_NS (2 * GW_NS_PER_MS)

/* ---- setup --------------------------------------------------------------- */

static int reg_op(struct gw_load *L, const char *name, int http)
{
	return http ? gw_sam_http_op(&L->sam, name) : gw_metrics_op(L->m, name);
}

/* Every operation and counter; -1 with a message if they do not fit. */
static int register_all(struct gw_load *L)
{
	const struct gw_workload *wl = L->wl;
	char name[GW_NAME_LEN + 16];
	int need_ops = 11, need_ctr = 12 + 7; /* gw_sam_init 7 + the run 4 */

	for (int f = 0; f < wl->nflows; f++) {
		need_ops += 2 + 2 * wl->flow[f].nsteps;
		need_ctr += 2 * wl->flow[f].nsteps;
	}
	if (need_ops > GW_MAX_OPS || need_ctr > GW_MAX_COUNTERS)
		return gw_error("%s: the flows need %d operations and %d "
				"counters; a run records at most %d and %d "
				"(fewer steps or flows)",
				wl->file, need_ops, need_ctr, GW_MAX_OPS,
				GW_MAX_COUNTERS);
	gw_sam_init(&L->sam, L->m, L->cfg->target.agent_name);
	L->sam.shard = (unsigned)wl->shard;
	L->op_lag = gw_metrics_op(L->m, "schedule_lag");
	L->op_ttfe = gw_metrics_op(L->m, "ttfe");
	L->op_ttfe_int = gw_metrics_op(L->m, "ttfe.intended");
	L->op_task = gw_metrics_op(L->m, "task_duration");
	for (int f = 0; f < wl->nflows; f++) {
		const struct gw_flow *fl = &wl->flow[f];

		snprintf(name, sizeof(name), "flow.%s", fl->name);
		L->op_flow[f] = gw_metrics_op(L->m, name);
		snprintf(name, sizeof(name), "flow.%s.intended", fl->name);
		L->op_flow_int[f] = gw_metrics_op(L->m, name);
		for (int k = 0; k < fl->nsteps; k++) {
			const struct gw_step *st = &fl->step[k];
			int http = st->kind != GW_STEP_COLLECT;

			if (st->kind == GW_STEP_THINK) {
				L->op_step[f][k] = L->op_step_int[f][k] = -1;
				continue;
			}
			L->op_step[f][k] = reg_op(L, st->op_name, http);
			snprintf(name, sizeof(name), "%s.intended",
				 st->op_name);
			L->op_step_int[f][k] = gw_metrics_op(L->m, name);
		}
	}
	L->c_started = gw_metrics_counter(L->m, "flows_started");
	L->c_completed = gw_metrics_counter(L->m, "flows_completed");
	L->c_failed = gw_metrics_counter(L->m, "flows_failed");
	L->c_cut = gw_metrics_counter(L->m, "flows_cut");
	L->c_late = gw_metrics_counter(L->m, "late_starts");
	L->c_in_flight = gw_metrics_counter(L->m, "in_flight");
	L->c_streams = gw_metrics_counter(L->m, "open_streams");
	return 0;
}

struct gw_load *gw_load_create(const struct gw_workload *wl,
			       const struct gw_config *cfg, struct gw_engine *e,
			       const struct gw_target *t)
{
	struct gw_load *L = gw_xcalloc(1, sizeof(*L));
	size_t upload = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	L->wl = wl;
	L->cfg = cfg;
	L->eng = e;
	L->tgt = t;
	L->window_ns = wl->window_ns;
	L->ncpu = ncpu > 0 ? (int)ncpu : 1;
	L->m = gw_metrics_create(wl->name, "load");
	if (register_all(L) < 0) {
		gw_load_free(L);
		return NULL;
	}
	/* the scheduler's counters, for live snapshots (the endpoint) */
	gw_metrics_external(L->m, "offered_starts", &L->offered);
	gw_metrics_external(L->m, "dropped_starts", &L->dropped);
	for (int f = 0; f < wl->nflows; f++) {
		L->total_weight += wl->flow[f].weight;
		for (int k = 0; k < wl->flow[f].nsteps; k++)
			if (wl->flow[f].step[k].bytes > upload)
				upload = wl->flow[f].step[k].bytes;
	}
	if (upload) {
		L->data = gw_xmalloc(upload);
		for (size_t i = 0; i < upload; i++)
			L->data[i] = (unsigned char)(i * 131 + 7);
		L->data_len = upload;
	}
	L->nstarts = 2 * (size_t)e->nworkers;
	L->starts = gw_xcalloc(L->nstarts, sizeof(L->starts[0]));
	if (wl->cancel_orphans) {
		L->cut = gw_xcalloc((size_t)e->nworkers, sizeof(L->cut[0]));
		for (int i = 0; i < e->nworkers; i++)
			L->cut[i].L = L;
	}
	L->nusers = (int)ceil(gw_shape_peak(&wl->shape) /
			      (wl->nshards > 1 ? wl->nshards : 1)) +
		    (wl->nshards > 1);
	if (wl->model == GW_MODEL_OPEN)
		L->nusers = 0;
	L->users = gw_xcalloc(L->nusers ? (size_t)L->nusers : 1,
			      sizeof(L->users[0]));
	for (int i = 0; i < L->nusers; i++) {
		L->users[i].L = L;
		L->users[i].idx = i;
	}
	L->sofar = gw_xcalloc(GW_MAX_OPS, sizeof(L->sofar[0]));
	return L;
}

void gw_load_free(struct gw_load *L)
{
	if (!L)
		return;
	gw_series_release(&L->series);
	for (int i = 0; i < GW_MAX_OPS; i++)
		gw_hist_release(&L->sofar[i]);
	free(L->sofar);
	gw_metrics_free(L->m);
	free(L->starts);
	free(L->users);
	free(L->data);
	free(L->win);
	free(L->win_err);
	free(L->cut);
	free(L);
}

/* ---- jobs ---------------------------------------------------------------- */

/* A worker's wait for its start (the file comment): asleep until spin ns
 * before due, then on the clock.  Bounded: due is at most LEAD_NS away. */
static void await_due(int64_t due, int64_t spin)
{
	static _Thread_local int slack;
	int64_t wake = due - spin;
	struct timespec ts = { wake / GW_NS_PER_S, wake % GW_NS_PER_S };

	if (!slack) { /* as the scheduler's (sched_main) */
		prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
		slack = 1;
	}
	if (gw_now_ns() < wake)
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	while (gw_now_ns() < due)
		;
}

static void open_job(struct gw_worker *w, void *arg)
{
	struct gw_load_start *rec = arg;
	struct gw_load *L = rec->L;
	int flow = rec->flow;
	int64_t intended = rec->intended, spin = rec->spin;
	struct gw_flow_ctx ctx = { .user = -1 };

	/* release; pairs with free_start's acquire: our reads come first */
	atomic_store_explicit(&rec->busy, 0, memory_order_release);
	await_due(intended, spin);
	if (gw_halting())
		return; /* stopped before its time: never offered */
	atomic_fetch_add_explicit(&L->offered, 1, memory_order_relaxed);
	gw_flow_run(w, L, flow, &ctx, intended, 1);
}

/* A start record no worker holds (see the file comment). */
static struct gw_load_start *free_start(struct gw_load *L, size_t *cursor)
{
	for (size_t j = 0; j < L->nstarts; j++) {
		struct gw_load_start *rec =
			&L->starts[(*cursor + j) % L->nstarts];

		if (!atomic_load_explicit(&rec->busy, memory_order_acquire)) {
			*cursor = (*cursor + j + 1) % L->nstarts;
			return rec;
		}
	}
	return NULL; /* cannot happen: at most `workers` are busy */
}

/*
 * Users (closed) and holders (hold) at time now: the shape's target
 * rounded, or this shard's share of it.  Shard i of n runs
 * R(x (i+1) / n) - R(x i / n) of x (R rounds to nearest): the shares add
 * up to R(x), what one process would run, at every instant.
 */
static int target_users(const struct gw_load *L, int64_t now)
{
	double v = gw_shape_at(&L->wl->shape, now - L->t0);
	int n = L->wl->nshards, i = L->wl->shard;

	if (n <= 1)
		return (int)floor(v + 0.5);
	return (int)floor(v * (i + 1) / n + 0.5) - (int)floor(v * i / n + 0.5);
}

static void user_job(struct gw_worker *w, void *arg)
{
	struct gw_load_user *u = arg;
	struct gw_load *L = u->L;
	struct gw_flow_ctx ctx = { .user = u->idx };
	int64_t pause = 0;

	while (!atomic_load_explicit(&L->stopping, memory_order_relaxed) &&
	       !gw_halting() && u->idx < target_users(L, gw_now_ns())) {
		int f = L->wl->model == GW_MODEL_HOLD
				? L->wl->hold_flow
				: gw_flow_pick(L, gw_worker_rand(w));

		if (gw_flow_run(w, L, f, &ctx, gw_now_ns(), 0) == 0) {
			pause = 0;
			continue;
		}
		/*
		 * A failed flow is tried again after 0.1 s, doubling to 1 s
		 * while it keeps failing: a gateway that refuses connections
		 * answers in microseconds, and users retrying at once would
		 * spin the generator (its CPU, not the gateway, measured)
		 */
		pause = pause ? pause * 2 : GW_NS_PER_S / 10;
		if (pause > GW_NS_PER_S)
			pause = GW_NS_PER_S;
		gw_sleep_ns(pause);
	}
	/* release; pairs with the main thread's acquire in ramp() */
	atomic_store_explicit(&u->running, 0, memory_order_release);
}

/* ---- the scheduler thread (open model, probes) --------------------------- */

/* Sleep until the absolute monotonic time due, in slices; -1 on a stop. */
static int sleep_until(struct gw_load *L, int64_t due)
{
	for (;;) {
		int64_t now = gw_now_ns(), t;
		struct timespec ts;

		if (gw_halting() ||
		    atomic_load_explicit(&L->stopping, memory_order_relaxed))
			return -1;
		if (now >= due)
			return 0;
		t = due - now > SLICE_NS ? now + SLICE_NS : due;
		ts.tv_sec = t / GW_NS_PER_S;
		ts.tv_nsec = t % GW_NS_PER_S;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

static void *sched_main(void *arg)
{
	struct gw_load *L = arg;
	const struct gw_workload *wl = L->wl;
	struct gw_shape probes = { .start = wl->probe_rate };
	const struct gw_shape *shape = &wl->shape;
	struct gw_sched s;
	uint64_t rng = wl->seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
	size_t cursor = 0;
	uint64_t k = 0;
	int64_t t;

	/* the kernel may defer a timer wake-up by the thread's slack, 50 us
	 * by default, to batch it with others: every start would be up to
	 * that late, a jitter the gateway sees in the gaps (bench-load 2) */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	if (wl->model == GW_MODEL_HOLD) {
		gw_shape_add(&probes, gw_shape_duration(&wl->shape),
			     wl->probe_rate);
		shape = &probes;
	}
	gw_sched_init(&s, shape, wl->poisson, wl->seed);
	while ((t = gw_sched_next(&s)) >= 0) {
		struct gw_load_start *rec;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		/* a shard takes every n-th arrival of the one schedule (the
		 * same seed everywhere), flow picks included: the shards'
		 * arrivals together are exactly one process's */
		if (wl->nshards > 1 &&
		    k++ % (uint64_t)wl->nshards != (uint64_t)wl->shard)
			continue;
		if (sleep_until(L, L->t0 + t - LEAD_NS) < 0)
			break;
		rec = free_start(L, &cursor);
		if (rec) {
			rec->L = L;
			rec->flow = wl->model == GW_MODEL_HOLD
					    ? wl->probe_flow
					    : gw_flow_pick(L, rng);
			rec->intended = L->t0 + t;
			rec->spin = gw_shape_spin(wl->spin_ns,
						  gw_shape_at(shape, t));
			atomic_store_explicit(&rec->busy, 1,
					      memory_order_relaxed);
		}
		if (rec && gw_engine_try_submit(L->eng, open_job, rec) < 0) {
			/* every worker busy: once more when it is due */
			int stop = sleep_until(L, L->t0 + t) < 0;

			if (stop ||
			    gw_engine_try_submit(L->eng, open_job, rec) < 0) {
				atomic_store_explicit(&rec->busy, 0,
						      memory_order_relaxed);
				rec = NULL;
			}
			if (stop)
				break;
		}
		if (!rec) {
			atomic_fetch_add_explicit(&L->offered, 1,
						  memory_order_relaxed);
			atomic_fetch_add_explicit(&L->dropped, 1,
						  memory_order_relaxed);
		}
	}
	return NULL;
}

/* ---- the main thread ------------------------------------------------------
 */

/* Start users up to the target; users over it leave by themselves. */
static void ramp(struct gw_load *L, int64_t now)
{
	int n = target_users(L, now);

	if (n > L->nusers)
		n = L->nusers;
	for (int i = 0; i < n; i++) {
		struct gw_load_user *u = &L->users[i];

		/* acquire; pairs with user_job's release at exit */
		if (atomic_load_explicit(&u->running, memory_order_acquire))
			continue;
		atomic_store_explicit(&u->running, 1, memory_order_relaxed);
		gw_engine_submit(L->eng, user_job, u);
	}
}

/* CPU seconds (user + system) from reading a to reading b. */
static double ru_diff(const struct rusage *a, const struct rusage *b)
{
	return (double)(b->ru_utime.tv_sec - a->ru_utime.tv_sec +
			b->ru_stime.tv_sec - a->ru_stime.tv_sec) +
	       (double)(b->ru_utime.tv_usec - a->ru_utime.tv_usec +
			b->ru_stime.tv_usec - a->ru_stime.tv_usec) /
		       1e6;
}

/* gwstress's CPU seconds (every thread) since reading ru0. */
static double cpu_since(const struct rusage *ru0)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru_diff(ru0, &ru);
}

/* gwstress's CPU since the last reading, % of all cores; readings less
 * than 100 ms apart (windows the main thread caught up on) give 0 and
 * leave the reading for the next one. */
static double cpu_now(struct gw_load *L, int64_t now)
{
	struct rusage ru;
	double used, wall;

	if (now - L->ru_last_ns < 100 * GW_NS_PER_MS)
		return 0;
	getrusage(RUSAGE_SELF, &ru);
	used = ru_diff(&L->ru_last, &ru);
	wall = (double)(now - L->ru_last_ns) / 1e9;
	L->ru_last = ru;
	L->ru_last_ns = now;
	return wall > 0 ? 100.0 * used / wall / L->ncpu : 0;
}

/* Record the counters at the end of window nwin. */
static void snapshot(struct gw_load *L, int64_t now)
{
	struct gw_load_win *w;
	struct gw_engine_totals t;
	struct gw_engine *e = L->eng;

	if (L->nwin == L->wincap) {
		L->wincap = L->wincap ? 2 * L->wincap : 256;
		L->win = gw_xrealloc(L->win,
				     (size_t)L->wincap * sizeof(L->win[0]));
		L->win_err =
			gw_xrealloc(L->win_err, (size_t)L->wincap * GW_MAX_OPS *
							sizeof(uint64_t));
	}
	gw_engine_peek_op_errors(e, L->m->nops,
				 &L->win_err[(size_t)L->nwin * GW_MAX_OPS]);
	w = &L->win[L->nwin++];
	memset(w, 0, sizeof(*w));
	gw_engine_peek(e, L->m->nops, &t);
	w->t_ns = now - L->t0;
	w->offered = atomic_load_explicit(&L->offered, memory_order_relaxed);
	w->dropped = atomic_load_explicit(&L->dropped, memory_order_relaxed);
	w->started = gw_engine_peek_counter(e, L->c_started);
	w->completed = gw_engine_peek_counter(e, L->c_completed);
	w->failed = gw_engine_peek_counter(e, L->c_failed);
	w->cut = gw_engine_peek_counter(e, L->c_cut);
	w->late = gw_engine_peek_counter(e, L->c_late);
	w->errors = t.errors;
	w->aborted = t.aborted;
	w->attempts = t.attempts;
	w->in_flight = (int64_t)gw_engine_peek_counter(e, L->c_in_flight);
	w->open_streams = (int64_t)gw_engine_peek_counter(e, L->c_streams);
	for (int i = 0; i < L->nusers; i++)
		w->users += atomic_load_explicit(&L->users[i].running,
						 memory_order_relaxed);
	w->cpu = cpu_now(L, now);
	if (w->cpu > L->cpu_peak)
		L->cpu_peak = w->cpu;
}

static void progress(struct gw_load *L, const struct gw_load_opts *o,
		     int64_t now, int force)
{
	static int64_t last;
	const struct gw_load_win *w = L->nwin ? &L->win[L->nwin - 1] : NULL;
	double el = (double)(now - L->t0) / 1e9;
	double dur = (double)gw_shape_duration(&L->wl->shape) / 1e9;
	const struct gw_load_win *p = L->nwin > 1 ? &L->win[L->nwin - 2] : NULL;
	double secs = w && p ? (double)(w->t_ns - p->t_ns) / 1e9 : 1;
	char line[256];

	if (o->quiet || !w)
		return;
	if (!o->progress && !force && now - last < 10 * GW_NS_PER_S)
		return;
	last = now;
	snprintf(line, sizeof(line),
		 "%6.1fs/%.0fs  offered %.1f/s  started %.1f/s  done %.1f/s  "
		 "in flight %lld  streams %lld  errors %llu  dropped %llu",
		 el, dur, (double)(w->offered - (p ? p->offered : 0)) / secs,
		 (double)(w->started - (p ? p->started : 0)) / secs,
		 (double)(w->completed - (p ? p->completed : 0)) / secs,
		 (long long)w->in_flight, (long long)w->open_streams,
		 (unsigned long long)(w->errors - w->aborted),
		 (unsigned long long)w->dropped);
	if (o->progress)
		fprintf(stderr, "\r\033[K  %s", line);
	else
		fprintf(stderr, "  %s\n", line);
}

static int start_scheduler(struct gw_load *L)
{
	const struct gw_workload *wl = L->wl;
	int err;

	if (wl->model == GW_MODEL_CLOSED ||
	    (wl->model == GW_MODEL_HOLD && wl->probe_rate <= 0))
		return 0;
	err = pthread_create(&L->sched, NULL, sched_main, L);
	if (err)
		return gw_error("cannot start the scheduler: %s",
				strerror(err));
	L->sched_started = 1;
	return 0;
}

/* Stop starting, give flows graceful_stop, then halt what is left. */
static void wind_down(struct gw_load *L, const struct gw_load_opts *o)
{
	int64_t deadline = gw_now_ns() + L->wl->graceful_ns;

	atomic_store_explicit(&L->stopping, 1, memory_order_relaxed);
	if (!L->t_stop)
		L->t_stop = gw_now_ns();
	if (L->aborted || gw_stopping())
		gw_request_halt(1);
	while (gw_engine_busy(L->eng)) {
		int64_t now = gw_now_ns();

		if (now > deadline)
			gw_request_halt(1);
		while (gw_series_window(&L->series, now) >= L->nwin)
			snapshot(L, now);
		gw_judge_windows(L);
		progress(L, o, now, 0);
		gw_sleep_ns(TICK_NS);
		if (gw_halting())
			nanosleep(&(struct timespec){ 0, TICK_NS }, NULL);
	}
	if (L->sched_started)
		pthread_join(L->sched, NULL);
	L->sched_started = 0;
	gw_engine_wait(L->eng, 0, NULL, NULL);
}

/* ---- after the run: cancel what cut flows left running ------------------ */

static void cancel_job(struct gw_worker *w, void *arg)
{
	struct gw_load_cut *c = arg;

	gw_flow_cancel_orphan(w, c->L, c->id);
	c->id[0] = '\0';
}

/*
 * The tasks flows cut by the end of the run left running (see
 * gw_flow_cancel_orphan), cancelled now that the engine is idle and the
 * halt lifted; each cancel is bounded by the request timeout.  Not after
 * a stop (Ctrl-C): that ends at once.
 */
static void cancel_orphans(struct gw_load *L)
{
	if (!L->wl->cancel_orphans || gw_stopping())
		return;
	for (int i = 0; i < L->eng->nworkers; i++)
		if (L->cut[i].id[0])
			gw_engine_submit(L->eng, cancel_job, &L->cut[i]);
	gw_engine_wait(L->eng, 0, NULL, NULL);
}

/* Sleep until the wall-clock instant at_ms, when it is less than a
 * minute away (a shard told to start with the others); a stop ends the
 * wait. */
static void wait_start(long long at_ms)
{
	struct timespec ts;
	long long now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (at_ms <= now || at_ms - now > 60000)
		return;
	while (now < at_ms && !gw_stopping()) {
		gw_sleep_ns((at_ms - now < 100 ? at_ms - now : 100) *
			    GW_NS_PER_MS);
		clock_gettime(CLOCK_REALTIME, &ts);
		now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
}

void gw_load_run(struct gw_load *L, const struct gw_load_opts *o,
		 struct gw_load_result *res)
{
	const struct gw_workload *wl = L->wl;
	int64_t dur = gw_shape_duration(&wl->shape), now;

	memset(res, 0, sizeof(*res));
	L->skip_ns = o->skip_ns;
	L->sat_abort = o->sat_abort;
	if (gw_series_init(&L->series, L->m->nops, wl->window_ns,
			   dur + wl->graceful_ns + 10 * GW_NS_PER_S) < 0) {
		res->outcome = GW_FAILED;
		return;
	}
	gw_request_halt(0);
	wait_start(o->start_at_ms);
	gw_engine_attach(L->eng, L->m, &L->series);
	gw_metrics_start(L->m);
	if (L->tgt->mem_pid) {
		long kb = gw_procmem_rss_kb(L->tgt->mem_pid);

		if (kb >= 0) {
			L->m->mem_source = 1;
			gw_metrics_memory(L->m, (double)kb / 1024.0);
		}
	}
	L->t0 = gw_now_ns();
	L->first_judged = gw_series_window(&L->series, L->t0 + L->skip_ns);
	getrusage(RUSAGE_SELF, &L->ru_last);
	L->ru0 = L->ru_last;
	L->ru_last_ns = L->t0;
	snapshot(L, L->t0); /* all zero: before anything starts */
	if (start_scheduler(L) < 0)
		atomic_store_explicit(&L->stopping, 1, memory_order_relaxed);
	while (!atomic_load_explicit(&L->stopping, memory_order_relaxed)) {
		now = gw_now_ns();
		if (now - L->t0 >= dur || L->aborted || gw_stopping())
			break;
		if (wl->model != GW_MODEL_OPEN)
			ramp(L, now);
		if (gw_series_window(&L->series, now) >= L->nwin) {
			while (gw_series_window(&L->series, now) >= L->nwin)
				snapshot(L, now);
			if (L->tgt->mem_pid) {
				long kb = gw_procmem_rss_kb(L->tgt->mem_pid);

				if (kb >= 0)
					gw_metrics_memory(L->m,
							  (double)kb / 1024.0);
			}
			progress(L, o, now, 0);
		}
		gw_judge_windows(L);
		nanosleep(&(struct timespec){ 0, TICK_NS }, NULL);
	}
	wind_down(L, o);
	L->interrupted = gw_stopping();
	gw_metrics_stop(L->m);
	L->t_end = gw_now_ns();
	if (L->tgt->mem_pid) {
		long kb = gw_procmem_rss_kb(L->tgt->mem_pid);

		if (kb >= 0)
			gw_metrics_memory(L->m, (double)kb / 1024.0);
	}
	snapshot(L, L->t_end);
	L->cpu_seconds = cpu_since(&L->ru0);
	if (o->progress && !o->quiet)
		fputs("\r\033[K", stderr);
	if (gw_engine_collect(L->eng, L->m) < 0)
		gw_check_eq(&L->checks,
			    "sample accounting (produced == "
			    "received + dropped)",
			    0, 1, "");
	gw_series_close_all(&L->series, L->t_end);
	gw_request_halt(0);
	gw_judge_final(L, res);
	cancel_orphans(L);
}
