import { concat, keccak256 } from "ethers";

/** A unique stand-in entity key for a member admitted directly in a unit test (the SDK's is an HMAC of the LEI). */
export function testEntityKey(legalIdHash: string): string {
  return keccak256(concat(["0x454e", legalIdHash]));
}
