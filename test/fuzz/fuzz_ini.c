/*
 * fuzz_ini: libFuzzer harness for gw_config: the INI loader (through
 * fmemopen, so inih and our line reader see the bytes as a file), then
 * the environment with a fake getenv, then gw_config_validate().
 *
 * Input layout: INI text, optionally followed by the line "%%" (the bytes
 * "\n%%\n") and then environment values, one per line, given in table
 * order to the keys that have a variable (STRESS_CONCURRENT_SSE first);
 * missing lines are unset variables, empty lines empty ones.
 *
 * Invariants, abort() on violation:
 *  - every function returns the number of messages it added, counting
 *    those the errlist dropped; every message is NUL-terminated in its
 *    slot;
 *  - loader messages read "fuzz.ini:LINE: ..." with 1 <= LINE <= the
 *    number of lines of the INI text, in file order (LINE never goes
 *    down), and never the "cannot happen" "syntax error (inih)";
 *  - all or nothing: after a failed load the config is byte for byte the
 *    defaults; after a good one source_file is "fuzz.ini" and every key
 *    is either still its default (same bytes) or marked as set by the INI;
 *  - environment messages start with "environment "; only keys with a
 *    variable change, and only when that variable was given non-empty;
 *  - validate messages start with "[";
 *  - after every step, every value obeys its key: numbers within
 *    [min, max], booleans 0 or 1, strings NUL-terminated in their field.
 *
 * Memory: two copies of the input (the INI part for fmemopen, the
 * environment part split into strings), three errlists and configs on the
 * stack.  Run with -max_len=4096 (make fuzz does): the loader's cost is
 * linear and longer files only repeat lines.
 */
#include "gw_config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                      \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_ini: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                          \
			abort();                                           \
		}                                                          \
	} while (0)

#define NAME "fuzz.ini"
#define ENV_MARK "\n%%\n"
#define ENV_MAX 32 /* more than gw_config_keys has variables */

/* The fake environment of the current input, for fake_getenv(). */
static const char *env_name[ENV_MAX];
static const char *env_value[ENV_MAX];
static size_t env_n;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fake_getenv(const char *name)
{
	for (size_t i = 0; i < env_n; i++)
		if (!strcmp(env_name[i], name))
			return env_value[i];
	return NULL;
}

/* Every message NUL-terminated and starting with prefix. */
static void check_msgs(const struct gw_errlist *e, int from, const char *prefix)
{
	for (int i = from; i < e->n; i++) {
		REQUIRE(memchr(e->msg[i], '\0', GW_ERRMSG_MAX));
		REQUIRE(!strncmp(e->msg[i], prefix, strlen(prefix)));
	}
}

static const void *field(const struct gw_config *c, size_t i)
{
	return (const char *)c + gw_config_keys[i].offset;
}

/* Every value within what its key allows. */
static void check_values(const struct gw_config *c)
{
	for (size_t i = 0; i < gw_config_nkeys; i++) {
		const struct gw_config_key *k = &gw_config_keys[i];
		const void *f = field(c, i);
		long l;
		double d;
		int b;

		REQUIRE(c->src[i] <= GW_SRC_CLI);
		switch (k->type) {
		case GW_KEY_LONG:
			memcpy(&l, f, sizeof(l));
			REQUIRE(l >= (long)k->min && l <= (long)k->max);
			break;
		case GW_KEY_DOUBLE:
			memcpy(&d, f, sizeof(d));
			REQUIRE(d >= k->min && d <= k->max); /* not NaN */
			break;
		case GW_KEY_BOOL:
			memcpy(&b, f, sizeof(b));
			REQUIRE(b == 0 || b == 1);
			break;
		case GW_KEY_STR:
			REQUIRE(memchr(f, '\0', k->size));
			break;
		}
	}
	REQUIRE(memchr(c->source_file, '\0', sizeof(c->source_file)));
}

/* Lines of the text as the loader counts them (a last line without LF
 * counts). */
static size_t count_lines(const uint8_t *s, size_t n)
{
	size_t lines = 0;

	for (size_t i = 0; i < n; i++)
		lines += s[i] == '\n';
	return lines + (n && s[n - 1] != '\n');
}

static void check_load_msgs(const struct gw_errlist *e, size_t lines)
{
	const size_t plen = strlen(NAME ":");
	unsigned long prev = 1;

	check_msgs(e, 0, NAME ":");
	for (int i = 0; i < e->n; i++) {
		char *end;
		unsigned long line = strtoul(e->msg[i] + plen, &end, 10);

		REQUIRE(end != e->msg[i] + plen && *end == ':');
		REQUIRE(line >= prev && line <= lines); /* in file order */
		prev = line;
		/* the whole message: keys and values are echoed in others */
		REQUIRE(strcmp(end, ": syntax error (inih)"));
	}
}

/* Split the environment part into NUL-terminated values in buf. */
static void env_parse(char *buf, size_t n)
{
	char *s = buf, *end = buf + n;

	env_n = 0;
	for (size_t i = 0; i < gw_config_nkeys; i++) {
		char *lf;

		if (!gw_config_keys[i].env)
			continue;
		REQUIRE(env_n < ENV_MAX);
		env_name[env_n] = gw_config_keys[i].env;
		env_value[env_n] = NULL;
		if (s <= end) {
			lf = memchr(s, '\n', (size_t)(end - s));
			if (!lf)
				lf = end; /* buf has a NUL there */
			*lf = '\0';
			env_value[env_n] = s;
			s = lf + 1;
		}
		env_n++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gw_errlist errs;
	struct gw_config def, cfg, before;
	const uint8_t *mark;
	size_t ini_len = size, env_len = 0;
	char *ini, *env = NULL;
	FILE *fp;
	int rc;

	mark = memmem(data, size, ENV_MARK, strlen(ENV_MARK));
	if (mark) {
		ini_len = (size_t)(mark - data);
		env_len = size - ini_len - strlen(ENV_MARK);
	}
	/* own blocks of exact size: ASan sees any read past the text */
	ini = malloc(ini_len ? ini_len : 1);
	REQUIRE(ini);
	memcpy(ini, data, ini_len);

	/* INI: all or nothing */
	gw_config_defaults(&def);
	memcpy(&cfg, &def, sizeof(cfg));
	memset(&errs, 0, sizeof(errs));
	fp = fmemopen(ini, ini_len, "r");
	REQUIRE(fp);
	rc = gw_config_load_stream(&cfg, fp, NAME, &errs);
	fclose(fp);
	REQUIRE(rc >= 0 && rc == errs.n + errs.dropped);
	check_load_msgs(&errs, count_lines(data, ini_len));
	if (rc) {
		REQUIRE(!memcmp(&cfg, &def, sizeof(cfg)));
	} else {
		REQUIRE(!strcmp(cfg.source_file, NAME));
		for (size_t i = 0; i < gw_config_nkeys; i++) {
			REQUIRE(cfg.src[i] == GW_SRC_DEFAULT ||
				cfg.src[i] == GW_SRC_INI);
			if (cfg.src[i] == GW_SRC_DEFAULT)
				REQUIRE(!memcmp(field(&cfg, i), field(&def, i),
						gw_config_keys[i].size));
		}
	}
	check_values(&cfg);
	free(ini);

	/* environment, on top of whatever the INI left */
	if (mark) {
		env = malloc(env_len + 1);
		REQUIRE(env);
		memcpy(env, mark + strlen(ENV_MARK), env_len);
		env[env_len] = '\0';
		env_parse(env, env_len);
		memcpy(&before, &cfg, sizeof(before));
		memset(&errs, 0, sizeof(errs));
		rc = gw_config_apply_env(&cfg, fake_getenv, &errs);
		REQUIRE(rc >= 0 && rc == errs.n + errs.dropped);
		check_msgs(&errs, 0, "environment ");
		for (size_t i = 0; i < gw_config_nkeys; i++) {
			const struct gw_config_key *k = &gw_config_keys[i];
			const char *v = k->env ? fake_getenv(k->env) : NULL;

			if (cfg.src[i] == before.src[i])
				REQUIRE(!memcmp(field(&cfg, i),
						field(&before, i), k->size));
			else
				REQUIRE(cfg.src[i] == GW_SRC_ENV && v && *v);
		}
		check_values(&cfg);
		free(env);
		env_n = 0;
	}

	memset(&errs, 0, sizeof(errs));
	rc = gw_config_validate(&cfg, &errs);
	REQUIRE(rc >= 0 && rc == errs.n + errs.dropped);
	check_msgs(&errs, 0, "[");
	return 0;
}
