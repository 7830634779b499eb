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

/*
 * Count TCP sockets in /proc/net/tcp and /proc/net/tcp6 whose remote port
 * (or, with local = 1, local port) is `port`, in state ESTABLISHED (or any
 * state but LISTEN when any_state = 1).  Returns -1 if neither file can be
 * read.
 */
long gw_procmem_tcp_count(int port, int local, int any_state);

#endif /* GW_PROCMEM_H */
