"""Where a study's populations train: one after another in this process, or as tasks on Dask's
distributed engine, a LocalCluster of worker processes on this machine (--workers N) or an
existing cluster by its scheduler's address (--scheduler).
Each population is one task; the client submits them in the plan's order, shows one progress bar
over all of them, and hands their outcomes back in the plan's order, so that a study's files are
the same as in one process. A task writes its population's folder itself (the folders must be
on a filesystem the workers share, docs/cluster.md) and checkpoints as it goes, so a task retried
after its worker died resumes where the checkpoint left it. distributed is imported on first use."""

import logging
import os
import uuid

from . import files, runner
from .files import RunError
from .monitor import STUDY_CHUNK, StopRequest

CONNECT_SECONDS = 5  # how long a scheduler has to answer before --scheduler is refused
POLL_SECONDS = 0.5  # how often the client reads the tasks' progress


class Engine:
    """Where a study's populations train, opened for the study: memory (bytes a population may
    take) and workers (how many train at once, 0 in this process) for its plan; train() their
    outcomes in the plan's order. A scheduler is asked at once; a local cluster starts only when
    training does, after the plan."""

    def __init__(self, args):
        self.args, self.client = args, connect(args.scheduler) if args.scheduler else None
        if self.client is not None:
            self.memory, self.workers = memory_per_worker(self.client), len(self.client.scheduler_info()["workers"])
        else:
            self.memory, self.workers = worker_memory(args.workers or 1), args.workers

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        close(self.client)

    def train(self, tutorial, folder, groups, stop, bar):
        """{name: outcome} of every population: one after another here, or as the cluster's tasks."""
        if self.args.workers:
            self.client = start_local(self.args.workers, self.memory)
        if self.client is not None:
            return Populations(self.client, self.args, tutorial, folder, groups).outcomes(bar, stop)
        outcomes = {}
        for name, members in groups.items():
            bar.begin(name, len(members))
            outcomes[name] = runner.population(self.args, tutorial, os.path.join(folder, name), members, stop, bar)
            bar.done(name, outcomes[name])
        return outcomes


def connect(address):
    """A client of the scheduler at address; one that does not answer is one RunError, at once."""
    from distributed import Client

    try:
        return Client(address, timeout=f"{CONNECT_SECONDS}s")
    except (OSError, TimeoutError, ValueError) as error:
        raise RunError(
            f"argument --scheduler: no scheduler answers at {address!r} within {CONNECT_SECONDS} s ({type(error).__name__})"
        ) from None


def start_local(workers, memory=None):
    """A client of a new LocalCluster of worker processes on this machine, each with memory bytes
    (by default its share of the memory available); its dashboard's address is printed."""
    import dask
    from distributed import Client, LocalCluster

    # Dask's workers trim malloc at 64 KiB by default: TensorFlow then spends a third of its time in
    # system calls (measured here, docs/cluster.md). The workers get glibc's own threshold.
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,  # one population at a time per worker: TensorFlow takes its own threads
            processes=True,
            memory_limit=memory or worker_memory(workers),
            silence_logs=logging.ERROR,  # the workers' own log lines stay off the terminal
            dashboard_address=":0",  # any free port: several studies may run at once
        )
    client = Client(cluster)
    print(f"local cluster: {workers} worker processes, dashboard at {client.dashboard_link}", flush=True)
    return client


def close(client):
    """Closes the client, and the local cluster it started, if any."""
    if client is None:
        return
    local = client.cluster
    client.close()
    if local is not None:
        local.close()


def worker_memory(workers):
    """Each local worker's share of the memory available now, in bytes."""
    return int(files.available_memory() / workers)


def memory_per_worker(client):
    """The smallest memory limit among the cluster's workers (bytes), or None if it sets none."""
    limits = [w.get("memory_limit") or 0 for w in client.scheduler_info()["workers"].values()]
    return min(limits) if limits and min(limits) > 0 else None


class TaskProgress:
    """A task's progress, sent to the client through a distributed Queue: the monitor reports to it
    as it reports to a study's bar in one process. Written paths are kept for the client to print."""

    clock = None

    def __init__(self, queue, name):
        self.queue, self.name, self.written = queue, name, []

    def start(self, step):
        self.update(step)

    def update(self, step):
        self.queue.put((self.name, step))

    def say(self, message):
        self.written.append(message)

    def end(self):
        """The population's training is over; the client reports it."""


def train_task(args, tutorial, folder, runs, names):
    """One population trained (or reused) on a worker: runner.population, asked to stop through the
    study's distributed Event, its progress sent through its Queue; returns its outcome and the
    lines it would have printed. names: (queue, event) of this study."""
    from distributed import Event, Queue, get_worker

    if args.workers:  # a local worker: its own core (docs/cluster.md, speed)
        pin_to_core(int(get_worker().name))
    progress = TaskProgress(Queue(names[0]), os.path.basename(folder))
    with StopRequest(Event(names[1])) as stop, files.announcing_to(progress.say):
        outcome = runner.population(args, tutorial, folder, runs, stop, progress)
    return {**outcome, "said": progress.written}


def pin_to_core(index):
    """Binds the calling thread, and the threads it starts from now on (TensorFlow's), to one core
    of those this process may use, the index-th in turn. Measured here: a single-threaded TensorFlow
    on one core trains 2x faster than on both, where its threads spin and migrate."""
    if hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[index % len(cores)]})


class Populations:
    """A study's populations submitted to a cluster as tasks, in the plan's order."""

    def __init__(self, client, args, tutorial, folder, groups):
        from distributed import Event, Queue

        token = uuid.uuid4().hex[:8]  # this study's queue and stop event, apart from any other's on the cluster
        self.names = (f"gan1d-progress-{token}", f"gan1d-stop-{token}")
        self.client, self.queue, self.event = client, Queue(self.names[0]), Event(self.names[1])
        self.futures = {
            name: client.submit(
                train_task, args, tutorial, os.path.join(folder, name), [as_task(r, args) for r in members],
                self.names, key=f"{name}-{token}", pure=False,
            )
            for name, members in groups.items()
        }  # fmt: skip
        self.steps = {name: 0 for name in groups}

    def outcomes(self, bar, stop):
        """{name: outcome} of every population, in the plan's order, as each comes in; a task that
        raised gives {"status": "failed", "reason": ...}. A stop request sets the study's event: the
        queued tasks are cancelled, the running ones checkpoint and return interrupted."""
        from distributed import wait

        done, pending = {}, dict(self.futures)
        while pending:
            if stop and not self.event.is_set():
                self.stop_tasks(pending, bar)
            try:
                finished, _ = wait(list(pending.values()), timeout=POLL_SECONDS, return_when="FIRST_COMPLETED")
            except TimeoutError:
                finished = []
            self.read_progress(bar)
            for name in [n for n, f in pending.items() if f in finished]:
                done[name] = self.outcome(name, pending.pop(name), bar)
        return {name: done[name] for name in self.futures}

    def outcome(self, name, future, bar):
        if future.cancelled():
            return {"status": "interrupted", "results": []}
        error = future.exception()
        if error is not None:
            reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}".rstrip(": ")
            bar.say(f"{name}: failed on its worker: {reason}")
            return {"status": "failed", "results": [], "reason": reason}
        outcome = future.result()
        for line in outcome.pop("said"):
            bar.say(line)
        bar.done(name, outcome)
        return outcome

    def read_progress(self, bar):
        """The steps each task reached since the last read, onto the study's one bar."""
        while self.queue.qsize():
            for name, step in self.queue.get(batch=True):
                self.steps[name] = step
        bar.reached_total(sum(self.steps.values()))

    def stop_tasks(self, pending, bar):
        """Ctrl-C: the running tasks are asked to stop after their chunk; the queued ones cancelled."""
        self.event.set()
        running = {key for keys in self.client.processing().values() for key in keys}
        self.client.cancel([f for f in pending.values() if f.key not in running])
        count = sum(f.key in running for f in pending.values())
        bar.say(f"stopping: {count} running population(s) checkpoint after their current steps (again to stop at once)")


def as_task(run, args):
    """A study run as a task trains it: checkpointing every chunk of steps, so that a retry after its
    worker died resumes (unless --checkpoint-every says otherwise), and on a local worker with one
    TensorFlow thread on the worker's own core (unless --jobs says otherwise); the results are
    unchanged (the threads do not change the numbers)."""
    changes = {} if "checkpoint_every" in args.given else {"checkpoint_every": STUDY_CHUNK}
    if args.workers and "jobs" not in args.given:
        changes["jobs"] = 1
    return run._replace(settings=run.settings.replace(**changes))
