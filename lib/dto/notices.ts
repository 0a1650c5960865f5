/** A portal message about the patient's own account, shown from their next sign-in until they dismiss it. */
export type PatientNoticeDto = {
  id: string;
  kind: "ACCOUNT_OPENED" | "ACCOUNT_RESET";
  createdAt: string;
};
