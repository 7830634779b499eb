/*
 * runstat: run one command and say what it cost, for make bench-clients:
 * user and system CPU seconds, peak RSS, wall time and exit status, from
 * wait4()'s rusage of the child.  That rusage covers the child and every
 * descendant it waited for, so a client that forks workers is charged for
 * all of them; ru_maxrss is the kernel's high-water mark of resident
 * memory (the VmHWM that /proc/PID/status shows while the process lives,
 * read here at exit so the last moments count too), of the largest single
 * process.
 *
 *   build/test/runstat -o STATFILE -t TIMEOUT_S -- COMMAND [ARG...]
 *
 * STATFILE gets one line:
 *   user_s=U sys_s=S maxrss_kib=K wall_s=W status=N stopped_by=WHO
 * with N the exit status, or 128+signal, and WHO the reason runstat
 * signalled the command: none, timeout, or the signal runstat itself
 * received and passed on (SIGTERM, SIGINT, SIGHUP).  A command that died
 * of a signal with stopped_by=none was signalled from outside: on a
 * shared machine, the bench says so instead of blaming the client.  The
 * command runs in its own
 * process group; after TIMEOUT_S, or on SIGTERM/SIGINT/SIGHUP to runstat,
 * the group gets SIGTERM, then SIGKILL 5 s later, so the bench script's
 * cleanup trap ends every process a client started.  runstat exits with
 * the command's status (124 when it timed out, as timeout(1) does).
 *
 * Rejected: /usr/bin/time (not installed everywhere, and GNU time's
 * output format differs between versions); polling /proc/PID/stat (it
 * misses the CPU spent after the last poll).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(void)
{
	fputs("usage: runstat -o STATFILE -t TIMEOUT_S -- COMMAND [ARG...]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	long timeout_s = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	struct rusage ru;
	int64_t t0, deadline, kill_at = 0;
	int opt, st = 0, status, timed_out = 0, passed_on = 0;
	const char *who;
	pid_t pid, r;
	FILE *f;
	char *end;

	while ((opt = getopt(argc, argv, "+o:t:")) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 't':
			errno = 0;
			timeout_s = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || timeout_s < 1 ||
			    timeout_s > 86400)
				usage();
			break;
		default:
			usage();
		}
	}
	if (!out || !timeout_s || optind >= argc)
		usage();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	t0 = now_ns();
	deadline = t0 + (int64_t)timeout_s * 1000000000;
	pid = fork();
	if (pid == -1) {
		perror("runstat: fork");
		return 1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "runstat: %s: %s\n", argv[optind],
			strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid); /* both sides, so no kill can miss the group */
	/* bounded: the deadline, then SIGKILL 5 s later, ends the wait */
	for (;;) {
		int64_t now;

		r = wait4(pid, &st, WNOHANG, &ru);
		if (r == pid)
			break;
		if (r == -1 && errno != EINTR) {
			perror("runstat: wait4");
			return 1;
		}
		now = now_ns();
		if (!kill_at && (stop_sig || now > deadline)) {
			timed_out = !stop_sig;
			passed_on = stop_sig;
			kill(-pid, SIGTERM);
			kill_at = now + 5 * (int64_t)1000000000;
		} else if (kill_at && now > kill_at) {
			kill(-pid, SIGKILL);
			kill_at = INT64_MAX;
		}
		nanosleep(&(struct timespec){ 0, 20 * 1000000 }, NULL);
	}
	/* whatever the command left in its group goes with it */
	kill(-pid, SIGKILL);
	status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	f = fopen(out, "w");
	if (!f) {
		perror(out);
		return 1;
	}
	who = timed_out		     ? "timeout"
	      : passed_on == SIGTERM ? "SIGTERM"
	      : passed_on == SIGINT  ? "SIGINT"
	      : passed_on == SIGHUP  ? "SIGHUP"
				     : "none";
	fprintf(f,
		"user_s=%ld.%06ld sys_s=%ld.%06ld maxrss_kib=%ld "
		"wall_s=%.3f status=%d stopped_by=%s\n",
		(long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
		(long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec,
		ru.ru_maxrss, (double)(now_ns() - t0) / 1e9,
		timed_out ? 124 : status, who);
	if (fclose(f) == EOF) {
		perror(out);
		return 1;
	}
	return timed_out ? 124 : status;
}
