const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string from a URL, a form or a JSON detail is a UUID, before it is sent to a uuid column. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
