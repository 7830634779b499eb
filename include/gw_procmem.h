/*
 * gw_procmem: what can be observed about the gateway from outside, through
 * /proc on the same host: its resident set size, and the TCP sockets
 * connected to its port (to spot leaked connections).  Nothing here needs
 * the gateway's cooperation; off-host targets simply have no pid.
 */
#ifndef GW_PROCMEM_H
#define GW_PROCMEM_H

/* VmRSS of pid in KiB from /proc/<pid>/status; -1 if unreadable (gone,
 * not ours to read, or no such line). */
long gw_procmem_rss_kb(long pid);
/* A "Vm...:" line of /proc/<pid>/status (field with its colon, e.g.
 * "VmHWM:"), pid 0 meaning this process; KiB, or -1. */
long gw_procmem_status_kb(long pid, const char *field);

/* TCP states as /proc/net/tcp prints them (include/net/tcp_states.h). */
#define GW_TCP_ESTABLISHED 0x01
#define GW_TCP_CLOSE_WAIT 0x08

/*
 * Count TCP sockets in /proc/net/tcp and /proc/net/tcp6 whose remote port
 * (or, with local = 1, local port) is `port` and whose state is `state`.
 * Returns -1 if neither file can be read.  Sockets of every process of
 * the network namespace count, which is what a same-host leak check
 * wants: with local = 1 they are the gateway's side of the connections.
 */
long gw_procmem_tcp_count(int port, int local, unsigned state);

#endif /* GW_PROCMEM_H */
