/*
 * gw_procmem: /proc readers (see gw_procmem.h).  Called about once a second
 * at most, from the main thread; plain stdio is fine.
 */
#include "gw_procmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long gw_procmem_status_kb(long pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long kb = -1;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n)) {
			kb = strtol(line + n, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

long gw_procmem_rss_kb(long pid)
{
	return gw_procmem_status_kb(pid, "VmRSS:");
}

static long count_file(const char *path, int port, int local, unsigned state)
{
	char line[512];
	long n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) { /* header */
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		char laddr[64], raddr[64];
		unsigned st;
		char *colon;
		long p;

		/* "  sl  local_address rem_address   st ..." */
		if (sscanf(line, "%*s %63s %63s %x", laddr, raddr, &st) != 3)
			continue;
		colon = strrchr(local ? laddr : raddr, ':');
		if (!colon)
			continue;
		p = strtol(colon + 1, NULL, 16);
		if (p != port)
			continue;
		if (st == state)
			n++;
	}
	fclose(f);
	return n;
}

long gw_procmem_tcp_count(int port, int local, unsigned state)
{
	long a = count_file("/proc/net/tcp", port, local, state);
	long b = count_file("/proc/net/tcp6", port, local, state);

	if (a < 0 && b < 0)
		return -1;
	return (a > 0 ? a : 0) + (b > 0 ? b : 0);
}
