#!/usr/bin/env python3
"""Markdown tables of a run-peers.sh results file: medians over rounds, per scenario and target.

Usage: peers-table.py RESULTS.jsonl CLK_TCK. Each line is one PeerBench result whose label is
"ROUND SCENARIO TARGET". Differences to direct ("added") and ratios to direct are taken within a round, then the
median over rounds is shown, so a slow round shifts all three targets alike.
"""
import json
import statistics
import sys
from collections import defaultdict

TARGETS = ("direct", "nginx", "broker")


def load(path):
    runs = defaultdict(dict)  # (scenario, round) -> target -> result
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        rnd, scenario, target = r["label"].split()
        runs[(scenario, rnd)][target] = r
    return runs


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, spec, suffix=""):
    return "–" if value is None else format(value, spec) + suffix


def per_round(runs, scenario, target, fn):
    out = []
    for (s, _), by_target in sorted(runs.items()):
        if s == scenario and target in by_target and "direct" in by_target:
            out.append(fn(by_target[target], by_target["direct"]))
    return out


def rate(r):
    return (r["tokens"] if r["mode"] == "sse" else r["completed"]) / r["seconds"]


def proxy_cpu(r, clk, without_jit=False):
    """CPU seconds per 1,000 tokens (SSE) or microseconds per round trip (Realtime); None without a proxy.

    without_jit leaves out the proxy's JIT compiler threads (a JVM's; nginx has none), where the result has them.
    """
    if r["proxy_ticks"] < 0 or "direct" in r["label"].split()[2]:
        return None
    ticks = r["proxy_ticks"]
    if without_jit:
        if r.get("proxy_jit_ticks", -1) < 0:
            return None
        ticks -= r["proxy_jit_ticks"]
    seconds = ticks / clk
    if r["mode"] == "sse":
        return 1000 * seconds / max(r["tokens"], 1)
    return 1e6 * seconds / max(r["completed"], 1)


def core1(r, clk):
    ticks = r["mock_ticks"] + r["client_ticks"]
    return None if r["mock_ticks"] < 0 else 100 * ticks / clk / r["seconds"]


def rows(runs, clk, mode):
    scenarios = sorted({s for (s, _) in runs}, key=lambda s: (s.startswith("ws"), len(s), s))
    table = {}
    for scenario in scenarios:
        sample = next(iter(runs[next(k for k in runs if k[0] == scenario)].values()))
        if sample["mode"] != mode:
            continue
        for target in TARGETS:
            rs = [by[target] for (s, _), by in runs.items() if s == scenario and target in by]
            if not rs:
                continue
            table[(scenario, target)] = {
                "rate": med(rate(r) for r in rs),
                "ratio": med(per_round(runs, scenario, target, lambda t, d: rate(t) / max(rate(d), 1e-9))),
                "p50": med(r["latency_p50_us"] for r in rs),
                "p99": med(r["latency_p99_us"] for r in rs),
                "added": med(per_round(runs, scenario, target,
                                       lambda t, d: t["latency_p50_us"] - d["latency_p50_us"])),
                "cpu": med(proxy_cpu(r, clk) for r in rs),
                "cpu_nojit": med(proxy_cpu(r, clk, True) for r in rs),
                "core1": med(core1(r, clk) for r in rs),
                "errors": sum(r["errors"] for r in rs),
                "n": len(rs),
            }
    return table


def print_sse(t):
    print("| run | target | tokens/s | of direct | TTFT p50 / p99 ms | added TTFT p50 ms "
          "| proxy CPU s per 1,000 tokens | without JIT threads | core 1 busy | errors | rounds |")
    print("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for (scenario, target), v in t.items():
        print(f"| {scenario} | {target} | {fmt(v['rate'], ',.0f')} | {fmt(v['ratio'], '.2f')} "
              f"| {fmt(v['p50'] / 1000, '.2f')} / {fmt(v['p99'] / 1000, '.2f')} "
              f"| {fmt(None if target == 'direct' else v['added'] / 1000, '+.2f')} | {fmt(v['cpu'], '.3f')} "
              f"| {fmt(v['cpu_nojit'], '.3f')} "
              f"| {fmt(v['core1'], '.0f', ' %')} | {v['errors']} | {v['n']} |")


def print_ws(t):
    print("| run | target | round trips/s | of direct | RTT p50 / p99 µs | added p50 µs "
          "| proxy CPU µs per round trip | without JIT threads | core 1 busy | errors | rounds |")
    print("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for (scenario, target), v in t.items():
        print(f"| {scenario} | {target} | {fmt(v['rate'], ',.0f')} | {fmt(v['ratio'], '.2f')} "
              f"| {fmt(v['p50'], ',.0f')} / {fmt(v['p99'], ',.0f')} "
              f"| {fmt(None if target == 'direct' else v['added'], '+,.0f')} | {fmt(v['cpu'], ',.1f')} "
              f"| {fmt(v['cpu_nojit'], ',.1f')} "
              f"| {fmt(v['core1'], '.0f', ' %')} | {v['errors']} | {v['n']} |")


def print_goals(sse, ws):
    def get(table, scenario, target, key):
        v = table.get((scenario, target))
        return None if v is None else v[key]

    goals = [
        ("SSE proxy CPU s per 1,000 tokens, sequential", sse, "sse-seq", "cpu", ".3f", 1),
        ("SSE proxy CPU s per 1,000 tokens, 50 streams", sse, "sse-50", "cpu", ".3f", 1),
        ("SSE proxy CPU s per 1,000 tokens, 200 streams", sse, "sse-200", "cpu", ".3f", 1),
        ("SSE proxy CPU s per 1,000 tokens, 50 streams, without JIT compiler threads", sse, "sse-50",
         "cpu_nojit", ".3f", 1),
        ("SSE proxy CPU s per 1,000 tokens, 200 streams, without JIT compiler threads", sse, "sse-200",
         "cpu_nojit", ".3f", 1),
        ("SSE peak tokens/s at 200 streams, 0 ms gap, as a fraction of direct", sse, "sse-200-peak", "ratio",
         ".2f", 1),
        ("SSE added TTFT p50 at 200 streams, ms", sse, "sse-200", "added", "+.2f", 1e-3),
        ("Realtime added round-trip p50 at 1 connection, µs", ws, "ws-1", "added", "+,.0f", 1),
        ("Realtime round trips/s at 50 connections, as a fraction of direct", ws, "ws-50", "ratio", ".2f", 1),
        ("Realtime added round-trip p50 at 50 connections, µs", ws, "ws-50", "added", "+,.0f", 1),
        ("Realtime proxy CPU µs per round trip, 1 connection", ws, "ws-1", "cpu", ",.1f", 1),
        ("Realtime proxy CPU µs per round trip, 50 connections", ws, "ws-50", "cpu", ",.1f", 1),
    ]
    print("| goal | nginx | Switchboard | Switchboard ÷ nginx |")
    print("|---|---:|---:|---:|")
    for name, table, scenario, key, spec, scale in goals:
        n, b = get(table, scenario, "nginx", key), get(table, scenario, "broker", key)
        if n is None and b is None:
            continue
        n = None if n is None else n * scale
        b = None if b is None else b * scale
        ratio = b / n if n and b is not None and n > 0 else None
        print(f"| {name} | {fmt(n, spec)} | {fmt(b, spec)} | {fmt(ratio, '.1f', '×')} |")


def main():
    runs = load(sys.argv[1])
    clk = float(sys.argv[2]) if len(sys.argv) > 2 else 100.0
    sse, ws = rows(runs, clk, "sse"), rows(runs, clk, "ws")
    if sse:
        print("SSE chat-completion streams (medians over rounds):\n")
        print_sse(sse)
        print()
    if ws:
        print("Realtime round trips (medians over rounds):\n")
        print_ws(ws)
        print()
    print("Goals:\n")
    print_goals(sse, ws)
    loads = [float(r["loadavg"].split()[0]) for by in runs.values() for r in by.values() if r.get("loadavg")]
    if loads:
        print(f"\nLoad average (1 min) at the end of the {len(loads)} measured windows: median "
              f"{statistics.median(loads):.2f}, range {min(loads):.2f}–{max(loads):.2f}.")


if __name__ == "__main__":
    main()
