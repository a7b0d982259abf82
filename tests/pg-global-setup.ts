/**
 * vitest globalSetup for `TEST_DB=postgres` (vitest.config.mts): one throwaway PostgreSQL cluster
 * for the whole run, its URL handed to the test workers with provide/inject; each test file then
 * makes databases of its own on it (tests/test-database.ts). Stopped and deleted afterwards, also
 * when the run fails or is interrupted.
 */
import type { TestProject } from "vitest/node";
import { makeRunDir, startCluster, stopClustersUnder } from "./pg-cluster";

declare module "vitest" {
  export interface ProvidedContext {
    /** The throwaway cluster's postgres:// URL (database "postgres"). */
    pgBaseUrl: string;
    /** Where tests start clusters of their own (startCluster({ parent })); emptied at the end. */
    pgRunDir: string;
  }
}

export default async function setup(project: TestProject) {
  const runDir = makeRunDir();
  // Everything under runDir goes at the end, clusters a failed or timed-out test left running too.
  const destroy = () => stopClustersUnder(runDir);
  let cluster;
  try {
    cluster = await startCluster({ parent: runDir });
  } catch (error) {
    destroy();
    throw error;
  }
  const onSignal = (signal: NodeJS.Signals) => {
    destroy();
    process.kill(process.pid, signal);
  };
  process.once("exit", destroy);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  project.provide("pgBaseUrl", cluster.url);
  project.provide("pgRunDir", runDir);
  return () => {
    process.off("exit", destroy);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    destroy();
  };
}
