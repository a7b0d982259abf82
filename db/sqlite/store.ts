import { accountUnits, identityTakenAsResult } from "@/db/sqlite/accounts";
import { administrationUnits } from "@/db/sqlite/administration";
import type { Db } from "@/db/sqlite/client";
import { guarded } from "@/db/sqlite/errors";
import { eventStatements, eventUnits } from "@/db/sqlite/events";
import { linkStatements, linkUnits } from "@/db/sqlite/links";
import { mailUnits, queueMail } from "@/db/sqlite/mail";
import { codeUnits } from "@/db/sqlite/codes";
import { passkeyUnits } from "@/db/sqlite/passkeys";
import { proofStatements, proofUnits } from "@/db/sqlite/proofs";
import { pruneStatements, pruneUnits } from "@/db/sqlite/prune";
import { secondFactorUnits } from "@/db/sqlite/second-factors";
import { sessionStatements, sessionUnits } from "@/db/sqlite/sessions";
import { userStatements, userUnits } from "@/db/sqlite/users";
import type { DenyJti, NewEvent, NewMail, Store } from "@/lib/auth/store";

/** Every statement the SQLite store runs, prepared once per database (one file per concern). */
function statements(db: Db) {
  return {
    ...userStatements(db),
    ...sessionStatements(db),
    ...linkStatements(db),
    ...eventStatements(db),
    ...proofStatements(db),
    ...pruneStatements(db),
  };
}

/** What the units of each concern share: the statements, the transaction, the common writes. */
export type Engine = {
  db: Db;
  q: ReturnType<typeof statements>;
  /** An IMMEDIATE transaction: the write lock is taken up front. */
  tx: <T>(fn: () => T) => T;
  insertEvent(event: NewEvent): void;
  /** Inside a transaction: queues a mail within its budget (false: over it, nothing written). */
  insertMail(mail: NewMail): boolean;
  /** Deny-lists a jti; with `now`, also sweeps entries that expired (useless once expired). */
  denyJti(entry: DenyJti, now?: number): void;
};

/**
 * The storage contract on SQLite (better-sqlite3), put together from one file per concern, laid
 * out like db/postgres (read the two side by side). Every unit runs synchronously inside one
 * IMMEDIATE transaction: the write lock is taken up front, so concurrent processes serialise
 * instead of failing at commit, and "exactly one rotation wins" is plain to see. The methods are
 * async only to fit the contract; nothing awaits inside a transaction. A busy, locked or failing
 * file answers StorageUnavailableError (errors.ts), like a PostgreSQL outage.
 */
export function createSqliteStore(db: Db): Store {
  const q = statements(db);
  // One transaction wrapper for the life of the store: better-sqlite3's transaction() builds four
  // wrapper functions per call (~8 µs, a tenth of a rotation). Nesting still uses a savepoint.
  const immediate = db.$client.transaction((fn: () => unknown) => fn()).immediate;
  const engine: Engine = {
    db,
    q,
    tx: <T>(fn: () => T): T => immediate(fn) as T,
    insertEvent: (event) => void q.insertEvent.run(event),
    insertMail: (mail) => queueMail(db, mail),
    denyJti(entry, now) {
      q.denyJti.run(entry);
      if (now !== undefined) q.sweepJtis.run({ now });
    },
  };
  return guarded({
    ...userUnits(engine),
    ...sessionUnits(engine),
    ...linkUnits(engine),
    ...mailUnits(engine),
    ...eventUnits(engine),
    ...proofUnits(engine),
    ...secondFactorUnits(engine),
    ...passkeyUnits(engine),
    ...codeUnits(engine),
    ...identityTakenAsResult(accountUnits(engine)),
    ...administrationUnits(engine),
    ...pruneUnits(engine),
  });
}
