/*
 * gw_shape: a load target over time -- arrival rate (flows/s), virtual
 * users or held streams -- as k6's stages: a start value, then stages
 * that each ramp linearly to their target over their duration (a stage
 * whose target equals the previous one holds it).  After the last stage
 * the target is 0 and the shape has ended.
 *
 * For the open model the shape is a rate lambda(t), and arrivals are the
 * points where the expected count
 *
 *     Lambda(t) = integral of lambda(u) du from 0 to t
 *
 * crosses the arrival's position: k (k = 0, 1, 2, ...) for evenly spaced
 * arrivals, or the running sum of Exp(1) draws for a Poisson process
 * (time rescaling: a Poisson process of rate 1 mapped through
 * Lambda^-1 is a non-homogeneous Poisson process of rate lambda(t)).
 * Lambda is piecewise quadratic, so Lambda^-1 is exact per stage:
 * within a stage lambda(u) = l0 + c*u, and
 *
 *     u = 2x / (l0 + sqrt(l0^2 + 2cx))
 *
 * solves l0*u + c*u^2/2 = x without cancellation for either sign of c.
 * Nothing accumulates floating-point error from one arrival to the next:
 * each arrival time is computed from its own position.
 *
 * Thread safety: a shape is read-only once built; a schedule belongs to
 * the one thread that draws from it.
 */
#ifndef GW_SHAPE_H
#define GW_SHAPE_H

#include <stdint.h>

#define GW_SHAPE_MAX_STAGES 32

struct gw_stage {
	int64_t dur_ns; /* > 0 */
	double target;	/* >= 0: flows/s, users or streams */
};

struct gw_shape {
	double start; /* target at t = 0 */
	int n;
	struct gw_stage st[GW_SHAPE_MAX_STAGES];
};

/* Append a stage.  Returns 0, or -1 when the shape is full or the stage
 * breaks struct gw_stage's rules (dur_ns <= 0, target < 0 or not finite,
 * or the total duration would pass INT64_MAX). */
int gw_shape_add(struct gw_shape *s, int64_t dur_ns, double target);
/* Total duration (ns). */
int64_t gw_shape_duration(const struct gw_shape *s);
/* Target at t (ns from the start): linear within a stage, 0 at or after
 * the end, start before 0. */
double gw_shape_at(const struct gw_shape *s, int64_t t);
/* Largest target of the shape (sizes the pool for users and streams). */
double gw_shape_peak(const struct gw_shape *s);
/* Lambda(t): expected arrivals in [0, t] when the target is a rate per
 * second. */
double gw_shape_integral(const struct gw_shape *s, int64_t t);
/* Smallest t with Lambda(t) >= x, or -1 if Lambda(end) < x (x >= 0). */
int64_t gw_shape_inverse(const struct gw_shape *s, double x);

/*
 * How long a worker waits awake (spinning) before a start due at rate
 * starts per second: spin_ns, cut so that spinning costs at most 2 % of
 * one core (rate x spin <= 0.02 s/s): 100 us up to 200/s, 20 us at
 * 1,000/s, 2 us at 10,000/s.  0 for a rate <= 0 or spin_ns <= 0.
 */
int64_t gw_shape_spin(int64_t spin_ns, double rate);

/* Intended arrival times of an open-model run. */
struct gw_sched {
	const struct gw_shape *shape;
	int poisson;
	uint64_t rng; /* xorshift64* state, never 0 */
	double x;     /* position of the next arrival on the Lambda axis */
	uint64_t k;   /* arrivals drawn */
};

/*
 * Arrivals of shape: evenly spaced (poisson 0: positions 0, 1, 2, ...)
 * or Poisson (positions E1, E1+E2, ..., Ei ~ Exp(1) from seed; the same
 * seed gives the same arrivals).
 */
void gw_sched_init(struct gw_sched *s, const struct gw_shape *shape,
		   int poisson, uint64_t seed);
/* Intended time of the next arrival (ns from the start), or -1 once the
 * shape has ended. */
int64_t gw_sched_next(struct gw_sched *s);

#endif /* GW_SHAPE_H */
