/** next-auth's session cookie name; the __Secure- prefix makes browsers refuse it over plain HTTP. */
export function SESSION_COOKIE(secure: boolean): string {
  return secure ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}
