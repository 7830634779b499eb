/*
 * sim.h: the one private header of gwsim, the bundled reference gateway.
 *
 * gwsim is its own program and includes nothing from include/ (it must keep
 * working while gwstress' headers change under it).  It is small enough that
 * one header for all of its modules is easier to read than eighteen; each
 * section below belongs to one .c file and says so.
 *
 * Modules, one noun each, in the order of their sections below:
 *   sim_util.c        diagnostics, x-allocators, clocks, ids, capped
 *                     buffers, md5
 *   sim_json.c        Python-compatible JSON dumps and syntax positions
 *   sim_map.c         string-keyed hash map
 *   sim_timer.c       one timer thread, min-heap of deadlines
 *   sim_fault.c       fault injection decisions
 *   sim_arrival.c     the --arrivals log of task submissions
 *   sim_sse.c         SSE framing, streams and SAM's SSEManager bookkeeping
 *   sim_blob.c        refcounted immutable bytes (artifact versions)
 *   sim_session.c     sessions (SAM's SQL mode, kept in memory)
 *   sim_artifact.c    artifacts and their versions (SAM's artifact service)
 *   sim_service.c     the --service-workers queue of tasks before agents
 *   sim_agent.c       the built-in agent: tasks, event schedules, cancel
 *   sim_req.c         one HTTP request as a handler sees it
 *   sim_reply.c       replies and their counters
 *   sim_valid.c       FastAPI/pydantic request validation
 *   sim_api.c         REST endpoints: health, config, agent cards,
 *                     sessions, tasks, SSE subscribe, gwsim stats
 *   sim_upload.c      the multipart artifact upload endpoint
 *   sim_api_artifact.c  artifact list, download and delete endpoints
 *   sim_route.c       the route table (SAM's order) and the path matcher
 *   sim_http.c        the libmicrohttpd daemon and request contexts
 *   gwsim.c           main: options, rlimits, signals, start/stop order;
 *                     it also defines sim_cfg and sim_stats
 *
 * Process-wide state.  Configuration (sim_cfg) is written once by main()
 * before any thread starts and is read-only afterwards.  Counters
 * (sim_stats) are relaxed C11 atomics: they are monotonic statistics read
 * by /gwsim/stats, nothing orders memory through them.  Each other module
 * keeps its state in one static struct behind its own mutex; the lock
 * order, outermost first, is
 *
 *   agent.lock -> session.lock -> sse.lock -> MHD's internal mutexes
 *   agent.lock -> service.lock -> the timer lock
 *
 * (the agent publishes events, touches sessions and queues tasks for the
 * service model while holding its lock; nothing calls back up the chain:
 * the service model starts tasks from timer callbacks).  The artifact
 * lock is a leaf, and so is the timer lock: callbacks run with it
 * released.  So is the --arrivals log's lock.  http.lock (the requests
 * held by --pause-s) is taken by nothing else and held only around
 * MHD_suspend_connection / MHD_resume_connection:
 *
 *   http.lock -> MHD's internal mutexes
 *
 * Layering: a section may use only the sections above it.  A .c file calls
 * only modules whose sections come above its own, so the modules form no
 * cycle, and main() in gwsim.c comes after every section.  The
 * configuration and the counters at the top are data that every module
 * may read or count.  A type of a lower section appears higher up only as
 * an opaque pointer (struct sim_req's route and upload), which needs
 * nothing of that section.  check-prefix.sh checks the names: sim_X.c
 * exports sim_X_* only, but for the exceptions in its table.
 *
 * Errors: functions return 0 / -1 and sim_error() prints "gwsim: ..." and
 * returns -1.  Out of memory aborts through the sim_x* allocators: a test
 * server that limps on without memory would only produce confusing results.
 */
#ifndef SIM_H
#define SIM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <microhttpd.h>

#define SIM_VERSION "1.0.0"
#define SIM_NS_PER_MS 1000000ULL
#define SIM_NS_PER_S 1000000000ULL
#define SIM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* "gdk-task-" / "web-session-" / "a2a_subtask_" + 32 hex + NUL fits. */
#define SIM_ID_MAX 48

/* ---- configuration (gwsim.c) ------------------------------------------ */

enum sim_malformed {
	SIM_MAL_NONE = 0,
	SIM_MAL_NOCOLON,  /* a line without a colon inside an event */
	SIM_MAL_BADJSON,  /* data: line that is not JSON */
	SIM_MAL_LONGLINE, /* a 100 KB data: line */
	SIM_MAL_BARECR,	  /* lines end in a bare CR */
	SIM_MAL_BOM	  /* UTF-8 BOM before the first body byte */
};

enum sim_garbage {
	SIM_GARBAGE_NONE = 0,
	SIM_GARBAGE_NONJSON, /* message:stream 200 with a non-JSON body */
	SIM_GARBAGE_CTYPE    /* right JSON, Content-Type: text/plain */
};

struct sim_config {
	char listen[64];
	unsigned port;
	int ready_fd;
	unsigned threads;
	char **agents; /* NULL-terminated */
	size_t n_agents;
	unsigned events;
	unsigned first_delay_ms;
	unsigned interval_ms;
	unsigned chunk_bytes;
	unsigned queue_size;
	unsigned ping_s;
	uint64_t max_upload_bytes;
	unsigned buffer_max_age_s;
	unsigned keepalive_s;
	uint64_t max_body_bytes;
	char *token;
	int sndbuf;
	bool verbose;
	bool persistent_buffer; /* SAM's persistent SSE buffer (SQL) */
	/* faults */
	double fail_rate;
	double cut_rate;
	double reset_rate;
	enum sim_malformed malformed;
	unsigned stall_s;
	unsigned trickle_ms;
	enum sim_garbage garbage;
	bool never_final;
	unsigned leak_kb;
	bool refuse;
	unsigned pause_at_s;	  /* the gateway stall starts this late ... */
	unsigned pause_s;	  /* ... and lasts this long; 0 = none */
	char *arrivals;		  /* --arrivals FILE, NULL = no log */
	unsigned service_workers; /* agents of the service model, 0 = off */
	unsigned service_ms;	  /* each holds its task at least this long */
	unsigned max_streams;	  /* open SSE streams at most, 0 = no limit */
	bool stamp_events;	  /* ": gwsim-sent <ns>" before each event */
	unsigned final_bytes;	  /* final answers this long, 0 = the text */
	unsigned status_lag_ms;	  /* task status lags the final this long */
	char *tls_cert;		  /* --tls-cert FILE, NULL = plain HTTP */
	char *tls_key;		  /* --tls-key FILE */
	char *tls_cert_pem;	  /* their contents, read by main at start */
	char *tls_key_pem;
	/* CLOCK_MONOTONIC when gwsim started (main sets it first) */
	uint64_t start_ns;
};

extern struct sim_config sim_cfg;

/* ---- counters (gwsim.c defines, everyone increments) ------------------ */

struct sim_stats {
	atomic_uint_least64_t requests_total;
	atomic_uint_least64_t responses_2xx;
	atomic_uint_least64_t responses_3xx;
	atomic_uint_least64_t responses_4xx;
	atomic_uint_least64_t responses_5xx;
	atomic_uint_least64_t connections_open;
	atomic_uint_least64_t connections_total;
	atomic_uint_least64_t active_streams;
	atomic_uint_least64_t streams_total;
	atomic_uint_least64_t streams_ended;
	atomic_uint_least64_t stream_disconnects;
	atomic_uint_least64_t tasks_submitted;
	atomic_uint_least64_t tasks_completed;
	atomic_uint_least64_t tasks_canceled;
	atomic_uint_least64_t tasks_unknown_agent;
	atomic_uint_least64_t background_task_cache;
	atomic_uint_least64_t events_generated;
	atomic_uint_least64_t events_sent;
	atomic_uint_least64_t events_buffered;
	atomic_uint_least64_t events_buffer_dropped;
	atomic_uint_least64_t events_persist_only;
	atomic_uint_least64_t buffers_purged;
	atomic_uint_least64_t queues_detached;
	atomic_uint_least64_t pings_sent;
	atomic_uint_least64_t uploads;
	atomic_uint_least64_t upload_bytes;
	atomic_uint_least64_t downloads;
	/* faults */
	atomic_uint_least64_t faults_500;
	atomic_uint_least64_t streams_cut;
	atomic_uint_least64_t malformed_events;
	atomic_uint_least64_t streams_stalled;
	atomic_uint_least64_t streams_trickled;
	atomic_uint_least64_t garbage_responses;
	atomic_uint_least64_t tasks_never_final;
	atomic_uint_least64_t leaked_kb;
	atomic_uint_least64_t connections_refused;
	atomic_uint_least64_t connections_reset;
	atomic_uint_least64_t paused_requests;
	atomic_uint_least64_t arrivals_logged;
	atomic_uint_least64_t streams_refused;
	atomic_uint_least64_t status_lagged;
};

extern struct sim_stats sim_stats;

#define SIM_COUNT(field) \
	atomic_fetch_add_explicit(&sim_stats.field, 1, memory_order_relaxed)
#define SIM_ADD(field, n) \
	atomic_fetch_add_explicit(&sim_stats.field, (n), memory_order_relaxed)
#define SIM_SUB(field, n) \
	atomic_fetch_sub_explicit(&sim_stats.field, (n), memory_order_relaxed)
#define SIM_GET(field) \
	atomic_load_explicit(&sim_stats.field, memory_order_relaxed)

/* ---- sim_util.c -------------------------------------------------------- */

/*
 * The exception to "one module, one prefix": these general helpers keep
 * short names (sim_error, the sim_x* allocators, the clocks, sim_hex_id,
 * sim_buf_*, ...) because every module calls them, and often;
 * sim_util_xmalloc() would only be longer.  check-prefix.sh lists each.
 */

/* Print "gwsim: <msg>" on stderr; always returns -1. */
int sim_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "gwsim: <msg>" on stderr when -v was given. */
void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocators that abort with a message on OOM; never return NULL. */
void *sim_xmalloc(size_t n);
void *sim_xcalloc(size_t nmemb, size_t size);
void *sim_xrealloc(void *p, size_t n);
char *sim_xstrdup(const char *s);
char *sim_xstrndup(const char *s, size_t n);

/* CLOCK_MONOTONIC in integer nanoseconds. */
uint64_t sim_now_ns(void);
/* Wall clock in epoch milliseconds (SAM's timestamps are epoch ms). */
int64_t sim_epoch_ms(void);
/*
 * Current UTC time the way Python prints it: sep 'T' gives
 * datetime.isoformat() ("2026-08-12T08:51:50.123456+00:00"), sep ' ' gives
 * str(datetime) as in sse-starlette's ping.  Like Python, the fraction is
 * left out when the microseconds are zero.  buf needs 40 bytes.
 */
void sim_time_iso(char *buf, size_t n, char sep);
/* prefix + 32 lowercase hex digits from getrandom (uuid4().hex style). */
void sim_hex_id(char *out, size_t outsz, const char *prefix);
/* Uniform double in [0, 1) from a per-thread xorshift generator. */
double sim_rand01(void);
/* True with probability p (p <= 0 never, p >= 1 always). */
bool sim_chance(double p);
/* Own VmRSS in KiB from /proc/self/status, -1 if unreadable. */
long sim_rss_kb(void);
/* MD5 of buf as 32 lowercase hex digits (for SAM's artifact ETag). */
void sim_md5_hex(const void *buf, size_t len, char out[33]);

/*
 * Growable byte buffer with a hard cap chosen at init (curl's dynbuf).
 * sim_buf_add() appends and keeps a NUL after the data; it returns -1 and
 * appends nothing when the result would exceed max.  OOM aborts.
 */
struct sim_buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
};

void sim_buf_init(struct sim_buf *b, size_t max);
int sim_buf_add(struct sim_buf *b, const void *data, size_t n);
int sim_buf_adds(struct sim_buf *b, const char *s);
int sim_buf_addf(struct sim_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Caller owns the returned string (never NULL); b is left empty. */
char *sim_buf_detach(struct sim_buf *b, size_t *len);
void sim_buf_release(struct sim_buf *b);

/*
 * Python's urllib.parse.quote(s) (safe "/"): appends the percent-encoded
 * form of s to b.  Returns sim_buf_add's result.
 */
int sim_pct_encode(struct sim_buf *b, const char *s);

/* ---- sim_json.c -------------------------------------------------------- */

enum sim_json_style {
	/* json.dumps() defaults: ", " / ": ", ensure_ascii (SSE data) */
	SIM_JSON_PY,
	/* Starlette JSONResponse: "," / ":", UTF-8 kept (REST bodies) */
	SIM_JSON_COMPACT
};

/*
 * Largest JSON text gwsim writes (64 MiB).  Every input is bounded far
 * below it (pageSize <= 100, prompt text <= 10 MB, answers <= 16 MiB), so
 * hitting it means a bug; the output is then cut short.
 */
#define SIM_JSON_MAX ((size_t)64 << 20)
/*
 * Largest --final-bytes (and [gwsim:final_bytes=N]) answer: 16 MiB, the
 * cap of the answer text, so the bound above holds.
 */
#define SIM_FINAL_MAX (16UL << 20)

/* Serialize v into b (appended).  -1 if b's cap was hit. */
int sim_json_dump(const json_t *v, enum sim_json_style style,
		  struct sim_buf *b);
/* Serialize into a new string (cap SIM_JSON_MAX); caller frees. */
char *sim_json_dumps(const json_t *v, enum sim_json_style style, size_t *len);

enum sim_json_check {
	SIM_JSON_OK = 0,
	SIM_JSON_DECODE_ERROR, /* *pos = Python's JSONDecodeError.pos */
	SIM_JSON_OTHER_ERROR   /* bad UTF-8 or nesting too deep */
};

/*
 * Check s against Python's json.loads() and report where Python would
 * raise, as a character (code point) offset.  Used to reproduce FastAPI's
 * {"<pos>": ["JSON decode error"]} bodies.
 */
enum sim_json_check sim_json_check(const char *s, size_t n, size_t *pos);

/* ---- sim_map.c --------------------------------------------------------- */

struct sim_map_entry;

/*
 * String-keyed chained hash map (FNV-1a, doubling).  Keys are copied;
 * values are borrowed.  Not thread-safe: each owner guards its map.
 */
struct sim_map {
	struct sim_map_entry **b;
	size_t nb;
	size_t n;
};

void sim_map_init(struct sim_map *m);
/* Frees the entries; calls free_val(value) for each when not NULL. */
void sim_map_release(struct sim_map *m, void (*free_val)(void *));
void *sim_map_get(const struct sim_map *m, const char *key);
/* Insert or replace; returns the previous value or NULL.  OOM aborts. */
void *sim_map_put(struct sim_map *m, const char *key, void *val);
/* Remove; returns the value or NULL when absent. */
void *sim_map_del(struct sim_map *m, const char *key);
/* Call fn for every entry; fn must not modify the map. */
void sim_map_each(const struct sim_map *m,
		  void (*fn)(const char *key, void *val, void *arg), void *arg);

/* ---- sim_timer.c ------------------------------------------------------- */

/*
 * Callbacks run on the timer thread with no lock held, one at a time.
 * arg is a handle or a pointer the owner keeps valid until
 * sim_timer_stop() returns.
 */
typedef void (*sim_timer_fn)(uint64_t arg);

int sim_timer_start(void);
/* Stop and join the thread; pending entries are dropped, not run. */
void sim_timer_stop(void);
/* Run fn(arg) at CLOCK_MONOTONIC time due_ns (or soon after). */
void sim_timer_at(uint64_t due_ns, sim_timer_fn fn, uint64_t arg);
/* Entries currently pending (for stats). */
size_t sim_timer_pending(void);

/* ---- sim_fault.c ------------------------------------------------------- */

/* Should this /api request be answered 500?  Counts when true. */
bool sim_fault_fail(void);
/* Should this SSE stream be cut after its first event?  Counts later. */
bool sim_fault_cut(void);
/* Should this connection be reset after its headers?  Counts when true. */
bool sim_fault_reset(void);
/* Line terminator of all SSE framing: "\r\n", or "\r" for barecr. */
const char *sim_fault_eol(void);
/*
 * --malformed for the frame of one event: nocolon, badjson and longline
 * hit the first event of a task only (first == true).  Returns the mode to
 * apply, else SIM_MAL_NONE; counts malformed_events when it returns one.
 */
enum sim_malformed sim_fault_malformed(bool first);
/*
 * --pause-at-s / --pause-s: is the gateway stalled at CLOCK_MONOTONIC time
 * now?  Returns the time the stall ends, or 0 when it is not stalled.
 */
uint64_t sim_fault_paused(uint64_t now);
/* Allocate, touch and keep --leak-kb KiB (freed only at exit). */
void sim_fault_leak(void);
void sim_fault_release(void);

/* ---- sim_arrival.c ----------------------------------------------------- */

/*
 * Open the --arrivals log for appending (NULL path: no log, 0).  -1 with
 * a message when the file cannot be opened.
 */
int sim_arrival_open(const char *path);
/* Log one submission that arrived at CLOCK_MONOTONIC time ns. */
void sim_arrival_log(uint64_t ns);
/* Write what is buffered and close; after the daemon stopped. */
void sim_arrival_close(void);

/* ---- sim_sse.c --------------------------------------------------------- */

/* One serialized SSE frame, shared (refcounted) by every queue it is in. */
struct sim_frame;

/*
 * Build the frame for one event, applying --malformed to the first event
 * of a task (first == true).  Returns a new frame reference.
 */
struct sim_frame *sim_sse_frame(const char *name, const char *json, size_t len,
				bool first);
void sim_sse_frame_unref(struct sim_frame *f);

struct sim_sse_counts {
	size_t active_connections; /* live subscriptions (queues) */
	size_t prior_connections;  /* _tasks_with_prior_connection */
	size_t buffered_tasks;	   /* pre-connection buffers */
	size_t streams;		   /* open SSE responses */
};

int sim_sse_init(void);
/*
 * Before MHD_stop_daemon: stop accepting events, end every stream and
 * resume every suspended connection (MHD panics on stop otherwise).
 */
void sim_sse_shutdown(void);
/* After the daemon stopped: free the remaining bookkeeping. */
void sim_sse_release(void);
/*
 * SSEManager.send_event: frame goes to every live subscription of task_id
 * (a full queue detaches that subscription), else to the pre-connection
 * buffer unless the task had a prior connection.  Takes its own refs.
 */
void sim_sse_send(const char *task_id, struct sim_frame *f);
/* SSEManager.close_all_for_task. */
void sim_sse_close_task(const char *task_id);
/*
 * GET /api/v1/sse/subscribe/{task_id}: register a subscription and build
 * the streaming response.  The caller queues it with status 200 and drops
 * its reference.  Returns NULL on failure, with *refused true when
 * --max-streams streams are open (counted in streams_refused), false when
 * gwsim is shutting down or MHD is out of memory.
 */
struct MHD_Response *sim_sse_open(struct MHD_Connection *c, const char *task_id,
				  bool background, bool *refused);
void sim_sse_counts(struct sim_sse_counts *out);

/* ---- sim_blob.c -------------------------------------------------------- */

/* Immutable bytes shared by the store and in-flight downloads. */
struct sim_blob {
	atomic_uint ref;
	size_t len;
	size_t cap;
	unsigned char data[];
};

struct sim_blob *sim_blob_new(size_t cap);
/* Grow (while still private to its creator); returns the new pointer. */
struct sim_blob *sim_blob_append(struct sim_blob *b, const void *p, size_t n);
struct sim_blob *sim_blob_ref(struct sim_blob *b);
void sim_blob_unref(struct sim_blob *b);

/* ---- sim_session.c ----------------------------------------------------- */

int sim_session_init(void);
void sim_session_release(void);

/* Create a row for id unless it exists; backfill a NULL agent_id. */
void sim_session_ensure(const char *id, const char *agent);
/* New "web-session-<hex>" row; writes its id. */
void sim_session_create(const char *agent, char id[SIM_ID_MAX]);
bool sim_session_exists(const char *id);
/* sessions.updated_time = now, at most once per second per session. */
void sim_session_touch(const char *id);
/* SessionResponse object (new reference) or NULL. */
json_t *sim_session_get(const char *id, bool listing);
/* Rename; new reference to the bare session object, NULL if unknown. */
json_t *sim_session_rename(const char *id, const char *name);
/* 0 deleted, -1 unknown. */
int sim_session_delete(const char *id);
/*
 * {"data":[...],"meta":{"pagination":{...}}}, newest updatedTime first.
 * agent_id / query NULL = no filter; none = an empty page (filters that
 * match nothing here, e.g. a project id).
 */
json_t *sim_session_list(unsigned page, unsigned size, const char *agent_id,
			 const char *query, bool none);
size_t sim_session_count(void);

/* ---- sim_artifact.c ---------------------------------------------------- */

int sim_artifact_init(void);
void sim_artifact_release(void);

struct sim_artifact_ref {
	struct sim_blob *blob; /* caller's reference */
	char mime[128];
	unsigned version;
};

/*
 * Store a new version (takes ownership of blob and metadata).  Writes
 * the version number and the ISO creation time.
 */
void sim_artifact_put(const char *sid, const char *filename,
		      struct sim_blob *blob, const char *mime, json_t *metadata,
		      unsigned *version, char created[40]);
/* version < 0 = latest.  0 found, -1 no such artifact/version. */
int sim_artifact_get(const char *sid, const char *filename, long version,
		     struct sim_artifact_ref *out);
/* ArtifactInfo list (new reference); [] for unknown sessions. */
json_t *sim_artifact_list(const char *sid);
/* [0, 1, ...] (new reference). */
json_t *sim_artifact_versions(const char *sid, const char *filename);
void sim_artifact_delete(const char *sid, const char *filename);
size_t sim_artifact_count(void);

/* ---- sim_service.c ----------------------------------------------------- */

/*
 * Start the task arg on the agent (a handle for sim_service_done) that
 * took it at CLOCK_MONOTONIC taken_ns.  Runs on the timer thread with no
 * lock held.  Returns false when the task no longer runs (it was canceled
 * while it waited): the agent is then free again at once.
 */
typedef bool (*sim_service_fn)(uint64_t arg, uint64_t agent, uint64_t taken_ns);

/* Set up --service-workers agents (none: the model is off). */
int sim_service_init(sim_service_fn start);
/* After the timer thread stopped. */
void sim_service_release(void);
/* Queue a task (FIFO); start(arg, ...) runs when an agent takes it. */
void sim_service_enqueue(uint64_t arg);
/*
 * The schedule of the task on agent has ended; the agent is free once
 * --service-ms have passed since it took the task.  The caller may hold
 * agent.lock.
 */
void sim_service_done(uint64_t agent);

struct sim_service_counts {
	size_t queue;	  /* tasks waiting now */
	size_t queue_max; /* the most that ever waited at once */
	size_t busy;	  /* agents busy now */
};

void sim_service_counts(struct sim_service_counts *out);

/* ---- sim_agent.c ------------------------------------------------------- */

struct sim_submit {
	const char *agent;
	const char *context_id;
	const char *text; /* first text part, may be NULL */
	bool background;
	int64_t max_exec_ms; /* 0 = none */
};

int sim_agent_init(void);
/* After the timer thread stopped. */
void sim_agent_release(void);
/* Create a task and schedule its events; writes its id.  Never fails. */
void sim_agent_submit(const struct sim_submit *s, char task_id[SIM_ID_MAX]);
/* 0 when a cancel was accepted, -1 when there is no active task. */
int sim_agent_cancel(const char *task_id);
/* Task row of /tasks/{id}/status (new reference) or NULL. */
json_t *sim_agent_status(const char *task_id);
bool sim_agent_is_background(const char *task_id);
bool sim_agent_known(const char *name);
size_t sim_agent_count(void);

/* ---- sim_req.c --------------------------------------------------------- */

enum sim_method {
	SIM_GET,
	SIM_HEAD,
	SIM_POST,
	SIM_PUT,
	SIM_PATCH,
	SIM_DELETE,
	SIM_OPTIONS,
	SIM_OTHER
};

struct sim_route;
struct sim_upload;

/* One HTTP request (MHD's *con_cls), freed by the completed callback. */
struct sim_req {
	struct MHD_Connection *conn;
	enum sim_method method;
	char *path;
	const struct sim_route *route; /* NULL: 404, or 405 if wrong_method */
	bool wrong_method;
	char *param[3]; /* path parameters of the matched route */
	uint64_t t0_ns; /* the request line was read */
	uint64_t content_length;
	bool has_content_length;
	struct sim_buf body;	   /* JSON bodies, capped at max_body_bytes */
	bool body_over;		   /* body exceeded the cap (rest discarded) */
	struct sim_upload *upload; /* multipart upload state */
	bool begun;		   /* the first access-handler call was made */
	unsigned status;	   /* status queued, for -v and counters */
	bool held;		   /* suspended by the --pause-s stall */
	struct sim_req *hnext;	   /* next held request (sim_http.c) */
};

/* Query argument or NULL. */
const char *sim_req_arg(struct sim_req *r, const char *key);
/* Request header or NULL. */
const char *sim_req_header(struct sim_req *r, const char *name);

/* ---- sim_reply.c ------------------------------------------------------- */

/* Queue resp with status; drops the caller's reference to resp. */
enum MHD_Result sim_reply(struct sim_req *r, unsigned status,
			  struct MHD_Response *resp);
/* JSON body in Starlette's compact style; steals body. */
enum MHD_Result sim_reply_json(struct sim_req *r, unsigned status,
			       json_t *body);
/* {"message": msg, "validationDetails": null} */
enum MHD_Result sim_reply_error(struct sim_req *r, unsigned status,
				const char *msg);
/* 422 {"message": msg, "validationDetails": details}; steals details. */
enum MHD_Result sim_reply_invalid(struct sim_req *r, const char *msg,
				  json_t *details);
/* 422 with one validation entry key: [msg]. */
enum MHD_Result sim_reply_invalid1(struct sim_req *r, const char *key,
				   const char *msg);
/* 204 without a body. */
enum MHD_Result sim_reply_empty(struct sim_req *r, unsigned status);

/* ---- sim_valid.c ------------------------------------------------------- */

/*
 * Parse a JSON request body the way FastAPI does.  Returns the value (new
 * reference) or NULL after replying (*rc set).  A missing/empty body
 * yields json null so the model validation reports "Field required".
 */
json_t *sim_valid_body(struct sim_req *r, enum MHD_Result *rc);
/*
 * Query integer with bounds (lo/hi ignored when lo > hi).  Adds pydantic's
 * message to details and returns -1 on error; *out = def when absent.
 */
int sim_valid_query_int(struct sim_req *r, json_t *details, const char *name,
			long long def, long long lo, long long hi,
			long long *out);
/*
 * Required query string of at least one character.  Adds pydantic's
 * message to details and returns -1 on error; *out = the value, NULL when
 * absent.
 */
int sim_valid_query_str(struct sim_req *r, json_t *details, const char *name,
			const char **out);
/*
 * Query boolean.  Adds pydantic's message to details and returns -1 on
 * error; *out = def when absent or invalid.
 */
int sim_valid_query_bool(struct sim_req *r, json_t *details, const char *name,
			 bool def, bool *out);
/* SendMessageRequest / SendStreamingMessageRequest; errors into d. */
void sim_valid_send_request(json_t *d, json_t *body, bool streaming);
/* a2a CancelTaskRequest; errors into d. */
void sim_valid_cancel_request(json_t *d, json_t *body);
/* First text part of the message (TextPart: has a string "text"). */
const char *sim_valid_first_text(json_t *msg);
/*
 * UpdateSessionRequest.name: 1 to 255 characters.  0 when n passes, else
 * -1 with str(pydantic.ValidationError) in msg, SAM's 422 detail.
 */
int sim_valid_session_name(const char *n, char *msg, size_t msgsz);
/* Python truthiness of a JSON value. */
bool sim_valid_truthy(const json_t *v);
/*
 * Strip ASCII whitespace (Python's str.strip for the ids we see).  The
 * caller frees the copy.
 */
char *sim_valid_strip(const char *s);
/* SAM's missing session id: blank after strip, "null" or "undefined". */
bool sim_valid_blank_id(const char *id);

/* ---- sim_api.c --------------------------------------------------------- */

enum MHD_Result sim_api_health(struct sim_req *r);
enum MHD_Result sim_api_config(struct sim_req *r);
enum MHD_Result sim_api_agent_cards(struct sim_req *r);
enum MHD_Result sim_api_sessions_list(struct sim_req *r);
enum MHD_Result sim_api_sessions_search(struct sim_req *r);
enum MHD_Result sim_api_session_get(struct sim_req *r);
enum MHD_Result sim_api_session_patch(struct sim_req *r);
enum MHD_Result sim_api_session_delete(struct sim_req *r);
enum MHD_Result sim_api_message(struct sim_req *r, bool streaming);
enum MHD_Result sim_api_subscribe(struct sim_req *r);
enum MHD_Result sim_api_cancel(struct sim_req *r);
enum MHD_Result sim_api_task_status(struct sim_req *r);
enum MHD_Result sim_api_stats(struct sim_req *r);
enum MHD_Result sim_api_introspect(struct sim_req *r);

/* ---- sim_upload.c ------------------------------------------------------ */

/* First call of an upload request: set up the multipart parser. */
void sim_upload_begin(struct sim_req *r);
/* Feed body bytes (never fails: parse errors are reported at the end). */
void sim_upload_feed(struct sim_req *r, const char *data, size_t n);
/* The request is being freed: free the upload state. */
void sim_upload_end(struct sim_req *r);
/*
 * The last call: check the form and the file in SAM's order, store the
 * artifact, 201 (sim_upload.c's design comment has the order).
 */
enum MHD_Result sim_upload_post(struct sim_req *r);

/* ---- sim_api_artifact.c ------------------------------------------------ */

enum MHD_Result sim_api_artifact_list(struct sim_req *r);
enum MHD_Result sim_api_artifact_list_noid(struct sim_req *r);
enum MHD_Result sim_api_artifact_get(struct sim_req *r);
enum MHD_Result sim_api_artifact_versions(struct sim_req *r);
enum MHD_Result sim_api_artifact_version_get(struct sim_req *r);
enum MHD_Result sim_api_artifact_delete(struct sim_req *r);

/* ---- sim_route.c ------------------------------------------------------- */

/* A body the daemon does not buffer: the route's hooks take the bytes. */
struct sim_route_body {
	void (*begin)(struct sim_req *r); /* headers are in */
	void (*feed)(struct sim_req *r, const char *data, size_t n);
	void (*end)(struct sim_req *r); /* the request is freed */
};

struct sim_route {
	const char *pattern;
	enum sim_method method;
	enum MHD_Result (*fn)(struct sim_req *r);
	const struct sim_route_body *body; /* NULL: JSON, buffered */
	bool stream; /* long-lived (SSE): no keep-alive timeout */
};

/*
 * The route for path and method (HEAD is served by GET routes).  Stores
 * its path parameters in param (malloc'd, the caller frees them).  NULL
 * when there is none; *wrong_method is then true when the path matched a
 * route of another method only (405), false for no match at all (404).
 */
const struct sim_route *sim_route_find(const char *path, enum sim_method m,
				       char *param[3], bool *wrong_method);
/* Does path match a route of any method?  (redirect_slashes) */
bool sim_route_exists(const char *path);

/* ---- sim_http.c -------------------------------------------------------- */

/*
 * With --tls-cert: can this libmicrohttpd serve HTTPS, and does GnuTLS
 * take the certificate and key (sim_cfg.tls_*_pem)?  0 yes (or no TLS
 * asked for), -1 after one line saying why not.  Listens on nothing.
 */
int sim_http_tls_check(void);
int sim_http_start(unsigned *bound_port);
void sim_http_stop(void);

#endif /* SIM_H */
