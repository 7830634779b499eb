/*
 * gw_sim: the bundled reference gateway (gwsim), which gwstress starts as
 * a child on an ephemeral loopback port when no URL is configured, so that
 * a new user sees a real run at once.
 *
 * The child is started with fork+exec before any thread exists (fork in a
 * threaded process may only call async-signal-safe functions), gets
 * PR_SET_PDEATHSIG so it dies with us even if we crash, and reports its
 * port on a pipe (--ready-fd).  gwstress then waits for GET /health.  It
 * relies on nothing else of gwsim: the scenarios speak only the SAM
 * protocol.
 */
#ifndef GW_SIM_H
#define GW_SIM_H

#include <sys/types.h>

struct gw_sim {
	pid_t pid; /* 0 when not running */
	int port;
	char exe[1024];
};

/*
 * Locate the gwsim executable: $GWSIM if set, else "gwsim" next to our
 * own executable (/proc/self/exe; both are in bin/ once installed), else
 * "./gwsim".  Returns 0 with the path in out, or -1 with a message naming
 * the paths tried if none is executable.
 */
int gw_sim_locate(char *out, size_t n);

/*
 * Start gwsim with `extra` arguments (NULL-terminated, may be NULL) on
 * 127.0.0.1 and an ephemeral port; wait up to timeout_ms for its port.
 * Returns 0, or -1 with a message (the child is reaped).
 */
int gw_sim_start(struct gw_sim *s, const char *exe, char *const extra[],
		 long timeout_ms);

/* SIGTERM, wait up to 5 s, then SIGKILL; reap.  Safe if not running. */
void gw_sim_stop(struct gw_sim *s);

#endif /* GW_SIM_H */
