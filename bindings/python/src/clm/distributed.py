"""clm on a Dask cluster: the same answers as the single-process ``clm`` command.

    python3 -m clm.distributed {status|funnel|time-in-stage|forecast|recommend}
        --model M --events F [F...] [--policy P] --as-of D [--limit N]
        (--workers N | --scheduler ADDRESS) --json

prints exactly what ``clm COMMAND --model M --events F --as-of D ... --json``
prints. The portfolio is split into parts by a stable hash of each customer's
account (else customer id; :func:`clm.partials.partition_of`); every part is a
Dask task that reads the event files itself and keeps its own rows (the log
never passes through the client), computes a mergeable partial
(:mod:`clm.partials`), and the partials are merged on the workers in a tree.
The recommendations run the single-process ranking on every part (each capped
at the limit) and merge the ranked lists by the ranking key (score
descending, then customer id, then rule order). Progress goes to stderr.

The same as a Python API returning the parsed documents::

    from clm import distributed
    doc = distributed.run("funnel", "model.json", ["log.csv"], "2017-12-31", workers=2)

Needs Dask's ``distributed`` package (Debian: ``python3-distributed``, for
``/usr/bin/python3``); the rest of the ``clm`` package does not. The workers
need the ``clm`` package, libclm, the model, the policy and the event files
at the same paths (docs/distributed.md).
"""

from __future__ import annotations

import argparse
import heapq
import json
import re
import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

__all__ = ["Job", "DistributedError", "run", "run_text", "split_events", "merge_recommendations", "ANALYSES", "COMMANDS"]

#: The commands whose answers are merged partials (clm.partials).
ANALYSES = ("status", "funnel", "time-in-stage", "forecast")
#: Every command of ``python3 -m clm.distributed``.
COMMANDS = ANALYSES + ("recommend",)


class DistributedError(Exception):
    """A distributed run failed: bad input in a part, a worker that failed,
    or a scheduler that cannot be reached. No partial result is returned."""


@dataclass(frozen=True)
class Job:
    """What every part of one run needs (sent to the workers; small)."""

    model: str
    events: tuple[str, ...]
    as_of: str
    parts: int
    policy: str | None = None
    limit: int = 0
    presplit: bool = False  # events[k] holds exactly the rows of part k

    def cache_key(self, part: int) -> tuple[Any, ...]:
        return (self.model, self.events, self.as_of, self.parts, part)


# ---------------------------------------------------------------------------
# Worker side: module-level functions, so that Dask sends them by reference.
# A task returns ("ok", parts, text) or ("error", parts, message): bad input is
# an answer, not an exception for Dask to retry. A worker that dies is
# replaced by Dask, which runs its tasks again: each part is one task key, so
# a rerun replaces a result and never adds a second one.

_PORTFOLIOS: dict[tuple[Any, ...], Any] = {}  # this worker's loaded parts (the forecast's two rounds share them)


def _portfolio(job: Job, part: int) -> Any:
    import clm

    key = job.cache_key(part)
    p = _PORTFOLIOS.get(key)
    if p is None:
        for old in [k for k in _PORTFOLIOS if k[:4] != key[:4]]:  # another run's parts
            _PORTFOLIOS.pop(old).close()
        p = clm.Portfolio()
        p.add_model(clm.Model.load(job.model))
        if job.presplit:
            p.import_csv_file(job.events[part])  # already this part's rows: read only them
        else:
            p.import_partition(list(job.events), job.as_of, part, job.parts)
        _PORTFOLIOS[key] = p
    return p


def _guard(part: int, body: Callable[[], str]) -> tuple[str, tuple[int, ...], str]:
    try:
        return ("ok", (part,), body())
    except Exception as e:  # noqa: BLE001 - reported to the client as this part's answer
        from clm.errors import ClmError

        text = str(e) if isinstance(e, ClmError) else f"{type(e).__name__}: {e}"
        return ("error", (part,), text)


def _partial_task(job: Job, part: int, analysis: str, fit: Any = None, _after: Any = None) -> tuple[str, tuple[int, ...], str]:
    """One part's partial of ``analysis`` (``fit``: the merged forecast-fit result)."""

    if fit is not None and fit[0] != "ok":
        return fit  # the first round failed: its error is the answer

    def body() -> str:
        fit_text = None if fit is None else fit[2]
        return str(_portfolio(job, part).partial(analysis, job.as_of, fit=fit_text))

    return _guard(part, body)


def _recommend_task(job: Job, part: int, fit: Any = None, _after: Any = None) -> tuple[str, tuple[int, ...], str]:
    """One part's ranked recommendations (the JSON of ``clm recommend --json``), capped at the limit.
    ``fit``: the merged forecast-fit result of every part, so that each deal's p_won (in the
    scores and the JSON) is the whole portfolio's, not the part's."""

    def body() -> str:
        import ctypes

        from clm import _lib
        from clm.model import _take_string
        from clm.policy import Policy, _Options

        p = _portfolio(job, part)
        with Policy.load(job.policy or "") as pol:
            opts = _Options()
            opts.struct_size = ctypes.sizeof(_Options)
            opts.limit = job.limit
            opts.threads = 1  # one task per worker thread
            fit_bytes = b""
            if fit is not None:
                if fit[0] != "ok":
                    raise ValueError(fit[2])
                fit_bytes = fit[2].encode()
                opts.forecast_fit = fit_bytes
                opts.forecast_fit_len = len(fit_bytes)
            out, length = ctypes.c_void_p(), ctypes.c_size_t()
            _lib.lib.clm_policy_recommend(
                ctypes.byref(out), ctypes.byref(length), pol._handle(), p._handle(), job.as_of.encode(), ctypes.byref(opts)
            )
            return str(_take_string(out, length.value))

    return _guard(part, body)


def _first_error(a: tuple[str, tuple[int, ...], str], b: tuple[str, tuple[int, ...], str]) -> tuple[str, tuple[int, ...], str]:
    # The error of the earliest line (as a single pass would meet it first), else of the lower part.
    def where(r: tuple[str, tuple[int, ...], str]) -> tuple[int, int]:
        m = re.search(r":(\d+)(?::\d+)?: ", r[2])
        return (int(m.group(1)) if m else sys.maxsize, min(r[1]))

    errors = [r for r in (a, b) if r[0] == "error"]
    return min(errors, key=where)


def _merge_task(a: tuple[str, tuple[int, ...], str], b: tuple[str, tuple[int, ...], str]) -> tuple[str, tuple[int, ...], str]:
    """Merges two results: partials merged, parts united (never twice), the first error kept."""
    if a[0] != "ok" or b[0] != "ok":
        return _first_error(a, b)
    if set(a[1]) & set(b[1]):
        return ("error", a[1] + b[1], f"part(s) {sorted(set(a[1]) & set(b[1]))} merged twice")
    from clm import partials

    r = _guard(min(a[1] + b[1]), lambda: partials.merge(a[2], b[2]))
    return (r[0], a[1] + b[1], r[2])


def _finish_task(job: Job, merged: tuple[str, tuple[int, ...], str]) -> tuple[str, tuple[int, ...], str]:
    """The whole portfolio's document from the merged partial (what ``clm ... --json`` prints)."""
    if merged[0] != "ok":
        return merged
    if sorted(merged[1]) != list(range(job.parts)):
        return ("error", merged[1], f"parts {sorted(merged[1])} merged, expected 0..{job.parts - 1}")

    def body() -> str:
        import clm
        from clm import partials

        with clm.Model.load(job.model) as m:
            return str(partials.finish(m, merged[2], indent=2))

    r = _guard(0, body)
    return (r[0], merged[1], r[2])


# ---------------------------------------------------------------------------
# Client side.


def _say(progress: bool, text: str) -> None:
    if progress:
        print(f"clm.distributed: {text}", file=sys.stderr, flush=True)


def _wait(client: Any, futures: list[Any], what: str, progress: bool) -> None:
    """Waits for every future, reporting progress on stderr."""
    from distributed import as_completed

    done = 0
    for _ in as_completed(futures):
        done += 1
        _say(progress, f"{what}: {done}/{len(futures)} parts")


def _tree_merge(client: Any, futures: list[Any]) -> Any:
    """Merges the parts' results pairwise on the workers (a balanced tree: merging is associative)."""
    level = list(futures)
    while len(level) > 1:
        nxt = [client.submit(_merge_task, level[i], level[i + 1], pure=False) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def _result(r: tuple[str, tuple[int, ...], str]) -> str:
    if r[0] != "ok":
        raise DistributedError(r[2])
    return r[2]


def _run_analysis(client: Any, job: Job, command: str, progress: bool) -> str:
    parts = range(job.parts)
    if command == "forecast":
        fits = [client.submit(_partial_task, job, k, "forecast-fit", pure=False) for k in parts]
        _wait(client, fits, "forecast: stays and amounts", progress)
        fit = _tree_merge(client, fits)
        # Each part's second round runs where its first did (the part is loaded there).
        futures = [client.submit(_partial_task, job, k, "forecast", fit, fits[k], pure=False) for k in parts]
        _wait(client, futures, "forecast: open deals scored", progress)
    else:
        futures = [client.submit(_partial_task, job, k, command, pure=False) for k in parts]
        _wait(client, futures, command, progress)
    final = client.submit(_finish_task, job, _tree_merge(client, futures), pure=False)
    return _result(final.result())


class _Number(str):
    """A JSON number with a fraction, kept as clm wrote it: Python would print
    some doubles with fewer digits than clm does, and the merged document must
    be the single-process one byte for byte."""


def _dump_as_clm(o: Any, level: int = 0) -> str:
    """JSON text as clm's `--json` writes it (nlohmann's dump(2)): two-space
    indents, "key": value, [] and {} when empty, UTF-8 kept, numbers as read."""
    pad, end = "  " * (level + 1), "  " * level
    if isinstance(o, dict):
        if not o:
            return "{}"
        items = (pad + json.dumps(k, ensure_ascii=False) + ": " + _dump_as_clm(v, level + 1) for k, v in o.items())
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(o, list):
        if not o:
            return "[]"
        return "[\n" + ",\n".join(pad + _dump_as_clm(v, level + 1) for v in o) + "\n" + end + "]"
    if isinstance(o, _Number):
        return str(o)
    return json.dumps(o, ensure_ascii=False)


def _recommendation_key(rec: dict[str, Any]) -> tuple[float, bytes]:
    # The ranking of top_k.hpp: score descending, then customer id (bytes);
    # rule order settles the rest, and only within one customer, so within one
    # part, whose list is already in that order (the merge below is stable).
    return (-float(rec["score"]), str(rec["customer_id"]).encode("utf-8"))


def merge_recommendations(documents: Sequence[dict[str, Any]], limit: int) -> dict[str, Any]:
    """Merges the ranked recommendation documents of the parts (each the JSON
    of ``clm recommend --json`` over one part, capped at ``limit``) into the
    whole portfolio's: the global top ``limit`` (0: all), ranked again. Generic
    over the records: only "score", "customer_id" and "rank" are read."""
    if not documents:
        raise DistributedError("no parts to merge")
    lists = [d["recommendations"] for d in documents]
    merged = list(heapq.merge(*lists, key=_recommendation_key))
    if limit:
        merged = merged[:limit]
    out: dict[str, Any] = {}
    for key, value in documents[0].items():
        out[key] = value
    for i, rec in enumerate(merged):
        if "rank" in rec:
            rec["rank"] = i + 1
    out["count"] = len(merged)
    out["recommendations"] = merged
    return out


def _run_recommend(client: Any, job: Job, progress: bool) -> str:
    # The forecast's fit first (the stays of every part, merged): every part scores its deals'
    # p_won with the whole portfolio's fit, as the single process does.
    fits = [client.submit(_partial_task, job, k, "forecast-fit", pure=False) for k in range(job.parts)]
    _wait(client, fits, "recommend: stays", progress)
    fit = _tree_merge(client, fits)
    futures = [client.submit(_recommend_task, job, k, fit, fits[k], pure=False) for k in range(job.parts)]
    _wait(client, futures, "recommend", progress)
    results = client.gather(futures)
    errors = [r for r in results if r[0] != "ok"]
    if errors:
        raise DistributedError(_first_error(errors[0], errors[-1])[2] if len(errors) > 1 else errors[0][2])
    if sorted(p for r in results for p in r[1]) != list(range(job.parts)):
        raise DistributedError("a part's recommendations are missing or counted twice")
    doc = merge_recommendations([json.loads(r[2], parse_float=_Number) for r in results], job.limit)
    return _dump_as_clm(doc) + "\n"


def _connect(workers: int | None, scheduler: str | None, timeout: float) -> tuple[Any, Any]:
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError as e:
        raise DistributedError(
            f"Dask's distributed package is missing ({e}): install python3-distributed (Debian) and run /usr/bin/python3"
        ) from e
    if scheduler is not None:
        try:
            return Client(scheduler, timeout=timeout), None
        except (OSError, TimeoutError) as e:
            raise DistributedError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from e
    cluster = LocalCluster(
        n_workers=workers or 1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster


def run_text(
    command: str,
    model: str,
    events: Sequence[str],
    as_of: str,
    *,
    policy: str | None = None,
    limit: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    parts: int | None = None,
    presplit: bool = False,
    progress: bool = False,
    timeout: float = 10.0,
) -> str:
    """Runs ``command`` on a Dask cluster and returns exactly what ``clm
    COMMAND ... --json`` prints. The cluster is ``client`` (an existing
    ``distributed.Client``), else a scheduler at ``scheduler``, else a
    LocalCluster of ``workers`` processes. ``parts`` defaults to the number of
    worker threads. ``presplit``: the event files are already split by the
    partitioning contract, file k holding exactly the rows of part k of
    len(events) (each part then reads only its file). Raises :class:`DistributedError` (bad input in a part, a
    failed worker, an unreachable scheduler) and ``ValueError`` for bad arguments."""
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r} ({', '.join(COMMANDS)})")
    if command == "recommend" and not policy:
        raise ValueError("recommend needs a policy")
    if command != "recommend" and (policy or limit):
        raise ValueError(f"{command} takes no policy or limit")
    if not events:
        raise ValueError("at least one event file is needed")
    if limit < 0:
        raise ValueError("limit must be >= 0")
    if sum(x is not None for x in (workers, scheduler, client)) != 1:
        raise ValueError("give exactly one of workers, scheduler or client")
    if presplit:
        if parts is not None and parts != len(events):
            raise ValueError("with presplit files, the parts are the files")
        parts = len(events)
    own_cluster = None
    if client is None:
        client, own_cluster = _connect(workers, scheduler, timeout)
        own_client = True
    else:
        own_client = False
    try:
        if parts is None:
            parts = max(1, sum(client.nthreads().values()))
        job = Job(model, tuple(str(e) for e in events), str(as_of), int(parts), policy, int(limit), presplit)
        _say(progress, f"{command} in {job.parts} parts on {len(client.nthreads())} workers")
        text = _run_recommend(client, job, progress) if command == "recommend" else _run_analysis(client, job, command, progress)
        return text
    except DistributedError:
        raise
    except Exception as e:  # a worker that cannot even run the task (e.g. cannot load libclm)
        raise DistributedError(f"a worker failed: {type(e).__name__}: {e}") from e
    finally:
        if own_client:
            client.close()
        if own_cluster is not None:
            own_cluster.close()


def run(command: str, model: str, events: Sequence[str], as_of: str, **kwargs: Any) -> dict[str, Any]:
    """Like :func:`run_text`, returning the parsed document (a dict)."""
    return json.loads(run_text(command, model, events, as_of, **kwargs))  # type: ignore[no-any-return]


def split_events(events: Sequence[str], as_of: str, parts: int, out_dir: str) -> list[str]:
    """Splits event-log CSV files by the partitioning contract into ``parts``
    files ``OUT_DIR/part-K.csv`` (file K: the rows of part K, with the header),
    for runs with ``presplit``. One pass to learn the accounts as of
    ``as_of``, one to write. Returns the paths."""
    import csv
    import os

    from clm import partials

    day = as_of[:10]
    accounts: dict[str, tuple[str, str]] = {}  # customer -> (time, account)
    for path in events:
        with open(path, newline="", encoding="utf-8-sig") as f:
            r = csv.reader(f)
            head = next(r)
            c, t, ty, v = (head.index(x) for x in ("customer_id", "timestamp", "type", "value"))
            for row in r:
                if len(row) == len(head) and row[ty] == "attribute" and row[v].startswith("account="):
                    when = row[t].replace(" ", "T")
                    old = accounts.get(row[c])
                    if when[:10] <= day and (old is None or when >= old[0]):
                        accounts[row[c]] = (when, row[v][len("account="):])
    os.makedirs(out_dir, exist_ok=True)
    paths = [os.path.join(out_dir, f"part-{k}.csv") for k in range(parts)]
    outs = [open(p, "w", newline="", encoding="utf-8") for p in paths]
    try:
        writers = [csv.writer(o, lineterminator="\n") for o in outs]
        cache: dict[str, int] = {}
        wrote_header = False
        for path in events:
            with open(path, newline="", encoding="utf-8-sig") as f:
                r = csv.reader(f)
                head = next(r)
                if not wrote_header:
                    for w in writers:
                        w.writerow(head)
                    wrote_header = True
                c = head.index("customer_id")
                for row in r:
                    if not row:
                        continue
                    if len(row) <= c:
                        for w in writers:
                            w.writerow(row)
                        continue
                    acc = accounts.get(row[c])
                    key = acc[1] if acc and acc[1] else row[c]
                    k = cache.get(key)
                    if k is None:
                        k = cache[key] = partials.partition_of(key, parts)
                    writers[k].writerow(row)
    finally:
        for o in outs:
            o.close()
    return paths


def _valid_date(text: str) -> bool:
    import datetime as dt

    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}:\d{2})?", text):
        return False
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status (0, 1 for a failed run, 2 for a usage mistake)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["split"]:
        sp = argparse.ArgumentParser(prog="python3 -m clm.distributed split",
                                     description="split event logs by the partitioning contract, for --presplit")
        sp.add_argument("--events", required=True, nargs="+")
        sp.add_argument("--as-of", required=True)
        sp.add_argument("--parts", required=True, type=int)
        sp.add_argument("--out", required=True, help="directory for part-K.csv")
        b = sp.parse_args(argv[1:])
        if b.parts < 1 or not _valid_date(b.as_of):
            sp.error("--parts must be >= 1 and --as-of a date")
        for path in split_events(b.events, b.as_of, b.parts, b.out):
            print(path)
        return 0
    ap = argparse.ArgumentParser(prog="python3 -m clm.distributed", description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=COMMANDS)
    ap.add_argument("--model", required=True)
    ap.add_argument("--events", required=True, nargs="+")
    ap.add_argument("--policy")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--limit", type=int, default=0)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--workers", type=int)
    where.add_argument("--scheduler")
    ap.add_argument("--parts", type=int, help="parts to split into (default: the number of worker threads)")
    ap.add_argument("--presplit", action="store_true",
                    help="the event files are already split by clm_partition_of(): file k is part k of the number of files")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the scheduler (default 10)")
    ap.add_argument("--json", action="store_true", required=False)
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    a = ap.parse_args(argv)
    if not a.json:
        ap.error("--json is required: the distributed run prints the commands' JSON")
    if a.command == "recommend" and not a.policy:
        ap.error("recommend needs --policy")
    if a.command != "recommend" and (a.policy or a.limit):
        ap.error(f"{a.command} takes no --policy or --limit")
    if a.workers is not None and a.workers < 1:
        ap.error("--workers needs a whole number >= 1")
    if not _valid_date(a.as_of):
        ap.error(f"--as-of needs a date, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (a real calendar day), got {a.as_of!r}")
    if a.presplit and a.parts is not None:
        ap.error("--presplit takes no --parts: the parts are the files")
    if a.limit < 0 or (a.parts is not None and a.parts < 1):
        ap.error("--limit must be >= 0 and --parts >= 1")
    try:
        text = run_text(
            a.command,
            a.model,
            a.events,
            a.as_of,
            policy=a.policy,
            limit=a.limit,
            workers=a.workers,
            scheduler=a.scheduler,
            parts=a.parts,
            presplit=a.presplit,
            progress=not a.quiet,
            timeout=a.timeout,
        )
    except DistributedError as e:
        print(f"clm.distributed {a.command}: {e}", file=sys.stderr)
        print(f"clm.distributed {a.command}: no result (the run did not complete)", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    # Run as the module clm.distributed, not as __main__: the tasks must reach
    # the workers by reference to clm.distributed (their cache lives there).
    from clm.distributed import main as _main

    sys.exit(_main())
