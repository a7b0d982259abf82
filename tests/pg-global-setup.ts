/**
 * vitest globalSetup for `TEST_DB=postgres` (vitest.config.mts): one throwaway PostgreSQL cluster
 * for the whole run, its URL handed to the test workers with provide/inject; each test file then
 * makes databases of its own on it (tests/test-database.ts). Stopped and deleted afterwards, also
 * when the run fails or is interrupted.
 */
import type { TestProject } from "vitest/node";
import { startCluster } from "./pg-cluster";

declare module "vitest" {
  export interface ProvidedContext {
    /** The throwaway cluster's postgres:// URL (database "postgres"). */
    pgBaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const cluster = await startCluster();
  const destroy = () => cluster.destroy();
  const onSignal = (signal: NodeJS.Signals) => {
    destroy();
    process.kill(process.pid, signal);
  };
  process.once("exit", destroy);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  project.provide("pgBaseUrl", cluster.url);
  return () => {
    process.off("exit", destroy);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    destroy();
  };
}
