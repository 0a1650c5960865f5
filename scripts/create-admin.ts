/**
 * `npm run create-admin`: creates an administrator on a production database (DATABASE_URL). The password is typed
 * at a hidden prompt — never taken from argv or the environment, never logged.
 */
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { createAdmin, newAdminSchema } from "@/lib/jobs/create-admin";
import { disconnectDb } from "@/lib/db";

async function ask(question: string, hidden = false): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY });
  const answer = rl.question(question);
  muted = hidden;
  const value = await answer;
  rl.close();
  if (hidden) process.stdout.write("\n");
  return value;
}

async function main() {
  const email = await ask("Email: ");
  const name = await ask("Full name: ");
  const password = await ask("Password (at least 12 characters): ", true);
  const again = await ask("Password again: ", true);
  if (password !== again) throw new Error("The passwords do not match.");
  const parsed = newAdminSchema.safeParse({ email, name, password });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("\n"));
  const admin = await createAdmin(parsed.data);
  console.log(`Administrator created (id ${admin.id}). Sign in at /login.`);
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  })
  .finally(() => void disconnectDb());
