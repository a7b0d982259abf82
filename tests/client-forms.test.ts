/** A 400's `fields` become a form's errors without parsing strings (lib/client/field-errors.ts). */
import { describe, expect, it } from "vitest";
import { formErrors } from "@/lib/client/field-errors";

describe("formErrors", () => {
  it("puts each known field's message next to it, the rest at form level", () => {
    expect(
      formErrors(
        {
          message: "Enter a valid email address.",
          fields: { email: "Enter a valid email address.", role: "Unrecognized key" },
        },
        ["email", "password"] as const,
      ),
    ).toEqual({ email: "Enter a valid email address.", form: "Unrecognized key" });
  });

  it("without fields, the message (or a fallback) is the form's error", () => {
    expect(formErrors({ message: "Email or password is incorrect." }, ["email"] as const)).toEqual({
      form: "Email or password is incorrect.",
    });
    expect(formErrors({}, ["email"] as const, "Try again.")).toEqual({ form: "Try again." });
    expect(formErrors({ fields: { email: 42 } }, ["email"] as const, "Try again.")).toEqual({ form: "Try again." });
  });
});
