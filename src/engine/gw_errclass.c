/*
 * gw_errclass: names of the error classes (see gw_errclass.h).  The report keys
 * ("connect", "http_status", ...) are part of the report schema: never
 * rename one.
 */
#include "gw_errclass.h"

static const char *const class_names[GW_E_NCLASS] = {
	"none",	    "connect", "timeout",	 "http_status",
	"protocol", "parse",   "dropped_stream", "aborted",
};

static const char *const class_types[GW_E_NCLASS] = {
	"",
	"ConnectError",
	"Timeout",
	"HTTPStatusError",
	"ProtocolError",
	"ParseError",
	"StreamDropped",
	"Interrupted",
};

const char *gw_errclass_name(enum gw_errclass c)
{
	return (unsigned)c < GW_E_NCLASS ? class_names[c] : "unknown";
}

const char *gw_errclass_type(enum gw_errclass c)
{
	return (unsigned)c < GW_E_NCLASS ? class_types[c] : "Error";
}
