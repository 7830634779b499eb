/*
 * check_csv: RFC 4180 fields, data-driven -- plain, empty, spaces kept,
 * comma, double quote (doubled), CR, LF, CRLF, all together -- and rows
 * ended by CRLF, written to a memory stream and compared byte for byte.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "gw_csv.h"
#include "gw_util.h"

static const struct {
	const char *in, *out;
} fields[] = {
	{ "plain", "plain" },
	{ "", "" },
	{ " spaced ", " spaced " },
	{ "a,b", "\"a,b\"" },
	{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
	{ "\"", "\"\"\"\"" },
	{ "cr\rhere", "\"cr\rhere\"" },
	{ "two\nlines", "\"two\nlines\"" },
	{ "crlf\r\n", "\"crlf\r\n\"" },
	{ "all, \"of\"\n it", "\"all, \"\"of\"\"\n it\"" },
	{ "flow.chat.submit.intended", "flow.chat.submit.intended" },
};

START_TEST(test_field)
{
	char *mem = NULL, want[128];
	size_t n = 0;
	FILE *f = open_memstream(&mem, &n);
	struct gw_csv c;

	ck_assert_ptr_nonnull(f);
	gw_csv_init(&c, f);
	gw_csv_str(&c, "x");
	gw_csv_str(&c, fields[_i].in);
	gw_csv_fmt(&c, "%d", 42);
	gw_csv_end(&c);
	gw_csv_str(&c, fields[_i].in);
	gw_csv_end(&c);
	fclose(f);
	snprintf(want, sizeof(want), "x,%s,42\r\n%s\r\n", fields[_i].out,
		 fields[_i].out);
	ck_assert_str_eq(mem, want);
	free(mem);
}
END_TEST

static Suite *csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("csv");

	tcase_add_loop_test(tc, test_field, 0, (int)GW_ARRAY_SIZE(fields));
	suite_add_tcase(s, tc);
	return s;
}

GW_CHECK_MAIN(csv_suite)
