import { concat, keccak256, toUtf8Bytes } from "ethers";

/** A unique stand-in entity key for a member admitted directly in a unit test (the SDK's is an HMAC of the LEI). */
export function testEntityKey(legalIdHash: string): string {
  return keccak256(concat(["0x454e", legalIdHash]));
}

/** The key-check value a registry deployed directly in a unit test is given (the SDK's is an HMAC, see `keyCheck`). */
export const TEST_KEY_CHECK = keccak256(toUtf8Bytes("test key check"));
