type Log = { error(obj: object, msg: string): void };

/**
 * Work that must not delay (or show in the timing of) the answer: run after the current request
 * has returned its response. A failure is logged, never thrown into the request.
 */
export function runInBackground(log: Log, what: string, task: () => Promise<unknown>) {
  setImmediate(() => {
    task().catch((error: unknown) => log.error({ err: error, task: what }, "background task failed"));
  });
}
