"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAuth } from "./auth-provider";
import { buttonClasses } from "./ui";

/** Ends this session; every other tab of this browser follows via the provider. */
export function SignOutButton({
  className = buttonClasses.secondary,
  label = "Sign out",
}: {
  className?: string;
  label?: string;
}) {
  const { signOut } = useAuth();
  const router = useRouter();
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      onClick={async () => {
        setPending(true);
        await signOut();
        router.replace("/login?reason=signed_out");
        router.refresh();
      }}
      className={className}
    >
      {pending ? "Signing out…" : label}
    </button>
  );
}
