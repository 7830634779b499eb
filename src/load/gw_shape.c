/*
 * gw_shape: k6-style stages and the arrival schedule drawn from them
 * (design in gw_shape.h).
 *
 * Pure math: no I/O, no allocation, no global state.  A shape has at most
 * GW_SHAPE_MAX_STAGES (32) stages, so every query walks the stages from
 * the start: at most 32 steps of a few flops, well under a microsecond,
 * which a schedule pays once per arrival (10^5 arrivals/s costs a few
 * percent of one core at worst).  Keeping no cache keeps struct gw_shape
 * a plain value the config loader can fill and copy.
 *
 * Lambda within stage i, dt ns into it, is dt times the mean rate over
 * [0, dt]:
 *
 *     A_i(dt) = dt * (l0 + (l1 - l0) * (dt / D) / 2) / 1e9
 *
 * which is exact for a hold at an integer rate (dt * l0 is an exact
 * integer below 2^53), so a constant rate puts arrival k at exactly
 * ceil(k * 1e9 / lambda) ns.  The inverse is the header's closed form in
 * nanoseconds, u = 2X / (l0 + sqrt(l0^2 + 2aX)) with X = 1e9 * x and
 * a = (l1 - l0) / D, rounded up to the next nanosecond.  Both walk the
 * stages and sum the same A_i(D) in the same order, so they agree on the
 * stage boundaries.
 *
 * Rejected:
 *   - t += 1 / lambda(t) per arrival: the error accumulates over a long
 *     run and is wrong on a ramp (it uses the rate at the previous
 *     arrival);
 *   - thinning (Lewis-Shedler): draws a variable number of random numbers
 *     per arrival and needs the peak rate, for nothing the exact inverse
 *     does not already give;
 *   - bisection on Lambda: 40-odd evaluations per arrival where the
 *     closed form needs one.
 */
#include "gw_shape.h"

#include <math.h>
#include <stdint.h>

#define NS_PER_S 1e9

/* xorshift64* must not start at 0 (it would stay there): seed 0 maps to
 * this constant (2^64 / phi, odd). */
#define SCHED_SEED0 0x9e3779b97f4a7c15ULL

/* The target at the start of stage i: the previous stage's target.
 * Cannot fail. */
static double stage_from(const struct gw_shape *s, int i)
{
	return i ? s->st[i - 1].target : s->start;
}

/* Expected arrivals in the first dt ns of stage i (0 <= dt <= dur_ns).
 * Cannot fail. */
static double stage_area(const struct gw_shape *s, int i, int64_t dt)
{
	double l0 = stage_from(s, i), l1 = s->st[i].target;
	double d = (double)dt, frac = d / (double)s->st[i].dur_ns;

	return d * (l0 + (l1 - l0) * frac / 2) / NS_PER_S;
}

int gw_shape_add(struct gw_shape *s, int64_t dur_ns, double target)
{
	/* Also -1 for a stage that breaks struct gw_stage's invariants: the
	 * inverse's square root needs target >= 0, and stage starts are
	 * sums of durations that must fit in int64_t. */
	if (s->n >= GW_SHAPE_MAX_STAGES || dur_ns <= 0 ||
	    !(target >= 0 && isfinite(target)) ||
	    gw_shape_duration(s) > INT64_MAX - dur_ns)
		return -1;
	s->st[s->n].dur_ns = dur_ns;
	s->st[s->n].target = target;
	s->n++;
	return 0;
}

int64_t gw_shape_duration(const struct gw_shape *s)
{
	int64_t t = 0;

	for (int i = 0; i < s->n; i++)
		t += s->st[i].dur_ns;
	return t;
}

double gw_shape_at(const struct gw_shape *s, int64_t t)
{
	int64_t t0 = 0;

	if (t < 0)
		return s->start;
	for (int i = 0; i < s->n; i++) {
		int64_t dur = s->st[i].dur_ns;

		if (t - t0 < dur) {
			double l0 = stage_from(s, i);

			return l0 + (s->st[i].target - l0) * (double)(t - t0) /
					    (double)dur;
		}
		t0 += dur;
	}
	return 0;
}

double gw_shape_peak(const struct gw_shape *s)
{
	double peak = s->start;

	for (int i = 0; i < s->n; i++)
		if (s->st[i].target > peak)
			peak = s->st[i].target;
	return peak;
}

int64_t gw_shape_spin(int64_t spin_ns, double rate)
{
	double cap;

	if (spin_ns <= 0 || !(rate > 0))
		return 0;
	cap = 0.02 * 1e9 / rate; /* 2 % of one core */
	return cap < (double)spin_ns ? (int64_t)cap : spin_ns;
}

double gw_shape_integral(const struct gw_shape *s, int64_t t)
{
	double sum = 0;
	int64_t t0 = 0;

	if (t <= 0)
		return 0;
	for (int i = 0; i < s->n; i++) {
		int64_t dur = s->st[i].dur_ns;

		if (t - t0 < dur)
			return sum + stage_area(s, i, t - t0);
		sum += stage_area(s, i, dur);
		t0 += dur;
	}
	return sum;
}

/*
 * Stage i holds position x (sum = Lambda at its start < x <= Lambda at
 * its end): the smallest t in it with Lambda(t) >= x.  Cannot fail.
 */
static int64_t stage_inverse(const struct gw_shape *s, int i, double x,
			     double sum, double area)
{
	int64_t dur = s->st[i].dur_ns;
	double l0 = stage_from(s, i), l1 = s->st[i].target;
	double a = (l1 - l0) / (double)dur, big_x = (x - sum) * NS_PER_S;
	double disc, den, u;

	/*
	 * x at the stage's end lands exactly on it: on a ramp down to 0
	 * Lambda is flat to rounding there, and the closed form would
	 * land a fraction of a microsecond early on the last ulp of x.
	 */
	if (x >= sum + area)
		return dur;
	/* l0^2 + 2aX >= l1^2 >= 0 in exact arithmetic; only rounding can
	 * take it below 0 on a ramp down to 0 */
	disc = l0 * l0 + 2 * a * big_x;
	den = l0 + sqrt(disc > 0 ? disc : 0);
	/* den is 0 only for a stage of rate 0, which has no area and is
	 * never chosen; the test keeps the division safe regardless */
	if (!(den > 0))
		return dur;
	u = 2 * big_x / den;
	return u < (double)dur ? (int64_t)ceil(u) : dur;
}

int64_t gw_shape_inverse(const struct gw_shape *s, double x)
{
	double sum = 0;
	int64_t t0 = 0;

	/* Lambda(0) = 0 >= x; NaN falls through to the final -1 */
	if (x <= 0)
		return 0;
	for (int i = 0; i < s->n; i++) {
		double area = stage_area(s, i, s->st[i].dur_ns);

		/* a stage of rate 0 has area 0: it cannot hold x > sum,
		 * which the previous stage would have held, so it is skipped */
		if (sum + area >= x)
			return t0 + stage_inverse(s, i, x, sum, area);
		sum += area;
		t0 += s->st[i].dur_ns;
	}
	return -1;
}

/* xorshift64* (as gw_worker_rand).  Cannot fail. */
static uint64_t sched_rand(struct gw_sched *s)
{
	uint64_t x = s->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return x * 2685821657736338717ULL;
}

/* An Exp(1) draw: -log(u), u uniform in (0, 1] on 53 bits, so log never
 * sees 0 and the largest draw is 53 ln 2 = 36.7.  Cannot fail. */
static double sched_exp1(struct gw_sched *s)
{
	double u = (double)((sched_rand(s) >> 11) + 1) * 0x1p-53;

	return -log(u);
}

void gw_sched_init(struct gw_sched *s, const struct gw_shape *shape,
		   int poisson, uint64_t seed)
{
	s->shape = shape;
	s->poisson = poisson != 0;
	s->rng = seed ? seed : SCHED_SEED0;
	s->k = 0;
	s->x = s->poisson ? sched_exp1(s) : 0;
}

int64_t gw_sched_next(struct gw_sched *s)
{
	int64_t t = gw_shape_inverse(s->shape, s->x);

	/*
	 * The shape ends at its duration: an arrival that lands exactly
	 * there belongs to no stage (so a ramp 0 -> 100 over 10 s gives
	 * positions 0 .. 499, 500 arrivals).  x does not move, so every
	 * later call returns -1 too.
	 */
	if (t < 0 || t >= gw_shape_duration(s->shape))
		return -1;
	s->k++;
	/* each position from its own index or draw, never t + gap */
	s->x = s->poisson ? s->x + sched_exp1(s) : (double)s->k;
	return t;
}
