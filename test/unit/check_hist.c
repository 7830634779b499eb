/*
 * check_hist: the histogram against a sorted-array oracle (the seed's
 * nearest-rank rule on the exact values), its bucket geometry, range
 * handling and exact merging.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "gw_hist.h"
#include "check_main.h"

/* xorshift64*: deterministic, seedable, good enough for test data */
static uint64_t rng_state;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The seed: sorted[min(floor(n*q), n-1)] */
static int64_t oracle_q(const int64_t *sorted, size_t n, double q)
{
	size_t k = (size_t)floor((double)n * q);

	return sorted[k < n - 1 ? k : n - 1];
}

enum dist { D_SMALL, D_LOG, D_CONST, D_BIMODAL, D_NDIST };

static int64_t draw(enum dist d)
{
	switch (d) {
	case D_SMALL:
		return (int64_t)(rng() % 5000);
	case D_LOG: {
		/* log-uniform over 1 ns .. 1 h */
		double x = (double)(rng() >> 11) / 9007199254740992.0;

		return (int64_t)exp(x * log((double)GW_HIST_MAX));
	}
	case D_CONST:
		return 123456789;
	default:
		return rng() % 2 ? 40000 + (int64_t)(rng() % 100)
				 : 900000000 + (int64_t)(rng() % 1000000);
	}
}

static void check_against_oracle(size_t n, enum dist d)
{
	static const double qs[] = { 0,	   0.01, 0.25,	0.5, 0.9,
				     0.95, 0.99, 0.999, 1.0 };
	int64_t *v = malloc(n * sizeof(*v));
	struct gw_hist h;
	double sum = 0, ss = 0, mean;

	ck_assert_ptr_nonnull(v);
	gw_hist_init(&h);
	for (size_t i = 0; i < n; i++) {
		v[i] = draw(d);
		ck_assert_int_eq(gw_hist_record(&h, v[i]), 0);
		sum += (double)v[i];
	}
	qsort(v, n, sizeof(*v), cmp64);
	ck_assert_uint_eq(h.n, n);
	ck_assert_int_eq(h.min, v[0]);
	ck_assert_int_eq(h.max, v[n - 1]);
	mean = sum / (double)n;
	ck_assert(fabs(gw_hist_mean(&h) - mean) <= 1e-9 * fabs(mean) + 1e-9);
	for (size_t i = 0; i < n; i++)
		ss += ((double)v[i] - mean) * ((double)v[i] - mean);
	if (n > 1) {
		double sd = sqrt(ss / (double)(n - 1));

		ck_assert_msg(fabs(gw_hist_stddev(&h) - sd) <= 1e-7 * sd + 1e-6,
			      "stddev %.6f vs %.6f", gw_hist_stddev(&h), sd);
	} else {
		ck_assert(gw_hist_stddev(&h) == 0.0);
	}
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		int64_t want = oracle_q(v, n, qs[i]);
		int64_t got = gw_hist_quantile(&h, qs[i]);

		/* never below the true order statistic, at most one bucket
		 * (< 0.1%) above it, and in the same bucket */
		ck_assert_msg(got >= want, "n=%zu d=%d q=%g got %lld want %lld",
			      n, (int)d, qs[i], (long long)got,
			      (long long)want);
		ck_assert_msg(gw_hist_index(got) == gw_hist_index(want),
			      "n=%zu q=%g got %lld want %lld (other bucket)", n,
			      qs[i], (long long)got, (long long)want);
		ck_assert((double)(got - want) <= (double)want / 1024.0 + 1);
	}
	gw_hist_release(&h);
	free(v);
}

START_TEST(test_oracle_sizes)
{
	static const size_t sizes[] = { 1,  2,	3,   4,	  5,	19,    20,
					21, 99, 100, 101, 1000, 12345, 200000 };

	rng_state = 0x9E3779B97F4A7C15ULL + (uint64_t)_i;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_against_oracle(sizes[i], (enum dist)_i);
}
END_TEST

START_TEST(test_seed_rule_small_n)
{
	/* scenarios.md 3.2: p50 of 4 values is index 2, p99 == max for
	 * n <= 100, p95 == max for n <= 20 */
	struct gw_hist h;

	gw_hist_init(&h);
	gw_hist_record(&h, 10);
	gw_hist_record(&h, 20);
	gw_hist_record(&h, 30);
	gw_hist_record(&h, 40);
	ck_assert_int_eq(gw_hist_quantile(&h, 0.50), 30);
	ck_assert_int_eq(gw_hist_quantile(&h, 0.95), 40);
	ck_assert_int_eq(gw_hist_quantile(&h, 0.99), 40);
	gw_hist_reset(&h);
	for (int i = 1; i <= 100; i++)
		gw_hist_record(&h, (int64_t)i * 1000003);
	ck_assert_int_eq(gw_hist_quantile(&h, 0.99), 100 * 1000003);
	gw_hist_reset(&h);
	ck_assert_int_eq(gw_hist_quantile(&h, 0.5), 0);
	gw_hist_record(&h, 777777777);
	ck_assert_int_eq(gw_hist_quantile(&h, 0.5), 777777777);
	ck_assert(gw_hist_mean(&h) == 777777777.0);
	ck_assert(gw_hist_stddev(&h) == 0.0);
	gw_hist_release(&h);
}
END_TEST

START_TEST(test_geometry)
{
	for (size_t i = 0; i < GW_HIST_NCOUNTS; i++) {
		int64_t lo = gw_hist_lowest(i), hi = gw_hist_highest(i);

		ck_assert_uint_eq(gw_hist_index(lo), i);
		ck_assert_uint_eq(gw_hist_index(hi), i);
		ck_assert(lo <= hi);
		/* 3 significant digits: bucket width <= 1/1024 of its low */
		ck_assert((double)(hi - lo + 1) <= (double)lo / 1024.0 + 1);
		if (i + 1 < GW_HIST_NCOUNTS)
			ck_assert_int_eq(gw_hist_lowest(i + 1), hi + 1);
	}
	ck_assert(gw_hist_highest(GW_HIST_NCOUNTS - 1) >= GW_HIST_MAX);
	ck_assert_uint_lt(gw_hist_index(GW_HIST_MAX), GW_HIST_NCOUNTS);
}
END_TEST

START_TEST(test_range)
{
	struct gw_hist h;

	gw_hist_init(&h);
	ck_assert_int_eq(gw_hist_record(&h, -1), -1);
	ck_assert_int_eq(gw_hist_record(&h, GW_HIST_MAX + 1), -1);
	ck_assert_int_eq(gw_hist_record(&h, GW_HIST_MAX), 0);
	ck_assert_int_eq(gw_hist_record(&h, 0), 0);
	ck_assert_uint_eq(h.over_range, 2);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_int_eq(gw_hist_quantile(&h, 1.0), GW_HIST_MAX);
	ck_assert_int_eq(gw_hist_add_bucket(&h, GW_HIST_NCOUNTS, 1), -1);
	gw_hist_release(&h);
	gw_hist_release(NULL);
}
END_TEST

START_TEST(test_merge_exact)
{
	struct gw_hist a, b, all;

	rng_state = 42;
	gw_hist_init(&a);
	gw_hist_init(&b);
	gw_hist_init(&all);
	for (int i = 0; i < 50000; i++) {
		int64_t v = draw(i % 3 ? D_LOG : D_BIMODAL);

		gw_hist_record(i % 7 ? &a : &b, v);
		gw_hist_record(&all, v);
	}
	gw_hist_record(&b, -5);
	ck_assert_uint_eq(gw_hist_add(&a, &b), 1);
	ck_assert_uint_eq(a.n, all.n);
	ck_assert_int_eq(a.min, all.min);
	ck_assert_int_eq(a.max, all.max);
	for (size_t i = 0; i < GW_HIST_NCOUNTS; i++)
		ck_assert_uint_eq(a.counts[i], all.counts[i]);
	ck_assert(fabs(a.mean - all.mean) <= 1e-9 * all.mean);
	ck_assert(fabs(gw_hist_stddev(&a) - gw_hist_stddev(&all)) <=
		  1e-9 * gw_hist_stddev(&all));
	for (double q = 0; q <= 1.0; q += 0.05)
		ck_assert_int_eq(gw_hist_quantile(&a, q),
				 gw_hist_quantile(&all, q));
	/* merging into an empty histogram copies */
	gw_hist_reset(&all);
	gw_hist_add(&all, &a);
	ck_assert_uint_eq(all.n, a.n);
	ck_assert(all.mean == a.mean);
	gw_hist_release(&a);
	gw_hist_release(&b);
	gw_hist_release(&all);
}
END_TEST

static Suite *hist_suite(void)
{
	Suite *s = suite_create("hist");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_oracle_sizes, 0, D_NDIST);
	tcase_add_test(tc, test_seed_rule_small_n);
	tcase_add_test(tc, test_geometry);
	tcase_add_test(tc, test_range);
	tcase_add_test(tc, test_merge_exact);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(hist_suite)
