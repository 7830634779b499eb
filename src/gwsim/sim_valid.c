/*
 * sim_valid: FastAPI's request validation, as SAM's handlers rely on it.
 *
 * SAM declares its request bodies and query parameters as pydantic 2.12
 * models (a2a-sdk 0.3.7 types for the JSON-RPC requests), and FastAPI 0.120
 * validates them before the handler runs.  A RequestValidationError
 * becomes, through the production handler of shared/exceptions, a 422
 * "Validation error" with a map keyed by the dotted location minus "body"
 * (so query errors are "query.pageNumber").  The checks here append
 * pydantic's messages to such a map, in pydantic's order; the handler
 * replies once with the whole map.  Pydantic messages are reproduced for
 * the cases clients hit (missing field, wrong JSON type, literal mismatch,
 * integer parsing and bounds); deeper schema corners (nested FileWithBytes
 * variants, every pydantic coercion) are simplified and documented where
 * they are.
 *
 * Validation order is FastAPI's: the body is parsed (sim_valid_body) and
 * validated against the JSON-RPC model before the handler runs, so a
 * missing messageId is reported even when agent_name is missing too; the
 * handler then checks metadata.agent_name before anything else.
 *
 * Workload: once per request on the MHD worker thread, over bodies capped
 * at --max-body-bytes.  No state, no lock.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

int sim_valid_query_int(struct sim_req *r, json_t *details, const char *name,
			long long def, long long lo, long long hi,
			long long *out)
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

int sim_valid_query_str(struct sim_req *r, json_t *details, const char *name,
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

int sim_valid_query_bool(struct sim_req *r, json_t *details, const char *name,
			 bool def, bool *out)
{
	const char *v = sim_req_arg(r, name);
	char key[128];

	*out = def;
	if (!v || !parse_bool(v, out))
		return 0;
	snprintf(key, sizeof(key), "query.%s", name);
	verr(details, key,
	     "Input should be a valid boolean, unable to "
	     "interpret input");
	return -1;
}

bool sim_valid_truthy(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	case JSON_TRUE:
		return true;
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	default:
		return false;
	}
}

char *sim_valid_strip(const char *s)
{
	size_t n;

	while (*s && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return sim_xstrndup(s, n);
}

bool sim_valid_blank_id(const char *id)
{
	char *s = sim_valid_strip(id);
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

int sim_valid_session_name(const char *n, char *msg, size_t msgsz)
{
	size_t len = utf8_chars(n);
	char repr[128];

	if (len >= 1 && len <= 255)
		return 0;
	py_repr(n, repr, sizeof(repr));
	snprintf(msg, msgsz,
		 "1 validation error for "
		 "UpdateSessionRequest\nname\n  String should have %s "
		 "[type=%s, input_value=%s, input_type=str]\n    For "
		 "further information visit https://errors.pydantic.dev"
		 "/2.12/v/%s",
		 len < 1 ? "at least 1 character" : "at most 255 characters",
		 len < 1 ? "string_too_short" : "string_too_long", repr,
		 len < 1 ? "string_too_short" : "string_too_long");
	return -1;
}

json_t *sim_valid_body(struct sim_req *r, enum MHD_Result *rc)
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
		     (strlen(mt) < 17 || strcmp(mt + strlen(mt) - 5, "+json"))))
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
		size_t skip = r->body.len >= 3 && !memcmp(r->body.p,
							  "\xef\xbb\xbf", 3)
				      ? 3
				      : 0;

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
		verr(d, "id.int",
		     "Input should be a valid integer, got a "
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
		verrf(d, pre, "TextPart",
		      "Input should be a valid dictionary "
		      "or instance of TextPart");
		verrf(d, pre, "FilePart",
		      "Input should be a valid dictionary "
		      "or instance of FilePart");
		verrf(d, pre, "DataPart",
		      "Input should be a valid dictionary "
		      "or instance of DataPart");
		return;
	}
	if (meta_ok(part) && ((kind_ok(part, "text") &&
			       json_is_string(json_object_get(part, "text"))) ||
			      (kind_ok(part, "file") &&
			       file_ok(json_object_get(part, "file"))) ||
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
	else if (!json_is_string(v) || (strcmp(json_string_value(v), "agent") &&
					strcmp(json_string_value(v), "user")))
		verrf(d, pre, "role", "Input should be 'agent' or 'user'");
	check_opt_str(d, pre, m, "taskId");
}

/*
 * The params member of a JSON-RPC request, which must be an object (model
 * is pydantic's name for it, used in the message).  Returns it, or NULL
 * after adding the error: there is then nothing inside params to check.
 */
static json_t *require_params(json_t *d, json_t *body, const char *model)
{
	json_t *params = json_object_get(body, "params");
	char msg[128];

	if (!params) {
		verr(d, "params", "Field required");
		return NULL;
	}
	if (!json_is_object(params)) {
		snprintf(msg, sizeof(msg),
			 "Input should be a valid dictionary "
			 "or instance of %s",
			 model);
		verr(d, "params", msg);
		return NULL;
	}
	return params;
}

void sim_valid_send_request(json_t *d, json_t *body, bool streaming)
{
	json_t *params, *m;

	if (!json_is_object(body)) {
		verr(d, "",
		     json_is_null(body) ? "Field required"
		     : streaming
			     ? "Input should be a valid dictionary or "
			       "instance of SendStreamingMessageRequest"
			     : "Input should be a valid dictionary or instance of "
			       "SendMessageRequest");
		return;
	}
	check_rpc_id(d, body);
	check_literal(d, "", body, "jsonrpc", "2.0");
	check_literal(d, "", body, "method",
		      streaming ? "message/stream" : "message/send");
	params = require_params(d, body, "MessageSendParams");
	if (!params)
		return;
	m = json_object_get(params, "configuration");
	if (m && !json_is_null(m) && !json_is_object(m))
		verr(d, "params.configuration",
		     "Input should be a valid "
		     "dictionary or instance of MessageSendConfiguration");
	m = json_object_get(params, "message");
	if (!m)
		verr(d, "params.message", "Field required");
	else if (!json_is_object(m))
		verr(d, "params.message",
		     "Input should be a valid dictionary "
		     "or instance of Message");
	else
		check_message(d, m);
	check_opt_dict(d, "params.", params, "metadata");
}

void sim_valid_cancel_request(json_t *d, json_t *body)
{
	json_t *params, *id;

	if (!json_is_object(body)) {
		verr(d, "",
		     json_is_null(body)
			     ? "Field required"
			     : "Input should be a valid dictionary or instance of "
			       "CancelTaskRequest");
		return;
	}
	check_rpc_id(d, body);
	check_literal(d, "", body, "jsonrpc", "2.0");
	check_literal(d, "", body, "method", "tasks/cancel");
	params = require_params(d, body, "TaskIdParams");
	if (!params)
		return;
	id = json_object_get(params, "id");
	if (!id)
		verr(d, "params.id", "Field required");
	else if (!json_is_string(id))
		verr(d, "params.id", "Input should be a valid string");
	check_opt_dict(d, "params.", params, "metadata");
}

const char *sim_valid_first_text(json_t *msg)
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
