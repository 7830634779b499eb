/*
 * sim_fault: the gwsim-only fault injection switches.
 *
 * This module only decides; the modules named below apply the decisions,
 * so it calls nothing but sim_util.
 *
 * Everything here is off by default; with every flag at its default gwsim
 * behaves like SAM on the wire.  Each fault that fires increments a
 * counter in /gwsim/stats so a test can check that the client saw what the
 * server did.  Decisions use sim_chance() (per-thread xorshift), so they
 * are cheap enough for the request path.
 *
 * Where each fault is applied:
 *   --fail-rate   sim_http.c, every /api request after authentication
 *   --reset-rate  sim_http.c, first access-handler call (headers read):
 *                 SO_LINGER {1, 0} and MHD_NO, so MHD's close() sends RST
 *                 (MHD_USE_TURBO is set with this flag, otherwise MHD
 *                 first does shutdown(SHUT_WR) and the peer sees a FIN
 *                 before the RST)
 *   --refuse      sim_http.c accept policy callback: MHD closes the socket
 *                 right after accept()
 *   --cut-rate    sim_sse.c: after the first complete event the reader
 *                 returns END_WITH_ERROR, MHD closes without the last chunk
 *   --stall-s / --trickle-ms   sim_sse.c reader, woken by sim_timer
 *   --malformed   sim_fault_malformed() decides, sim_sse_frame() frames
 *                 (nocolon, badjson) and the agent writes the long line
 *                 (longline); barecr and bom change all framing.
 *                 nocolon/badjson/longline hit the first event of every
 *                 task only, so a tolerant client still reaches the end
 *   --garbage     sim_api.c message:stream replies
 *   --pause-at-s / --pause-s  a stall of the whole gateway, from A s after
 *                 start for D s (wrk2's "the server stops for 5 s"):
 *                 sim_http.c suspends every request (but /gwsim/...) whose
 *                 answer falls in the stall and resumes them when it ends;
 *                 sim_sse.c writes nothing on any stream meanwhile, not
 *                 even pings.  The agent keeps producing, as SAM's
 *                 component thread keeps feeding its queues while the
 *                 single uvicorn loop is blocked (§1 of the protocol
 *                 reference), so a queue can fill up and be detached
 * *   --never-final / --leak-kb  sim_agent.c
 *
 * All of them were possible with MHD 0.9.75; none needed a raw socket
 * server.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* --leak-kb blocks, kept reachable so valgrind stays quiet at exit */
struct leak_block {
	struct leak_block *next;
};

static struct {
	pthread_mutex_t lock;
	struct leak_block *head;
} leaks = { PTHREAD_MUTEX_INITIALIZER, NULL };

bool sim_fault_fail(void)
{
	if (!sim_chance(sim_cfg.fail_rate))
		return false;
	SIM_COUNT(faults_500);
	return true;
}

bool sim_fault_cut(void)
{
	return sim_chance(sim_cfg.cut_rate);
}

bool sim_fault_reset(void)
{
	if (!sim_chance(sim_cfg.reset_rate))
		return false;
	SIM_COUNT(connections_reset);
	return true;
}

const char *sim_fault_eol(void)
{
	return sim_cfg.malformed == SIM_MAL_BARECR ? "\r" : "\r\n";
}

enum sim_malformed sim_fault_malformed(bool first)
{
	enum sim_malformed m = sim_cfg.malformed;

	if (!first || (m != SIM_MAL_NOCOLON && m != SIM_MAL_BADJSON &&
		       m != SIM_MAL_LONGLINE))
		return SIM_MAL_NONE;
	SIM_COUNT(malformed_events);
	return m;
}

uint64_t sim_fault_paused(uint64_t now)
{
	uint64_t from, to;

	if (!sim_cfg.pause_s)
		return 0;
	from = sim_cfg.start_ns + (uint64_t)sim_cfg.pause_at_s * SIM_NS_PER_S;
	to = from + (uint64_t)sim_cfg.pause_s * SIM_NS_PER_S;
	return now >= from && now < to ? to : 0;
}

void sim_fault_leak(void)
{
	size_t n = (size_t)sim_cfg.leak_kb * 1024;
	struct leak_block *blk;

	if (!n)
		return;
	if (n < sizeof(*blk))
		n = sizeof(*blk);
	blk = sim_xmalloc(n);
	/* touch every byte so the pages count in RSS */
	memset(blk, 0xa5, n);
	pthread_mutex_lock(&leaks.lock);
	blk->next = leaks.head;
	leaks.head = blk;
	pthread_mutex_unlock(&leaks.lock);
	SIM_ADD(leaked_kb, sim_cfg.leak_kb);
}

void sim_fault_release(void)
{
	struct leak_block *b, *next;

	for (b = leaks.head; b; b = next) {
		next = b->next;
		free(b);
	}
	leaks.head = NULL;
}
