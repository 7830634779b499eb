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

static void register_std(struct gw_scen *s)
{
	struct gw_metrics *m = s->m;
	struct gw_std_ids *id = &s->std;

	id->op_sse_connect = gw_metrics_op(m, "sse_connect");
	id->op_sse_first_event = gw_metrics_op(m, "sse_first_event");
	id->op_sse_event_received = gw_metrics_op(m, "sse_event_received");
	id->op_sse_event_gap = gw_metrics_op(m, "sse_event_gap");
	id->op_sse_subscribe = gw_metrics_op(m, "sse_subscribe");
	id->c_sse_established = gw_metrics_counter(m,
						 "sse_connections_established");
	id->c_sse_closed = gw_metrics_counter(m, "sse_connections_closed");
	id->c_sse_events = gw_metrics_counter(m, "sse_events_received");
	id->c_sse_status_update = gw_metrics_counter(m,
						   "sse_events_status_update");
	id->c_sse_artifact_update = gw_metrics_counter(m,
						"sse_events_artifact_update");
	id->c_sse_final_response = gw_metrics_counter(m,
						"sse_events_final_response");
	id->c_sse_error = gw_metrics_counter(m, "sse_events_error");
	id->c_sse_other = gw_metrics_counter(m, "sse_events_other");
	id->c_sse_terminal = gw_metrics_counter(m, "sse_terminal_events");
	id->c_sse_incomplete = gw_metrics_counter(m, "sse_streams_incomplete");
	id->c_sse_foreign = gw_metrics_counter(m, "sse_foreign_frames");
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
	for (int i = 0; i < GW_MAX_OPS; i++)
		s->op_total_ctr[i] = s->op_err_ctr[i] = -1;
	register_std(s);
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
