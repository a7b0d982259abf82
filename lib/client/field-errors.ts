/**
 * A 400 `invalid_request` answer's `fields` ({ name: "what is wrong" }) as a form's errors: each
 * known field's message goes next to its input; anything else (an unknown field, or no `fields`
 * at all) becomes the form-level message.
 */
export function formErrors<F extends string>(
  body: { message?: unknown; fields?: unknown },
  known: readonly F[],
  fallback = "Something went wrong. Try again.",
): Partial<Record<F | "form", string>> {
  const errors: Partial<Record<F | "form", string>> = {};
  const fields = body.fields && typeof body.fields === "object" ? (body.fields as Record<string, unknown>) : {};
  for (const [name, message] of Object.entries(fields)) {
    if (typeof message !== "string") continue;
    if ((known as readonly string[]).includes(name)) errors[name as F] ??= message;
    else errors.form ??= message;
  }
  if (Object.keys(errors).length === 0) errors.form = typeof body.message === "string" ? body.message : fallback;
  return errors;
}
