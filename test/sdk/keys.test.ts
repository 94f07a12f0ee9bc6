import { createHmac } from "node:crypto";

import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import {
  ConsortiumKey,
  borrowerKey,
  invoiceKey,
  keyCheck,
  normalizeIdNumber,
  normalizeIssueDate,
} from "../../src/keys.js";
import { entityKey } from "../../src/members.js";
import { publishedKey } from "../../scripts/lib/loans.js";

const KEY = publishedKey(`0x${"5a".repeat(32)}`);
const OTHER_KEY = publishedKey(`0x${"a5".repeat(32)}`);
/** A debtor's entity key, as `entityKeyOf` returns it. */
const DEBTOR = "0x00000000000000000000000000000000000000000000000000000000000000C0";

/** ISO 7064 MOD 11-2 check character of a Chinese resident identity card number. */
function ricCheck(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return "10X98765432"[sum % 11];
}

/** Every resident ID born on one day in one district: 1,000 candidates. */
function candidateIds(): string[] {
  const out: string[] = [];
  for (let seq = 0; seq < 1000; seq++) {
    const first17 = `110101` + `19900307` + String(seq).padStart(3, "0");
    out.push(first17 + ricCheck(first17));
  }
  return out;
}

describe("SDK keys", function () {
  describe("key check", function () {
    it("test_keyCheck_isTheHmacOfAFixedLabel_andDiffersPerKey", function () {
      const hmac = createHmac("sha256", Buffer.from("5a".repeat(32), "hex")).update("tradeline:key-check:v1");
      expect(keyCheck(KEY)).to.equal(`0x${hmac.digest("hex")}`);
      expect(keyCheck(KEY)).to.not.equal(keyCheck(OTHER_KEY));
    });

    it("test_checkedAgainst_refusesAnotherConsortiumsKey", function () {
      const unchecked = ConsortiumKey.fromHex(`0x${"a5".repeat(32)}`);
      expect(unchecked.checkedAgainst(keyCheck(OTHER_KEY).toUpperCase().replace("0X", "0x")).checked).to.equal(true);
      expect(() => unchecked.checkedAgainst(keyCheck(KEY))).to.throw(
        `consortium key mismatch: this deployment's key check is ${keyCheck(KEY).slice(0, 10)}…, the configured ` +
          `TRADELINE_CONSORTIUM_KEY gives ${keyCheck(OTHER_KEY).slice(0, 10)}…`,
      );
    });

    it("test_uncheckedKey_derivesNoBorrowerInvoiceOrEntityKey", function () {
      const unchecked = ConsortiumKey.fromHex(`0x${"5a".repeat(32)}`);
      expect(unchecked.checked).to.equal(false);
      const refusal = /^consortium key not checked against the deployment: get it through verifiedConsortiumKey/;
      expect(() => borrowerKey(unchecked, "CN-RIC", "110101199003070011")).to.throw(refusal);
      expect(() => invoiceKey(unchecked, DEBTOR, "INV-1", "2026-11-01")).to.throw(refusal);
      expect(() => entityKey(unchecked, "TLHUAXIABANK00000002")).to.throw(refusal);
      // Checked, it derives the same keys as any other member holding it.
      expect(borrowerKey(unchecked.checkedAgainst(keyCheck(KEY)), "CN-RIC", "110101199003070011")).to.equal(
        borrowerKey(KEY, "CN-RIC", "110101199003070011"),
      );
    });
  });

  describe("privacy", function () {
    it("test_plainHash_isRecoveredByEnumeratingASmallIdSpace", function () {
      const secretId = candidateIds()[427];
      const onChain = keccak256(toUtf8Bytes(secretId));
      const recovered = candidateIds().find((id) => keccak256(toUtf8Bytes(id)) === onChain);
      expect(recovered).to.equal(secretId);
    });

    it("test_borrowerKey_isNotRecoverableWithoutTheConsortiumKey", function () {
      const secretId = candidateIds()[427];
      const onChain = borrowerKey(KEY, "CN-RIC", secretId);
      // The attacker enumerates the same space, but every guess needs the key: a wrong key never matches.
      const plainHits = candidateIds().filter((id) => keccak256(toUtf8Bytes(id)) === onChain);
      const wrongKeyHits = candidateIds().filter((id) => borrowerKey(OTHER_KEY, "CN-RIC", id) === onChain);
      expect(plainHits).to.deep.equal([]);
      expect(wrongKeyHits).to.deep.equal([]);
      // Only the key holder links the key back to the person.
      const keyHolderHits = candidateIds().filter((id) => borrowerKey(KEY, "CN-RIC", id) === onChain);
      expect(keyHolderHits).to.deep.equal([secretId]);
    });
  });

  describe("normalisation", function () {
    it("test_borrowerKey_ignoresFormatting", function () {
      const canonical = borrowerKey(KEY, "CN-RIC", "11010119900307427X");
      expect(borrowerKey(KEY, " cn-ric ", "110101 19900307 427x")).to.equal(canonical);
      expect(borrowerKey(KEY, "CN-RIC", "１１０１０１１９９００３０７４２７Ｘ")).to.equal(canonical);
      expect(borrowerKey(KEY, "CN-RIC", "110101-19900307-427X")).to.equal(canonical);
    });

    it("test_borrowerKey_separatesIdTypesAndKeys", function () {
      const a = borrowerKey(KEY, "CN-RIC", "E12345678");
      expect(borrowerKey(KEY, "PASSPORT", "E12345678")).to.not.equal(a);
      expect(borrowerKey(OTHER_KEY, "CN-RIC", "E12345678")).to.not.equal(a);
      expect(a).to.match(/^0x[0-9a-f]{64}$/);
    });

    it("test_invoiceKey_dependsOnEveryField", function () {
      const k = invoiceKey(KEY, DEBTOR, "INV-2026-0001", "2026-11-02");
      expect(invoiceKey(KEY, DEBTOR.toLowerCase(), "inv 2026 0001", "2026-11-02")).to.equal(k);
      expect(invoiceKey(KEY, DEBTOR, "INV-2026-0002", "2026-11-02")).to.not.equal(k);
      expect(invoiceKey(KEY, DEBTOR, "INV-2026-0001", "2026-11-03")).to.not.equal(k);
      expect(invoiceKey(KEY, `0x${"00".repeat(31)}c1`, "INV-2026-0001", "2026-11-02")).to.not.equal(k);
    });
  });

  describe("bad input", function () {
    it("test_consortiumKey_rejectsMissingMalformedAndShortKeys", function () {
      expect(() => ConsortiumKey.fromHex(undefined)).to.throw(/TRADELINE_CONSORTIUM_KEY/);
      expect(() => ConsortiumKey.fromHex("")).to.throw(/missing/);
      expect(() => ConsortiumKey.fromHex("5a5a")).to.throw(/malformed/);
      expect(() => ConsortiumKey.fromHex(`0x${"5a".repeat(16)}`)).to.throw(/too short: 16 bytes/);
    });

    it("test_consortiumKey_neverPrintsItself", function () {
      expect(String(KEY)).to.equal("ConsortiumKey(<redacted>)");
      expect(JSON.stringify({ KEY })).to.not.contain("5a5a");
    });

    it("test_keys_rejectBadFields", function () {
      expect(() => borrowerKey(KEY, "SSN", "123")).to.throw(/unknown id type "SSN"/);
      expect(() => borrowerKey(KEY, "CN-RIC", "  - ")).to.throw(/empty/);
      expect(() => normalizeIdNumber("12#4")).to.throw(
        'id number ****124 has characters other than letters and digits: "#"',
      );
      // The number is never echoed whole: only its last four kept characters.
      expect(() => normalizeIdNumber("990101199003070011#")).to.throw(
        'id number ****0011 has characters other than letters and digits: "#"',
      );
      expect(() => invoiceKey(KEY, "0x1234", "INV1", "2026-01-01")).to.throw(
        /debtor entity key "0x1234" is not 32 bytes/,
      );
      expect(() => invoiceKey(KEY, `0x${"00".repeat(32)}`, "INV1", "2026-01-01")).to.throw(/debtor entity key is zero/);
      expect(() => normalizeIssueDate("2026-02-30")).to.throw(/not a valid/);
      expect(() => normalizeIssueDate("26-02-01")).to.throw(/not a valid/);
    });
  });
});
