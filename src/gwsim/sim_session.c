/*
 * sim_session: sessions, as SAM keeps them in SQL mode.
 *
 * Sessions mirror the `sessions` table as seen through SAM's REST API:
 * rows are created implicitly (message:stream without or with an unknown
 * contextId, artifact upload with an empty sessionId), never by POST;
 * timestamps are epoch milliseconds; updated_time moves when the agent
 * streams events for the session (SSEManager._touch_session_updated_time,
 * throttled to once per second per session) and on rename.  Everything runs
 * as the single dev user "sam_dev_user", so every client sees every
 * session, as with a real gateway in development mode.
 *
 * The artifacts are kept apart (sim_artifact.c): SAM's artifact store does
 * not delete a session's files when the row goes.
 *
 * Workload: thousands of sessions (a soak creates one per task), listing
 * sorts all of them (O(n log n) per GET /sessions; SAM's cost also grows
 * with the table).  One mutex guards the map; no I/O is done under it.
 *
 * Rejected: an ordered index on updated_time (listing is rare compared to
 * events; a sort per request is simpler and still milliseconds at 10^4
 * sessions).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct session {
	char *id;
	char *name;
	char *agent_id;
	int64_t created;
	int64_t updated;
	uint64_t touched_ns;
};

static struct {
	pthread_mutex_t lock;
	struct sim_map sessions;
} st = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct session *session_new(const char *id, const char *agent)
{
	struct session *s = sim_xcalloc(1, sizeof(*s));

	s->id = sim_xstrdup(id);
	s->agent_id = agent ? sim_xstrdup(agent) : NULL;
	s->created = s->updated = sim_epoch_ms();
	sim_map_put(&st.sessions, id, s);
	return s;
}

static void session_free(void *p)
{
	struct session *s = p;

	free(s->id);
	free(s->name);
	free(s->agent_id);
	free(s);
}

void sim_session_ensure(const char *id, const char *agent)
{
	struct session *s;

	pthread_mutex_lock(&st.lock);
	s = sim_map_get(&st.sessions, id);
	if (!s)
		session_new(id, agent);
	else if (!s->agent_id && agent)
		s->agent_id = sim_xstrdup(agent);
	pthread_mutex_unlock(&st.lock);
}

void sim_session_create(const char *agent, char id[SIM_ID_MAX])
{
	sim_hex_id(id, SIM_ID_MAX, "web-session-");
	pthread_mutex_lock(&st.lock);
	session_new(id, agent);
	pthread_mutex_unlock(&st.lock);
}

bool sim_session_exists(const char *id)
{
	bool found;

	pthread_mutex_lock(&st.lock);
	found = sim_map_get(&st.sessions, id) != NULL;
	pthread_mutex_unlock(&st.lock);
	return found;
}

void sim_session_touch(const char *id)
{
	struct session *s;
	uint64_t now = sim_now_ns();

	pthread_mutex_lock(&st.lock);
	s = sim_map_get(&st.sessions, id);
	if (s && (!s->touched_ns || now - s->touched_ns >= SIM_NS_PER_S)) {
		s->touched_ns = now;
		s->updated = sim_epoch_ms();
	}
	pthread_mutex_unlock(&st.lock);
}

/* SessionResponse, GW/routers/dto/responses/session_responses.py order. */
static json_t *session_json(const struct session *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "userId", json_string("sam_dev_user"));
	json_object_set_new(o, "name",
			    s->name ? json_string(s->name) : json_null());
	json_object_set_new(o, "agentId",
			    s->agent_id ? json_string(s->agent_id)
					: json_null());
	json_object_set_new(o, "projectId", json_null());
	json_object_set_new(o, "projectName", json_null());
	json_object_set_new(o, "source", json_string("chat"));
	json_object_set_new(o, "hasRunningBackgroundTask", json_false());
	json_object_set_new(o, "scheduledTaskId", json_null());
	json_object_set_new(o, "scheduledTaskName", json_null());
	json_object_set_new(o, "createdTime", json_integer(s->created));
	json_object_set_new(o, "updatedTime", json_integer(s->updated));
	json_object_set_new(o, "lastViewedAt", json_null());
	return o;
}

json_t *sim_session_get(const char *id, bool listing)
{
	struct session *s;
	json_t *o = NULL;

	(void)listing;
	pthread_mutex_lock(&st.lock);
	s = sim_map_get(&st.sessions, id);
	if (s)
		o = session_json(s);
	pthread_mutex_unlock(&st.lock);
	return o;
}

json_t *sim_session_rename(const char *id, const char *name)
{
	struct session *s;
	json_t *o = NULL;

	pthread_mutex_lock(&st.lock);
	s = sim_map_get(&st.sessions, id);
	if (s) {
		free(s->name);
		s->name = sim_xstrdup(name);
		s->updated = sim_epoch_ms();
		o = session_json(s);
	}
	pthread_mutex_unlock(&st.lock);
	return o;
}

int sim_session_delete(const char *id)
{
	struct session *s;

	pthread_mutex_lock(&st.lock);
	s = sim_map_del(&st.sessions, id);
	pthread_mutex_unlock(&st.lock);
	if (!s)
		return -1;
	session_free(s);
	return 0;
}

size_t sim_session_count(void)
{
	size_t n;

	pthread_mutex_lock(&st.lock);
	n = st.sessions.n;
	pthread_mutex_unlock(&st.lock);
	return n;
}

struct collect {
	struct session **v;
	size_t n;
	const char *agent_id;
	const char *query;
};

static void collect_one(const char *key, void *val, void *arg)
{
	struct collect *c = arg;
	struct session *s = val;

	(void)key;
	if (c->agent_id && (!s->agent_id || strcmp(s->agent_id, c->agent_id)))
		return;
	if (c->query && (!s->name || !strcasestr(s->name, c->query)))
		return;
	c->v[c->n++] = s;
}

static int by_updated_desc(const void *a, const void *b)
{
	const struct session *x = *(struct session *const *)a;
	const struct session *y = *(struct session *const *)b;

	if (x->updated != y->updated)
		return x->updated < y->updated ? 1 : -1;
	if (x->created != y->created)
		return x->created < y->created ? 1 : -1;
	return strcmp(x->id, y->id);
}

json_t *sim_session_list(unsigned page, unsigned size, const char *agent_id,
			 const char *query, bool none)
{
	struct collect c;
	json_t *data = json_array(), *pag, *out;
	size_t total_pages, i, off;

	pthread_mutex_lock(&st.lock);
	c.v = sim_xmalloc((st.sessions.n + 1) * sizeof(*c.v));
	c.n = 0;
	c.agent_id = agent_id;
	c.query = query;
	if (!none)
		sim_map_each(&st.sessions, collect_one, &c);
	qsort(c.v, c.n, sizeof(*c.v), by_updated_desc);
	off = (size_t)(page - 1) * size;
	for (i = off; i < c.n && i < off + size; i++)
		json_array_append_new(data, session_json(c.v[i]));
	pthread_mutex_unlock(&st.lock);
	free(c.v);

	/* shared/api/pagination.py PaginatedResponse.create */
	total_pages = (c.n + size - 1) / size;
	pag = json_object();
	json_object_set_new(pag, "pageNumber", json_integer(page));
	json_object_set_new(pag, "count", json_integer((json_int_t)c.n));
	json_object_set_new(pag, "pageSize", json_integer(size));
	json_object_set_new(pag, "nextPage",
			    page < total_pages ? json_integer(page + 1)
					       : json_null());
	json_object_set_new(pag, "totalPages",
			    json_integer((json_int_t)total_pages));
	out = json_object();
	json_object_set_new(out, "data", data);
	json_object_set_new(out, "meta", json_pack("{s:o}", "pagination", pag));
	return out;
}

int sim_session_init(void)
{
	sim_map_init(&st.sessions);
	return 0;
}

void sim_session_release(void)
{
	pthread_mutex_lock(&st.lock);
	sim_map_release(&st.sessions, session_free);
	pthread_mutex_unlock(&st.lock);
}
