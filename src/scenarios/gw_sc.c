/*
 * gw_sc: helpers shared by the scenario files (see gw_sc.h): the seed's
 * per-event samples, the success check, pacing from intended start times,
 * the start gate, the health probe and the paced submitter.
 */
#include "gw_sc.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void gw_sc_seed_event_samples(struct gw_worker *w, int op,
			      const struct gw_sam_stream *c)
{
	int64_t total = c->t_end - c->t0;

	for (uint32_t i = 0; i < c->events; i++)
		gw_rec(w, op, total);
}

void gw_sc_merge_ratio(struct gw_scen *s, long num, long den)
{
	char arg[64];

	snprintf(arg, sizeof(arg), "%ld/%ld", num, den);
	gw_check_merge(&s->checks, GW_MERGE_RATIO, arg, 0);
}

void gw_sc_check_success(struct gw_scen *s, const char *what, long ok, long n)
{
	double pct = n ? 100.0 * (double)ok / (double)n : 0.0;

	gw_check_ge(&s->checks, what, pct,
		    s->run->cfg->thresholds.min_success_rate_percent, "%");
	gw_check_note(&s->checks, "%s: %ld of %ld (%.1f%%), need >= %g%%", what,
		      ok, n, pct,
		      s->run->cfg->thresholds.min_success_rate_percent);
	gw_sc_merge_ratio(s, ok, n);
}

void gw_sc_pace_init(struct gw_sc_pacer *p, int64_t period_ns, int64_t end_ns)
{
	p->t0 = gw_now_ns();
	p->period = period_ns;
	p->end = end_ns;
	p->k = 0;
}

int gw_sc_pace_next(struct gw_sc_pacer *p, int64_t *intended)
{
	int64_t due = p->t0 + (int64_t)p->k * p->period;
	int64_t now = gw_now_ns();

	if (p->end && due >= p->end)
		return -1;
	if (due > now && gw_sleep_ns(due - now) < 0)
		return -1;
	if (gw_stopping())
		return -1;
	p->k++;
	*intended = due;
	return 0;
}

void gw_sc_gate(_Atomic int *n, int count, int64_t max_ns)
{
	int64_t end = gw_now_ns() + max_ns;
	struct timespec ts = { 0, 200 * 1000 };

	atomic_fetch_add(n, 1);
	while (atomic_load(n) < count && gw_now_ns() < end && !gw_stopping())
		nanosleep(&ts, NULL);
}

int gw_sc_health(struct gw_worker *w, struct gw_scen *s, int op)
{
	struct gw_http_result r;

	return gw_sam_rest(w, &s->sam, op, "GET", "/health", NULL, &r) == 0;
}

unsigned char *gw_sc_artifact_bytes(size_t len, uint64_t seed)
{
	unsigned char *p = gw_xmalloc(len ? len : 1);
	uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;

	for (size_t i = 0; i < len; i += 8) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		uint64_t v = x * 2685821657736338717ULL;
		size_t k = len - i < 8 ? len - i : 8;

		memcpy(p + i, &v, k);
	}
	return p;
}
/* ---- paced submitter ---
-------------------------------------------------- */

struct paced_task {
	struct gw_sc_paced *p;
	struct gw_task t;
};

static void paced_collect(struct gw_worker *w, void *arg)
{
	struct paced_task *pt = arg;
	struct gw_sc_paced *p = pt->p;
	struct gw_sam_stream c = { 0 };

	c.task = &pt->t;
	c.window_ms = p->window_ms;
	gw_sam_collect(w, &p->s->sam, &c);
	gw_count(w, p->c_events, c.events);
	gw_count(w, p->c_completed, c.terminal);
	free(pt);
}

void gw_sc_paced_job(struct gw_worker *w, void *arg)
{
	struct gw_sc_paced *p = arg;
	struct gw_sc_pacer pc;
	int64_t due;
	char text[96];

	gw_sc_pace_init(&pc, p->period, p->end);
	while (gw_sc_pace_next(&pc, &due) == 0) {
		struct paced_task *pt = gw_xcalloc(1, sizeof(*pt));

		pt->p = p;
		snprintf(text, sizeof(text), p->text_fmt,
			 (unsigned long long)pc.k - 1);
		if (gw_sam_submit(w, &p->s->sam, p->op_submit, text, NULL,
				  &pt->t) == 0) {
			gw_rec(w, p->op_corr, gw_now_ns() - due);
			gw_count(w, p->c_submitted, 1);
			gw_engine_submit(w->eng, paced_collect, pt);
		} else {
			free(pt);
		}
		if (p->each)
			p->each(w, p);
		atomic_fetch_add(&p->rounds, 1);
	}
}

void gw_sc_paced_setup(struct gw_scen *s, struct gw_sc_paced *p, const char *op,
		       const char *submitted, const char *events,
		       const char *completed)
{
	char corr[GW_NAME_LEN];

	snprintf(corr, sizeof(corr), "%s_corrected", op);
	p->s = s;
	p->window_ms = 10000;
	p->op_submit = gw_metrics_op(s->m, op);
	p->op_corr = gw_metrics_op(s->m, corr);
	p->c_submitted = gw_metrics_counter(s->m, submitted);
	p->c_events = gw_metrics_counter(s->m, events);
	p->c_completed = gw_metrics_counter(s->m, completed);
}
