/*
 * sim_timer: one thread that runs callbacks at CLOCK_MONOTONIC deadlines.
 *
 * Users: the agent (every status/artifact/final event of every task), the
 * SSE module (15 s pings per stream, stall/trickle wake-ups, the
 * pre-connection buffer purge).  Workload target: 10,000 in-flight tasks
 * with an event every 10 ms each = 10^6 timer entries/s at the extreme,
 * typically 10^3..10^5/s; plus one ping entry per open stream.  A binary
 * min-heap gives O(log n) insert and pop with a single array (no per-entry
 * allocation); ties are broken by an insertion sequence number so events
 * of one task scheduled for the same instant stay in order.
 *
 * The thread sleeps on a condition variable bound to CLOCK_MONOTONIC
 * (pthread_condattr_setclock) until the earliest deadline; an insert only
 * signals when it becomes the new earliest entry.  Callbacks run with the
 * timer lock released, so they may add entries.
 *
 * Cancellation is deliberately absent: owners pass a handle (or a pointer
 * they keep alive until sim_timer_stop) and ignore stale firings.  That is
 * cheaper than an indexed heap and removes the classic cancel-vs-fire race.
 *
 * Rejected: timerfd per entry (an fd per task), a timing wheel (the
 * deadlines span 1 ms .. 900 s, a hierarchical wheel is more code than
 * this heap for no measurable gain at these rates), one thread per task.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "sim.h"

struct timer_entry {
	uint64_t due;
	uint64_t seq;
	sim_timer_fn fn;
	uint64_t arg;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running;
	bool stop;
	struct timer_entry *heap;
	size_t n;
	size_t cap;
	uint64_t seq;
} tm = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool before(const struct timer_entry *a, const struct timer_entry *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void sift_up(size_t i)
{
	while (i) {
		size_t p = (i - 1) / 2;
		struct timer_entry t;

		if (!before(&tm.heap[i], &tm.heap[p]))
			break;
		t = tm.heap[i];
		tm.heap[i] = tm.heap[p];
		tm.heap[p] = t;
		i = p;
	}
}

static void sift_down(size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct timer_entry t;

		if (l < tm.n && before(&tm.heap[l], &tm.heap[m]))
			m = l;
		if (r < tm.n && before(&tm.heap[r], &tm.heap[m]))
			m = r;
		if (m == i)
			return;
		t = tm.heap[i];
		tm.heap[i] = tm.heap[m];
		tm.heap[m] = t;
		i = m;
	}
}

void sim_timer_at(uint64_t due_ns, sim_timer_fn fn, uint64_t arg)
{
	pthread_mutex_lock(&tm.lock);
	if (tm.stop) {
		pthread_mutex_unlock(&tm.lock);
		return;
	}
	if (tm.n == tm.cap) {
		tm.cap = tm.cap ? tm.cap * 2 : 1024;
		tm.heap = sim_xrealloc(tm.heap, tm.cap * sizeof(*tm.heap));
	}
	tm.heap[tm.n].due = due_ns;
	tm.heap[tm.n].seq = tm.seq++;
	tm.heap[tm.n].fn = fn;
	tm.heap[tm.n].arg = arg;
	sift_up(tm.n);
	tm.n++;
	/* only a new earliest deadline changes how long the thread sleeps */
	if (tm.heap[0].seq == tm.seq - 1)
		pthread_cond_signal(&tm.cond);
	pthread_mutex_unlock(&tm.lock);
}

size_t sim_timer_pending(void)
{
	size_t n;

	pthread_mutex_lock(&tm.lock);
	n = tm.n;
	pthread_mutex_unlock(&tm.lock);
	return n;
}

static void *timer_main(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&tm.lock);
	while (!tm.stop) {
		uint64_t now;

		if (!tm.n) {
			pthread_cond_wait(&tm.cond, &tm.lock);
			continue;
		}
		now = sim_now_ns();
		if (tm.heap[0].due > now) {
			struct timespec ts;

			ts.tv_sec = (time_t)(tm.heap[0].due / SIM_NS_PER_S);
			ts.tv_nsec = (long)(tm.heap[0].due % SIM_NS_PER_S);
			pthread_cond_timedwait(&tm.cond, &tm.lock, &ts);
			continue;
		}
		{
			struct timer_entry e = tm.heap[0];

			tm.heap[0] = tm.heap[--tm.n];
			sift_down(0);
			pthread_mutex_unlock(&tm.lock);
			e.fn(e.arg);
			pthread_mutex_lock(&tm.lock);
		}
	}
	pthread_mutex_unlock(&tm.lock);
	return NULL;
}

int sim_timer_start(void)
{
	pthread_condattr_t ca;
	int rc;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&tm.cond, &ca);
	pthread_condattr_destroy(&ca);
	if (rc)
		return sim_error("timer: pthread_cond_init: error %d", rc);
	tm.stop = false;
	rc = pthread_create(&tm.thread, NULL, timer_main, NULL);
	if (rc) {
		pthread_cond_destroy(&tm.cond);
		return sim_error("timer: pthread_create: error %d", rc);
	}
	tm.running = true;
	return 0;
}

void sim_timer_stop(void)
{
	if (!tm.running)
		return;
	pthread_mutex_lock(&tm.lock);
	tm.stop = true;
	pthread_cond_signal(&tm.cond);
	pthread_mutex_unlock(&tm.lock);
	pthread_join(tm.thread, NULL);
	pthread_cond_destroy(&tm.cond);
	free(tm.heap);
	tm.heap = NULL;
	tm.n = tm.cap = 0;
	tm.running = false;
}
