/*
 * sim_sse: SSE streams and SAM's SSEManager bookkeeping.
 *
 * What it reproduces (GW/sse_manager.py, sse_event_buffer.py, routers/sse.py
 * of SAM 2b4ef6ab, sse-starlette 3.0.2):
 *   - one bounded queue per subscription (--queue-size, SAM's
 *     sse_max_queue_size); every live subscription of a task gets every
 *     event; a queue that is full when an event is produced loses that
 *     event and is silently detached (the stream stays open, drains what
 *     it holds, then only pings; it never sees final or the close);
 *   - no live subscription: the event goes to the task's pre-connection
 *     buffer (at most --queue-size events, newer ones dropped), unless the
 *     task already had a subscription (then SAM keeps it in the DB only);
 *     the first subscriber takes the whole buffer atomically; buffers are
 *     purged --buffer-max-age-s after their first event by a periodic sweep
 *     (SAM: 600 s age, 300 s sweep; here the sweep runs every max_age/2,
 *     capped at 300 s, so the default is identical);
 *   - close_all_for_task after the final event: with subscriptions, each
 *     ends after writing what it holds (terminating chunk, connection kept
 *     alive), the buffer and the prior-connection mark are dropped; without
 *     subscriptions the buffer stays for a late subscriber, who gets
 *     everything including final_response and no end;
 *   - --pause-s: while gwsim stalls, readers write nothing and suspend
 *     with a wake-up at the stall's end; events keep arriving in the
 *     queues meanwhile (and a queue that fills is detached, as in SAM);
 *   - --max-streams (gwsim only): a subscription that would make more
 *     than N streams open at once is refused before it is registered
 *     (sim_api.c answers 503); a stream counts until MHD frees it;
 *   - --stamp-events (gwsim only): the reader writes a comment line
 *     ": gwsim-sent <CLOCK_MONOTONIC ns>\r\n" right before each event, in
 *     the same call that hands the event's first bytes to MHD, so a
 *     client on the same host can subtract it from its arrival time;
 *     the stamp is per stream (frames are shared), taken as the event
 *     leaves the stream's queue;
 *   - the byte format: ": SSE connection established\r\n\r\n" first,
 *     "event: <name>\r\ndata: <json>\r\n\r\n" frames, and a
 *     ": ping - <str(datetime.now(utc))>\r\n\r\n" comment every --ping-s.
 *
 * Threading model (libmicrohttpd 0.9.75, thread pool + epoll):
 * every stream is a chunked response from MHD_create_response_from_callback
 * whose reader copies queued bytes into MHD's write buffer.  When a stream
 * has nothing to send the reader calls MHD_suspend_connection() and returns
 * 0.  This is the pattern MHD documents ("the only safe way to call
 * [MHD_suspend_connection] is from the MHD_AccessHandlerCallback or
 * MHD_ContentReaderCallback"): returning 0 *without* suspending puts the
 * connection in MHD_CONNECTION_CHUNKED_BODY_UNREADY with event-loop state
 * BLOCK, which 0.9.75's epoll loop keeps in its ready list and re-polls
 * with a zero timeout -- a busy loop per idle stream.  Producers (the
 * agent's timer thread, the ping timer, the disconnect watcher) resume
 * with MHD_resume_connection(), which is thread-safe and wakes the worker
 * through its inter-thread channel.
 *
 * The suspend/resume race is closed by one rule: s->suspended is only
 * changed under sse.lock, the reader suspends while holding the lock, and a
 * producer resumes only when it saw s->suspended set (so resume always
 * follows suspend; MHD's own "resuming" flag makes a resume that arrives
 * while the worker is still returning from the reader harmless).  Lock
 * order: MHD's response mutex (held around the reader) -> sse.lock ->
 * MHD's cleanup mutex (taken inside suspend/resume).  MHD never calls the
 * reader or the free callback while holding its cleanup mutex.
 *
 * Disconnects: while a connection is suspended MHD does not watch its
 * socket ("MHD will not detect disconnects by the client"), but
 * sse-starlette notices a client close at once and SAM then removes the
 * subscription.  A watcher thread therefore keeps every stream socket in
 * its own epoll set with EPOLLRDHUP|EPOLLONESHOT (registered once per
 * stream, zero syscalls per event) and resumes a stream whose peer hung
 * up; the reader then ends it with MHD_CONTENT_READER_END_WITH_ERROR.  A
 * half-close counts as a disconnect, as it does for uvicorn.  Timers and
 * the watcher refer to streams by a (slot, generation) handle, never by
 * pointer, so a stale firing after the stream was freed is just ignored.
 *
 * One mutex guards all of this.  Critical sections are a few pointer
 * operations (frames are serialized once per event by the producer and
 * shared by reference), so at 10^5 events/s the lock is held a few percent
 * of the time.  SAM itself funnels every event through one threading.Lock.
 *
 * Workload: hundreds to thousands of concurrent streams, a queue of up to
 * --queue-size frame pointers per stream (grown on demand from 8), one
 * 256-byte response block (unused for chunked replies, MHD insists on one)
 * and MHD's 32 KiB per-connection memory pool.  Measured on 2 cores with
 * tools/sse_load.py (10 events per task, 100 ms apart, default
 * 2 worker threads):
 *   1,000 idle streams (pings only)   0 ms CPU in 10 s (no busy polling)
 *   5,000 concurrent streams          1.85 s CPU in 8.3 s, RSS 180 MB
 *   10,000 concurrent streams         4.3 s CPU in 15.7 s, RSS 364 MB
 * i.e. ~36 KiB per open stream, nearly all of it MHD's connection pool.
 *
 * Rejected:
 *   - returning 0 from the reader without suspending: busy loop (above);
 *   - MHD_USE_THREAD_PER_CONNECTION with a condvar wait in the reader:
 *     one thread (stack) per stream, a context switch per event; kept only
 *     as the fallback had suspend/resume been unworkable;
 *   - a pipe/eventfd per stream fed to an fd-backed response: two fds per
 *     stream and MHD 0.9.75 cannot stream from a pipe of unknown size;
 *   - resuming on every event and letting the reader re-suspend: that is
 *     what happens, but only for suspended streams; a stream that is busy
 *     writing just finds more frames in its queue.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sim.h"

struct sim_frame {
	atomic_uint ref;
	size_t len;
	char data[];
};

struct sse_task;

/* ": gwsim-sent " + 20 digits + CRLF + NUL */
#define STAMP_MAX 40

struct sim_stream {
	uint32_t slot;
	uint32_t gen;
	struct MHD_Connection *conn;
	int fd;
	bool background;
	char *task_id;
	struct sse_task *task; /* live subscription, NULL when detached */
	struct sim_stream *tprev;
	struct sim_stream *tnext;
	struct sim_stream *aprev;
	struct sim_stream *anext;
	/* queue: ring of frame references */
	struct sim_frame **q;
	unsigned qhead;
	unsigned qlen;
	unsigned qcap;
	/* bytes being copied out */
	struct sim_frame *cur;
	size_t cur_off;
	size_t pre_off;
	char ping[96];
	size_t ping_len;
	size_t ping_off;
	char stamp[STAMP_MAX]; /* --stamp-events line before s->cur */
	size_t stamp_len;
	size_t stamp_off;
	bool ping_due;
	bool suspended;
	bool ending; /* close_all_for_task: end after draining */
	bool ended;  /* END_OF_STREAM returned */
	bool gone;   /* peer hung up, or shutdown */
	bool cut;    /* --cut-rate picked this stream */
	bool cut_now;
	bool wake_pending;
	unsigned events_out;
	uint64_t stall_until;
	uint64_t trickle_next;
	uint64_t next_ping;
};

struct sse_task {
	char *id;
	struct sim_stream *subs;
	unsigned nsubs;
	bool prior; /* in _tasks_with_prior_connection */
	bool has_buf;
	struct sim_frame **buf;
	unsigned nbuf;
	uint64_t buf_t0;
	struct sse_task *bprev;
	struct sse_task *bnext;
};

#define WATCH_STOP UINT64_MAX

static struct {
	pthread_mutex_t lock;
	struct sim_map tasks;
	struct sim_stream **slots;
	uint32_t *gens;
	uint32_t nslots;
	uint32_t *freelist;
	uint32_t nfree;
	struct sim_stream *all;
	struct sse_task *buffered;
	size_t nsubs;
	size_t nprior;
	size_t nbuffered;
	size_t nstreams;
	bool stopping;
	char pre[64];
	size_t pre_len;
	int epfd;
	int evfd;
	pthread_t watcher;
	bool watcher_running;
	uint64_t purge_ns;
} sse = { .lock = PTHREAD_MUTEX_INITIALIZER, .epfd = -1, .evfd = -1 };

/* ---- frames ------------------------------------------------------------ */

/* New event frame holding a copy of bytes; caller owns the reference. */
static struct sim_frame *frame_from(const char *bytes, size_t len)
{
	struct sim_frame *f = sim_xmalloc(sizeof(*f) + len);

	atomic_init(&f->ref, 1);
	f->len = len;
	memcpy(f->data, bytes, len);
	return f;
}

static struct sim_frame *frame_ref(struct sim_frame *f)
{
	/* relaxed: the new owner got the pointer under sse.lock */
	atomic_fetch_add_explicit(&f->ref, 1, memory_order_relaxed);
	return f;
}

void sim_sse_frame_unref(struct sim_frame *f)
{
	if (!f)
		return;
	/* acq_rel: the last owner must see every other owner's reads done */
	if (atomic_fetch_sub_explicit(&f->ref, 1, memory_order_acq_rel) == 1)
		free(f);
}

struct sim_frame *sim_sse_frame(const char *name, const char *json, size_t len,
				bool first)
{
	const char *eol = sim_fault_eol();
	struct sim_buf b;
	struct sim_frame *f;
	size_t data_len = len;

	/* name, data and at most four short lines of framing */
	sim_buf_init(&b, strlen(name) + len + 128);
	sim_buf_addf(&b, "event: %s%s", name, eol);
	switch (sim_fault_malformed(first)) {
	case SIM_MAL_NOCOLON:
		sim_buf_addf(&b, "gwsim-line-without-colon%s", eol);
		break;
	case SIM_MAL_BADJSON:
		/* cut the JSON in half: unbalanced braces, open string */
		data_len = len / 2;
		break;
	default:
		/* none, or longline: the agent already made the line long */
		break;
	}
	sim_buf_adds(&b, "data: ");
	sim_buf_add(&b, json, data_len);
	sim_buf_adds(&b, eol);
	sim_buf_adds(&b, eol);
	f = frame_from(b.p, b.len);
	sim_buf_release(&b);
	return f;
}

/* ---- handles ----------------------------------------------------------- */

static uint64_t handle_of(const struct sim_stream *s)
{
	return (uint64_t)s->gen << 32 | s->slot;
}

static struct sim_stream *lookup(uint64_t h)
{
	uint32_t slot = (uint32_t)h, gen = (uint32_t)(h >> 32);

	if (slot >= sse.nslots || sse.gens[slot] != gen)
		return NULL;
	return sse.slots[slot];
}

static void slot_alloc(struct sim_stream *s)
{
	uint32_t slot;

	if (!sse.nfree) {
		uint32_t n = sse.nslots ? sse.nslots * 2 : 256, i;

		sse.slots = sim_xrealloc(sse.slots, n * sizeof(*sse.slots));
		sse.gens = sim_xrealloc(sse.gens, n * sizeof(*sse.gens));
		sse.freelist =
			sim_xrealloc(sse.freelist, n * sizeof(*sse.freelist));
		for (i = sse.nslots; i < n; i++) {
			sse.slots[i] = NULL;
			sse.gens[i] = 1;
		}
		/* hand out low slots first */
		for (i = n; i > sse.nslots; i--)
			sse.freelist[sse.nfree++] = i - 1;
		sse.nslots = n;
	}
	slot = sse.freelist[--sse.nfree];
	sse.slots[slot] = s;
	s->slot = slot;
	s->gen = sse.gens[slot];
}

static void slot_free(struct sim_stream *s)
{
	sse.slots[s->slot] = NULL;
	sse.gens[s->slot]++;
	if (!sse.gens[s->slot])
		sse.gens[s->slot] = 1;
	sse.freelist[sse.nfree++] = s->slot;
}

/* ---- SSEManager bookkeeping (sse.lock held) ---------------------------- */

static struct sse_task *task_get(const char *id, bool create)
{
	struct sse_task *t = sim_map_get(&sse.tasks, id);

	if (t || !create)
		return t;
	t = sim_xcalloc(1, sizeof(*t));
	t->id = sim_xstrdup(id);
	sim_map_put(&sse.tasks, id, t);
	return t;
}

static void buf_drop(struct sse_task *t)
{
	unsigned i;

	if (!t->has_buf)
		return;
	for (i = 0; i < t->nbuf; i++)
		sim_sse_frame_unref(t->buf[i]);
	free(t->buf);
	t->buf = NULL;
	t->nbuf = 0;
	t->has_buf = false;
	if (t->bprev)
		t->bprev->bnext = t->bnext;
	else
		sse.buffered = t->bnext;
	if (t->bnext)
		t->bnext->bprev = t->bprev;
	t->bprev = t->bnext = NULL;
	sse.nbuffered--;
}

static void task_maybe_free(struct sse_task *t)
{
	if (t->nsubs || t->has_buf || t->prior)
		return;
	sim_map_del(&sse.tasks, t->id);
	free(t->id);
	free(t);
}

static void task_free(void *p)
{
	struct sse_task *t = p;
	unsigned i;

	for (i = 0; i < t->nbuf; i++)
		sim_sse_frame_unref(t->buf[i]);
	free(t->buf);
	free(t->id);
	free(t);
}

static void sub_unlink(struct sim_stream *s)
{
	struct sse_task *t = s->task;

	if (!t)
		return;
	if (s->tprev)
		s->tprev->tnext = s->tnext;
	else
		t->subs = s->tnext;
	if (s->tnext)
		s->tnext->tprev = s->tprev;
	s->tprev = s->tnext = NULL;
	s->task = NULL;
	t->nsubs--;
	sse.nsubs--;
}

static void queue_push(struct sim_stream *s, struct sim_frame *f)
{
	if (s->qlen == s->qcap) {
		unsigned cap = s->qcap ? s->qcap * 2 : 8, i;
		struct sim_frame **q = sim_xmalloc(cap * sizeof(*q));

		for (i = 0; i < s->qlen; i++)
			q[i] = s->q[(s->qhead + i) % s->qcap];
		free(s->q);
		s->q = q;
		s->qcap = cap;
		s->qhead = 0;
	}
	s->q[(s->qhead + s->qlen) % s->qcap] = f;
	s->qlen++;
}

static struct sim_frame *queue_pop(struct sim_stream *s)
{
	struct sim_frame *f = s->q[s->qhead];

	s->qhead = (s->qhead + 1) % s->qcap;
	s->qlen--;
	return f;
}

static void stream_resume(struct sim_stream *s)
{
	if (!s->suspended)
		return;
	s->suspended = false;
	MHD_resume_connection(s->conn);
}

void sim_sse_send(const char *task_id, struct sim_frame *f)
{
	struct sse_task *t;

	pthread_mutex_lock(&sse.lock);
	if (sse.stopping)
		goto out;
	t = task_get(task_id, false);
	if (t && t->nsubs) {
		struct sim_stream *s, *next;

		for (s = t->subs; s; s = next) {
			next = s->tnext;
			if (s->qlen >= sim_cfg.queue_size) {
				/* asyncio.QueueFull: drop and detach */
				sub_unlink(s);
				SIM_COUNT(queues_detached);
				continue;
			}
			queue_push(s, frame_ref(f));
			stream_resume(s);
		}
		goto out;
	}
	if (t && t->prior && sim_cfg.persistent_buffer) {
		/* registered task with a prior connection: DB only */
		SIM_COUNT(events_persist_only);
		goto out;
	}
	if (!t)
		t = task_get(task_id, true);
	if (!t->has_buf) {
		t->has_buf = true;
		t->buf_t0 = sim_now_ns();
		t->buf = sim_xmalloc(8 * sizeof(*t->buf));
		t->bnext = sse.buffered;
		if (sse.buffered)
			sse.buffered->bprev = t;
		sse.buffered = t;
		sse.nbuffered++;
	}
	if (t->nbuf >= sim_cfg.queue_size) {
		SIM_COUNT(events_buffer_dropped);
		goto out;
	}
	/* grow by doubling from 8 */
	if (t->nbuf >= 8 && !(t->nbuf & (t->nbuf - 1)))
		t->buf = sim_xrealloc(t->buf, 2 * t->nbuf * sizeof(*t->buf));
	t->buf[t->nbuf++] = frame_ref(f);
	SIM_COUNT(events_buffered);
out:
	pthread_mutex_unlock(&sse.lock);
}

void sim_sse_close_task(const char *task_id)
{
	struct sse_task *t;
	struct sim_stream *s;

	pthread_mutex_lock(&sse.lock);
	t = task_get(task_id, false);
	if (!t || !t->nsubs) {
		/* nobody connected: leave the buffer for a late subscriber */
		pthread_mutex_unlock(&sse.lock);
		return;
	}
	while ((s = t->subs)) {
		sub_unlink(s);
		s->ending = true;
		stream_resume(s);
	}
	buf_drop(t);
	if (t->prior) {
		t->prior = false;
		sse.nprior--;
	}
	task_maybe_free(t);
	pthread_mutex_unlock(&sse.lock);
}

/* ---- timers ------------------------------------------------------------ */

static void wake_fire(uint64_t h)
{
	struct sim_stream *s;

	pthread_mutex_lock(&sse.lock);
	s = lookup(h);
	if (s) {
		s->wake_pending = false;
		stream_resume(s);
	}
	pthread_mutex_unlock(&sse.lock);
}

static void arm_wake(struct sim_stream *s, uint64_t at)
{
	if (s->wake_pending)
		return;
	s->wake_pending = true;
	sim_timer_at(at, wake_fire, handle_of(s));
}

static void ping_fire(uint64_t h)
{
	struct sim_stream *s;
	uint64_t period = (uint64_t)sim_cfg.ping_s * SIM_NS_PER_S;

	pthread_mutex_lock(&sse.lock);
	s = lookup(h);
	if (!s || sse.stopping || s->ended) {
		pthread_mutex_unlock(&sse.lock);
		return;
	}
	/* a stalled stream sends no bytes at all, pings included */
	if (!(s->stall_until && sim_now_ns() < s->stall_until)) {
		s->ping_due = true;
		stream_resume(s);
	}
	s->next_ping += period;
	sim_timer_at(s->next_ping, ping_fire, h);
	pthread_mutex_unlock(&sse.lock);
}

static uint64_t purge_interval_ns(void)
{
	uint64_t s = sim_cfg.buffer_max_age_s / 2;

	if (s < 1)
		s = 1;
	if (s > 300)
		s = 300;
	return s * SIM_NS_PER_S;
}

static void purge_fire(uint64_t unused)
{
	uint64_t now = sim_now_ns();
	uint64_t age = (uint64_t)sim_cfg.buffer_max_age_s * SIM_NS_PER_S;
	struct sse_task *t, *next;

	(void)unused;
	pthread_mutex_lock(&sse.lock);
	if (sse.stopping) {
		pthread_mutex_unlock(&sse.lock);
		return;
	}
	for (t = sse.buffered; t; t = next) {
		next = t->bnext;
		if (now - t->buf_t0 > age) {
			buf_drop(t);
			SIM_COUNT(buffers_purged);
			task_maybe_free(t);
		}
	}
	sse.purge_ns += purge_interval_ns();
	sim_timer_at(sse.purge_ns, purge_fire, 0);
	pthread_mutex_unlock(&sse.lock);
}

/* ---- the content reader ------------------------------------------------ */

static size_t copy_out(char *dst, size_t room, const char *src, size_t left)
{
	size_t n = left < room ? left : room;

	memcpy(dst, src, n);
	return n;
}

/* Copy up to limit bytes of what the stream holds; sse.lock held. */
static size_t fill(struct sim_stream *s, char *buf, size_t limit, uint64_t now)
{
	size_t n = 0;

	while (n < limit) {
		if (s->pre_off < sse.pre_len) {
			size_t k = copy_out(buf + n, limit - n,
					    sse.pre + s->pre_off,
					    sse.pre_len - s->pre_off);

			s->pre_off += k;
			n += k;
			continue;
		}
		if (s->stall_until && now < s->stall_until)
			break;
		if (s->stamp_off < s->stamp_len) {
			size_t k = copy_out(buf + n, limit - n,
					    s->stamp + s->stamp_off,
					    s->stamp_len - s->stamp_off);

			s->stamp_off += k;
			n += k;
			continue;
		}
		if (s->cur) {
			size_t k = copy_out(buf + n, limit - n,
					    s->cur->data + s->cur_off,
					    s->cur->len - s->cur_off);

			s->cur_off += k;
			n += k;
			if (s->cur_off < s->cur->len)
				continue;
			sim_sse_frame_unref(s->cur);
			s->cur = NULL;
			s->events_out++;
			SIM_COUNT(events_sent);
			if (s->cut) {
				/* cut after the first complete event */
				s->cut_now = true;
				break;
			}
			continue;
		}
		if (s->ping_off < s->ping_len) {
			size_t k = copy_out(buf + n, limit - n,
					    s->ping + s->ping_off,
					    s->ping_len - s->ping_off);

			s->ping_off += k;
			n += k;
			continue;
		}
		if (s->ping_due) {
			char ts[40];
			const char *eol = sim_fault_eol();

			sim_time_iso(ts, sizeof(ts), ' ');
			s->ping_len = (size_t)snprintf(s->ping, sizeof(s->ping),
						       ": ping - %s%s%s", ts,
						       eol, eol);
			s->ping_off = 0;
			s->ping_due = false;
			SIM_COUNT(pings_sent);
			continue;
		}
		if (s->qlen && sim_cfg.stamp_events) {
			/*
			 * The stamp and its event start in the same write:
			 * with less room left, the next call takes both.
			 * (--trickle-ms writes one byte a call anyway.)
			 */
			if (n && limit - n <= STAMP_MAX)
				break;
			s->stamp_len = (size_t)snprintf(
				s->stamp, sizeof(s->stamp),
				": gwsim-sent %llu%s",
				(unsigned long long)sim_now_ns(),
				sim_fault_eol());
			s->stamp_off = 0;
		}
		if (s->qlen) {
			s->cur = queue_pop(s);
			s->cur_off = 0;
			continue;
		}
		break;
	}
	return n;
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sim_stream *s = cls;
	uint64_t now, pause_end;
	size_t n, limit = max;

	(void)pos;
	pthread_mutex_lock(&sse.lock);
	if (s->gone || sse.stopping) {
		pthread_mutex_unlock(&sse.lock);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	if (s->cut_now) {
		/* close the socket without the terminating chunk */
		SIM_COUNT(streams_cut);
		s->gone = true;
		pthread_mutex_unlock(&sse.lock);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	now = sim_now_ns();
	pause_end = sim_fault_paused(now);
	if (pause_end) {
		/* the gateway stalls: nothing at all, not even a ping */
		arm_wake(s, pause_end);
		goto suspend;
	}
	if (sim_cfg.trickle_ms) {
		if (now < s->trickle_next) {
			arm_wake(s, s->trickle_next);
			goto suspend;
		}
		limit = 1;
	}
	n = fill(s, buf, limit, now);
	if (n) {
		if (sim_cfg.trickle_ms)
			s->trickle_next = now + (uint64_t)sim_cfg.trickle_ms *
							SIM_NS_PER_MS;
		pthread_mutex_unlock(&sse.lock);
		return (ssize_t)n;
	}
	if (s->stall_until && now < s->stall_until) {
		arm_wake(s, s->stall_until);
		goto suspend;
	}
	if (s->ending && !s->qlen && !s->cur) {
		s->ended = true;
		SIM_COUNT(streams_ended);
		/* back to uvicorn's keep-alive idle timeout for what follows */
		MHD_set_connection_option(s->conn,
					  MHD_CONNECTION_OPTION_TIMEOUT,
					  sim_cfg.keepalive_s);
		pthread_mutex_unlock(&sse.lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
suspend:
	s->suspended = true;
	MHD_suspend_connection(s->conn);
	pthread_mutex_unlock(&sse.lock);
	return 0;
}

/* MHD's response free callback: the connection is done with the stream. */
static void stream_free(void *cls)
{
	struct sim_stream *s = cls;
	struct sse_task *t;

	pthread_mutex_lock(&sse.lock);
	t = s->task;
	if (t) {
		/* remove_sse_connection */
		sub_unlink(s);
		task_maybe_free(t);
	}
	if (s->background && !s->ended) {
		/* drain_buffer_for_background_task */
		t = task_get(s->task_id, false);
		if (t) {
			buf_drop(t);
			task_maybe_free(t);
		}
	}
	while (s->qlen)
		sim_sse_frame_unref(queue_pop(s));
	sim_sse_frame_unref(s->cur);
	slot_free(s);
	if (s->aprev)
		s->aprev->anext = s->anext;
	else
		sse.all = s->anext;
	if (s->anext)
		s->anext->aprev = s->aprev;
	sse.nstreams--;
	pthread_mutex_unlock(&sse.lock);
	if (!s->ended)
		SIM_COUNT(stream_disconnects);
	SIM_SUB(active_streams, 1);
	free(s->q);
	free(s->task_id);
	free(s);
}

/* ---- opening a stream -------------------------------------------------- */

static void watch_add(struct sim_stream *s)
{
	struct epoll_event ev;

	if (sse.epfd == -1 || s->fd < 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLRDHUP | EPOLLONESHOT;
	ev.data.u64 = handle_of(s);
	if (epoll_ctl(sse.epfd, EPOLL_CTL_ADD, s->fd, &ev) == -1 &&
	    errno == EEXIST)
		/* an earlier stream on this keep-alive connection */
		epoll_ctl(sse.epfd, EPOLL_CTL_MOD, s->fd, &ev);
}

struct MHD_Response *sim_sse_open(struct MHD_Connection *c, const char *task_id,
				  bool background, bool *refused)
{
	struct sim_stream *s = sim_xcalloc(1, sizeof(*s));
	const union MHD_ConnectionInfo *ci;
	struct MHD_Response *resp;
	struct sse_task *t;
	uint64_t now = sim_now_ns();
	unsigned i;

	s->conn = c;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	s->fd = ci ? ci->connect_fd : -1;
	s->background = background;
	s->task_id = sim_xstrdup(task_id);
	s->cut = sim_fault_cut();
	if (sim_cfg.stall_s)
		s->stall_until = now + (uint64_t)sim_cfg.stall_s * SIM_NS_PER_S;

	*refused = false;
	pthread_mutex_lock(&sse.lock);
	if (sim_cfg.max_streams && sse.nstreams >= sim_cfg.max_streams)
		/* before it touches any of SSEManager's state */
		*refused = true;
	if (sse.stopping || *refused) {
		pthread_mutex_unlock(&sse.lock);
		if (*refused)
			SIM_COUNT(streams_refused);
		free(s->task_id);
		free(s);
		return NULL;
	}
	slot_alloc(s);
	/* create_sse_connection: take the backlog and register atomically */
	t = task_get(task_id, true);
	if (t->has_buf) {
		for (i = 0; i < t->nbuf; i++)
			queue_push(s, frame_ref(t->buf[i]));
		buf_drop(t);
	}
	s->task = t;
	s->tnext = t->subs;
	if (t->subs)
		t->subs->tprev = s;
	t->subs = s;
	t->nsubs++;
	sse.nsubs++;
	if (!t->prior) {
		t->prior = true;
		sse.nprior++;
	}
	s->anext = sse.all;
	if (sse.all)
		sse.all->aprev = s;
	sse.all = s;
	sse.nstreams++;
	s->next_ping = now + (uint64_t)sim_cfg.ping_s * SIM_NS_PER_S;
	sim_timer_at(s->next_ping, ping_fire, handle_of(s));
	watch_add(s);
	pthread_mutex_unlock(&sse.lock);
	SIM_COUNT(streams_total);
	SIM_ADD(active_streams, 1);
	if (sim_cfg.stall_s)
		SIM_COUNT(streams_stalled);
	if (sim_cfg.trickle_ms)
		SIM_COUNT(streams_trickled);

	/*
	 * From here on the stream belongs to the response: stream_free runs
	 * when MHD (or our MHD_destroy_response on failure) releases it.
	 */
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256,
						 stream_reader, s, stream_free);
	if (!resp) {
		stream_free(s);
		return NULL;
	}
	MHD_add_response_header(resp, "content-type",
				"text/event-stream; charset=utf-8");
	MHD_add_response_header(resp, "cache-control", "no-store");
	MHD_add_response_header(resp, "x-accel-buffering", "no");
	/*
	 * sse-starlette sends "Connection: keep-alive"; MHD strips that token
	 * from application headers and writes its own "Keep-Alive" only when
	 * asked to with this flag.
	 */
	MHD_set_response_options(resp, MHD_RF_SEND_KEEP_ALIVE_HEADER,
				 MHD_RO_END);
	/* SSE streams never time out (uvicorn has no timeout on them) */
	MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, 0);
	return resp;
}

/* ---- lifecycle --------------------------------------------------------- */

static void *watch_main(void *unused)
{
	struct epoll_event ev[64];

	(void)unused;
	for (;;) {
		int n = epoll_wait(sse.epfd, ev, 64, -1), i;

		if (n == -1) {
			if (errno == EINTR)
				continue;
			sim_error("sse watcher: epoll_wait: %s",
				  strerror(errno));
			return NULL;
		}
		for (i = 0; i < n; i++) {
			struct sim_stream *s;

			if (ev[i].data.u64 == WATCH_STOP)
				return NULL;
			pthread_mutex_lock(&sse.lock);
			s = lookup(ev[i].data.u64);
			if (s && !s->ended) {
				s->gone = true;
				stream_resume(s);
			}
			pthread_mutex_unlock(&sse.lock);
		}
	}
}

int sim_sse_init(void)
{
	const char *eol = sim_fault_eol();
	struct epoll_event ev;
	int rc;

	sim_map_init(&sse.tasks);
	sse.pre_len = (size_t)snprintf(
		sse.pre, sizeof(sse.pre), "%s: SSE connection established%s%s",
		sim_cfg.malformed == SIM_MAL_BOM ? "\xef\xbb\xbf" : "", eol,
		eol);
	sse.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sse.epfd == -1)
		return sim_error("sse: epoll_create1: %s", strerror(errno));
	sse.evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sse.evfd == -1)
		return sim_error("sse: eventfd: %s", strerror(errno));
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = WATCH_STOP;
	if (epoll_ctl(sse.epfd, EPOLL_CTL_ADD, sse.evfd, &ev) == -1)
		return sim_error("sse: epoll_ctl: %s", strerror(errno));
	rc = pthread_create(&sse.watcher, NULL, watch_main, NULL);
	if (rc)
		return sim_error("sse: pthread_create: error %d", rc);
	sse.watcher_running = true;
	sse.purge_ns = sim_now_ns() + purge_interval_ns();
	sim_timer_at(sse.purge_ns, purge_fire, 0);
	return 0;
}

void sim_sse_shutdown(void)
{
	struct sim_stream *s;
	uint64_t one = 1;

	pthread_mutex_lock(&sse.lock);
	sse.stopping = true;
	for (s = sse.all; s; s = s->anext) {
		s->gone = true;
		stream_resume(s);
	}
	pthread_mutex_unlock(&sse.lock);
	if (sse.watcher_running) {
		if (write(sse.evfd, &one, sizeof(one)) == -1)
			sim_error("sse: eventfd write: %s", strerror(errno));
		pthread_join(sse.watcher, NULL);
		sse.watcher_running = false;
	}
}

void sim_sse_release(void)
{
	sim_map_release(&sse.tasks, task_free);
	sse.buffered = NULL;
	free(sse.slots);
	free(sse.gens);
	free(sse.freelist);
	sse.slots = NULL;
	sse.gens = NULL;
	sse.freelist = NULL;
	sse.nslots = sse.nfree = 0;
	if (sse.epfd != -1)
		close(sse.epfd);
	if (sse.evfd != -1)
		close(sse.evfd);
	sse.epfd = sse.evfd = -1;
}

void sim_sse_counts(struct sim_sse_counts *out)
{
	pthread_mutex_lock(&sse.lock);
	out->active_connections = sse.nsubs;
	out->prior_connections = sse.nprior;
	out->buffered_tasks = sse.nbuffered;
	out->streams = sse.nstreams;
	pthread_mutex_unlock(&sse.lock);
}
