/*
 * gw_scen: a running scenario's main-thread side -- outcome, memory
 * samples, waiting for its jobs with the live progress line.  See
 * gw_scen.h.
 */
#include "gw_scen.h"
#include "gw_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gw_procmem.h"

enum gw_outcome gw_scen_outcome(const struct gw_scen *s)
{
	return gw_check_outcome(gw_check_passed(&s->checks),
				s->skip_reason[0] != '\0', s->m->interrupted);
}

void gw_scen_memory_sample(struct gw_scen *s)
{
	long kb;

	if (!s->run->mem_pid)
		return;
	kb = gw_procmem_rss_kb(s->run->mem_pid);
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
	fprintf(stderr, "\r\033[K  %-40.40s %6.1fs  samples %llu  events %llu"
			"  errors %llu  dropped %llu",
		s->m->test_name, gw_metrics_duration(s->m),
		(unsigned long long)t.samples,
		(unsigned long long)gw_engine_peek_counter(s->run->eng,
						s->sam.std.c_sse_events),
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
