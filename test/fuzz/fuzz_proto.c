/*
 * fuzz_proto: libFuzzer harness for gw_proto, the parsers of the JSON a
 * gateway sends (sam-gateway-protocol.md sections 4, 5 and 8), plus a
 * round trip of the submit request gwstress builds.
 *
 * Input layout: the first byte selects the function (byte % 4, so the
 * digits '0'..'3' spell the four modes in a corpus file):
 *   0  gw_proto_submit_response(rest)
 *   1  gw_proto_upload_response(rest after byte 1), sessionId buffer of
 *      byte 1 bytes (0..255)
 *   2  gw_proto_event(type, data): byte 1 picks the task the frames are
 *      checked against ('T' = gdk-task-1 in web-session-1, 't' = gdk-task-1
 *      with no session yet, anything else = none); then the event type up
 *      to the first LF (at most GW_SSE_TYPE_MAX-1 bytes, as gw_sse
 *      delivers); the rest is the data
 *   3  gw_proto_submit_request() with the rest as the user's text
 *
 * Invariants, abort() on violation:
 *  - results are only the documented classes: submit and upload
 *    GW_E_NONE, GW_E_PARSE or GW_E_PROTOCOL, event GW_E_NONE or GW_E_PARSE;
 *    a failure sets *why to a non-empty reason;
 *  - out-strings are NUL-terminated within their buffers (which start
 *    filled with junk) and equal what Jansson itself reads at the same
 *    place: whole for the task id, session and sessionId (non-empty on
 *    success), cut to the buffer for an event's ids; the sessionId buffer
 *    is a malloc block of exactly its size (ASan);
 *  - event: parsed is 1 exactly when the result is GW_E_NONE; terminal
 *    and foreign are 0 or 1; "final_response" is always terminal; nothing
 *    is foreign without a task, or when the data is not JSON (then no ids
 *    either); and the result and the whole struct, byte for byte, are
 *    what the Jansson version of gw_proto_event gives (the oracle,
 *    test/unit/proto_oracle.h), whose output starts filled with other
 *    junk;
 *  - request: NULL only when Jansson refuses the text as a string (not
 *    UTF-8); otherwise JSON whose params.message.parts[0].text is the text.
 * Leaks are LeakSanitizer's (libFuzzer reports them as crashes).
 *
 * Memory: one or two copies of the input; the body and data are copied to
 * blocks of exactly their length (they are not NUL-terminated, as the HTTP
 * and SSE layers do not promise it either).  Run with -max_len=4096 (make
 * fuzz does).
 */
#include "gw_proto.h"
#include "gw_sse.h"
#include "../unit/proto_oracle.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                        \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_proto: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                            \
			abort();                                             \
		}                                                            \
	} while (0)

#define JUNK 0xA5
#define JUNK2 0x5A /* the oracle's */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_object_seed(0); /* once, before any Jansson use */
	return 0;
}

/* A malloc block holding exactly s[0, n) (1 byte when n is 0). */
static char *dup_exact(const uint8_t *s, size_t n)
{
	char *b = malloc(n ? n : 1);

	REQUIRE(b);
	memcpy(b, s, n);
	return b;
}

/* Same, NUL-terminated (an embedded NUL ends the string early). */
static char *dup_str(const uint8_t *s, size_t n)
{
	char *b = malloc(n + 1);

	REQUIRE(b);
	memcpy(b, s, n);
	b[n] = '\0';
	return b;
}

/*
 * The oracle for out-strings: the string at j[k1] (or j[k1][k2]) as
 * Jansson reads it, or NULL.  j may be NULL.
 */
static const char *jstr(json_t *j, const char *k1, const char *k2)
{
	json_t *v = json_object_get(j, k1);

	if (k2)
		v = json_object_get(v, k2);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/*
 * out, a buffer of n bytes, is NUL-terminated and holds want ("" for
 * NULL): whole, or cut to n - 1 bytes when cut_ok.
 */
static void check_copy(const char *out, size_t n, const char *want, int cut_ok)
{
	REQUIRE(memchr(out, '\0', n));
	if (!want)
		want = "";
	if (cut_ok)
		REQUIRE(!strncmp(out, want, n - 1));
	else
		REQUIRE(!strcmp(out, want));
}

static void check_why(enum gw_errclass c, const char *why)
{
	REQUIRE(c == GW_E_PARSE || c == GW_E_PROTOCOL);
	REQUIRE(why && *why);
}

static void fuzz_submit(const uint8_t *s, size_t n)
{
	char *body = dup_exact(s, n);
	struct gw_task t;
	const char *why = NULL;
	enum gw_errclass c;

	memset(&t, JUNK, sizeof(t));
	c = gw_proto_submit_response(body, n, &t, &why);
	if (c == GW_E_NONE) {
		json_t *j = json_loadb(body, n, 0, NULL);

		check_copy(t.id, sizeof(t.id), jstr(j, "result", "id"), 0);
		check_copy(t.context_id, sizeof(t.context_id),
			   jstr(j, "result", "contextId"), 0);
		REQUIRE(t.id[0]);
		json_decref(j);
	} else {
		check_why(c, why);
	}
	free(body);
}

static void fuzz_upload(const uint8_t *s, size_t n)
{
	size_t sid_len = n ? s[0] : 0;
	char *body, *sid;
	const char *why = NULL;
	enum gw_errclass c;

	s += !!n;
	n -= !!n;
	body = dup_exact(s, n);
	sid = malloc(sid_len ? sid_len : 1);
	REQUIRE(sid);
	memset(sid, JUNK, sid_len ? sid_len : 1);
	c = gw_proto_upload_response(body, n, sid, sid_len, &why);
	if (c == GW_E_NONE) {
		json_t *j = json_loadb(body, n, 0, NULL);

		REQUIRE(sid_len);
		check_copy(sid, sid_len, jstr(j, "sessionId", NULL), 0);
		REQUIRE(sid[0]);
		json_decref(j);
	} else {
		check_why(c, why);
	}
	free(sid);
	free(body);
}

static void fuzz_event(const uint8_t *s, size_t n)
{
	struct gw_task task = { "gdk-task-1", "web-session-1" };
	const struct gw_task *tp = NULL;
	const uint8_t *lf;
	size_t tlen, skip;
	char *type, *data;
	struct gw_proto_event ev, want;
	enum gw_errclass c;

	if (n && (s[0] == 'T' || s[0] == 't')) {
		if (s[0] == 't')
			task.context_id[0] = '\0';
		tp = &task;
	}
	s += !!n;
	n -= !!n;
	/* the type line (cut to what gw_sse delivers), then the data */
	lf = memchr(s, '\n', n);
	tlen = lf ? (size_t)(lf - s) : n;
	skip = lf ? tlen + 1 : n;
	type = dup_str(s, tlen < GW_SSE_TYPE_MAX ? tlen : GW_SSE_TYPE_MAX - 1);
	s += skip;
	n -= skip;
	data = dup_exact(s, n);

	memset(&ev, JUNK, sizeof(ev));
	c = gw_proto_event(type, data, n, tp, &ev);
	REQUIRE(c == GW_E_NONE || c == GW_E_PARSE);
	REQUIRE(ev.parsed == (c == GW_E_NONE));
	REQUIRE(ev.terminal == 0 || ev.terminal == 1);
	REQUIRE(ev.foreign == 0 || ev.foreign == 1);
	if (c == GW_E_NONE) {
		json_t *j = json_loadb(data, n, 0, NULL);
		const char *tid = jstr(j, "result", "taskId");

		/* ids are kept cut to the buffer, for messages */
		check_copy(ev.task_id, sizeof(ev.task_id),
			   tid ? tid : jstr(j, "result", "id"), 1);
		check_copy(ev.context_id, sizeof(ev.context_id),
			   jstr(j, "result", "contextId"), 1);
		json_decref(j);
	}
	REQUIRE(memchr(ev.task_id, '\0', sizeof(ev.task_id)));
	REQUIRE(memchr(ev.context_id, '\0', sizeof(ev.context_id)));
	if (!strcmp(type, "final_response"))
		REQUIRE(ev.terminal);
	if (!tp || c != GW_E_NONE)
		REQUIRE(!ev.foreign);
	if (c != GW_E_NONE)
		REQUIRE(!ev.task_id[0] && !ev.context_id[0]);
	memset(&want, JUNK2, sizeof(want));
	REQUIRE(oracle_event(type, data, n, tp, &want) == c);
	REQUIRE(!memcmp(&ev, &want, sizeof(ev)));
	free(data);
	free(type);
}

static void fuzz_request(const uint8_t *s, size_t n)
{
	char *text = dup_str(s, n);
	char *body = gw_proto_submit_request("req-1", "msg-1", text,
					     "web-session-1", "TestAgent");
	json_t *j, *part;

	if (!body) {
		j = json_string(text);
		REQUIRE(!j); /* only refused text may fail (or OOM) */
		free(text);
		return;
	}
	j = json_loads(body, 0, NULL);
	REQUIRE(j);
	part = json_array_get(
		json_object_get(json_object_get(json_object_get(j, "params"),
						"message"),
				"parts"),
		0);
	REQUIRE(json_is_string(json_object_get(part, "text")));
	REQUIRE(!strcmp(json_string_value(json_object_get(part, "text")),
			text));
	json_decref(j);
	free(body);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		fuzz_submit(data + 1, size - 1);
		break;
	case 1:
		fuzz_upload(data + 1, size - 1);
		break;
	case 2:
		fuzz_event(data + 1, size - 1);
		break;
	case 3:
		fuzz_request(data + 1, size - 1);
		break;
	}
	return 0;
}
