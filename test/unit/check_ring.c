/*
 * check_ring: the SPSC ring alone (order, full-ring drop of the newest
 * sample) and under multi-thread stress: several producers, each with its
 * own ring, one consumer draining all of them, as the engine runs it.
 * Asserts received + dropped == sent per ring and that every ring's
 * samples arrive in order.  Run under ThreadSanitizer by
 * `make check SANITIZE=thread`.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "gw_ring.h"
#include "check_main.h"

START_TEST(test_init_sizes)
{
	struct gw_ring r;

	ck_assert_int_eq(gw_ring_init(&r, 0), -1);
	ck_assert_int_eq(gw_ring_init(&r, 1), -1);
	ck_assert_int_eq(gw_ring_init(&r, 12), -1);
	ck_assert_int_eq(gw_ring_init(&r, 8), 0);
	gw_ring_release(&r);
	gw_ring_release(NULL);
}
END_TEST

/* ring_size = 0: the largest power of two within the budget, clamped. */
START_TEST(test_auto_size)
{
	size_t prev = GW_RING_AUTO_MAX;

	ck_assert_uint_eq(gw_ring_auto_size(0), GW_RING_AUTO_MAX);
	ck_assert_uint_eq(gw_ring_auto_size(1), GW_RING_AUTO_MAX);
	ck_assert_uint_eq(gw_ring_auto_size(256), GW_RING_AUTO_MAX);
	ck_assert_uint_eq(gw_ring_auto_size(257), GW_RING_AUTO_MAX / 2);
	ck_assert_uint_eq(gw_ring_auto_size(10000), 256);
	ck_assert_uint_eq(gw_ring_auto_size(1000000), GW_RING_AUTO_MIN);
	for (long n = 1; n <= 100000; n += 1 + n / 16) {
		size_t z = gw_ring_auto_size(n);

		ck_assert_msg(z && !(z & (z - 1)), "%ld: %zu", n, z);
		ck_assert(z >= GW_RING_AUTO_MIN && z <= prev);
		/* within the budget, unless the floor forbids it ... */
		ck_assert(z * (size_t)n <= GW_RING_BUDGET ||
			  z == GW_RING_AUTO_MIN);
		/* ... and the largest size that is */
		ck_assert(z == GW_RING_AUTO_MAX ||
			  2 * z * (size_t)n > GW_RING_BUDGET);
		prev = z;
	}
}
END_TEST

START_TEST(test_fifo_and_full)
{
	struct gw_ring r;
	uint64_t out[16];

	ck_assert_int_eq(gw_ring_init(&r, 4), 0);
	ck_assert_uint_eq(gw_ring_pop(&r, out, 16), 0);
	for (uint64_t i = 1; i <= 4; i++)
		ck_assert_int_eq(gw_ring_push(&r, i), 0);
	/* full: the newest sample is dropped and counted */
	ck_assert_int_eq(gw_ring_push(&r, 99), -1);
	ck_assert_int_eq(gw_ring_push(&r, 100), -1);
	ck_assert_uint_eq(gw_ring_dropped(&r), 2);
	ck_assert_uint_eq(gw_ring_pending(&r), 4);
	ck_assert_uint_eq(gw_ring_pop(&r, out, 3), 3);
	ck_assert_uint_eq(out[0], 1);
	ck_assert_uint_eq(out[2], 3);
	ck_assert_int_eq(gw_ring_push(&r, 5), 0);
	ck_assert_uint_eq(gw_ring_pop(&r, out, 16), 2);
	ck_assert_uint_eq(out[0], 4);
	ck_assert_uint_eq(out[1], 5);
	/* wrap around many times */
	for (uint64_t i = 0; i < 1000; i++) {
		ck_assert_int_eq(gw_ring_push(&r, i), 0);
		ck_assert_uint_eq(gw_ring_pop(&r, out, 1), 1);
		ck_assert_uint_eq(out[0], i);
	}
	ck_assert_uint_eq(gw_ring_dropped(&r), 2);
	gw_ring_release(&r);
}
END_TEST

#define NPROD 8
#define PER_PRODUCER 200000

struct prod {
	struct gw_ring ring;
	pthread_t th;
	uint64_t sent;	   /* attempts (producer-private) */
	uint64_t ok;	   /* accepted pushes (producer-private) */
	uint64_t received; /* consumer-private */
	uint64_t last;	   /* consumer-private: last value seen + 1 */
};

static _Atomic int producers_done;

static void *producer(void *arg)
{
	struct prod *p = arg;

	for (uint64_t i = 1; i <= PER_PRODUCER; i++) {
		p->sent++;
		if (gw_ring_push(&p->ring, i) == 0)
			p->ok++;
	}
	atomic_fetch_add_explicit(&producers_done, 1, memory_order_release);
	return NULL;
}

static void drain_once(struct prod *p, int *any)
{
	uint64_t buf[128];
	size_t n;

	while ((n = gw_ring_pop(&p->ring, buf, 128)) > 0) {
		*any = 1;
		for (size_t k = 0; k < n; k++) {
			/* in order; gaps only where samples were dropped */
			ck_assert_uint_gt(buf[k], p->last);
			p->last = buf[k];
		}
		p->received += n;
	}
}

START_TEST(test_mt_stress)
{
	/* small rings (loop index picks the size) force many drops */
	static const size_t sizes[] = { 64, 1024, 65536 };
	struct prod *p = calloc(NPROD, sizeof(*p));
	int done = 0;

	ck_assert_ptr_nonnull(p);
	atomic_store(&producers_done, 0);
	for (int i = 0; i < NPROD; i++) {
		ck_assert_int_eq(gw_ring_init(&p[i].ring, sizes[_i]), 0);
		ck_assert_int_eq(
			pthread_create(&p[i].th, NULL, producer, &p[i]), 0);
	}
	/* bounded: producers finish after PER_PRODUCER pushes each; the
	 * final pass after they are done empties every ring */
	while (!done) {
		int any = 0;

		done = atomic_load_explicit(&producers_done,
					    memory_order_acquire) == NPROD;
		for (int i = 0; i < NPROD; i++)
			drain_once(&p[i], &any);
		if (!any && !done)
			sched_yield();
	}
	for (int i = 0; i < NPROD; i++) {
		int any = 0;

		ck_assert_int_eq(pthread_join(p[i].th, NULL), 0);
		drain_once(&p[i], &any);
		ck_assert_uint_eq(p[i].sent, PER_PRODUCER);
		ck_assert_uint_eq(p[i].received + gw_ring_dropped(&p[i].ring),
				  p[i].sent);
		ck_assert_uint_eq(p[i].received, p[i].ok);
		ck_assert_uint_eq(gw_ring_pending(&p[i].ring), 0);
		gw_ring_release(&p[i].ring);
	}
	free(p);
}
END_TEST

static Suite *ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_init_sizes);
	tcase_add_test(tc, test_auto_size);
	tcase_add_test(tc, test_fifo_and_full);
	tcase_add_loop_test(tc, test_mt_stress, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(ring_suite)
