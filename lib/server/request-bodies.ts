import { z } from "zod";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/auth/passwords";

/** Request bodies. Strict: unknown keys are refused, not silently dropped. */
const email = z
  .string({ message: "Enter your email address." })
  .trim()
  .max(254, "That email address is too long.")
  .email("Enter a valid email address.");

const newPassword = z
  .string({ message: "Enter a password." })
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);

/** Sign-in accepts any stored password length but never more than the maximum (no truncation). */
const anyPassword = z
  .string({ message: "Enter your password." })
  .min(1, "Enter your password.")
  .max(PASSWORD_MAX_LENGTH, "That password is too long.");

/** C0/C1 controls, bidi embeddings, overrides, isolates and marks, line/paragraph separators. */
const UNSAFE_NAME_CHARACTERS = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/u;

export const registerBody = z.strictObject({
  email,
  password: newPassword,
  name: z
    .string()
    .trim()
    .max(100, "Use at most 100 characters for your name.")
    // Control characters and bidi overrides can make a name display as something else (e.g. in
    // the admin list or an email greeting).
    .refine((name) => !UNSAFE_NAME_CHARACTERS.test(name), "Your name contains characters that are not allowed.")
    .optional()
    .nullable(),
});

export const loginBody = z.strictObject({ email, password: anyPassword });

export const passwordBody = z.strictObject({ currentPassword: anyPassword, newPassword });

/** Emailed-link tokens: the same 43-character shape as every opaque token (checked again later). */
const linkToken = z
  .string({ message: "The link is incomplete." })
  .min(1, "The link is incomplete.")
  .max(128, "The link is invalid.");

export const forgotPasswordBody = z.strictObject({ email });

export const resetPasswordBody = z.strictObject({ token: linkToken, newPassword });

/** The password proves who completes the link (a session of the account in this browser does too). */
export const verifyEmailBody = z.strictObject({ token: linkToken, password: anyPassword.optional() });

/** A 6-digit code from an authenticator app (spaces allowed: apps show "123 456"). */
const totpCode = z
  .string({ message: "Enter the 6-digit code from your authenticator app." })
  .transform((v) => v.replace(/\s/g, ""))
  .refine((v) => /^\d{6}$/.test(v), "Enter the 6-digit code from your authenticator app.");

const recoveryCode = z
  .string({ message: "Enter one of your recovery codes." })
  .trim()
  .min(8, "Enter one of your recovery codes.")
  .max(40, "That is not a recovery code.");

/**
 * A WebAuthn response in the Level 3 JSON shape (@simplewebauthn/browser's): its members are
 * checked by the verification itself; here only that it is the right kind of object.
 */
const webauthnResponse = z
  .object({
    id: z.string().min(1).max(1024),
    rawId: z.string().min(1).max(1024),
    type: z.literal("public-key"),
    response: z.record(z.string(), z.unknown()),
    clientExtensionResults: z.record(z.string(), z.unknown()),
    authenticatorAttachment: z.string().max(32).optional(),
  })
  .loose();

const passkeyName = z
  .string()
  .trim()
  .min(1, "Give the passkey a name.")
  .max(60, "Use at most 60 characters.")
  .refine((name) => !UNSAFE_NAME_CHARACTERS.test(name), "The name contains characters that are not allowed.");

export const passkeyRegistrationBody = z.strictObject({
  credential: webauthnResponse,
  name: passkeyName.optional().nullable(),
});
export const passkeyRenameBody = z.strictObject({ name: passkeyName });
export const passkeySignInBody = z.strictObject({ credential: webauthnResponse });
export const twoFactorEnableBody = z.strictObject({ code: totpCode });
/** The second step: a code, or (the phone is lost) a recovery code. */
export const secondStepBody = z.union([z.strictObject({ code: totpCode }), z.strictObject({ recoveryCode })]);
export const reauthenticateBody = z.union([
  z.strictObject({ password: anyPassword }),
  z.strictObject({ code: totpCode }),
  z.strictObject({ recoveryCode }),
  z.strictObject({ credential: webauthnResponse }),
]);
