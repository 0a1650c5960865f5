/** Next's searchParams, one value per key (the first of repeated keys): what the list query schemas parse. */
export function firstValues(params: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : Array.isArray(v) && v[0] ? [[k, v[0]]] : [])),
  );
}
