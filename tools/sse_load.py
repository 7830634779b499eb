#!/usr/bin/env python3
# Measurement helper for gwsim (not part of the test suite): open N
# concurrent SSE subscriptions over raw asyncio sockets and report how
# many reached final_response, plus gwsim's CPU time and RSS from /proc.
#
#   gwsim --port 0 --ready-fd 3 3>port &
#   python3 tools/sse_load.py --port $(cat port) --pid $! \
#       --streams 5000 --events 10 --interval-ms 100
#
# --idle N subscribes to N unknown task ids instead (streams that only
# ever get pings) and measures gwsim's CPU while they sit idle.
import argparse
import asyncio
import json
import os
import time

HZ = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


async def http(port, method, path, body=None):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    data = json.dumps(body).encode() if body is not None else b""
    w.write(f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}"
            f"\r\n\r\n".encode() + data)
    await w.drain()
    resp = await r.read()
    w.close()
    return json.loads(resp.split(b"\r\n\r\n", 1)[1])


async def submit(port, text):
    body = {"jsonrpc": "2.0", "id": "1", "method": "message/stream",
            "params": {"message": {"role": "user", "messageId": "m",
                                   "kind": "message",
                                   "parts": [{"kind": "text", "text": text}],
                                   "metadata": {"agent_name": "TestAgent"}}}}
    return (await http(port, "POST", "/api/v1/message:stream", body))["result"]["id"]


async def subscribe(port, task, deadline, stats):
    try:
        r, w = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        stats["connect_errors"] += 1
        return
    w.write(f"GET /api/v1/sse/subscribe/{task} HTTP/1.1\r\nHost: x\r\n\r\n"
            .encode())
    await w.drain()
    stats["open"] += 1
    stats["peak"] = max(stats["peak"], stats["open"])
    buf = b""
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            chunk = await asyncio.wait_for(r.read(65536), left)
            if not chunk:
                stats["eof"] += 1
                break
            buf += chunk
            if b"event: final_response" in buf:
                stats["finals"] += 1
                stats["events"] += buf.count(b"\r\nevent: ")
                # wait for the terminating chunk, then close
                if not buf.endswith(b"0\r\n\r\n"):
                    try:
                        buf += await asyncio.wait_for(r.read(65536), 2)
                    except asyncio.TimeoutError:
                        pass
                if buf.endswith(b"0\r\n\r\n"):
                    stats["ended"] += 1
                break
    except asyncio.TimeoutError:
        pass
    finally:
        stats["open"] -= 1
        w.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--streams", type=int, default=1000)
    ap.add_argument("--events", type=int, default=10)
    ap.add_argument("--interval-ms", type=int, default=100)
    ap.add_argument("--idle", type=int, default=0)
    ap.add_argument("--idle-s", type=float, default=10)
    a = ap.parse_args()
    stats = dict(open=0, peak=0, finals=0, ended=0, eof=0, events=0,
                 connect_errors=0)
    if a.idle:
        deadline = time.monotonic() + a.idle_s + 30
        tasks = [asyncio.create_task(subscribe(
            a.port, f"gdk-task-idle{i}", deadline, stats))
            for i in range(a.idle)]
        while stats["peak"] < a.idle and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)
        t0, c0 = time.monotonic(), cpu_ticks(a.pid)
        await asyncio.sleep(a.idle_s)
        t1, c1 = time.monotonic(), cpu_ticks(a.pid)
        print(f"idle: {stats['open']} open streams, gwsim CPU "
              f"{(c1 - c0) * 1000 // HZ} ms over {(t1 - t0) * 1000:.0f} ms, "
              f"RSS {rss_kb(a.pid)} KiB")
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return
    delay = 2000 + a.streams  # ms: time to get every subscription in
    sem = asyncio.Semaphore(200)

    async def one(i):
        async with sem:
            return await submit(a.port,
                                f"load {i} [gwsim:first_delay_ms={delay}] "
                                f"[gwsim:events={a.events}] "
                                f"[gwsim:interval_ms={a.interval_ms}]")
    ids = await asyncio.gather(*(one(i) for i in range(a.streams)))
    t0, c0 = time.monotonic(), cpu_ticks(a.pid)
    deadline = t0 + delay / 1000 + a.events * a.interval_ms / 1000 + 60
    subs = [asyncio.create_task(subscribe(a.port, t, deadline, stats))
            for t in ids]
    rss_peak = 0
    while not all(s.done() for s in subs):
        rss_peak = max(rss_peak, rss_kb(a.pid))
        await asyncio.sleep(0.2)
    t1, c1 = time.monotonic(), cpu_ticks(a.pid)
    print(f"streams {a.streams}: peak {stats['peak']} concurrent, "
          f"{stats['finals']} finals, {stats['ended']} ended by the server, "
          f"{stats['events']} events, {stats['connect_errors']} connect "
          f"errors; gwsim CPU {(c1 - c0) * 1000 // HZ} ms over "
          f"{(t1 - t0) * 1000:.0f} ms wall, peak RSS {rss_peak} KiB")


asyncio.run(main())
