/**
 * What a rate limiter is made of: lib/security/rate-limits.ts asks for limiters, and each storage
 * engine (db/storage.ts) builds them in its own database, so both sides import this.
 */
export type LimiterOptions = { keyPrefix: string; points: number; duration: number; clearExpiredByTimeout?: boolean };
