/*
 * sim_service: the --service-workers / --service-ms service model.
 *
 * A SAM deployment answers tasks with a fixed number of LLM-backed agent
 * instances, and past their capacity tasks wait.  gwsim's agent otherwise
 * starts every task at once: its capacity is unlimited and a load test
 * never finds the knee of the latency curve.  With --service-workers K,
 * tasks queue FIFO in front of K agents.  An agent that takes a task
 * holds it for --service-ms S from that moment, or until the task's event
 * schedule ends if that takes longer, and the task's schedule (its first
 * event first_delay after the take) starts at the take.  Capacity is K/S
 * tasks per ms (K = 10, S = 100: 100 tasks/s); above it the queue, and
 * the time from submit to first event, grow without bound as a real
 * queue's do (an M/D/K queue when S is longer than every schedule).  The
 * submit is answered at once, as SAM's is; only the events wait.
 *
 * Mechanism: an agent is a slot in [0, K) with a generation.  A busy slot
 * holds its task's argument and two flags: "held", set by a sim_timer
 * entry at take + S, and "done", set by the agent module through
 * sim_service_done() when the schedule ends.  The slot is freed when both
 * are set, and the head of the queue takes it at once.  Tasks are started
 * by the callback given to sim_service_init(), always from a sim_timer
 * entry, on the timer thread with no lock held: the agent calls in here
 * holding agent.lock (lock order agent.lock -> service.lock -> the timer
 * lock), so this module never calls the agent while it holds its own
 * lock, nor from inside sim_service_enqueue() or sim_service_done().
 * Timer entries name a slot by (generation, slot), so one that fires after
 * its slot was freed is ignored (a task canceled while it waited frees its
 * slot at once, before its hold timer fires).
 *
 * Workload: K up to 10^5 (40 bytes a slot, allocated at init); the queue
 * is a ring of task arguments grown by doubling (a million waiting tasks
 * take 8 MB).  Every operation is O(1) under one mutex, a few per task.
 *
 * Rejected: a thread per agent (10^4 stacks for 10^4 agents); holding an
 * agent for exactly S ms (a longer schedule would overlap the next task on
 * that agent, and capacity would no longer be K/S); computing each task's
 * start time at submit (a cancel could then not give its place back).
 */
#include <pthread.h>
#include <stdlib.h>

#include "sim.h"

struct service_agent {
	uint64_t arg;	   /* the task it serves */
	uint64_t taken_ns; /* when it took the task */
	uint32_t gen;	   /* bumped when freed: stale timer entries miss */
	bool busy;
	bool held; /* S ms have passed since the take */
	bool done; /* the task's schedule has ended */
};

static struct {
	pthread_mutex_t lock;
	sim_service_fn start;
	struct service_agent *agents; /* sim_cfg.service_workers of them */
	uint32_t *idle;		      /* stack of idle slots */
	uint32_t nidle;
	uint64_t *q; /* FIFO ring of waiting task arguments */
	size_t qhead;
	size_t qlen;
	size_t qcap;
	size_t qmax; /* the longest the queue has been */
} svc = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t handle_of(uint32_t i)
{
	return (uint64_t)svc.agents[i].gen << 32 | i;
}

/* The busy agent h names, or NULL for a stale handle; svc.lock held. */
static struct service_agent *lookup(uint64_t h)
{
	uint32_t i = (uint32_t)h;

	if (i >= sim_cfg.service_workers || !svc.agents[i].busy ||
	    svc.agents[i].gen != (uint32_t)(h >> 32))
		return NULL;
	return &svc.agents[i];
}

static void start_fire(uint64_t h);
static void hold_fire(uint64_t h);

/* Idle agents take the tasks at the head of the queue; svc.lock held. */
static void dispatch(void)
{
	uint64_t hold = (uint64_t)sim_cfg.service_ms * SIM_NS_PER_MS;

	while (svc.nidle && svc.qlen) {
		uint32_t i = svc.idle[--svc.nidle];
		struct service_agent *a = &svc.agents[i];
		uint64_t now = sim_now_ns();

		a->arg = svc.q[svc.qhead];
		svc.qhead = (svc.qhead + 1) % svc.qcap;
		svc.qlen--;
		a->busy = true;
		a->done = false;
		a->held = !sim_cfg.service_ms;
		a->taken_ns = now;
		/* not the callback itself: the caller may hold agent.lock */
		sim_timer_at(now, start_fire, handle_of(i));
		if (!a->held)
			sim_timer_at(now + hold, hold_fire, handle_of(i));
	}
}

/* a is idle again; the queue's head takes it.  svc.lock held. */
static void agent_free(struct service_agent *a)
{
	a->busy = false;
	a->gen++;
	svc.idle[svc.nidle++] = (uint32_t)(a - svc.agents);
	dispatch();
}

static void start_fire(uint64_t h)
{
	struct service_agent *a;
	uint64_t arg, taken;

	pthread_mutex_lock(&svc.lock);
	a = lookup(h);
	if (!a) {
		pthread_mutex_unlock(&svc.lock);
		return;
	}
	arg = a->arg;
	taken = a->taken_ns;
	pthread_mutex_unlock(&svc.lock);
	if (svc.start(arg, h, taken))
		return;
	/* the task no longer runs (canceled while it waited) */
	pthread_mutex_lock(&svc.lock);
	a = lookup(h);
	if (a)
		agent_free(a);
	pthread_mutex_unlock(&svc.lock);
}

static void hold_fire(uint64_t h)
{
	struct service_agent *a;

	pthread_mutex_lock(&svc.lock);
	a = lookup(h);
	if (a) {
		a->held = true;
		if (a->done)
			agent_free(a);
	}
	pthread_mutex_unlock(&svc.lock);
}

int sim_service_init(sim_service_fn start)
{
	uint32_t i, k = sim_cfg.service_workers;

	svc.start = start;
	if (!k)
		return 0;
	svc.agents = sim_xcalloc(k, sizeof(*svc.agents));
	svc.idle = sim_xmalloc(k * sizeof(*svc.idle));
	/* slot 0 is taken first: the stack pops from its end */
	for (i = 0; i < k; i++)
		svc.idle[i] = k - 1 - i;
	svc.nidle = k;
	return 0;
}

void sim_service_release(void)
{
	free(svc.agents);
	free(svc.idle);
	free(svc.q);
	svc.agents = NULL;
	svc.idle = NULL;
	svc.q = NULL;
	svc.nidle = 0;
	svc.qhead = svc.qlen = svc.qcap = 0;
}

void sim_service_enqueue(uint64_t arg)
{
	pthread_mutex_lock(&svc.lock);
	if (svc.qlen == svc.qcap) {
		size_t cap = svc.qcap ? svc.qcap * 2 : 64, i;
		uint64_t *q = sim_xmalloc(cap * sizeof(*q));

		for (i = 0; i < svc.qlen; i++)
			q[i] = svc.q[(svc.qhead + i) % svc.qcap];
		free(svc.q);
		svc.q = q;
		svc.qcap = cap;
		svc.qhead = 0;
	}
	svc.q[(svc.qhead + svc.qlen) % svc.qcap] = arg;
	svc.qlen++;
	dispatch();
	/* what is left waits: a task taken at once never queued */
	if (svc.qlen > svc.qmax)
		svc.qmax = svc.qlen;
	pthread_mutex_unlock(&svc.lock);
}

void sim_service_done(uint64_t agent)
{
	struct service_agent *a;

	pthread_mutex_lock(&svc.lock);
	a = lookup(agent);
	if (a) {
		a->done = true;
		if (a->held)
			agent_free(a);
	}
	pthread_mutex_unlock(&svc.lock);
}

void sim_service_counts(struct sim_service_counts *out)
{
	pthread_mutex_lock(&svc.lock);
	out->queue = svc.qlen;
	out->queue_max = svc.qmax;
	out->busy = sim_cfg.service_workers - svc.nidle;
	pthread_mutex_unlock(&svc.lock);
}
