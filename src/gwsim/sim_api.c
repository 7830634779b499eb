/*
 * sim_api: the REST endpoints of SAM's WebUI gateway (and gwsim's extras).
 *
 * Every body, status code and validation message here was taken from SAM
 * 2b4ef6ab's routers and DTOs and from the FastAPI 0.120 / pydantic 2.12
 * behaviour they rely on; the source file is named next to each handler.
 * Errors use the production handler of shared/exceptions: HTTPException ->
 * {"message", "validationDetails": null}; RequestValidationError -> 422
 * "Validation error" with a map keyed by the dotted location minus "body"
 * (so query errors are "query.pageNumber").  Pydantic messages are
 * reproduced for the cases clients hit (missing field, wrong JSON type,
 * literal mismatch, integer parsing and bounds); deeper schema corners
 * (nested FileWithBytes variants, every pydantic coercion) are simplified
 * and documented where they are.
 *
 * Validation order is FastAPI's: the body is parsed and validated against
 * the JSON-RPC model before the handler runs, so a missing messageId is
 * reported even when agent_name is missing too; the handler then checks
 * metadata.agent_name before anything else.
 *
 * gwsim-only: GET /gwsim/stats (counters) and GET /gwsim/introspect (the
 * SSEManager sizes a real SAM would need a debugger to read).
 *
 * Workload: handlers run on MHD's worker threads; they build Jansson
 * values, call into the store/agent/sse modules (each with its own lock)
 * and serialize once.  Nothing blocks.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* ---- small helpers ----------------------------------------------------- */

/* Append msg to details[key] (insertion order kept, as pydantic reports). */
static void verr(json_t *details, const char *key, const char *msg)
{
	json_t *list = json_object_get(details, key);

	if (!list) {
		list = json_array();
		json_object_set_new(details, key, list);
	}
	json_array_append_new(list, json_string(msg));
}

static void verrf(json_t *details, const char *prefix, const char *key,
	const char *msg)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", prefix, key);
	verr(details, path, msg);
}

/* pydantic int from a query string; -1 bad syntax, 0 ok. */
static int parse_int(const char *s, long long *out)
{
	char *end;
	long long v;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

#define INT_PARSE_MSG \
	"Input should be a valid integer, unable to parse string as an integer"

/*
 * Query integer with bounds (lo/hi ignored when lo > hi).  Adds pydantic's
 * message to details and returns -1 on error; *out = def when absent.
 */
static int query_int(struct sim_req *r, json_t *details, const char *name,
	long long def, long long lo, long long hi, long long *out)
{
	const char *v = sim_req_arg(r, name);
	char key[128], msg[128];

	*out = def;
	if (!v)
		return 0;
	snprintf(key, sizeof(key), "query.%s", name);
	if (parse_int(v, out)) {
		verr(details, key, INT_PARSE_MSG);
		return -1;
	}
	if (lo <= hi && *out < lo) {
		snprintf(msg, sizeof(msg),
			"Input should be greater than or equal to %lld", lo);
		verr(details, key, msg);
		return -1;
	}
	if (lo <= hi && *out > hi) {
		snprintf(msg, sizeof(msg),
			"Input should be less than or equal to %lld", hi);
		verr(details, key, msg);
		return -1;
	}
	return 0;
}

/*
 * Required query string of at least one character.  Adds pydantic's
 * message to details and returns -1 on error; *out = the value, NULL when
 * absent.
 */
static int query_str(struct sim_req *r, json_t *details, const char *name,
		     const char **out)
{
	char key[128];

	*out = sim_req_arg(r, name);
	snprintf(key, sizeof(key), "query.%s", name);
	if (!*out) {
		verr(details, key, "Field required");
		return -1;
	}
	if (!**out) {
		verr(details, key, "String should have at least 1 character");
		return -1;
	}
	return 0;
}

/* pydantic bool from a query string */
static int parse_bool(const char *s, bool *out)
{
	static const char *const t[] = { "1", "on", "t", "true", "y", "yes" };
	static const char *const f[] = { "0", "off", "f", "false", "n", "no" };
	size_t i;

	for (i = 0; i < SIM_ARRAY_SIZE(t); i++) {
		if (!strcasecmp(s, t[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, f[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/*
 * Query boolean.  Adds pydantic's message to details and returns -1 on
 * error; *out = def when absent or invalid.
 */
static int query_bool(struct sim_req *r, json_t *details, const char *name,
		      bool def, bool *out)
{
	const char *v = sim_req_arg(r, name);
	char key[128];

	*out = def;
	if (!v || !parse_bool(v, out))
		return 0;
	snprintf(key, sizeof(key), "query.%s", name);
	verr(details, key, "Input should be a valid boolean, unable to "
	     "interpret input");
	return -1;
}

/* Python truthiness of a JSON value. */
static bool truthy(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0.0;
	case JSON_TRUE: return true;
	case JSON_OBJECT: return json_object_size(v) > 0;
	case JSON_ARRAY: return json_array_size(v) > 0;
	default: return false;
	}
}

/* Strip ASCII whitespace (Python's str.strip for the ids we see). */
static char *strip_dup(const char *s)
{
	size_t n;

	while (*s && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return sim_xstrndup(s, n);
}

static bool blank_session_id(const char *id)
{
	char *s = strip_dup(id);
	bool blank = !*s || !strcmp(id, "null") || !strcmp(id, "undefined");

	free(s);
	return blank;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if ((*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Python repr() of a str, truncated the way pydantic_core shows inputs. */
static void py_repr(const char *s, char *out, size_t outsz)
{
	struct sim_buf b;
	bool dq = strchr(s, '\'') && !strchr(s, '"');
	const char *p;

	sim_buf_init(&b, 1 << 20);
	sim_buf_add(&b, dq ? "\"" : "'", 1);
	for (p = s; *p; p++) {
		if (*p == '\\')
			sim_buf_adds(&b, "\\\\");
		else if (*p == '\'' && !dq)
			sim_buf_adds(&b, "\\'");
		else if (*p == '\n')
			sim_buf_adds(&b, "\\n");
		else if (*p == '\t')
			sim_buf_adds(&b, "\\t");
		else if (*p == '\r')
			sim_buf_adds(&b, "\\r");
		else if ((unsigned char)*p < 0x20)
			sim_buf_addf(&b, "\\x%02x", (unsigned char)*p);
		else
			sim_buf_add(&b, p, 1);
	}
	sim_buf_add(&b, dq ? "\"" : "'", 1);
	if (b.len > 50)
		snprintf(out, outsz, "%.25s...%s", b.p, b.p + b.len - 24);
	else
		snprintf(out, outsz, "%s", b.p);
	sim_buf_release(&b);
}

/*
 * UpdateSessionRequest.name: 1 to 255 characters.  0 when n passes, else
 * -1 with str(pydantic.ValidationError) in msg, SAM's 422 detail.
 */
static int check_session_name(const char *n, char *msg, size_t msgsz)
{
	size_t len = utf8_chars(n);
	char repr[128];

	if (len >= 1 && len <= 255)
		return 0;
	py_repr(n, repr, sizeof(repr));
	snprintf(msg, msgsz, "1 validation error for "
		 "UpdateSessionRequest\nname\n  String should have %s "
		 "[type=%s, input_value=%s, input_type=str]\n    For "
		 "further information visit https://errors.pydantic.dev"
		 "/2.12/v/%s", len < 1 ? "at least 1 character" :
		 "at most 255 characters", len < 1 ? "string_too_short"
		 : "string_too_long", repr, len < 1 ?
		 "string_too_short" : "string_too_long");
	return -1;
}

/*
 * Parse a JSON request body the way FastAPI does.  Returns the value (new
 * reference) or NULL after replying (*rc set).  A missing/empty body
 * yields json null so the model validation reports "Field required".
 */
static json_t *parse_body(struct sim_req *r, enum MHD_Result *rc)
{
	const char *ctype = sim_req_header(r, "Content-Type");
	json_error_t jerr;
	size_t pos;
	json_t *v;
	char key[32];

	if (!r->body.len)
		return json_null();
	if (ctype) {
		/* email.message: maintype application, subtype json / +json */
		char mt[128];
		size_t i;

		for (i = 0; ctype[i] && ctype[i] != ';' && i < sizeof(mt) - 1;
		     i++)
			mt[i] = (char)tolower((unsigned char)ctype[i]);
		mt[i] = '\0';
		while (i && isspace((unsigned char)mt[i - 1]))
			mt[--i] = '\0';
		if (strncmp(mt, "application/", 12) ||
		    (strcmp(mt + 12, "json") &&
		     (strlen(mt) < 17 || strcmp(mt + strlen(mt) - 5,
			"+json"))))
			/* not JSON: the raw bytes fail the model validation */
			return json_string("<bytes>");
	}
	switch (sim_json_check(r->body.p, r->body.len, &pos)) {
	case SIM_JSON_OK:
		break;
	case SIM_JSON_DECODE_ERROR:
		snprintf(key, sizeof(key), "%zu", pos);
		*rc = sim_reply_invalid1(r, key, "JSON decode error");
		return NULL;
	default:
		*rc = sim_reply_error(r, 400,
			"There was an error parsing the body");
		return NULL;
	}
	{
		/* json.loads(bytes) drops a UTF-8 BOM ("utf-8-sig") */
		size_t skip = r->body.len >= 3 &&
			!memcmp(r->body.p, "\xef\xbb\xbf", 3) ? 3 : 0;

		v = json_loadb(r->body.p + skip, r->body.len - skip,
			JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	}
	if (!v) {
		/* Python-valid but not for Jansson (NaN, huge integers) */
		snprintf(key, sizeof(key), "%d", jerr.position);
		*rc = sim_reply_invalid1(r, key, "JSON decode error");
		return NULL;
	}
	return v;
}

/* ---- JSON-RPC request validation (a2a-sdk 0.3.7 types) ----------------- */

static void check_opt_str(json_t *d, const char *pre, json_t *obj,
	const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (v && !json_is_null(v) && !json_is_string(v))
		verrf(d, pre, key, "Input should be a valid string");
}

static void check_opt_dict(json_t *d, const char *pre, json_t *obj,
	const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (v && !json_is_null(v) && !json_is_object(v))
		verrf(d, pre, key, "Input should be a valid dictionary");
}

static void check_opt_str_list(json_t *d, const char *pre, json_t *obj,
	const char *key)
{
	json_t *v = json_object_get(obj, key);
	size_t i;

	if (!v || json_is_null(v))
		return;
	if (!json_is_array(v)) {
		verrf(d, pre, key, "Input should be a valid list");
		return;
	}
	for (i = 0; i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i))) {
			char k[300];

			snprintf(k, sizeof(k), "%s.%zu", key, i);
			verrf(d, pre, k, "Input should be a valid string");
		}
}

static void check_literal(json_t *d, const char *pre, json_t *obj,
	const char *key, const char *lit)
{
	json_t *v = json_object_get(obj, key);
	char msg[128];

	if (!v || (json_is_string(v) && !strcmp(json_string_value(v), lit)))
		return;
	snprintf(msg, sizeof(msg), "Input should be '%s'", lit);
	verrf(d, pre, key, msg);
}

static void check_rpc_id(json_t *d, json_t *body)
{
	json_t *id = json_object_get(body, "id");

	if (!id) {
		verr(d, "id", "Field required");
		return;
	}
	if (json_is_string(id) || json_is_integer(id) || json_is_boolean(id))
		return;
	verr(d, "id.str", "Input should be a valid string");
	if (json_is_real(id) &&
	    json_real_value(id) != (double)(long long)json_real_value(id))
		verr(d, "id.int", "Input should be a valid integer, got a "
			"number with a fractional part");
	else if (!json_is_real(id))
		verr(d, "id.int", "Input should be a valid integer");
}

static bool kind_ok(json_t *part, const char *kind)
{
	json_t *k = json_object_get(part, "kind");

	return !k || (json_is_string(k) && !strcmp(json_string_value(k), kind));
}

static bool meta_ok(json_t *part)
{
	json_t *m = json_object_get(part, "metadata");

	return !m || json_is_null(m) || json_is_object(m);
}

static bool file_ok(json_t *f)
{
	return json_is_object(f) &&
		(json_is_string(json_object_get(f, "bytes")) ||
		 json_is_string(json_object_get(f, "uri")));
}

/* Part = RootModel[TextPart | FilePart | DataPart], smart-mode union. */
static void check_part(json_t *d, const char *pre, json_t *part)
{
	json_t *v;
	char p[300];

	if (!json_is_object(part)) {
		verrf(d, pre, "TextPart", "Input should be a valid dictionary "
			"or instance of TextPart");
		verrf(d, pre, "FilePart", "Input should be a valid dictionary "
			"or instance of FilePart");
		verrf(d, pre, "DataPart", "Input should be a valid dictionary "
			"or instance of DataPart");
		return;
	}
	if (meta_ok(part) && ((kind_ok(part, "text") &&
	    json_is_string(json_object_get(part, "text"))) ||
	    (kind_ok(part, "file") && file_ok(json_object_get(part, "file"))) ||
	    (kind_ok(part, "data") &&
	     json_is_object(json_object_get(part, "data")))))
		return;
	/* TextPart: kind, metadata, text */
	snprintf(p, sizeof(p), "%sTextPart.", pre);
	check_literal(d, p, part, "kind", "text");
	check_opt_dict(d, p, part, "metadata");
	v = json_object_get(part, "text");
	if (!v)
		verrf(d, p, "text", "Field required");
	else if (!json_is_string(v))
		verrf(d, p, "text", "Input should be a valid string");
	/* FilePart: file, kind, metadata */
	snprintf(p, sizeof(p), "%sFilePart.", pre);
	v = json_object_get(part, "file");
	if (!v) {
		verrf(d, p, "file", "Field required");
	} else if (!file_ok(v)) {
		verrf(d, p, "file.FileWithBytes.bytes", "Field required");
		verrf(d, p, "file.FileWithUri.uri", "Field required");
	}
	check_literal(d, p, part, "kind", "file");
	check_opt_dict(d, p, part, "metadata");
	/* DataPart: data, kind, metadata */
	snprintf(p, sizeof(p), "%sDataPart.", pre);
	v = json_object_get(part, "data");
	if (!v)
		verrf(d, p, "data", "Field required");
	else if (!json_is_object(v))
		verrf(d, p, "data", "Input should be a valid dictionary");
	check_literal(d, p, part, "kind", "data");
	check_opt_dict(d, p, part, "metadata");
}

static void check_message(json_t *d, json_t *m)
{
	const char *pre = "params.message.";
	json_t *v;
	size_t i;

	check_opt_str(d, pre, m, "contextId");
	check_opt_str_list(d, pre, m, "extensions");
	check_literal(d, pre, m, "kind", "message");
	v = json_object_get(m, "messageId");
	if (!v)
		verrf(d, pre, "messageId", "Field required");
	else if (!json_is_string(v))
		verrf(d, pre, "messageId", "Input should be a valid string");
	check_opt_dict(d, pre, m, "metadata");
	v = json_object_get(m, "parts");
	if (!v) {
		verrf(d, pre, "parts", "Field required");
	} else if (!json_is_array(v)) {
		verrf(d, pre, "parts", "Input should be a valid list");
	} else {
		for (i = 0; i < json_array_size(v); i++) {
			char p[64];

			snprintf(p, sizeof(p), "%sparts.%zu.", pre, i);
			check_part(d, p, json_array_get(v, i));
		}
	}
	check_opt_str_list(d, pre, m, "referenceTaskIds");
	v = json_object_get(m, "role");
	if (!v)
		verrf(d, pre, "role", "Field required");
	else if (!json_is_string(v) ||
		 (strcmp(json_string_value(v), "agent") &&
		  strcmp(json_string_value(v), "user")))
		verrf(d, pre, "role", "Input should be 'agent' or 'user'");
	check_opt_str(d, pre, m, "taskId");
}

/* SendMessageRequest / SendStreamingMessageRequest; errors into d. */
static void check_send_request(json_t *d, json_t *body, bool streaming)
{
	json_t *params, *m;

	if (!json_is_object(body)) {
		verr(d, "", json_is_null(body) ? "Field required" :
			streaming ? "Input should be a valid dictionary or "
			"instance of SendStreamingMessageRequest" :
			"Input should be a valid dictionary or instance of "
			"SendMessageRequest");
		return;
	}
	check_rpc_id(d, body);
	check_literal(d, "", body, "jsonrpc", "2.0");
	check_literal(d, "", body, "method", streaming ? "message/stream" :
		"message/send");
	params = json_object_get(body, "params");
	if (!params) {
		verr(d, "params", "Field required");
		return;
	}
	if (!json_is_object(params)) {
		verr(d, "params", "Input should be a valid dictionary or "
			"instance of MessageSendParams");
		return;
	}
	m = json_object_get(params, "configuration");
	if (m && !json_is_null(m) && !json_is_object(m))
		verr(d, "params.configuration", "Input should be a valid "
			"dictionary or instance of MessageSendConfiguration");
	m = json_object_get(params, "message");
	if (!m)
		verr(d, "params.message", "Field required");
	else if (!json_is_object(m))
		verr(d, "params.message", "Input should be a valid dictionary "
			"or instance of Message");
	else
		check_message(d, m);
	check_opt_dict(d, "params.", params, "metadata");
}

/* a2a CancelTaskRequest */
static void check_cancel_request(json_t *d, json_t *body)
{
	json_t *params, *id;

	if (!json_is_object(body)) {
		verr(d, "", json_is_null(body) ? "Field required" :
			"Input should be a valid dictionary or instance of "
			"CancelTaskRequest");
		return;
	}
	check_rpc_id(d, body);
	check_literal(d, "", body, "jsonrpc", "2.0");
	check_literal(d, "", body, "method", "tasks/cancel");
	params = json_object_get(body, "params");
	if (!params) {
		verr(d, "params", "Field required");
		return;
	}
	if (!json_is_object(params)) {
		verr(d, "params", "Input should be a valid dictionary or "
			"instance of TaskIdParams");
		return;
	}
	id = json_object_get(params, "id");
	if (!id)
		verr(d, "params.id", "Field required");
	else if (!json_is_string(id))
		verr(d, "params.id", "Input should be a valid string");
	check_opt_dict(d, "params.", params, "metadata");
}

/* First text part of the message (TextPart: has a string "text"). */
static const char *first_text(json_t *msg)
{
	json_t *parts = json_object_get(msg, "parts");
	size_t i;

	for (i = 0; i < json_array_size(parts); i++) {
		json_t *p = json_array_get(parts, i);
		json_t *t = json_object_get(p, "text");

		if (json_is_string(t) && kind_ok(p, "text"))
			return json_string_value(t);
	}
	return NULL;
}

/* ---- endpoints --------------------------------------------------------- */

enum MHD_Result sim_api_health(struct sim_req *r)
{
	return sim_reply_json(r, 200, json_pack("{s:s}", "status",
		"A2A Web UI Backend is running"));
}

/* GW/routers/config.py get_app_config with templates/webui.yaml values */
enum MHD_Result sim_api_config(struct sim_req *r)
{
	json_t *o = json_object(), *fe = json_object(), *vl = json_object();

	json_object_set_new(fe, "speechToText", json_true());
	json_object_set_new(fe, "textToSpeech", json_true());
	json_object_set_new(fe, "background_tasks", json_true());
	json_object_set_new(fe, "binaryArtifactPreview", json_false());
	json_object_set_new(fe, "taskLogging", json_true());
	json_object_set_new(fe, "promptLibrary", json_true());
	json_object_set_new(fe, "promptAIAssisted", json_true());
	json_object_set_new(fe, "promptVersionHistory", json_true());
	json_object_set_new(fe, "promptSharing", json_false());
	json_object_set_new(fe, "projects", json_false());
	json_object_set_new(fe, "mentions", json_false());
	json_object_set_new(fe, "auto_title_generation", json_false());
	json_object_set_new(fe, "chatSharing", json_false());
	json_object_set_new(fe, "scheduler", json_false());

	json_object_set_new(vl, "projectNameMax", json_integer(255));
	json_object_set_new(vl, "projectDescriptionMax", json_integer(1000));
	json_object_set_new(vl, "projectInstructionsMax", json_integer(4000));
	json_object_set_new(vl, "projectFileDescriptionMax",
		json_integer(1000));
	json_object_set_new(vl, "maxPerFileUploadSizeBytes",
		json_integer((json_int_t)sim_cfg.max_upload_bytes));
	json_object_set_new(vl, "maxBatchUploadSizeBytes",
		json_integer(104857600));
	json_object_set_new(vl, "maxZipUploadSizeBytes",
		json_integer(104857600));
	json_object_set_new(vl, "maxProjectSizeBytes",
		json_integer(104857600));

	json_object_set_new(o, "frontend_server_url", json_string(""));
	json_object_set_new(o, "frontend_platform_server_url",
		json_string("http://localhost:8001"));
	json_object_set_new(o, "frontend_auth_login_url", json_string(""));
	json_object_set_new(o, "frontend_use_authorization",
		json_boolean(sim_cfg.token != NULL));
	json_object_set_new(o, "frontend_welcome_message", json_string(""));
	json_object_set_new(o, "frontend_redirect_url", json_string(""));
	json_object_set_new(o, "frontend_collect_feedback", json_false());
	json_object_set_new(o, "frontend_bot_name", json_string("A2A Agent"));
	json_object_set_new(o, "frontend_logo_url", json_string(""));
	json_object_set_new(o, "frontend_disclaimer_text", json_string(""));
	json_object_set_new(o, "frontend_feature_enablement", fe);
	json_object_set_new(o, "persistence_enabled", json_true());
	json_object_set_new(o, "validation_limits", vl);
	json_object_set_new(o, "tool_config_status", json_pack("{s:b}",
		"text_to_speech", 0));
	json_object_set_new(o, "tts_settings", json_pack("{s:b,s:s,s:s}",
		"textToSpeech", 0, "engineTTS", "browser", "ttsProvider",
		"gemini"));
	json_object_set_new(o, "background_tasks_config", json_pack("{s:i}",
		"default_timeout_ms", 3600000));
	json_object_set_new(o, "identity_service_type", json_null());
	return sim_reply_json(r, 200, o);
}

static int by_name_ci(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* a2a-sdk AgentCard (alphabetical fields, nulls kept by FastAPI) */
static json_t *agent_card(const char *name)
{
	json_t *c = json_object(), *caps = json_object(), *ext, *skill;
	char buf[512];

	ext = json_object();
	json_object_set_new(ext, "description", json_null());
	json_object_set_new(ext, "params", json_pack("{s:s}", "display_name",
		name));
	json_object_set_new(ext, "required", json_null());
	json_object_set_new(ext, "uri", json_string(
		"https://solace.com/a2a/extensions/display-name"));
	json_object_set_new(caps, "extensions", json_pack("[o]", ext));
	json_object_set_new(caps, "pushNotifications", json_false());
	json_object_set_new(caps, "stateTransitionHistory", json_false());
	json_object_set_new(caps, "streaming", json_true());

	skill = json_object();
	snprintf(buf, sizeof(buf), "%s answers questions (gwsim built-in "
		"agent).", name);
	json_object_set_new(skill, "description", json_string(buf));
	json_object_set_new(skill, "examples", json_null());
	json_object_set_new(skill, "id", json_string("general_chat"));
	json_object_set_new(skill, "inputModes", json_null());
	json_object_set_new(skill, "name", json_string("General chat"));
	json_object_set_new(skill, "outputModes", json_null());
	json_object_set_new(skill, "security", json_null());
	json_object_set_new(skill, "tags", json_pack("[s,s]", "chat",
		"gwsim"));

	json_object_set_new(c, "additionalInterfaces", json_null());
	json_object_set_new(c, "capabilities", caps);
	json_object_set_new(c, "defaultInputModes", json_pack("[s]", "text"));
	json_object_set_new(c, "defaultOutputModes", json_pack("[s,s]",
		"text", "file"));
	snprintf(buf, sizeof(buf), "Simulated agent %s of the gwsim "
		"reference gateway.", name);
	json_object_set_new(c, "description", json_string(buf));
	json_object_set_new(c, "documentationUrl", json_null());
	json_object_set_new(c, "iconUrl", json_null());
	json_object_set_new(c, "name", json_string(name));
	json_object_set_new(c, "preferredTransport", json_string("JSONRPC"));
	json_object_set_new(c, "protocolVersion", json_string("0.3.0"));
	json_object_set_new(c, "provider", json_null());
	json_object_set_new(c, "security", json_null());
	json_object_set_new(c, "securitySchemes", json_null());
	json_object_set_new(c, "signatures", json_null());
	json_object_set_new(c, "skills", json_pack("[o]", skill));
	json_object_set_new(c, "supportsAuthenticatedExtendedCard",
		json_null());
	snprintf(buf, sizeof(buf), "solace:gwsim/a2a/v1/agent/request/%s",
		name);
	json_object_set_new(c, "url", json_string(buf));
	json_object_set_new(c, "version", json_string("1.0.0"));
	return c;
}

enum MHD_Result sim_api_agent_cards(struct sim_req *r)
{
	char **names = sim_xmalloc((sim_cfg.n_agents + 1) * sizeof(*names));
	json_t *a = json_array();
	size_t i;

	memcpy(names, sim_cfg.agents, sim_cfg.n_agents * sizeof(*names));
	qsort(names, sim_cfg.n_agents, sizeof(*names), by_name_ci);
	for (i = 0; i < sim_cfg.n_agents; i++)
		json_array_append_new(a, agent_card(names[i]));
	free(names);
	return sim_reply_json(r, 200, a);
}

/* GW/routers/sessions.py get_all_sessions */
enum MHD_Result sim_api_sessions_list(struct sim_req *r)
{
	json_t *d = json_object(), *out;
	const char *source = sim_req_arg(r, "source");
	const char *project = sim_req_arg(r, "project_id");
	long long page, size;

	query_int(r, d, "pageNumber", 1, 1, 1LL << 62, &page);
	query_int(r, d, "pageSize", 20, 1, 100, &size);
	if (json_object_size(d))
		return sim_reply_invalid(r, "Validation error", d);
	json_decref(d);
	if (source && strcmp(source, "chat") && strcmp(source, "scheduler")) {
		char msg[1024];

		snprintf(msg, sizeof(msg), "Invalid source filter: %.900s. "
			"Must be one of: chat, scheduler", source);
		return sim_reply_error(r, 400, msg);
	}
	/* no projects and no scheduler sessions exist here */
	out = sim_session_list((unsigned)page, (unsigned)size,
		sim_req_arg(r, "agent_id"), NULL,
		(source && !strcmp(source, "scheduler")) ||
		(project && *project));
	return sim_reply_json(r, 200, out);
}

enum MHD_Result sim_api_sessions_search(struct sim_req *r)
{
	json_t *d = json_object();
	const char *project = sim_req_arg(r, "projectId");
	const char *q;
	long long page, size;

	query_str(r, d, "query", &q);
	query_int(r, d, "pageNumber", 1, 1, 1LL << 62, &page);
	query_int(r, d, "pageSize", 20, 1, 100, &size);
	if (json_object_size(d))
		return sim_reply_invalid(r, "Validation error", d);
	json_decref(d);
	return sim_reply_json(r, 200, sim_session_list((unsigned)page,
		(unsigned)size, sim_req_arg(r, "agent_id"), q,
		project && *project));
}

enum MHD_Result sim_api_session_get(struct sim_req *r)
{
	json_t *s;

	if (blank_session_id(r->param[0]) ||
	    !(s = sim_session_get(r->param[0], false)))
		return sim_reply_error(r, 404, "Session not found.");
	return sim_reply_json(r, 200, json_pack("{s:o}", "data", s));
}

/* GW/routers/sessions.py update_session_name */
enum MHD_Result sim_api_session_patch(struct sim_req *r)
{
	enum MHD_Result rc = MHD_NO;
	json_t *body, *name, *s;
	const char *n;
	char msg[512];

	if (r->body_over)
		return sim_reply_error(r, 400, "There was an error parsing "
			"the body");
	body = parse_body(r, &rc);
	if (!body)
		return rc;
	name = json_is_object(body) ? json_object_get(body, "name") : NULL;
	if (!name || json_is_null(name)) {
		json_decref(body);
		return sim_reply_invalid1(r, "name", "Field required");
	}
	if (!json_is_string(name)) {
		json_decref(body);
		return sim_reply_invalid1(r, "name",
			"Input should be a valid string");
	}
	if (blank_session_id(r->param[0])) {
		json_decref(body);
		return sim_reply_error(r, 404, "Session not found.");
	}
	n = json_string_value(name);
	if (check_session_name(n, msg, sizeof(msg))) {
		/* str(pydantic.ValidationError) as the 422 detail */
		json_decref(body);
		return sim_reply_error(r, 422, msg);
	}
	s = sim_session_rename(r->param[0], n);
	json_decref(body);
	if (!s)
		return sim_reply_error(r, 404, "Session not found.");
	return sim_reply_json(r, 200, s);
}

enum MHD_Result sim_api_session_delete(struct sim_req *r)
{
	if (blank_session_id(r->param[0]) || sim_session_delete(r->param[0]))
		return sim_reply_error(r, 404, "Session not found.");
	return sim_reply_empty(r, 204);
}

static enum MHD_Result reply_submit(struct sim_req *r, json_t *out)
{
	size_t len;
	char *s;

	if (sim_cfg.garbage == SIM_GARBAGE_NONE)
		return sim_reply_json(r, 200, out);
	SIM_COUNT(garbage_responses);
	if (sim_cfg.garbage == SIM_GARBAGE_NONJSON) {
		static const char junk[] =
			"<html><body>gwsim: not JSON</body></html>";

		json_decref(out);
		s = sim_xstrdup(junk);
		len = sizeof(junk) - 1;
	} else {
		s = sim_json_dumps(out, SIM_JSON_COMPACT, &len);
		json_decref(out);
	}
	{
		struct MHD_Response *resp = MHD_create_response_from_buffer(
			len, s, MHD_RESPMEM_MUST_FREE);

		if (!resp) {
			free(s);
			return MHD_NO;
		}
		MHD_add_response_header(resp, "content-type",
			sim_cfg.garbage == SIM_GARBAGE_NONJSON ?
			"text/html; charset=utf-8" : "text/plain");
		return sim_reply(r, 200, resp);
	}
}

/* GW/routers/tasks.py _submit_task */
enum MHD_Result sim_api_message(struct sim_req *r, bool streaming)
{
	enum MHD_Result rc = MHD_NO;
	json_t *body, *d, *msg, *meta, *agent, *ctx, *result, *status, *out;
	json_t *idv;
	char session[SIM_ID_MAX], task_id[SIM_ID_MAX];
	struct sim_submit sub;
	char *agent_name, *context_id = NULL;

	if (r->body_over)
		/* gateway_max_message_size_bytes: the §3 422 quirk */
		return sim_reply_invalid(r, "Validation failed",
			json_pack("{s:[s]}", "message",
				"Input should be a valid string"));
	body = parse_body(r, &rc);
	if (!body)
		return rc;
	d = json_object();
	check_send_request(d, body, streaming);
	if (json_object_size(d)) {
		json_decref(body);
		return sim_reply_invalid(r, "Validation error", d);
	}
	json_decref(d);
	msg = json_object_get(json_object_get(body, "params"), "message");
	meta = json_object_get(msg, "metadata");
	agent = json_is_object(meta) ? json_object_get(meta, "agent_name") :
		NULL;
	if (!truthy(agent)) {
		json_decref(body);
		return sim_reply_error(r, 422, "Missing 'agent_name' in "
			"request payload message metadata.");
	}
	agent_name = json_is_string(agent) ?
		sim_xstrdup(json_string_value(agent)) :
		sim_json_dumps(agent, SIM_JSON_COMPACT, NULL);
	ctx = json_object_get(msg, "contextId");
	if (json_is_string(ctx)) {
		context_id = strip_dup(json_string_value(ctx));
		if (!*context_id) {
			free(context_id);
			context_id = NULL;
		}
	}
	if (context_id) {
		/* :stream creates a row for an unknown id; :send never does */
		if (streaming)
			sim_session_ensure(context_id, agent_name);
		snprintf(session, sizeof(session), "%.*s", SIM_ID_MAX - 1,
			context_id);
	} else if (streaming) {
		sim_session_create(agent_name, session);
	} else {
		sim_hex_id(session, sizeof(session), "web-session-");
	}

	memset(&sub, 0, sizeof(sub));
	sub.agent = agent_name;
	sub.context_id = context_id ? context_id : session;
	sub.text = first_text(msg);
	sub.background = truthy(json_object_get(meta,
		"backgroundExecutionEnabled"));
	if (json_is_integer(json_object_get(meta, "maxExecutionTimeMs")))
		sub.max_exec_ms = json_integer_value(json_object_get(meta,
			"maxExecutionTimeMs"));
	if (sub.background && !sub.max_exec_ms)
		sub.max_exec_ms = 3600000;
	sim_agent_submit(&sub, task_id);

	/* common/a2a/task.py create_initial_task, nulls kept by FastAPI */
	status = json_object();
	json_object_set_new(status, "message", json_null());
	json_object_set_new(status, "state", json_string("submitted"));
	json_object_set_new(status, "timestamp", json_null());
	result = json_object();
	json_object_set_new(result, "artifacts", json_null());
	json_object_set_new(result, "contextId", json_string(sub.context_id));
	json_object_set_new(result, "history", json_null());
	json_object_set_new(result, "id", json_string(task_id));
	json_object_set_new(result, "kind", json_string("task"));
	json_object_set_new(result, "metadata", json_pack("{s:s}",
		"agent_name", agent_name));
	json_object_set_new(result, "status", status);
	out = json_object();
	/* pydantic's str | int: 1.0 and true validate (and echo) as ints */
	idv = json_object_get(body, "id");
	if (json_is_real(idv))
		json_object_set_new(out, "id",
			json_integer((json_int_t)json_real_value(idv)));
	else if (json_is_boolean(idv))
		json_object_set_new(out, "id",
			json_integer(json_is_true(idv)));
	else
		json_object_set_new(out, "id", json_incref(idv));
	json_object_set_new(out, "jsonrpc", json_string("2.0"));
	json_object_set_new(out, "result", result);
	free(agent_name);
	free(context_id);
	json_decref(body);
	return reply_submit(r, out);
}

/* GW/routers/sse.py subscribe_to_task_events */
enum MHD_Result sim_api_subscribe(struct sim_req *r)
{
	json_t *d = json_object();
	struct MHD_Response *resp;
	long long ts;
	bool reconnect;

	query_bool(r, d, "reconnect", false, &reconnect);
	query_int(r, d, "last_event_timestamp", 0, 1, 0, &ts);
	if (json_object_size(d))
		return sim_reply_invalid(r, "Validation error", d);
	json_decref(d);
	/*
	 * reconnect=true replays SAM's task_events table; gwsim keeps no
	 * event history, so a reconnect gets live events only.
	 */
	resp = sim_sse_open(r->conn, r->param[0],
		sim_agent_is_background(r->param[0]));
	if (!resp)
		return sim_reply_error(r, 500, "Failed to establish SSE "
			"connection: server shutting down");
	return sim_reply(r, 200, resp);
}

/* GW/routers/tasks.py cancel_agent_task */
enum MHD_Result sim_api_cancel(struct sim_req *r)
{
	enum MHD_Result rc = MHD_NO;
	json_t *body, *d;
	const char *id;
	char msg[512];

	if (r->body_over)
		return sim_reply_error(r, 400, "There was an error parsing "
			"the body");
	body = parse_body(r, &rc);
	if (!body)
		return rc;
	d = json_object();
	check_cancel_request(d, body);
	if (json_object_size(d)) {
		json_decref(body);
		return sim_reply_invalid(r, "Validation error", d);
	}
	json_decref(d);
	id = json_string_value(json_object_get(json_object_get(body, "params"),
		"id"));
	if (strcmp(id, r->param[0])) {
		json_decref(body);
		return sim_reply_error(r, 400, "Task ID in URL path does not "
			"match task ID in payload.");
	}
	json_decref(body);
	if (sim_agent_cancel(r->param[0])) {
		snprintf(msg, sizeof(msg), "No active task context found for "
			"task ID: %.400s", r->param[0]);
		return sim_reply_error(r, 404, msg);
	}
	return sim_reply_json(r, 202, json_pack("{s:s}", "message",
		"Cancellation request sent"));
}

enum MHD_Result sim_api_task_status(struct sim_req *r)
{
	json_t *s = sim_agent_status(r->param[0]);
	char msg[512];

	if (!s) {
		snprintf(msg, sizeof(msg), "Task %.400s not found",
			r->param[0]);
		return sim_reply_error(r, 404, msg);
	}
	return sim_reply_json(r, 200, s);
}

#define STAT(o, name) json_object_set_new(o, #name, \
	json_integer((json_int_t)SIM_GET(name)))

enum MHD_Result sim_api_stats(struct sim_req *r)
{
	struct sim_sse_counts c;
	json_t *o = json_object();

	sim_sse_counts(&c);
	STAT(o, active_streams);
	STAT(o, streams_total);
	STAT(o, streams_ended);
	STAT(o, stream_disconnects);
	json_object_set_new(o, "active_subscriptions",
		json_integer((json_int_t)c.active_connections));
	json_object_set_new(o, "buffered_tasks",
		json_integer((json_int_t)c.buffered_tasks));
	json_object_set_new(o, "prior_connections",
		json_integer((json_int_t)c.prior_connections));
	STAT(o, tasks_submitted);
	STAT(o, tasks_completed);
	STAT(o, tasks_canceled);
	STAT(o, tasks_unknown_agent);
	json_object_set_new(o, "tasks", json_integer((json_int_t)
		sim_agent_count()));
	STAT(o, background_task_cache);
	STAT(o, events_generated);
	STAT(o, events_sent);
	STAT(o, events_buffered);
	STAT(o, events_buffer_dropped);
	STAT(o, events_persist_only);
	STAT(o, buffers_purged);
	STAT(o, queues_detached);
	STAT(o, pings_sent);
	json_object_set_new(o, "sessions", json_integer((json_int_t)
		sim_session_count()));
	json_object_set_new(o, "artifacts", json_integer((json_int_t)
		sim_artifact_count()));
	STAT(o, uploads);
	STAT(o, upload_bytes);
	STAT(o, downloads);
	STAT(o, requests_total);
	STAT(o, responses_2xx);
	STAT(o, responses_3xx);
	STAT(o, responses_4xx);
	STAT(o, responses_5xx);
	STAT(o, connections_open);
	STAT(o, connections_total);
	STAT(o, faults_500);
	STAT(o, streams_cut);
	STAT(o, malformed_events);
	STAT(o, streams_stalled);
	STAT(o, streams_trickled);
	STAT(o, garbage_responses);
	STAT(o, tasks_never_final);
	STAT(o, leaked_kb);
	STAT(o, connections_refused);
	STAT(o, connections_reset);
	json_object_set_new(o, "timers_pending", json_integer((json_int_t)
		sim_timer_pending()));
	json_object_set_new(o, "rss_kb", json_integer(sim_rss_kb()));
	return sim_reply_json(r, 200, o);
}

enum MHD_Result sim_api_introspect(struct sim_req *r)
{
	struct sim_sse_counts c;
	json_t *o = json_object();

	sim_sse_counts(&c);
	json_object_set_new(o, "active_connections",
		json_integer((json_int_t)c.active_connections));
	json_object_set_new(o, "background_task_cache",
		json_integer((json_int_t)SIM_GET(background_task_cache)));
	json_object_set_new(o, "prior_connections",
		json_integer((json_int_t)c.prior_connections));
	json_object_set_new(o, "buffered_tasks",
		json_integer((json_int_t)c.buffered_tasks));
	return sim_reply_json(r, 200, o);
}
