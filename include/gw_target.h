/*
 * gw_target: the gateway under test, set up once before any worker
 * starts -- either the URL the user gave, or the bundled reference
 * gateway (gw_sim) on an ephemeral loopback port when no URL is
 * configured.
 *
 * gw_target_open turns the configuration into what every worker's HTTP
 * handle uses (struct gw_http_target: base URL, token, timeouts, buffer
 * caps) and makes sure the gateway answers before a single scenario
 * runs: a started gwsim must
 * become healthy within 10 s; a given URL gets three GET /health tries
 * 200 ms apart (one reset connection must not abort a run), and any HTTP
 * answer counts as reachable (a warning names a non-2xx status).
 *
 * The bearer token is read by gw_target_token first, from --token-file or
 * the variable [target] token_env names, never from a command-line value.
 * It is kept in the struct and sent; it is never printed.
 *
 * Order in main: gw_target_token (a usage error exits 2), then the signal
 * handlers and gw_http_global_init, then gw_target_open (fork+exec of
 * gwsim happens here, before any thread exists), then the engine.
 * gw_target_close undoes open.
 */
#ifndef GW_TARGET_H
#define GW_TARGET_H

#include "gw_http.h"
#include "gw_sim.h"

struct gw_config;

struct gw_target {
	struct gw_http_target http; /* shared read-only by the workers */
	struct gw_sim sim;	    /* the bundled gateway, if started */
	char display[512];	    /* URL without query or credentials */
	char introspect[512];	    /* server bookkeeping URL or "" */
	int bundled;		    /* we started the bundled gateway */
	long mem_pid;		    /* RSS source, 0 = none */
	int port;		    /* the gateway's TCP port */
	int local;		    /* on this host (loopback) */
	char token[4096];	    /* from a file (never printed) */
};

/*
 * Find the bearer token: the first line of token_file when it is not
 * NULL, else the variable cfg names (empty means none).  Returns 0, or -1
 * with a message naming the file (a usage error).
 */
int gw_target_token(struct gw_target *t, const struct gw_config *cfg,
		    const char *token_file);
/*
 * Start gwsim or take cfg's URL, fill t->http from cfg and wait for the
 * gateway's /health as described above (after gw_http_global_init).  Returns 0,
 * or -1 with a message naming the URL (unreachable, or gwsim did not start);
 * call gw_target_close either way.
 */
int gw_target_open(struct gw_target *t, const struct gw_config *cfg);
/* Stop the bundled gateway if we started it and forget the token.  Safe
 * after a failed or no open. */
void gw_target_close(struct gw_target *t);

#endif /* GW_TARGET_H */
