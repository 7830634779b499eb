"""Locust's row of make bench-clients: the flow lean_sse.c and gwstress run.

Each user, once: submit a task (POST /api/v1/message:stream), subscribe to
its stream (GET /api/v1/sse/subscribe/ID) and count SSE events
(blank-line separated blocks with at least one field; comments such as
pings are not events) until `event: final_response`, then close the
stream and idle.  When every user has finished (reached final_response or
failed) the run quits; --run-time bounds it in any case.

FastHttpUser (geventhttpclient), as Locust recommends for throughput; one
process, the way `locust --headless` runs unless told to fork workers.

Environment (set by test/bench/bench_clients.sh):
  BENCH_PROMPT     the task text, with gwsim's [gwsim:...] directives
  BENCH_USERS      users; must equal locust's -u
  BENCH_TIMEOUT_S  socket timeout of every request (default 120)
  BENCH_AGENT      metadata.agent_name (default TestAgent)
  BENCH_OUT        file that gets the result line (default stdout):
    streams= completed= events= span_s= peak_open= errors=
  the same line lean_sse prints.

  locust -f test/bench/locust_sse.py --headless -u 25 -r 25 \\
      --run-time 120s --host http://127.0.0.1:PORT
"""

import os
import sys
import time

import gevent
from locust import FastHttpUser, constant, events, task

PROMPT = os.environ.get("BENCH_PROMPT", "hello")
USERS = int(os.environ.get("BENCH_USERS", "1"))
TIMEOUT_S = float(os.environ.get("BENCH_TIMEOUT_S", "120"))
AGENT = os.environ.get("BENCH_AGENT", "TestAgent")
OUT = os.environ.get("BENCH_OUT")


class State:
    """Totals over every user; one process, one gevent loop: no lock."""

    finished = completed = events = errors = 0
    open_now = open_peak = 0
    t_first = None
    t_last = None
    written = False


def write_result():
    """The result line, once (the quit path and the quitting hook)."""
    if State.written:
        return
    State.written = True
    span = 0.0
    if State.t_first is not None and State.t_last is not None:
        span = State.t_last - State.t_first
    line = (f"streams={USERS} completed={State.completed} "
            f"events={State.events} span_s={span:.3f} "
            f"peak_open={State.open_peak} errors={USERS - State.completed}"
            f" (exceptions {State.errors})\n")
    if OUT:
        with open(OUT, "w", encoding="ascii") as f:
            f.write(line)
    else:
        sys.stdout.write(line)


@events.quitting.add_listener
def _on_quitting(environment, **_kw):
    write_result()


class SseUser(FastHttpUser):
    """One task, read to its final_response, then idle until the quit."""

    wait_time = constant(0)
    network_timeout = TIMEOUT_S
    connection_timeout = TIMEOUT_S
    done = False

    @task
    def flow(self):
        if self.done:
            gevent.sleep(1)
            return
        self.done = True
        now = time.monotonic()
        if State.t_first is None or now < State.t_first:
            State.t_first = now
        try:
            self.one_task()
        except Exception as e:  # noqa: BLE001 -- errors are data here
            State.errors += 1
            print(f"locust_sse: {type(e).__name__}: {e}", file=sys.stderr)
        State.finished += 1
        if State.finished == USERS:
            write_result()
            gevent.spawn(self.environment.runner.quit)

    def one_task(self):
        body = {
            "jsonrpc": "2.0", "id": "locust", "method": "message/stream",
            "params": {"message": {
                "role": "user", "messageId": "locust-msg", "kind": "message",
                "parts": [{"kind": "text", "text": PROMPT}],
                "metadata": {"agent_name": AGENT}}}}
        r = self.client.post("/api/v1/message:stream", json=body,
                             name="submit")
        r.raise_for_status()
        tid = r.json()["result"]["id"]
        # Connection: close, so that releasing the unfinished response
        # closes the socket instead of pooling it mid-stream.
        r = self.client.get(f"/api/v1/sse/subscribe/{tid}", stream=True,
                            name="subscribe",
                            headers={"Accept": "text/event-stream",
                                     "Connection": "close"})
        r.raise_for_status()
        s = r.stream
        State.open_now += 1
        State.open_peak = max(State.open_peak, State.open_now)
        fields = final = False
        try:
            while True:
                line = s.readline()
                if not line:
                    raise EOFError("stream ended before final_response")
                line = line.rstrip(b"\r\n")
                if not line:
                    if fields:
                        State.events += 1
                        if final:
                            break
                    fields = final = False
                elif line[:1] != b":":
                    fields = True
                    if line.startswith(b"event:"):
                        final = line[6:].strip() == b"final_response"
        finally:
            State.open_now -= 1
            s.release()
        State.completed += 1
        now = time.monotonic()
        if State.t_last is None or now > State.t_last:
            State.t_last = now
