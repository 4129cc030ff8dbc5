#!/usr/bin/env python3
"""Times forward + backward of torchvision.ops.deform_conv2d (CPU), the reference for `dsa bench deform`.

Same protocol as src/Dsa/Benchmarks/DeformConvBenchmark.cs: 3x3 kernel, stride 1, padding 1, one
offset group, mask given; weight/bias as a parameter, input/offset/mask fresh leaves requiring grad
each run; median of --repeats runs after --warmup runs. Peak memory is the process's VmHWM (peak
resident set), reset before each case through /proc/self/clear_refs where allowed.

Needs Debian's python3-torchvision (apt-get install -y python3-torchvision). Writes a JSON list with
the same field names as DeformConvBenchmarkResult (camelCase) to --json, and prints a table.
"""
import argparse
import json
import statistics
import time

import torch
import torchvision
from torchvision.ops import deform_conv2d

from peak_memory import peak_resident_bytes, reset_peak

DEFAULT_SHAPES = ["hrnet-w48-b8=8,48,96,72,48", "paper-gab-b4=4,48,96,72,48"]


def run_case(name, b, c, h, w, cout, repeats, warmup):
    torch.manual_seed(0)
    weight = torch.nn.Parameter(torch.empty(cout, c, 3, 3))
    bias = torch.nn.Parameter(torch.empty(cout))
    torch.nn.init.kaiming_uniform_(weight, a=5 ** 0.5)
    torch.nn.init.uniform_(bias, -1 / (c * 9) ** 0.5, 1 / (c * 9) ** 0.5)
    x0 = torch.randn(b, c, h, w)
    offset0 = torch.randn(b, 18, h, w) * 2
    mask0 = torch.sigmoid(torch.randn(b, 9, h, w))
    grad_output = torch.randn(b, cout, h, w)

    def step():
        weight.grad = None
        bias.grad = None
        x = x0.detach().requires_grad_(True)
        offset = offset0.detach().requires_grad_(True)
        mask = mask0.detach().requires_grad_(True)
        y = deform_conv2d(x, offset, weight, bias, padding=(1, 1), mask=mask)
        y.backward(grad_output)

    for _ in range(warmup):
        step()
    reset = reset_peak()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return {
        "implementation": f"torchvision.ops.deform_conv2d (torchvision {torchvision.__version__}, torch {torch.__version__})",
        "case": name,
        "inputShape": [b, c, h, w],
        "outChannels": cout,
        "repeats": repeats,
        "medianSeconds": statistics.median(times),
        "minSeconds": min(times),
        "peakResidentBytes": peak_resident_bytes(),
        "peakResetPerCase": reset,
        "torchThreads": torch.get_num_threads(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", action="append", help="NAME=B,C,H,W,Cout (repeatable); default: %s" % " ".join(DEFAULT_SHAPES))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's own)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    results = []
    for spec in args.shape or DEFAULT_SHAPES:
        name, dims = spec.split("=")
        b, c, h, w, cout = (int(v) for v in dims.split(","))
        results.append(run_case(name, b, c, h, w, cout, args.repeats, args.warmup))
        r = results[-1]
        print(f"{name:14s} {str(r['inputShape']):18s} -> {cout:3d}  median {r['medianSeconds']:.4f} s  "
              f"min {r['minSeconds']:.4f} s  peak RSS {r['peakResidentBytes'] / 2**20:.0f} MiB  threads {r['torchThreads']}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
