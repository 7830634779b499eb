/*
 * check_workload: the workload file loader.
 *
 *  - every shipped conf/load-*.ini parses, and what it says arrives in the
 *    struct (model, stages, flows, steps, thresholds);
 *  - operation names: <flow>.<kind>, .2 for a repeated kind;
 *  - data-driven bad files, test/data/load/bad-*.ini, each listing the
 *    exact messages it must produce as "; expect:" lines, in order;
 *  - profile keys in a workload file reach the configuration;
 *  - the pool a workload needs.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "gw_config.h"
#include "gw_util.h"
#include "gw_workload.h"

#define LOAD_DIR "test/data/load/"

static struct gw_workload wl;
static struct gw_config cfg;
static struct gw_errlist errs;

static int load(const char *path)
{
	memset(&errs, 0, sizeof(errs));
	gw_config_defaults(&cfg);
	return gw_workload_load(&wl, &cfg, path, &errs);
}

static void dump(void)
{
	for (int i = 0; i < errs.n; i++)
		fprintf(stderr, "  got: %s\n", errs.msg[i]);
}

START_TEST(test_shipped)
{
	static const char *const files[] = {
		"conf/load-chat.ini",	"conf/load-ramp.ini",
		"conf/load-hold.ini",	"conf/load-smoke.ini",
		"conf/search-rate.ini", "conf/search-streams.ini",
	};

	for (size_t i = 0; i < GW_ARRAY_SIZE(files); i++) {
		int bad = load(files[i]);

		if (bad)
			dump();
		ck_assert_msg(bad == 0, "%s: %d problems", files[i], bad);
		ck_assert_int_gt(wl.nflows, 0);
		/* a search file has no stages: the search makes them */
		ck_assert_int_gt(wl.shape.n + wl.search.line, 0);
		ck_assert_int_gt(wl.nthresh, 0);
	}
}
END_TEST

START_TEST(test_chat_contents)
{
	ck_assert_int_eq(load("conf/load-chat.ini"), 0);
	ck_assert_int_eq(wl.model, GW_MODEL_CLOSED);
	ck_assert_str_eq(wl.name, "chat");
	ck_assert_int_eq(wl.spin_ns, 0); /* the default: sleep only */
	ck_assert_int_eq(wl.shape.n, 3);
	ck_assert_int_eq(wl.shape.st[0].dur_ns, 30 * GW_NS_PER_S);
	ck_assert_double_eq(wl.shape.st[0].target, 300);
	ck_assert_int_eq(wl.shape.st[1].dur_ns, 120 * GW_NS_PER_S);
	ck_assert_int_eq(wl.flow[0].nsteps, 3);
	ck_assert_int_eq(wl.flow[0].step[0].kind, GW_STEP_SUBMIT);
	ck_assert_int_eq(wl.flow[0].step[0].same_session, 1);
	ck_assert_str_eq(wl.flow[0].step[0].text,
			 "Hello, agent: summarise my day");
	ck_assert_int_eq(wl.flow[0].step[1].kind, GW_STEP_COLLECT);
	ck_assert_int_eq(wl.flow[0].step[1].window_ms, 30000);
	ck_assert_int_eq(wl.flow[0].step[2].think_min_ns, 2 * GW_NS_PER_S);
	ck_assert_int_eq(wl.flow[0].step[2].think_max_ns, 5 * GW_NS_PER_S);
	ck_assert_str_eq(wl.flow[0].step[0].op_name, "chat.submit");
	ck_assert_str_eq(wl.thresh[0].metric, "ttfe");
}
END_TEST

START_TEST(test_names_and_metrics)
{
	FILE *f = fopen("build/wl-names.ini", "w");

	ck_assert_ptr_nonnull(f);
	fputs("[load]\nmodel = open\nstage = 10s 5\nmax_in_flight = 7\n"
	      "start_spin = 250us\nlate_after = 0\n"
	      "[flow.a]\nstep = submit\nstep = collect first\n"
	      "step = submit session again\nstep = collect 3 window 2s\n"
	      "step = upload 2KiB\nstep = download\nstep = cancel\n"
	      "[engine]\nworkers = 3\n",
	      f);
	fclose(f);
	ck_assert_int_eq(load("build/wl-names.ini"), 0);
	ck_assert_str_eq(wl.flow[0].step[0].op_name, "a.submit");
	ck_assert_str_eq(wl.flow[0].step[2].op_name, "a.submit.2");
	ck_assert_str_eq(wl.flow[0].step[3].op_name, "a.collect.2");
	ck_assert_int_eq(wl.flow[0].step[1].until, GW_UNTIL_FIRST);
	ck_assert_int_eq(wl.flow[0].step[3].until, GW_UNTIL_N);
	ck_assert_int_eq(wl.flow[0].step[3].events, 3);
	ck_assert_int_eq(wl.flow[0].step[3].window_ms, 2000);
	ck_assert_uint_eq(wl.flow[0].step[4].bytes, 2048);
	ck_assert_str_eq(wl.flow[0].step[2].text, "again");
	ck_assert_int_eq(wl.spin_ns, 250 * 1000);
	ck_assert_int_eq(wl.late_ns, 0);
	ck_assert(gw_workload_has_metric(&wl, "a.submit.2"));
	ck_assert(gw_workload_has_metric(&wl, "a.submit.2.intended"));
	ck_assert(gw_workload_has_metric(&wl, "flow.a"));
	ck_assert(gw_workload_has_metric(&wl, "ttfe"));
	ck_assert(gw_workload_has_metric(&wl, "error_rate"));
	ck_assert(!gw_workload_has_metric(&wl, "a.submit.3"));
	ck_assert(!gw_workload_has_metric(&wl, "a.sub"));
	ck_assert(!gw_workload_has_metric(&wl, "flow.b"));
	/* the profile's keys apply, and the pool is the open model's */
	ck_assert_int_eq(cfg.engine.workers, 3);
	ck_assert_int_eq(gw_workload_pool(&wl), 7);
	wl.max_in_flight = 0;
	ck_assert_int_eq(gw_workload_pool(&wl), 50);
	remove("build/wl-names.ini");
}
END_TEST

/* Every bad file: the messages, exactly, in order. */
START_TEST(test_bad_files)
{
	DIR *d = opendir(LOAD_DIR);
	struct dirent *e;
	int files = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		char path[512], line[240], want[64][256];
		int nwant = 0;
		FILE *f;

		if (strncmp(e->d_name, "bad-", 4))
			continue;
		snprintf(path, sizeof(path), LOAD_DIR "%s", e->d_name);
		f = fopen(path, "r");
		ck_assert_ptr_nonnull(f);
		while (fgets(line, sizeof(line), f) && nwant < 64)
			if (!strncmp(line, "; expect: ", 10)) {
				line[strcspn(line, "\n")] = '\0';
				snprintf(want[nwant++], sizeof(want[0]),
					 LOAD_DIR "%s", line + 10);
			}
		fclose(f);
		ck_assert_int_gt(load(path), 0);
		if (errs.n != nwant)
			dump();
		ck_assert_msg(errs.n == nwant, "%s: %d messages, expected %d",
			      e->d_name, errs.n, nwant);
		for (int i = 0; i < nwant; i++)
			ck_assert_str_eq(errs.msg[i], want[i]);
		files++;
	}
	closedir(d);
	ck_assert_int_ge(files, 5);
}
END_TEST

static Suite *workload_suite(void)
{
	Suite *s = suite_create("workload");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_shipped);
	tcase_add_test(tc, test_chat_contents);
	tcase_add_test(tc, test_names_and_metrics);
	tcase_add_test(tc, test_bad_files);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(workload_suite)
