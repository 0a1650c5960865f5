/** A patient with a portal account of their own for the upload tests (seeded by server-fixtures), so that what they upload is seen by no other test. */
export const UPLOADER = { mrn: "10000950", email: "uploader@e2e.chartproof.local", name: "한지민 Han Ji-min", birthDate: "1984-07-21" } as const;
