/** Tradeline SDK: keys, encodings, member roles, error decoding and deployment wiring. */
export * from "./keys.js";
export * from "./commitments.js";
export * from "./encoding.js";
export * from "./members.js";
export * from "./errors.js";
export * from "./deployment.js";
export * from "./eip712.js";
/** Instalment plans as the registry holds them, and the APR of a credit (EU directive and US Regulation Z rules). */
export * from "./schedule.js";
export * from "./apr.js";
/** The module clients, as namespaces: `credit.registerLoan(…)`, `scf.split(…)`, `trade.attest(…)`. */
export * as credit from "./credit.js";
export * as scf from "./scf.js";
export * as trade from "./trade.js";
/** A borrower's credit report, from the chain or a service. */
export * from "./report.js";
