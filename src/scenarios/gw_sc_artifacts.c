/*
 * gw_sc_artifacts: the seed's test_large_artifacts.py (scenarios.md
 * 5.7-5.10): multipart uploads and downloads while task streams are live.
 *
 * "Concurrently" means it here: the upload (or download) and the stream
 * run on two workers released together by a start gate, and the gauge
 * transfer_stream_overlap_ms reports how long they really overlapped.
 * (The seed's synchronous TestClient ran them one after the other.)
 * Artifact bytes come from one shared read-only buffer per scenario;
 * downloads are hashed as they stream and compared with the upload.
 */
#include "gw_sc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024L * 1024L)

static int64_t overlap_ns(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
	int64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;

	return hi > lo ? hi - lo : 0;
}

/* ---- shared: one transfer beside one stream ------------------------------ */

struct beside {
	struct gw_scen *s;
	const unsigned char *data;
	size_t len;
	uint64_t hash; /* of data */
	const char *filename;
	char sid[160]; /* download: the artifact's session */
	struct gw_task task;
	int task_ok;
	_Atomic int gate;
	/* transfer outcome */
	long status;
	int64_t t0, t1;
	uint64_t got_hash, got_bytes;
	/* stream outcome */
	struct gw_sam_stream col;
	int op_xfer, op_xfer_large, op_during, op_submit, op_pre;
	int c_during; /* counter of events, or -1 */
};

static void beside_stream(struct gw_worker *w, void *arg)
{
	struct beside *x = arg;

	gw_sc_gate(&x->gate, 2, 5 * GW_NS_PER_S);
	x->col.task = &x->task;
	x->col.window_ms = 30000;
	gw_sam_collect(w, &x->s->sam, &x->col);
	/* the seed's sse_during_upload: the collection time, per event */
	if (x->op_during >= 0)
		gw_sc_seed_event_samples(w, x->op_during, &x->col);
	if (x->c_during >= 0)
		gw_count(w, x->c_during, x->col.events);
}

static void beside_upload(struct gw_worker *w, void *arg)
{
	struct beside *x = arg;
	struct gw_http_result r;
	char sid[160];

	gw_sc_gate(&x->gate, 2, 5 * GW_NS_PER_S);
	x->t0 = gw_now_ns();
	gw_sam_upload(w, &x->s->sam, x->op_xfer, "", x->filename, x->data,
		      x->len, sid, sizeof(sid), &r);
	x->t1 = gw_now_ns();
	x->status = r.status;
	gw_rec(w, x->op_xfer_large, x->t1 - x->t0);
}

static void beside_download(struct gw_worker *w, void *arg)
{
	struct beside *x = arg;
	struct gw_http_result r;

	gw_sc_gate(&x->gate, 2, 5 * GW_NS_PER_S);
	x->t0 = gw_now_ns();
	gw_sam_download(w, &x->s->sam, x->op_xfer, x->sid, x->filename,
			&x->got_hash, &r);
	x->t1 = gw_now_ns();
	x->status = r.status;
	x->got_bytes = r.bytes;
	if (r.status > 0)
		gw_rec(w, x->op_xfer_large, x->t1 - x->t0);
}

static void beside_submit(struct gw_worker *w, void *arg)
{
	struct beside *x = arg;

	x->task_ok =
		gw_sam_submit(w, &x->s->sam, x->op_submit,
			      x->filename[0] == 'l'
				      ? "Test with concurrent artifact download"
				      : "Test with concurrent artifact upload",
			      NULL, &x->task) == 0;
}

/* ---- test_large_upload_during_streaming[N] (5.7) ------------------------- */

static void upload_during_run(struct gw_scen *s, long mb)
{
	const struct gw_config *cfg = s->run->cfg;
	struct beside x = { .s = s, .c_during = -1 };
	char fn[64];
	double secs;

	if (mb * MIB > cfg->profile.max_artifact_size_bytes) {
		snprintf(s->skip_reason, sizeof(s->skip_reason),
			 "%ld MiB is over max_artifact_size_bytes (%ld)", mb,
			 cfg->profile.max_artifact_size_bytes);
		return;
	}
	snprintf(fn, sizeof(fn), "stress-artifact-%ldmb.bin", mb);
	x.filename = fn;
	x.len = (size_t)(mb * MIB);
	x.data = gw_sc_artifact_bytes(x.len, 42);
	x.op_submit = gw_metrics_op(s->m, "task_submit");
	x.op_xfer = gw_sam_http_op(&s->sam, "artifact_upload");
	x.op_xfer_large = gw_metrics_op(s->m, "artifact_upload_large");
	x.op_during = gw_metrics_op(s->m, "sse_during_upload");

	gw_engine_submit(s->run->eng, beside_submit, &x);
	gw_scen_wait(s);
	if (x.task_ok)
		gw_engine_submit(s->run->eng, beside_stream, &x);
	else
		atomic_fetch_add(&x.gate, 1); /* the upload runs alone */
	gw_engine_submit(s->run->eng, beside_upload, &x);
	gw_scen_stop(s);

	secs = (double)(x.t1 - x.t0) / 1e9;
	gw_metrics_gauge(s->m, "upload_size_bytes", (double)x.len, 1);
	gw_metrics_gauge(s->m, "upload_throughput_mbps",
			 secs > 0 ? (double)mb / secs : 0.0, 0);
	gw_metrics_gauge(
		s->m, "transfer_stream_overlap_ms",
		(double)overlap_ns(x.t0, x.t1, x.col.t0, x.col.t_end) / 1e6, 0);
	gw_check_eq(&s->checks, "upload status", (double)x.status, 201, "");
	gw_check_ge(&s->checks, "events during the upload",
		    (double)x.col.events, 1, "");
	gw_check_p99(&s->checks, s->m, x.op_during,
		     4 * cfg->thresholds.max_p99_latency_ms);
	free((void *)x.data);
}

/* ---- test_large_download_during_streaming (5.9) -------------------------- */

static void preupload(struct gw_worker *w, void *arg)
{
	struct beside *x = arg;
	struct gw_http_result r;

	gw_sam_upload(w, &x->s->sam, x->op_pre, "", x->filename, x->data,
		      x->len, x->sid, sizeof(x->sid), &r);
}

static void download_during_run(struct gw_scen *s, long p)
{
	struct beside x = { .s = s, .op_during = -1 };

	(void)p;
	x.filename = "large-download-test.bin";
	x.len = (size_t)(5 * MIB);
	x.data = gw_sc_artifact_bytes(x.len, 456);
	x.hash = gw_fnv1a(GW_FNV_INIT, x.data, x.len);
	x.op_submit = gw_metrics_op(s->m, "task_submit");
	x.op_pre = gw_sam_http_op(&s->sam, "artifact_upload");
	x.op_xfer = gw_sam_http_op(&s->sam, "artifact_download");
	x.op_xfer_large = gw_metrics_op(s->m, "artifact_download_large");
	x.c_during = gw_metrics_counter(s->m, "sse_during_download");

	gw_engine_submit(s->run->eng, preupload, &x);
	gw_scen_wait(s);
	if (!x.sid[0]) {
		gw_scen_stop(s);
		gw_check_eq(&s->checks,
			    "pre-upload answered 201 with a sessionId", 0, 1,
			    "");
		free((void *)x.data);
		return;
	}
	gw_engine_submit(s->run->eng, beside_submit, &x);
	gw_scen_wait(s);
	if (x.task_ok)
		gw_engine_submit(s->run->eng, beside_stream, &x);
	else
		atomic_fetch_add(&x.gate, 1);
	gw_engine_submit(s->run->eng, beside_download, &x);
	gw_scen_stop(s);

	if (x.status == 200)
		gw_metrics_gauge(s->m, "download_size_bytes",
				 (double)x.got_bytes, 1);
	gw_metrics_gauge(
		s->m, "transfer_stream_overlap_ms",
		(double)overlap_ns(x.t0, x.t1, x.col.t0, x.col.t_end) / 1e6, 0);
	gw_check_eq(&s->checks, "download status", (double)x.status, 200, "");
	gw_check_ge(&s->checks, "events during the download",
		    (double)x.col.events, 1, "");
	gw_check_eq(&s->checks, "download_size_bytes", (double)x.got_bytes,
		    (double)x.len, "");
	gw_check_eq(&s->checks, "download matches the upload (FNV-1a 64)",
		    (double)(x.got_hash == x.hash), 1, "");
	free((void *)x.data);
}

/* ---- test_concurrent_uploads_and_downloads (5.8) ------------------------- */

struct updown {
	struct gw_scen *s;
	const unsigned char *data;
	size_t len;
	uint64_t hash;
	_Atomic int gate;
	unsigned char up_ok[5], down_ok[5], same[5];
	int op_up, op_down;
	int c_up, c_down;
};

static void updown_cycle(struct gw_worker *w, void *arg)
{
	struct gw_scen_job *j = arg;
	struct updown *x = j->x;
	struct gw_http_result r;
	char fn[64], sid[160];
	uint64_t h;

	gw_sc_gate(&x->gate, 5, 5 * GW_NS_PER_S);
	snprintf(fn, sizeof(fn), "concurrent-%ld.bin", j->i);
	if (gw_sam_upload(w, &x->s->sam, x->op_up, "", fn, x->data, x->len, sid,
			  sizeof(sid), &r) < 0) {
		if (r.status)
			gw_count(w, x->c_up, 1); /* answered, not 201 */
		return;
	}
	gw_count(w, x->c_up, 1);
	x->up_ok[j->i] = 1;
	if (gw_sam_download(w, &x->s->sam, x->op_down, sid, fn, &h, &r) < 0)
		return;
	gw_count(w, x->c_down, 1);
	x->down_ok[j->i] = r.status == 200;
	x->same[j->i] = h == x->hash && r.bytes == x->len;
}

static void updown_run(struct gw_scen *s, long p)
{
	struct updown x = { .s = s };
	int cycles = 0, same = 0;

	(void)p;
	x.len = (size_t)MIB;
	x.data = gw_sc_artifact_bytes(x.len, 123);
	x.hash = gw_fnv1a(GW_FNV_INIT, x.data, x.len);
	x.op_up = gw_sam_http_op(&s->sam, "artifact_upload");
	x.op_down = gw_sam_http_op(&s->sam, "artifact_download");
	x.c_up = gw_metrics_counter(s->m, "concurrent_uploads");
	x.c_down = gw_metrics_counter(s->m, "concurrent_downloads");
	gw_scen_fanout(s, 0, 5, updown_cycle, &x);
	gw_scen_stop(s);

	for (int i = 0; i < 5; i++) {
		cycles += x.up_ok[i] && x.down_ok[i];
		same += x.same[i];
	}
	gw_metrics_gauge(s->m, "successful_cycles", cycles, 1);
	gw_check_eq(&s->checks, "transport errors",
		    (double)(s->m->err_by_class[GW_E_CONNECT] +
			     s->m->err_by_class[GW_E_TIMEOUT] +
			     s->m->err_by_class[GW_E_DROPPED] +
			     s->m->err_by_class[GW_E_PROTOCOL]),
		    0, "");
	gw_check_ge(&s->checks,
		    "successful_cycles (upload 201 and download 200)", cycles,
		    4.5, "");
	gw_check_eq(&s->checks, "downloads identical to uploads", same, 5, "");
	gw_check_p99(&s->checks, s->m, x.op_up, 5000.0);
	gw_check_p99(&s->checks, s->m, x.op_down, 5000.0);
	free((void *)x.data);
}

/* ---- test_artifact_size_limits (5.10) ------------------------------------ */

struct limits {
	struct gw_scen *s;
	int op_up, op_down, op_over, op_cfg;
	int op_size[4];
	long status[4], over_status;
	int same[4];
	long limit;
	const char *limit_src;
	int aborted_at; /* -1: all four uploaded */
};

static const struct {
	const char *name;
	size_t size;
} sizes[4] = {
	{ "tiny", 1024 },
	{ "small", 10240 },
	{ "medium", 1048576 },
	{ "large", 5242880 },
};

/* The gateway's own limit, if it says (SAM: /api/v1/config
 * validation_limits.maxPerFileUploadSizeBytes). */
static long gateway_limit(struct gw_worker *w, struct limits *x)
{
	struct gw_http_result r;
	json_t *j, *v;
	long lim = 0;

	if (gw_sam_rest(w, &x->s->sam, x->op_cfg, "GET", "/api/v1/config", NULL,
			&r) < 0)
		return 0;
	j = json_loadb(w->http.body, w->http.body_len, 0, NULL);
	v = json_object_get(json_object_get(j, "validation_limits"),
			    "maxPerFileUploadSizeBytes");
	if (json_is_integer(v) && json_integer_value(v) > 0)
		lim = (long)json_integer_value(v);
	json_decref(j);
	return lim;
}

static void limits_job(struct gw_worker *w, void *arg)
{
	struct limits *x = arg;
	const struct gw_config *cfg = x->s->run->cfg;
	struct gw_http_result r;
	unsigned char *over;
	size_t olen;

	x->aborted_at = -1;
	for (int i = 0; i < 4 && !gw_stopping(); i++) {
		unsigned char *d;
		char fn[64], sid[160];
		uint64_t h;
		int64_t t0;

		if ((long)sizes[i].size > cfg->profile.max_artifact_size_bytes)
			continue; /* the seed's skip guard */
		d = gw_sc_artifact_bytes(sizes[i].size, 789);
		snprintf(fn, sizeof(fn), "size-test-%s.bin", sizes[i].name);
		t0 = gw_now_ns();
		gw_sam_upload(w, &x->s->sam, x->op_up, "", fn, d, sizes[i].size,
			      sid, sizeof(sid), &r);
		gw_rec(w, x->op_size[i], gw_now_ns() - t0);
		x->status[i] = r.status;
		if (r.status != 201) {
			/* the seed asserts right away: stop here */
			x->aborted_at = i;
			free(d);
			return;
		}
		if (gw_sam_download(w, &x->s->sam, x->op_down, sid, fn, &h,
				    &r) == 0)
			x->same[i] =
				h == gw_fnv1a(GW_FNV_INIT, d, sizes[i].size) &&
				r.bytes == sizes[i].size;
		free(d);
	}
	/* one byte over the gateway's limit must be refused with 413 */
	x->limit = gateway_limit(w, x);
	x->limit_src = "GET /api/v1/config validation_limits";
	if (!x->limit) {
		x->limit = cfg->profile.max_artifact_size_bytes;
		x->limit_src = "[profile] max_artifact_size_bytes";
	}
	olen = (size_t)x->limit + 1;
	over = gw_sc_artifact_bytes(olen, 790);
	gw_attempt(w, x->op_over);
	if (gw_http_upload(&w->http, "/api/v1/artifacts/upload", "",
			   "size-test-over-limit.bin", over, olen, &r) < 0 &&
	    r.status != 413)
		gw_worker_fail(w, x->op_over, r.err, r.msg, "{\"size\":%zu}",
			       olen);
	else if (r.status != 413)
		gw_worker_fail(w, x->op_over, GW_E_HTTP,
			       "over-limit upload was not "
			       "refused with 413",
			       "{\"size\":%zu,\"status\":%ld}", olen, r.status);
	if (r.status)
		gw_rec(w, x->op_over, r.t_end - r.t_start);
	x->over_status = r.status;
	free(over);
}

static void limits_run(struct gw_scen *s, long p)
{
	struct limits x = { .s = s };
	char name[64];

	(void)p;
	x.op_up = gw_sam_http_op(&s->sam, "artifact_upload");
	x.op_down = gw_sam_http_op(&s->sam, "artifact_download");
	x.op_cfg = gw_sam_http_op(&s->sam, "config_fetch");
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "upload_%s", sizes[i].name);
		x.op_size[i] = gw_metrics_op(s->m, name);
	}
	x.op_over = gw_metrics_op(s->m, "upload_over_limit");
	gw_engine_submit(s->run->eng, limits_job, &x);
	gw_scen_stop(s);

	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "upload_%s status", sizes[i].name);
		if (x.aborted_at >= 0 && i > x.aborted_at)
			gw_check_skip(&s->checks, name,
				      "not run: an earlier upload "
				      "failed (the seed stops there)");
		else
			gw_check_eq(&s->checks, name, (double)x.status[i], 201,
				    "");
	}
	if (x.aborted_at >= 0)
		return;
	gw_check_gt(&s->checks, "mean(upload_large) - mean(upload_tiny)",
		    (gw_hist_mean(&s->m->op[x.op_size[3]].hist) -
		     gw_hist_mean(&s->m->op[x.op_size[0]].hist)) /
			    1e6,
		    0, "ms");
	gw_check_eq(&s->checks, "downloads identical to uploads",
		    x.same[0] + x.same[1] + x.same[2] + x.same[3], 4, "");
	gw_metrics_gauge(s->m, "upload_limit_bytes", (double)x.limit, 1);
	gw_check_eq(&s->checks, "upload of limit+1 bytes refused (HTTP status)",
		    (double)x.over_status, 413, "");
	gw_check_note(&s->checks,
		      "uploading %ld + 1 bytes (limit from %s) answered "
		      "HTTP %ld, expected 413",
		      x.limit, x.limit_src, x.over_status);
}

/* ---- catalogue ----------------------------------------------------------- */

#define UPLOAD(n)                                                              \
	{                                                                      \
		.name = "test_large_upload_during_streaming[" #n "]",          \
		.markers = "stress artifacts", .param = n, .workers = 2,       \
		.run = upload_during_run,                                      \
		.what = "a " #n " MiB multipart upload on one worker while a " \
			"task streams on another; SSE p99 < 4 x max_p99"       \
	}

const struct gw_scen_def gw_sc_artifacts_list[] = {
	UPLOAD(1),
	UPLOAD(5),
	UPLOAD(10),
	{ .name = "test_concurrent_uploads_and_downloads",
	  .markers = "stress artifacts",
	  .workers = 5,
	  .run = updown_run,
	  .what = "5 concurrent 1 MiB upload + download cycles, downloads "
		  "verified by hash; p99 < 5 s" },
	{ .name = "test_large_download_during_streaming",
	  .markers = "stress artifacts",
	  .workers = 2,
	  .run = download_during_run,
	  .what = "a 5 MiB download while a task streams; size and hash "
		  "verified" },
	{ .name = "test_artifact_size_limits",
	  .markers = "stress artifacts",
	  .workers = 1,
	  .run = limits_run,
	  .what = "1 KiB, 10 KiB, 1 MiB, 5 MiB uploads in turn, downloads "
		  "verified, and limit+1 bytes refused with 413" },
	{ 0 }
};
