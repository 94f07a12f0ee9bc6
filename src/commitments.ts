/**
 * Salted commitments: how a document is named on the chain without letting anyone test guesses against it.
 *
 * A plain hash of a consent text or a purchase-order number is reversible by enumeration: a consent form that
 * differs only by a number, or a PO number that follows a pattern, is found in a few guesses, and a name in the
 * text would be personal data on the chain. So the chain holds
 * `keccak256(abi.encode("tradeline:<kind>:v1", salt, keccak256(content)))`, where `salt` is 32 random bytes the
 * party keeps with the document. An auditor given the document and its salt recomputes the commitment; without the
 * salt nobody can. The kind is part of the commitment, so a consent's commitment never matches a document's.
 */
import { AbiCoder, hexlify, isHexString, keccak256, randomBytes, toUtf8Bytes } from "ethers";

import { checked } from "./input.js";
import type { Hex32 } from "./keys.js";

/** What a commitment is to; part of what is hashed. */
export type CommitmentKind = "consent" | "document" | "dispute-answer";

/** A fresh 32-byte salt; the party keeps it with the document or record it commits to. */
export function newSalt(): Hex32 {
  return hexlify(randomBytes(32)) as Hex32;
}

/** Checks a salt given by a user: 32 bytes of 0x-hex. `what` names it in the error. */
export function checkSalt(salt: string, what = "salt"): Hex32 {
  const s = salt.trim();
  if (!isHexString(s, 32)) throw new Error(`${what} must be 32 bytes of hex (0x + 64 hex digits), got "${salt}"`);
  // A zero salt is what a hard-coded default looks like: it leaves the commitment as guessable as a plain hash.
  if (/^0x0{64}$/.test(s)) throw new Error(`${what} is zero: draw a fresh salt for each commitment (newSalt)`);
  return s.toLowerCase() as Hex32;
}

/**
 * A salt a user may give in input `field` (an option, a request's field): checked as `checkSalt` does, its refusal an
 * input error naming the field (a 400 in the service, not a 500); a fresh one (`newSalt`) when none is given.
 */
export function givenOrNewSalt(given: string | undefined, field: string): Hex32 {
  if ((given ?? "").trim() === "") return newSalt();
  return checked(field, () => checkSalt(given!, field));
}

/**
 * The salted commitment to `content` of `kind`. Text is put in Unicode NFC and trimmed first, so that a trailing
 * newline or a name typed on another system does not change the commitment; bytes are taken as they are. Draw one
 * salt per commitment: a reused salt links the commitments that share it.
 */
export function commitment(kind: CommitmentKind, content: string | Uint8Array, salt: string): Hex32 {
  const bytes = typeof content === "string" ? toUtf8Bytes(content.normalize("NFC").trim()) : content;
  if (bytes.length === 0) throw new Error(`the ${kind} to commit to is empty`);
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["string", "bytes32", "bytes32"],
      [`tradeline:${kind}:v1`, checkSalt(salt, `the ${kind} salt`), keccak256(bytes)],
    ),
  ) as Hex32;
}

/** The commitment to a borrower's signed authorization, logged with every inquiry. */
export function consentCommitment(authorization: string | Uint8Array, salt: string): Hex32 {
  return commitment("consent", authorization, salt);
}

/** The commitment an order or a piece of evidence names its document by (a PO, a bill of lading, a customs entry). */
export function documentCommitment(reference: string | Uint8Array, salt: string): Hex32 {
  return commitment("document", reference, salt);
}
