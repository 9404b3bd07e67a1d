"""What the benchmark scripts share: the memory (peak RSS; RSS, PSS, USS) of a process."""

from __future__ import annotations

from pathlib import Path


def peak_rss_mb() -> float:
    """Peak resident set size of this process (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def memory_mb(pid: int | str = "self") -> dict[str, float]:
    """Resident (RSS), proportional (PSS) and unique (USS: private pages) memory of a process, MB."""
    fields = {"Rss:": 0, "Pss:": 0, "Private_Clean:": 0, "Private_Dirty:": 0}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, value = line.split()[:2]
        if key in fields:
            fields[key] = int(value)
    uss = fields["Private_Clean:"] + fields["Private_Dirty:"]
    return {"rss": fields["Rss:"] / 1024, "pss": fields["Pss:"] / 1024, "uss": uss / 1024}
