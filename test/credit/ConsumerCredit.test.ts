/**
 * Consumer credit on the registry (issue 14): consents checked by every inquiry, the APR cap, instalment plans with
 * days past due and delinquency buckets, the five-year retention of negative records, and the shared score. Every
 * refusal is checked with its figures, and the state is checked unchanged after it.
 *
 * The contracts are deployed directly here (MemberRegistry, ConsentBook, CreditRegistry, CreditScore), not through
 * the SDK's deployment, so that these tests depend only on the contracts.
 */
import { expect } from "chai";
import { AbiCoder, Wallet, encodeBytes32String, keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import type { ConsentBook, CreditRegistry, CreditScore, MemberRegistry } from "../../typechain-types/index.js";
import type { ICreditRegistryTypes } from "../../typechain-types/credit/CreditRegistry.js";
import type { ICreditScore } from "../../typechain-types/credit/CreditScore.js";
import { TEST_KEY_CHECK, testEntityKey } from "../helpers/entity.js";
import { CONSUMER_POLICY, GRACE_DAYS } from "../helpers/credit.js";

// network.create(), as test/credit/CreditRegistry.test.ts does (network.connect() is deprecated in Hardhat 3).
const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

const DAY = 86_400;
const MAX = 4_294_967_295;
const Role = { Lender: 0, Regulator: 12 } as const;
const Status = { None: 0n, Active: 1n, Repaid: 2n, Overdue: 3n, Defaulted: 4n, WrittenOff: 5n } as const;
const Purpose = { None: 0, NewCredit: 1, AccountReview: 2, LimitReview: 3, Guarantee: 4, Collections: 5 } as const;
const Kind = { ConsumerLoan: 0, SmeLoan: 1 } as const;
const Frequency = { Weekly: 0, Monthly: 1 } as const;
const Mode = { Flag: 0, Enforce: 1 } as const;
const APR_LIMIT = 3; // PolicyLimit.Apr
const CNY = "0x434e59";
const CN = "0x434e";

const POLICY = CONSUMER_POLICY;

/** The default scorecard of the issue (docs/credit-score.md). */
const DEFAULT_SCORECARD: ICreditScore.ScorecardStruct = {
  base: 300,
  attributes: [
    { edges: [0, 1, 2, MAX, MAX], points: [150, 60, 20, 0, 0, 0] }, // Defaults
    { edges: [0, 1, 2, 3, 4], points: [150, 110, 60, 20, 0, 0] }, // Delinquency (worst bucket)
    { edges: [1, 2, 3, 5, MAX], points: [60, 50, 35, 15, 0, 0] }, // Lenders
    { edges: [30, 50, 75, 100, MAX], points: [80, 65, 45, 20, 0, 0] }, // Utilisation %
    { edges: [0, 1, 2, 4, MAX], points: [50, 40, 28, 10, 0, 0] }, // Inquiries
    { edges: [0, 179, 364, 729, 1824], points: [0, 10, 20, 35, 50, 60] }, // History (days)
  ],
};
const Reason = { None: 0n, Defaults: 1n, Delinquency: 2n, Lenders: 3n, Utilisation: 4n, Inquiries: 5n, History: 6n };

const coder = AbiCoder.defaultAbiCoder();
const bytes32 = (label: string): string => keccak256(toUtf8Bytes(label));
const legalIdHash = (lei: string): string => keccak256(toUtf8Bytes(lei));
const consentIdOf = (holder: bigint, documentHash: string): string =>
  keccak256(coder.encode(["uint32", "bytes32"], [holder, documentHash]));
const loanIdOf = (reporter: bigint, loanRef: string): string =>
  keccak256(coder.encode(["uint32", "bytes32"], [reporter, loanRef]));

/** Day number `day` plus `months` calendar months, the day of month clamped to the target month's length. */
function addMonths(day: number, months: number): number {
  const d = new Date(day * DAY * 1000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last)) / (DAY * 1000);
}

async function today(): Promise<number> {
  return Math.floor((await time.latest()) / DAY);
}

/** Moves the chain's clock to the start of day `day` (plus one hour, so that no block lands on the previous day). */
async function travelToDay(day: number): Promise<void> {
  await time.increaseTo(day * DAY + 3_600);
}

async function deployFixture() {
  const [governor, lenderA, lenderB, lenderC, regulator, nonLender] = await ethers.getSigners();
  const members = (await (
    await ethers.getContractFactory("MemberRegistry")
  ).deploy(governor.address, TEST_KEY_CHECK)) as unknown as MemberRegistry;
  const admit = async (lei: string, roles: number, admin: string): Promise<bigint> => {
    const hash = legalIdHash(lei);
    await members.admit(hash, testEntityKey(hash), CN, roles, admin);
    return members.memberForKey(admin);
  };
  const ids = {
    a: await admit("TLCONSUMERLENDERA001", 1 << Role.Lender, lenderA.address),
    b: await admit("TLCONSUMERLENDERB001", 1 << Role.Lender, lenderB.address),
    c: await admit("TLCONSUMERLENDERC001", 1 << Role.Lender, lenderC.address),
    regulator: await admit("TLCONSUMERREGULATOR1", 1 << Role.Regulator, regulator.address),
    nonLender: await admit("TLCONSUMERSUPPLIER01", 1 << 3, nonLender.address),
  };
  const book = (await (
    await ethers.getContractFactory("ConsentBook")
  ).deploy(await members.getAddress())) as unknown as ConsentBook;
  const credit = (await (
    await ethers.getContractFactory("CreditRegistry")
  ).deploy(await members.getAddress(), await book.getAddress(), CNY, POLICY)) as unknown as CreditRegistry;
  const score = (await (
    await ethers.getContractFactory("CreditScore")
  ).deploy(await members.getAddress(), await credit.getAddress(), DEFAULT_SCORECARD)) as unknown as CreditScore;
  // A stranger: an account that is no member at all.
  const stranger = Wallet.createRandom().connect(ethers.provider);
  await networkHelpers.setBalance(stranger.address, 10n ** 20n);
  return { members, book, credit, score, ids, governor, lenderA, lenderB, lenderC, regulator, nonLender, stranger };
}

type World = Awaited<ReturnType<typeof deployFixture>>;

let counter = 0;
function borrower(): string {
  counter += 1;
  return bytes32(`consumer borrower ${counter}`);
}

/** A loan without a plan, of 10,000.00 to `key`, originated today. */
async function plainLoan(
  key: string,
  overrides: Partial<ICreditRegistryTypes.LoanInputStruct> = {},
): Promise<ICreditRegistryTypes.LoanInputStruct> {
  counter += 1;
  const day = await today();
  return {
    loanRef: bytes32(`loan ${counter}`),
    borrowerKey: key,
    kind: Kind.ConsumerLoan,
    principal: 1_000_000n,
    outstanding: 1_000_000n,
    originationDay: day,
    maturityDay: day + 365,
    commitment: bytes32(`commitment ${counter}`),
    aprBps: 0,
    plan: { instalments: 0, frequency: 0, firstDueDay: 0, instalment: 0n, finalInstalment: 0n },
    ...overrides,
  };
}

const INSTALMENT = 105_000n;
const TOTAL_DUE = 12n * INSTALMENT; // 1,260,000 for 1,200,000 advanced

/** A consumer loan of 12,000.00 on 12 monthly instalments of 1,050.00, the first a month after today. */
async function planLoan(
  key: string,
  overrides: Partial<ICreditRegistryTypes.LoanInputStruct> = {},
): Promise<ICreditRegistryTypes.LoanInputStruct> {
  const day = await today();
  const first = addMonths(day, 1);
  return plainLoan(key, {
    principal: 1_200_000n,
    outstanding: TOTAL_DUE,
    maturityDay: addMonths(first, 11),
    aprBps: 1_069,
    plan: {
      instalments: 12,
      frequency: Frequency.Monthly,
      firstDueDay: first,
      instalment: INSTALMENT,
      finalInstalment: INSTALMENT,
    },
    ...overrides,
  });
}

/** Registers `loan` as lender A and returns its id. */
async function register(w: World, loan: ICreditRegistryTypes.LoanInputStruct, as = w.lenderA): Promise<string> {
  await w.credit.connect(as).registerLoan(loan);
  const id = await w.credit.loanId(await w.members.memberForKey(as.address), loan.loanRef);
  return id;
}

/** Everything a refusal must leave as it was, for borrower `key` (and loan `id`, if any). */
async function snapshot(w: World, key: string, id?: string): Promise<string> {
  const parts: unknown[] = [
    await w.credit.profileOf(key),
    await w.credit.exposureOf(key),
    await w.credit.borrowerCount(),
    await w.score.scoreOf(key),
  ];
  if (id !== undefined) parts.push(await w.credit.getLoan(id), await w.credit.termsOf(id));
  return JSON.stringify(parts, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** Records a consent as `as` (lender A by default) for `key`, and returns its id. */
async function consent(
  w: World,
  key: string,
  overrides: Partial<{ purpose: number; expiresAt: number; covered: bigint[]; documentHash: string }> = {},
  as = w.lenderA,
): Promise<string> {
  counter += 1;
  const input = {
    borrowerKey: key,
    documentHash: overrides.documentHash ?? bytes32(`consent document ${counter}`),
    purpose: overrides.purpose ?? Purpose.NewCredit,
    expiresAt: overrides.expiresAt ?? (await time.latest()) + 90 * DAY,
    covered: overrides.covered ?? [],
  };
  await w.book.connect(as).recordConsent(input);
  return consentIdOf(await w.members.memberForKey(as.address), input.documentHash);
}

function delinquency(d: ICreditRegistryTypes.DelinquencyStructOutput): bigint[] {
  return [d.daysPastDue, d.oldestUnpaid, d.oldestUnpaidDueDay, d.dueOnOldest, d.paid, d.totalDue];
}

describe("Consumer credit", function () {
  describe("consents", function () {
    it("test_recordConsent_storesItAndEmitsEveryField", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const doc = bytes32("signed consent, application 1");
      const expiresAt = (await time.latest()) + 30 * DAY;
      const id = consentIdOf(w.ids.a, doc);
      const input = { borrowerKey: key, documentHash: doc, purpose: Purpose.NewCredit, expiresAt, covered: [w.ids.b] };
      expect(await w.book.consentId(w.ids.a, doc)).to.equal(id);
      expect(await w.book.connect(w.lenderA).recordConsent.staticCall(input)).to.equal(id);
      await expect(w.book.connect(w.lenderA).recordConsent(input))
        .to.emit(w.book, "ConsentRecorded")
        .withArgs(id, key, w.ids.a, doc, Purpose.NewCredit, expiresAt, [w.ids.b]);
      const c = await w.book.getConsent(id);
      expect([c.borrowerKey, c.holder, c.purpose, c.expiresAt, c.revokedAt, [...c.covered]]).to.deep.equal([
        key,
        w.ids.a,
        BigInt(Purpose.NewCredit),
        BigInt(expiresAt),
        0n,
        [w.ids.b],
      ]);
    });

    it("test_recordConsent_refusesDuplicateAndBadInput", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const doc = bytes32("signed consent, application 2");
      const id = await consent(w, key, { documentHash: doc });
      const before = JSON.stringify(await w.book.getConsent(id), (_, v: unknown) =>
        typeof v === "bigint" ? v.toString() : v,
      );
      const later = (await time.latest()) + 30 * DAY;
      const base = { borrowerKey: key, documentHash: doc, purpose: Purpose.NewCredit, expiresAt: later, covered: [] };
      const book = w.book.connect(w.lenderA);
      await expect(book.recordConsent(base))
        .to.be.revertedWithCustomError(w.book, "ConsentAlreadyRecorded")
        .withArgs(id);
      const other = { ...base, documentHash: bytes32("another document") };
      const zero = ethers.ZeroHash;
      await expect(book.recordConsent({ ...other, borrowerKey: zero }))
        .to.be.revertedWithCustomError(w.book, "ConsentInvalidInput")
        .withArgs(zero, other.documentHash);
      await expect(book.recordConsent({ ...other, documentHash: zero }))
        .to.be.revertedWithCustomError(w.book, "ConsentInvalidInput")
        .withArgs(key, zero);
      await expect(book.recordConsent({ ...other, purpose: Purpose.None }))
        .to.be.revertedWithCustomError(w.book, "ConsentInvalidPurpose")
        .withArgs(Purpose.None);
      const now = await time.latest();
      await expect(book.recordConsent({ ...other, expiresAt: now }))
        .to.be.revertedWithCustomError(w.book, "ConsentInvalidExpiry")
        .withArgs(now, (t: bigint) => t >= BigInt(now));
      const five = [w.ids.b, w.ids.c, w.ids.regulator, w.ids.nonLender, 99n];
      await expect(book.recordConsent({ ...other, covered: five }))
        .to.be.revertedWithCustomError(w.book, "ConsentTooManyMembers")
        .withArgs(5, 4);
      for (const [covered, bad] of [
        [[w.ids.b, 0n], 0n],
        [[w.ids.a], w.ids.a],
        [[w.ids.b, w.ids.c, w.ids.b], w.ids.b],
      ] as [bigint[], bigint][]) {
        await expect(book.recordConsent({ ...other, covered }))
          .to.be.revertedWithCustomError(w.book, "ConsentInvalidMember")
          .withArgs(bad);
      }
      await expect(w.book.connect(w.nonLender).recordConsent(other))
        .to.be.revertedWithCustomError(w.members, "MemberMissingRole")
        .withArgs(w.nonLender.address, w.ids.nonLender, Role.Lender);
      // Nothing was recorded: the first consent is as it was and the other document has no consent.
      expect(
        JSON.stringify(await w.book.getConsent(id), (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
      ).to.equal(before);
      expect((await w.book.getConsent(consentIdOf(w.ids.a, other.documentHash))).holder).to.equal(0n);
      expect((await w.book.getConsent(consentIdOf(w.ids.nonLender, other.documentHash))).holder).to.equal(0n);
    });

    it("test_inquire_withConsent_logsPurposeAndConsent", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const id = await consent(w, key, { covered: [w.ids.b] });
      await expect(w.credit.connect(w.lenderA).inquire(key, Purpose.NewCredit, id))
        .to.emit(w.credit, "CreditInquired")
        .withArgs(w.ids.a, key, Purpose.NewCredit, id);
      // A member the consent covers may rely on it too.
      await expect(w.credit.connect(w.lenderB).inquire(key, Purpose.NewCredit, id))
        .to.emit(w.credit, "CreditInquired")
        .withArgs(w.ids.b, key, Purpose.NewCredit, id);
      expect((await w.credit.exposureOf(key)).inquiries).to.equal(2n);
      expect((await w.credit.profileOf(key)).inquiries).to.equal(2n);
    });

    it("test_inquire_refusesExpiredConsent", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const expiresAt = (await time.latest()) + 10 * DAY;
      const id = await consent(w, key, { expiresAt });
      await w.credit.connect(w.lenderA).inquire(key, Purpose.NewCredit, id); // in force before its expiry
      await time.increaseTo(expiresAt);
      const before = await snapshot(w, key);
      await expect(w.credit.connect(w.lenderA).inquire(key, Purpose.NewCredit, id))
        .to.be.revertedWithCustomError(w.book, "ConsentExpired")
        .withArgs(id, expiresAt, (now: bigint) => now >= BigInt(expiresAt));
      expect(await snapshot(w, key)).to.equal(before);
    });

    it("test_inquire_refusesConsentRevokedByHolderOrRegulator", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const reason = encodeBytes32String("BORROWER-WITHDREW");
      for (const [revoker, revokerId] of [
        [w.lenderA, w.ids.a],
        [w.regulator, w.ids.regulator],
      ] as const) {
        const id = await consent(w, key);
        const tx = await w.book.connect(revoker).revokeConsent(id, reason);
        await expect(tx).to.emit(w.book, "ConsentRevoked").withArgs(id, key, revokerId, reason);
        const revokedAt = (await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp;
        expect((await w.book.getConsent(id)).revokedAt).to.equal(BigInt(revokedAt));
        const before = await snapshot(w, key);
        await expect(w.credit.connect(w.lenderA).inquire(key, Purpose.NewCredit, id))
          .to.be.revertedWithCustomError(w.book, "ConsentRevokedAt")
          .withArgs(id, revokedAt);
        // A second withdrawal is refused with the first one's time.
        await expect(w.book.connect(revoker).revokeConsent(id, reason))
          .to.be.revertedWithCustomError(w.book, "ConsentRevokedAt")
          .withArgs(id, revokedAt);
        expect(await snapshot(w, key)).to.equal(before);
      }
    });

    it("test_revokeConsent_refusesAnyoneButHolderOrRegulator", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const id = await consent(w, key, { covered: [w.ids.b] });
      const reason = encodeBytes32String("NOT-MINE");
      // Even a member the consent covers is not its holder.
      await expect(w.book.connect(w.lenderB).revokeConsent(id, reason))
        .to.be.revertedWithCustomError(w.book, "ConsentRevokeUnauthorized")
        .withArgs(id, w.lenderB.address, w.ids.b);
      await expect(w.book.connect(w.stranger).revokeConsent(id, reason))
        .to.be.revertedWithCustomError(w.book, "ConsentRevokeUnauthorized")
        .withArgs(id, w.stranger.address, 0);
      const unknown = consentIdOf(w.ids.a, bytes32("never recorded"));
      await expect(w.book.connect(w.lenderA).revokeConsent(unknown, reason))
        .to.be.revertedWithCustomError(w.book, "ConsentUnknown")
        .withArgs(unknown);
      expect((await w.book.getConsent(id)).revokedAt).to.equal(0n);
      await expect(w.credit.connect(w.lenderB).inquire(key, Purpose.NewCredit, id)).to.emit(w.credit, "CreditInquired");
    });

    it("test_inquire_refusesConsentOfSuspendedHolderToOthers_holderMayStillRevoke", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const id = await consent(w, key, { covered: [w.ids.b] });
      await w.members.connect(w.governor).suspend(w.ids.a, encodeBytes32String("SUSPENDED"));
      const before = await snapshot(w, key);
      await expect(w.credit.connect(w.lenderB).inquire(key, Purpose.NewCredit, id))
        .to.be.revertedWithCustomError(w.book, "ConsentHolderInactive")
        .withArgs(id, w.ids.a, 2);
      expect(await snapshot(w, key)).to.equal(before);
      // The suspended holder still records the borrower's withdrawal.
      const reason = encodeBytes32String("BORROWER-WITHDREW");
      await expect(w.book.connect(w.lenderA).revokeConsent(id, reason))
        .to.emit(w.book, "ConsentRevoked")
        .withArgs(id, key, w.ids.a, reason);
    });

    it("test_inquire_refusesOtherBorrowerUncoveredMemberOtherPurposeUnknownConsent", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const otherKey = borrower();
      const id = await consent(w, key, { covered: [w.ids.b], purpose: Purpose.AccountReview });
      const unknown = consentIdOf(w.ids.a, bytes32("never recorded"));
      const before = [await snapshot(w, key), await snapshot(w, otherKey)];
      await expect(w.credit.connect(w.lenderA).inquire(otherKey, Purpose.AccountReview, id))
        .to.be.revertedWithCustomError(w.book, "ConsentBorrowerMismatch")
        .withArgs(id, key, otherKey);
      await expect(w.credit.connect(w.lenderC).inquire(key, Purpose.AccountReview, id))
        .to.be.revertedWithCustomError(w.book, "ConsentMemberNotCovered")
        .withArgs(id, w.ids.c);
      await expect(w.credit.connect(w.lenderB).inquire(key, Purpose.NewCredit, id))
        .to.be.revertedWithCustomError(w.book, "ConsentPurposeMismatch")
        .withArgs(id, Purpose.AccountReview, Purpose.NewCredit);
      await expect(w.credit.connect(w.lenderA).inquire(key, Purpose.AccountReview, unknown))
        .to.be.revertedWithCustomError(w.book, "ConsentUnknown")
        .withArgs(unknown);
      expect([await snapshot(w, key), await snapshot(w, otherKey)]).to.deep.equal(before);
    });

    it("test_requireConsent_namesAnotherBorrowersConsentAsSuch_beforeItsWithdrawal_andKeysItsTermsByTheBorrower", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const otherKey = borrower();
      const id = await consent(w, key);
      await w.book.connect(w.lenderA).revokeConsent(id, encodeBytes32String("BORROWER-WITHDREW"));
      // Withdrawn, and another borrower's: the mismatch is named first, the withdrawal only to its own borrower.
      await expect(w.book.requireConsent(id, otherKey, w.ids.a, Purpose.NewCredit))
        .to.be.revertedWithCustomError(w.book, "ConsentBorrowerMismatch")
        .withArgs(id, key, otherKey);
      await expect(w.book.requireConsent(id, key, w.ids.a, Purpose.NewCredit)).to.be.revertedWithCustomError(
        w.book,
        "ConsentRevokedAt",
      );
      // The terms sit under (consent, borrower key) in `_terms` (slot 1), the borrower key under the consent in
      // `_borrowerOf` (slot 0): the check for the right borrower reads one slot.
      const coder = AbiCoder.defaultAbiCoder();
      const termsKey = keccak256(coder.encode(["bytes32", "bytes32"], [id, key]));
      const termsSlot = keccak256(coder.encode(["bytes32", "uint256"], [termsKey, 1]));
      const borrowerSlot = keccak256(coder.encode(["bytes32", "uint256"], [id, 0]));
      const bookAddress = await w.book.getAddress();
      expect(await ethers.provider.getStorage(bookAddress, borrowerSlot)).to.equal(key);
      const terms = BigInt(await ethers.provider.getStorage(bookAddress, termsSlot));
      const c = await w.book.getConsent(id);
      expect(terms & 0xffffffffn).to.equal(w.ids.a); // holder
      expect((terms >> 32n) & 0xffn).to.equal(BigInt(c.purpose));
      expect((terms >> 40n) & (2n ** 40n - 1n)).to.equal(c.expiresAt);
      expect((terms >> 80n) & (2n ** 40n - 1n)).to.equal(c.revokedAt);
    });
  });

  describe("APR", function () {
    it("test_registerLoan_enforce_refusesAprOverCap", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      await w.credit.connect(w.governor).setPolicy({ ...POLICY, maxAprBps: 2_400, mode: Mode.Enforce });
      const key = borrower();
      const over = await plainLoan(key, { aprBps: 2_401 });
      const id = loanIdOf(w.ids.a, String(over.loanRef));
      const before = await snapshot(w, key, id);
      await expect(w.credit.connect(w.lenderA).registerLoan(over))
        .to.be.revertedWithCustomError(w.credit, "CreditPolicyLimitExceeded")
        .withArgs(key, APR_LIMIT, 2_401, 2_400);
      expect(await snapshot(w, key, id)).to.equal(before);
      // At the cap it passes.
      const at = await plainLoan(key, { aprBps: 2_400 });
      const atId = loanIdOf(w.ids.a, String(at.loanRef));
      await expect(w.credit.connect(w.lenderA).registerLoan(at))
        .to.emit(w.credit, "LoanTermsRegistered")
        .and.not.to.emit(w.credit, "MultiBorrowingFlagged");
      expect((await w.credit.termsOf(atId)).aprBps).to.equal(2_400n);
    });

    it("test_registerLoan_flag_registersAndFlagsAprOverCap", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      await w.credit.connect(w.governor).setPolicy({ ...POLICY, maxAprBps: 2_400, mode: Mode.Flag });
      const key = borrower();
      const loan = await plainLoan(key, { aprBps: 3_600 });
      const id = loanIdOf(w.ids.a, String(loan.loanRef));
      await expect(w.credit.connect(w.lenderA).registerLoan(loan))
        .to.emit(w.credit, "MultiBorrowingFlagged")
        .withArgs(key, id, APR_LIMIT, 3_600, 2_400);
      expect((await w.credit.getLoan(id)).status).to.equal(Status.Active);
      expect((await w.credit.termsOf(id)).aprBps).to.equal(3_600n);
    });

    it("test_registerLoan_aprCapZeroOrNonConsumerKind_isNotCapped", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      // Cap 0: no cap, in enforce mode too.
      await w.credit.connect(w.governor).setPolicy({ ...POLICY, maxAprBps: 0, mode: Mode.Enforce });
      const uncapped = await plainLoan(key, { aprBps: 100_000 });
      await expect(w.credit.connect(w.lenderA).registerLoan(uncapped)).not.to.emit(w.credit, "MultiBorrowingFlagged");
      expect((await w.credit.termsOf(loanIdOf(w.ids.a, String(uncapped.loanRef)))).aprBps).to.equal(100_000n);
      // Only consumer loans are capped.
      await w.credit.connect(w.governor).setPolicy({ ...POLICY, maxAprBps: 2_400, mode: Mode.Enforce });
      const sme = await plainLoan(key, { kind: Kind.SmeLoan, aprBps: 5_000 });
      await expect(w.credit.connect(w.lenderA).registerLoan(sme)).not.to.emit(w.credit, "MultiBorrowingFlagged");
      const smeId = loanIdOf(w.ids.a, String(sme.loanRef));
      expect((await w.credit.getLoan(smeId)).status).to.equal(Status.Active);
      expect((await w.credit.termsOf(smeId)).aprBps).to.equal(5_000n);
      expect((await w.credit.policy()).maxAprBps).to.equal(2_400n);
    });
  });

  describe("instalment plans", function () {
    it("test_registerLoan_twelveMonthlyInstalments_registersTermsAndFigures", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const loan = await planLoan(key);
      const id = loanIdOf(w.ids.a, String(loan.loanRef));
      const plan = loan.plan;
      await expect(w.credit.connect(w.lenderA).registerLoan(loan))
        .to.emit(w.credit, "LoanTermsRegistered")
        .withArgs(id, 1_069, [12, Frequency.Monthly, plan.firstDueDay, INSTALMENT, INSTALMENT]);
      const t = await w.credit.termsOf(id);
      expect([t.aprBps, [...t.plan], t.bucket, t.negativeUntil]).to.deep.equal([
        1_069n,
        [12n, 1n, BigInt(plan.firstDueDay), INSTALMENT, INSTALMENT],
        0n,
        0n,
      ]);
      expect(delinquency(await w.credit.delinquencyOf(id))).to.deep.equal([
        0n,
        0n,
        BigInt(plan.firstDueDay),
        INSTALMENT,
        0n,
        TOTAL_DUE,
      ]);
      const r = await w.credit.getLoan(id);
      expect([r.status, r.principal, r.outstanding, r.maturityDay]).to.deep.equal([
        Status.Active,
        1_200_000n,
        TOTAL_DUE,
        BigInt(addMonths(Number(plan.firstDueDay), 11)),
      ]);
      const p = await w.credit.profileOf(key);
      expect([p.activeLoans, p.activeLenders, p.outstanding, p.defaults, [...p.delinquent]]).to.deep.equal([
        1n,
        1n,
        TOTAL_DUE,
        0n,
        [0n, 0n, 0n, 0n],
      ]);
    });

    it("test_registerLoan_refusesBadPlans", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const good = await planLoan(key);
      const plan = good.plan;
      const first = Number(plan.firstDueDay);
      const day = Number(good.originationDay);
      const cases: [Partial<ICreditRegistryTypes.LoanInputStruct>, string, unknown[]][] = [
        // Without a plan the outstanding may not exceed the principal, so these stay within it.
        [{ outstanding: 1_200_000n, plan: { ...plan, instalments: 0 } }, "CreditInvalidPlanLength", [0, 120]],
        [
          {
            outstanding: 1_200_000n,
            plan: { instalments: 0, frequency: 0, firstDueDay: 0, instalment: 0n, finalInstalment: 1n },
          },
          "CreditInvalidPlanLength",
          [0, 120],
        ],
        [{ plan: { ...plan, instalments: 121 } }, "CreditInvalidPlanLength", [121, 120]],
        [{ plan: { ...plan, instalment: 0n } }, "CreditInvalidPlanAmounts", [0n, INSTALMENT]],
        [{ plan: { ...plan, finalInstalment: 0n } }, "CreditInvalidPlanAmounts", [INSTALMENT, 0n]],
        [{ principal: TOTAL_DUE + 1n }, "CreditPlanBelowPrincipal", [TOTAL_DUE, TOTAL_DUE + 1n]],
        [{ outstanding: TOTAL_DUE + 1n }, "CreditOutstandingAbovePlan", [TOTAL_DUE + 1n, TOTAL_DUE]],
        [
          { originationDay: day, plan: { ...plan, firstDueDay: day - 1 }, maturityDay: addMonths(day - 1, 11) },
          "CreditPlanBeforeOrigination",
          [day - 1, day],
        ],
        [
          { maturityDay: addMonths(first, 11) + 1 },
          "CreditMaturityNotLastDueDay",
          [addMonths(first, 11) + 1, addMonths(first, 11)],
        ],
        // The mean due time (an upper bound, in days of a 364-day year): the first period (x 364/360 under 28 days,
        // else + 3 days), then a twelfth of the year per instalment, weighted 0 + 1 + ... + 11 = 66 instalments'
        // worth over 12 (InstalmentPlan.meanDueDaysWad).
        [{ aprBps: 100 }, "CreditAprBelowPlan", [100, TOTAL_DUE, 1_200_000n, meanDueDays(first - day, 66n, 12n)]],
        [
          { plan: { ...plan, frequency: Frequency.Weekly } },
          "CreditMaturityNotLastDueDay",
          [addMonths(first, 11), first + 77],
        ],
      ];
      for (const [overrides, error, args] of cases) {
        const loan = { ...good, ...overrides };
        const id = loanIdOf(w.ids.a, String(loan.loanRef));
        const before = await snapshot(w, key, id);
        await expect(w.credit.connect(w.lenderA).registerLoan(loan), error)
          .to.be.revertedWithCustomError(w.credit, error)
          .withArgs(...args);
        expect(await snapshot(w, key, id), error).to.equal(before);
      }
      await expect(w.credit.connect(w.lenderA).registerLoan(good)).to.emit(w.credit, "LoanTermsRegistered");
    });

    it("test_fileLoanRepayment_paysOldestInstalmentFirst_partialStaysPartlyPaid", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const loan = await planLoan(key);
      const id = await register(w, loan);
      const first = Number(loan.plan.firstDueDay);
      const lender = w.credit.connect(w.lenderA);
      await expect(lender.fileLoanRepayment(loan.loanRef, 50_000n))
        .to.emit(w.credit, "LoanRepaid")
        .withArgs(id, key, 50_000n, TOTAL_DUE - 50_000n);
      // Partly paid: instalment 0 still owes 55,000.
      expect(delinquency(await w.credit.delinquencyOf(id))).to.deep.equal([
        0n,
        0n,
        BigInt(first),
        55_000n,
        50_000n,
        TOTAL_DUE,
      ]);
      await lender.fileLoanRepayment(loan.loanRef, 55_000n + 30_000n);
      // Instalment 0 paid; 30,000 went to instalment 1, which now owes 75,000.
      expect(delinquency(await w.credit.delinquencyOf(id))).to.deep.equal([
        0n,
        1n,
        BigInt(addMonths(first, 1)),
        75_000n,
        135_000n,
        TOTAL_DUE,
      ]);
      expect((await w.credit.getLoan(id)).outstanding).to.equal(TOTAL_DUE - 135_000n);
      expect((await w.credit.profileOf(key)).outstanding).to.equal(TOTAL_DUE - 135_000n);
      // Paying everything repays the loan.
      await expect(lender.fileLoanRepayment(loan.loanRef, TOTAL_DUE - 135_000n))
        .to.emit(w.credit, "LoanStatusChanged")
        .withArgs(id, key, Status.Active, Status.Repaid);
      expect(delinquency(await w.credit.delinquencyOf(id))).to.deep.equal([0n, 12n, 0n, 0n, TOTAL_DUE, TOTAL_DUE]);
    });

    it("test_ageLoan_missedInstalment_strangerMovesItToOverdue", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const loan = await planLoan(key);
      const id = await register(w, loan);
      const first = Number(loan.plan.firstDueDay);
      const dpd = GRACE_DAYS + 1;
      await travelToDay(first + dpd);
      expect(await w.members.memberForKey(w.stranger.address)).to.equal(0n);
      await expect(w.credit.connect(w.stranger).ageLoan(id))
        .to.emit(w.credit, "LoanStatusChanged")
        .withArgs(id, key, Status.Active, Status.Overdue)
        .and.to.emit(w.credit, "LoanDelinquencyChanged")
        .withArgs(id, key, 0, 1, dpd);
      expect((await w.credit.getLoan(id)).status).to.equal(Status.Overdue);
      expect((await w.credit.termsOf(id)).bucket).to.equal(1n);
      expect([...(await w.credit.profileOf(key)).delinquent]).to.deep.equal([1n, 0n, 0n, 0n]);
      expect((await w.credit.delinquencyOf(id)).daysPastDue).to.equal(BigInt(dpd));
      // Nothing more to apply the same day.
      await expect(w.credit.connect(w.stranger).ageLoan(id))
        .to.be.revertedWithCustomError(w.credit, "CreditNothingToAge")
        .withArgs(id, dpd, 1);
    });

    it("test_layout_aLoanAndItsTermsAreWrittenWholeAtSolcsOffsets", async function () {
      // CreditRegistryBase writes a loan's slot and its terms' slot whole, at named bit offsets; the views read them
      // through solc's own layout. Read both slots raw, after registration and after ageing, field by field.
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const loan = await planLoan(key, { kind: Kind.SmeLoan });
      const id = await register(w, loan);
      const registry = await w.credit.getAddress();
      const LOANS_SLOT = 5n; // docs/storage-layout.md, CreditRegistry: `_loans`
      const TERMS_SLOT = 9n; // `_terms`
      const raw = async (slot: bigint) =>
        BigInt(await ethers.provider.getStorage(registry, keccak256(coder.encode(["bytes32", "uint256"], [id, slot]))));
      const bits = (word: bigint, from: number, width: number) => (word >> BigInt(from)) & ((1n << BigInt(width)) - 1n);
      const HAS_TERMS = 0x80n;
      const check = async (status: bigint, bucket: bigint) => {
        const l = await raw(LOANS_SLOT);
        const view = await w.credit.getLoan(id);
        expect(bits(l, 0, 32)).to.equal(1n, "borrower index"); // the registry's first borrower
        expect(bits(l, 32, 32))
          .to.equal(w.ids.a, "lender")
          .and.to.equal(view.lender);
        expect(bits(l, 64, 64))
          .to.equal(loan.principal, "principal")
          .and.to.equal(view.principal);
        expect(bits(l, 128, 64))
          .to.equal(loan.outstanding, "outstanding")
          .and.to.equal(view.outstanding);
        expect(bits(l, 192, 24)).to.equal(BigInt(loan.originationDay), "originationDay");
        expect(bits(l, 216, 24))
          .to.equal(BigInt(loan.maturityDay), "maturityDay")
          .and.to.equal(view.maturityDay);
        expect(bits(l, 240, 8)).to.equal(BigInt(Kind.SmeLoan) | HAS_TERMS, "kind");
        expect(bits(l, 248, 8))
          .to.equal(status, "status")
          .and.to.equal(view.status);
        const t = await raw(TERMS_SLOT);
        const terms = await w.credit.termsOf(id);
        expect(bits(t, 0, 32))
          .to.equal(BigInt(loan.aprBps), "aprBps")
          .and.to.equal(terms.aprBps);
        expect(bits(t, 32, 8))
          .to.equal(12n, "instalments")
          .and.to.equal(terms.plan.instalments);
        expect(bits(t, 40, 8)).to.equal(BigInt(Frequency.Monthly), "frequency");
        expect(bits(t, 48, 24)).to.equal(BigInt(loan.plan.firstDueDay), "firstDueDay");
        expect(bits(t, 72, 64))
          .to.equal(INSTALMENT, "instalment")
          .and.to.equal(terms.plan.instalment);
        expect(bits(t, 136, 64))
          .to.equal(INSTALMENT, "finalInstalment")
          .and.to.equal(terms.plan.finalInstalment);
        expect(bits(t, 200, 8))
          .to.equal(bucket, "bucket")
          .and.to.equal(terms.bucket);
        expect(bits(t, 208, 24)).to.equal(0n, "negativeUntil");
        expect(t >> 232n).to.equal(0n, "nothing above the terms' 232 bits");
      };
      await check(Status.Active, 0n);
      await travelToDay(Number(loan.plan.firstDueDay) + GRACE_DAYS + 1);
      await w.credit.connect(w.stranger).ageLoan(id);
      await check(Status.Overdue, 1n);
    });

    it("test_ageLoan_withinGrace_movesOnlyTheBucket_andNothingDueReverts", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const loan = await planLoan(key);
      const id = await register(w, loan);
      const first = Number(loan.plan.firstDueDay);
      await expect(w.credit.connect(w.stranger).ageLoan(id))
        .to.be.revertedWithCustomError(w.credit, "CreditNothingToAge")
        .withArgs(id, 0, 0);
      await travelToDay(first);
      let before = await snapshot(w, key, id);
      await expect(w.credit.connect(w.stranger).ageLoan(id))
        .to.be.revertedWithCustomError(w.credit, "CreditNothingToAge")
        .withArgs(id, 0, 0); // due today is not past due
      expect(await snapshot(w, key, id)).to.equal(before);
      await travelToDay(first + GRACE_DAYS);
      await expect(w.credit.connect(w.stranger).ageLoan(id))
        .to.emit(w.credit, "LoanDelinquencyChanged")
        .withArgs(id, key, 0, 1, GRACE_DAYS)
        .and.not.to.emit(w.credit, "LoanStatusChanged");
      expect((await w.credit.getLoan(id)).status).to.equal(Status.Active);
      expect([...(await w.credit.profileOf(key)).delinquent]).to.deep.equal([1n, 0n, 0n, 0n]);
      before = await snapshot(w, key, id);
      await expect(w.credit.connect(w.stranger).ageLoan(id))
        .to.be.revertedWithCustomError(w.credit, "CreditNothingToAge")
        .withArgs(id, GRACE_DAYS, 1);
      expect(await snapshot(w, key, id)).to.equal(before);
      const unknown = loanIdOf(w.ids.a, bytes32("no such loan"));
      await expect(w.credit.connect(w.stranger).ageLoan(unknown))
        .to.be.revertedWithCustomError(w.credit, "CreditLoanUnknown")
        .withArgs(unknown);
    });

    it("test_fileLoanStatus_lenderCannotCureWhilePastGrace_canAfterCatchingUp", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const loan = await planLoan(key);
      const id = await register(w, loan);
      const first = Number(loan.plan.firstDueDay);
      const dpd = GRACE_DAYS + 3;
      await travelToDay(first + dpd);
      await w.credit.connect(w.stranger).ageLoan(id);
      const lender = w.credit.connect(w.lenderA);
      const before = await snapshot(w, key, id);
      await expect(lender.fileLoanStatus(loan.loanRef, Status.Active))
        .to.be.revertedWithCustomError(w.credit, "CreditLoanPastDue")
        .withArgs(id, dpd, GRACE_DAYS);
      expect(await snapshot(w, key, id)).to.equal(before);
      // The borrower catches up on instalment 0: the loan is current again and the lender may cure it.
      await expect(lender.fileLoanRepayment(loan.loanRef, INSTALMENT))
        .to.emit(w.credit, "LoanDelinquencyChanged")
        .withArgs(id, key, 1, 0, 0);
      expect([...(await w.credit.profileOf(key)).delinquent]).to.deep.equal([0n, 0n, 0n, 0n]);
      await expect(lender.fileLoanStatus(loan.loanRef, Status.Active))
        .to.emit(w.credit, "LoanStatusChanged")
        .withArgs(id, key, Status.Overdue, Status.Active);
      expect((await w.credit.getLoan(id)).status).to.equal(Status.Active);
    });

    it("test_ageLoan_bucketsMoveWithTime", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const loan = await planLoan(key);
      const id = await register(w, loan);
      const first = Number(loan.plan.firstDueDay);
      const lender = w.credit.connect(w.stranger);
      // 1 day past due: bucket 1-30, still Active (within the grace).
      await travelToDay(first + 1);
      await expect(lender.ageLoan(id))
        .to.emit(w.credit, "LoanDelinquencyChanged")
        .withArgs(id, key, 0, 1, 1)
        .and.not.to.emit(w.credit, "LoanStatusChanged");
      // 30 days: past the grace, so Overdue, and still in bucket 1-30.
      await travelToDay(first + 30);
      await expect(lender.ageLoan(id))
        .to.emit(w.credit, "LoanStatusChanged")
        .withArgs(id, key, Status.Active, Status.Overdue)
        .and.not.to.emit(w.credit, "LoanDelinquencyChanged");
      expect([...(await w.credit.profileOf(key)).delinquent]).to.deep.equal([1n, 0n, 0n, 0n]);
      const steps: [number, number, number, bigint[]][] = [
        [31, 1, 2, [0n, 1n, 0n, 0n]],
        [61, 2, 3, [0n, 0n, 1n, 0n]],
        [91, 3, 4, [0n, 0n, 0n, 1n]],
      ];
      for (const [dpd, from, to, counts] of steps) {
        if (dpd > 31) {
          // The day before, the loan is still in the bucket before.
          await travelToDay(first + dpd - 1);
          await expect(lender.ageLoan(id))
            .to.be.revertedWithCustomError(w.credit, "CreditNothingToAge")
            .withArgs(id, dpd - 1, from);
        }
        await travelToDay(first + dpd);
        await expect(lender.ageLoan(id))
          .to.emit(w.credit, "LoanDelinquencyChanged")
          .withArgs(id, key, from, to, dpd)
          .and.not.to.emit(w.credit, "LoanStatusChanged");
        expect([...(await w.credit.profileOf(key)).delinquent], `${dpd} days`).to.deep.equal(counts);
        expect((await w.credit.termsOf(id)).bucket).to.equal(BigInt(to));
        expect((await w.credit.getLoan(id)).status).to.equal(Status.Overdue);
      }
      const moves = await w.credit.queryFilter(w.credit.filters.LoanStatusChanged(id));
      expect(moves.map((e) => [e.args.from, e.args.to])).to.deep.equal([[Status.Active, Status.Overdue]]);
    });
  });

  describe("retention", function () {
    it("test_ageLoan_writtenOffRecordStopsCountingFiveYearsLater", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const loan = await plainLoan(key);
      const id = await register(w, loan);
      const lender = w.credit.connect(w.lenderA);
      await lender.fileLoanStatus(loan.loanRef, Status.Overdue);
      await lender.fileLoanStatus(loan.loanRef, Status.Defaulted);
      expect((await w.credit.profileOf(key)).defaults).to.equal(1n);
      await lender.fileLoanStatus(loan.loanRef, Status.WrittenOff);
      const writtenOff = await today();
      const until = addMonths(writtenOff, 60);
      expect((await w.credit.termsOf(id)).negativeUntil).to.equal(BigInt(until));
      expect((await w.credit.profileOf(key)).defaults).to.equal(1n);
      expect((await w.credit.exposureOf(key)).defaults).to.equal(1n);
      const [scoreWhileRetained] = await w.score.scoreOf(key);
      // A day before the end it still counts, and ageLoan has nothing to do.
      await travelToDay(until - 1);
      let before = await snapshot(w, key, id);
      await expect(w.credit.connect(w.stranger).ageLoan(id))
        .to.be.revertedWithCustomError(w.credit, "CreditNothingToAge")
        .withArgs(id, 0, 0);
      expect(await snapshot(w, key, id)).to.equal(before);
      // Five years on, it still counts until someone ages it.
      await travelToDay(until);
      expect((await w.credit.profileOf(key)).defaults).to.equal(1n);
      await expect(w.credit.connect(w.stranger).ageLoan(id))
        .to.emit(w.credit, "NegativeRecordExpired")
        .withArgs(id, key)
        .and.not.to.emit(w.credit, "LoanStatusChanged");
      expect((await w.credit.profileOf(key)).defaults).to.equal(0n);
      expect((await w.credit.exposureOf(key)).defaults).to.equal(0n);
      expect((await w.credit.termsOf(id)).negativeUntil).to.equal(0n);
      expect((await w.credit.getLoan(id)).status).to.equal(Status.WrittenOff);
      const [scoreAfter] = await w.score.scoreOf(key);
      expect(scoreAfter).to.be.greaterThan(scoreWhileRetained);
      before = await snapshot(w, key, id);
      await expect(w.credit.connect(w.stranger).ageLoan(id))
        .to.be.revertedWithCustomError(w.credit, "CreditNothingToAge")
        .withArgs(id, 0, 0);
      expect(await snapshot(w, key, id)).to.equal(before);
      // Its events remain.
      const moves = await w.credit.queryFilter(w.credit.filters.LoanStatusChanged(id));
      expect(moves.map((e) => [e.args.from, e.args.to])).to.deep.equal([
        [Status.Active, Status.Overdue],
        [Status.Overdue, Status.Defaulted],
        [Status.Defaulted, Status.WrittenOff],
      ]);
      expect(await w.credit.queryFilter(w.credit.filters.LoanRegistered(id))).to.have.length(1);
    });
  });

  describe("retention of a settled default", function () {
    it("test_fileLoanRepayment_settlingADefaultedLoan_isRetainedFiveYears", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const loan = await plainLoan(key);
      const id = await register(w, loan);
      const lender = w.credit.connect(w.lenderA);
      await lender.fileLoanStatus(loan.loanRef, Status.Overdue);
      await lender.fileLoanStatus(loan.loanRef, Status.Defaulted);
      await expect(lender.fileLoanRepayment(loan.loanRef, 1_000_000n))
        .to.emit(w.credit, "LoanStatusChanged")
        .withArgs(id, key, Status.Defaulted, Status.Repaid);
      const until = addMonths(await today(), 60);
      expect((await w.credit.termsOf(id)).negativeUntil).to.equal(BigInt(until));
      const p = await w.credit.profileOf(key);
      expect([p.activeLoans, p.outstanding, p.defaults]).to.deep.equal([0n, 0n, 1n]);
      await travelToDay(until);
      await expect(w.credit.connect(w.stranger).ageLoan(id))
        .to.emit(w.credit, "NegativeRecordExpired")
        .withArgs(id, key);
      expect((await w.credit.profileOf(key)).defaults).to.equal(0n);
    });
  });

  describe("score", function () {
    const profile = (o: Partial<ICreditRegistryTypes.ProfileStruct> = {}): ICreditRegistryTypes.ProfileStruct => ({
      activeLoans: 1,
      activeLenders: 1,
      outstanding: 0,
      defaults: 0,
      inquiries: 0,
      delinquent: [0, 0, 0, 0],
      liveSinceDay: 20_000,
      ...o,
    });

    it("test_scoreOf_cleanBorrower_is790WithHistoryAsOnlyReason", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      await register(w, await planLoan(key));
      // 300 base + 150 (no default) + 150 (current) + 60 (1 lender) + 80 (no limit: 0%) + 50 (no inquiry)
      // + 0 (history of 0 days) = 790; only the history lost points (60 of its best).
      const [score, reasons] = await w.score.scoreOf(key);
      expect(score).to.equal(790n);
      expect([...reasons]).to.deep.equal([Reason.History, 0n, 0n, 0n]);
      const p = await w.credit.profileOf(key);
      const plain: ICreditRegistryTypes.ProfileStruct = {
        activeLoans: p.activeLoans,
        activeLenders: p.activeLenders,
        outstanding: p.outstanding,
        defaults: p.defaults,
        inquiries: p.inquiries,
        delinquent: [...p.delinquent] as [bigint, bigint, bigint, bigint],
        liveSinceDay: p.liveSinceDay,
      };
      expect([...(await w.score.attributesOf(plain, 0, await today()))]).to.deep.equal([0n, 0n, 1n, 0n, 0n, 0n]);
    });

    it("test_scoreOf_fallsWithDelinquencyAndDefaultOnChain", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const key = borrower();
      const loan = await planLoan(key);
      const id = await register(w, loan);
      const first = Number(loan.plan.firstDueDay);
      expect((await w.score.scoreOf(key))[0]).to.equal(790n);
      // The history is 1 to 179 days throughout (10 points); the worst bucket falls from 150 to 110, 60, 20, 0 points.
      const figures: [number, bigint, bigint[]][] = [
        [1, 760n, [Reason.History, Reason.Delinquency, 0n, 0n]],
        [31, 710n, [Reason.Delinquency, Reason.History, 0n, 0n]],
        [61, 670n, [Reason.Delinquency, Reason.History, 0n, 0n]],
        [91, 650n, [Reason.Delinquency, Reason.History, 0n, 0n]],
      ];
      for (const [dpd, expected, expectedReasons] of figures) {
        await travelToDay(first + dpd);
        await w.credit.connect(w.stranger).ageLoan(id);
        const [score, reasons] = await w.score.scoreOf(key);
        expect([score, [...reasons]], `${dpd} days past due`).to.deep.equal([expected, expectedReasons]);
      }
      // A default costs 90 more.
      await w.credit.connect(w.lenderA).fileLoanStatus(loan.loanRef, Status.Defaulted);
      const [score, reasons] = await w.score.scoreOf(key);
      expect([score, [...reasons]]).to.deep.equal([560n, [Reason.Delinquency, Reason.Defaults, Reason.History, 0n]]);
    });

    it("test_scoreProfile_isMonotone", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const day = 20_400;
      const scoreOf = async (p: ICreditRegistryTypes.ProfileStruct): Promise<bigint> =>
        (await w.score.scoreProfile(p, 1_000_000, day))[0];
      const bases = [
        profile(),
        profile({ defaults: 1, inquiries: 2, outstanding: 600_000, liveSinceDay: 20_000 }),
        profile({ activeLenders: 4, delinquent: [1, 0, 0, 0], inquiries: 5, outstanding: 900_000 }),
      ];
      for (const base of bases) {
        for (let n = 0; n < 6; n++) {
          const more = await scoreOf({ ...base, defaults: BigInt(base.defaults) + BigInt(n) + 1n });
          const fewer = await scoreOf({ ...base, defaults: BigInt(base.defaults) + BigInt(n) });
          expect(more, "one more default").to.be.at.most(fewer);
          const lenders = BigInt(base.activeLenders) + BigInt(n);
          expect(await scoreOf({ ...base, activeLenders: lenders + 1n }), "one more lender").to.be.at.most(
            await scoreOf({ ...base, activeLenders: lenders }),
          );
        }
        for (let bucket = 0; bucket < 4; bucket++) {
          const worse: [number, number, number, number] = [0, 0, 0, 0];
          worse[bucket] = 1;
          const better: [number, number, number, number] = [0, 0, 0, 0];
          if (bucket > 0) better[bucket - 1] = 1;
          expect(await scoreOf({ ...base, delinquent: worse }), `bucket ${bucket + 1} against ${bucket}`).to.be.at.most(
            await scoreOf({ ...base, delinquent: better }),
          );
        }
      }
      // The figures of each step on a clean profile with no history: strictly down where the card's points fall.
      const clean = profile({ liveSinceDay: day });
      expect(await scoreOf(clean)).to.equal(790n);
      // A retained negative record also scores as the worst delinquency (bucket 4: 0 points).
      expect(await scoreOf({ ...clean, defaults: 1 })).to.equal(550n);
      expect(await scoreOf({ ...clean, defaults: 2 })).to.equal(510n);
      expect(await scoreOf({ ...clean, delinquent: [0, 1, 0, 0] })).to.equal(700n);
      expect(await scoreOf({ ...clean, activeLenders: 2 })).to.equal(780n);
    });

    it("test_scoreProfile_reasonsOrderedByPointsLost", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const day = 20_000;
      // Lost: delinquency 90 (bucket 2), history 60 (0 days), utilisation 35 (55%), inquiries 22 (2), lenders 10 (2):
      // the four largest, most first; the fifth is left out.
      const p = profile({
        delinquent: [0, 1, 0, 0],
        activeLenders: 2,
        inquiries: 2,
        outstanding: 550_000,
        liveSinceDay: day,
      });
      const [score, reasons] = await w.score.scoreProfile(p, 1_000_000, day);
      expect(score).to.equal(850n - 90n - 60n - 35n - 22n - 10n);
      expect([...reasons]).to.deep.equal([Reason.Delinquency, Reason.History, Reason.Utilisation, Reason.Inquiries]);
      // With a retained default: the delinquency counts as the worst (150 lost), then the default itself (90).
      const [withDefault, defaultReasons] = await w.score.scoreProfile({ ...p, defaults: 1 }, 1_000_000, day);
      expect(withDefault).to.equal(850n - 150n - 90n - 60n - 35n - 22n - 10n);
      expect([...defaultReasons]).to.deep.equal([
        Reason.Delinquency,
        Reason.Defaults,
        Reason.History,
        Reason.Utilisation,
      ]);
      // A perfect profile has no reason.
      const [best, none] = await w.score.scoreProfile(profile({ liveSinceDay: day - 1825 }), 0, day);
      expect([best, [...none]]).to.deep.equal([850n, [0n, 0n, 0n, 0n]]);
    });

    it("test_setScorecard_refusesBadCardsAndNonGovernor", async function () {
      const w = await networkHelpers.loadFixture(deployFixture);
      const card = (): ICreditScore.ScorecardStruct => structuredClone(DEFAULT_SCORECARD);
      const before = JSON.stringify(await w.score.scorecard(), (_, v: unknown) =>
        typeof v === "bigint" ? v.toString() : v,
      );
      const gov = w.score.connect(w.governor);
      const notMonotone = card();
      notMonotone.attributes[0].points = [150, 60, 70, 0, 0, 0];
      await expect(gov.setScorecard(notMonotone))
        .to.be.revertedWithCustomError(w.score, "ScorecardNotMonotone")
        .withArgs(0, 2);
      const historyFalls = card();
      historyFalls.attributes[5].points = [0, 10, 5, 35, 50, 60];
      await expect(gov.setScorecard(historyFalls))
        .to.be.revertedWithCustomError(w.score, "ScorecardNotMonotone")
        .withArgs(5, 2);
      const unordered = card();
      unordered.attributes[2].edges = [1, 2, 1, 5, MAX];
      await expect(gov.setScorecard(unordered))
        .to.be.revertedWithCustomError(w.score, "ScorecardEdgesUnordered")
        .withArgs(2, 2);
      await expect(gov.setScorecard({ ...card(), base: 301 }))
        .to.be.revertedWithCustomError(w.score, "ScorecardInvalidRange")
        .withArgs(301, 851);
      await expect(gov.setScorecard({ ...card(), base: 299 }))
        .to.be.revertedWithCustomError(w.score, "ScorecardInvalidRange")
        .withArgs(299, 849);
      await expect(w.score.connect(w.lenderA).setScorecard(card()))
        .to.be.revertedWithCustomError(w.members, "GovernorUnauthorizedAccount")
        .withArgs(w.lenderA.address);
      expect(
        JSON.stringify(await w.score.scorecard(), (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
      ).to.equal(before);
      // The governor may set a valid one.
      const lenient = card();
      lenient.attributes[2].edges = [2, 3, 4, 6, MAX];
      await expect(gov.setScorecard(lenient)).to.emit(w.score, "ScorecardSet");
      expect((await w.score.scorecard()).attributes[2].edges[0]).to.equal(2n);
    });
  });
});

/** The registry's mean due time of a monthly plan, whole days: first period `d0`, steps weighted `steps` / `count`. */
function meanDueDays(d0: number, steps: bigint, count: bigint): bigint {
  const WAD = 10n ** 18n;
  const c0 = d0 < 28 ? BigInt(d0) * ((364n * WAD + 359n) / 360n) : BigInt(d0 + 3) * WAD;
  const twelfth = (364n * WAD + 11n) / 12n;
  return (c0 + (twelfth * steps + count - 1n) / count) / WAD;
}
