/*
 * gw_atomic: files written atomically -- a temporary file in the same
 * directory, fsync, rename -- so that a reader (a CI job collecting
 * reports, a user opening the HTML page) never sees half a file, even if
 * gwstress is killed while writing.  Every output file of gwstress goes
 * through here: JSON reports, merged reports, the HTML page, JUnit XML.
 *
 * Also the check that a path is writable at all, made before a run starts
 * so that an unwritable report directory is a usage error (exit 2) and not
 * a lost hour of measurements.
 *
 * Thread safety: none needed (main thread only).
 */
#ifndef GW_ATOMIC_H
#define GW_ATOMIC_H

#include <limits.h>
#include <stdio.h>

struct json_t;

struct gw_atomic_file {
	FILE *f;		 /* open for writing after open */
	const char *path;	 /* the final name (borrowed) */
	char tmp[PATH_MAX + 32]; /* path.tmp.<pid> */
};

/*
 * Create path's parent directories and a temporary file next to it, open
 * in a->f (close-on-exec, so a child never holds it).  path must outlive
 * the commit.  Returns 0, or -1 with a message naming the path.
 */
int gw_atomic_open(struct gw_atomic_file *a, const char *path);
/*
 * Flush, fsync and rename the temporary file over a->path -- or, when ok
 * is 0 or any step failed, remove it.  Always closes a->f.  Returns 0, or
 * -1 with a message naming the path.
 */
int gw_atomic_commit(struct gw_atomic_file *a, int ok);
/* Write j to path atomically (indent 2, ASCII, 17 significant digits as
 * Python's json module).  Returns 0, or -1 with a message. */
int gw_atomic_write_json(const char *path, const struct json_t *j);

/* Create the parent directories of path (mkdir -p).  Returns 0, or -1
 * with errno set. */
int gw_atomic_mkdirs(const char *path);
/* Check that a file can be created where path points (creates the
 * directories, writes and removes a probe file).  Returns 0, or -1 with a
 * message naming the path. */
int gw_atomic_probe(const char *path);

#endif /* GW_ATOMIC_H */
