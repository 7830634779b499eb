/*
 * sim_reply: queue the answer to a request, and count it.
 *
 * Every response of gwsim goes through sim_reply(), which records the
 * status (for the -v log line) and the responses_Nxx counters and drops
 * the caller's reference.  The helpers build SAM's bodies: JSON in
 * Starlette's compact style, the production exception handler's
 * {"message", "validationDetails"} shape, FastAPI's 422 and the empty 204.
 *
 * Every handler uses it, and it uses no handler: it calls only MHD,
 * sim_json and sim_util.
 */
#include <stdlib.h>

#include "sim.h"

enum MHD_Result sim_reply(struct sim_req *r, unsigned status,
			  struct MHD_Response *resp)
{
	enum MHD_Result rc;

	if (!resp)
		return MHD_NO;
	r->status = status;
	if (status < 300)
		SIM_COUNT(responses_2xx);
	else if (status < 400)
		SIM_COUNT(responses_3xx);
	else if (status < 500)
		SIM_COUNT(responses_4xx);
	else
		SIM_COUNT(responses_5xx);
	rc = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static struct MHD_Response *buffer_response(char *body, size_t len,
					    const char *ctype)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, body,
					       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return NULL;
	}
	if (ctype)
		MHD_add_response_header(resp, "content-type", ctype);
	return resp;
}

enum MHD_Result sim_reply_json(struct sim_req *r, unsigned status, json_t *body)
{
	size_t len;
	char *s = sim_json_dumps(body, SIM_JSON_COMPACT, &len);

	json_decref(body);
	return sim_reply(r, status,
			 buffer_response(s, len, "application/json"));
}

enum MHD_Result sim_reply_error(struct sim_req *r, unsigned status,
				const char *msg)
{
	json_t *o = json_object();

	json_object_set_new(o, "message", json_string(msg));
	json_object_set_new(o, "validationDetails", json_null());
	return sim_reply_json(r, status, o);
}

enum MHD_Result sim_reply_invalid(struct sim_req *r, const char *msg,
				  json_t *details)
{
	json_t *o = json_object();

	json_object_set_new(o, "message", json_string(msg));
	json_object_set_new(o, "validationDetails", details);
	return sim_reply_json(r, 422, o);
}

enum MHD_Result sim_reply_invalid1(struct sim_req *r, const char *key,
				   const char *msg)
{
	json_t *d = json_object();

	json_object_set_new(d, key, json_pack("[s]", msg));
	return sim_reply_invalid(r, "Validation error", d);
}

enum MHD_Result sim_reply_empty(struct sim_req *r, unsigned status)
{
	return sim_reply(r, status,
			 MHD_create_response_from_buffer(
				 0, NULL, MHD_RESPMEM_PERSISTENT));
}
