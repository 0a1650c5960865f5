export { appendAccessEvent, type AccessEventInput, type AuditContext } from "./append-access-event";
export { GENESIS_HASH, hashAccessEvent } from "./event-hash";
