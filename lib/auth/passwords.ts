import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id with OWASP's minimum (m=19456 KiB, t=2, p=1), off the event loop: in hashing worker
 * threads (below), else on the libuv thread pool, so a login storm does not block requests.
 * `Algorithm` is a const enum in its types; with isolatedModules we pass its value (2 = argon2id).
 */
const ARGON2ID = 2;
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * At most this many hashes run at once (one per hashing worker); the rest wait in line. Without a
 * cap a login storm takes every core, and requests (and, on the thread pool, WebCrypto signature
 * checks and file I/O) wait behind 15 ms hashes: /api/me's p99 rose ~15x under 20 concurrent logins
 * (see BENCHMARKS.md). One core is left for the event loop.
 */
export const MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);

export function createLimiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

type Job = { op: "hash"; password: string } | { op: "verify"; hash: string; password: string };
type Pending = { job: Job; resolve: (value: unknown) => void; reject: (error: Error) => void };

/** The thread-pool path: @node-rs/argon2's async calls, at most `max` at once. */
function threadPoolHasher(max: number) {
  const limit = createLimiter(max);
  return (job: Job): Promise<unknown> =>
    limit<unknown>(() => (job.op === "hash" ? hash(job.password, ARGON2_OPTIONS) : verify(job.hash, job.password)));
}

/** A hashing worker: takes jobs from its port one after another; argon2's errors go back as text. */
const HASH_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { hashSync, verifySync } = require("@node-rs/argon2");
parentPort.on("message", (job) => {
  try {
    const value = job.op === "hash" ? hashSync(job.password, workerData.options) : verifySync(job.hash, job.password);
    parentPort.postMessage({ id: job.id, value });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String((error && error.message) || error) });
  }
});
`;

/** After this many worker failures the thread-pool path takes every job. */
const MAX_WORKER_FAILURES = 3;

/**
 * Hashes on `count` worker threads of their own. Why not the thread pool: each hash there is
 * started by the event loop, so when a hash ends while the loop is busy with requests, the next
 * waits for it; a worker takes its next job straight from its queue. Measured with the event loop
 * 60% busy: 73 verifications/s through a worker against 45-56/s through the thread pool, at cap 1
 * (BENCHMARKS.md, issue 21). At most `count` hashes run at once: one per worker. A worker that
 * fails (it cannot start, or it dies) hands its jobs to the thread-pool path; after
 * MAX_WORKER_FAILURES failures that path takes every job. An idle worker does not keep the
 * process alive. `workerCode` and `fallback` are for tests.
 */
export function createHasher(count: number, workerCode = HASH_WORKER, fallback = threadPoolHasher(count)) {
  const slots = Array.from({ length: count }, () => ({
    worker: null as Worker | null,
    pending: new Map<number, Pending>(),
  }));
  let failures = 0;
  let nextId = 0;

  function start(slot: (typeof slots)[number]): Worker {
    const worker = new Worker(workerCode, { eval: true, workerData: { options: ARGON2_OPTIONS } });
    worker.unref();
    worker.on("message", (answer: { id: number; value?: unknown; error?: string }) => {
      const pending = slot.pending.get(answer.id);
      if (!pending) return;
      slot.pending.delete(answer.id);
      if (slot.pending.size === 0) worker.unref();
      if (answer.error !== undefined) pending.reject(new Error(answer.error));
      else pending.resolve(answer.value);
    });
    const failed = () => {
      if (slot.worker !== worker) return; // already handled ("error" is followed by "exit")
      slot.worker = null;
      failures++;
      for (const { job, resolve, reject } of slot.pending.values()) fallback(job).then(resolve, reject);
      slot.pending.clear();
    };
    worker.on("error", failed);
    worker.on("exit", failed);
    return worker;
  }

  return function run(job: Job): Promise<unknown> {
    if (failures >= MAX_WORKER_FAILURES) return fallback(job);
    const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    let worker: Worker;
    try {
      worker = slot.worker ??= start(slot);
    } catch {
      failures = MAX_WORKER_FAILURES; // no worker threads here at all
      return fallback(job);
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { job, resolve, reject });
      worker.ref(); // a hash under way keeps the process alive (a CLI waiting for it)
      worker.postMessage({ ...job, id });
    });
  };
}

const hasher = createHasher(MAX_CONCURRENT_HASHES);

export function hashPassword(password: string): Promise<string> {
  return hasher({ op: "hash", password }) as Promise<string>;
}

/**
 * The password hash of an account that has no password (made by a provider sign-in, until its
 * owner sets one through "Forgot password?"). Nothing matches it.
 */
export const NO_PASSWORD = "";

/**
 * Whether the password matches the hash. An account without a password matches nothing, after the
 * same work as a real verify (no timing difference tells it apart).
 */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (passwordHash === NO_PASSWORD) return verifyAgainstDummy(password);
  try {
    return (await hasher({ op: "verify", hash: passwordHash, password })) === true;
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * For unknown emails: spend the same time as a real verify so response time does not reveal
 * whether an account exists. The dummy hash is made once per process with the same parameters.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(`dummy-${crypto.randomUUID()}`);
  await verifyPassword(await dummyHash, password);
  return false;
}
