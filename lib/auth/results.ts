/**
 * The one result shape of the auth core: `{ ok: true, … }` or `{ ok: false, error }` with the
 * error a string-literal code the caller can switch on.
 */
export type Failure<E extends string> = { ok: false; error: E };
type Success<T extends object = Record<never, never>> = { ok: true } & T;
export type Result<T extends object, E extends string> = Success<T> | Failure<E>;

export const fail = <E extends string>(error: E): Failure<E> => ({ ok: false, error });
