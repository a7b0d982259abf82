/** The roles an account can have (the database column, the `role` claim and the UI use these). */
export const ROLES = ["user", "admin"] as const;
export type Role = (typeof ROLES)[number];
