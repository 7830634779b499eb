/*
 * sim_req: one HTTP request, as a handler sees it.
 *
 * struct sim_req (sim.h) is the context MHD keeps in *con_cls: sim_http.c
 * creates it when the headers are in and frees it when MHD reports the
 * request complete.  Handlers read the path parameters and the body from
 * the struct and the query and headers through the accessors here, which
 * wrap MHD's lookups (keeping Starlette's view of a blank query value).
 */
#include <string.h>

#include "sim.h"

const char *sim_req_arg(struct sim_req *r, const char *key)
{
	const char *v = NULL;
	size_t vlen = 0;

	if (MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, key,
					  strlen(key), &v, &vlen) != MHD_YES)
		return NULL;
	/* "?key" without "=": Starlette keeps blank values as "" */
	return v ? v : "";
}

const char *sim_req_header(struct sim_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}
