import { expect } from "chai";
import { AbiCoder, id, keccak256, toUtf8Bytes } from "ethers";

import { checkSalt, commitment, consentCommitment, documentCommitment, newSalt } from "../../src/commitments.js";

const SALT = `0x${"5a".repeat(32)}`;

/** The consent texts the review enumerated: one form, numbered 0 to 99. */
const candidates = Array.from({ length: 100 }, (_, n) => `I authorise Quick Lend to check my credit, form ${n}`);

describe("SDK commitments", function () {
  it("test_commitment_isKeccakOfKindSaltAndContentHash", function () {
    const expected = keccak256(
      AbiCoder.defaultAbiCoder().encode(
        ["string", "bytes32", "bytes32"],
        ["tradeline:consent:v1", SALT, keccak256(toUtf8Bytes("form 7"))],
      ),
    );
    expect(consentCommitment("form 7", SALT)).to.equal(expected);
    // Trimmed text: a file's trailing newline does not change it; bytes are taken as they are.
    expect(consentCommitment(" form 7\n", SALT)).to.equal(expected);
    expect(commitment("consent", toUtf8Bytes("form 7"), SALT)).to.equal(expected);
  });

  it("test_plainHash_isRecoveredByEnumeration_butTheCommitmentIsNot", function () {
    const secret = candidates[42];
    // What the review did to a plain hash: hash each of 100 guesses and compare.
    const plain = id(secret);
    expect(candidates.findIndex((c) => id(c) === plain)).to.equal(42);
    // The same guesses against the commitment find nothing: without the salt a guess cannot be tested, neither as
    // a plain hash nor with a guessed salt.
    const committed = consentCommitment(secret, newSalt());
    const guessed = `0x${"00".repeat(31)}01`;
    expect(candidates.some((c) => id(c) === committed || consentCommitment(c, guessed) === committed)).to.equal(false);
  });

  it("test_commitment_dependsOnSaltAndKind", function () {
    const other = `0x${"a5".repeat(32)}`;
    expect(documentCommitment("PO CC-2026-0042", SALT)).to.not.equal(documentCommitment("PO CC-2026-0042", other));
    expect(documentCommitment("PO CC-2026-0042", SALT)).to.not.equal(consentCommitment("PO CC-2026-0042", SALT));
    expect(newSalt()).to.not.equal(newSalt());
  });

  it("test_commitment_refusesABadSaltOrNothingToCommitTo", function () {
    expect(() => documentCommitment("PO-1", "0x12")).to.throw(
      'the document salt must be 32 bytes of hex (0x + 64 hex digits), got "0x12"',
    );
    expect(() => consentCommitment("  ", SALT)).to.throw("the consent to commit to is empty");
    expect(checkSalt(` ${SALT.toUpperCase().replace("0X", "0x")} `)).to.equal(SALT);
    expect(() => consentCommitment("form 7", `0x${"00".repeat(32)}`)).to.throw(
      "the consent salt is zero: draw a fresh salt for each commitment (newSalt)",
    );
  });

  it("test_commitment_ofText_isTheSameWhateverItsUnicodeForm", function () {
    // "José" typed with a precomposed é (NFC) or with e + combining acute (NFD) commits to the same.
    expect(consentCommitment("José Pérez", SALT)).to.equal(consentCommitment("Jose\u0301 Pe\u0301rez", SALT));
  });
});
