/*
 * gw_atomic: atomic file writes and the writable-path probe (see
 * gw_atomic.h).
 */
#include "gw_atomic.h"
#include "gw_util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int gw_atomic_mkdirs(const char *path)
{
	char buf[PATH_MAX];
	size_t len = gw_strlcpy(buf, path, sizeof(buf));

	if (len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

int gw_atomic_open(struct gw_atomic_file *a, const char *path)
{
	a->f = NULL;
	a->path = path;
	if (gw_atomic_mkdirs(path) == -1)
		return gw_error("cannot create the directory of %s: %s", path,
				strerror(errno));
	if ((size_t)snprintf(a->tmp, sizeof(a->tmp), "%s.tmp.%ld", path,
			     (long)getpid()) >= sizeof(a->tmp))
		return gw_error("cannot write %s: %s", path,
				strerror(ENAMETOOLONG));
	a->f = fopen(a->tmp, "we"); /* "e": O_CLOEXEC */
	if (!a->f)
		return gw_error("cannot write %s: %s", a->tmp, strerror(errno));
	return 0;
}

int gw_atomic_commit(struct gw_atomic_file *a, int ok)
{
	int e = 0;

	if (!ok || ferror(a->f) || fflush(a->f) == EOF ||
	    fsync(fileno(a->f)) == -1)
		e = errno ? errno : EIO;
	if (fclose(a->f) == EOF && !e)
		e = errno;
	a->f = NULL;
	if (!e && rename(a->tmp, a->path) == -1)
		e = errno;
	if (e) {
		unlink(a->tmp);
		return gw_error("cannot write %s: %s", a->path, strerror(e));
	}
	return 0;
}

int gw_atomic_write_json(const char *path, const struct json_t *j)
{
	struct gw_atomic_file a;

	if (gw_atomic_open(&a, path) < 0)
		return -1;
	errno = 0;
	return gw_atomic_commit(
		&a, json_dumpf(j, a.f,
			       JSON_INDENT(2) | JSON_ENSURE_ASCII |
				       JSON_REAL_PRECISION(17)) == 0 &&
			    fputc('\n', a.f) != EOF);
}

int gw_atomic_probe(const char *path)
{
	char probe[PATH_MAX + 32];
	int fd;

	if (gw_atomic_mkdirs(path) == -1)
		return gw_error("report path %s: cannot create its directory: "
				"%s",
				path, strerror(errno));
	snprintf(probe, sizeof(probe), "%s.probe.%ld", path, (long)getpid());
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd == -1)
		return gw_error("report path %s is not writable: %s", path,
				strerror(errno));
	close(fd);
	unlink(probe);
	return 0;
}
