// Documents (PDF, JPEG, PNG) uploaded as files: typed by their magic bytes, stored as a DocumentReference.
import { createHash } from "node:crypto";
import { validateFhirResource } from "../validate";
import { IntakeRejectedError, type IntakeLimits, type IntakeRecord, type Json, type PatientIdentity } from "./model";

export const DOCUMENT_TYPES = ["application/pdf", "image/jpeg", "image/png"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** The document type the bytes are, by their magic numbers, or null. The declared type is never trusted alone. */
export function sniffDocumentType(bytes: Uint8Array): DocumentType | null {
  const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf"; // %PDF-
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  return null;
}

/** A file name safe to keep as a title: no path, no control characters, at most 200 characters. */
export function safeFileName(name: string | null): string | null {
  if (!name) return null;
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.normalize("NFC").replace(/[\u0000-\u001f\u007f<>]/g, "").trim().slice(0, 200);
  return clean === "" ? null : clean;
}

/**
 * A document (PDF, JPEG, PNG) as a DocumentReference whose attachment carries the data inline with its SHA-1 hash
 * and size (as FHIR R4 defines Attachment.hash), so that the chart checks it like any attachment.
 */
export function documentRecord(bytes: Uint8Array, declaredType: string | null, fileName: string | null, who: PatientIdentity, now: Date, limits: IntakeLimits): IntakeRecord {
  if (bytes.byteLength === 0) throw new IntakeRejectedError("empty");
  if (bytes.byteLength > limits.maxBytes) throw new IntakeRejectedError("too_large");
  const sniffed = sniffDocumentType(bytes);
  const declared = (declaredType ?? "").split(";")[0]!.trim().toLowerCase();
  if (sniffed === null || (declared !== "" && declared !== "application/octet-stream" && declared !== sniffed)) {
    throw new IntakeRejectedError("content_type", [
      {
        entry: null,
        resourceType: null,
        field: null,
        message: sniffed === null ? `The file is not a PDF, JPEG or PNG (declared as ${declared || "unknown"}).` : `The file is declared as ${declared} but its content is ${sniffed}.`,
      },
    ]);
  }
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const title = safeFileName(fileName) ?? "document";
  const resource: Json = {
    resourceType: "DocumentReference",
    status: "current",
    type: { text: "Patient-provided document" },
    subject: { reference: `Patient/${who.id}` },
    date: now.toISOString(),
    description: title,
    content: [
      {
        attachment: {
          contentType: sniffed,
          data: data.toString("base64"),
          size: data.byteLength,
          hash: createHash("sha1").update(data).digest("base64"),
          title,
          creation: now.toISOString(),
        },
      },
    ],
  };
  // medplum refuses strings over 1 MB; the data is base64 we just encoded ourselves, so the rest is what is checked.
  const problems = validateFhirResource({ ...resource, content: [{ attachment: { ...(resource.content as Json[])[0]!.attachment as Json, data: "AA==" } }] });
  if (problems.length) throw new IntakeRejectedError("invalid_entries", problems.map((p) => ({ entry: 0, resourceType: "DocumentReference", field: p.field, message: p.message })));
  return { resourceType: "DocumentReference", resource, recordedAt: now };
}

