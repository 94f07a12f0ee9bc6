/**
 * Loan records for the demo, the bench and the tests: one way to make a well-formed record, keyed with a consortium
 * key made for the run (never a committed one).
 */
import { hexlify, randomBytes } from "ethers";

import { newSalt } from "../../src/commitments.js";
import { loanInput, type LoanInput, type LoanRecordData } from "../../src/credit.js";
import { ConsortiumKey } from "../../src/keys.js";

/** A consortium key for this run only: random, so no key ever sits in the repo. */
export function ephemeralKey(): ConsortiumKey {
  return publishedKey(hexlify(randomBytes(32)));
}

/**
 * A key for a network this run deploys: `deployWorld` publishes its check value, so the key is checked against its
 * own (a task or the service would check it against the chain's, with `verifiedConsortiumKey`).
 */
export function publishedKey(hex: string): ConsortiumKey {
  return ConsortiumKey.forNewDeployment(hex);
}

/** A consumer loan of 50,000.00 originated 2026-01-15, maturing 2027-01-15, unless overridden. */
export function sampleRecord(
  overrides: Partial<LoanRecordData> & { loanRef: string; idNumber: string },
): LoanRecordData {
  return {
    idType: "CN-RIC",
    kind: "ConsumerLoan",
    principal: 5_000_000n,
    outstanding: 5_000_000n,
    originated: "2026-01-15",
    matures: "2027-01-15",
    ...overrides,
  };
}

/** The on-chain input of `sampleRecord(overrides)`. */
export function sampleLoan(
  key: ConsortiumKey,
  overrides: Partial<LoanRecordData> & { loanRef: string; idNumber: string },
): LoanInput {
  return loanInput(key, sampleRecord(overrides), newSalt());
}

/** An 18-character resident-id-shaped number for borrower `n` (synthetic, not a real person's). */
export function syntheticId(n: number): string {
  return `99${String(n).padStart(15, "0")}X`;
}
