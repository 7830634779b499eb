/*
 * sim_route: the route table of SAM's WebUI gateway, and its matcher.
 *
 * One row per route in SAM's registration order (GW/main.py
 * _setup_routers; Starlette tries routes in that order, so the order
 * matters): path pattern, method, handler, and for a body that is not
 * buffered as JSON the hooks that take its bytes (sim.h).  The daemon
 * (sim_http.c) looks a request up here once its headers are in and calls
 * the row's functions; it names no handler itself.  This file depends on
 * the handlers, and the handlers do not depend on it.
 *
 * Patterns are Starlette's as SAM writes them: "{}" is one non-empty path
 * segment, "{}:cancel" a segment ending in ":cancel".  A path that matches
 * a row of another method only is a 405, no match at all a 404; HEAD is
 * served by the GET rows.
 *
 * Workload: 22 rows, tried in order for every request; a match costs a
 * few short memcmp() per row, far below the cost of the request itself.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static enum MHD_Result api_msg_send(struct sim_req *r)
{
	return sim_api_message(r, false);
}

static enum MHD_Result api_msg_stream(struct sim_req *r)
{
	return sim_api_message(r, true);
}

/* multipart/form-data, parsed while it streams in */
static const struct sim_route_body upload_body = { sim_upload_begin,
						   sim_upload_feed,
						   sim_upload_end };

/* SAM's registration order (GW/main.py _setup_routers) matters. */
static const struct sim_route routes[] = {
	{ "/health", SIM_GET, sim_api_health, NULL, false },
	{ "/api/v1/config", SIM_GET, sim_api_config, NULL, false },
	{ "/api/v1/agentCards", SIM_GET, sim_api_agent_cards, NULL, false },
	{ "/api/v1/sessions", SIM_GET, sim_api_sessions_list, NULL, false },
	{ "/api/v1/sessions/search", SIM_GET, sim_api_sessions_search, NULL,
	  false },
	{ "/api/v1/sessions/{}", SIM_GET, sim_api_session_get, NULL, false },
	{ "/api/v1/sessions/{}", SIM_PATCH, sim_api_session_patch, NULL,
	  false },
	{ "/api/v1/sessions/{}", SIM_DELETE, sim_api_session_delete, NULL,
	  false },
	{ "/api/v1/message:send", SIM_POST, api_msg_send, NULL, false },
	{ "/api/v1/message:stream", SIM_POST, api_msg_stream, NULL, false },
	{ "/api/v1/tasks/{}:cancel", SIM_POST, sim_api_cancel, NULL, false },
	{ "/api/v1/tasks/{}/status", SIM_GET, sim_api_task_status, NULL,
	  false },
	{ "/api/v1/sse/subscribe/{}", SIM_GET, sim_api_subscribe, NULL, true },
	{ "/api/v1/artifacts/upload", SIM_POST, sim_upload_post, &upload_body,
	  false },
	{ "/api/v1/artifacts/{}/{}/versions", SIM_GET,
	  sim_api_artifact_versions, NULL, false },
	{ "/api/v1/artifacts/{}", SIM_GET, sim_api_artifact_list, NULL, false },
	{ "/api/v1/artifacts/", SIM_GET, sim_api_artifact_list_noid, NULL,
	  false },
	{ "/api/v1/artifacts/{}/{}", SIM_GET, sim_api_artifact_get, NULL,
	  false },
	{ "/api/v1/artifacts/{}/{}/versions/{}", SIM_GET,
	  sim_api_artifact_version_get, NULL, false },
	{ "/api/v1/artifacts/{}/{}", SIM_DELETE, sim_api_artifact_delete, NULL,
	  false },
	{ "/gwsim/stats", SIM_GET, sim_api_stats, NULL, false },
	{ "/gwsim/introspect", SIM_GET, sim_api_introspect, NULL, false },
};

/* Next '/'-separated segment of *p; returns its length, advances *p. */
static size_t segment(const char **p, bool *more)
{
	const char *s = *p, *e = strchr(s, '/');
	size_t n = e ? (size_t)(e - s) : strlen(s);

	*more = e != NULL;
	*p = e ? e + 1 : s + n;
	return n;
}

/*
 * Match path against pattern ("{}" = one non-empty segment, "{}:cancel" =
 * a segment ending in ":cancel" after a non-empty prefix).  On success
 * stores up to 3 parameters (malloc'd) in param.
 */
static bool match(const char *pattern, const char *path, char *param[3])
{
	const char *pp = pattern + 1, *sp = path + 1;
	unsigned np = 0;
	char *tmp[3] = { NULL, NULL, NULL };
	bool pmore = true, smore = true;

	if (path[0] != '/')
		return false;
	while (pmore && smore) {
		const char *ps = pp, *ss = sp;
		size_t pl = segment(&pp, &pmore), sl = segment(&sp, &smore);

		if (pl == 2 && !memcmp(ps, "{}", 2)) {
			if (!sl || np == 3)
				goto fail;
			tmp[np++] = sim_xstrndup(ss, sl);
		} else if (pl == 9 && !memcmp(ps, "{}:cancel", 9)) {
			/* Starlette's regex [^/]+:cancel backtracks greedily */
			if (sl <= 7 || memcmp(ss + sl - 7, ":cancel", 7) ||
			    np == 3)
				goto fail;
			tmp[np++] = sim_xstrndup(ss, sl - 7);
		} else if (pl != sl || memcmp(ps, ss, pl)) {
			goto fail;
		}
	}
	if (pmore != smore)
		goto fail;
	memcpy(param, tmp, sizeof(tmp));
	return true;
fail:
	while (np)
		free(tmp[--np]);
	return false;
}

const struct sim_route *sim_route_find(const char *path, enum sim_method m,
				       char *param[3], bool *wrong_method)
{
	bool partial = false;
	size_t i;

	if (m == SIM_HEAD)
		m = SIM_GET;
	for (i = 0; i < SIM_ARRAY_SIZE(routes); i++) {
		char *tmp[3] = { NULL, NULL, NULL };

		if (!match(routes[i].pattern, path, tmp))
			continue;
		if (routes[i].method == m) {
			memcpy(param, tmp, sizeof(tmp));
			*wrong_method = false;
			return &routes[i];
		}
		partial = true;
		free(tmp[0]);
		free(tmp[1]);
		free(tmp[2]);
	}
	*wrong_method = partial;
	return NULL;
}

bool sim_route_exists(const char *path)
{
	char *tmp[3] = { NULL, NULL, NULL };
	size_t i;

	for (i = 0; i < SIM_ARRAY_SIZE(routes); i++)
		if (match(routes[i].pattern, path, tmp)) {
			free(tmp[0]);
			free(tmp[1]);
			free(tmp[2]);
			return true;
		}
	return false;
}
