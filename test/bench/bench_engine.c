/*
 * bench_engine: how many latency samples per second the hot path
 * (gw_rec: one SPSC push) and the collector (drain + histogram record)
 * sustain together, through the real engine: N workers each record M
 * samples into one operation while the collector drains all rings.
 * Prints figures; asserts only the accounting invariant.  No network.
 *
 * Two modes: RATE = 0 pushes as fast as possible (producers then outrun
 * the collector and the drop counter shows the collector's ceiling);
 * RATE > 0 paces the producers to RATE samples/s in total (checking the
 * clock every 1024 samples, or every RING_SIZE/4 for small rings: a burst
 * longer than the ring would measure the burst, not the engine), which is
 * the design goal's question: are 10 M samples/s recorded without drops?
 *
 *   make bench
 *   build/test/bench_engine WORKERS SECONDS RATE RING_SIZE
 *
 * RING_SIZE 0 picks the size gwstress would ([engine] ring_size = 0).
 */
#include <stdio.h>
#include <stdlib.h>

#include "gw_engine.h"
#include "gw_ring.h"
#include "gw_util.h"

static double seconds, rate_per_worker;
static int op, burst;

static void produce(struct gw_worker *w, void *arg)
{
	int64_t v = 1000, t0 = gw_now_ns();
	int64_t end = t0 + (int64_t)(seconds * 1e9);
	long i = 0;

	(void)arg;
	for (;;) {
		for (int k = 0; k < burst; k++, i++) {
			gw_rec(w, op, v);
			v = v * 7 % 1000003 + 1000; /* varied values */
		}
		int64_t now = gw_now_ns();

		if (now >= end)
			break;
		if (rate_per_worker > 0) {
			int64_t due = t0 + (int64_t)((double)i /
						     rate_per_worker * 1e9);

			if (due > now)
				gw_sleep_ns(due - now);
		}
	}
}

int main(int argc, char **argv)
{
	int workers = argc > 1 ? atoi(argv[1]) : 2;
	double rate = argc > 3 ? atof(argv[3]) : 10e6;
	long ring = argc > 4 ? atol(argv[4]) : 16384;
	struct gw_http_target tgt = { .base = "http://127.0.0.1:9",
				      .max_body_bytes = 4096,
				      .max_event_bytes = 4096 };
	struct gw_engine e;
	struct gw_metrics *m;
	int64_t t0, t1;
	uint64_t produced, dropped;

	seconds = argc > 2 ? atof(argv[2]) : 2.0;
	if (ring == 0)
		ring = (long)gw_ring_auto_size(workers);
	rate_per_worker = rate / workers;
	burst = ring >= 4096 ? 1024 : ring >= 4 ? (int)(ring / 4) : 1;
	if (workers < 1 || seconds <= 0 || gw_http_global_init() < 0)
		return 2;
	if (gw_engine_start(&e, workers, 256 * 1024, (size_t)ring, &tgt) < 0)
		return 1;
	m = gw_metrics_create("bench", "");
	op = gw_metrics_op(m, "bench_sample");
	gw_engine_attach(&e, m, NULL);
	t0 = gw_now_ns();
	for (int i = 0; i < workers; i++)
		gw_engine_submit(&e, produce, NULL);
	gw_engine_wait(&e, 0, NULL, NULL);
	t1 = gw_now_ns();
	if (gw_engine_collect(&e, m) < 0)
		return 1;
	produced = gw_metrics_produced(m);
	dropped = gw_metrics_dropped(m);
	char target[32] = "max";

	if (rate > 0)
		snprintf(target, sizeof(target), "%.1f M/s", rate / 1e6);
	printf("workers %d  target %s  ring %ld: %llu samples in "
	       "%.2f s = %.2f M/s produced, %.2f M/s recorded, dropped %llu "
	       "(%.3f%%)\n",
	       workers, target, ring, (unsigned long long)produced,
	       (double)(t1 - t0) / 1e9,
	       (double)produced * 1e3 / (double)(t1 - t0),
	       (double)m->samples_received * 1e3 / (double)(t1 - t0),
	       (unsigned long long)dropped,
	       100.0 * (double)dropped / (double)produced);
	gw_engine_stop(&e);
	gw_metrics_free(m);
	gw_http_global_cleanup();
	return produced == m->samples_received + dropped ? 0 : 1;
}
