/*
 * gw_errclass: how a request failed.  Every failure gwstress records carries
 * one of these classes, so reports count errors by kind (connect, timeout,
 * HTTP status, ...) instead of by message.  A leaf: the HTTP client
 * classifies, the metrics count, the reports name them, and none of those
 * needs the others' headers for it.
 */
#ifndef GW_ERRCLASS_H
#define GW_ERRCLASS_H

enum gw_errclass {
	GW_E_NONE = 0,
	GW_E_CONNECT,  /* could not connect / resolve */
	GW_E_TIMEOUT,  /* connect, read or total timeout */
	GW_E_HTTP,     /* HTTP status >= 400 (or unexpected) */
	GW_E_PROTOCOL, /* bad framing, oversize, wrong type */
	GW_E_PARSE,    /* body or event data is not valid JSON */
	GW_E_DROPPED,  /* connection closed mid-response/stream */
	GW_E_ABORTED,  /* interrupted by the user (SIGINT/TERM) */
	GW_E_NCLASS
};

/* Stable names used in reports ("connect", "timeout", ...); "unknown"
 * for a value out of range. */
const char *gw_errclass_name(enum gw_errclass c);
/* Exception-style type names for error records ("ConnectError", ...). */
const char *gw_errclass_type(enum gw_errclass c);

#endif /* GW_ERRCLASS_H */
