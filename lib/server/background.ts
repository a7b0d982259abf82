type Log = { error(obj: object, msg: string): void };

let pending = 0;

/**
 * Work that must not delay (or show in the timing of) the answer: run after the current request
 * has returned its response. A failure is logged, never thrown into the request.
 */
export function runInBackground(log: Log, what: string, task: () => Promise<unknown>) {
  pending++;
  setImmediate(() => {
    task()
      .catch((error: unknown) => log.error({ err: error, task: what }, "background task failed"))
      .finally(() => pending--);
  });
}

/** For tests and shutdown: resolves when no background task is running. */
export async function backgroundIdle(timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (pending > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
