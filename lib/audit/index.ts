export { ACCESS_ACTIONS, accessActionKey, isAccessAction, type AccessAction } from "./actions";
export { appendAccessEvent, appendAccessEventIn, appendAccessEventsIn, type AccessEventInput, type AuditContext, type AuditTx } from "./append-access-event";
export { GENESIS_HASH, hashAccessEvent } from "./event-hash";
export { searchTermsDigest } from "./search-terms";
