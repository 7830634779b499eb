/*
 * check_shape: the stages against hand-computed values and a numeric
 * integration, the inverse against the integral, the evenly spaced
 * schedule against exact integer arithmetic, and the Poisson schedule
 * against Exp(lambda) with a Kolmogorov-Smirnov test (fixed seeds, so
 * every run draws the same numbers).
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_main.h"
#include "gw_shape.h"

#define SEC (1000000000LL)

/* xorshift64*: deterministic test points */
static uint64_t rng_state;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/*
 * The mixed shape: start 0, ramp up, hold, ramp down, ramp down to 0, a
 * stage of rate 0, ramp up from 0, ramp down to 0 at the end.
 *   t (s):   0    3    5    9   10   12   15   20
 *   target:  0   50   50   10    0    0   80    0
 * Lambda:    0   75  175  295  300  300  420  620
 */
static void mixed(struct gw_shape *s)
{
	*s = (struct gw_shape){ .start = 0 };
	ck_assert_int_eq(gw_shape_add(s, 3 * SEC, 50), 0);
	ck_assert_int_eq(gw_shape_add(s, 2 * SEC, 50), 0);
	ck_assert_int_eq(gw_shape_add(s, 4 * SEC, 10), 0);
	ck_assert_int_eq(gw_shape_add(s, 1 * SEC, 0), 0);
	ck_assert_int_eq(gw_shape_add(s, 2 * SEC, 0), 0);
	ck_assert_int_eq(gw_shape_add(s, 3 * SEC, 80), 0);
	ck_assert_int_eq(gw_shape_add(s, 5 * SEC, 0), 0);
}

START_TEST(test_add_duration_peak)
{
	struct gw_shape s = { .start = 7 };

	ck_assert_int_eq(gw_shape_duration(&s), 0);
	ck_assert(gw_shape_peak(&s) == 7);
	ck_assert_int_eq(gw_shape_add(&s, 0, 1), -1);
	ck_assert_int_eq(gw_shape_add(&s, -5, 1), -1);
	ck_assert_int_eq(gw_shape_add(&s, SEC, -1), -1);
	ck_assert_int_eq(gw_shape_add(&s, SEC, NAN), -1);
	ck_assert_int_eq(gw_shape_add(&s, SEC, INFINITY), -1);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(gw_shape_add(&s, INT64_MAX - 10, 1), 0);
	ck_assert_int_eq(gw_shape_add(&s, 11, 1), -1);
	ck_assert_int_eq(gw_shape_add(&s, 10, 1), 0);
	ck_assert_int_eq(gw_shape_duration(&s), INT64_MAX);

	s = (struct gw_shape){ .start = 0 };
	for (int i = 0; i < GW_SHAPE_MAX_STAGES; i++)
		ck_assert_int_eq(gw_shape_add(&s, SEC, i), 0);
	ck_assert_int_eq(gw_shape_add(&s, SEC, 1), -1);
	ck_assert_int_eq(s.n, GW_SHAPE_MAX_STAGES);
	ck_assert_int_eq(gw_shape_duration(&s), GW_SHAPE_MAX_STAGES * SEC);
	ck_assert(gw_shape_peak(&s) == GW_SHAPE_MAX_STAGES - 1);

	mixed(&s);
	ck_assert_int_eq(gw_shape_duration(&s), 20 * SEC);
	ck_assert(gw_shape_peak(&s) == 80);
	/* the start counts: a shape that only ramps down peaks there */
	s = (struct gw_shape){ .start = 90 };
	ck_assert_int_eq(gw_shape_add(&s, SEC, 10), 0);
	ck_assert(gw_shape_peak(&s) == 90);
}
END_TEST

START_TEST(test_at_boundaries)
{
	static const struct {
		int64_t t;
		double v;
	} pt[] = {
		{ -1, 0 },
		{ 0, 0 },
		{ SEC, 50.0 / 3 },
		{ 3 * SEC, 50 },
		{ 4 * SEC, 50 },
		{ 5 * SEC, 50 },
		{ 7 * SEC, 30 },
		{ 9 * SEC, 10 },
		{ 9 * SEC + SEC / 2, 5 },
		{ 10 * SEC, 0 },
		{ 11 * SEC, 0 },
		{ 12 * SEC, 0 },
		{ 13 * SEC, 80.0 / 3 },
		{ 15 * SEC, 80 },
		{ 19 * SEC, 16 },
		{ 20 * SEC - 1, 80e-9 / 5 },
		{ 20 * SEC, 0 },
		{ 30 * SEC, 0 },
	};
	struct gw_shape s;

	mixed(&s);
	for (size_t i = 0; i < sizeof(pt) / sizeof(pt[0]); i++)
		ck_assert_msg(fabs(gw_shape_at(&s, pt[i].t) - pt[i].v) <= 1e-12,
			      "at(%lld) = %.17g, want %.17g",
			      (long long)pt[i].t, gw_shape_at(&s, pt[i].t),
			      pt[i].v);
	/* before 0 the start, whatever the first stage does */
	s = (struct gw_shape){ .start = 40 };
	ck_assert_int_eq(gw_shape_add(&s, SEC, 100), 0);
	ck_assert(gw_shape_at(&s, -SEC) == 40);
	ck_assert(gw_shape_at(&s, 0) == 40);
	ck_assert(gw_shape_at(&s, SEC / 2) == 70);
	ck_assert(gw_shape_at(&s, SEC) == 0);
}
END_TEST

START_TEST(test_integral_numeric)
{
	/* trapezoid over gw_shape_at, 10^6 steps of 20 us */
	const int64_t steps = 1000000, h = 20 * SEC / steps;
	struct gw_shape s;
	double acc = 0, prev;

	mixed(&s);
	prev = gw_shape_at(&s, 0);
	for (int64_t k = 1; k <= steps; k++) {
		double cur = gw_shape_at(&s, k * h);

		acc += (prev + cur) / 2 * ((double)h / 1e9);
		prev = cur;
		if (k % 1000 == 0) {
			double v = gw_shape_integral(&s, k * h);

			ck_assert_msg(fabs(v - acc) <= 1e-9 * acc + 1e-9,
				      "Lambda(%lld) = %.12g, trapezoid %.12g",
				      (long long)(k * h), v, acc);
		}
	}
	/* hand values at the stage boundaries */
	ck_assert(fabs(gw_shape_integral(&s, 3 * SEC) - 75) < 1e-9);
	ck_assert(fabs(gw_shape_integral(&s, 5 * SEC) - 175) < 1e-9);
	ck_assert(fabs(gw_shape_integral(&s, 10 * SEC) - 300) < 1e-9);
	ck_assert(gw_shape_integral(&s, 11 * SEC) ==
		  gw_shape_integral(&s, 10 * SEC));
	ck_assert(gw_shape_integral(&s, 12 * SEC) ==
		  gw_shape_integral(&s, 10 * SEC));
	ck_assert(fabs(gw_shape_integral(&s, 20 * SEC) - 620) < 1e-9);
	ck_assert(gw_shape_integral(&s, 25 * SEC) ==
		  gw_shape_integral(&s, 20 * SEC));
	ck_assert(gw_shape_integral(&s, 0) == 0);
	ck_assert(gw_shape_integral(&s, -SEC) == 0);
}
END_TEST

START_TEST(test_inverse_roundtrip)
{
	struct gw_shape s;
	int checked = 0;

	mixed(&s);
	rng_state = 0x5eed;
	for (int i = 0; i < 200000; i++) {
		int64_t t = (int64_t)(rng() % (uint64_t)(20 * SEC));
		double x = gw_shape_integral(&s, t);
		int64_t back = gw_shape_inverse(&s, x);

		if (t >= 10 * SEC && t <= 12 * SEC) {
			/* Lambda is flat from 10 s to 12 s: the smallest t
			 * is where the flat part starts */
			ck_assert_int_eq(back, 10 * SEC);
			continue;
		}
		/*
		 * Where the rate is below 10^-3/s, a nanosecond moves
		 * Lambda by less than 10^-12, a few ulps of 620: the
		 * inverse is ill-conditioned there by nature (within
		 * 10 us of 0 rate on these ramps, about 1 point in 10^5).
		 */
		if (gw_shape_at(&s, t) < 1e-3)
			continue;
		ck_assert_msg(llabs(back - t) <= 1,
			      "inverse(Lambda(%lld)) = %lld", (long long)t,
			      (long long)back);
		checked++;
	}
	ck_assert_int_gt(checked, 150000);
	/* the stage boundaries themselves */
	for (int64_t t = 0; t <= 20 * SEC; t += SEC) {
		int64_t back = gw_shape_inverse(&s, gw_shape_integral(&s, t));

		if (t > 10 * SEC && t <= 12 * SEC)
			ck_assert_int_eq(back, 10 * SEC);
		else
			ck_assert_msg(llabs(back - t) <= 1, "%lld -> %lld",
				      (long long)t, (long long)back);
	}
	ck_assert_int_eq(gw_shape_inverse(&s, 0), 0);
	ck_assert_int_eq(gw_shape_inverse(&s, 620), 20 * SEC);
	ck_assert_int_eq(gw_shape_inverse(&s, 620.001), -1);
	ck_assert_int_eq(gw_shape_inverse(&s, NAN), -1);
	/* 300 is reached at 10 s exactly: the ramp to 0 ends there */
	ck_assert_int_eq(gw_shape_inverse(&s, 300), 10 * SEC);
	ck_assert_int_gt(gw_shape_inverse(&s, 300.000001), 12 * SEC);
}
END_TEST

START_TEST(test_inverse_boundaries_random)
{
	/*
	 * On random shapes (odd rates, so the sums are not round; every
	 * third target 0, the last always 0) each stage boundary maps back
	 * onto itself exactly, and the end of a ramp down to 0 does too,
	 * though Lambda is flat to rounding for ~100 ns before it.
	 */
	int boundaries = 0;

	rng_state = 99;
	for (int r = 0; r < 2000; r++) {
		struct gw_shape s = { .start = (double)(rng() % 1000) / 7 };
		int n = 1 + (int)(rng() % 8);
		int64_t t = 0;

		for (int i = 0; i < n; i++) {
			double v = i == n - 1 || rng() % 3 == 0
					   ? 0
					   : (double)(rng() % 100000) / 13;

			ck_assert_int_eq(
				gw_shape_add(&s,
					     1 + (int64_t)(rng() % (10 * SEC)),
					     v),
				0);
		}
		for (int i = 0; i < n; i++) {
			double before = gw_shape_integral(&s, t);

			t += s.st[i].dur_ns;
			/* a stage of rate 0 maps back to where it began */
			if (gw_shape_integral(&s, t) == before)
				continue;
			ck_assert_int_eq(
				gw_shape_inverse(&s, gw_shape_integral(&s, t)),
				t);
			boundaries++;
		}
	}
	ck_assert_int_gt(boundaries, 4000);
}
END_TEST

/* lambda = num / den flows/s, held for dur: arrival k at exactly
 * ceil(k * 1e9 * den / num) ns, in integers */
static void check_constant(int64_t num, int64_t den, int64_t dur)
{
	struct gw_shape s = { .start = (double)num / (double)den };
	struct gw_sched sc;
	int64_t k = 0;

	ck_assert_int_eq(gw_shape_add(&s, dur, s.start), 0);
	gw_sched_init(&sc, &s, 0, 1);
	for (;; k++) {
		int64_t want = (k * SEC * den + num - 1) / num;
		int64_t t = gw_sched_next(&sc);

		if (want >= dur) {
			ck_assert_int_eq(t, -1);
			break;
		}
		ck_assert_msg(
			t == want,
			"lambda %lld/%lld: arrival %lld at %lld, want %lld",
			(long long)num, (long long)den, (long long)k,
			(long long)t, (long long)want);
	}
	ck_assert_uint_eq(sc.k, (uint64_t)k);
	/* ended stays ended */
	ck_assert_int_eq(gw_sched_next(&sc), -1);
	ck_assert_uint_eq(sc.k, (uint64_t)k);
}

START_TEST(test_constant_exact)
{
	check_constant(1000, 1, 10 * SEC);
	check_constant(3, 1, 10 * SEC);
	check_constant(7, 1, 60 * SEC);
	check_constant(1, 2, 60 * SEC);
	check_constant(250000, 1, 2 * SEC);
	check_constant(123457, 1, 3 * SEC);
}
END_TEST

START_TEST(test_ramp_from_zero)
{
	/* 0 -> 100 flows/s over 10 s: Lambda = 5 t^2, 500 arrivals, the
	 * k-th at sqrt(k / 5) s */
	struct gw_shape s = { .start = 0 };
	struct gw_sched sc;
	int64_t t, prev = -1;
	int n = 0;

	ck_assert_int_eq(gw_shape_add(&s, 10 * SEC, 100), 0);
	gw_sched_init(&sc, &s, 0, 0);
	while ((t = gw_sched_next(&sc)) >= 0) {
		int64_t want = (int64_t)ceil(sqrt(n / 5.0) * 1e9);

		ck_assert_msg(llabs(t - want) <= 1,
			      "arrival %d at %lld, want %lld", n, (long long)t,
			      (long long)want);
		ck_assert_int_gt(t, prev);
		prev = t;
		n++;
	}
	ck_assert_int_eq(n, 500);
	ck_assert(fabs(gw_shape_integral(&s, 10 * SEC) - 500) < 1e-9);
}
END_TEST

START_TEST(test_zero_rate_and_ramp_to_zero)
{
	/*
	 * 1000/s for 1 s (positions 0..999), down to 0 over 1 s (+500),
	 * 0 for 2 s, up to 1000 over 1 s (+500), 0 -> end: Lambda(end) =
	 * 2000, so 2000 arrivals; none in the zero stage except position
	 * 1500, where the ramp to 0 ends (2 s exactly).
	 */
	struct gw_shape s = { .start = 1000 };
	struct gw_sched sc;
	int64_t t;
	int n = 0, in_gap = 0;

	ck_assert_int_eq(gw_shape_add(&s, SEC, 1000), 0);
	ck_assert_int_eq(gw_shape_add(&s, SEC, 0), 0);
	ck_assert_int_eq(gw_shape_add(&s, 2 * SEC, 0), 0);
	ck_assert_int_eq(gw_shape_add(&s, SEC, 1000), 0);
	gw_sched_init(&sc, &s, 0, 0);
	while ((t = gw_sched_next(&sc)) >= 0) {
		if (n == 1500)
			ck_assert_int_eq(t, 2 * SEC);
		if (t > 2 * SEC && t <= 4 * SEC)
			in_gap++;
		n++;
	}
	ck_assert_int_eq(n, 2000);
	ck_assert_int_eq(in_gap, 0);
	ck_assert_int_eq(gw_shape_inverse(&s, 1500), 2 * SEC);

	/* a ramp down to 0 that ends the shape: 100 -> 0 over 10 s has
	 * Lambda(end) = 500 exactly, reached only at the end */
	s = (struct gw_shape){ .start = 100 };
	ck_assert_int_eq(gw_shape_add(&s, 10 * SEC, 0), 0);
	gw_sched_init(&sc, &s, 0, 0);
	for (n = 0; gw_sched_next(&sc) >= 0; n++)
		;
	ck_assert_int_eq(n, 500);
	ck_assert_int_eq(gw_shape_inverse(&s, 500), 10 * SEC);

	/* a shape of rate 0 throughout: position 0 is at t = 0 (Lambda(0)
	 * = 0 >= 0), then nothing */
	s = (struct gw_shape){ .start = 0 };
	ck_assert_int_eq(gw_shape_add(&s, 5 * SEC, 0), 0);
	gw_sched_init(&sc, &s, 0, 0);
	ck_assert_int_eq(gw_sched_next(&sc), 0);
	ck_assert_int_eq(gw_sched_next(&sc), -1);
	ck_assert_int_eq(gw_shape_inverse(&s, 1e-9), -1);

	/* no stages: ended from the start */
	s = (struct gw_shape){ .start = 100 };
	gw_sched_init(&sc, &s, 1, 3);
	ck_assert_int_eq(gw_sched_next(&sc), -1);
	gw_sched_init(&sc, &s, 0, 3);
	ck_assert_int_eq(gw_sched_next(&sc), -1);
}
END_TEST

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Kolmogorov's Q(x) = 2 sum (-1)^(k-1) exp(-2 k^2 x^2): P(D > observed).
 * The series is useless below x = 0.2, where Q is 1 to 10 digits. */
static double kolmogorov_q(double x)
{
	double sum = 0;

	if (x < 0.2)
		return 1;
	for (int k = 1; k <= 100; k++) {
		double term = exp(-2.0 * k * k * x * x);

		sum += k % 2 ? term : -term;
		if (term < 1e-300)
			break;
	}
	sum *= 2;
	return sum < 0 ? 0 : sum > 1 ? 1 : sum;
}

/* KS test of v[0..n) (sorted in place) against Exp(rate): D and p. */
static double ks_exp(double *v, int n, double rate, double *d_out)
{
	double d = 0, sn = sqrt((double)n);

	qsort(v, (size_t)n, sizeof(*v), cmpd);
	for (int i = 0; i < n; i++) {
		double f = 1 - exp(-rate * v[i]);
		double lo = f - (double)i / n, hi = (double)(i + 1) / n - f;

		if (lo > d)
			d = lo;
		if (hi > d)
			d = hi;
	}
	*d_out = d;
	return kolmogorov_q(d * (sn + 0.12 + 0.11 / sn));
}

enum { KS_N = 10000 };

/* n inter-arrival times (s) of a Poisson schedule of shape from seed */
static void poisson_gaps(const struct gw_shape *s, uint64_t seed, double *gap,
			 int n)
{
	struct gw_sched sc;
	int64_t prev = 0;

	gw_sched_init(&sc, s, 1, seed);
	for (int i = 0; i < n; i++) {
		int64_t t = gw_sched_next(&sc);

		ck_assert_int_ge(t, prev);
		gap[i] = (double)(t - prev) / 1e9;
		prev = t;
	}
}

START_TEST(test_poisson_ks)
{
	static double gap[KS_N], copy[KS_N];
	struct gw_shape s = { .start = 1000 };
	double d, p;

	ck_assert_int_eq(gw_shape_add(&s, 100 * SEC, 1000), 0);
	poisson_gaps(&s, 20240611, gap, KS_N);
	for (int i = 0; i < KS_N; i++)
		copy[i] = gap[i];
	p = ks_exp(gap, KS_N, 1000, &d);
	printf("check_shape: KS vs Exp(1000/s): n=%d D=%.5f p=%.4f\n", KS_N, d,
	       p);
	fflush(stdout);
	ck_assert_msg(p > 0.01, "D = %g, p = %g", d, p);
	/* the test can fail: the same gaps against twice the rate */
	p = ks_exp(copy, KS_N, 2000, &d);
	printf("check_shape: KS vs Exp(2000/s): n=%d D=%.5f p=%.3g\n", KS_N, d,
	       p);
	ck_assert_msg(p < 1e-6, "D = %g, p = %g", d, p);
	fflush(stdout);
}
END_TEST

START_TEST(test_poisson_rescaled)
{
	/*
	 * Time rescaling on a ramp: Lambda(t_i) - Lambda(t_(i-1)) of a
	 * Poisson schedule are Exp(1) whatever the shape.  0 -> 2000/s over
	 * 10 s holds 10,000 arrivals on average; take the first 9,000.
	 */
	enum { N = 9000 };
	static double e[N];
	struct gw_shape s = { .start = 0 };
	struct gw_sched sc;
	double prev = 0, d, p;

	ck_assert_int_eq(gw_shape_add(&s, 10 * SEC, 2000), 0);
	gw_sched_init(&sc, &s, 1, 77);
	for (int i = 0; i < N; i++) {
		int64_t t = gw_sched_next(&sc);
		double x;

		ck_assert_int_ge(t, 0);
		x = gw_shape_integral(&s, t);
		e[i] = x - prev;
		prev = x;
	}
	p = ks_exp(e, N, 1, &d);
	printf("check_shape: KS of rescaled ramp gaps vs Exp(1): n=%d D=%.5f "
	       "p=%.4f\n",
	       N, d, p);
	fflush(stdout);
	ck_assert_msg(p > 0.01, "D = %g, p = %g", d, p);
}
END_TEST

START_TEST(test_seed)
{
	struct gw_shape s = { .start = 1000 };
	struct gw_sched a, b, c, z;
	int differ = 0, distinct_gaps = 0;
	int64_t prev_z = 0, prev_gap = -1;

	ck_assert_int_eq(gw_shape_add(&s, 100 * SEC, 1000), 0);
	gw_sched_init(&a, &s, 1, 42);
	gw_sched_init(&b, &s, 1, 42);
	gw_sched_init(&c, &s, 1, 43);
	gw_sched_init(&z, &s, 1, 0);
	ck_assert(z.rng != 0);
	for (int i = 0; i < 1000; i++) {
		int64_t ta = gw_sched_next(&a), tz = gw_sched_next(&z);

		ck_assert_int_eq(ta, gw_sched_next(&b));
		differ += ta != gw_sched_next(&c);
		/* seed 0 must not collapse to a constant gap */
		distinct_gaps += tz - prev_z != prev_gap;
		prev_gap = tz - prev_z;
		prev_z = tz;
	}
	ck_assert_int_gt(differ, 990);
	ck_assert_int_gt(distinct_gaps, 990);
	/* the evenly spaced schedule ignores the seed */
	gw_sched_init(&a, &s, 0, 1);
	gw_sched_init(&b, &s, 0, 2);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(gw_sched_next(&a), gw_sched_next(&b));
}
END_TEST

/* the spin budget: spin_ns until rate x spin reaches 2 % of a core */
START_TEST(test_spin_budget)
{
	const int64_t us = 1000;

	ck_assert_int_eq(gw_shape_spin(100 * us, 1), 100 * us);
	ck_assert_int_eq(gw_shape_spin(100 * us, 200), 100 * us);
	ck_assert_int_eq(gw_shape_spin(100 * us, 400), 50 * us);
	ck_assert_int_eq(gw_shape_spin(100 * us, 1000), 20 * us);
	ck_assert_int_eq(gw_shape_spin(100 * us, 10000), 2 * us);
	ck_assert_int_eq(gw_shape_spin(1000 * us, 100), 200 * us);
	/* off, and no rate: no spin, never a division by zero */
	ck_assert_int_eq(gw_shape_spin(0, 200), 0);
	ck_assert_int_eq(gw_shape_spin(100 * us, 0), 0);
	ck_assert_int_eq(gw_shape_spin(100 * us, -5), 0);
	ck_assert_int_eq(gw_shape_spin(100 * us, NAN), 0);
	/* an absurd rate spins not at all rather than wrapping */
	ck_assert_int_eq(gw_shape_spin(100 * us, 1e300), 0);
}
END_TEST

static Suite *shape_suite(void)
{
	Suite *s = suite_create("shape");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_add_duration_peak);
	tcase_add_test(tc, test_at_boundaries);
	tcase_add_test(tc, test_integral_numeric);
	tcase_add_test(tc, test_inverse_roundtrip);
	tcase_add_test(tc, test_inverse_boundaries_random);
	tcase_add_test(tc, test_constant_exact);
	tcase_add_test(tc, test_ramp_from_zero);
	tcase_add_test(tc, test_zero_rate_and_ramp_to_zero);
	tcase_add_test(tc, test_poisson_ks);
	tcase_add_test(tc, test_poisson_rescaled);
	tcase_add_test(tc, test_seed);
	tcase_add_test(tc, test_spin_budget);
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(shape_suite)
