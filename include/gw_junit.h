/*
 * gw_junit: a JUnit XML file for CI systems (--junit PATH): one testcase
 * per scenario, its class the markers ("stress isolation" becomes
 * gwstress.stress.isolation), a failure or skip element carrying the
 * failed checks or the reason.
 *
 * Built from the JSON reports, as the HTML page is, so that what a CI
 * system shows is exactly what the report files say.  Written atomically.
 */
#ifndef GW_JUNIT_H
#define GW_JUNIT_H

#include <stddef.h>

struct json_t;

/* Write the file for reports[0..n) in run order, suite naming the run.
 * Returns 0, or -1 with a message. */
int gw_junit_write(const char *path, struct json_t *const *reports, size_t n,
		   const char *suite);

#endif /* GW_JUNIT_H */
