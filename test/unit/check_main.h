/*
 * check_main: the main() every Check suite ends with, written once.
 *
 * GW_CHECK_MAIN(suite_fn) defines main(): it runs the Suite that
 * suite_fn() returns in CK_NORMAL mode (failures and a summary line) and
 * exits EXIT_FAILURE if any test failed, EXIT_SUCCESS otherwise.  Fork
 * mode and timeouts come from Check's environment (CK_FORK,
 * CK_DEFAULT_TIMEOUT; make check-unit sets the latter), or from the
 * suite's own tcase_set_timeout().  A suite that needs set-up before its
 * TCases are built does it in suite_fn (check_config.c scans its data
 * files there).
 */
#ifndef GW_CHECK_MAIN_H
#define GW_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define GW_CHECK_MAIN(suite_fn)                              \
	int main(void)                                       \
	{                                                    \
		SRunner *sr = srunner_create(suite_fn());    \
		int failed;                                  \
                                                             \
		srunner_run_all(sr, CK_NORMAL);              \
		failed = srunner_ntests_failed(sr);          \
		srunner_free(sr);                            \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS; \
	}

#endif /* GW_CHECK_MAIN_H */
