/*
 * gw_scen: a running scenario's main-thread side -- outcome, memory
 * samples, waiting for its jobs with the live progress line.  See
 * gw_scen.h.
 */
#include "gw_scen.h"
#include "gw_config.h"
#include "gw_metrics.h"
#include "gw_procmem.h"
#include "gw_run.h"
#include "gw_target.h"
#include "gw_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One gw_scen_fanout call's job arguments, freed with the scenario. */
struct gw_scen_fan {
	struct gw_scen_fan *next;
	struct gw_scen_job job[];
};

int gw_scen_def_need(const struct gw_scen_def *def, const struct gw_config *cfg)
{
	long n = def->need			 ? def->need(cfg, def->param)
		 : def->workers == GW_NEED_PARAM ? def->param
		 : def->workers == GW_NEED_SSE
			 ? cfg->profile.concurrent_sse_connections
			 : def->workers;

	return n < 1 ? 1 : (int)n;
}

struct gw_scen *gw_scen_create(struct gw_run *run,
			       const struct gw_scen_def *def)
{
	struct gw_scen *s = gw_xcalloc(1, sizeof(*s));

	s->def = def;
	s->run = run;
	s->m = gw_metrics_create(def->name, def->markers);
	s->progress = run->progress;
	gw_sam_init(&s->sam, s->m, run->cfg->target.agent_name);
	s->sam.shard = (unsigned)run->shard;
	return s;
}

void gw_scen_free(struct gw_scen *s)
{
	if (!s)
		return;
	while (s->fans) {
		struct gw_scen_fan *f = s->fans;

		s->fans = f->next;
		free(f);
	}
	gw_metrics_free(s->m);
	free(s);
}

void gw_scen_fanout(struct gw_scen *s, long from, long to, gw_job_fn fn,
		    void *x)
{
	struct gw_scen_fan *f;

	if (to <= from)
		return;
	f = gw_xcalloc(1, sizeof(*f) + (size_t)(to - from) * sizeof(f->job[0]));
	f->next = s->fans;
	s->fans = f;
	for (long i = from; i < to; i++) {
		f->job[i - from] = (struct gw_scen_job){ x, i };
		gw_engine_submit(s->run->eng, fn, &f->job[i - from]);
	}
}

void gw_scen_stop(struct gw_scen *s)
{
	if (s->collected)
		return;
	gw_scen_wait(s);
	gw_scen_memory_sample(s);
	gw_metrics_stop(s->m);
	if (gw_engine_collect(s->run->eng, s->m) < 0)
		s->accounting_broken = 1;
	s->collected = 1;
}

enum gw_outcome gw_scen_outcome(const struct gw_scen *s)
{
	return gw_check_outcome(gw_check_passed(&s->checks),
				s->skip_reason[0] != '\0', s->m->interrupted);
}

void gw_scen_memory_sample(struct gw_scen *s)
{
	long kb;

	if (!s->run->target->mem_pid)
		return;
	kb = gw_procmem_rss_kb(s->run->target->mem_pid);
	if (kb < 0)
		return;
	s->m->mem_source = 1;
	gw_metrics_memory(s->m, (double)kb / 1024.0);
}

/* ---- progress ------------------------------------------------------------ */

static void tick(void *ud)
{
	struct gw_scen *s = ud;
	struct gw_engine_totals t;
	int64_t now = gw_now_ns();

	if (s->mem_every_ns && now - s->mem_last_ns >= s->mem_every_ns) {
		s->mem_last_ns = now;
		gw_scen_memory_sample(s);
	}
	if (s->on_tick)
		s->on_tick(s);
	if (!s->progress)
		return;
	gw_engine_peek(s->run->eng, s->m->nops, &t);
	fprintf(stderr,
		"\r\033[K  %-40.40s %6.1fs  samples %llu  events %llu"
		"  errors %llu  dropped %llu",
		s->m->test_name, gw_metrics_duration(s->m),
		(unsigned long long)t.samples,
		(unsigned long long)gw_engine_peek_counter(
			s->run->eng, s->sam.std.c_sse_events),
		(unsigned long long)t.errors, (unsigned long long)t.dropped);
	s->progress_shown = 1;
}

void gw_scen_wait(struct gw_scen *s)
{
	gw_engine_wait(s->run->eng, 1000, tick, s);
	if (s->progress_shown) {
		fputs("\r\033[K", stderr);
		s->progress_shown = 0;
	}
}
