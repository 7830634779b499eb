/*
 * gw_series: per-window histograms (design in gw_series.h).
 *
 * Open window w lives in slot w % GW_SERIES_OPEN.  A tag is the window
 * index mod 256; the collector turns it back into an index relative to
 * its oldest open window, which is exact while samples are less than 128
 * windows late (a worker stalled for two minutes at 1 s windows).
 */
#include "gw_series.h"
#include "gw_util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int gw_series_init(struct gw_series *s, int nops, int64_t win_ns,
		   int64_t span_ns)
{
	struct timespec wall;
	int64_t now = gw_now_ns(), wall_ms, win_ms;

	memset(s, 0, sizeof(*s));
	if (win_ns < GW_NS_PER_MS || span_ns <= 0 || nops < 0 ||
	    nops > GW_MAX_OPS)
		return gw_error("internal: bad time series (window %lld ns, "
				"span %lld ns, %d operations)",
				(long long)win_ns, (long long)span_ns, nops);
	clock_gettime(CLOCK_REALTIME, &wall);
	wall_ms = (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000;
	win_ms = win_ns / GW_NS_PER_MS;
	s->win_ns = win_ms * GW_NS_PER_MS;
	s->wall0_ms = wall_ms - wall_ms % win_ms;
	s->mono0 = now - (wall_ms - s->wall0_ms) * GW_NS_PER_MS;
	s->nops = nops;
	s->cap = (int)(span_ns / s->win_ns) + 3;
	s->cell = gw_xcalloc((size_t)s->cap * (size_t)(nops ? nops : 1),
			     sizeof(s->cell[0]));
	return 0;
}

void gw_series_release(struct gw_series *s)
{
	if (!s)
		return;
	if (s->cell)
		for (int i = 0; i < s->cap * s->nops; i++)
			free(s->cell[i].b);
	free(s->cell);
	s->cell = NULL;
	for (int k = 0; k < GW_SERIES_OPEN; k++)
		for (int op = 0; op < GW_MAX_OPS; op++)
			gw_hist_release(&s->open[k][op]);
}

int gw_series_window(const struct gw_series *s, int64_t t)
{
	int64_t w = (t - s->mono0) / s->win_ns;

	return w < 0 ? 0 : w >= s->cap ? s->cap - 1 : (int)w;
}

/* Compress slot histogram h into cell c and reset it. */
static void seal(struct gw_series_cell *c, struct gw_hist *h)
{
	size_t lo, hi, k = 0;

	c->n = h->n;
	if (!h->n)
		return;
	c->min = h->min;
	c->max = h->max;
	c->mean = h->mean;
	c->m2 = h->m2;
	lo = gw_hist_index(h->min);
	hi = gw_hist_index(h->max);
	for (size_t i = lo; i <= hi; i++)
		c->nb += h->counts[i] != 0;
	c->b = gw_xmalloc(2 * (size_t)c->nb * sizeof(c->b[0]));
	for (size_t i = lo; i <= hi; i++)
		if (h->counts[i]) {
			c->b[k++] = (uint32_t)i;
			c->b[k++] = (uint32_t)h->counts[i];
			h->counts[i] = 0;
		}
	h->n = h->over_range = 0;
	h->min = h->max = 0;
	h->mean = h->m2 = 0;
}

/* Close the oldest open window and publish it. */
static void close_window(struct gw_series *s)
{
	int slot = s->base % GW_SERIES_OPEN;

	for (int op = 0; op < s->nops; op++)
		if (s->open[slot][op].counts)
			seal(&s->cell[(size_t)s->base * (size_t)s->nops + op],
			     &s->open[slot][op]);
	s->base++;
	/* release; pairs with gw_series_closed's acquire: the cells sealed
	 * above are complete before a reader sees them counted */
	atomic_store_explicit(&s->nclosed, s->base, memory_order_release);
}

void gw_series_record(struct gw_series *s, int op, unsigned tag, int64_t v)
{
	int d = (int)(signed char)(unsigned char)(tag - (unsigned)s->base);
	int w = s->base + d;
	struct gw_hist *h;

	if (op < 0 || op >= s->nops)
		return;
	if (w >= s->cap) {
		atomic_fetch_add_explicit(&s->beyond, 1, memory_order_relaxed);
		w = s->cap - 1;
	}
	while (w >= s->base + GW_SERIES_OPEN && s->base < s->cap - 1)
		close_window(s);
	if (w < s->base) {
		atomic_fetch_add_explicit(&s->late, 1, memory_order_relaxed);
		w = s->base;
	}
	h = &s->open[w % GW_SERIES_OPEN][op];
	if (!h->counts)
		gw_hist_init(h);
	gw_hist_record(h, v);
}

void gw_series_tick(struct gw_series *s, int64_t now)
{
	while (s->base < s->cap - 1 &&
	       now > s->mono0 + (int64_t)(s->base + 1) * s->win_ns +
			       GW_SERIES_GRACE_NS)
		close_window(s);
}

void gw_series_close_all(struct gw_series *s, int64_t now)
{
	int last = gw_series_window(s, now);

	while (s->base <= last && s->base < s->cap)
		close_window(s);
}

int gw_series_closed(const struct gw_series *s)
{
	return atomic_load_explicit(&s->nclosed, memory_order_acquire);
}

const struct gw_series_cell *gw_series_cell(const struct gw_series *s, int win,
					    int op)
{
	return &s->cell[(size_t)win * (size_t)s->nops + op];
}

int gw_series_cell_add(struct gw_hist *h, const struct gw_series_cell *c)
{
	struct gw_hist one;
	uint64_t total = 0;

	if (!c->n)
		return 0;
	gw_hist_init(&one);
	for (uint32_t i = 0; i < c->nb; i++) {
		if (gw_hist_add_bucket(&one, c->b[2 * i], c->b[2 * i + 1]) <
		    0) {
			gw_hist_release(&one);
			return -1;
		}
		total += c->b[2 * i + 1];
	}
	one.n = c->n;
	one.min = c->min;
	one.max = c->max;
	one.mean = c->mean;
	one.m2 = c->m2;
	if (total != c->n) {
		gw_hist_release(&one);
		return -1;
	}
	gw_hist_add(h, &one);
	gw_hist_release(&one);
	return 0;
}
