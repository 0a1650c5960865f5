/**
 * A closed-loop load generator for the resilience suite: one loop per signed-in doctor, each sending its next request
 * as soon as the previous one is answered, for a fixed time. Unlike a benchmark's generator it keeps every response —
 * status, the request id the portal answers with (X-Request-Id, the id its access events carry), the verification
 * state of every rendered record and whether the body is a friendly page — so that the suite can check each one.
 */
export type Sample = {
  doctor: number;
  path: string;
  startedAt: number;
  finishedAt: number;
  /** 0 when the request failed without an HTTP answer (connection refused or reset). */
  status: number;
  requestId: string | null;
  /** data-verification of every rendered record, counted. */
  verification: Record<string, number>;
  /** The body of a non-200 answer, cut short, to judge its page. */
  body: string;
  error: string | null;
};

// Node's fetch waits up to 300 s for headers and body: under 50 concurrent doctors on 2 cores a chart can take tens of
// seconds, and that is not a failure.
export async function fetchPage(url: string, cookie: string): Promise<Omit<Sample, "doctor" | "path" | "startedAt" | "finishedAt">> {
  try {
    const response = await fetch(url, { headers: { cookie, "accept-language": "ko" }, redirect: "manual" });
    const html = await response.text();
    const verification: Record<string, number> = {};
    for (const m of html.matchAll(/data-record-id="[^"]*"[^>]*?data-verification="([a-z]+)"|data-verification="([a-z]+)"[^>]*?data-record-id="/g)) {
      const state = m[1] ?? m[2]!;
      verification[state] = (verification[state] ?? 0) + 1;
    }
    return { status: response.status, requestId: response.headers.get("x-request-id"), verification, body: response.status === 200 ? "" : html.slice(0, 40_000), error: null };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { status: 0, requestId: null, verification: {}, body: "", error: cause?.code ?? cause?.message ?? String(error) };
  }
}

export type Driver = {
  /** Stops the loops after their current request; resolves with every sample. */
  stop(): Promise<Sample[]>;
  /** Resolves with every sample once the loops have ended by themselves (`seconds` passed). */
  done: Promise<Sample[]>;
  samples: Sample[];
};

/**
 * `cookies.length` doctors, each looping over `paths(doctor)` until stopped (or `seconds` have passed). Samples number
 * the doctors from `firstDoctor` (the index of cookies[0] in the caller's list).
 */
export function drive(baseUrl: string, cookies: readonly string[], paths: (doctor: number, i: number) => string, seconds = Infinity, firstDoctor = 0): Driver {
  const samples: Sample[] = [];
  let stopped = false;
  const deadline = Date.now() + seconds * 1000;
  const loops = cookies.map(async (cookie, k) => {
    const doctor = firstDoctor + k;
    for (let i = 0; !stopped && Date.now() < deadline; i++) {
      const path = paths(doctor, i);
      const startedAt = Date.now();
      const result = await fetchPage(`${baseUrl}${path}`, cookie);
      samples.push({ doctor, path, startedAt, finishedAt: Date.now(), ...result });
      // A refused connection answers at once: do not spin.
      if (result.status === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  return {
    samples,
    done: Promise.all(loops).then(() => samples),
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return samples;
    },
  };
}

export const countBy = <T>(items: readonly T[], key: (item: T) => string | number) =>
  items.reduce<Record<string, number>>((acc, item) => {
    const k = String(key(item));
    acc[k] = (acc[k] ?? 0) + 1;
    return acc;
  }, {});
