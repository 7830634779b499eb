/*
 * gw_run: scenario execution (see gw_run.h).
 */
#include "gw_run.h"
#include "gw_atomic.h"
#include "gw_config.h"
#include "gw_engine.h"
#include "gw_report.h"
#include "gw_scen.h"
#include "gw_util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long gw_run_share(long n, int i, int shards)
{
	if (shards <= 1)
		return n;
	return n * (i + 1) / shards - n * i / shards;
}

enum gw_outcome gw_run_scenario(struct gw_run *run,
				const struct gw_scen_def *def,
				const struct gw_report_ctx *rc, int quiet,
				struct gw_result *res)
{
	struct gw_scen *s = gw_scen_create(run, def);
	enum gw_outcome out;
	char path[1024];
	json_t *j;
	int need;
	long param;

	memset(res, 0, sizeof(*res));
	res->report_ok = 1;
	gw_engine_attach(run->eng, s->m, NULL);
	gw_metrics_start(s->m);
	gw_scen_memory_sample(s);
	need = gw_scen_def_need(def, run->cfg);
	param = def->split ? gw_run_share(def->param, run->shard, run->nshards)
			   : def->param;
	if (need > run->eng->nworkers)
		snprintf(s->skip_reason, sizeof(s->skip_reason),
			 "needs %d concurrent workers, the pool has %d "
			 "([engine] workers)",
			 need, run->eng->nworkers);
	else if (run->nshards > 1 && !def->split && run->shard != 0)
		snprintf(s->skip_reason, sizeof(s->skip_reason),
			 "runs whole on shard 0 of %d (its checks count fixed "
			 "numbers)",
			 run->nshards);
	else if (run->nshards > 1 && def->param && !param)
		snprintf(s->skip_reason, sizeof(s->skip_reason),
			 "shard %d of %d has no share of its %ld", run->shard,
			 run->nshards, def->param);
	else
		def->run(s, param);
	gw_scen_stop(s);
	if (gw_stopping())
		s->m->interrupted = 1;
	if (s->accounting_broken)
		gw_check_eq(&s->checks,
			    "sample accounting (produced == received + "
			    "dropped)",
			    0, 1, "");

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
	res->report = j; /* kept for the HTML page; freed by main */
	res->outcome = out;
	gw_scen_free(s);
	return out;
}
