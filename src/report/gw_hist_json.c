/*
 * gw_hist_json: histograms to and from the report's JSON (see
 * gw_hist_json.h).
 *
 * Jansson keeps object keys in insertion order (2.8+), which gives the
 * seed's key order for "percentiles".
 */
#include "gw_hist_json.h"
#include "gw_hist.h"

#include <jansson.h>

static json_int_t int_at(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static double num_at(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

json_t *gw_hist_json_percentiles(const struct gw_hist *h)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:f}", "p50",
			 (double)gw_hist_quantile(h, 0.50) / 1e6, "p95",
			 (double)gw_hist_quantile(h, 0.95) / 1e6, "p99",
			 (double)gw_hist_quantile(h, 0.99) / 1e6, "min",
			 (double)h->min / 1e6, "max", (double)h->max / 1e6,
			 "mean", gw_hist_mean(h) / 1e6, "count",
			 (json_int_t)h->n, "stddev", gw_hist_stddev(h) / 1e6);
}

json_t *gw_hist_json_buckets(const struct gw_hist *h)
{
	json_t *b = json_array();

	for (size_t i = 0; i < GW_HIST_NCOUNTS; i++)
		if (h->counts[i])
			json_array_append_new(
				b, json_pack("[I, I]", (json_int_t)i,
					     (json_int_t)h->counts[i]));
	return json_pack("{s:s, s:i, s:i, s:I, s:I, s:I, s:f, s:f, s:I, s:o}",
			 "unit", "ns", "significant_digits", 3,
			 "sub_bucket_bits", GW_HIST_SUB_BITS, "count",
			 (json_int_t)h->n, "min", (json_int_t)h->min, "max",
			 (json_int_t)h->max, "mean", h->mean, "m2", h->m2,
			 "over_range", (json_int_t)h->over_range, "buckets", b);
}

int gw_hist_json_add(struct gw_hist *h, const json_t *j)
{
	struct gw_hist one;
	const json_t *b = json_object_get(j, "buckets");
	json_t *pair;
	size_t i;
	uint64_t total = 0;

	if (!json_is_array(b) || !json_is_integer(json_object_get(j, "count")))
		return -1;
	gw_hist_init(&one);
	json_array_foreach(b, i, pair)
	{
		json_int_t idx = json_integer_value(json_array_get(pair, 0));
		json_int_t cnt = json_integer_value(json_array_get(pair, 1));

		if (json_array_size(pair) != 2 || idx < 0 || cnt < 0 ||
		    gw_hist_add_bucket(&one, (size_t)idx, (uint64_t)cnt) < 0) {
			gw_hist_release(&one);
			return -1;
		}
		total += (uint64_t)cnt;
	}
	one.n = (uint64_t)int_at(j, "count");
	one.min = int_at(j, "min");
	one.max = int_at(j, "max");
	one.mean = num_at(j, "mean");
	one.m2 = num_at(j, "m2");
	one.over_range = (uint64_t)int_at(j, "over_range");
	if (total != one.n) { /* buckets and count disagree */
		gw_hist_release(&one);
		return -1;
	}
	gw_hist_add(h, &one);
	gw_hist_release(&one);
	return 0;
}
