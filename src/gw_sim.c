/*
 * gw_sim: start and stop the bundled gateway (see gw_sim.h).
 */
#include "gw_sim.h"
#include "gw_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int gw_sim_locate(char *out, size_t n)
{
	const char *env = getenv("GWSIM");
	char self[PATH_MAX], next[PATH_MAX + 8] = "";

	if (env && *env) {
		if (access(env, X_OK) == -1)
			return gw_error("GWSIM=%s: %s", env, strerror(errno));
		gw_strlcpy(out, env, n);
		return 0;
	}
	/* installed, gwsim is in bin/ next to gwstress too */
	if (gw_exe_dir(self, sizeof(self)) == 0) {
		snprintf(next, sizeof(next), "%s/gwsim", self);
		if (strlen(next) < n && access(next, X_OK) == 0) {
			gw_strlcpy(out, next, n);
			return 0;
		}
	}
	if (access("./gwsim", X_OK) == 0) {
		gw_strlcpy(out, "./gwsim", n);
		return 0;
	}
	return gw_error("bundled gateway gwsim not found (looked for %s%s"
			"./gwsim); build it with 'make', set GWSIM to its "
			"path, or set [target] url",
			next, *next ? " and " : "");
}

int gw_sim_start(struct gw_sim *s, const char *exe, char *const extra[],
		 long timeout_ms)
{
	char *argv[64];
	char buf[32];
	int fds[2], argc = 0, status;
	struct pollfd pfd;
	size_t got = 0;
	int64_t deadline;
	pid_t pid;

	memset(s, 0, sizeof(*s));
	gw_strlcpy(s->exe, exe, sizeof(s->exe));
	argv[argc++] = (char *)"gwsim";
	argv[argc++] = (char *)"--listen";
	argv[argc++] = (char *)"127.0.0.1";
	argv[argc++] = (char *)"--port";
	argv[argc++] = (char *)"0";
	argv[argc++] = (char *)"--ready-fd";
	argv[argc++] = (char *)"3";
	for (int i = 0; extra && extra[i] && argc < 62; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return gw_error("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == -1) {
		close(fds[0]);
		close(fds[1]);
		return gw_error("fork: %s", strerror(errno));
	}
	if (pid == 0) {
		/* child: only async-signal-safe calls until exec */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		/* own process group: a terminal Ctrl-C reaches gwstress
		 * only, which then stops the gateway after its reports */
		setpgid(0, 0);
		if (dup2(fds[1], 3) == -1)
			_exit(127);
		execv(exe, argv);
		_exit(127);
	}
	close(fds[1]);
	s->pid = pid;
	deadline = gw_now_ns() + (int64_t)timeout_ms * GW_NS_PER_MS;
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (got < sizeof(buf) - 1) {
		int64_t left = (deadline - gw_now_ns()) / GW_NS_PER_MS;
		ssize_t r;

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		r = read(fds[0], buf + got, sizeof(buf) - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (memchr(buf, '\n', got))
			break;
	}
	close(fds[0]);
	buf[got] = '\0';
	s->port = atoi(buf);
	if (s->port <= 0 || s->port > 65535) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			s->pid = 0;
		gw_sim_stop(s);
		return gw_error("bundled gateway %s did not report a port "
				"within %ld ms",
				exe, timeout_ms);
	}
	return 0;
}

void gw_sim_stop(struct gw_sim *s)
{
	int status;
	int64_t deadline;

	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	deadline = gw_now_ns() + 5 * GW_NS_PER_S;
	while (waitpid(s->pid, &status, WNOHANG) == 0) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		if (gw_now_ns() > deadline) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			break;
		}
		nanosleep(&ts, NULL);
	}
	s->pid = 0;
}
