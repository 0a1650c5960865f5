"use client";

import { useEffect, useRef } from "react";
import { useRouter } from "next/navigation";

/**
 * Re-renders the page every few seconds while records are still pending, so the patient sees them become verified.
 * Each render is a logged read of their records, so it gives up after `maxTimes` (anchoring normally takes seconds;
 * if the worker is down, the "Refresh" link is still there).
 */
export function AutoRefresh({ active, seconds = 4, maxTimes = 30 }: { active: boolean; seconds?: number; maxTimes?: number }) {
  const router = useRouter();
  const done = useRef(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (done.current >= maxTimes) return clearInterval(timer);
      done.current += 1;
      router.refresh();
    }, seconds * 1000);
    return () => clearInterval(timer);
  }, [active, seconds, maxTimes, router]);
  return null;
}
