import type { Browser } from "@playwright/test";
import { DEMO_WARD_PATIENTS } from "@/lib/jobs/demo-data";
import { login, setLocaleCookie } from "./fixtures";

/** A ward patient (demo data) no other spec opens a portal account for, by index into DEMO_WARD_PATIENTS. */
export function wardPatient(index: number) {
  const p = DEMO_WARD_PATIENTS[index]!;
  return { mrn: p.mrn, birthDate: p.birthDate, name: p.name };
}

/**
 * The desk opens a portal account for an existing patient (MRN and birth date, identity document checked) and the
 * patient activates it with the code handed over: the product's own path, in browsers of their own.
 */
export async function openPortalAccount(browser: Browser, patient: { mrn: string; birthDate: string }, email: string, password: string): Promise<void> {
  const deskContext = await browser.newContext();
  const desk = await deskContext.newPage();
  await login(desk, "desk");
  await desk.goto("/admin/patient-accounts");
  await desk.getByLabel("MRN").fill(patient.mrn);
  await desk.getByLabel("Birth date").fill(patient.birthDate);
  await desk.getByRole("button", { name: "Find patient" }).click();
  await desk.getByLabel("Patient's email (their sign-in)").fill(email);
  await desk.getByLabel(/I compared the photo/).check();
  await desk.getByLabel("Identity document checked").selectOption("RESIDENT_CARD");
  await desk.getByRole("button", { name: "Create portal account" }).click();
  const code = (await desk.getByTestId("one-time-code").textContent())!.trim();
  await deskContext.close();

  const context = await browser.newContext();
  const activation = await context.newPage();
  await setLocaleCookie(activation, "en");
  await activation.goto("/activate");
  await activation.getByLabel("One-time code").fill(code);
  await activation.getByLabel("New password", { exact: true }).fill(password);
  await activation.getByLabel("New password again").fill(password);
  await activation.getByRole("button", { name: "Set password" }).click();
  await activation.getByText("Your password is set.").waitFor();
  await context.close();
}
