/*
 * sim_arrival: the --arrivals log, one line per task submission.
 *
 * A benchmark compares when gwstress meant to submit with when gwsim saw
 * the submissions arrive, and computes inter-arrival times from them (an
 * open-loop Poisson load must give exponential gaps, a closed loop does
 * not).  Every POST /api/v1/message:stream appends "<ns>\n", the
 * CLOCK_MONOTONIC time at which MHD had read its request line (taken in
 * sim_http.c's URI log callback, before the headers are parsed).  A file
 * that exists is appended to, never truncated.
 *
 * Workload: up to ~10^4 submissions/s, at most 21 bytes a line.  Lines go
 * into a 64 KiB buffer (about 3,000 lines) under one mutex, and the buffer
 * is written with write(2) when the next line would not fit and at exit:
 * one system call per ~3,000 submissions keeps the log out of what it
 * measures.  The mutex keeps lines whole.  Lines are in the order the MHD
 * threads logged them; two submissions that arrive within microseconds on
 * two threads can be logged in the other order of their times, so a
 * reader sorts before taking differences.  A write error is reported once
 * and ends the log.
 *
 * Rejected: stdio (its own lock and its own flushing, which would still
 * need this lock for whole lines), one write(2) per line (a system call on
 * the request path), a buffer per thread (the lines would need merging).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

#define ARRIVAL_BUF (64 * 1024)
/* UINT64_MAX has 20 digits, and the newline */
#define ARRIVAL_LINE 21

static struct {
	pthread_mutex_t lock;
	int fd;
	size_t len;
	char buf[ARRIVAL_BUF];
} arr = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

int sim_arrival_open(const char *path)
{
	if (!path)
		return 0;
	arr.fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (arr.fd == -1)
		return sim_error("--arrivals %s: %s", path, strerror(errno));
	return 0;
}

/* Write the buffer out; arr.lock held.  On error the log ends. */
static void flush(void)
{
	size_t off = 0;

	while (off < arr.len) {
		ssize_t n = write(arr.fd, arr.buf + off, arr.len - off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			sim_error("--arrivals: write: %s; the log ends here",
				  strerror(errno));
			close(arr.fd);
			arr.fd = -1;
			break;
		}
		off += (size_t)n;
	}
	arr.len = 0;
}

void sim_arrival_log(uint64_t ns)
{
	pthread_mutex_lock(&arr.lock);
	/* room for the line and snprintf's NUL */
	if (arr.fd != -1 && arr.len + ARRIVAL_LINE + 1 > sizeof(arr.buf))
		flush();
	if (arr.fd == -1) {
		pthread_mutex_unlock(&arr.lock);
		return;
	}
	arr.len += (size_t)snprintf(arr.buf + arr.len,
				    sizeof(arr.buf) - arr.len, "%llu\n",
				    (unsigned long long)ns);
	pthread_mutex_unlock(&arr.lock);
	SIM_COUNT(arrivals_logged);
}

void sim_arrival_close(void)
{
	pthread_mutex_lock(&arr.lock);
	if (arr.fd != -1) {
		flush();
		if (arr.fd != -1 && close(arr.fd) == -1)
			sim_error("--arrivals: close: %s", strerror(errno));
		arr.fd = -1;
	}
	pthread_mutex_unlock(&arr.lock);
}
