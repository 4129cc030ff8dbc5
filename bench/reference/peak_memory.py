"""Peak resident memory of this process (Linux VmHWM), the same counter as src/Dsa/Benchmarks/PeakResidentSet.cs.

Shared by the reference scripts in this folder (Python puts a script's own folder on sys.path).
"""


def reset_peak():
    """Resets VmHWM through /proc/self/clear_refs where the kernel allows it; returns whether it did."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_resident_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("/proc/self/status has no VmHWM line")
