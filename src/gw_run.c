/*
 * gw_run: scenario execution (see gw_run.h).
 */
#include "gw_run.h"
#include "gw_atomic.h"
#include "gw_util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

enum gw_outcome gw_run_scenario(struct gw_run *run,
				const struct gw_scenario *def,
				const struct gw_report_ctx *rc, int quiet,
				struct gw_result *res)
{
	struct gw_scen *s = gw_xcalloc(1, sizeof(*s));
	enum gw_outcome out;
	char path[1024];
	json_t *j;
	int need;

	memset(res, 0, sizeof(*res));
	res->report_ok = 1;
	s->def = def;
	s->run = run;
	s->m = gw_metrics_create(def->name, def->markers);
	s->progress = run->progress;
	gw_sam_init(&s->sam, s->m, run->cfg->target.agent_name);
	gw_engine_attach(run->eng, s->m);
	gw_metrics_start(s->m);
	gw_scen_memory_sample(s);
	need = def->need ? def->need(run->cfg, def->param) : 1;
	if (need > run->eng->nworkers)
		snprintf(s->skip_reason, sizeof(s->skip_reason),
			 "needs %d concurrent workers, the pool has %d "
			 "([engine] workers)", need, run->eng->nworkers);
	else
		def->run(s, def->param);
	gw_scen_stop(s);
	if (gw_stopping())
		s->m->interrupted = 1;
	if (s->accounting_broken)
		gw_check_eq(&s->checks, "sample accounting (produced == received + "
			    "dropped)", 0, 1, "");

	out = gw_scen_outcome(s);
	if (!quiet)
		gw_report_console(stdout, s);
	fflush(stdout);

	j = gw_report_json(s, rc);
	if (gw_report_path(run->cfg, def->name, path, sizeof(path)) < 0) {
		gw_error("report path for %s is too long", def->name);
		res->report_ok = 0;
	} else if (gw_atomic_write_json(path, j) < 0) {
		res->report_ok = 0;
	} else if (!quiet) {
		printf("Saved stress report to %s\n", path);
	}
	res->report = j;	/* kept for the HTML page; freed by main */
	res->outcome = out;
	gw_metrics_free(s->m);
	free(s);
	return out;
}
