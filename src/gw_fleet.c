/*
 * gw_fleet: a load run over local shard processes (see gw_fleet.h).
 *
 * A child's command line is built from what the parent parsed, not
 * copied from argv: the workload file, every override the user gave (as
 * --set, so its meaning cannot change), the shard, and what makes the
 * children one run: the parent's gateway URL (and its pid for memory),
 * a report directory of their own, -q, no further split, and shard i's
 * own metrics endpoint at --metrics-listen's PORT + i.  The token
 * travels as it came (the environment, or --token-file), never on a
 * command line.
 */
#include "gw_fleet.h"
#include "gw_cli.h"
#include "gw_config.h"
#include "gw_merge.h"
#include "gw_prom.h"
#include "gw_rejudge.h"
#include "gw_target.h"
#include "gw_util.h"
#include "gw_workload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_ARGS (2 * GW_CLI_MAX_SETS + 32)

/* The pool of shard i of n (the whole run when n is 1). */
static int pool_of(const struct gw_workload *wl, int n)
{
	struct gw_workload w = *wl;

	w.nshards = n;
	w.shard = 0;
	return gw_workload_pool(&w);
}

int gw_fleet_size(const struct gw_workload *wl, const struct gw_config *cfg)
{
	struct rlimit rl;
	long room;
	int n;

	if (cfg->engine.processes > 0)
		return (int)cfg->engine.processes;
	if (cfg->engine.workers > 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0 ||
	    rl.rlim_max == RLIM_INFINITY)
		return 1; /* a fixed pool: as told */
	room = ((long)rl.rlim_max - GW_FLEET_FDS_RESERVE) /
	       GW_FLEET_FDS_PER_WORKER;
	if (wl->nshards > 1) {
		/* an outer shard (a pod of a Job) is one process */
		if (gw_workload_pool(wl) <= room)
			return 1;
		for (n = wl->nshards;
		     n < GW_CLI_MAX_SHARDS && pool_of(wl, n) > room; n++)
			;
		return gw_error("shard %d/%d needs %d workers, about %d "
				"descriptors, and the hard limit is %llu: "
				"run at least %d shards",
				wl->shard, wl->nshards, gw_workload_pool(wl),
				gw_workload_pool(wl) * GW_FLEET_FDS_PER_WORKER,
				(unsigned long long)rl.rlim_max, n);
	}
	for (n = 1; n < GW_CLI_MAX_SHARDS && pool_of(wl, n) > room; n++)
		;
	return n;
}

struct argv_buf {
	char *v[MAX_ARGS + 1];
	int n;
	char strs[MAX_ARGS][GW_INI_LINE_MAX + 80];
	int ns;
};

static void add(struct argv_buf *a, const char *s)
{
	if (a->n < MAX_ARGS)
		a->v[a->n++] = (char *)s;
}

static void addf(struct argv_buf *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void addf(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;

	if (a->ns >= MAX_ARGS)
		return;
	va_start(ap, fmt);
	vsnprintf(a->strs[a->ns], sizeof(a->strs[0]), fmt, ap);
	va_end(ap);
	add(a, a->strs[a->ns++]);
}

/* Did the user override section.key on the command line? */
static int user_set(const struct gw_cli *c, const char *sec, const char *key)
{
	for (int i = 0; i < c->nsets; i++)
		if (!strcmp(c->sets[i][0], sec) && !strcmp(c->sets[i][1], key))
			return 1;
	return 0;
}

static void child_argv(struct argv_buf *a, const char *exe, int i, int n,
		       const struct gw_cli *c, const struct gw_target *t,
		       const char *dir)
{
	add(a, exe);
	add(a, "load");
	add(a, "-c");
	add(a, c->config);
	for (int k = 0; k < c->nsets; k++) {
		const char *sec = c->sets[k][0], *key = c->sets[k][1];

		if (!strcmp(sec, "report") ||
		    (!strcmp(sec, "target") && !strcmp(key, "url")))
			continue; /* the parent's, below */
		add(a, "--set");
		addf(a, "%s.%s=%s", sec, key, c->sets[k][2]);
	}
	if (c->token_file) {
		add(a, "--token-file");
		add(a, c->token_file);
	}
	add(a, "-u");
	add(a, t->http.base);
	if (t->mem_pid && !user_set(c, "target", "pid"))
		addf(a, "--set=target.pid=%ld", t->mem_pid);
	addf(a, "--shard=%d/%d", i, n);
	if (c->metrics_listen) {
		struct gw_prom_addr m;
		char at[sizeof(m.host) + 16];

		/* checked by main: a port, and PORT + n - 1 fits */
		if (gw_prom_parse_listen(c->metrics_listen, &m) == 0)
			addf(a, "--metrics-listen=%s",
			     gw_prom_addr_str(&m, (unsigned)i, at, sizeof(at)));
	}
	addf(a, "--set=report.dir=%s/shard-%d", dir, i);
	add(a, "--set=report.path=");
	add(a, "--set=engine.processes=1");
	add(a, "-q");
	a->v[a->n] = NULL;
}

/* The shard's report: the one *.json file in dir/shard-i, or NULL. */
static json_t *shard_report(const char *dir, int i, char *path, size_t n)
{
	char sub[1100];
	struct dirent *de;
	json_t *j = NULL;
	DIR *d;

	snprintf(sub, sizeof(sub), "%s/shard-%d", dir, i);
	d = opendir(sub);
	if (!d)
		return NULL;
	while (!j && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		json_error_t je;

		if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(path, n, "%s/%s", sub, de->d_name);
		j = json_load_file(path, 0, &je);
		if (!j)
			gw_warn("%s:%d: %s", path, je.line, je.text);
	}
	closedir(d);
	return j;
}

/* rm -r of the directory tree gw_fleet_run made (two levels, files). */
static void remove_tree(const char *dir, int n)
{
	char sub[1100], f[1400];

	for (int i = 0; i < n; i++) {
		struct dirent *de;
		DIR *d;

		snprintf(sub, sizeof(sub), "%s/shard-%d", dir, i);
		d = opendir(sub);
		if (!d)
			continue;
		while ((de = readdir(d)))
			if (de->d_name[0] != '.') {
				snprintf(f, sizeof(f), "%s/%s", sub,
					 de->d_name);
				unlink(f);
			}
		closedir(d);
		rmdir(sub);
	}
	rmdir(dir);
}

/* The wall-clock instant (ms) every shard starts at: late enough for the
 * slowest to have its pool up (about 1 s per 2,000 workers here). */
static long long start_at_ms(const struct gw_workload *wl, int n)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 2000 +
	       pool_of(wl, n) / 2;
}

json_t *gw_fleet_run(int n, const struct gw_cli *c, const struct gw_config *cfg,
		     const struct gw_workload *wl, const struct gw_target *t,
		     int *code)
{
	static struct argv_buf a;
	posix_spawn_file_actions_t fa;
	pid_t pid[GW_CLI_MAX_SHARDS];
	int status[GW_CLI_MAX_SHARDS], left = 0, passed_on = 0;
	char exe[1024], dir[1024], env[64], path[1400];
	json_t **in = gw_xcalloc((size_t)n, sizeof(*in)), *merged = NULL;
	char err[256];
	ssize_t len;
	size_t got = 0;

	*code = 0;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0) {
		gw_error("cannot find this executable (/proc/self/exe): %s",
			 strerror(errno));
		*code = 2;
		free(in);
		return NULL;
	}
	exe[len] = '\0';
	snprintf(dir, sizeof(dir), "%s/.fleet-%ld", cfg->report.dir,
		 (long)getpid());
	if (mkdir(cfg->report.dir, 0777) < 0 && errno != EEXIST) {
		gw_error("%s: %s", cfg->report.dir, strerror(errno));
		*code = 2;
		free(in);
		return NULL;
	}
	mkdir(dir, 0777);
	/* a shard's stdout is its -q tally line: the parent prints the
	 * merged one; its stderr (errors) stays the terminal's */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	snprintf(env, sizeof(env), "%lld", start_at_ms(wl, n));
	setenv("GWSTRESS_START_AT_MS", env, 1);
	for (int i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		child_argv(&a, exe, i, n, c, t, dir);
		status[i] = -1;
		if (posix_spawn(&pid[i], exe, &fa, NULL, a.v, environ) != 0) {
			gw_error("cannot start worker process %d: %s", i,
				 strerror(errno));
			pid[i] = 0;
			continue;
		}
		left++;
	}
	unsetenv("GWSTRESS_START_AT_MS");
	posix_spawn_file_actions_destroy(&fa);
	/* wait, passing a stop on once (a terminal's Ctrl-C reaches the
	 * whole process group by itself; a kill of the parent does not) */
	while (left > 0) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p > 0) {
			for (int i = 0; i < n; i++)
				if (pid[i] == p)
					status[i] = st;
			left--;
			continue;
		}
		if (p < 0 && errno != EINTR)
			break;
		if (gw_stopping() && !passed_on) {
			passed_on = 1;
			for (int i = 0; i < n; i++)
				if (pid[i] && status[i] < 0)
					kill(pid[i], SIGTERM);
		}
		gw_sleep_ns(50 * GW_NS_PER_MS);
	}
	for (int i = 0; i < n; i++) {
		int x = status[i] >= 0 && WIFEXITED(status[i])
				? WEXITSTATUS(status[i])
				: -1;

		if (x == 3 || (x == 4 && *code != 3) || (x == 2 && !*code))
			*code = x;
		in[got] = shard_report(dir, i, path, sizeof(path));
		if (in[got])
			got++;
		else
			gw_warn("worker process %d (shard %d/%d) wrote no "
				"report (exit %d)",
				i, i, n, x);
	}
	if (got == (size_t)n)
		merged = gw_merge_json(in, got, gw_rejudge_threshold, err,
				       sizeof(err));
	if (got && !merged)
		gw_error("the %zu shard reports in %s/ could not be merged%s%s",
			 got, dir,
			 got == (size_t)n ? ": "
					  : " (not all of "
					    "them)",
			 got == (size_t)n ? err : "");
	else if (merged)
		remove_tree(dir, n);
	for (size_t i = 0; i < got; i++)
		json_decref(in[i]);
	free(in);
	return merged;
}

static json_int_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

void gw_fleet_console(FILE *f, const json_t *r)
{
	const json_t *l = json_object_get(r, "load");
	const json_t *g = json_object_get(r, "generator");
	const json_t *v = json_object_get(r, "verdict"), *c;
	size_t k;

	fprintf(f,
		"\nmerged %lld worker processes: flows started %lld, "
		"completed %lld, failed %lld, cut %lld\n",
		(long long)jint(json_object_get(r, "merge"), "shards_count"),
		(long long)jint(l, "started"), (long long)jint(l, "completed"),
		(long long)jint(l, "failed"), (long long)jint(l, "cut"));
	fprintf(f,
		"  dropped starts %lld, late starts %lld, achieved %.2f "
		"flows/s\n",
		(long long)jint(l, "dropped_starts"),
		(long long)jint(l, "late_starts"),
		json_number_value(json_object_get(l, "achieved_rate")));
	fprintf(f, "  generator: %s\n",
		json_is_true(json_object_get(g, "valid"))
			? "valid"
			: json_string_value(json_object_get(g, "why")));
	fprintf(f, "\nVERDICT: %s\n",
		json_is_true(json_object_get(v, "passed")) ? "PASSED"
							   : "FAILED");
	json_array_foreach(json_object_get(v, "checks"), k, c)
	{
		const char *st =
			json_string_value(json_object_get(c, "status"));

		fprintf(f, "  [%s] %s: %.6g%s -- %s\n",
			!strcmp(st, "pass")   ? "PASS"
			: !strcmp(st, "fail") ? "FAIL"
					      : "SKIP",
			json_string_value(json_object_get(c, "name")),
			json_number_value(json_object_get(c, "measured")),
			json_string_value(json_object_get(c, "unit"))
				? json_string_value(json_object_get(c, "unit"))
				: "",
			json_string_value(json_object_get(c, "note"))
				? json_string_value(json_object_get(c, "note"))
				: "");
	}
}
