"use client";

import { signOut } from "next-auth/react";

export function SignOutButton({ label }: { label: string }) {
  return (
    <button
      type="button"
      onClick={() => void signOut({ callbackUrl: "/login" })}
      className="rounded border border-line-strong px-3 py-1 text-sm text-ink hover:bg-surface-muted"
    >
      {label}
    </button>
  );
}
