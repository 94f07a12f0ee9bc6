/**
 * Regressions of the seventeenth adversarial review (of the credit registry, its libraries and the credit SDK). Each
 * case failed before its fix: the review's proofs of concept asserted the opposite.
 */
import { expect } from "chai";
import { AbiCoder, keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import type { ConsentBook, CreditRegistry, MemberRegistry } from "../../typechain-types/index.js";
import type { ICreditRegistryTypes } from "../../typechain-types/credit/CreditRegistry.js";
import { BatchRejectedError, batchesByKey, registerLoans } from "../../src/credit.js";
import { decodeError } from "../../src/errors.js";
import { TEST_KEY_CHECK, testEntityKey } from "../helpers/entity.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

const DAY = 86_400;
const CN = "0x434e";
const CNY = "0x434e59";
const Role = { Lender: 0, Regulator: 12 } as const;
const Mode = { Flag: 0, Enforce: 1 } as const;
const coder = AbiCoder.defaultAbiCoder();
const b32 = (label: string): string => keccak256(toUtf8Bytes(label));
const loanIdOf = (reporter: bigint, ref: string): string =>
  keccak256(coder.encode(["uint32", "bytes32"], [reporter, ref]));

async function deploy(policy: Partial<ICreditRegistryTypes.PolicyStruct> = {}) {
  const [governor, lender] = await ethers.getSigners();
  const members = (await (
    await ethers.getContractFactory("MemberRegistry")
  ).deploy(governor.address, TEST_KEY_CHECK)) as unknown as MemberRegistry;
  const hash = b32("TLREVIEW17LENDERA001");
  await members.admit(hash, testEntityKey(hash), CN, 1 << Role.Lender, lender.address);
  const id = await members.memberForKey(lender.address);
  const book = (await (
    await ethers.getContractFactory("ConsentBook")
  ).deploy(await members.getAddress())) as unknown as ConsentBook;
  const credit = (await (
    await ethers.getContractFactory("CreditRegistry")
  ).deploy(await members.getAddress(), await book.getAddress(), CNY, {
    maxLenders: 0,
    maxInquiries: 0,
    inquiryWindow: 30 * DAY,
    maxOutstanding: 0n,
    maxPlatformShareBps: 3_000,
    mode: Mode.Flag,
    maxAprBps: 0,
    graceDays: 5,
    ...policy,
  })) as unknown as CreditRegistry;
  return { credit: credit.connect(lender), id };
}

let counter = 0;
async function plainLoan(key: string): Promise<ICreditRegistryTypes.LoanInputStruct> {
  counter += 1;
  const day = Math.floor((await time.latest()) / DAY);
  return {
    loanRef: b32(`review 17 loan ${counter}`),
    borrowerKey: key,
    kind: 0,
    principal: 60_000n,
    outstanding: 60_000n,
    originationDay: day,
    maturityDay: day + 365,
    commitment: b32(`review 17 commitment ${counter}`),
    aprBps: 0,
    plan: { instalments: 0, frequency: 0, firstDueDay: 0, instalment: 0n, finalInstalment: 0n },
  };
}

describe("review 17, R17-1: the SDK's registerLoans checks the whole file before sending any of it", function () {
  it("a borrower's loans go in one batch, so a limit they breach together is refused before anything is sent", async function () {
    // Enforce mode, outstanding limit 100,000: two loans of 60,000 to one borrower break it together, not alone.
    const { credit, id } = await deploy({ mode: Mode.Enforce, maxOutstanding: 100_000n });
    const key = b32("review 17 borrower, two loans");
    const [first, second] = [await plainLoan(key), await plainLoan(key)];
    let thrown: unknown;
    try {
      await registerLoans(credit, [first, second], 1);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(BatchRejectedError);
    expect((thrown as BatchRejectedError).offset).to.equal(0);
    expect(decodeError((thrown as BatchRejectedError).revert)?.name).to.equal("CreditBatchRecordRejected");
    for (const loan of [first, second]) {
      expect((await credit.getLoan(loanIdOf(id, loan.loanRef as string))).status).to.equal(0n);
    }
    expect((await credit.exposureOf(key)).outstanding).to.equal(0n);
  });

  it("a loan reference given twice is refused before anything is sent", async function () {
    const { credit, id } = await deploy();
    const loan = await plainLoan(b32("review 17 borrower A"));
    const other = await plainLoan(b32("review 17 borrower B"));
    const duplicate = { ...loan, borrowerKey: b32("review 17 borrower C"), commitment: b32("review 17 resent row") };
    let thrown: unknown;
    try {
      await registerLoans(credit, [loan, other, duplicate], 2);
    } catch (err) {
      thrown = err;
    }
    expect((thrown as Error).message).to.equal(
      `records 0 and 2 have the same loan reference ${String(loan.loanRef)}; nothing was sent`,
    );
    for (const l of [loan, other]) {
      expect((await credit.getLoan(loanIdOf(id, l.loanRef as string))).status).to.equal(0n);
    }
    // The file without the repeat goes through whole.
    expect((await registerLoans(credit, [loan, other], 1)).ids).to.have.length(2);
  });

  it("the ids come back in the order the records were given, not the batches' order", async function () {
    const { credit, id } = await deploy();
    const [a, b] = [b32("review 17 borrower D"), b32("review 17 borrower E")];
    // Batches of 2 by borrower: [a1, a2] then [b1]; the records were given a1, b1, a2.
    const loans = [await plainLoan(a), await plainLoan(b), await plainLoan(a)];
    const result = await registerLoans(credit, loans, 2);
    expect(result.receipts).to.have.length(2);
    expect(result.ids).to.deep.equal(loans.map((loan) => loanIdOf(id, loan.loanRef as string)));
  });

  it("batchesByKey keeps each key's items together, in batches of about the size asked", function () {
    const items = ["a1", "b1", "a2", "c1", "c2", "c3", "d1"];
    expect(batchesByKey(items, (x) => x[0], 3)).to.deep.equal([["a1", "a2", "b1"], ["c1", "c2", "c3"], ["d1"]]);
    expect(batchesByKey(items, (x) => x[0], 2)).to.deep.equal([["a1", "a2"], ["b1"], ["c1", "c2", "c3"], ["d1"]]);
    expect(() => batchesByKey(items, (x) => x[0], 0)).to.throw(/batch size 0 must be at least 1/);
  });
});
