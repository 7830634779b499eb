/*
 * gw_config: the run configuration, parsed once into a typed, validated
 * struct before anything starts.
 *
 * Sources, lowest to highest precedence:
 *   built-in defaults (the Python StressTestConfig defaults)
 *   < INI profile (conf/<scale>.ini, or -c FILE)
 *   < environment (the six STRESS_* variables of the seed, plus GWSTRESS_*)
 *   < command line.
 * Every key is described once in a table (gw_config_keys), which drives the
 * INI loader, the environment, the CLI setters and the profile echo in the
 * JSON report, so a key cannot be parsed in one place and forgotten in
 * another.  Each value remembers where it came from (enum gw_src).
 *
 * INI format (inih r55, with our own line reader; see gw_config.c for why):
 * [section] headers, key = value (or key: value), ';' or '#' comments on
 * their own line, and inline comments that start with " ;" (a ';' after a
 * blank; '#' is not an inline comment and "a;b" keeps its ';').  Leading
 * blanks are ignored (no multi-line values), LF or CRLF line ends, an
 * optional UTF-8 BOM.  Values are literal: no quotes, no escapes.
 * Strict: unknown sections and keys, malformed or out-of-range numbers, bad
 * booleans, duplicate keys, keys before any section, a '[' without ']' and
 * lines longer than GW_INI_LINE_MAX bytes are errors reported as
 * "file:line: message", all of them, not just the first.
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "gw_util.h"

/*
 * Longest INI line accepted, in bytes, not counting the LF or CRLF.  This is
 * what the distro inih really handles: r55 reads lines into a fixed 200-byte
 * buffer (INI_MAX_LINE, compiled into libinih.so), and its README asks for 3
 * bytes of slack (CR, LF, NUL).  Longer values (a long URL) can still come
 * from the environment or the command line, up to the field sizes below.
 */
#define GW_INI_LINE_MAX 197
#define GW_URL_MAX 512
#define GW_NAME_MAX 128

enum gw_src { GW_SRC_DEFAULT = 0, GW_SRC_INI, GW_SRC_ENV, GW_SRC_CLI };

/* [profile]: every field of the Python StressTestConfig, same names. */
struct gw_profile {
	char name[32];			 /* smoke, small, medium, large, soak */
	long concurrent_sse_connections; /* 10 */
	long concurrent_sessions;	 /* 5 */
	long concurrent_http_requests;	 /* 20 */
	double test_duration_seconds;	 /* 30 */
	double soak_duration_seconds;	 /* 300 */
	double warmup_seconds;		 /* 2 */
	long events_per_second;		 /* 100 */
	long requests_per_second;	 /* 50 */
	long small_artifact_size_bytes;	 /* 1024 */
	long medium_artifact_size_bytes; /* 1 MiB */
	long large_artifact_size_bytes;	 /* 10 MiB */
	long max_artifact_size_bytes;	 /* 50 MiB */
	double sse_queue_timeout_seconds; /* 0.1 */
	long max_sse_queue_size;	  /* 200 */
	double sse_event_timeout_seconds; /* 120 */
	long max_retries;		  /* 3 */
	double retry_delay_seconds;	  /* 0.5 */
};

/* [thresholds]: pass/fail limits. */
struct gw_thresholds {
	double max_p99_latency_ms;	     /* 500 (smoke 1000) */
	double max_error_rate_percent;	     /* 1 */
	double memory_increase_threshold_mb; /* 50 */
	double min_success_rate_percent;     /* 95 */
};

/* [target]: the gateway under test. */
struct gw_target_cfg {
	char url[GW_URL_MAX];		 /* "" = start the bundled gateway */
	char agent_name[GW_NAME_MAX];	 /* metadata.agent_name, "TestAgent" */
	char token_env[GW_NAME_MAX];	 /* env var holding a bearer token */
	char introspect_url[GW_URL_MAX]; /* optional server bookkeeping JSON */
	double connect_timeout_seconds;	 /* 30 */
	double read_timeout_seconds;	 /* 120: SSE idle limit */
	double request_timeout_seconds;	 /* 30: REST total limit */
	double stream_window_scale;	 /* 1: factor on every SSE window */
	long pid;			 /* gateway pid for RSS, 0 = none */
	char tls_ca_file[GW_URL_MAX];	 /* PEM CA bundle, "" = system's */
	char tls_cert_file[GW_URL_MAX];	 /* PEM client certificate, or "" */
	char tls_key_file[GW_URL_MAX];	 /* its private key, or "" */
	int tls_insecure;		 /* 1: no verification (loud) */
};

/* [engine]: the load engine's own knobs. */
struct gw_engine_cfg {
	long workers;		/* 0 = sized from the profile */
	long thread_stack_kib;	/* worker stack size */
	long ring_size;		/* samples per worker ring, 2^n; 0 = auto */
	long max_event_bytes;	/* SSE event cap per stream */
	long recv_buffer_bytes; /* CURLOPT_BUFFERSIZE per worker */
	long max_body_bytes;	/* REST response body cap */
	long processes;		/* load: worker processes, 0 = automatic */
	int progress;		/* live progress line on a tty */
};

/* [report] */
struct gw_report_cfg {
	char dir[GW_URL_MAX];  /* "reports" */
	char path[GW_URL_MAX]; /* --report PATH: base_<test>.ext */
};

struct gw_config {
	struct gw_profile profile;
	struct gw_thresholds thresholds;
	struct gw_target_cfg target;
	struct gw_engine_cfg engine;
	struct gw_report_cfg report;
	char source_file[GW_URL_MAX]; /* the INI that was loaded, or "" */
	unsigned char src[128];	      /* enum gw_src per gw_config_keys[i] */
};

enum gw_key_type { GW_KEY_LONG, GW_KEY_DOUBLE, GW_KEY_BOOL, GW_KEY_STR };

struct gw_config_key {
	const char *section;
	const char *name;
	enum gw_key_type type;
	size_t offset;	  /* into struct gw_config */
	size_t size;	  /* GW_KEY_STR: buffer size */
	double min, max;  /* numeric range, inclusive */
	const char *env;  /* environment variable, or NULL */
	const char *help; /* one line, used in --help and the INI files */
	const char *def;  /* default as text, parsed by gw_config_defaults */
};

extern const struct gw_config_key gw_config_keys[];
extern const size_t gw_config_nkeys;

/*
 * Fill *c with the built-in defaults (every src[i] = GW_SRC_DEFAULT,
 * source_file "").  Cannot fail: the defaults are checked by the unit test.
 */
void gw_config_defaults(struct gw_config *c);

/*
 * Set section.name from text, as source src.  Returns 0, or -1 with a
 * one-line reason in err (no file:line prefix; the caller adds context).
 * Unknown key, bad number, out of range and bad boolean are all errors.
 */
int gw_config_set(struct gw_config *c, const char *section, const char *name,
		  const char *value, enum gw_src src, char *err, size_t errlen);

/*
 * Load an INI file on top of *c.  Every problem is appended to errs as
 * "path:line: message"; returns the number of problems found (0 = ok),
 * counting those the errlist had to drop.  A file that cannot be opened is
 * one problem "path: <strerror>".  All or nothing: *c is changed (values,
 * src[] = GW_SRC_INI, source_file = path) only when there is no problem.
 */
int gw_config_load(struct gw_config *c, const char *path,
		   struct gw_errlist *errs);

/*
 * Same, from an open stream (a FILE *, read to EOF, not closed); `name` is
 * used in messages and stored in source_file.
 */
int gw_config_load_stream(struct gw_config *c, FILE *fp, const char *name,
			  struct gw_errlist *errs);

/*
 * The loader extended by a file format that adds sections of its own (a
 * workload file: [load], [flow.NAME] and threshold expressions beside the
 * profile's sections).  `section` says whether a section name (len bytes,
 * not NUL-terminated) is the extension's; `setting` then gets every key of
 * those sections, and every key of the profile's sections that the key
 * table does not have, with its physical line number.  It returns 0 when
 * it took the setting, 1 when the key is unknown to it too (reported as
 * "unknown key"), -1 with a one-line reason in msg (reported as
 * "file:line: msg").  Line order, the all-or-nothing rule and every other
 * check are the plain loader's.
 */
struct gw_config_ext {
	int (*section)(void *ud, const char *name, size_t len);
	int (*setting)(void *ud, const char *section, const char *key,
		       const char *value, int line, char *msg, size_t n);
	void *ud;
};
int gw_config_load_ext(struct gw_config *c, FILE *fp, const char *name,
		       const struct gw_config_ext *ext,
		       struct gw_errlist *errs);

/*
 * Apply the environment.  getenv_fn is getenv in production; tests pass
 * their own.  Empty values are ignored.  Problems are appended to errs as
 * "environment VAR=VALUE: message"; returns the number of problems found.
 * No variable here holds a secret: the bearer token is read later, by
 * whoever needs it, from the variable *named* by target.token_env.
 * Values that parse are applied even when another variable is bad (the
 * caller exits on any problem).
 */
typedef const char *(*gw_getenv_fn)(const char *name);
int gw_config_apply_env(struct gw_config *c, gw_getenv_fn getenv_fn,
			struct gw_errlist *errs);

/*
 * Checks a single key's range cannot express: ring_size 0 or 2^n >= 64,
 * small <= medium <= large <= max artifact size, URLs start with http://
 * or https://, token_env is a valid variable name.  Appends one message
 * per problem ("[section] key ...", no file:line: values may come from
 * several sources); returns the number of problems found.
 */
int gw_config_validate(const struct gw_config *c, struct gw_errlist *errs);

/* Where did key i's value come from: "default", "ini", "env", "cli". */
const char *gw_config_src_name(enum gw_src s);

/* Every key with its value and source, one per line (-v). */
void gw_config_print(FILE *f, const struct gw_config *cfg);

/* Find a key by section and name; NULL if unknown. */
const struct gw_config_key *gw_config_find(const char *section,
					   const char *name);

#endif /* GW_CONFIG_H */
