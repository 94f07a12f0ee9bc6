/** Tradeline SDK: keys, encodings, member roles, error decoding and deployment wiring. */
export * from "./keys.js";
export * from "./encoding.js";
export * from "./members.js";
export * from "./errors.js";
export * from "./deployment.js";
export * from "./eip712.js";
export * from "./credit.js";
export * from "./scf.js";
