/*
 * gw_hist: log-linear latency histogram (design in gw_hist.h).
 *
 * Index layout: values 0..2047 map to themselves.  A value v >= 2048 with
 * its top bit at position e (11..41) is shifted right by s = e - 10, which
 * leaves a sub-bucket number in [1024, 2047]; magnitude s owns the 1024
 * indices starting at 2048 + (s - 1) * 1024.
 */
#include "gw_hist.h"
#include "gw_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void gw_hist_init(struct gw_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->counts = gw_xcalloc(GW_HIST_NCOUNTS, sizeof(h->counts[0]));
}

void gw_hist_release(struct gw_hist *h)
{
	if (!h)
		return;
	free(h->counts);
	h->counts = NULL;
}

void gw_hist_reset(struct gw_hist *h)
{
	uint64_t *c = h->counts;

	memset(c, 0, GW_HIST_NCOUNTS * sizeof(c[0]));
	memset(h, 0, sizeof(*h));
	h->counts = c;
}

size_t gw_hist_index(int64_t v)
{
	unsigned e, s;
	uint64_t sub;

	if (v < GW_HIST_SUB_COUNT)
		return (size_t)v;
	e = 63u - (unsigned)__builtin_clzll((unsigned long long)v);
	s = e - (GW_HIST_SUB_BITS - 1);
	sub = (uint64_t)v >> s;
	return GW_HIST_SUB_COUNT + (size_t)(s - 1) * GW_HIST_HALF +
	       (size_t)(sub - GW_HIST_HALF);
}

static void bucket_geometry(size_t idx, unsigned *s, uint64_t *sub)
{
	size_t k = idx - GW_HIST_SUB_COUNT;

	*s = (unsigned)(k / GW_HIST_HALF) + 1;
	*sub = k % GW_HIST_HALF + GW_HIST_HALF;
}

int64_t gw_hist_lowest(size_t idx)
{
	unsigned s;
	uint64_t sub;

	if (idx < GW_HIST_SUB_COUNT)
		return (int64_t)idx;
	bucket_geometry(idx, &s, &sub);
	return (int64_t)(sub << s);
}

int64_t gw_hist_highest(size_t idx)
{
	unsigned s;
	uint64_t sub;

	if (idx < GW_HIST_SUB_COUNT)
		return (int64_t)idx;
	bucket_geometry(idx, &s, &sub);
	return (int64_t)(((sub + 1) << s) - 1);
}

int gw_hist_record(struct gw_hist *h, int64_t v)
{
	double delta;

	if (v < 0 || v > GW_HIST_MAX) {
		h->over_range++;
		return -1;
	}
	h->counts[gw_hist_index(v)]++;
	if (h->n == 0 || v < h->min)
		h->min = v;
	if (h->n == 0 || v > h->max)
		h->max = v;
	h->n++;
	delta = (double)v - h->mean;
	h->mean += delta / (double)h->n;
	h->m2 += delta * ((double)v - h->mean);
	return 0;
}

uint64_t gw_hist_add(struct gw_hist *dst, const struct gw_hist *src)
{
	double n, delta;

	dst->over_range += src->over_range;
	if (src->n == 0)
		return src->over_range;
	for (size_t i = 0; i < GW_HIST_NCOUNTS; i++)
		dst->counts[i] += src->counts[i];
	if (dst->n == 0) {
		dst->min = src->min;
		dst->max = src->max;
		dst->mean = src->mean;
		dst->m2 = src->m2;
		dst->n = src->n;
		return src->over_range;
	}
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	/* Chan et al.: combine two (n, mean, M2) triples exactly */
	n = (double)dst->n + (double)src->n;
	delta = src->mean - dst->mean;
	dst->m2 +=
		src->m2 + delta * delta * (double)dst->n * (double)src->n / n;
	dst->mean += delta * (double)src->n / n;
	dst->n += src->n;
	return src->over_range;
}

int gw_hist_add_bucket(struct gw_hist *h, size_t idx, uint64_t count)
{
	if (idx >= GW_HIST_NCOUNTS)
		return -1;
	h->counts[idx] += count;
	return 0;
}

int64_t gw_hist_quantile(const struct gw_hist *h, double q)
{
	uint64_t rank, cum = 0;
	double k;

	if (h->n == 0)
		return 0;
	if (q < 0)
		q = 0;
	/* seed rule: 0-based index min(floor(n*q), n-1); rank is 1-based */
	k = floor((double)h->n * q);
	rank = k >= (double)(h->n - 1) ? h->n : (uint64_t)k + 1;
	if (rank == 1)
		return h->min;
	if (rank == h->n)
		return h->max;
	for (size_t i = 0; i < GW_HIST_NCOUNTS; i++) {
		cum += h->counts[i];
		if (cum >= rank) {
			int64_t v = gw_hist_highest(i);

			if (v > h->max)
				v = h->max;
			if (v < h->min)
				v = h->min;
			return v;
		}
	}
	return h->max; /* counts and n disagree: not reachable */
}

double gw_hist_mean(const struct gw_hist *h)
{
	return h->n ? h->mean : 0.0;
}

double gw_hist_stddev(const struct gw_hist *h)
{
	if (h->n < 2)
		return 0.0;
	return sqrt(h->m2 / (double)(h->n - 1));
}
