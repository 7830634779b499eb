/*
 * sim_api_artifact: the artifact endpoints of SAM's WebUI gateway but the
 * upload (GW/routers/artifacts.py): list, versions, download, delete.
 *
 * Downloads stream the stored blob through a chunked callback response
 * (StreamingResponse in SAM: no Content-Length), holding a blob reference
 * so a concurrent delete cannot pull the bytes away.  Text types get
 * Starlette's "; charset=utf-8".  SAM resolves «embed» directives in text
 * artifacts on download; gwsim serves the stored bytes unchanged.
 *
 * Workload: downloads up to --max-upload-bytes (50 MiB), copied into MHD's
 * write buffer 64 KiB at a time by the reader; the lock of the artifact
 * store is held only to take the blob reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

/*
 * _resolve_storage_context for a session id: 0 when usable, else replies
 * (*rc) and returns -1.
 */
static int session_context(struct sim_req *r, const char *sid,
			   enum MHD_Result *rc)
{
	if (sim_valid_blank_id(sid)) {
		*rc = sim_reply_error(r, 404, "No valid context provided.");
		return -1;
	}
	if (!sim_session_exists(sid)) {
		*rc = sim_reply_error(r, 404,
				      "Session not found or access denied.");
		return -1;
	}
	return 0;
}

enum MHD_Result sim_api_artifact_list(struct sim_req *r)
{
	if (!sim_session_exists(r->param[0]))
		return sim_reply_json(r, 200, json_array());
	return sim_reply_json(r, 200, sim_artifact_list(r->param[0]));
}

enum MHD_Result sim_api_artifact_list_noid(struct sim_req *r)
{
	/* the "/" route reuses a handler with a path-only session_id */
	return sim_reply_invalid1(r, "path.session_id", "Field required");
}

struct download {
	struct sim_blob *blob;
	size_t len;
};

static ssize_t download_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct download *dl = cls;
	size_t n;

	if (pos >= dl->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	n = dl->len - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, dl->blob->data + pos, n);
	return (ssize_t)n;
}

static void download_free(void *cls)
{
	struct download *dl = cls;

	sim_blob_unref(dl->blob);
	free(dl);
}

static bool is_text_mime(const char *m)
{
	return !strncasecmp(m, "text/", 5);
}

/* Stream len bytes of ref's blob (takes the blob reference). */
static enum MHD_Result send_artifact(struct sim_req *r, const char *filename,
				     struct sim_artifact_ref *ref, size_t len,
				     bool truncated, const char *etag)
{
	struct download *dl = sim_xcalloc(1, sizeof(*dl));
	struct MHD_Response *resp;
	struct sim_buf cd;
	char ctype[160], size[32];

	dl->blob = ref->blob;
	dl->len = len;
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024,
						 download_reader, dl,
						 download_free);
	if (!resp) {
		download_free(dl);
		return MHD_NO;
	}
	/* Starlette appends the charset to text media types */
	snprintf(ctype, sizeof(ctype), "%s%s", ref->mime,
		 is_text_mime(ref->mime) && !strstr(ref->mime, "charset")
			 ? "; charset=utf-8"
			 : "");
	MHD_add_response_header(resp, "content-type", ctype);
	sim_buf_init(&cd, 1 << 20);
	sim_buf_adds(&cd, "attachment; filename*=UTF-8''");
	sim_pct_encode(&cd, filename);
	MHD_add_response_header(resp, "content-disposition", cd.p);
	sim_buf_release(&cd);
	if (truncated) {
		snprintf(size, sizeof(size), "%zu", ref->blob->len);
		MHD_add_response_header(resp, "x-truncated", "true");
		MHD_add_response_header(resp, "x-original-size", size);
	}
	if (etag) {
		MHD_add_response_header(resp, "cache-control",
					"private, max-age=3600");
		MHD_add_response_header(resp, "etag", etag);
	}
	SIM_COUNT(downloads);
	return sim_reply(r, 200, resp);
}

/* get_latest_artifact */
enum MHD_Result sim_api_artifact_get(struct sim_req *r)
{
	struct sim_artifact_ref ref;
	enum MHD_Result rc = MHD_NO;
	json_t *d = json_object();
	long long max_bytes;
	size_t len;

	max_bytes = 0;
	{
		const char *v = sim_req_arg(r, "max_bytes");
		const char *err = NULL;
		char *end;
		long long x;

		if (v) {
			x = strtoll(v, &end, 10);
			if (end == v || *end)
				err = "Input should be a valid integer, unable "
				      "to parse string as an integer";
			else if (x < 1)
				err = "Input should be greater than or equal "
				      "to 1";
			else if (x > 1048576)
				err = "Input should be less than or equal to "
				      "1048576";
			else
				max_bytes = x;
		}
		if (err)
			json_object_set_new(d, "query.max_bytes",
					    json_pack("[s]", err));
	}
	if (json_object_size(d))
		return sim_reply_invalid(r, "Validation error", d);
	json_decref(d);
	if (session_context(r, r->param[0], &rc))
		return rc;
	if (sim_artifact_get(r->param[0], r->param[1], -1, &ref))
		/* the 404 raised inside is swallowed into a 500 */
		return sim_reply_error(r, 500, "Failed to load artifact");
	len = ref.blob->len;
	if (max_bytes && len > (size_t)max_bytes) {
		len = (size_t)max_bytes;
		if (is_text_mime(ref.mime)) {
			/* decode("utf-8", "ignore"): drop a cut sequence */
			size_t k = len;

			while (k && (ref.blob->data[k - 1] & 0xc0) == 0x80)
				k--;
			if (k && ref.blob->data[k - 1] >= 0xc0) {
				unsigned char lead = ref.blob->data[k - 1];
				size_t need = lead >= 0xf0   ? 4
					      : lead >= 0xe0 ? 3
							     : 2;

				if (len - (k - 1) < need)
					len = k - 1;
			}
		}
		return send_artifact(r, r->param[1], &ref, len, true, NULL);
	}
	return send_artifact(r, r->param[1], &ref, len, false, NULL);
}

enum MHD_Result sim_api_artifact_versions(struct sim_req *r)
{
	enum MHD_Result rc = MHD_NO;

	if (session_context(r, r->param[0], &rc))
		return rc;
	return sim_reply_json(r, 200,
			      sim_artifact_versions(r->param[0], r->param[1]));
}

/* get_specific_artifact_version + load_artifact_content_or_metadata */
enum MHD_Result sim_api_artifact_version_get(struct sim_req *r)
{
	struct sim_artifact_ref ref;
	enum MHD_Result rc = MHD_NO;
	const char *v = r->param[2];
	char msg[1024], etag_src[1024], md5[33], etag[40];
	long long ver = -1;

	if (session_context(r, r->param[0], &rc))
		return rc;
	if (strcasecmp(v, "latest")) {
		char *end;

		ver = strtoll(v, &end, 10);
		if (end == v || *end) {
			snprintf(msg, sizeof(msg),
				 "Invalid version specified: "
				 "'%.300s'. Must be a positive integer string "
				 "or 'latest'.",
				 v);
			return sim_reply_error(r, 400, msg);
		}
		if (ver < 0) {
			/* no "invalid version" in SAM's message: a 500 */
			snprintf(msg, sizeof(msg),
				 "Version number must be a "
				 "positive integer. Got: %lld",
				 ver);
			return sim_reply_error(r, 500, msg);
		}
	}
	if (sim_artifact_get(r->param[0], r->param[1], (long)ver, &ref)) {
		if (ver < 0)
			snprintf(msg, sizeof(msg),
				 "Artifact '%.300s' has no "
				 "versions available to determine 'latest'.",
				 r->param[1]);
		else
			snprintf(msg, sizeof(msg),
				 "Artifact '%.300s' version "
				 "%lld not found or has no data.",
				 r->param[1], ver);
		return sim_reply_error(r, 404, msg);
	}
	snprintf(etag_src, sizeof(etag_src), "%s-v%u", r->param[1],
		 ref.version);
	sim_md5_hex(etag_src, strlen(etag_src), md5);
	snprintf(etag, sizeof(etag), "\"%s\"", md5);
	return send_artifact(r, r->param[1], &ref, ref.blob->len, false, etag);
}

enum MHD_Result sim_api_artifact_delete(struct sim_req *r)
{
	enum MHD_Result rc = MHD_NO;

	if (session_context(r, r->param[0], &rc))
		return rc;
	sim_artifact_delete(r->param[0], r->param[1]);
	return sim_reply_empty(r, 204);
}
