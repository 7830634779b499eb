/*
 * sim_upload: POST /api/v1/artifacts/upload.
 *
 * Upload (GW/routers/artifacts.py upload_artifact_with_session): the
 * multipart body is parsed while it streams in with MHD's post processor;
 * the file part goes straight into a blob sized from Content-Length, the
 * small form fields (filename, sessionId, metadata_json) into 1 MiB-capped
 * buffers (Starlette's max_part_size).  Nothing but the file itself is
 * ever buffered, and the file only when it can be accepted: with a
 * Content-Length over --max-upload-bytes the bytes are counted and
 * dropped.  The answer comes only after the whole body was read, because
 * FastAPI parses the form before SAM's handler runs, so SAM's 413 also
 * arrives after the upload (clients see no reset).
 *
 * The checks then run in SAM's order: form validation (422), new session
 * for an empty sessionId (created even when a later check fails),
 * blank filename / missing file name (400), unknown sessionId (403),
 * Content-Length over the limit (413, measured on the whole request like
 * SAM), file bytes over the limit (413), unsafe filename and empty file
 * (400), then store: 201 with {uri, sessionId, filename, size, mimeType,
 * metadata, createdAt}.
 *
 * Workload: uploads up to 50 MiB (stress scenarios use 1/5/10 MiB, some
 * concurrently); MHD hands the body over in pieces of its read buffer.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define FIELD_MAX (1024 * 1024)
#define MIB (1024.0 * 1024.0)

struct field {
	struct sim_buf v;
	bool seen;
};

struct sim_upload {
	struct MHD_PostProcessor *pp;
	bool store;	    /* Content-Length acceptable: keep the bytes */
	bool file_seen;	    /* upload_file part with a filename */
	bool file_as_field; /* upload_file part without a filename */
	bool part_too_big;
	bool parse_error;
	char *file_name;
	char *file_ctype;
	struct sim_blob *blob;
	uint64_t file_bytes;
	struct field filename;
	struct field session_id;
	struct field metadata;
};

static struct field *field_of(struct sim_upload *u, const char *key)
{
	if (!strcmp(key, "filename"))
		return &u->filename;
	if (!strcmp(key, "sessionId"))
		return &u->session_id;
	if (!strcmp(key, "metadata_json"))
		return &u->metadata;
	return NULL;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind,
			       const char *key, const char *filename,
			       const char *content_type,
			       const char *transfer_encoding, const char *data,
			       uint64_t off, size_t size)
{
	struct sim_upload *u = cls;
	struct field *f;

	(void)kind;
	(void)transfer_encoding;
	if (!key)
		return MHD_YES;
	if (!strcmp(key, "upload_file") && filename) {
		if (!off) {
			/* a repeated part replaces the earlier one */
			free(u->file_name);
			free(u->file_ctype);
			u->file_name = sim_xstrdup(filename);
			u->file_ctype = content_type ? sim_xstrdup(content_type)
						     : NULL;
			u->file_seen = true;
			u->file_as_field = false;
			u->file_bytes = 0;
			if (u->blob)
				u->blob->len = 0;
		}
		u->file_bytes += size;
		if (u->store && size &&
		    u->file_bytes <= sim_cfg.max_upload_bytes) {
			if (!u->blob)
				u->blob = sim_blob_new(64 * 1024);
			u->blob = sim_blob_append(u->blob, data, size);
		}
		return MHD_YES;
	}
	if (!strcmp(key, "upload_file")) {
		u->file_as_field = true;
		u->file_seen = false;
		return MHD_YES;
	}
	f = field_of(u, key);
	if (!f)
		return MHD_YES;
	if (!off) {
		sim_buf_release(&f->v);
		sim_buf_init(&f->v, FIELD_MAX);
		f->seen = true;
	}
	if (sim_buf_add(&f->v, data, size))
		u->part_too_big = true;
	return MHD_YES;
}

void sim_upload_begin(struct sim_req *r)
{
	struct sim_upload *u = sim_xcalloc(1, sizeof(*u));

	sim_buf_init(&u->filename.v, FIELD_MAX);
	sim_buf_init(&u->session_id.v, FIELD_MAX);
	sim_buf_init(&u->metadata.v, FIELD_MAX);
	u->store = !r->has_content_length ||
		   r->content_length <= sim_cfg.max_upload_bytes;
	if (u->store && r->has_content_length && r->content_length)
		/* one allocation for the common case */
		u->blob = sim_blob_new((size_t)r->content_length);
	/* NULL unless multipart/form-data or urlencoded */
	u->pp = MHD_create_post_processor(r->conn, 64 * 1024, on_part, u);
	r->upload = u;
}

void sim_upload_feed(struct sim_req *r, const char *data, size_t n)
{
	struct sim_upload *u = r->upload;

	if (u->pp && !u->parse_error &&
	    MHD_post_process(u->pp, data, n) != MHD_YES)
		u->parse_error = true;
}

static void upload_free(struct sim_upload *u)
{
	if (!u)
		return;
	if (u->pp)
		MHD_destroy_post_processor(u->pp);
	free(u->file_name);
	free(u->file_ctype);
	sim_blob_unref(u->blob);
	sim_buf_release(&u->filename.v);
	sim_buf_release(&u->session_id.v);
	sim_buf_release(&u->metadata.v);
	free(u);
}

void sim_upload_end(struct sim_req *r)
{
	upload_free(r->upload);
	r->upload = NULL;
}

/* Python f"{n:,}" */
static void commas(uint64_t n, char *out, size_t outsz)
{
	char digits[32];
	size_t len, i, o = 0;

	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	len = strlen(digits);
	for (i = 0; i < len && o + 2 < outsz; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* common/utils/mime_helpers.py _EXTENSION_TO_MIME (reverse map). */
static const char *mime_for_ext(const char *ext)
{
	static const char *const tab[][2] = {
		{ ".txt", "text/plain" },
		{ ".html", "text/html" },
		{ ".css", "text/css" },
		{ ".js", "text/javascript" },
		{ ".csv", "text/csv" },
		{ ".md", "text/markdown" },
		{ ".xml", "text/xml" },
		{ ".yaml", "text/yaml" },
		{ ".yml", "text/yaml" },
		{ ".ts", "text/x-typescript" },
		{ ".tsx", "text/x-typescript" },
		{ ".jsx", "text/jsx" },
		{ ".toml", "text/x-toml" },
		{ ".rs", "text/x-rust" },
		{ ".go", "text/x-go" },
		{ ".kt", "text/x-kotlin" },
		{ ".swift", "text/x-swift" },
		{ ".rb", "text/x-ruby" },
		{ ".php", "text/x-php" },
		{ ".c", "text/x-c" },
		{ ".h", "text/x-c" },
		{ ".cpp", "text/x-c++" },
		{ ".hpp", "text/x-c++" },
		{ ".py", "text/x-python" },
		{ ".java", "text/x-java-source" },
		{ ".json", "application/json" },
		{ ".sh", "application/x-sh" },
		{ ".bash", "application/x-sh" },
		{ ".pdf", "application/pdf" },
		{ ".zip", "application/zip" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".gif", "image/gif" },
		{ ".bmp", "image/bmp" },
		{ ".webp", "image/webp" },
		{ ".svg", "image/svg+xml" },
		{ ".wav", "audio/wav" },
		{ ".mp3", "audio/mpeg" },
		{ ".ogg", "audio/ogg" },
		{ ".flac", "audio/flac" },
		{ ".aac", "audio/aac" },
		{ ".m4a", "audio/m4a" },
		{ ".mp4", "video/mp4" },
		{ ".webm", "video/webm" },
		{ ".avi", "video/x-msvideo" },
		{ ".mov", "video/quicktime" },
		{ ".env", "text/plain" },
		{ ".ini", "text/plain" },
		{ ".cfg", "text/plain" },
		{ ".mmd", "text/plain" },
	};
	size_t i;

	for (i = 0; i < SIM_ARRAY_SIZE(tab); i++)
		if (!strcasecmp(ext, tab[i][0]))
			return tab[i][1];
	return NULL;
}

/* resolve_mime_type(filename, provided) */
static void resolve_mime(const char *filename, const char *provided, char *out,
			 size_t outsz)
{
	char norm[128] = "";
	const char *base, *dot, *m;
	size_t i = 0;

	if (provided) {
		while (*provided == ' ')
			provided++;
		for (;
		     provided[i] && provided[i] != ';' && i < sizeof(norm) - 1;
		     i++)
			norm[i] = (char)tolower((unsigned char)provided[i]);
		norm[i] = '\0';
		while (i && norm[i - 1] == ' ')
			norm[--i] = '\0';
	}
	if (*norm && strcmp(norm, "application/octet-stream")) {
		snprintf(out, outsz, "%s", norm);
		return;
	}
	/* os.path.splitext: a leading dot of the basename is not one */
	base = strrchr(filename, '/');
	base = base ? base + 1 : filename;
	while (*base == '.')
		base++;
	dot = strrchr(base, '.');
	m = dot ? mime_for_ext(dot) : NULL;
	snprintf(out, outsz, "%s",
		 m	 ? m
		 : *norm ? norm
			 : "application/octet-stream");
}

static char *strip_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return sim_xstrndup(s, n);
}

/* agent/utils/artifact_helpers.py is_filename_safe */
static bool filename_safe(const char *f)
{
	return *f && !strstr(f, "..") && !strchr(f, '/') && !strchr(f, '\\') &&
	       strcmp(f, ".");
}

enum MHD_Result sim_upload_post(struct sim_req *r)
{
	struct sim_upload *u = r->upload;
	json_t *d, *meta = NULL, *out;
	char sid[SIM_ID_MAX * 8], mime[128], created[40], a[32], b[32],
		msg[1024];
	char *filename = NULL, *given = NULL;
	struct sim_buf uri;
	unsigned version;
	enum MHD_Result rc;

	if (u->pp && MHD_destroy_post_processor(u->pp) != MHD_YES)
		u->parse_error = true;
	u->pp = NULL;
	if (u->part_too_big)
		return sim_reply_error(r, 400,
				       "Part exceeded maximum size of 1024KB.");
	if (u->parse_error)
		return sim_reply_error(r, 400,
				       "There was an error parsing the body");
	/* FastAPI form validation: "" counts as missing for Form fields */
	d = json_object();
	if (u->file_as_field)
		json_object_set_new(
			d, "upload_file",
			json_pack(
				"[s]",
				"Expected UploadFile, received: <class 'str'>"));
	else if (!u->file_seen)
		json_object_set_new(d, "upload_file",
				    json_pack("[s]", "Field required"));
	if (!u->filename.seen || !u->filename.v.len)
		json_object_set_new(d, "filename",
				    json_pack("[s]", "Field required"));
	if (json_object_size(d))
		return sim_reply_invalid(r, "Validation error", d);
	json_decref(d);

	if (u->session_id.v.len)
		given = strip_dup(u->session_id.v.p, u->session_id.v.len);
	if (given && *given) {
		snprintf(sid, sizeof(sid), "%s", given);
	} else {
		free(given);
		given = NULL;
		sim_session_create(NULL, sid);
	}
	filename = strip_dup(u->filename.v.p, u->filename.v.len);
	if (!*filename) {
		rc = sim_reply_error(r, 400, "Filename is required.");
		goto out;
	}
	if (!u->file_name || !*u->file_name) {
		rc = sim_reply_error(r, 400, "File upload is required.");
		goto out;
	}
	if (given && !sim_session_exists(sid)) {
		rc = sim_reply_error(
			r, 403, "Invalid session or insufficient permissions.");
		goto out;
	}
	if (r->has_content_length &&
	    r->content_length > sim_cfg.max_upload_bytes) {
		commas(r->content_length, a, sizeof(a));
		commas(sim_cfg.max_upload_bytes, b, sizeof(b));
		snprintf(msg, sizeof(msg),
			 "File upload rejected: size %s "
			 "bytes exceeds maximum %s bytes (%.2f MB > %.2f MB)",
			 a, b, (double)r->content_length / MIB,
			 (double)sim_cfg.max_upload_bytes / MIB);
		rc = sim_reply_error(r, 413, msg);
		goto out;
	}
	if (u->file_bytes > sim_cfg.max_upload_bytes) {
		/* SAM reads 1 MiB chunks and stops at the first one over */
		uint64_t chunk = 1024 * 1024, n;

		n = (sim_cfg.max_upload_bytes / chunk + 1) * chunk;
		if (n > u->file_bytes)
			n = u->file_bytes;
		commas(sim_cfg.max_upload_bytes, b, sizeof(b));
		commas(n, a, sizeof(a));
		snprintf(msg, sizeof(msg),
			 "File '%.300s' rejected: size "
			 "exceeds maximum %s bytes (read %s bytes so far, "
			 "%.2f MB > %.2f MB)",
			 u->file_name, b, a, (double)n / MIB,
			 (double)sim_cfg.max_upload_bytes / MIB);
		rc = sim_reply_error(r, 413, msg);
		goto out;
	}
	if (!filename_safe(filename)) {
		snprintf(msg, sizeof(msg),
			 "Invalid filename: '%.300s'. "
			 "Filename must not contain path separators or "
			 "traversal sequences.",
			 filename);
		rc = sim_reply_error(r, 400, msg);
		goto out;
	}
	if (!u->file_bytes) {
		rc = sim_reply_error(r, 400, "Uploaded file cannot be empty.");
		goto out;
	}
	if (u->metadata.v.len) {
		meta = json_loadb(u->metadata.v.p, u->metadata.v.len, 0, NULL);
		if (!json_is_object(meta)) {
			json_decref(meta);
			meta = NULL;
		}
	}
	if (!meta)
		meta = json_object();
	resolve_mime(filename, u->file_ctype, mime, sizeof(mime));
	sim_artifact_put(sid, filename, u->blob, mime, json_incref(meta),
			 &version, created);
	SIM_COUNT(uploads);
	SIM_ADD(upload_bytes, u->blob->len);
	out = json_object();
	sim_buf_init(&uri, 1 << 20);
	/* format_artifact_uri: urlunparse leaves the path unquoted */
	sim_buf_addf(&uri,
		     "artifact://A2A_WebUI_App/sam_dev_user/%s/%s"
		     "?version=%u",
		     sid, filename, version);
	json_object_set_new(out, "uri", json_string(uri.p));
	sim_buf_release(&uri);
	json_object_set_new(out, "sessionId", json_string(sid));
	json_object_set_new(out, "filename", json_string(filename));
	json_object_set_new(out, "size",
			    json_integer((json_int_t)u->blob->len));
	u->blob = NULL; /* the store owns it now */
	json_object_set_new(out, "mimeType", json_string(mime));
	json_object_set_new(out, "metadata", meta);
	json_object_set_new(out, "createdAt", json_string(created));
	rc = sim_reply_json(r, 201, out);
out:
	free(filename);
	free(given);
	return rc;
}
