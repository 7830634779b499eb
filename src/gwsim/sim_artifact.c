/*
 * sim_artifact: artifacts, as SAM's artifact service keeps them.
 *
 * Artifacts mirror SAM's artifact service, keyed by (session, filename)
 * with versions from 0.  They are kept apart from the session rows
 * (sim_session.c): SAM's artifact store does not delete a session's files
 * when the row goes, it only refuses access (404) while the row is
 * missing.  Bytes live in memory in refcounted blobs (sim_blob.c) so a
 * download in flight survives a concurrent delete.
 *
 * Workload: artifacts of up to --max-upload-bytes (50 MiB) each; a stress
 * run uploading 10 x 10 MiB holds 100 MiB.  One mutex guards the map; no
 * I/O is done under it and no other lock is taken inside it.
 *
 * Rejected: a temp directory for artifact bytes (adds fd and cleanup
 * handling for no benefit on a test box with RAM to spare).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

struct version {
	struct sim_blob *blob;
	char mime[128];
	char created[40];
	double created_epoch;
	json_t *metadata;
};

struct artifact {
	char *filename;
	struct version *v;
	size_t nv;
};

struct art_session {
	struct sim_map files;
	size_t nfiles;
};

static struct {
	pthread_mutex_t lock;
	struct sim_map art; /* session id -> struct art_session */
	size_t nartifacts;
} st = { .lock = PTHREAD_MUTEX_INITIALIZER };

#define APP_NAME "A2A_WebUI_App"

static void version_release(struct version *v)
{
	sim_blob_unref(v->blob);
	json_decref(v->metadata);
}

static void artifact_free(void *p)
{
	struct artifact *a = p;
	size_t i;

	for (i = 0; i < a->nv; i++)
		version_release(&a->v[i]);
	free(a->v);
	free(a->filename);
	free(a);
}

static void art_session_free(void *p)
{
	struct art_session *as = p;

	sim_map_release(&as->files, artifact_free);
	free(as);
}

void sim_artifact_put(const char *sid, const char *filename,
		      struct sim_blob *blob, const char *mime, json_t *metadata,
		      unsigned *version, char created[40])
{
	struct art_session *as;
	struct artifact *a;
	struct version *v;
	struct timespec ts;

	pthread_mutex_lock(&st.lock);
	as = sim_map_get(&st.art, sid);
	if (!as) {
		as = sim_xcalloc(1, sizeof(*as));
		sim_map_init(&as->files);
		sim_map_put(&st.art, sid, as);
	}
	a = sim_map_get(&as->files, filename);
	if (!a) {
		a = sim_xcalloc(1, sizeof(*a));
		a->filename = sim_xstrdup(filename);
		sim_map_put(&as->files, filename, a);
		st.nartifacts++;
	}
	a->v = sim_xrealloc(a->v, (a->nv + 1) * sizeof(*a->v));
	v = &a->v[a->nv];
	v->blob = blob;
	snprintf(v->mime, sizeof(v->mime), "%s", mime);
	sim_time_iso(v->created, sizeof(v->created), 'T');
	clock_gettime(CLOCK_REALTIME, &ts);
	v->created_epoch = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	v->metadata = metadata ? metadata : json_object();
	*version = (unsigned)a->nv;
	memcpy(created, v->created, 40);
	a->nv++;
	pthread_mutex_unlock(&st.lock);
}

static struct artifact *artifact_find(const char *sid, const char *filename)
{
	struct art_session *as = sim_map_get(&st.art, sid);

	return as ? sim_map_get(&as->files, filename) : NULL;
}

int sim_artifact_get(const char *sid, const char *filename, long version,
		     struct sim_artifact_ref *out)
{
	struct artifact *a;
	struct version *v;
	int rc = -1;

	pthread_mutex_lock(&st.lock);
	a = artifact_find(sid, filename);
	if (a && a->nv && version < (long)a->nv) {
		size_t idx = version < 0 ? a->nv - 1 : (size_t)version;

		v = &a->v[idx];
		out->blob = sim_blob_ref(v->blob);
		snprintf(out->mime, sizeof(out->mime), "%s", v->mime);
		out->version = (unsigned)idx;
		rc = 0;
	}
	pthread_mutex_unlock(&st.lock);
	return rc;
}

static json_t *meta_str(const json_t *meta, const char *key, const char *def)
{
	const json_t *v = json_object_get(meta, key);

	if (v)
		return json_deep_copy(v);
	return def ? json_string(def) : json_null();
}

struct list_ctx {
	const char *sid;
	json_t *out;
};

static void list_one(const char *key, void *val, void *arg)
{
	struct list_ctx *lc = arg;
	struct artifact *a = val;
	struct version *v;
	struct sim_buf uri;
	json_t *o, *schema;
	size_t fl = strlen(key);

	if (!a->nv)
		return;
	/* hidden by the router: converted text and the BM25 index */
	if ((fl >= 14 && !strcmp(key + fl - 14, ".converted.txt")) ||
	    !strcmp(key, "project_bm25_index.zip"))
		return;
	v = &a->v[a->nv - 1];
	sim_buf_init(&uri, 1 << 20);
	sim_buf_addf(&uri, "artifact://%s/sam_dev_user/%s/%s", APP_NAME,
		     lc->sid, key);
	schema = json_object();
	json_object_set_new(schema, "type", json_string(v->mime));
	json_object_set_new(schema, "inferred", json_false());
	json_object_set_new(schema, "error", json_null());
	/* common/a2a/types.py ArtifactInfo, serialized by alias */
	o = json_object();
	json_object_set_new(o, "filename", json_string(key));
	json_object_set_new(o, "mime_type", json_string(v->mime));
	json_object_set_new(o, "size", json_integer((json_int_t)v->blob->len));
	json_object_set_new(o, "last_modified", json_string(v->created));
	json_object_set_new(o, "description",
			    meta_str(v->metadata, "description",
				     "No description provided"));
	json_object_set_new(o, "schema", schema);
	json_object_set_new(o, "uri", json_string(uri.p));
	json_object_set_new(o, "version", json_integer((json_int_t)a->nv - 1));
	json_object_set_new(o, "version_count",
			    json_integer((json_int_t)a->nv));
	json_object_set_new(o, "source", meta_str(v->metadata, "source", NULL));
	json_object_set_new(o, "tags", json_pack("[s]", "__user_uploaded"));
	json_object_set_new(o, "source_project_id",
			    meta_str(v->metadata, "source_project_id", NULL));
	json_array_append_new(lc->out, o);
	sim_buf_release(&uri);
}

json_t *sim_artifact_list(const char *sid)
{
	struct art_session *as;
	struct list_ctx lc = { sid, json_array() };

	pthread_mutex_lock(&st.lock);
	as = sim_map_get(&st.art, sid);
	if (as)
		sim_map_each(&as->files, list_one, &lc);
	pthread_mutex_unlock(&st.lock);
	return lc.out;
}

json_t *sim_artifact_versions(const char *sid, const char *filename)
{
	struct artifact *a;
	json_t *out = json_array();
	size_t i;

	pthread_mutex_lock(&st.lock);
	a = artifact_find(sid, filename);
	for (i = 0; a && i < a->nv; i++)
		json_array_append_new(out, json_integer((json_int_t)i));
	pthread_mutex_unlock(&st.lock);
	return out;
}

void sim_artifact_delete(const char *sid, const char *filename)
{
	struct art_session *as;
	struct artifact *a = NULL;

	pthread_mutex_lock(&st.lock);
	as = sim_map_get(&st.art, sid);
	if (as)
		a = sim_map_del(&as->files, filename);
	if (a)
		st.nartifacts--;
	pthread_mutex_unlock(&st.lock);
	if (a)
		artifact_free(a);
}

size_t sim_artifact_count(void)
{
	size_t n;

	pthread_mutex_lock(&st.lock);
	n = st.nartifacts;
	pthread_mutex_unlock(&st.lock);
	return n;
}

int sim_artifact_init(void)
{
	sim_map_init(&st.art);
	return 0;
}

void sim_artifact_release(void)
{
	pthread_mutex_lock(&st.lock);
	sim_map_release(&st.art, art_session_free);
	st.nartifacts = 0;
	pthread_mutex_unlock(&st.lock);
}
